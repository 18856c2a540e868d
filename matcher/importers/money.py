"""Cost shares, ceilings and dates read from a program's Japanese text.

>>> [(s["payer"], s["rate"], s["text"]) for s in read_shares("負担割合：都1/2、区市町村1/4、事業者1/4").shares]
[('tokyo', 0.5, '都1/2'), ('municipality', 0.25, '区市町村1/4'), ('applicant', 0.25, '事業者1/4')]
>>> [(s["payer"], s["rate"]) for s in read_shares("補助率：2/3以内").shares]
[(None, 0.6667)]
>>> read_shares("①国1/2、都1/2、②都10/10").shares is None      # alternatives: not one reading
True
>>> read_ceiling("都10/10、上限1,500千円（１園あたり）"), read_ceiling("2分の1以内（上限750万円）")
(1500000, 7500000)
>>> read_period("募集期間：令和6年4月1日から令和6年5月31日まで")
(datetime.date(2024, 4, 1), datetime.date(2024, 5, 31))
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from matcher.importers.text import data, normalize
from profiles.errors import InputError
from profiles.values import parse_amount_jpy, parse_date

__all__ = ["ShareReading", "read_shares", "read_ceiling", "read_ceilings", "read_period", "read_rate"]

_FRACTION = r"(\d+)\s*(?:/|分の)\s*(\d+)"
_PERCENT = r"(\d+(?:\.\d+)?)\s*[%％]"
_ALTERNATIVES = re.compile(r"[①-⑳]|又は|または|若しくは|or|\d年目|初年度|ただし|原則|場合|[ABC]:|(?:^|[、\s])\(\d\)|~|～")
_LABEL = re.compile(r"^[^:]{1,10}:")


@dataclass
class ShareReading:
    """``shares`` is None when the text is no single list of shares (alternatives, formulas)."""

    shares: list[dict] | None
    text: str


@lru_cache(maxsize=1)
def _payers() -> tuple[tuple[str, str], ...]:
    table = {normalize(k): v for k, v in data("money")["payers"].items()}
    return tuple(sorted(table.items(), key=lambda x: -len(x[0])))


def _fraction(num: str, den: str, kanji_order: bool) -> float | None:
    a, b = int(num), int(den)
    if kanji_order:  # 10分の3 = 3/10
        a, b = b, a
    if b == 0 or a > b:
        return None
    return round(a / b, 4)


def _clean(text: str) -> str:
    text = _LABEL.sub("", normalize(text))
    text = re.sub(r"\((?:上限|補助上限|限度|補助限度|月額上限|基準額)[^()]*\)", "", text)  # ceilings said apart
    text = re.sub(r"[、,]?(?:補助)?(?:上限|限度額?)(?:額)?[:：]?[\d,.]+[千百万億]*円.*$", "", text)
    return text.rstrip("。")


def read_shares(text: str) -> ShareReading:
    """Who pays which share: "都1/2、事業者1/2", "国1/3、都1/3、区市町村1/3", "10/10以内", "2分の1".

    A share list that the words cannot all account for (alternatives ①②, 又は, year-by-year
    shares, formulas) gives ``shares=None``: it is counted as unread, no share is written.
    """
    body = _clean(text)
    if not body or _ALTERNATIVES.search(body):
        return ShareReading(None, text)
    if re.fullmatch(r"都?(?:が)?全額(?:負担)?|都?100[%％]", body):
        return ShareReading([{"payer": "tokyo" if body.startswith("都") else None,
                              "payer_ja": "都" if body.startswith("都") else None, "rate": 1.0, "text": body}], text)
    shares: list[dict] = []
    rest = body
    item = re.compile(r"^(?P<payer>[^\d/、,・\s]*?)(?:負担)?[:：の]?(?:(?P<n>\d+)\s*(?P<sep>/|分の)\s*(?P<d>\d+)|(?P<p>\d+(?:\.\d+)?)[%％]|(?P<one>1)(?![\d/]))(?:以内|以上|まで|程度)?(?:[、,・\s]|$)")
    while rest:
        m = item.match(rest)
        if not m:
            return ShareReading(None, text)
        payer_ja = m.group("payer") or None
        payer = None
        if payer_ja:
            payer = dict(_payers()).get(payer_ja)
            if payer is None:
                return ShareReading(None, text)
        if m.group("n"):
            rate = _fraction(m.group("n"), m.group("d"), m.group("sep") == "分の")
        elif m.group("p"):
            rate = round(float(m.group("p")) / 100, 4)
        else:
            rate = 1.0 if payer_ja else None
        if rate is None or rate > 1:
            return ShareReading(None, text)
        shares.append({"payer": payer, "payer_ja": payer_ja, "rate": rate, "text": m.group(0).rstrip("、,・ ")})
        rest = rest[m.end():].lstrip("、,・ ")
        rest = re.sub(r"^(?:等|など)$", "", rest)
    if not shares or (len(shares) > 1 and any(s["payer"] is None for s in shares)):
        return ShareReading(None, text)
    if len(shares) > 1 and sum(s["rate"] for s in shares) > 1.001:
        return ShareReading(None, text)
    return ShareReading(shares, text)


def read_rate(shares: list[dict]) -> float | None:
    """The share of the applicant's cost the program pays, when the shares say it.

    >>> read_rate([{"payer": "tokyo", "rate": 0.5}, {"payer": "applicant", "rate": 0.5}])
    0.5
    >>> read_rate([{"payer": None, "rate": 0.6667}])
    0.6667
    >>> read_rate([{"payer": "tokyo", "rate": 0.5}, {"payer": "municipality", "rate": 0.5}]) is None
    True
    """
    if len(shares) == 1 and shares[0]["payer"] in (None, "tokyo", "national"):
        return shares[0]["rate"]
    if any(s["payer"] == "municipality" for s in shares):
        return None
    own = [s["rate"] for s in shares if s["payer"] == "applicant"]
    if len(own) == 1 and abs(sum(s["rate"] for s in shares) - 1) < 0.001:
        return round(1 - own[0], 4)
    return None


_AMOUNT = r"([0-9][0-9,.]*(?:億[0-9,.]*)?(?:千万|百万|万|千)?円|[0-9][0-9,.]*[千百]?万円)"


@lru_cache(maxsize=1)
def _ceiling_patterns() -> tuple[re.Pattern, re.Pattern, tuple[str, ...]]:
    money = data("money")
    before = "|".join(re.escape(normalize(w)) for w in sorted(money["ceiling_before"], key=len, reverse=True))
    after = "|".join(re.escape(normalize(w)) for w in money["ceiling_after"])
    per = tuple(normalize(w) for w in money["per_period"])
    return (re.compile(rf"(?:{before})(?:額)?(?:は|が)?[:：]?(?:月額)?" + _AMOUNT),
            re.compile(_AMOUNT + rf"(?:{after})"), per)


def read_ceilings(text: str) -> list[int]:
    """Every ceiling amount in the text, in yen (per month or per unit amounts left out)."""
    norm = normalize(text)
    before, after, per = _ceiling_patterns()
    found: list[int] = []
    for rx in (before, after):
        for m in rx.finditer(norm):
            context = norm[max(0, m.start() - 6):m.start()] + m.group(0)
            if any(w in context for w in per) or re.search(r"/(?:件|個|m|㎡|人|台|年|月)", norm[m.end():m.end() + 3]):
                continue
            try:
                amount = parse_amount_jpy(m.group(1), field="max_amount_jpy")
            except InputError:
                continue
            if amount and amount not in found:
                found.append(amount)
    return found


def read_ceiling(text: str) -> int | None:
    """The one ceiling of a text; None when it names none or several different ones."""
    found = read_ceilings(text)
    return found[0] if len(found) == 1 else None


_DATE = r"((?:令和|平成|昭和|R|H)\s*(?:\d+|元)年\d+月\d+日|\d{4}年\d+月\d+日|\d{4}[/.-]\d{1,2}[/.-]\d{1,2})"
_PERIOD = re.compile(r"(?:募集|申請|受付|申込|公募|応募)(?:期間|期限|受付期間|締切|締め切り)?[:：]?.{0,6}?" + _DATE
                     + r"(?:\([^)]*\))?(?:[\d:]+)?(?:から|~|-|―|より)" + r"(?:.{0,4}?)" + _DATE)
_DEADLINE = re.compile(r"(?:締切|締め切り|期限|受付終了)[:：]?.{0,4}?" + _DATE)


def _date(text: str) -> dt.date | None:
    try:
        return parse_date(text, field="date")
    except InputError:
        return None


def read_period(text: str) -> tuple[dt.date | None, dt.date | None] | None:
    """(start, end) of an application period (募集期間), 令和/平成 or Western dates; None if none."""
    norm = normalize(text)
    m = _PERIOD.search(norm)
    if m:
        start, end = _date(m.group(1)), _date(m.group(2))
        if start and end and start <= end:
            return start, end
    m = _DEADLINE.search(norm)
    if m:
        end = _date(m.group(1))
        if end:
            return None, end
    return None
