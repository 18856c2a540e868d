"""JsonLogic: the conformance suite, static checks, Kleene semantics, vectorized = scalar."""

from __future__ import annotations

import datetime as dt
import json
import math
import re

import numpy as np
import pytest

from profiles.models import CompanyProfile, SupportProgram
from rules.errors import RuleSyntaxError
from rules.facts import FACT_TYPES, FirmFacts, firm_fact_dict
from rules.kleene import FALSE, TRUE, UNKNOWN
from rules.jsonlogic import (
    OPERATORS,
    LogicRule,
    apply,
    check,
    check_program,
    evaluate_one,
    infix,
    truthy,
)
from tests.conftest import SHARED

AS_OF = dt.date(2026, 1, 1)
SUITE = SHARED / "data" / "jsonlogic-tests.json"
SME = {"or": [{"<=": [{"var": "employees"}, 300]}, {"<=": [{"var": "capital_jpy"}, 300000000]}]}


# ---------------------------------------------------------------------------
# The official conformance suite
# ---------------------------------------------------------------------------


def _suite_cases():
    raw = json.loads(SUITE.read_text(encoding="utf-8"))
    section, index, cases = "start", 0, []
    for item in raw:
        if isinstance(item, str):
            section = re.sub(r"[^a-z0-9]+", "-", item.lower()).strip("-") or "section"
            index = 0
            continue
        rule, data, expected = item
        cases.append(pytest.param(rule, data, expected, id=f"{section}-{index}"))
        index += 1
    return cases


