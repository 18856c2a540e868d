"""A coordinator's visits of the alerts: "what is new for your firms since your last visit".

A visit is a row of the audit log (action ``visit``, entity ``alerts``) naming the catalog
version the coordinator was shown; the next visit compares the newest version with that
one. Each coordinator has their own visits (the audit row's actor).

>>> import tempfile, os
>>> from matcher.register import Register
>>> reg = Register.create(os.path.join(tempfile.mkdtemp(), "desk.db"), actor="aoki")
>>> last_visit(reg) is None
True
>>> record_visit(reg, 1)["catalog_version"]
1
>>> last_visit(reg)["catalog_version"], last_visit(reg.as_actor("suzuki"))
(1, None)
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

import matcher.register.schema as t
from matcher.register.store import Register, as_datetime, utc_now

__all__ = ["last_visit", "record_visit"]


def last_visit(reg: Register) -> dict[str, Any] | None:
    """The acting coordinator's last visit: ``{"at": datetime, "catalog_version": id}``, or None."""
    a = t.audit
    q = (sa.select(a.c.at, a.c.detail).where(a.c.actor == reg.actor, a.c.action == "visit", a.c.entity == "alerts")
         .order_by(a.c.id.desc()).limit(1))
    with reg.engine.connect() as conn:
        row = conn.execute(q).first()
    if row is None:
        return None
    return {"at": as_datetime(row.at), "catalog_version": (row.detail or {}).get("catalog_version")}


def record_visit(reg: Register, catalog_version: int) -> dict[str, Any]:
    """Record that the acting coordinator has seen the alerts of ``catalog_version``."""
    if isinstance(catalog_version, bool) or not isinstance(catalog_version, int) or catalog_version < 1:
        raise ValueError(f"catalog_version must be an integer >= 1, got {catalog_version!r}")
    now = utc_now()
    with reg.transaction() as conn:
        conn.execute(sa.insert(t.audit).values(at=now, actor=reg.actor, action="visit", entity="alerts",
                                               entity_id=None, detail={"catalog_version": catalog_version}))
    return {"at": now, "catalog_version": catalog_version}
