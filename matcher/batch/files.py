"""Reading firms and writing result rows for batch runs: CSV, JSON Lines and Parquet.

The format comes from the file's extension. Readers stream records (Parquet in record
batches), writers write one *part* per chunk and assemble the parts into the final
file, so that an interrupted run can be resumed and still give the same bytes.
Output goes through ``pyarrow`` (a dependency).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from profiles.errors import InputError
from matcher.atomic import atomic_file, atomic_path
from matcher.firmio import RowError, open_records

__all__ = ["OUTPUT_COLUMNS", "HEADERS_JA", "WORDS_JA", "Layout", "InputRows", "count_records", "input_format", "output_format", "iter_input", "encode_part", "assemble",
           "output_schema", "FirmTable", "iter_tables", "part_format", "read_part", "part_rows", "output_table",
           "ParquetAssembly", "assemble_errors"]

#: The columns of a batch output, in order.
OUTPUT_COLUMNS = ("firm_id", "firm_name", "row", "rank", "type", "id", "name", "name_ja", "provider", "status", "score",
                  "text", "needs", "kind", "industry", "locality", "missing", "reasons")
_FLOATS = {"score", "text", "needs", "kind", "industry", "locality"}
_INTS = {"row", "rank"}
_IN = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet", ".pq": "parquet"}
_OUT = {**_IN, ".xlsx": "xlsx"}


def _pyarrow():
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - depends on the environment
        raise InputError("format", "parquet", "Parquet and CSV output need pyarrow: pip install pyarrow") from None
    return pa, pq


def input_format(path: str | Path) -> str:
    """The format a firm list is read as, from its extension: those of
    :func:`profiles.tabular.table_format` (CSV, TSV, JSON Lines, JSON, Parquet, Excel), and YAML lists."""
    from profiles.tabular import table_format

    suffix = Path(path).suffix.lower()
    if suffix in (".yaml", ".yml"):
        return "yaml"
    return table_format(path)


def output_format(path: str | Path) -> str:
    """``csv``, ``jsonl``, ``parquet`` or ``xlsx`` from the output's extension."""
    suffix = Path(path).suffix.lower()
    if suffix not in _OUT:
        raise InputError("output", str(path), "unknown file extension, expected .csv, .jsonl, .parquet or .xlsx")
    return _OUT[suffix]


class InputRows:
    """A firm list opened for a batch run through the one reader (:func:`profiles.firmcheck.read_firms`).

    Iterating gives ``(row number, fields or RowError)``: the fields a row was read into
    (with its kept columns under ``"_kept"``), or the error row of a row with problems (its
    original cells, the column and the reason). :attr:`kept` names the kept columns (the
    header's, known when the file is opened); :attr:`summary` counts the rows read so far.

    A Parquet file whose every column is one of the engine's own fields, read with no
    option, takes the columnar fast path (:func:`iter_input`): it has nothing to map.
    """

    def __init__(self, path: str | Path, *, encoding: str | None = None, sheet: str | None = None,
                 columns: Any = None, prefecture: str | None = None) -> None:
        from profiles.firmcheck import read_firms
        from profiles.firmrows import MODEL_FIELDS

        self.path = Path(path)
        self._rows = None
        self.summary = None
        self.kept: tuple[str, ...] = ()
        if self.path.suffix.lower() in (".yaml", ".yml"):  # a YAML list: the strict reader of firm files
            return
        if (self.path.suffix.lower() in (".parquet", ".pq") and encoding is None and sheet is None and columns is None
                and prefecture is None and self.path.is_file()):
            _, pq = _pyarrow()
            if set(pq.ParquetFile(self.path).schema_arrow.names) <= set(MODEL_FIELDS):
                return
        self._rows = read_firms(self.path, encoding=encoding, sheet=sheet, columns=columns, prefecture=prefecture,
                                validate=False)
        self.summary = self._rows.summary
        self.kept = tuple(self._rows.reader.kept_names)

    def close(self) -> None:
        if self._rows is not None:
            self._rows.table.close()

    def __enter__(self) -> "InputRows":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @property
    def columnar(self) -> bool:
        """Whether :meth:`chunks` gives Arrow tables (a Parquet file of the engine's fields)."""
        return self._rows is None and self.path.suffix.lower() in (".parquet", ".pq")

    def chunks(self, size: int) -> Iterator[tuple[int, list | FirmTable]]:
        """The input in chunks of ``size`` rows (the last one shorter): ``(k, records)`` with the
        records of :meth:`__iter__`, or, for a Parquet file of the engine's fields,
        ``(k, FirmTable)``: the chunk's rows as Arrow columns, read without a record per row."""
        if self.columnar:
            yield from enumerate(iter_tables(self.path, size))
            return
        it = iter(self)
        for k in itertools.count():
            chunk = list(itertools.islice(it, size))
            if not chunk:
                return
            yield k, chunk

    def __iter__(self) -> Iterator[tuple[int, dict[str, Any] | RowError]]:
        if self._rows is None:
            yield from iter_input(self.path)
            return
        from profiles.tabular import cell_text

        for reading in self._rows:
            if reading.problems:
                yield reading.row, RowError.from_reading(reading)
                continue
            fields = dict(reading.fields)
            if reading.kept:
                fields["_kept"] = {k: v if isinstance(v, str) else cell_text(v) for k, v in reading.kept.items()}
            yield reading.row, fields


