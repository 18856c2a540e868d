"""The engine, on the default catalog: what a coordinator sees for real firms."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from matcher import EngineFormatError, MatchEngine, NotFittedError
from profiles import CompanyProfile
from profiles.errors import InputError
from tests.conftest import TODAY


def ids(ranking, part="schemes"):
    return [x.id for x in getattr(ranking, part)]


def test_a_kita_metal_press_firm_wanting_a_trade_fair_gets_kitas_trade_fair_subsidy_in_its_top_3(engine, kita_press):
    assert "kita-trade-fair-subsidy" in ids(engine.rank(kita_press, as_of=TODAY))[:3]


def test_the_same_firm_writing_only_in_japanese_still_gets_it_in_its_top_3(engine, kita_press):
    firm = dict(kita_press, needs=[], description="金属プレス加工の会社です。展示会に出展して新しい取引先を開拓したい。")
    ranking = engine.rank(firm, as_of=TODAY)
    assert "kita-trade-fair-subsidy" in ids(ranking)[:3]
    reasons = " ".join(ranking.schemes[ids(ranking).index("kita-trade-fair-subsidy")].reasons)
    assert "展示会" in reasons


def test_each_scheme_says_which_needs_terms_and_industry_matched(engine, kita_press):
    s = next(s for s in engine.rank(kita_press, as_of=TODAY).schemes if s.id == "kita-trade-fair-subsidy")
    text = " ".join(s.reasons)
    assert "trade fairs and exhibitions" in text and "shared terms" in text and "Kita City" in text
    assert set(s.components) == {"text", "needs", "kind", "industry", "locality"}
    assert s.score == pytest.approx(sum(engine.weights_.as_dict()[k] * v for k, v in s.components.items()), abs=1e-5)


def test_hamuras_training_subsidy_is_open_in_2014_and_closed_in_2026(engine):
    firm = {"municipality": "Hamura", "prefecture": "Tokyo", "employees": 10, "capital_jpy": 10_000_000,
            "industry": "E26", "needs": ["training"]}
    assert engine.explain(firm, "hamura-training-subsidy", as_of="2014-06-01").outcome == "eligible"
    closed = engine.explain(firm, "hamura-training-subsidy", as_of="2026-11-21")
    assert closed.outcome == "ineligible"
    assert any("closed since 2015-03-31" in c.text for c in closed.conditions)


def test_a_1000_person_firm_gets_no_sme_only_program(engine):
    big = {"municipality": "Hamura", "prefecture": "Tokyo", "industry": "E26", "employees": 1000,
           "capital_jpy": 1_000_000_000, "needs": ["financing", "trade_fair", "training"]}
    sme_only = {p.id for p in engine.programs_ if "sme" in p.eligibility.rule_sets}
    assert sme_only, "the default catalog has SME-only programs"
    ranking = engine.rank(big, as_of=TODAY, top=engine.n_programs_)
    assert not sme_only & set(ids(ranking))
    assert not sme_only & set(ids(ranking, "possible"))


def test_a_firm_in_osaka_gets_no_kita_only_program(engine):
    osaka = {"municipality": "Osaka", "prefecture": "Osaka", "industry": "E24", "employees": 25,
             "needs": ["trade_fair", "consulting"]}
    kita_only = {p.id for p in engine.programs_ if p.eligibility.municipalities == ("131172",)}
    assert kita_only
    ranking = engine.rank(osaka, as_of=TODAY, top=engine.n_programs_)
    assert not kita_only & (set(ids(ranking)) | set(ids(ranking, "possible")))


def test_a_hamura_firm_without_size_sees_the_sme_interest_subsidy_as_possible_with_the_missing_facts(engine):
    firm = {"municipality": "Hamura", "prefecture": "Tokyo", "industry": "E26", "needs": ["financing"]}
    ranking = engine.rank(firm, as_of=TODAY)
    possible = {p.id: p for p in ranking.possible}
    assert "hamura-interest-subsidy" in possible
    assert {"employees", "capital_jpy"} <= set(possible["hamura-interest-subsidy"].missing)
    assert "hamura-interest-subsidy" not in ids(ranking)


def test_eligibility_comes_before_ranking_so_top_is_filled_when_enough_programs_are_eligible(engine):
    firm = {"municipality": "Kita", "prefecture": "Tokyo", "industry": "E24", "employees": 25,
            "capital_jpy": 10_000_000, "founded": "1990-01-01", "environment_conscious": True}
    full = engine.rank(firm, as_of=TODAY, top=engine.n_programs_)
    n_eligible = len(full.schemes)
    for top in (1, 3, 10):
        assert len(engine.rank(firm, as_of=TODAY, top=top).schemes) == min(top, n_eligible)


def test_explain_lists_every_excluded_program_with_the_conditions_it_fails(engine, kita_press):
    ranking = engine.rank(kita_press, as_of=TODAY, explain=True)
    excluded = {e.id: e for e in ranking.excluded}
    assert "hamura-interest-subsidy" in excluded
    assert any("Hamura" in f for f in excluded["hamura-interest-subsidy"].failed)
    shown = set(ids(ranking)) | set(ids(ranking, "possible")) | set(excluded)
    assert len(ranking.schemes) + len(excluded) <= engine.n_programs_
    assert all(s.eligibility for s in ranking.schemes)
    assert shown <= {p.id for p in engine.programs_}


def test_municipalities_are_recommended_with_reasons(engine, kita_press):
    ranking = engine.rank(kita_press, as_of=TODAY)
    assert ranking.municipalities
    top = ranking.municipalities[0]
    assert top.reasons and 0 <= top.score <= 1
    assert [m.score for m in ranking.municipalities] == sorted((m.score for m in ranking.municipalities), reverse=True)


def test_a_maximum_distance_keeps_only_nearby_municipalities(kita_press):
    near = MatchEngine(max_distance_km=50).fit().rank(kita_press, as_of=TODAY)
    assert near.municipalities
    assert all(m.distance_km is not None and m.distance_km <= 50 for m in near.municipalities)
    assert all(m.prefecture == "Tokyo" for m in near.municipalities)


def test_reach_ranks_the_firms_a_program_fits_eligible_first(engine, kita_press):
    firms = [dict(kita_press, id="press"),
             {"id": "osaka", "municipality": "Osaka", "prefecture": "Osaka", "employees": 5},
             {"id": "soft", "municipality": "Kita", "prefecture": "Tokyo", "industry": "G39", "employees": 5,
              "needs": ["website"]},
             {"id": "nosize", "municipality": "Kita", "prefecture": "Tokyo", "industry": "E24",
              "needs": ["trade_fair"]}]
    hits = engine.reach("kita-trade-fair-subsidy", firms, as_of=TODAY)
    got = [h.firm_id for h in hits]
    assert got[0] == "press" and "osaka" not in got
    statuses = [h.status for h in hits]
    assert statuses == sorted(statuses, key=lambda s: s != "eligible")
    assert hits[0].reasons


def test_an_unknown_program_id_names_the_closest(engine):
    with pytest.raises(InputError, match="kita-trade-fair-subsidy"):
        engine.explain({"municipality": "131172"}, "kita-trade-fair-subsidi")


def test_a_bad_firm_raises_an_input_error_naming_the_field(engine):
    with pytest.raises(InputError) as err:
        engine.rank({"municipality": "Kita", "prefecture": "Tokyo", "employees": -3})
    assert err.value.field == "employees"


def test_parameters_are_checked_with_what_was_expected_and_what_came():
    with pytest.raises(ValueError, match=r"top must be an integer >= 1, got 0"):
        MatchEngine(top=0).fit()
    with pytest.raises(ValueError, match=r"unknown weight 'txt'"):
        MatchEngine(weights={"txt": 1}).fit()


def test_an_unfitted_engine_says_so():
    with pytest.raises(NotFittedError):
        MatchEngine().rank({"municipality": "131172"})


def test_weights_change_the_ranking_as_documented(kita_press):
    only_locality = MatchEngine(weights={"text": 0, "needs": 0, "kind": 0, "industry": 0, "locality": 1}).fit()
    r = only_locality.rank(kita_press, as_of=TODAY)
    assert all(s.score == pytest.approx(s.components["locality"]) for s in r.schemes)


def test_save_and_load_give_identical_results(engine, kita_press, tmp_path):
    path = engine.save(tmp_path / "engine.joblib")
    loaded = MatchEngine.load(path)
    assert loaded.catalog_hash_ == engine.catalog_hash_
    assert loaded.rank(kita_press, as_of=TODAY) == engine.rank(kita_press, as_of=TODAY)


def test_a_file_of_another_format_version_fails_naming_both(engine, tmp_path):
    from matcher.persistence import FORMAT_VERSION, write_payload

    path = tmp_path / "old.pkl"
    write_payload({"magic": "shien-matcher-engine", "format_version": 0, "engine": engine}, path)
    with pytest.raises(EngineFormatError, match=rf"format version 0 .* reads format version {FORMAT_VERSION}"):
        MatchEngine.load(path)


def test_a_file_that_is_not_an_engine_is_refused(tmp_path):
    path = tmp_path / "x.joblib"
    path.write_text("hello")
    with pytest.raises(EngineFormatError, match="not a saved engine"):
        MatchEngine.load(path)


def test_the_engine_follows_the_estimator_contract():
    e = MatchEngine(top=3)
    assert e.get_params()["top"] == 3
    assert e.fit() is e
    assert e.set_params(top=4).top == 4


def test_scikit_learn_takes_the_engine_and_the_vectorizer_as_its_own_estimators():
    from sklearn.base import clone
    from sklearn.pipeline import make_pipeline
    from sklearn.utils import get_tags

    from matcher.errors import ParameterError
    from matcher.terms import TermVectorizer

    e = MatchEngine(top=3, kernel="numpy")
    copy = clone(e)
    assert copy is not e and copy.get_params() == e.get_params()
    assert repr(e) == "MatchEngine(kernel='numpy', top=3)" and repr(MatchEngine()) == "MatchEngine()"
    assert get_tags(e).target_tags.required is False and get_tags(TermVectorizer()).transformer_tags is not None
    pipe = make_pipeline(TermVectorizer(bridge=False))
    X = pipe.fit_transform(["展示会の出展を補助", "融資の利子を補給"])
    assert X.shape[0] == 2 and pipe.set_params(termvectorizer__bridge=True).get_params()["termvectorizer__bridge"]
    with pytest.raises(ParameterError, match="speed is not a parameter of MatchEngine: expected one of"):
        e.set_params(speed=1)


def test_rank_many_takes_pandas_and_pyarrow_tables_and_gives_the_same_rankings(engine, kita_press):
    pd = pytest.importorskip("pandas")
    pa = pytest.importorskip("pyarrow")
    firms = [kita_press, {"id": "h", "municipality": "132276", "industry": "E26", "employees": 12,
                          "needs": ["financing"]}]
    expected = list(engine.rank_many(firms, as_of=TODAY))
    frame = pd.DataFrame(firms)  # missing cells become NaN: they must read as "not given"
    assert list(engine.rank_many(frame, as_of=TODAY)) == expected
    assert list(engine.rank_many(pa.Table.from_pylist(firms), as_of=TODAY)) == expected


def test_eligibility_of_firms_moved_elsewhere_reuses_only_what_location_cannot_change():
    from matcher.synth import synth_catalog
    from matcher.synth.firms import synth_firm_table
    from matcher.locations import LocationModel
    from profiles import load_catalog
    from rules import CompiledEligibility, FirmFacts

    catalog = synth_catalog(300, seed=4)
    table = synth_firm_table(60, seed=4)
    firms = [CompanyProfile(**{k: (None if np.ma.is_masked(v) else v.tolist() if hasattr(v, "tolist") else v)
                               for k, v in zip(table, vals)}) for vals in zip(*table.values())]
    eligibility = CompiledEligibility(catalog.programs)
    facts = FirmFacts.from_profiles(firms, dt.date(2026, 11, 21))
    parts: list = []
    eligibility.evaluate(facts, parts)
    moved = LocationModel.from_catalog(load_catalog()).relocate(facts)
    assert np.array_equal(eligibility.evaluate_relocated(facts, parts, moved), eligibility.evaluate(moved))


def test_reasons_can_be_read_in_japanese(engine):
    firm = {"municipality": "Kita", "prefecture": "Tokyo", "industry": "E24", "employees": 25, "needs": ["trade_fair"]}
    ranking = engine.rank(firm, as_of=TODAY, lang="ja")
    subsidy = next(s for s in ranking.schemes if s.id == "kita-trade-fair-subsidy")
    assert "企業のニーズに対応: 展示会・見本市" in subsidy.reasons
    assert "企業の所在する自治体の支援 (東京都北区)" in subsidy.reasons
    assert "補助金: 企業のニーズに合う種類の支援" in subsidy.reasons
    assert ranking.municipalities[0].reasons[0].startswith("この地域で利用できる支援")
    english = engine.rank(firm, as_of=TODAY)
    assert [s.id for s in english.schemes] == [s.id for s in ranking.schemes]  # only the words change


def test_a_hamura_firm_without_its_size_is_told_in_japanese_which_facts_to_give(engine):
    ranking = engine.rank({"municipality": "Hamura", "prefecture": "Tokyo", "needs": ["financing"]}, as_of=TODAY,
                          lang="ja")
    interest = next(p for p in ranking.possible if p.id == "hamura-interest-subsidy")
    assert any(r.startswith("判定に必要な情報: ") and "従業員数" in r for r in interest.reasons)


def test_an_unknown_language_is_refused_with_the_ones_there_are(engine):
    with pytest.raises(ValueError, match="lang must be one of en, ja, got 'fr'"):
        engine.rank({"municipality": "131172"}, lang="fr")


def test_a_large_catalogs_text_product_gives_the_dense_products_numbers(engine, kita_press):
    from matcher.features import text_similarity
    from matcher.text import firm_document

    firms = [CompanyProfile(**kita_press), CompanyProfile(municipality="Hamura", prefecture="Tokyo",
                                                          description="融資と展示会")] * 150
    X = engine.text_.transform([firm_document(f) for f in firms])
    dense = text_similarity(X, engine.program_text_.T.toarray(), None)
    blocked = text_similarity(X, engine.program_text_.T.tocsr(), engine.program_text_)  # as for a large catalog
    assert blocked.shape == dense.shape == (300, engine.n_programs_)
    assert np.allclose(blocked, dense, atol=1e-6)
    assert np.array_equal(text_similarity(X[1:], engine.program_text_.T.tocsr(), engine.program_text_), blocked[1:])
    cols = np.array([3, 0, 7])
    assert np.array_equal(text_similarity(X, engine.program_text_.T.tocsr(), engine.program_text_, cols),
                          blocked[:, cols])
    for rows in (slice(0, 1), slice(1, 2), slice(0, 4)):  # a few firms take the sparse product: the same bits
        assert np.array_equal(text_similarity(X[rows], engine.program_text_.T.tocsr(), engine.program_text_),
                              blocked[rows])


def test_matching_in_small_blocks_of_pairs_changes_nothing(engine, kita_press, monkeypatch):
    import matcher.engine

    firms = [kita_press, {"municipality": "Hamura", "prefecture": "Tokyo", "needs": ["financing"]},
             {"municipality": "272272", "industry": "E18", "employees": 40}] * 50
    prepared = engine.prepare(firms, as_of=TODAY)
    whole = engine.match(prepared, top=5)
    ranked = [r.to_dict() for r in engine.rank_many(firms, as_of=TODAY)]
    monkeypatch.setattr(matcher.engine, "SCORE_CELLS", 1)  # blocks of 64 firms
    assert engine.block_size(4096) == 64
    blocked = engine.match(prepared, top=5)
    assert np.array_equal(whole[0], blocked[0]) and np.array_equal(whole[1], blocked[1], equal_nan=True)
    assert [r.to_dict() for r in engine.rank_many(firms, as_of=TODAY)] == ranked


def test_a_program_for_a_group_the_firm_is_in_fits_it_as_its_industry_would():
    # target groups are the audiences with no industry code: a tourism operator fits a program for
    # tourism operators (industry component 1, and the reason says so)
    from profiles.catalog import Catalog
    from profiles.models import SupportProgram

    tokyo = {"id": "tokyo", "name_ja": "東京都", "kind": "prefecture", "prefecture": "13"}
    src = [{"file": "list.csv", "row": 1, "quote": "観光事業者向け"}]
    progs = [SupportProgram(id="for-tourism", name_ja="観光事業者向け補助", provider=tokyo, kind="subsidy",
                            target_groups=["tourism"], source=src),
             SupportProgram(id="for-care-providers", name_ja="介護事業者向け補助", provider=tokyo, kind="subsidy",
                            eligibility={"target_groups": ["care_provider"]}, source=src)]
    engine = MatchEngine().fit(Catalog(programs=tuple(progs), origin="groups"))
    firm = {"prefecture": "13", "industry": "N79", "attributes": ["tourism"], "description": "travel agency"}
    ranking = engine.rank(firm, as_of="2024-06-01")
    (tourism,) = [s for s in ranking.in_order() if s.id == "for-tourism"]
    assert tourism.components["industry"] == 1.0 and "for tourism operators: the firm is one" in tourism.reasons
    # and care is a line of business: a travel agency is not a care provider, so that one is not listed
    assert [s.id for s in ranking.in_order()] == ["for-tourism"]


def test_a_firm_that_only_ticks_a_need_sees_the_program_that_answers_it_first(engine):
    # no description: the need's words are the firm's text (a described firm's are not)
    ranking = engine.rank({"municipality": "Kita", "prefecture": "Tokyo", "industry": "E24", "employees": 25,
                           "needs": ["trade_fair"]}, as_of="2026-11-21")
    assert ranking.in_order()[0].id == "kita-trade-fair-subsidy"
