"""TF-IDF over real terms, in English and Japanese, with an English-to-Japanese bridge.

:class:`TermVectorizer` is the text side of the vector space for real catalogs: each
document is cut into terms by :class:`matcher.japanese.JapaneseAnalyzer` (Japanese
content words, their compounds and their parts; English words), and any document with
Latin letters also gets the Japanese terms the glossary (:mod:`matcher.crosslingual`)
gives for its English words and phrases, each with its weight (1 for an entry's first
translation, 0.5 for the others). A firm described in English then meets programs
written in Japanese on the same features, and an English seed program meets a firm
that writes in Japanese. Character n-grams are gone: they matched 「ラス」 and 「した」,
and measured on the Tokyo quality set they lost to words (``benchmarks/bench_text.py``).

Weights: ``1 + log(count)`` for a term of the text, the glossary weight for a bridged
term (the larger when both), times a smoothed IDF fitted on the programs (as
scikit-learn's ``TfidfVectorizer``), then each row L2-normalised.

>>> tv = TermVectorizer().fit(["精密加工の設備投資を補助します", "商店街のイベントを支援", "展示会への出展費用を補助"])
>>> X = tv.transform(["precision machining of metal parts", "展示会に出展したい"])
>>> [tv.feature_list_[j] for j in X[0].indices]
['精密加工', '精密', '加工']
>>> round(float((X[1] @ tv.transform(["展示会への出展費用を補助"]).T).toarray()[0, 0]), 2)
0.73
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import scipy.sparse as sp

from matcher.crosslingual import glossary
from matcher.estimator import Estimator, TransformerMixin
from matcher.japanese import JapaneseAnalyzer

__all__ = ["TermVectorizer", "TEXT_MODELS"]

#: The text models a :class:`matcher.MatchEngine` can use (its ``text`` parameter).
TEXT_MODELS = ("terms", "ngrams")

_LATIN = re.compile(r"[A-Za-z]{2}")
_ASCII_WORD = re.compile(r"^[a-z0-9]+$")
_NO_COLUMNS = np.empty(0, np.int32)
_NO_VALUES = np.empty(0, np.float32)


class TermVectorizer(TransformerMixin, Estimator):
    """TF-IDF over analyzer terms, with glossary terms added to English text.

    Parameters
    ----------
    bridge : bool, default True
        Add the glossary's Japanese terms to any document with Latin letters.
    jmdict : bool, default False
        Also bridge English words the glossary lacks through JMdict, restricted to the
        programs' own Japanese terms (needs the ``jmdict`` extra, ``jamdict-data``).
    sublinear_tf : bool, default True
        Use ``1 + log(count)`` for the terms of the text.
    max_shown_df : float, default 0.2
        Terms found in more than this share of the programs still count in the
        similarity but are never shown to a person as a shared term (「事業」「支援」).
    cache_size : int, default 32768
        Distinct documents whose rows :meth:`transform` keeps (0: none).

    Attributes
    ----------
    vocabulary_ : dict of str to int
        Column of each term (in order of first appearance in the programs).
    idf_ : numpy.ndarray of float64
    feature_names_ : numpy.ndarray of str
    feature_list_ : list of str
    readable_ : numpy.ndarray of bool
        Terms worth showing as "shared terms".
    n_word_features_ : int
        Every column is a word (for the kernel, which bounds a character part otherwise).
    """

    def __init__(self, bridge: bool = True, jmdict: bool = False, sublinear_tf: bool = True,
                 max_shown_df: float = 0.2, cache_size: int = 32768):
        self.bridge = bridge
        self.jmdict = jmdict
        self.sublinear_tf = sublinear_tf
        self.max_shown_df = max_shown_df
        self.cache_size = cache_size

    def _analyzer(self) -> JapaneseAnalyzer:
        an = self.__dict__.get("_an")
        if an is None:
            an = self.__dict__["_an"] = JapaneseAnalyzer()
        return an

    def document_terms(self, document: str) -> dict[str, float]:
        """The weighted terms of one document, before IDF (the same for firms and programs).

        >>> TermVectorizer().document_terms("loan loan for a restaurant")["融資"]
        1.0
        """
        counts = Counter(self._analyzer()(document or ""))
        if self.sublinear_tf:
            out = {t: 1.0 + math.log(c) for t, c in counts.items()}
        else:
            out = {t: float(c) for t, c in counts.items()}
        if self.bridge and document and _LATIN.search(document):
            for t, w in glossary().to_japanese(document, self.__dict__.get("jmdict_")).items():
                if out.get(t, 0.0) < w:
                    out[t] = w
        return out

    def fit(self, documents: Sequence[str], y=None) -> "TermVectorizer":
        if not 0 < float(self.max_shown_df) <= 1:
            raise ValueError(f"max_shown_df must be in (0, 1], got {self.max_shown_df!r}")
        self.__dict__.pop("jmdict_", None)
        self.__dict__.pop("_rows", None)
        if self.jmdict:
            from matcher.crosslingual import JMdictBridge

            japanese = {t for doc in documents for t in self._analyzer()(doc or "")}
            self.jmdict_ = JMdictBridge().fit(sorted(japanese))
        vocab: dict[str, int] = {}
        df: list[int] = []
        for doc in documents:
            for t in self.document_terms(doc):
                j = vocab.get(t)
                if j is None:
                    vocab[t] = len(df)
                    df.append(1)
                else:
                    df[j] += 1
        n = len(documents)
        dfa = np.asarray(df, np.float64)
        self.vocabulary_ = vocab
        self.idf_ = np.log((1.0 + n) / (1.0 + dfa)) + 1.0
        self.feature_names_ = np.array(list(vocab), dtype=object)
        self.feature_list_ = list(vocab)
        self.readable_ = np.array([_shown(t) for t in vocab], bool) & (dfa <= self.max_shown_df * max(n, 1))
        self.n_word_features_ = len(vocab)
        return self

    def transform(self, documents: Sequence[str]) -> sp.csr_matrix:
        """One L2-normalised float32 row per document; terms outside the programs' vocabulary drop out.

        A row depends on its own document only, so chunking never changes results; the
        rows of the last ``cache_size`` distinct documents are kept (firm lists repeat
        their descriptions, and every firm of an industry has its industry's words).
        """
        row = self._row_function()
        rows = [row(doc) for doc in documents]
        lens = np.fromiter((len(c) for c, _ in rows), np.int64, len(rows))
        indptr = np.zeros(len(rows) + 1, np.int64)
        np.cumsum(lens, out=indptr[1:])
        if rows and indptr[-1]:
            indices = np.concatenate([c for c, _ in rows])
            data = np.concatenate([v for _, v in rows])
        else:
            indices, data = np.empty(0, np.int32), np.empty(0, np.float32)
        return sp.csr_matrix((data, indices, indptr), shape=(len(documents), len(self.vocabulary_)))

    def _row_function(self):
        """:meth:`_row`, memoized for the fitted state and parameters it depends on."""
        key = (id(self.vocabulary_), id(self.idf_), id(self.__dict__.get("jmdict_")), self.bridge, self.sublinear_tf,
               self.cache_size)
        cached = self.__dict__.get("_rows")
        if cached is None or cached[0] != key:
            fn = self._row if not self.cache_size else lru_cache(maxsize=int(self.cache_size))(self._row)
            cached = self.__dict__["_rows"] = (key, fn)
        return cached[1]

    def _row(self, doc: str) -> tuple[np.ndarray, np.ndarray]:
        """(columns int32, values float32) of one document's normalised row."""
        vocab = self.vocabulary_
        row = sorted((vocab[t], w) for t, w in self.document_terms(doc).items() if t in vocab)
        if not row:
            return _NO_COLUMNS, _NO_VALUES
        cols = [c for c, _ in row]
        vals = np.array([w for _, w in row]) * self.idf_[cols]
        vals /= np.sqrt(np.dot(vals, vals))
        out = np.array(cols, np.int32), vals.astype(np.float32)
        for a in out:
            a.flags.writeable = False  # shared by every document with this text
        return out

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_an", None)  # the tokenizer is rebuilt on first use
        state.pop("_rows", None)  # and the cache of rows
        return state

    def __setstate__(self, state):
        state.setdefault("cache_size", 32768)  # engines saved before the cache existed
        super().__setstate__(state)


def _shown(term: str) -> bool:
    """Whether a term reads as a word to a person (not a number, not one kana, not "of")."""
    if term.isdigit():
        return False
    if _ASCII_WORD.match(term):
        return len(term) >= 3
    return len(term) >= 2
