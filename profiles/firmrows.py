"""A row of a firm list read into the engine's firm fields, with where each value came from.

:class:`FirmReader` turns one :class:`~profiles.tabular.Row` into a :class:`RowReading`:
the firm's fields as :class:`~profiles.models.CompanyProfile` takes them, the column and
original text behind each (``provenance``), the columns the engine does not use
(``kept``, in header order, to travel beside the firm) and the row's problems, each
naming the row, the column, the original value and the reason. A row without problems
also carries its validated :class:`CompanyProfile` (``firm``).

>>> from profiles.columns import match_headers
>>> from profiles.tabular import Row
>>> header = ["会社名", "所在地", "資本金", "設立年月日", "電話番号"]
>>> reader = FirmReader(match_headers(header), header)
>>> r = reader.read(Row(1, 2, ("王子プレス", "〒114-8508 東京都北区王子1-11-1", "1,000万円", "S53.4.1", "03-0000-0000")))
>>> r.fields["municipality"], r.fields["capital_jpy"], r.fields["founded"], r.kept
('131172', 10000000, datetime.date(1978, 4, 1), {'電話番号': '03-0000-0000'})
>>> str(r.provenance["municipality"]), r.firm.municipality
("所在地 '〒114-8508 東京都北区王子1-11-1'", '131172')
>>> r = reader.read(Row(2, 3, ("赤羽樹脂", "北区赤羽2-1-1", "たくさん", "", "")))
>>> [str(p) for p in r.problems]  # doctest: +ELLIPSIS
["row 2 (line 3): 所在地 (address): ambiguous: 12 local governments begin this address; ...", "row 2 (line 3): 資本金 (capital_jpy): not an amount in yen: ..."]
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from pydantic import ValidationError

from profiles.addresses import AddressMatch, parse_address, parse_municipality
from profiles.columns import ColumnMatch
from profiles.errors import InputError, UnknownValueError
from profiles.geography import LocalGovernment, gazetteer
from profiles.industries import DIVISIONS, MAJOR_GROUPS
from profiles.models import CompanyProfile
from profiles.needs import need_ids
from profiles.numerals import MISSING, normalize
from profiles.tabular import Row, cell_text
from profiles.validation import problems_from
from profiles.values import parse_amount_jpy, parse_date, parse_headcount, parse_industry_words, parse_needs_words

__all__ = ["Source", "RowProblem", "RowReading", "FirmReader", "parse_flag", "LOCATION_FIELDS", "MODEL_FIELDS"]

#: The fields read together to place a firm.
LOCATION_FIELDS = ("prefecture", "municipality", "address", "postal_code")
#: The fields a :class:`CompanyProfile` has; a column feeding another field (corporate_number) is kept.
MODEL_FIELDS = tuple(CompanyProfile.model_fields)

_YES = frozenset({"yes", "y", "true", "t", "1", "はい", "有", "あり", "有り", "○", "〇", "◯", "●", "済", "該当"})
_NO = frozenset({"no", "n", "false", "f", "0", "いいえ", "無", "なし", "無し", "×", "✕", "-", "非該当"})
_FAILED_MAX = 65536  # cells remembered as failing, per reader


def parse_flag(value: object, field: str = "flag") -> bool | None:
    """A yes/no cell: はい/いいえ, 有/無, ○/×, yes/no, true/false, 1/0; ``None`` for an empty one.

    >>> parse_flag("○"), parse_flag("無"), parse_flag(True), parse_flag("")
    (True, False, True, None)
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    text = normalize(cell_text(value)).lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    if text in MISSING:
        return None
    raise InputError(field, value, "not a yes or no: give はい/いいえ, 有/無, ○/×, yes/no or 1/0")


class Source(NamedTuple):
    """Where a value came from: the column(s) and the original cell (a named tuple: cheap per cell).

    ``value`` is the cell as read (text, or a workbook's number or date); ``text`` is it as text.
    """

    column: str
    value: object

    @property
    def text(self) -> str:
        return cell_text(self.value)

    def __str__(self) -> str:
        return f"{self.column} {self.text!r}"

    def to_dict(self) -> dict[str, str]:
        return {"column": self.column, "text": self.text}