def iter_input(path: str | Path, batch_size: int = 8192) -> Iterator[tuple[int, dict[str, Any] | RowError]]:
    """``(row number, fields or RowError)`` for every record of a CSV, JSONL or Parquet file
    with the engine's own headers (the fast path; :class:`InputRows` reads any firm list)."""
    fmt = input_format(path)
    if fmt != "parquet":
        yield from open_records(path)
        return
    if not Path(path).is_file():
        raise InputError("firms", str(path), "no such file")
    _, pq = _pyarrow()
    row = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=batch_size):
        names = batch.schema.names
        columns = [c.to_pylist() for c in batch.columns]  # column by column: a third faster than rows
        for values in zip(*columns):
            row += 1
            yield row, {k: v for k, v in zip(names, values) if v is not None and v != ""}


@dataclass
class FirmTable:
    """A chunk of input rows held as an Arrow table, and the row number of its first row.

    What :meth:`InputRows.chunks` yields for a Parquet file of the engine's fields
    (:mod:`matcher.batch.table` scores it column by column); it pickles as Arrow buffers,
    to worker processes and Dask workers.
    """

    table: Any
    first_row: int

    def __len__(self) -> int:
        return self.table.num_rows

    def records(self) -> list[tuple[int, dict[str, Any]]]:
        """``(row number, record)`` of every row, as :func:`iter_input` reads them."""
        from profiles.firmcolumns import table_records

        return table_records(self.table, None, self.first_row)


def iter_tables(path: str | Path, size: int) -> Iterator[FirmTable]:
    """A Parquet file in chunks of ``size`` rows (the last one shorter), each one Arrow table."""
    pa, pq = _pyarrow()
    if not Path(path).is_file():
        raise InputError("firms", str(path), "no such file")
    pf = pq.ParquetFile(path)
    pending: list = []
    n_pending, row = 0, 1
    for batch in pf.iter_batches(batch_size=size):
        pending.append(batch)
        n_pending += batch.num_rows
        while n_pending >= size:
            table = pa.Table.from_batches(pending, schema=pf.schema_arrow)
            exact = len(pending) == 1 and n_pending == size  # as the reader cut it, most often
            yield FirmTable(table if exact else table.slice(0, size).combine_chunks(), row)
            row += size
            rest = table.slice(size)
            pending, n_pending = rest.to_batches(), rest.num_rows
    if n_pending:
        yield FirmTable(pa.Table.from_batches(pending, schema=pf.schema_arrow).combine_chunks(), row)


