"""A connection that does not finish its request headers in time is closed.

uvicorn closes an idle keep-alive connection ``timeout_keep_alive`` seconds after a
response, but a connection that was opened and never sent anything, or that sends its
headers one byte at a time (slowloris), stays open for ever. :class:`HeaderTimeoutProtocol`
is uvicorn's httptools protocol with one more timer: from the moment a connection opens,
and again after each response, its next request's headers must be complete within
:data:`HEADER_TIMEOUT` seconds, or the connection is closed. ``matcher serve`` uses it
(``http="matcher.service.timeouts:HeaderTimeoutProtocol"``) when httptools is installed.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = ["HEADER_TIMEOUT", "HeaderTimeoutProtocol"]

#: Seconds a connection has to complete the headers of its next request.
HEADER_TIMEOUT = 10.0


class HeaderTimeoutProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, closing connections whose request headers take too long."""

    header_timeout = HEADER_TIMEOUT

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: asyncio.TimerHandle | None = None

    def _arm_header_timer(self) -> None:
        self._cancel_header_timer()
        self._header_timer = self.loop.call_later(self.header_timeout, self._headers_too_slow)

    def _cancel_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_timer()

    def on_headers_complete(self) -> None:
        self._cancel_header_timer()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_timer()
        super().connection_lost(exc)
