"""JsonLogic for eligibility rules: a standard evaluator, static checks, and a
three-valued evaluator that runs over the numpy columns of many firms at once.

There are four parts:

* :func:`apply` is a plain scalar JsonLogic evaluator with the semantics of the
  reference implementation (json-logic-js, jsonlogic.com). It passes the whole
  official conformance suite.
* :func:`check` and :func:`check_program` validate an eligibility rule when the
  catalog loads. They report unknown operators, unknown facts, wrong argument
  counts and non-JSON values, each with its path inside the rule
  (``logic.and[1].<=[0]``).
* :func:`evaluate_one` evaluates a rule for one firm, using Kleene's
  three-valued logic when some facts are missing.
* :class:`LogicRule` compiles a rule once into a tree of vectorized node
  functions. It evaluates the rule for every firm of a
  :class:`~rules.facts.FirmFacts` and gives exactly the values of
  :func:`evaluate_one`. It can also explain the result in plain words.

>>> rule = {"or": [{"<=": [{"var": "employees"}, 300]},
...                {"<=": [{"var": "capital_jpy"}, 300000000]}]}
>>> apply(rule, {"employees": 400, "capital_jpy": 10000000})
True
>>> evaluate_one(rule, {"employees": 25, "capital_jpy": None}) == TRUE
True
>>> infix(rule)
'employees <= 300 or capital_jpy <= 300,000,000'

Standard semantics (:func:`apply`)
----------------------------------
Values are JSON values as Python objects. Numbers follow JavaScript: every number
is an IEEE double, and integral results come back as ``int``. Truthiness follows
JsonLogic: ``false``, ``null``, ``0``, ``NaN``, ``""`` and ``[]`` are falsy, and
everything else is truthy, including ``"0"`` and ``{}``. ``==`` and ``!=`` use
JavaScript's loose equality with its type coercions. ``===`` and ``!==`` compare
type and value, and arrays only by identity. ``<``, ``<=``, ``>`` and ``>=`` use
JavaScript's relational comparison: two strings compare by UTF-16 code units, and
anything else compares as numbers (NaN compares false). ``+`` and ``*`` read their
arguments with ``parseFloat``. ``-``, ``/``, ``%``, ``min`` and ``max`` use
``Number()``. ``cat`` and ``substr`` use JavaScript's number formatting
(``1.0`` → ``"1"``). ``and`` and ``or`` return the value that decides the
result, and ``if``/``?:`` accept ``else if`` chains. Arguments that are not given
act as JavaScript's ``undefined``. ``undefined`` is returned as ``None``.

Left out, with the reasons:

* ``method``: it calls arbitrary JavaScript methods of a value, which has no
  meaning outside JavaScript and is not in the conformance suite.
* Dotted custom operators (``"Math.abs"``): json-logic-js only uses them for
  operations added by the host. No operations are added here.

One difference from the json-logic-js source: the initial value of ``reduce`` is
evaluated like any other argument. The conformance suite expects this.
``log`` writes to the :mod:`logging` logger ``rules.logic`` at INFO level and
returns its argument.

Eligibility semantics (:func:`evaluate_one`, :class:`LogicRule`)
---------------------------------------------------------------
A firm's facts are a dict of :data:`~rules.facts.FACT_TYPES` in which ``None``
means "not given". The list ``needs`` is read in the canonical order of
:func:`profiles.needs.need_ids`, because it is a set. Every subexpression has a
*three-valued value*: either a known JSON value, or an unknown value whose
truthiness may still be known. The unknown values are ``Unknown(UNKNOWN)``,
``Unknown(TRUE)`` and ``Unknown(FALSE)``.

1. ``{"var": fact}`` at the top level (outside a ``map``/``filter``/... body) is
   the fact's value. A fact that is ``None`` or absent gives ``Unknown(UNKNOWN)``,
   or the default ``{"var": [fact, default]}`` when one is given.
2. Every comparison (``== != === !== < <= > >= in``), arithmetic operator
   (``+ - * / % min max``) and other operator (``cat substr merge`` and the
   collection operators) whose operands include an unknown value is
   ``Unknown(UNKNOWN)``. This holds even when the known operands alone would
   decide a 3-argument ``<``. A literal array with an unknown element is
   ``Unknown(TRUE)``, because a non-empty array is truthy. ``map``, ``filter``,
   ``reduce``, ``all``, ``none`` and ``some`` are unknown when their collection
   (or the initial value of ``reduce``) is unknown. Otherwise their body is
   evaluated with :func:`apply` over the known items.
3. ``!`` and ``!!`` apply Kleene NOT to the truth value of their operand. Their
   result is a known boolean unless that truth value is UNKNOWN.
4. ``and`` and ``or`` run left to right. An operand whose truth value decides the
   result (falsy for ``and``, truthy for ``or``) is returned when it comes before
   any operand whose truth value is UNKNOWN, just as in JsonLogic. If no operand
   decides and none is UNKNOWN, the last one is returned. Otherwise the result is
   an unknown value whose truth value is the Kleene AND (minimum) or OR (maximum)
   of all the operands. So ``and`` with one FALSE part is FALSE even if another
   part is UNKNOWN.
5. ``if`` and ``?:`` collect the branches that are still possible. A branch is
   possible when its condition is TRUE or UNKNOWN and no earlier condition is
   TRUE; the ``else`` (or an implicit ``null``) is possible when no condition is
   TRUE. With one possible branch, the result is that branch's value. With
   several, the result is their common value if all are known and the same
   (numbers by value, strings and booleans by value, arrays by identity).
   Otherwise it is an unknown value that is truthy or falsy when all the
   branches agree on that, and UNKNOWN when they do not.
6. ``missing`` and ``missing_some`` behave exactly as in JsonLogic. They are never
   unknown.
7. At the top level, a known value becomes TRUE or FALSE by JsonLogic truthiness,
   and an unknown value becomes its truth value.

For a firm with every fact given, no value is ever unknown, and
``evaluate_one(rule, facts) == TRUE`` exactly when ``apply(rule, facts)`` is truthy.

Vectorization
-------------
:class:`LogicRule` never loops over firms in Python. Each node returns a column:

* a constant (subtrees that read no fact are folded at compile time);
* a float array for numbers;
* a boolean array;
* a *categorical* column (integer codes into a small table of values) for the
  string facts, which come from the code columns of :class:`FirmFacts` through
  cached tables;
* the ``needs`` bitmask.

Every column has a mask of known entries and the truth values of the unknown
ones. Numeric comparisons, arithmetic, Kleene ``and``/``or``/``!``/``!!``/``if``,
value selection and ``{"in": [need, {"var": "needs"}]}`` (a bit test) are numpy
expressions. Every other operator (string comparisons, ``in`` on lists and
strings, ``cat``, ``substr``, ``merge``, ``missing``, ``missing_some``, ``map``,
``filter``, ``reduce``, ``all``, ``none``, ``some``) runs the scalar operator once
per *distinct combination* of its input values, and never once per firm. A
string fact has at most a few thousand distinct values, so no operator needs a
per-firm fallback to :func:`evaluate_one`.
"""

from __future__ import annotations

import difflib
import json
import logging
import math
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from functools import lru_cache
from typing import Any

import numpy as np

from profiles.geography import gazetteer
from profiles.industries import all_divisions, all_major_groups
from profiles.needs import need_ids
from rules.errors import RuleSyntaxError
from rules.facts import FACT_LABELS, FACT_TYPES, FirmFacts
from rules.kleene import FALSE, TRUE, UNKNOWN

__all__ = [
    "compile_one",
    "one_firm_facts",
    "OPERATORS",
    "UNDEFINED",
    "Unknown",
    "LogicRule",
    "apply",
    "check",
    "check_program",
    "evaluate_one",
    "infix",
    "truthy",
]

_log = logging.getLogger(__name__)

_LISTS = (list, tuple)
_INF = math.inf
_NAN = math.nan

# ---------------------------------------------------------------------------
# JavaScript values
# ---------------------------------------------------------------------------


