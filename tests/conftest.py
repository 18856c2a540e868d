"""Shared fixtures: the default engine is fitted once per test session."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SHARED = ROOT.parent / "shared"
TODAY = dt.date(2026, 11, 21)


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
