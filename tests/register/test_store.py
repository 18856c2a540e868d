"""The register's store: schema, firms with kept columns and versions, outcomes, keys, audit."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import sqlalchemy as sa

from matcher.register import ConflictError, FirmInput, NotInitializedError, Register, UnknownFirmError, AuthError
from matcher.register import schema as t
from matcher.register.db import current_revision, head_revision

KITA = {"municipality": "Kita", "prefecture": "Tokyo", "industry": "E24", "employees": 25, "needs": ["trade_fair"]}


def test_the_migrations_create_exactly_the_schema_of_the_models(reg):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with reg.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), t.metadata)
    assert diffs == []
    assert current_revision(reg.engine) == head_revision()


def test_a_database_without_a_register_says_how_to_create_one(tmp_path):
    with pytest.raises(NotInitializedError, match=r"create it with: matcher register --db \S+none.db init"):
        Register(tmp_path / "none.db")
    assert not (tmp_path / "none.db").exists()


def test_creating_twice_keeps_what_is_there(db_url):
    r = Register.create(db_url, actor="aoki")
    r.upsert_firms([FirmInput("k01", KITA)])
    r.close()
    r = Register.create(db_url, actor="aoki")
    assert r.count_firms() == 1
    r.close()


def test_a_firm_keeps_its_extra_columns_and_who_added_it(reg):
    rep = reg.upsert_firms([FirmInput("k01", {**KITA, "name": "Oji Press"}, {"phone": "03-1", "担当者": "青木"})])
    assert (rep.added, rep.updated, rep.unchanged) == (1, 0, 0)
    f = reg.firm("k01")
    assert f.kept == {"phone": "03-1", "担当者": "青木"}
    assert f.profile["municipality"] == "131172" and f.profile["needs"] == ["trade_fair"]
    assert (f.added_by, f.updated_by, f.version) == ("aoki", "aoki", 1)
    assert f.company().employees == 25


def test_reimporting_the_same_firm_changes_nothing_and_a_change_bumps_the_version(reg):
    reg.upsert_firms([FirmInput("k01", KITA, {"phone": "03-1"})])
    rep = reg.upsert_firms([FirmInput("k01", KITA, {"phone": "03-1"})])
    assert (rep.added, rep.updated, rep.unchanged) == (0, 0, 1)
    assert reg.firm("k01").version == 1
    rep = reg.upsert_firms([FirmInput("k01", {**KITA, "employees": 40}, {"phone": "03-2"})])
    assert (rep.added, rep.updated, rep.unchanged) == (0, 1, 0)
    f = reg.firm("k01")
    assert (f.version, f.profile["employees"], f.kept["phone"]) == (2, 40, "03-2")
    last = reg.audit_log("firm", "k01")[0]
    assert last["action"] == "update" and last["actor"] == "aoki"
    assert last["detail"]["changed"] == {"employees": [25, 40], "kept.phone": ["03-1", "03-2"]}


def test_a_batch_with_one_invalid_firm_writes_nothing(reg):
    from profiles import InputError

    with pytest.raises(InputError, match="municipality"):
        reg.upsert_firms([FirmInput("ok", KITA), FirmInput("bad", {"municipality": "Atlantis"})])
    assert reg.count_firms() == 0


def test_two_coordinators_editing_the_same_firm_one_gets_a_conflict(db_url):
    a = Register.create(db_url, actor="aoki")
    b = Register(db_url, actor="suzuki")
    a.upsert_firms([FirmInput("k01", KITA)])
    seen_a, seen_b = a.firm("k01").version, b.firm("k01").version
    a.update_firm("k01", {"employees": 30}, expected_version=seen_a)
    with pytest.raises(ConflictError, match="expected version 1, the register has 2"):
        b.update_firm("k01", {"employees": 31}, expected_version=seen_b)
    f = b.firm("k01")
    assert (f.profile["employees"], f.updated_by, f.version) == (30, "aoki", 2)
    a.close()
    b.close()


def test_concurrent_edits_of_one_version_let_exactly_one_through(db_url):
    regs = [Register.create(db_url, actor="aoki")] + [Register(db_url, actor=f"c{i}") for i in range(5)]
    regs[0].upsert_firms([FirmInput("k01", KITA)])
    results: list[str] = []
    barrier = threading.Barrier(len(regs))

    def edit(r: Register, n: int) -> None:
        barrier.wait()
        try:
            r.update_firm("k01", {"employees": 100 + n}, expected_version=1)
            results.append("ok")
        except ConflictError:
            results.append("conflict")

    threads = [threading.Thread(target=edit, args=(r, i)) for i, r in enumerate(regs)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(results) == ["conflict"] * (len(regs) - 1) + ["ok"]
    assert regs[0].firm("k01").version == 2
    for r in regs:
        r.close()


def test_an_unknown_firm_names_the_closest_ids(reg):
    reg.upsert_firms([FirmInput("k01", KITA), FirmInput("k02", KITA)])
    with pytest.raises(UnknownFirmError, match="did you mean: .*k01"):
        reg.firm("k0l")


def test_outcomes_are_a_dated_history_and_bad_ones_are_refused(reg):
    from profiles import InputError

    reg.upsert_firms([FirmInput("k01", KITA)])
    reg.add_outcome("k01", "kita-trade-fair-subsidy", "interested", note="wants the form", date="2026-11-20")
    reg.add_outcome("k01", "kita-trade-fair-subsidy", "contacted", date="2026-11-01")
    assert [(o.date.isoformat(), o.status) for o in reg.history("k01")] == [("2026-11-01", "contacted"),
                                                                         ("2026-11-20", "interested")]
    with pytest.raises(InputError, match="status: expected one of contacted"):
        reg.add_outcome("k01", "kita-trade-fair-subsidy", "maybe")
    with pytest.raises(InputError, match="future"):
        reg.add_outcome("k01", "kita-trade-fair-subsidy", "applied", date=dt.date.today() + dt.timedelta(days=1))
    with pytest.raises(InputError, match="did you mean: kita-trade-fair-subsidy"):
        reg.add_outcome("k01", "kita-trade-fair-subsidi", "applied", known_programs=["kita-trade-fair-subsidy"])
    assert len(reg.history("k01")) == 2
    assert [r["detail"]["status"] for r in reg.audit_log("outcome", "k01")] == ["contacted", "interested"]


def test_the_database_refuses_a_status_outside_the_list_even_bypassing_the_library(reg):
    reg.upsert_firms([FirmInput("k01", KITA)])
    with pytest.raises(sa.exc.IntegrityError):
        with reg.engine.begin() as conn:
            conn.execute(sa.insert(t.outcomes).values(firm_pk=1, program_id="p", status="won", date=dt.date(2026, 1, 1),
                                                      recorded_by="x", recorded_at=dt.datetime.now(dt.timezone.utc)))


def test_api_keys_are_stored_hashed_and_revocable(reg):
    key = reg.add_coordinator("suzuki")
    assert reg.authenticate(key).name == "suzuki"
    with reg.engine.connect() as conn:
        stored = conn.execute(sa.select(t.api_keys.c.key_hash, t.api_keys.c.prefix)).all()
    assert all(key not in (h, p) or p == key[:12] for h, p in stored) and all(len(h) == 64 for h, _ in stored)
    with pytest.raises(AuthError) as exc:
        reg.authenticate(key[:-1] + ("A" if key[-1] != "A" else "B"))
    assert exc.value.status == 401
    assert reg.revoke_key(key[:12]) == 1
    with pytest.raises(AuthError, match="revoked"):
        reg.authenticate(key)


def test_the_first_coordinator_is_the_admin(reg):
    assert {c["name"]: c["role"] for c in reg.coordinators()} == {"aoki": "admin"}


def test_deleting_a_firm_keeps_its_last_profile_in_the_audit_log(reg):
    reg.upsert_firms([FirmInput("k01", KITA, {"phone": "03-1"})])
    reg.add_outcome("k01", "kita-trade-fair-subsidy", "contacted", date="2026-11-01")
    reg.delete_firm("k01", expected_version=1)
    assert reg.count_firms() == 0
    last = reg.audit_log("firm", "k01")[0]
    assert last["action"] == "delete" and last["detail"]["kept"] == {"phone": "03-1"}
    with reg.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(t.outcomes)).scalar_one() == 0
