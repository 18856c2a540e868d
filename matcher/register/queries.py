"""Questions asked of the register: a program's call list, alerts, and the report of outcomes.

``reach`` reads a program's eligible firms from the matches of the newest catalog version
(computed once per firm and version), scores only the best of them again through
:meth:`matcher.MatchEngine.reach` for their reasons, and adds each firm's last contact.
``alerts`` compares two catalog versions firm by firm. ``report`` counts outcomes per
program and per coordinator.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from profiles import InputError
import matcher.register.schema as t
from matcher.register.catalogs import (CatalogVersion, engine_of, ensure_catalog, refresh_matches, resolve_version,
                                       versions)
from matcher.register.store import Register, firm_record

__all__ = ["CallListEntry", "firm_matches", "reach", "Alert", "FirmAlerts", "alerts", "report", "ALERT_KINDS", "MATTERING_FIELDS"]

#: What an alert says about a program, most pressing first.
ALERT_KINDS = ("closing", "new_program", "newly_eligible", "opened", "changed")
#: A program's fields whose change matters to a firm already eligible for it.
MATTERING_FIELDS = ("benefit", "eligibility", "application_deadline", "valid_from", "valid_until", "kind", "needs", "url")


@dataclass(frozen=True)
class CallListEntry:
    """A firm of a program's call list: the engine's hit, the firm's kept columns and last contacts."""

    rank: int
    firm_id: str
    name: str | None
    status: str
    score: float
    reasons: list[str]
    missing: list[str]
    kept: dict[str, Any]
    last_contact: dict[str, Any] | None  # about anything
    last_contact_program: dict[str, Any] | None  # about this program

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _contact(o) -> dict[str, Any] | None:
    return None if o is None else {"date": o.date.isoformat(), "program": o.program_id, "status": o.status,
                                   "by": o.recorded_by, "note": o.note}


def reach(reg: Register, program_id: str, *, top: int = 20, as_of: dt.date | str | None = None,
          include_possible: bool = True, skip_contacted: bool = False, lang: str = "en",
          version: CatalogVersion | None = None) -> list[CallListEntry]:
    """The firms of the register a program fits best, with reasons and each firm's last contact.

    Firms eligible come first by score, then (``include_possible``) those that might be
    once they give a missing fact. ``skip_contacted`` leaves out firms with any outcome
    about this program.
    """
    if not isinstance(top, int) or isinstance(top, bool) or top < 1:
        raise ValueError(f"top must be an integer >= 1, got {top!r}")
    version = version or ensure_catalog(reg)
    engine = engine_of(reg, version.id)
    engine.program(program_id)  # an unknown id names the closest ones
    refresh_matches(reg, version, as_of=as_of)
    m, f = t.matches, t.firms
    contacted = sa.select(t.outcomes.c.firm_pk).where(t.outcomes.c.program_id == program_id)
    statuses = ["eligible", "possible"] if include_possible else ["eligible"]
    q = (sa.select(f).join(m, m.c.firm_pk == f.c.id)
         .where(m.c.version_id == version.id, m.c.program_id == program_id, m.c.status.in_(statuses)))
    if skip_contacted:
        q = q.where(f.c.id.not_in(contacted))
    with reg.engine.connect() as conn:
        eligible = conn.execute(q.where(m.c.status == "eligible")
                                .order_by(m.c.score.desc(), f.c.id).limit(top)).all()
        possible = (conn.execute(q.where(m.c.status == "possible").order_by(f.c.id)).all()
                    if include_possible and len(eligible) < top else [])
    records = [firm_record(r) for r in [*eligible, *possible]]
    if not records:
        return []
    hits = engine.reach(program_id, [r.profile for r in records], top=top, as_of=as_of,
                        include_possible=include_possible, lang=lang)
    chosen = [records[h.row - 1] for h in hits]
    last_any = reg.last_contacts([r.pk for r in chosen])
    last_here = reg.last_contacts([r.pk for r in chosen], program_id)
    return [CallListEntry(h.rank, r.firm_id, r.name, h.status, h.score, list(h.reasons), list(h.missing), r.kept,
                          _contact(last_any.get(r.pk)), _contact(last_here.get(r.pk))) for h, r in zip(hits, chosen)]


