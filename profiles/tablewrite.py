"""Writing tables an analyst and a coordinator can open: Excel ``.xlsx`` and CSV (with a BOM for Excel).

Both writers stream their rows (an iterable of sequences or of dicts keyed by the
header), write through a temporary file and a rename, and never overwrite a file
unless told to:

>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp())
>>> write_xlsx(out / "calls.xlsx", ["会社名", "電話番号", "reasons"], [["王子プレス", "03-0000-0000", "対象: 北区\\n従業員 25名"]])
3
>>> write_csv(out / "calls.csv", ["会社名", "電話番号"], [{"会社名": "王子プレス", "電話番号": "03-0000-0000"}], excel=True)
1
>>> (out / "calls.csv").read_bytes()[:3] == b"\\xef\\xbb\\xbf"     # a BOM: Excel opens it in Japanese
True
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from profiles.errors import InputError

__all__ = ["write_xlsx", "write_csv", "OutputExistsError"]

_WIDTH_MIN, _WIDTH_MAX, _WIDE = 6, 60, 80


class OutputExistsError(InputError):
    """The output file exists and overwriting was not asked for."""

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def _target(path: str | Path, overwrite: bool) -> tuple[Path, Path]:
    path = Path(path)
    if path.exists() and not overwrite:
        raise OutputExistsError(str(path), None, "the file exists; give --force to overwrite it")
    return path, path.with_name(f".{path.name}.tmp")


def _values(header: Sequence[str], row: Sequence[Any] | Mapping[str, Any]) -> list[Any]:
    if isinstance(row, Mapping):
        return [row.get(h) for h in header]
    values = list(row)
    if len(values) != len(header):
        raise ValueError(f"a row must have one value per header column ({len(header)}), got {len(values)}: {values!r}")
    return values


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool, dt.date, dt.datetime)):
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        return "; ".join(str(v) for v in value)
    return str(value)


def write_xlsx(path: str | Path, header: Sequence[str], rows: Iterable[Sequence[Any] | Mapping[str, Any]], *,
               wrap_columns: Iterable[str] = ("reasons", "problems", "missing"), sheet: str = "results",
               widths: Mapping[str, float] | None = None, overwrite: bool = False) -> int:
    """Write an ``.xlsx`` workbook: a bold header row, frozen below it, filtered, wrapped reason columns.

    Parameters
    ----------
    path : str or Path
    header : sequence of str
        The column headers, in order.
    rows : iterable of sequences or mappings
        One value per header column (a mapping is read by header; a missing key is empty).
        Lists become ``"a; b"``; dates stay dates. A text that starts with ``=`` is written
        as text, never as a formula.
    wrap_columns : iterable of str
        Headers of the columns whose text wraps (and that are made wide).
    sheet : str
        The sheet's name.
    widths : mapping, optional
        Header → column width, over the widths guessed from the first rows.
    overwrite : bool
        Replace an existing file (otherwise :class:`OutputExistsError`).

    Returns
    -------
    int
        The number of columns written (rows are streamed; count them yourself if needed).
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    path, tmp = _target(path, overwrite)
    header = [str(h) for h in header]
    wrap = {i for i, h in enumerate(header) if h in set(wrap_columns)}
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet[:31])
    ws.freeze_panes = "A2"
    bold, wrapped = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    rows = iter(rows)
    first = [_values(header, r) for _, r in zip(range(200), rows)]  # the first rows size the columns
    guess = [max([len(h) * 2 if not h.isascii() else len(h)] + [_display_width(v) for v in (r[i] for r in first)])
             for i, h in enumerate(header)]
    for i, h in enumerate(header):
        width = (widths or {}).get(h) or (min(max(guess[i], 30), _WIDE) if i in wrap else
                                          max(_WIDTH_MIN, min(guess[i] + 2, _WIDTH_MAX)))
        ws.column_dimensions[get_column_letter(i + 1)].width = width
    if header:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}1"

    def cell(value: Any, i: int):
        value = _plain(value)
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        c = WriteOnlyCell(ws, value=value)
        if isinstance(value, str) and value.startswith("="):
            c.data_type = "s"  # text, not a formula
        if i in wrap:
            c.alignment = wrapped
        return c

    heads = []
    for h in header:
        c = WriteOnlyCell(ws, value=h)
        c.font = bold
        heads.append(c)
    ws.append(heads)
    plain = not wrap
    for values in _chain(first, header, rows):
        if plain and not any(isinstance(v, str) and v.startswith("=") for v in values):
            ws.append([_clean(v) for v in values])
        else:
            ws.append([cell(v, i) for i, v in enumerate(values)])
    try:
        wb.save(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return len(header)


def _chain(first, header, rows):
    yield from first
    for r in rows:
        yield _values(header, r)


def _clean(value: Any) -> Any:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    value = _plain(value)
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _display_width(value: Any) -> int:
    text = "" if value is None else str(_plain(value))
    line = max(text.splitlines() or [""], key=len)
    return sum(1 if c.isascii() else 2 for c in line)


def write_csv(path: str | Path, header: Sequence[str], rows: Iterable[Sequence[Any] | Mapping[str, Any]], *,
              excel: bool = False, overwrite: bool = False) -> int:
    """Write a CSV file; ``excel=True`` adds a UTF-8 BOM and CRLF line ends, so Excel opens it in Japanese.

    Rows are sequences (one value per header column) or mappings read by header; lists
    become ``"a; b"``, None an empty cell. Returns the number of rows written.
    """
    path, tmp = _target(path, overwrite)
    header = [str(h) for h in header]
    n = 0
    try:
        with open(tmp, "w", encoding="utf-8-sig" if excel else "utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\r\n" if excel else "\n")
            writer.writerow(header)
            for row in rows:
                writer.writerow(["" if v is None else _plain(v) for v in _values(header, row)])
                n += 1
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return n
