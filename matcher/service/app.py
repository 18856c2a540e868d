"""The FastAPI application: :func:`create_app` builds it from :class:`Settings`.

>>> from fastapi.testclient import TestClient
>>> client = TestClient(create_app(Settings()))
>>> client.get("/healthz").json()
{'status': 'ok'}
>>> r = client.post("/v1/rank", json={"firm": {"municipality": "Hamura", "prefecture": "Tokyo"}, "top": 2})
>>> r.status_code, len(r.json()["schemes"])
(200, 2)
"""


import asyncio
import contextlib
import datetime as dt
import hmac
import json
import logging
import os
import signal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Path as PathParam, Query, Request, Security
from fastapi.openapi.utils import get_openapi
from fastapi.security import APIKeyHeader
from starlette.concurrency import run_in_threadpool
from starlette.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles

from matcher.results import Ranking
from matcher.service.limits import BodyLimit
from matcher.service.lookup import (
    filter_programs,
    municipality_detail,
    municipality_summary,
    program_summary,
    search_municipalities,
    vocabulary,
)
from matcher.service.problems import PROBLEM_JSON, Problem, ProblemError, input_problem, install_problem_handlers
from matcher.service.schemas import (
    KITA_PRESS,
    Health,
    MunicipalityDetail,
    MunicipalityPage,
    ProgramPage,
    RankManyResponse,
    ReachResponse,
    Ready,
    Reloaded,
    Vocabulary,
    request_models,
)
from matcher.service.settings import Settings
from matcher.service.state import EngineSlot, package_version
from profiles.errors import CatalogError, InputError
from profiles.geography import gazetteer
from profiles.models import PROGRAM_KINDS, SupportProgram
from profiles.needs import resolve_need

if TYPE_CHECKING:  # pragma: no cover
    from matcher.engine import MatchEngine

__all__ = ["create_app", "app_from_env", "configure_logging", "STATIC_DIR"]

logger = logging.getLogger("matcher.service")

#: The coordinators' page: ``GET /`` serves its ``index.html`` (a placeholder page while it
#: is missing), ``/static/`` the directory.
STATIC_DIR = Path(__file__).resolve().parent / "static"
#: Catalogs up to this many programs are ranked on the event loop (see the ``rank`` route).
INLINE_RANK_PROGRAMS = 2000

_PLACEHOLDER = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>shien-matcher</title></head>
<body><h1>shien-matcher</h1><p>The coordinators' page is not installed. The API is described at
<a href="/docs">/docs</a>.</p></body></html>
"""

ProgramKind = Literal[PROGRAM_KINDS]  # type: ignore[valid-type]


def _json(data: Any, status: int = 200) -> Response:
    """A JSON response of ``data`` as it is (already JSON-ready), compact, UTF-8."""
    return Response(json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":")),
                    status_code=status, media_type="application/json")


def _problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The problem responses a route documents."""
    words = {400: "Malformed request (bad Content-Length).", 401: "Missing or wrong API key or token.",
             403: "Refused: the route is disabled.", 404: "No such id.", 413: "Request body over the limit.",
             422: "Invalid input: each bad field with its path and value.", 503: "The engine is not loaded."}
    return {s: {"model": Problem, "description": words[s]} for s in statuses}


@contextlib.contextmanager
def _input_at(prefix: str):
    """Report an engine's :class:`InputError` at ``prefix.field`` of the request."""
    try:
        yield
    except InputError as exc:
        raise _InputAt(exc, prefix) from None


class _InputAt(Exception):
    def __init__(self, exc: InputError, prefix: str):
        self.exc = exc
        self.prefix = prefix