class _Undefined:
    """JavaScript's ``undefined``: an argument that is not given."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNDEFINED"

    def __bool__(self) -> bool:
        return False


#: JavaScript's ``undefined`` (what a missing argument evaluates to).
UNDEFINED = _Undefined()


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))


def _type(v: Any) -> str:
    if v is None:
        return "null"
    if v is UNDEFINED:
        return "undefined"
    if isinstance(v, (bool, np.bool_)):
        return "boolean"
    if isinstance(v, str):
        return "string"
    if _is_num(v):
        return "number"
    return "object"


def truthy(value: Any) -> bool:
    """JsonLogic truthiness: JavaScript's, except that ``[]`` is falsy.

    >>> [truthy(v) for v in (0, "", [], None, "0", [0], {}, float("nan"))]
    [False, False, False, False, True, True, True, False]
    """
    if value is None or value is UNDEFINED or value is False:
        return False
    if value is True:
        return True
    if isinstance(value, str):
        return value != ""
    if isinstance(value, _LISTS):
        return len(value) > 0
    if _is_num(value):
        f = float(value)
        return f == f and f != 0
    if isinstance(value, np.bool_):
        return bool(value)
    return True


def _num_out(f: float) -> int | float:
    """A result number: ``int`` when integral (except -0 and beyond 2**53), else ``float``."""
    if f == f and abs(f) < 9007199254740992.0 and f.is_integer() and not (f == 0 and math.copysign(1.0, f) < 0):
        return int(f)
    return f


def _num_to_str(x: Any) -> str:
    """JavaScript's ``Number.prototype.toString()``.

    >>> [_num_to_str(v) for v in (1.0, 0.1, 1e21, 1e-7, -0.0, 123456.789, float("inf"))]
    ['1', '0.1', '1e+21', '1e-7', '0', '123456.789', 'Infinity']
    """
    f = float(x)
    if f != f:
        return "NaN"
    if f == _INF:
        return "Infinity"
    if f == -_INF:
        return "-Infinity"
    if f == 0:
        return "0"
    if f.is_integer() and abs(f) < 1e21:
        return str(int(f))
    sign = "-" if f < 0 else ""
    _, digit_tuple, exp = Decimal(repr(abs(f))).normalize().as_tuple()
    digits = "".join(map(str, digit_tuple))
    k = len(digits)
    n = exp + k
    if k <= n <= 21:
        body = digits + "0" * (n - k)
    elif 0 < n <= 21:
        body = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        body = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        body = digits[0] + ("." + digits[1:] if k > 1 else "") + ("e+" if e >= 0 else "e-") + str(abs(e))
    return sign + body


def _to_string(v: Any) -> str:
    """JavaScript's ``String(v)``."""
    if isinstance(v, str):
        return v
    if v is None:
        return "null"
    if v is UNDEFINED:
        return "undefined"
    if v is True or (isinstance(v, np.bool_) and v):
        return "true"
    if v is False or isinstance(v, np.bool_):
        return "false"
    if _is_num(v):
        return _num_to_str(v)
    if isinstance(v, _LISTS):
        return ",".join("" if x is None or x is UNDEFINED else _to_string(x) for x in v)
    return "[object Object]"


def _to_primitive(v: Any) -> Any:
    if isinstance(v, _LISTS):
        return _to_string(v)
    if isinstance(v, dict):
        return "[object Object]"
    return v


_WS = ("\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
       "\u2028\u2029\u202f\u205f\u3000\ufeff")
_DECIMAL = re.compile(r"[+-]?(?:Infinity|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)")
_RADIX = re.compile(r"0(?:[xX][0-9a-fA-F]+|[oO][0-7]+|[bB][01]+)")


def _decimal(text: str) -> float:
    if text.endswith("Infinity"):
        return -_INF if text[0] == "-" else _INF
    return float(text)


def _str_to_number(s: str) -> float:
    """JavaScript's ``Number(string)``."""
    s = s.strip(_WS)
    if not s:
        return 0.0
    if _DECIMAL.fullmatch(s):
        return _decimal(s)
    if _RADIX.fullmatch(s):
        try:
            return float(int(s, 0))
        except OverflowError:
            return _INF
    return _NAN


def _to_number(v: Any) -> float:
    """JavaScript's ``Number(v)``.

    >>> [_to_number(v) for v in ("12", " 1e3 ", "", None, True, [], [5], "0x10", "1a")]
    [12.0, 1000.0, 0.0, 0.0, 1.0, 0.0, 5.0, 16.0, nan]
    """
    if _is_num(v):
        return float(v)
    if isinstance(v, str):
        return _str_to_number(v)
    if v is None:
        return 0.0
    if v is UNDEFINED:
        return _NAN
    if isinstance(v, (bool, np.bool_)):
        return 1.0 if v else 0.0
    return _str_to_number(_to_primitive(v))


def _parse_float(v: Any) -> float:
    """JavaScript's ``parseFloat(v)``.

    >>> [_parse_float(v) for v in ("3.5kg", "abc", True, -0.0, " .5", [7, 8])]
    [3.5, nan, nan, 0.0, 0.5, 7.0]
    """
    if _is_num(v):
        f = float(v)
        return 0.0 if f == 0 else f
    m = _DECIMAL.match(_to_string(v).lstrip(_WS))
    return _decimal(m.group(0)) if m else _NAN


def _loose_eq(a: Any, b: Any) -> bool:
    """JavaScript's ``a == b``."""
    ta, tb = _type(a), _type(b)
    if ta == tb:
        if ta == "number":
            return float(a) == float(b)
        if ta == "object":
            return a is b
        return ta in ("null", "undefined") or a == b
    if ta in ("null", "undefined") or tb in ("null", "undefined"):
        return ta in ("null", "undefined") and tb in ("null", "undefined")
    if ta == "number" and tb == "string":
        return float(a) == _str_to_number(b)
    if ta == "string" and tb == "number":
        return _str_to_number(a) == float(b)
    if ta == "boolean":
        return _loose_eq(1.0 if a else 0.0, b)
    if tb == "boolean":
        return _loose_eq(a, 1.0 if b else 0.0)
    if tb == "object":
        return _loose_eq(a, _to_primitive(b))
    return _loose_eq(_to_primitive(a), b)


def _strict_eq(a: Any, b: Any) -> bool:
    """JavaScript's ``a === b``."""
    ta = _type(a)
    if ta != _type(b):
        return False
    if ta == "number":
        return float(a) == float(b)
    if ta == "object":
        return a is b
    return ta in ("null", "undefined") or a == b


def _utf16(s: str) -> bytes:
    return s.encode("utf-16-be", "surrogatepass")


def _lt(a: Any, b: Any) -> bool | None:
    """JavaScript's abstract relational comparison ``a < b`` (``None`` = undefined, from NaN)."""
    pa, pb = _to_primitive(a), _to_primitive(b)
    if isinstance(pa, str) and isinstance(pb, str):
        return _utf16(pa) < _utf16(pb)
    x, y = _to_number(pa), _to_number(pb)
    if x != x or y != y:
        return None
    return x < y


def _rel(op: str, a: Any, b: Any) -> bool:
    """One JavaScript relational operator on two values."""
    if op == "<":
        return _lt(a, b) is True
    if op == ">":
        return _lt(b, a) is True
    if op == "<=":
        return _lt(b, a) is False
    return _lt(a, b) is False  # ">="


def _js_plus(a: Any, b: Any) -> Any:
    """JavaScript's binary ``a + b`` (concatenation when either side is a string)."""
    pa, pb = _to_primitive(a), _to_primitive(b)
    if isinstance(pa, str) or isinstance(pb, str):
        return _to_string(pa) + _to_string(pb)
    return _to_number(pa) + _to_number(pb)


def _to_integer(v: Any) -> float:
    """ToIntegerOrInfinity."""
    f = _to_number(v)
    if f != f:
        return 0
    if f in (_INF, -_INF):
        return f
    return math.trunc(f)


def _js_substr(s: str, start: Any, length: Any = UNDEFINED) -> str:
    """``String.prototype.substr`` over UTF-16 code units."""
    units = _utf16(s)
    size = len(units) // 2
    st = _to_integer(start)
    if st == -_INF:
        st = 0
    elif st < 0:
        st = max(size + st, 0)
    else:
        st = min(st, size)
    ln = size if length is UNDEFINED else _to_integer(length)
    ln = min(max(ln, 0), size - st)
    st, ln = int(st), int(ln)
    if ln <= 0:
        return ""
    return units[2 * st: 2 * (st + ln)].decode("utf-16-be", "surrogatepass")


def _js_min(values: list[float], is_min: bool) -> float:
    """``Math.min`` / ``Math.max`` on numbers (NaN wins; -0 < +0)."""
    r = _INF if is_min else -_INF
    for x in values:
        if r != r:
            continue
        if x != x:
            r = _NAN
        elif (x < r if is_min else x > r) or (x == 0 and r == 0 and (math.copysign(1.0, x) < 0) == is_min):
            r = x
    return r


