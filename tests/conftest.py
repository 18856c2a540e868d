"""Shared fixtures: the default engine is fitted once per test session."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests draw the same examples on every run, so that CI on a clean checkout gives
# the same verdict twice; HYPOTHESIS_EXPLORE=1 draws fresh ones to hunt for new failures.
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile("explore" if os.environ.get("HYPOTHESIS_EXPLORE") else "repeatable")

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SHARED = ROOT.parent / "shared"
TODAY = dt.date(2026, 11, 21)


@pytest.fixture(scope="session", autouse=True)
def _engine_cache(tmp_path_factory):
    """Fitted engines of test catalogs go to a temporary cache, never the user's."""
    os.environ["MATCHER_CACHE_DIR"] = str(tmp_path_factory.mktemp("engine-cache"))
    yield
    os.environ.pop("MATCHER_CACHE_DIR", None)


@pytest.fixture(scope="session")
def engine():
    from matcher import MatchEngine

    return MatchEngine().fit()


@pytest.fixture
def kita_press():
    """A 25-person metal-press firm in Kita City that wants to exhibit at a trade fair."""
    return {"id": "kita-press", "municipality": "Kita", "prefecture": "Tokyo", "industry": "E24",
            "employees": 25, "capital_jpy": 10_000_000, "needs": ["trade_fair"],
            "description": "Metal press work. We want to exhibit at a trade fair to find new customers."}
