"""Request and response models of the HTTP service, each with examples for the docs.

The rank and reach answers are the library's own models (:mod:`matcher.results`), so
``POST /v1/rank`` returns exactly what ``matcher rank --json`` prints. The caps of a
request (largest ``top``, most firms) come from the settings, so the request models
are built per application by :func:`request_models`.

>>> models = request_models(max_top=20, max_firms=3)
>>> models.RankRequest.model_validate({"firm": {"municipality": "131172"}, "top": 5}).top
5
>>> models.RankRequest.model_json_schema()["properties"]["top"]["anyOf"][0]["maximum"]
20
"""

from __future__ import annotations

import datetime as dt
import difflib
from types import SimpleNamespace
from typing import Any, Literal

from typing import Annotated

from pydantic import (BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, ValidationError, field_validator,
                      model_validator)

from matcher.results import ProviderRef, Ranking, ReachHit
from profiles.columns import match_headers
from profiles.errors import InputError
from profiles.models import CompanyProfile

__all__ = ["Firm", "IsoDate", "request_models", "kept_columns", "RankManyResponse", "ReachResponse", "KeptReachHit", "ProgramSummary", "ProgramPage",
           "MunicipalitySummary", "MunicipalityPage", "MunicipalityDetail", "NeedTerm", "IndustryTerm",
           "KindTerm", "PrefectureTerm", "Vocabulary", "Health", "Ready", "Reloaded", "KITA_PRESS"]

#: The README's example firm: a 25-person metal-press shop in Kita City, Tokyo.
KITA_PRESS: dict[str, Any] = {
    "id": "kita-001", "name": "Oji Precision Press", "municipality": "Kita City", "prefecture": "Tokyo",
    "industry": "E24", "employees": 25, "capital_jpy": 10_000_000, "founded": "1978-04-01",
    "needs": ["trade_fair", "marketing"],
    "description": "Metal press work and sheet-metal parts for electrical machinery makers. We want to exhibit "
                   "our deep-drawing technology at a trade fair to find new customers.",
}
_HAMURA = {"id": "hamura-007", "municipality": "羽村市", "needs": ["融資"]}
_AS_OF = "2026-11-21"


def _iso_date(v: Any) -> Any:
    """A date is a date or an ISO ``YYYY-MM-DD`` string: ``0`` or ``"0"`` is not 1970-01-01."""
    if v is None or isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        return v
    if isinstance(v, str):
        try:
            return dt.date.fromisoformat(v.strip()) if len(v.strip()) == 10 else _bad_date(v)
        except ValueError:
            return _bad_date(v)
    return _bad_date(v)


def _bad_date(v: Any) -> Any:
    raise ValueError(f"expected a date as YYYY-MM-DD (2026-12-01), got {v!r}")


#: A date at the HTTP edge: a ``datetime.date`` or an ISO ``YYYY-MM-DD`` string, nothing else.
IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]


_PLACE_FIELDS = ("municipality", "prefecture", "address", "postal_code")
_STAND_IN = "131172"  # any known municipality: it only lets the other fields be checked


def _init(err: Any) -> Any:
    out = {"type": err["type"], "loc": err["loc"], "input": err.get("input")}
    if err.get("ctx"):
        out["ctx"] = err["ctx"]
    return out


