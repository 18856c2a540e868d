"""One reader for every firm list: CSV, TSV, JSON Lines, JSON, Parquet and Excel, streamed in chunks.

:func:`open_table` opens a file, finds its header row, matches the headers through the
synonym table (:func:`profiles.columns.match_headers`) and streams its records as
:class:`Row` objects: the 1-based record number, where it is in the file (the physical
line of a CSV, the sheet row of a workbook), and the cells as written. A CSV's encoding
is detected (UTF-8, UTF-8 with a BOM, UTF-16 with a BOM, CP932/Shift_JIS) unless given.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "register.csv"
>>> _ = path.write_bytes("会社名,所在地,電話番号\\r\\n王子プレス,東京都北区王子1-11-1,03-0000-0000\\r\\n".encode("cp932"))
>>> with open_table(path) as table:
...     print(table.encoding, table.columns.summary())
...     print(list(table))
cp932 name ← 会社名, address ← 所在地; kept: 電話番号
[Row(number=1, line=2, cells=('王子プレス', '東京都北区王子1-11-1', '03-0000-0000'), problem=None, extra=None)]

A record the file's structure breaks (a quote that never closes and swallows the lines
after it, more cells than the header, bytes not in the encoding, a cell longer than
``max_cell``) is a :class:`Row` with a ``problem`` and its original text: nothing is
dropped and the records after it are read as usual.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import NamedTuple

from profiles.columns import ColumnConflictError, ColumnMatch, match_headers, read_column_mapping
from profiles.errors import InputError
from profiles.textfiles import MAX_SPAN, TableError, detect_encoding, encoding_name, json_records, open_csv

__all__ = ["Row", "Table", "TableError", "open_table", "detect_encoding", "table_format", "cell_text",
           "FORMATS", "MAX_CELL", "MAX_SPAN"]

#: File extensions and the format each is read as.
FORMATS = {".csv": "csv", ".txt": "csv", ".tsv": "tsv", ".tab": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl",
           ".json": "json", ".parquet": "parquet", ".pq": "parquet", ".xlsx": "xlsx", ".xlsm": "xlsx",
           ".xls": "xlsx", ".ods": "xlsx"}
#: A cell longer than this (characters) is a problem of its row (the csv module's own default limit).
MAX_CELL = 131_072
_HEADER_SEARCH = 10
_JSON_LOOK = 1000  # JSON objects whose keys make the header; later new keys go to Row.extra


class Row(NamedTuple):
    """One record of a firm list (a named tuple: one is made per record).

    Attributes
    ----------
    number : int
        1-based among the records after the header (blank records are not counted).
    line : int or None
        Where the record starts: the physical line of a CSV/TSV/JSON Lines file, the sheet
        row of a workbook (as Excel numbers it); None for Parquet and JSON.
    cells : tuple
        The cells in header order, as written: strings for text files, the values a
        workbook or Parquet file holds (numbers, dates) otherwise; ``""`` for an empty cell.
    problem : str or None
        Why the record cannot be read as a row of the table (its ``cells`` then hold what
        could be recovered and ``extra["_raw"]`` the original text).
    extra : dict or None
        Cells beyond the header: JSON keys first seen after the header was taken.
    """

    number: int
    line: int | None
    cells: tuple
    problem: str | None = None
    extra: dict | None = None


def cell_text(value: object) -> str:
    """A cell as text, the way it reads in the file: ``25.0`` → ``"25"``, a date → ISO.

    >>> cell_text(25.0), cell_text(dt.datetime(1978, 4, 1)), cell_text(None), cell_text(["展示会", "融資"])
    ('25', '1978-04-01', '', '展示会; 融資')
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "; ".join(cell_text(v) for v in value)
    return str(value)