def count_records(path: str | Path) -> int | None:
    """How many records a file holds (for a progress bar): Parquet from its metadata,
    CSV and JSONL by counting lines (a CSV cell with a line break makes it an estimate)."""
    fmt = input_format(path)
    if fmt == "parquet":
        _, pq = _pyarrow()
        return pq.ParquetFile(path).metadata.num_rows
    if fmt not in ("csv", "jsonl"):
        return None
    n = 0
    with open(path, "rb") as fh:
        while block := fh.read(1 << 22):
            n += block.count(b"\n")
    return max(0, n - 1) if fmt == "csv" else n


@dataclass(frozen=True)
class Layout:
    """The columns of one run's output: :data:`OUTPUT_COLUMNS`, then the input's kept columns,
    with English or Japanese (``lang="ja"``) headers and status words.

    >>> Layout(kept=("電話番号", "score")).columns[-2:]
    ('電話番号', 'score (input)')
    >>> Layout(lang="ja").headers[:3], Layout(lang="ja").word("eligible")
    (('企業ID', '企業名', '行'), '対象')
    """

    kept: tuple[str, ...] = ()
    lang: str = "en"

    def __post_init__(self) -> None:
        if self.lang not in ("en", "ja"):
            raise InputError("lang", self.lang, "expected en or ja")

    @property
    def kept_columns(self) -> tuple[str, ...]:
        """The kept columns' names in the output (one that repeats an output column gets `` (input)``)."""
        taken = set(OUTPUT_COLUMNS) | set(HEADERS_JA.values()) if self.lang == "ja" else set(OUTPUT_COLUMNS)
        out = []
        for k in self.kept:
            name = k
            while name in taken:
                name += " (input)"
            taken.add(name)
            out.append(name)
        return tuple(out)

    @property
    def columns(self) -> tuple[str, ...]:
        return (*OUTPUT_COLUMNS, *self.kept_columns)

    @property
    def headers(self) -> tuple[str, ...]:
        if self.lang == "ja":
            return (*(HEADERS_JA[c] for c in OUTPUT_COLUMNS), *self.kept_columns)
        return self.columns

    def word(self, value: str) -> str:
        """A status or type word in the output's language."""
        return WORDS_JA.get(value, value) if self.lang == "ja" else value


#: The output's column headers with ``--lang ja``.
HEADERS_JA = {"firm_id": "企業ID", "firm_name": "企業名", "row": "行", "rank": "順位", "type": "種別", "id": "ID",
              "name": "名称", "name_ja": "名称（日本語）", "provider": "実施機関", "status": "判定", "score": "スコア",
              "text": "文章の近さ", "needs": "ニーズ", "kind": "支援の種類", "industry": "業種", "locality": "地域",
              "missing": "不足している情報", "reasons": "理由"}
#: Status and type words with ``--lang ja``.
WORDS_JA = {"eligible": "対象", "possible": "要確認", "recommended": "推奨", "program": "支援制度",
            "municipality": "自治体"}


def part_format(fmt: str) -> str:
    """The format of a run's parts for an output format: the output's own for CSV and JSON Lines,
    Arrow IPC (``arrow``) for Parquet and Excel, whose parts are rewritten when assembled."""
    return fmt if fmt in ("csv", "jsonl") else "arrow"