class Firm(CompanyProfile):
    """A firm as a coordinator describes it; only the location is required.

    ``municipality`` is an English or Japanese name or the 6-digit code, ``prefecture``
    tells apart the many Kita wards, ``industry`` a JSIC code or a word, ``needs`` ids or
    synonyms from ``GET /v1/vocabulary``. A missing fact is never taken as zero.
    """

    model_config = ConfigDict(json_schema_extra={"examples": [KITA_PRESS, _HAMURA]})

    @model_validator(mode="wrap")
    @classmethod
    def _every_error(cls, data: Any, handler: Any) -> Any:
        """Report the other bad fields with a bad location, all at once: the location is checked
        first (the profile resolves it before its fields), so the firm is checked once more with
        a known place standing in for it, only to list the rest."""
        try:
            return handler(data)
        except ValidationError as exc:
            errors = exc.errors()
            place = [e for e in errors if not e["loc"] and isinstance((e.get("ctx") or {}).get("error"), InputError)
                     and str(e["ctx"]["error"].field).split(".")[0] in _PLACE_FIELDS]
            if not isinstance(data, dict) or len(place) != len(errors):
                raise
            probe = {k: v for k, v in data.items() if k not in _PLACE_FIELDS} | {"municipality": _STAND_IN}
            try:
                handler(probe)
            except ValidationError as other:
                rest = [e for e in other.errors() if e["loc"]]
                if rest:
                    raise ValidationError.from_exception_data(exc.title, [_init(e) for e in errors + rest]) from None
            raise

    @field_validator("needs", mode="before")
    @classmethod
    def _needs_are_words(cls, v: Any) -> Any:
        """Refuse needs that are not words before they are resolved (a number is not a need)."""
        if v is None or isinstance(v, str):
            return v
        if not isinstance(v, (list, tuple)):
            raise InputError("needs", v, "expected a list of need ids or words (GET /v1/vocabulary)")
        for i, item in enumerate(v):
            if not isinstance(item, str):
                raise InputError(f"needs[{i}]", item, "expected a need id or word (GET /v1/vocabulary)")
        return v


_FIRM_FIELDS = frozenset(CompanyProfile.model_fields)


def _is_kept(key: object) -> bool:
    """A key of a reach firm that is a column to keep: not a field, not a field's header under another
    name (``capital``, ``会社名``: send those as the field), not a near miss of a field (``employes``)."""
    if not isinstance(key, str) or key in _FIRM_FIELDS or not key.strip():
        return False
    if difflib.get_close_matches(key.lower(), _FIRM_FIELDS, n=1, cutoff=0.8):
        return False
    try:
        return not match_headers([key]).fields
    except InputError:
        return False


def kept_columns(firms: Any) -> tuple[Any, list[dict[str, Any]]]:
    """The firms of a reach request without their kept columns, and the kept columns of each.

    >>> kept_columns([{"municipality": "131172", "phone": "03-0000-0000", "employes": 5}])
    ([{'municipality': '131172', 'employes': 5}], [{'phone': '03-0000-0000'}])
    """
    if not isinstance(firms, list):
        return firms, []
    out, kept = [], []
    for firm in firms:
        if isinstance(firm, dict):
            extra = {k: v for k, v in firm.items() if _is_kept(k)}
            out.append({k: v for k, v in firm.items() if k not in extra} if extra else firm)
            kept.append(extra)
        else:
            out.append(firm)
            kept.append({})
    return out, kept