def _js_div(x: float, y: float) -> float:
    if y == 0:
        if x == 0 or x != x:
            return _NAN
        return math.copysign(_INF, x) * math.copysign(1.0, y)
    return x / y


def _js_mod(x: float, y: float) -> float:
    if y == 0 or x != x or y != y or x in (_INF, -_INF):
        return _NAN
    return math.fmod(x, y)


# ---------------------------------------------------------------------------
# Standard operators
# ---------------------------------------------------------------------------


def _arg(args: list, i: int) -> Any:
    return args[i] if i < len(args) else UNDEFINED


def _op_plus(args: list) -> Any:
    acc: Any = 0.0
    for b in args:
        acc = _parse_float(acc) + _parse_float(b)
    return _num_out(acc)


def _op_times(args: list) -> Any:
    if not args:
        raise RuleSyntaxError("", "'*' needs at least one argument")
    acc = args[0]
    if len(args) == 1:
        return acc
    for b in args[1:]:
        acc = _parse_float(acc) * _parse_float(b)
    return _num_out(acc)


def _op_minus(args: list) -> Any:
    if len(args) < 2:
        return _num_out(-_to_number(_arg(args, 0)))
    return _num_out(_to_number(args[0]) - _to_number(args[1]))


def _op_in(args: list) -> bool:
    a, b = _arg(args, 0), _arg(args, 1)
    if isinstance(b, str):
        return b != "" and _to_string(a) in b
    if isinstance(b, _LISTS):
        return any(_strict_eq(x, a) for x in b)
    return False


