"""Batch matching throughput: the engine against four reference approaches, same data, one run.

Run::

    .venv/bin/python benchmarks/bench_batch.py --quick                    # 20k firms x 1k programs, a minute or two
    .venv/bin/python benchmarks/bench_batch.py                            # 100k and 1M firms x 1k and 10k programs
    .venv/bin/python benchmarks/bench_batch.py --firms 100000 --programs 1000,10000 --jobs 2
    .venv/bin/python benchmarks/bench_batch.py --max-timed-pairs 1.5e8 --e2e-firms 100000 --profile  # what fits in ~30 min
    .venv/bin/python benchmarks/bench_batch.py --firms 100000 --programs 1000 --e2e-only   # end to end + its floor

What it does, per grid cell (N firms x M programs):

* **Data.** Programs: ``matcher.synth.synth_catalog(M, seed)`` fitted with
  ``MatchEngine().fit``. Firms: ``matcher synth firms --n N --seed S`` (the CLI's
  ``write_firms``) to Parquet, read back with ``matcher.batch.files.iter_input`` and
  validated with ``matcher.firmio.valid_firms``, then ``engine.prepare`` per chunk. That
  preparation (validation + vectorizing) is timed once, single-threaded, and reported
  apart as "prepare"; the prepared chunks are cached on disk (``--workdir``) so every
  approach matches exactly the same prepared firms. The first k synthetic firms do not
  depend on N, so a smaller N is a prefix of a larger one.
* **The matching** (eligibility + score + top-k of the eligible programs), each approach
  in a fresh subprocess, chunks of ``--chunk-size`` firms on ``--jobs`` threads (joblib's
  threading backend) where the approach is not threaded itself:

  - ``loop``: the obvious per-firm, per-program Python loop (rules, five components,
    a heap), timed on ``--loop-firms`` firms and extrapolated to N (always marked);
  - ``sklearn-nn F=20/100``: ``NearestNeighbors(metric="cosine", algorithm="brute")`` on
    the text vectors, over-fetch F, then drop the ineligible; ranks by text only, and
    the notes give the share of firms left with fewer than k results although more
    programs were eligible;
  - ``numpy``: the straightforward numpy version (rules as masks, components, argpartition);
  - ``sparse_dot_topn``: ``sp_matmul_topn(top_n=k, n_threads=jobs)`` on text only, NO rules
    ("not installed" when missing: ``pip install sparse-dot-topn``);
  - ``engine``: ``engine.match(prepared, top)`` with the fused kernel (``matcher.kernel``, numba);
  - ``engine-numpy``: the same call on the engine's pure numpy/scipy path
    (``MatchEngine(kernel="numpy")``), whose results the kernel equals bit for bit.

  Every timing is the best of ``--repeats`` passes (default 2; the machine may be
  shared; the notes give every pass and how many cores the process kept busy). A cell
  with more than ``--max-timed-firms`` firms or ``--max-timed-pairs`` pairs is timed on
  its first firms (whole chunks) and extrapolated linearly (marked ``*``); the same
  measurement then serves every N with the same M and firms timed. ``exact`` compares the result with the brute
  force top-k (per firm, the eligible programs sorted by score then column, from
  ``engine.scores``) on ``--check-firms`` firms; equal-score swaps are allowed.
* **Peak memory**: each subprocess's own ``resource.getrusage(RUSAGE_SELF).ru_maxrss``
  at its end (what the parent would read with RUSAGE_CHILDREN for that one child): the
  whole process -- interpreter, libraries, the fitted engine, one group of prepared
  chunks in memory, and the matching. ``setup`` in the notes is the same figure just
  before the first timed pass.
* **End to end**: ``matcher.batch.run_batch(engine, firms.parquet, out.parquet, top=k,
  jobs=jobs)`` (``jobs`` worker processes) -- Parquet in, Parquet out, read + validate + prepare + match + write
  (``--e2e-firms``, ``--e2e-programs``, where 0 is the built-in catalog; ``--no-e2e`` skips it,
  ``--e2e-only`` runs nothing else), side by side with the **matching** of the same firms
  (``engine.match`` on the prepared chunks, ``--jobs`` threads: the figure the issue's "end to end
  at most 2x the matching" compares with) and its **floor**: pyarrow alone reading the same input
  (``pq.read_table``) and writing the same output table (``pq.write_table``); the ratios of both,
  the peak memory of the run and its worker processes (summed proportional set size, sampled),
  and the output's sha256 (to compare two versions' bytes). Each pass runs in a fresh process,
  as a ``matcher batch`` command does (no text, tokenizer or kernel warm from a pass before).
  ``--baseline DIR`` runs the end to end again with another checkout's packages
  (``git archive main | tar -x -C DIR``) in the same run, passes interleaved, for before/after rows.

It prints a markdown table (approach, N, M, pairs/s in millions, wall s, peak MiB,
engine speed-up over the approach, notes), then how the time per firm grows with N and
with M, the prepare and end-to-end figures, and with ``--profile`` the top functions of
one engine chunk under cProfile. Results also go to ``WORKDIR/results.json``. Nothing
here asserts on time: it measures and reports.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import hashlib
import io
import json
import os
import pickle
import pstats
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# SHIEN_BENCH_CODE: another checkout's packages (``--baseline``); the workers import from it
ROOT = Path(os.environ.get("SHIEN_BENCH_CODE") or Path(__file__).resolve().parents[1]).resolve()
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

AS_OF = "2026-01-01"
APPROACHES = ("engine", "engine-numpy", "numpy", "sparse_dot_topn", "sklearn-nn F=20", "sklearn-nn F=100", "loop")
MiB = 1024  # ru_maxrss is in KiB on Linux


def _ints(text: str) -> list[int]:
    return [int(x.replace("_", "")) for x in text.split(",") if x.strip()]


def _maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / MiB


def code_hash() -> str:
    """A hash of the sources prepare() depends on, so a cache never outlives a code change."""
    h = hashlib.sha1()
    for pkg in ("matcher", "rules", "profiles"):
        for p in sorted((ROOT / pkg).rglob("*.py")):
            h.update(p.read_bytes())
    return h.hexdigest()[:12]


# =========================================================================== data (parent side)
def firms_file(work: Path, n: int, seed: int) -> Path:
    """``matcher synth firms --n n --seed seed -o firms.parquet``, made once."""
    from matcher.synth import write_firms

    path = work / f"firms-{n}-s{seed}.parquet"
    if not path.exists():
        t = time.perf_counter()
        write_firms(str(path), n, "mixed", seed)
        print(f"  wrote {path.name} ({n:,} firms) in {time.perf_counter() - t:.1f} s", flush=True)
    return path


def fitted_engine(m: int, seed: int):
    """``MatchEngine().fit(synth_catalog(m, seed))`` -- refitted in each subprocess; ``m == 0``:
    the built-in catalog (``MatchEngine().fit()``).

    (Fitting is deterministic. The engine is not saved with ``engine.save``: a catalog
    with JsonLogic rules does not pickle at the time of writing, ``rules.logic`` keeps
    lambdas.)
    """
    from matcher import MatchEngine
    from matcher.synth import synth_catalog

    return MatchEngine().fit() if m == 0 else MatchEngine().fit(synth_catalog(m, seed=seed))


# =========================================================================== workers (subprocesses)
def run_worker(spec: dict, code: str | None = None) -> dict:
    """Run one measurement in a fresh subprocess and return its JSON result (``code``: the
    checkout whose packages it imports, default this one)."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--_worker", json.dumps(spec)]
    env = dict(os.environ)
    if code:
        env["SHIEN_BENCH_CODE"] = str(Path(code).resolve())
        env["PYTHONPATH"] = str(Path(code).resolve())
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, env=env)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        return {"error": f"worker exited with code {proc.returncode}"}
    return json.loads(lines[-1][len("RESULT "):])


