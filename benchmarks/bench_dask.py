"""The Dask backend on a real (local) cluster: throughput with 1 and N workers, and what the client spends.

Run::

    .venv/bin/python benchmarks/bench_dask.py --firms 200000 --programs 1000 --workers 1,2
    .venv/bin/python benchmarks/bench_dask.py --firms 200000 --baseline /tmp/main   # before/after in one run
    .venv/bin/python benchmarks/bench_dask.py --firms 20000 --programs 10000 --workers 1  # the 10k-program rate

``--baseline DIR``: another checkout's packages (``git archive main | tar -x -C DIR``), whose
rows are measured in the same run, passes interleaved.

What it does, per cell (N firms x M programs, W workers, checkout):

* **Data.** Firms: ``matcher synth firms --n N --seed S`` (``write_firms``) to Parquet (row
  groups of 262,144 firms). Programs: ``synth_catalog(M, seed)``, fitted in the client.
* **Cluster.** A ``dask scheduler`` and ``dask worker --nworkers W --nthreads 1`` in processes
  of their own, importing the checkout's packages (``PYTHONPATH``), started afresh for each pass;
  so the client's figures are the client's alone (a ``LocalCluster`` would run the scheduler in
  the client's process).
* **The pass.** A client process fits the engine, connects, waits for the W workers and times
  ``run_batch(engine, firms.parquet, out.parquet, top=10, backend="dask", scheduler=client)``:
  the summary's seconds (from the manifest to the output's rename; the engine reaching the
  workers is before it, in wall), the CPU time of the client process (``getrusage``, every
  thread: reading, pickling, committing, assembling, and Dask's own communication), of the
  scheduler and of the workers (``client.run``), and the output's sha256.
  ``client CPU/chunk`` divides the client's CPU, less one pickling of the engine (timed apart),
  by the chunks (4,096 firms each); ``client-bound workers`` is how many workers' chunk rate
  that CPU would keep up with: (worker CPU per chunk) / (client CPU per chunk).
* ``--local``: also ``run_batch(..., jobs=1)`` and ``jobs=2`` with this checkout, for reference.

It prints a markdown table; nothing here asserts on time. The machine may be shared by
other work: every pass is printed, the best is kept.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(os.environ.get("SHIEN_BENCH_CODE") or Path(__file__).resolve().parents[1]).resolve()
sys.path.insert(0, str(ROOT))

AS_OF = "2026-01-01"
CHUNK = 4096


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _sha(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 22):
            h.update(block)
    return h.hexdigest()[:16]


def client_pass(spec: dict) -> dict:
    """In a subprocess: fit the engine, run the batch against the cluster at ``spec["address"]``."""
    from matcher import MatchEngine
    from matcher.batch import run_batch
    from matcher.synth import synth_catalog

    engine = MatchEngine().fit(synth_catalog(spec["programs"], seed=spec["seed"]))
    t = _cpu()
    pickled = len(pickle.dumps(engine, protocol=5))
    pickle_cpu = _cpu() - t
    out = Path(spec["out"])
    if spec.get("jobs"):
        c0, w0 = _cpu(), time.perf_counter()
        s = run_batch(engine, spec["firms"], out, top=10, as_of=AS_OF, jobs=spec["jobs"], chunk_size=CHUNK, force=True)
        ch = resource.getrusage(resource.RUSAGE_CHILDREN)
        return {"seconds": s.seconds, "wall": time.perf_counter() - w0, "client_cpu": _cpu() - c0,
                "workers_cpu": ch.ru_utime + ch.ru_stime, "sha": _sha(out), "firms": s.firms_read}
    from distributed import Client

    with Client(spec["address"]) as client:
        client.wait_for_workers(spec["workers"], timeout=120)
        w_before = sum(client.run(_cpu).values())
        s_before = client.run_on_scheduler(_cpu)
        c0, w0 = _cpu(), time.perf_counter()
        s = run_batch(engine, spec["firms"], out, top=10, as_of=AS_OF, backend="dask", scheduler=client,
                      chunk_size=CHUNK, force=True)
        client_cpu, wall = _cpu() - c0, time.perf_counter() - w0
        workers_cpu = sum(client.run(_cpu).values()) - w_before
        scheduler_cpu = client.run_on_scheduler(_cpu) - s_before
    return {"seconds": s.seconds, "wall": wall, "client_cpu": client_cpu, "workers_cpu": workers_cpu,
            "scheduler_cpu": scheduler_cpu, "pickle_cpu": pickle_cpu, "engine_bytes": pickled,
            "sha": _sha(out), "firms": s.firms_read}


def run_pass(spec: dict, code: str | None) -> dict:
    """One pass with a fresh cluster (scheduler and workers in processes of their own) for ``code``."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(code).resolve()) if code else str(ROOT)
    env["SHIEN_BENCH_CODE"] = env["PYTHONPATH"]
    procs = []
    try:
        if not spec.get("jobs"):
            port = _free_port()
            spec = {**spec, "address": f"tcp://127.0.0.1:{port}"}
            quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
            procs.append(subprocess.Popen([sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1", "--port",
                                           str(port), "--no-dashboard"], env=env, **quiet))
            procs.append(subprocess.Popen([sys.executable, "-m", "dask", "worker", spec["address"], "--nworkers",
                                           str(spec["workers"]), "--nthreads", "1", "--no-dashboard",
                                           "--memory-limit", "0"], env=env, **quiet))
        cmd = [sys.executable, str(Path(__file__).resolve()), "--_client", json.dumps(spec)]
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, env=env)
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
        if proc.returncode != 0 or not lines:
            return {"error": f"client exited with code {proc.returncode}"}
        return json.loads(lines[-1][len("RESULT "):])
    finally:
        for p in reversed(procs):  # the processes this pass started, by their own handle
            p.terminate()
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--firms", default="200000", help="comma-separated N")
    ap.add_argument("--programs", default="1000", help="comma-separated M")
    ap.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--baseline", default=None, metavar="DIR[,DIR...]")
    ap.add_argument("--local", action="store_true", help="also the local backend, jobs=1 and 2, this checkout")
    ap.add_argument("--workdir", default=None)
    ap.add_argument("--_client", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args._client:
        print("RESULT " + json.dumps(client_pass(json.loads(args._client))), flush=True)
        return
    from matcher.synth import write_firms

    work = Path(args.workdir or tempfile.mkdtemp(prefix="bench-dask-"))
    work.mkdir(parents=True, exist_ok=True)
    codes = [("this checkout", None)] + [(("baseline" if len((args.baseline or "").split(",")) == 1 else Path(d).name), d)
                                         for d in (args.baseline or "").split(",") if d]
    rows = []
    for n in (int(x) for x in args.firms.split(",")):
        firms = work / f"firms-{n}-s{args.seed}.parquet"
        if not firms.exists():
            write_firms(str(firms), n, "mixed", args.seed)
        for m in (int(x) for x in args.programs.split(",")):
            cells = [(name, code, {"workers": w}) for w in (int(x) for x in args.workers.split(","))
                     for name, code in codes]
            if args.local:
                cells += [("this checkout", None, {"jobs": j}) for j in (1, 2)]
            best: dict[int, dict] = {}
            for r in range(args.repeats):
                for i, (name, code, how) in enumerate(cells):
                    spec = {"firms": str(firms), "programs": m, "seed": args.seed, "out": str(work / f"out-{i}.parquet"),
                            **how}
                    got = run_pass(spec, code)
                    label = f"dask, {how['workers']} worker(s)" if "workers" in how else f"local, jobs={how['jobs']}"
                    print(f"  pass {r + 1}: {name:14s} {label:20s} N={n:,} M={m:,}: {json.dumps(got)}", flush=True)
                    if "error" not in got and (i not in best or got["seconds"] < best[i]["seconds"]):
                        best[i] = {**got, "code": name, "label": label, "n": n, "m": m, "w": how.get("workers"),
                                   "jobs": how.get("jobs")}
            rows += [best[i] for i in sorted(best)]
    print()
    print("| checkout | backend | N firms | M programs | summary s | wall s | firms/s | firms/s per worker | "
          "client CPU s | client CPU/chunk ms | worker CPU/chunk ms | client-bound workers | scheduler CPU s | sha256 |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        chunks = -(-r["n"] // CHUNK)
        per = r["w"] or r["jobs"]
        client = max(r["client_cpu"] - r.get("pickle_cpu", 0.0), 1e-9) / chunks
        worker = r["workers_cpu"] / chunks
        print(f"| {r['code']} | {r['label']} | {r['n']:,} | {r['m']:,} | {r['seconds']:.1f} | {r['wall']:.1f} | "
              f"{r['firms'] / r['seconds']:,.0f} | {r['firms'] / r['seconds'] / per:,.0f} | {r['client_cpu']:.1f} | "
              f"{1e3 * client:.1f} | {1e3 * worker:.0f} | {worker / client:.0f} | "
              f"{r.get('scheduler_cpu', float('nan')):.1f} | {r['sha']} |")
    (work / "results.json").write_text(json.dumps(rows, indent=1))
    print(f"\nresults in {work / 'results.json'}")


if __name__ == "__main__":
    main()
