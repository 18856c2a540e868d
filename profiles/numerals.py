"""Numbers as people write them in Japanese registers, and the text clean-up every value parser shares.

A cell in a Japanese firm list may hold full-width digits ("１０００"), thousands commas
("1,000"), kanji numerals ("三千万", "二〇二四") or both mixed ("1億2,000万").
:func:`parse_number` reads all of them exactly (as a :class:`~decimal.Decimal`):

>>> parse_number("1億2,000万"), parse_number("三千万"), parse_number("二〇二四"), parse_number("1.5億")
(Decimal('120000000'), Decimal('30000000'), Decimal('2024'), Decimal('150000000.0'))
>>> parse_number("10千"), parse_number("10百万"), parse_number("十万五千")
(Decimal('10000'), Decimal('10000000'), Decimal('105000'))
>>> parse_number("1万2億") is None   # big units out of order: not a number
True
"""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import Decimal

__all__ = ["normalize", "is_missing", "parse_number", "NUMERAL_CHARS", "MISSING"]

#: Cell texts that mean "not given" in registers (compared after :func:`normalize` and lower-casing).
MISSING = frozenset({
    "", "-", "--", "---", "ー", "―", "—", "─", "…", "...", "・", "*", "?", "？", "n/a", "na", "n.a.",
    "null", "none", "nan", "nat", "不明", "未定", "未記入", "未入力", "未回答", "無回答", "非公開", "記載なし",
    "なし", "無し", "無", "特になし", "該当なし",
})

_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—―−﹣"} | {c: "~" for c in "〜∼～〰"})
_ANY_DASH = re.compile("[‐‑‒–—―−﹣〜∼～〰]")

_KANJI_DIGITS = {"〇": 0, "零": 0, "一": 1, "壱": 1, "二": 2, "弐": 2, "三": 3, "参": 3, "四": 4,
                 "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SMALL = {"十": 10, "拾": 10, "百": 100, "千": 1000, "阡": 1000}
_BIG = {"万": 10**4, "萬": 10**4, "億": 10**8, "兆": 10**12}
#: Every character that can be part of a kanji numeral.
NUMERAL_CHARS = "".join([*_KANJI_DIGITS, *_SMALL, *_BIG])

_ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_TOKEN = re.compile(rf"({_ARABIC})|([{''.join(_KANJI_DIGITS)}]+)|([{''.join(_SMALL)}])|([{''.join(_BIG)}])")
_WHOLE = re.compile(rf"(?:{_TOKEN.pattern})+")


def normalize(text: str) -> str:
    """NFKC (full-width digits, letters and spaces to ASCII), one dash and one wave dash, stripped.

    >>> normalize("　１，０００万円～２０００万円 ")
    '1,000万円~2000万円'
    >>> normalize("Ｓ５３．４．１")
    'S53.4.1'
    """
    text = unicodedata.normalize("NFKC", text)
    if _ANY_DASH.search(text):  # translate is slow per character: only when there is one to map
        text = text.translate(_DASHES)
    return text.strip()


def is_missing(value: object) -> bool:
    """Whether a cell is empty: ``None``, NaN, or a text such as "", "-", "不明", "なし".

    >>> [is_missing(v) for v in (None, float("nan"), " ", "－", "不明", "N/A", "0", 0)]
    [True, True, True, True, True, True, False, False]
    """
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, str):
        return normalize(value).lower().replace(" ", "") in MISSING
    return False


def parse_number(text: str) -> Decimal | None:
    """The value of a numeral in arabic digits, kanji or both, or ``None`` if ``text`` is not one.

    ``text`` must already be normalized (:func:`normalize`) and hold nothing but the numeral.
    Big units (万, 億, 兆) must come in decreasing order, as must the small ones (十, 百, 千)
    within each; a digit run in kanji ("二〇二四") is read digit by digit.

    >>> parse_number("1,000"), parse_number("五百"), parse_number("千"), parse_number("1,00")
    (Decimal('1000'), Decimal('500'), Decimal('1000'), None)
    """
    if not text or _WHOLE.fullmatch(text) is None:
        return None
    total = Decimal(0)
    section = Decimal(0)
    current: Decimal | None = None
    last_big = last_small = None
    for arabic, kanji, small, big in _TOKEN.findall(text):
        if arabic or kanji:
            if current is not None:
                return None  # two numbers in a row: "12三"
            current = (Decimal(arabic.replace(",", "")) if arabic
                       else Decimal("".join(str(_KANJI_DIGITS[c]) for c in kanji)))
        elif small:
            unit = _SMALL[small]
            if last_small is not None and unit >= last_small:
                return None
            section += (Decimal(1) if current is None else current) * unit
            current, last_small = None, unit
        else:
            unit = _BIG[big]
            if last_big is not None and unit >= last_big:
                return None
            section += current or 0
            total += (section or Decimal(1)) * unit
            section, current, last_big, last_small = Decimal(0), None, unit, None
    return total + section + (current or 0)