def firm_matches(reg: Register, firm, top: int = 10) -> list[dict[str, Any]]:
    """A registered firm's best programs at the newest catalog version: eligible by rank, then possible."""
    from matcher.register.catalogs import latest_version

    v = latest_version(reg)
    if v is None:
        return []
    refresh_matches(reg, v)
    m, cp = t.matches, t.catalog_programs
    with reg.engine.connect() as conn:
        return [{**r._asdict(), "catalog_version": v.id} for r in conn.execute(
            sa.select(m.c.program_id, cp.c.name, m.c.status, m.c.score)
            .join(cp, (cp.c.version_id == m.c.version_id) & (cp.c.program_id == m.c.program_id))
            .where(m.c.version_id == v.id, m.c.firm_pk == firm.pk)
            .order_by(m.c.status, m.c.rank, m.c.program_id).limit(top))]


# ---------------------------------------------------------------------- alerts
@dataclass(frozen=True)
class Alert:
    program_id: str
    name: str
    kind: str
    detail: str
    score: float | None = None
    deadline: dt.date | None = None

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["deadline"] = self.deadline.isoformat() if self.deadline else None
        return out


@dataclass
class FirmAlerts:
    firm_id: str
    name: str | None
    alerts: list[Alert] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"firm_id": self.firm_id, "name": self.name, "alerts": [a.to_dict() for a in self.alerts]}


def _programs(conn: sa.Connection, vid: int) -> dict[str, Any]:
    cp = t.catalog_programs
    return {r.program_id: r for r in conn.execute(sa.select(cp).where(cp.c.version_id == vid))}


def _changed_fields(old: dict, new: dict) -> list[str]:
    return [k for k in MATTERING_FIELDS if old.get(k) != new.get(k)]


def alerts(reg: Register, *, since: str | dt.date | None = None, closing_within: int | None = None,
           as_of: dt.date | str | None = None, version: CatalogVersion | None = None
           ) -> tuple[CatalogVersion, CatalogVersion | None, list[FirmAlerts]]:
    """Per firm, what is new for it in the newest catalog version.

    Compared with the version before it (or the one ``since`` names: an id, a content
    hash, or a date meaning the newest version imported by then): programs new in the
    catalog and eligible, programs newly eligible (their conditions changed), programs
    opened since (``valid_from`` after the older version was imported), programs the firm
    is eligible for that changed in a way that matters (:data:`MATTERING_FIELDS`), and,
    with ``closing_within`` days, eligible programs whose deadline falls in that window.
    Programs the firm was already contacted about (any outcome) are left out.

    Returns ``(current version, baseline version or None, firms with alerts)``.
    """
    from matcher import parse_as_of

    day = parse_as_of(as_of)
    if closing_within is not None and (isinstance(closing_within, bool) or not isinstance(closing_within, int)
                                       or closing_within < 0):
        raise ValueError(f"closing_within must be an integer >= 0, got {closing_within!r}")
    cur = version or ensure_catalog(reg)
    base = resolve_version(reg, since)
    if since is None:
        older = [v for v in versions(reg) if v.id < cur.id]
        base = older[-1] if older else None
    if base is not None and base.id == cur.id and since is not None:
        raise InputError("since", str(since), f"names the current catalog version ({cur.id}); nothing can be new since")
    refresh_matches(reg, cur, as_of=day)
    if base is not None:
        refresh_matches(reg, base, as_of=day)
    m, mp = t.matches, t.matches.alias("prev")
    found: dict[int, dict[str, Alert]] = {}
    with reg.engine.connect() as conn:
        now_p = _programs(conn, cur.id)
        old_p = _programs(conn, base.id) if base else {}
        elig = dict(((r.firm_pk, r.program_id), r.score) for r in conn.execute(
            sa.select(m.c.firm_pk, m.c.program_id, m.c.score).where(m.c.version_id == cur.id, m.c.status == "eligible")))
        done = {(r.firm_pk, r.program_id) for r in conn.execute(sa.select(t.outcomes.c.firm_pk, t.outcomes.c.program_id)
                                                                 .distinct())}
        if base is not None:
            newly = conn.execute(
                sa.select(m.c.firm_pk, m.c.program_id)
                .outerjoin(mp, (mp.c.version_id == base.id) & (mp.c.firm_pk == m.c.firm_pk)
                           & (mp.c.program_id == m.c.program_id) & (mp.c.status == "eligible"))
                .where(m.c.version_id == cur.id, m.c.status == "eligible", mp.c.firm_pk.is_(None))).all()
        else:
            newly = []
    names: dict[int, tuple[str, str | None]] = {}

    def add(pk: int, pid: str, kind: str, detail: str, deadline: dt.date | None = None) -> None:
        if (pk, pid) in done:
            return
        have = found.setdefault(pk, {})
        if pid in have and ALERT_KINDS.index(have[pid].kind) <= ALERT_KINDS.index(kind):
            return
        have[pid] = Alert(pid, now_p[pid].name, kind, detail, elig.get((pk, pid)), deadline)

    since_day = base.imported_at.date() if base else None
    if isinstance(since, dt.date) or (since and _is_date(str(since))):
        since_day = dt.date.fromisoformat(str(since)) if not isinstance(since, dt.date) else since
    for pk, pid in newly:
        if pid not in old_p:
            add(pk, pid, "new_program", f"new in catalog version {cur.id}")
        else:
            add(pk, pid, "newly_eligible", "eligible now (its conditions changed)")
    changed = {pid: _changed_fields(old_p[pid].data, p.data) for pid, p in now_p.items()
               if pid in old_p and old_p[pid].content_hash != p.content_hash}
    changed = {pid: fs for pid, fs in changed.items() if fs}
    opened = {pid for pid, p in now_p.items() if since_day and p.valid_from and since_day < p.valid_from <= day}
    closing = {}
    if closing_within is not None:
        end = day + dt.timedelta(days=closing_within)
        for pid, p in now_p.items():
            last = p.application_deadline or p.valid_until
            if last is not None and day <= last <= end:
                closing[pid] = last
    for (pk, pid), _score in elig.items():
        if pid in closing:
            add(pk, pid, "closing", f"closes on {closing[pid].isoformat()}", closing[pid])
        if pid in opened:
            add(pk, pid, "opened", f"open since {now_p[pid].valid_from.isoformat()}")
        if pid in changed:
            add(pk, pid, "changed", "changed: " + ", ".join(changed[pid]))
    if found:
        with reg.engine.connect() as conn:
            for chunk in _chunks(sorted(found), 5000):
                names.update({r.id: (r.firm_id, r.name) for r in conn.execute(
                    sa.select(t.firms.c.id, t.firms.c.firm_id, t.firms.c.name).where(t.firms.c.id.in_(chunk)))})
    out = []
    for pk in sorted(found, key=lambda k: names.get(k, ("",))[0]):
        if pk not in names:
            continue  # deleted meanwhile
        items = sorted(found[pk].values(), key=lambda a: (ALERT_KINDS.index(a.kind), -(a.score or 0), a.program_id))
        out.append(FirmAlerts(names[pk][0], names[pk][1], items))
    return cur, base, out


