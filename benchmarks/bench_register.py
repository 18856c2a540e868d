"""The register's speed on SQLite and PostgreSQL, printed as a table.

    python benchmarks/bench_register.py [--firms 10000] [--postgres URL]   (or MATCHER_TEST_POSTGRES)

Columns: importing N firms (a new register, batches of 500), importing them again (all
unchanged), computing the matches of the register's firms against the built-in catalog
(including fitting the engine), and the call list of one program from the register once
matches are computed (the median of 5 runs).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matcher.register import Register  # noqa: E402
from matcher.register.catalogs import ensure_catalog, refresh_matches  # noqa: E402
from matcher.register.importer import import_firms  # noqa: E402
from matcher.register.queries import reach  # noqa: E402
from tests.register.conftest import write_firms  # noqa: E402

PROGRAM = "kita-trade-fair-subsidy"


def _clock(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def run(url: str, path: Path, n: int) -> dict[str, float]:
    reg = Register.create(url, actor="bench")
    ensure_catalog(reg)
    t_import, _ = _clock(lambda: import_firms(reg, path))
    t_again, rep = _clock(lambda: import_firms(reg, path))
    assert rep.unchanged == n
    t_match, _ = _clock(lambda: refresh_matches(reg, ensure_catalog(reg), as_of="2026-11-21"))
    reach(reg, PROGRAM, top=20, as_of="2026-11-21")
    times = [_clock(lambda: reach(reg, PROGRAM, top=20, as_of="2026-11-21"))[0] for _ in range(5)]
    reg.close()
    return {"import": t_import, "again": t_again, "match": t_match, "reach": statistics.median(times)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--firms", type=int, default=10_000)
    ap.add_argument("--postgres", default=os.environ.get("MATCHER_TEST_POSTGRES"))
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    path = write_firms(tmp / "firms.csv", args.firms)
    rows = [("SQLite", run(f"sqlite:///{tmp / 'bench.db'}", path, args.firms))]
    if args.postgres:
        import sqlalchemy as sa

        name = "bench_" + uuid.uuid4().hex[:8]
        admin = sa.create_engine(args.postgres, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            url = sa.engine.make_url(args.postgres).set(database=name).render_as_string(hide_password=False)
            rows.append(("PostgreSQL", run(url, path, args.firms)))
        finally:
            with admin.connect() as c:
                c.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
    n = args.firms
    print(f"{'database':<11} {'import':>10} {'firms/s':>9} {'re-import':>10} {'matches':>9} {'reach (median of 5)':>20}")
    for name, r in rows:
        print(f"{name:<11} {r['import']:>9.2f}s {n / r['import']:>9.0f} {r['again']:>9.2f}s {r['match']:>8.2f}s {r['reach'] * 1000:>18.1f}ms")


if __name__ == "__main__":
    main()
