"""The request-body limit, applied before anything parses the body.

:class:`BodyLimit` is a pure ASGI middleware: a ``Content-Length`` over the limit is
refused at once, and a body sent without one (chunked) is counted as it streams in
and refused as soon as it passes the limit, without reading the rest. An accepted body
is handed on to the application unchanged.
"""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from matcher.service.i18n import lang_of_scope
from matcher.service.problems import problem_response

__all__ = ["BodyLimit"]


class BodyLimit:
    """Answer 413 (problem details) to a request whose body is over ``max_bytes``.

    Parameters
    ----------
    app : ASGI application
    max_bytes : int
        The largest body accepted.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _too_large(self, scope: Scope, size: str) -> Any:
        return problem_response(413, f"the request body is {size}; at most {self.max_bytes} bytes are accepted",
                                instance=scope.get("path"), headers={"Connection": "close"}, lang=lang_of_scope(scope))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = None
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                length = value
                break
        if length is not None:
            try:
                n = int(length)
                if n < 0:
                    raise ValueError
            except ValueError:
                resp = problem_response(400, f"Content-Length must be a number of bytes, got "
                                             f"{length.decode('latin-1')!r}", instance=scope.get("path"))
                await resp(scope, receive, send)
                return
            if n > self.max_bytes:
                await self._too_large(scope, f"{n} bytes")(scope, receive, send)
                return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away: let the app see it
                first: list[Message] = [message]
                break
            body = message.get("body", b"")
            size += len(body)
            if size > self.max_bytes:
                await self._too_large(scope, f"over {self.max_bytes} bytes")(scope, receive, send)
                return
            if body:
                chunks.append(body)
            if not message.get("more_body", False):
                first = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]
                break

        async def replay() -> Message:
            if first:
                return first.pop()
            return await receive()

        await self.app(scope, replay, send)
