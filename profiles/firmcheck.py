"""Reading a whole firm list, and "firms check": how every row was read, before anything is scored.

:func:`read_firms` opens a list (:func:`profiles.tabular.open_table`) and reads each row
(:class:`profiles.firmrows.FirmReader`), streaming; its :attr:`FirmRows.summary` counts as
it goes. :func:`check_firms` gives one record per input row with the resolved location,
industry, size, capital, founding date and needs, what each came from, and the problems:

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "register.csv"
>>> _ = path.write_bytes("会社名,所在地,従業員数,電話番号\\r\\n王子プレス,東京都北区王子1-11-1,25名\\r\\n"
...                      "赤羽樹脂,北区赤羽2-1-1,約30人,03-0000-0000\\r\\n".encode("cp932"))
>>> check = check_firms(path)
>>> rows = list(check.to_rows())
>>> rows[0]["municipality_code"], rows[0]["municipality"], rows[0]["employees"], rows[0]["sources"]
('131172', '東京都北区', 25, "municipality ← 所在地 '東京都北区王子1-11-1'; employees ← 従業員数 '25名'")
>>> print(rows[1]["problems"])  # doctest: +ELLIPSIS
所在地: ambiguous: 12 local governments begin this address; give the prefecture or the postal code, got '北区赤羽2-1-1' ...
>>> print(check.summary)
2 rows: 1 readable, 1 with problems; name ← 会社名, address ← 所在地, employees ← 従業員数; kept: 電話番号
>>> check.exit_code
1
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from profiles.firmrows import FirmReader, RowReading
from profiles.geography import gazetteer
from profiles.industries import DIVISIONS, MAJOR_GROUPS
from profiles.tabular import Table, cell_text, open_table

__all__ = ["ReadingSummary", "FirmRows", "FirmsCheck", "read_firms", "check_firms", "CHECK_COLUMNS",
           "check_row", "check_record"]

#: The columns of a check table, in order.
CHECK_COLUMNS = ("row", "line", "name", "prefecture", "municipality_code", "municipality", "industry", "employees",
                 "capital_jpy", "founded", "needs", "sources", "problems", "notes")
_SHOWN = ("prefecture", "municipality", "industry", "employees", "capital_jpy", "founded", "needs")


@dataclass
class ReadingSummary:
    """What was read: rows, readable rows, rows with problems, what each column fed, what was kept."""

    path: str
    format: str
    encoding: str | None
    sheet: str | None
    header_line: int | None
    columns: dict[str, str]
    kept: tuple[str, ...]
    rows: int = 0
    readable: int = 0
    with_problems: int = 0
    blank_rows: int = 0
    with_notes: int = 0
    problems_by_field: Counter = field(default_factory=Counter)

    def __str__(self) -> str:
        used = ", ".join(f"{f} ← {h}" for f, h in self.columns.items()) or "no column feeds a field"
        text = f"{self.rows} rows: {self.readable} readable, {self.with_problems} with problems; {used}"
        return text + (f"; kept: {', '.join(self.kept)}" if self.kept else "")

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "format": self.format, "encoding": self.encoding, "sheet": self.sheet,
                "header_line": self.header_line, "rows": self.rows, "readable": self.readable,
                "with_problems": self.with_problems, "with_notes": self.with_notes, "blank_rows": self.blank_rows, "columns": dict(self.columns),
                "kept": list(self.kept), "problems_by_field": dict(self.problems_by_field)}


class FirmRows:
    """The readings of every row of a firm list, streamed in file order.

    Iterate for :class:`~profiles.firmrows.RowReading` objects, or :meth:`chunks` for lists
    of them; :attr:`summary` counts the rows read so far (all of them once exhausted).
    Every input row gives exactly one reading: rows = readable + with problems.
    """

    def __init__(self, table: Table, reader: FirmReader) -> None:
        self.table = table
        self.reader = reader
        kept = [*reader.kept_names]
        self.summary = ReadingSummary(str(table.path), table.format, table.encoding, table.sheet, table.header_line,
                                      {f: c.header for f, c in table.columns.fields.items()}, tuple(kept))

    def __enter__(self) -> "FirmRows":
        return self

    def __exit__(self, *exc) -> None:
        self.table.close()

    def __iter__(self) -> Iterator[RowReading]:
        summary, read = self.summary, self.reader.read
        seen_extra: dict[str, None] = {}
        for row in self.table:
            reading = read(row)
            summary.rows += 1
            if reading.problems:
                summary.with_problems += 1
                for p in reading.problems:
                    summary.problems_by_field[p.field or "(row)"] += 1
            else:
                summary.readable += 1
            if reading.notes:
                summary.with_notes += 1
            if row.extra:
                new = [k for k in row.extra if not k.startswith("_") and k not in seen_extra]
                if new:
                    seen_extra.update(dict.fromkeys(new))
                    summary.kept = (*summary.kept, *new)
            yield reading
        summary.blank_rows = self.table.blank_rows

    def chunks(self, size: int = 8192) -> Iterator[list[RowReading]]:
        """The readings in lists of ``size``."""
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ValueError(f"size must be an integer >= 1, got {size!r}")
        chunk: list[RowReading] = []
        for reading in self:
            chunk.append(reading)
            if len(chunk) >= size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk


def read_firms(path: str | Path, *, format: str | None = None, encoding: str | None = None, sheet: str | None = None,
               columns: Mapping[str, object] | str | Path | None = None, prefecture: str | None = None,
               ranges: str = "error", validate: bool = True, header_row: int | None = None) -> FirmRows:
    """Open a firm list and read its rows into firms (see :func:`~profiles.tabular.open_table`
    for ``format``, ``encoding``, ``sheet``, ``columns`` and ``header_row``, and
    :class:`~profiles.firmrows.FirmReader` for ``prefecture``, ``ranges`` and ``validate``).

    Raises :class:`~profiles.tabular.TableError` (or another
    :class:`~profiles.errors.InputError`) when the file cannot be opened; a bad row never raises.
    """
    table = open_table(path, format=format, encoding=encoding, sheet=sheet, columns=columns, header_row=header_row)
    try:
        reader = FirmReader(table.columns, table.names, prefecture=prefecture, ranges=ranges, validate=validate)
    except BaseException:
        table.close()
        raise
    return FirmRows(table, reader)


def _industry_label(code: str) -> str:
    names = DIVISIONS.get(code) or MAJOR_GROUPS.get(code)
    return f"{code} {names[1]}" if names else code


def _value(name: str, value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def check_record(reading: RowReading) -> dict[str, Any]:
    """One row's reading as JSON: each resolved field with its value, column and original text."""
    gaz = gazetteer()
    resolved: dict[str, Any] = {}
    for name in ("id", "name", *_SHOWN, "description", "environment_conscious", "seeking_location"):
        if name not in reading.fields:
            continue
        source = reading.provenance.get(name)
        entry = {"value": _value(name, reading.fields[name]),
                 "column": source.column if source else None, "text": source.text if source else None}
        if name == "prefecture":
            entry["name"] = gaz.prefectures[int(reading.fields[name]) - 1].name_ja
        elif name == "municipality":
            gov = gaz.get(reading.fields[name])
            entry["name"] = f"{gov.prefecture_ja}{gov.full_name_ja}"
            entry["label"] = gov.label
        elif name == "industry":
            entry["name"] = _industry_label(reading.fields[name])
        resolved[name] = entry
    return {"row": reading.row, "line": reading.line, "ok": reading.ok, "fields": resolved,
            "kept": {k: cell_text(v) for k, v in reading.kept.items()},
            "problems": [p.to_dict() for p in reading.problems], "notes": [p.to_dict() for p in reading.notes],
            **({"cells": {k: cell_text(v) for k, v in reading.cells.items()}} if reading.problems else {})}


