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

Scoring a chunk (:func:`score_chunk`, :func:`encode_chunk`) is pure: records in,
columns or encoded bytes out. Only this process writes files, so with
``backend="dask"`` (:mod:`matcher.batch_dask`) or ``jobs > 1``
(:mod:`matcher.batch_procs`) the workers score and encode the chunks and the parts are
written here, exactly as in one process.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import json
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from profiles.errors import InputError
from profiles.needs import NEEDS
from rules.kleene import TRUE, UNKNOWN
from matcher.batchio import (OUTPUT_COLUMNS, assemble, atomic_write_bytes, encode_part, input_format, iter_input,
                             output_format)
from matcher.engine import MatchEngine, _top_indices, parse_as_of
from matcher.errors import MatcherError
from matcher.firmio import RowError, valid_firms
from matcher.weights import COMPONENTS

__all__ = ["BatchSummary", "run_batch", "batch_rows", "score_chunk", "encode_chunk", "BACKENDS"]

#: Where chunks are scored: this machine (``jobs`` processes), or the workers of a Dask cluster.
BACKENDS = ("local", "dask")

_NEED_LABEL = {n.id: n.label_en for n in NEEDS}


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


def _reason_text(engine: MatchEngine, needs_mask: int, industry: str | None, loc: float) -> str:
    parts = []
    matched = [n.id for b, n in enumerate(NEEDS) if needs_mask >> b & 1]
    if matched:
        parts.append("needs: " + ", ".join(_NEED_LABEL[n] for n in matched))
    if industry:
        parts.append(f"industry {industry} targeted")
    parts.append("own municipality" if loc >= 1 else "in the prefecture" if loc >= 0.7
                 else "national" if loc >= 0.5 else "elsewhere")
    return "; ".join(parts)


def _missing(engine: MatchEngine, facts, i: int, j: int) -> list[str]:
    out: list[str] = []
    for c in engine.eligibility_.explain(facts, j, row=i, parts=facts.parts, outcomes=(UNKNOWN,)):
        out.extend(m for m in c.missing if m not in out)
    return out


