"""``/v1/register/...``: the register over HTTP, as a FastAPI router the service includes.

    from matcher.register.routes import make_router
    app.include_router(make_router(db))          # db: a SQLite file or a SQLAlchemy URL

``matcher serve --db PATH|URL`` (or ``MATCHER_DB``) mounts it in the service. Every route
needs a coordinator's API key (``X-API-Key`` or ``Authorization: Bearer``; ``matcher
register coordinator add NAME`` prints one): a missing or unknown key is 401, a role that
may not do it 403, a concurrent edit of the same firm 409 — each as
``application/problem+json``, in Japanese with ``?lang=ja`` or ``Accept-Language: ja``.
Writes are recorded in the audit log as the key's coordinator.

The routes: ``GET /me``; ``GET /firms`` (paginated, ``search``), ``POST /firms/import`` (a
firm list as the request body, the import report back), ``GET|PATCH|DELETE
/firms/{id}``, ``GET /firms/{id}/matches``, ``GET /firms/{id}/history``; ``POST
/outcomes``; ``GET /programs`` and ``GET /programs/{id}/reach`` (the call list);
``GET /alerts`` (``since=last_visit``: since this coordinator's last ``POST /visits``; each
firm's ``per_firm`` best alerts and a count of the rest, firms paginated by ``limit`` and
``offset``);
``GET /report`` (JSON or ``format=csv``); ``GET|POST /coordinators`` (admins only).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Body, Depends, Query, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi.security import APIKeyHeader
from pydantic import BaseModel, Field

import matcher.register.schema as t
from matcher import MatcherError
from matcher.register.errors import AuthError, ConflictError, NotInitializedError, UnknownFirmError
from matcher.register.store import Register
from matcher.service.i18n import title_in, translate
from matcher.service.problems import PROBLEM_JSON, Problem, request_lang
from profiles import InputError, ProfilesError

__all__ = ["make_router", "problem"]

#: Firm lists the import route reads, by the file name's suffix.
IMPORT_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".jsonl", ".json", ".parquet", ".yaml", ".yml")


def problem(status: int, title: str, detail: str, *, lang: str = "en", instance: str | None = None,
            headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    """A problem+json response, its title and detail in ``lang`` (the service's message table)."""
    body = {"type": "about:blank", "title": title_in(title, lang), "status": status,
            "detail": translate(detail, lang), "lang": lang, **extra}
    if instance is not None:
        body["instance"] = instance
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


class OutcomeIn(BaseModel):
    firm_id: str
    program_id: str
    status: str = Field(description="contacted, interested, applied, awarded, declined or not_relevant.")
    note: str | None = None
    date: dt.date | None = Field(default=None, description="When it happened (default: today).")


class FirmEdit(BaseModel):
    version: int = Field(description="The firm's version as read: a 409 answers an edit of an older one.")
    changes: dict[str, Any] = Field(description="Profile fields or kept columns and their new values.")


class CoordinatorIn(BaseModel):
    name: str
    role: Literal[t.ROLES] = "coordinator"  # type: ignore[valid-type]


def _as_problem(exc: Exception, lang: str, instance: str) -> JSONResponse | None:
    at = {"lang": lang, "instance": instance}
    if isinstance(exc, AuthError):
        if exc.status == 401:
            return problem(401, "Unauthorized", str(exc), headers={"WWW-Authenticate": "Bearer"}, **at)
        return problem(403, "Forbidden", str(exc), **at)
    if isinstance(exc, ConflictError):
        return problem(409, "Conflict", str(exc), firm_id=exc.firm_id, expected_version=exc.expected,
                       current_version=exc.actual, **at)
    if isinstance(exc, UnknownFirmError):
        return problem(404, "Not Found", str(exc), candidates=exc.candidates, **at)
    if isinstance(exc, NotInitializedError):
        return problem(503, "Service Unavailable", str(exc), **at)
    if isinstance(exc, (ProfilesError, MatcherError, ValueError)) and not isinstance(exc, RequestValidationError):
        extra = {"field": exc.field} if isinstance(exc, InputError) else {}
        return problem(422, "Unprocessable Entity", " ".join(str(exc).split()), **extra, **at)
    return None


class _ProblemRoute(APIRoute):
    """Errors of the register, from a route or from its key dependency, as problem+json."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def route(request: Request):
            try:
                return await handler(request)
            except Exception as exc:
                response = _as_problem(exc, request_lang(request), request.url.path)
                if response is None:
                    raise
                return response
        return route


_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, scheme_name="CoordinatorKey",
                           description="A coordinator's key of the register (`matcher register coordinator key NAME`); "
                                       "also accepted as `Authorization: Bearer KEY`.")
_WORDS = {401: "Missing, unknown or revoked coordinator key.", 403: "The coordinator's role may not do this.",
          404: "No such firm or program.", 409: "The firm changed since it was read: read it again.",
          422: "Invalid input: the field and the value."}


def _documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {s: {"model": Problem, "description": _WORDS[s]} for s in (401, *statuses)}


def _program_rows(reg: Register, search: str | None, limit: int, offset: int) -> tuple[int, list[dict[str, Any]]]:
    from matcher.register.catalogs import ensure_catalog

    v = ensure_catalog(reg)
    cp = t.catalog_programs
    q = sa.select(cp.c.program_id, cp.c.name).where(cp.c.version_id == v.id)
    if search:
        like = f"%{search.strip().lower()}%"
        q = q.where(sa.func.lower(cp.c.program_id).like(like) | sa.func.lower(cp.c.name).like(like))
    with reg.engine.connect() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(q.subquery())).scalar_one()
        rows = conn.execute(q.order_by(cp.c.program_id).limit(limit).offset(offset)).all()
    return total, [{"id": r.program_id, "name": r.name, "catalog_version": v.id} for r in rows]


def make_router(db: str | None = None, register: Register | None = None, *,
                max_page_size: int = 500) -> APIRouter:
    """A router over the register at ``db`` (or an open :class:`Register`).

    ``max_page_size`` bounds the ``limit`` of the paginated lists.
    """
    base = register or Register(db)
    page = max(1, int(max_page_size))

    def coordinator(request: Request, key: str | None = Security(_key_header)) -> Register:
        auth = request.headers.get("authorization", "")
        if key is None and auth[:7].lower() == "bearer ":
            key = auth[7:].strip()
        who = base.authenticate(key)
        reg = base.as_actor(who.name)
        reg.role = who.role
        return reg

    def admin(reg: Register = Depends(coordinator)) -> Register:
        if reg.role != "admin":
            raise AuthError(f"only an admin may do this; {reg.actor} is a {reg.role}", 403)
        return reg

    router = APIRouter(prefix="/v1/register", tags=["register"], route_class=_ProblemRoute)

    @router.get("/me", responses=_documented(), summary="The coordinator of the key")
    def me(reg: Register = Depends(coordinator)):
        return {"name": reg.actor, "role": reg.role, "firms": reg.count_firms()}

    @router.get("/firms", responses=_documented(422), summary="Registered firms, paginated and searchable")
    def list_firms(search: str | None = Query(None, description="Part of a firm's id or name."),
                   limit: int = Query(min(50, page), ge=1, le=page), offset: int = Query(0, ge=0),
                   reg: Register = Depends(coordinator)):
        total = reg.count_firms(search)
        return {"total": total, "offset": offset, "limit": limit,
                "next_offset": offset + limit if offset + limit < total else None,
                "firms": [f.to_dict() for f in reg.firms(search, limit=limit, offset=offset)]}

    @router.post("/firms/import", responses=_documented(403, 422), summary="Import a firm list (upsert by firm id)")
    def import_list(request: Request, body: bytes = Body(..., media_type="application/octet-stream",
                                                         description="The file's bytes (CSV in any encoding Excel "
                                                                     "writes, TSV, Excel, JSON Lines, ...)."),
                    filename: str = Query("firms.csv", description="The file's name: its suffix says its format."),
                    encoding: str | None = None, sheet: str | None = None, prefecture: str | None = None,
                    reg: Register = Depends(coordinator)):
        from matcher.register.importer import import_firms

        name = Path(filename).name or "firms.csv"
        suffix = Path(name).suffix.lower()
        if suffix not in IMPORT_SUFFIXES:
            raise InputError("filename", filename, f"expected a firm list ({', '.join(IMPORT_SUFFIXES)})")
        if not body:
            raise InputError("body", None, "the request has no file: send the firm list as the body")
        with tempfile.TemporaryDirectory(prefix="matcher-import-") as tmp:
            path = Path(tmp) / name
            path.write_bytes(body)
            rep = import_firms(reg, path, encoding=encoding, sheet=sheet, prefecture=prefecture)
        out = rep.to_dict()
        out["file"] = name
        return out

    @router.get("/firms/{firm_id}", responses=_documented(404), summary="A firm, its best programs and history")
    def get_firm(firm_id: str, reg: Register = Depends(coordinator)):
        from matcher.register.catalogs import ensure_catalog
        from matcher.register.queries import firm_matches

        firm = reg.firm(firm_id)
        ensure_catalog(reg)  # a register with no catalog yet: the built-in one
        return {**firm.to_dict(), "matches": firm_matches(reg, firm, 20),
                "history": [o.to_dict() for o in reg.history(firm_id)]}

    @router.get("/firms/{firm_id}/matches", responses=_documented(404), summary="A firm's best programs")
    def get_matches(firm_id: str, top: int = Query(min(20, page), ge=1, le=page), reg: Register = Depends(coordinator)):
        from matcher.register.catalogs import ensure_catalog
        from matcher.register.queries import firm_matches

        firm = reg.firm(firm_id)
        ensure_catalog(reg)
        outcomes = reg.history(firm_id)
        latest: dict[str, dict] = {}
        for o in sorted(outcomes, key=lambda o: (o.date, o.to_dict().get("recorded_at") or "")):
            latest[o.program_id] = o.to_dict()
        return {"firm_id": firm.firm_id, "version": firm.version,
                "matches": [{**m, "last_outcome": latest.get(m["program_id"])} for m in firm_matches(reg, firm, top)]}

    @router.get("/firms/{firm_id}/history", responses=_documented(404), summary="A firm's outcomes and changes")
    def get_history(firm_id: str, limit: int = Query(min(100, page), ge=1, le=page), reg: Register = Depends(coordinator)):
        reg.firm(firm_id)
        return {"firm_id": firm_id, "outcomes": [o.to_dict() for o in reg.history(firm_id)],
                "changes": reg.audit_log("firm", firm_id, limit=limit)}

    @router.patch("/firms/{firm_id}", responses=_documented(404, 409, 422), summary="Edit a firm (optimistic)")
    def edit_firm(firm_id: str, body: FirmEdit, reg: Register = Depends(coordinator)):
        return reg.update_firm(firm_id, body.changes, expected_version=body.version).to_dict()

    @router.delete("/firms/{firm_id}", responses=_documented(403, 404, 409), summary="Delete a firm (admins)")
    def delete_firm(firm_id: str, version: int, reg: Register = Depends(admin)):
        reg.delete_firm(firm_id, expected_version=version)
        return {"deleted": firm_id}

    @router.post("/outcomes", status_code=201, responses=_documented(404, 422), summary="Record an outcome")
    def add_outcome(body: OutcomeIn, reg: Register = Depends(coordinator)):
        from matcher.register.catalogs import ensure_catalog, program_ids

        ensure_catalog(reg)
        o = reg.add_outcome(body.firm_id, body.program_id, body.status, note=body.note, date=body.date,
                            known_programs=program_ids(reg))
        return JSONResponse(o.to_dict(), status_code=201)

    @router.get("/programs", responses=_documented(), summary="The programs of the register's newest catalog")
    def list_programs(search: str | None = None, limit: int = Query(min(50, page), ge=1, le=page), offset: int = Query(0, ge=0),
                      reg: Register = Depends(coordinator)):
        total, items = _program_rows(reg, search, limit, offset)
        return {"total": total, "offset": offset, "limit": limit,
                "next_offset": offset + limit if offset + limit < total else None, "items": items}

    @router.get("/programs/{program_id}/reach", responses=_documented(422), summary="A program's call list")
    def program_reach(program_id: str, top: int = Query(min(20, page), ge=1, le=page), as_of: dt.date | None = None,
                      skip_contacted: bool = False, lang: str = "en", reg: Register = Depends(coordinator)):
        from matcher.register.queries import reach

        return {"program": program_id, "hits": [h.to_dict() for h in reach(
            reg, program_id, top=top, as_of=as_of, skip_contacted=skip_contacted, lang=lang)]}

    alerts_cache: dict[tuple, Any] = {}  # the newest question asked, to page through its firms

    @router.get("/alerts", responses=_documented(422), summary="What is new for the firms")
    def get_alerts(since: str | None = Query(None, description="A catalog version (id or hash), a date, or "
                                                                "last_visit: since this coordinator's last visit."),
                   closing_within: int | None = Query(None, ge=0), as_of: dt.date | None = None,
                   per_firm: int = Query(min(10, page), ge=1, le=page,
                                         description="Each firm's best alerts by score; `more` counts the rest."),
                   limit: int = Query(min(50, page), ge=1, le=page, description="Firms per page."),
                   offset: int = Query(0, ge=0), reg: Register = Depends(coordinator)):
        from matcher import parse_as_of
        from matcher.register.catalogs import ensure_catalog, weights_hash
        from matcher.register.queries import alerts
        from matcher.register.visits import last_visit

        visit = last_visit(reg) if since == "last_visit" else None
        page_of = {"total": 0, "offset": offset, "limit": limit, "next_offset": None, "alerts": 0, "by_kind": {}}
        if since == "last_visit":
            since = str(visit["catalog_version"]) if visit and visit.get("catalog_version") else None
            cur = ensure_catalog(reg)
            if since == str(cur.id):  # seen already: nothing can be new but what closes soon
                return {"catalog_version": cur.id, "since_version": cur.id, "last_visit": visit, **page_of, "firms": []}
        # every change of what alerts depend on (firms, outcomes, catalog versions) writes an audit row
        with reg.engine.connect() as conn:
            state = conn.execute(sa.select(sa.func.max(t.audit.c.id))).scalar()
        key = (since, closing_within, parse_as_of(as_of), per_firm, weights_hash(reg.weights), state)
        hit = alerts_cache.get(key)
        if hit is None:
            hit = alerts(reg, since=since, closing_within=closing_within, as_of=as_of, per_firm=per_firm)
            alerts_cache.clear()
            alerts_cache[key] = hit
        cur, prev, found = hit
        by_kind: dict[str, int] = {}
        for f in found:
            for a in f.alerts:
                by_kind[a.kind] = by_kind.get(a.kind, 0) + 1
            for k, n in f.more_by_kind.items():
                by_kind[k] = by_kind.get(k, 0) + n
        page_of.update(total=len(found), alerts=sum(by_kind.values()), by_kind=by_kind,
                       next_offset=offset + limit if offset + limit < len(found) else None)
        return {"catalog_version": cur.id, "since_version": prev.id if prev else None, "last_visit": visit,
                **page_of, "firms": [f.to_dict() for f in found[offset:offset + limit]]}

    @router.post("/visits", status_code=201, responses=_documented(), summary="Record that the alerts were seen")
    def add_visit(reg: Register = Depends(coordinator)):
        from matcher.register.catalogs import ensure_catalog
        from matcher.register.visits import record_visit

        return JSONResponse(jsonable(record_visit(reg, ensure_catalog(reg).id)), status_code=201)

    @router.get("/report", responses=_documented(422), summary="Outcomes per program or coordinator")
    def get_report(by: str = "program", since: dt.date | None = None, until: dt.date | None = None,
                   format: Literal["json", "csv"] = "json", reg: Register = Depends(coordinator)):
        from matcher.register.queries import report

        rows = report(reg, by=by, since=since, until=until)
        if format == "json":
            return {"by": by, "rows": rows}
        out = io.StringIO()
        header = list(rows[0]) if rows else [by]
        w = csv.DictWriter(out, fieldnames=header, lineterminator="\r\n")
        w.writeheader()
        w.writerows(rows)
        return Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="register-report-{by}.csv"'})

    @router.get("/coordinators", responses=_documented(403), summary="The coordinators (admins)")
    def list_coordinators(reg: Register = Depends(admin)):
        return {"coordinators": jsonable(reg.coordinators())}

    @router.post("/coordinators", status_code=201, responses=_documented(403, 422),
                 summary="Add a coordinator (admins): their key, shown once")
    def add_coordinator(body: CoordinatorIn, reg: Register = Depends(admin)):
        key = reg.add_coordinator(body.name, role=body.role)
        return JSONResponse({"name": body.name.strip(), "role": body.role, "key": key}, status_code=201)

    return router


def jsonable(value: Any) -> Any:
    """Dates and times as ISO text, inside lists and dicts."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value