def _typed(value: object) -> object:
    """A typed cell as the parsers want it: whole floats as ints, midnight datetimes as dates."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer() and abs(value) < 1e16:
            return int(value)
    elif isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date()
    return value


def table_format(path: str | Path, format: str | None = None) -> str:
    """The format a path is read as: its extension, or ``format`` when given.

    >>> table_format("名簿.XLSX"), table_format("firms.ndjson"), table_format("x.dat", "tsv")
    ('xlsx', 'jsonl', 'tsv')
    """
    if format is not None:
        if format not in set(FORMATS.values()):
            raise TableError(str(path), format, f"unknown format {format!r}, expected one of "
                                                f"{sorted(set(FORMATS.values()))}")
        return format
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise TableError(str(path), suffix, f"unknown file extension {suffix or '(none)'!r}, expected one of "
                                            f"{', '.join(FORMATS)} (or give the format)")
    return FORMATS[suffix]


class Table:
    """An open firm list: its header, what each column feeds, and its records.

    Use :func:`open_table` to make one. Iterating gives :class:`Row` objects;
    :meth:`chunks` gives them in lists. A table is read once.

    Attributes
    ----------
    path : Path
    format : str
        ``csv``, ``tsv``, ``jsonl``, ``json``, ``parquet`` or ``xlsx``.
    encoding : str or None
        The text encoding read (detected or given); None for binary formats.
    sheet : str or None
        The workbook sheet read.
    header : tuple of str
        The header row as written.
    names : tuple of str
        The headers made unique and non-empty (``"備考 (2)"``, ``"column 7"``): the keys of
        kept cells.
    columns : ColumnMatch
        What each column feeds (:func:`profiles.columns.match_headers`).
    header_line : int or None
        Where the header row is (line or sheet row); title rows above it are skipped.
    blank_rows : int
        Blank records skipped so far.
    """

    def __init__(self, path: Path, fmt: str, encoding: str | None, sheet: str | None, header: list,
                 records: Iterator[tuple[int | None, tuple, str | None, dict | None]], header_line: int | None,
                 mapping: Mapping[str, object] | None, max_cell: int, closer=None) -> None:
        self.path, self.format, self.encoding, self.sheet = path, fmt, encoding, sheet
        self.header = tuple(cell_text(h).strip() for h in header)
        self.names = _unique_names(self.header)
        self.header_line = header_line
        self.blank_rows = 0
        self.max_cell = max_cell
        try:
            self.columns: ColumnMatch = match_headers(self.header, mapping)
        except ColumnConflictError as exc:
            raise ColumnConflictError(f"{path}: {exc.field}", exc.value, exc.message, exc.candidates,
                                      exc.conflicts) from None
        except InputError as exc:
            raise type(exc)(f"{path}: {exc.field}", exc.value, exc.message, exc.candidates) from None
        self._records = records
        self._closer = closer
        self._number = 0

    def __repr__(self) -> str:
        return f"Table({str(self.path)!r}, format={self.format!r}, columns={len(self.header)})"

    def __enter__(self) -> "Table":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Close the file (also done when the records run out)."""
        if self._closer is not None:
            self._closer()
            self._closer = None

    def __iter__(self) -> Iterator[Row]:
        width, max_cell = len(self.header), self.max_cell
        text = self.format in ("csv", "tsv")  # every cell a string
        try:
            for line, cells, problem, extra in self._records:
                if (problem is None and not extra and not any(cells)
                        and not any(c != "" and c is not None for c in cells)):  # 0 and False are not blank
                    self.blank_rows += 1
                    continue
                self._number += 1
                if problem is None:
                    if len(cells) > width:
                        over = cells[width:]
                        if any(c != "" and c is not None for c in over):
                            problem = (f"{len(cells)} cells but the header has {width} columns "
                                       "(an unquoted comma in a cell?)")
                        cells = cells[:width]
                        if problem is not None:
                            extra = {**(extra or {}), "_beyond_header": list(over)}
                    elif len(cells) < width:
                        cells = (*cells, *([""] * (width - len(cells))))
                    if max_cell and (max(map(len, cells), default=0) > max_cell if text else
                                     any(isinstance(c, str) and len(c) > max_cell for c in cells)):
                        long = next(i for i, c in enumerate(cells) if isinstance(c, str) and len(c) > max_cell)
                        problem = (f"the cell of column {self.names[long]} has {len(cells[long]):,} characters "
                                   f"(more than {max_cell:,}): a quote that never closes?")
                yield Row(self._number, line, tuple(cells), problem, extra)
        finally:
            self.close()

    def chunks(self, size: int = 8192) -> Iterator[list[Row]]:
        """The rows in lists of ``size`` (the last may be shorter)."""
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ValueError(f"size must be an integer >= 1, got {size!r}")
        chunk: list[Row] = []
        for row in self:
            chunk.append(row)
            if len(chunk) >= size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk


def _unique_names(header: tuple[str, ...]) -> tuple[str, ...]:
    seen: dict[str, int] = {}
    out = []
    for i, h in enumerate(header):
        name = h or f"column {i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        else:
            seen[name] = 1
        out.append(name)
    return tuple(out)


def _header_index(rows: list[tuple], mapping: Mapping[str, object] | None) -> int:
    """Which of the first rows is the header: the first whose columns feed two fields or more."""
    for i, cells in enumerate(rows):
        try:
            found = len(match_headers([cell_text(c) for c in cells], mapping).fields)
        except ColumnConflictError:
            found = 2  # two columns claiming one field: a header row all the same
        except InputError:
            continue
        if found >= 2:
            return i
    return 0


def _with_header(path: Path, records: Iterator, mapping, *, header_row: int | None
                 ) -> tuple[list, int | None, Iterator]:
    """Take the header row off ``records`` (found among the first non-blank ones)."""
    head: list = []
    filled: list[int] = []  # positions in head of the non-blank records
    for rec in records:
        line, cells, problem, _ = rec
        if problem is not None and not filled:
            raise TableError(str(path), None, f"the header row (line {line}) cannot be read: {problem}")
        head.append(rec)
        if problem is None and not any(c != "" and c is not None for c in cells):
            continue
        filled.append(len(head) - 1)
        if len(filled) >= (header_row if header_row is not None else _HEADER_SEARCH):
            break
    if not filled:
        raise TableError(str(path), None, "the file has no header row (it is empty)")
    if header_row is not None and header_row > len(filled):
        raise TableError(str(path), header_row, f"the file has only {len(filled)} non-blank rows")
    at = filled[header_row - 1 if header_row is not None else
                _header_index([head[i][1] for i in filled], mapping)]
    line, cells, _, _ = head[at]
    rest = iter(head[at + 1:])

    def chained():
        yield from rest
        yield from records
    return list(cells), line, chained()


def _keyed(records: Iterator, path: Path, look: int) -> tuple[list, int | None, Iterator]:
    """Header from the keys of the first ``look`` objects; later new keys go to ``extra``."""
    head = []
    keys: dict[str, None] = {}
    for rec in records:
        head.append(rec)
        if rec[2] is None:
            keys.update(dict.fromkeys(map(str, rec[3])))
        if len(head) >= look:
            break
    header = list(keys)
    index = {k: i for i, k in enumerate(header)}

    def rows():
        for line, _, problem, obj in _chain(head, records):
            if problem is not None:
                yield line, (), problem, obj
                continue
            cells = [""] * len(header)
            extra = None
            for k, v in obj.items():
                i = index.get(str(k))
                if i is None:
                    extra = extra or {}
                    extra[str(k)] = v
                else:
                    cells[i] = "" if v is None else v
            yield line, tuple(cells), None, extra
    return header, None, rows()


def _chain(head, rest):
    yield from head
    yield from rest


def _open_xlsx(path: Path, sheet: str | None):
    try:
        import python_calamine
    except ImportError:  # pragma: no cover - a dependency
        raise TableError(str(path), None, "reading Excel files needs python-calamine: pip install python-calamine") \
            from None
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine's errors are its own types
        raise TableError(str(path), None, f"cannot be read as an Excel workbook ({type(exc).__name__}: {exc})") \
            from None
    names = list(book.sheet_names)
    if sheet is None:
        if not names:
            raise TableError(str(path), None, "the workbook has no sheet")
        sheet = names[0]
    elif sheet not in names:
        raise TableError(str(path), sheet, f"no sheet named {sheet!r}; the sheets are {', '.join(map(repr, names))}")
    ws = book.get_sheet_by_name(sheet)
    start = (ws.start or (0, 0))[0] + 1

    def records():
        for i, values in enumerate(ws.iter_rows()):
            yield start + i, tuple(_typed(v) for v in values), None, None
    return sheet, records(), getattr(book, "close", None)


def _open_parquet(path: Path, batch: int):
    try:
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - a dependency
        raise TableError(str(path), None, "reading Parquet needs pyarrow: pip install pyarrow") from None
    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:
        raise TableError(str(path), None, f"cannot be read as Parquet ({type(exc).__name__}: {exc})") from None
    header = list(pf.schema_arrow.names)

    def records():
        for b in pf.iter_batches(batch_size=batch):
            for values in zip(*(c.to_pylist() for c in b.columns)):
                yield None, tuple(_typed(v) for v in values), None, None
    return header, records(), getattr(pf, "close", None)


