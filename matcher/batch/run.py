"""Running a batch: :func:`run_batch` reads the input in chunks, has a backend score them, and writes the parts.

The manifest, resume, the parts and their ``.done`` markers, and the final assembly
all happen here, in the calling process; see :mod:`matcher.batch` for the design.
"""

from __future__ import annotations

import contextlib
import hashlib
import datetime as dt
import json
import os
import queue
import shutil
import threading
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
from matcher.batch.files import (InputRows, Layout, ParquetAssembly, assemble, assemble_errors, input_format,
                                 output_format, part_format, read_part)
from matcher.batch.parts import commit_part, file_sha256, part_path
from matcher.batch.spans import parquet_rows
from matcher.batch.local import InProcessScorer, ProcessScorer, ThreadScorer
from matcher.errors import MatcherError, ParameterError

if TYPE_CHECKING:  # pragma: no cover
    from matcher.engine import MatchEngine

__all__ = ["BACKENDS", "BatchSummary", "run_batch", "check_outputs"]

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
    kept: tuple[str, ...] = ()
    reading: str = ""

    @property
    def pairs_per_second(self) -> float:
        return self.pairs / self.seconds if self.seconds > 0 else 0.0

    def line(self) -> str:
        """The one-line summary printed at the end of a run."""
        return (f"{self.firms_read:,} firms read = {self.firms_scored:,} scored + {self.errors:,} errors "
                f"({self.errors_file or 'no errors file'}); {self.rows_written:,} rows written to {self.output}; "
                f"{self.pairs:,} firm-program pairs in {self.seconds:.2f} s ({self.pairs_per_second / 1e6:,.2f} M pairs/s)"
                + (f"; resumed after {self.resumed_chunks} chunks" if self.resumed_chunks else "")
                + (f"; kept beside each firm: {', '.join(self.kept)}" if self.kept else ""))

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "kept": list(self.kept), "pairs_per_second": self.pairs_per_second}


def _same_file(a: Path, b: Path) -> bool:
    """Whether two paths are one file: the same resolved path, or the same inode (a hard link)."""
    if a.resolve() == b.resolve():
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def check_outputs(outputs: list[Path], reads: list[Path]) -> None:
    """Refuse a path the run writes that is one it reads (input, catalog, engine, columns map)."""
    for o in outputs:
        for r in reads:
            if r is None:
                continue
            r = Path(r)
            inside = r.is_dir() and (o.resolve() == r.resolve() or r.resolve() in o.resolve().parents)
            if inside or _same_file(o, r):
                raise InputError("output", str(o), f"is {r}, which this run reads; give another output path")


def _manifest(engine: MatchEngine, src: Path, params: dict[str, Any], digest: str) -> dict[str, Any]:
    st = src.stat()
    return {"input": str(src.resolve()), "input_size": st.st_size, "input_sha256": digest,
            "catalog_hash": engine.catalog_hash_, "weights": engine.weights_.as_dict(), **params}