def _is_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
        return True
    except ValueError:
        return False


def _chunks(seq: list, n: int):
    for i in range(0, len(seq), n):
        yield seq[i:i + n]


# ---------------------------------------------------------------------- report
#: The report's columns: firms contacted (any outcome), and firms that reached each status.
REPORT_COLUMNS = ("contacted", "interested", "applied", "awarded", "declined", "not_relevant")


def report(reg: Register, *, by: str = "program", since: dt.date | str | None = None,
           until: dt.date | str | None = None) -> list[dict[str, Any]]:
    """Outcomes counted per program (``by="program"``) or per coordinator (``by="coordinator"``).

    Each row counts distinct firms: ``contacted`` those with any outcome; ``interested``,
    ``applied``, ``awarded``, ``declined``, ``not_relevant`` those that reached that status
    (an award counts as applied too, an application as interested). ``since`` / ``until``
    bound the outcomes' dates.
    """
    from matcher import parse_as_of

    if by not in ("program", "coordinator"):
        raise InputError("by", by, "expected program or coordinator")
    o = t.outcomes
    key = o.c.program_id if by == "program" else o.c.recorded_by
    reached = {"contacted": t.STATUSES, "interested": ("interested", "applied", "awarded"),
               "applied": ("applied", "awarded"), "awarded": ("awarded",), "declined": ("declined",),
               "not_relevant": ("not_relevant",)}
    cols = [sa.func.count(sa.distinct(sa.case((o.c.status.in_(reached[c]), o.c.firm_pk)))).label(c)
            for c in REPORT_COLUMNS]
    q = sa.select(key.label(by), *cols).group_by(key).order_by(key)
    if since is not None:
        q = q.where(o.c.date >= parse_as_of(since))
    if until is not None:
        q = q.where(o.c.date <= parse_as_of(until))
    with reg.engine.connect() as conn:
        rows = [r._asdict() for r in conn.execute(q)]
    if by == "program" and rows:
        cp = t.catalog_programs
        with reg.engine.connect() as conn:  # the newest version's name wins
            names = dict(conn.execute(sa.select(cp.c.program_id, cp.c.name).order_by(cp.c.version_id)).all())
        for r in rows:
            r["name"] = names.get(r["program"])
    return rows
