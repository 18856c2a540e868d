"""A chunk of firms as Arrow columns, checked and normalised as columns: the common path of a batch.

:func:`firm_columns` is :func:`profiles.firmchunk.quick_profiles` for a table: it reads
each column of an Arrow table (or record batch) of the engine's fields at once, and
says for every row whether the column checks pass (:attr:`FirmColumns.plain`). For those
rows its arrays hold what :meth:`CompanyProfile.model_validate` of the row's record
would give -- the location, industry and needs resolved once per distinct value of
the chunk (dictionary encoding), the numbers, dates and flags as numpy columns --
without a Python object per firm. Every other row (a number stored as text, a blank
that is not empty, an unknown municipality, an address to parse, an unknown need, a
column of another type) is *flagged* and must go the per-row way, which gives its one
error message; a flagged row may be valid all the same.

A record of a table row is what :func:`matcher.batch.files.iter_input` reads: its
non-null, non-empty values (:func:`table_records`); a row passes the column checks
exactly when :func:`~profiles.firmchunk.quick_profiles` takes its record, or in fewer
cases (a column of another type: every row with a value in it is flagged).

>>> import pyarrow as pa
>>> cols = firm_columns(pa.table({"municipality": ["131172", "Nowhere", "131172"],
...                               "employees": [25, 3, None], "needs": [["subsidy"], [], None]}))
>>> cols.plain.tolist(), cols.employees.tolist()[::2], cols.needs.tolist()[::2]
([True, False, True], [25.0, nan], [2, 0])
>>> int(cols.prefecture[0]), cols.industry_code.tolist()
(12, [-1, -1, -1])
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

from profiles.geography import gazetteer
from profiles.industries import resolve_industry
from profiles.models import MAX_CAPITAL_JPY, MAX_EMPLOYEES, resolve_location
from profiles.needs import need_ids, resolve_need

__all__ = ["FirmColumns", "firm_columns", "table_records"]

#: Python's whitespace (``str.strip``): a text cell that starts or ends with one is flagged.
_SPACE = "".join(f"\\x{{{ord(c):x}}}" for c in map(chr, range(0x110000)) if c.isspace())
_PADDED = f"^[{_SPACE}]|[{_SPACE}]$"
_TEXT = ("id", "name", "description")
_BOOL = ("environment_conscious", "seeking_location")
_EPOCH = dt.date(1970, 1, 1).toordinal()
#: The day numbers (since 1970-01-01) of Python's dates: a date32 outside them is flagged.
_DAYS = (dt.date.min.toordinal() - _EPOCH, dt.date.max.toordinal() - _EPOCH)
_BAD = object()


@dataclass
class FirmColumns:
    """The columns of ``n`` firm rows, valid where :attr:`plain` (see the module's text).

    Attributes
    ----------
    n : int
    plain : ndarray of bool
        Rows the column checks pass; the other rows' values below are meaningless.
    id, name : pyarrow.Array of string
        As given (null where not given).
    description_code : ndarray of int32
        Index into :attr:`descriptions` (-1: none), one entry per distinct description.
    prefecture : ndarray of int16
        0..46 (-1: not given); ``municipality``: int32 gazetteer index (-1: not given).
    industry_code : ndarray of int32
        Index into :attr:`industries`, the resolved JSIC codes (-1: not given).
    employees, capital_jpy : ndarray of float64
        NaN where not given.
    founded : ndarray of int64
        Days since 1970-01-01; meaningful where ``has_founded``.
    environment_conscious, seeking_location : ndarray of int8
        1/0, -1 where not given.
    needs : ndarray of int64
        The needs stated, as bits of :func:`profiles.needs.need_ids`.
    """

    n: int
    plain: np.ndarray
    id: Any
    name: Any
    description_code: np.ndarray
    descriptions: list[str]
    prefecture: np.ndarray
    municipality: np.ndarray
    industry_code: np.ndarray
    industries: list[str]
    employees: np.ndarray
    capital_jpy: np.ndarray
    founded: np.ndarray
    has_founded: np.ndarray
    environment_conscious: np.ndarray
    seeking_location: np.ndarray
    needs: np.ndarray
    _need_lists: Any = None  # (offsets, need position per element), for :meth:`stated_needs`

    def stated_needs(self, row: int) -> tuple[str, ...]:
        """The needs row ``row`` states, in its order, repeats dropped (what the profile holds)."""
        if self._need_lists is None:
            return ()
        offsets, codes = self._need_lists
        ids = need_ids()
        return tuple(dict.fromkeys(ids[c] for c in codes[offsets[row]:offsets[row + 1]].tolist()))

    def industry(self, row: int) -> str | None:
        """Row ``row``'s JSIC code, or None."""
        c = int(self.industry_code[row])
        return None if c < 0 else self.industries[c]

    def description(self, row: int) -> str | None:
        """Row ``row``'s description, or None."""
        c = int(self.description_code[row])
        return None if c < 0 else self.descriptions[c]


def _pa():
    import pyarrow as pa
    import pyarrow.compute as pc

    return pa, pc


def _column(table: Any, name: str) -> Any:
    """A column as one Arrow array (chunks joined), or None when the table has none."""
    pa, _ = _pa()
    if name not in table.schema.names:
        return None
    col = table.column(name)
    return col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col


def _mask(values: Any) -> np.ndarray:
    """A boolean Arrow array as numpy, null as False."""
    _, pc = _pa()
    return np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), bool)