def _op_substr(args: list) -> str:
    source, start, end = _arg(args, 0), _arg(args, 1), _arg(args, 2)
    s = _to_string(source)
    if end is not UNDEFINED and _lt(end, 0) is True:
        temp = _js_substr(s, start)
        return _js_substr(temp, 0, _js_plus(len(_utf16(temp)) // 2, end))
    return _js_substr(s, start, end)


def _op_merge(args: list) -> list:
    out: list = []
    for a in args:
        if isinstance(a, _LISTS):
            out.extend(a)
        else:
            out.append(a)
    return out


def _op_log(args: list) -> Any:
    a = _arg(args, 0)
    _log.info("%s", _to_string(a) if not isinstance(a, (dict, list)) else json.dumps(a, default=str))
    return a


def _op_between(op: str) -> Callable[[list], bool]:
    def fn(args: list) -> bool:
        a, b, c = _arg(args, 0), _arg(args, 1), _arg(args, 2)
        if c is UNDEFINED:
            return _rel(op, a, b)
        return _rel(op, a, b) and _rel(op, b, c)
    return fn


#: The operators whose arguments are all evaluated first (everything but the special forms).
_OPS: dict[str, Callable[[list], Any]] = {
    "==": lambda a: _loose_eq(_arg(a, 0), _arg(a, 1)),
    "!=": lambda a: not _loose_eq(_arg(a, 0), _arg(a, 1)),
    "===": lambda a: _strict_eq(_arg(a, 0), _arg(a, 1)),
    "!==": lambda a: not _strict_eq(_arg(a, 0), _arg(a, 1)),
    ">": lambda a: _rel(">", _arg(a, 0), _arg(a, 1)),
    ">=": lambda a: _rel(">=", _arg(a, 0), _arg(a, 1)),
    "<": _op_between("<"),
    "<=": _op_between("<="),
    "!!": lambda a: truthy(_arg(a, 0)),
    "!": lambda a: not truthy(_arg(a, 0)),
    "%": lambda a: _num_out(_js_mod(_to_number(_arg(a, 0)), _to_number(_arg(a, 1)))),
    "/": lambda a: _num_out(_js_div(_to_number(_arg(a, 0)), _to_number(_arg(a, 1)))),
    "+": _op_plus,
    "*": _op_times,
    "-": _op_minus,
    "min": lambda a: _num_out(_js_min([_to_number(x) for x in a], True)),
    "max": lambda a: _num_out(_js_min([_to_number(x) for x in a], False)),
    "in": _op_in,
    "cat": lambda a: "".join("" if x is None or x is UNDEFINED else _to_string(x) for x in a),
    "substr": _op_substr,
    "merge": _op_merge,
    "log": _op_log,
}

_SPECIAL = ("if", "?:", "and", "or", "var", "missing", "missing_some")
_SCOPED = ("map", "filter", "reduce", "all", "none", "some")
_COMPARISONS = ("==", "!=", "===", "!==", "<", "<=", ">", ">=", "in")

#: Argument counts ``(min, max)`` (``None`` = no maximum) that :func:`check` enforces.
_ARITY: dict[str, tuple[int, int | None]] = {
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
OPERATORS: tuple[str, ...] = tuple(_ARITY)


def _is_logic(rule: Any) -> bool:
    return isinstance(rule, dict) and len(rule) == 1


def _split(rule: dict) -> tuple[str, list]:
    ((op, raw),) = rule.items()
    return op, (list(raw) if isinstance(raw, _LISTS) else [raw])


def _get_var(data: Any, name: Any, not_found: Any) -> Any:
    """JsonLogic's ``var``: a dotted path into ``data``."""
    if name is UNDEFINED or name is None or (isinstance(name, str) and name == ""):
        return data
    for part in _to_string(name).split("."):
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
    if isinstance(obj, _LISTS):
        if _INDEX.fullmatch(key) and int(key) < len(obj):
            return obj[int(key)]
        return len(obj) if key == "length" else UNDEFINED
    if isinstance(obj, str):
        size = len(_utf16(obj)) // 2
        if _INDEX.fullmatch(key) and int(key) < size:
            return _js_substr(obj, int(key), 1)
        return size if key == "length" else UNDEFINED
    return UNDEFINED


def _missing(data: Any, args: list) -> list:
    keys = args[0] if args and isinstance(args[0], _LISTS) else args
    out = []
    for key in keys:
        value = _apply({"var": key}, data)
        if value is None or (isinstance(value, str) and value == ""):
            out.append(key)
    return out


def _missing_some(data: Any, args: list) -> list:
    need, options = _arg(args, 0), _arg(args, 1)
    inner = [_apply(o, data) for o in options] if isinstance(options, _LISTS) else [_apply(options, data)]
    are_missing = _missing(data, inner)
    if isinstance(options, _LISTS):
        length: float = len(options)
    elif isinstance(options, str):
        length = len(_utf16(options)) // 2
    else:
        length = _NAN
    if _rel(">=", length - len(are_missing), need):
        return []
    return are_missing


def _scoped(op: str, coll: Any, logic: Any, initial: Any) -> Any:
    """``map``/``filter``/``reduce``/``all``/``none``/``some`` on an evaluated collection."""
    is_list = isinstance(coll, _LISTS)
    if op == "map":
        return [_apply(logic, x) for x in coll] if is_list else []
    if op == "filter":
        return [x for x in coll if truthy(_apply(logic, x))] if is_list else []
    if op == "reduce":
        if not is_list:
            return initial
        acc = initial
        for x in coll:
            acc = _apply(logic, {"current": x, "accumulator": acc})
        return acc
    if not is_list or not coll:
        return op == "none"
    if op == "all":
        return all(truthy(_apply(logic, x)) for x in coll)
    found = any(truthy(_apply(logic, x)) for x in coll)
    return found if op == "some" else not found


def _apply(rule: Any, data: Any) -> Any:
    if isinstance(rule, _LISTS):
        return [_apply(x, data) for x in rule]
    if not _is_logic(rule):
        return rule
    op, values = _split(rule)
    if op in ("if", "?:"):
        i = 0
        while i < len(values) - 1:
            if truthy(_apply(values[i], data)):
                return _apply(values[i + 1], data)
            i += 2
        return _apply(values[i], data) if len(values) == i + 1 else None
    if op in ("and", "or"):
        current: Any = UNDEFINED
        for v in values:
            current = _apply(v, data)
            if truthy(current) == (op == "or"):
                return current
        return current
    if op in _SCOPED:
        coll = _apply(values[0], data) if values else UNDEFINED
        initial = _apply(values[2], data) if op == "reduce" and len(values) > 2 else None
        return _scoped(op, coll, _arg(values, 1), initial)
    args = [_apply(v, data) for v in values]
    if op == "var":
        b = _arg(args, 1)
        return _get_var(data, _arg(args, 0), None if b is UNDEFINED else b)
    return _call_op(op, data, args)


def _call_op(op: str, data: Any, args: list) -> Any:
    """The value of a plain operator on evaluated arguments (both evaluators end here)."""
    if op == "missing":
        return _missing(data, args)
    if op == "missing_some":
        return _missing_some(data, args)
    fn = _OPS.get(op)
    if fn is None:
        raise RuleSyntaxError("", _unknown_operator(op))
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
    return _export(_apply(rule, data))


# ---------------------------------------------------------------------------
# Static checks
# ---------------------------------------------------------------------------


def _unknown_operator(op: Any) -> str:
    if op == "method":
        return "operator 'method' is not supported (it calls JavaScript methods)"
    close = difflib.get_close_matches(str(op), OPERATORS, n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    return f"unknown operator {op!r}{hint}; known operators: {' '.join(OPERATORS)}"


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
    if isinstance(rule, _LISTS):
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
        if op not in _ARITY:
            yield path, _unknown_operator(op)
            return
        listed = isinstance(raw, _LISTS)
        args = list(raw) if listed else [raw]

        def at(i: int) -> str:
            return f"{path}.{op}[{i}]" if listed else f"{path}.{op}"

        lo, hi = _ARITY[op]
        if len(args) < lo or (hi is not None and len(args) > hi):
            want = str(lo) if lo == hi else (f"at least {lo}" if hi is None else f"{lo} to {hi}")
            yield path, f"{op!r} takes {want} argument{'s' if want != '1' else ''}, got {len(args)}"
            if op in ("var", "missing_some") + _SCOPED and len(args) < lo:
                return
        if not scoped and op == "var":
            problem = _fact_name_problem(args[0], "var")
            if problem:
                yield path, problem
            for i in range(1, len(args)):
                yield from _problems(args[i], at(i), scoped)
            return
        if not scoped and op == "missing":
            names, where = (args[0], lambda i: f"{at(0)}[{i}]") if args and isinstance(args[0], _LISTS) else (args, at)
            for i, name in enumerate(names):
                problem = _fact_name_problem(name, "missing")
                if problem:
                    yield where(i), problem
            return
        if not scoped and op == "missing_some":
            if not _is_num(args[0]) or not isinstance(args[0], (int, float)) or not math.isfinite(args[0]):
                yield at(0), f"missing_some needs a literal number of facts first, got {json.dumps(args[0], default=str)}"
            if not isinstance(args[1], _LISTS):
                yield at(1), "missing_some needs a literal list of fact names second"
            else:
                for i, name in enumerate(args[1]):
                    problem = _fact_name_problem(name, "missing_some")
                    if problem:
                        yield f"{at(1)}[{i}]", problem
            return
        for i, a in enumerate(args):
            yield from _problems(a, at(i), scoped or (op in _SCOPED and i == 1))
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


# ---------------------------------------------------------------------------
# Three-valued evaluation of one firm
# ---------------------------------------------------------------------------


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


def _truth3(v: Any) -> int:
    if isinstance(v, Unknown):
        return v.truth
    return TRUE if truthy(v) else FALSE


def _key(v: Any) -> tuple:
    """Identity of a value for "the branches agree" (numbers by value, arrays by identity)."""
    if v is None:
        return (0,)
    if isinstance(v, (bool, np.bool_)):
        return (1, bool(v))
    if _is_num(v):
        f = float(v)
        return (2, f) if f == f else (3,)
    if isinstance(v, str):
        return (4, v)
    if v is UNDEFINED:
        return (5,)
    return (6, id(v))


def _ev3(rule: Any, facts: Any) -> Any:
    if isinstance(rule, _LISTS):
        vals = [_ev3(x, facts) for x in rule]
        return Unknown.of(TRUE) if any(isinstance(v, Unknown) for v in vals) else vals
    if not _is_logic(rule):
        return rule
    op, values = _split(rule)
    if op in ("if", "?:"):
        return _ev3_if(values, facts)
    if op in ("and", "or"):
        decisive = FALSE if op == "and" else TRUE
        pending = False
        truths = []
        current: Any = UNDEFINED
        for v in values:
            current = _ev3(v, facts)
            t = _truth3(current)
            if t == decisive and not pending:
                return current
            pending = pending or t == UNKNOWN
            truths.append(t)
        if not pending:
            return current
        return Unknown.of(min(truths) if op == "and" else max(truths))
    if op in ("!", "!!"):
        t = _truth3(_ev3(values[0], facts)) if values else FALSE
        if t == UNKNOWN:
            return _U
        return (t == TRUE) == (op == "!!")
    if op in _SCOPED:
        coll = _ev3(values[0], facts) if values else UNDEFINED
        initial = _ev3(values[2], facts) if op == "reduce" and len(values) > 2 else None
        if isinstance(coll, Unknown) or isinstance(initial, Unknown):
            return _U
        return _scoped(op, coll, _arg(values, 1), initial)
    args = [_ev3(v, facts) for v in values]
    if op == "log":
        a = _arg(args, 0)
        return a if isinstance(a, Unknown) else _op_log(args)
    if op == "var":
        name = _arg(args, 0)
        if isinstance(name, Unknown):
            return _U
        value = _get_var(facts, name, None)
        if value is None:
            return args[1] if len(args) > 1 else _U
        return value
    if op == "*" and len(args) == 1:  # a lone factor comes back as it is, known or not
        return args[0]
    if any(isinstance(a, Unknown) for a in args):
        return _U
    return _call_op(op, facts, args)


def _ev3_if(values: list, facts: Any) -> Any:
    candidates: list[int] = []  # indices into values; -1 = the implicit null
    i = 0
    decided = False
    while i < len(values) - 1:
        t = _truth3(_ev3(values[i], facts))
        if t != FALSE:
            candidates.append(i + 1)
        if t == TRUE:
            decided = True
            break
        i += 2
    if not decided:
        candidates.append(i if len(values) == i + 1 else -1)
    vals = [_ev3(values[c], facts) if c >= 0 else None for c in candidates]
    if len(vals) == 1:
        return vals[0]
    if not any(isinstance(v, Unknown) for v in vals) and all(_key(v) == _key(vals[0]) for v in vals):
        return vals[0]
    truths = [_truth3(v) for v in vals]
    return Unknown.of(truths[0] if all(t == truths[0] for t in truths) else UNKNOWN)


@lru_cache(maxsize=1)
def _need_order() -> dict[str, int]:
    return {nid: i for i, nid in enumerate(need_ids())}


def _canonical_needs(needs: Any) -> list:
    order = _need_order()
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
    data = dict(facts)
    if isinstance(data.get("needs"), _LISTS):
        data["needs"] = _canonical_needs(data["needs"])
    return _truth3(_ev3(rule, data))


def one_firm_facts(facts: dict[str, Any]) -> dict[str, Any]:
    """A copy of one firm's facts ready for a :func:`compile_one` function (needs in vocabulary order)."""
    data = dict(facts)
    if isinstance(data.get("needs"), _LISTS):
        data["needs"] = _canonical_needs(data["needs"])
    return data


def compile_one(rule: Any) -> Callable[[dict[str, Any]], int]:
    """:func:`evaluate_one` compiled once into nested closures, for rules evaluated many times.

    The closures follow :func:`_ev3` step by step (the rarely used ``if``, iterating
    operators, ``log`` and ``missing`` call it directly), so the values are the same;
    a property test checks it on random rules. The function takes facts prepared by
    :func:`one_firm_facts`.

    >>> sme = compile_one({"or": [{"<=": [{"var": "employees"}, 300]}, {"<=": [{"var": "capital_jpy"}, 3e8]}]})
    >>> sme(one_firm_facts({"employees": 25, "capital_jpy": None})), sme(one_firm_facts({"employees": 500}))
    (2, 1)
    """
    ev = _scalar(rule)
    return lambda data: _truth3(ev(data))


def _scalar(rule: Any) -> Callable[[Any], Any]:
    if isinstance(rule, _LISTS):
        items = [_scalar(x) for x in rule]

        def ev_list(facts):
            vals = [g(facts) for g in items]
            return Unknown.of(TRUE) if any(isinstance(v, Unknown) for v in vals) else vals
        return ev_list
    if not _is_logic(rule):
        return lambda facts: rule
    op, values = _split(rule)
    if op in ("if", "?:", "log", "missing", "missing_some") or op in _SCOPED or (
            op not in _OPS and op not in ("and", "or", "!", "!!", "var")):
        return lambda facts: _ev3(rule, facts)
    if op in ("and", "or"):
        decisive = FALSE if op == "and" else TRUE
        items = [_scalar(v) for v in values]

        def ev_logic(facts):
            pending = False
            truths = []
            current: Any = UNDEFINED
            for g in items:
                current = g(facts)
                t = _truth3(current)
                if t == decisive and not pending:
                    return current
                pending = pending or t == UNKNOWN
                truths.append(t)
            if not pending:
                return current
            return Unknown.of(min(truths) if op == "and" else max(truths))
        return ev_logic
    if op in ("!", "!!"):
        inner = _scalar(values[0]) if values else None
        want = op == "!!"

        def ev_not(facts):
            t = _truth3(inner(facts)) if inner is not None else FALSE
            if t == UNKNOWN:
                return _U
            return (t == TRUE) == want
        return ev_not
    items = [_scalar(v) for v in values]
    if op == "var":
        def ev_var(facts):
            args = [g(facts) for g in items]
            name = _arg(args, 0)
            if isinstance(name, Unknown):
                return _U
            value = _get_var(facts, name, None)
            if value is None:
                return args[1] if len(args) > 1 else _U
            return value
        return ev_var
    fn = _OPS[op]
    if op == "*" and len(items) == 1:  # as in _ev3: a lone factor comes back as it is
        return items[0]

    def ev_op(facts):
        args = [g(facts) for g in items]
        if any(isinstance(a, Unknown) for a in args):
            return _U
        return fn(args)
    return ev_op


# ---------------------------------------------------------------------------
# Columns of values for many firms
# ---------------------------------------------------------------------------

_CONST, _NUM, _BOOL, _CAT, _NEEDS, _TRUTH = "const", "num", "bool", "cat", "needs", "truth"


class _Col:
    """The values of one subexpression for ``n`` firms.

    ``kind`` is ``const`` (``data`` is one known value), ``num`` (float64 array),
    ``bool`` (bool array), ``cat`` (``data`` codes into ``table``), ``needs`` (int64
    bitmask) or ``truth`` (only Kleene truth values, for logic that feeds logic).
    ``known`` masks the known entries (``None``: all known). ``utruth`` is the truth
    value of the unknown ones (an int or a uint8 array).
    """

    __slots__ = ("kind", "n", "data", "table", "known", "utruth", "_cat")

    def __init__(self, kind: str, n: int, data: Any, table: list | None = None,
                 known: np.ndarray | None = None, utruth: Any = UNKNOWN):
        self.kind = kind
        self.n = n
        self.data = data
        self.table = table
        self.known = None if known is None or known.all() else known
        self.utruth = utruth
        self._cat: tuple[np.ndarray, list] | None = None

    # -- masks and truth ---------------------------------------------------
    def known_mask(self) -> np.ndarray:
        return np.ones(self.n, bool) if self.known is None else self.known

    def utruth_array(self) -> np.ndarray:
        return np.broadcast_to(np.asarray(self.utruth, np.uint8), (self.n,))

    def truth(self) -> np.ndarray:
        k, d = self.kind, self.data
        if k == _TRUTH:
            return d
        if k == _CONST:
            t = np.full(self.n, TRUE if truthy(d) else FALSE, np.uint8)
        elif k == _NUM:
            t = np.where((d != 0) & ~np.isnan(d), TRUE, FALSE).astype(np.uint8)
        elif k == _BOOL:
            t = np.where(d, TRUE, FALSE).astype(np.uint8)
        elif k == _NEEDS:
            t = np.where(d != 0, TRUE, FALSE).astype(np.uint8)
        else:
            if self.table:
                tt = np.array([TRUE if truthy(v) else FALSE for v in self.table], np.uint8)
                t = tt[d]
            else:
                t = np.zeros(self.n, np.uint8)
        if self.known is not None:
            t = np.where(self.known, t, self.utruth).astype(np.uint8)
        return t

    # -- conversions -------------------------------------------------------
    def to_cat(self) -> tuple[np.ndarray, list]:
        """Codes into a table of Python values (valid where known)."""
        if self._cat is None:
            k, d, n = self.kind, self.data, self.n
            if k == _CONST:
                self._cat = (np.zeros(n, np.intp), [d])
            elif k == _CAT:
                self._cat = (d, self.table)
            elif k == _BOOL:
                self._cat = (d.astype(np.intp), [False, True])
            elif k == _NUM:
                codes = np.zeros(n, np.intp)
                known = self.known_mask()
                u, inv = np.unique(d[known], return_inverse=True)
                codes[known] = inv.ravel()
                self._cat = (codes, [_num_out(float(x)) for x in u])
            elif k == _NEEDS:
                u, inv = np.unique(d, return_inverse=True)
                self._cat = (inv.ravel().astype(np.intp), [_needs_list(int(m)) for m in u])
            else:
                raise TypeError("a truth-only column has no values")
        return self._cat

    def floats(self, conv: Callable[[Any], float]) -> np.ndarray:
        """``conv`` (a scalar number conversion) applied to every value, as floats."""
        if self.kind == _NUM:
            return self.data + 0.0 if conv is _parse_float else self.data
        if self.kind == _CONST:
            return np.full(self.n, conv(self.data))
        codes, table = self.to_cat()
        tab = np.array([conv(v) for v in table], float) if table else np.zeros(1)
        return tab[codes]

    def bools(self) -> np.ndarray:
        if self.kind == _BOOL:
            return self.data
        if self.kind == _CONST:
            return np.full(self.n, bool(self.data))
        return np.zeros(self.n, bool)  # a column with no known value

    def all_numbers(self) -> bool:
        return self.kind == _NUM or (self.kind == _CONST and _is_num(self.data))

    def all_bools(self) -> bool:
        return self.kind == _BOOL or (self.kind == _CONST and isinstance(self.data, bool))

    def never_string(self) -> bool:
        """No value turns into a string under ToPrimitive (so ``<`` compares numbers)."""
        objects = (str, list, tuple, dict)
        if self.kind in (_NUM, _BOOL):
            return True
        if self.kind == _CONST:
            return not isinstance(self.data, objects)
        if self.kind == _CAT:
            return not any(isinstance(v, objects) for v in self.table)
        return False

    def value_at(self, i: int) -> Any:
        """The value of firm ``i`` (``None`` when unknown)."""
        if self.known is not None and not self.known[i]:
            return None
        if self.kind == _CONST:
            return self.data
        if self.kind == _NUM:
            return _num_out(float(self.data[i]))
        if self.kind == _BOOL:
            return bool(self.data[i])
        if self.kind == _NEEDS:
            return _needs_list(int(self.data[i]))
        return self.table[self.data[i]]


def _const(n: int, value: Any) -> _Col:
    return _Col(_CONST, n, value)


def _truth_col(t: np.ndarray) -> _Col:
    return _Col(_TRUTH, len(t), t.astype(np.uint8, copy=False))


def _bool_col(b: np.ndarray, known: np.ndarray | None) -> _Col:
    return _Col(_BOOL, len(b), b, known=known)


def _known_all(cols: list[_Col], n: int) -> np.ndarray | None:
    masks = [c.known for c in cols if c.known is not None]
    if not masks:
        return None
    return np.logical_and.reduce(masks) if len(masks) > 1 else masks[0]


def _needs_list(mask: int) -> list[str]:
    return [nid for i, nid in enumerate(need_ids()) if mask >> i & 1]


def _from_table(n: int, codes: np.ndarray, table: list, known: np.ndarray | None, utruth: Any) -> _Col:
    """A column from codes into a table, as a number or boolean column when possible."""
    if table and all(isinstance(v, bool) for v in table):
        return _Col(_BOOL, n, np.array(table, bool)[codes], known=known, utruth=utruth)
    if table and all(_is_num(v) for v in table):
        return _Col(_NUM, n, np.array([float(v) for v in table])[codes], known=known, utruth=utruth)
    if not table:
        known = np.zeros(n, bool)
    return _Col(_CAT, n, codes, table=table, known=known, utruth=utruth)


def _combine(code_arrays: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Dense ids of the distinct combinations of codes, and one row of each id."""
    key = np.zeros(len(code_arrays[0]), np.int64)
    for c in code_arrays:
        key = key * (int(c.max()) + 1) + c
        key = np.unique(key, return_inverse=True)[1].ravel()
    _, first, inv = np.unique(key, return_index=True, return_inverse=True)
    return inv.ravel(), first


def _generic(n: int, fn: Callable[..., Any], cols: list[_Col], unknown_truth: int = UNKNOWN) -> _Col:
    """``fn`` applied to the values of ``cols``, once per distinct combination (strict in unknowns)."""
    if all(c.kind == _CONST for c in cols):
        return _const(n, fn(*[c.data for c in cols]))
    known = _known_all(cols, n)
    rows = np.arange(n) if known is None else np.flatnonzero(known)
    parts = [(i, c.to_cat()) for i, c in enumerate(cols) if c.kind != _CONST]
    base = [c.data if c.kind == _CONST else None for c in cols]
    codes_out = np.zeros(n, np.intp)
    table: list = []
    if len(rows):
        inv, first = _combine([codes[rows] for _, (codes, _) in parts])
        for r in rows[first]:
            args = list(base)
            for i, (codes, tab) in parts:
                args[i] = tab[codes[r]]
            table.append(fn(*args))
        codes_out[rows] = inv
    return _from_table(n, codes_out, table, known, unknown_truth)


def _union(cols: list[_Col]) -> tuple[list[np.ndarray], list]:
    """Codes of every column into one shared table of distinct values (-1 = unknown)."""
    index: dict[tuple, int] = {}
    table: list = []
    out = []
    for c in cols:
        codes, tab = c.to_cat()
        ids = np.empty(max(len(tab), 1), np.intp)
        for i, v in enumerate(tab):
            k = _key(v)
            g = index.get(k)
            if g is None:
                g = index[k] = len(table)
                table.append(v)
            ids[i] = g
        g = ids[codes] if tab else np.full(c.n, -1, np.intp)
        if c.known is not None:
            g = np.where(c.known, g, -1)
        out.append(g)
    return out, table


class _Values:
    """The values of several columns in one comparable form (floats, booleans or shared codes)."""

    def __init__(self, cols: list[_Col], n: int):
        self.n = n
        self.known = [c.known_mask() for c in cols]
        self.utruth = [c.utruth_array() for c in cols]
        if all(c.all_numbers() for c in cols):
            self.kind = _NUM
            self.vals = [c.floats(_to_number) for c in cols]
        elif all(c.all_bools() for c in cols):
            self.kind = _BOOL
            self.vals = [c.bools() for c in cols]
        else:
            self.kind = _CAT
            self.vals, self.table = _union(cols)

    def same(self, i: int, j: np.ndarray) -> np.ndarray:
        """Whether column ``i`` and, per firm, column ``j[firm]`` hold the same known value."""
        mine = self.vals[i]
        theirs = self._gather(self.vals, j)
        both = self.known[i] & self._gather(self.known, j)
        if self.kind == _NUM:
            eq = (mine == theirs) | (np.isnan(mine) & np.isnan(theirs))
        else:
            eq = mine == theirs
        return both & eq

    def _gather(self, arrays: list[np.ndarray], choice: np.ndarray) -> np.ndarray:
        stacked = np.stack(arrays)
        return stacked[np.clip(choice, 0, len(arrays) - 1), np.arange(self.n)]

    def select(self, choice: np.ndarray, utruth: np.ndarray) -> _Col:
        """Per firm the value of column ``choice[firm]``; ``-1`` = unknown with ``utruth``."""
        n = self.n
        picked = choice >= 0
        known = picked & self._gather(self.known, choice)
        ut = np.where(picked, self._gather(self.utruth, choice), utruth).astype(np.uint8)
        data = self._gather(self.vals, choice)
        if self.kind == _NUM:
            return _Col(_NUM, n, data, known=known, utruth=ut)
        if self.kind == _BOOL:
            return _Col(_BOOL, n, data, known=known, utruth=ut)
        known &= data >= 0
        return _from_table(n, np.where(known, data, 0), self.table, known, ut)


# ---------------------------------------------------------------------------
# Fact columns
# ---------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _industry_table() -> tuple[list[str], int]:
    groups = list(all_major_groups())
    return groups + list(all_divisions()), len(groups)


@lru_cache(maxsize=1)
def _municipality_table() -> list[str]:
    return [g.code for g in gazetteer().records]


@lru_cache(maxsize=1)
def _prefecture_table() -> list[str]:
    return [f"{i + 1:02d}" for i in range(len(gazetteer().prefectures))]


def _cat_col(codes: np.ndarray, table: list) -> _Col:
    known = codes >= 0
    return _Col(_CAT, len(codes), np.where(known, codes, 0).astype(np.intp), table=table, known=known)


def _fact_col(facts: FirmFacts, name: str) -> _Col:
    """The column of one fact, from the code columns of ``facts`` and cached tables."""
    n = facts.n
    kind = FACT_TYPES.get(name)
    if kind == "number":
        d = np.asarray(getattr(facts, name), float)
        return _Col(_NUM, n, d, known=~np.isnan(d))
    if kind == "bool":
        v = np.asarray(getattr(facts, name))
        return _Col(_BOOL, n, v == 1, known=v >= 0)
    if name == "needs":
        return _Col(_NEEDS, n, np.asarray(facts.needs, np.int64))
    if name == "industry":
        table, n_groups = _industry_table()
        g = np.asarray(facts.major_group, np.intp)
        d = np.asarray(facts.division, np.intp)
        return _cat_col(np.where(g >= 0, g, np.where(d >= 0, n_groups + d, -1)), table)
    if name == "division":
        return _cat_col(np.asarray(facts.division, np.intp), list(all_divisions()))
    if name == "prefecture":
        return _cat_col(np.asarray(facts.prefecture, np.intp), _prefecture_table())
    if name == "municipality":
        return _cat_col(np.asarray(facts.municipality, np.intp), _municipality_table())
    raise RuleSyntaxError("", f"fact {name!r} has no column in FirmFacts; rules.logic needs updating")


class _Ctx:
    """One evaluation: the facts and a cache of their columns."""

    def __init__(self, facts: FirmFacts):
        self.facts = facts
        self.n = facts.n
        self._cols: dict[str, _Col] = {}

    def fact(self, name: str) -> _Col:
        col = self._cols.get(name)
        if col is None:
            col = self._cols[name] = _fact_col(self.facts, name)
        return col


# ---------------------------------------------------------------------------
# Vectorized operators
# ---------------------------------------------------------------------------

_Node = Callable[[_Ctx], _Col]


def _strict_num(v: Any) -> float:
    return float(v) if _is_num(v) else _NAN


def _loose_num(v: Any) -> float:
    return _NAN if v is None or v is UNDEFINED else _to_number(v)


def _relational(op: str, cols: list[_Col], n: int) -> _Col:
    known = _known_all(cols, n)
    result = np.ones(n, bool)
    for a, b in zip(cols, cols[1:]):
        if a.never_string() or b.never_string():
            x, y = a.floats(_to_number), b.floats(_to_number)
            with np.errstate(invalid="ignore"):
                r = {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op]
        else:
            r = _generic(n, lambda p, q: _rel(op, p, q), [a, b]).bools()
        result &= r
    return _bool_col(result, known)


def _equality(op: str, a: _Col, b: _Col, n: int) -> _Col:
    known = _known_all([a, b], n)
    strict = op in ("===", "!==")
    if a.all_numbers() or b.all_numbers():
        num, other = (a, b) if a.all_numbers() else (b, a)
        x = num.floats(_to_number)
        y = other.floats(_strict_num if strict else _loose_num)
        eq = x == y
        return _bool_col(eq if op in ("==", "===") else ~eq, known)
    return _generic(n, lambda p, q: _OPS[op]([p, q]), [a, b])


def _contains(a: _Col, b: _Col, n: int) -> _Col:
    if b.kind == _NEEDS and a.kind == _CONST:
        bit = _need_order().get(a.data) if isinstance(a.data, str) else None
        if bit is None:
            return _bool_col(np.zeros(n, bool), None)
        return _bool_col((b.data >> bit) & 1 == 1, None)
    return _generic(n, lambda p, q: _op_in([p, q]), [a, b])


def _arith(op: str, cols: list[_Col], n: int) -> _Col:
    known = _known_all(cols, n)
    with np.errstate(all="ignore"):
        if op == "+":
            acc = np.zeros(n)
            for c in cols:
                acc = (acc + 0.0) + c.floats(_parse_float)
        elif op == "*":
            acc = cols[0].floats(_parse_float)
            for c in cols[1:]:
                acc = (acc + 0.0) * c.floats(_parse_float)
        elif op == "-":
            if len(cols) == 1:
                acc = -cols[0].floats(_to_number)
            else:
                acc = cols[0].floats(_to_number) - cols[1].floats(_to_number)
        elif op == "/":
            acc = cols[0].floats(_to_number) / cols[1].floats(_to_number)
        elif op == "%":
            acc = np.fmod(cols[0].floats(_to_number), cols[1].floats(_to_number))
        else:  # min, max
            is_min = op == "min"
            acc = np.full(n, np.inf if is_min else -np.inf)
            nan = np.zeros(n, bool)
            for c in cols:
                x = c.floats(_to_number)
                nan |= np.isnan(x)
                better = (x < acc) if is_min else (x > acc)
                zeros = (x == 0) & (acc == 0) & (np.signbit(x) == is_min)
                acc = np.where(better | zeros, x, acc)
            acc[nan] = np.nan
    return _Col(_NUM, n, acc, known=known)


def _missing_col(names: list, need: Any, ctx: _Ctx, some: bool) -> _Col:
    """``missing`` / ``missing_some`` over literal fact names, once per pattern of missing facts."""
    n = ctx.n
    if not names:
        return _const(n, _missing_some({}, [need, []]) if some else [])
    absent = np.stack([~ctx.fact(name).known_mask() for name in names], axis=1)
    patterns, inv = np.unique(absent, axis=0, return_inverse=True)
    table = []
    for row in patterns:
        data = {name: (None if gone else 0) for name, gone in zip(names, row)}
        table.append(_missing_some(data, [need, list(names)]) if some else _missing(data, list(names)))
    return _from_table(n, inv.ravel().astype(np.intp), table, None, UNKNOWN)


def _and_or(is_and: bool, cols: list[_Col], n: int, want_value: bool) -> _Col:
    truths = [c.truth() for c in cols]
    if not want_value:
        return _truth_col((np.minimum if is_and else np.maximum).reduce(truths))
    decisive = FALSE if is_and else TRUE
    choice = np.full(n, -1, np.intp)
    pending = np.zeros(n, bool)
    for j, t in enumerate(truths):
        open_ = choice < 0
        choice[open_ & ~pending & (t == decisive)] = j
        pending |= (choice < 0) & (t == UNKNOWN)
    choice[(choice < 0) & ~pending] = len(cols) - 1
    agg = (np.minimum if is_and else np.maximum).reduce(truths)
    return _Values(cols, n).select(choice, agg)


def _if(conds: list[np.ndarray], branches: list[_Col], n: int, want_value: bool) -> _Col:
    m = len(branches)
    alive = np.ones(n, bool)
    certain = np.ones(n, bool)
    choice = np.full(n, -1, np.intp)
    possible = []
    for j, t in enumerate(conds):
        possible.append(alive & (t != FALSE))
        choice[certain & (t == TRUE)] = j
        alive = alive & (t != TRUE)
        certain = certain & (t == FALSE)
    possible.append(alive)
    choice[certain] = m - 1
    truths = np.stack([b.truth() for b in branches])
    first = np.full(n, -1, np.intp)
    for j in range(m):
        first[(first < 0) & possible[j]] = j
    cols = np.arange(n)
    t_first = truths[np.clip(first, 0, m - 1), cols]
    t_agree = np.ones(n, bool)
    for j in range(m):
        t_agree &= ~possible[j] | (truths[j] == t_first)
    ut = np.where(t_agree, t_first, UNKNOWN).astype(np.uint8)
    if not want_value:
        return _truth_col(np.where(choice >= 0, truths[np.clip(choice, 0, m - 1), cols], ut))
    values = _Values(branches, n)
    v_agree = np.ones(n, bool)
    for j in range(m):
        v_agree &= ~possible[j] | values.same(j, first)
    chosen = np.where(choice >= 0, choice, np.where(v_agree, first, -1))
    return values.select(chosen, ut)


# ---------------------------------------------------------------------------
# Compilation
# ---------------------------------------------------------------------------


def _reads_facts(rule: Any) -> bool:
    if isinstance(rule, _LISTS):
        return any(_reads_facts(x) for x in rule)
    if not _is_logic(rule):
        return False
    op, values = _split(rule)
    if op in ("var", "missing", "missing_some"):
        return True
    return any(_reads_facts(v) for i, v in enumerate(values) if not (op in _SCOPED and i == 1))


def _fact_names(rule: Any, out: dict[str, None]) -> dict[str, None]:
    """The facts a checked rule reads, in order of first appearance."""
    if isinstance(rule, _LISTS):
        for x in rule:
            _fact_names(x, out)
        return out
    if not _is_logic(rule):
        return out
    op, values = _split(rule)
    if op == "var":
        out.setdefault(values[0])
        for v in values[1:]:
            _fact_names(v, out)
    elif op == "missing":
        for name in values[0] if values and isinstance(values[0], _LISTS) else values:
            out.setdefault(name)
    elif op == "missing_some":
        for name in values[1]:
            out.setdefault(name)
    else:
        for i, v in enumerate(values):
            if not (op in _SCOPED and i == 1):
                _fact_names(v, out)
    return out


def _compile(rule: Any, want_value: bool) -> _Node:
    """A node function computing ``rule`` for all firms (``want_value=False``: truth values suffice)."""
    if not _reads_facts(rule):
        value = _apply(rule, {})
        return lambda ctx: _const(ctx.n, value)
    if isinstance(rule, _LISTS):
        elems = [_compile(x, True) for x in rule]
        return lambda ctx: _generic(ctx.n, lambda *xs: list(xs), [e(ctx) for e in elems], TRUE)
    op, values = _split(rule)
    if op == "var":
        name = values[0]
        if len(values) < 2:
            return lambda ctx: ctx.fact(name)
        default = _compile(values[1], True)

        def var_default(ctx: _Ctx) -> _Col:
            fact, dflt = ctx.fact(name), default(ctx)
            if fact.known is None:
                return fact
            return _Values([fact, dflt], ctx.n).select(np.where(fact.known, 0, 1), np.full(ctx.n, UNKNOWN, np.uint8))
        return var_default
    if op == "missing":
        names = list(values[0] if values and isinstance(values[0], _LISTS) else values)
        return lambda ctx: _missing_col(names, None, ctx, some=False)
    if op == "missing_some":
        need, names = values[0], list(values[1])
        return lambda ctx: _missing_col(names, need, ctx, some=True)
    if op in ("and", "or"):
        kids = [_compile(v, want_value) for v in values]
        return lambda ctx: _and_or(op == "and", [k(ctx) for k in kids], ctx.n, want_value)
    if op in ("!", "!!"):
        kid = _compile(values[0], False)

        def negate(ctx: _Ctx) -> _Col:
            t = kid(ctx).truth()
            return _bool_col(t == (FALSE if op == "!" else TRUE), t != UNKNOWN)
        return negate
    if op in ("if", "?:"):
        conds = [_compile(values[i], False) for i in range(0, len(values) - 1, 2)]
        branches = [_compile(values[i], want_value) for i in range(1, len(values), 2)]
        if len(values) % 2:
            branches.append(_compile(values[-1], want_value))
        else:
            branches.append(lambda ctx: _const(ctx.n, None))
        return lambda ctx: _if([c(ctx).truth() for c in conds], [b(ctx) for b in branches], ctx.n, want_value)
    if op in _SCOPED:
        logic = _arg(values, 1)
        coll = _compile(values[0], True)
        init = _compile(values[2], True) if op == "reduce" and len(values) > 2 else (lambda ctx: _const(ctx.n, None))
        return lambda ctx: _generic(ctx.n, lambda c, i: _scoped(op, c, logic, i), [coll(ctx), init(ctx)])
    if op == "log":
        kid = _compile(values[0], want_value)
        return kid
    args = [_compile(v, True) for v in values]
    if op in ("<", "<=", ">", ">="):
        return lambda ctx: _relational(op, [a(ctx) for a in args], ctx.n)
    if op in ("==", "!=", "===", "!=="):
        return lambda ctx: _equality(op, args[0](ctx), args[1](ctx), ctx.n)
    if op == "in":
        return lambda ctx: _contains(args[0](ctx), args[1](ctx), ctx.n)
    if op == "*" and len(args) == 1:
        return args[0]
    if op in ("+", "-", "*", "/", "%", "min", "max"):
        return lambda ctx: _arith(op, [a(ctx) for a in args], ctx.n)
    fn = _OPS.get(op)
    if fn is None:
        raise RuleSyntaxError("", _unknown_operator(op))
    return lambda ctx: _generic(ctx.n, lambda *xs: fn(list(xs)), [a(ctx) for a in args])


# ---------------------------------------------------------------------------
# Words
# ---------------------------------------------------------------------------

_PREC = {"or": 1, "and": 2, "!": 3, "in": 4, "+": 5, "-": 5, "*": 6, "/": 6, "%": 6}
_NEGATED = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "==", "===": "!==", "!==": "===",
            "in": "not in"}


def _fmt_number(v: Any) -> str:
    f = float(v)
    if f == f and abs(f) < 1e21 and f.is_integer():
        return f"{int(f):,}"
    return f"{f:,}" if math.isfinite(f) else _num_to_str(f)


def _fmt_literal(v: Any) -> str:
    if v is None or v is UNDEFINED:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if _is_num(v):
        return _fmt_number(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, _LISTS):
        return "[" + ", ".join(_fmt_literal(x) for x in v) + "]"
    return json.dumps(v, ensure_ascii=False, default=str)


def _fmt_value(v: Any) -> str:
    """A fact's value in plain words."""
    if v is None:
        return "not given"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if _is_num(v):
        return _fmt_number(v)
    if isinstance(v, _LISTS):
        return ", ".join(_fmt_value(x) for x in v) if v else "none"
    return str(v)


def _label(fact: str) -> str:
    return FACT_LABELS.get(fact, fact).replace(" (¥)", "")


def _render(rule: Any, facts: dict | None = None, scoped: bool = False) -> tuple[str, int]:
    """Infix text of a rule and its precedence; with ``facts``, fact names carry their values."""
    if isinstance(rule, _LISTS):
        return "[" + ", ".join(_render(x, facts, scoped)[0] for x in rule) + "]", 9
    if not _is_logic(rule):
        return _fmt_literal(rule), 9
    op, args = _split(rule)

    def sub(x: Any, prec: int, inner: bool = scoped) -> str:
        text, p = _render(x, facts, inner)
        return f"({text})" if p < prec else text

    def call(name: str, xs: list) -> str:
        return f"{name}({', '.join(sub(x, 0) for x in xs)})"

    if op == "var":
        name = _arg(args, 0)
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
        return f"not {sub(_arg(args, 0), 4)}", 3
    if op == "!!":
        return call("truthy", args[:1]), 9
    if op in _COMPARISONS:
        return f" {op} ".join(sub(x, 5) for x in args), 4
    if op in ("+", "*"):
        if len(args) == 1:
            return (call("number", args) if op == "+" else sub(args[0], 9)), 9
        return f" {op} ".join(sub(x, _PREC[op]) for x in args), _PREC[op]
    if op in ("-", "/", "%"):
        if len(args) == 1:
            return f"-{sub(args[0], 7)}", 7
        return f"{sub(args[0], _PREC[op])} {op} {sub(_arg(args, 1), _PREC[op] + 1)}", _PREC[op]
    if op in ("if", "?:"):
        parts = []
        for i in range(0, len(args) - 1, 2):
            parts.append(f"{'if' if i == 0 else 'elif'} {sub(args[i], 1)} then {sub(args[i + 1], 1)}")
        if len(args) % 2:
            parts.append(("else " if parts else "") + sub(args[-1], 1))
        return " ".join(parts), 0
    if op == "missing":
        names = args[0] if args and isinstance(args[0], _LISTS) else args
        return f"missing({', '.join(str(x) if isinstance(x, str) else sub(x, 0) for x in names)})", 9
    if op in _SCOPED:
        return f"{op}({sub(args[0], 0)}, {sub(_arg(args, 1), 0, True)}" + "".join(
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


def _atoms(rule: Any, polarity: int, out: list[tuple[Any, int]]) -> list[tuple[Any, int]]:
    """The non-logical parts of a rule in truth position, with their polarity (+1, -1, 0 = either)."""
    if not _is_logic(rule):
        return out
    op, args = _split(rule)
    if op in ("and", "or", "!!"):
        for a in args:
            _atoms(a, polarity, out)
    elif op == "!":
        for a in args[:1]:
            _atoms(a, -polarity, out)
    elif op in ("if", "?:"):
        for i, a in enumerate(args):
            _atoms(a, 0 if (i % 2 == 0 and i < len(args) - 1) else polarity, out)
    else:
        out.append((rule, polarity))
    return out


def _atom_text(atom: Any, t: int, facts: dict) -> str:
    if t == UNKNOWN:
        gone = [f for f in _fact_names(atom, {}) if facts.get(f) is None]
        if gone:
            return " and ".join(_label(f) for f in gone) + " not given"
        return f"cannot tell whether {_render(atom)[0]}"
    op, args = _split(atom)
    if op == "var" and len(args) == 1 and FACT_TYPES.get(args[0]) == "bool":
        return f"{_label(args[0])}: {_fmt_value(facts.get(args[0]))}"
    text = _render(atom, facts)[0]
    if t == TRUE:
        return text
    if op in _NEGATED and len(args) == 2:
        return f" {_NEGATED[op]} ".join(_render(x, facts)[0] for x in args)
    return f"not ({text})"


# ---------------------------------------------------------------------------
# The compiled rule
# ---------------------------------------------------------------------------


class LogicRule:
    """A JsonLogic eligibility rule, checked and compiled once, evaluated for many firms.

    Parameters
    ----------
    expr : JSON value
        The rule. It is checked with :func:`check` (path ``logic``).

    Examples
    --------
    >>> import datetime as dt
    >>> from profiles.models import CompanyProfile
    >>> firms = [CompanyProfile(municipality="131172", employees=25),
    ...          CompanyProfile(municipality="131172", employees=400),
    ...          CompanyProfile(municipality="131172")]
    >>> facts = FirmFacts.from_profiles(firms, dt.date(2026, 1, 1))
    >>> rule = LogicRule({"or": [{"<=": [{"var": "employees"}, 300]},
    ...                          {"<=": [{"var": "capital_jpy"}, 300000000]}]})
    >>> rule.evaluate(facts).tolist()
    [2, 1, 1]
    >>> rule.describe(facts, TRUE)
    'employees 25 <= 300 (rule: employees <= 300 or capital_jpy <= 300,000,000)'
    >>> rule.missing(facts.take([2]))
    ('employees', 'capital_jpy')
    >>> rule.describe(facts.take([2]), UNKNOWN)
    'employees not given; capital not given (rule: employees <= 300 or capital_jpy <= 300,000,000)'
    """

    def __init__(self, expr: Any):
        check(expr)
        self.expr = expr
        self._facts = tuple(_fact_names(expr, {}))
        self._root = _compile(expr, False)
        self._infix = infix(expr)

    def __repr__(self) -> str:
        return f"LogicRule({self._infix})"

    def __getstate__(self) -> dict[str, Any]:
        # the compiled kernels are closures: pickle the expression and compile again
        return {"expr": self.expr}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["expr"])

    @property
    def facts(self) -> tuple[str, ...]:
        """The facts the rule reads, in order of first appearance."""
        return self._facts

    def evaluate_facts(self, data: dict[str, Any]) -> int:
        """The Kleene truth value for one firm's facts prepared by :func:`one_firm_facts`
        (:func:`evaluate_one`, compiled on first use)."""
        fn = self.__dict__.get("_one")
        if fn is None:
            fn = self._one = compile_one(self.expr)
        return fn(data)

    def evaluate(self, facts: FirmFacts) -> np.ndarray:
        """Kleene truth values for every firm: uint8 array of shape ``(facts.n,)``."""
        ctx = _Ctx(facts)
        return self._root(ctx).truth().astype(np.uint8, copy=False).reshape(facts.n)

    def _firm(self, facts: FirmFacts, i: int = 0) -> dict[str, Any]:
        ctx = _Ctx(facts)
        return {name: ctx.fact(name).value_at(i) for name in FACT_TYPES}

    def missing(self, facts: FirmFacts) -> tuple[str, ...]:
        """The facts the rule reads that firm 0 of ``facts`` does not give."""
        firm = self._firm(facts)
        return tuple(f for f in self._facts if firm.get(f) is None)

    def describe(self, facts: FirmFacts, value: int) -> str:
        """Plain words for firm 0 of ``facts``, given its truth value ``value``.

        The parts of the rule that lead to ``value`` come with the firm's facts
        ("employees 25 <= 300", "capital not given"), followed by the rule in infix
        form.
        """
        firm = self._firm(facts)
        firm["needs"] = _canonical_needs(firm["needs"] or [])
        value = int(value)
        found: list[tuple[int, int, str]] = []
        for atom, polarity in _atoms(self.expr, 1, []):
            t = _truth3(_ev3(atom, firm))
            found.append((t if polarity >= 0 else TRUE - t, polarity, _atom_text(atom, t, firm)))
        texts = [text for eff, pol, text in found if eff == value or pol == 0] or [text for _, _, text in found]
        texts = list(dict.fromkeys(texts))
        if not texts:
            verdict = {TRUE: "holds", FALSE: "does not hold", UNKNOWN: "cannot be decided"}[value]
            return f"rule {self._infix} {verdict}"
        return f"{'; '.join(texts)} (rule: {self._infix})"
