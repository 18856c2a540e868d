"""Catalog versions in the register, and the matches computed per catalog version and weights.

A catalog is stored once per content hash with each program's own hash and JSON, so any
version can be rebuilt (and an engine fitted on it) without its files. Matches belong to a
match set: a catalog version scored with the register's weights (:func:`match_set`, keyed
by :func:`weights_hash`). ``refresh_matches`` computes, for every firm whose matches in the
set are missing or older than the firm, its eligible
programs (with scores and ranks) and its possible ones (a fact missing, with the score
they would have), chunk by chunk, each chunk one transaction written in bulk.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlalchemy as sa

from profiles import Catalog, ClusterProject, InputError, Municipality, SupportProgram, UnknownValueError
import matcher.register.schema as t
from matcher.register.store import Register, as_datetime, utc_now
from matcher.weights import Weights

__all__ = ["CatalogVersion", "add_catalog", "ensure_catalog", "latest_version", "versions", "resolve_version",
           "catalog_of", "engine_of", "match_set", "weights_hash", "refresh_matches", "program_hash", "program_ids", "load_checked",
           "position_of", "match_arrays", "up_to_date"]


@dataclass(frozen=True)
class CatalogVersion:
    id: int
    content_hash: str
    origin: str | None
    n_programs: int
    imported_at: dt.datetime
    imported_by: str
    new: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "content_hash": self.content_hash, "origin": self.origin, "n_programs": self.n_programs,
                "imported_at": self.imported_at.isoformat(), "imported_by": self.imported_by}


def program_hash(p: SupportProgram) -> str:
    """A program's content hash: it changes when anything of the program does."""
    blob = json.dumps(p.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def load_checked(path: str | None) -> Catalog:
    """A catalog directory (``None``: the built-in catalog), its rules checked as ``matcher`` does."""
    from rules import load_checked_catalog

    return load_checked_catalog(path)


def _version(row, new: bool = False) -> CatalogVersion:
    return CatalogVersion(row.id, row.content_hash, row.origin, row.n_programs, as_datetime(row.imported_at),
                          row.imported_by, new)


def add_catalog(reg: Register, catalog: Catalog) -> CatalogVersion:
    """Store a catalog as a new version, or return the version with the same content."""
    with reg.transaction() as conn:
        row = conn.execute(sa.select(t.catalog_versions).where(t.catalog_versions.c.content_hash == catalog.hash)).first()
        if row is not None:
            return _version(row)
        reg._ensure_actor(conn)
        extra = {"municipalities": [m.model_dump(mode="json") for m in catalog.municipalities],
                 "clusters": [c.model_dump(mode="json") for c in catalog.clusters]}
        vid = conn.execute(sa.insert(t.catalog_versions).values(
            content_hash=catalog.hash, origin=str(catalog.origin or "")[:500] or None, n_programs=len(catalog.programs),
            imported_at=utc_now(), imported_by=reg.actor, extra=extra).returning(t.catalog_versions.c.id)).scalar_one()
        conn.execute(sa.insert(t.catalog_programs), [
            {"version_id": vid, "position": i, "program_id": p.id, "content_hash": program_hash(p), "name": p.name[:500],
             "valid_from": p.valid_from, "valid_until": p.valid_until, "application_deadline": p.application_deadline,
             "data": p.model_dump(mode="json")} for i, p in enumerate(catalog.programs)])
        reg._audit(conn, "add", "catalog", str(vid), {"content_hash": catalog.hash, "origin": catalog.origin,
                                                       "programs": len(catalog.programs)})
        row = conn.execute(sa.select(t.catalog_versions).where(t.catalog_versions.c.id == vid)).one()
    reg._catalogs[vid] = catalog  # what catalog_of would rebuild from the rows just written (seconds for 1,720)
    return _version(row, new=True)


def versions(reg: Register) -> list[CatalogVersion]:
    """Every catalog version, oldest first."""
    with reg.engine.connect() as conn:
        return [_version(r) for r in conn.execute(sa.select(t.catalog_versions).order_by(t.catalog_versions.c.id))]


def latest_version(reg: Register) -> CatalogVersion | None:
    with reg.engine.connect() as conn:
        row = conn.execute(sa.select(t.catalog_versions).order_by(t.catalog_versions.c.id.desc()).limit(1)).first()
    return _version(row) if row else None


def ensure_catalog(reg: Register, path: str | None = None) -> CatalogVersion:
    """The version of the catalog at ``path`` (imported if new); without ``path``, the newest
    version, or the built-in catalog when the register has none yet."""
    if path is None:
        v = latest_version(reg)
        if v is not None:
            return v
    return add_catalog(reg, load_checked(path))


def resolve_version(reg: Register, ref: str | int | dt.date | None) -> CatalogVersion | None:
    """A version by id (``3``), content hash or its first characters, or date (the newest
    version imported on or before that day). ``None`` gives ``None``."""
    if ref is None:
        return None
    vs = versions(reg)
    text = ref.isoformat() if isinstance(ref, dt.date) else str(ref).strip()
    if text.isdigit():
        for v in vs:
            if v.id == int(text):
                return v
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        day = None
    if day is not None:
        before = [v for v in vs if v.imported_at.date() <= day]
        if not before:
            raise InputError("since", text, "no catalog version was imported on or before this day")
        return before[-1]
    hits = [v for v in vs if len(text) >= 4 and v.content_hash.startswith(text)]
    if len(hits) == 1:
        return hits[0]
    raise UnknownValueError("since", text, "expected a catalog version's id, content hash or a date (YYYY-MM-DD)",
                            [str(v.id) for v in vs][-5:])


def catalog_of(reg: Register, version_id: int) -> Catalog:
    """The catalog of a version, rebuilt from the register (kept for the register's lifetime)."""
    if version_id not in reg._catalogs:
        with reg.engine.connect() as conn:
            v = conn.execute(sa.select(t.catalog_versions).where(t.catalog_versions.c.id == version_id)).first()
            if v is None:
                raise InputError("catalog", version_id, "no such catalog version in the register")
            rows = conn.execute(sa.select(t.catalog_programs.c.data).where(t.catalog_programs.c.version_id == version_id)
                                .order_by(t.catalog_programs.c.position)).scalars().all()
        cat = Catalog(programs=tuple(SupportProgram.model_validate(d) for d in rows),
                      municipalities=tuple(Municipality.model_validate(m) for m in v.extra.get("municipalities", [])),
                      clusters=tuple(ClusterProject.model_validate(c) for c in v.extra.get("clusters", [])),
                      origin=v.origin or f"register catalog version {version_id}")
        reg._catalogs[version_id] = cat
    return reg._catalogs[version_id]


def weights_hash(weights: Weights | dict | None) -> str:
    """A short hash of score weights: what a match set is keyed by, beside its catalog version.

    The same weights give the same hash however they are written (``1`` and ``1.0``, any
    order); any other value of any component gives another.

    >>> weights_hash(None) == weights_hash(Weights().as_dict())
    True
    >>> weights_hash({"locality": 0.5}) == weights_hash(None)
    False
    """
    w = Weights.coerce(dict(weights) if isinstance(weights, dict) else weights).as_dict()
    blob = json.dumps({k: float(v) for k, v in w.items()}, sort_keys=True)
    return hashlib.sha256(blob.encode("ascii")).hexdigest()[:16]


def engine_of(reg: Register, version_id: int, **params: Any):
    """A :class:`~matcher.MatchEngine` fitted on a version's catalog, scoring with the register's
    weights (fitted once per register object, and once per catalog content and weights in the
    user's cache)."""
    from matcher.cache import fitted_catalog_engine

    if reg.weights != Weights():  # the default weights keep the engine `rank --catalog` caches
        params = {"weights": reg.weights.as_dict(), **params}
    key = (version_id, tuple(sorted((k, repr(v)) for k, v in params.items())))
    if key not in reg._engines:  # seconds for 1,720 programs when not in the cache
        if version_id in reg._catalogs:
            reg._engines[key] = fitted_catalog_engine(reg._catalogs[version_id], **params)
        else:  # the version's hash is its catalog's: the programs are rebuilt from their rows only to fit
            with reg.engine.connect() as conn:
                h = conn.execute(sa.select(t.catalog_versions.c.content_hash)
                                 .where(t.catalog_versions.c.id == version_id)).scalar()
            if h is None:
                raise InputError("catalog", version_id, "no such catalog version in the register")
            reg._engines[key] = fitted_catalog_engine(lambda: catalog_of(reg, version_id), catalog_hash=h, **params)
    return reg._engines[key]


def match_set(reg: Register, version: CatalogVersion | int) -> int:
    """The id of the match set of a catalog version scored with the register's weights (created if new).

    Matches are stored per match set: a register opened with other weights (a file that
    ``matcher register learn`` wrote, say) never serves matches computed with these.
    """
    vid = version if isinstance(version, int) else version.id
    h = weights_hash(reg.weights)
    if (vid, h) in reg._sets:
        return reg._sets[(vid, h)]
    s = t.match_sets
    find = sa.select(s.c.id).where(s.c.version_id == vid, s.c.weights_hash == h)
    with reg.engine.connect() as conn:
        sid = conn.execute(find).scalar()
    if sid is None:
        try:
            with reg.transaction() as conn:  # SQLite: under the write lock; PostgreSQL: a racing insert fails
                sid = conn.execute(find).scalar()
                if sid is None:
                    sid = conn.execute(sa.insert(s).values(
                        version_id=vid, weights_hash=h, weights={k: float(v) for k, v in reg.weights.as_dict().items()},
                        created_at=utc_now()).returning(s.c.id)).scalar_one()
        except sa.exc.IntegrityError:  # another request created it meanwhile
            with reg.engine.connect() as conn:
                sid = conn.execute(find).scalar_one()
    reg._sets[(vid, h)] = sid
    return sid


def program_ids(reg: Register) -> set[str]:
    """Every program id of every catalog version in the register."""
    with reg.engine.connect() as conn:
        return set(conn.execute(sa.select(t.catalog_programs.c.program_id).distinct()).scalars())


def up_to_date(conn: sa.Connection, set_id: int) -> bool:
    """Whether every firm has matches in match set ``set_id`` computed at its current version.

    Exact, from two covering indexes: a firm's runs are deleted with it and record a
    version it had (versions only grow), so the runs' count and sum of firm versions equal
    the firms' only when every firm has a run at its current version.
    """
    f, r = t.firms, t.match_runs
    runs = r.c.set_id == set_id
    row = conn.execute(sa.select(
        sa.select(sa.func.count()).select_from(f).scalar_subquery(),
        sa.select(sa.func.coalesce(sa.func.sum(f.c.version), 0)).scalar_subquery(),
        sa.select(sa.func.count()).select_from(r).where(runs).scalar_subquery(),
        sa.select(sa.func.coalesce(sa.func.sum(r.c.firm_version), 0)).where(runs).scalar_subquery())).one()
    return row[0] == row[2] and row[1] == row[3]


def _stale(conn: sa.Connection, set_id: int, after: int, limit: int):
    f, r = t.firms, t.match_runs
    q = (sa.select(f.c.id, f.c.version, f.c.profile, r.c.firm_pk.label("run"))
         .outerjoin(r, (r.c.firm_pk == f.c.id) & (r.c.set_id == set_id))
         .where(f.c.id > after, sa.or_(r.c.firm_pk.is_(None), r.c.firm_version != f.c.version))
         .order_by(f.c.id).limit(limit))
    return conn.execute(q).all()


def position_of(reg: Register, version_id: int, program_id: str) -> int:
    """A program's position in a catalog version (how ``matches`` names it); an unknown id names the closest."""
    engine = engine_of(reg, version_id)
    for j, p in enumerate(engine.programs_):
        if p.id == program_id:
            return j
    engine.program(program_id)  # raises with the closest ids
    raise AssertionError("unreachable")


def match_arrays(engine, prepared) -> dict[str, np.ndarray]:
    """Every eligible and possible (firm row, program position) pair of a prepared chunk, as columns.

    ``row``, ``position``, ``eligible``, ``score`` (rounded to 6 places, as the engine's
    hits), ``rank`` (1 = the firm's best eligible program; 0 for possible ones). The score of
    a possible pair is the one it would have once eligible, computed from the same
    components, so that a call list can take the best possible firms without scoring all.
    """
    from rules import UNKNOWN

    from matcher.features import components
    from matcher.weights import COMPONENTS

    n_prog = max(engine.n_programs_, 1)
    idx, scores = engine.match(prepared, top=n_prog)
    ei, ek = np.nonzero(idx >= 0)
    elig = engine.eligibility_.evaluate(prepared.facts)
    ui, uj = np.nonzero(elig == UNKNOWN)
    u_score = np.zeros(len(ui), np.float32)
    if len(ui):
        cols = np.unique(uj)
        comps = components(engine.program_features_, prepared.features, prepared.facts, prepared.text,
                           engine.program_text_.T, cols, program_rows=engine.program_text_)
        w = engine.weights_.as_dict()
        total = np.zeros_like(comps["text"])
        for name in COMPONENTS:  # the engine's sum, in its order
            total += np.float32(w[name]) * comps[name]
        u_score = total[ui, np.searchsorted(cols, uj)]
    out = {"row": np.concatenate([ei, ui]), "position": np.concatenate([idx[ei, ek], uj]),
           "eligible": np.concatenate([np.ones(len(ei), bool), np.zeros(len(ui), bool)]),
           "score": np.round(np.concatenate([scores[ei, ek], u_score]).astype(np.float64), 6),
           "rank": np.concatenate([ek + 1, np.zeros(len(ui), np.int64)])}
    order = np.lexsort((out["position"], out["row"]))  # the primary key's order: appended, not scattered
    return {k: v[order] for k, v in out.items()}


def refresh_matches(reg: Register, version: CatalogVersion | int, *, as_of: dt.date | str | None = None,
                    chunk_size: int = 2000, progress=None) -> int:
    """Compute the matches of every firm whose matches at ``version``, scored with the
    register's weights (its :func:`match_set`), are missing or out of date (the firm changed
    since); returns how many firms were matched.

    Each chunk of firms is one transaction: its old matches are replaced by the new ones,
    written in bulk (:func:`matcher.register.bulk.insert_rows`). A firm edited while its
    chunk was scored keeps its old version number in ``match_runs`` and is matched again
    next time. Two requests refreshing the same match set at once (a page asking for a firm
    and its matches together) are serialized: the second replaces the first's rows.
    """
    from matcher import parse_as_of
    from matcher.register.bulk import insert_rows

    vid = version if isinstance(version, int) else version.id
    sid = match_set(reg, vid)
    day = parse_as_of(as_of)
    done, after = 0, 0
    with reg.engine.connect() as conn:
        if up_to_date(conn, sid):  # the common case of a call list: nothing to compute, two index reads
            return 0
    engine = engine_of(reg, vid)
    while True:
        with reg.engine.connect() as conn:
            rows = _stale(conn, sid, after, chunk_size)
        if not rows:
            return done
        after = rows[-1].id
        cols = match_arrays(engine, engine.prepare([r.profile for r in rows], as_of=day))
        pks = np.array([r.id for r in rows], np.int64)
        now = utc_now()
        with reg.transaction() as conn:
            # One refresh of a match set at a time (PostgreSQL: its row locked; SQLite: the write lock), and
            # the chunk's matches replaced, also those a concurrent request wrote since they were read.
            conn.execute(sa.select(t.match_sets.c.id).where(t.match_sets.c.id == sid).with_for_update())
            chunk = pks.tolist()
            conn.execute(sa.delete(t.matches).where(t.matches.c.set_id == sid, t.matches.c.firm_pk.in_(chunk)))
            conn.execute(sa.delete(t.match_runs).where(t.match_runs.c.set_id == sid, t.match_runs.c.firm_pk.in_(chunk)))
            live = set(conn.execute(sa.select(t.firms.c.id).where(t.firms.c.id.in_(chunk))).scalars())
            keep = np.isin(pks[cols["row"]], np.fromiter(live, np.int64, len(live)))  # not deleted meanwhile
            firm_pk = pks[cols["row"][keep]].tolist()
            rank = [r or None for r in cols["rank"][keep].tolist()]
            insert_rows(conn, t.matches, ("set_id", "firm_pk", "position", "eligible", "score", "rank"),
                        zip([sid] * len(firm_pk), firm_pk, cols["position"][keep].tolist(),
                            cols["eligible"][keep].tolist(), cols["score"][keep].tolist(), rank))
            runs = [{"set_id": sid, "firm_pk": r.id, "firm_version": r.version, "as_of": day, "computed_at": now}
                    for r in rows if r.id in live]
            if runs:
                conn.execute(sa.insert(t.match_runs), runs)
        done += len(rows)
        if progress is not None:
            progress(done)
