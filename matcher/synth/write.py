"""Writing synthetic data sets: firms to CSV, JSON Lines or Parquet, programs to a catalog file.

``write_firms`` streams firms drawn by :mod:`matcher.synth.firms` one block of
:data:`~matcher.synth.firms.BLOCK_SIZE` firms at a time, so that memory stays bounded
whatever ``n``; ``write_programs`` writes :func:`~matcher.synth.programs.synth_programs`
as a catalog file that :func:`profiles.catalog.load_catalog` reads. The format comes
from the output's extension, or ``fmt``. Files are written to ``FILE.part`` and renamed
when complete (:mod:`matcher.atomic`), so a file that exists is whole.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from matcher._validation import check_int
from matcher.atomic import atomic_file
from matcher.errors import MatcherError, ParameterError
from matcher.synth.firms import FIRM_FIELDS, firm_table_to_arrow, synth_firm_chunks
from matcher.synth.programs import synth_programs

__all__ = ["write_firms", "write_programs", "FIRM_FORMATS", "PROGRAM_FORMATS"]

#: Output formats of ``synth firms`` by file extension.
FIRM_FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}
#: Output formats of ``synth programs`` by file extension.
PROGRAM_FORMATS = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}
_ROW_GROUP_BLOCKS = 4  # Parquet row groups of up to 4 blocks (262,144 firms)
#: zstd and room for the tens of thousands of distinct descriptions in one dictionary page:
#: files about 2.5 times smaller than pyarrow's defaults, and no slower.
_PARQUET_OPTIONS = {"compression": "zstd", "dictionary_pagesize_limit": 8 << 20}


def _format_of(path: str, fmt: str | None, formats: dict[str, str]) -> str:
    if fmt is not None:
        return fmt
    if path == "-":
        raise ParameterError("writing to standard output needs --format")
    found = formats.get(Path(path).suffix.lower())
    if found is None:
        raise ParameterError(f"cannot tell the format of {path!r}: expected an extension among "
                             f"{', '.join(sorted(formats))}, or --format")
    return found


@contextmanager
def _output(path: str, binary: bool = False) -> Iterator[Any]:
    """An open file at ``path + '.part'``, renamed to ``path`` when the block ends without error
    (``-``: standard output)."""
    if path == "-":
        yield sys.stdout.buffer if binary else sys.stdout
        return
    text = {} if binary else {"encoding": "utf-8", "newline": ""}
    with atomic_file(path, "wb" if binary else "w", suffix=".part", **text) as fh:
        yield fh


def _text_rows(chunk: dict[str, Any]) -> Iterator[list[Any]]:
    cols = {k: chunk[k].tolist() for k in FIRM_FIELDS}
    cols["founded"] = [None if d is None else d.isoformat() for d in cols["founded"]]
    return zip(*(cols[k] for k in FIRM_FIELDS))


def _write_csv(chunks: Iterator[dict[str, Any]], fh: IO[str]) -> int:
    writer = csv.writer(fh, lineterminator="\n")
    writer.writerow(FIRM_FIELDS)
    needs_at = FIRM_FIELDS.index("needs")
    count = 0
    for chunk in chunks:
        for row in _text_rows(chunk):
            row = ["" if v is None else ("true" if v else "false") if isinstance(v, bool) else v for v in row]
            row[needs_at] = ";".join(row[needs_at])
            writer.writerow(row)
        count += len(chunk["id"])
    return count


def _write_jsonl(chunks: Iterator[dict[str, Any]], fh: IO[str]) -> int:
    count = 0
    for chunk in chunks:
        fh.writelines(json.dumps(dict(zip(FIRM_FIELDS, row)), ensure_ascii=False) + "\n"
                      for row in _text_rows(chunk))
        count += len(chunk["id"])
    return count


def _write_parquet(chunks: Iterator[dict[str, Any]], fh: IO[bytes]) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    count, pending, writer = 0, [], None
    try:
        for chunk in chunks:
            pending.append(firm_table_to_arrow(chunk))
            count += len(chunk["id"])
            if len(pending) == _ROW_GROUP_BLOCKS:
                table, pending = pa.concat_tables(pending), []
                writer = writer or pq.ParquetWriter(fh, table.schema, **_PARQUET_OPTIONS)
                writer.write_table(table)
        if pending:
            table = pa.concat_tables(pending)
            writer = writer or pq.ParquetWriter(fh, table.schema, **_PARQUET_OPTIONS)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()
    return count


def _require_pyarrow() -> None:
    try:
        import pyarrow  # noqa: F401
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise MatcherError("writing Parquet needs the package pyarrow, which is not installed "
                           "(pip install pyarrow), or write .csv or .jsonl") from None


def write_firms(path: str, n: int, profile: str = "mixed", seed: int = 0, fmt: str | None = None) -> int:
    """Write ``n`` synthetic firms to ``path`` (``-`` for standard output); return how many.

    Parameters
    ----------
    path : str
        The output file; its extension (.csv, .jsonl, .ndjson, .parquet) gives the format
        unless ``fmt`` does.
    n, profile, seed
        As for :func:`matcher.synth.firms.synth_firm_table`.
    fmt : {"csv", "jsonl", "parquet"}, optional
        The format, whatever the extension.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "firms.jsonl"
    >>> write_firms(str(out), 3, "higashiosaka", seed=2), len(out.read_text(encoding="utf-8").splitlines())
    (3, 3)
    """
    fmt = _format_of(path, fmt, FIRM_FORMATS)
    if fmt not in ("csv", "jsonl", "parquet"):
        raise ParameterError(f"format must be csv, jsonl or parquet, got {fmt!r}")
    if fmt == "parquet":
        _require_pyarrow()
        if path == "-":
            raise ParameterError("Parquet cannot be written to standard output: give a file name")
    chunks = synth_firm_chunks(n, profile, seed)  # checks n, profile and seed before a file is opened
    first = next(chunks)
    chunks = _chain(first, chunks)
    with _output(path, binary=fmt == "parquet") as fh:
        return {"csv": _write_csv, "jsonl": _write_jsonl, "parquet": _write_parquet}[fmt](chunks, fh)


def _chain(first: dict[str, Any], rest: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    yield first
    yield from rest


def write_programs(path: str, n: int, seed: int = 0, fmt: str | None = None) -> int:
    """Write ``n`` programs of :func:`matcher.synth.programs.synth_programs` as a catalog file; return how many.

    The file is ``{"programs": [...]}`` in YAML or JSON, readable by
    :func:`profiles.catalog.load_catalog`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from profiles.catalog import load_catalog
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "programs.json"
    >>> write_programs(str(out), 5, seed=1), len(load_catalog(out).programs)
    (5, 5)
    """
    fmt = _format_of(path, fmt, PROGRAM_FORMATS)
    if fmt not in ("yaml", "json"):
        raise ParameterError(f"format must be yaml or json, got {fmt!r}")
    check_int("n", n)
    data = {"programs": [p.model_dump(mode="json", exclude_none=True) for p in synth_programs(n, seed)]}
    with _output(path) as fh:
        if fmt == "json":
            json.dump(data, fh, ensure_ascii=False, indent=1)
            fh.write("\n")
        else:
            import yaml

            yaml.safe_dump(data, fh, allow_unicode=True, sort_keys=False)
    return n
