"""Alerts computed while an import runs: each sees whole committed batches, and nothing is lost."""

from __future__ import annotations

import datetime as dt
import threading

from matcher.register import Register
from matcher.register.catalogs import add_catalog, catalog_of, ensure_catalog
from matcher.register.importer import import_firms
from matcher.register.queries import alerts
from profiles import Catalog
from tests.conftest import TODAY
from tests.register.conftest import write_firms


def _closing_soon(base: Catalog) -> Catalog:
    """The catalog with the Kita trade-fair subsidy closing in ten days."""
    progs = tuple(p.model_copy(update={"application_deadline": TODAY + dt.timedelta(days=10)})
                  if p.id == "kita-trade-fair-subsidy" else p for p in base.programs)
    return Catalog(programs=progs, municipalities=base.municipalities, clusters=base.clusters, origin="v2")


def test_alerts_computed_while_an_import_runs_see_whole_batches_and_the_next_alerts_see_every_firm(db_url, tmp_path):
    reg = Register.create(db_url, actor="aoki")
    import_firms(reg, write_firms(tmp_path / "first.csv", 120))
    add_catalog(reg, _closing_soon(catalog_of(reg, ensure_catalog(reg).id)))
    more = write_firms(tmp_path / "more.csv", 1200, start=120)
    first_batch, alerts_started = threading.Event(), threading.Event()
    report, failures = {}, []

    def progress(rep) -> None:
        if rep.batches == 1:
            first_batch.set()
            assert alerts_started.wait(60), "the alerts never started"

    def run_import() -> None:
        importer = Register(db_url, actor="ueda")
        try:
            report["rep"] = import_firms(importer, more, batch_size=100, progress=progress)
        except Exception as exc:  # noqa: BLE001 - reported by the main thread
            failures.append(exc)
            first_batch.set()
        finally:
            importer.close()

    thread = threading.Thread(target=run_import)
    thread.start()
    assert first_batch.wait(120)
    during_reg = Register(db_url, actor="aoki")
    alerts_started.set()  # the importer goes on with its other 11 batches while the alerts are computed
    _, _, during = alerts(during_reg, closing_within=30, as_of=TODAY)
    thread.join(300)
    assert not thread.is_alive() and not failures
    rep = report["rep"]
    assert (rep.added, rep.batches, rep.errors) == (1200, 12, [])

    _, _, after = alerts(during_reg, closing_within=30, as_of=TODAY)
    during_reg.close()
    reg.close()
    # the same register built one step after the other: what the alerts must say
    seq = Register.create(f"sqlite:///{tmp_path / 'sequential.db'}", actor="aoki")
    import_firms(seq, tmp_path / "first.csv")
    add_catalog(seq, _closing_soon(catalog_of(seq, ensure_catalog(seq).id)))
    import_firms(seq, more, batch_size=100)
    _, _, expected = alerts(seq, closing_within=30, as_of=TODAY)
    seq.close()
    assert expected and [fa.to_dict() for fa in after] == [fa.to_dict() for fa in expected]
    # during the import: the first file and whole batches of the second, each firm as it is after
    number = {fa.firm_id: int(fa.firm_id[1:]) for fa in expected}
    seen = {fa.firm_id for fa in during}
    last = max(number[f] for f in seen)
    boundary = 120 if last < 120 else 120 + ((last - 120) // 100 + 1) * 100
    assert seen == {f for f, i in number.items() if i < boundary}
    assert any(i < 120 for f, i in number.items() if f in seen)
    by_id = {fa.firm_id: fa.to_dict() for fa in expected}
    assert all(fa.to_dict() == by_id[fa.firm_id] for fa in during)


def test_two_requests_matching_the_same_firms_at_once_both_succeed_with_one_set_of_matches(db_url, tmp_path, monkeypatch):
    """A page asks for a firm and its matches together: both requests find the firms unmatched,
    both compute; the second to write replaces the first's rows instead of failing on them."""
    import sqlalchemy as sa

    import matcher.register.catalogs as catalogs
    import matcher.register.schema as t
    from matcher.register.catalogs import refresh_matches

    reg = Register.create(db_url, actor="aoki")
    import_firms(reg, write_firms(tmp_path / "firms.csv", 40))
    v = ensure_catalog(reg)
    both_read = threading.Barrier(2, timeout=60)
    compute = catalogs.match_arrays

    def after_both_read(engine, prepared):  # both requests have read the firms to match before either writes
        both_read.wait()
        return compute(engine, prepared)

    monkeypatch.setattr(catalogs, "match_arrays", after_both_read)
    failures, handles = [], [Register(db_url, actor=name) for name in ("suzuki", "tanaka")]

    def refresh(r) -> None:
        try:
            refresh_matches(r, v.id, as_of=TODAY)
        except Exception as exc:  # noqa: BLE001 - reported by the main thread
            failures.append(exc)

    threads = [threading.Thread(target=refresh, args=(r,)) for r in handles]
    for th in threads:
        th.start()
    for th in threads:
        th.join(120)
    assert not failures, failures
    monkeypatch.setattr(catalogs, "match_arrays", compute)
    with reg.engine.connect() as conn:
        got = conn.execute(sa.select(sa.func.count()).select_from(t.matches)).scalar_one()
        runs = conn.execute(sa.select(sa.func.count()).select_from(t.match_runs)).scalar_one()
    seq = Register.create(f"sqlite:///{tmp_path / 'once.db'}", actor="aoki")
    import_firms(seq, tmp_path / "firms.csv")
    refresh_matches(seq, ensure_catalog(seq).id, as_of=TODAY)
    with seq.engine.connect() as conn:
        once = conn.execute(sa.select(sa.func.count()).select_from(t.matches)).scalar_one()
    assert (got, runs) == (once, 40) and once > 0
    for r in (*handles, seq, reg):
        r.close()