def encode_part(columns: dict[str, Any], errors: list[RowError], fmt: str,
                layout: Layout | None = None) -> tuple[bytes, bytes, int]:
    """The bytes of one chunk's part and of its errors, and the number of rows (``columns``: the
    output columns, or the chunk's output as an Arrow table of :func:`output_schema`, whose text
    columns may be dictionary-encoded).

    Pure (no file is touched), so that it can run where the chunk was scored, on a
    Dask worker as well as locally; :func:`matcher.batch.run.run_batch` writes what it returns.
    A Parquet or Excel output's parts are Arrow IPC streams (LZ4) with every text column
    dictionary-encoded (:func:`part_format`; the output is written once, when they are
    assembled, from :func:`read_part`).
    """
    layout = layout or Layout()
    table = output_table(columns, layout)
    fmt = part_format(fmt)
    pa, _ = _pyarrow()
    if fmt == "csv":
        import pyarrow.csv as pacsv

        buf = pa.BufferOutputStream()
        if table.num_rows:
            pacsv.write_csv(_decoded(table, layout), buf, pacsv.WriteOptions(include_header=False))
        data = buf.getvalue().to_pybytes()
    elif fmt == "jsonl":
        rows = _decoded(table, layout).to_pylist()
        data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")
    else:
        import pyarrow.compute as pc

        arrays = [pc.dictionary_encode(c) if pa.types.is_string(c.type) else c for c in table.columns]
        encoded = pa.Table.from_arrays(arrays, names=table.schema.names)
        buf = pa.BufferOutputStream()
        with pa.ipc.new_stream(buf, encoded.schema, options=_ipc_options()) as writer:
            writer.write_table(encoded)
        data = buf.getvalue().to_pybytes()
    err = "".join(json.dumps(e.to_dict(), ensure_ascii=False, default=str) + "\n" for e in errors).encode("utf-8")
    return data, err, table.num_rows


def _ipc_options() -> Any:
    """Parts compressed with LZ4 where pyarrow has it: a quarter of the bytes to write, hash and
    read, for some 3 ms a chunk of 4,096 firms (zstd: two thirds of that size for twice the time)."""
    pa, _ = _pyarrow()
    return pa.ipc.IpcWriteOptions(compression="lz4" if pa.Codec.is_available("lz4") else None, use_threads=False)


def _decoded(table: Any, layout: Layout) -> Any:
    """A part's table with plain text columns, in the output's schema (one chunk per part)."""
    pa, _ = _pyarrow()
    schema = output_schema(layout)
    arrays = []
    for col, f in zip(table.columns, schema):
        if pa.types.is_dictionary(col.type):
            col = col.cast(f.type)
        arrays.append(col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col)
    return pa.Table.from_arrays(arrays, schema=schema)


def output_table(columns: dict[str, Any] | Any, layout: Layout) -> Any:
    """The output columns of a chunk (as :func:`encode_part` takes them) as an Arrow table of the
    output's columns (a table is returned as it is)."""
    return columns if hasattr(columns, "schema") else _arrow_table(columns, layout)


def part_rows(columns: dict[str, Any] | Any, layout: Layout | None = None) -> Any:
    """The rows :func:`read_part` gives for the part :func:`encode_part` makes of ``columns``,
    without encoding and reading them back: a table of the output's schema, one chunk a column
    (so that the Parquet output written from them is the same bytes)."""
    layout = layout or Layout()
    return _decoded(output_table(columns, layout), layout)


def read_part(path: str | Path | Any, layout: Layout | None = None) -> Any:
    """The rows of an ``arrow`` part (:func:`encode_part`; a path, or its bytes in a
    ``pyarrow.BufferReader``) as a table of the output's schema."""
    pa, _ = _pyarrow()
    if isinstance(path, (str, Path)):
        with pa.memory_map(str(path)) as src:
            table = pa.ipc.open_stream(src).read_all()
    else:
        table = pa.ipc.open_stream(path).read_all()
    return _decoded(table, layout or Layout())


def output_schema(layout: Layout):
    """The Arrow schema of an output with this layout (its headers; float, int or string columns)."""
    pa, _ = _pyarrow()
    types = {k: pa.float64() if k in _FLOATS else pa.int64() if k in _INTS else pa.string() for k in OUTPUT_COLUMNS}
    return pa.schema([(h, types.get(c, pa.string())) for c, h in zip(layout.columns, layout.headers)])


def _arrow_table(columns: dict[str, Any], layout: Layout):
    pa, _ = _pyarrow()
    schema = output_schema(layout)
    n = len(columns["row"])
    arrays = []
    for c, f in zip(layout.columns, schema):
        values = columns.get(c)
        if values is None:
            values = [None] * n
        elif c in ("status", "type") and layout.lang != "en":
            values = [layout.word(v) for v in values]
        arrays.append(pa.array(values, type=f.type, from_pandas=True))  # an object array as it is: no list
    return pa.Table.from_arrays(arrays, schema=schema)


