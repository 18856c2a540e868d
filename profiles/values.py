"""Values as people write them in firm lists, one tested parser per kind.

Each parser takes one cell (text as typed, or the number or date a spreadsheet reader
gives), returns the value the engine uses, ``None`` (or ``()``) for an empty cell, and
raises :class:`~profiles.errors.InputError` (or its subclasses) that keeps the original
cell and names the field the caller gives:

>>> parse_amount_jpy("1,000万円"), parse_amount_jpy("１０００万円"), parse_amount_jpy("3億円")
(10000000, 10000000, 300000000)
>>> parse_amount_jpy("10,000千円"), parse_amount_jpy("1億2,000万円"), parse_amount_jpy("500", unit=1000)
(10000000, 120000000, 500000)
>>> parse_headcount("25名"), parse_headcount("約30人"), parse_headcount("１２人")
(25, 30, 12)
>>> parse_date("S53.4.1"), parse_industry_words("金属製品製造業"), parse_needs_words("展示会、融資")
(datetime.date(1978, 4, 1), 'E24', ('trade_fair', 'financing'))

Dates are read by :func:`profiles.dates.parse_date` (re-exported here), addresses by
:mod:`profiles.addresses`.
"""

from __future__ import annotations

import difflib
import re
from decimal import Decimal
from functools import lru_cache

from profiles.dates import parse_date
from profiles.errors import AmbiguousValueError, InputError, UnknownValueError
from profiles.industries import COMMON_NAMES, DIVISIONS, MAJOR_GROUPS, resolve_industry
from profiles.needs import needs_in_text, resolve_need
from profiles.numerals import MISSING, is_missing, normalize, parse_number

__all__ = ["parse_amount_jpy", "parse_headcount", "parse_date", "parse_industry_words", "parse_needs_words"]

_SPACE = re.compile(r"\s+")
_NOTE = re.compile(r"[(\[（【〔][^()\[\]（）【】〔〕]*[)\]）】〕]")
_APPROX = re.compile(r"^(?:約|およそ|凡そ|概算|ca\.?|approx\.?|about|around|~)|(?:程度|前後|ほど|位|くらい|ぐらい|強|弱)$")
_RANGE = re.compile(r"^(.+?)(?:~|から|to)(.+)$")
_BOUND = re.compile(r"^(.+?)(以上|以下|未満|超|over|under|ormore|orless|\+)$")
_MONEY_LABEL = re.compile(r"^(?:資本金|資本の額|出資金|capital)[:：]?")
_CURRENCY = re.compile(r"^(?:¥|\\|jpy|円)|(?:円|yen|jpy|也|-)$")
_ENGLISH_MULT = re.compile(r"^(\d[\d,]*(?:\.\d+)?)(thousand|million|billion|k|m|mn|bn)$")
_ENGLISH_FACTOR = {"thousand": 10**3, "k": 10**3, "million": 10**6, "m": 10**6, "mn": 10**6,
                   "billion": 10**9, "bn": 10**9}
_EXPLICIT_UNIT = re.compile(r"円|yen|jpy|[万億兆]|\d[千百]")
_AMOUNT_EXPECTED = "not an amount in yen: give 10000000, 1,000万円, 3億円, 10,000千円 or 1000万"
_NOT_CAPITAL = frozenset({"個人", "個人事業", "個人事業主", "個人経営"})


def _text(value: str) -> str:
    return _SPACE.sub("", normalize(value)).lower()


def parse_amount_jpy(value: object, field: str = "capital_jpy", unit: int = 1) -> int | None:
    """An amount in yen, as an integer, or ``None`` for an empty cell.

    Parameters
    ----------
    value : str, int, float or None
        ``10000000``, ``"10,000,000円"``, ``"1,000万円"``, ``"１０００万円"``, ``"3億円"``,
        ``"1億2,000万円"``, ``"10,000千円"``, ``"2.5百万円"``, ``"三千万円"``, ``"約1000万円"``,
        ``"¥10,000,000"``, ``"10 million yen"``; bracketed notes are dropped.
    field : str
        The field named in errors.
    unit : int
        What a bare number counts in, as a column header implies it (1,000 for
        ``資本金（千円）``). A cell with its own unit (円, 万, 億, ...) is read by that unit.

    Raises
    ------
    InputError
        Not an amount, negative, a fraction of a yen, a range ("1000万~3000万") or a
        bound ("1億円以上"): the candidates are the amounts named. The original is kept.

    Examples
    --------
    >>> parse_amount_jpy("2.5百万円"), parse_amount_jpy("三千万円"), parse_amount_jpy("約1000万円")
    (2500000, 30000000, 10000000)
    >>> parse_amount_jpy("1000万〜3000万円")
    Traceback (most recent call last):
    ...
    profiles.errors.InputError: capital_jpy: a range, not one amount, got '1000万〜3000万円' (did you mean: 10000000, 30000000?)
    >>> parse_amount_jpy("個人") is None     # a sole proprietorship has no capital
    True
    """
    if isinstance(value, str):
        return _amount_text(value, field, unit)
    if is_missing(value):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(field, value, _AMOUNT_EXPECTED)
    return _whole_yen(Decimal(str(value)) * unit, value, field)


