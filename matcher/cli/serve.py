"""``matcher serve``: run the HTTP service (:mod:`matcher.service`) with uvicorn.

Registered lazily by :mod:`matcher.cli`, so that ``matcher --help`` does not import
FastAPI (the service's modules are imported inside the command). The engine is fitted (or loaded) once, before the server starts listening,
so a bad catalog or engine file prints one line and exits with code 2.
"""

from __future__ import annotations

import os

import click

from matcher.errors import ParameterError

__all__ = ["serve", "UVICORN_LIMITS"]

#: uvicorn's limits for connections that send too little or too much: an idle keep-alive
#: connection is closed after 5 s, one that does not complete its request headers within
#: 10 s of opening (or of its last response) is closed too
#: (:class:`matcher.service.timeouts.HeaderTimeoutProtocol`, with httptools); one request's
#: headers may not pass 64 KiB (h11); at most 1,000 connections at once, 503 beyond.
UVICORN_LIMITS: dict = {"timeout_keep_alive": 5, "h11_max_incomplete_event_size": 64 * 1024,
                        "limit_concurrency": 1000}


def _uvicorn_limits() -> dict:
    import importlib.util

    if importlib.util.find_spec("httptools") is None:
        return dict(UVICORN_LIMITS)
    return {**UVICORN_LIMITS, "http": "matcher.service.timeouts:HeaderTimeoutProtocol"}


def _settings(**given):
    """Settings from the environment, overridden by the options given on the command line."""
    from pydantic import ValidationError

    from profiles.validation import first_error
    from matcher.service.settings import Settings

    try:
        return Settings(**{k: v for k, v in given.items() if v is not None})
    except ValidationError as exc:
        where, msg, value = first_error(exc)
        where = where or "settings"
        if where in ("api_key", "admin_token"):  # set only by the environment; never echo a secret
            raise ParameterError(f"MATCHER_{where.upper()}: {msg}") from None
        option = (f"--{where.replace('_', '-')} (MATCHER_{where.upper()})" if where != "settings"
                  else "--catalog, --engine")
        got = f", got {value!r}" if where != "settings" and not isinstance(value, dict) else ""
        raise ParameterError(f"{option}: {msg}{got}") from None


@click.command()
@click.option("--catalog", type=click.Path(), default=None,
              help="Catalog directory (default: $MATCHER_CATALOG or the built-in catalog).")
@click.option("--engine", "engine_file", type=click.Path(), default=None,
              help="A fitted engine saved by `matcher fit` (trusted files only).")
@click.option("--weights", "weights_file", type=click.Path(), default=None, metavar="FILE",
              help="Score weights from a weights file (e.g. from `matcher register learn`); default $MATCHER_WEIGHTS.")
@click.option("--db", default=None, metavar="PATH|URL",
              help="Serve the coordinators' register at /v1/register/... (a SQLite file or a SQLAlchemy URL; "
                   "default $MATCHER_DB, else no register).")
@click.option("--host", default=None, help="Address to listen on (default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port to listen on (default 8000).")
@click.option("--workers", type=int, default=None,
              help="Worker processes (default 1); each fits its own engine.")
@click.option("--log-level", type=click.Choice(["critical", "error", "warning", "info", "debug"]), default="info",
              show_default=True, help="uvicorn's log level.")
@click.option("--access-log/--no-access-log", default=True, show_default=True, help="Log every request.")
def serve(catalog, engine_file, weights_file, db, host, port, workers, log_level, access_log) -> None:
    """Serve the matcher over HTTP: ranking, programs, municipalities; with --db the register.

    Settings not given here come from MATCHER_* environment variables (MATCHER_API_KEY,
    MATCHER_ADMIN_TOKEN, MATCHER_MAX_BODY_BYTES, ...). With one worker, SIGHUP reloads
    the catalog without downtime; with several, SIGHUP replaces the workers one by one.
    Docs at http://HOST:PORT/docs. With --db (or MATCHER_DB) the register made by
    `matcher register init` is served too, at /v1/register/..., each route behind a
    coordinator's key (`matcher register coordinator add NAME` prints one), and the page
    shows "My firms".

    Example:

        matcher serve --catalog profiles/data/catalog --port 8000

        matcher serve --db desk.db --weights learned-weights.yaml
    """
    import uvicorn

    from matcher.service.state import build_engine

    settings = _settings(catalog=catalog, engine=engine_file, weights=weights_file, db=db, host=host, port=port,
                         workers=workers)
    if settings.db is not None:  # first, before an engine is fitted: the register exists, of this version
        from matcher.register import Register

        Register(settings.db).close()
    if settings.workers == 1:
        from matcher.service.app import configure_logging, create_app

        configure_logging(log_level)
        app = create_app(settings, engine=build_engine(settings.catalog, settings.engine, settings.weights),
                         handle_sighup=True, settle_heap=True)
        engine = app.state.slot.current.engine
        extra = "".join([f", weights from {settings.weights}" if settings.weights else "",
                         f", register {app.state.register.engine.url.render_as_string(hide_password=True)}" if app.state.register else ""])
        click.echo(f"serving {engine.n_programs_} programs (catalog {engine.catalog_hash_}{extra}) on "
                   f"http://{settings.host}:{settings.port}", err=True)
        uvicorn.run(app, host=settings.host, port=settings.port, log_level=log_level, access_log=access_log,
                    **_uvicorn_limits())
        return
    # Several processes: check the source here, once, so a bad one is one line, not N tracebacks.
    if settings.engine is not None:
        build_engine(None, settings.engine)
    else:
        from rules import load_checked_catalog

        load_checked_catalog(settings.catalog)
    if settings.weights is not None:
        from matcher.weights import load_weights

        load_weights(settings.weights)
    for name, value in (("CATALOG", settings.catalog), ("ENGINE", settings.engine), ("WEIGHTS", settings.weights),
                        ("DB", settings.db), ("HOST", settings.host),
                        ("PORT", settings.port), ("WORKERS", settings.workers)):
        if value is not None:
            os.environ[f"MATCHER_{name}"] = str(value)
    click.echo(f"serving with {settings.workers} workers on http://{settings.host}:{settings.port}", err=True)
    uvicorn.run("matcher.service.app:app_from_env", factory=True, host=settings.host, port=settings.port,
                workers=settings.workers, log_level=log_level, access_log=access_log, **_uvicorn_limits())
