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
        return self

    def transform(self, documents: Sequence[str]) -> sp.csr_matrix:
        """Rows of ``[words / sqrt 2, chars / sqrt 2]``, each part L2-normalised (so rows have norm <= 1)."""
        w = self.word_.transform(documents)
        c = self.char_.transform(documents)
        X = sp.hstack([w, c], format="csr", dtype=np.float32)
        X.data *= np.float32(1 / np.sqrt(2))
        return X


def matching_terms(vectorizer: TextVectorizer, firm_row: sp.csr_matrix, program_row: sp.csr_matrix,
                   limit: int = 5) -> list[str]:
    """The words (and, for Japanese, character n-grams) that contribute most to the similarity."""
    prod = firm_row.multiply(program_row).tocsr()
    if prod.nnz == 0:
        return []
    order = np.argsort(-prod.data, kind="stable")
    names = vectorizer.feature_names_
    out: list[str] = []
    for k in order:
        j = prod.indices[k]
        term = str(names[j]).strip()
        if j >= vectorizer.n_word_features_:
            # character n-grams are readable only for Japanese (no spaces to split words)
            if term.isascii() or len(term) < 2:
                continue
        if any(term in t for t in out):
            continue
        out = [t for t in out if t not in term]  # keep 展示会 rather than 展示
        out.append(term)
        if len(out) >= limit:
            break
    return out