def _whole_yen(amount: Decimal, original: object, field: str) -> int:
    if amount < 0:
        raise InputError(field, original, "an amount must be >= 0")
    if amount != amount.to_integral_value():
        raise InputError(field, original, "not a whole number of yen")
    return int(amount)


@lru_cache(maxsize=65536)
def _amount_text(original: str, field: str, unit: int) -> int | None:
    text = _text(original)
    if text in MISSING or text in _NOT_CAPITAL:
        return None
    text = _NOTE.sub("", text) or text
    text = _MONEY_LABEL.sub("", text)
    text = _APPROX.sub("", text)
    bound = _BOUND.match(text)
    if bound:
        amount = _amount_or_none(bound[1], unit)
        raise InputError(field, original, "a bound, not one amount",
                         [str(amount)] if amount is not None else None)
    span = _RANGE.match(text)
    if span:
        low, high = _amount_or_none(span[1], unit), _amount_or_none(span[2], unit)
        if low is not None and high is not None:
            if not _EXPLICIT_UNIT.search(span[1]) and _EXPLICIT_UNIT.search(span[2]):
                low = _amount_or_none(span[1] + _unit_word(span[2]), unit)  # "1000~3000万円"
            raise InputError(field, original, "a range, not one amount", [str(low), str(high)])
    amount = _amount_or_none(text, unit)
    if amount is None:
        if text.startswith("-") and _amount_or_none(text[1:], unit) is not None:
            raise InputError(field, original, "an amount must be >= 0")
        raise InputError(field, original, _AMOUNT_EXPECTED)
    return _whole_yen(amount, original, field)


def _unit_word(text: str) -> str:
    m = re.search(r"[千百]?[万億兆]", text)
    return m.group() if m else ""


def _amount_or_none(text: str, unit: int) -> Decimal | None:
    text = _CURRENCY.sub("", _CURRENCY.sub("", text))
    english = _ENGLISH_MULT.match(text)
    if english:
        number = parse_number(english[1])
        return None if number is None else number * _ENGLISH_FACTOR[english[2]]
    number = parse_number(text)
    if number is None:
        return None
    return number if _EXPLICIT_UNIT.search(text) else number * unit


_PEOPLE = re.compile(r"(?:名|人|people|persons|person|employees|employee|staff|workers|pax)$")
_PEOPLE_LABEL = re.compile(r"^(?:従業員数?|社員数?|常用従業員数?|従業者数?|総数|合計|計|total)[:：]?")
_NUMBERS = re.compile(r"\d[\d,]*|[〇一二三四五六七八九十百千万]+")
_HEADCOUNT_EXPECTED = "not a headcount: give a whole number of people, as 25, 25名 or 約30人"


