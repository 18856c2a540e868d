"""The register itself: firms, outcomes, coordinators and their keys, and the audit log.

Every write is one transaction that also writes its audit rows, so a change and the record
of who made it are never apart. A firm carries a ``version``: an edit names the version it
was read at, and an edit of a firm changed meanwhile raises :class:`ConflictError`.

>>> import tempfile, os
>>> reg = Register.create(os.path.join(tempfile.mkdtemp(), "r.db"), actor="aoki")
>>> reg.upsert_firms([FirmInput("k01", {"municipality": "Kita", "prefecture": "Tokyo", "employees": 25},
...                             {"phone": "03-0000-0000"})]).added
1
>>> firm = reg.firm("k01")
>>> firm.profile["municipality"], firm.kept["phone"], firm.version, firm.added_by
('131172', '03-0000-0000', 1, 'aoki')
>>> reg.update_firm("k01", {"employees": 30}, expected_version=1).version
2
>>> reg.update_firm("k01", {"employees": 31}, expected_version=1)
Traceback (most recent call last):
...
matcher.register.errors.ConflictError: firm 'k01': changed by someone else since it was read (expected version 1, the register has 2); read it again and redo the edit
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import difflib
import getpass
import hashlib
import json
import os
import secrets
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import sqlalchemy as sa

from profiles import CompanyProfile, InputError, UnknownValueError
from matcher import coerce_firm
from matcher.weights import Weights
import matcher.register.schema as t
from matcher.register.db import check_schema, create_db_engine, database_url, upgrade
from matcher.register.errors import AuthError, ConflictError, UnknownFirmError

__all__ = ["Register", "FirmInput", "FirmRecord", "UpsertReport", "Outcome", "Coordinator", "default_actor",
           "split_fields", "PROFILE_FIELDS", "ACTOR_ENV", "utc_now", "as_datetime", "firm_record"]

#: The fields of a firm's profile; every other column of a firm list is kept as it is.
PROFILE_FIELDS = tuple(CompanyProfile.model_fields)
#: The environment variable naming the coordinator who acts (default: the login name).
ACTOR_ENV = "MATCHER_COORDINATOR"
_KEY_PREFIX = "shm_"


def default_actor() -> str:
    """``MATCHER_COORDINATOR``, else the login name."""
    name = os.environ.get(ACTOR_ENV)
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (a container's anonymous uid)
        return "unknown"


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def split_fields(record: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A firm list's row as (profile fields, kept columns).

    >>> split_fields({"id": "k01", "municipality": "Kita", "phone": "03-1234-5678", "担当": "青木"})
    ({'id': 'k01', 'municipality': 'Kita'}, {'phone': '03-1234-5678', '担当': '青木'})
    """
    profile, kept = {}, {}
    for k, v in record.items():
        (profile if k in PROFILE_FIELDS else kept)[k] = v
    return profile, kept


def _profile_json(firm: CompanyProfile) -> dict[str, Any]:
    out = firm.model_dump(mode="json", exclude_none=True)
    if not out.get("needs"):
        out.pop("needs", None)
    return out


