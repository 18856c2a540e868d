"""Questions asked of the register: a program's call list, alerts, and the report of outcomes.

``reach`` reads a program's eligible firms from the matches of the newest catalog version
(computed once per firm and version), scores only the best of them again through
:meth:`matcher.MatchEngine.reach` for their reasons, and adds each firm's last contact.
``alerts`` compares two catalog versions firm by firm. ``report`` counts outcomes per
program and per coordinator.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import sqlalchemy as sa

from profiles import InputError, SupportProgram
from rules import TRUE, CompiledEligibility
import matcher.register.schema as t
from matcher.register.catalogs import (CatalogVersion, engine_of, ensure_catalog, match_set, position_of,
                                       refresh_matches, resolve_version, versions)
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
    j = position_of(reg, version.id, program_id)  # an unknown id names the closest ones
    refresh_matches(reg, version, as_of=as_of)
    sid = match_set(reg, version)  # the version's matches scored with the register's weights
    m, f = t.matches, t.firms
    q = sa.select(f).join(m, m.c.firm_pk == f.c.id).where(m.c.set_id == sid, m.c.position == j)
    if skip_contacted:
        q = q.where(f.c.id.not_in(sa.select(t.outcomes.c.firm_pk).where(t.outcomes.c.program_id == program_id)))
    def best(conn, eligible: bool, limit: int):
        # the limit-th best score read down the index (set, position, eligible, score), then only the firms
        # at or above it sorted with their ids (sorting every eligible firm by score and id costs 0.1 s per 100,000)
        here = (m.c.set_id == sid) & (m.c.position == j) & m.c.eligible.is_(eligible)
        cut = sa.select(m.c.score).where(here)
        if skip_contacted:
            cut = cut.where(m.c.firm_pk.not_in(sa.select(t.outcomes.c.firm_pk).where(t.outcomes.c.program_id == program_id)))
        cut = conn.execute(cut.order_by(m.c.score.desc()).offset(limit - 1).limit(1)).scalar()
        sub = q.where(m.c.eligible.is_(eligible))
        if cut is not None:
            sub = sub.where(m.c.score >= cut)
        return conn.execute(sub.order_by(m.c.score.desc(), f.c.id).limit(limit)).all()

    with reg.engine.connect() as conn:
        eligible = best(conn, True, top)
        possible = best(conn, False, top - len(eligible)) if include_possible and len(eligible) < top else []
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
    sid = match_set(reg, v)
    m, cp = t.matches, t.catalog_programs
    status = sa.case((m.c.eligible.is_(True), "eligible"), else_="possible").label("status")
    score = sa.case((m.c.eligible.is_(True), m.c.score), else_=None).label("score")
    with reg.engine.connect() as conn:
        return [{**r._asdict(), "catalog_version": v.id} for r in conn.execute(
            sa.select(cp.c.program_id, cp.c.name, status, score)
            .join(cp, (cp.c.version_id == v.id) & (cp.c.position == m.c.position))
            .where(m.c.set_id == sid, m.c.firm_pk == firm.pk)
            .order_by(m.c.eligible.desc(), m.c.rank, cp.c.program_id).limit(top))]


# ---------------------------------------------------------------------- alerts
class Alert(NamedTuple):  # a named tuple: a new catalog brings millions of alerts (a frozen dataclass costs 3x)
    """What is new about a program for a firm: ``kind`` (one of :data:`ALERT_KINDS`), why, its score."""

    program_id: str
    name: str
    kind: str
    detail: str
    score: float | None = None
    deadline: dt.date | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"program_id": self.program_id, "name": self.name, "kind": self.kind, "detail": self.detail,
                "score": self.score, "deadline": self.deadline.isoformat() if self.deadline else None}


@dataclass
class FirmAlerts:
    """A firm's alerts, most pressing first; with ``per_firm``, its best ones by score, and how
    many were left out (``more``, and ``more_by_kind``: ``{"new_program": 228, ...}``)."""

    firm_id: str
    name: str | None
    alerts: list[Alert] = field(default_factory=list)
    more: int = 0
    more_by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Every alert of the firm, shown or left out."""
        return len(self.alerts) + self.more

    def to_dict(self) -> dict[str, Any]:
        return {"firm_id": self.firm_id, "name": self.name, "alerts": [a.to_dict() for a in self.alerts],
                "more": self.more, "more_by_kind": dict(self.more_by_kind)}


def _programs(conn: sa.Connection, vid: int) -> dict[str, Any]:
    """A version's programs by id, without their JSON (read by :func:`_data` for the changed ones only)."""
    cp = t.catalog_programs
    return {r.program_id: r for r in conn.execute(sa.select(*(c for c in cp.c if c.name != "data"))
                                                  .where(cp.c.version_id == vid))}


def _data(conn: sa.Connection, vid: int, program_ids: list[str]) -> dict[str, dict]:
    cp = t.catalog_programs
    out: dict[str, dict] = {}
    for s in range(0, len(program_ids), 500):
        out.update(conn.execute(sa.select(cp.c.program_id, cp.c.data).where(
            cp.c.version_id == vid, cp.c.program_id.in_(program_ids[s:s + 500]))).all())
    return out


