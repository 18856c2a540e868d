"""Batch scoring: a file of firms in, a file of ranked programs out, safely and resumably.

:func:`run_batch` reads firms in fixed chunks of ``chunk_size`` input records; each
chunk is validated (a broken row goes to the errors file with its row number, field
and reason, and never stops the run), scored through the engine's vectorized path,
and written as a *part* in ``OUT.parts/``, atomically, with a marker once complete.
When every chunk is done, the parts are assembled into ``OUT`` and
``OUT.errors.jsonl`` (each through a temporary file and a rename) and the parts are
removed. ``resume=True`` skips the chunks already done, so a run killed at any point
(even with ``kill -9``) ends with the same bytes as an uninterrupted one. Results do
not depend on ``jobs``, ``chunk_size`` or ``backend``.

Scoring a chunk (:func:`score_chunk`, :func:`encode_chunk`, in :mod:`matcher.batch.chunk`)
is pure: records in, columns or encoded bytes out. Only this process writes files: a
*backend* is an object with one method, ``score(chunks, as_of, top, possible,
municipalities, fmt)``, that yields each chunk's encoded part
(:class:`~matcher.batch.chunk.ChunkScorer`). The backends are interchangeable:
:class:`~matcher.batch.local.InProcessScorer` (``jobs=1``),
:class:`~matcher.batch.local.ProcessScorer` (``jobs > 1``) and
:class:`~matcher.batch.dask.DaskScorer` (``backend="dask"``); every one of them
imports :mod:`matcher.batch.chunk` (the Dask backend also :mod:`matcher.batch.splice`),
and the parts are written here (:mod:`matcher.batch.run`), exactly as in one process;
or, for a Parquet input on a cluster whose workers see the run's files, by the workers
themselves, in the same places (:mod:`matcher.batch.parts`, :mod:`matcher.batch.spans`).

Modules: :mod:`~matcher.batch.chunk` (scoring one chunk), :mod:`~matcher.batch.run`
(:func:`run_batch`: manifest, resume, parts, assembly), :mod:`~matcher.batch.files`
(CSV, JSON Lines and Parquet in and out), :mod:`~matcher.batch.parts` (a part on disk),
:mod:`~matcher.batch.spans` (chunks read where they are scored), :mod:`~matcher.batch.splice`
(a Parquet output from row groups encoded apart), :mod:`~matcher.batch.local` and
:mod:`~matcher.batch.dask` (the backends). A new backend is a new module here.
"""

from matcher.batch.chunk import ChunkScorer, batch_rows, encode_chunk, score_chunk
from matcher.batch.run import BACKENDS, BatchSummary, run_batch

__all__ = ["BatchSummary", "run_batch", "batch_rows", "score_chunk", "encode_chunk", "BACKENDS", "ChunkScorer"]
