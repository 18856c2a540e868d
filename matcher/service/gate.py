"""At most N large requests at once: one more is answered 503 with ``Retry-After``.

A ``rank-many`` of 1,000 firms takes seconds and hundreds of MiB; 32 of them queued in
the thread pool took the server to 2.4 GB and each over 80 s. :class:`BatchGate` lets
``limit`` of them run and refuses the next at once, so a client can come back later
and the others finish in their normal time. When the last one ends, freed memory is
handed back (:func:`~matcher.service.memory.trim_memory`).

>>> import asyncio
>>> gate = BatchGate(1)
>>> async def two():
...     async with gate:
...         try:
...             async with gate:
...                 pass
...         except ProblemError as exc:
...             return exc.status, exc.headers["Retry-After"]
>>> asyncio.run(two())
(503, '2')
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool

from matcher.service.memory import trim_memory
from matcher.service.problems import ProblemError

__all__ = ["BatchGate"]


class BatchGate:
    """An async context manager admitting at most ``limit`` requests at once.

    Parameters
    ----------
    limit : int
        How many may run at once.
    retry_after : int, default 2
        Seconds the refused client is asked to wait (``Retry-After``).
    """

    def __init__(self, limit: int, retry_after: int = 2) -> None:
        self.limit = limit
        self.retry_after = retry_after
        self.busy = 0

    async def __aenter__(self) -> "BatchGate":
        if self.busy >= self.limit:
            raise ProblemError(503, f"the service is already answering {self.busy} large requests "
                                    f"(MATCHER_MAX_BATCHES={self.limit}); try again in {self.retry_after} s",
                               headers={"Retry-After": str(self.retry_after)})
        self.busy += 1
        return self

    async def __aexit__(self, *exc: Any) -> None:
        self.busy -= 1
        if self.busy == 0:
            await run_in_threadpool(trim_memory)