def _groups(prep_dir: Path, n_firms: int):
    """The cached prepared chunks, a group at a time, up to ``n_firms`` firms."""
    meta = json.loads((prep_dir / "meta.json").read_text())
    left = n_firms
    for name in meta["groups"]:
        if left <= 0:
            return
        with open(prep_dir / name, "rb") as fh:
            chunks = pickle.load(fh)
        out = []
        for c in chunks:
            if left <= 0:
                break
            out.append(c)
            left -= len(c)
        yield out


def worker_prepare(spec: dict) -> dict:
    """Read, validate and prepare the first ``n`` firms in chunks; cache them; time it."""
    from matcher.batch.files import iter_input
    from matcher.firmio import valid_firms

    engine = fitted_engine(spec["programs"], spec["seed"])
    out = Path(spec["prep_dir"])
    out.mkdir(parents=True, exist_ok=True)
    n, chunk, per_group = spec["n"], spec["chunk"], spec["group_chunks"]
    errors: list = []
    t_read = t_prep = 0.0
    groups, group, done = [], [], 0
    records = valid_firms(iter_input(spec["firms"]), errors)
    while done < n:
        t = time.perf_counter()
        batch = []
        for _, firm in records:
            batch.append(firm)
            if len(batch) == min(chunk, n - done):
                break
        t_read += time.perf_counter() - t
        if not batch:
            break
        t = time.perf_counter()
        group.append(engine.prepare(batch, AS_OF))
        t_prep += time.perf_counter() - t
        done += len(batch)
        if len(group) == per_group or done >= n:
            name = f"group-{len(groups):05d}.pkl"
            with open(out / name, "wb") as fh:
                pickle.dump(group, fh, protocol=pickle.HIGHEST_PROTOCOL)
            groups.append(name)
            group = []
    meta = {"firms": done, "errors": len(errors), "groups": groups, "read_s": t_read, "prepare_s": t_prep,
            "peak_mib": _maxrss_mib()}
    (out / "meta.json").write_text(json.dumps(meta))
    return meta


