"""Property tests: the vectorized JsonLogic evaluator equals the scalar one on random rules and firms."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from profiles.models import CompanyProfile
from profiles.needs import need_ids
from rules.facts import FACT_TYPES, FirmFacts, firm_fact_dict
from rules.kleene import FALSE, TRUE, UNKNOWN
from rules.jsonlogic import LogicRule, apply, evaluate_one, truthy

AS_OF = dt.date(2026, 1, 1)
MUNICIPALITIES = ["131172", "132276", "132047", "271004", "011002", "281000", "272272"]
PREFECTURES = ["13", "27", "01", "28"]
INDUSTRIES = ["E24", "E25", "E", "G39", "G", "I52", "I", "M76", "L71", "D"]
NEEDS = list(need_ids())
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# ---------------------------------------------------------------------------
# Firms
# ---------------------------------------------------------------------------


def maybe(strategy):
    return st.none() | strategy


employees = st.sampled_from([0, 1, 5, 20, 25, 50, 100, 299, 300, 301, 1000]) | st.integers(0, 5000)
capital = st.sampled_from([0, 1_000_000, 10_000_000, 50_000_000, 100_000_000, 300_000_000, 300_000_001,
                           1_000_000_000])
founded = st.dates(dt.date(1950, 1, 1), dt.date(2025, 12, 31))
needs = st.lists(st.sampled_from(NEEDS), unique=True, max_size=4)
location = (st.sampled_from(MUNICIPALITIES).map(lambda m: {"municipality": m})
            | st.sampled_from(PREFECTURES).map(lambda p: {"prefecture": p}))


@st.composite
def firms(draw, complete: bool = False):
    """A CompanyProfile with each fact present or (unless ``complete``) missing."""
    opt = (lambda s: s) if complete else maybe
    loc = {"municipality": draw(st.sampled_from(MUNICIPALITIES))} if complete else draw(location)
    return CompanyProfile(
        **loc,
        industry=draw(opt(st.sampled_from(INDUSTRIES))),
        employees=draw(opt(employees)),
        capital_jpy=draw(opt(capital)),
        founded=draw(opt(founded)),
        environment_conscious=draw(opt(st.booleans())),
        seeking_location=draw(opt(st.booleans())),
        needs=draw(needs),
    )


# ---------------------------------------------------------------------------
# Rules over the facts of FACT_TYPES
# ---------------------------------------------------------------------------

NUM_FACTS = [f for f, t in FACT_TYPES.items() if t == "number"]
STR_FACTS = [f for f, t in FACT_TYPES.items() if t == "string"]
BOOL_FACTS = [f for f, t in FACT_TYPES.items() if t == "bool"]

num_const = (st.sampled_from([0, 1, 3, 5, 10, 20, 50, 100, 300, 1_000_000, 50_000_000, 300_000_000, -1, 2.5])
             | st.sampled_from(["300", "", "abc", None, True, False]))
str_const = st.sampled_from(PREFECTURES + INDUSTRIES + MUNICIPALITIES + ["A", "", "1", 13, 27, None])


def var(fact):
    return {"var": fact}


num_leaf = (st.sampled_from(NUM_FACTS).map(var)
            | st.tuples(st.sampled_from(NUM_FACTS), num_const).map(lambda t: {"var": [t[0], t[1]]})
            | num_const)
str_leaf = st.sampled_from(STR_FACTS).map(var) | str_const


def atoms(num_expr, str_expr):
    """Rules that read facts without combining other rules."""
    relational = st.sampled_from(["<", "<=", ">", ">="])
    equality = st.sampled_from(["==", "!=", "===", "!=="])
    fact_names = st.lists(st.sampled_from(list(FACT_TYPES)), min_size=1, max_size=3)
    need = st.sampled_from(NEEDS[:6] + ["nonsense"])
    return st.one_of(
        st.builds(lambda op, a, b: {op: [a, b]}, relational, num_expr, num_expr),
        st.builds(lambda op, a, b, c: {op: [a, b, c]}, st.sampled_from(["<", "<="]), num_leaf, num_expr, num_leaf),
        st.builds(lambda op, a, b: {op: [a, b]}, equality, num_expr, num_expr | str_leaf),
        st.builds(lambda op, a, b: {op: [a, b]}, equality, str_expr, str_expr),
        st.builds(lambda op, a, b: {op: [a, b]}, relational, str_expr, str_expr),
        st.builds(lambda a, xs: {"in": [a, xs]}, str_expr, st.lists(str_const, max_size=4)),
        st.builds(lambda a, b: {"in": [a, b]}, str_const, str_expr),
        st.sampled_from(BOOL_FACTS).map(var),
        st.builds(lambda f, b: {"==": [var(f), b]}, st.sampled_from(BOOL_FACTS), st.booleans() | st.just(1)),
        need.map(lambda n: {"in": [n, var("needs")]}),
        st.just(var("needs")),
        st.builds(lambda op, xs: {op: [var("needs"), {"in": [var(""), xs]}]},
                  st.sampled_from(["some", "all", "none"]), st.lists(need, min_size=1, max_size=3)),
        st.builds(lambda xs: {">=": [{"reduce": [var("needs"), {"+": [var("accumulator"), 1]}, 0]}, 2]}, st.just(0)),
        fact_names.map(lambda fs: {"missing": fs}),
        st.builds(lambda k, fs: {"missing_some": [k, fs]}, st.integers(0, 3), fact_names),
        st.booleans(),
    )


def extend_num(inner, rules):
    return st.one_of(
        st.builds(lambda op, a, b: {op: [a, b]}, st.sampled_from(["+", "-", "*", "/", "%", "min", "max"]), inner, inner),
        st.builds(lambda a: {"-": [a]}, inner),
        st.builds(lambda a, b, c: {"+": [a, b, c]}, inner, inner, inner),
        st.builds(lambda c, a, b: {"if": [c, a, b]}, rules, inner, inner),
        st.builds(lambda op, a, b: {op: [a, b]}, st.sampled_from(["and", "or"]), inner, inner),
    )


def extend_str(inner):
    return st.one_of(
        st.builds(lambda a, b: {"cat": [a, b]}, inner, inner),
        st.builds(lambda a, i, n: {"substr": [a, i, n]}, inner, st.integers(-3, 3), st.integers(-2, 3)),
        st.builds(lambda a, b: {"or": [a, b]}, inner, inner),
    )


def extend_rules(inner):
    return st.one_of(
        st.lists(inner, min_size=1, max_size=3).map(lambda xs: {"and": xs}),
        st.lists(inner, min_size=1, max_size=3).map(lambda xs: {"or": xs}),
        inner.map(lambda x: {"!": x}),
        inner.map(lambda x: {"!!": [x]}),
        st.builds(lambda c, a, b: {"if": [c, a, b]}, inner, inner, inner),
        st.builds(lambda c, a: {"?:": [c, a]}, inner, inner),
        st.lists(inner, min_size=4, max_size=5).map(lambda xs: {"if": xs}),
    )


simple_rules = st.deferred(lambda: atoms(num_leaf, str_leaf))
num_exprs = st.recursive(num_leaf, lambda inner: extend_num(inner, simple_rules), max_leaves=4)
str_exprs = st.recursive(str_leaf, extend_str, max_leaves=3)
rules = st.recursive(atoms(num_exprs, str_exprs), extend_rules, max_leaves=6)


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------


@SETTINGS
@given(rule=rules, batch=st.lists(firms(), min_size=1, max_size=6))
def test_vectorized_evaluation_equals_evaluate_one_for_every_firm(rule, batch):
    got = LogicRule(rule).evaluate(FirmFacts.from_profiles(batch, AS_OF))
    want = [evaluate_one(rule, firm_fact_dict(firm, AS_OF)) for firm in batch]
    assert got.tolist() == want


def _canonical(facts: dict) -> dict:
    order = {n: i for i, n in enumerate(NEEDS)}
    return {**facts, "needs": sorted(facts["needs"], key=order.__getitem__)}


@SETTINGS
@given(rule=rules, firm=firms(complete=True))
def test_with_every_fact_given_evaluate_one_agrees_with_apply(rule, firm):
    facts = _canonical(firm_fact_dict(firm, AS_OF))
    assert all(v is not None for v in facts.values())
    assert evaluate_one(rule, facts) == (TRUE if truthy(apply(rule, facts)) else FALSE)


def _reads_missing_or_defaults(rule) -> bool:
    if isinstance(rule, list):
        return any(_reads_missing_or_defaults(x) for x in rule)
    if not isinstance(rule, dict):
        return False
    ((op, args),) = rule.items()
    if op in ("missing", "missing_some") or (op == "var" and isinstance(args, list) and len(args) > 1):
        return True
    return _reads_missing_or_defaults(args)


FILLS = {"industry": st.sampled_from(INDUSTRIES), "employees": employees, "capital_jpy": capital,
         "founded": founded, "environment_conscious": st.booleans(), "seeking_location": st.booleans()}


@SETTINGS
@given(rule=rules, firm=firms(), data=st.data())
def test_a_decided_verdict_never_changes_when_missing_facts_are_filled_in(rule, firm, data):
    """Kleene soundness: TRUE/FALSE never depends on a missing fact (rules without missing/defaults)."""
    if _reads_missing_or_defaults(rule):
        return
    verdict = evaluate_one(rule, firm_fact_dict(firm, AS_OF))
    if verdict == UNKNOWN:
        return
    given_ = firm.model_dump()
    fills = {k: data.draw(s, label=k) for k, s in FILLS.items() if given_[k] is None}
    if given_["municipality"] is None:
        fills["municipality"] = data.draw(st.sampled_from(
            [m for m in MUNICIPALITIES if m.startswith(given_["prefecture"])]), label="municipality")
    filled = CompanyProfile(**{**given_, **fills})
    assert evaluate_one(rule, firm_fact_dict(filled, AS_OF)) == verdict


# ---------------------------------------------------------------------------
# Anything goes: every operator, every fact, values of every JSON type
# ---------------------------------------------------------------------------

any_const = st.one_of(
    st.none(), st.booleans(), st.sampled_from([0, -0.0, 1, 2, -1, 0.5, 13, 300, 1e21]),
    st.sampled_from(["", "0", "13", "E", "E24", "export", "a,b", " 1 "]),
    st.lists(st.sampled_from([1, "export", "13", None]), max_size=2),
)
any_leaf = st.sampled_from(list(FACT_TYPES)).map(var) | any_const


def extend_any(inner):
    ops_any = st.sampled_from(["==", "!=", "===", "!==", "<", "<=", ">", ">=", "in", "+", "-", "*", "/", "%",
                               "min", "max", "cat", "merge", "and", "or"])
    return st.one_of(
        st.builds(lambda op, a, b: {op: [a, b]}, ops_any, inner, inner),
        st.builds(lambda op, a: {op: [a]}, st.sampled_from(["!", "!!", "-", "*", "+", "cat", "merge", "log", "max"]),
                  inner),
        st.builds(lambda op, a, b, c: {op: [a, b, c]}, st.sampled_from(["<", "<=", "if", "?:", "substr", "and"]),
                  inner, inner, inner),
        st.lists(inner, min_size=4, max_size=5).map(lambda xs: {"if": xs}),
        st.builds(lambda f, d: {"var": [f, d]}, st.sampled_from(list(FACT_TYPES)), inner),
        st.lists(inner, max_size=2),
        st.builds(lambda op, c, body: {op: [c, body]}, st.sampled_from(["map", "filter", "all", "none", "some"]),
                  inner, st.sampled_from([True, var(""), {"cat": [var(""), "!"]}, {"in": [var(""), ["export", 1]]}])),
        st.builds(lambda c, i: {"reduce": [c, {"cat": [var("accumulator"), var("current")]}, i]}, inner, inner),
        st.builds(lambda fs: {"missing": fs}, st.lists(st.sampled_from(list(FACT_TYPES)), min_size=1, max_size=3)),
    )


any_rules = st.recursive(any_leaf, extend_any, max_leaves=7)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rule=any_rules, batch=st.lists(firms(), min_size=1, max_size=6))
def test_vectorized_equals_evaluate_one_on_rules_of_any_shape(rule, batch):
    got = LogicRule(rule).evaluate(FirmFacts.from_profiles(batch, AS_OF))
    assert got.tolist() == [evaluate_one(rule, firm_fact_dict(firm, AS_OF)) for firm in batch]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rule=any_rules | rules, batch=st.lists(firms(), min_size=1, max_size=4))
def test_a_compiled_rule_gives_what_evaluate_one_gives(rule, batch):
    from rules.jsonlogic import compile_one, one_firm_facts

    compiled = compile_one(rule)
    for firm in batch:
        facts = firm_fact_dict(firm, AS_OF)
        assert compiled(one_firm_facts(facts)) == evaluate_one(rule, facts)
