"""Turning pydantic's validation errors into :class:`~profiles.errors.Problem` lines, and input coercion.

One place formats every validation failure, for catalogs, firms and settings alike,
so a user always reads ``file: entry: field.path: what was expected, got value``;
:func:`coerce_firm` and :func:`parse_as_of` turn what a caller gives into a
validated profile and a date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from profiles.errors import InputError, Problem
from profiles.models import CompanyProfile

__all__ = ["field_path", "first_error", "problems_from", "first_input_error", "coerce_firm", "parse_as_of"]


def field_path(loc: tuple[Any, ...]) -> str:
    """Render a pydantic location as a dotted path with ``[i]`` for list positions.

    >>> field_path(("eligibility", "municipalities", 0))
    'eligibility.municipalities[0]'
    """
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _join(prefix: str, field: str) -> str:
    if not prefix:
        return field
    if not field or prefix.endswith(field):
        return prefix
    # A validator on a list field reports its own "name[i]": keep only the index part.
    head, _, tail = field.partition("[")
    if tail and prefix.endswith(head):
        return f"{prefix}[{tail}"
    return f"{prefix}.{field}"


def _one(err: Any) -> tuple[str, str, Any]:
    loc = tuple(p for p in err.get("loc", ()) if not (isinstance(p, str) and p.startswith("function-")))
    path = field_path(loc)
    cause = (err.get("ctx") or {}).get("error")
    if isinstance(cause, InputError):
        text = cause.message
        if cause.candidates:
            text += f" (did you mean: {', '.join(map(str, cause.candidates[:8]))}?)"
        return _join(path, cause.field), text, cause.value
    msg = err.get("msg", "invalid value")
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix):]
    if err.get("type") == "extra_forbidden":
        msg = "unknown field"
    return path, msg, err.get("input")


def first_error(exc: ValidationError) -> tuple[str, str, Any]:
    """The first error of ``exc`` as ``(field path, message, value given)``, the message in plain words."""
    return _one(exc.errors()[0])


def problems_from(exc: ValidationError, file: str, entry: str) -> list[Problem]:
    """One :class:`Problem` per error in ``exc``, naming the file, entry and field path."""
    out = []
    for err in exc.errors():
        path, msg, value = _one(err)
        if err.get("type") not in ("missing",) and not isinstance(value, dict):
            msg = f"{msg}, got {value!r}"
        out.append(Problem(file, entry, path, msg))
    return out


def first_input_error(exc: ValidationError) -> InputError:
    """The first error of ``exc`` as an :class:`InputError` (field, value, message).

    Used by the CLI and batch tools, which report one line per bad input.
    """
    err = exc.errors()[0]
    cause = (err.get("ctx") or {}).get("error")
    path, msg, value = _one(err)
    if isinstance(cause, InputError):
        return type(cause)(path, cause.value, cause.message, cause.candidates)
    if err.get("type") == "missing":
        return InputError(path, None, "this field is required")
    return InputError(path, value, msg)


def parse_as_of(as_of: dt.date | str | None) -> dt.date:
    """The as-of date: a date, an ISO string, or ``None`` for today.

    >>> parse_as_of("2014-06-01")
    datetime.date(2014, 6, 1)
    """
    if as_of is None:
        return dt.date.today()
    if isinstance(as_of, dt.datetime):
        return as_of.date()
    if isinstance(as_of, dt.date):
        return as_of
    try:
        return dt.date.fromisoformat(str(as_of))
    except ValueError:
        raise InputError("as_of", as_of, "expected a date as YYYY-MM-DD") from None


def coerce_firm(firm: CompanyProfile | Mapping[str, Any]) -> CompanyProfile:
    """A validated profile from a profile or a dict; a bad dict raises :class:`InputError`."""
    if isinstance(firm, CompanyProfile):
        return firm
    if isinstance(firm, Mapping):
        try:
            return CompanyProfile.model_validate(dict(firm))
        except ValidationError as exc:
            raise first_input_error(exc) from None
    raise InputError("firm", type(firm).__name__, "expected a CompanyProfile or a mapping of its fields")
