"""Single-firm ``rank`` latency and the CLI's start-up time.

Run: ``python benchmarks/bench_rank.py`` (``--quick`` for a short run; ``--tokyo DIR`` adds
the imported Tokyo list; ``--baseline TREE`` times another source tree beside this one).

For the default catalog and synthetic catalogs of 1,000 and 10,000 programs (and, with
``--tokyo DIR``, the imported Tokyo list), it fits an engine once, then times
``engine.rank(firm)`` for a few hundred different firms (each call validates the
profile, evaluates every rule, vectorizes the text, scores, ranks, builds reasons and
recommends municipalities) and prints median and p99, ``--runs`` times (3 by default).
The firms are spread over all of Japan's local governments; for the Tokyo list, whose
programs are Tokyo's, a second sample places the same firms in Tokyo's 62 municipalities
(where every program may apply, and each ranking has ten eligible or possible programs
with their reasons). Then it times the ``matcher`` command: starting (``--help``),
ranking an example firm on the built-in catalog (start-up + fit + rank), and with
``--tokyo`` ranking it on the Tokyo list with the fitted engine cached (the second call
of ``matcher rank --catalog DIR``, in a cache directory of the run's own).

Each catalog is measured in a child process of its own, so that ``--baseline TREE``
(another checkout, e.g. ``git worktree add ../base main``) runs the same measurements
with that tree's code, alternating with this one's, and prints both side by side: a
before/after table from one run on a shared machine. Targets: median under 1 ms at
1,000 programs (issue 2) and under 2 ms for the Tokyo list, p99 under 3 ms (issue 15);
the second ``rank --catalog`` start under 1 s (issue 11).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def firms(n: int, seed: int = 7, places: list[str] | None = None) -> list[dict]:
    """``n`` different firms; anywhere in Japan, or at the local government codes ``places`` (in turn)."""
    from profiles.geography import gazetteer
    from profiles.needs import need_ids

    rng = np.random.default_rng(seed)
    gaz = gazetteer()
    needs = need_ids()
    out = []
    for i in range(n):
        gov = gaz.records[int(rng.integers(len(gaz)))]
        out.append({
            "id": f"f{i}", "municipality": gov.code if places is None else places[i % len(places)],
            "industry": str(rng.choice(["E24", "E18", "E26", "E29", "G39", "I52", "E"])),
            "employees": int(rng.integers(1, 400)) if rng.random() < 0.9 else None,
            "capital_jpy": int(rng.integers(1, 400)) * 1_000_000 if rng.random() < 0.7 else None,
            "needs": list(rng.choice(needs, size=int(rng.integers(1, 4)), replace=False)),
            "description": str(rng.choice(["metal press work, we want to exhibit at a trade fair",
                                           "ソフトウェア開発。展示会に出展したい", "we need a loan for a new machine",
                                           "plastic moulding for export markets", ""])),
        })
    return out


def tokyo_places() -> list[str]:
    """The codes of Tokyo's municipalities (wards, cities, towns, villages; not the prefecture itself)."""
    from profiles.geography import gazetteer

    return [g.code for g in gazetteer().records if g.prefecture_code == "13" and g.parent_en is None
            and not g.code.startswith("130")]


def latency(engine, sample: list[dict], explain: bool = False) -> tuple[float, float]:
    """Median and p99 in ms of ``engine.rank`` over ``sample`` (after 20 warm-up calls)."""
    for f in sample[:20]:
        engine.rank(f, as_of="2026-11-21", explain=explain)
    times = []
    for f in sample:
        t = time.perf_counter()
        engine.rank(f, as_of="2026-11-21", explain=explain)
        times.append(time.perf_counter() - t)
    ms = np.array(times) * 1000
    return float(np.median(ms)), float(np.percentile(ms, 99))


CATALOGS = ("default", "synthetic-1000", "synthetic-10000", "tokyo")
LABELS = {"default": "default catalog", "synthetic-1000": "synthetic 1,000", "synthetic-10000": "synthetic 10,000",
          "tokyo": "imported Tokyo list"}