def check_row(reading: RowReading) -> dict[str, Any]:
    """One row's reading as a flat table row (the columns of :data:`CHECK_COLUMNS`)."""
    gaz = gazetteer()
    f = reading.fields
    gov = gaz.get(f["municipality"]) if "municipality" in f else None
    return {
        "row": reading.row, "line": reading.line, "name": f.get("name"),
        "prefecture": gaz.prefectures[int(f["prefecture"]) - 1].name_ja if "prefecture" in f else None,
        "municipality_code": gov.code if gov else None,
        "municipality": f"{gov.prefecture_ja}{gov.full_name_ja}" if gov else None,
        "industry": _industry_label(f["industry"]) if "industry" in f else None,
        "employees": f.get("employees"), "capital_jpy": f.get("capital_jpy"),
        "founded": f["founded"].isoformat() if "founded" in f else None,
        "needs": ", ".join(f["needs"]) if f.get("needs") else None,
        "sources": "; ".join(f"{k} ← {reading.provenance[k]}" for k in _SHOWN if k in reading.provenance
                             and not (k == "prefecture" and reading.provenance[k] == reading.provenance.get(
                                 "municipality"))),  # one place gave both: said once
        "problems": "; ".join(p.message for p in reading.problems),
        "notes": "; ".join(p.message for p in reading.notes),
    }


class FirmsCheck:
    """How every row of a firm list reads: iterate for readings, or :meth:`to_rows` / :meth:`to_dict`.

    :attr:`summary` is complete once the rows are read; :attr:`exit_code` is 0 when every
    row reads and 1 when some have problems (a file that cannot be opened raised already).
    """

    def __init__(self, rows: FirmRows) -> None:
        self.rows = rows
        self._done: list[RowReading] | None = None

    @property
    def summary(self) -> ReadingSummary:
        return self.rows.summary

    def __iter__(self) -> Iterator[RowReading]:
        if self._done is not None:
            yield from self._done
            return
        done: list[RowReading] = []
        for reading in self.rows:
            done.append(reading)
            yield reading
        self._done = done

    def _all(self) -> list[RowReading]:
        if self._done is None:
            for _ in self:
                pass
        return self._done  # type: ignore[return-value]

    def to_rows(self) -> Iterator[dict[str, Any]]:
        """One flat dict per input row (:data:`CHECK_COLUMNS`), for a table or a CSV/Excel file."""
        for reading in self:
            yield check_row(reading)

    def to_dict(self) -> dict[str, Any]:
        """``{"summary": ..., "rows": [...]}`` for ``--json`` (reads every row)."""
        rows = [check_record(r) for r in self._all()]
        return {"summary": self.summary.to_dict(), "rows": rows}

    @property
    def exit_code(self) -> int:
        """0 when every row reads, 1 when some rows have problems."""
        self._all()
        return 0 if self.summary.with_problems == 0 else 1


def check_firms(path: str | Path, *, encoding: str | None = None, sheet: str | None = None,
                columns: Mapping[str, object] | str | Path | None = None, format: str | None = None,
                prefecture: str | None = None, ranges: str = "error") -> FirmsCheck:
    """How every row of a firm list reads, before anything is scored (``matcher firms check``).

    Parameters are those of :func:`read_firms`. Raises :class:`~profiles.tabular.TableError`
    when the file cannot be opened (the CLI's exit 2).
    """
    return FirmsCheck(read_firms(path, format=format, encoding=encoding, sheet=sheet, columns=columns,
                                 prefecture=prefecture, ranges=ranges))