class _Writer:
    """Commits the parts of a run and writes a streamed output (:class:`ParquetAssembly`), in a thread.

    :meth:`put` hands over chunk ``k``: ``(part bytes, errors bytes, stats)`` to commit (and, from a
    backend in this process, the part's rows, :func:`~matcher.batch.files.part_rows`, so that the part
    is not read back), or the path of a part already done (resumed); the output takes them in chunk order. At most ``depth``
    chunks wait, so memory stays bounded. :meth:`close` waits for every chunk handed over and
    returns how many were written in order; an error of the thread is raised there or by the
    next :meth:`put`.
    """

    def __init__(self, parts_dir: Path, fmt: str, layout: Layout, staged: Path | None, depth: int = 4) -> None:
        self.parts_dir, self.fmt, self.layout = parts_dir, fmt, layout
        self.assembly = ParquetAssembly(staged, layout) if staged is not None else None
        self.queue: queue.Queue = queue.Queue(maxsize=depth)
        self.error: BaseException | None = None
        self.ready: dict[int, Any] = {}
        self.written = 0
        self.thread = threading.Thread(target=self._run, name="shien-matcher-writer", daemon=True)
        self.thread.start()

    def put(self, k: int, item: Any) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put((k, item))

    def _run(self) -> None:
        import pyarrow as pa

        while (got := self.queue.get()) is not None:
            if self.error is not None:
                continue  # drain: the error is raised in the calling thread
            k, item = got
            try:
                if isinstance(item, tuple):  # (part bytes, errors bytes, stats[, the part's rows])
                    commit_part(self.parts_dir, k, self.fmt, *item[:3])
                    item = None if self.assembly is None else item[3] if len(item) > 3 else pa.BufferReader(item[0])
                self.ready[k] = item
                while self.written in self.ready:
                    part = self.ready.pop(self.written)
                    if self.assembly is not None:
                        self.assembly.add(part if isinstance(part, pa.Table) else read_part(part, self.layout))
                    self.written += 1
            except BaseException as exc:  # noqa: BLE001 - handed to the calling thread
                self.error = exc

    def close(self, raise_error: bool = True) -> int:
        self.queue.put(None)
        self.thread.join()
        if self.assembly is not None:
            try:
                self.assembly.close()
            except BaseException as exc:  # noqa: BLE001
                self.error = self.error or exc
        if self.error is not None and raise_error:
            raise self.error
        return self.written


