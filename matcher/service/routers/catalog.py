"""``/v1/programs``, ``/v1/municipalities``, ``/v1/vocabulary``: the catalog and the gazetteer, for pickers and pages."""

# No ``from __future__ import annotations``: FastAPI reads the routes' annotations, some of
# them request models built per service (local names that a string annotation could not find).

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path as PathParam, Query
from starlette.responses import Response

from profiles.errors import InputError
from profiles.geography import gazetteer
from profiles.models import PROGRAM_KINDS, SupportProgram
from profiles.needs import resolve_need
from matcher.service.deps import input_at, json_response, problems
from matcher.service.jsonbody import StrictJSONRoute
from matcher.service.lookup import (
    filter_programs,
    municipality_detail,
    municipality_summary,
    program_summary,
    search_municipalities,
    vocabulary,
)
from matcher.service.problems import ProblemError
from matcher.service.schemas import IsoDate, MunicipalityDetail, MunicipalityPage, ProgramPage, Vocabulary
from matcher.service.settings import Settings
from matcher.service.state import Loaded

__all__ = ["router"]

ProgramKind = Literal[PROGRAM_KINDS]  # type: ignore[valid-type]


def router(settings: Settings, current: Callable[[], Loaded]) -> APIRouter:
    """The catalog routes, pages sized by ``settings.max_page_size``."""
    router = APIRouter(route_class=StrictJSONRoute)

    Limit = Annotated[int, Query(ge=1, le=settings.max_page_size, description="Items per page.")]
    Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip.")]

    def page(items: list, total: int, limit: int, offset: int) -> dict[str, Any]:
        return {"items": items, "total": total, "limit": limit, "offset": offset,
                "next_offset": offset + limit if offset + limit < total else None}

    @router.get("/programs", response_model=ProgramPage, tags=["catalog"], responses=problems(422),
                summary="The catalog's programs, filtered")
    def programs(
        provider: Annotated[str | None, Query(max_length=200, description="A provider id (kita-city) or kind "
                                              "(municipality, national…).")] = None,
        kind: Annotated[ProgramKind | None, Query(description="A program kind.")] = None,  # type: ignore[valid-type]
        need: Annotated[str | None, Query(max_length=200, description="A need id or synonym (展示会, loan).")] = None,
        open_on: Annotated[IsoDate | None, Query(description="Only programs open on this date.")] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Response:
        """Programs in catalog order; each item carries ``open`` when ``open_on`` is given."""
        engine = current().engine
        with input_at("query"):
            need_id = resolve_need(need, "need") if need else None
        hits = filter_programs(engine.programs_, provider=provider, kind=kind, need=need_id, open_on=open_on)
        items = [program_summary(p, open_on) for p in hits[offset:offset + limit]]
        return json_response(page(items, len(hits), limit, offset))

    @router.get("/programs/{program_id}", response_model=SupportProgram, tags=["catalog"], responses=problems(404),
                summary="One program, as the catalog has it")
    def program(program_id: Annotated[str, PathParam(description="The program's id.")]) -> Response:
        """Every field of the program: provider, benefit, eligibility rules, validity window, sources."""
        engine = current().engine
        try:
            p = engine.program(program_id)
        except InputError as exc:
            raise ProblemError(404, str(exc)) from None
        return json_response(p.model_dump(mode="json"))

    @router.get("/municipalities", response_model=MunicipalityPage, tags=["catalog"], responses=problems(422),
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
        with input_at("query"):
            pref = gazetteer().prefecture(prefecture).code if prefecture else None
        hits = search_municipalities(q, pref)
        profiles = {m.code: m.id for m in engine.catalog_.municipalities}
        items = [municipality_summary(g, profiles) for g in hits[offset:offset + limit]]
        return json_response(page(items, len(hits), limit, offset))

    @router.get("/municipalities/{municipality_id}", response_model=MunicipalityDetail, tags=["catalog"],
                responses=problems(404), summary="One local government")
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
        return json_response(municipality_detail(g, engine))

    @router.get("/vocabulary", response_model=Vocabulary, tags=["catalog"],
                summary="Needs, industries, program kinds and prefectures, for pickers")
    def vocab() -> Response:
        return json_response(vocabulary())

    return router
