"""Spans: runs of consecutive chunks of a Parquet input, planned from its metadata and read where they are scored.

On a Dask cluster whose workers see the run's files, the client does not read a
Parquet input of the engine's fields: it plans *spans* from the file's metadata
(:func:`plan_spans`: the row count and the row groups, no data page read), and each
worker reads its span's rows itself (:func:`read_span`: the row groups the span
overlaps, cut into the run's chunks), scores each chunk and writes its part
(:func:`matcher.batch.chunk.score_span`). Chunk ``k`` is always rows ``k * chunk_size
+ 1`` to ``(k + 1) * chunk_size`` of the file, as :func:`matcher.batch.files.iter_tables`
cuts them in one process, so parts, row numbers in errors, resume markers and the
output bytes are those of any other backend.

Decoding is cheap beside scoring (about 0.25 µs a firm here, against some 25 µs to
validate, score and encode it), so a span that starts inside a row group decodes the
group's rows before it and drops them rather than insisting on row-group boundaries.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from matcher.batch.files import FirmTable

__all__ = ["Span", "parquet_rows", "plan_spans", "read_span"]


@dataclass(frozen=True)
class Span:
    """Chunks ``first`` to ``last`` (inclusive) of the Parquet file ``path``, cut every ``chunk_size`` rows.

    ``groups``: the row groups the span overlaps, and ``group_start`` the file row (from 0)
    at which the first of them starts; ``rows``: the file's rows.
    """

    path: str
    chunk_size: int
    first: int
    last: int
    rows: int
    groups: tuple[int, ...]
    group_start: int

    @property
    def start(self) -> int:
        """The span's first row in the file (from 0)."""
        return self.first * self.chunk_size

    @property
    def stop(self) -> int:
        """One past the span's last row in the file."""
        return min((self.last + 1) * self.chunk_size, self.rows)

    def __len__(self) -> int:
        return self.stop - self.start


def parquet_rows(path: str) -> tuple[int, list[int]]:
    """A Parquet file's row count and the rows of each row group, from its footer alone."""
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(path).metadata
    return meta.num_rows, [meta.row_group(g).num_rows for g in range(meta.num_row_groups)]


def plan_spans(path: str, chunk_size: int, chunks: Sequence[int], rows: int, group_rows: Sequence[int],
               per_span: int) -> list[Span]:
    """The spans that cover ``chunks`` (indices, increasing), at most ``per_span`` chunks each.

    A span never jumps over a chunk that is not in ``chunks`` (one done before a resume).

    >>> [(s.first, s.last, s.groups) for s in plan_spans("f.parquet", 100, [0, 1, 2, 4, 5], 550, [300, 250], 2)]
    [(0, 1, (0,)), (2, 2, (0,)), (4, 5, (1,))]
    """
    starts = [0]
    for n in group_rows:
        starts.append(starts[-1] + n)
    runs: list[list[int]] = []
    for k in chunks:
        if runs and runs[-1][-1] == k - 1 and len(runs[-1]) < per_span:
            runs[-1].append(k)
        else:
            runs.append([k])
    spans = []
    for run in runs:
        lo, hi = run[0] * chunk_size, min((run[-1] + 1) * chunk_size, rows)
        groups = tuple(g for g in range(len(group_rows)) if starts[g] < hi and starts[g + 1] > lo)
        spans.append(Span(str(path), chunk_size, run[0], run[-1], rows, groups, starts[groups[0]] if groups else 0))
    return spans


def read_span(span: Span) -> Iterator[tuple[int, FirmTable]]:
    """``(k, FirmTable)`` for each chunk of ``span``, read from its row groups (on the worker that scores it).

    The tables are those :func:`matcher.batch.files.iter_tables` gives for the same chunks.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not span.groups:
        return
    pf = pq.ParquetFile(span.path)
    schema = pf.schema_arrow
    size = span.chunk_size
    at, k = span.group_start, span.first  # the file row of the next batch's first row; the chunk being filled
    pending: list = []
    n_pending = 0
    for batch in pf.iter_batches(batch_size=size, row_groups=list(span.groups)):
        skip = max(0, span.start - at)
        at += batch.num_rows
        if skip >= batch.num_rows:
            continue
        if skip:
            batch = batch.slice(skip)
        pending.append(batch)
        n_pending += batch.num_rows
        while n_pending >= size or (at >= span.stop and n_pending):
            want = min(size, span.stop - k * size)
            table = pa.Table.from_batches(pending, schema=schema)
            exact = len(pending) == 1 and n_pending == want
            yield k, FirmTable(table if exact else table.slice(0, want).combine_chunks(), k * size + 1)
            k += 1
            if k > span.last:
                return
            rest = table.slice(want)
            pending, n_pending = rest.to_batches(), rest.num_rows
