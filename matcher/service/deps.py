"""What the routers share: the engine of the request, the API-key guard, JSON and problem responses.

Each router (:mod:`matcher.service.routers`) is built by a function that takes the
service's :class:`~matcher.service.settings.Settings` and its
:class:`~matcher.service.state.EngineSlot`; the pieces here are the dependencies and
helpers they have in common.
"""

from __future__ import annotations

import contextlib
import hmac
import json
from collections.abc import Callable, Iterator
from typing import Annotated, Any

from fastapi import Request, Security
from fastapi.security import APIKeyHeader
from starlette.responses import Response

from profiles.errors import InputError
from matcher.service.problems import Problem, ProblemError
from matcher.service.settings import Settings
from matcher.service.state import EngineSlot, Loaded

__all__ = ["InputAt", "api_key_guard", "current_engine", "input_at", "json_response", "problems", "admin_header"]


#: The encoder of every JSON response (``json.dumps`` with these arguments builds one per call).
_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def json_response(data: Any, status: int = 200) -> Response:
    """A JSON response of ``data`` as it is (already JSON-ready), compact, UTF-8.

    >>> json_response({"名": 1.5, "ok": [True, None]}).body.decode()
    '{"名":1.5,"ok":[true,null]}'
    """
    return Response(_ENCODER.encode(data), status_code=status, media_type="application/json")


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The problem responses a route documents."""
    words = {400: "Malformed request (bad Content-Length).", 401: "Missing or wrong API key or token.",
             403: "Refused: the route is disabled.", 404: "No such id.", 413: "Request body over the limit.",
             415: "The format of the upload cannot be told.",
             422: "Invalid input: each bad field with its path and value.", 503: "The engine is not loaded."}
    return {s: {"model": Problem, "description": words[s]} for s in statuses}


class InputAt(Exception):
    """An engine's :class:`InputError`, to be reported at ``prefix.field`` of the request."""

    def __init__(self, exc: InputError, prefix: str):
        self.exc = exc
        self.prefix = prefix


@contextlib.contextmanager
def input_at(prefix: str) -> Iterator[None]:
    """Report an engine's :class:`InputError` at ``prefix.field`` of the request."""
    try:
        yield
    except InputError as exc:
        raise InputAt(exc, prefix) from None


def current_engine(slot: EngineSlot) -> Callable[[], Loaded]:
    """A function giving the engine serving now (read once per request: a reload never changes it under one)."""
    def current() -> Loaded:
        loaded = slot.current
        if loaded is None:  # pragma: no cover - the slot is filled before the app exists
            raise ProblemError(503, "the engine is not loaded yet")
        return loaded
    return current


_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, scheme_name="APIKey",
                               description="Needed only when the service has an API key (MATCHER_API_KEY).")
#: The header of the reload token.
admin_header = APIKeyHeader(name="X-Admin-Token", auto_error=False, scheme_name="AdminToken",
                            description="The reload token (MATCHER_ADMIN_TOKEN).")


def api_key_guard(settings: Settings) -> Callable[..., None]:
    """The dependency of every ``/v1`` route: the API key, when the service has one."""
    # async: a plain function would be run in the thread pool, one hop to a thread and back per request
    async def require_api_key(request: Request, key: Annotated[str | None, Security(_api_key_header)] = None) -> None:
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
    return require_api_key