def parse_headcount(value: object, field: str = "employees", ranges: str = "error") -> int | None:
    """A number of people, or ``None`` for an empty cell.

    Parameters
    ----------
    value : str, int, float or None
        ``25``, ``"25名"``, ``"約30人"``, ``"１２人"``, ``"二十五名"``, ``"1,200名"``,
        ``"30名（うちパート5名）"`` (a bracketed note is a note: the figure outside counts).
    field : str
        The field named in errors.
    ranges : {"error", "upper"}
        What a size band ("10〜20名", "20人以下", "20人未満") gives. ``"error"`` (the default)
        raises with both ends as candidates; ``"upper"`` reads its upper bound (20, 20, 19).

    Raises
    ------
    InputError
        Not a whole number of people, negative, a band (with ``ranges="error"``), an open
        band ("300人以上", always), or several figures ("正社員20名、パート10名": the
        candidates are the sum and each figure). The original is kept.

    Notes
    -----
    A band is an error by default because the size ceilings that decide eligibility
    (5, 20, 50, 100, 300 people) often fall inside one: the engine must not choose for
    the coordinator. Lists that only have bands (statistics extracts, credit-bureau
    lists) can be read with ``ranges="upper"``, the conservative reading for ceilings:
    no firm is called small when it may not be.

    Examples
    --------
    >>> parse_headcount("30名（うちパート5名）"), parse_headcount("10〜20名", ranges="upper")
    (30, 20)
    >>> parse_headcount("10〜20名")
    Traceback (most recent call last):
    ...
    profiles.errors.InputError: employees: a size band, not one number: give one (the upper bound 20 is the safe reading), got '10〜20名' (did you mean: 10, 20?)
    """
    if ranges not in ("error", "upper"):
        raise ValueError(f"ranges must be 'error' or 'upper', got {ranges!r}")
    if isinstance(value, str):
        return _headcount_text(value, field, ranges)
    if is_missing(value):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        raise InputError(field, value, _HEADCOUNT_EXPECTED)
    if value < 0:
        raise InputError(field, value, "a headcount must be >= 0")
    return int(value)


def _count(text: str) -> int | None:
    text = _PEOPLE.sub("", _PEOPLE_LABEL.sub("", text))
    number = parse_number(text)
    if number is None or number != number.to_integral_value():
        return None
    return int(number)


@lru_cache(maxsize=65536)
def _headcount_text(original: str, field: str, ranges: str) -> int | None:
    text = _text(original)
    if text in MISSING:
        return None
    text = _NOTE.sub("", text) or text
    text = _APPROX.sub("", _PEOPLE.sub("", text))
    count = _count(text)
    if count is not None:
        return count
    bound = _BOUND.match(text)
    if bound and _count(bound[1]) is not None:
        n = _count(bound[1])
        if ranges == "upper" and bound[2] in ("以下", "未満", "under", "orless"):
            return n - 1 if bound[2] in ("未満", "under") else n
        kind = "an open size band" if bound[2] in ("以上", "超", "over", "ormore", "+") else "a size band"
        raise InputError(field, original, f"{kind}, not one number: give one", [str(n)])
    span = _RANGE.match(text) or re.fullmatch(r"(\d+)-(\d+)", text)
    if span and _count(span[1]) is not None and _count(span[2]) is not None:
        low, high = _count(span[1]), _count(span[2])
        if ranges == "upper" and low <= high:
            return high
        raise InputError(field, original, f"a size band, not one number: give one (the upper bound {high} "
                                          "is the safe reading)", [str(low), str(high)])
    if text.startswith("-") and _count(text[1:]) is not None:
        raise InputError(field, original, "a headcount must be >= 0")
    number = parse_number(_PEOPLE.sub("", _PEOPLE_LABEL.sub("", text)))
    if number is not None:
        raise InputError(field, original, "not a whole number of people")
    figures = [n for n in (_count(m) for m in _NUMBERS.findall(text)) if n is not None]
    if len(figures) >= 2:
        raise InputError(field, original, "several figures: give the one headcount",
                         [f"{sum(figures)} (all)", *map(str, figures)])
    raise InputError(field, original, _HEADCOUNT_EXPECTED)


_INDUSTRY_PUNCT = re.compile(r"[\s,、，・･/／()（）\[\]「」『』.:：;；\-]")
_CODE_FIRST = re.compile(r"^([a-t]?\d{1,4}|[a-t])(?![a-z])[\s.:：)）\]\-]*(.*)$", re.IGNORECASE)
_SPLIT = re.compile(r"[、,，;；/／\n]|及び|および|ならびに|並びに")


def _loose(text: str) -> str:
    return _INDUSTRY_PUNCT.sub("", normalize(text).lower())


@lru_cache(maxsize=1)
def _loose_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for code, (en, ja) in {**DIVISIONS, **MAJOR_GROUPS}.items():
        for alias in (code, en, ja):
            table.setdefault(_loose(alias), code)
    for word, code in COMMON_NAMES.items():
        table.setdefault(_loose(word), code)
    return table


