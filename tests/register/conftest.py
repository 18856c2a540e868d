"""Fixtures of the register's tests: every test that takes ``db_url`` runs on SQLite and, when
``MATCHER_TEST_POSTGRES`` names a PostgreSQL server (``.ci/postgres`` starts one), on a fresh
PostgreSQL database of its own."""

from __future__ import annotations

import csv
import os
import uuid
from pathlib import Path

import pytest

PG_ENV = "MATCHER_TEST_POSTGRES"
WARDS = ["Kita", "Hamura", "Mitaka", "Ome", "Fussa", "Tama"]
NEEDS = ["trade_fair", "marketing", "financing", "website", "technical_support", "subsidy"]


def _pg_database(base: str):
    import sqlalchemy as sa

    name = "reg_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as exc:
        admin.dispose()
        pytest.skip(f"PostgreSQL at {PG_ENV} cannot be reached: {exc.orig}")
    url = sa.engine.make_url(base).set(database=name).render_as_string(hide_password=False)
    return admin, name, url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A register's URL, not yet created: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'register.db'}"
        return
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"{PG_ENV} is not set (a SQLAlchemy URL of a PostgreSQL server; `bash .ci/postgres CMD` "
                    "starts one and runs CMD with it set)")
    admin, name, url = _pg_database(base)
    yield url
    import sqlalchemy as sa

    sa.engine.make_url(url)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture
def reg(db_url):
    from matcher.register import Register

    r = Register.create(db_url, actor="aoki")
    yield r
    r.close()


def firm_row(i: int, *, employees: int | None = None) -> dict:
    """A deterministic firm of a Tama-area register, with a phone and a contact person kept."""
    return {"id": f"f{i:05d}", "name": f"Firm {i}", "prefecture": "Tokyo", "municipality": WARDS[i % len(WARDS)],
            "industry": ["E24", "E29", "G39", "I58"][i % 4], "employees": employees if employees is not None else 5 + i % 250,
            "needs": ";".join(NEEDS[i % len(NEEDS)::len(NEEDS) // 2][:2]),
            "description": f"Firm number {i}: metal parts and trade fairs" if i % 3 == 0 else f"Shop {i}",
            "phone": f"03-{i:04d}-{i % 97:04d}", "担当者": f"担当{i % 7}"}


def write_firms(path: Path, n: int, start: int = 0, **kw) -> Path:
    rows = [firm_row(i, **kw) for i in range(start, start + n)]
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path
