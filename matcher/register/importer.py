"""Importing a firm list into the register: upsert by firm id, in batches, each batch one transaction.

A batch is written whole or not at all, so an import killed halfway leaves the register as
it was or with whole batches written, never half a firm. Bad rows are reported by row
number and reason and every other row is imported; a row without an id cannot be
matched to a registered firm later, so it is an error too. Columns the engine does not
use (phone, contact person, ...) are kept with the firm.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matcher.register.store import FirmInput, Register, UpsertReport, split_fields

__all__ = ["ImportReport", "import_firms", "BATCH_SIZE"]

#: Firms written per transaction.
BATCH_SIZE = 500


@dataclass
class ImportReport(UpsertReport):
    """Counts of an import, with every bad row (``matcher.firmio.RowError``)."""

    file: str = ""
    rows: int = 0
    batches: int = 0
    errors: list = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "rows": self.rows, "added": self.added, "updated": self.updated,
                "unchanged": self.unchanged, "errors": [e.to_dict() for e in self.errors], "batches": self.batches}


def _read_firms(path: str | Path, errors: list, **reading: Any) -> Iterator[tuple[int, FirmInput]]:
    """The firms of a file as ``(row, FirmInput)``; bad rows go to ``errors``.

    Read through the one reader of ``matcher reach`` and ``batch``
    (:class:`matcher.batch.files.InputRows`: CSV in any encoding Excel writes, TSV,
    Excel, JSON Lines, JSON, Parquet, YAML; English or Japanese headers; ``reading``
    holds its ``encoding``, ``sheet``, ``columns`` and ``prefecture``). The columns the
    profile does not know are kept columns.
    """
    from matcher.batch.files import InputRows
    from matcher.firmio import RowError, valid_firms

    kept: dict[int, dict[str, Any]] = {}

    def records():
        with InputRows(path, **reading) as rows:
            yield from pairs(rows)

    def pairs(rows):
        for row, rec in rows:
            if isinstance(rec, RowError):
                yield row, rec
                continue
            rec = dict(rec)
            extra_cells = rec.pop("_kept", {})
            profile, extra = split_fields(rec)
            extra = {**extra_cells, **extra}
            if profile.get("id") in (None, ""):
                yield row, RowError(row, "id", None, "a registered firm needs an id (add an id column) so that a "
                                                     "later import updates it")
                continue
            kept[row] = extra
            yield row, profile

    name = Path(path).name
    for row, firm in valid_firms(records(), errors):
        yield row, FirmInput(firm.id, firm, kept.pop(row, {}), f"{name}:{row}")  # validated once, here


def import_firms(reg: Register, path: str | Path, *, batch_size: int = BATCH_SIZE,
                 progress: Callable[[ImportReport], None] | None = None, encoding: str | None = None,
                 sheet: str | None = None, columns: Any = None, prefecture: str | None = None) -> ImportReport:
    """Import a firm list into the register; returns counts and the bad rows.

    A firm id that repeats an earlier row of the same file is an error (the first row
    is the one imported). ``encoding``, ``sheet``, ``columns`` and ``prefecture`` say how
    the list is read (:func:`profiles.firmcheck.read_firms`).
    """
    from matcher.firmio import RowError

    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
        raise ValueError(f"batch_size must be an integer >= 1, got {batch_size!r}")
    rep = ImportReport(file=str(path))
    seen: dict[str, int] = {}
    batch: list[FirmInput] = []

    def flush() -> None:
        if batch:
            rep.merge(reg.upsert_firms(batch))
            rep.batches += 1
            batch.clear()
            if progress is not None:
                progress(rep)

    last_row = 0
    for row, item in _read_firms(path, rep.errors, encoding=encoding, sheet=sheet, columns=columns,
                                 prefecture=prefecture):
        last_row = row
        first = seen.get(item.firm_id)
        if first is not None:
            rep.errors.append(RowError(row, "id", item.firm_id, f"the same firm id as row {first}; row {first} is imported"))
            continue
        seen[item.firm_id] = row
        batch.append(item)
        if len(batch) >= batch_size:
            flush()
    flush()
    rep.rows = max([last_row, *(e.row for e in rep.errors)]) if (last_row or rep.errors) else 0
    rep.errors.sort(key=lambda e: e.row)
    return rep
