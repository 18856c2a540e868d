"""``/v1/register/...``: the register over HTTP, as a FastAPI router the service includes.

    from matcher.register.routes import make_router
    app.include_router(make_router(db))          # db: a SQLite file or a SQLAlchemy URL

Every route needs a coordinator's API key (``X-API-Key`` or ``Authorization: Bearer``): a
missing or unknown key is 401, a role that may not do it 403, a concurrent edit of the same
firm 409 — each as ``application/problem+json``. Writes are recorded in the audit log as
the key's coordinator.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from profiles import InputError, ProfilesError
from matcher.register.errors import AuthError, ConflictError, UnknownFirmError
from matcher.register.store import Register

__all__ = ["make_router", "problem"]


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"type": "about:blank", "title": title, "status": status, "detail": detail, **extra},
                        status_code=status, media_type="application/problem+json")


class OutcomeIn(BaseModel):
    firm_id: str
    program_id: str
    status: str
    note: str | None = None
    date: dt.date | None = None


class FirmEdit(BaseModel):
    version: int
    changes: dict[str, Any]


def _as_problem(exc: Exception) -> JSONResponse | None:
    if isinstance(exc, AuthError):
        return problem(exc.status, "Unauthorized" if exc.status == 401 else "Forbidden", str(exc))
    if isinstance(exc, ConflictError):
        return problem(409, "Conflict", str(exc), firm_id=exc.firm_id, expected_version=exc.expected)
    if isinstance(exc, UnknownFirmError):
        return problem(404, "Not Found", str(exc), candidates=exc.candidates)
    if isinstance(exc, (ProfilesError, ValueError)) and not isinstance(exc, RequestValidationError):
        extra = {"field": exc.field} if isinstance(exc, InputError) else {}
        return problem(422, "Unprocessable Entity", " ".join(str(exc).split()), **extra)
    return None


class _ProblemRoute(APIRoute):
    """Errors of the register, from a route or from its key dependency, as problem+json."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def route(request: Request):
            try:
                return await handler(request)
            except Exception as exc:
                response = _as_problem(exc)
                if response is None:
                    raise
                return response
        return route


def make_router(db: str | None = None, register: Register | None = None) -> APIRouter:
    """A router over the register at ``db`` (or an open :class:`Register`)."""
    base = register or Register(db)

    def coordinator(request: Request, x_api_key: str | None = Header(default=None),
                    authorization: str | None = Header(default=None)) -> Register:
        key = x_api_key or (authorization[7:].strip() if authorization and authorization.lower().startswith("bearer ")
                            else None)
        who = base.authenticate(key)
        reg = base.as_actor(who.name)
        reg.role = who.role
        return reg

    router = APIRouter(prefix="/v1/register", tags=["register"], route_class=_ProblemRoute)

    @router.get("/firms")
    def list_firms(search: str | None = None, limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0),
                   reg: Register = Depends(coordinator)):
        return {"total": reg.count_firms(search), "offset": offset, "limit": limit,
                "firms": [f.to_dict() for f in reg.firms(search, limit=limit, offset=offset)]}

    @router.get("/firms/{firm_id}")
    def get_firm(firm_id: str, reg: Register = Depends(coordinator)):
        from matcher.register.queries import firm_matches

        firm = reg.firm(firm_id)
        return {**firm.to_dict(), "matches": firm_matches(reg, firm, 20),
                "history": [o.to_dict() for o in reg.history(firm_id)]}

    @router.patch("/firms/{firm_id}")
    def edit_firm(firm_id: str, body: FirmEdit, reg: Register = Depends(coordinator)):
        return reg.update_firm(firm_id, body.changes, expected_version=body.version).to_dict()

    @router.delete("/firms/{firm_id}")
    def delete_firm(firm_id: str, version: int, reg: Register = Depends(coordinator)):
        if reg.role != "admin":
            raise AuthError("only an admin may delete a firm", 403)
        reg.delete_firm(firm_id, expected_version=version)
        return {"deleted": firm_id}

    @router.post("/outcomes", status_code=201)
    def add_outcome(body: OutcomeIn, reg: Register = Depends(coordinator)):
        from matcher.register.catalogs import ensure_catalog, program_ids

        ensure_catalog(reg)
        o = reg.add_outcome(body.firm_id, body.program_id, body.status, note=body.note, date=body.date,
                            known_programs=program_ids(reg))
        return JSONResponse(o.to_dict(), status_code=201)

    @router.get("/programs/{program_id}/reach")
    def program_reach(program_id: str, top: int = Query(20, ge=1, le=500), as_of: dt.date | None = None,
                      skip_contacted: bool = False, lang: str = "en", reg: Register = Depends(coordinator)):
        from matcher.register.queries import reach

        return {"program": program_id, "hits": [h.to_dict() for h in reach(
            reg, program_id, top=top, as_of=as_of, skip_contacted=skip_contacted, lang=lang)]}

    @router.get("/alerts")
    def get_alerts(since: str | None = None, closing_within: int | None = Query(None, ge=0),
                   as_of: dt.date | None = None, reg: Register = Depends(coordinator)):
        from matcher.register.queries import alerts

        cur, prev, found = alerts(reg, since=since, closing_within=closing_within, as_of=as_of)
        return {"catalog_version": cur.id, "since_version": prev.id if prev else None,
                "firms": [f.to_dict() for f in found]}

    @router.get("/report")
    def get_report(by: str = "program", since: dt.date | None = None, until: dt.date | None = None,
                   reg: Register = Depends(coordinator)):
        from matcher.register.queries import report

        return {"by": by, "rows": report(reg, by=by, since=since, until=until)}

    return router

