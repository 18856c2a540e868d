"""JavaScript values for JsonLogic: ``undefined``, truthiness, ToNumber, ToString, equality and comparison.

The coercions of the ECMAScript specification that json-logic-js relies on, for the
standard evaluator (:mod:`rules.jsonlogic.standard`) and the vectorized one.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

import numpy as np

__all__ = [
    "LISTS", "NAN", "UNDEFINED", "is_num", "js_div", "js_lt", "js_min", "js_mod", "js_plus", "js_substr",
    "loose_eq", "num_out", "num_to_str", "parse_float", "relation", "strict_eq", "to_number", "to_string", "truthy",
    "utf16",
]

LISTS = (list, tuple)
_INF = math.inf
NAN = math.nan

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


def is_num(v: Any) -> bool:
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
    if is_num(v):
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
    if isinstance(value, LISTS):
        return len(value) > 0
    if is_num(value):
        f = float(value)
        return f == f and f != 0
    if isinstance(value, np.bool_):
        return bool(value)
    return True


def num_out(f: float) -> int | float:
    """A result number: ``int`` when integral (except -0 and beyond 2**53), else ``float``."""
    if f == f and abs(f) < 9007199254740992.0 and f.is_integer() and not (f == 0 and math.copysign(1.0, f) < 0):
        return int(f)
    return f


def num_to_str(x: Any) -> str:
    """JavaScript's ``Number.prototype.toString()``.

    >>> [num_to_str(v) for v in (1.0, 0.1, 1e21, 1e-7, -0.0, 123456.789, float("inf"))]
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


def to_string(v: Any) -> str:
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
    if is_num(v):
        return num_to_str(v)
    if isinstance(v, LISTS):
        return ",".join("" if x is None or x is UNDEFINED else to_string(x) for x in v)
    return "[object Object]"


def _to_primitive(v: Any) -> Any:
    if isinstance(v, LISTS):
        return to_string(v)
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
    return NAN


def to_number(v: Any) -> float:
    """JavaScript's ``Number(v)``.

    >>> [to_number(v) for v in ("12", " 1e3 ", "", None, True, [], [5], "0x10", "1a")]
    [12.0, 1000.0, 0.0, 0.0, 1.0, 0.0, 5.0, 16.0, nan]
    """
    if is_num(v):
        return float(v)
    if isinstance(v, str):
        return _str_to_number(v)
    if v is None:
        return 0.0
    if v is UNDEFINED:
        return NAN
    if isinstance(v, (bool, np.bool_)):
        return 1.0 if v else 0.0
    return _str_to_number(_to_primitive(v))


def parse_float(v: Any) -> float:
    """JavaScript's ``parseFloat(v)``.

    >>> [parse_float(v) for v in ("3.5kg", "abc", True, -0.0, " .5", [7, 8])]
    [3.5, nan, nan, 0.0, 0.5, 7.0]
    """
    if is_num(v):
        f = float(v)
        return 0.0 if f == 0 else f
    m = _DECIMAL.match(to_string(v).lstrip(_WS))
    return _decimal(m.group(0)) if m else NAN


def loose_eq(a: Any, b: Any) -> bool:
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
        return loose_eq(1.0 if a else 0.0, b)
    if tb == "boolean":
        return loose_eq(a, 1.0 if b else 0.0)
    if tb == "object":
        return loose_eq(a, _to_primitive(b))
    return loose_eq(_to_primitive(a), b)


def strict_eq(a: Any, b: Any) -> bool:
    """JavaScript's ``a === b``."""
    ta = _type(a)
    if ta != _type(b):
        return False
    if ta == "number":
        return float(a) == float(b)
    if ta == "object":
        return a is b
    return ta in ("null", "undefined") or a == b


def utf16(s: str) -> bytes:
    return s.encode("utf-16-be", "surrogatepass")


def js_lt(a: Any, b: Any) -> bool | None:
    """JavaScript's abstract relational comparison ``a < b`` (``None`` = undefined, from NaN)."""
    pa, pb = _to_primitive(a), _to_primitive(b)
    if isinstance(pa, str) and isinstance(pb, str):
        return utf16(pa) < utf16(pb)
    x, y = to_number(pa), to_number(pb)
    if x != x or y != y:
        return None
    return x < y


def relation(op: str, a: Any, b: Any) -> bool:
    """One JavaScript relational operator on two values."""
    if op == "<":
        return js_lt(a, b) is True
    if op == ">":
        return js_lt(b, a) is True
    if op == "<=":
        return js_lt(b, a) is False
    return js_lt(a, b) is False  # ">="


def js_plus(a: Any, b: Any) -> Any:
    """JavaScript's binary ``a + b`` (concatenation when either side is a string)."""
    pa, pb = _to_primitive(a), _to_primitive(b)
    if isinstance(pa, str) or isinstance(pb, str):
        return to_string(pa) + to_string(pb)
    return to_number(pa) + to_number(pb)


def _to_integer(v: Any) -> float:
    """ToIntegerOrInfinity."""
    f = to_number(v)
    if f != f:
        return 0
    if f in (_INF, -_INF):
        return f
    return math.trunc(f)


def js_substr(s: str, start: Any, length: Any = UNDEFINED) -> str:
    """``String.prototype.substr`` over UTF-16 code units."""
    units = utf16(s)
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


def js_min(values: list[float], is_min: bool) -> float:
    """``Math.min`` / ``Math.max`` on numbers (NaN wins; -0 < +0)."""
    r = _INF if is_min else -_INF
    for x in values:
        if r != r:
            continue
        if x != x:
            r = NAN
        elif (x < r if is_min else x > r) or (x == 0 and r == 0 and (math.copysign(1.0, x) < 0) == is_min):
            r = x
    return r


def js_div(x: float, y: float) -> float:
    if y == 0:
        if x == 0 or x != x:
            return NAN
        return math.copysign(_INF, x) * math.copysign(1.0, y)
    return x / y


def js_mod(x: float, y: float) -> float:
    if y == 0 or x != x or y != y or x in (_INF, -_INF):
        return NAN
    return math.fmod(x, y)
