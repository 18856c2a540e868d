"""Three-valued (Kleene) evaluation of a rule for one firm: :func:`evaluate_one` and :func:`compile_one`.

One evaluator: a rule is compiled once into nested closures (:func:`compile_one`);
:func:`evaluate_one` compiles and calls it. The semantics are those of the package's text.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np

from profiles.needs import need_ids
from rules.kleene import FALSE, TRUE, UNKNOWN
from rules.jsonlogic.values import LISTS, UNDEFINED, is_num, truthy
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
