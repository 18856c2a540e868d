"""Every error of the service as ``application/problem+json`` (RFC 9457).

A problem names what went wrong in ``title`` and ``detail``; input errors also list
each bad field in ``errors``, with its path from the top of the request
(``body.firm.employees``, ``query.limit``) and the value that came:

.. code-block:: json

    {"type": "urn:shien-matcher:problem:invalid-input", "title": "Invalid input",
     "status": 422, "detail": "body.firm.employees: Input should be greater than or equal to 0, got -5",
     "instance": "/v1/rank",
     "errors": [{"field": "body.firm.employees", "message": "Input should be greater than or equal to 0",
                 "value": -5}]}

>>> field_of(("body", "firm", "needs"), "needs[2]")
'body.firm.needs[2]'
>>> field_of(("body", "firm"), "municipality")
'body.firm.municipality'
>>> jsonable(float("nan")), jsonable("x" * 300).endswith("… (300 chars)")
('nan', True)
"""

from __future__ import annotations

import difflib
import json
import logging
import math
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from matcher.service.i18n import candidates_of, lang_of, title_in, translate
from profiles.columns import match_headers
from profiles.errors import CatalogError, InputError, ProfilesError
from profiles.models import CompanyProfile
from profiles.validation import field_path
from rules.errors import RulesError

__all__ = ["PROBLEM_JSON", "INVALID_INPUT", "INVALID_CATALOG", "Candidate", "FieldError", "Problem", "ProblemError",
           "problem_response", "field_of", "jsonable", "install_problem_handlers"]

PROBLEM_JSON = "application/problem+json"
INVALID_INPUT = "urn:shien-matcher:problem:invalid-input"
INVALID_CATALOG = "urn:shien-matcher:problem:invalid-catalog"

logger = logging.getLogger("matcher.service")

_MAX_TEXT = 200
_MAX_ITEMS = 20


class Candidate(BaseModel):
    """A local government an ambiguous or unknown municipality could mean, for a "did you mean" button."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"code": "131172", "name": "Kita City", "name_ja": "北区", "label": "Kita City, Tokyo", "label_ja": "東京都北区"}]})

    code: str = Field(description="The 6-digit local-government code: send it as the municipality.")
    name: str
    name_ja: str
    label: str = Field(description='English name, city and prefecture: "Kita Ward, Sapporo, Hokkaido".')
    label_ja: str = Field(description='Prefecture and full Japanese name: "北海道札幌市北区".')


class FieldError(BaseModel):
    """One bad value: where it is, what was expected, and what came."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"field": "body.firm.municipality", "message": "ambiguous: 12 local governments have this name; give "
         "the prefecture or the 6-digit code (did you mean: 131172 Kita City, Tokyo, ...?)", "value": "Kita"}]})

    field: str = Field(description="Path of the value from the top of the request: body.firm.employees, "
                                   "query.limit, path.program_id.")
    message: str = Field(description="What was expected.")
    value: Any = Field(default=None, description="The value that came (long texts shortened), or null if missing.")
    candidates: list[Candidate] | None = Field(default=None, description="The local governments an ambiguous or "
                                                                          "unknown municipality could mean.")
    hints: list[str] | None = Field(default=None, exclude=True, description="Close valid values (in the message).")


