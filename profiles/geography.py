"""The gazetteer: every Japanese local government and prefecture, and how to find one.

The master list is ``profiles/data/localgovjp-utf8.csv`` (code4fukui/localgovjp, CC0):
1,916 local governments with their Japanese names, kana, coordinates and 6-digit
official codes. English names are derived from the kana (see :mod:`profiles.romaji`).

A municipality can be named in English ("Kita", "Kita City", "Kita-ku"), Japanese
("北区", "札幌市北区"), kana, or by its code ("131172"); the prefecture tells apart
the many Kita wards:

>>> gaz = gazetteer()
>>> gaz.resolve("Kita City").code, gaz.resolve("Kita-ku", prefecture="13").code
('131172', '131172')
>>> gaz.resolve("羽村市").label
'Hamura City, Tokyo'
>>> gaz.resolve("Kita")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
profiles.errors.AmbiguousValueError: municipality: ambiguous: 12 local governments have this name; give the prefecture or the 6-digit code, got 'Kita' (did you mean: 011029 Kita Ward, Sapporo, Hokkaido, ...?)
"""

from __future__ import annotations

import csv
import difflib
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from profiles.errors import AmbiguousValueError, UnknownValueError
from profiles.romaji import EN_FILE, SUFFIXES, fold_long_vowels, split_suffix

__all__ = [
    "Prefecture",
    "LocalGovernment",
    "Gazetteer",
    "gazetteer",
    "name_key",
    "distance_km",
    "REGIONS",
    "Subregion",
]

#: Regions of Japan as sets of prefecture numbers (a prefecture may be in several:
#: the eight conventional regions plus Hokuriku, Tokai and Okinawa on their own).
REGIONS: dict[str, tuple[int, ...]] = {
    "hokkaido": (1,),
    "tohoku": (2, 3, 4, 5, 6, 7),
    "kanto": (8, 9, 10, 11, 12, 13, 14),
    "chubu": (15, 16, 17, 18, 19, 20, 21, 22, 23),
    "hokuriku": (16, 17, 18),
    "tokai": (21, 22, 23, 24),
    "kinki": (24, 25, 26, 27, 28, 29, 30),
    "chugoku": (31, 32, 33, 34, 35),
    "shikoku": (36, 37, 38, 39),
    "kyushu": (40, 41, 42, 43, 44, 45, 46),
    "okinawa": (47,),
}

_KIND = {"市": "city", "区": "ward", "町": "town", "村": "village"}


def name_key(text: str) -> str:
    """A key that ignores case, spaces, hyphens, macrons and long-vowel spelling.

    >>> name_key("Higashi-Ōsaka") == name_key("higashiosaka") == name_key("Higashioosaka")
    True
    >>> name_key("札幌市 北区")
    '札幌市北区'
    """
    text = str(text)
    if text.isascii():  # NFKC and NFKD leave ASCII as it is, with no combining marks: the same key, faster
        text = _PUNCT.sub("", text.strip().lower())
    else:
        text = unicodedata.normalize("NFKC", text).strip().lower()
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
        text = _PUNCT.sub("", unicodedata.normalize("NFKC", text))
    if text.isascii():
        text = fold_long_vowels(text).replace("mb", "nb").replace("mp", "np")
    return text


_PUNCT = re.compile(r"[\s\-‐・.,'’_()（）]")


@dataclass(frozen=True)
class Prefecture:
    """One of the 47 prefectures; ``code`` is its two-digit number ("13" for Tokyo)."""

    code: str
    name_en: str
    name_ja: str
    name_kana: str
    short_ja: str
    iso: str
    lat: float
    lng: float
    regions: tuple[str, ...]


