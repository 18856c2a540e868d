"""Who may apply for a program, and the audiences programs target without an industry code.

Both vocabularies are data (``profiles/data/audiences.yaml``). An *applicant type* is the
legal kind of applicant (a corporation, a sole proprietor, an NPO, ... or a municipality,
an individual, a school, which no firm is); a *target group* is an audience such as
shopping streets, traditional crafts or startups, named on a firm by its ``attributes``.

>>> resolve_applicant_type("株式会社"), resolve_applicant_type("sole proprietor")
('corporation', 'sole_proprietor')
>>> APPLICANT_TYPES["municipality"].firm
False
>>> resolve_groups(["商店街", "traditional crafts"])
('shopping_street', 'traditional_crafts')
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from profiles.datafiles import read_data_yaml
from profiles.errors import UnknownValueError

__all__ = [
    "Audience",
    "APPLICANT_TYPES",
    "FIRM_KINDS",
    "TARGET_GROUPS",
    "resolve_applicant_type",
    "resolve_group",
    "resolve_groups",
]


@dataclass(frozen=True)
class Audience:
    """One applicant type or target group: its id, names and the words that name it."""

    id: str
    name: str
    name_ja: str
    words_ja: tuple[str, ...]
    words_en: tuple[str, ...]
    firm: bool = True
    industries: tuple[str, ...] = ()
    through: bool = False
    #: a target group that is a line of business: a firm of another known industry is not in it
    exclusive: bool = False


def _read() -> dict[str, dict[str, Audience]]:
    data = read_data_yaml("profiles", "audiences.yaml")
    out: dict[str, dict[str, Audience]] = {}
    for section in ("applicant_types", "target_groups"):
        out[section] = {
            key: Audience(id=key, name=v["name"], name_ja=v["name_ja"],
                          words_ja=tuple(v.get("words_ja", ())), words_en=tuple(v.get("words_en", ())),
                          firm=bool(v.get("firm", True)), industries=tuple(v.get("industries", ())),
                          through=bool(v.get("through", False)), exclusive=bool(v.get("exclusive", False)))
            for key, v in data[section].items()
        }
    return out


_DATA = _read()
#: Applicant types by id; ``firm`` tells whether a firm can be of this type.
APPLICANT_TYPES: dict[str, Audience] = _DATA["applicant_types"]
#: The applicant types a firm profile can have.
FIRM_KINDS: tuple[str, ...] = tuple(k for k, v in APPLICANT_TYPES.items() if v.firm)
#: Target groups by id.
TARGET_GROUPS: dict[str, Audience] = _DATA["target_groups"]


def _key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower().replace("_", " ").replace("-", " ")


@lru_cache(maxsize=2)
def _lookup(section: str) -> dict[str, str]:
    table = APPLICANT_TYPES if section == "applicant_types" else TARGET_GROUPS
    found: dict[str, str] = {}
    for key, a in table.items():
        for word in (key, a.name, a.name_ja, *a.words_ja, *a.words_en):
            found.setdefault(_key(word), key)
    return found


def resolve_applicant_type(value: object, field: str = "applicant_type", firm_only: bool = False) -> str | None:
    """The applicant-type id named by an id or a word in English or Japanese (``None`` for blank).

    With ``firm_only`` a type that no firm can be (a municipality, an individual) is an error,
    as on a firm profile.

    >>> resolve_applicant_type("NPO法人")
    'npo'
    >>> resolve_applicant_type("区市町村", firm_only=True)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    profiles.errors.UnknownValueError: applicant_type: not a kind of firm...
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    found = _lookup("applicant_types").get(_key(str(value)))
    if found is None:
        raise UnknownValueError(field, value, "unknown applicant type", list(FIRM_KINDS if firm_only else APPLICANT_TYPES))
    if firm_only and not APPLICANT_TYPES[found].firm:
        raise UnknownValueError(field, value, f"not a kind of firm ({APPLICANT_TYPES[found].name})", list(FIRM_KINDS))
    return found


def resolve_group(value: object, field: str = "target_groups") -> str:
    """The target-group id named by an id or a word in English or Japanese."""
    found = _lookup("target_groups").get(_key(str(value)))
    if found is None:
        raise UnknownValueError(field, value, "unknown target group", list(TARGET_GROUPS))
    return found


def resolve_groups(values: object, field: str = "target_groups") -> tuple[str, ...]:
    """Target-group ids for a list (or one comma-separated string) of ids or words, deduplicated in order."""
    if values is None:
        return ()
    if isinstance(values, str):
        values = [v for v in values.replace("、", ",").split(",") if v.strip()]
    out: list[str] = []
    for i, v in enumerate(values if isinstance(values, Iterable) else [values]):
        g = resolve_group(v, f"{field}[{i}]")
        if g not in out:
            out.append(g)
    return tuple(out)