def request_models(max_top: int = 100, max_firms: int = 1000, max_results: int = 10_000,
                   max_explain_firms: int = 20, default_top: int = 10) -> SimpleNamespace:
    """The request models, with ``top`` capped at ``max_top`` and lists at ``max_firms``.

    A ``rank-many`` request may ask for at most ``max_results`` rankings in all (firms x
    ``top``, ``default_top`` when ``top`` is not given) and for ``explain`` with at most
    ``max_explain_firms`` firms. Booleans must be JSON booleans, ``top`` a JSON integer
    and dates ISO strings (``top: true``, ``top: 1e2``, ``explain: 0``, ``as_of: 0`` are refused).

    Returns
    -------
    types.SimpleNamespace
        ``RankRequest``, ``RankManyRequest`` and ``ReachRequest``.
    """
    top_field = Field(default=None, ge=1, le=max_top, strict=True,
                      description=f"How many eligible programs to return (default {default_top}, at most {max_top}).")
    as_of_field = Field(default=None, description="Evaluate validity windows at this date (YYYY-MM-DD, default: today).")
    distance_field = Field(default=None, gt=0, allow_inf_nan=False, strict=True,
                           description="Recommend only municipalities within this many km of the firm's "
                                       "(null: the service's default, no maximum unless it sets one).")
    lang_field = Field(default="en", description="Language of the reasons: en or ja (conditions stay in English).")

    class RankRequest(BaseModel):
        """One firm to rank, as ``matcher rank FIRM --json``."""

        model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
            {"firm": KITA_PRESS, "as_of": _AS_OF, "top": 5},
            {"firm": {"municipality": "Hamura", "prefecture": "Tokyo"}, "explain": True}]})

        firm: Firm
        as_of: IsoDate | None = as_of_field
        top: int | None = top_field
        explain: bool = Field(default=False, strict=True,
                              description="Each scheme's conditions, and every excluded program.")
        lang: Literal["en", "ja"] = lang_field
        max_distance_km: float | None = distance_field

    class RankManyRequest(BaseModel):
        """Many firms to rank, each answered as by ``POST /v1/rank``, in order."""

        model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
            {"firms": [KITA_PRESS, _HAMURA], "as_of": _AS_OF, "top": 3}]})

        firms: list[Firm] = Field(min_length=1, max_length=max_firms,
                                  description=f"The firms, 1 to {max_firms} of them; firms x top at most "
                                              f"{max_results}, and at most {max_explain_firms} with explain.")
        as_of: IsoDate | None = as_of_field
        top: int | None = top_field
        explain: bool = Field(default=False, strict=True,
                              description=f"Each scheme's conditions, and every excluded program "
                                          f"(at most {max_explain_firms} firms).")
        lang: Literal["en", "ja"] = lang_field
        max_distance_km: float | None = distance_field

        @model_validator(mode="after")
        def _bounded(self) -> "RankManyRequest":
            n, top = len(self.firms), self.top or default_top
            if n * top > max_results:
                raise InputError("top", self.top, f"firms x top must be at most {max_results} rankings per request "
                                 f"(MATCHER_MAX_RESULTS), got {n} x {top} = {n * top}: send fewer firms per "
                                 f"request or a smaller top")
            if self.explain and n > max_explain_firms:
                raise InputError("explain", True, f"explain is limited to {max_explain_firms} firms per request "
                                 f"(MATCHER_MAX_EXPLAIN_FIRMS), got {n} firms: explain fewer firms, or leave it out")
            return self

    class ReachRequest(BaseModel):
        """A program and the firms to choose from: whom to call first about it.

        A firm's keys that are not fields of a firm are columns of the caller's list (``phone``,
        ``担当者``): they are kept and come back on the firm's hit as ``kept``. A key that is a
        firm field under another name (``capital``, ``会社名``) or a near miss of one (``employes``)
        is refused as an unknown field: send it as the field, or read the list with
        ``POST /v1/firms/check``, which reads such headers."""

        model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
            {"program": "kita-trade-fair-subsidy", "firms": [KITA_PRESS | {"phone": "03-0000-0101"}, _HAMURA],
             "as_of": _AS_OF, "top": 10}]})
        _kept: list[dict[str, Any]] = PrivateAttr(default_factory=list)

        @model_validator(mode="wrap")
        @classmethod
        def _keep_columns(cls, data: Any, handler: Any) -> Any:
            if not isinstance(data, dict) or "firms" not in data:
                return handler(data)
            firms, kept = kept_columns(data["firms"])
            model = handler({**data, "firms": firms})
            model._kept = kept
            return model

        @property
        def kept(self) -> list[dict[str, Any]]:
            """The kept columns of each firm, in order (empty dicts when none)."""
            return self._kept

        program: str = Field(min_length=1, max_length=200, description="The program's id (GET /v1/programs).")
        firms: list[Firm] = Field(min_length=1, max_length=max_firms,
                                  description=f"The firms, 1 to {max_firms} of them; `row` of a hit is the "
                                              "firm's position here, from 1.")
        as_of: IsoDate | None = as_of_field
        top: int = Field(default=20, ge=1, le=max_top, strict=True,
                         description=f"How many firms to list (at most {max_top}).")
        include_possible: bool = Field(default=True, strict=True,
                                       description="Also list firms that might be eligible once they give a fact.")
        lang: Literal["en", "ja"] = lang_field

    return SimpleNamespace(RankRequest=RankRequest, RankManyRequest=RankManyRequest, ReachRequest=ReachRequest)


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class RankManyResponse(_Out):
    """One ranking per firm, in the order of the request."""

    as_of: dt.date
    results: list[Ranking]


