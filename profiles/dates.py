"""Dates as Japanese firm lists write them: ISO, slashes, 年月日, and the Japanese eras (和暦).

The eras are data (``profiles/data/eras.yaml``: name, abbreviations, first day). A date
is read to the **earliest day the text can mean**: a year alone is its January 1, a year
and month the 1st of the month, and an era's first year starts on the era's first day
(令和元年 is 2019-05-01). Impossible dates and era years past an era's end are errors:

>>> parse_date("昭和53年4月1日"), parse_date("S53.4.1"), parse_date("1978年4月"), parse_date("平成13年")
(datetime.date(1978, 4, 1), datetime.date(1978, 4, 1), datetime.date(1978, 4, 1), datetime.date(2001, 1, 1))
>>> parse_date("令和元年"), parse_date("2024/4/1"), parse_date("2024-04-01 00:00:00")
(datetime.date(2019, 5, 1), datetime.date(2024, 4, 1), datetime.date(2024, 4, 1))
>>> parse_date("平成32年")
Traceback (most recent call last):
...
profiles.errors.InputError: founded: 平成 has no year 32: it ran from 1989-01-08 to 2019-04-30, got '平成32年' (did you mean: 2020-01-01 (令和2年1月1日)?)
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from profiles.datafiles import read_data_yaml
from profiles.errors import AmbiguousValueError, InputError
from profiles.numerals import MISSING, normalize, parse_number

__all__ = ["Era", "eras", "parse_date", "to_era"]


@dataclass(frozen=True)
class Era:
    """One Japanese era: its name, abbreviations, first and last day (``end`` is None for the current one)."""

    name: str
    romaji: str
    abbreviations: tuple[str, ...]
    start: dt.date
    end: dt.date | None

    def gregorian_year(self, year: int) -> int:
        """The Gregorian year of this era's year ``year`` (1 is 元年)."""
        return self.start.year + year - 1


@lru_cache(maxsize=1)
def _data() -> tuple[tuple[Era, ...], dt.date]:
    raw = read_data_yaml("profiles", "eras.yaml")
    rows = sorted(raw["eras"], key=lambda r: r["start"])
    out = []
    for i, r in enumerate(rows):
        end = rows[i + 1]["start"] - dt.timedelta(days=1) if i + 1 < len(rows) else None
        out.append(Era(r["name"], r["romaji"], tuple(r["abbreviations"]), r["start"], end))
    return tuple(out), raw["gregorian_from"]


def eras() -> tuple[Era, ...]:
    """The eras of ``eras.yaml``, oldest first.

    >>> [(e.name, e.start.isoformat()) for e in eras()][-2:]
    [('平成', '1989-01-08'), ('令和', '2019-05-01')]
    """
    return _data()[0]


def to_era(date: dt.date) -> str:
    """The date written in its era, as on a Japanese form (used in messages).

    >>> to_era(dt.date(1978, 4, 1)), to_era(dt.date(2019, 5, 1))
    ('昭和53年4月1日', '令和元年5月1日')
    """
    for era in reversed(eras()):
        if date >= era.start:
            n = date.year - era.start.year + 1
            return f"{era.name}{'元' if n == 1 else n}年{date.month}月{date.day}日"
    return date.isoformat()


@lru_cache(maxsize=1)
def _era_names() -> dict[str, Era]:
    table = {}
    for era in eras():
        for name in (era.name, era.romaji.lower(), *era.abbreviations):
            table[name.lower()] = era
    return table


_TIME = re.compile(r"[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[+-]\d{2}:?\d{2}|Z)?$")
_SPACES = re.compile(r"\s+")
_KANJI = re.compile(r"[〇一二三四五六七八九十百千]+")
_BRACKET = re.compile(r"[(\[（【]([^()\[\]（）【】]*)[)\]）】]")
_WORDS = re.compile(r"^(?:約|およそ|設立|創業|創立|開業|founded|established|est\.?)|(?:頃|ごろ|ころ|設立|創業|創立|開業)$")
_REST = r"(?:(?:年|[./-])(?P<m>\d{1,2})(?:(?:月|[./-])(?:(?P<d>\d{1,2})日?)?)?|年(?P<fy>度)?)?"
_ERA = re.compile(r"(?P<era>明治|大正|昭和|平成|令和|meiji|taisho|showa|heisei|reiwa|[明大昭平令mtshr])\.?"
                  rf"(?P<y>元|\d{{1,2}}){_REST}", re.IGNORECASE)