class ParquetAssembly:
    """A Parquet output written from a run's parts in their order, as they come: row groups of
    ``row_group`` rows whatever the parts' sizes, so the bytes depend only on the rows.

    ``add`` each part's table (:func:`read_part`), then ``close``.
    """

    def __init__(self, path: str | Path, layout: Layout | None = None, row_group: int = 65536) -> None:
        pa, pq = _pyarrow()
        self.row_group = row_group
        self.writer = pq.ParquetWriter(path, output_schema(layout or Layout()))
        self.pending: list = []
        self.n_pending = 0

    def add(self, table: Any) -> None:
        pa, _ = _pyarrow()
        if table.num_rows:
            self.pending.append(table)
            self.n_pending += table.num_rows
        while self.n_pending >= self.row_group:
            joined = pa.concat_tables(self.pending)
            self.writer.write_table(joined.slice(0, self.row_group), row_group_size=self.row_group)
            rest = joined.slice(self.row_group)
            self.pending, self.n_pending = ([rest] if rest.num_rows else []), rest.num_rows

    def close(self) -> None:
        """Write what is left and the footer (again: nothing)."""
        if self.writer is None:
            return
        pa, _ = _pyarrow()
        try:
            if self.n_pending:
                self.writer.write_table(pa.concat_tables(self.pending), row_group_size=self.row_group)
        finally:
            self.writer.close()
            self.writer, self.pending, self.n_pending = None, [], 0


def assemble(parts: list[Path], out: Path, errors_out: Path, fmt: str, row_group: int = 65536,
             layout: Layout | None = None, excel_csv: bool = False) -> bool:
    """Join the parts into ``out`` and their errors into ``errors_out``, each atomically.

    The result depends only on the rows, not on how they were split into parts: CSV
    and JSONL are concatenated (``excel_csv``: a CSV with a UTF-8 BOM, so that Excel
    opens it in Japanese); Parquet is rewritten in row groups of ``row_group``; an
    ``xlsx`` workbook is written from the (Arrow) parts. No errors file is left when
    there are no errors (an old one is removed); returns whether one was written.
    """
    layout = layout or Layout()
    if fmt in ("csv", "jsonl"):
        with atomic_file(out, "wb", fsync=True) as fh:
            if fmt == "csv":
                if excel_csv:
                    fh.write(b"\xef\xbb\xbf")
                fh.write((",".join('"' + h.replace('"', '""') + '"' for h in layout.headers) + "\n").encode("utf-8"))
            for p in parts:
                with open(p, "rb") as src:
                    while block := src.read(1 << 20):
                        fh.write(block)
    elif fmt == "xlsx":
        from profiles.tablewrite import write_xlsx

        schema = output_schema(layout)

        def rows():
            for p in parts:
                for batch in read_part(p, layout).to_batches(max_chunksize=8192):
                    yield from zip(*(c.to_pylist() for c in batch.columns))

        wrap = [layout.headers[layout.columns.index(c)] for c in ("reasons", "missing")]
        write_xlsx(out, list(schema.names), rows(), wrap_columns=wrap, overwrite=True)
    else:
        with atomic_path(out) as tmp:
            assembly = ParquetAssembly(tmp, layout, row_group)
            try:
                for p in parts:
                    assembly.add(read_part(p, layout))
            finally:
                assembly.close()
    return assemble_errors(parts, errors_out)


def assemble_errors(parts: list[Path], errors_out: Path) -> bool:
    """Join the parts' errors into ``errors_out`` atomically; none: no file (an old one is removed).
    Returns whether one was written."""
    errs = [p.with_name(p.name + ".errors") for p in parts]
    if not any(e.stat().st_size for e in errs):
        errors_out.unlink(missing_ok=True)
        return False
    with atomic_file(errors_out, "wb") as fh:
        for e in errs:
            with open(e, "rb") as src:
                fh.write(src.read())
    return True