class KeptReachHit(ReachHit):
    """A hit, with the columns of the caller's list that the engine does not use."""

    kept: dict[str, Any] | None = Field(default=None, description="The firm's keys that are not firm fields "
                                                                  "(its list's other columns), as sent.")


class ReachResponse(_Out):
    """The firms a program fits best, eligible ones first."""

    program: str
    firms: int = Field(description="How many firms were scored.")
    kept: list[str] = Field(default=[], description="The keys kept beside the firms (not firm fields), once each.")
    hits: list[KeptReachHit]


class ProgramSummary(_Out):
    """A program in a list: enough to show it and to filter by it."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "kita-trade-fair-subsidy", "name": "Kita City Trade Fair Participation Subsidy",
        "name_ja": "北区展示会出展補助金", "kind": "subsidy",
        "provider": {"id": "kita-city", "name": "Kita City, Industry Promotion Section, Regional Promotion Division",
                     "name_ja": "北区 地域振興部 産業振興課", "kind": "municipality"},
        "needs": ["trade_fair", "marketing", "subsidy"], "industries": ["E"],
        "benefit": {"max_amount_jpy": 200000}, "valid_from": None, "valid_until": None,
        "application_deadline": None, "url": None, "open": True}]})

    id: str
    name: str
    name_ja: str | None = None
    kind: str = Field(description="One of GET /v1/vocabulary's program_kinds.")
    provider: ProviderRef
    needs: list[str] = Field(description="Need ids (GET /v1/vocabulary) the program serves.")
    industries: list[str] = Field(description="JSIC codes the program targets; empty: every industry.")
    benefit: dict[str, Any] | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    application_deadline: dt.date | None = None
    url: str | None = None
    open: bool | None = Field(default=None, description="Whether it is open on `open_on`; null when no date was given.")


class _Page(_Out):
    total: int = Field(description="How many items match, over every page.")
    limit: int
    offset: int
    next_offset: int | None = Field(description="The offset of the next page, null on the last.")


class ProgramPage(_Page):
    """A page of programs."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "items": ProgramSummary.model_config["json_schema_extra"]["examples"],  # type: ignore[index]
        "total": 1, "limit": 50, "offset": 0, "next_offset": None}]})

    items: list[ProgramSummary]


class MunicipalitySummary(_Out):
    """A local government, for lists and autocomplete."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "code": "131172", "name": "Kita City", "label": "Kita City, Tokyo", "name_ja": "北区",
        "full_name_ja": "北区", "name_kana": "きたく", "kind": "ward", "prefecture": "Tokyo",
        "prefecture_code": "13", "prefecture_ja": "東京都", "profile": "kita-tokyo"}]})

    code: str = Field(description="The 6-digit local-government code.")
    name: str = Field(description='English name with its kind: "Kita City", "Kita Ward".')
    label: str = Field(description='English name, city and prefecture: "Kita Ward, Sapporo, Hokkaido".')
    name_ja: str
    full_name_ja: str = Field(description='With the city of a ward: "札幌市北区".')
    name_kana: str
    kind: Literal["city", "ward", "town", "village"]
    prefecture: str = Field(description="The prefecture's English name.")
    prefecture_code: str
    prefecture_ja: str
    profile: str | None = Field(default=None, description="Id of the catalog's profile of it, if any.")


class MunicipalityPage(_Page):
    """A page of local governments."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "items": MunicipalitySummary.model_config["json_schema_extra"]["examples"],  # type: ignore[index]
        "total": 1, "limit": 20, "offset": 0, "next_offset": None}]})

    items: list[MunicipalitySummary]


