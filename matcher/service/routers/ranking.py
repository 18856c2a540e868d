"""``/v1/rank``, ``/v1/rank-many``, ``/v1/reach``: the engine's questions over HTTP."""

# No ``from __future__ import annotations``: FastAPI reads the routes' annotations, some of
# them request models built per service (local names that a string annotation could not find).

import datetime as dt
from collections.abc import Callable
from types import SimpleNamespace

import anyio
import anyio.to_thread
from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from matcher.results import Ranking
from matcher.service.deps import input_at, json_response, problems
from matcher.service.gate import BatchGate
from matcher.service.jsonbody import BODY_SIZE_KEY, StrictJSONRoute
from matcher.service.schemas import RankManyResponse, ReachResponse
from matcher.service.state import Loaded

__all__ = ["INLINE_RANK_PROGRAMS", "INLINE_BODY_BYTES", "router"]

#: Catalogs up to this many programs are ranked on the event loop (see the ``rank`` route).
INLINE_RANK_PROGRAMS = 2000
#: Bodies up to this size are ranked on the event loop (see the ``rank`` route).
INLINE_BODY_BYTES = 64 * 1024


async def off_loop(fn: Callable[[], Response], limiter: anyio.CapacityLimiter) -> Response:
    """Run ``fn`` in a worker thread, at most ``limiter.total_tokens`` of them at once.

    CPU-bound rankings hold the GIL: 16 of them in 16 threads left the event loop a
    sixteenth of it (``/healthz`` 0.6-2.4 s); a few threads at a time keep it answering,
    the others wait their turn without a thread."""
    return await anyio.to_thread.run_sync(fn, limiter=limiter)


def router(models: SimpleNamespace, current: Callable[[], Loaded], *, inline_body_bytes: int = INLINE_BODY_BYTES,
           gate: BatchGate | None = None) -> APIRouter:
    """The ranking routes, for the request models of the service's limits (:func:`~matcher.service.schemas.request_models`).

    A ``rank`` body over ``inline_body_bytes`` is ranked in the thread pool; at most
    ``gate.limit`` ``rank-many`` and ``reach`` requests run at once (one more: 503; default 2).
    """
    RankRequest, RankManyRequest, ReachRequest = models.RankRequest, models.RankManyRequest, models.ReachRequest
    router = APIRouter(route_class=StrictJSONRoute)
    gate = gate if gate is not None else BatchGate(2)
    heavy = anyio.CapacityLimiter(gate.limit)  # large single rankings running at once

    @router.post("/rank", response_model=Ranking, tags=["ranking"], responses=problems(400, 413, 422),
                 summary="Rank the programs a firm can use, with reasons")
    async def rank(body: RankRequest, request: Request) -> Response:  # type: ignore[valid-type]
        """The same JSON object as ``matcher rank FIRM --json``: eligible ``schemes`` best first,
        ``possible`` programs once a missing fact is given, ``municipalities`` where the firm would be
        well supported and, with ``explain``, each scheme's conditions and the ``excluded`` programs."""
        engine = current().engine

        def work() -> Response:
            with input_at("body"):
                result = engine.rank(body.firm, as_of=body.as_of, top=body.top, explain=body.explain, lang=body.lang,
                                     max_distance_km=body.max_distance_km)
            return json_response(result.to_dict())

        # One ranking of a catalog of this size takes 1-2 ms: it runs on the event loop, with no
        # hop to a thread (benchmarks/bench_service.py, 2 workers, 16 connections: p99 48 ms on
        # the loop, 67 ms through the thread pool). An explained ranking, a large body (a long
        # description: 0.2-0.4 s near 1 MiB) or a large catalog, which may take far longer, goes
        # to the thread pool so the loop keeps answering.
        size = request.scope.get(BODY_SIZE_KEY) or int(request.headers.get("content-length") or 0)
        if body.explain or size > inline_body_bytes or engine.n_programs_ > INLINE_RANK_PROGRAMS:
            return await off_loop(work, heavy)
        return work()

    @router.post("/rank-many", response_model=RankManyResponse, tags=["ranking"],
                 responses=problems(400, 413, 422, 503),
                 summary="Rank the programs of many firms at once")
    async def rank_many(body: RankManyRequest) -> Response:  # type: ignore[valid-type]
        """One ranking per firm, in order, each as ``POST /v1/rank`` answers. A bad firm makes the whole
        request fail with 422, naming it by its position (``body.firms[3].municipality``). The rankings
        of one request are bounded (firms x top, and fewer firms with ``explain``: 422 naming the cap);
        when the service is busy with other large requests it answers 503 with ``Retry-After``."""
        engine = current().engine
        as_of = body.as_of or dt.date.today()

        def work() -> Response:
            with input_at("body"):
                results = [r.to_dict() for r in engine.rank_many(
                    body.firms, as_of=as_of, top=body.top, explain=body.explain, lang=body.lang,
                    max_distance_km=body.max_distance_km)]
            return json_response({"as_of": as_of.isoformat(), "results": results})

        async with gate:
            return await run_in_threadpool(work)

    @router.post("/reach", response_model=ReachResponse, tags=["ranking"], responses=problems(400, 413, 422, 503),
                 summary="Whom to call first about a program, and why")
    async def reach(body: ReachRequest) -> Response:  # type: ignore[valid-type]
        """The firms the program fits best: eligible ones first by score, then (with
        ``include_possible``) those that might be eligible once they give a missing fact.
        A firm's keys that are not firm fields (the list's other columns: ``phone``, ``担当者``)
        are kept and come back on its hit as ``kept``."""
        engine = current().engine

        def work() -> Response:
            with input_at("body"):
                hits = engine.reach(body.program, body.firms, top=body.top, as_of=body.as_of,
                                    include_possible=body.include_possible, lang=body.lang)
            kept = body.kept
            out = []
            for h in hits:
                d = h.to_dict()
                if kept and kept[h.row - 1]:
                    d["kept"] = kept[h.row - 1]
                out.append(d)
            names = list(dict.fromkeys(k for firm in kept for k in firm))
            return json_response({"program": body.program, "firms": len(body.firms), "kept": names, "hits": out})

        async with gate:
            return await run_in_threadpool(work)

    return router
