"""Running a batch: :func:`run_batch` reads the input in chunks, has a backend score them, and writes the parts.

The manifest, resume, the parts and their ``.done`` markers, and the final assembly
all happen here, in the calling process; see :mod:`matcher.batch` for the design.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import json
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from profiles.errors import InputError
from profiles.validation import parse_as_of
from matcher._validation import check_choice, check_int, check_is_fitted
from matcher.atomic import atomic_write_bytes
from matcher.batch.chunk import ChunkScorer
from matcher.batch.files import assemble, input_format, iter_input, output_format
from matcher.batch.local import InProcessScorer, ProcessScorer
from matcher.errors import MatcherError, ParameterError

if TYPE_CHECKING:  # pragma: no cover
    from matcher.engine import MatchEngine

__all__ = ["BACKENDS", "BatchSummary", "run_batch"]

#: Where chunks are scored: this machine (``jobs`` processes), or the workers of a Dask cluster.
BACKENDS = ("local", "dask")


@dataclass
class BatchSummary:
    """What a batch run did. ``firms_read == firms_scored + errors`` always."""

    firms_read: int
    firms_scored: int
    errors: int
    rows_written: int
    pairs: int
    seconds: float
    output: str
    errors_file: str
    resumed_chunks: int = 0

    @property
    def pairs_per_second(self) -> float:
        return self.pairs / self.seconds if self.seconds > 0 else 0.0

    def line(self) -> str:
        """The one-line summary printed at the end of a run."""
        return (f"{self.firms_read:,} firms read = {self.firms_scored:,} scored + {self.errors:,} errors "
                f"({self.errors_file}); {self.rows_written:,} rows written to {self.output}; "
                f"{self.pairs:,} firm-program pairs in {self.seconds:.2f} s ({self.pairs_per_second / 1e6:,.2f} M pairs/s)"
                + (f"; resumed after {self.resumed_chunks} chunks" if self.resumed_chunks else ""))

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "pairs_per_second": self.pairs_per_second}


def _manifest(engine: MatchEngine, src: Path, params: dict[str, Any]) -> dict[str, Any]:
    st = src.stat()
    return {"input": str(src.resolve()), "input_size": st.st_size, "input_mtime_ns": st.st_mtime_ns,
            "catalog_hash": engine.catalog_hash_, "weights": engine.weights_.as_dict(), **params}


def _chunks(src: Path, chunk_size: int) -> Iterator[tuple[int, list]]:
    it = iter_input(src)
    for k in itertools.count():
        chunk = list(itertools.islice(it, chunk_size))
        if not chunk:
            return
        yield k, chunk


def _commit_part(parts_dir: Path, k: int, fmt: str, data: bytes, err: bytes,
                 stats: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """Write chunk ``k``'s part and its errors, then its ``.done`` marker, each atomically (the local writer)."""
    part = parts_dir / f"chunk-{k:06d}.{fmt}"
    atomic_write_bytes(part.with_name(part.name + ".errors"), err)
    atomic_write_bytes(part, data)
    firms, scored, n_errors, n_rows = stats
    atomic_write_bytes(parts_dir / f"chunk-{k:06d}.done", json.dumps(
        {"firms": firms, "scored": scored, "errors": n_errors, "rows": n_rows}).encode("utf-8"))
    return stats


def run_batch(engine: MatchEngine, firms: str | Path, output: str | Path, *, top: int = 10,
              as_of: dt.date | str | None = None, possible: int = 0, municipalities: int = 0, jobs: int = 1,
              chunk_size: int = 4096, resume: bool = False, progress: Callable[[int], None] | None = None,
              backend: str = "local", scheduler: Any = None, workers: int | None = None) -> BatchSummary:
    """Score every firm of ``firms`` and write the ranked programs to ``output``.

    Parameters
    ----------
    engine : MatchEngine
        A fitted engine.
    firms, output : path
        CSV, JSONL or Parquet files (format from the extension).
    top, possible, municipalities : int
        Eligible programs, "possible" programs and municipalities per firm.
    jobs : int
        Worker processes of the local backend (:mod:`matcher.batch.local`); each gets
        the engine once. With 1 (the default), chunks are scored in this process.
    chunk_size : int
        Input records per chunk (a part of the output).
    resume : bool
        Continue an interrupted run of the same job instead of starting again.
    progress : callable, optional
        Called with the number of input records done after each chunk.
    backend : {"local", "dask"}
        Where chunks are scored: this machine (``jobs`` processes), or the workers of a Dask
        cluster (:mod:`matcher.batch.dask`, needs ``shien-matcher[dask]``). The output
        is the same bytes either way.
    scheduler : str or distributed.Client, optional
        With ``backend="dask"``: the scheduler's address (``tcp://host:8786``), or a
        connected client (left open); without it a local cluster of worker processes
        is started for the run.
    workers : int, optional
        With ``backend="dask"`` and no scheduler: worker processes of the local cluster
        (default: the CPUs).

    Returns
    -------
    BatchSummary
        Counts, pairs and time of the run.
    """
    check_is_fitted(engine)
    for name, v, lo in (("top", top, 1), ("chunk_size", chunk_size, 1), ("jobs", jobs, 1),
                        ("possible", possible, 0), ("municipalities", municipalities, 0)):
        check_int(name, v, low=lo)
    check_choice("backend", backend, BACKENDS)
    if backend == "local" and (scheduler is not None or workers is not None):
        given = "scheduler" if scheduler is not None else "workers"
        raise ParameterError(f"{given} is for backend='dask', got backend='local'")
    if backend == "dask" and jobs != 1:
        raise ParameterError(f"jobs is for backend='local' (processes); with backend='dask' the cluster's workers "
                             f"score the chunks, got jobs={jobs}")
    src, out = Path(firms), Path(output)
    input_format(src)
    fmt = output_format(out)
    if not src.is_file():
        raise InputError("firms", str(src), "no such file")
    with _backend(engine, backend, jobs, scheduler, workers) as scorer:
        return _run(engine, src, out, fmt, top, as_of, possible, municipalities, chunk_size, resume, progress,
                    scorer)


