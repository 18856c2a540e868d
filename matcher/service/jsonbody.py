"""The service reads request bodies itself: duplicate keys and deep nesting refused.

FastAPI parses a JSON body with :func:`json.loads`, where a repeated key silently keeps
its last value. The routes of the service use :class:`StrictJSONRoute`, whose request
parses with :func:`strict_loads` instead, as the CLI and the catalog loader do: a
duplicate key is an error naming the key.

>>> strict_loads(b'{"top": 1}')
{'top': 1}
>>> strict_loads(b'{"top": 1, "top": 2}')  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
matcher.service.jsonbody.DuplicateKeyError: duplicate key 'top' in a JSON object: give each key once: ...
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

__all__ = ["BODY_SIZE_KEY", "DuplicateKeyError", "StrictJSONRoute", "strict_loads"]

#: Where the size of the parsed body is kept in the request's scope (the rank route reads it).
BODY_SIZE_KEY = "matcher.body_bytes"


class DuplicateKeyError(json.JSONDecodeError):
    """A JSON object names the same key twice (FastAPI reports it as invalid JSON)."""


def _no_duplicates(doc: str) -> Callable[[list[tuple[str, Any]]], dict[str, Any]]:
    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                raise DuplicateKeyError(f"duplicate key {key!r} in a JSON object: give each key once", doc,
                                        max(doc.find(json.dumps(key)), 0))
            out[key] = value
        return out
    return hook


def strict_loads(body: bytes | str) -> Any:
    """Parse a JSON request body, refusing duplicate keys and nesting too deep to parse.

    ``NaN`` is left to the models, which refuse it at its field."""
    doc = body.decode("utf-8") if isinstance(body, bytes) else body
    try:
        return json.loads(doc, object_pairs_hook=_no_duplicates(doc))
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply", doc, 0) from None


class _StrictJSONRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            body = await self.body()
            self.scope[BODY_SIZE_KEY] = len(body)
            try:
                self._json = strict_loads(body)
            except UnicodeDecodeError as exc:
                raise json.JSONDecodeError(f"the body is not UTF-8 ({exc.reason} at byte {exc.start})", "", 0) from None
        return self._json


class StrictJSONRoute(APIRoute):
    """A route whose JSON body is read by :func:`strict_loads`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict_handler(request: Request) -> Response:
            return await handler(_StrictJSONRequest(request.scope, request.receive))

        return strict_handler