def _content_hash(profile: Mapping[str, Any], kept: Mapping[str, Any]) -> str:
    blob = json.dumps({"profile": profile, "kept": kept}, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _jsonable(kept: Mapping[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(dict(kept), ensure_ascii=False, default=str))


@dataclass(frozen=True)
class FirmInput:
    """A firm to add or update: its id, its profile (fields validated on write, or a validated
    :class:`~profiles.CompanyProfile` taken as it is), its kept columns."""

    firm_id: str
    profile: Mapping[str, Any] | CompanyProfile
    kept: Mapping[str, Any] = field(default_factory=dict)
    source: str | None = None


@dataclass(frozen=True)
class FirmRecord:
    """A firm as the register holds it."""

    firm_id: str
    name: str | None
    profile: dict[str, Any]
    kept: dict[str, Any]
    version: int
    added_by: str
    added_at: dt.datetime
    updated_by: str
    updated_at: dt.datetime
    source: str | None = None
    pk: int = field(default=0, repr=False, compare=False)

    def company(self) -> CompanyProfile:
        """The profile, validated again (the engine's input)."""
        return CompanyProfile.model_validate(self.profile)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("pk")
        for k in ("added_at", "updated_at"):
            out[k] = out[k].isoformat() if out[k] else None
        return out


@dataclass
class UpsertReport:
    """What an import did: counts, and the ids of the firms added and updated."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    added_ids: list[str] = field(default_factory=list)
    updated_ids: list[str] = field(default_factory=list)

    def merge(self, other: "UpsertReport") -> None:
        self.added += other.added
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.added_ids += other.added_ids
        self.updated_ids += other.updated_ids


@dataclass(frozen=True)
class Outcome:
    """One contact with a firm about a program."""

    id: int
    firm_id: str
    program_id: str
    status: str
    date: dt.date
    note: str | None
    recorded_by: str
    recorded_at: dt.datetime

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["date"] = self.date.isoformat()
        out["recorded_at"] = self.recorded_at.isoformat()
        return out


@dataclass(frozen=True)
class Coordinator:
    name: str
    role: str
    active: bool = True


def _date(value: dt.date | str | None, what: str = "date") -> dt.date:
    if value is None:
        return dt.date.today()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InputError(what, value, "expected a date as YYYY-MM-DD") from None


def as_datetime(value: Any) -> Any:
    if isinstance(value, dt.datetime) and value.tzinfo is None:  # SQLite keeps no time zone: UTC was written
        return value.replace(tzinfo=dt.timezone.utc)
    return value


class Register:
    """A register of firms on a database.

    Parameters
    ----------
    db : str or path, optional
        A SQLAlchemy URL or a SQLite file (default: ``MATCHER_DB``, else the user's data directory).
    actor : str, optional
        The coordinator who acts: written into every audit row (default: :func:`default_actor`).
    weights : Weights or dict, optional
        The score weights of its matches, call lists and alerts (default: the built-in
        weights; a weights file through :func:`matcher.weights.load_weights`). Matches are
        kept per catalog version *and* weights: a register opened with other weights
        computes (and keeps) its own.
    """

    def __init__(self, db: str | os.PathLike | None = None, *, actor: str | None = None,
                 weights: Weights | Mapping[str, float] | None = None, _check: bool = True):
        self.url = database_url(db)
        self.actor = actor or default_actor()
        self.weights = Weights.coerce(dict(weights) if isinstance(weights, Mapping) else weights)
        self.engine = create_db_engine(self.url, create_dir=not _check)
        if _check:
            check_schema(self.engine)
        self._catalogs: dict[int, Any] = {}
        self._engines: dict[Any, Any] = {}
        self._sets: dict[tuple[int, str], int] = {}  # (catalog version, weights hash) -> its match set

    @classmethod
    def create(cls, db: str | os.PathLike | None = None, *, actor: str | None = None,
               weights: Weights | Mapping[str, float] | None = None) -> "Register":
        """Create the register (or upgrade its schema to this version's) and open it.

        The first coordinator to create it is its admin.
        """
        reg = cls(db, actor=actor, weights=weights, _check=False)
        upgrade(reg.engine)
        with reg.transaction() as conn:
            if conn.execute(sa.select(sa.func.count()).select_from(t.coordinators)).scalar_one() == 0:
                reg._ensure_actor(conn, role="admin")
                reg._audit(conn, "init", "register", None, {"url": reg.engine.url.render_as_string(hide_password=True)})
        return reg

    def as_actor(self, actor: str) -> "Register":
        """The same register (engine, caches) with another coordinator acting: one per HTTP request."""
        other = copy.copy(self)
        other.actor = actor
        return other

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> "Register":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sa.Connection]:
        """A write transaction (on SQLite it takes the write lock at once, so writers queue)."""
        with self.engine.connect() as conn:
            conn.execution_options(immediate=True)
            with conn.begin():
                yield conn

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    # ------------------------------------------------------------------ audit and actors
    def _audit(self, conn: sa.Connection, action: str, entity: str, entity_id: str | None,
               detail: Mapping[str, Any] | None = None, rows: Sequence[dict] | None = None) -> None:
        now = utc_now()
        if rows is not None:
            if rows:
                conn.execute(sa.insert(t.audit), [{"at": now, "actor": self.actor, **r} for r in rows])
            return
        conn.execute(sa.insert(t.audit).values(at=now, actor=self.actor, action=action, entity=entity,
                                               entity_id=entity_id, detail=_jsonable(detail or {})))

    def _ensure_actor(self, conn: sa.Connection, role: str = "coordinator") -> None:
        exists = conn.execute(sa.select(t.coordinators.c.id).where(t.coordinators.c.name == self.actor)).first()
        if exists is None:
            conn.execute(sa.insert(t.coordinators).values(name=self.actor, role=role, created_at=utc_now()))
            self._audit(conn, "add", "coordinator", self.actor, {"role": role})

    def audit_log(self, entity: str | None = None, entity_id: str | None = None, limit: int = 100) -> list[dict]:
        """The newest audit rows first, optionally of one entity (``"firm"``, ``"outcome"``, ...)."""
        q = sa.select(t.audit).order_by(t.audit.c.id.desc()).limit(limit)
        if entity:
            q = q.where(t.audit.c.entity == entity)
        if entity_id:
            q = q.where(t.audit.c.entity_id == entity_id)
        with self.engine.connect() as conn:
            return [{**r._asdict(), "at": as_datetime(r.at)} for r in conn.execute(q)]

    # ------------------------------------------------------------------ coordinators and keys
    def add_coordinator(self, name: str, role: str = "coordinator") -> str:
        """Add a coordinator and return their first API key (shown once; only its hash is stored)."""
        if role not in t.ROLES:
            raise InputError("role", role, f"expected one of {', '.join(t.ROLES)}")
        name = (name or "").strip()
        if not name:
            raise InputError("name", name, "a coordinator needs a name")
        with self.transaction() as conn:
            if conn.execute(sa.select(t.coordinators.c.id).where(t.coordinators.c.name == name)).first():
                raise InputError("name", name, "a coordinator with this name exists; issue them a key instead")
            conn.execute(sa.insert(t.coordinators).values(name=name, role=role, created_at=utc_now()))
            self._audit(conn, "add", "coordinator", name, {"role": role})
            return self._issue_key(conn, name)

    def issue_key(self, name: str) -> str:
        """A new API key for a coordinator (their older keys stay valid until revoked)."""
        with self.transaction() as conn:
            return self._issue_key(conn, name)

    def _issue_key(self, conn: sa.Connection, name: str) -> str:
        cid = conn.execute(sa.select(t.coordinators.c.id).where(t.coordinators.c.name == name)).scalar()
        if cid is None:
            raise InputError("coordinator", name, "no coordinator with this name")
        key = _KEY_PREFIX + secrets.token_urlsafe(32)
        conn.execute(sa.insert(t.api_keys).values(coordinator_id=cid, key_hash=hashlib.sha256(key.encode()).hexdigest(),
                                                  prefix=key[:12], created_at=utc_now()))
        self._audit(conn, "issue_key", "coordinator", name, {"prefix": key[:12]})
        return key

    def revoke_key(self, prefix: str) -> int:
        """Revoke the keys that start with ``prefix`` (at least 8 characters); returns how many."""
        if len(prefix) < 8:
            raise InputError("prefix", prefix, "give at least the key's first 8 characters")
        with self.transaction() as conn:
            n = conn.execute(sa.update(t.api_keys).where(t.api_keys.c.prefix.startswith(prefix[:12]),
                                                         t.api_keys.c.revoked_at.is_(None))
                             .values(revoked_at=utc_now())).rowcount
            self._audit(conn, "revoke_key", "coordinator", None, {"prefix": prefix, "revoked": n})
        return n

    def authenticate(self, key: str | None) -> Coordinator:
        """The coordinator whose key this is; :class:`AuthError` (401) for a missing, unknown or revoked key."""
        if not key:
            raise AuthError("an API key is required (header X-API-Key or Authorization: Bearer)")
        h = hashlib.sha256(key.encode()).hexdigest()
        q = (sa.select(t.coordinators.c.name, t.coordinators.c.role, t.coordinators.c.active, t.api_keys.c.revoked_at)
             .join(t.api_keys, t.api_keys.c.coordinator_id == t.coordinators.c.id).where(t.api_keys.c.key_hash == h))
        with self.engine.connect() as conn:
            row = conn.execute(q).first()
        if row is None or row.revoked_at is not None or not row.active:
            raise AuthError("this API key is unknown or revoked")
        return Coordinator(row.name, row.role, row.active)

    def coordinators(self) -> list[dict[str, Any]]:
        q = (sa.select(t.coordinators.c.name, t.coordinators.c.role, t.coordinators.c.active,
                       sa.func.count(t.api_keys.c.id).label("keys"))
             .outerjoin(t.api_keys, (t.api_keys.c.coordinator_id == t.coordinators.c.id)
                        & t.api_keys.c.revoked_at.is_(None))
             .group_by(t.coordinators.c.id).order_by(t.coordinators.c.name))
        with self.engine.connect() as conn:
            return [r._asdict() for r in conn.execute(q)]

    # ------------------------------------------------------------------ firms
    def _validate(self, item: FirmInput) -> tuple[dict[str, Any], dict[str, Any]]:
        if isinstance(item.profile, CompanyProfile) and item.profile.id == item.firm_id:
            return _profile_json(item.profile), _jsonable(item.kept)  # validated by the reader already
        data = {k: v for k, v in item.profile.items() if v is not None}
        data["id"] = item.firm_id
        return _profile_json(coerce_firm(data)), _jsonable(item.kept)

    def upsert_firms(self, items: Sequence[FirmInput]) -> UpsertReport:
        """Add new firms and update changed ones, by firm id, in one transaction.

        A firm whose profile and kept columns are as stored is left alone (its version
        does not move). Each added or updated firm gets an audit row with what changed.
        Every profile is validated first: one bad firm raises :class:`InputError` and
        nothing of the batch is written.
        """
        prepared = [(it, *self._validate(it)) for it in items]
        for attempt in range(3):  # another importer may insert the same new firm meanwhile: read again
            try:
                with self.transaction() as conn:
                    return self._upsert(conn, prepared)
            except sa.exc.IntegrityError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _upsert(self, conn: sa.Connection, prepared) -> UpsertReport:
        self._ensure_actor(conn)
        ids = [it.firm_id for it, _, _ in prepared]
        q = sa.select(t.firms.c.id, t.firms.c.firm_id, t.firms.c.content_hash, t.firms.c.version, t.firms.c.profile,
                      t.firms.c.kept).where(t.firms.c.firm_id.in_(ids))
        if self.dialect == "postgresql":
            q = q.with_for_update()
        existing = {r.firm_id: r for r in conn.execute(q)}
        now, rep = utc_now(), UpsertReport()
        inserts, audit_rows = [], []
        for it, profile, kept in prepared:
            h = _content_hash(profile, kept)
            old = existing.get(it.firm_id)
            if old is None:
                inserts.append({"firm_id": it.firm_id, "name": profile.get("name"), "prefecture": profile.get("prefecture"),
                                "municipality": profile.get("municipality"), "profile": profile, "kept": kept,
                                "content_hash": h, "source": it.source, "added_by": self.actor, "added_at": now,
                                "updated_by": self.actor, "updated_at": now, "version": 1})
                audit_rows.append({"action": "add", "entity": "firm", "entity_id": it.firm_id,
                                   "detail": {"source": it.source}})
                rep.added += 1
                rep.added_ids.append(it.firm_id)
            elif old.content_hash == h:
                rep.unchanged += 1
            else:
                n = conn.execute(sa.update(t.firms).where(t.firms.c.id == old.id, t.firms.c.version == old.version)
                                 .values(name=profile.get("name"), prefecture=profile.get("prefecture"),
                                         municipality=profile.get("municipality"), profile=profile, kept=kept,
                                         content_hash=h, source=it.source, updated_by=self.actor, updated_at=now,
                                         version=old.version + 1)).rowcount
                if n != 1:
                    raise ConflictError(it.firm_id, old.version, None)
                audit_rows.append({"action": "update", "entity": "firm", "entity_id": it.firm_id,
                                   "detail": {"source": it.source, "version": old.version + 1,
                                              **_diff(old.profile, profile, old.kept, kept)}})
                rep.updated += 1
                rep.updated_ids.append(it.firm_id)
        if inserts:
            conn.execute(sa.insert(t.firms), inserts)
        self._audit(conn, "", "", None, rows=audit_rows)
        return rep

    def update_firm(self, firm_id: str, changes: Mapping[str, Any], *, expected_version: int) -> FirmRecord:
        """Change some fields of a firm read at ``expected_version``; ``None`` removes a field.

        Profile fields are validated again; other names are kept columns. A firm changed
        by someone else since (another version) raises :class:`ConflictError`.
        """
        with self.transaction() as conn:
            self._ensure_actor(conn)
            rec = self._firm(conn, firm_id)
            if rec.version != expected_version:
                raise ConflictError(firm_id, expected_version, rec.version)
            p_changes, k_changes = split_fields(changes)
            if "id" in p_changes and p_changes["id"] != firm_id:
                raise InputError("id", p_changes["id"], "a firm's id cannot be changed")
            profile = {**rec.profile, **p_changes}
            kept = {**rec.kept, **k_changes}
            profile, kept = self._validate(FirmInput(firm_id, profile, {k: v for k, v in kept.items() if v is not None}))
            h = _content_hash(profile, kept)
            n = conn.execute(sa.update(t.firms).where(t.firms.c.id == rec.pk, t.firms.c.version == expected_version)
                             .values(name=profile.get("name"), prefecture=profile.get("prefecture"),
                                     municipality=profile.get("municipality"), profile=profile, kept=kept,
                                     content_hash=h, updated_by=self.actor, updated_at=utc_now(),
                                     version=expected_version + 1)).rowcount
            if n != 1:
                raise ConflictError(firm_id, expected_version, None)
            self._audit(conn, "update", "firm", firm_id,
                        {"version": expected_version + 1, **_diff(rec.profile, profile, rec.kept, kept)})
            return self._firm(conn, firm_id)

    def delete_firm(self, firm_id: str, *, expected_version: int) -> None:
        """Remove a firm, its matches and outcomes (the audit log keeps its last profile)."""
        with self.transaction() as conn:
            self._ensure_actor(conn)
            rec = self._firm(conn, firm_id)
            if rec.version != expected_version:
                raise ConflictError(firm_id, expected_version, rec.version)
            conn.execute(sa.delete(t.matches).where(t.matches.c.firm_pk == rec.pk))  # no foreign key: bulk rows
            conn.execute(sa.delete(t.firms).where(t.firms.c.id == rec.pk, t.firms.c.version == expected_version))
            self._audit(conn, "delete", "firm", firm_id, {"profile": rec.profile, "kept": rec.kept})

    def _firm(self, conn: sa.Connection, firm_id: str) -> FirmRecord:
        row = conn.execute(sa.select(t.firms).where(t.firms.c.firm_id == str(firm_id))).first()
        if row is None:
            close = conn.execute(sa.select(t.firms.c.firm_id).where(t.firms.c.firm_id.startswith(str(firm_id)[:2]))
                                 .limit(500)).scalars().all()
            raise UnknownFirmError(str(firm_id), difflib.get_close_matches(str(firm_id), close, n=5, cutoff=0.5))
        return firm_record(row)

    def firm(self, firm_id: str) -> FirmRecord:
        """One firm by its id; :class:`UnknownFirmError` names the closest ids."""
        with self.engine.connect() as conn:
            return self._firm(conn, firm_id)

    def firms(self, search: str | None = None, *, municipality: str | None = None, limit: int | None = 50,
              offset: int = 0) -> list[FirmRecord]:
        """Firms by id, optionally those whose id or name contains ``search``."""
        q = sa.select(t.firms).order_by(t.firms.c.firm_id).offset(offset)
        q = _filter(q, search, municipality)
        if limit is not None:
            q = q.limit(limit)
        with self.engine.connect() as conn:
            return [firm_record(r) for r in conn.execute(q)]

    def count_firms(self, search: str | None = None, *, municipality: str | None = None) -> int:
        q = _filter(sa.select(sa.func.count()).select_from(t.firms), search, municipality)
        with self.engine.connect() as conn:
            return conn.execute(q).scalar_one()

    def iter_firms(self, batch: int = 2000, *, lean: bool = False) -> Iterable[list[FirmRecord]]:
        """Every firm, ``batch`` at a time, by internal id (memory stays bounded).

        ``lean``: only the id, name and profile are read (kept columns empty, no dates: what
        scoring needs, a third of the reading time of whole records).
        """
        f = t.firms
        cols = (f.c.id, f.c.firm_id, f.c.name, f.c.profile, f.c.version) if lean else (f,)
        last = 0
        while True:
            with self.engine.connect() as conn:
                rows = conn.execute(sa.select(*cols).where(f.c.id > last).order_by(f.c.id).limit(batch)).all()
            if not rows:
                return
            yield ([FirmRecord(r.firm_id, r.name, r.profile, {}, r.version, "", None, "", None, None, r.id) for r in rows]
                   if lean else [firm_record(r) for r in rows])
            last = rows[-1].id

    # ------------------------------------------------------------------ outcomes
    def add_outcome(self, firm_id: str, program_id: str, status: str, *, note: str | None = None,
                    date: dt.date | str | None = None, known_programs: Iterable[str] | None = None) -> Outcome:
        """Record a contact with a firm about a program.

        ``status`` is one of :data:`~matcher.register.schema.STATUSES`; ``date`` (default
        today) cannot be in the future. With ``known_programs``, an unknown program id is an
        error naming the closest ones.
        """
        if status not in t.STATUSES:
            raise UnknownValueError("status", status, f"expected one of {', '.join(t.STATUSES)}",
                                    difflib.get_close_matches(str(status), t.STATUSES, n=3, cutoff=0.4))
        day = _date(date)
        if day > dt.date.today():
            raise InputError("date", day.isoformat(), "an outcome cannot be dated in the future")
        if known_programs is not None:
            known = set(known_programs)
            if program_id not in known:
                raise UnknownValueError("program", program_id, "no program with this id in the register's catalogs",
                                        difflib.get_close_matches(program_id, sorted(known), n=5, cutoff=0.5))
        with self.transaction() as conn:
            self._ensure_actor(conn)
            rec = self._firm(conn, firm_id)
            version_id = conn.execute(sa.select(sa.func.max(t.catalog_versions.c.id))).scalar()
            now = utc_now()
            oid = conn.execute(sa.insert(t.outcomes).values(
                firm_pk=rec.pk, program_id=program_id, status=status, note=note, date=day,
                catalog_version_id=version_id, recorded_by=self.actor, recorded_at=now).returning(t.outcomes.c.id)
            ).scalar_one()
            self._audit(conn, "add", "outcome", firm_id,
                        {"outcome": oid, "program": program_id, "status": status, "date": day.isoformat(), "note": note})
        return Outcome(oid, rec.firm_id, program_id, status, day, note, self.actor, now)

    def history(self, firm_id: str) -> list[Outcome]:
        """A firm's outcomes, oldest first."""
        with self.engine.connect() as conn:
            rec = self._firm(conn, firm_id)
            rows = conn.execute(sa.select(t.outcomes).where(t.outcomes.c.firm_pk == rec.pk)
                                .order_by(t.outcomes.c.date, t.outcomes.c.id)).all()
        return [Outcome(r.id, rec.firm_id, r.program_id, r.status, r.date, r.note, r.recorded_by,
                        as_datetime(r.recorded_at)) for r in rows]

    def last_contacts(self, firm_pks: Sequence[int], program_id: str | None = None) -> dict[int, Outcome]:
        """Each firm's newest outcome (about ``program_id`` if given), by internal id."""
        if not firm_pks:
            return {}
        o = t.outcomes
        q = (sa.select(o, t.firms.c.firm_id).join(t.firms, t.firms.c.id == o.c.firm_pk)
             .where(o.c.firm_pk.in_(list(firm_pks))).order_by(o.c.firm_pk, o.c.date, o.c.id))
        if program_id is not None:
            q = q.where(o.c.program_id == program_id)
        out: dict[int, Outcome] = {}
        with self.engine.connect() as conn:
            for r in conn.execute(q):
                out[r.firm_pk] = Outcome(r.id, r.firm_id, r.program_id, r.status, r.date, r.note, r.recorded_by,
                                         as_datetime(r.recorded_at))
        return out


def _filter(q, search: str | None, municipality: str | None):
    if search:
        like = f"%{search.lower()}%"
        q = q.where(sa.or_(sa.func.lower(t.firms.c.firm_id).like(like), sa.func.lower(t.firms.c.name).like(like)))
    if municipality:
        q = q.where(t.firms.c.municipality == municipality)
    return q


def firm_record(row) -> FirmRecord:
    return FirmRecord(row.firm_id, row.name, dict(row.profile), dict(row.kept), row.version, row.added_by,
                      as_datetime(row.added_at), row.updated_by, as_datetime(row.updated_at), row.source, row.id)


def _diff(old_p: Mapping, new_p: Mapping, old_k: Mapping, new_k: Mapping) -> dict[str, Any]:
    """What changed, field by field, as ``{"changed": {field: [before, after]}}``."""
    changed = {}
    for old, new, prefix in ((old_p, new_p, ""), (old_k, new_k, "kept.")):
        for k in sorted(set(old) | set(new)):
            if old.get(k) != new.get(k):
                changed[prefix + k] = [old.get(k), new.get(k)]
    return {"changed": changed}

