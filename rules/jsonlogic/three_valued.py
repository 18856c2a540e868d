"""Three-valued (Kleene) evaluation of a rule for one firm: :func:`evaluate_one` and :func:`compile_one`.

One evaluator: a rule is compiled once into nested closures (:func:`compile_one`);
:func:`evaluate_one` compiles and calls it. The semantics are those of the package's text.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np

from profiles.needs import need_ids
from rules.kleene import FALSE, TRUE, UNKNOWN
from rules.jsonlogic.values import LISTS, UNDEFINED, is_num, strict_eq, truthy
from rules.jsonlogic.standard import OPS, SCOPED, arg_at, call_op, get_var, is_logic, op_log, scoped_op, split_op

__all__ = [
    "Unknown", "canonical_needs", "compile_one", "evaluate_one", "need_order", "one_firm_facts", "truth3",
    "value_key",
]

class Unknown:
    """A value that depends on a missing fact, with its truth value if that is known.

    There are three instances, ``Unknown.of(UNKNOWN)``, ``Unknown.of(TRUE)`` and
    ``Unknown.of(FALSE)``.
    """

    __slots__ = ("truth",)
    _instances: dict[int, "Unknown"] = {}

    def __init__(self, truth: int):
        self.truth = int(truth)

    @classmethod
    def of(cls, truth: int) -> "Unknown":
        return cls._instances[int(truth)]

    def __repr__(self) -> str:
        return f"Unknown({({TRUE: 'TRUE', FALSE: 'FALSE', UNKNOWN: 'UNKNOWN'})[self.truth]})"


Unknown._instances = {t: Unknown(t) for t in (FALSE, UNKNOWN, TRUE)}
_U = Unknown.of(UNKNOWN)


def truth3(v: Any) -> int:
    if v is True:  # what comparisons and membership give: the common case first
        return TRUE
    if v is False:
        return FALSE
    if isinstance(v, Unknown):
        return v.truth
    return TRUE if truthy(v) else FALSE


def value_key(v: Any) -> tuple:
    """Identity of a value for "the branches agree" (numbers by value, arrays by identity)."""
    if v is None:
        return (0,)
    if isinstance(v, (bool, np.bool_)):
        return (1, bool(v))
    if is_num(v):
        f = float(v)
        return (2, f) if f == f else (3,)
    if isinstance(v, str):
        return (4, v)
    if v is UNDEFINED:
        return (5,)
    return (6, id(v))


@lru_cache(maxsize=1)
def need_order() -> dict[str, int]:
    return {nid: i for i, nid in enumerate(need_ids())}


def canonical_needs(needs: Any) -> list:
    order = need_order()
    return sorted(needs, key=lambda x: order.get(x, len(order)))


def evaluate_one(rule: Any, facts: dict[str, Any]) -> int:
    """The Kleene truth value of an eligibility rule for one firm.

    Parameters
    ----------
    rule : JSON value
        A JsonLogic rule. It is not checked here; :class:`LogicRule` checks it.
    facts : dict
        One firm's facts, as :func:`rules.facts.firm_fact_dict` gives them. ``None``
        (or an absent key) means the fact is not given.

    Returns
    -------
    int
        ``TRUE``, ``FALSE`` or ``UNKNOWN``, with the semantics described in the
        module docstring.

    Examples
    --------
    >>> sme = {"or": [{"<=": [{"var": "employees"}, 300]}, {"<=": [{"var": "capital_jpy"}, 300000000]}]}
    >>> evaluate_one(sme, {"employees": 25, "capital_jpy": None})        # TRUE
    2
    >>> evaluate_one(sme, {"employees": 500, "capital_jpy": None})       # UNKNOWN
    1
    >>> evaluate_one({"and": [{"==": [{"var": "prefecture"}, "27"]}, {"var": "seeking_location"}]},
    ...              {"prefecture": "13", "seeking_location": None})     # FALSE
    0
    """
    return compile_one(rule)(one_firm_facts(facts))


def one_firm_facts(facts: dict[str, Any]) -> dict[str, Any]:
    """A copy of one firm's facts ready for a :func:`compile_one` function (needs in vocabulary order)."""
    data = dict(facts)
    if isinstance(data.get("needs"), LISTS):
        data["needs"] = canonical_needs(data["needs"])
    return data


