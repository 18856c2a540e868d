"""Rules in plain words: :func:`infix`, and the parts of a rule that decide a firm's verdict.
"""

from __future__ import annotations

import json
import math
from typing import Any

from rules.facts import FACT_LABELS, FACT_TYPES
from rules.kleene import TRUE, UNKNOWN
from rules.jsonlogic.values import LISTS, UNDEFINED, is_num, num_to_str
from rules.jsonlogic.standard import COMPARISONS, SCOPED, arg_at, fact_names, is_logic, split_op

__all__ = ["atom_text", "atoms", "infix"]

_PREC = {"or": 1, "and": 2, "!": 3, "in": 4, "+": 5, "-": 5, "*": 6, "/": 6, "%": 6}
_NEGATED = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "==", "===": "!==", "!==": "===",
            "in": "not in"}


def _fmt_number(v: Any) -> str:
    f = float(v)
    if f == f and abs(f) < 1e21 and f.is_integer():
        return f"{int(f):,}"
    return f"{f:,}" if math.isfinite(f) else num_to_str(f)


def _fmt_literal(v: Any) -> str:
    if v is None or v is UNDEFINED:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if is_num(v):
        return _fmt_number(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, LISTS):
        return "[" + ", ".join(_fmt_literal(x) for x in v) + "]"
    return json.dumps(v, ensure_ascii=False, default=str)


def _fmt_value(v: Any) -> str:
    """A fact's value in plain words."""
    if v is None:
        return "not given"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if is_num(v):
        return _fmt_number(v)
    if isinstance(v, LISTS):
        return ", ".join(_fmt_value(x) for x in v) if v else "none"
    return str(v)


def _label(fact: str) -> str:
    return FACT_LABELS.get(fact, fact).replace(" (¥)", "")


def _render(rule: Any, facts: dict | None = None, scoped: bool = False) -> tuple[str, int]:
    """Infix text of a rule and its precedence; with ``facts``, fact names carry their values."""
    if isinstance(rule, LISTS):
        return "[" + ", ".join(_render(x, facts, scoped)[0] for x in rule) + "]", 9
    if not is_logic(rule):
        return _fmt_literal(rule), 9
    op, args = split_op(rule)

    def sub(x: Any, prec: int, inner: bool = scoped) -> str:
        text, p = _render(x, facts, inner)
        return f"({text})" if p < prec else text

    def call(name: str, xs: list) -> str:
        return f"{name}({', '.join(sub(x, 0) for x in xs)})"

    if op == "var":
        name = arg_at(args, 0)
        if isinstance(name, (dict, list)):
            text = call("var", [name])
        elif scoped:
            text = "it" if name in ("", None, UNDEFINED) else str(name)
        else:
            text = str(name)
            if facts is not None:
                text = f"{text} {_fmt_value(facts.get(name))}"
        if len(args) > 1:
            text = f"{text} (or {sub(args[1], 0)} if not given)"
        return text, 9
    if op in ("and", "or"):
        return f" {op} ".join(sub(x, _PREC[op] + 1) for x in args), _PREC[op]
    if op == "!":
        return f"not {sub(arg_at(args, 0), 4)}", 3
    if op == "!!":
        return call("truthy", args[:1]), 9
    if op in COMPARISONS:
        return f" {op} ".join(sub(x, 5) for x in args), 4
    if op in ("+", "*"):
        if len(args) == 1:
            return (call("number", args) if op == "+" else sub(args[0], 9)), 9
        return f" {op} ".join(sub(x, _PREC[op]) for x in args), _PREC[op]
    if op in ("-", "/", "%"):
        if len(args) == 1:
            return f"-{sub(args[0], 7)}", 7
        return f"{sub(args[0], _PREC[op])} {op} {sub(arg_at(args, 1), _PREC[op] + 1)}", _PREC[op]
    if op in ("if", "?:"):
        parts = []
        for i in range(0, len(args) - 1, 2):
            parts.append(f"{'if' if i == 0 else 'elif'} {sub(args[i], 1)} then {sub(args[i + 1], 1)}")
        if len(args) % 2:
            parts.append(("else " if parts else "") + sub(args[-1], 1))
        return " ".join(parts), 0
    if op == "missing":
        names = args[0] if args and isinstance(args[0], LISTS) else args
        return f"missing({', '.join(str(x) if isinstance(x, str) else sub(x, 0) for x in names)})", 9
    if op in SCOPED:
        return f"{op}({sub(args[0], 0)}, {sub(arg_at(args, 1), 0, True)}" + "".join(
            f", {sub(x, 0)}" for x in args[2:]) + ")", 9
    return call(op, args), 9


def infix(rule: Any) -> str:
    """A rule in readable infix form.

    >>> infix({"and": [{"<=": [{"var": "employees"}, 300]},
    ...                {"or": [{"in": [{"var": "prefecture"}, ["13", "14"]]}, {"!": {"var": "seeking_location"}}]}]})
    'employees <= 300 and (prefecture in ["13", "14"] or not seeking_location)'
    >>> infix({"if": [{"==": [{"var": "division"}, "E"]}, {"<=": [{"var": "employees"}, 300]}, False]})
    'if division == "E" then employees <= 300 else false'
    """
    return _render(rule)[0]


def atoms(rule: Any, polarity: int, out: list[tuple[Any, int]]) -> list[tuple[Any, int]]:
    """The non-logical parts of a rule in truth position, with their polarity (+1, -1, 0 = either)."""
    if not is_logic(rule):
        return out
    op, args = split_op(rule)
    if op in ("and", "or", "!!"):
        for a in args:
            atoms(a, polarity, out)
    elif op == "!":
        for a in args[:1]:
            atoms(a, -polarity, out)
    elif op in ("if", "?:"):
        for i, a in enumerate(args):
            atoms(a, 0 if (i % 2 == 0 and i < len(args) - 1) else polarity, out)
    else:
        out.append((rule, polarity))
    return out


def atom_text(atom: Any, t: int, facts: dict) -> str:
    if t == UNKNOWN:
        gone = [f for f in fact_names(atom, {}) if facts.get(f) is None]
        if gone:
            return " and ".join(_label(f) for f in gone) + " not given"
        return f"cannot tell whether {_render(atom)[0]}"
    op, args = split_op(atom)
    if op == "var" and len(args) == 1 and FACT_TYPES.get(args[0]) == "bool":
        return f"{_label(args[0])}: {_fmt_value(facts.get(args[0]))}"
    text = _render(atom, facts)[0]
    if t == TRUE:
        return text
    if op in _NEGATED and len(args) == 2:
        return f" {_NEGATED[op]} ".join(_render(x, facts)[0] for x in args)
    return f"not ({text})"