def _matcher_for(name: str, engine, spec: dict):
    """(function of one prepared chunk, threaded over chunks by joblib?) for an approach."""
    import references as R

    top, jobs = spec["top"], spec["jobs"]
    if name == "engine":  # the fused kernel (matcher.kernel)
        if engine.fused_matcher() is None:
            raise SystemExit("the engine's fused kernel needs numba: pip install numba")
        return (lambda p: engine.match(p, top=top)), True
    if name == "engine-numpy":  # the same engine on its pure numpy/scipy path
        engine.set_params(kernel="numpy")
        return (lambda p: engine.match(p, top=top)), True
    if name == "numpy":
        return (lambda p: R.numpy_topk(engine, p, top)), True
    if name.startswith("sklearn-nn"):
        nn = R.NNPostFilter(engine, int(name.split("F=")[1]))
        return (lambda p: nn.run(p, top)), True
    if name == "sparse_dot_topn":
        return (lambda p: R.sdt_topn(engine, p, top, jobs)), False  # threaded itself
    raise ValueError(name)


def worker_match(spec: dict) -> dict:
    """Time one approach over the cached prepared firms; check it on a sample; measure memory."""
    from joblib import Parallel, delayed

    import references as R
    from rules.kleene import TRUE

    name, top, jobs = spec["approach"], spec["top"], spec["jobs"]
    engine = fitted_engine(spec["programs"], spec["seed"])
    prep_dir = Path(spec["prep_dir"])
    result: dict = {"approach": name}

    if name == "loop":
        loop = R.LoopReference(engine)
        first = next(_groups(prep_dir, spec["loop_firms"]))[0]
        rows = range(min(spec["loop_firms"], len(first)))
        setup = _maxrss_mib()
        times = []
        for _ in range(spec["repeats"]):
            t = time.perf_counter()
            res = loop.run(first, top, rows)
            times.append(time.perf_counter() - t)
        scored = engine.scores(first)
        elig, score = scored.eligibility, scored.scores
        ok, checked = R.compare_topk(elig[: len(rows)] == TRUE, score[: len(rows)], [r[0] for r in res],
                                     [r[1] for r in res], top, atol=1e-5)
        result.update(timed_firms=len(rows), seconds=min(times), all_seconds=times, setup_mib=setup,
                      peak_mib=_maxrss_mib(), exact=f"{ok}/{checked} (float64 scores, atol 1e-5)")
        return result

    fn, threaded = _matcher_for(name, engine, spec)
    fn(next(_groups(prep_dir, 1))[0].take(slice(0, 4)))  # warm up (compiles the kernel, or loads numba's cache)
    n = spec["timed_firms"]
    setup = None
    times, cpu, short, first_result, first_chunk = [], [], 0, None, None
    with Parallel(n_jobs=jobs, backend="threading") as par:
        for rep in range(spec["repeats"]):
            total, done, short, cpu_total = 0.0, 0, 0, 0.0
            for group in _groups(prep_dir, n):
                if setup is None:
                    setup = _maxrss_mib()
                t, c = time.perf_counter(), os.times()
                outs = par(delayed(fn)(p) for p in group) if threaded and jobs > 1 else [fn(p) for p in group]
                total += time.perf_counter() - t
                c2 = os.times()
                cpu_total += (c2.user - c.user) + (c2.system - c.system)
                if first_result is None:
                    first_result, first_chunk = outs[0], group[0]
                if name.startswith("sklearn-nn"):
                    short += sum(o[1] for o in outs)
                done += sum(len(p) for p in group)
                del outs, group
            times.append(total)
            cpu.append(cpu_total)
    best = times.index(min(times))
    result.update(timed_firms=done, seconds=times[best], all_seconds=times, cores_used=cpu[best] / times[best],
                  setup_mib=setup, peak_mib=_maxrss_mib())
    # check on a sample (after the timing: the peak above is the matching's)
    k = min(spec["check_firms"], len(first_chunk))
    if name in ("engine", "engine-numpy", "numpy"):
        scored = engine.scores(first_chunk)
        elig, score = scored.eligibility, scored.scores
        idx, sc = first_result
        atol = 1e-6 if name == "numpy" else 0.0
        ok, checked = R.compare_topk(elig[:k] == TRUE, score[:k], idx[:k], sc[:k], top, atol=atol)
        result["exact"] = f"{ok}/{checked}" + ("" if atol == 0 else f" (atol {atol:g})")
    elif name.startswith("sklearn-nn"):
        result["exact"] = "n/a (text-only ranking)"
        result["short_share"] = short / done
    else:
        result["exact"] = "n/a (no rules)"
    return result


