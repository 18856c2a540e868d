"""Importing firm lists: the report, bad rows, concurrency, and an import killed with SIGKILL."""

from __future__ import annotations

import csv
import os
import selectors
import signal
import subprocess
import sys
import threading

import sqlalchemy as sa

from matcher.register import Register
from matcher.register import schema as t
from matcher.register.importer import import_firms
from tests.conftest import ROOT
from tests.register.conftest import firm_row, write_firms


def test_an_import_reports_added_updated_unchanged_and_every_bad_row(reg, tmp_path):
    path = tmp_path / "firms.csv"
    write_firms(path, 5)
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    rows[1]["municipality"] = "Atlantis"  # row 2: unknown place
    rows[3]["id"] = ""  # row 4: no id
    rows.append(dict(rows[0], name="Again"))  # row 6: the id of row 1
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    rep = import_firms(reg, path, batch_size=2)
    assert (rep.rows, rep.added, rep.updated, rep.unchanged) == (6, 3, 0, 0)
    assert [(e.row, e.field) for e in rep.errors] == [(2, "municipality"), (4, "id"), (6, "id")]
    assert "row 1" in rep.errors[2].reason
    assert reg.firm("f00000").name == "Firm 0"
    assert reg.firm("f00000").kept == {"phone": "03-0000-0000", "担当者": "担当0"}
    assert reg.firm("f00000").source == "firms.csv:1"

    write_firms(path, 5, employees=999)  # every firm changed, the broken ones fixed
    rep = import_firms(reg, path)
    assert (rep.added, rep.updated, rep.unchanged, rep.errors) == (2, 3, 0, [])
    rep = import_firms(reg, path)
    assert (rep.added, rep.updated, rep.unchanged) == (0, 0, 5)
    assert reg.firm("f00002").version == 2


def test_an_input_file_is_never_changed(reg, tmp_path):
    path = write_firms(tmp_path / "firms.csv", 3)
    before = path.read_bytes()
    import_firms(reg, path)
    assert path.read_bytes() == before


def test_eight_concurrent_importers_of_overlapping_lists_lose_nothing(db_url, tmp_path):
    Register.create(db_url, actor="admin").close()
    files = [write_firms(tmp_path / f"part{k}.csv", 300, start=k * 150) for k in range(8)]  # each overlaps the next
    regs = [Register(db_url, actor=f"coord{k}") for k in range(8)]
    reports, failures = [None] * 8, []
    barrier = threading.Barrier(8)

    def run(k: int) -> None:
        barrier.wait()
        try:
            reports[k] = import_firms(regs[k], files[k], batch_size=50)
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(repr(exc))

    threads = [threading.Thread(target=run, args=(k,)) for k in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert failures == []
    assert regs[0].count_firms() == 7 * 150 + 300
    assert sum(r.added for r in reports) == 7 * 150 + 300  # every firm added exactly once
    assert all(r.errors == [] and r.added + r.updated + r.unchanged == 300 for r in reports)
    with regs[0].engine.connect() as conn:
        adds = conn.execute(sa.select(sa.func.count()).select_from(t.audit).where(t.audit.c.action == "add",
                                                                                  t.audit.c.entity == "firm")).scalar_one()
    assert adds == 7 * 150 + 300
    for r in regs:
        r.close()


_KILLED_IMPORT = r"""
import sys
import sqlalchemy as sa
from matcher.register import Register
from matcher.register.importer import import_firms

url, path, batch = sys.argv[1], sys.argv[2], int(sys.argv[3])
reg = Register(url, actor="night-import")
committed = []

@sa.event.listens_for(reg.engine, "after_cursor_execute")
def pause_mid_batch(conn, cursor, statement, params, context, executemany):
    # in the second batch's transaction, right after its firms were inserted and before its
    # audit rows and its commit: tell the test, then wait to be killed
    if committed and statement.lstrip().upper().startswith("INSERT INTO FIRMS"):
        print("mid-batch", flush=True)
        sys.stdin.readline()

import_firms(reg, path, batch_size=batch, progress=lambda rep: committed.append(rep.added))
print("finished", flush=True)
"""


def _firm_count(url: str) -> int:
    from matcher.register.db import create_db_engine

    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(t.firms)).scalar_one()
    finally:
        engine.dispose()


def test_an_import_of_10000_firms_killed_halfway_keeps_whole_batches_only(db_url, tmp_path):
    """kill -9 in the middle of a batch's transaction: the register holds the batches
    committed before, each firm whole (profile, kept columns, audit row), and nothing of the
    batch being written; importing again completes it."""
    batch, n = 500, 10_000
    path = write_firms(tmp_path / "firms.csv", n)
    Register.create(db_url, actor="admin").close()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", _KILLED_IMPORT, db_url, str(path), str(batch)], cwd=ROOT, env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ)
        assert sel.select(timeout=300), "the import never reached its second batch"
        line = proc.stdout.readline().strip()
        assert line == "mid-batch", (line, proc.stderr.read() if proc.poll() is not None else "")
        for _ in range(1000):  # the first batch is committed before the second begins: the DB shows it
            if _firm_count(db_url) >= batch:
                break
        assert _firm_count(db_url) == batch
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=60) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()
        proc.stdin.close()

    reg = Register(db_url, actor="aoki")
    firms = reg.firms(limit=None)
    assert len(firms) % batch == 0 and len(firms) == batch  # whole batches, and only those committed
    expected = {r["id"]: r for r in (firm_row(i) for i in range(n))}
    for f in firms:  # each firm whole
        src = expected[f.firm_id]
        assert f.name == src["name"] and f.kept == {"phone": src["phone"], "担当者": src["担当者"]}
        assert f.profile["employees"] == int(src["employees"]) and f.version == 1
    with reg.engine.connect() as conn:
        audited = set(conn.execute(sa.select(t.audit.c.entity_id).where(t.audit.c.entity == "firm",
                                                                        t.audit.c.action == "add")).scalars())
    assert audited == {f.firm_id for f in firms}

    rep = import_firms(reg, path, batch_size=batch)  # the import run again completes the register
    assert (rep.added, rep.unchanged, rep.updated, rep.errors) == (n - batch, batch, 0, [])
    assert reg.count_firms() == n
    reg.close()