@dataclass(frozen=True)
class LocalGovernment:
    """One local government of the master list."""

    code: str
    name_en: str
    name_ja: str
    full_name_ja: str
    name_kana: str
    kind: str
    parent_en: str | None
    prefecture_code: str
    prefecture_en: str
    prefecture_ja: str
    lat: float | None
    lng: float | None
    url: str | None

    @property
    def english(self) -> str:
        """The English name with its kind: "Mitaka City", "Kita Ward", "Kita City".

        Tokyo's 23 special wards call themselves cities in English.
        """
        if self.kind == "ward" and self.parent_en is None:
            return f"{self.name_en} City"
        return f"{self.name_en} {self.kind.capitalize()}"

    @property
    def label(self) -> str:
        """The English name with its city and prefecture: "Kita Ward, Sapporo, Hokkaido"."""
        parts = [self.english]
        if self.parent_en:
            parts.append(self.parent_en)
        parts.append(self.prefecture_en)
        return ", ".join(parts)


@dataclass(frozen=True)
class Subregion:
    """A named part of a prefecture (Tokyo's 23 wards, 多摩, 島しょ) as the local governments it holds."""

    id: str
    name_en: str
    name_ja: str
    prefecture_code: str
    members: tuple[str, ...]
    synonyms: tuple[str, ...]


def _read_subregions() -> dict[str, Subregion]:
    from profiles.datafiles import read_data_yaml

    return {key: Subregion(id=key, name_en=v["name"], name_ja=v["name_ja"], prefecture_code=str(v["prefecture"]),
                           members=tuple(str(m) for m in v["members"]),
                           synonyms=tuple(str(x) for x in v.get("synonyms", ())))
            for key, v in read_data_yaml("profiles", "subregions.yaml")["subregions"].items()}


