"""Reading firms and writing result rows for batch runs: CSV, JSON Lines and Parquet.

The format comes from the file's extension. Readers stream records (Parquet in record
batches), writers write one *part* per chunk and assemble the parts into the final
file, so that an interrupted run can be resumed and still give the same bytes.
Output goes through ``pyarrow`` (a dependency).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from profiles.errors import InputError
from matcher.atomic import atomic_file, atomic_path
from matcher.firmio import RowError, open_records

__all__ = ["OUTPUT_COLUMNS", "count_records", "input_format", "output_format", "iter_input", "encode_part", "assemble"]

#: The columns of a batch output, in order.
OUTPUT_COLUMNS = ("firm_id", "row", "rank", "type", "id", "name", "status", "score", "text", "needs", "kind",
                  "industry", "locality", "missing", "reasons")
_FLOATS = {"score", "text", "needs", "kind", "industry", "locality"}
_INTS = {"row", "rank"}
_IN = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet", ".pq": "parquet"}


def _pyarrow():
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - depends on the environment
        raise InputError("format", "parquet", "Parquet and CSV output need pyarrow: pip install pyarrow") from None
    return pa, pq


def input_format(path: str | Path) -> str:
    """``csv``, ``jsonl`` or ``parquet`` from the extension (JSON and YAML lists are read too)."""
    suffix = Path(path).suffix.lower()
    if suffix in _IN:
        return _IN[suffix]
    if suffix in (".json", ".yaml", ".yml"):
        return suffix.lstrip(".")
    raise InputError("firms", str(path), "unknown file extension, expected .csv, .jsonl or .parquet")


def output_format(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in _IN:
        raise InputError("output", str(path), "unknown file extension, expected .csv, .jsonl or .parquet")
    return _IN[suffix]


def iter_input(path: str | Path, batch_size: int = 8192) -> Iterator[tuple[int, dict[str, Any] | RowError]]:
    """``(row number, fields or RowError)`` for every record of a CSV, JSONL or Parquet file."""
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


def encode_part(columns: dict[str, Any], errors: list[RowError], fmt: str) -> tuple[bytes, bytes, int]:
    """The bytes of one chunk's part and of its errors, and the number of rows.

    Pure (no file is touched), so that it can run where the chunk was scored, on a
    Dask worker as well as locally; :func:`matcher.batch.run.run_batch` writes what it returns.
    """
    table = _arrow_table(columns)
    if fmt == "csv":
        import pyarrow.csv as pacsv

        pa, _ = _pyarrow()
        buf = pa.BufferOutputStream()
        if table.num_rows:
            pacsv.write_csv(table, buf, pacsv.WriteOptions(include_header=False))
        data = buf.getvalue().to_pybytes()
    elif fmt == "jsonl":
        data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in table.to_pylist()).encode("utf-8")
    else:
        pa, pq = _pyarrow()
        buf = pa.BufferOutputStream()
        pq.write_table(table, buf)
        data = buf.getvalue().to_pybytes()
    err = "".join(json.dumps(e.to_dict(), ensure_ascii=False, default=str) + "\n" for e in errors).encode("utf-8")
    return data, err, table.num_rows


def _schema():
    pa, _ = _pyarrow()
    types = {k: pa.float64() if k in _FLOATS else pa.int64() if k in _INTS else pa.string() for k in OUTPUT_COLUMNS}
    return pa.schema([(k, types[k]) for k in OUTPUT_COLUMNS])


def _arrow_table(columns: dict[str, Any]):
    pa, _ = _pyarrow()
    schema = _schema()
    arrays = [pa.array(list(columns[f.name]) if getattr(columns[f.name], "dtype", None) == object  # noqa: E721 - a numpy dtype
                       else columns[f.name], type=f.type, from_pandas=True) for f in schema]
    return pa.Table.from_arrays(arrays, schema=schema)


def assemble(parts: list[Path], out: Path, errors_out: Path, fmt: str, row_group: int = 65536) -> None:
    """Join the parts into ``out`` and their errors into ``errors_out``, each atomically.

    The result depends only on the rows, not on how they were split into parts: CSV
    and JSONL are concatenated; Parquet is rewritten in row groups of ``row_group``.
    """
    if fmt in ("csv", "jsonl"):
        with atomic_file(out, "wb", fsync=True) as fh:
            if fmt == "csv":
                fh.write((",".join(f'"{c}"' for c in OUTPUT_COLUMNS) + "\n").encode("utf-8"))
            for p in parts:
                with open(p, "rb") as src:
                    while block := src.read(1 << 20):
                        fh.write(block)
    else:
        pa, pq = _pyarrow()
        schema = _schema()
        with atomic_path(out) as tmp, pq.ParquetWriter(tmp, schema) as writer:
            pending: list = []
            n_pending = 0
            for p in parts:
                table = pq.read_table(p, schema=schema)
                if table.num_rows:
                    pending.append(table)
                    n_pending += table.num_rows
                while n_pending >= row_group:
                    joined = pa.concat_tables(pending)
                    writer.write_table(joined.slice(0, row_group), row_group_size=row_group)
                    rest = joined.slice(row_group)
                    pending, n_pending = ([rest] if rest.num_rows else []), rest.num_rows
            if n_pending:
                writer.write_table(pa.concat_tables(pending), row_group_size=row_group)
    with atomic_file(errors_out, "wb") as fh:
        for p in parts:
            with open(p.with_name(p.name + ".errors"), "rb") as src:
                fh.write(src.read())
