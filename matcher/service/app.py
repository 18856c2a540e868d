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
import logging
import signal
from typing import TYPE_CHECKING

from fastapi import Depends, FastAPI, Request
from starlette.responses import Response

from matcher.persistence import package_version
from matcher.service.deps import InputAt, api_key_guard, current_engine, problems
from matcher.service.gate import BatchGate
from matcher.service.limits import BodyLimit
from matcher.service.openapi import openapi_schema
from matcher.service.problems import input_problem, install_problem_handlers, request_lang
from matcher.service.routers import admin, catalog, firms, health, ranking
from matcher.service.routers.health import STATIC_DIR
from matcher.service.routers.ranking import INLINE_RANK_PROGRAMS
from matcher.service.schemas import request_models
from matcher.service.settings import Settings
from matcher.service.state import EngineSlot

if TYPE_CHECKING:  # pragma: no cover
    from matcher.engine import MatchEngine

__all__ = ["create_app", "app_from_env", "configure_logging", "STATIC_DIR", "INLINE_RANK_PROGRAMS"]

logger = logging.getLogger("matcher.service")


def create_app(settings: Settings | None = None, *, engine: "MatchEngine | None" = None,
               handle_sighup: bool = False, settle_heap: bool = False) -> FastAPI:
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
    settle_heap : bool, default False
        At start (and after each reload), warm the engine and freeze the objects of the
        process out of the garbage collector's full collections
        (:func:`~matcher.service.memory.settle_heap`; ``matcher serve`` sets it): a full
        collection otherwise walks the whole engine, some 25-40 ms with no answer.

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
    slot = EngineSlot(catalog=settings.catalog, engine_file=settings.engine, weights_file=settings.weights)
    if engine is not None:
        slot.put(engine)
    else:
        slot.load()
    pending: set[asyncio.Task] = set()

    async def reload_logged() -> None:
        try:
            new, old, seconds = await slot.reload()
        except Exception as exc:  # a broken catalog: keep serving the old engine
            logger.error("reload failed, still serving the previous engine: %s", exc)
            return
        logger.info("reloaded: catalog %s -> %s, %d programs, %.2f s", old.engine.catalog_hash_ if old else "-",
                    new.engine.catalog_hash_, new.engine.n_programs_, seconds)

    slot.settled = settle_heap

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        loop = asyncio.get_running_loop()
        if slot.settled:
            from matcher.service.memory import settle_heap as settle

            settle(slot.current.engine)
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
        if app.state.register is not None:
            app.state.register.close()

    app = FastAPI(
        title="shien-matcher",
        version=package_version(),
        summary="Match small and medium firms with the public support programs they can use.",
        description=(
            "Rule-based eligibility first, then similarity ranking, with reasons; municipalities where a firm "
            "would be well supported. `POST /v1/rank` answers exactly as `matcher rank FIRM --json`.\n\n"
            "Every error is `application/problem+json` (RFC 9457) naming each bad field by its path "
            "(`body.firm.employees`) and the value that came. When the service has an API key, every `/v1` "
            "route needs it in `X-API-Key` (or `Authorization: Bearer`). With a register (`matcher serve --db`), "
            "`/v1/register/...` serves the coordinators' firms, outcomes, call lists and alerts, each route "
            "behind a coordinator's own key in the same headers."),
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.slot = slot
    app.state.batches = BatchGate(settings.max_batches)  # rank-many and reach requests running now
    install_problem_handlers(app)

    @app.exception_handler(InputAt)
    async def _input_at_handler(request: Request, exc: InputAt) -> Response:
        return input_problem(exc.exc, request.url.path, exc.prefix, lang=request_lang(request))

    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)

    current = current_engine(slot)
    v1 = {"prefix": "/v1", "dependencies": [Depends(api_key_guard(settings))], "responses": problems(401, 422)}
    models = request_models(settings.max_top, settings.max_firms, settings.max_results, settings.max_explain_firms)
    app.include_router(ranking.router(models, current, inline_body_bytes=settings.inline_body_bytes,
                                      gate=app.state.batches), **v1)
    app.include_router(firms.router(settings, app.state.batches), **v1)
    app.include_router(catalog.router(settings, current), **v1)
    app.include_router(admin.router(settings, slot), **v1)
    app.include_router(health.router(slot))
    app.state.register = None
    if settings.db is not None:  # the coordinators' register, behind its own keys (not the service's one)
        from matcher.register import Register
        from matcher.register.routes import make_router

        from matcher.weights import load_weights

        # the register scores with the served weights: its matches are kept per weights (a match set)
        app.state.register = Register(settings.db, weights=load_weights(settings.weights) if settings.weights else None)
        app.include_router(make_router(register=app.state.register, max_page_size=settings.max_page_size))
    health.mount_static(app)
    app.openapi = lambda: openapi_schema(app, slot)  # type: ignore[method-assign]
    return app


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
    return create_app(Settings(), settle_heap=True)
