"""The fused kernel (matcher.kernel) gives the numpy path's results to the last bit."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcher import MatchEngine
from matcher.batch import run_batch
from matcher.kernel import available
from matcher.synth import synth_catalog
from matcher.synth.firms import synth_firms
from matcher.weights import COMPONENTS
from profiles import Catalog, SupportProgram, load_catalog
from rules import TRUE, FirmFacts

pytestmark = pytest.mark.skipif(not available(), reason="numba is not installed")

DAY = dt.date(2026, 11, 21)


def _moved_firms(n: int, catalog: Catalog, seed: int) -> list[dict]:
    """Synthetic firms spread over the places the catalog's programs are offered, some with facts missing."""
    rng = np.random.default_rng(seed)
    places = sorted({m for p in catalog.programs for m in p.eligibility.municipalities}) or ["131113"]
    prefs = sorted({pr for p in catalog.programs for pr in p.eligibility.prefectures}) or ["13"]
    out = []
    for k, f in enumerate(synth_firms(n, seed=seed)):
        f = {key: v for key, v in f.items() if v is not None}
        r = rng.random()
        if r < 0.5:
            f["municipality"] = str(rng.choice(places))
            f.pop("prefecture", None)
        elif r < 0.6:  # only the prefecture: municipal programs are unknown, never eligible
            f.pop("municipality", None)
            f["prefecture"] = str(rng.choice(prefs))
        if rng.random() < 0.2:
            f.pop(str(rng.choice(["employees", "capital_jpy", "industry", "founded"])), None)
        out.append(f)
    return out


def _both(catalog: Catalog) -> tuple[MatchEngine, MatchEngine]:
    return MatchEngine(kernel="numba").fit(catalog), MatchEngine(kernel="numpy").fit(catalog)


@pytest.fixture(scope="module")
def synthetic():
    catalog = synth_catalog(400, seed=3)
    return catalog, *_both(catalog)


def _assert_same(fast: MatchEngine, slow: MatchEngine, firms: list[dict], day: dt.date, top: int) -> None:
    prepared = slow.prepare(firms, day)
    idx, scores = fast.match(prepared, top)
    idx0, scores0 = slow.match(prepared, top)
    np.testing.assert_array_equal(idx, idx0)
    np.testing.assert_array_equal(scores, scores0)  # bit for bit, NaN where no program
    # the components of each pick are the matrices' values too
    comps = slow.scores(prepared).components
    _, _, picked = fast.fused_matcher().match(prepared, top)
    fi, k = np.nonzero(idx >= 0)
    for n, c in enumerate(COMPONENTS):
        np.testing.assert_array_equal(picked[fi, k, n], comps[c][fi, idx[fi, k]])


def test_the_kernel_returns_the_numpy_paths_top_programs_scores_and_components(synthetic):
    catalog, fast, slow = synthetic
    firms = _moved_firms(600, catalog, seed=5)
    for day in (DAY, dt.date(2012, 6, 1)):  # validity windows differ by day
        for top in (1, 10, 50):
            _assert_same(fast, slow, firms, day, top)


def test_the_kernel_agrees_on_the_default_catalog(engine):
    catalog = load_catalog()
    fast, slow = _both(catalog)
    firms = _moved_firms(300, catalog, seed=9)
    _assert_same(fast, slow, firms, DAY, 10)
    _assert_same(fast, slow, firms, dt.date(2014, 6, 1), 3)


def test_every_pick_is_eligible_and_a_firm_gets_all_its_eligible_programs_when_top_is_large(synthetic):
    catalog, fast, _ = synthetic
    firms = _moved_firms(200, catalog, seed=11)
    prepared = fast.prepare(firms, DAY)
    idx, scores = fast.match(prepared, catalog.programs.__len__())
    elig = fast.eligibility_.evaluate(prepared.facts)
    for i in range(len(firms)):
        picked = idx[i][idx[i] >= 0]
        assert sorted(picked.tolist()) == np.flatnonzero(elig[i] == TRUE).tolist()
        assert np.all(np.diff(scores[i][: len(picked)]) <= 0)


def test_equal_scores_are_ranked_in_catalog_order():
    twins = tuple(SupportProgram.model_validate({
        "id": f"twin-{k}", "name": "Trade fair subsidy", "kind": "subsidy", "needs": ["trade_fair"],
        "provider": {"id": "national", "name": "National agency", "kind": "national"},
        "source": {"file": "synthetic", "quote": "test"}}) for k in range(4))
    catalog = Catalog(programs=twins, origin="twins")
    fast, slow = _both(catalog)
    firm = {"municipality": "Ota", "prefecture": "Tokyo", "employees": 10, "capital_jpy": 5_000_000, "industry": "E24"}
    prepared = fast.prepare([firm], DAY)
    idx, scores = fast.match(prepared, 2)
    assert scores[0, 0] == scores[0, 1]
    assert idx[0].tolist() == [0, 1] == slow.match(prepared, 2)[0][0].tolist()