def create_app(settings: Settings | None = None, *, engine: "MatchEngine | None" = None,
               handle_sighup: bool = False) -> FastAPI:
    """Build the service.

    Parameters
    ----------
    settings : Settings, optional
        Default: read from the ``MATCHER_…`` environment variables.
    engine : MatchEngine, optional
        A fitted engine to serve at start (tests); by default the engine is fitted on
        ``settings.catalog`` or loaded from ``settings.engine``, once, here. Reloads
        always build from the settings' source.
    handle_sighup : bool, default False
        Reload the catalog on SIGHUP (``matcher serve`` with one worker sets it).

    Returns
    -------
    FastAPI

    Raises
    ------
    profiles.errors.CatalogError
        The catalog is invalid (every problem listed).
    matcher.errors.EngineFormatError
        The engine file cannot be loaded.
    """
    settings = settings if settings is not None else Settings()
    slot = EngineSlot(catalog=settings.catalog, engine_file=settings.engine)
    if engine is not None:
        slot.put(engine)
    else:
        slot.load()
    models = request_models(settings.max_top, settings.max_firms)
    RankRequest, RankManyRequest, ReachRequest = models.RankRequest, models.RankManyRequest, models.ReachRequest
    pending: set[asyncio.Task] = set()

    async def reload_logged() -> None:
        try:
            new, old, seconds = await slot.reload()
        except Exception as exc:  # a broken catalog: keep serving the old engine
            logger.error("reload failed, still serving the previous engine: %s", exc)
            return
        logger.info("reloaded: catalog %s -> %s, %d programs, %.2f s", old.engine.catalog_hash_ if old else "-",
                    new.engine.catalog_hash_, new.engine.n_programs_, seconds)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        loop = asyncio.get_running_loop()
        installed = False
        if handle_sighup and hasattr(signal, "SIGHUP"):
            def on_hup() -> None:
                task = loop.create_task(reload_logged())
                pending.add(task)
                task.add_done_callback(pending.discard)

            try:
                loop.add_signal_handler(signal.SIGHUP, on_hup)
                installed = True
            except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or no signals
                logger.warning("SIGHUP reload is not available here; use POST /v1/admin/reload")
        yield
        if installed:
            loop.remove_signal_handler(signal.SIGHUP)

    app = FastAPI(
        title="shien-matcher",
        version=package_version(),
        summary="Match small and medium firms with the public support programs they can use.",
        description=(
            "Rule-based eligibility first, then similarity ranking, with reasons; municipalities where a firm "
            "would be well supported. `POST /v1/rank` answers exactly as `matcher rank FIRM --json`.\n\n"
            "Every error is `application/problem+json` (RFC 9457) naming each bad field by its path "
            "(`body.firm.employees`) and the value that came. When the service has an API key, every `/v1` "
            "route needs it in `X-API-Key` (or `Authorization: Bearer`)."),
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.slot = slot
    install_problem_handlers(app)

    @app.exception_handler(_InputAt)
    async def _input_at_handler(request: Request, exc: _InputAt) -> Response:
        return input_problem(exc.exc, request.url.path, exc.prefix)

    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)

    api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, scheme_name="APIKey",
                                  description="Needed only when the service has an API key (MATCHER_API_KEY).")

    def require_api_key(request: Request, key: Annotated[str | None, Security(api_key_header)] = None) -> None:
        if settings.api_key is None:
            return
        given = key
        auth = request.headers.get("authorization", "")
        if given is None and auth[:7].lower() == "bearer ":
            given = auth[7:].strip()
        if given is None:
            raise ProblemError(401, "this service needs an API key: send it in the X-API-Key header",
                               headers={"WWW-Authenticate": "Bearer"})
        if not hmac.compare_digest(given.encode("utf-8", "replace"),
                                   settings.api_key.get_secret_value().encode("utf-8")):
            raise ProblemError(401, "wrong API key", headers={"WWW-Authenticate": "Bearer"})

    v1 = APIRouter(prefix="/v1", dependencies=[Depends(require_api_key)], responses=_problems(401, 422))

    def current():
        loaded = slot.current  # read once: a reload never changes the engine under this request
        if loaded is None:  # pragma: no cover - the slot is filled before the app exists
            raise ProblemError(503, "the engine is not loaded yet")
        return loaded

    # ------------------------------------------------------------------ ranking
    @v1.post("/rank", response_model=Ranking, tags=["ranking"], responses=_problems(400, 413, 422),
             summary="Rank the programs a firm can use, with reasons")
    async def rank(body: RankRequest) -> Response:  # type: ignore[valid-type]
        """The same JSON object as ``matcher rank FIRM --json``: eligible ``schemes`` best first,
        ``possible`` programs once a missing fact is given, ``municipalities`` where the firm would be
        well supported and, with ``explain``, each scheme's conditions and the ``excluded`` programs."""
        engine = current().engine

        def work() -> Response:
            with _input_at("body"):
                result = engine.rank(body.firm, as_of=body.as_of, top=body.top, explain=body.explain, lang=body.lang)
            return _json(result.to_dict())

        # One ranking of a catalog of this size takes 1-2 ms: it runs on the event loop, with no
        # hop to a thread (benchmarks/bench_service.py, 2 workers, 16 connections: p99 48 ms on
        # the loop, 67 ms through the thread pool). An explained ranking or a large catalog,
        # which may take far longer, goes to the thread pool so the loop keeps answering.
        if body.explain or engine.n_programs_ > INLINE_RANK_PROGRAMS:
            return await run_in_threadpool(work)
        return work()

    @v1.post("/rank-many", response_model=RankManyResponse, tags=["ranking"], responses=_problems(400, 413, 422),
             summary="Rank the programs of many firms at once")
    def rank_many(body: RankManyRequest) -> Response:  # type: ignore[valid-type]
        """One ranking per firm, in order, each as ``POST /v1/rank`` answers. A bad firm makes the whole
        request fail with 422, naming it by its position (``body.firms[3].municipality``)."""
        engine = current().engine
        as_of = body.as_of or dt.date.today()
        with _input_at("body"):
            results = [r.to_dict() for r in engine.rank_many(body.firms, as_of=as_of, top=body.top,
                                                             explain=body.explain, lang=body.lang)]
        return _json({"as_of": as_of.isoformat(), "results": results})

    @v1.post("/reach", response_model=ReachResponse, tags=["ranking"], responses=_problems(400, 413, 422),
             summary="Whom to call first about a program, and why")
    def reach(body: ReachRequest) -> Response:  # type: ignore[valid-type]
        """The firms the program fits best: eligible ones first by score, then (with
        ``include_possible``) those that might be eligible once they give a missing fact."""
        engine = current().engine
        with _input_at("body"):
            hits = engine.reach(body.program, body.firms, top=body.top, as_of=body.as_of,
                                include_possible=body.include_possible, lang=body.lang)
        return _json({"program": body.program, "firms": len(body.firms), "hits": [h.to_dict() for h in hits]})

    # ------------------------------------------------------------------ catalog
    Limit = Annotated[int, Query(ge=1, le=settings.max_page_size, description="Items per page.")]
    Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip.")]

    def page(items: list, total: int, limit: int, offset: int) -> dict[str, Any]:
        return {"items": items, "total": total, "limit": limit, "offset": offset,
                "next_offset": offset + limit if offset + limit < total else None}

    @v1.get("/programs", response_model=ProgramPage, tags=["catalog"], responses=_problems(422),
            summary="The catalog's programs, filtered")
    def programs(
        provider: Annotated[str | None, Query(max_length=200, description="A provider id (kita-city) or kind "
                                              "(municipality, national…).")] = None,
        kind: Annotated[ProgramKind | None, Query(description="A program kind.")] = None,  # type: ignore[valid-type]
        need: Annotated[str | None, Query(max_length=200, description="A need id or synonym (展示会, loan).")] = None,
        open_on: Annotated[dt.date | None, Query(description="Only programs open on this date.")] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Response:
        """Programs in catalog order; each item carries ``open`` when ``open_on`` is given."""
        engine = current().engine
        with _input_at("query"):
            need_id = resolve_need(need, "need") if need else None
        hits = filter_programs(engine.programs_, provider=provider, kind=kind, need=need_id, open_on=open_on)
        items = [program_summary(p, open_on) for p in hits[offset:offset + limit]]
        return _json(page(items, len(hits), limit, offset))

    @v1.get("/programs/{program_id}", response_model=SupportProgram, tags=["catalog"], responses=_problems(404),
            summary="One program, as the catalog has it")
    def program(program_id: Annotated[str, PathParam(description="The program's id.")]) -> Response:
        """Every field of the program: provider, benefit, eligibility rules, validity window, sources."""
        engine = current().engine
        try:
            p = engine.program(program_id)
        except InputError as exc:
            raise ProblemError(404, str(exc)) from None
        return _json(p.model_dump(mode="json"))

    @v1.get("/municipalities", response_model=MunicipalityPage, tags=["catalog"], responses=_problems(422),
            summary="Local governments by prefecture and name prefix (autocomplete)")
    def municipalities(
        q: Annotated[str | None, Query(max_length=100, description="Start of a name in English (kita), Japanese "
                                       "(北区) or kana (きた, キタ), or of the code.")] = None,
        prefecture: Annotated[str | None, Query(max_length=100, description="A prefecture: Tokyo, 東京都 or 13.")]
        = None,
        limit: Annotated[int, Query(ge=1, le=settings.max_page_size, description="Items per page.")] = 20,
        offset: Offset = 0,
    ) -> Response:
        """Names equal to ``q`` come first, then cities before wards, then the gazetteer's order."""
        engine = current().engine
        with _input_at("query"):
            pref = gazetteer().prefecture(prefecture).code if prefecture else None
        hits = search_municipalities(q, pref)
        profiles = {m.code: m.id for m in engine.catalog_.municipalities}
        items = [municipality_summary(g, profiles) for g in hits[offset:offset + limit]]
        return _json(page(items, len(hits), limit, offset))

    @v1.get("/municipalities/{municipality_id}", response_model=MunicipalityDetail, tags=["catalog"],
            responses=_problems(404), summary="One local government")
    def municipality(municipality_id: Annotated[str, PathParam(
            description="The 6-digit code (131172) or the id of the catalog's profile (kita-tokyo).")]) -> Response:
        """The local government, the catalog's profile of it (if any) and the programs it provides."""
        engine = current().engine
        code = next((m.code for m in engine.catalog_.municipalities if m.id == municipality_id), municipality_id)
        try:
            g = gazetteer().get(code)
        except InputError:
            raise ProblemError(404, f"no local government has this code or profile id, got {municipality_id!r}; "
                                    "expected a 6-digit code such as 131172 (GET /v1/municipalities?q=…)") from None
        return _json(municipality_detail(g, engine))

    @v1.get("/vocabulary", response_model=Vocabulary, tags=["catalog"],
            summary="Needs, industries, program kinds and prefectures, for pickers")
    def vocab() -> Response:
        return _json(vocabulary())

    # ------------------------------------------------------------------ admin
    admin_header = APIKeyHeader(name="X-Admin-Token", auto_error=False, scheme_name="AdminToken",
                                description="The reload token (MATCHER_ADMIN_TOKEN).")

    @v1.post("/admin/reload", response_model=Reloaded, tags=["admin"], responses=_problems(401, 403, 422),
             summary="Rebuild the engine from the catalog and swap it in")
    async def reload(token: Annotated[str | None, Security(admin_header)] = None) -> Response:
        """The new engine is built off the event loop; requests in flight finish on the old one. A broken
        catalog leaves the old engine serving and answers 422 with every problem (file: entry: field).
        With several workers, the worker that validated the catalog asks its supervisor to replace the
        others, each of which builds its own new engine."""
        if settings.admin_token is None:
            raise ProblemError(403, "reloading is disabled: start the service with MATCHER_ADMIN_TOKEN set")
        if token is None or not hmac.compare_digest(token.encode("utf-8", "replace"),
                                                    settings.admin_token.get_secret_value().encode("utf-8")):
            raise ProblemError(401, "send the reload token in the X-Admin-Token header")
        try:
            new, old, seconds = await slot.reload()
        except CatalogError:
            raise
        except Exception as exc:
            raise ProblemError(422, f"the new engine could not be built, still serving the previous one: "
                                    f"{' '.join(str(exc).split())}", title="Reload failed") from None
        if settings.workers > 1 and hasattr(signal, "SIGHUP") and os.getppid() > 1:
            os.kill(os.getppid(), signal.SIGHUP)  # uvicorn's supervisor replaces every worker in turn
        facts = new.facts()
        old_hash = old.engine.catalog_hash_ if old else ""
        return _json({**facts, "previous_catalog_hash": old_hash, "changed": old_hash != facts["catalog_hash"],
                      "seconds": round(seconds, 3)})

    app.include_router(v1)

    # ------------------------------------------------------------------ health
    @app.get("/healthz", response_model=Health, tags=["health"], summary="The process is alive")
    async def healthz() -> Response:
        return _json({"status": "ok"})

    @app.get("/readyz", response_model=Ready, tags=["health"], responses=_problems(503),
             summary="The engine is loaded: version, catalog hash, programs")
    async def readyz() -> Response:
        loaded = slot.current
        if loaded is None:  # pragma: no cover - the slot is filled before the app exists
            raise ProblemError(503, "the engine is not loaded yet")
        return _json(loaded.facts())

    # ------------------------------------------------------------------ the coordinators' page

    @app.get("/", include_in_schema=False)
    async def index() -> Response:
        path = STATIC_DIR / "index.html"
        if path.exists():
            return FileResponse(path, media_type="text/html")
        return Response(_PLACEHOLDER, media_type="text/html")

    if STATIC_DIR.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    app.openapi = lambda: _openapi(app, slot)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI, slot: EngineSlot) -> dict[str, Any]:
    """The schema, with problem responses as ``application/problem+json`` and real examples
    of every result model (computed once, from the engine serving)."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, summary=app.summary, description=app.description,
                         routes=app.routes)
    for path in schema.get("paths", {}).values():
        for op in path.values():
            for status, resp in op.get("responses", {}).items():
                content = resp.get("content", {})
                if str(status)[0] in "45" and "application/json" in content:
                    resp["content"] = {PROBLEM_JSON: content.pop("application/json")}
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    text = json.dumps(schema["paths"])
    for unused in ("HTTPValidationError", "ValidationError"):  # every 422 is a Problem
        if f"#/components/schemas/{unused}" not in text:
            components.pop(unused, None)
    for name, example in _result_examples(slot).items():
        if name in components and "examples" not in components[name]:
            components[name]["examples"] = [example]
    app.openapi_schema = schema
    return schema


def _result_examples(slot: EngineSlot) -> dict[str, Any]:
    """Examples of the library's result models, from a real ranking of the README's firm."""
    loaded = slot.current
    if loaded is None:  # pragma: no cover
        return {}
    engine = loaded.engine
    try:
        ranking = engine.rank(KITA_PRESS, as_of="2026-11-21", top=2, explain=True).to_dict()
        program = next((p for p in engine.programs_ if p.id == "kita-trade-fair-subsidy"), engine.programs_[0])
        hits = [h.to_dict() for h in engine.reach(program.id, [KITA_PRESS], top=1, as_of="2026-11-21")]
    except Exception:  # pragma: no cover - a catalog unlike the default one
        logger.exception("cannot compute the OpenAPI examples")
        return {}
    short = {**ranking, "excluded": ranking["excluded"][:1]}
    out: dict[str, Any] = {"Ranking": short, "RankManyResponse": {"as_of": ranking["as_of"], "results": [short]},
                           "ReachResponse": {"program": program.id, "firms": 1, "hits": hits}}
    scheme = next(iter(ranking["schemes"]), None)
    if scheme:
        out["Scheme"] = scheme
        out["ProviderRef"] = scheme["provider"]
        if scheme.get("eligibility"):
            out["Condition"] = scheme["eligibility"][0]
    if ranking["possible"]:
        out["Possible"] = ranking["possible"][0]
    if ranking["municipalities"]:
        out["MunicipalityMatch"] = ranking["municipalities"][0]
    if ranking["excluded"]:
        out["Excluded"] = ranking["excluded"][0]
    if hits:
        out["ReachHit"] = hits[0]
    dump = program.model_dump(mode="json")
    out["SupportProgram"] = out["SupportProgram-Output"] = dump
    out["Provider"] = dump["provider"]
    out["Eligibility"] = dump["eligibility"]
    out["Range"] = {"min": None, "max": 300.0}
    out["Source"] = dump["source"][0]
    if dump.get("benefit"):
        out["Benefit"] = dump["benefit"]
    if dump.get("contact"):
        out["Contact"] = dump["contact"]
    return out


def configure_logging(level: str = "info") -> None:
    """Show the service's own messages (reloads, unexpected errors) as uvicorn shows its own."""
    log = logging.getLogger("matcher.service")
    if not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s:     %(message)s"))
        log.addHandler(handler)
    log.setLevel(level.upper())


def app_from_env() -> FastAPI:
    """The application of ``matcher serve --workers N``: each worker process builds it
    from the environment (``uvicorn --factory matcher.service.app:app_from_env``)."""
    configure_logging()
    return create_app(Settings())
