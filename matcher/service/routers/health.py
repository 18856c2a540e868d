"""``/healthz``, ``/readyz``, and the coordinators' page at ``/`` with its ``/static`` files."""

# No ``from __future__ import annotations``: FastAPI reads the routes' annotations, some of
# them request models built per service (local names that a string annotation could not find).

from pathlib import Path

from fastapi import APIRouter, FastAPI
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.staticfiles import StaticFiles

from matcher.service.deps import json_response, problems
from matcher.service.problems import ProblemError
from matcher.service.schemas import Health, Ready
from matcher.service.state import EngineSlot

__all__ = ["STATIC_DIR", "mount_static", "router"]

#: The coordinators' page: ``GET /`` serves its ``index.html`` (a placeholder page while it
#: is missing), ``/static/`` the directory.
STATIC_DIR = Path(__file__).resolve().parents[1] / "static"

_PLACEHOLDER = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>shien-matcher</title></head>
<body><h1>shien-matcher</h1><p>The coordinators' page is not installed. The API is described at
<a href="/docs">/docs</a>.</p></body></html>
"""


def router(slot: EngineSlot) -> APIRouter:
    """The health probes and the page (outside ``/v1``: no API key)."""
    router = APIRouter()

    @router.get("/healthz", response_model=Health, tags=["health"], summary="The process is alive")
    async def healthz() -> Response:
        return json_response({"status": "ok"})

    @router.get("/readyz", response_model=Ready, tags=["health"], responses=problems(503),
                 summary="The engine is loaded: version, catalog hash, programs")
    async def readyz() -> Response:
        loaded = slot.current
        if loaded is None:  # pragma: no cover - the slot is filled before the app exists
            raise ProblemError(503, "the engine is not loaded yet")
        return json_response(loaded.facts())

    @router.get("/", include_in_schema=False)
    async def index() -> Response:
        path = STATIC_DIR / "index.html"
        if path.exists():
            return FileResponse(path, media_type="text/html")
        return Response(_PLACEHOLDER, media_type="text/html")

    @router.get("/programs/{program_id}", include_in_schema=False)
    async def program_page(program_id: str, lang: str | None = None) -> Response:
        """A program's page: the page's detail view (``?program=ID``), by a relative address,
        so that it works behind a proxy's prefix too."""
        from urllib.parse import urlencode

        query = {"program": program_id, **({"lang": lang} if lang in ("en", "ja") else {})}
        return RedirectResponse(f"../?{urlencode(query)}", status_code=307)

    return router


def mount_static(app: FastAPI) -> None:
    """Serve the page's files at ``/static`` (when they are installed)."""
    if STATIC_DIR.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
