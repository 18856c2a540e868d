"""Columns of values for many firms: the kinds of :class:`Column`, and the columns of the facts.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np

from profiles.geography import gazetteer
from profiles.industries import all_divisions, all_major_groups
from profiles.needs import need_ids
from rules.errors import RuleSyntaxError
from rules.facts import FACT_TYPES, FirmFacts
from rules.kleene import FALSE, TRUE, UNKNOWN
from rules.jsonlogic.values import is_num, num_out, parse_float, to_number, truthy
from rules.jsonlogic.three_valued import value_key

__all__ = [
    "BOOL", "CAT", "CONST", "Column", "Context", "NEEDS_MASK", "NUM", "TRUTH", "Values", "bool_col", "const_col",
    "from_table", "generic", "known_all", "truth_col",
]

CONST, NUM, BOOL, CAT, NEEDS_MASK, TRUTH = "const", "num", "bool", "cat", "needs", "truth"


class Column:
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
        if k == TRUTH:
            return d
        if k == CONST:
            t = np.full(self.n, TRUE if truthy(d) else FALSE, np.uint8)
        elif k == NUM:
            t = np.where((d != 0) & ~np.isnan(d), TRUE, FALSE).astype(np.uint8)
        elif k == BOOL:
            t = np.where(d, TRUE, FALSE).astype(np.uint8)
        elif k == NEEDS_MASK:
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
            if k == CONST:
                self._cat = (np.zeros(n, np.intp), [d])
            elif k == CAT:
                self._cat = (d, self.table)
            elif k == BOOL:
                self._cat = (d.astype(np.intp), [False, True])
            elif k == NUM:
                codes = np.zeros(n, np.intp)
                known = self.known_mask()
                u, inv = np.unique(d[known], return_inverse=True)
                codes[known] = inv.ravel()
                self._cat = (codes, [num_out(float(x)) for x in u])
            elif k == NEEDS_MASK:
                u, inv = np.unique(d, return_inverse=True)
                self._cat = (inv.ravel().astype(np.intp), [_needs_list(int(m)) for m in u])
            else:
                raise TypeError("a truth-only column has no values")
        return self._cat

    def floats(self, conv: Callable[[Any], float]) -> np.ndarray:
        """``conv`` (a scalar number conversion) applied to every value, as floats."""
        if self.kind == NUM:
            return self.data + 0.0 if conv is parse_float else self.data
        if self.kind == CONST:
            return np.full(self.n, conv(self.data))
        codes, table = self.to_cat()
        tab = np.array([conv(v) for v in table], float) if table else np.zeros(1)
        return tab[codes]

    def bools(self) -> np.ndarray:
        if self.kind == BOOL:
            return self.data
        if self.kind == CONST:
            return np.full(self.n, bool(self.data))
        return np.zeros(self.n, bool)  # a column with no known value

    def all_numbers(self) -> bool:
        return self.kind == NUM or (self.kind == CONST and is_num(self.data))

    def all_bools(self) -> bool:
        return self.kind == BOOL or (self.kind == CONST and isinstance(self.data, bool))

    def never_string(self) -> bool:
        """No value turns into a string under ToPrimitive (so ``<`` compares numbers)."""
        objects = (str, list, tuple, dict)
        if self.kind in (NUM, BOOL):
            return True
        if self.kind == CONST:
            return not isinstance(self.data, objects)
        if self.kind == CAT:
            return not any(isinstance(v, objects) for v in self.table)
        return False

    def value_at(self, i: int) -> Any:
        """The value of firm ``i`` (``None`` when unknown)."""
        if self.known is not None and not self.known[i]:
            return None
        if self.kind == CONST:
            return self.data
        if self.kind == NUM:
            return num_out(float(self.data[i]))
        if self.kind == BOOL:
            return bool(self.data[i])
        if self.kind == NEEDS_MASK:
            return _needs_list(int(self.data[i]))
        return self.table[self.data[i]]


def const_col(n: int, value: Any) -> Column:
    return Column(CONST, n, value)


def truth_col(t: np.ndarray) -> Column:
    return Column(TRUTH, len(t), t.astype(np.uint8, copy=False))


def bool_col(b: np.ndarray, known: np.ndarray | None) -> Column:
    return Column(BOOL, len(b), b, known=known)


def known_all(cols: list[Column], n: int) -> np.ndarray | None:
    masks = [c.known for c in cols if c.known is not None]
    if not masks:
        return None
    return np.logical_and.reduce(masks) if len(masks) > 1 else masks[0]


def _needs_list(mask: int) -> list[str]:
    return [nid for i, nid in enumerate(need_ids()) if mask >> i & 1]


def from_table(n: int, codes: np.ndarray, table: list, known: np.ndarray | None, utruth: Any) -> Column:
    """A column from codes into a table, as a number or boolean column when possible."""
    if table and all(isinstance(v, bool) for v in table):
        return Column(BOOL, n, np.array(table, bool)[codes], known=known, utruth=utruth)
    if table and all(is_num(v) for v in table):
        return Column(NUM, n, np.array([float(v) for v in table])[codes], known=known, utruth=utruth)
    if not table:
        known = np.zeros(n, bool)
    return Column(CAT, n, codes, table=table, known=known, utruth=utruth)


def _combine(code_arrays: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Dense ids of the distinct combinations of codes, and one row of each id."""
    key = np.zeros(len(code_arrays[0]), np.int64)
    for c in code_arrays:
        key = key * (int(c.max()) + 1) + c
        key = np.unique(key, return_inverse=True)[1].ravel()
    _, first, inv = np.unique(key, return_index=True, return_inverse=True)
    return inv.ravel(), first