def _flat(picks: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(firm index, program index, rank) of every pick, firm by firm."""
    lens = np.fromiter((len(p) for p in picks), np.intp, len(picks))
    firm = np.repeat(np.arange(len(picks)), lens)
    prog = np.concatenate(picks).astype(np.intp) if len(firm) else np.empty(0, np.intp)
    starts = np.repeat(np.cumsum(lens) - lens, lens)
    return firm, prog, np.arange(len(firm)) - starts + 1


def _kernel_for(engine: MatchEngine, possible: int, municipalities: int):
    """The engine's fused kernel when the run asks only for top eligible programs, else None."""
    return engine._fused() if not possible and not municipalities else None


def batch_rows(engine: MatchEngine, firms: list, rows: list[int], as_of: dt.date, top: int, possible: int,
               municipalities: int) -> dict[str, np.ndarray]:
    """The output columns of one chunk of validated firms (``rows``: their input row numbers).

    Columnar: scores and components are gathered with numpy, and the short reasons
    are built once per distinct pattern (needs matched, industry, locality).
    """
    cols: dict[str, list] = {k: [] for k in OUTPUT_COLUMNS}
    order_keys: list[np.ndarray] = []
    if not firms:
        return {k: np.array([], object) for k in OUTPUT_COLUMNS}
    fused = _kernel_for(engine, possible, municipalities)
    if fused is not None:  # only the top eligible programs: the fused kernel, no (firms, programs) matrices
        prepared = engine.prepare(firms, as_of)
        facts = prepared.facts
        idx, top_scores, top_comps = fused.match(prepared, top)
        fi, k = np.nonzero(idx >= 0)  # firm by firm, best first
        picks = [("eligible", fi, idx[fi, k].astype(np.intp), k + 1, top_scores[fi, k],
                  {c: top_comps[fi, k, n] for n, c in enumerate(COMPONENTS)})]
    else:
        facts, elig, X, ff, comps, score = engine._score_chunk(firms, as_of)
        inf = np.float32(np.inf)
        picks = []
        for status, value, k in (("eligible", TRUE, top), ("possible", UNKNOWN, possible)):
            if k:
                fi, pj, rank = _flat(_top_indices(np.where(elig == value, -score, inf), k))
                picks.append((status, fi, pj, rank, score[fi, pj], {c: comps[c][fi, pj] for c in COMPONENTS}))
    ids = np.array([p.id for p in engine.programs_], object)
    names = np.array([p.name for p in engine.programs_], object)
    firm_ids = np.array([f.id for f in firms], object)
    row_nums = np.asarray(rows, np.int64)
    prog_needs = engine._program_need_masks
    for status, fi, pj, rank, pick_scores, pick_comps in picks:
        type_order = 0 if status == "eligible" else 1
        if not len(fi):
            continue
        ind = pick_comps["industry"] >= 0.75 - 1e-6
        loc = np.round(pick_comps["locality"].astype(np.float64), 4)
        needs = facts.needs[fi] & prog_needs[pj]
        ind_code = np.where(ind, (facts.major_group[fi].astype(np.int64) + 1) * 32 + facts.division[fi] + 1, 0)
        # one int64 per pick: needs matched (bits 30+), industry code (bits 16-29), locality x 10,000 (bits 0-15)
        key = (needs << 30) | (ind_code << 16) | np.round(loc * 10000).astype(np.int64)
        uniq, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        texts = np.array([_reason_text(engine, int(u >> 30), firms[int(fi[f])].industry if (u >> 16) & 0x3FFF else None,
                                       int(u & 0xFFFF) / 10000) for u, f in zip(uniq.tolist(), first.tolist())], object)
        cols["firm_id"].append(firm_ids[fi])
        cols["row"].append(row_nums[fi])
        cols["rank"].append(rank)
        cols["type"].append(np.full(len(fi), "program", object))
        cols["id"].append(ids[pj])
        cols["name"].append(names[pj])
        cols["status"].append(np.full(len(fi), status, object))
        cols["score"].append(pick_scores)
        for c in COMPONENTS:
            cols[c].append(pick_comps[c])
        cols["missing"].append(np.array([";".join(_missing(engine, facts, int(i), int(j))) for i, j in zip(fi, pj)],
                                        object) if status == "possible" else np.full(len(fi), None, object))
        cols["reasons"].append(texts[inverse.ravel()])
        order_keys.append(np.stack([fi, np.full(len(fi), type_order), rank], axis=1))
    if municipalities:
        munis = engine._municipalities(firms, facts, elig, comps)
        recs = [(i, r, m) for i in range(len(firms)) for r, m in enumerate(munis[i][:municipalities], start=1)]
        if recs:
            fi = np.array([i for i, _, _ in recs], np.intp)
            cols["firm_id"].append(firm_ids[fi])
            cols["row"].append(row_nums[fi])
            cols["rank"].append(np.array([r for _, r, _ in recs], np.int64))
            cols["type"].append(np.full(len(fi), "municipality", object))
            cols["id"].append(np.array([m.code for _, _, m in recs], object))
            cols["name"].append(np.array([m.name for _, _, m in recs], object))
            cols["status"].append(np.full(len(fi), "recommended", object))
            cols["score"].append(np.array([m.score for _, _, m in recs]))
            for c in COMPONENTS:
                cols[c].append(np.full(len(fi), np.nan))
            cols["missing"].append(np.full(len(fi), None, object))
            cols["reasons"].append(np.array(["; ".join(m.reasons[:2]) for _, _, m in recs], object))
            order_keys.append(np.stack([fi, np.full(len(fi), 2), cols["rank"][-1]], axis=1))
    if not order_keys:
        return {k: np.array([], object) for k in OUTPUT_COLUMNS}
    keys = np.concatenate(order_keys)
    order = np.lexsort((keys[:, 2], keys[:, 1], keys[:, 0]))
    out = {}
    for k, parts in cols.items():
        joined = np.concatenate([np.asarray(p, object) if k in _OBJECT else np.asarray(p) for p in parts])
        out[k] = joined[order]
    for c in ("score", *COMPONENTS):
        out[c] = np.round(out[c].astype(np.float64), 6)
    return out


_OBJECT = {"firm_id", "type", "id", "name", "status", "missing", "reasons"}


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


def score_chunk(engine: MatchEngine, records: list, as_of: dt.date, top: int, possible: int,
                municipalities: int) -> tuple[dict[str, np.ndarray], list[RowError], int]:
    """Validate and score one chunk of input records; pure, so it runs anywhere (a thread, a Dask worker).

    Parameters
    ----------
    engine : MatchEngine
        A fitted engine.
    records : list of (int, dict or RowError)
        ``(row number, fields)`` as :func:`matcher.batchio.iter_input` yields them.
    as_of : datetime.date
        The day validity windows are evaluated at.
    top, possible, municipalities : int
        Eligible programs, "possible" programs and municipalities per firm.

    Returns
    -------
    columns : dict of str to numpy.ndarray
        The output columns (:data:`~matcher.batchio.OUTPUT_COLUMNS`) of the chunk's valid firms.
    errors : list of RowError
        The chunk's bad rows, in input order.
    scored : int
        How many firms were scored (``len(records) == scored + len(errors)``).
    """
    errors: list[RowError] = []
    good = list(valid_firms(records, errors))
    # score in blocks of about SCORE_CELLS firm-program pairs (matcher.engine), so that the
    # (firms, programs) matrices stay small whatever the catalog's size; a firm's rows never
    # depend on its block
    fused = _kernel_for(engine, possible, municipalities) is not None
    block = max(len(good), 1) if fused else engine._block_size(max(len(good), 1))
    parts = [batch_rows(engine, [f for _, f in good[b:b + block]], [r for r, _ in good[b:b + block]],
                        as_of, top, possible, municipalities) for b in range(0, len(good), block)]
    parts = [p for p in parts if len(p["row"])]
    if len(parts) == 1:
        return parts[0], errors, len(good)
    if not parts:
        return batch_rows(engine, [], [], as_of, top, possible, municipalities), errors, len(good)
    columns = {k: np.concatenate([p[k] for p in parts]) for k in OUTPUT_COLUMNS}
    return columns, errors, len(good)



def encode_chunk(engine: MatchEngine, records: list, as_of: dt.date, top: int, possible: int, municipalities: int,
                 fmt: str) -> tuple[bytes, bytes, tuple[int, int, int, int]]:
    """:func:`score_chunk`, encoded: ``(part bytes, errors bytes, (firms, scored, errors, rows))``; pure."""
    columns, errors, scored = score_chunk(engine, records, as_of, top, possible, municipalities)
    data, err, n_rows = encode_part(columns, errors, fmt)
    return data, err, (len(records), scored, len(errors), n_rows)


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
        Worker processes of the local backend (:mod:`matcher.batch_procs`); each gets
        the engine once. With 1 (the default), chunks are scored in this process.
    chunk_size : int
        Input records per chunk (a part of the output).
    resume : bool
        Continue an interrupted run of the same job instead of starting again.
    progress : callable, optional
        Called with the number of input records done after each chunk.
    backend : {"local", "dask"}
        Where chunks are scored: this machine (``jobs`` processes), or the workers of a Dask
        cluster (:mod:`matcher.batch_dask`, needs ``shien-matcher[dask]``). The output
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
    engine._check_fitted()
    for name, v, lo in (("top", top, 1), ("chunk_size", chunk_size, 1), ("jobs", jobs, 1),
                        ("possible", possible, 0), ("municipalities", municipalities, 0)):
        if isinstance(v, bool) or not isinstance(v, int) or v < lo:
            raise ValueError(f"{name} must be an integer >= {lo}, got {v!r}")
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
    if backend == "local" and (scheduler is not None or workers is not None):
        given = "scheduler" if scheduler is not None else "workers"
        raise ValueError(f"{given} is for backend='dask', got backend='local'")
    if backend == "dask" and jobs != 1:
        raise ValueError(f"jobs is for backend='local' (processes); with backend='dask' the cluster's workers score "
                         f"the chunks, got jobs={jobs}")
    src, out = Path(firms), Path(output)
    input_format(src)
    fmt = output_format(out)
    if not src.is_file():
        raise InputError("firms", str(src), "no such file")
    if backend == "dask":
        from matcher.batch_dask import DaskScorer

        session: Any = DaskScorer(engine, scheduler=scheduler, workers=workers)
    elif jobs > 1:
        from matcher.batch_procs import ProcessScorer

        session = ProcessScorer(engine, jobs)
    else:
        session = contextlib.nullcontext()
    with session as cluster:
        return _run(engine, src, out, fmt, top, as_of, possible, municipalities, jobs, chunk_size, resume, progress,
                    cluster)


def _run(engine: MatchEngine, src: Path, out: Path, fmt: str, top: int, as_of: dt.date | str | None, possible: int,
         municipalities: int, jobs: int, chunk_size: int, resume: bool, progress: Callable[[int], None] | None,
         cluster: Any) -> BatchSummary:
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

    def work(item):
        k, records = item
        return _commit_part(parts_dir, k, fmt, *encode_chunk(engine, records, day, top, possible, municipalities, fmt))

    scored = None
    if cluster is not None:  # scored by worker processes or a Dask cluster, written here as the results arrive
        scored = cluster.score(todo(), day, top, possible, municipalities, fmt)
        results: Iterable = (_commit_part(parts_dir, k, fmt, data, err, stats) for k, data, err, stats in scored)
    else:
        results = map(work, todo())
    with contextlib.closing(scored) if scored is not None else contextlib.nullcontext():
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
