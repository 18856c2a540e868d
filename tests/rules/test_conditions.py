"""The public conditions answer what the pair tables need, with no isinstance on their kinds."""

from __future__ import annotations

import datetime as dt

import numpy as np

import rules.logic
import rules.jsonlogic
from profiles import CompanyProfile, load_catalog
from rules import CompiledEligibility, FirmFacts
from rules.conditions import LogicCondition, MunicipalityCondition, PrefectureCondition, RangeCondition
from rules.kleene import TRUE


def test_each_condition_knows_whether_it_reads_the_location_and_its_variants():
    compiled = CompiledEligibility(load_catalog().programs)
    by_kind = {type(c): c for c in compiled.conditions}
    assert by_kind[MunicipalityCondition].location_only and by_kind[MunicipalityCondition].reads_location
    ceiling = RangeCondition("employees", [0, 1], np.array([np.nan, np.nan]), np.array([300.0, 300.0]))
    assert not ceiling.location_only and not ceiling.reads_location
    assert ceiling.variant_key(0) == ceiling.variant_key(1) == (None, 300.0)
    for cond in compiled.conditions:
        keys = [cond.variant_key(pos) for pos in range(len(cond.rows))]
        assert all(hash(k) is not None for k in keys)
    prefs = PrefectureCondition.of_prefectures([0, 1], [["13"], ["13"]])
    assert prefs.reads_location and prefs.allowed[:, 12].all()


def test_a_logic_condition_reads_the_location_only_when_a_rule_does():
    on_employees = LogicCondition([0], [rules.jsonlogic.LogicRule({"<=": [{"var": "employees"}, 300]})])
    on_place = LogicCondition([0], [rules.jsonlogic.LogicRule({"==": [{"var": "prefecture"}, "13"]})])
    assert not on_employees.reads_location and on_place.reads_location
    assert on_employees.variant_key(0) == LogicCondition(
        [3], [rules.jsonlogic.LogicRule({"<=": [{"var": "employees"}, 300]})]).variant_key(0)


def test_the_pair_tables_agree_with_the_full_matrix():
    compiled = CompiledEligibility(load_catalog().programs)
    facts = FirmFacts.from_profiles([CompanyProfile(municipality="Hamura", prefecture="Tokyo", employees=12)],
                                    dt.date(2026, 1, 1))
    tables = compiled.pair_tables()
    key, ptr, cand = tables.candidates(facts)
    table = tables.variants(facts)
    open_ = compiled.open_at(facts.as_of)
    mine = cand[ptr[key[0]]:ptr[key[0] + 1]]
    verdicts = {int(j): min([int(open_[j]) * TRUE] + [int(table[0, v]) for v in tables.variants_of(j)]) for j in mine}
    full = compiled.evaluate(facts)[0]
    assert {j for j, v in verdicts.items() if v == TRUE} == set(np.flatnonzero(full == TRUE).tolist())


def test_rules_logic_still_offers_every_public_name_of_rules_jsonlogic():
    assert rules.logic.__all__ and set(rules.logic.__all__) == set(rules.jsonlogic.__all__)
    for name in rules.logic.__all__:
        assert getattr(rules.logic, name) is getattr(rules.jsonlogic, name)
