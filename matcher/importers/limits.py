"""Where and how large: places, headcount and capital limits, years in business, industries.

Each reader takes sentences and returns what it read, each value with its sentence:

>>> from matcher.importers.text import sentences
>>> p = read_places(sentences("多摩地域の市町村", "対象"))
>>> p.regions, p.prefectures
(['tama'], [])
>>> read_places(sentences("江戸川区、大田区", "対象")).municipalities
['131237', '131113']
>>> p = read_places(sentences("都内に所在する病院又は診療所、島しょ地域の町立医療機関等", "対象"))
>>> p.prefectures, p.regions
(['13'], [])
>>> s = read_size(sentences("常時使用する従業員の数が20人以下、資本金の額が3億円以下の会社。創業5年未満", "対象"))
>>> s.employees, s.capital_jpy, s.years
((None, 20), (None, 300000000), (None, 4.99))
>>> read_industries(sentences("都内の製造業を営む中小企業者", "対象")).codes
['E']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from matcher.importers.text import Sentence, data, normalize
from profiles.errors import InputError
from profiles.values import parse_amount_jpy

__all__ = ["Places", "Size", "Industries", "read_places", "read_regions", "read_size", "read_industries", "tokyo_names"]


@dataclass
class Places:
    prefectures: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    municipalities: list[str] = field(default_factory=list)
    quotes: dict[str, list[Sentence]] = field(default_factory=dict)

    def _add(self, kind: str, values: list[str], s: Sentence) -> None:
        target = getattr(self, kind)
        target.extend(v for v in values if v not in target)
        bucket = self.quotes.setdefault(kind, [])
        if s not in bucket:
            bucket.append(s)


@lru_cache(maxsize=1)
def tokyo_names() -> tuple[tuple[str, str], ...]:
    """(Japanese name, code) of Tokyo's municipalities, longest name first."""
    from profiles.geography import gazetteer

    names = [(g.name_ja, g.code) for g in gazetteer().records if g.prefecture_code == "13" and g.kind != "prefecture"]
    return tuple(sorted(names, key=lambda x: -len(x[0])))


def _tokyo_wide(text: str, tokyo: list[str], places: dict) -> bool:
    """Whether an item of the sentence's list says 都内 without narrowing it to a sub-region or a
    municipality: the sentence then admits all of Tokyo, whatever its other items name."""
    region_words = [normalize(w) for words in places["regions"].values() for w in words] + list(places["areas"])
    for item in re.split(r"[、,]", text):
        if any(w in item for w in tokyo) and not any(w in item for w in region_words) \
                and not _TAMA_PART.search(item) and not any(n in item for n, _ in tokyo_names() if len(n) >= 2):
            return len(re.split(r"[、,]", text)) > 1
    return False


_TAMA_PART = re.compile(r"(?<![奥西南北東])多摩(?![市川区町村])")


def read_regions(sents: list[Sentence]) -> Places:
    """Tokyo's sub-regions that a program's name or purpose says it is for (「島しょ地域における宿泊施設
    整備を支援」): only the regions' own words, never a bare 多摩 (多摩産材 is wood, sold anywhere) nor a
    municipality or 都内 (a purpose names places it does not restrict to).

    >>> from matcher.importers.text import sentences
    >>> read_regions(sentences("島しょ部における宿泊施設整備を支援", "目的")).regions
    ['tokyo_islands']
    >>> read_regions(sentences("多摩産材の利用拡大", "目的")).regions
    []
    >>> read_regions(sentences("多摩ものづくりスタートアップ起業家育成事業", "名")).regions
    ['tama']
    """
    places = data("places")
    out = Places()
    for s in sents:
        text = s.norm
        excluded = {r for r, words in places["except"].items() if any(normalize(w) in text for w in words)}
        if excluded:
            continue  # 「島しょ部を除く」 in a purpose: no restriction read
        for region, words in places["regions"].items():
            if any(normalize(w) in text for w in words) or (region == "tama" and _TAMA_NAMED.search(text)):
                out._add("regions", [region], s)
    return out


#: 多摩 in a program's name or costs (「多摩ものづくりスタートアップ」, 「インキュベーション施設（多摩）」),
#: not 多摩産材 (wood), 多摩川 or a municipality (多摩市, 奥多摩町)
_TAMA_NAMED = re.compile(r"(?<![奥西南北東])多摩(?![市川区町村産])")


def read_places(sents: list[Sentence]) -> Places:
    """Tokyo (都内), Tokyo's sub-regions (23区, 多摩, 島しょ) and municipalities named."""
    places = data("places")
    out = Places()
    tokyo = [normalize(w) for w in places["tokyo_words"]]
    for s in sents:
        text = s.norm
        if any(w in text for w in tokyo):
            out._add("prefectures", ["13"], s)
        excluded = {r for r, words in places["except"].items() if any(normalize(w) in text for w in words)}
        if not excluded and _tokyo_wide(text, tokyo, places):
            continue  # 「都内の病院、島しょ地域の町立医療機関」: all of Tokyo, the sub-region is one more case
        for r, words in places["except"].items():
            for w in words:
                text = text.replace(normalize(w), "")
        for name, members in places["areas"].items():
            if name in text:
                codes = [c for n, c in tokyo_names() if n in members]
                out._add("municipalities", codes, s)
                text = text.replace(name, "□")
        for region, words in places["regions"].items():
            if region in excluded:
                continue
            if any(normalize(w) in text for w in words) or (region == "tama" and _TAMA_PART.search(text)):
                out._add("regions", [region], s)
        if excluded and not out.regions:
            out._add("regions", [r for r in ("tokyo_wards", "tama", "tokyo_islands") if r not in excluded], s)
        hits = []
        for name, code in tokyo_names():
            i = text.find(name)
            if i < 0 or len(name) < 2:
                continue
            hits.append((i, code))
            text = text.replace(name, "□" * len(name))
        if hits:
            out._add("municipalities", [c for _, c in sorted(hits)], s)
    return out