@dataclass(frozen=True, slots=True)
class RowProblem:
    """Why one value of one row could not be read.

    Attributes
    ----------
    row, line : int, int or None
        The row's number and where it is in the file (see :class:`~profiles.tabular.Row`).
    column : str or None
        The column the value is in (None for a problem of the whole row).
    field : str or None
        The firm field the column feeds.
    value : object
        The original value (the original text of a broken record).
    reason : str
        What was expected.
    candidates : tuple of str
        What the value may have meant (the candidates of an ambiguity).
    """

    row: int
    line: int | None
    column: str | None
    field: str | None
    value: object
    reason: str
    candidates: tuple[str, ...] = ()

    def __str__(self) -> str:
        where = f"row {self.row}" + (f" (line {self.line})" if self.line is not None else "")
        what = (f"{self.column} ({self.field})" if self.column and self.field else self.column or self.field)
        text = f"{where}: {what}: {self.reason}" if what else f"{where}: {self.reason}"
        if self.value not in (None, ""):
            text += f", got {self.value!r}"
        if self.candidates:
            text += f" (did you mean: {', '.join(self.candidates[:8])}?)"
        return text

    @property
    def message(self) -> str:
        """The reason with the candidates, without the row (for a table's problems column)."""
        what = f"{self.column}: " if self.column else (f"{self.field}: " if self.field else "")
        text = f"{what}{self.reason}"
        if self.value not in (None, ""):
            text += f", got {cell_text(self.value)!r}"
        if self.candidates:
            text += f" (did you mean: {', '.join(self.candidates[:8])}?)"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {"row": self.row, "line": self.line, "column": self.column, "field": self.field,
                "value": self.value if isinstance(self.value, (str, int, float, bool, type(None))) else cell_text(
                    self.value), "reason": self.reason, "candidates": list(self.candidates)}


@dataclass(slots=True)
class RowReading:
    """How one row was read.

    Attributes
    ----------
    row, line : int, int or None
    fields : dict
        The firm's fields, as :class:`CompanyProfile` takes them: ``prefecture`` and
        ``municipality`` as codes, ``industry`` a JSIC code, ``employees`` and
        ``capital_jpy`` integers, ``founded`` a date, ``needs`` a tuple of need ids.
    located : dict of str to Source
        Where the location fields came from (the other sources follow from the columns).
    provenance : dict of str to Source
        For each field, the column and original text it came from (a property).
    kept : dict
        The cells of the columns the engine does not use, by header, in header order.
    problems : list of RowProblem
        What stops the row from being a firm.
    raw, names : tuple
        The original cells and their headers (:attr:`cells` pairs them).
    firm : CompanyProfile or None
        The validated firm, when the row has no problem (and the reader validates).
    notes : list of RowProblem
        What was read past without stopping the row: a free-text column (相談内容) whose
        text names no need the vocabulary knows gives no needs and a note, not a problem.
    """

    row: int
    line: int | None
    fields: dict[str, Any]
    located: dict[str, Source]
    kept: dict[str, Any]
    problems: list[RowProblem]
    raw: tuple = ()
    names: tuple[str, ...] = ()
    firm: CompanyProfile | None = None
    notes: list[RowProblem] = field(default_factory=list)

    sources: Mapping[str, tuple[str, int]] = field(default_factory=dict)

    @property
    def provenance(self) -> dict[str, Source]:
        """Field → the column and original cell it came from (made when asked: a batch run rarely asks)."""
        raw, located = self.raw, self.located
        out = {}
        for name in self.fields:
            if name in located:
                out[name] = located[name]
            elif name in self.sources:
                column, i = self.sources[name]
                out[name] = Source(column, raw[i])
        return out

    @property
    def cells(self) -> dict[str, Any]:
        """Every original cell by header (what an error row carries to the errors file)."""
        out = dict(zip(self.names, self.raw))
        if len(self.raw) > len(self.names):
            out["(beyond the header)"] = list(self.raw[len(self.names):])
        return out

    @property
    def ok(self) -> bool:
        """True when the row has no problem."""
        return not self.problems

    def profile(self) -> dict[str, Any]:
        """The validated firm as a JSON-ready dict (raises ValueError for a row with problems)."""
        if self.firm is None:
            raise ValueError(f"row {self.row} has no valid firm: {'; '.join(map(str, self.problems)) or 'not validated'}")
        return self.firm.model_dump(mode="json", exclude_defaults=True)