def _backend(engine: MatchEngine, backend: str, jobs: int, scheduler: Any, workers: int | None) -> Any:
    """The backend of a run, not yet entered."""
    if backend == "dask":
        from matcher.batch.dask import DaskScorer  # only now: importing it imports dask

        return DaskScorer(engine, scheduler=scheduler, workers=workers)
    if jobs > 1:
        return ProcessScorer(engine, jobs)
    return InProcessScorer(engine)


def _run(engine: MatchEngine, src: Path, out: Path, fmt: str, top: int, as_of: dt.date | str | None, possible: int,
         municipalities: int, chunk_size: int, resume: bool, progress: Callable[[int], None] | None,
         scorer: ChunkScorer) -> BatchSummary:
    errors_out = out.with_name(out.name + ".errors.jsonl")
    parts_dir = out.with_name(out.name + ".parts")
    manifest_path = parts_dir / "manifest.json"
    params = {"top": top, "possible": possible, "municipalities": municipalities, "chunk_size": chunk_size,
              "format": fmt}
    t0 = time.perf_counter()
    resumed = 0
    if resume and manifest_path.exists():
        old = json.loads(manifest_path.read_text(encoding="utf-8"))
        day = parse_as_of(old["as_of"])
        if as_of is not None and parse_as_of(as_of) != day:
            raise MatcherError(f"cannot resume {out}: it was started with --as-of {day}, not {parse_as_of(as_of)}")
        want = _manifest(engine, src, {**params, "as_of": day.isoformat()})
        changed = [k for k in want if old.get(k) != want[k]]
        if changed:
            raise MatcherError(f"cannot resume {out}: {', '.join(changed)} changed since the interrupted run "
                               f"(run again without --resume to start over)")
    else:
        day = parse_as_of(as_of)
        if parts_dir.exists():
            shutil.rmtree(parts_dir)
        parts_dir.mkdir(parents=True)
        want = _manifest(engine, src, {**params, "as_of": day.isoformat()})
        atomic_write_bytes(manifest_path, json.dumps(want, indent=1).encode("utf-8"))

    totals = np.zeros(4, np.int64)
    done_parts: list[Path] = []

    def todo() -> Iterator[tuple[int, list]]:
        nonlocal resumed
        for k, records in _chunks(src, chunk_size):
            marker = parts_dir / f"chunk-{k:06d}.done"
            done_parts.append(parts_dir / f"chunk-{k:06d}.{fmt}")
            if resume and marker.exists():
                stats = json.loads(marker.read_text(encoding="utf-8"))
                totals[:] += [stats["firms"], stats["scored"], stats["errors"], stats["rows"]]
                resumed += 1
                if progress:
                    progress(len(records))
                continue
            yield k, records

    # scored here, by worker processes or by a Dask cluster; written here as the results arrive
    scored = scorer.score(todo(), day, top, possible, municipalities, fmt)
    results = (_commit_part(parts_dir, k, fmt, data, err, stats) for k, data, err, stats in scored)
    with contextlib.closing(scored):
        for stats in results:
            totals[:] += stats
            if progress:
                progress(stats[0])
    assemble(done_parts, out, errors_out, fmt)
    shutil.rmtree(parts_dir)
    firms_read, scored, n_errors, n_rows = (int(x) for x in totals)
    assert firms_read == scored + n_errors
    return BatchSummary(firms_read, scored, n_errors, n_rows, scored * engine.n_programs_,
                        time.perf_counter() - t0, str(out), str(errors_out), resumed)