def _given(col: Any) -> np.ndarray:
    """Where a column has a value a record keeps (not null; a text not empty)."""
    pa, pc = _pa()
    valid = ~np.asarray(col.is_null().to_numpy(zero_copy_only=False), bool)
    if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
        valid &= _mask(pc.greater(pc.utf8_length(col), 0))
    return valid


def _is_text(col: Any) -> bool:
    pa, _ = _pa()
    return pa.types.is_string(col.type) or pa.types.is_large_string(col.type)


def _encode(col: Any, given: np.ndarray) -> tuple[np.ndarray, list]:
    """(code per row, -1 where not given; the distinct values): one entry per distinct value."""
    pa, pc = _pa()
    enc = pc.dictionary_encode(col)
    if isinstance(enc, pa.ChunkedArray):
        enc = enc.combine_chunks()
    codes = np.asarray(pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False), np.int32)
    codes = np.where(given, codes, -1).astype(np.int32)
    return codes, enc.dictionary.to_pylist()


def _resolved(values: list, resolve) -> list:
    out = []
    for v in values:
        try:
            out.append(resolve(v))
        except Exception:  # noqa: BLE001 - the per-row path gives the row its own error
            out.append(_BAD)
    return out


def firm_columns(table: Any) -> FirmColumns:
    """Check and normalise the columns of a table of firms (see the module's text).

    Parameters
    ----------
    table : pyarrow.Table or pyarrow.RecordBatch
        One row per firm, columns named as :class:`CompanyProfile`'s fields.

    Returns
    -------
    FirmColumns
    """
    pa, pc = _pa()
    n = table.num_rows
    plain = np.ones(n, bool)
    needed_types = {"employees", "capital_jpy", "founded", "needs", *_TEXT, *_BOOL, "prefecture", "municipality",
                    "industry"}
    for name in table.schema.names:  # a column the checks do not read: any value in it takes the per-row way
        if name not in needed_types:
            plain &= ~_given(_column(table, name))

    def text(name: str) -> tuple[Any, np.ndarray]:
        col = _column(table, name)
        if col is None:
            return pa.nulls(n, pa.string()), np.zeros(n, bool)
        given = _given(col)
        if not _is_text(col):
            plain[given] = False
            return pa.nulls(n, pa.string()), np.zeros(n, bool)
        return col, given

    ids, _ = text("id")
    names, _ = text("name")
    desc, desc_given = text("description")
    for col in (ids, names, desc):  # str_strip_whitespace: a padded text is read (and kept) by the per-row path
        plain &= ~_mask(pc.match_substring_regex(col, _PADDED))
    desc_code, descriptions = _encode(desc, desc_given) if desc_given.any() else (np.full(n, -1, np.int32), [])

    # location: one resolution per distinct (prefecture, municipality) pair
    pref_col, pref_given = text("prefecture")
    mun_col, mun_given = text("municipality")
    plain &= pref_given | mun_given
    p_code, p_values = _encode(pref_col, pref_given)
    m_code, m_values = _encode(mun_col, mun_given)
    pair = (p_code.astype(np.int64) + 1) * (len(m_values) + 1) + (m_code.astype(np.int64) + 1)
    uniq, inverse = np.unique(pair, return_inverse=True)
    gaz = gazetteer()
    pref_of = np.full(len(uniq), -1, np.int16)
    mun_of = np.full(len(uniq), -1, np.int32)
    bad = np.zeros(len(uniq), bool)
    for q, key in enumerate(uniq.tolist()):
        pi, mi = divmod(key, len(m_values) + 1)
        try:
            pref, mun = resolve_location(p_values[pi - 1] if pi else None, m_values[mi - 1] if mi else None)
        except Exception:  # noqa: BLE001 - the per-row path gives the row its own error
            bad[q] = True
            continue
        pref_of[q] = -1 if pref is None else int(pref) - 1
        mun_of[q] = -1 if mun is None else gaz.index(mun)
    inverse = inverse.ravel()
    plain &= ~bad[inverse]
    prefecture, municipality = pref_of[inverse], mun_of[inverse]

    # industry: one resolution per distinct value
    ind_col, ind_given = text("industry")
    ind_code, ind_values = _encode(ind_col, ind_given)
    codes = _resolved(ind_values, lambda v: resolve_industry(v).code)
    industries = list(dict.fromkeys(c for c in codes if c is not _BAD))
    lookup = np.array([-2 if c is _BAD else industries.index(c) for c in codes] + [-1], np.int32)
    industry_code = lookup[ind_code]  # code -1 takes the last entry: not given
    plain &= industry_code != -2

    employees = _number(table, "employees", MAX_EMPLOYEES, plain)
    capital = _number(table, "capital_jpy", MAX_CAPITAL_JPY, plain)
    founded, has_founded = _dates(table, plain)
    flags = [_flag(table, name, plain) for name in _BOOL]
    needs, need_lists = _needs(table, plain)
    return FirmColumns(n, plain, ids, names, desc_code, descriptions, prefecture, municipality, industry_code,
                       industries, employees, capital, founded, has_founded, flags[0], flags[1], needs, need_lists)


