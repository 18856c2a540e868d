"""A chunk of firm records validated at once: column checks, one lookup per distinct value.

:func:`quick_profiles` is the common path of a batch: a record whose every field is
already in the engine's own form (what a Parquet file of the engine's fields holds:
strings, whole numbers in range, dates, lists of need ids or words, booleans) becomes its
:class:`~profiles.models.CompanyProfile` without pydantic validating it field by field;
its location, industry and needs are resolved once per distinct value of the chunk
(dictionary encoding: a register names a few hundred municipalities and industries in
100,000 rows). Every other record -- a number written as text, a blank, an unknown
municipality, an address to parse, an unknown field -- is flagged (``None``) and goes
the per-row way, :meth:`CompanyProfile.model_validate`, which gives its one error
message. So a profile is the same object either way, and an error the same message.

>>> firms = quick_profiles([{"id": "a", "municipality": "131172", "industry": "E24", "needs": ["subsidy"]},
...                         {"id": "b", "municipality": "131172", "employees": "12"}])
>>> firms[0].prefecture, firms[0].industry, firms[0].needs
('13', 'E24', ('subsidy',))
>>> firms[1] is None  # "12" is text: the per-row path reads it
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from profiles.models import MAX_CAPITAL_JPY, MAX_EMPLOYEES, CompanyProfile, resolve_location
from profiles.industries import resolve_industry
from profiles.needs import resolve_needs

__all__ = ["quick_profiles"]

#: The type of each field in the engine's own form (exactly: a bool is no int, a datetime no date).
_TYPES = {"id": str, "name": str, "description": str, "prefecture": str, "municipality": str, "industry": str,
          "employees": int, "capital_jpy": int, "founded": dt.date, "needs": list, "environment_conscious": bool,
          "seeking_location": bool}
_BAD = object()  # a distinct value that does not resolve: its rows take the per-row path


def _plain(rec: Mapping[str, Any]) -> bool:
    """Whether every field of a record is already in the engine's own form."""
    types = _TYPES
    for k, v in rec.items():
        if types.get(k) is not type(v) or v == "":
            return False
    for k in ("id", "name", "description"):
        v = rec.get(k)
        if v is not None and v != v.strip():
            return False
    v = rec.get("employees")
    if v is not None and not 0 <= v <= MAX_EMPLOYEES:
        return False
    v = rec.get("capital_jpy")
    if v is not None and not 0 <= v <= MAX_CAPITAL_JPY:
        return False
    v = rec.get("needs")
    return v is None or all(type(x) is str for x in v)


def _lookup(cache: dict, key: Any, resolve) -> Any:
    found = cache.get(key)
    if found is None:
        try:
            found = resolve(key)
        except Exception:  # noqa: BLE001 - the per-row path gives this row its own error
            found = _BAD
        cache[key] = found
    return found


@lru_cache(maxsize=1)
def _blank() -> CompanyProfile:
    """A profile of defaults with no field set: each quick profile is a copy with its fields."""
    return CompanyProfile.model_construct(set())


def quick_profiles(records: Sequence[Mapping[str, Any]]) -> list[CompanyProfile | None]:
    """The profile of every record the column checks pass, ``None`` for the others.

    Parameters
    ----------
    records : sequence of mapping
        One firm's fields per record, as :meth:`CompanyProfile.model_validate` takes them.

    Returns
    -------
    list of CompanyProfile or None
        For each record, in order, its profile -- equal to ``CompanyProfile.model_validate(record)``,
        with the same ``model_fields_set`` -- or ``None`` where the per-row path must read it
        (it may be valid all the same).
    """
    locations: dict = {}
    industries: dict = {}
    needs: dict = {}
    out: list[CompanyProfile | None] = []
    blank = _blank()
    for rec in records:
        if type(rec) is not dict or not _plain(rec) or ("prefecture" not in rec and "municipality" not in rec):
            out.append(None)
            continue
        loc = _lookup(locations, (rec.get("prefecture"), rec.get("municipality")), lambda k: resolve_location(*k))
        if loc is _BAD:
            out.append(None)
            continue
        fields = dict(rec)
        fields["prefecture"], mun = loc
        if mun is not None:
            fields["municipality"] = mun
        if "industry" in fields:
            code = _lookup(industries, fields["industry"], lambda v: resolve_industry(v).code)
            if code is _BAD:
                out.append(None)
                continue
            fields["industry"] = code
        if "needs" in fields:
            ids = _lookup(needs, tuple(fields["needs"]), resolve_needs)
            if ids is _BAD:
                out.append(None)
                continue
            fields["needs"] = ids
        out.append(blank.model_copy(update=fields))  # defaults, then the fields given: their fields set
    return out
