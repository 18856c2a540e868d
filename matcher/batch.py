"""Batch scoring: a file of firms in, a file of ranked programs out, safely and resumably.

:func:`run_batch` reads firms in fixed chunks of ``chunk_size`` input records; each
chunk is validated (a broken row goes to the errors file with its row number, field
and reason, and never stops the run), scored through the engine's vectorized path,
and written as a *part* in ``OUT.parts/``, atomically, with a marker once complete.
When every chunk is done, the parts are assembled into ``OUT`` and
``OUT.errors.jsonl`` (each through a temporary file and a rename) and the parts are
removed. ``resume=True`` skips the chunks already done, so a run killed at any point
(even with ``kill -9``) ends with the same bytes as an uninterrupted one. Results do
not depend on ``jobs`` or ``chunk_size``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from profiles.errors import InputError
from profiles.needs import NEEDS
from rules.kleene import TRUE, UNKNOWN
from matcher.batchio import assemble, input_format, iter_input, output_format, write_part
from matcher.engine import MatchEngine, _top_indices, parse_as_of
from matcher.errors import MatcherError
from matcher.firmio import RowError, valid_firms
from matcher.weights import COMPONENTS

__all__ = ["BatchSummary", "run_batch", "batch_rows"]

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


def _compact_reasons(engine: MatchEngine, firm, i: int, j: int, comps, cache: dict) -> str:
    """Short reasons for a batch row: needs matched, industry, locality (cached by pattern)."""
    p = engine.programs_[j]
    matched = tuple(n for n in p.needs if n in firm.needs)
    ind = round(float(comps["industry"][i, j]), 4)
    loc = round(float(comps["locality"][i, j]), 4)
    key = (matched, ind >= 0.75, loc, firm.industry if ind >= 0.75 else None)
    text = cache.get(key)
    if text is None:
        parts = []
        if matched:
            parts.append("needs: " + ", ".join(_NEED_LABEL[n] for n in matched))
        if ind >= 0.75 and firm.industry:
            parts.append(f"industry {firm.industry} targeted")
        parts.append("own municipality" if loc >= 1 else "in the prefecture" if loc >= 0.7
                     else "national" if loc >= 0.5 else "elsewhere")
        text = cache[key] = "; ".join(parts)
    return text


def _missing(engine: MatchEngine, facts, i: int, j: int) -> list[str]:
    out: list[str] = []
    for c in engine.eligibility_.explain(facts, j, row=i, parts=facts.parts, outcomes=(UNKNOWN,)):
        out.extend(m for m in c.missing if m not in out)
    return out


def batch_rows(engine: MatchEngine, firms: list, rows: list[int], as_of: dt.date, top: int, possible: int,
               municipalities: int) -> list[dict[str, Any]]:
    """The output rows of one chunk of validated firms (``rows``: their input row numbers)."""
    if not firms:
        return []
    facts, elig, X, ff, comps, score = engine._score_chunk(firms, as_of)
    inf = np.float32(np.inf)
    best = _top_indices(np.where(elig == TRUE, -score, inf), top)
    maybe = _top_indices(np.where(elig == UNKNOWN, -score, inf), possible) if possible else [()] * len(firms)
    munis = engine._municipalities(firms, facts, elig, comps) if municipalities else None
    cache: dict = {}
    out = []
    for i, firm in enumerate(firms):
        for status, picks in (("eligible", best[i]), ("possible", maybe[i])):
            for r, j in enumerate(picks, start=1):
                j = int(j)
                row = {"firm_id": firm.id, "row": rows[i], "rank": r, "type": "program", "id": engine.programs_[j].id,
                       "name": engine.programs_[j].name, "status": status, "score": float(score[i, j]),
                       "missing": ";".join(_missing(engine, facts, i, j)) if status == "possible" else None,
                       "reasons": _compact_reasons(engine, firm, i, j, comps, cache)}
                row.update({c: float(comps[c][i, j]) for c in COMPONENTS})
                out.append(row)
        if munis is not None:
            for r, m in enumerate(munis[i][:municipalities], start=1):
                out.append({"firm_id": firm.id, "row": rows[i], "rank": r, "type": "municipality", "id": m.code,
                            "name": m.name, "status": "recommended", "score": m.score,
                            "reasons": "; ".join(m.reasons[:2])})
    return out


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


def _score_chunk_to_part(engine, k, records, parts_dir: Path, fmt, as_of, top, possible, municipalities):
    errors: list[RowError] = []
    good = list(valid_firms(records, errors))
    rows = batch_rows(engine, [f for _, f in good], [r for r, _ in good], as_of, top, possible, municipalities)
    part = parts_dir / f"chunk-{k:06d}.{fmt}"
    write_part(rows, errors, part, fmt)
    (parts_dir / f"chunk-{k:06d}.done").write_text(json.dumps(
        {"firms": len(records), "scored": len(good), "errors": len(errors), "rows": len(rows)}), encoding="utf-8")
    return len(records), len(good), len(errors), len(rows)


def run_batch(engine: MatchEngine, firms: str | Path, output: str | Path, *, top: int = 10,
              as_of: dt.date | str | None = None, possible: int = 0, municipalities: int = 0, jobs: int = 1,
              chunk_size: int = 4096, resume: bool = False,
              progress: Callable[[int], None] | None = None) -> BatchSummary:
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
        Chunks scored at once (threads; numpy and scipy release the GIL).
    chunk_size : int
        Input records per chunk (a part of the output).
    resume : bool
        Continue an interrupted run of the same job instead of starting again.
    progress : callable, optional
        Called with the number of input records done after each chunk.
    """
    engine._check_fitted()
    for name, v, lo in (("top", top, 1), ("chunk_size", chunk_size, 1), ("jobs", jobs, 1),
                        ("possible", possible, 0), ("municipalities", municipalities, 0)):
        if isinstance(v, bool) or not isinstance(v, int) or v < lo:
            raise ValueError(f"{name} must be an integer >= {lo}, got {v!r}")
    src, out = Path(firms), Path(output)
    input_format(src)
    fmt = output_format(out)
    if not src.is_file():
        raise InputError("firms", str(src), "no such file")
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
        manifest_path.write_text(json.dumps(want, indent=1), encoding="utf-8")

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
        return _score_chunk_to_part(engine, k, records, parts_dir, fmt, day, top, possible, municipalities)

    if jobs == 1:
        results = map(work, todo())
    else:
        from joblib import Parallel, delayed

        results = Parallel(n_jobs=jobs, backend="threading", return_as="generator")(
            delayed(work)(item) for item in todo())
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
