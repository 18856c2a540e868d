"""Lists behind the service's GET routes: programs, local governments, vocabularies.

Municipality search is by prefix of any of a local government's names, for
autocomplete: English ("kita", "Kita City"), Japanese ("北区", "札幌市北"), kana in
hiragana or katakana ("きた", "キタ"), or the code. Names that equal the query come
first, then cities before their wards, then the gazetteer's order.

>>> [g.code for g in search_municipalities("mitaka")]
['132047']
>>> [g.code for g in search_municipalities("ハムラ")] == [g.code for g in search_municipalities("Hamura")]
True
>>> search_municipalities("kita", prefecture="13")[0].label
'Kita City, Tokyo'
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from profiles.geography import LocalGovernment, gazetteer, name_key
from profiles.industries import DIVISIONS, MAJOR_GROUPS
from profiles.models import PROGRAM_KINDS, PROVIDER_KINDS, SupportProgram
from profiles.needs import NEEDS

if TYPE_CHECKING:  # pragma: no cover
    from matcher.engine import MatchEngine

__all__ = ["search_key", "search_municipalities", "municipality_summary", "municipality_detail",
           "program_summary", "filter_programs", "vocabulary"]


def search_key(text: str) -> str:
    """:func:`profiles.geography.name_key`, with katakana folded to hiragana.

    >>> search_key("キタ ク") == search_key("きたく")
    True
    """
    key = name_key(text)
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in key)


@lru_cache(maxsize=1)
def _index() -> tuple[tuple[LocalGovernment, tuple[str, ...]], ...]:
    out = []
    for g in gazetteer().records:
        names = (g.name_en, g.english, g.name_ja, g.full_name_ja, g.name_kana, g.code)
        if g.parent_en:
            names += (f"{g.parent_en} {g.name_en}",)
        out.append((g, tuple(dict.fromkeys(search_key(n) for n in names))))
    return tuple(out)


def search_municipalities(q: str | None = None, prefecture: str | None = None) -> list[LocalGovernment]:
    """Local governments whose name starts with ``q`` (any script), within ``prefecture`` (a code)."""
    key = search_key(q) if q else ""
    hits = []
    for order, (g, keys) in enumerate(_index()):
        if prefecture is not None and g.prefecture_code != prefecture:
            continue
        if key and not any(k.startswith(key) for k in keys):
            continue
        exact = bool(key) and key in keys
        hits.append((0 if exact else 1, 0 if g.parent_en is None else 1, order, g))
    hits.sort(key=lambda t: t[:3])
    return [t[3] for t in hits]


def municipality_summary(g: LocalGovernment, profiles: dict[str, str]) -> dict[str, Any]:
    """The fields of :class:`~matcher.service.schemas.MunicipalitySummary`."""
    return {"code": g.code, "name": g.english, "label": g.label, "name_ja": g.name_ja,
            "full_name_ja": g.full_name_ja, "name_kana": g.name_kana, "kind": g.kind,
            "prefecture": g.prefecture_en, "prefecture_code": g.prefecture_code, "prefecture_ja": g.prefecture_ja,
            "profile": profiles.get(g.code)}


def municipality_detail(g: LocalGovernment, engine: "MatchEngine") -> dict[str, Any]:
    """The fields of :class:`~matcher.service.schemas.MunicipalityDetail`."""
    catalog = engine.catalog_
    profile = catalog.municipality(g.code)
    out = municipality_summary(g, {g.code: profile.id} if profile else {})
    out.update(lat=g.lat, lng=g.lng, url=g.url,
               programs=[p.id for p in catalog.programs if p.provider.municipality == g.code],
               details=profile.model_dump(mode="json") if profile else None)
    return out


def program_summary(p: SupportProgram, open_on: dt.date | None = None) -> dict[str, Any]:
    """The fields of :class:`~matcher.service.schemas.ProgramSummary`."""
    return {"id": p.id, "name": p.name, "name_ja": p.name_ja, "kind": p.kind,
            "provider": {"id": p.provider.id, "name": p.provider.name, "name_ja": p.provider.name_ja,
                         "kind": p.provider.kind},
            "needs": list(p.needs), "industries": list(p.industries),
            "benefit": p.benefit.model_dump(mode="json", exclude_none=True) if p.benefit else None,
            "valid_from": p.valid_from.isoformat() if p.valid_from else None,
            "valid_until": p.valid_until.isoformat() if p.valid_until else None,
            "application_deadline": p.application_deadline.isoformat() if p.application_deadline else None,
            "url": p.url, "open": None if open_on is None else p.status(open_on)[0]}


def filter_programs(programs, *, provider: str | None = None, kind: str | None = None, need: str | None = None,
                    open_on: dt.date | None = None) -> list[SupportProgram]:
    """The programs offered by ``provider`` (an id or a provider kind), of ``kind``,
    serving ``need`` (a canonical id) and open on ``open_on``; ``None`` matches all."""
    out = []
    for p in programs:
        if provider is not None and provider not in (p.provider.id, p.provider.kind):
            continue
        if kind is not None and p.kind != kind:
            continue
        if need is not None and need not in p.needs:
            continue
        if open_on is not None and not p.status(open_on)[0]:
            continue
        out.append(p)
    return out


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, Any]:
    """The fields of :class:`~matcher.service.schemas.Vocabulary`."""
    return {
        "needs": [{"id": n.id, "label_en": n.label_en, "label_ja": n.label_ja} for n in NEEDS],
        "industries": [{"code": code, "name_en": en, "name_ja": ja, "level": "division" if len(code) == 1
                        else "major_group"}
                       for code, (en, ja) in sorted({**DIVISIONS, **MAJOR_GROUPS}.items())],
        "program_kinds": [{"id": k, "label_en": k.replace("_", " ")} for k in PROGRAM_KINDS],
        "provider_kinds": [{"id": k, "label_en": k.replace("_", " ")} for k in PROVIDER_KINDS],
        "prefectures": [{"code": p.code, "name_en": p.name_en, "name_ja": p.name_ja}
                        for p in gazetteer().prefectures],
    }
