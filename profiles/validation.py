"""Turning pydantic's validation errors into :class:`~profiles.errors.Problem` lines.

One place formats every validation failure, for catalogs and for firms alike, so a
user always reads ``file: entry: field.path: what was expected, got value``.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from profiles.errors import InputError, Problem

__all__ = ["field_path", "problems_from", "first_input_error"]


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


def _one(err: dict[str, Any]) -> tuple[str, str, Any]:
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