def compile_one(rule: Any) -> Callable[[dict[str, Any]], int]:
    """A rule compiled once into nested closures, for rules evaluated many times.

    This is the one three-valued evaluator: :func:`evaluate_one` compiles and calls
    it, and :class:`~rules.jsonlogic.rule.LogicRule` uses it for small chunks (a
    property test checks it against the vectorized path on random rules). The
    function takes facts prepared by :func:`one_firm_facts`.

    >>> sme = compile_one({"or": [{"<=": [{"var": "employees"}, 300]}, {"<=": [{"var": "capital_jpy"}, 3e8]}]})
    >>> sme(one_firm_facts({"employees": 25, "capital_jpy": None})), sme(one_firm_facts({"employees": 500}))
    (2, 1)
    """
    ev = _compile(rule)
    return lambda data: truth3(ev(data))


def _compile(rule: Any) -> Callable[[Any], Any]:
    """The three-valued value of ``rule`` as a function of one firm's facts."""
    if isinstance(rule, LISTS):
        items = [_compile(x) for x in rule]

        def ev_list(facts):
            vals = [g(facts) for g in items]
            return Unknown.of(TRUE) if any(isinstance(v, Unknown) for v in vals) else vals
        return ev_list
    if not is_logic(rule):
        return lambda facts: rule
    op, values = split_op(rule)
    if op in ("if", "?:"):
        return _compile_if(values)
    if op in ("and", "or"):
        return _compile_and_or(op, [_compile(v) for v in values])
    if op in ("!", "!!"):
        inner = _compile(values[0]) if values else None
        want = op == "!!"

        def ev_not(facts):
            t = truth3(inner(facts)) if inner is not None else FALSE
            if t == UNKNOWN:
                return _U
            return (t == TRUE) == want
        return ev_not
    if op in SCOPED:
        coll = _compile(values[0]) if values else (lambda facts: UNDEFINED)
        initial = _compile(values[2]) if op == "reduce" and len(values) > 2 else (lambda facts: None)
        logic = arg_at(values, 1)

        def ev_scoped(facts):
            c, i = coll(facts), initial(facts)
            if isinstance(c, Unknown) or isinstance(i, Unknown):
                return _U
            return scoped_op(op, c, logic, i)
        return ev_scoped
    items = [_compile(v) for v in values]
    fast = _compile_fact_test(op, values, items)
    if fast is not None:
        return fast
    if op == "log":
        def ev_log(facts):
            args = [g(facts) for g in items]
            a = arg_at(args, 0)
            return a if isinstance(a, Unknown) else op_log(args)
        return ev_log
    if op == "var":
        def ev_var(facts):
            args = [g(facts) for g in items]
            name = arg_at(args, 0)
            if isinstance(name, Unknown):
                return _U
            value = get_var(facts, name, None)
            if value is None:
                return args[1] if len(args) > 1 else _U
            return value
        return ev_var
    if op == "*" and len(items) == 1:  # a lone factor comes back as it is, known or not
        return items[0]
    fn = OPS.get(op)
    if fn is None or op in ("missing", "missing_some"):  # read the facts, or raise for an unknown operator
        def ev_call(facts):
            args = [g(facts) for g in items]
            if any(isinstance(a, Unknown) for a in args):
                return _U
            return call_op(op, facts, args)
        return ev_call

    def ev_op(facts):
        args = [g(facts) for g in items]
        if any(isinstance(a, Unknown) for a in args):
            return _U
        return fn(args)
    return ev_op