def _read_json(path: Path, what: str, out: Path) -> dict[str, Any]:
    """A manifest or marker of an interrupted run; a damaged one is named with the remedy."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        return data
    except (ValueError, UnicodeDecodeError) as exc:
        raise MatcherError(f"cannot resume {out}: {what} {path} is damaged ({exc}); run again without --resume to "
                           f"start over") from None


def _verify_part(parts_dir: Path, k: int, fmt: str, stats: dict[str, Any], out: Path) -> None:
    """A finished part must still be the bytes its marker recorded."""
    part = part_path(parts_dir, k, fmt)
    for path, key in ((part, "part_sha256"), (part.with_name(part.name + ".errors"), "errors_sha256")):
        if key not in stats or not path.is_file() or file_sha256(path) != stats[key]:
            why = "is missing" if not path.is_file() else "changed since it was written"
            raise MatcherError(f"cannot resume {out}: {path} {why}; delete {path.with_name(f'chunk-{k:06d}.done')} "
                               f"and run again with --resume, or run again without --resume to start over")


def run_batch(engine: MatchEngine, firms: str | Path, output: str | Path, *, top: int = 10,
              as_of: dt.date | str | None = None, possible: int = 0, municipalities: int = 0, jobs: int = 1,
              chunk_size: int = 4096, resume: bool = False, progress: Callable[[int], None] | None = None,
              backend: str = "local", scheduler: Any = None, workers: int | None = None,
              encoding: str | None = None, sheet: str | None = None, columns: Any = None,
              prefecture: str | None = None, lang: str = "en", excel_csv: bool = False, force: bool = False,
              reads: tuple = ()) -> BatchSummary:
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
        the engine once. With 1 (the default), chunks are scored in this process. A Parquet
        file of the engine's fields scored for the top eligible programs (the columnar path)
        is scored by ``jobs`` threads instead, which share the engine and its caches.
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
    encoding, sheet, columns, prefecture
        How the firm list is read (:func:`profiles.firmcheck.read_firms`): a text file's
        encoding (detected when not given), the workbook sheet, a columns mapping (a dict or
        a YAML file), the prefecture of addresses that do not give one.
    lang : {"en", "ja"}
        The output's column headers and status words.
    excel_csv : bool
        A CSV output starts with a UTF-8 BOM, so that Excel opens it in Japanese.
    force : bool
        Overwrite an existing output (without it, and without ``resume``, an existing output is refused).
    reads : tuple of path
        Other files the run reads (catalog, engine): no output may be one of them.

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
    check_choice("lang", lang, ("en", "ja"))
    src, out = Path(firms), Path(output)
    input_format(src)
    fmt = output_format(out)
    if not src.is_file():
        raise InputError("firms", str(src), "no such file")
    errors_out = out.with_name(out.name + ".errors.jsonl")
    check_outputs([out, errors_out, out.with_name(out.name + ".parts")],
                  [src, *([columns] if isinstance(columns, (str, Path)) else []), *reads])
    if out.exists() and not force and not resume:
        from profiles.tablewrite import OutputExistsError

        raise OutputExistsError(str(out), None, "the file exists; give --force to overwrite it")
    with InputRows(src, encoding=encoding, sheet=sheet, columns=columns, prefecture=prefecture) as rows, \
            _backend(engine, backend, jobs, scheduler, workers,
                     threads=rows.columnar and not possible and not municipalities and engine.fused_matcher() is not None
                     ) as scorer:
        return _run(engine, src, rows, Layout(rows.kept, lang), excel_csv, out, fmt, top, as_of, possible,
                    municipalities, chunk_size, resume, progress, scorer)


def _backend(engine: MatchEngine, backend: str, jobs: int, scheduler: Any, workers: int | None,
             threads: bool = False) -> Any:
    """The backend of a run, not yet entered (``threads``: the chunks go the columnar way, whose
    work releases the GIL, so ``jobs`` threads share one engine and its caches)."""
    if backend == "dask":
        from matcher.batch.dask import DaskScorer  # only now: importing it imports dask

        return DaskScorer(engine, scheduler=scheduler, workers=workers)
    if jobs > 1:
        return ThreadScorer(engine, jobs) if threads else ProcessScorer(engine, jobs)
    return InProcessScorer(engine)


def _run(engine: MatchEngine, src: Path, rows: InputRows, layout: Layout, excel_csv: bool, out: Path, fmt: str,
         top: int, as_of: dt.date | str | None, possible: int, municipalities: int, chunk_size: int, resume: bool,
         progress: Callable[[int], None] | None, scorer: ChunkScorer) -> BatchSummary:
    errors_out = out.with_name(out.name + ".errors.jsonl")
    parts_dir = out.with_name(out.name + ".parts")
    manifest_path = parts_dir / "manifest.json"
    params = {"top": top, "possible": possible, "municipalities": municipalities, "chunk_size": chunk_size,
              "format": fmt, "parts": part_format(fmt), "columns": list(layout.headers), "excel_csv": excel_csv}
    t0 = time.perf_counter()
    resumed = 0
    digest = file_sha256(src)
    if resume and manifest_path.exists():
        old = _read_json(manifest_path, "its manifest", out)
        try:
            day = parse_as_of(old["as_of"])
        except (KeyError, InputError):
            raise MatcherError(f"cannot resume {out}: its manifest {manifest_path} is damaged (no as_of); run again "
                               f"without --resume to start over") from None
        if as_of is not None and parse_as_of(as_of) != day:
            raise MatcherError(f"cannot resume {out}: it was started with --as-of {day}, not {parse_as_of(as_of)}")
        want = _manifest(engine, src, {**params, "as_of": day.isoformat()}, digest)
        changed = [("the input's content" if k == "input_sha256" else k) for k in want if old.get(k) != want[k]]
        if changed:
            raise MatcherError(f"cannot resume {out}: {', '.join(changed)} changed since the interrupted run "
                               f"(run again without --resume to start over)")
    else:
        day = parse_as_of(as_of)
        if parts_dir.exists():
            shutil.rmtree(parts_dir)
        parts_dir.mkdir(parents=True)
        want = _manifest(engine, src, {**params, "as_of": day.isoformat()}, digest)
        atomic_write_bytes(manifest_path, json.dumps(want, indent=1).encode("utf-8"))

    totals = np.zeros(4, np.int64)
    done_parts: list[Path] = []
    # a Parquet output is written as the parts come, in their order (the others are joined at the end),
    # to a file in the parts directory renamed to the output once complete; parts are committed and the
    # output written by a thread of their own, so that this one keeps the scorer fed meanwhile
    stream = fmt == "parquet"
    staged = parts_dir / f"output.{fmt}.tmp"
    shares = getattr(scorer, "shares_files", None)
    spans = rows.columnar and shares is not None and shares(src, parts_dir)
    # the workers see the files: they read their chunks of the input, write their parts and encode the
    # row groups of a Parquet output; this process plans from the file's metadata and joins the row groups
    writer = _Writer(parts_dir, fmt, layout, staged if stream and not spans else None)
    chunk_rows: dict[int, int] = {}

    def was_done(k: int, n: int) -> bool:
        """Whether chunk ``k`` (of ``n`` rows) is done already (``resume``): then it is handed to the writer."""
        nonlocal resumed
        marker = parts_dir / f"chunk-{k:06d}.done"
        done_parts.append(part_path(parts_dir, k, fmt))
        if not (resume and marker.exists()):
            return False
        stats = _read_json(marker, "the marker", out)
        _verify_part(parts_dir, k, fmt, stats, out)
        if stats.get("firms") != n:
            raise MatcherError(f"cannot resume {out}: chunk {k} had {stats.get('firms')} rows and now has "
                               f"{n}; run again without --resume to start over")
        totals[:] += [stats["firms"], stats["scored"], stats["errors"], stats["rows"]]
        chunk_rows[k] = stats["rows"]
        resumed += 1
        writer.put(k, done_parts[-1])
        if progress:
            progress(n)
        return True

    def todo() -> Iterator[tuple[int, list]]:
        for k, records in rows.chunks(chunk_size):
            if not was_done(k, len(records)):
                yield k, records

    n_input = manifest = None
    if spans:
        n_input, group_rows = parquet_rows(str(src))
        ks = [k for k in range(-(-n_input // chunk_size)) if not was_done(k, min(chunk_size, n_input - k * chunk_size))]
        manifest = (str(manifest_path.resolve()), hashlib.sha256(manifest_path.read_bytes()).hexdigest())
        scored = scorer.score_spans(str(src.resolve()), chunk_size, ks, n_input, group_rows, day, top, possible,
                                    municipalities, fmt, layout, str(parts_dir.resolve()), manifest)
    else:  # scored here, by worker processes or by a Dask cluster; written here as the results arrive
        scored = scorer.score(todo(), day, top, possible, municipalities, fmt, layout)
    ok = False
    try:
        with contextlib.closing(scored):
            for k, data, err, stats, *part_rows in scored:  # (the rows: from a backend in this process)
                writer.put(k, (data, err, stats, *part_rows) if data is not None else part_path(parts_dir, k, fmt))
                totals[:] += stats
                chunk_rows[k] = stats[3]
                if progress:
                    progress(stats[0])
        ok = True
    finally:
        written = writer.close(raise_error=ok)  # every part handed over is committed, even on the way out
    firms_read, scored, n_errors, n_rows = (int(x) for x in totals)
    read_rows = rows.summary.rows if rows.summary is not None else firms_read if n_input is None else n_input
    if firms_read != scored + n_errors or read_rows != firms_read or written != len(done_parts):
        raise MatcherError(f"batch accounting failed for {src}: {read_rows} input rows read, {firms_read} in chunks = "
                           f"{scored} scored + {n_errors} errors, {written} of {len(done_parts)} chunks written; "
                           f"the output was not written (this is a bug)")
    if stream:
        if spans:
            with open(staged, "wb") as fh:
                joined = scorer.assemble_parquet([str(p.resolve()) for p in done_parts],
                                                 [chunk_rows[k] for k in range(len(done_parts))], fh, layout, manifest)
                fh.flush()
                os.fsync(fh.fileno())
            if not joined:
                ParquetAssembly(staged, layout).close()  # no row: the schema alone
        os.replace(staged, out)
        wrote_errors = assemble_errors(done_parts, errors_out)
    else:
        wrote_errors = assemble(done_parts, out, errors_out, fmt, layout=layout, excel_csv=excel_csv)
    shutil.rmtree(parts_dir)
    return BatchSummary(firms_read, scored, n_errors, n_rows, scored * engine.n_programs_,
                        time.perf_counter() - t0, str(out), str(errors_out) if wrote_errors else "", resumed,
                        layout.kept, str(rows.summary) if rows.summary is not None else "")
