"""Static checks of eligibility rules: unknown operators and facts, argument counts, non-JSON values.
"""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Iterator
from typing import Any

from rules.errors import RuleSyntaxError
from rules.facts import FACT_TYPES
from rules.jsonlogic.values import LISTS, is_num
from rules.jsonlogic.standard import ARITY, SCOPED, unknown_operator

__all__ = ["check", "check_program"]

def _unknown_fact(name: Any) -> str:
    close = difflib.get_close_matches(str(name), list(FACT_TYPES), n=3, cutoff=0.6)
    hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
    return (f"unknown fact {name!r}{hint}; an eligibility rule may only read the facts "
            f"{', '.join(FACT_TYPES)}")


def _fact_name_problem(name: Any, what: str) -> str | None:
    if isinstance(name, str) and name in FACT_TYPES:
        return None
    if isinstance(name, (dict, list, tuple)):
        return f"{what} needs a literal fact name, not a computed one ({json.dumps(name, default=str)})"
    if name in ("", None):
        return f"{what} of the whole data is not allowed in an eligibility rule; name a fact: {', '.join(FACT_TYPES)}"
    return _unknown_fact(name)


def _problems(rule: Any, path: str, scoped: bool = False) -> Iterator[tuple[str, str]]:
    """Every problem of a rule as ``(path, message)`` pairs, in document order."""
    if isinstance(rule, LISTS):
        for i, x in enumerate(rule):
            yield from _problems(x, f"{path}[{i}]", scoped)
        return
    if isinstance(rule, dict):
        if len(rule) != 1:
            keys = ", ".join(repr(k) for k in rule) or "none"
            yield path, (f"an operation is an object with exactly one key, the operator; got keys {keys} "
                         "(literal objects are not allowed)")
            return
        ((op, raw),) = rule.items()
        if op not in ARITY:
            yield path, unknown_operator(op)
            return
        listed = isinstance(raw, LISTS)
        args = list(raw) if listed else [raw]

        def at(i: int) -> str:
            return f"{path}.{op}[{i}]" if listed else f"{path}.{op}"

        lo, hi = ARITY[op]
        if len(args) < lo or (hi is not None and len(args) > hi):
            want = str(lo) if lo == hi else (f"at least {lo}" if hi is None else f"{lo} to {hi}")
            yield path, f"{op!r} takes {want} argument{'s' if want != '1' else ''}, got {len(args)}"
            if op in ("var", "missing_some") + SCOPED and len(args) < lo:
                return
        if not scoped and op == "var":
            problem = _fact_name_problem(args[0], "var")
            if problem:
                yield path, problem
            for i in range(1, len(args)):
                yield from _problems(args[i], at(i), scoped)
            return
        if not scoped and op == "missing":
            names, where = (args[0], lambda i: f"{at(0)}[{i}]") if args and isinstance(args[0], LISTS) else (args, at)
            for i, name in enumerate(names):
                problem = _fact_name_problem(name, "missing")
                if problem:
                    yield where(i), problem
            return
        if not scoped and op == "missing_some":
            if not is_num(args[0]) or not isinstance(args[0], (int, float)) or not math.isfinite(args[0]):
                yield at(0), f"missing_some needs a literal number of facts first, got {json.dumps(args[0], default=str)}"
            if not isinstance(args[1], LISTS):
                yield at(1), "missing_some needs a literal list of fact names second"
            else:
                for i, name in enumerate(args[1]):
                    problem = _fact_name_problem(name, "missing_some")
                    if problem:
                        yield f"{at(1)}[{i}]", problem
            return
        for i, a in enumerate(args):
            yield from _problems(a, at(i), scoped or (op in SCOPED and i == 1))
        return
    if rule is None or isinstance(rule, (bool, str)):
        return
    if isinstance(rule, (int, float)):
        if not math.isfinite(rule):
            yield path, f"{rule!r} is not a JSON number"
        return
    yield path, f"not a JSON value: {type(rule).__name__} {rule!r}"


def check(rule: Any, path: str = "logic") -> None:
    """Check an eligibility rule statically, or raise on its first problem.

    Outside the body of ``map``/``filter``/``reduce``/``all``/``none``/``some``,
    the rule may only read the facts of :data:`~rules.facts.FACT_TYPES`, and only
    by literal name: ``var``, ``missing`` and ``missing_some`` must name them,
    without dotted paths.

    Raises
    ------
    RuleSyntaxError
        With the path inside the rule (``logic.and[1].<=[0]``). The error is an
        unknown operator, a fact not in ``FACT_TYPES``, a wrong number of
        arguments, an object that is not one operation, or a non-JSON value.

    Examples
    --------
    >>> check({"and": [{"<=": [{"var": "employees"}, 300]}, {"in": ["export", {"var": "needs"}]}]})
    >>> check({"and": [True, {"<=": [{"var": "employes"}, 300]}]})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    rules.errors.RuleSyntaxError: logic.and[1].<=[0]: unknown fact 'employes' (did you mean 'employees'?); ...
    """
    for where, message in _problems(rule, path):
        raise RuleSyntaxError(where, message)


def check_program(program: Any) -> list[tuple[str, str]]:
    """The problems of a program's ``eligibility.logic`` as ``(field path, message)`` pairs.

    This is a :data:`profiles.catalog.ProgramCheck`. Paths start with ``eligibility.logic``.
    """
    logic = program.eligibility.logic
    if logic is None:
        return []
    return list(_problems(logic, "eligibility.logic"))
