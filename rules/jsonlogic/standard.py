"""The standard JsonLogic evaluator: the operator table and :func:`apply`, with json-logic-js semantics.

It passes the whole official conformance suite. The helpers that walk a rule's tree
(:func:`is_logic`, :func:`split_op`, :func:`fact_names`) are shared by the other modules.
"""

from __future__ import annotations

import difflib
import json
import logging
import re
from collections.abc import Callable
from typing import Any

from rules.errors import RuleSyntaxError
from rules.jsonlogic.values import (
    LISTS,
    NAN,
    UNDEFINED,
    js_div,
    js_lt,
    js_min,
    js_mod,
    js_plus,
    js_substr,
    loose_eq,
    num_out,
    parse_float,
    relation,
    strict_eq,
    to_number,
    to_string,
    truthy,
    utf16,
)

__all__ = [
    "ARITY", "COMPARISONS", "OPERATORS", "OPS", "SCOPED", "apply", "apply_raw", "arg_at", "call_op", "fact_names",
    "get_var", "is_logic", "missing_of", "missing_some_of", "op_in", "op_log", "reads_facts", "scoped_op",
    "split_op", "unknown_operator",
]

_log = logging.getLogger("rules.logic")  # the logger named in the docs

# ---------------------------------------------------------------------------
# Standard operators
# ---------------------------------------------------------------------------


def arg_at(args: list, i: int) -> Any:
    return args[i] if i < len(args) else UNDEFINED


def _op_plus(args: list) -> Any:
    acc: Any = 0.0
    for b in args:
        acc = parse_float(acc) + parse_float(b)
    return num_out(acc)


def _op_times(args: list) -> Any:
    if not args:
        raise RuleSyntaxError("", "'*' needs at least one argument")
    acc = args[0]
    if len(args) == 1:
        return acc
    for b in args[1:]:
        acc = parse_float(acc) * parse_float(b)
    return num_out(acc)


def _op_minus(args: list) -> Any:
    if len(args) < 2:
        return num_out(-to_number(arg_at(args, 0)))
    return num_out(to_number(args[0]) - to_number(args[1]))


def op_in(args: list) -> bool:
    a, b = arg_at(args, 0), arg_at(args, 1)
    if isinstance(b, str):
        return b != "" and to_string(a) in b
    if isinstance(b, LISTS):
        return any(strict_eq(x, a) for x in b)
    return False