_RELATIONS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def _fact_name(value: Any) -> str | None:
    """The fact ``{"var": "name"}`` reads (one plain name, no default, no path), else None."""
    if not is_logic(value):
        return None
    op, args = split_op(value)
    if op == "var" and len(args) == 1 and isinstance(args[0], str) and args[0] and "." not in args[0]:
        return args[0]
    return None


def _compile_fact_test(op: str, values: list, items: list[Callable[[Any], Any]]) -> Callable[[Any], Any] | None:
    """A shorter closure for the tests most rules are made of: a fact compared with a number
    (``employees <= 100``) and a word looked for in a list fact (``"trade_fair" in needs``).

    It gives what the general closure gives: for a fact that is a plain number (or a list),
    JavaScript's comparison of two numbers is Python's comparison of their float values
    (NaN included: every comparison with it is false), and ``in`` holds when an item is
    strictly equal to the word; for any other value the general closure answers.
    """
    if op in _RELATIONS and len(values) == 2:
        name, other, fact_left = _fact_name(values[0]), values[1], True
        if name is None:
            name, other, fact_left = _fact_name(values[1]), values[0], False
        if name is None or not is_num(other):
            return None
        general = _general_op(op, items)
        rel, bound = _RELATIONS[op], float(other)

        def ev_relation(facts):
            if type(facts) is not dict:
                return general(facts)
            v = facts.get(name)
            if v is None:
                return _U
            if type(v) is int or type(v) is float:
                return rel(float(v), bound) if fact_left else rel(bound, float(v))
            return general(facts)
        return ev_relation
    if op == "in" and len(values) == 2 and isinstance(values[0], str):
        name, word = _fact_name(values[1]), values[0]
        if name is None:
            return None
        general = _general_op(op, items)

        def ev_in(facts):
            if type(facts) is not dict:
                return general(facts)
            v = facts.get(name)
            if v is None:
                return _U
            if type(v) is list or type(v) is tuple:  # strict equality implies ==: no item == word, no match
                return word in v and any(strict_eq(x, word) for x in v)
            return general(facts)
        return ev_in
    return None


def _general_op(op: str, items: list[Callable[[Any], Any]]) -> Callable[[Any], Any]:
    fn = OPS[op]

    def ev_op(facts):
        args = [g(facts) for g in items]
        if any(isinstance(a, Unknown) for a in args):
            return _U
        return fn(args)
    return ev_op


def _compile_and_or(op: str, items: list[Callable[[Any], Any]]) -> Callable[[Any], Any]:
    decisive = FALSE if op == "and" else TRUE

    def ev_logic(facts):
        pending = False
        truths = []
        current: Any = UNDEFINED
        for g in items:
            current = g(facts)
            t = truth3(current)
            if t == decisive and not pending:
                return current
            pending = pending or t == UNKNOWN
            truths.append(t)
        if not pending:
            return current
        return Unknown.of(min(truths) if op == "and" else max(truths))
    return ev_logic


def _compile_if(values: list) -> Callable[[Any], Any]:
    parts = [_compile(v) for v in values]

    def null(facts):  # the implicit else
        return None

    def ev_if(facts):
        candidates: list[int] = []  # indices into values; -1 = the implicit null
        i = 0
        decided = False
        while i < len(values) - 1:
            t = truth3(parts[i](facts))
            if t != FALSE:
                candidates.append(i + 1)
            if t == TRUE:
                decided = True
                break
            i += 2
        if not decided:
            candidates.append(i if len(values) == i + 1 else -1)
        vals = [(parts[c] if c >= 0 else null)(facts) for c in candidates]
        if len(vals) == 1:
            return vals[0]
        if not any(isinstance(v, Unknown) for v in vals) and all(value_key(v) == value_key(vals[0]) for v in vals):
            return vals[0]
        truths = [truth3(v) for v in vals]
        return Unknown.of(truths[0] if all(t == truths[0] for t in truths) else UNKNOWN)
    return ev_if
