"""Eligibility rules: the SME Basic Act, shorthands, Kleene outcomes and their traces."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from profiles import CompanyProfile, SupportProgram
from rules import FALSE, TRUE, UNKNOWN, CompiledEligibility, FirmFacts, load_checked_catalog
from rules.rulesets import category_of, rule_set

DAY = dt.date(2026, 11, 21)
SOURCE = {"file": "001_d83b5e0f2d5ac214.txt", "quote": "test"}
PROVIDER = {"id": "kita", "name": "Kita City", "kind": "municipality"}


def program(id="p", **eligibility) -> SupportProgram:
    return SupportProgram.model_validate({"id": id, "name": id, "kind": "subsidy", "provider": PROVIDER,
                                          "eligibility": eligibility, "source": SOURCE})


def outcome(prog: SupportProgram, as_of=DAY, **firm) -> int:
    firm.setdefault("municipality", "131172")
    facts = FirmFacts.from_profiles([CompanyProfile(**firm)], as_of)
    return int(CompiledEligibility([prog]).evaluate(facts)[0, 0])


def trace(prog: SupportProgram, as_of=DAY, **firm) -> list[str]:
    firm.setdefault("municipality", "131172")
    facts = FirmFacts.from_profiles([CompanyProfile(**firm)], as_of)
    return [c.text for c in CompiledEligibility([prog]).explain(facts, 0)]


SME = program("sme", rule_sets=["sme"])


def test_a_1000_person_manufacturer_with_large_capital_is_not_an_sme():
    assert outcome(SME, industry="E24", employees=1000, capital_jpy=500_000_000) == FALSE


def test_a_1000_person_manufacturer_with_small_capital_is_an_sme():
    # the Act's tests are alternatives: capital <= ¥300M suffices
    assert outcome(SME, industry="E24", employees=1000, capital_jpy=100_000_000) == TRUE


def test_a_25_person_manufacturer_is_an_sme_even_when_its_capital_is_missing():
    assert outcome(SME, industry="E24", employees=25) == TRUE


def test_a_firm_that_gives_neither_headcount_nor_capital_may_be_an_sme():
    assert outcome(SME, industry="E24") == UNKNOWN


def test_a_sole_proprietor_s_sme_test_is_its_headcount_alone():
    # the Act tests the capital of companies; an individual has none to test
    assert outcome(SME, industry="I52", applicant_type="sole_proprietor", capital_jpy=10_000_000) == UNKNOWN
    assert outcome(SME, industry="I52", applicant_type="corporation", capital_jpy=10_000_000) == TRUE
    assert outcome(SME, industry="I52", applicant_type="sole_proprietor", employees=3) == TRUE


def test_a_sole_proprietor_that_gives_no_headcount_is_asked_for_it_and_not_for_capital():
    facts = FirmFacts.from_profiles([CompanyProfile(municipality="131172", industry="B03",
                                                    applicant_type="sole_proprietor")], DAY)
    rules = CompiledEligibility([SME])
    missing = [m for c in rules.explain(facts, 0) for m in c.missing]
    assert "employees" in missing and "capital_jpy" not in missing
    assert not any("capital" in t for t in trace(SME, industry="B03", applicant_type="sole_proprietor"))


def test_a_150_person_wholesaler_with_large_capital_is_not_an_sme_but_a_manufacturer_would_be():
    assert outcome(SME, industry="I52", employees=150, capital_jpy=200_000_000) == FALSE
    assert outcome(SME, industry="E09", employees=150, capital_jpy=200_000_000) == TRUE


def test_a_60_person_retailer_with_capital_of_60m_is_not_an_sme():
    assert outcome(SME, industry="I58", employees=60, capital_jpy=60_000_000) == FALSE


def test_a_firm_of_unknown_industry_is_judged_against_every_category():
    assert outcome(SME, employees=40) == TRUE           # <= 50 passes even retail
    assert outcome(SME, employees=200) == UNKNOWN       # passes manufacturing, fails services
    assert outcome(SME, employees=400, capital_jpy=400_000_000) == FALSE


def test_a_division_spanning_wholesale_and_retail_is_judged_against_both():
    assert category_of("I") == ("wholesale", "retail")
    assert outcome(SME, industry="I", employees=80) == UNKNOWN


def test_small_enterprise_is_20_employees_in_manufacturing_and_5_in_services():
    small = program("small", rule_sets=["small_enterprise"])
    assert outcome(small, industry="E24", employees=20) == TRUE
    assert outcome(small, industry="G39", employees=6) == FALSE


def test_the_trace_says_why_a_large_firm_fails():
    text = " ".join(trace(SME, industry="E24", employees=1000, capital_jpy=500_000_000))
    assert "employees 1,000 > 300 (SME Basic Act, manufacturing)" in text


def test_the_trace_names_the_missing_capital():
    assert any("capital not given: needed for the SME test" in t for t in trace(SME, industry="E24"))


def test_a_firm_in_osaka_is_not_in_kita():
    kita_only = program("kita", municipalities=["131172"])
    assert outcome(kita_only, municipality="Osaka", prefecture="Osaka") == FALSE
    assert outcome(kita_only, municipality="Kita City") == TRUE


def test_a_firm_that_gives_only_a_prefecture_may_be_in_a_municipality_of_it():
    kita_only = program("kita", municipalities=["131172"])
    assert outcome(kita_only, municipality=None, prefecture="Tokyo") == UNKNOWN
    assert outcome(kita_only, municipality=None, prefecture="Osaka") == FALSE


def test_employee_ranges_are_inclusive_and_missing_is_unknown():
    p = program("range", employees={"min": 5, "max": 50})
    assert [outcome(p, employees=n) for n in (4, 5, 50, 51)] == [FALSE, TRUE, TRUE, FALSE]
    assert outcome(p) == UNKNOWN


def test_required_attributes_must_be_given_and_true():
    p = program("eco", requires=["environment_conscious"])
    assert outcome(p, environment_conscious=True) == TRUE
    assert outcome(p, environment_conscious=False) == FALSE
    assert outcome(p) == UNKNOWN


def test_years_in_business_are_counted_at_the_as_of_date():
    new_firms = program("new", years_in_business={"max": 3})
    assert outcome(new_firms, founded="2024-01-01", as_of=dt.date(2026, 1, 1)) == TRUE
    assert outcome(new_firms, founded="2020-01-01", as_of=dt.date(2026, 1, 1)) == FALSE


def test_industry_lists_accept_divisions_and_major_groups():
    p = program("mfg", industries=["E"])
    assert outcome(p, industry="E24") == TRUE
    assert outcome(p, industry="G39") == FALSE
    q = program("metal", industries=["E24"])
    assert outcome(q, industry="E") == UNKNOWN  # manufacturing, but which kind?


def test_a_closed_program_is_ineligible_with_its_closing_date():
    closed = SupportProgram.model_validate({"id": "old", "name": "old", "kind": "subsidy", "provider": PROVIDER,
                                           "valid_until": "2015-03-31", "source": SOURCE})
    assert outcome(closed, as_of=dt.date(2014, 6, 1)) == TRUE
    assert outcome(closed) == FALSE
    assert "closed since 2015-03-31" in trace(closed)


def test_vectorized_evaluation_equals_one_firm_at_a_time():
    progs = [SME, program("kita", municipalities=["131172"], rule_sets=["sme"]),
             program("eco", requires=["environment_conscious"], employees={"max": 100})]
    firms = [CompanyProfile(municipality=m, prefecture="Tokyo", employees=e, capital_jpy=c, industry=i,
                            environment_conscious=env)
             for m, e, c, i, env in [("Kita", 25, None, "E24", True), ("Hamura", 1000, 5 * 10**8, "E26", None),
                                     ("Mitaka", None, None, "G39", False), ("Kita", 120, 6 * 10**7, "I52", True)]]
    rules = CompiledEligibility(progs)
    together = rules.evaluate(FirmFacts.from_profiles(firms, DAY))
    apart = np.vstack([rules.evaluate(FirmFacts.from_profiles([f], DAY)) for f in firms])
    assert np.array_equal(together, apart)


def test_rule_set_thresholds_live_in_data():
    assert rule_set("sme").thresholds["retail"] == {"capital_jpy": 50_000_000, "employees": 50}


def test_an_unknown_rule_set_fails_at_catalog_load_naming_file_program_and_path(tmp_path):
    (tmp_path / "bad.yaml").write_text(
        "programs:\n- id: bad-one\n  name: Bad\n  kind: subsidy\n"
        "  provider: {id: x, name: X, kind: municipality}\n"
        "  eligibility: {rule_sets: [smee]}\n"
        "  source: {file: 001_d83b5e0f2d5ac214.txt, quote: q}\n", encoding="utf-8")
    with pytest.raises(Exception) as err:
        load_checked_catalog(tmp_path)
    assert "bad.yaml: bad-one: eligibility.rule_sets[0]: unknown rule set 'smee'" in str(err.value)


@pytest.mark.parametrize("name", ["sme", "small_enterprise"])
def test_a_size_test_of_one_firm_gives_the_value_of_the_vectorized_test(name):
    from itertools import product

    from rules.rulesets import rule_set

    test = rule_set(name)
    industries = [None, "E", "E24", "I", "I52", "I56", "G", "G39", "M", "M76", "P83", "D", "K"]
    employees = [None, 0, 5, 20, 21, 50, 51, 100, 101, 300, 301, 5000]
    capitals = [None, 0, 10_000_000, 50_000_000, 50_000_001, 100_000_000, 300_000_000, 300_000_001, 10 ** 12]
    kinds = [None, "corporation", "sole_proprietor", "npo", "cooperative", "medical_corporation"]
    firms = [CompanyProfile(municipality="131172", industry=i, employees=e, capital_jpy=c, applicant_type=k)
             for i, e, c, k in product(industries, employees, capitals, kinds)]
    facts = FirmFacts.from_profiles(firms, dt.date(2026, 1, 1))
    many = test.evaluate(facts)  # the vectorized path, for all the firms at once
    one = [int(test.evaluate(facts.take([i]))[0]) for i in range(len(firms))]
    assert one == many.tolist()
    assert {FALSE, UNKNOWN, TRUE} <= set(one)