def same_json(a, b) -> bool:
    """JSON equality that tells booleans from numbers (``True == 1`` in Python)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_json(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


@pytest.mark.parametrize("rule, data, expected", _suite_cases())
def test_conformance_suite(rule, data, expected):
    assert same_json(apply(rule, data), expected)


def test_conformance_suite_is_complete():
    assert len(_suite_cases()) == 278


def test_datalogic_oracle_agrees_on_the_suite_rules():
    datalogic = pytest.importorskip("datalogic_py")
    for case in _suite_cases():
        rule, data, expected = case.values
        if isinstance(rule, str):  # datalogic reads a str as JSON text
            continue
        assert same_json(datalogic.apply(rule, data), apply(rule, data)), case.id


# ---------------------------------------------------------------------------
# JavaScript semantics beyond the suite
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("rule, expected", [
    ({"==": [None, 0]}, False),
    ({"==": [None, None]}, True),
    ({"==": [[], 0]}, True),
    ({"==": [[1], "1"]}, True),
    ({"==": [True, "1"]}, True),
    ({"==": ["", 0]}, True),
    ({"==": [" 12 ", 12]}, True),
    ({"!=": ["abc", "abc"]}, False),
    ({"===": [[1], [1]]}, False),
    ({"<": ["10", "9"]}, True),
    ({"<": ["10", 9]}, False),
    ({"<": [1, None]}, False),
    ({"<=": [None, 0]}, True),
    ({">": ["a", 1]}, False),
    ({"<=": ["a", 1]}, False),
    ({"+": ["3.5kg", 1]}, 4.5),
    ({"*": ["3"]}, "3"),
    ({"-": [None]}, 0),
    ({"%": [-7, 3]}, -1),
    ({"max": [1, "7", True]}, 7),
    ({"cat": [1.5, None, [1, [2, 3]], True, 1e21, 1e-7]}, "1.51,2,3true1e+211e-7"),
    ({"in": ["", ""]}, False),
    ({"in": ["", "abc"]}, True),
    ({"in": [1, ["1", 2]]}, False),
    ({"substr": ["東京都北区", 3]}, "北区"),
    ({"substr": ["a😀b", 1, 2]}, "😀"),
    ({"substr": [12345, 1, 2]}, "23"),
    ({"merge": [[1, [2]], 3]}, [1, [2], 3]),
    ({"and": []}, None),
    ({"!": []}, True),
])
def test_javascript_semantics(rule, expected):
    assert same_json(apply(rule), expected)


def test_division_by_zero_and_nan_follow_javascript():
    assert apply({"/": [1, 0]}) == math.inf
    assert apply({"/": [-1, 0]}) == -math.inf
    assert math.isnan(apply({"/": [0, 0]}))
    assert math.isnan(apply({"+": ["abc", 1]}))
    assert apply({"!!": [{"/": [0, 0]}]}) is False


def test_var_paths_defaults_and_lengths():
    data = {"a": {"b": [10, 20]}, "s": "xyz", "n": None}
    assert apply({"var": "a.b.1"}, data) == 20
    assert apply({"var": "a.b.length"}, data) == 2
    assert apply({"var": "s.1"}, data) == "y"
    assert apply({"var": ["a.c", 5]}, data) == 5
    assert apply({"var": ["n", 5]}, data) is None  # present but null: JS returns null, not the default
    assert apply({"var": ""}, data) is data


def test_unknown_operator_raises_rule_syntax_error():
    with pytest.raises(RuleSyntaxError, match="unknown operator 'foo'"):
        apply({"foo": [1]})
    with pytest.raises(RuleSyntaxError, match="'method' is not supported"):
        apply({"method": ["abc", "toUpperCase"]})


def test_truthy_matches_jsonlogic():
    assert [truthy(v) for v in (0, -0.0, "", [], None, False)] == [False] * 6
    assert all(truthy(v) for v in ("0", " ", [0], [[]], {}, -1, 0.1, True))


# ---------------------------------------------------------------------------
# Static checks
# ---------------------------------------------------------------------------


def _syntax_error(rule) -> RuleSyntaxError:
    with pytest.raises(RuleSyntaxError) as info:
        check(rule)
    return info.value


def test_check_accepts_a_good_rule():
    check({"and": [SME, {"in": ["export", {"var": "needs"}]}, {"var": ["environment_conscious", False]},
                   {"missing_some": [1, ["employees", "capital_jpy"]]},
                   {"some": [{"var": "needs"}, {"==": [{"var": ""}, "export"]}]},
                   {"reduce": [{"var": "needs"}, {"+": [{"var": "accumulator"}, 1]}, 0]}]})


def test_unknown_fact_names_its_path_and_lists_the_known_facts():
    err = _syntax_error({"and": [True, {"<=": [{"var": "employes"}, 300]}]})
    assert err.path == "logic.and[1].<=[0]"
    assert "unknown fact 'employes'" in err.message and "did you mean 'employees'" in err.message
    assert all(fact in err.message for fact in FACT_TYPES)


def test_unknown_operator_names_its_path():
    err = _syntax_error({"or": [{"<=": [1, 2]}, {"!": {"bogus": [1]}}]})
    assert err.path == "logic.or[1].!"
    assert "unknown operator 'bogus'" in err.message


def test_wrong_argument_counts_are_errors():
    assert _syntax_error({"and": [{"==": [{"var": "employees"}]}]}).path == "logic.and[0]"
    assert "'==' takes 2 arguments, got 1" in _syntax_error({"==": [1]}).message
    assert "2 to 3" in _syntax_error({"<": [1, 2, 3, 4]}).message
    assert _syntax_error({"!": [1, 2]}).path == "logic"
    assert _syntax_error({"in": ["x"]}).path == "logic"


def test_non_json_values_are_errors():
    assert _syntax_error({"<": [{"var": "years_in_business"}, dt.date(2020, 1, 1)]}).path == "logic.<[1]"
    assert "not a JSON number" in _syntax_error({"<=": [{"var": "employees"}, float("nan")]}).message
    err = _syntax_error({"==": [{"var": "division"}, {"a": 1, "b": 2}]})
    assert err.path == "logic.==[1]" and "exactly one key" in err.message


def test_var_must_name_a_fact_literally():
    assert "computed" in _syntax_error({"var": {"cat": ["employ", "ees"]}}).message
    assert "whole data" in _syntax_error({"var": ""}).message
    assert "unknown fact 'needs.0'" in _syntax_error({"var": "needs.0"}).message
    assert _syntax_error({"missing": ["employees", "staff"]}).path == "logic.missing[1]"
    assert _syntax_error({"missing_some": [1, ["employees", "staf"]]}).path == "logic.missing_some[1][1]"


def test_vars_inside_collection_bodies_name_items_not_facts():
    check({"all": [{"var": "needs"}, {"!=": [{"var": "anything.goes"}, "x"]}]})
    assert _syntax_error({"all": [{"var": "needz"}, True]}).path == "logic.all[0]"


def _program(logic) -> SupportProgram:
    return SupportProgram.model_validate({
        "id": "kita-logic", "name": "Kita logic", "kind": "subsidy",
        "provider": {"id": "kita", "name": "Kita City", "kind": "municipality"},
        "eligibility": {"logic": logic},
        "source": {"file": "001_d83b5e0f2d5ac214.txt", "quote": "..."}})


def test_check_program_reports_every_problem_under_eligibility_logic():
    problems = check_program(_program({"and": [{"<=": [{"var": "headcount"}, 300]}, {"foo": []}]}))
    assert [p for p, _ in problems] == ["eligibility.logic.and[0].<=[0]", "eligibility.logic.and[1]"]
    assert check_program(_program(SME)) == []
    assert check_program(_program(None)) == []


def test_load_catalog_uses_check_program(tmp_path):
    from profiles.catalog import load_catalog
    from profiles.errors import CatalogError

    (tmp_path / "a.yaml").write_text(
        "programs:\n"
        "- id: two\n  name: Two\n  kind: subsidy\n"
        "  provider: {id: kita, name: Kita City, kind: municipality}\n"
        "  source: {file: 001_d83b5e0f2d5ac214.txt, quote: '...'}\n"
        "  eligibility: {logic: {'<=': [{var: headcount}, 300]}}\n", encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        load_catalog(tmp_path, checks=[check_program])
    assert "eligibility.logic.<=[0]" in str(info.value) and "headcount" in str(info.value)


def test_operators_are_listed():
    assert {"==", "in", "missing_some", "reduce", "substr", "log"} <= set(OPERATORS)
    assert "method" not in OPERATORS


# ---------------------------------------------------------------------------
# Kleene semantics, one firm at a time
# ---------------------------------------------------------------------------

FULL = {"employees": 25, "capital_jpy": 10_000_000, "years_in_business": 12.0, "industry": "E24",
        "division": "E", "prefecture": "13", "municipality": "131172", "environment_conscious": True,
        "seeking_location": False, "needs": ["trade_fair", "export"]}


def firm(**changes):
    return {**FULL, **changes}


def test_sme_test_holds_for_25_employees_when_capital_is_missing():
    assert evaluate_one(SME, firm(capital_jpy=None)) == TRUE


def test_sme_test_is_unknown_for_500_employees_when_capital_is_missing():
    assert evaluate_one(SME, firm(employees=500, capital_jpy=None)) == UNKNOWN


def test_sme_test_fails_when_both_thresholds_are_exceeded():
    assert evaluate_one(SME, firm(employees=500, capital_jpy=500_000_000)) == FALSE


def test_and_is_false_when_one_part_is_false_even_if_another_is_unknown():
    rule = {"and": [{"<=": [{"var": "capital_jpy"}, 1]}, {"==": [{"var": "prefecture"}, "27"]}]}
    assert evaluate_one(rule, firm(capital_jpy=None)) == FALSE


def test_and_is_unknown_when_the_other_parts_hold():
    rule = {"and": [{"<=": [{"var": "capital_jpy"}, 1]}, {"==": [{"var": "prefecture"}, "13"]}]}
    assert evaluate_one(rule, firm(capital_jpy=None)) == UNKNOWN


def test_or_is_true_when_one_part_is_true_even_if_another_is_unknown():
    rule = {"or": [{"var": "seeking_location"}, {"in": ["export", {"var": "needs"}]}]}
    assert evaluate_one(rule, firm(seeking_location=None)) == TRUE


def test_not_of_unknown_is_unknown():
    assert evaluate_one({"!": {"var": "environment_conscious"}}, firm(environment_conscious=None)) == UNKNOWN
    assert evaluate_one({"!!": {"var": "environment_conscious"}}, firm(environment_conscious=None)) == UNKNOWN


def test_if_with_an_unknown_condition_is_unknown_unless_both_branches_agree():
    disagree = {"if": [{"var": "seeking_location"}, {"<=": [{"var": "employees"}, 10]}, True]}
    agree = {"if": [{"var": "seeking_location"}, {"<=": [{"var": "employees"}, 100]}, True]}
    assert evaluate_one(disagree, firm(seeking_location=None)) == UNKNOWN
    assert evaluate_one(agree, firm(seeking_location=None)) == TRUE


def test_if_branches_that_agree_on_a_value_feed_a_comparison():
    limit = {"if": [{"var": "environment_conscious"}, 300, 300]}
    rule = {"<=": [{"var": "employees"}, limit]}
    assert evaluate_one(rule, firm(environment_conscious=None)) == TRUE
    other = {"<=": [{"var": "employees"}, {"if": [{"var": "environment_conscious"}, 300, 10]}]}
    assert evaluate_one(other, firm(environment_conscious=None)) == UNKNOWN


def test_if_with_a_known_condition_ignores_the_other_branch():
    rule = {"if": [{"==": [{"var": "division"}, "E"]}, {"<=": [{"var": "employees"}, 300]},
                   {"<=": [{"var": "capital_jpy"}, 50_000_000]}]}
    assert evaluate_one(rule, firm(capital_jpy=None)) == TRUE


def test_arithmetic_on_a_missing_fact_is_missing():
    rule = {"<=": [{"/": [{"var": "capital_jpy"}, {"var": "employees"}]}, 1_000_000]}
    assert evaluate_one(rule, firm(employees=None)) == UNKNOWN
    assert evaluate_one(rule, firm()) == TRUE


def test_a_default_stands_in_for_a_missing_fact():
    assert evaluate_one({"<=": [{"var": ["capital_jpy", 0]}, 1]}, firm(capital_jpy=None)) == TRUE


def test_missing_is_never_unknown():
    assert evaluate_one({"missing": ["employees", "capital_jpy"]}, firm(capital_jpy=None)) == TRUE
    assert evaluate_one({"missing": ["employees"]}, firm(capital_jpy=None)) == FALSE
    assert evaluate_one({"missing_some": [1, ["employees", "capital_jpy"]]}, firm(capital_jpy=None)) == FALSE


def test_comparison_with_a_missing_fact_is_unknown_even_if_the_constants_decide():
    assert evaluate_one({"<": [{"var": "employees"}, 10, 5]}, firm(employees=None)) == UNKNOWN


def test_with_every_fact_given_evaluate_one_is_jsonlogic_truthiness():
    rules = [SME, {"and": [{"var": "needs"}, {"cat": [{"var": "division"}, "x"]}]},
             {"or": [0, {"substr": [{"var": "municipality"}, 0, 2]}]},
             {"==": [{"var": "prefecture"}, 13]}, {"!": {"var": "seeking_location"}}]
    for rule in rules:
        assert evaluate_one(rule, FULL) == (TRUE if truthy(apply(rule, FULL)) else FALSE)


def test_needs_are_read_as_a_set_in_canonical_order():
    rule = {"==": [{"cat": [{"var": "needs"}]}, "trade_fair,export"]}
    assert evaluate_one(rule, firm(needs=["export", "trade_fair"])) == TRUE


# ---------------------------------------------------------------------------
# Vectorized evaluation
# ---------------------------------------------------------------------------

PROFILES = [
    CompanyProfile(municipality="131172", employees=25, industry="E24", capital_jpy=10_000_000,
                   founded="2001-04-01", environment_conscious=True, needs=["trade_fair", "export"]),
    CompanyProfile(municipality="271004", employees=500, industry="I", seeking_location=True),
    CompanyProfile(prefecture="01", capital_jpy=400_000_000, industry="G39", needs=["subsidy"]),
    CompanyProfile(municipality="132047", employees=0, environment_conscious=False, founded="2024"),
    CompanyProfile(municipality="281000"),
]

HAND_RULES = [
    SME,
    {"and": [SME, {"==": [{"var": "prefecture"}, "13"]}]},
    {"in": ["export", {"var": "needs"}]},
    {"!": {"in": ["subsidy", {"var": "needs"}]}},
    {"in": [{"var": "industry"}, ["E24", "E25", "G39"]]},
    {"in": ["E", {"var": "industry"}]},
    {"==": [{"var": "division"}, "E"]},
    {"==": [{"var": "prefecture"}, 13]},
    {"in": [{"var": "municipality"}, ["131172", "132047"]]},
    {"==": [{"substr": [{"var": "municipality"}, 0, 2]}, "13"]},
    {"var": "environment_conscious"},
    {"!!": [{"var": "seeking_location"}]},
    {">=": [{"var": "years_in_business"}, 3]},
    {"<=": [1, {"var": "years_in_business"}, 20]},
    {"<=": [{"/": [{"var": "capital_jpy"}, {"var": "employees"}]}, 1_000_000]},
    {"<": [{"+": [{"var": "employees"}, {"var": ["capital_jpy", 0]}]}, 1000]},
    {"<=": [{"var": "employees"}, {"if": [{"==": [{"var": "division"}, "E"]}, 300, 100]}]},
    {"if": [{"var": "seeking_location"}, {"<=": [{"var": "employees"}, 100]}, True]},
    {"if": [{"missing": ["employees"]}, False, {"<": [{"var": "employees"}, 50]}]},
    {"missing_some": [1, ["employees", "capital_jpy"]]},
    {"some": [{"var": "needs"}, {"in": [{"var": ""}, ["export", "site"]]}]},
    {"==": [{"or": [{"var": "capital_jpy"}, {"var": "employees"}]}, 500]},
    {"!=": [{"and": [{"var": "industry"}, {"var": "prefecture"}]}, "01"]},
    {"==": [{"cat": [{"var": "division"}, "24"]}, {"var": "industry"}]},
    {"max": [{"var": "employees"}, {"-": [{"var": "years_in_business"}]}]},
    {"===": [{"var": "needs"}, {"var": "needs"}]},
    [{"var": "capital_jpy"}],
    True,
    {"log": {"var": "employees"}},
]


@pytest.fixture(scope="module")
def facts() -> FirmFacts:
    return FirmFacts.from_profiles(PROFILES, AS_OF)


@pytest.mark.parametrize("rule", HAND_RULES, ids=[infix(r)[:60] for r in HAND_RULES])
def test_vectorized_equals_scalar_on_hand_written_rules(rule, facts):
    got = LogicRule(rule).evaluate(facts)
    want = [evaluate_one(rule, firm_fact_dict(p, AS_OF)) for p in PROFILES]
    assert got.dtype == np.uint8 and got.shape == (len(PROFILES),)
    assert got.tolist() == want


def test_vectorized_sme_values(facts):
    assert LogicRule(SME).evaluate(facts).tolist() == [TRUE, UNKNOWN, UNKNOWN, TRUE, UNKNOWN]


def test_relocated_and_empty_batches(facts):
    rule = LogicRule({"==": [{"var": "prefecture"}, "27"]})
    assert rule.evaluate(facts.take([])).shape == (0,)
    from profiles.geography import gazetteer

    moved = facts.take([0]).relocated(np.array([gazetteer().index("131172"), gazetteer().index("272272")]))
    assert rule.evaluate(moved).tolist() == [FALSE, TRUE]


def test_rule_facts_and_missing(facts):
    rule = LogicRule({"and": [SME, {"missing": ["industry"]}, {"var": ["seeking_location", True]}]})
    assert rule.facts == ("employees", "capital_jpy", "industry", "seeking_location")
    assert rule.missing(facts.take([4])) == ("employees", "capital_jpy", "industry", "seeking_location")
    assert rule.missing(facts.take([0])) == ("seeking_location",)


def test_describe_in_plain_words(facts):
    rule = LogicRule(SME)
    infix_text = "employees <= 300 or capital_jpy <= 300,000,000"
    assert rule.describe(facts.take([0]), TRUE) == (
        f"employees 25 <= 300; capital_jpy 10,000,000 <= 300,000,000 (rule: {infix_text})")
    assert rule.describe(facts.take([1]), UNKNOWN) == f"capital not given (rule: {infix_text})"
    assert rule.describe(facts.take([3]), TRUE) == f"employees 0 <= 300 (rule: {infix_text})"
    flag = LogicRule({"and": [{"<=": [{"var": "employees"}, 300]}, {"var": "environment_conscious"}]})
    assert flag.describe(facts.take([3]), FALSE) == (
        "environment-conscious: no (rule: employees <= 300 and environment_conscious)")


def test_describe_names_the_failing_part(facts):
    rule = LogicRule({"and": [{"<=": [{"var": "employees"}, 300]}, {"==": [{"var": "prefecture"}, "13"]}]})
    text = rule.describe(facts.take([1]), FALSE)
    assert text == 'employees 500 > 300; prefecture 27 != "13" (rule: employees <= 300 and prefecture == "13")'


def test_a_checked_rule_rejects_unknown_facts():
    with pytest.raises(RuleSyntaxError) as info:
        LogicRule({"<=": [{"var": "headcount"}, 300]})
    assert info.value.path == "logic.<=[0]"


def test_compiled_eligibility_uses_logic_rules():
    from rules.compiler import CompiledEligibility

    prog = _program({"and": [SME, {"in": ["trade_fair", {"var": "needs"}]}]})
    compiled = CompiledEligibility([prog])
    facts = FirmFacts.from_profiles(PROFILES, AS_OF)
    assert compiled.evaluate(facts).ravel().tolist() == [TRUE, FALSE, FALSE, FALSE, FALSE]
    (result,) = [r for r in compiled.explain(facts.take([0]), 0) if r.condition == "logic"]
    assert result.value == TRUE and "trade_fair" in result.text


ZERO = {"-": [{"var": "employees"}]}  # -0 for a firm with no employees
EDGE_RULES = [
    # Branches that are both NaN agree: NaN != 1 is then known to be TRUE.
    {"!=": [{"if": [{"var": "seeking_location"}, {"/": [0, {"var": "employees"}]}, {"-": ["x"]}]}, 1]},
    # parseFloat(-0) is 0, so -0 * -1 is -0 in JsonLogic, and 1 / -0 is -Infinity.
    {"<": [{"/": [1, {"*": [ZERO, -1]}]}, 0]},
    # Math.min(0, -0) is -0, Math.max(-0, 0) is 0.
    {"<": [{"/": [1, {"min": [0, ZERO]}]}, 0]},
    {">": [{"/": [1, {"max": [ZERO, 0]}]}, 0]},
    # + never gives -0.
    {">": [{"/": [1, {"+": [ZERO, ZERO]}]}, 0]},
]


@pytest.mark.parametrize("rule", EDGE_RULES, ids=range(len(EDGE_RULES)))
def test_nan_and_negative_zero_follow_javascript_in_both_evaluators(rule):
    profile = CompanyProfile(municipality="131172", employees=0)
    assert evaluate_one(rule, firm_fact_dict(profile, AS_OF)) == TRUE
    assert LogicRule(rule).evaluate(FirmFacts.from_profiles([profile], AS_OF)).tolist() == [TRUE]


def test_a_lone_factor_of_times_comes_back_as_it_is_even_when_a_fact_in_it_is_missing():
    from rules.jsonlogic import evaluate_one

    rule = {"*": [[{"var": "employees"}]]}  # an array: truthy whatever it holds
    assert evaluate_one(rule, {"employees": None}) == 2
    assert evaluate_one({"*": [{"var": "employees"}]}, {"employees": None}) == 1
