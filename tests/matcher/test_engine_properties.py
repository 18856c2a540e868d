"""Properties of rankings over random firms (hypothesis)."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcher import MatchEngine
from rules import TRUE, FirmFacts
from profiles import CompanyProfile, need_ids

MUNICIPALITIES = ["131172", "132276", "132047", "131113", "272272", "011002", "281000", "271004"]
INDUSTRIES = [None, "E", "E24", "E18", "E26", "E29", "G39", "I52", "P83", "L71"]

firms = st.builds(
    dict,
    municipality=st.sampled_from(MUNICIPALITIES),
    industry=st.sampled_from(INDUSTRIES),
    employees=st.one_of(st.none(), st.integers(0, 2000)),
    capital_jpy=st.one_of(st.none(), st.integers(0, 10**9)),
    founded=st.one_of(st.none(), st.dates(dt.date(1950, 1, 1), dt.date(2026, 1, 1))),
    needs=st.lists(st.sampled_from(need_ids()), max_size=4, unique=True),
    environment_conscious=st.one_of(st.none(), st.booleans()),
    description=st.sampled_from([None, "metal press, trade fair", "ソフトウェア開発と展示会", "we need a loan"]),
)
dates = st.dates(dt.date(2005, 1, 1), dt.date(2027, 1, 1))
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(firm=firms, as_of=dates)
def test_every_returned_scheme_is_eligible_and_the_order_never_rises(engine, firm, as_of):
    ranking = engine.rank(firm, as_of=as_of, top=engine.n_programs_)
    facts = FirmFacts.from_profiles([CompanyProfile(**firm)], as_of)
    elig = engine.eligibility_.evaluate(facts)[0]
    index = {p.id: j for j, p in enumerate(engine.programs_)}
    assert all(elig[index[s.id]] == TRUE for s in ranking.schemes)
    assert len(ranking.schemes) == int((elig == TRUE).sum())
    assert all(elig[index[p.id]] == 1 for p in ranking.possible)
    # within current (or within stale) programs of one status, scores never rise down the list
    for items in (ranking.schemes, ranking.possible):
        for stale in (False, True):
            scores = [s.score for s in items if s.stale is stale]
            assert scores == sorted(scores, reverse=True)
    # one order over both lists: ranks 1..n, and the shares of scoring.yaml decide it
    merged = ranking.in_order()
    assert [r.rank for r in merged] == list(range(1, len(merged) + 1))
    share = engine.explainer_.ordering

    def key(r):
        return r.score * (share["stale"] if r.stale else 1) * (share["possible"] if r in ranking.possible else 1)

    keys = [key(r) for r in merged]
    assert all(a >= b - 1e-6 for a, b in zip(keys, keys[1:]))


@SETTINGS
@given(batch=st.lists(firms, min_size=1, max_size=8), as_of=dates, chunk=st.integers(1, 5))
def test_rank_many_equals_repeated_rank(engine, batch, as_of, chunk):
    together = list(engine.rank_many(batch, as_of=as_of, chunk_size=chunk))
    assert together == [engine.rank(f, as_of=as_of) for f in batch]


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=st.lists(firms, min_size=1, max_size=5))
def test_results_are_identical_after_save_and_load(engine, tmp_path_factory, batch):
    path = tmp_path_factory.mktemp("engine") / "e.joblib"
    loaded = MatchEngine.load(engine.save(path))
    day = dt.date(2026, 11, 21)
    assert list(loaded.rank_many(batch, as_of=day)) == list(engine.rank_many(batch, as_of=day))


def test_an_engine_with_jsonlogic_rules_saves_and_loads_with_the_same_results(tmp_path):
    from matcher.synth import synth_catalog

    engine = MatchEngine().fit(synth_catalog(120, seed=2))
    assert engine.eligibility_.conditions and any(c.name == "logic" for c in engine.eligibility_.conditions)
    loaded = MatchEngine.load(engine.save(tmp_path / "synth.joblib"))
    firms = [{"municipality": m, "industry": "E24", "employees": 30, "needs": ["subsidy"]} for m in MUNICIPALITIES]
    day = dt.date(2026, 11, 21)
    assert list(loaded.rank_many(firms, as_of=day)) == list(engine.rank_many(firms, as_of=day))