class MunicipalityDetail(MunicipalitySummary):
    """A local government, with the catalog's profile of it and the programs it offers."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        **MunicipalitySummary.model_config["json_schema_extra"]["examples"][0],  # type: ignore[index]
        "lat": 35.75277778, "lng": 139.7336111, "url": "https://www.city.kita.tokyo.jp/",
        "programs": ["kita-trade-fair-subsidy"], "details": None}]})

    lat: float | None = None
    lng: float | None = None
    url: str | None = None
    programs: list[str] = Field(description="Ids of the catalog's programs this local government provides.")
    details: dict[str, Any] | None = Field(default=None, description="The catalog's profile (industry strengths, "
                                                                      "assets, clusters, support desk), if any.")


class NeedTerm(_Out):
    """A need a firm can state and a program can serve."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"id": "trade_fair", "label_en": "trade fairs and exhibitions", "label_ja": "展示会・見本市"}]})

    id: str
    label_en: str
    label_ja: str


class IndustryTerm(_Out):
    """A JSIC (Rev. 13) division or major group."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"code": "E24", "name_en": "fabricated metal products", "name_ja": "金属製品製造業", "level": "major_group"}]})

    code: str
    name_en: str
    name_ja: str
    level: Literal["division", "major_group"]


class KindTerm(_Out):
    """A kind of program or of provider."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"id": "interest_subsidy", "label_en": "interest subsidy"}]})

    id: str
    label_en: str


class PrefectureTerm(_Out):
    """One of the 47 prefectures."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"code": "13", "name_en": "Tokyo", "name_ja": "東京都"}]})

    code: str
    name_en: str
    name_ja: str


class Vocabulary(_Out):
    """The words the pickers of a form offer."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "needs": NeedTerm.model_config["json_schema_extra"]["examples"],  # type: ignore[index]
        "industries": IndustryTerm.model_config["json_schema_extra"]["examples"],  # type: ignore[index]
        "program_kinds": [{"id": "subsidy", "label_en": "subsidy"}],
        "provider_kinds": [{"id": "municipality", "label_en": "municipality"}],
        "prefectures": PrefectureTerm.model_config["json_schema_extra"]["examples"],  # type: ignore[index]
    }]})

    needs: list[NeedTerm]
    industries: list[IndustryTerm]
    program_kinds: list[KindTerm]
    provider_kinds: list[KindTerm]
    prefectures: list[PrefectureTerm]


class Health(_Out):
    """The process is alive."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "ok"}]})

    status: Literal["ok"] = "ok"


class Ready(_Out):
    """The engine is loaded: which one."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "status": "ready", "version": "0.1.0", "catalog_hash": "3f1c2a9b0d4e5f67", "programs": 75,
        "municipalities": 7, "source": "built-in catalog", "loaded_at": "2026-11-21T09:00:00+00:00",
        "generation": 1, "weights": {"text": 0.8, "needs": 0.05, "kind": 0.05, "industry": 0.05,
                                     "locality": 0.05}}]})

    status: Literal["ready"] = "ready"
    version: str = Field(description="Version of shien-matcher.")
    catalog_hash: str = Field(description="Identifies the catalog's content.")
    programs: int
    municipalities: int = Field(description="Municipality profiles in the catalog.")
    source: str = Field(description="The catalog directory or engine file the engine came from.")
    loaded_at: dt.datetime
    generation: int = Field(description="1 at start, one more at each reload.")
    weights: dict[str, float] | None = Field(default=None, description="The score weights served (the defaults, "
                                                                      "or a weights file's: `matcher serve --weights`).")


class Reloaded(Ready):
    """The new engine now serving, and whether the catalog changed."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        **Ready.model_config["json_schema_extra"]["examples"][0],  # type: ignore[index]
        "generation": 2, "previous_catalog_hash": "3f1c2a9b0d4e5f67", "changed": False, "seconds": 1.42}]})

    previous_catalog_hash: str
    changed: bool
    seconds: float = Field(description="Time taken to build the new engine.")