def open_table(path: str | Path, *, format: str | None = None, encoding: str | None = None,
               sheet: str | None = None, columns: Mapping[str, object] | str | Path | None = None,
               header_row: int | None = None, max_cell: int = MAX_CELL) -> Table:
    """Open a firm list and read its header.

    Parameters
    ----------
    path : str or Path
    format : str, optional
        ``csv``, ``tsv``, ``jsonl``, ``json``, ``parquet`` or ``xlsx``; from the extension when not given.
    encoding : str, optional
        A text file's encoding; detected when not given. With it, bytes that are not in the
        encoding make their row a problem instead of stopping the file.
    sheet : str, optional
        The workbook sheet; the first when not given.
    columns : mapping or path, optional
        A columns mapping (field → header) or a YAML/JSON file of one (``--columns``).
    header_row : int, optional
        The header's position among the non-blank rows (1 = the first); found when not
        given: the first of the first 10 rows whose headers feed two fields or more
        (title rows above it are skipped), else the first.
    max_cell : int
        A cell longer than this many characters makes its row a problem (0: no limit).

    Raises
    ------
    TableError
        No such file, an unknown extension, an encoding that cannot be told, no such
        sheet, an unreadable workbook or Parquet file, an empty file.
    ColumnConflictError, InputError
        Two columns claim one field; the mapping names a header the file lacks.
    """
    path = Path(path)
    fmt = table_format(path, format)
    if not path.is_file():
        raise TableError(str(path), None, "no such file")
    mapping = read_column_mapping(columns) if isinstance(columns, (str, Path)) else columns
    if header_row is not None and (isinstance(header_row, bool) or not isinstance(header_row, int) or header_row < 1):
        raise ValueError(f"header_row must be an integer >= 1, got {header_row!r}")
    if sheet is not None and fmt != "xlsx":
        raise TableError(str(path), sheet, f"a sheet is only for Excel workbooks, not {fmt} files")
    if fmt in ("csv", "tsv"):
        fh, enc, records = open_csv(path, fmt, encoding)
        try:
            header, line, records = _with_header(path, records, mapping, header_row=header_row)
        except UnicodeDecodeError as exc:  # pragma: no cover - detection read the whole file
            fh.close()
            raise TableError(str(path), None, f"cannot be read as {enc} ({exc})") from None
        except BaseException:
            fh.close()
            raise
        return Table(path, fmt, enc, None, header, records, line, mapping, max_cell, fh.close)
    if fmt in ("jsonl", "json"):
        enc = encoding_name(path, encoding) if encoding else detect_encoding(path)
        if fmt == "json":
            try:
                data = json.loads(path.read_text(encoding=enc))
            except (json.JSONDecodeError, UnicodeError) as exc:
                raise TableError(str(path), None, f"cannot be read as JSON ({exc})") from None
            if isinstance(data, dict) and isinstance(data.get("firms"), list):
                data = data["firms"]
            if not isinstance(data, list):
                raise TableError(str(path), None, f"expected a JSON list of firms, got {type(data).__name__}")
            objs = ((None, (), None, r) if isinstance(r, dict) else
                    (None, (), f"expected a JSON object, got {type(r).__name__}", {"_raw": json.dumps(r)})
                    for r in data)
            header, line, records = _keyed(iter(objs), path, len(data))
            return Table(path, fmt, enc, None, header, records, line, mapping, max_cell)
        fh = open(path, encoding=enc, errors="surrogateescape" if encoding else "strict", newline=None)
        header, line, records = _keyed(json_records(fh, encoding is not None), path, _JSON_LOOK)
        return Table(path, fmt, enc, None, header, records, line, mapping, max_cell, fh.close)
    if fmt == "parquet":
        header, records, closer = _open_parquet(path, 8192)
        return Table(path, fmt, None, None, header, records, None, mapping, max_cell, closer)
    sheet_name, records, closer = _open_xlsx(path, sheet)
    header, line, records = _with_header(path, records, mapping, header_row=header_row)
    return Table(path, fmt, None, sheet_name, header, records, line, mapping, max_cell, closer)