_Parser = Callable[[object, dict], Any]


def _text_value(value: object, options: dict) -> str | None:
    text = (value if isinstance(value, str) else cell_text(value)).strip()
    return text or None


_NEED_IDS = frozenset(need_ids())
_INDUSTRY_CODES = frozenset([*DIVISIONS, *MAJOR_GROUPS])


def _needs_value(value: object, options: dict) -> tuple[str, ...] | None:
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) and v in _NEED_IDS for v in value):
        return tuple(dict.fromkeys(value)) or None  # already need ids (a Parquet or JSON list)
    return parse_needs_words(value, free_text=bool(options.get("free_text"))) or None


def _id_value(value: object, options: dict) -> str | None:
    return cell_text(value).strip() or None


class FirmReader:
    """Reads rows of one table into firms.

    Parameters
    ----------
    columns : ColumnMatch
        What each column feeds (:attr:`profiles.tabular.Table.columns`).
    names : sequence of str
        The unique column names (:attr:`profiles.tabular.Table.names`), the keys of ``kept``.
    prefecture : str, optional
        The prefecture of rows that do not say (a city desk's list of its own firms): it
        settles "北区…" without 東京都. Recorded as the source ``(prefecture given)``.
    ranges : {"error", "upper"}
        How a headcount band reads (:func:`profiles.values.parse_headcount`).
    validate : bool
        Validate each row without problems as a :class:`CompanyProfile` (``firm``); a
        validation error becomes a problem of the row naming the field and its column.
    """

    def __init__(self, columns: ColumnMatch, names: Sequence[str], *, prefecture: str | None = None,
                 ranges: str = "error", validate: bool = True) -> None:
        if ranges not in ("error", "upper"):
            raise ValueError(f"ranges must be 'error' or 'upper', got {ranges!r}")
        self.columns = columns
        self.names = tuple(names)
        if len(self.names) != len(columns.columns):
            raise ValueError(f"names must have one name per column ({len(columns.columns)}), got {len(self.names)}")
        self.prefecture = None if prefecture is None else gazetteer().prefecture(prefecture).code
        self.ranges = ranges
        self.validate = validate
        # each parser takes the canonical form (a code, an int, a date, a bool: a Parquet file's
        # or the engine's own) at once, and everything else through the value parsers
        parsers: dict[str, _Parser] = {
            "id": _id_value, "name": _text_value, "description": _text_value,
            "industry": lambda v, o: v if v.__class__ is str and v in _INDUSTRY_CODES else parse_industry_words(v),
            "employees": lambda v, o: v if v.__class__ is int and v >= 0 else parse_headcount(v, ranges=ranges),
            "capital_jpy": lambda v, o: (v * o.get("unit", 1) if v.__class__ is int and v >= 0
                                         else parse_amount_jpy(v, unit=o.get("unit", 1))),
            "founded": lambda v, o: v if v.__class__ is dt.date else parse_date(v),
            "needs": _needs_value,
            "environment_conscious": lambda v, o: v if v.__class__ is bool else parse_flag(v, "environment_conscious"),
            "seeking_location": lambda v, o: v if v.__class__ is bool else parse_flag(v, "seeking_location"),
        }
        self._plan: list[tuple[str, int, str, dict, _Parser]] = []
        self._where: dict[str, tuple[int, str]] = {}
        kept: list[tuple[int, str]] = []
        for c in columns.columns:
            name = self.names[c.index]
            if c.field in LOCATION_FIELDS:
                self._where[c.field] = (c.index, name)
            elif c.field in parsers:
                self._plan.append((c.field, c.index, name, dict(c.options), parsers[c.field]))
            else:  # not a field, or one the engine has no use for (corporate_number)
                kept.append((c.index, name))
        self._kept = tuple(kept)
        self._order = {name: i for i, name in enumerate(self.names)}
        self._failed: dict[tuple, InputError] = {}
        self._prefectures: dict[object, str] = {}
        self._municipalities: dict[tuple, LocalGovernment] = {}
        self._sources = {f: (n, i) for f, i, n, _, _ in self._plan}
        self._column_of = {f: n for f, _, n, _, _ in self._plan} | {f: n for f, (_, n) in self._where.items()}

    @property
    def kept_names(self) -> tuple[str, ...]:
        """The headers of the columns kept beside each firm."""
        return tuple(n for _, n in self._kept)

    def read(self, row: Row) -> RowReading:
        """The reading of one row (never raises for a bad value: it becomes a problem)."""
        cells = row.cells
        kept = {name: cells[i] if i < len(cells) else "" for i, name in self._kept}
        extra = row.extra
        if extra:
            kept.update({k: v for k, v in extra.items() if not k.startswith("_")})
        if row.problem is not None:
            raw = (extra or {}).get("_raw", "")
            beyond = tuple(extra["_beyond_header"]) if extra and "_beyond_header" in extra else ()
            problem = RowProblem(row.number, row.line, None, None, raw, row.problem)
            return RowReading(row.number, row.line, {}, {}, kept, [problem], (*cells, *beyond), self.names)
        fields: dict[str, Any] = {}
        provenance: dict[str, Source] = {}
        problems: list[RowProblem] = []
        notes: list[RowProblem] = []
        failed = self._failed
        for name_of_field, i, column, options, parse in self._plan:
            value = cells[i]
            if value == "" or value is None:
                continue
            key = (i, value) if isinstance(value, (str, int, float)) else None
            exc = failed.get(key) if key is not None else None
            if exc is None:
                try:
                    parsed = parse(value, options)
                except InputError as err:  # remembered: the parsers remember answers, not errors
                    exc = err
                    if key is not None:
                        if len(failed) >= _FAILED_MAX:
                            failed.clear()
                        failed[key] = err
            if exc is not None:
                problem = RowProblem(row.number, row.line, column, name_of_field, value, exc.message,
                                     tuple(map(str, exc.candidates)))
                if name_of_field == "needs" and options.get("free_text") and isinstance(exc, UnknownValueError):
                    notes.append(problem)
                else:
                    problems.append(problem)
                continue
            if parsed is not None:
                fields[name_of_field] = parsed
        self._locate(row, cells, fields, provenance, problems)
        if len(problems) > 1:  # in the order of the columns, as the row reads
            problems.sort(key=lambda p: self._order.get(p.column, len(self._order)))
        reading = RowReading(row.number, row.line, fields, provenance, kept, problems, cells, self.names,
                             notes=notes, sources=self._sources)
        if not problems and self.validate:
            try:
                reading.firm = CompanyProfile.model_validate(fields)
            except ValidationError as exc:
                for p in problems_from(exc, "", ""):
                    top = p.path.split(".")[0].split("[")[0]
                    column = self._column_of.get(top) or (self._column_of.get("address") if top in (
                        "municipality", "prefecture") else None)
                    problems.append(RowProblem(row.number, row.line, column, p.path or None, None, p.message))
        return reading

    def read_all(self, rows) -> Iterator[RowReading]:
        """The reading of each row, in order."""
        read = self.read
        for row in rows:
            yield read(row)

    # -- location -----------------------------------------------------------------------------

    def _cell(self, cells: tuple, key: str) -> tuple[object, str | None]:
        where = self._where.get(key)
        if where is None:
            return None, None
        value = cells[where[0]]
        return (None if value == "" or value is None else value), where[1]

    def _locate(self, row: Row, cells: tuple, fields: dict, provenance: dict, problems: list) -> None:
        pref_v, pref_col = self._cell(cells, "prefecture")
        mun_v, mun_col = self._cell(cells, "municipality")
        addr_v, addr_col = self._cell(cells, "address")
        pc_v, pc_col = self._cell(cells, "postal_code")

        def problem(column, name, value, exc: InputError):
            problems.append(RowProblem(row.number, row.line, column, name, value, exc.message,
                                       tuple(map(str, exc.candidates))))

        pref = None
        if pref_v is not None:
            pref = self._prefectures.get(pref_v) if isinstance(pref_v, str) else None
            if pref is None:
                try:
                    pref = gazetteer().prefecture(cell_text(pref_v).strip()).code
                except InputError as exc:
                    problem(pref_col, "prefecture", pref_v, exc)
                    return
                if isinstance(pref_v, str) and len(self._prefectures) < 4096:
                    self._prefectures[pref_v] = pref
            fields["prefecture"] = pref
            provenance["prefecture"] = Source(pref_col, pref_v)
        hint = pref or self.prefecture
        found: AddressMatch | None = None
        found_source: Source | None = None
        if addr_v is not None or pc_v is not None:
            address = cell_text(addr_v) if addr_v is not None and not isinstance(addr_v, str) else addr_v
            try:
                found = parse_address(address, postal_code=pc_v, prefecture=hint)
            except InputError as exc:
                on_pc = exc.field == "postal_code" and pc_col is not None
                problem(pc_col if on_pc else addr_col or pc_col, "postal_code" if on_pc or addr_col is None
                        else "address", pc_v if on_pc else addr_v if addr_v is not None else pc_v, exc)
                return
            if found is not None:
                found_source = self._address_source(found, addr_v, addr_col, pc_v, pc_col)
        gov: LocalGovernment | None = None
        if mun_v is not None:
            within = hint or (found.prefecture if found else None)
            key = (mun_v, within) if isinstance(mun_v, (str, int)) else None
            gov = self._municipalities.get(key) if key is not None else None
            if gov is None:
                try:
                    gov = parse_municipality(mun_v, prefecture=within)
                except InputError as exc:
                    problem(mun_col, "municipality", mun_v, exc)
                    return
                if key is not None and gov is not None and len(self._municipalities) < 65536:
                    self._municipalities[key] = gov
        code, source = self._settle(gov, Source(mun_col, mun_v) if gov else None, found, found_source,
                                    problem, addr_col)
        if code is False:
            return
        if code:
            fields["municipality"] = code
            provenance["municipality"] = source
            pref_code = gazetteer().get(code).prefecture_code
        elif found is not None:
            pref_code, source = found.prefecture, found_source
        else:
            pref_code = None
        if pref_code is not None and "prefecture" not in fields:
            fields["prefecture"] = pref_code
            provenance["prefecture"] = source
        elif pref_code is None and "prefecture" not in fields and self.prefecture and (mun_v or addr_v):
            fields["prefecture"] = self.prefecture
            provenance["prefecture"] = Source("(prefecture given)", self.prefecture)

    @staticmethod
    def _address_source(found: AddressMatch, addr_v, addr_col, pc_v, pc_col) -> Source:
        if found.how == "postal_code" and pc_v is not None:
            return Source(pc_col, pc_v)
        if found.how == "address+postal_code" and pc_v is not None and addr_v is not None:
            return Source(f"{addr_col} + {pc_col}", f"{cell_text(addr_v)} / {cell_text(pc_v)}")
        return Source(addr_col, addr_v) if addr_v is not None else Source(pc_col, pc_v)

    @staticmethod
    def _settle(gov, gov_source, found, found_source, problem, addr_col):
        """The municipality code and its source, from the municipality column and the address."""
        if found is None or found.municipality is None:
            if gov is not None and found is not None and gov.prefecture_code != found.prefecture:
                problem(gov_source.column, "municipality", gov_source.value, InputError(
                    "municipality", gov_source.value, f"{gov.full_name_ja} ({gov.label}) is not in the prefecture "
                    f"the address gives ({gazetteer().prefectures[int(found.prefecture) - 1].name_ja})"))
                return False, None
            return (gov.code, gov_source) if gov is not None else (None, None)
        if gov is None or gov.code == found.municipality:
            return (found.municipality, found_source) if gov is None else (gov.code, gov_source)
        by_address = gazetteer().get(found.municipality)
        if _within(by_address, gov):   # 市区町村 札幌市, address 札幌市中央区…: the ward
            return by_address.code, found_source
        if _within(gov, by_address):
            return gov.code, gov_source
        problem(gov_source.column, "municipality", gov_source.value, InputError(
            "municipality", gov_source.value, f"the municipality column gives {gov.full_name_ja} ({gov.label}) "
            f"but {addr_col or 'the postal code'} gives {by_address.full_name_ja} ({by_address.label})",
            [f"{gov.code} {gov.label}", f"{by_address.code} {by_address.label}"]))
        return False, None


def _within(ward: LocalGovernment, city: LocalGovernment) -> bool:
    """True when ``ward`` is a ward of the designated city ``city``."""
    return (ward.kind == "ward" and city.kind == "city" and ward.prefecture_code == city.prefecture_code
            and ward.full_name_ja.startswith(city.name_ja) and ward.code != city.code)
