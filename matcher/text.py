"""The text side of the vector space: documents of firms and programs, and TF-IDF.

Firms and programs are embedded in one space: a TF-IDF over words and one over
character n-grams (2 to 3 characters within word boundaries), each L2-normalised and
concatenated, so the text similarity is the mean of the two cosines. Character
n-grams make Japanese work without a tokenizer: "展示会に出展したい" shares "展示",
"示会" and "出展" with a program that mentions 展示会 and 出展.

>>> from profiles import load_catalog
>>> programs = load_catalog().programs
>>> tv = TextVectorizer().fit([program_document(p) for p in programs])
>>> X = tv.transform(["we want to exhibit at a trade fair", "展示会に出展したい"])
>>> X.shape[0]
2
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from profiles.industries import resolve_industry
from profiles.models import CompanyProfile, SupportProgram
from profiles.needs import NEEDS

__all__ = ["TextVectorizer", "program_document", "firm_document", "matching_terms"]

_NEED = {n.id: n for n in NEEDS}


def program_document(p: SupportProgram) -> str:
    """The text of a program: names, description, keywords, provider and needs served."""
    parts = [p.name, p.name_ja or "", p.description, " ".join(p.keywords), " ".join(p.keywords_ja),
             p.provider.name, p.provider.name_ja or "", p.kind.replace("_", " ")]
    for nid in p.needs:
        parts += [_NEED[nid].label_en, _NEED[nid].label_ja]
    return "\n".join(x for x in parts if x)


def firm_document(f: CompanyProfile) -> str:
    """The text of a firm: its description, the needs it states and its industry."""
    parts = [f.description or ""]
    for nid in f.needs:
        parts += [_NEED[nid].label_en, _NEED[nid].label_ja]
    if f.industry:
        ind = resolve_industry(f.industry)
        parts += [ind.name_en, ind.name_ja]
    return "\n".join(x for x in parts if x)


class TextVectorizer(TransformerMixin, BaseEstimator):
    """TF-IDF over words and character n-grams, fitted on the programs' documents.

    Parameters
    ----------
    ngram_range : tuple of int, default (2, 3)
        Character n-gram lengths.
    sublinear_tf : bool, default True
        Use ``1 + log(tf)``.
    """

    def __init__(self, ngram_range: tuple[int, int] = (2, 3), sublinear_tf: bool = True):
        self.ngram_range = ngram_range
        self.sublinear_tf = sublinear_tf

    def fit(self, documents: Sequence[str], y=None) -> "TextVectorizer":
        self.word_ = TfidfVectorizer(analyzer="word", token_pattern=r"(?u)\b\w\w+\b", stop_words="english",
                                     sublinear_tf=self.sublinear_tf, dtype=np.float32)
        self.char_ = TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(self.ngram_range),
                                     sublinear_tf=self.sublinear_tf, dtype=np.float32)
        self.word_.fit(documents)
        self.char_.fit(documents)
        self.n_word_features_ = len(self.word_.vocabulary_)
        self.feature_names_ = np.concatenate([self.word_.get_feature_names_out(),
                                              self.char_.get_feature_names_out()])
        # terms worth showing a person: words, and character n-grams of Japanese (no spaces to split words)
        self.feature_list_ = [str(t).strip() for t in self.feature_names_]
        self.readable_ = np.array([k < self.n_word_features_ or (not t.strip().isascii() and len(t.strip()) >= 2)
                                   for k, t in enumerate(self.feature_names_)], bool)
        return self

    def transform(self, documents: Sequence[str]) -> sp.csr_matrix:
        """Rows of ``[words / sqrt 2, chars / sqrt 2]``, each part L2-normalised (so rows have norm <= 1).

        The same numbers as the two fitted ``TfidfVectorizer.transform`` (a test checks
        it), computed straight from their vocabularies: for one firm this is several
        times faster than going through scikit-learn's input validation.
        """
        if len(documents) > 32:
            return self.transform_reference(documents)  # scikit-learn's loop is faster for many documents
        if not hasattr(self, "_parts"):
            self._parts = [(v.build_analyzer(), v.vocabulary_, v.idf_.astype(np.float32), offset)
                           for v, offset in ((self.word_, 0), (self.char_, self.n_word_features_))]
        n_features = len(self.feature_names_)
        indptr = [0]
        indices: list[int] = []
        counts: list[float] = []
        for doc in documents:
            for analyze, vocab, idf, offset in self._parts:
                seen: dict[int, int] = {}
                for tok in analyze(doc):
                    j = vocab.get(tok)
                    if j is not None:
                        seen[j] = seen.get(j, 0) + 1
                if not seen:
                    continue
                cols = np.fromiter(seen.keys(), np.int64, len(seen))
                tf = np.fromiter(seen.values(), np.float32, len(seen))
                if self.sublinear_tf:
                    tf = np.log(tf) + 1
                w = tf * idf[cols]
                w /= np.sqrt(np.dot(w, w)) * np.float32(np.sqrt(2))
                order = np.argsort(cols)
                indices.extend((cols[order] + offset).tolist())
                counts.extend(w[order].tolist())
            indptr.append(len(indices))
        return sp.csr_matrix((np.asarray(counts, np.float32), np.asarray(indices, np.int32), np.asarray(indptr, np.int64)),
                             shape=(len(documents), n_features))

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_parts", None)  # rebuilt on first use; analyzers are closures
        return state

    def transform_reference(self, documents: Sequence[str]) -> sp.csr_matrix:
        """:meth:`transform` through scikit-learn's own ``transform`` (for tests)."""
        w = self.word_.transform(documents)
        c = self.char_.transform(documents)
        X = sp.hstack([w, c], format="csr", dtype=np.float32)
        X.data *= np.float32(1 / np.sqrt(2))
        return X


def matching_terms(vectorizer: TextVectorizer, firm_dense: np.ndarray, program_rows: sp.csr_matrix,
                   j: int, limit: int = 5) -> list[str]:
    """The words (and, for Japanese, character n-grams) that contribute most to the similarity
    of a firm (its row as a dense vector) and program row ``j``."""
    b0, b1 = program_rows.indptr[j], program_rows.indptr[j + 1]
    cols = program_rows.indices[b0:b1]
    contrib = program_rows.data[b0:b1] * firm_dense[cols]
    hit = (contrib > 0) & vectorizer.readable_[cols]
    if not hit.any():
        return []
    cols, contrib = cols[hit], contrib[hit]
    order = np.argsort(-contrib, kind="stable")[: 4 * limit]
    names = vectorizer.feature_list_
    out: list[str] = []
    for col in cols[order].tolist():
        term = names[col]
        if any(term in t for t in out):
            continue
        out = [t for t in out if t not in term]  # keep 展示会 rather than 展示
        out.append(term)
        if len(out) >= limit:
            break
    return out