def _op_substr(args: list) -> str:
    source, start, end = arg_at(args, 0), arg_at(args, 1), arg_at(args, 2)
    s = to_string(source)
    if end is not UNDEFINED and js_lt(end, 0) is True:
        temp = js_substr(s, start)
        return js_substr(temp, 0, js_plus(len(utf16(temp)) // 2, end))
    return js_substr(s, start, end)


def _op_merge(args: list) -> list:
    out: list = []
    for a in args:
        if isinstance(a, LISTS):
            out.extend(a)
        else:
            out.append(a)
    return out


def op_log(args: list) -> Any:
    a = arg_at(args, 0)
    _log.info("%s", to_string(a) if not isinstance(a, (dict, list)) else json.dumps(a, default=str))
    return a


def _op_between(op: str) -> Callable[[list], bool]:
    def fn(args: list) -> bool:
        a, b, c = arg_at(args, 0), arg_at(args, 1), arg_at(args, 2)
        if c is UNDEFINED:
            return relation(op, a, b)
        return relation(op, a, b) and relation(op, b, c)
    return fn


#: The operators whose arguments are all evaluated first (everything but the special forms).
OPS: dict[str, Callable[[list], Any]] = {
    "==": lambda a: loose_eq(arg_at(a, 0), arg_at(a, 1)),
    "!=": lambda a: not loose_eq(arg_at(a, 0), arg_at(a, 1)),
    "===": lambda a: strict_eq(arg_at(a, 0), arg_at(a, 1)),
    "!==": lambda a: not strict_eq(arg_at(a, 0), arg_at(a, 1)),
    ">": lambda a: relation(">", arg_at(a, 0), arg_at(a, 1)),
    ">=": lambda a: relation(">=", arg_at(a, 0), arg_at(a, 1)),
    "<": _op_between("<"),
    "<=": _op_between("<="),
    "!!": lambda a: truthy(arg_at(a, 0)),
    "!": lambda a: not truthy(arg_at(a, 0)),
    "%": lambda a: num_out(js_mod(to_number(arg_at(a, 0)), to_number(arg_at(a, 1)))),
    "/": lambda a: num_out(js_div(to_number(arg_at(a, 0)), to_number(arg_at(a, 1)))),
    "+": _op_plus,
    "*": _op_times,
    "-": _op_minus,
    "min": lambda a: num_out(js_min([to_number(x) for x in a], True)),
    "max": lambda a: num_out(js_min([to_number(x) for x in a], False)),
    "in": op_in,
    "cat": lambda a: "".join("" if x is None or x is UNDEFINED else to_string(x) for x in a),
    "substr": _op_substr,
    "merge": _op_merge,
    "log": op_log,
}

SCOPED = ("map", "filter", "reduce", "all", "none", "some")
COMPARISONS = ("==", "!=", "===", "!==", "<", "<=", ">", ">=", "in")

#: Argument counts ``(min, max)`` (``None`` = no maximum) that :func:`check` enforces.
ARITY: dict[str, tuple[int, int | None]] = {
    "==": (2, 2), "!=": (2, 2), "===": (2, 2), "!==": (2, 2),
    "<": (2, 3), "<=": (2, 3), ">": (2, 2), ">=": (2, 2),
    "!": (1, 1), "!!": (1, 1), "and": (1, None), "or": (1, None), "if": (1, None), "?:": (1, None),
    "+": (1, None), "-": (1, 2), "*": (1, None), "/": (2, 2), "%": (2, 2), "min": (1, None), "max": (1, None),
    "in": (2, 2), "cat": (1, None), "substr": (2, 3), "merge": (0, None),
    "var": (1, 2), "missing": (1, None), "missing_some": (2, 2),
    "map": (2, 2), "filter": (2, 2), "reduce": (2, 3), "all": (2, 2), "none": (2, 2), "some": (2, 2),
    "log": (1, 1),
}

#: Every operator this module evaluates.
OPERATORS: tuple[str, ...] = tuple(ARITY)


def is_logic(rule: Any) -> bool:
    return isinstance(rule, dict) and len(rule) == 1


def split_op(rule: dict) -> tuple[str, list]:
    ((op, raw),) = rule.items()
    return op, (list(raw) if isinstance(raw, LISTS) else [raw])


def get_var(data: Any, name: Any, not_found: Any) -> Any:
    """JsonLogic's ``var``: a dotted path into ``data``."""
    if name is UNDEFINED or name is None or (isinstance(name, str) and name == ""):
        return data
    for part in to_string(name).split("."):
        if data is None or data is UNDEFINED:
            return not_found
        data = _prop(data, part)
        if data is UNDEFINED:
            return not_found
    return data


_INDEX = re.compile(r"0|[1-9][0-9]*")


def _prop(obj: Any, key: str) -> Any:
    if isinstance(obj, dict):
        return obj.get(key, UNDEFINED)
    if isinstance(obj, LISTS):
        if _INDEX.fullmatch(key) and int(key) < len(obj):
            return obj[int(key)]
        return len(obj) if key == "length" else UNDEFINED
    if isinstance(obj, str):
        size = len(utf16(obj)) // 2
        if _INDEX.fullmatch(key) and int(key) < size:
            return js_substr(obj, int(key), 1)
        return size if key == "length" else UNDEFINED
    return UNDEFINED


def missing_of(data: Any, args: list) -> list:
    keys = args[0] if args and isinstance(args[0], LISTS) else args
    out = []
    for key in keys:
        value = apply_raw({"var": key}, data)
        if value is None or (isinstance(value, str) and value == ""):
            out.append(key)
    return out


def missing_some_of(data: Any, args: list) -> list:
    need, options = arg_at(args, 0), arg_at(args, 1)
    inner = [apply_raw(o, data) for o in options] if isinstance(options, LISTS) else [apply_raw(options, data)]
    are_missing = missing_of(data, inner)
    if isinstance(options, LISTS):
        length: float = len(options)
    elif isinstance(options, str):
        length = len(utf16(options)) // 2
    else:
        length = NAN
    if relation(">=", length - len(are_missing), need):
        return []
    return are_missing


def scoped_op(op: str, coll: Any, logic: Any, initial: Any) -> Any:
    """``map``/``filter``/``reduce``/``all``/``none``/``some`` on an evaluated collection."""
    is_list = isinstance(coll, LISTS)
    if op == "map":
        return [apply_raw(logic, x) for x in coll] if is_list else []
    if op == "filter":
        return [x for x in coll if truthy(apply_raw(logic, x))] if is_list else []
    if op == "reduce":
        if not is_list:
            return initial
        acc = initial
        for x in coll:
            acc = apply_raw(logic, {"current": x, "accumulator": acc})
        return acc
    if not is_list or not coll:
        return op == "none"
    if op == "all":
        return all(truthy(apply_raw(logic, x)) for x in coll)
    found = any(truthy(apply_raw(logic, x)) for x in coll)
    return found if op == "some" else not found


def apply_raw(rule: Any, data: Any) -> Any:
    if isinstance(rule, LISTS):
        return [apply_raw(x, data) for x in rule]
    if not is_logic(rule):
        return rule
    op, values = split_op(rule)
    if op in ("if", "?:"):
        i = 0
        while i < len(values) - 1:
            if truthy(apply_raw(values[i], data)):
                return apply_raw(values[i + 1], data)
            i += 2
        return apply_raw(values[i], data) if len(values) == i + 1 else None
    if op in ("and", "or"):
        current: Any = UNDEFINED
        for v in values:
            current = apply_raw(v, data)
            if truthy(current) == (op == "or"):
                return current
        return current
    if op in SCOPED:
        coll = apply_raw(values[0], data) if values else UNDEFINED
        initial = apply_raw(values[2], data) if op == "reduce" and len(values) > 2 else None
        return scoped_op(op, coll, arg_at(values, 1), initial)
    args = [apply_raw(v, data) for v in values]
    if op == "var":
        b = arg_at(args, 1)
        return get_var(data, arg_at(args, 0), None if b is UNDEFINED else b)
    return call_op(op, data, args)


def call_op(op: str, data: Any, args: list) -> Any:
    """The value of a plain operator on evaluated arguments (both evaluators end here)."""
    if op == "missing":
        return missing_of(data, args)
    if op == "missing_some":
        return missing_some_of(data, args)
    fn = OPS.get(op)
    if fn is None:
        raise RuleSyntaxError("", unknown_operator(op))
    return fn(args)


def _export(v: Any) -> Any:
    if v is UNDEFINED:
        return None
    if isinstance(v, list) and any(x is UNDEFINED or isinstance(x, list) for x in v):
        return [_export(x) for x in v]
    return v


def apply(rule: Any, data: Any = None) -> Any:
    """Evaluate a JsonLogic rule on ``data`` with the standard semantics.

    Parameters
    ----------
    rule : JSON value
        A JsonLogic rule. A non-rule value is returned as is, and arrays are
        evaluated element by element.
    data : JSON value, optional
        What ``var`` reads.

    Returns
    -------
    JSON value
        What json-logic-js returns, with ``undefined`` given as ``None``.

    Raises
    ------
    RuleSyntaxError
        For an unknown operator, or ``*`` with no argument.

    Examples
    --------
    >>> apply({"if": [{"<": [{"var": "temp"}, 0]}, "freezing", {"<": [{"var": "temp"}, 100]}, "liquid", "gas"]},
    ...       {"temp": 55})
    'liquid'
    >>> apply({"==": [1, "1"]}), apply({"===": [1, "1"]}), apply({"cat": ["v", 1.0]})
    (True, False, 'v1')
    >>> apply({"and": [{"var": "a"}, 0, 3]}, {"a": "x"})
    0
    >>> apply({"substr": ["jsonlogic", -5, -2]})
    'log'
    """
    return _export(apply_raw(rule, data))


def unknown_operator(op: Any) -> str:
    if op == "method":
        return "operator 'method' is not supported (it calls JavaScript methods)"
    close = difflib.get_close_matches(str(op), OPERATORS, n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    return f"unknown operator {op!r}{hint}; known operators: {' '.join(OPERATORS)}"


def reads_facts(rule: Any) -> bool:
    if isinstance(rule, LISTS):
        return any(reads_facts(x) for x in rule)
    if not is_logic(rule):
        return False
    op, values = split_op(rule)
    if op in ("var", "missing", "missing_some"):
        return True
    return any(reads_facts(v) for i, v in enumerate(values) if not (op in SCOPED and i == 1))


def fact_names(rule: Any, out: dict[str, None]) -> dict[str, None]:
    """The facts a checked rule reads, in order of first appearance."""
    if isinstance(rule, LISTS):
        for x in rule:
            fact_names(x, out)
        return out
    if not is_logic(rule):
        return out
    op, values = split_op(rule)
    if op == "var":
        out.setdefault(values[0])
        for v in values[1:]:
            fact_names(v, out)
    elif op == "missing":
        for name in values[0] if values and isinstance(values[0], LISTS) else values:
            out.setdefault(name)
    elif op == "missing_some":
        for name in values[1]:
            out.setdefault(name)
    else:
        for i, v in enumerate(values):
            if not (op in SCOPED and i == 1):
                fact_names(v, out)
    return out