def _industry_code(text: str) -> str | None:
    """The code of a whole text naming one industry (code or words), or None."""
    if not text:
        return None
    if text.isdigit():
        if len(text) <= 2:
            text = text.zfill(2)
        elif len(text) <= 4:
            text = text[:2]  # a JSIC minor group (244) or detail (2441): its major group
        for code in MAJOR_GROUPS:
            if code[1:] == text:
                return code
        return None
    m = re.fullmatch(r"([a-t])(\d{2})\d{0,2}", text, re.IGNORECASE)
    if m and f"{m[1].upper()}{m[2]}" in MAJOR_GROUPS:
        return f"{m[1].upper()}{m[2]}"
    table = _loose_table()
    key = _loose(text)
    for candidate in (key, key.removesuffix("業"), key + "業", key.removesuffix("業") + "製造業"):
        if candidate in table:
            return table[candidate]
    return None


def parse_industry_words(value: object, field: str = "industry") -> str | None:
    """The JSIC code (division "E" or major group "E24") a cell names, or ``None`` if empty.

    Accepts the JSIC names in Japanese ("金属製品製造業", "飲食店", "建設業"), common
    words ("ソフトウェア業", "metalworking"), codes ("E24", "E"), bare numbers as major
    groups ("24", "09", or the number 9 a spreadsheet made of "09"; a 3- or 4-digit minor
    group or detail code gives its major group), and a code with its name ("24 金属製品製造業",
    "金属製品製造業(24)") when both agree.

    Raises
    ------
    UnknownValueError
        No industry has this name; the closest names are the candidates.
    AmbiguousValueError
        Several industries ("製造業、卸売業"), or a code and a name that disagree.

    Examples
    --------
    >>> [parse_industry_words(v) for v in ("ソフトウェア業", "飲食店", "建設業", "24", 24, "卸売・小売業")]
    ['G39', 'M76', 'D', 'E24', 'E24', 'I']
    >>> parse_industry_words("製造業、卸売業")
    Traceback (most recent call last):
    ...
    profiles.errors.AmbiguousValueError: industry: several industries: give the main one, got '製造業、卸売業' (did you mean: E manufacturing, I wholesale and retail trade?)
    """
    if isinstance(value, str):
        return _industry_text(value, field)
    if is_missing(value):
        return None
    if isinstance(value, bool):
        raise UnknownValueError(field, value, "unknown industry")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        code = _industry_code(str(value)) if value >= 0 else None
        if code is None:
            raise UnknownValueError(field, value, "no JSIC major group has this number (01-99)")
        return code
    if not isinstance(value, str):
        raise UnknownValueError(field, value, "unknown industry")
    return _industry_text(value, field)


def _describe(code: str) -> str:
    return f"{code} {(DIVISIONS.get(code) or MAJOR_GROUPS[code])[0]}"


@lru_cache(maxsize=16384)
def _industry_text(original: str, field: str) -> str | None:
    text = normalize(original)
    if text.lower() in MISSING:
        return None
    code = _industry_code(text)
    if code is not None:
        return code
    # a code with its name, either way round: "24 金属製品製造業", "金属製品製造業（24）"
    pairs = []
    m = _CODE_FIRST.match(text)
    if m and m[2]:
        pairs.append((m[1], m[2]))
    m = re.fullmatch(r"(.+?)[(（\[]\s*([a-tA-T]?\d{1,4}|[a-tA-T])\s*[)）\]]", text)
    if m:
        pairs.append((m[2], m[1]))
    for code_text, name in pairs:
        by_code, by_name = _industry_code(code_text), _industry_code(name)
        if by_code and by_name:
            if by_code.startswith(by_name) or by_name.startswith(by_code):
                return max(by_code, by_name, key=len)
            raise AmbiguousValueError(field, original, "the code and the name give different industries",
                                      [_describe(by_code), _describe(by_name)])
    parts = [p.strip() for p in _SPLIT.split(text) if p.strip()]
    if len(parts) > 1:
        codes = [_industry_code(p) for p in parts]
        if all(codes):
            distinct = list(dict.fromkeys(codes))
            if len(distinct) == 1:
                return distinct[0]
            raise AmbiguousValueError(field, original, "several industries: give the main one",
                                      [_describe(c) for c in distinct])
    try:
        return resolve_industry(text, field=field).code
    except UnknownValueError as err:
        table = _loose_table()
        close = difflib.get_close_matches(_loose(text), list(table), n=5, cutoff=0.6)
        cands = list(dict.fromkeys([*err.candidates, *(_describe(table[c]) for c in close)]))
        raise UnknownValueError(field, original, err.message, cands) from None