_WEST = re.compile(rf"(?P<y>\d{{4}}){_REST}")
_DIGITS = re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})?")
_DAY_FIRST = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})")
_SHORT_YEAR = re.compile(r"(\d{2})[./-](\d{1,2})(?:[./-](\d{1,2}))?")
_MONTHS = {m: i + 1 for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())}
_ENGLISH = re.compile(r"(?:(?P<d1>\d{1,2})\s+)?(?P<mon>[a-z]{3})[a-z]*\.?\s*"
                      r"(?:(?P<d2>\d{1,2})(?:st|nd|rd|th)?,?\s+)?,?\s*(?P<y>\d{4})")
_WEEKDAY = set("月火水木金土日") | {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

_EXPECTED = ("not a date: give ISO (1978-04-01), 1978/4/1, 1978年4月1日, a year (1978), "
             "or an era date (昭和53年4月1日, S53.4.1, H13)")


def parse_date(value: object, field: str = "founded") -> dt.date | None:
    """The date a cell means, or ``None`` for an empty one.

    Parameters
    ----------
    value : str, int, float, datetime.date or None
        A cell: text in any of the forms below, a date or datetime (as spreadsheet readers
        give date cells), or a number (a 4-digit year or 8-digit YYYYMMDD).
    field : str
        The field named in errors.

    Returns
    -------
    datetime.date or None
        The earliest day the value can mean.

    Raises
    ------
    InputError
        The value is not a date, not a real date ("2023-02-29"), or an era year outside
        its era; the error keeps the original value.
    AmbiguousValueError
        Day-first or month-first ("04/01/2024"): the candidates are both readings.

    Notes
    -----
    Accepted: ``1978-04-01``, ``1978/4/1``, ``1978.4.1``, ``1978年4月1日``, ``1978年4月``,
    ``1978``, ``19780401``, ``197804``, ``April 1, 1978``; eras full and abbreviated,
    ``昭和53年4月1日``, ``昭和五十三年四月一日``, ``平成元年``, ``S53.4.1``, ``s53/4/1``,
    ``昭53.4.1``, ``H13``, ``R6.4.1``; a fiscal year ``2020年度`` (its April 1); both
    forms together, ``昭和53年(1978年)4月1日``, when they agree; a trailing time or
    weekday, and words such as 設立, 創業, 頃, which are dropped. Before 1873 (明治5年)
    Japan used the lunisolar calendar: month and day of such dates are read as written.

    Examples
    --------
    >>> parse_date("R6.4.1"), parse_date("H13"), parse_date("2020年度"), parse_date(1978)
    (datetime.date(2024, 4, 1), datetime.date(2001, 1, 1), datetime.date(2020, 4, 1), datetime.date(1978, 1, 1))
    >>> parse_date("2023年2月29日")
    Traceback (most recent call last):
    ...
    profiles.errors.InputError: founded: not a real date, got '2023年2月29日'
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise InputError(field, value, _EXPECTED)
    if isinstance(value, float):
        if value != value:  # NaN: an empty spreadsheet cell
            return None
        if not value.is_integer():
            raise InputError(field, value, _EXPECTED)
        value = int(value)
    if isinstance(value, int):
        return _from_int(value, field)
    if not isinstance(value, str):
        raise InputError(field, value, _EXPECTED)
    return _parse_text(value, field)


def _from_int(value: int, field: str) -> dt.date:
    text = str(value)
    if len(text) in (4, 6, 8):
        return _parse_text(text, field)
    cands = []
    if 1 <= value <= 2958465:  # looks like an Excel serial date number
        cands = [(dt.date(1899, 12, 30) + dt.timedelta(days=value)).isoformat()]
    raise InputError(field, value, _EXPECTED + " (an Excel date serial number needs the cell formatted as a date)",
                     cands)


@lru_cache(maxsize=65536)
def _parse_text(original: str, field: str) -> dt.date | None:
    text = normalize(original)
    if text.lower().replace(" ", "") in MISSING:
        return None
    text = _TIME.sub("", text)
    english = _ENGLISH.fullmatch(text.lower())
    if english and english["mon"] in _MONTHS:
        day = english["d1"] or english["d2"]
        return _make(original, field, int(english["y"]), _MONTHS[english["mon"]], int(day) if day else None)
    text = _SPACES.sub("", text)
    other_year = None
    for inner in _BRACKET.findall(text):
        if inner.lower() in _WEEKDAY or not inner:
            continue
        other_year = _year_of(inner)
        if other_year is None:
            raise InputError(field, original, _EXPECTED)
    text = _BRACKET.sub("", text)
    text = _WORDS.sub("", _WORDS.sub("", text))
    if _KANJI.search(text):
        text = _KANJI.sub(lambda m: _kanji_number(m.group()), text)
    found = _read(original, field, text)
    if found is None:
        raise InputError(field, original, _EXPECTED)
    if other_year is not None and other_year != found.year:
        raise InputError(field, original, f"the two years given disagree ({found.year} and {other_year})")
    return found


def _kanji_number(run: str) -> str:
    n = parse_number(run)
    return run if n is None else str(int(n))


def _year_of(inner: str) -> int | None:
    """The Gregorian year of a bracketed "(1978年)" or "(昭和53年)", or None."""
    inner = _KANJI.sub(lambda m: _kanji_number(m.group()), inner)
    m = _WEST.fullmatch(inner)
    if m and not m["m"]:
        return int(m["y"])
    m = _ERA.fullmatch(inner)
    if m and not m["m"]:
        era = _era_names()[m["era"].lower()]
        return era.gregorian_year(1 if m["y"] == "元" else int(m["y"]))
    return None


def _read(original: str, field: str, text: str) -> dt.date | None:
    m = _ERA.fullmatch(text)
    if m:
        return _era_date(original, field, m)
    m = _WEST.fullmatch(text) or _DIGITS.fullmatch(text)
    if m:
        month, day = m["m"], m["d"]
        if m.groupdict().get("fy"):
            month, day = "4", "1"
        return _make(original, field, int(m["y"]), int(month) if month else None, int(day) if day else None)
    m = _DAY_FIRST.fullmatch(text)
    if m:
        a, b, y = int(m[1]), int(m[2]), int(m[3])
        cands = [d.isoformat() for d in (_real(y, b, a), _real(y, a, b)) if d is not None]
        if len(set(cands)) == 1:
            return dt.date.fromisoformat(cands[0])
        raise AmbiguousValueError(field, original, "day first or month first? write the year first (2024-04-01)",
                                  list(dict.fromkeys(cands)))
    m = _SHORT_YEAR.fullmatch(text)
    if m:
        raise InputError(field, original, "a two-digit year: give four digits (1978) or the era (S53)")
    return None


def _real(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _make(original: str, field: str, year: int, month: int | None, day: int | None) -> dt.date:
    date = _real(year, month or 1, day or 1)
    if date is None:
        raise InputError(field, original, "not a real date")
    return date


def _era_date(original: str, field: str, m: re.Match) -> dt.date:
    era = _era_names()[m["era"].lower()]
    n = 1 if m["y"] == "元" else int(m["y"])
    if n < 1:
        raise InputError(field, original, f"{era.name} starts at year 1 (元年)")
    year = era.gregorian_year(n)
    month = int(m["m"]) if m["m"] else None
    day = int(m["d"]) if m["d"] else None
    if m["fy"]:
        month, day = 4, 1
    date = _make(original, field, year, month, day)
    last = era.end or dt.date.max
    if month is None:
        first_possible, last_possible = dt.date(year, 1, 1), dt.date(year, 12, 31)
    elif day is None:
        first_possible = date
        last_possible = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1))
    else:
        first_possible = last_possible = date
    ran = f"it ran from {era.start.isoformat()} to {era.end.isoformat()}" if era.end else \
        f"it started on {era.start.isoformat()}"
    if first_possible > last:
        what = f"has no year {n}" if month is None else "had ended"
        raise InputError(field, original, f"{era.name} {what}: {ran}",
                         [f"{first_possible.isoformat()} ({to_era(first_possible)})"])
    if last_possible < era.start and date >= _data()[1]:
        raise InputError(field, original, f"{era.name} had not begun: it started on {era.start.isoformat()}",
                         [f"{first_possible.isoformat()} ({to_era(first_possible)})"])
    return max(first_possible, era.start) if date >= _data()[1] else first_possible