def _read_csv(name: str) -> list[dict[str, str]]:
    text = (resources.files("profiles") / "data" / name).read_text(encoding="utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def _float(text: str) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


class Gazetteer:
    """Every local government and prefecture, with lookups by any of their names."""

    def __init__(self) -> None:
        self.prefectures: tuple[Prefecture, ...] = tuple(
            Prefecture(
                code=f"{int(r['pid']):02d}", name_en=r["pref_en"], name_ja=r["pref"],
                name_kana=r["prefkana"], short_ja=r["prefshort"], iso=r["ISO3166-2"],
                lat=float(r["lat"]), lng=float(r["lng"]),
                regions=tuple(k for k, v in REGIONS.items() if int(r["pid"]) in v),
            )
            for r in _read_csv("prefjp-utf8.csv")
        )
        english = {r["lgcode"]: r for r in _read_csv(EN_FILE)}
        city_en: dict[str, str] = {}
        records = []
        for r in _read_csv("localgovjp-utf8.csv"):
            pref = self.prefectures[int(r["pid"]) - 1]
            words = r["city"].split(" ")
            en = english[r["lgcode"]]["name_en"]
            if len(words) == 1:
                city_en[(r["pid"], words[0])] = en
            parent = city_en.get((r["pid"], words[0])) if len(words) > 1 else None
            records.append(LocalGovernment(
                code=r["lgcode"], name_en=en, name_ja=words[-1], full_name_ja=r["city"].replace(" ", ""),
                name_kana=r["citykana"].split(" ")[-1], kind=_KIND.get(words[-1][-1], "city"),
                parent_en=parent, prefecture_code=pref.code, prefecture_en=pref.name_en,
                prefecture_ja=pref.name_ja, lat=_float(r["lat"]), lng=_float(r["lng"]), url=r["url"] or None,
            ))
        self.records: tuple[LocalGovernment, ...] = tuple(records)
        self._index = {g.code: i for i, g in enumerate(self.records)}
        self.lat = np.array([np.nan if g.lat is None else g.lat for g in self.records])
        self.lng = np.array([np.nan if g.lng is None else g.lng for g in self.records])
        self.prefecture_index = np.array([int(g.prefecture_code) - 1 for g in self.records], dtype=np.int16)
        self._by_key: dict[str, list[int]] = {}
        for i, g in enumerate(self.records):
            for alias in self._aliases(g):
                bucket = self._by_key.setdefault(name_key(alias), [])
                if i not in bucket:
                    bucket.append(i)
        #: Named sub-regions of prefectures, by id (``tokyo_wards``, ``tama``, ``tokyo_islands``).
        self.subregions: dict[str, Subregion] = _read_subregions()
        self._region_by_key: dict[str, str] = {}
        for key in REGIONS:
            self._region_by_key[name_key(key)] = key
        for sub in self.subregions.values():
            for alias in (sub.id, sub.name_en, sub.name_ja, *sub.synonyms):
                self._region_by_key.setdefault(name_key(alias), sub.id)
        self._pref_by_key: dict[str, int] = {}
        for i, p in enumerate(self.prefectures):
            suffix = p.name_ja[-1]
            en_suffix = {"都": "to", "府": "fu", "県": "ken", "道": ""}[suffix]
            for alias in (p.code, str(int(p.code)), p.iso, p.iso.replace("JP-", ""), p.name_en, p.name_ja,
                          p.short_ja, p.name_kana, f"{p.name_en} prefecture", f"{p.name_en}-{en_suffix}",
                          f"{p.name_en} {en_suffix}", f"{p.name_en} metropolis"):
                self._pref_by_key.setdefault(name_key(alias), i)

    @staticmethod
    def _aliases(g: LocalGovernment) -> Iterable[str]:
        yield g.code
        yield g.code[:5]
        yield g.name_ja
        yield g.full_name_ja
        yield g.name_kana
        base_kana, kana_suffix, _ = split_suffix(g.name_ja, g.name_kana)
        yield g.name_en
        hep = {"city": ["shi"], "ward": ["ku"], "town": ["cho", "machi"], "village": ["son", "mura"]}[g.kind]
        words = [g.kind] + (["city"] if g.kind == "ward" and g.parent_en is None else [])
        for form in [*(f"{g.name_en}-{h}" for h in hep), *(f"{g.name_en} {w}" for w in words)]:
            yield form
            if g.parent_en:
                yield f"{g.parent_en} {form}"
                yield f"{g.parent_en}-shi {form}"
        if g.parent_en:
            yield f"{g.parent_en} {g.name_en}"
        if len(g.name_ja) > 2 and g.name_ja[-1] in SUFFIXES:
            yield g.name_ja[:-1]

    def __len__(self) -> int:
        return len(self.records)

    def index(self, code: str) -> int:
        """Position of the local government with this 6-digit code."""
        try:
            return self._index[code]
        except KeyError:
            raise UnknownValueError("municipality", code, "no local government has this code") from None

    def get(self, code: str) -> LocalGovernment:
        """The local government with this 6-digit code."""
        return self.records[self.index(code)]

    def region_names(self) -> tuple[str, ...]:
        """The names of the regions a program may be restricted to: regions of Japan, then sub-regions.

        >>> names = gazetteer().region_names()
        >>> "kanto" in names and "tama" in names
        True
        """
        return (*REGIONS, *self.subregions)

    def region(self, text: str, field: str = "regions") -> str:
        """The id of a region or sub-region named by id, English or Japanese name, or a synonym.

        >>> gazetteer().region("多摩"), gazetteer().region("23区"), gazetteer().region("Kanto")
        ('tama', 'tokyo_wards', 'kanto')
        """
        found = self._region_by_key.get(name_key(str(text).replace("_", " ")))
        if found is None:
            found = self._region_by_key.get(name_key(str(text)))
        if found is None:
            raise UnknownValueError(field, text, "unknown region", list(self.region_names()))
        return found

    def prefecture(self, text: str, field: str = "prefecture") -> Prefecture:
        """Resolve a prefecture given in English, Japanese, kana, or by number.

        >>> gazetteer().prefecture("東京都").code, gazetteer().prefecture("Osaka-fu").name_en
        ('13', 'Osaka')
        """
        i = self._pref_by_key.get(name_key(text))
        if i is None:
            names = [p.name_en for p in self.prefectures]
            close = difflib.get_close_matches(str(text).strip().title(), names, n=5, cutoff=0.6)
            raise UnknownValueError(field, text, "unknown prefecture", close)
        return self.prefectures[i]

    def resolve(self, text: str, prefecture: str | None = None, field: str = "municipality") -> LocalGovernment:
        """Find one local government by name or code, within ``prefecture`` (a code) if given.

        Raises :class:`~profiles.errors.UnknownValueError` with the closest names, or
        :class:`~profiles.errors.AmbiguousValueError` listing every match. Answers are
        remembered (registers repeat the same few names), errors are not.
        """
        memo = self.__dict__.setdefault("_resolved", {})
        key = (text, prefecture) if isinstance(text, str) else None
        found = memo.get(key) if key is not None else None
        if found is None:
            found = self._resolve(text, prefecture, field)
            if key is not None and len(memo) < 100_000:
                memo[key] = found
        return found

    def _resolve(self, text: str, prefecture: str | None, field: str) -> LocalGovernment:
        if "," in str(text) and not self._by_key.get(name_key(text)):
            # the label form: "Hachioji City, Tokyo", "Kita Ward, Sapporo, Hokkaido"
            parts = [p.strip() for p in str(text).split(",") if p.strip()]
            if len(parts) >= 2 and name_key(parts[-1]) in self._pref_by_key:
                pref = self.prefectures[self._pref_by_key[name_key(parts[-1])]].code
                if prefecture is None or prefecture == pref:
                    rest = parts[:-1]
                    return self.resolve(" ".join(reversed(rest)), prefecture=pref, field=field)
        key = name_key(text)
        hits = list(self._by_key.get(key, ()))
        if prefecture is not None:
            in_pref = [i for i in hits if self.records[i].prefecture_code == prefecture]
            if hits and not in_pref:
                pref = self.prefectures[int(prefecture) - 1].name_en
                raise UnknownValueError(field, text, f"no local government of this name in {pref}",
                                        [self._describe(i) for i in hits])
            hits = in_pref
        if len(hits) > 1:
            # "Osaka" names Osaka City, not each of its wards that shares a prefix.
            whole = [i for i in hits if self.records[i].kind == "city"]
            if len(whole) == 1:
                city = self.records[whole[0]]
                if all(self.records[i].parent_en == city.name_en
                       and self.records[i].prefecture_code == city.prefecture_code for i in hits if i not in whole):
                    hits = whole
        if len(hits) == 1:
            return self.records[hits[0]]
        if hits:
            raise AmbiguousValueError(
                field, text,
                f"ambiguous: {len(hits)} local governments have this name; give the prefecture or the 6-digit code",
                [self._describe(i) for i in hits])
        pool = [k for k, v in self._by_key.items()
                if prefecture is None or any(self.records[i].prefecture_code == prefecture for i in v)]
        close = difflib.get_close_matches(key, pool, n=6, cutoff=0.7)
        cands = list(dict.fromkeys(self._describe(i) for k in close for i in self._by_key[k]
                                   if prefecture is None or self.records[i].prefecture_code == prefecture))
        where = f" in {self.prefectures[int(prefecture) - 1].name_en}" if prefecture else ""
        raise UnknownValueError(field, text, f"unknown municipality{where}", cands)

    def _describe(self, i: int) -> str:
        g = self.records[i]
        return f"{g.code} {g.label}"

    def search(self, prefix: str, prefecture: str | None = None, limit: int = 20) -> list[LocalGovernment]:
        """Local governments whose English, Japanese or kana name starts with ``prefix``.

        >>> [g.code for g in gazetteer().search("mitaka")]
        ['132047']
        """
        key = name_key(prefix)
        out = []
        for g in self.records:
            if prefecture is not None and g.prefecture_code != prefecture:
                continue
            names = (g.name_en, g.name_ja, g.full_name_ja, g.name_kana, g.code)
            if any(name_key(n).startswith(key) for n in names):
                out.append(g)
                if len(out) >= limit:
                    break
        return out


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The gazetteer, built once per process."""
    return Gazetteer()


def distance_km(lat1, lng1, lat2, lng2) -> np.ndarray:
    """Great-circle distance in km (haversine), broadcast over arrays.

    >>> round(float(distance_km(35.7528, 139.7336, 35.7672, 139.3111)))  # Kita to Hamura
    38
    """
    r = 6371.0088
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dl = np.radians(np.asarray(lng2) - np.asarray(lng1))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * r * np.arcsin(np.sqrt(np.clip(a, 0, 1)))