def test_a_firm_with_no_eligible_program_gets_minus_one_and_nan(synthetic):
    catalog, fast, _ = synthetic
    huge = {"municipality": "Ota", "prefecture": "Tokyo", "employees": 10**6, "capital_jpy": 10**13,
            "founded": "1900-01-01", "environment_conscious": False}
    idx, scores = fast.match(fast.prepare([huge], dt.date(1990, 1, 1)), 5)
    elig = fast.eligibility_.evaluate(FirmFacts.from_profiles(fast.prepare([huge], dt.date(1990, 1, 1)).profiles,
                                                              dt.date(1990, 1, 1)))
    eligible = int((elig == TRUE).sum())
    assert (idx[0] >= 0).sum() == min(eligible, 5)
    assert np.isnan(scores[0][idx[0] < 0]).all()


firms = st.builds(
    dict,
    municipality=st.sampled_from([None, "131113", "131172", "272272", "011002", "281000"]),
    prefecture=st.sampled_from([None, "13", "27", "01"]),
    industry=st.sampled_from([None, "E", "E24", "E18", "G39", "I52"]),
    employees=st.one_of(st.none(), st.integers(0, 2000)),
    capital_jpy=st.one_of(st.none(), st.integers(0, 10**9)),
    founded=st.one_of(st.none(), st.dates(dt.date(1950, 1, 1), dt.date(2026, 1, 1))),
    environment_conscious=st.one_of(st.none(), st.booleans()),
    description=st.sampled_from([None, "metal press, trade fair", "ソフトウェア開発と展示会", "we need a loan"]),
)


def _consistent(f: dict) -> dict:
    f = {k: v for k, v in f.items() if v is not None}
    if "municipality" not in f and "prefecture" not in f:
        f["prefecture"] = "27"  # a location is required
    if "municipality" in f:
        f.pop("prefecture", None)  # the prefecture follows from the municipality
    return f


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=st.lists(firms.map(_consistent), min_size=1, max_size=12),
       day=st.dates(dt.date(2005, 1, 1), dt.date(2027, 1, 1)), top=st.integers(1, 12))
def test_kernel_equals_numpy_on_random_firms_and_days(synthetic, batch, day, top):
    _, fast, slow = synthetic
    _assert_same(fast, slow, batch, day, top)


def test_batch_output_is_byte_identical_with_either_path(tmp_path, synthetic):
    catalog, fast, slow = synthetic
    src = tmp_path / "firms.jsonl"
    src.write_text("".join(json.dumps(f) + "\n" for f in _moved_firms(500, catalog, seed=13)))
    a, b = tmp_path / "fast.csv", tmp_path / "slow.csv"
    run_batch(fast, src, a, top=7, as_of=DAY, chunk_size=128, jobs=2)
    run_batch(slow, src, b, top=7, as_of=DAY, chunk_size=128)
    assert a.read_bytes() == b.read_bytes()
    assert len(a.read_bytes().splitlines()) > 500
    assert not (tmp_path / "fast.csv.errors.jsonl").exists()  # no errors, so no errors file


def test_a_saved_engine_uses_the_kernel_after_loading(tmp_path, synthetic):
    catalog, fast, _ = synthetic
    loaded = MatchEngine.load(fast.save(tmp_path / "e.joblib"))
    firms = _moved_firms(100, catalog, seed=17)
    prepared = fast.prepare(firms, DAY)
    assert loaded.fused_matcher() is not None
    for got, want in zip(loaded.match(prepared, 10), fast.match(prepared, 10)):
        np.testing.assert_array_equal(got, want)


def test_a_kernel_that_is_not_one_of_the_three_is_refused():
    with pytest.raises(ValueError, match=r"kernel must be one of auto, numba, numpy, got 'fast'"):
        MatchEngine(kernel="fast").fit()


def _plus_one(x):
    return x + 1


def test_the_kernel_still_compiles_where_numba_cannot_write_its_cache(monkeypatch):
    import numba

    from matcher.kernel import compile_nogil

    real = numba.njit

    def njit(*args, **kwargs):
        if kwargs.get("cache"):
            raise RuntimeError("cannot cache function '_plus_one': no locator available for file 'x.py'")
        return real(*args, **kwargs)

    monkeypatch.setattr(numba, "njit", njit)
    assert compile_nogil(_plus_one)(1) == 2
