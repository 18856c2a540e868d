"""Japanese text terms: content words, their compounds and their parts, from a real tokenizer.

:class:`JapaneseAnalyzer` cuts a text into the terms a person would call words of it,
with SudachiPy and its core dictionary (``sudachidict_core``, shipped on PyPI; chosen
over fugashi with unidic-lite by measurement, see ``benchmarks/bench_text.py``):

- content words only: nouns, verbs and adjectives in their normalized dictionary form
  (出展し -> 出展, 行った -> 行う, ものづくり -> 物作り); particles, auxiliaries, symbols,
  numbers and the words of a stop list kept as data (``matcher/data/stopwords_ja.yaml``)
  never become terms;
- compounds as well as their parts: a run of nouns gives each word (in Sudachi's
  longest unit, split mode C, with its shorter parts: 中小企業 -> 中小, 企業), each word
  with its suffix or prefix (中小企業者), and the compounds of neighbouring words
  (補助対象経費 -> 補助対象, 対象経費, 補助対象経費);
- English and other ASCII words (an English sentence, or DX, IoT within Japanese) as
  lower-case words, without English stop words.

The dictionary is loaded once per process, on first use (0.1 s, memory-mapped, so
forked workers share its pages); each thread gets its own tokenizer (a Sudachi
tokenizer is not re-entrant); repeated texts are served from a cache.

>>> ja = JapaneseAnalyzer()
>>> ja("都内の中小企業者が展示会に出展する費用を補助します")
['都内', '中小企業者', '中小企業', '中小', '企業', '展示会', '展示', '出展', '費用', '補助']
>>> ja("precision machining of metal parts")
['precision', 'machining', 'metal', 'parts']
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache
from importlib import resources

from profiles.datafiles import read_data_yaml
from matcher._validation import check_int

__all__ = ["JapaneseAnalyzer", "analyze", "stopwords", "english_stop_words", "has_japanese"]

_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f々〆ヵヶ]")
_ASCII_WORD = re.compile(r"[a-z][a-z0-9]*(?:[+&'\-][a-z0-9]+)*")
# a chunk of text that contains Japanese goes to the tokenizer as a whole; the rest is English
_CHUNK = re.compile(r"[^\s]*[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f々〆ヵヶ][^\s]*"
                    r"(?:\s+[^\s]*[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f々〆ヵヶ][^\s]*)*")

# the role of a part of speech (by Sudachi's id) in a term
_SKIP, _NOUN, _WORD, _PREFIX, _SUFFIX = 0, 1, 2, 3, 4


def has_japanese(text: str) -> bool:
    """Whether a text has any kana or kanji.

    >>> has_japanese("DX推進"), has_japanese("DX")
    (True, False)
    """
    return _JAPANESE.search(text) is not None


@lru_cache(maxsize=1)
def stopwords() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """The stop list as data: (words that end a compound, words that are no term on their
    own, affixes that are dropped); no word of the first two lists is ever a term alone.

    >>> breaks, words, affixes = stopwords()
    >>> "こと" in breaks and "対象" in words and "御" in affixes
    True
    """
    data = read_data_yaml("matcher", "stopwords_ja.yaml")
    breaks, words = frozenset(map(str, data["breaks"])), frozenset(map(str, data["words"]))
    return breaks, words | breaks, frozenset(map(str, data["affixes"]))


@lru_cache(maxsize=1)
def english_stop_words() -> frozenset[str]:
    """English words that are never terms: scikit-learn's ``ENGLISH_STOP_WORDS``, kept as data
    (``matcher/data/stopwords_en.txt``) so that tokenizing never imports scikit-learn.

    >>> "the" in english_stop_words() and "machining" not in english_stop_words()
    True
    """
    text = resources.files("matcher").joinpath("data/stopwords_en.txt").read_text("utf-8")
    return frozenset(w for w in (line.strip() for line in text.splitlines()) if w and not w.startswith("#"))


_LOCK = threading.Lock()
_DICTIONARY = None
_ROLES: bytes = b""


def _dictionary():
    """The Sudachi dictionary and the role of each part-of-speech id (loaded once per process)."""
    global _DICTIONARY, _ROLES
    if _DICTIONARY is None:
        with _LOCK:
            if _DICTIONARY is None:
                from sudachipy import Dictionary

                d = Dictionary(dict="core")
                roles = bytearray()
                pid = 0
                while True:
                    try:
                        pos = d.pos_of(pid)
                    except (IndexError, ValueError, OverflowError):
                        pos = None
                    if pos is None:
                        break
                    roles.append(_role(pos))
                    pid += 1
                _ROLES = bytes(roles)
                _DICTIONARY = d
    return _DICTIONARY, _ROLES


def _role(pos: tuple[str, ...]) -> int:
    """What a part of speech (Sudachi's six fields) contributes to the terms."""
    major, minor = pos[0], pos[1]
    if major == "名詞":
        return _SKIP if minor in ("数詞", "助動詞語幹") else _NOUN
    if major in ("動詞", "形容詞"):
        return _SKIP if minor == "非自立可能" else _WORD
    if major == "形状詞":
        return _WORD if minor == "一般" else _SKIP
    if major == "接頭辞":
        return _PREFIX
    if major == "接尾辞":
        return _SUFFIX if minor == "名詞的" else _SKIP
    return _SKIP


class JapaneseAnalyzer:
    """The terms of a text: Japanese content words, compounds and parts, and English words.

    Parameters
    ----------
    compounds : bool, default True
        Also give the compounds of neighbouring nouns (補助 + 対象 + 経費 -> 補助対象,
        対象経費 and, for runs of at most ``max_run`` words, 補助対象経費).
    parts : bool, default True
        Also give the shorter units of a long word (中小企業 -> 中小, 企業) and a word
        without its suffix or prefix (中小企業者 -> 中小企業).
    max_run : int, default 4
        The longest run of words given as one compound.
    cache_size : int, default 65536
        Distinct texts whose terms are kept (registers repeat their descriptions).

    Notes
    -----
    Calling the analyzer gives a list of terms with repetition (a term counts once for
    each place it comes from), so it serves as the ``analyzer`` of a scikit-learn
    vectorizer. The result depends on the text only: the same text gives the same terms
    in every thread and process.

    Examples
    --------
    >>> ja = JapaneseAnalyzer()
    >>> ja("補助対象経費")
    ['補助対象経費', '補助対象', '対象経費', '補助']
    >>> ja("ＩｏＴやＤＸの導入を行いたい")
    ['iot', 'dx', '導入']
    >>> JapaneseAnalyzer(compounds=False, parts=False)("中小企業者への支援")
    ['中小企業者', '支援']
    """

    def __init__(self, compounds: bool = True, parts: bool = True, max_run: int = 4, cache_size: int = 65536):
        self.compounds = compounds
        self.parts = parts
        self.max_run = max_run
        self.cache_size = cache_size

    def __call__(self, text: str) -> list[str]:
        return list(self.terms(text))

    def terms(self, text: str) -> tuple[str, ...]:
        """The terms of ``text``, with repetition, in order of appearance (cached)."""
        cached = self.__dict__.get("_cached")
        if cached is None:
            check_int("max_run", self.max_run)
            cached = self._cached = lru_cache(maxsize=self.cache_size)(self._terms)
        return cached(text)

    def normalize(self, phrase: str) -> str:
        """The one term a phrase stands for: its content words' normalized forms, joined.

        How a glossary's Japanese side meets the terms of documents.

        >>> JapaneseAnalyzer().normalize("ものづくり")
        '物作り'
        >>> JapaneseAnalyzer().normalize("精密加工")
        '精密加工'
        """
        if not has_japanese(phrase):
            return " ".join(_ASCII_WORD.findall(unicodedata.normalize("NFKC", phrase).lower()))
        out = []
        for role, form, _ in self._units(phrase):
            if role in (_NOUN, _WORD, _PREFIX, _SUFFIX):
                out.append(form)
        return "".join(out)

    def __getstate__(self) -> dict:
        # the cache and the tokenizers are rebuilt on first use
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    # -- internals ---------------------------------------------------------------

    def _tokenizer(self):
        local = self.__dict__.get("_local")
        if local is None:
            local = self._local = threading.local()
        tk = getattr(local, "tokenizer", None)
        if tk is None:
            d, _ = _dictionary()
            tk = local.tokenizer = d.tokenizer(mode="C")
        return tk

    def _units(self, text: str) -> list[tuple[int, str, object]]:
        """(role, normalized form, morpheme) of each morpheme of a Japanese chunk."""
        _, roles = _dictionary()
        out = []
        for m in self._tokenizer().tokenize(text):
            pid = m.part_of_speech_id()
            role = roles[pid] if pid < len(roles) else _SKIP
            form = m.normalized_form()
            if form.isascii():
                form = form.lower()
                if role == _NOUN and not _ASCII_WORD.fullmatch(form):
                    role = _SKIP
            out.append((role, form, m))
        return out

    def _terms(self, text: str) -> tuple[str, ...]:
        if not text:
            return ()
        out: list[str] = []
        text = unicodedata.normalize("NFKC", text)
        chunk_terms = self.__dict__.get("_chunk_cached")
        if chunk_terms is None:  # a chunk's terms depend on the chunk alone (an industry's name recurs)
            chunk_terms = self._chunk_cached = lru_cache(maxsize=self.cache_size)(self._chunk_terms)
        pos = 0
        for chunk in _CHUNK.finditer(text):
            self._english(text[pos:chunk.start()], out)
            out.extend(chunk_terms(chunk.group()))
            pos = chunk.end()
        self._english(text[pos:], out)
        return tuple(out)

    def _chunk_terms(self, chunk: str) -> tuple[str, ...]:
        out: list[str] = []
        self._japanese(chunk, out)
        return tuple(out)

    @staticmethod
    def _english(text: str, out: list[str]) -> None:
        if text and not text.isspace():
            stop = english_stop_words()
            out.extend(w for w in _ASCII_WORD.findall(text.lower()) if len(w) > 1 and w not in stop)

    def _japanese(self, text: str, out: list[str]) -> None:
        breaks, stop, drop = stopwords()
        run: list[tuple[str, list[str]]] = []  # the nouns of the current run: (form with affixes, extra terms)
        prefix = ""
        for role, form, m in self._units(text):
            if role == _NOUN and form not in breaks and _meaningful(form):
                extra = []
                if self.parts:
                    pieces = m.split("A")
                    if len(pieces) > 1:
                        for p in pieces:
                            f = p.normalized_form()
                            if f not in stop and len(f) > 1 and _meaningful(f) and f != form:
                                extra.append(f.lower() if f.isascii() else f)
                if prefix:
                    extra.insert(0, form)
                    form = prefix + form
                    prefix = ""
                run.append((form, extra))
                continue
            if role == _SUFFIX and run and form not in drop:
                word, extra = run[-1]
                run[-1] = (word + form, [word, *extra] if self.parts else extra)
                continue
            if role == _PREFIX and form not in drop:
                prefix = form
                continue
            if role in (_PREFIX, _SUFFIX):  # a dropped affix: the run goes on without it
                continue
            self._flush(run, out, stop)
            run = []
            prefix = ""
            if role == _WORD and form not in stop and _meaningful(form):
                out.append(form)
        self._flush(run, out, stop)

    def _flush(self, run: list[tuple[str, list[str]]], out: list[str], stop: frozenset[str]) -> None:
        if not run:
            return
        words = [w for w, _ in run]
        if self.compounds and len(run) > 1:
            if len(run) <= self.max_run:
                out.append("".join(words))
            if len(run) > 2:
                out.extend(a + b for a, b in zip(words, words[1:]))
        for w, extra in run:
            if w not in stop:
                out.append(w)
            out.extend(e for e in extra if e not in stop)


def _meaningful(form: str) -> bool:
    """A form that can be a term: not one kana or symbol, not a number."""
    if len(form) == 1:
        return "\u3400" <= form <= "\u9fff" or "\uf900" <= form <= "\ufaff"
    return not form.isdigit()


_DEFAULT: JapaneseAnalyzer | None = None


def analyze(text: str) -> list[str]:
    """The terms of a text with the default :class:`JapaneseAnalyzer` (one per process).

    >>> analyze("飲食店の開業を支援します")
    ['飲食店', '飲食', '開業', '支援']
    """
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = JapaneseAnalyzer()
    return _DEFAULT(text)