class PssSampler:
    """The largest proportional set size of this process and all its descendants, summed, sampled
    every ``interval`` seconds from ``/proc`` (Linux; ``peak_mib`` stays None elsewhere). Pages
    shared by a forked worker and its parent count once in the sum, split between them."""

    def __init__(self, interval: float = 0.05):
        import threading

        self.interval = interval
        self.peak_mib: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _pss_kib(pid: int) -> int:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
        return 0

    @staticmethod
    def _family(pid: int) -> list[int]:
        out, todo = [], [pid]
        while todo:
            p = todo.pop()
            out.append(p)
            try:
                for task in os.listdir(f"/proc/{p}/task"):
                    with open(f"/proc/{p}/task/{task}/children") as fh:
                        todo += [int(c) for c in fh.read().split()]
            except OSError:
                pass
        return out

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            total = 0
            for p in self._family(os.getpid()):
                try:
                    total += self._pss_kib(p)
                except OSError:  # a worker that just ended
                    pass
            mib = total / 1024
            self.peak_mib = mib if self.peak_mib is None or mib > self.peak_mib else self.peak_mib

    def __enter__(self) -> "PssSampler":
        if os.path.exists(f"/proc/{os.getpid()}/smaps_rollup"):
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()


def worker_e2e(spec: dict) -> dict:
    """Parquet in, Parquet out with ``run_batch``; best of ``repeats``; fallback if it fails."""

    engine = fitted_engine(spec["programs"], spec["seed"])
    out_dir = Path(tempfile.mkdtemp(dir=spec["work"]))
    out = out_dir / "ranked.parquet"
    times, cpu, pss_peaks, how = [], [], [], "matcher.batch.run_batch"
    loads = [os.getloadavg()[0]]  # the machine is shared: its 1-minute load before and after each pass
    try:
        from matcher.batch import run_batch

        for _ in range(spec["repeats"]):
            if out.exists():
                out.unlink()
            t, c = time.perf_counter(), os.times()
            with PssSampler() as pss:
                summary = run_batch(engine, spec["firms"], out, top=spec["top"], as_of=AS_OF, jobs=spec["jobs"],
                                    chunk_size=spec["chunk"])
            times.append(time.perf_counter() - t)
            loads.append(os.getloadavg()[0])
            pss_peaks.append(pss.peak_mib)
            c2 = os.times()
            cpu.append(sum(c2[i] - c[i] for i in range(4)))  # user + system, this process and its workers
        firms = getattr(summary, "firms_scored", None) or summary.scored
    except Exception as exc:  # noqa: BLE001 - another helper may be mid-refactor: say so, measure by hand
        how = f"fallback: prepare + match + pyarrow writer (run_batch failed: {type(exc).__name__}: {exc})"
        times = []
        for _ in range(spec["repeats"]):
            t = time.perf_counter()
            firms = _e2e_by_hand(engine, spec, out)
            times.append(time.perf_counter() - t)
    digest = hashlib.sha256(out.read_bytes()).hexdigest()[:16] if out.exists() else None
    floor = _pyarrow_floor(spec["firms"], out, out_dir, spec["repeats"]) if out.exists() else None
    shutil.rmtree(out_dir, ignore_errors=True)
    return {"approach": "e2e", "firms": firms, "seconds": min(times), "all_seconds": times, "how": how,
            "peak_mib": _maxrss_mib(), "output_sha256": digest, "floor": floor, "cpu_seconds": cpu,
            "pss_peak_mib": max((p for p in pss_peaks if p is not None), default=None), "loads": loads,
            "worker_peak_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / MiB}


def _merged(passes: list[dict]) -> dict:
    """The end-to-end passes of one code as one result: the best time, every time, CPU and load."""
    ok = [r for r in passes if "error" not in r]
    if not ok:
        return passes[0]
    best = dict(min(ok, key=lambda r: r["seconds"]))
    best["all_seconds"] = [x for r in ok for x in r["all_seconds"]]
    best["cpu_seconds"] = [x for r in ok for x in r.get("cpu_seconds", [])]
    best["loads"] = [x for r in ok for x in r.get("loads", [])]
    peaks = [r["pss_peak_mib"] for r in ok if r.get("pss_peak_mib") is not None]
    best["pss_peak_mib"] = max(peaks) if peaks else None
    floors = [r["floor"] for r in ok if r.get("floor")]
    best["floor"] = min(floors, key=lambda f: f["seconds"]) if floors else None
    return best


def _pyarrow_floor(firms: str, out: Path, work: Path, repeats: int) -> dict:
    """The floor: pyarrow alone reading the same input file and writing the same output table.

    ``pq.read_table`` of the firms, then ``pq.write_table`` of the ranked table (read
    into memory beforehand, untimed) with the writer's defaults; best of ``repeats``.
    """
    import pyarrow.parquet as pq

    ranked = pq.read_table(out)
    reads, writes = [], []
    for _ in range(repeats):
        t = time.perf_counter()
        pq.read_table(firms)
        reads.append(time.perf_counter() - t)
        t = time.perf_counter()
        pq.write_table(ranked, work / "floor.parquet")
        writes.append(time.perf_counter() - t)
    return {"read_s": min(reads), "write_s": min(writes), "seconds": min(reads) + min(writes),
            "rows_written": ranked.num_rows}


def _e2e_by_hand(engine, spec: dict, out: Path) -> int:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq
    from joblib import Parallel, delayed

    from matcher.batch.files import iter_input
    from matcher.firmio import valid_firms

    ids = np.array([p.id for p in engine.programs_], dtype=object)

    def work(batch):
        prepared = engine.prepare(batch, AS_OF)
        idx, sc = engine.match(prepared, top=spec["top"])
        valid = idx >= 0
        r, k = np.nonzero(valid)
        fid = np.array([f.id for f in batch], dtype=object)
        return pa.table({"firm_id": fid[r], "rank": (k + 1).astype(np.int16), "id": ids[idx[valid]],
                         "score": sc[valid]})

    def batches():
        batch = []
        for _, firm in valid_firms(iter_input(spec["firms"]), []):
            batch.append(firm)
            if len(batch) == spec["chunk"]:
                yield batch
                batch = []
        if batch:
            yield batch

    n = 0
    writer = None
    with Parallel(n_jobs=spec["jobs"], backend="threading", return_as="generator") as par:
        for table in par(delayed(work)(b) for b in batches()):
            writer = writer or pq.ParquetWriter(out, table.schema)
            writer.write_table(table)
            n += len(set(table.column("firm_id").to_pylist()))
    if writer:
        writer.close()
    return n


def worker_profile(spec: dict) -> dict:
    """cProfile of ``engine.match`` on one prepared chunk (after a warm-up call)."""

    engine = fitted_engine(spec["programs"], spec["seed"])
    chunk = next(_groups(Path(spec["prep_dir"]), spec["chunk"]))[0]
    engine.match(chunk, top=spec["top"])
    prof = cProfile.Profile()
    t = time.perf_counter()
    prof.enable()
    engine.match(chunk, top=spec["top"])
    prof.disable()
    wall = time.perf_counter() - t
    text = io.StringIO()
    pstats.Stats(prof, stream=text).strip_dirs().sort_stats("tottime").print_stats(spec.get("lines", 15))
    return {"approach": "profile", "firms": len(chunk), "programs": engine.n_programs_, "seconds": wall,
            "text": text.getvalue()}


def worker_main(spec: dict) -> None:
    kind = spec["kind"]
    fn = {"prepare": worker_prepare, "match": worker_match, "e2e": worker_e2e, "profile": worker_profile}[kind]
    print("RESULT " + json.dumps(fn(spec)), flush=True)


# =========================================================================== the report
def _fmt_mpairs(x: float | None) -> str:
    return "-" if x is None else (f"{x:,.0f}" if x >= 100 else f"{x:,.2f}" if x >= 0.1 else f"{x:.4f}")


def print_table(rows: list[dict]) -> None:
    print("| approach | N | M | pairs/s (M) | wall s | peak MiB | engine speed-up | notes |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        wall = "-" if r.get("wall") is None else f"{r['wall']:,.1f}" + ("*" if r.get("extrapolated") else "")
        peak = "-" if r.get("peak_mib") is None else f"{r['peak_mib']:,.0f}"
        ratio = "-" if r.get("ratio") is None else f"{r['ratio']:,.1f}x"
        print(f"| {r['approach']} | {r['N']:,} | {r['M']:,} | {_fmt_mpairs(r.get('mpairs'))} | {wall} | {peak} | "
              f"{ratio} | {r.get('notes', '')} |")
    print("\n`*` extrapolated linearly from the firms timed (see notes). Speed-up = engine pairs/s / approach "
          "pairs/s in the same cell.")


def print_e2e(rows: list[dict], args) -> None:
    """End to end beside the matching of the same firms and the pyarrow floor, one row per run."""
    print(f"\nEnd to end: `run_batch(engine, firms.parquet, out.parquet, top={args.top}, jobs={args.jobs}, "
          f"chunk_size={args.chunk_size})` (read + validate + prepare + match + write), best of {args.repeats} "
          "passes, each in a fresh process (as a `matcher batch` run: nothing warm), the codes interleaved; "
          f"matching: `engine.match` of the same firms prepared beforehand, {args.jobs} threads; floor: pyarrow "
          "alone, `read_table` of the firms + `write_table` of the output; peak: the largest summed proportional "
          "set size of the run and its worker processes (sampled every 50 ms); load: the machine's 1-minute load "
          "average before and after each pass (2 cores: above ~2, other work shares them).\n")
    print("| code | firms | programs | matching s | end to end s | floor s | e2e / matching | e2e / floor | "
          "us/firm | CPU s | peak MiB | load | output sha256 |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for r in rows:
        m = "built-in" if r["M"] == 0 else f"{r['M']:,}"
        if "error" in r:
            print(f"| {r['code']} | {r['N']:,} | {m} | | {r['error']} | | | | | | | | |")
            continue
        match = r.get("match") or {}
        ms = match["seconds"] * r["N"] / match["timed_firms"] if match.get("seconds") else None
        fl = (r.get("floor") or {}).get("seconds")
        cpu = min(r["cpu_seconds"]) if r.get("cpu_seconds") else None
        e2e = r["seconds"]
        runs = "/".join(f"{x:.2f}" for x in r["all_seconds"])
        how = "" if r["how"] == "matcher.batch.run_batch" else f" ({r['how']})"
        cells = [f"{r['code']}{how}", f"{r['N']:,}", m, "-" if ms is None else f"{ms:.2f}", f"{e2e:.2f} ({runs})",
                 "-" if fl is None else f"{fl:.2f}", "-" if ms is None else f"{e2e / ms:.1f}x",
                 "-" if fl is None else f"{e2e / fl:.1f}x", f"{e2e / r['firms'] * 1e6:.1f}",
                 "-" if cpu is None else f"{cpu:.1f}",
                 "-" if r.get("pss_peak_mib") is None else f"{r['pss_peak_mib']:,.0f}",
                 "/".join(f"{x:.1f}" for x in r.get("loads", [])), str(r.get("output_sha256"))]
        print("| " + " | ".join(cells) + " |")


def print_growth(rows: list[dict], firms: list[int], programs: list[int]) -> None:
    timed = [r for r in rows if r.get("mpairs")]
    per_firm = {(r["approach"], r["N"], r["M"]): r["wall_per_firm_us"] for r in timed}
    names = list(dict.fromkeys(r["approach"] for r in timed))
    for axis, values, other_axis, others in (("N", firms, "M", programs), ("M", programs, "N", firms)):
        if len(values) < 2:
            continue
        a, b = min(values), max(values)
        what = "firms; flat = linear in N" if axis == "N" else f"programs; {b / a:g} = linear in M"
        print(f"\nTime per firm as {axis} grows ({a:,} -> {b:,} {what}):\n")
        print(f"| approach | {other_axis} | us/firm at {axis}={a:,} | us/firm at {axis}={b:,} | ratio |")
        print("|---|---:|---:|---:|---:|")
        for name in names:
            for o in others:
                key = (lambda v: (name, v, o)) if axis == "N" else (lambda v: (name, o, v))
                x, y = per_firm.get(key(a)), per_firm.get(key(b))
                if x and y:
                    print(f"| {name} | {o:,} | {x:,.1f} | {y:,.1f} | {y / x:.2f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--firms", default="100000,1000000", help="N values, comma-separated (default 100000,1000000)")
    ap.add_argument("--programs", default="1000,10000", help="M values, comma-separated (default 1000,10000)")
    ap.add_argument("--top", type=int, default=10, help="k, the programs per firm (default 10)")
    ap.add_argument("--jobs", type=int, default=2, help="threads over chunks (default 2)")
    ap.add_argument("--chunk-size", type=int, default=4096, help="firms per chunk (default 4096)")
    ap.add_argument("--group-chunks", type=int, default=8, help="prepared chunks held in memory at once (default 8)")
    ap.add_argument("--repeats", type=int, default=2, help="timed passes per measurement, best kept (default 2)")
    ap.add_argument("--max-timed-firms", type=int, default=None,
                    help="time at most this many firms per cell and extrapolate to N (default: all N)")
    ap.add_argument("--max-timed-pairs", type=float, default=None,
                    help="time at most about this many firm-program pairs per cell (whole chunks) and "
                         "extrapolate to N (default: no limit)")
    ap.add_argument("--loop-firms", type=int, default=200, help="firms the Python loop is timed on (default 200)")
    ap.add_argument("--check-firms", type=int, default=2000, help="firms checked against brute force (default 2000)")
    ap.add_argument("--approaches", default=",".join(APPROACHES), help="which to run (default all)")
    ap.add_argument("--e2e-firms", type=int, default=None, help="N for the end-to-end run (default: largest N)")
    ap.add_argument("--e2e-programs", default=None,
                    help="M values of the end-to-end runs, comma-separated; 0 = the built-in catalog "
                         "(default: smallest M)")
    ap.add_argument("--baseline", default=None, metavar="DIR",
                    help="also run the end to end with the packages of another checkout (e.g. `git archive main`), "
                         "in the same run, for before/after rows")
    ap.add_argument("--no-e2e", action="store_true", help="skip the end-to-end run")
    ap.add_argument("--e2e-only", action="store_true",
                    help="only the end-to-end run and its pyarrow floor (no matching grid, no prepare)")
    ap.add_argument("--profile", action="store_true", help="cProfile one engine chunk at the largest M")
    ap.add_argument("--seed", type=int, default=1, help="seed of the firms and programs (default 1)")
    ap.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "shien-bench"),
                    help="data and caches (default: TMPDIR/shien-bench)")
    ap.add_argument("--quick", action="store_true",
                    help="20,000 firms x 1,000 programs, loop on 50 firms, 500 checked (a minute or two)")
    ap.add_argument("--_worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args._worker:
        worker_main(json.loads(args._worker))
        return
    if args.quick:
        if args.firms == ap.get_default("firms"):
            args.firms = "20000"
        if args.programs == ap.get_default("programs"):
            args.programs = "1000"
        args.loop_firms = min(args.loop_firms, 50)
        args.check_firms = min(args.check_firms, 500)
    firms, programs = sorted(_ints(args.firms)), sorted(_ints(args.programs))
    approaches = [a.strip() for a in args.approaches.split(",") if a.strip()]
    unknown = set(approaches) - set(APPROACHES)
    if unknown:
        ap.error(f"unknown approach(es): {', '.join(sorted(unknown))}; choose from {', '.join(APPROACHES)}")
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)

    def timed_firms(n: int, m: int) -> int:
        """How many of the N firms a cell is timed on (whole chunks)."""
        cap = n if args.max_timed_firms is None else args.max_timed_firms
        if args.max_timed_pairs is not None:
            cap = min(cap, int(args.max_timed_pairs // m))
        cap = max(args.chunk_size, -(-cap // args.chunk_size) * args.chunk_size)
        return min(n, cap)

    from references import sdt_available

    has_sdt = sdt_available()
    print(f"# bench_batch: N = {', '.join(f'{n:,}' for n in firms)} firms x M = "
          f"{', '.join(f'{m:,}' for m in programs)} programs, top {args.top}, {args.jobs} threads, "
          f"chunks of {args.chunk_size:,}, best of {args.repeats}; {os.cpu_count()} CPUs; code {code_hash()}; "
          f"{dt.datetime.now().isoformat(timespec='seconds')}\n", flush=True)

    print("## data", flush=True)
    big = max(firms)
    firms_file(work, big, args.seed)
    e2e_n = args.e2e_firms or big
    e2e_ms = _ints(args.e2e_programs) if args.e2e_programs else [min(programs)]

    rows: list[dict] = []
    prepare_rows: list[str] = []
    base = {"top": args.top, "jobs": args.jobs, "chunk": args.chunk_size, "repeats": args.repeats,
            "check_firms": args.check_firms, "loop_firms": args.loop_firms}
    profile_text = None
    done_results: dict[tuple, dict] = {}  # (approach, M, firms timed) -> result: reused, not re-run
    def prepared_dir(m: int, need: int) -> Path:
        """The cached prepared chunks of the first ``need`` firms for M = m (made if missing)."""
        prep_dir = work / f"prepared-{m}-s{args.seed}-{code_hash()}-{args.chunk_size}"
        meta_path = prep_dir / "meta.json"
        meta = json.loads(meta_path.read_text()) if meta_path.exists() else None
        if meta is None or meta["firms"] < need:
            shutil.rmtree(prep_dir, ignore_errors=True)
            print(f"  preparing {need:,} firms for M = {m:,} (read + validate + engine.prepare, one thread) ...",
                  flush=True)
            meta = run_worker({"kind": "prepare", "programs": m, "seed": args.seed,
                               "firms": str(firms_file(work, max(big, need), args.seed)),
                               "prep_dir": str(prep_dir), "n": need, "chunk": args.chunk_size,
                               "group_chunks": args.group_chunks})
            if "error" in meta:
                sys.exit(f"preparing the firms failed: {meta['error']}")
        return prep_dir

    for m in ([] if args.e2e_only else programs):
        need = max(timed_firms(n, m) for n in firms)
        prep_dir = prepared_dir(m, need)
        meta = json.loads((prep_dir / "meta.json").read_text())
        prepare_rows.append(f"| {meta['firms']:,} | {m:,} | {meta['read_s']:,.1f} | "
                            f"{meta['read_s'] / meta['firms'] * 1e6:,.0f} | {meta['prepare_s']:,.1f} | "
                            f"{meta['prepare_s'] / meta['firms'] * 1e6:,.0f} | {meta['peak_mib']:,.0f} |")
        for n in firms:
            print(f"\n## N = {n:,} firms x M = {m:,} programs", flush=True)
            cell: dict[str, dict] = {}
            for name in approaches:
                row = {"approach": name if name != "sparse_dot_topn" else "sparse_dot_topn (no rules)",
                       "N": n, "M": m}
                if name == "sparse_dot_topn" and not has_sdt:
                    row["notes"] = "not installed (pip install sparse-dot-topn)"
                    rows.append(row)
                    print(f"  {name}: not installed", flush=True)
                    continue
                spec = {**base, "kind": "match", "approach": name, "programs": m, "seed": args.seed,
                        "prep_dir": str(prep_dir), "timed_firms": timed_firms(n, m)}
                key = (name, m, args.loop_firms if name == "loop" else timed_firms(n, m))
                res = done_results.get(key) or run_worker(spec)
                done_results.setdefault(key, res)
                if "error" in res:
                    row["notes"] = res["error"]
                    rows.append(row)
                    print(f"  {name}: {res['error']}", flush=True)
                    continue
                per_firm = res["seconds"] / res["timed_firms"]
                row.update(mpairs=res["timed_firms"] * m / res["seconds"] / 1e6, wall=per_firm * n,
                           peak_mib=res["peak_mib"], wall_per_firm_us=per_firm * 1e6,
                           extrapolated=res["timed_firms"] < n)
                notes = []
                if row["extrapolated"]:
                    notes.append(f"timed on {res['timed_firms']:,} firms, extrapolated")
                notes.append(f"exact: {res['exact']}")
                if "short_share" in res:
                    notes.append(f"{res['short_share']:.1%} of firms got < {args.top} though more were eligible")
                notes.append(f"setup {res['setup_mib']:,.0f} MiB")
                if "cores_used" in res:
                    notes.append(f"{res['cores_used']:.1f} cores busy")
                notes.append("runs " + "/".join(f"{s:.2f}" for s in res["all_seconds"]) + " s")
                row["notes"] = "; ".join(notes)
                cell[name] = row
                rows.append(row)
                print(f"  {name}: {row['mpairs']:.3f} M pairs/s, {row['wall']:.1f} s"
                      f"{' (extrapolated)' if row['extrapolated'] else ''}, peak {row['peak_mib']:.0f} MiB, "
                      f"{res['exact']}", flush=True)
            eng = cell.get("engine")
            for name, row in cell.items():
                if eng is not None and row.get("mpairs"):
                    row["ratio"] = eng["mpairs"] / row["mpairs"]
        if args.profile and m == max(programs):
            res = run_worker({**base, "kind": "profile", "programs": m, "seed": args.seed, "prep_dir": str(prep_dir)})
            profile_text = res.get("text") and (f"engine.match on one chunk of {res['firms']:,} firms x "
                                                f"{res['programs']:,} programs: {res['seconds']:.2f} s under "
                                                f"cProfile\n\n" + res["text"])

    e2e_rows: list[dict] = []
    if not args.no_e2e:
        for m in e2e_ms:
            what = "the built-in catalog" if m == 0 else f"{m:,} programs"
            print(f"\n## end to end: {e2e_n:,} firms x {what}, Parquet -> Parquet", flush=True)
            prep_dir = prepared_dir(m, e2e_n)
            match = done_results.get(("engine", m, e2e_n)) or run_worker(
                {**base, "kind": "match", "approach": "engine", "programs": m, "seed": args.seed,
                 "prep_dir": str(prep_dir), "timed_firms": e2e_n})
            print(f"  matching (engine.match, {args.jobs} threads): "
                  + (match["error"] if "error" in match else f"{match['seconds']:.2f} s"), flush=True)
            codes = [("this checkout", None), *((("baseline", args.baseline),) if args.baseline else ())]
            passes: dict[str, list[dict]] = {label: [] for label, _ in codes}
            for _ in range(args.repeats):  # each pass a fresh process (nothing warm from the one before), interleaved
                for label, code in codes:
                    res = run_worker({**base, "repeats": 1, "kind": "e2e", "programs": m, "seed": args.seed,
                                      "firms": str(firms_file(work, e2e_n, args.seed)), "work": str(work)}, code)
                    passes[label].append(res)
                    print(f"  end to end ({label}): " + (res["error"] if "error" in res else f"{res['seconds']:.2f} s"),
                          flush=True)
            for label, _ in codes:
                res = _merged(passes[label])
                res.update(code=label, M=m, N=e2e_n, match=match)
                e2e_rows.append(res)

    print("\n# Results\n")
    print_table(rows)
    print_growth(rows, firms, programs)
    if prepare_rows:
        print("\nPrepare (not part of the matching; once, one thread): read Parquet + validate "
              "(iter_input + valid_firms), then engine.prepare per chunk:\n")
        print("| firms | M | read+validate s | us/firm | prepare s | us/firm | peak MiB |")
        print("|---:|---:|---:|---:|---:|---:|---:|")
        print("\n".join(prepare_rows))
    if e2e_rows:
        print_e2e(e2e_rows, args)
    if profile_text:
        print("\n" + profile_text)
    (work / "results.json").write_text(json.dumps({"rows": rows, "e2e": e2e_rows, "args": vars(args)}, indent=1))
    print(f"(results also in {work / 'results.json'})")


if __name__ == "__main__":
    main()