def _changed_fields(old: dict, new: dict) -> list[str]:
    return [k for k in MATTERING_FIELDS if old.get(k) != new.get(k)]


def alerts(reg: Register, *, since: str | dt.date | None = None, closing_within: int | None = None,
           as_of: dt.date | str | None = None, version: CatalogVersion | None = None, chunk_size: int = 2000,
           per_firm: int | None = None) -> tuple[CatalogVersion, CatalogVersion | None, list[FirmAlerts]]:
    """Per firm, what is new for it in the newest catalog version.

    Compared with the version before it (or the one ``since`` names: an id, a content
    hash, or a date meaning the newest version imported by then): programs new in the
    catalog and eligible, programs newly eligible (their content changed, and the firm was
    not eligible at the older version), programs
    opened since (``valid_from`` after the older version was imported), programs the firm
    is eligible for that changed in a way that matters (:data:`MATTERING_FIELDS`), and,
    with ``closing_within`` days, eligible programs whose deadline falls in that window.
    Programs the firm was already contacted about (any outcome) are left out. Firms are read
    ``chunk_size`` at a time and judged by the engine on the programs that can alert only
    (no stored matches needed: a new version alerts without computing all its matches).

    ``per_firm`` keeps each firm's ``per_firm`` best-scoring alerts (ties by program id),
    still most pressing first, and counts the rest (:attr:`FirmAlerts.more`): a brand-new
    catalog makes every program a firm is eligible for "new", hundreds per firm, which no
    one reads; the count says how many more there are, of which kinds. ``None``: all.

    Returns ``(current version, baseline version or None, firms with alerts)``.
    """
    from matcher import parse_as_of

    day = parse_as_of(as_of)
    if closing_within is not None and (isinstance(closing_within, bool) or not isinstance(closing_within, int)
                                       or closing_within < 0):
        raise ValueError(f"closing_within must be an integer >= 0, got {closing_within!r}")
    if per_firm is not None and (isinstance(per_firm, bool) or not isinstance(per_firm, int) or per_firm < 1):
        raise ValueError(f"per_firm must be an integer >= 1 or None (all), got {per_firm!r}")
    cur = version or ensure_catalog(reg)
    base = resolve_version(reg, since)
    if since is None:
        older = [v for v in versions(reg) if v.id < cur.id]
        base = older[-1] if older else None
    if base is not None and base.id == cur.id and since is not None:
        raise InputError("since", str(since), f"names the current catalog version ({cur.id}); nothing can be new since")
    with reg.engine.connect() as conn:
        now_p = _programs(conn, cur.id)
        old_p = _programs(conn, base.id) if base else {}
        differ = [pid for pid, p in now_p.items() if pid in old_p and old_p[pid].content_hash != p.content_hash]
        now_d, old_d = (_data(conn, cur.id, differ), _data(conn, base.id, differ)) if differ else ({}, {})
    since_day = base.imported_at.date() if base else None
    if isinstance(since, dt.date) or (since and _is_date(str(since))):
        since_day = dt.date.fromisoformat(str(since)) if not isinstance(since, dt.date) else since
    end = day + dt.timedelta(days=closing_within) if closing_within is not None else None
    pos, kinds = {}, {}  # position in cur -> program id; program id -> [(kind, detail, deadline)] if eligible
    for pid, p in now_p.items():
        pos[p.position] = pid
        found = []
        last = p.application_deadline or p.valid_until
        if end is not None and last is not None and day <= last <= end:
            found.append(("closing", f"closes on {last.isoformat()}", last))
        if since_day and p.valid_from and since_day < p.valid_from <= day:
            found.append(("opened", f"open since {p.valid_from.isoformat()}", None))
        if base is not None and pid not in old_p:
            found.append(("new_program", f"new in catalog version {cur.id}", None))
        elif base is not None and old_p[pid].content_hash != p.content_hash:
            fields = _changed_fields(old_d[pid], now_d[pid])
            if fields:
                found.append(("changed", "changed: " + ", ".join(fields), None))
        kinds[pid] = found
    # newly eligible is only possible where a program's content changed (same content, same rules)
    rules_changed = {p.position: old_p[pid].position for pid, p in now_p.items()
                     if pid in old_p and old_p[pid].content_hash != p.content_hash}
    wanted = sorted({p.position for pid, p in now_p.items() if kinds[pid]} | set(rules_changed))
    out: list[FirmAlerts] = []
    if not wanted:
        return cur, base, out
    engine = engine_of(reg, cur.id)
    cols = np.array(wanted)
    changed_at = np.array([j in rules_changed for j in wanted])
    # the older rules of the changed programs only, compiled (not a whole engine fitted on the older version)
    old_rules = ([SupportProgram.model_validate(old_d[pos[j]]) for j in wanted if j in rules_changed]
                 if rules_changed else [])
    base_rules = CompiledEligibility(old_rules) if old_rules else None
    # each column's most pressing alert of its own (kind index; len(ALERT_KINDS) = none), decided once
    none = len(ALERT_KINDS)
    own = [min(kinds[pos[j]], key=lambda x: ALERT_KINDS.index(x[0])) if kinds[pos[j]] else None for j in wanted]
    own_kind = np.array([ALERT_KINDS.index(o[0]) if o else none for o in own], np.int8)
    newly_kind = np.int8(ALERT_KINDS.index("newly_eligible"))
    col_of = {pos[j]: k for k, j in enumerate(wanted)}
    by_id = np.argsort(np.argsort([pos[j] for j in wanted], kind="stable"))  # each column's rank by program id
    newly_alert = ("newly_eligible", "eligible now (its conditions changed)", None)
    names = [now_p[pos[j]].name for j in wanted]
    pid_of = [pos[j] for j in wanted]
    firm_alerts: list[FirmAlerts] = []
    for batch in reg.iter_firms(batch=chunk_size, lean=True):
        prepared = engine.prepare([f.profile for f in batch], as_of=day)
        elig = engine.eligibility_.evaluate(prepared.facts)[:, cols] == TRUE
        kind = np.where(elig, own_kind[None, :], np.int8(none))
        if base_rules is not None:  # the same facts, judged by the older version's rules
            was = base_rules.evaluate(prepared.facts) == TRUE
            newly = elig[:, changed_at] & ~was
            sub = kind[:, changed_at]
            kind[:, changed_at] = np.where(newly, np.minimum(sub, newly_kind), sub)
        pks = [f.pk for f in batch]
        with reg.engine.connect() as conn:
            o = t.outcomes
            done = conn.execute(sa.select(o.c.firm_pk, o.c.program_id).distinct()
                                .where(o.c.firm_pk >= pks[0], o.c.firm_pk <= pks[-1])).all()
        if done:  # already contacted about it: no alert
            row_of = {pk: i for i, pk in enumerate(pks)}
            hit = [(row_of[pk], col_of[pid]) for pk, pid in done if pk in row_of and pid in col_of]
            if hit:
                kind[tuple(np.array(hit).T)] = none
        rows, ks = np.nonzero(kind < none)
        if not len(rows):
            continue
        score = _scores(engine, prepared, cols)[rows, ks]
        kk = kind[rows, ks]
        more: dict[int, tuple[int, dict[str, int]]] = {}
        if per_firm is not None:  # each firm's best per_firm by score (rows come sorted from np.nonzero)
            order = np.lexsort((by_id[ks], -score, rows))
            rows, ks, kk, score = rows[order], ks[order], kk[order], score[order]
            first = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
            rank = np.arange(len(rows)) - np.repeat(first, np.diff(np.r_[first, len(rows)]))
            keep = rank < per_firm
            if not keep.all():  # the rest counted per firm and kind, as arrays
                left = np.bincount(rows[~keep].astype(np.int64) * none + kk[~keep], minlength=len(batch) * none)
                left = left.reshape(len(batch), none)
                for i in np.flatnonzero(left.any(axis=1)).tolist():
                    by = {ALERT_KINDS[k]: int(left[i, k]) for k in np.flatnonzero(left[i]).tolist()}
                    more[i] = (sum(by.values()), by)
                rows, ks, kk, score = rows[keep], ks[keep], kk[keep], score[keep]
        order = np.lexsort((by_id[ks], -score, kk, rows))  # per firm: most pressing, best, by program id
        rows, ks, kk, score = rows[order], ks[order], kk[order], score[order].tolist()
        starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
        ends = np.r_[starts[1:], len(rows)]
        is_own = (kk == own_kind[ks]).tolist()
        ks_l = ks.tolist()
        with _gc_paused():  # millions of small acyclic tuples: the cyclic collector would rescan them all
            for s, e in zip(starts.tolist(), ends.tolist()):
                i = int(rows[s])
                firm = batch[i]
                items = []
                for n in range(s, e):
                    k = ks_l[n]
                    kd, detail, deadline = own[k] if is_own[n] else newly_alert
                    items.append(Alert(pid_of[k], names[k], kd, detail, score[n], deadline))
                n_more, by_kind = more.get(i, (0, {}))
                firm_alerts.append(FirmAlerts(firm.firm_id, firm.name, items, n_more, by_kind))
    firm_alerts.sort(key=lambda fa: fa.firm_id)
    return cur, base, firm_alerts


@contextlib.contextmanager
def _gc_paused():
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _scores(engine, prepared, cols: np.ndarray) -> np.ndarray:
    """The engine's scores of prepared firms for some programs, rounded as its hits are."""
    from matcher.features import components
    from matcher.weights import COMPONENTS

    comps = components(engine.program_features_, prepared.features, prepared.facts, prepared.text,
                       engine.program_text_.T, cols, program_rows=engine.program_text_)
    w = engine.weights_.as_dict()
    total = np.zeros_like(comps["text"])
    for name in COMPONENTS:
        total += np.float32(w[name]) * comps[name]
    return np.round(total.astype(np.float64), 6)


def _is_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
        return True
    except ValueError:
        return False


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