_NEED_SPLIT = re.compile(r"[、,，;；/／|｜\n\t]+|\s{2,}")
_NEED_SOFT = re.compile(r"[・･]|及び|および|並びに|ならびに|&|\band\b|\bor\b|または|又は")
_NEED_BULLET = re.compile(r"^(?:\d+[.)）]|[●○■□◆◇※\-*]+)")
_NEED_FILLER = re.compile(r"(?:等|など|ほか|他|全般|関連|関係|について|に関する|の|相談|支援|推進|強化|希望|したい)+$")


def parse_needs_words(value: object, field: str = "needs", free_text: bool = False) -> tuple[str, ...]:
    """The need ids a cell lists, in order, without repeats; ``()`` for an empty cell.

    Words are separated by 、 , ; / | or new lines, and a word that is no need as a whole
    is split at ・ 及び and ("展示会・商談会"). Each word is resolved through the needs
    vocabulary (:func:`profiles.needs.resolve_need`: ids, English and Japanese labels
    and synonyms); fillers such as "等", "など" and list bullets are dropped.

    Parameters
    ----------
    value : str, list of str or None
        The cell, or words already split.
    field : str
        The field named in errors.
    free_text : bool
        The column holds sentences (a 相談内容 column): when the words do not all resolve,
        the needs mentioned in the text (:func:`profiles.needs.needs_in_text`) are taken.

    Raises
    ------
    UnknownValueError
        A word is no need (and, with ``free_text``, the text mentions none); the error
        keeps the whole cell and names the word.

    Examples
    --------
    >>> parse_needs_words("展示会・商談会、運転資金など"), parse_needs_words("trade fair; financing")
    (('trade_fair', 'business_matching', 'financing'), ('trade_fair', 'financing'))
    >>> parse_needs_words("展示会に出展して販路開拓をしたい", free_text=True)
    ('marketing', 'trade_fair')
    >>> parse_needs_words("展示会、宇宙旅行")
    Traceback (most recent call last):
    ...
    profiles.errors.UnknownValueError: needs: unknown need '宇宙旅行', got '展示会、宇宙旅行' (did you mean: financing, subsidy, training, it_adoption, website, marketing, trade_fair, consulting?)
    """
    if isinstance(value, str):
        return _needs_text(value, field, free_text)
    if is_missing(value):
        return ()
    if isinstance(value, (list, tuple)):
        out: list[str] = []
        for i, item in enumerate(value):
            for nid in parse_needs_words(item, f"{field}[{i}]", free_text):
                if nid not in out:
                    out.append(nid)
        return tuple(out)
    if not isinstance(value, str):
        raise UnknownValueError(field, value, "needs must be text or a list of words")
    return _needs_text(value, field, free_text)


def _need_of(word: str) -> str | None:
    """The need of one word ("" for a mere filler), trying it as written, then without fillers."""
    word = _NEED_BULLET.sub("", word.strip()).strip()
    for candidate in (word, _NEED_FILLER.sub("", word).strip()):
        if not candidate:
            return ""
        try:
            return resolve_need(candidate)
        except UnknownValueError:
            continue
    return None


@lru_cache(maxsize=16384)
def _needs_text(original: str, field: str, free_text: bool) -> tuple[str, ...]:
    text = normalize(original)
    if text.lower() in MISSING:
        return ()
    out: list[str] = []
    unknown: str | None = None
    for part in _NEED_SPLIT.split(text):
        nid = _need_of(part)
        pieces = [nid] if nid is not None else [_need_of(p) for p in _NEED_SOFT.split(part)]
        if any(p is None for p in pieces):
            unknown = unknown or part.strip()
            continue
        out.extend(p for p in pieces if p and p not in out)
    if unknown is None:
        return tuple(out)
    if free_text:
        found = tuple(needs_in_text(text))
        if found:
            return found
    try:
        resolve_need(unknown, field)
    except UnknownValueError as err:
        raise UnknownValueError(field, original, f"unknown need {unknown!r}", err.candidates) from None
    raise AssertionError("unreachable")  # pragma: no cover
