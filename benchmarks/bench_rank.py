"""Single-firm ``rank`` latency and the CLI's start-up time.

Run: ``python benchmarks/bench_rank.py`` (add ``--quick`` for a short run).

For the default catalog and synthetic catalogs of 1,000 and 10,000 programs, it fits
an engine once, then times ``engine.rank(firm)`` for a few hundred different firms
(each call validates the profile, evaluates every rule, vectorizes the text, scores,
ranks, builds reasons and recommends municipalities) and prints median and p99. Then
it times the ``matcher`` command starting up (``--help``) and ranking one example firm
end to end (start-up + fit of the default catalog + rank). Target (issue 2): median
under 1 ms per firm at 1,000 programs, once fitted.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from matcher import MatchEngine  # noqa: E402
from matcher.synth import synth_catalog  # noqa: E402
from profiles.geography import gazetteer  # noqa: E402
from profiles.needs import need_ids  # noqa: E402


def firms(n: int, seed: int = 7) -> list[dict]:
    rng = np.random.default_rng(seed)
    gaz = gazetteer()
    needs = need_ids()
    out = []
    for i in range(n):
        gov = gaz.records[int(rng.integers(len(gaz)))]
        out.append({
            "id": f"f{i}", "municipality": gov.code,
            "industry": str(rng.choice(["E24", "E18", "E26", "E29", "G39", "I52", "E"])),
            "employees": int(rng.integers(1, 400)) if rng.random() < 0.9 else None,
            "capital_jpy": int(rng.integers(1, 400)) * 1_000_000 if rng.random() < 0.7 else None,
            "needs": list(rng.choice(needs, size=int(rng.integers(1, 4)), replace=False)),
            "description": str(rng.choice(["metal press work, we want to exhibit at a trade fair",
                                           "ソフトウェア開発。展示会に出展したい", "we need a loan for a new machine",
                                           "plastic moulding for export markets", ""])),
        })
    return out


def latency(engine: MatchEngine, sample: list[dict], explain: bool = False) -> tuple[float, float]:
    for f in sample[:20]:
        engine.rank(f, as_of="2026-11-21", explain=explain)
    times = []
    for f in sample:
        t = time.perf_counter()
        engine.rank(f, as_of="2026-11-21", explain=explain)
        times.append(time.perf_counter() - t)
    ms = np.array(times) * 1000
    return float(np.median(ms)), float(np.percentile(ms, 99))


def command_time(args: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer firms and runs")
    ap.add_argument("--tokyo", type=Path, default=None, metavar="DIR",
                    help="also the imported Tokyo list (`matcher catalog import tokyo-subsidies ... -o DIR`)")
    args = ap.parse_args()
    n_firms = 100 if args.quick else 400
    sample = firms(n_firms)
    rows = []
    catalogs = [("default catalog", None), ("synthetic 1,000", synth_catalog(1000, seed=1)),
                ("synthetic 10,000", synth_catalog(10000, seed=1))]
    if args.tokyo:
        catalogs.append(("imported Tokyo list", args.tokyo))
    for label, catalog in catalogs:
        t = time.perf_counter()
        engine = MatchEngine().fit(catalog)
        fit_s = time.perf_counter() - t
        med, p99 = latency(engine, sample)
        emed, ep99 = latency(engine, sample[: n_firms // 4], explain=True)
        rows.append((label, engine.n_programs_, fit_s, med, p99, emed, ep99))
    print(f"\nrank latency, one firm per call ({n_firms} different firms; this machine: 2 cores)\n")
    print("| catalog | programs | fit (s) | median (ms) | p99 (ms) | with --explain median (ms) | p99 (ms) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, m, fit_s, med, p99, emed, ep99 in rows:
        print(f"| {label} | {m:,} | {fit_s:.2f} | {med:.2f} | {p99:.2f} | {emed:.2f} | {ep99:.2f} |")
    runs = 3 if args.quick else 7
    exe = [sys.executable, "-m", "matcher"]
    help_ms = command_time(exe + ["--help"], runs)
    rank_ms = command_time(exe + ["rank", str(ROOT / "examples" / "kita-metal-press.yaml"), "--json"], runs)
    print(f"\nCLI (median of {runs} runs): `matcher --help` {help_ms:.0f} ms; "
          f"`matcher rank examples/kita-metal-press.yaml --json` {rank_ms:.0f} ms (start-up + fit + rank)")


if __name__ == "__main__":
    main()
