"""``/v1/rank``, ``/v1/rank-many``, ``/v1/reach``: the engine's questions over HTTP."""

# No ``from __future__ import annotations``: FastAPI reads the routes' annotations, some of
# them request models built per service (local names that a string annotation could not find).

import datetime as dt
from collections.abc import Callable
from types import SimpleNamespace

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from matcher.results import Ranking
from matcher.service.deps import input_at, json_response, problems
from matcher.service.schemas import RankManyResponse, ReachResponse
from matcher.service.state import Loaded

__all__ = ["INLINE_RANK_PROGRAMS", "router"]

#: Catalogs up to this many programs are ranked on the event loop (see the ``rank`` route).
INLINE_RANK_PROGRAMS = 2000


def router(models: SimpleNamespace, current: Callable[[], Loaded]) -> APIRouter:
    """The ranking routes, for the request models of the service's limits (:func:`~matcher.service.schemas.request_models`)."""
    RankRequest, RankManyRequest, ReachRequest = models.RankRequest, models.RankManyRequest, models.ReachRequest
    router = APIRouter()

    @router.post("/rank", response_model=Ranking, tags=["ranking"], responses=problems(400, 413, 422),
                 summary="Rank the programs a firm can use, with reasons")
    async def rank(body: RankRequest) -> Response:  # type: ignore[valid-type]
        """The same JSON object as ``matcher rank FIRM --json``: eligible ``schemes`` best first,
        ``possible`` programs once a missing fact is given, ``municipalities`` where the firm would be
        well supported and, with ``explain``, each scheme's conditions and the ``excluded`` programs."""
        engine = current().engine

        def work() -> Response:
            with input_at("body"):
                result = engine.rank(body.firm, as_of=body.as_of, top=body.top, explain=body.explain, lang=body.lang)
            return json_response(result.to_dict())

        # One ranking of a catalog of this size takes 1-2 ms: it runs on the event loop, with no
        # hop to a thread (benchmarks/bench_service.py, 2 workers, 16 connections: p99 48 ms on
        # the loop, 67 ms through the thread pool). An explained ranking or a large catalog,
        # which may take far longer, goes to the thread pool so the loop keeps answering.
        if body.explain or engine.n_programs_ > INLINE_RANK_PROGRAMS:
            return await run_in_threadpool(work)
        return work()

    @router.post("/rank-many", response_model=RankManyResponse, tags=["ranking"], responses=problems(400, 413, 422),
                 summary="Rank the programs of many firms at once")
    def rank_many(body: RankManyRequest) -> Response:  # type: ignore[valid-type]
        """One ranking per firm, in order, each as ``POST /v1/rank`` answers. A bad firm makes the whole
        request fail with 422, naming it by its position (``body.firms[3].municipality``)."""
        engine = current().engine
        as_of = body.as_of or dt.date.today()
        with input_at("body"):
            results = [r.to_dict() for r in engine.rank_many(body.firms, as_of=as_of, top=body.top,
                                                             explain=body.explain, lang=body.lang)]
        return json_response({"as_of": as_of.isoformat(), "results": results})

    @router.post("/reach", response_model=ReachResponse, tags=["ranking"], responses=problems(400, 413, 422),
                 summary="Whom to call first about a program, and why")
    def reach(body: ReachRequest) -> Response:  # type: ignore[valid-type]
        """The firms the program fits best: eligible ones first by score, then (with
        ``include_possible``) those that might be eligible once they give a missing fact."""
        engine = current().engine
        with input_at("body"):
            hits = engine.reach(body.program, body.firms, top=body.top, as_of=body.as_of,
                                include_possible=body.include_possible, lang=body.lang)
        return json_response({"program": body.program, "firms": len(body.firms), "hits": [h.to_dict() for h in hits]})

    return router