def generic(n: int, fn: Callable[..., Any], cols: list[Column], unknown_truth: int = UNKNOWN) -> Column:
    """``fn`` applied to the values of ``cols``, once per distinct combination (strict in unknowns)."""
    if all(c.kind == CONST for c in cols):
        return const_col(n, fn(*[c.data for c in cols]))
    known = known_all(cols, n)
    rows = np.arange(n) if known is None else np.flatnonzero(known)
    parts = [(i, c.to_cat()) for i, c in enumerate(cols) if c.kind != CONST]
    base = [c.data if c.kind == CONST else None for c in cols]
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
    return from_table(n, codes_out, table, known, unknown_truth)


def _union(cols: list[Column]) -> tuple[list[np.ndarray], list]:
    """Codes of every column into one shared table of distinct values (-1 = unknown)."""
    index: dict[tuple, int] = {}
    table: list = []
    out = []
    for c in cols:
        codes, tab = c.to_cat()
        ids = np.empty(max(len(tab), 1), np.intp)
        for i, v in enumerate(tab):
            k = value_key(v)
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


class Values:
    """The values of several columns in one comparable form (floats, booleans or shared codes)."""

    def __init__(self, cols: list[Column], n: int):
        self.n = n
        self.known = [c.known_mask() for c in cols]
        self.utruth = [c.utruth_array() for c in cols]
        if all(c.all_numbers() for c in cols):
            self.kind = NUM
            self.vals = [c.floats(to_number) for c in cols]
        elif all(c.all_bools() for c in cols):
            self.kind = BOOL
            self.vals = [c.bools() for c in cols]
        else:
            self.kind = CAT
            self.vals, self.table = _union(cols)

    def same(self, i: int, j: np.ndarray) -> np.ndarray:
        """Whether column ``i`` and, per firm, column ``j[firm]`` hold the same known value."""
        mine = self.vals[i]
        theirs = self._gather(self.vals, j)
        both = self.known[i] & self._gather(self.known, j)
        if self.kind == NUM:
            eq = (mine == theirs) | (np.isnan(mine) & np.isnan(theirs))
        else:
            eq = mine == theirs
        return both & eq

    def _gather(self, arrays: list[np.ndarray], choice: np.ndarray) -> np.ndarray:
        stacked = np.stack(arrays)
        return stacked[np.clip(choice, 0, len(arrays) - 1), np.arange(self.n)]

    def select(self, choice: np.ndarray, utruth: np.ndarray) -> Column:
        """Per firm the value of column ``choice[firm]``; ``-1`` = unknown with ``utruth``."""
        n = self.n
        picked = choice >= 0
        known = picked & self._gather(self.known, choice)
        ut = np.where(picked, self._gather(self.utruth, choice), utruth).astype(np.uint8)
        data = self._gather(self.vals, choice)
        if self.kind == NUM:
            return Column(NUM, n, data, known=known, utruth=ut)
        if self.kind == BOOL:
            return Column(BOOL, n, data, known=known, utruth=ut)
        known &= data >= 0
        return from_table(n, np.where(known, data, 0), self.table, known, ut)


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


def _cat_col(codes: np.ndarray, table: list) -> Column:
    known = codes >= 0
    return Column(CAT, len(codes), np.where(known, codes, 0).astype(np.intp), table=table, known=known)


def _fact_col(facts: FirmFacts, name: str) -> Column:
    """The column of one fact, from the code columns of ``facts`` and cached tables."""
    n = facts.n
    kind = FACT_TYPES.get(name)
    if kind == "number":
        d = np.asarray(getattr(facts, name), float)
        return Column(NUM, n, d, known=~np.isnan(d))
    if kind == "bool":
        v = np.asarray(getattr(facts, name))
        return Column(BOOL, n, v == 1, known=v >= 0)
    if name == "needs":
        return Column(NEEDS_MASK, n, np.asarray(facts.needs, np.int64))
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
    raise RuleSyntaxError("", f"fact {name!r} has no column in FirmFacts; rules.jsonlogic.columns needs updating")


class Context:
    """One evaluation: the facts and a cache of their columns."""

    def __init__(self, facts: FirmFacts):
        self.facts = facts
        self.n = facts.n
        self._cols: dict[str, Column] = {}

    def fact(self, name: str) -> Column:
        col = self._cols.get(name)
        if col is None:
            col = self._cols[name] = _fact_col(self.facts, name)
        return col