class Problem(BaseModel):
    """An error, as RFC 9457 problem details (media type ``application/problem+json``)."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"type": INVALID_INPUT, "title": "Invalid input", "status": 422,
         "detail": "body.firm.employees: Input should be greater than or equal to 0, got -5",
         "instance": "/v1/rank",
         "errors": [{"field": "body.firm.employees", "message": "Input should be greater than or equal to 0",
                     "value": -5}]},
        {"type": "about:blank", "title": "Not Found", "status": 404,
         "detail": "program: no program with this id in the catalog, got 'kita-trade-fair' "
                   "(did you mean: kita-trade-fair-subsidy?)", "instance": "/v1/programs/kita-trade-fair"},
    ]})

    type: str = Field(default="about:blank", description="A URI naming the kind of problem.")
    title: str = Field(description="A short summary of the kind of problem.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong in this request, in plain words.")
    instance: str | None = Field(default=None, description="The path of the request.")
    errors: list[FieldError] | None = Field(default=None, description="Every bad value of the request.")
    lang: str = Field(default="en", description="The language of title, detail and messages: en, or ja with "
                                                "?lang=ja or Accept-Language: ja.")


class ProblemError(Exception):
    """Raised by a route to answer with a problem.

    Parameters
    ----------
    status : int
        HTTP status code.
    detail : str
        What went wrong, naming the value.
    errors : list of FieldError, optional
        The bad values, each with its field path.
    type : str, default "about:blank"
    title : str, optional
        Defaults to the status code's phrase.
    headers : dict, optional
    """

    def __init__(self, status: int, detail: str, *, errors: list[FieldError] | None = None,
                 type: str = "about:blank", title: str | None = None, headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors
        self.type = type
        self.title = title or HTTPStatus(status).phrase
        self.headers = headers


def jsonable(value: Any, depth: int = 0) -> Any:
    """A bad value made safe to echo in JSON: finite, short, and of JSON types."""
    if value is None or isinstance(value, (bool, int)):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10 ** 30:
            text = str(value)
            return f"{text[:24]}… ({len(text)} digits)"
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, str):
        return value if len(value) <= _MAX_TEXT else f"{value[:_MAX_TEXT]}… ({len(value)} chars)"
    if depth >= 3:
        return f"<{type(value).__name__}>"
    if isinstance(value, dict):
        items = list(value.items())
        out = {str(jsonable(k, depth + 1)): jsonable(v, depth + 1) for k, v in items[:_MAX_ITEMS]}
        if len(items) > _MAX_ITEMS:
            out["…"] = f"{len(items) - _MAX_ITEMS} more keys"
        return out
    if isinstance(value, (list, tuple)):
        out = [jsonable(v, depth + 1) for v in value[:_MAX_ITEMS]]
        if len(value) > _MAX_ITEMS:
            out.append(f"… {len(value) - _MAX_ITEMS} more items")
        return out
    return jsonable(str(value), depth)


def _dumps(data: Any) -> bytes:
    text = json.dumps(data, ensure_ascii=False, allow_nan=False)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate echoed from the input
        return json.dumps(data, ensure_ascii=True, allow_nan=False).encode("ascii")


def _message_in(e: FieldError, lang: str) -> str:
    text = translate(e.message, lang)
    if lang == "ja" and e.candidates:
        return text + "（候補: " + "、".join(f"{c.label_ja}（{c.code}）" for c in e.candidates[:8]) + "）"
    if e.hints:
        hints = ", ".join(map(str, e.hints[:8]))
        return text + (f"（候補: {hints}）" if lang == "ja" else f" (did you mean: {hints}?)")
    return text


def _error_body(e: FieldError, lang: str) -> dict[str, Any]:
    out = {"field": e.field, "message": _message_in(e, lang), "value": jsonable(e.value)}
    if e.candidates:
        out["candidates"] = [c.model_dump() for c in e.candidates]
    return out


def problem_response(status: int, detail: str, *, instance: str | None = None, errors: list[FieldError] | None = None,
                     type: str = "about:blank", title: str | None = None,
                     headers: dict[str, str] | None = None, lang: str = "en") -> Response:
    """A ``application/problem+json`` response, its texts in ``lang`` (:mod:`matcher.messages`)."""
    body: dict[str, Any] = {"type": type, "title": title_in(title or HTTPStatus(status).phrase, lang),
                            "status": status, "detail": translate(detail, lang), "lang": lang}
    if instance is not None:
        body["instance"] = instance
    if errors is not None:
        body["errors"] = [_error_body(e, lang) for e in errors]
    return Response(_dumps(body), status_code=status, media_type=PROBLEM_JSON, headers=headers)


def request_lang(request: Request) -> str:
    """The language a request asks its problems in (``?lang=ja`` or ``Accept-Language: ja``)."""
    return lang_of(request.url.query, request.headers)


def field_of(loc: tuple[Any, ...], inner: str | None = None) -> str:
    """The dotted path of a validation error, joined with the field an :class:`InputError` names.

    A validator of a list field names its own ``needs[2]``: only the index is added.
    """
    path = field_path(tuple(p for p in loc if not (isinstance(p, str) and p.startswith("function-"))))
    if not inner:
        return path
    if not path:
        return inner
    head, bracket, tail = inner.partition("[")
    last = path.rsplit(".", 1)[-1]
    if bracket and last == head:
        return f"{path}[{tail}"
    if last == inner:
        return path
    return f"{path}.{inner}"


def _input_error(field: str, exc: InputError) -> FieldError:
    cands = candidates_of(exc) if exc.candidates else None
    return FieldError(field=field, message=exc.message, value=exc.value,
                      candidates=[Candidate(**c) for c in cands] if cands else None,
                      hints=[str(c) for c in exc.candidates] or None)


def _message(err: dict[str, Any]) -> tuple[str, Any, str] | FieldError:
    cause = (err.get("ctx") or {}).get("error")
    loc = tuple(err.get("loc", ()))
    if isinstance(cause, InputError):
        return _input_error(field_of(loc, cause.field) or "body", cause)
    msg = str(err.get("msg", "invalid value"))
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix):]
    kind = err.get("type")
    if kind == "extra_forbidden":
        msg = "unknown field"
        hints = _field_hints(loc)
        if hints:
            return FieldError(field=field_of(loc), message=msg, value=err.get("input"), hints=hints)
    elif kind == "missing":
        return field_of(loc), None, "this field is required"
    elif kind == "json_invalid":
        detail = (err.get("ctx") or {}).get("error")
        if isinstance(detail, str) and detail.startswith("duplicate key"):
            return field_of(loc[:1]), None, detail
        return field_of(loc[:1]), None, f"expected a JSON document{f' ({detail})' if detail else ''}"
    return field_of(loc), err.get("input"), msg


def _field_hints(loc: tuple[Any, ...]) -> list[str]:
    """The firm fields an unknown key of a firm may have meant: a near miss (``employes``) or a
    header the firm-list reader knows (``capital``, ``会社名``)."""
    key = loc[-1] if loc else None
    if not isinstance(key, str) or not any(p in ("firm", "firms") for p in loc[:-1]):
        return []
    fields = list(CompanyProfile.model_fields)
    close = difflib.get_close_matches(key.lower(), fields, n=3, cutoff=0.75)
    try:
        close += [f for f in match_headers([key]).fields if f in fields and f not in close]
    except InputError:
        pass
    return close


def _describe(e: FieldError, lang: str = "en") -> str:
    message = _message_in(e, lang)
    if e.value is None:
        return f"{e.field}: {message}"
    value = json.dumps(jsonable(e.value), ensure_ascii=False)
    return f"{e.field}: {message}（入力値: {value}）" if lang == "ja" else f"{e.field}: {message}, got {value}"


def validation_problem(errors: list[FieldError], instance: str | None, lang: str = "en") -> Response:
    """422: every bad value of a request."""
    detail = _describe(errors[0], lang) if errors else "invalid input"
    if len(errors) > 1:
        detail += f"（ほか{len(errors) - 1}件）" if lang == "ja" else f" (and {len(errors) - 1} more)"
    return problem_response(422, detail, instance=instance, errors=errors, type=INVALID_INPUT, title="Invalid input",
                            lang=lang)


def input_problem(exc: InputError, instance: str | None, prefix: str = "", lang: str = "en") -> Response:
    """422 for an :class:`InputError` raised by the engine."""
    err = _input_error(field_of(tuple(prefix.split(".")) if prefix else (), exc.field), exc)
    return validation_problem([err], instance, lang)


def install_problem_handlers(app: FastAPI) -> None:
    """Answer every error of ``app`` with problem details, never with a traceback."""

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = []
        for err in exc.errors():
            got = _message(err)
            if isinstance(got, FieldError):
                errors.append(got)
                continue
            field, value, message = got
            errors.append(FieldError(field=field or "body", message=message, value=value))
        return validation_problem(errors, request.url.path, request_lang(request))

    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> Response:
        return problem_response(exc.status, exc.detail, instance=request.url.path, errors=exc.errors,
                                type=exc.type, title=exc.title, headers=exc.headers, lang=request_lang(request))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).description
        if exc.status_code == 404 and exc.detail == "Not Found":
            detail = f"no route for {request.method} {request.url.path}"
        elif exc.status_code == 405:
            detail = f"{request.method} is not allowed on {request.url.path}"
        return problem_response(exc.status_code, detail, instance=request.url.path,
                                headers=getattr(exc, "headers", None), lang=request_lang(request))

    @app.exception_handler(CatalogError)
    async def _catalog(request: Request, exc: CatalogError) -> Response:
        errors = [FieldError(field=":".join(x for x in (p.file, p.entry, p.path) if x and x != "-"),
                             message=p.message) for p in exc.problems]
        return problem_response(422, str(exc).splitlines()[0], instance=request.url.path, errors=errors,
                                type=INVALID_CATALOG, title="Invalid catalog", lang=request_lang(request))

    @app.exception_handler(InputError)
    async def _input(request: Request, exc: InputError) -> Response:
        return input_problem(exc, request.url.path, lang=request_lang(request))

    @app.exception_handler(ProfilesError)
    @app.exception_handler(RulesError)
    async def _bad_value(request: Request, exc: Exception) -> Response:
        return problem_response(422, " ".join(str(exc).split()), instance=request.url.path, type=INVALID_INPUT,
                                title="Invalid input", lang=request_lang(request))

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> Response:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(500, "internal error: the service failed to answer this request; "
                                     "it has been logged", instance=request.url.path, lang=request_lang(request))