@dataclass
class Size:
    employees: tuple[float | None, float | None] | None = None
    capital_jpy: tuple[float | None, float | None] | None = None
    years: tuple[float | None, float | None] | None = None
    quotes: dict[str, Sentence] = field(default_factory=dict)
    unread: list[tuple[str, Sentence]] = field(default_factory=list)


_NUM = r"([0-9][0-9,.]*|[〇一二三四五六七八九十百千]+)"
_EMPLOYEES = re.compile(r"(?:従業員|従業者|常時使用する従業員|使用する従業員|社員)(?:の?数)?(?:が|は)?" + _NUM + r"(?:人|名)(以下|未満|以上|超|を超える)")
_CAPITAL = re.compile(r"(?:資本金|出資(?:の)?総額|資本金の額|資本金又は出資の総額)(?:の額)?(?:が|は)?" + _NUM + r"((?:千|百)?万円|億円|千円|円)(以下|未満|以上|超)")
_YEARS = re.compile(r"(?:創業|設立|開業|起業)(?:後|から|して)?" + _NUM + r"年(?:以内|未満|以下|を経過していない)")
_SIZE_WORDS = re.compile(r"従業員|資本金|創業.{0,3}\d+年|設立.{0,3}\d+年")


def _number(text: str) -> float | None:
    from profiles.numerals import parse_number

    value = parse_number(text)
    return None if value is None else float(value)


def _bound(value: float, word: str, integral: bool) -> tuple[float | None, float | None]:
    value = int(value) if value == int(value) else value
    step = 1 if integral else 0
    if word in ("以下",):
        return None, value
    if word == "未満":
        return None, value - step if integral else value
    if word == "以上":
        return value, None
    return (value + step if integral else value), None  # 超, を超える


def read_size(sents: list[Sentence]) -> Size:
    """Headcount, capital and years-in-business limits; a size phrase not understood is unread."""
    out = Size()
    for s in sents:
        m = _EMPLOYEES.search(s.norm)
        read = bool(m and out.employees is not None)
        if m and out.employees is None:
            n = _number(m.group(1))
            if n is not None:
                out.employees, read = _bound(n, m.group(2), True), True
                out.quotes["employees"] = s
        m = _CAPITAL.search(s.norm)
        read = read or bool(m and out.capital_jpy is not None)
        if m and out.capital_jpy is None:
            try:
                amount = parse_amount_jpy(m.group(1) + m.group(2), field="capital_jpy")
            except InputError:
                amount = None
            if amount is not None:
                out.capital_jpy, read = _bound(float(amount), m.group(3), False), True
                out.quotes["capital_jpy"] = s
        m = _YEARS.search(s.norm)
        read = read or bool(m and out.years is not None)
        if m and out.years is None:
            n = _number(m.group(1))
            if n is not None:
                strict = m.group(0).endswith(("未満", "を経過していない"))
                out.years, read = (None, round(n - 0.01, 2) if strict else n), True
                out.quotes["years"] = s
        if not read and _SIZE_WORDS.search(s.norm) and re.search(r"以下|未満|以内|以上", s.norm):
            out.unread.append(("size limit", s))
    return out


@dataclass
class Industries:
    codes: list[str] = field(default_factory=list)
    quotes: list[Sentence] = field(default_factory=list)


@lru_cache(maxsize=1)
def _industry_words() -> tuple[tuple[str, str], ...]:
    """JSIC names in Japanese (divisions split at ，, major groups) and trade names ending in 業."""
    from profiles.industries import COMMON_NAMES, DIVISIONS, MAJOR_GROUPS

    words: dict[str, str] = {}
    for code, (_, ja) in DIVISIONS.items():
        for part in re.split(r"[，,]", ja):
            if len(part) >= 2 and part.endswith("業") and "分類" not in part:
                words.setdefault(normalize(part), code)
    for code, (_, ja) in MAJOR_GROUPS.items():
        if len(ja) >= 3:
            words.setdefault(normalize(ja), code)
    for word, code in COMMON_NAMES.items():
        if not word.isascii() and len(word) >= 3 and word.endswith("業"):
            words.setdefault(normalize(word), code)
    for word, code in data("trades")["trades"].items():
        words.setdefault(normalize(word), code)
    return tuple(sorted(words.items(), key=lambda x: -len(x[0])))


#: the name of an organisation (農業協同組合, 東京都漁業協同組合連合会): a kind of applicant, not the
#: industries its words name
_ORGANIZATION = re.compile(r"[一-龥ァ-ヶー]*(?:協同組合|組合|協会|連合会|団体|連盟)")
_NOT_AN_INDUSTRY = ("産業", "事業", "企業", "作業", "授業", "卒業", "営業", "就業", "起業", "創業", "開業", "修業", "職業", "休業", "廃業")


def read_industries(sents: list[Sentence]) -> Industries:
    """JSIC codes of the industries an applicant text names (製造業, 建設業, 飲食店 ...)."""
    out = Industries()
    for s in sents:
        text = _ORGANIZATION.sub(lambda m: "□" * len(m.group(0)), s.norm)
        for word, code in _industry_words():
            if word in _NOT_AN_INDUSTRY:
                continue
            i = text.find(word)
            if i < 0:
                continue
            if code not in out.codes:
                out.codes.append(code)
            if s not in out.quotes:
                out.quotes.append(s)
            text = text.replace(word, "□" * len(word))
    # a division and one of its own major groups: keep the narrower
    out.codes = [c for c in out.codes if not any(o != c and o.startswith(c) for o in out.codes)]
    return out
