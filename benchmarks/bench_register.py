"""The register's speed on SQLite and PostgreSQL, printed as a table.

    python benchmarks/bench_register.py [--firms 10000] [--reach-firms 100000] [--programs 1720]
                                        [--tokyo DIR] [--postgres URL]
    (--postgres or MATCHER_TEST_POSTGRES; `bash .ci/postgres CMD` starts a server and sets it)

    matcher catalog import tokyo-subsidies ../shared/data/tokyo-subsidies-fy2024.csv -o /tmp/tokyo
    bash .ci/postgres .venv/bin/python benchmarks/bench_register.py --tokyo /tmp/tokyo

Each database runs each phase in a process of its own (so that its peak memory is its own). Rows:

- import: N firms into a new register (batches of 500), then the same file again (all unchanged);
- matches: the matches of the N firms against the built-in catalog (75 programs), then
  against a Tokyo-like synthetic catalog of ``--programs`` programs (version 2);
- alerts: in a new session, a new version 3 of that catalog is imported (5% of the programs
  changed, 20 new, some deadlines moved close) and the alerts of the N firms computed with
  ``--closing-within 30``, each firm's best 10 kept and the rest counted (what ``matcher
  register alerts`` shows): the issue's "alerts for 10,000 firms after importing a new
  1,720-program catalog version". It includes fitting the engine on version 3 and judging
  every firm on the programs that can alert; it needs no stored matches of version 3;
- Tokyo (with ``--tokyo DIR``, the real list imported by ``matcher catalog import
  tokyo-subsidies``): the list imported as a new version and the alerts of the N firms
  (every program is new to them: the worst case, millions of alerts), then the list a year
  on (:func:`next_version` of it) imported and alerted: the issue's figure on real programs.
  Each is timed cold (the engine fitted on the new version) in a new session; the alerts
  alone are also timed side by side in a new session with the engine fitted, capped (10 a
  firm) and not (every alert built, as before the cap). Then the command line as a
  coordinator runs it, each command a process of its own, its peak memory from GNU time
  and its output's size: ``register catalog import DIR`` (which also fits the version's
  engine into the user's cache, a directory of the run's own), then ``register alerts`` (10 a firm), with ``--json``, and with ``--per-firm 0``
  (every alert, as before); ``register alerts --catalog DIR``, both in one command, with a
  cache of its own (cold); and ``GET /v1/register/alerts`` as the page asks it (5 a firm,
  20 firms) on a service started after the import, then the next 20 firms;
- reach: the call list of one program from a register of ``--reach-firms`` firms once
  their matches are computed (the issue's "reach over 100,000 registered firms"), the
  median of 5 calls, and the first call on a newly opened register (its engine from the cache);
- peak RSS of each phase's process.

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
from matcher.register.catalogs import add_catalog, ensure_catalog, match_set, refresh_matches  # noqa: E402
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


#: Alerts per firm shown by ``matcher register alerts`` (its default) and asked by the timed rows.
PER_FIRM = 10


def phase_base(url: str, firms: Path, n: int, n_programs: int) -> dict:
    """Import, matches on 75 and ``n_programs`` programs, a new synthetic version and its alerts."""
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
        sid = match_set(reg, v2)
        out["rows_big"] = conn.exec_driver_sql(f"SELECT count(*) FROM matches WHERE set_id = {sid}").scalar()
    nxt = next_version(big)
    reg.close()
    reg = Register(url, actor="bench")  # a new session: nothing fitted yet

    def new_version():
        add_catalog(reg, nxt)
        return alerts(reg, closing_within=30, as_of=DAY, per_firm=PER_FIRM)

    out["alerts"], (_, _, found) = _clock(new_version)
    _count(out, "alerts", found)
    reg.close()
    out["rss_mb"] = _rss()
    return out


def _count(out: dict, key: str, found) -> None:
    out[key + "_firms"] = len(found)
    out[key + "_n"] = sum(f.total for f in found)
    out[key + "_shown"] = sum(len(f.alerts) for f in found)


def _rss() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def phase_tokyo(url: str, tokyo: str, work: Path) -> dict:
    """The real Tokyo list as a brand-new version (every program new) and a year on: the library (cold, each
    firm's best 10), the alerts alone with and without the cap, the command line end to end, the page's route."""
    from matcher.register.catalogs import engine_of, load_checked

    out = _Out()
    copies = {k: _copy_db(url, work, k) for k in ("cli", "cli_once", "http")}  # the register before Tokyo
    real = load_checked(tokyo)
    for key, cat in (("tokyo_new", real), ("tokyo_next", next_version(real))):
        reg = Register(url, actor="bench")  # a new session

        def imported(cat=cat):
            add_catalog(reg, cat)
            return alerts(reg, closing_within=30, as_of=DAY, per_firm=PER_FIRM)

        out[key], (cur, _, found) = _clock(imported)
        _count(out, key, found)
        del found
        reg.close()
        if key == "tokyo_new":  # the same question in a new session, the engine fitted: with and without the cap
            reg = Register(url, actor="bench")
            engine_of(reg, cur.id)
            for label, per_firm in (("capped", PER_FIRM), ("all", None)):
                out[f"tokyo_{label}"], (_, _, found) = _clock(
                    lambda per_firm=per_firm: alerts(reg, closing_within=30, as_of=DAY, version=cur, per_firm=per_firm))
                del found
            reg.close()
    out["rss_tokyo_mb"] = _rss()
    # the command line, as a coordinator runs it, each command a process: import the directory (which fits the
    # version's engine into the user's cache, here one of the run's own), then the alerts; and the one command
    # that does both, with a cache of its own (cold)
    alert = ["alerts", "--closing-within", "30", "--as-of", DAY.isoformat()]
    for key, db, extra in (("cli_import", "cli", ["catalog", "import", tokyo]), ("cli", "cli", alert),
                           ("cli_json", "cli", [*alert, "--json"]), ("cli_all", "cli", [*alert, "--per-firm", "0"]),
                           ("cli_once", "cli_once", [*alert, "--catalog", tokyo])):
        cmd = [sys.executable, "-m", "matcher", "register", "--db", copies[db], *extra]
        env = {**os.environ, "MATCHER_CACHE_DIR": str(work / f"cache-{db}")}
        timing = work / f"{key}.time"  # GNU time: this process's own peak would count in a child forked from it
        with open(work / f"{key}.out", "wb") as fh:
            t0 = time.perf_counter()
            proc = subprocess.run(["/usr/bin/time", "-f", "%M %U %S", "-o", str(timing), *cmd], stdout=fh,
                                  stderr=subprocess.PIPE, env=env)
            wall = time.perf_counter() - t0
        assert proc.returncode == 0, proc.stderr.decode()[-2000:]
        peak_kb, user, system = timing.read_text().split()[-3:]
        out[key] = _Timed(wall, float(user) + float(system))
        out[key + "_rss"] = int(peak_kb) / 1024
        out[key + "_bytes"] = (work / f"{key}.out").stat().st_size
    out["http_first"], out["http_next"] = _http_pages(copies["http"], tokyo, work)
    return out


def _http_pages(url: str, tokyo: str, work: Path):
    """The page's request after the import (each firm's best 5, 20 firms), then the next 20 firms."""
    from fastapi.testclient import TestClient

    from matcher.register.catalogs import load_checked
    from matcher.service.app import create_app
    from matcher.service.settings import Settings

    with Register(url, actor="bench") as reg:
        add_catalog(reg, load_checked(tokyo))
        key = reg.add_coordinator("suzuki")
    os.environ["MATCHER_CACHE_DIR"] = str(work / "cache-http")  # cold, as the command line's
    app = create_app(Settings(db=url, api_key=None, admin_token=None))
    params = {"closing_within": 30, "as_of": DAY.isoformat(), "per_firm": 5, "limit": 20}
    with TestClient(app) as client:
        times = []
        for offset in (0, 20):
            t0, c0 = time.perf_counter(), time.process_time()
            r = client.get("/v1/register/alerts", params={**params, "offset": offset}, headers={"X-API-Key": key})
            assert r.status_code == 200 and len(r.json()["firms"]) == 20, r.text[:500]
            times.append(_Timed(time.perf_counter() - t0, time.process_time() - c0))
    return times


def _copy_db(url: str, work: Path, name: str) -> str:
    """A copy of the register at ``url`` as it is now (a file copy; PostgreSQL: a database from it as template)."""
    import sqlalchemy as sa

    u = sa.engine.make_url(url)
    if u.get_backend_name() == "sqlite":  # SQLite's backup: whole pages, whatever the write-ahead log holds
        import sqlite3

        target = work / f"{name}.db"
        with sqlite3.connect(u.database) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        return f"sqlite:///{target}"
    copy = f"{u.database}_{name}"
    admin = sa.create_engine(_server(url), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.exec_driver_sql(f'CREATE DATABASE "{copy}" TEMPLATE "{u.database}"')
    admin.dispose()
    return u.set(database=copy).render_as_string(hide_password=False)


def phase_reach(url: str, reach_firms: Path) -> dict:
    """A register of ``--reach-firms`` firms, their matches, and the call list of one program."""
    out = _Out()
    reg = Register.create(url, actor="bench")
    v = ensure_catalog(reg)
    out["import_reach"], _ = _clock(lambda: import_firms(reg, reach_firms))
    out["match_reach"], _ = _clock(lambda: refresh_matches(reg, v, as_of=DAY))
    reg.close()
    reg = Register(url, actor="bench")
    out["reach_first"], _ = _clock(lambda: reach(reg, PROGRAM, top=20, as_of=DAY))
    out["reach"] = sorted((_clock(lambda: reach(reg, PROGRAM, top=20, as_of=DAY))[0] for _ in range(5)))[2]
    reg.close()
    out["rss_reach_mb"] = _rss()
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
    ap.add_argument("--one", help=argparse.SUPPRESS)  # internal: run one phase on one database, print JSON
    args = ap.parse_args()
    if args.one:
        spec = json.loads(args.one)
        if spec["phase"] == "base":
            res = phase_base(spec["url"], Path(spec["firms"]), args.firms, args.programs)
        elif spec["phase"] == "tokyo":
            res = phase_tokyo(spec["url"], spec["tokyo"], Path(spec["work"]))
        else:
            res = phase_reach(spec["url"], Path(spec["reach"]))
        print(json.dumps(res))
        return
    tmp = Path(tempfile.mkdtemp())
    firms = write_firms(tmp / "firms.csv", args.firms)
    reach_firms = write_firms(tmp / "reach.csv", args.reach_firms) if args.reach_firms else None
    targets = [("SQLite", f"sqlite:///{tmp / 'bench.db'}", f"sqlite:///{tmp / 'bench_reach.db'}")]
    if args.postgres:
        targets.append(("PostgreSQL", _new_pg(args.postgres), _new_pg(args.postgres)))
    phases = ["base", *(["tokyo"] if args.tokyo else []), *(["reach"] if args.reach_firms else [])]
    results = []
    for name, url, url_reach in targets:
        merged: dict = {}
        for phase in phases:  # a process each: its peak memory is its own
            work = tmp / f"{name}-{phase}"
            work.mkdir()
            spec = json.dumps({"phase": phase, "url": url_reach if phase == "reach" else url, "firms": str(firms),
                               "reach": str(reach_firms) if reach_firms else None, "tokyo": args.tokyo,
                               "work": str(work)})
            env = {**os.environ, "MATCHER_CACHE_DIR": str(tmp / f"engines-{name}")}  # every first fit a real one
            proc = subprocess.run([sys.executable, __file__, "--one", spec, "--firms", str(args.firms),
                                   "--reach-firms", str(args.reach_firms), "--programs", str(args.programs)],
                                  capture_output=True, text=True, env=env)
            if proc.returncode != 0:
                sys.exit(f"{name} ({phase}) failed:\n{proc.stderr[-3000:]}")
            merged.update(json.loads(proc.stdout.strip().splitlines()[-1]))
        results.append((name, merged))
    n, big = args.firms, args.programs
    rows = [
        (f"import {n:,} firms (new register)", "import", "s"), ("import them again (unchanged)", "again", "s"),
        (f"matches of {n:,} firms, built-in catalog (75)", "match", "s"),
        (f"matches of {n:,} firms, {big:,}-program catalog", "match_big", "s"),
        ("  match rows stored", "rows_big", "n"),
        (f"new {big:,}-program version + alerts, {n:,} firms", "alerts", "s"),
        ("  firms alerted / alerts / shown", "alerts", "nnn"),
        ("  peak memory of the process", "rss_mb", "mb"),
    ]
    if args.tokyo:
        rows += [(f"Tokyo list (1,720) as a new version + alerts, {n:,} firms", "tokyo_new", "s"),
                 ("  firms alerted / alerts / shown (all new)", "tokyo_new", "nnn"),
                 (f"  the alerts alone, best {PER_FIRM} a firm (new session)", "tokyo_capped", "s"),
                 ("  the alerts alone, all of them (as before)", "tokyo_all", "s"),
                 (f"Tokyo list a year on + alerts, {n:,} firms", "tokyo_next", "s"),
                 ("  firms alerted / alerts / shown", "tokyo_next", "nnn"),
                 ("  peak memory of the process (with the uncapped run)", "rss_tokyo_mb", "mb"),
                 ("CLI `register catalog import DIR` (Tokyo, 5.4 MB YAML)", "cli_import", "s"),
                 ("  peak memory / output", ("cli_import_rss", "cli_import_bytes"), "mbb"),
                 ("CLI `register alerts` then (best 10 a firm)", "cli", "s"),
                 ("  peak memory / output", ("cli_rss", "cli_bytes"), "mbb"),
                 ("  the same with --json", "cli_json", "s"),
                 ("  peak memory / output", ("cli_json_rss", "cli_json_bytes"), "mbb"),
                 ("  the same with --per-firm 0 (all, as before)", "cli_all", "s"),
                 ("  peak memory / output", ("cli_all_rss", "cli_all_bytes"), "mbb"),
                 ("CLI `register alerts --catalog DIR` (one command, cold)", "cli_once", "s"),
                 ("  peak memory / output", ("cli_once_rss", "cli_once_bytes"), "mbb"),
                 ("GET /alerts after the import (5 a firm, 20 firms)", "http_first", "s"),
                 ("  the next 20 firms", "http_next", "ms")]
    if args.reach_firms:
        m = args.reach_firms
        rows += [(f"import {m:,} firms", "import_reach", "s"), (f"matches of {m:,} firms (75 programs)", "match_reach", "s"),
                 (f"reach over {m:,} firms, first call (new session)", "reach_first", "ms"),
                 (f"reach over {m:,} firms (median of 5)", "reach", "ms"),
                 ("  peak memory of the process", "rss_reach_mb", "mb")]
    width = max(len(r[0]) for r in rows) + 2
    print(f"{'':<{width}}" + "".join(f"{name:>30}" for name, _ in results))
    for label, key, unit in rows:
        cells = []
        for _, r in results:
            if unit == "s":
                cells.append(f"{r[key]:.2f} s ({r[key + '.cpu']:.2f})")
            elif unit == "ms":
                cells.append(f"{r[key] * 1000:.0f} ms ({r[key + '.cpu'] * 1000:.0f})")
            elif unit == "mb":
                cells.append(f"{r[key]:.0f} MB")
            elif unit == "mbb":
                cells.append(f"{r[key[0]]:.0f} MB / {r[key[1]] / 1e6:.1f} MB")
            elif unit == "nnn":
                cells.append(f"{r[key + '_firms']:,} / {r[key + '_n']:,} / {r[key + '_shown']:,}")
            else:
                cells.append(f"{r[key]:,}")
        print(f"{label:<{width}}" + "".join(f"{c:>30}" for c in cells))
    print("times: wall-clock (CPU time of the process, s or ms); load average "
          + " ".join(f"{x:.1f}" for x in os.getloadavg()) + f" on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