def worker(catalog: str, tokyo: str | None, n_firms: int, runs: int) -> dict:
    """Fit on one catalog and time it ``runs`` times (in this process: the code on ``sys.path``)."""
    from matcher import MatchEngine
    from matcher.synth import synth_catalog

    source = {"default": None, "synthetic-1000": lambda: synth_catalog(1000, seed=1),
              "synthetic-10000": lambda: synth_catalog(10000, seed=1), "tokyo": lambda: tokyo}[catalog]
    t = time.perf_counter()
    engine = MatchEngine().fit(source() if source else None)
    fit_s = time.perf_counter() - t
    samples = {"": firms(n_firms)}
    if catalog == "tokyo":
        samples["Tokyo firms"] = firms(n_firms, places=tokyo_places())
    out = {"programs": engine.n_programs_, "fit_s": fit_s, "samples": {}}
    for name, sample in samples.items():
        out["samples"][name] = {"plain": [latency(engine, sample) for _ in range(runs)],
                                "explain": [latency(engine, sample[: n_firms // 4], explain=True)]}
    return out


def run_worker(tree: Path, catalog: str, args) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", catalog, "--firms", str(args.firms),
           "--runs", str(args.runs)] + (["--tokyo", str(args.tokyo)] if args.tokyo else [])
    done = subprocess.run(cmd, env=env, cwd=tree, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{tree}: {catalog}: {done.stderr.strip().splitlines()[-1:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def command_time(args: list[str], runs: int, tree: Path, env: dict | None = None) -> list[float]:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True, cwd=tree, env={**os.environ, "PYTHONPATH": str(tree),
                                                                               **(env or {})})
        times.append((time.perf_counter() - t) * 1000)
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer firms and CLI runs, no 10,000-program catalog")
    ap.add_argument("--tokyo", type=Path, default=None, metavar="DIR",
                    help="also the imported Tokyo list (`matcher catalog import tokyo-subsidies ... -o DIR`)")
    ap.add_argument("--baseline", type=Path, default=None, metavar="TREE",
                    help="another source tree (a checkout of main, say), timed beside this one")
    ap.add_argument("--runs", type=int, default=3, help="latency runs per catalog (default 3)")
    ap.add_argument("--firms", type=int, default=None, help="firms per run (default 400, --quick 100)")
    ap.add_argument("--catalogs", default=None, help=f"comma-separated subset of {','.join(CATALOGS)}")
    ap.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    args.firms = args.firms or (100 if args.quick else 400)
    if args.worker:
        print(json.dumps(worker(args.worker, str(args.tokyo) if args.tokyo else None, args.firms, args.runs)))
        return
    trees = ([("baseline", args.baseline.resolve())] if args.baseline else []) + [("this tree", ROOT)]
    chosen = args.catalogs.split(",") if args.catalogs else [
        c for c in CATALOGS if not (c == "tokyo" and not args.tokyo) and not (c == "synthetic-10000" and args.quick)]
    print(f"\nrank latency, one firm per call ({args.firms} different firms, {args.runs} runs; "
          f"machine: {os.cpu_count()} cores)\n")
    print("| catalog | firms | code | programs | fit (s) | median (ms), each run | p99 (ms), each run "
          "| with --explain median / p99 (ms) |")
    print("|---|---|---|---:|---:|---|---|---|")
    for catalog in chosen:
        results = [(name, run_worker(tree, catalog, args)) for name, tree in trees]  # one after the other
        for sample in results[-1][1]["samples"]:
            for name, r in results:
                s = r["samples"][sample]
                med = " / ".join(f"{m:.2f}" for m, _ in s["plain"])
                p99 = " / ".join(f"{p:.2f}" for _, p in s["plain"])
                em, ep = s["explain"][0]
                print(f"| {LABELS[catalog]} | {sample or 'all Japan'} | {name} | {r['programs']:,} | {r['fit_s']:.2f} "
                      f"| {med} | {p99} | {em:.2f} / {ep:.2f} |", flush=True)
    runs = 3 if args.quick else 7
    example = str(ROOT / "examples" / "kita-metal-press.yaml")
    exe = [sys.executable, "-m", "matcher"]
    print(f"\nCLI, median of {runs} runs (ms):\n")
    print("| command | " + " | ".join(name for name, _ in trees) + " |")
    print("|---|" + "---:|" * len(trees))
    rows = [("`matcher --help`", exe + ["--help"], None),
            ("`matcher rank examples/kita-metal-press.yaml --json` (start-up + fit + rank)",
             exe + ["rank", example, "--json"], None)]
    if args.tokyo:
        rows.append(("`matcher rank examples/kita-metal-press.yaml --catalog TOKYO` (engine cached)",
                     exe + ["rank", example, "--catalog", str(args.tokyo.resolve())], "cached"))
    for label, cmd, cached in rows:
        cells = []
        for _, tree in trees:
            with tempfile.TemporaryDirectory() as cache:
                env = {"MATCHER_CACHE_DIR": cache}
                if cached:
                    command_time(cmd, 1, tree, env)  # the first call fits and fills the cache
                times = command_time(cmd, runs, tree, env)
            cells.append(f"{statistics.median(times):.0f} (min {min(times):.0f}, max {max(times):.0f})")
        print(f"| {label} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
