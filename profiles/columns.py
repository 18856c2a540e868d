"""Which column of a firm list feeds which field: the header-synonym table, kept as data.

The table is ``profiles/data/columns.yaml``: each field of a firm with the English and
Japanese headers that name it, and the columns the engine knows but does not use
(telephone, contact, ...). :func:`match_headers` reads a list's header row against it:

>>> m = match_headers(["会社名", "所在地", "資本金（千円）", "従業員数", "電話番号", "担当"])
>>> {f: c.header for f, c in m.fields.items()}
{'name': '会社名', 'address': '所在地', 'capital_jpy': '資本金（千円）', 'employees': '従業員数'}
>>> m.fields["capital_jpy"].options, [c.header for c in m.kept]
({'unit': 1000}, ['電話番号', '担当'])

Two columns that claim one field are an error; a mapping (field → header, as a
``--columns map.yaml`` file holds) says which one, and overrides the table:

>>> match_headers(["住所", "所在地"])
Traceback (most recent call last):
...
profiles.columns.ColumnConflictError: columns: two columns give one field: address from 住所 and 所在地; say which with a columns mapping (address: 住所), got ['住所', '所在地']
>>> match_headers(["住所", "所在地"], mapping={"address": "所在地"}).fields["address"].index
1
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from profiles.errors import InputError, UnknownValueError

__all__ = ["Column", "ColumnMatch", "ColumnConflictError", "FIELDS", "normalize_header", "match_headers",
           "read_column_mapping", "column_table"]

_BRACKETS = str.maketrans({c: "(" for c in "[【「『〔<《〈｛{"} | {c: ")" for c in "]】」』〕>》〉｝}"})
_DROP = re.compile(r"[\s_\-.・･‐－―]+")
_MARKS = re.compile(r"(?:※|\*|\(必須\)|\(任意\)|必須|[:：])+$")
_REMARK = re.compile(r"^(.+?)\(([^()]*)\)$")


def normalize_header(header: object) -> str:
    """A header as the table compares it.

    >>> normalize_header(" 資本金　【千円】※"), normalize_header("Company_Name"), normalize_header("Ｅ－ｍａｉｌ")
    ('資本金(千円)', 'companyname', 'email')
    """
    text = unicodedata.normalize("NFKC", "" if header is None else str(header)).lower().translate(_BRACKETS)
    text = _DROP.sub("", text)
    return _MARKS.sub("", text)


@dataclass(frozen=True)
class _Table:
    fields: dict[str, tuple[str, dict]]  # normalized header -> (field, options)
    kept: dict[str, str]                  # normalized header -> known name of a kept column
    units: dict[str, int]
    amount_fields: frozenset[str]
    plain_units: tuple[str, ...]
    readings: frozenset[str]
    names: tuple[str, ...]


@lru_cache(maxsize=1)
def column_table() -> _Table:
    """The synonym table of ``columns.yaml``, normalized (checked: no header names two fields)."""
    raw = yaml.safe_load((resources.files("profiles") / "data" / "columns.yaml").read_text(encoding="utf-8"))
    by_header: dict[str, tuple[str, dict]] = {}
    for name, headers in raw["fields"].items():
        for entry in [name, *headers]:
            header, options = (entry, {}) if not isinstance(entry, dict) else (
                entry["header"], {k: v for k, v in entry.items() if k != "header"})
            key = normalize_header(header)
            if key in by_header and by_header[key][0] != name:
                raise ValueError(f"columns.yaml: header {header!r} names both {by_header[key][0]} and {name}")
            by_header[key] = (name, options)
    kept: dict[str, str] = {}
    for name, headers in raw["kept"].items():
        for header in headers:
            key = normalize_header(header)
            if key in by_header:
                raise ValueError(f"columns.yaml: header {header!r} is both a field and a kept column")
            kept[key] = name
    return _Table(by_header, kept, {normalize_header(k): int(v) for k, v in raw["units"].items()},
                  frozenset(raw["amount_fields"]), tuple(normalize_header(u) for u in raw["plain_units"]),
                  frozenset(normalize_header(r) for r in raw["readings"]), tuple(raw["fields"]))


#: The fields a column can feed, in the table's order.
FIELDS: tuple[str, ...] = column_table().names


@dataclass(frozen=True)
class Column:
    """One column of the input and what it feeds.

    Attributes
    ----------
    index : int
        Its position (0-based).
    header : str
        Its header as written in the file.
    field : str or None
        The firm field it feeds; None for a kept column.
    how : str
        ``"synonym"`` (the table), ``"mapping"`` (the mapping given), or ``"kept"``.
    known : str or None
        For a kept column the table knows, what it is (``"phone"``).
    options : dict
        Options for the field's parser: ``unit`` for amounts, ``free_text`` for needs.
    """

    index: int
    header: str
    field: str | None
    how: str
    known: str | None = None
    options: dict = field(default_factory=dict, compare=True, hash=False)


@dataclass(frozen=True)
class ColumnMatch:
    """Every column of a header row, in order, with what it feeds."""

    columns: tuple[Column, ...]

    @property
    def fields(self) -> dict[str, Column]:
        """Field → the column that feeds it, in column order."""
        return {c.field: c for c in self.columns if c.field is not None}

    @property
    def kept(self) -> tuple[Column, ...]:
        """The columns kept unused, to travel beside each firm."""
        return tuple(c for c in self.columns if c.field is None)

    def summary(self) -> str:
        """One line: what each column feeds and which are kept.

        >>> match_headers(["企業名", "住所", "TEL"]).summary()
        'name ← 企業名, address ← 住所; kept: TEL'
        """
        used = ", ".join(f"{f} ← {c.header}" for f, c in self.fields.items()) or "no column feeds a field"
        kept = ", ".join(c.header for c in self.kept)
        return f"{used}; kept: {kept}" if kept else used


class ColumnConflictError(InputError):
    """Two or more columns claim one field; ``conflicts`` maps each such field to their headers."""

    def __init__(self, field: str, value: object, message: str, candidates: list[str] | None = None,
                 conflicts: dict[str, list[str]] | None = None):
        super().__init__(field, value, message, candidates)
        self.conflicts = dict(conflicts or {})

    def __reduce__(self):
        return (type(self), (self.field, self.value, self.message, self.candidates, self.conflicts))


def _lookup(key: str) -> tuple[str | None, dict, str | None]:
    """(field, options, known kept name) of a normalized header."""
    table = column_table()
    if key in table.fields:
        name, options = table.fields[key]
        return name, dict(options), None
    if key in table.kept:
        return None, {}, table.kept[key]
    remark = _REMARK.match(key)
    base, inner = (remark[1], remark[2]) if remark else (key, None)
    if inner is not None:
        inner = re.sub(r"^単位[:：]?", "", inner)
        if inner in table.readings:
            return None, {}, None
    tail = inner if inner is not None else None
    if tail is None:  # "資本金千円": a unit written after the name
        for unit in sorted([*table.units, *table.plain_units], key=len, reverse=True):
            if key.endswith(unit) and len(key) > len(unit) and key[: -len(unit)] in table.fields:
                base, tail = key[: -len(unit)], unit
                break
    if base in table.fields and tail is not None:
        name, options = table.fields[base]
        options = dict(options)
        if tail in table.units:
            if name not in table.amount_fields:
                return None, {}, None
            options["unit"] = table.units[tail]
        return name, options, None
    if base in table.kept and tail is not None:
        return None, {}, table.kept[base]
    return None, {}, None


def _mapping_entry(name: str, entry: object, headers: list[str], norm: list[str]) -> tuple[int, dict] | None:
    if entry is None:
        return None
    options: dict = {}
    if isinstance(entry, Mapping):
        options = {k: v for k, v in entry.items() if k != "header"}
        entry = entry.get("header")
        if "unit" in options and not isinstance(options["unit"], int):
            unit = column_table().units.get(normalize_header(options["unit"]))
            if unit is None:
                raise InputError(f"columns.{name}.unit", options["unit"], "unknown unit",
                                 list(column_table().units))
            options["unit"] = unit
    if not isinstance(entry, (str, int)):
        raise InputError(f"columns.{name}", entry, "give the column's header")
    entry = str(entry)
    if entry in headers:
        return headers.index(entry), options
    if normalize_header(entry) in norm:
        return norm.index(normalize_header(entry)), options
    raise InputError(f"columns.{name}", entry, "no column has this header",
                     difflib.get_close_matches(entry, headers, n=5, cutoff=0.4) or headers[:8])


def match_headers(headers: Iterable[object], mapping: Mapping[str, object] | None = None) -> ColumnMatch:
    """Which column feeds which field, and which columns are kept unused.

    Parameters
    ----------
    headers : iterable of str
        The header row as read (English or Japanese, any width; blanks allowed).
    mapping : mapping, optional
        Field → header (or ``{"header": ..., "unit": "千円"}``, or None to feed the field
        from no column). It overrides the table: the named header feeds the field, and a
        column the table would give that field is kept.

    Returns
    -------
    ColumnMatch

    Raises
    ------
    ColumnConflictError
        Two columns claim one field (``conflicts`` lists every such field).
    InputError
        The mapping names an unknown field, a header the file lacks, or one header for two fields.
    """
    headers = ["" if h is None else str(h) for h in headers]
    norm = [normalize_header(h) for h in headers]
    mapped: dict[int, tuple[str, dict]] = {}
    silenced: set[str] = set()
    for name, entry in (mapping or {}).items():
        if name not in FIELDS:
            raise UnknownValueError("columns", name, "unknown field in the columns mapping",
                                    difflib.get_close_matches(str(name), FIELDS, n=5, cutoff=0.5) or list(FIELDS))
        found = _mapping_entry(name, entry, headers, norm)
        silenced.add(name)
        if found is None:
            continue
        index, options = found
        if index in mapped:
            raise InputError(f"columns.{name}", headers[index],
                             f"this column is mapped to both {mapped[index][0]} and {name}")
        mapped[index] = (name, options)
    columns: list[Column] = []
    for i, (header, key) in enumerate(zip(headers, norm)):
        if i in mapped:
            name, options = mapped[i]
            columns.append(Column(i, header, name, "mapping", None, {**_lookup(key)[1], **options}
                                  if _lookup(key)[0] == name else options))
            continue
        name, options, known = _lookup(key) if key else (None, {}, None)
        if name is None or name in silenced:
            columns.append(Column(i, header, None, "kept", known if name is None else None))
        else:
            columns.append(Column(i, header, name, "synonym", None, options))
    claims: dict[str, list[str]] = {}
    for c in columns:
        if c.field is not None:
            claims.setdefault(c.field, []).append(c.header)
    conflicts = {f: hs for f, hs in claims.items() if len(hs) > 1}
    if conflicts:
        parts = "; ".join(f"{f} from {' and '.join(hs)}" for f, hs in conflicts.items())
        first = next(iter(conflicts.items()))
        raise ColumnConflictError(
            "columns", headers,
            f"two columns give one field: {parts}; say which with a columns mapping ({first[0]}: {first[1][0]})",
            conflicts=conflicts)
    return ColumnMatch(tuple(columns))


def read_column_mapping(path: str | Path) -> dict[str, object]:
    """Read a columns mapping file (YAML or JSON: ``field: header`` lines).

    Raises :class:`~profiles.errors.InputError` naming the file when it is not such a mapping;
    fields and headers are checked against the list by :func:`match_headers`.
    """
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputError(str(path), None, f"cannot read the columns mapping ({exc.__class__.__name__}: {exc})") \
            from None
    if not isinstance(data, dict):
        raise InputError(str(path), data, "a columns mapping is a YAML mapping of field: header")
    return {str(k): v for k, v in data.items()}