def _number(table: Any, name: str, high: int, plain: np.ndarray) -> np.ndarray:
    """A whole-number column in [0, high] as float64 (NaN: not given); other rows flagged."""
    pa, pc = _pa()
    out = np.full(table.num_rows, np.nan)
    col = _column(table, name)
    if col is None:
        return out
    given = _given(col)
    if not pa.types.is_integer(col.type):  # 3.0, "12", True: the per-row path reads (or refuses) them
        plain[given] = False
        return out
    values = pc.fill_null(col, 0).to_numpy(zero_copy_only=False)
    plain[given & ((values < 0) | (values > high))] = False
    out[given] = values[given].astype(np.float64)
    return out


def _dates(table: Any, plain: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    pa, pc = _pa()
    n = table.num_rows
    col = _column(table, "founded")
    if col is None:
        return np.zeros(n, np.int64), np.zeros(n, bool)
    given = _given(col)
    if not pa.types.is_date32(col.type):  # a text, a timestamp, a year: the per-row path
        plain[given] = False
        return np.zeros(n, np.int64), np.zeros(n, bool)
    days = np.asarray(pc.fill_null(col.cast(pa.int32()), 0).to_numpy(zero_copy_only=False), np.int64)
    plain[given & ((days < _DAYS[0]) | (days > _DAYS[1]))] = False
    return days, given


def _flag(table: Any, name: str, plain: np.ndarray) -> np.ndarray:
    pa, pc = _pa()
    out = np.full(table.num_rows, -1, np.int8)
    col = _column(table, name)
    if col is None:
        return out
    given = _given(col)
    if not pa.types.is_boolean(col.type):
        plain[given] = False
        return out
    out[given] = _mask(col)[given]
    return out


def _needs(table: Any, plain: np.ndarray) -> tuple[np.ndarray, Any]:
    """The stated needs as bits, each distinct word resolved once; rows with an unknown one flagged."""
    pa, pc = _pa()
    n = table.num_rows
    mask = np.zeros(n, np.int64)
    col = _column(table, "needs")
    if col is None:
        return mask, None
    given = _given(col)
    if not (pa.types.is_list(col.type) or pa.types.is_large_list(col.type)) or not (
            pa.types.is_string(col.type.value_type) or pa.types.is_large_string(col.type.value_type)):
        plain[given] = False
        return mask, None
    lens = np.asarray(pc.fill_null(pc.list_value_length(col), 0).to_numpy(zero_copy_only=False), np.int64)
    offsets = np.zeros(n + 1, np.int64)
    np.cumsum(lens, out=offsets[1:])
    flat = pc.list_flatten(col)  # the elements of the rows, in order (a null list has none)
    if len(flat):
        enc = pc.dictionary_encode(flat)
        words = enc.dictionary.to_pylist()
        position = {nid: i for i, nid in enumerate(need_ids())}
        found = _resolved(words, resolve_need)
        table_ = np.array([-1 if f is _BAD else position[f] for f in found] + [-1], np.int64)
        codes = table_[np.asarray(pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False), np.int64)]
    else:
        codes = np.empty(0, np.int64)
    row_of = np.repeat(np.arange(n), lens)
    bad = np.zeros(n, bool)
    bad[row_of[codes < 0]] = True  # an unknown word, or a null element (code -1)
    plain &= ~bad
    bits = np.where(codes >= 0, np.left_shift(np.int64(1), np.maximum(codes, 0)), 0)
    np.bitwise_or.at(mask, row_of, bits)
    return mask, (offsets, np.maximum(codes, 0))


def table_records(table: Any, rows: np.ndarray | None = None, first_row: int = 1) -> list[tuple[int, dict]]:
    """``(row number, record)`` of a table's rows (``rows``: their positions, default all), each record
    the row's non-null, non-empty values, as :func:`matcher.batch.files.iter_input` reads them."""
    if rows is not None:
        table = table.take(np.asarray(rows, np.int64))
    names = table.schema.names
    columns = [table.column(k).to_pylist() for k in names]
    numbers = range(first_row, first_row + table.num_rows) if rows is None else (first_row + np.asarray(rows)).tolist()
    return [(row, {k: v for k, v in zip(names, values) if v is not None and v != ""})
            for row, values in zip(numbers, zip(*columns))]
