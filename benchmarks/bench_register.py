"""The register's speed on SQLite and PostgreSQL, printed as a table.

    python benchmarks/bench_register.py [--firms 10000] [--reach-firms 100000] [--programs 1720]
                                        [--tokyo DIR] [--postgres URL]
    (--postgres or MATCHER_TEST_POSTGRES; `bash .ci/postgres CMD` starts a server and sets it)

    matcher catalog import tokyo-subsidies ../shared/data/tokyo-subsidies-fy2024.csv -o /tmp/tokyo
    bash .ci/postgres .venv/bin/python benchmarks/bench_register.py --tokyo /tmp/tokyo

Each database runs in a process of its own (so that its peak memory is its own). Rows:

- import: N firms into a new register (batches of 500), then the same file again (all unchanged);
- matches: the matches of the N firms against the built-in catalog (75 programs), then
  against a Tokyo-like synthetic catalog of ``--programs`` programs (version 2);
- alerts: in a new session, a new version 3 of that catalog is imported (5% of the programs
  changed, 20 new, some deadlines moved close) and the alerts of the N firms computed with
  ``--closing-within 30``: the issue's "alerts for 10,000 firms after importing a new
  1,720-program catalog version". It includes fitting the engine on version 3 and judging
  every firm on the programs that can alert; it needs no stored matches of version 3;
- Tokyo (with ``--tokyo DIR``, the real list imported by ``matcher catalog import
  tokyo-subsidies``): the list imported as a new version and the alerts of the N firms
  (every program is new to them: the worst case, millions of alerts), then the list a year
  on (:func:`next_version` of it) imported and alerted: the issue's figure on real programs.
  Each is timed cold (the engine fitted on the new version) in a new session;
- reach: the call list of one program from a register of ``--reach-firms`` firms once
  their matches are computed (the issue's "reach over 100,000 registered firms"), the
  median of 5 calls, and the first call on a newly opened register (its engine from the cache);
- peak RSS of the process.

Each time is wall-clock, and in brackets the process's CPU time (the machine may be shared:
the CPU time is what the register itself spent). The engine cache (``MATCHER_CACHE_DIR``) is a
directory of the run's own, so that every first fit is a real one.

The synthetic catalog is :func:`matcher.synth.synth_programs` with every municipal
program moved to one of Tokyo's municipalities and every prefectural one to Tokyo, so
that the register's Tama-area firms see about as many programs as in the real Tokyo list.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matcher.register import Register  # noqa: E402
from matcher.register.catalogs import add_catalog, ensure_catalog, refresh_matches  # noqa: E402
from matcher.register.importer import import_firms  # noqa: E402
from matcher.register.queries import alerts, reach  # noqa: E402
from tests.register.conftest import write_firms  # noqa: E402

PROGRAM = "kita-trade-fair-subsidy"
DAY = dt.date(2026, 11, 21)


def _clock(fn):
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    wall = time.perf_counter() - t0
    return _Timed(wall, time.process_time() - c0), out


class _Timed(float):
    """A wall-clock time that also carries the CPU time it took."""

    def __new__(cls, wall: float, cpu: float):
        obj = super().__new__(cls, wall)
        obj.cpu = cpu
        return obj


def tokyo_catalog(n: int, seed: int = 0):
    """``n`` synthetic programs offered in Tokyo (municipal ones in one of its municipalities)."""
    import numpy as np

    from matcher.synth import synth_programs
    from profiles import Catalog
    from profiles.geography import gazetteer

    rng = np.random.default_rng(seed)
    tokyo = [g.code for g in gazetteer().records if g.prefecture_code == "13"]
    out = []
    for p in synth_programs(n, seed):
        e = p.eligibility
        upd = {}
        if e.municipalities:
            upd["municipalities"] = (str(rng.choice(tokyo)),)
        if e.prefectures:
            upd["prefectures"] = ("13",)
        fields = {"eligibility": e.model_copy(update=upd)} if upd else {}
        if rng.random() < 0.3:
            fields["application_deadline"] = DAY + dt.timedelta(days=int(rng.integers(20, 400)))
        out.append(p.model_copy(update=fields))
    return Catalog(programs=tuple(out), origin=f"synthetic Tokyo:{n}:{seed}")


def next_version(cat, seed: int = 1):
    """The catalog a year on: 5% of programs changed (deadline, benefit wording, a wider rule), 20 new."""
    import numpy as np

    from profiles import Catalog

    rng = np.random.default_rng(seed)
    progs = []
    for p in cat.programs:
        r = rng.random()
        if r < 0.02:
            p = p.model_copy(update={"application_deadline": DAY + dt.timedelta(days=int(rng.integers(1, 30)))})
        elif r < 0.04:
            p = p.model_copy(update={"description": p.description + " (revised)", "url": "https://example.org/new"})
        elif r < 0.05 and p.eligibility.rule_sets:
            p = p.model_copy(update={"eligibility": p.eligibility.model_copy(update={"rule_sets": ()})})
        progs.append(p)
    for k in range(20):
        src = progs[int(rng.integers(len(progs)))]
        progs.append(src.model_copy(update={"id": f"new-{k:03d}", "name": f"New program {k}"}))
    return Catalog(programs=tuple(progs), origin="synthetic next version")


class _Out(dict):
    """Results; a timed value also records its CPU time under ``KEY.cpu``."""

    def __setitem__(self, key, value):
        super().__setitem__(key, float(value) if isinstance(value, _Timed) else value)
        if isinstance(value, _Timed):
            super().__setitem__(key + ".cpu", value.cpu)


def run(url: str, firms: Path, n: int, reach_firms: Path | None, n_reach: int, n_programs: int,
        tokyo: str | None = None) -> dict:
    out = _Out()
    reg = Register.create(url, actor="bench")
    ensure_catalog(reg)
    out["import"], _ = _clock(lambda: import_firms(reg, firms))
    out["again"], rep = _clock(lambda: import_firms(reg, firms))
    assert rep.unchanged == n
    out["match"], _ = _clock(lambda: refresh_matches(reg, ensure_catalog(reg), as_of=DAY))
    big = tokyo_catalog(n_programs)
    v2 = add_catalog(reg, big)
    out["match_big"], _ = _clock(lambda: refresh_matches(reg, v2, as_of=DAY))
    with reg.engine.connect() as conn:
        out["rows_big"] = conn.exec_driver_sql(f"SELECT count(*) FROM matches WHERE version_id = {v2.id}").scalar()
    nxt = next_version(big)
    reg.close()
    reg = Register(url, actor="bench")  # a new session: nothing fitted yet

    def new_version():
        add_catalog(reg, nxt)
        return alerts(reg, closing_within=30, as_of=DAY)

    out["alerts"], (_, _, found) = _clock(new_version)
    out["alerted_firms"] = len(found)
    out["alerts_n"] = sum(len(f.alerts) for f in found)
    reg.close()
    if tokyo:
        from matcher.register.catalogs import load_checked

        real = load_checked(tokyo)
        for key, cat in (("tokyo_new", real), ("tokyo_next", next_version(real))):
            reg = Register(url, actor="bench")  # a new session

            def imported(cat=cat):
                add_catalog(reg, cat)
                return alerts(reg, closing_within=30, as_of=DAY)

            out[key], (_, _, found) = _clock(imported)
            out[key + "_firms"], out[key + "_n"] = len(found), sum(len(f.alerts) for f in found)
            del found
            reg.close()
    if reach_firms is not None:
        url2 = url.replace("bench.db", "bench_reach.db") if url.startswith("sqlite") else _new_pg(url)
        reg = Register.create(url2, actor="bench")
        v = ensure_catalog(reg)
        out["import_reach"], _ = _clock(lambda: import_firms(reg, reach_firms))
        out["match_reach"], _ = _clock(lambda: refresh_matches(reg, v, as_of=DAY))
        reg.close()
        reg = Register(url2, actor="bench")
        out["reach_first"], _ = _clock(lambda: reach(reg, PROGRAM, top=20, as_of=DAY))
        out["reach"] = sorted((_clock(lambda: reach(reg, PROGRAM, top=20, as_of=DAY))[0] for _ in range(5)))[2]
        reg.close()
    out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def _new_pg(base: str) -> str:
    import sqlalchemy as sa

    name = "bench_" + uuid.uuid4().hex[:8]
    admin = sa.create_engine(_server(base), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return sa.engine.make_url(base).set(database=name).render_as_string(hide_password=False)


def _server(url: str) -> str:
    import sqlalchemy as sa

    return sa.engine.make_url(url).set(database="postgres").render_as_string(hide_password=False)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--firms", type=int, default=10_000)
    ap.add_argument("--reach-firms", type=int, default=100_000, help="0: leave out the large register")
    ap.add_argument("--programs", type=int, default=1720)
    ap.add_argument("--postgres", default=os.environ.get("MATCHER_TEST_POSTGRES"))
    ap.add_argument("--tokyo", help="a catalog directory of the real Tokyo list (matcher catalog import tokyo-subsidies)")
    ap.add_argument("--one", help=argparse.SUPPRESS)  # internal: run one database, print JSON
    args = ap.parse_args()
    if args.one:
        spec = json.loads(args.one)
        print(json.dumps(run(spec["url"], Path(spec["firms"]), args.firms,
                             Path(spec["reach"]) if spec["reach"] else None, args.reach_firms, args.programs,
                             spec.get("tokyo"))))
        return
    tmp = Path(tempfile.mkdtemp())
    firms = write_firms(tmp / "firms.csv", args.firms)
    reach_firms = write_firms(tmp / "reach.csv", args.reach_firms) if args.reach_firms else None
    targets = [("SQLite", f"sqlite:///{tmp / 'bench.db'}")]
    if args.postgres:
        targets.append(("PostgreSQL", _new_pg(args.postgres)))
    results = []
    for name, url in targets:
        spec = json.dumps({"url": url, "firms": str(firms), "reach": str(reach_firms) if reach_firms else None,
                           "tokyo": args.tokyo})
        env = {**os.environ, "MATCHER_CACHE_DIR": str(tmp / f"engines-{name}")}  # every first fit a real one
        proc = subprocess.run([sys.executable, __file__, "--one", spec, "--firms", str(args.firms),
                               "--reach-firms", str(args.reach_firms), "--programs", str(args.programs)],
                              capture_output=True, text=True, env=env)
        if proc.returncode != 0:
            sys.exit(f"{name} failed:\n{proc.stderr[-3000:]}")
        results.append((name, json.loads(proc.stdout.strip().splitlines()[-1])))
    n, big = args.firms, args.programs
    rows = [
        (f"import {n:,} firms (new register)", "import", "s"), ("import them again (unchanged)", "again", "s"),
        (f"matches of {n:,} firms, built-in catalog (75)", "match", "s"),
        (f"matches of {n:,} firms, {big:,}-program catalog", "match_big", "s"),
        ("  match rows stored", "rows_big", "n"),
        (f"new {big:,}-program version + alerts, {n:,} firms", "alerts", "s"),
        ("  firms alerted / alerts", ("alerted_firms", "alerts_n"), "nn"),
    ]
    if args.tokyo:
        rows += [(f"Tokyo list (1,720) as a new version + alerts, {n:,} firms", "tokyo_new", "s"),
                 ("  firms alerted / alerts (every program new)", ("tokyo_new_firms", "tokyo_new_n"), "nn"),
                 (f"Tokyo list a year on + alerts, {n:,} firms", "tokyo_next", "s"),
                 ("  firms alerted / alerts", ("tokyo_next_firms", "tokyo_next_n"), "nn")]
    if args.reach_firms:
        m = args.reach_firms
        rows += [(f"import {m:,} firms", "import_reach", "s"), (f"matches of {m:,} firms (75 programs)", "match_reach", "s"),
                 (f"reach over {m:,} firms, first call (new session)", "reach_first", "ms"),
                 (f"reach over {m:,} firms (median of 5)", "reach", "ms")]
    rows.append(("peak memory of the process", "rss_mb", "mb"))
    width = max(len(r[0]) for r in rows) + 2
    print(f"{'':<{width}}" + "".join(f"{name:>22}" for name, _ in results))
    for label, key, unit in rows:
        cells = []
        for _, r in results:
            if unit == "s":
                cells.append(f"{r[key]:.2f} s ({r[key + '.cpu']:.2f})")
            elif unit == "ms":
                cells.append(f"{r[key] * 1000:.0f} ms ({r[key + '.cpu'] * 1000:.0f})")
            elif unit == "mb":
                cells.append(f"{r[key]:.0f} MB")
            elif unit == "nn":
                cells.append(f"{r[key[0]]:,} / {r[key[1]]:,}")
            else:
                cells.append(f"{r[key]:,}")
        print(f"{label:<{width}}" + "".join(f"{c:>22}" for c in cells))
    print("times: wall-clock (CPU time of the process, s or ms); load average "
          + " ".join(f"{x:.1f}" for x in os.getloadavg()) + f" on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
