"""Reading firms from files: one firm (YAML/JSON, or ``-`` for standard input) or many
(CSV, JSON Lines, or a YAML/JSON list), with every bad row reported by number and reason.

>>> import io
>>> rows = list(read_records(io.StringIO("id,municipality,employees,needs\\n1,131172,25,trade fair;subsidy\\n"), "csv"))
>>> rows
[(1, {'id': '1', 'municipality': '131172', 'employees': '25', 'needs': ['trade fair', 'subsidy']})]
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import yaml

from profiles.catalog import DuplicateKeyError, parse_yaml, unique_pairs
from profiles.errors import InputError
from profiles.models import CompanyProfile
from profiles.validation import coerce_firm

__all__ = ["read_firm", "read_records", "open_records", "RowError", "valid_firms", "FORMATS"]

FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".yaml": "yaml", ".yml": "yaml"}
_LIST_FIELDS = ("needs",)


@dataclass(frozen=True)
class RowError:
    """A row that could not be read or validated."""

    row: int
    field: str
    value: Any
    reason: str
    column: str | None = None
    line: int | None = None
    cells: dict[str, Any] | None = None

    def __str__(self) -> str:
        where = f"row {self.row}" + (f" (line {self.line})" if self.line is not None else "")
        what = f"{self.column} ({self.field})" if self.column and self.column != self.field else self.field
        return f"{where}: {what}: {self.reason}, got {self.value!r}"

    def to_dict(self) -> dict[str, Any]:
        out = {"row": self.row, "field": self.field, "value": self.value, "reason": self.reason}
        if self.column is not None:
            out["column"] = self.column
        if self.line is not None:
            out["line"] = self.line
        if self.cells is not None:
            out["cells"] = self.cells
        return out

    @classmethod
    def from_reading(cls, reading: Any) -> "RowError":
        """The error row of a :class:`profiles.firmrows.RowReading` with problems: its first
        problem's column, field and value, every problem's reason, and the original cells."""
        from profiles.tabular import cell_text

        first = reading.problems[0]
        reason = "; ".join(p.message for p in reading.problems) if len(reading.problems) > 1 else first.reason
        if len(reading.problems) == 1 and first.candidates:
            reason += f" (did you mean: {', '.join(first.candidates[:8])}?)"
        value = first.value if isinstance(first.value, (str, int, float, bool)) or first.value is None \
            else cell_text(first.value)
        cells = {k: v if isinstance(v, str) else cell_text(v) for k, v in reading.cells.items()}
        return cls(reading.row, first.field or first.column or "-", value, reason, first.column, reading.line, cells)


def _parse_text(text: str, source: str) -> Any:
    try:
        # YAML is a superset of JSON; a repeated key is an error; a firm file has no use for aliases
        return parse_yaml(text, aliases="refuse")
    except yaml.YAMLError as exc:
        raise InputError("firm", source, f"cannot parse as YAML or JSON: {' '.join(str(exc).split())}") from None


def read_firm(path: str | Path) -> dict[str, Any]:
    """One firm's fields from a YAML or JSON file, or ``-`` for standard input."""
    if str(path) == "-":
        text, source = sys.stdin.read(), "<stdin>"
    else:
        p = Path(path)
        if not p.is_file():
            raise InputError("firm", str(path), "no such file")
        text, source = p.read_text(encoding="utf-8-sig"), str(path)
    data = _parse_text(text, source)
    if isinstance(data, dict) and set(data) == {"company"}:
        data = data["company"]  # accept a ranking's "company" block back
    if not isinstance(data, dict):
        raise InputError("firm", source, f"expected a mapping of a firm's fields, got {type(data).__name__}")
    return data


def _clean_csv(row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in row.items():
        if k is None:
            out["_extra"] = v
            continue
        k = k.strip()
        if v is None or (isinstance(v, str) and not v.strip()):
            continue
        v = v.strip()
        if k in _LIST_FIELDS:
            v = [x.strip() for x in v.replace("、", ";").replace("|", ";").replace(",", ";").split(";") if x.strip()]
        out[k] = v
    return out


def read_records(stream: IO[str], fmt: str) -> Iterator[tuple[int, dict[str, Any] | RowError]]:
    """``(row number, fields or RowError)`` for each record; rows count from 1 (CSV: after the header)."""
    if fmt == "csv":
        for i, row in enumerate(csv.DictReader(stream), start=1):
            rec = _clean_csv(row)
            if "_extra" in rec:
                yield i, RowError(i, "-", rec["_extra"], "more cells than header columns")
            else:
                yield i, rec
    elif fmt == "jsonl":
        n = 0
        for line in stream:
            if not line.strip():
                continue
            n += 1
            try:
                rec = json.loads(line, object_pairs_hook=unique_pairs)
            except json.JSONDecodeError as exc:
                yield n, RowError(n, "-", line.strip()[:80], f"not valid JSON ({exc.msg})")
                continue
            except DuplicateKeyError as exc:
                yield n, RowError(n, "-", line.strip()[:80], str(exc))
                continue
            yield n, rec if isinstance(rec, dict) else RowError(n, "-", rec, "expected a JSON object")
    elif fmt in ("json", "yaml"):
        data = _parse_text(stream.read(), "firms")
        if isinstance(data, dict) and isinstance(data.get("firms"), list):
            data = data["firms"]
        if not isinstance(data, list):
            raise InputError("firms", type(data).__name__, "expected a list of firms")
        for i, rec in enumerate(data, start=1):
            yield i, rec if isinstance(rec, dict) else RowError(i, "-", rec, "expected a mapping")
    else:
        raise InputError("format", fmt, f"unknown format, expected one of {sorted(set(FORMATS.values()))}")


def open_records(path: str | Path) -> Iterator[tuple[int, dict[str, Any] | RowError]]:
    """:func:`read_records` on a file, the format taken from its extension."""
    p = Path(path)
    fmt = FORMATS.get(p.suffix.lower())
    if fmt is None:
        raise InputError("firms", str(path), f"unknown file extension, expected one of {sorted(FORMATS)}")
    if not p.is_file():
        raise InputError("firms", str(path), "no such file")
    with p.open(encoding="utf-8-sig", newline="") as fh:
        yield from read_records(fh, fmt)


def valid_firms(records: Iterable[tuple[int, dict[str, Any] | RowError]], errors: list[RowError]
                ) -> Iterator[tuple[int, CompanyProfile]]:
    """Validated firms with their row numbers; every bad row is appended to ``errors``."""
    for row, rec in records:
        if isinstance(rec, RowError):
            errors.append(rec)
            continue
        try:
            firm = coerce_firm(rec)
        except InputError as exc:
            errors.append(RowError(row, exc.field, exc.value, exc.message
                                   + (f" (did you mean: {', '.join(exc.candidates[:5])}?)" if exc.candidates else "")))
            continue
        if firm.id is None:
            firm = firm.model_copy(update={"id": f"row-{row}"})
        yield row, firm
