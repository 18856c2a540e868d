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

import itertools
import re
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from profiles.industries import resolve_industry
from profiles.models import CompanyProfile, SupportProgram
from profiles.needs import NEEDS
from matcher.errors import ParameterError
from matcher.estimator import Estimator, TransformerMixin

__all__ = ["TextVectorizer", "program_document", "firm_document", "document_of", "matching_terms",
           "matching_terms_many"]

_NEED = {n.id: n for n in NEEDS}


def program_document(p: SupportProgram) -> str:
    """The text of a program: names, description, keywords, provider and needs served."""
    parts = [p.name, p.name_ja or "", p.description, " ".join(p.keywords), " ".join(p.keywords_ja),
             p.provider.name, p.provider.name_ja or "", p.kind.replace("_", " ")]
    for nid in p.needs:
        parts += [_NEED[nid].label_en, _NEED[nid].label_ja]
    return "\n".join(x for x in parts if x)


def firm_document(f: CompanyProfile) -> str:
    """The text of a firm: its description and its industry; the words of its needs only when it
    gives no description.

    A described firm's needs are left out: the ``needs`` component scores them, and their labels
    ("subsidy 補助金") in the text matched every program that says 補助金 (on the Tokyo quality
    set, nDCG@10 0.43 with them, 0.47 without: ``benchmarks/quality/run.py``). A firm that only
    ticks needs ("trade fair") has no other words to match, so there they are its text.
    """
    return document_of(f.description, f.needs, f.industry)


def document_of(description: str | None, needs: Sequence[str], industry: str | None) -> str:
    """:func:`firm_document` from the three fields it reads (a validated description, need ids
    and JSIC code), for firms held as columns."""
    parts = [description or ""]
    if not (description or "").strip():
        for nid in needs:
            parts += [_NEED[nid].label_en, _NEED[nid].label_ja]
    if industry:
        ind = resolve_industry(industry)
        parts += [ind.name_en, ind.name_ja]
    return "\n".join(x for x in parts if x)


class TextVectorizer(TransformerMixin, Estimator):
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
        from sklearn.feature_extraction.text import TfidfVectorizer  # only here: rank need not import sklearn

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
        self.readable_ = np.array([k < self.n_word_features_ or (not t.strip().isascii() and len(t.strip()) >= 2
                                                                 and t.strip().isalnum())
                                   for k, t in enumerate(self.feature_names_)], bool)
        return self

    def transform(self, documents: Sequence[str]) -> sp.csr_matrix:
        """Rows of ``[words / sqrt 2, chars / sqrt 2]``, each part L2-normalised (so rows have norm <= 1).

        The same numbers as the two fitted ``TfidfVectorizer.transform`` (a test checks
        it, to float32 rounding), computed straight from their vocabularies and
        vectorized over the whole list: character n-grams are looked up as integer keys
        of their code points, so no Python runs per n-gram. A document's row depends
        on that document only, never on the others of the list (chunk sizes never
        change results).
        """
        if not hasattr(self, "_tables"):
            self._tables = _Tables.build(self)
        t = self._tables
        docs = [d.lower() for d in documents]
        n = len(docs)
        w_rows, w_cols = _word_hits(docs, t)
        c_rows, c_cols = _char_hits(docs, t)
        wr, wc, wv = _tfidf_part(w_rows, w_cols, t.word_idf, 0, n, self.sublinear_tf)
        cr, cc, cv = _tfidf_part(c_rows, c_cols, t.char_idf, self.n_word_features_, n, self.sublinear_tf)
        # each part comes sorted by (row, column) and every word column precedes every
        # character column: interleave them row by row without sorting again
        n_w, n_c = np.bincount(wr, minlength=n), np.bincount(cr, minlength=n)
        indptr = np.zeros(n + 1, np.int64)
        np.cumsum(n_w + n_c, out=indptr[1:])
        w_start, c_start = np.cumsum(n_w) - n_w, np.cumsum(n_c) - n_c
        w_pos = indptr[wr] + (np.arange(len(wr)) - w_start[wr])
        c_pos = indptr[cr] + n_w[cr] + (np.arange(len(cr)) - c_start[cr])
        indices = np.empty(indptr[-1], np.int32)
        data = np.empty(indptr[-1], np.float32)
        indices[w_pos], data[w_pos] = wc, wv
        indices[c_pos], data[c_pos] = cc, cv
        return sp.csr_matrix((data, indices, indptr), shape=(n, len(self.feature_names_)))

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_tables", None)  # rebuilt on first use
        return state

    def transform_reference(self, documents: Sequence[str]) -> sp.csr_matrix:
        """:meth:`transform` through scikit-learn's own ``transform`` (for tests)."""
        w = self.word_.transform(documents)
        c = self.char_.transform(documents)
        X = sp.hstack([w, c], format="csr", dtype=np.float32)
        X.data *= np.float32(1 / np.sqrt(2))
        return X


class _Tables:
    """Lookup tables of a fitted :class:`TextVectorizer` (built on first use, not pickled)."""

    def __init__(self, word_vocab, word_pattern, word_idf, char_keys, char_cols, char_idf, ngram_range):
        self.word_vocab, self.word_pattern, self.word_idf = word_vocab, word_pattern, word_idf
        self.char_keys, self.char_cols, self.char_idf = char_keys, char_cols, char_idf
        self.ngram_range = ngram_range

    def hash_table(self) -> tuple[np.ndarray, np.ndarray]:
        """The character vocabulary as an open-addressing table: (keys, 0 = empty; columns)."""
        if getattr(self, "_hash", None) is None:
            size = 1 << max(4, int(4 * max(len(self.char_keys), 1) - 1).bit_length())
            slots = np.zeros(size, np.uint64)
            cols = np.zeros(size, np.int64)
            for key, col in zip(self.char_keys.tolist(), self.char_cols.tolist()):
                h = _slot(key, size - 1)
                while slots[h]:
                    h = (h + 1) & (size - 1)
                slots[h], cols[h] = key, col
            self._hash = slots, cols
        return self._hash

    @classmethod
    def build(cls, tv: "TextVectorizer") -> "_Tables":
        lo, hi = tv.ngram_range
        if lo < 1 or hi > 3:
            raise ParameterError(f"ngram_range must lie within (1, 3), got {tv.ngram_range!r}")
        terms = list(tv.char_.vocabulary_.items())
        keys = np.array([_ngram_key([ord(ch) for ch in term]) for term, _ in terms], np.uint64)
        cols = np.array([col for _, col in terms], np.int64)
        order = np.argsort(keys)
        return cls(tv.word_.vocabulary_, re.compile(tv.word_.token_pattern), tv.word_.idf_.astype(np.float64),
                   keys[order], cols[order], tv.char_.idf_.astype(np.float64), (lo, hi))


# An n-gram of 1 to 3 code points (each < 2**21) packs into one uint64; the top two bits
# tell the length (a 3-gram never reaches bit 63, a 1- or 2-gram never reaches bit 42).
_LENGTH_FLAG = {1: 1 << 63, 2: 3 << 62, 3: 0}


def _ngram_key(codes: list[int]) -> int:
    """The integer key of an n-gram given as code points.

    >>> hex(_ngram_key([ord("a"), ord("b")]))
    '0xc00000000c200062'
    """
    key = 0
    for c in codes:
        key = (key << 21) | c
    return key | _LENGTH_FLAG[len(codes)]


def _word_hits(docs: list[str], t: _Tables) -> tuple[np.ndarray, np.ndarray]:
    """(document, column) of every word token in the word vocabulary (stop words are not in it)."""
    toks = [t.word_pattern.findall(d) for d in docs]
    lens = np.fromiter(map(len, toks), np.int64, len(toks))
    vocab = t.word_vocab
    cols = np.fromiter((vocab.get(w, -1) for w in itertools.chain.from_iterable(toks)), np.int64, int(lens.sum()))
    rows = np.repeat(np.arange(len(docs), dtype=np.int64), lens)
    hit = cols >= 0
    return rows[hit], cols[hit]


def _char_hits(docs: list[str], t: _Tables, compiled: bool | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(document, column) of every character n-gram within a word padded with spaces, as
    scikit-learn's ``char_wb`` analyzer cuts them, that is in the vocabulary.

    With numba (``compiled``; by default for lists of :data:`_COMPILED_MIN_DOCS`
    documents or more, when it is installed) one compiled pass with a hash table of the
    vocabulary; else numpy passes with a binary search. Both give the
    same pairs in the same order (a test checks it).
    """
    padded = [(" " + "  ".join(d.split()) + " ") if d and not d.isspace() else "" for d in docs]
    text = "\x00".join(padded) + "\x00"
    c = np.frombuffer(text.encode("utf-32-le"), np.uint32).astype(np.uint64)
    lens = np.fromiter(map(len, padded), np.int64, len(padded)) + 1
    doc_of = np.repeat(np.arange(len(docs), dtype=np.int64), lens)
    if compiled is None:  # a few documents (one firm's rank, a small catalog) need not load numba
        compiled = len(docs) >= _COMPILED_MIN_DOCS and _numba_available()
    if compiled:
        lo, hi = t.ngram_range
        slots, slot_cols = t.hash_table()
        rows = np.empty(len(c) * (hi - lo + 1), np.int64)
        cols = np.empty(len(c) * (hi - lo + 1), np.int64)
        got = _compiled_hits()(c, doc_of, lo, hi, slots, slot_cols, rows, cols)
        return rows[:got], cols[:got]
    L = len(c)
    bad = c == 0  # a document separator
    dbl = np.zeros(L, bool)  # a space followed by a space: the gap between two padded words
    dbl[:-1] = (c[:-1] == 32) & (c[1:] == 32)
    rows, cols = [], []
    lo, hi = t.ngram_range
    for k in range(lo, hi + 1):
        m = L - k + 1
        if m <= 0:
            continue
        ok = ~bad[:m].copy()
        key = c[:m].copy()
        for s in range(1, k):
            ok &= ~bad[s:s + m] & ~dbl[s - 1:s - 1 + m]
            key = (key << np.uint64(21)) | c[s:s + m]
        key |= np.uint64(_LENGTH_FLAG[k])
        pos = np.flatnonzero(ok)
        key = key[pos]
        j = np.searchsorted(t.char_keys, key)
        j[j == len(t.char_keys)] = 0
        hit = t.char_keys[j] == key if len(t.char_keys) else np.zeros(len(key), bool)
        rows.append(doc_of[pos[hit]])
        cols.append(t.char_cols[j[hit]])
    if not rows:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(rows), np.concatenate(cols)


#: Lists of at least this many documents take the compiled pass (when numba is installed).
_COMPILED_MIN_DOCS = 256


def _numba_available() -> bool:
    from matcher.kernel import available

    return available()


_HITS = None


def _compiled_hits():
    global _HITS
    if _HITS is None:
        from matcher.kernel import compile_nogil

        _HITS = compile_nogil(_hits_loop)
    return _HITS


_FIB = 0x9E3779B97F4A7C15  # Fibonacci hashing: a key's first slot is (key * _FIB mod 2**64) >> 32, masked


def _slot(key: int, mask: int) -> int:
    """A key's first slot in the open-addressing table (the compiled loop computes the same)."""
    return ((key * _FIB) & 0xFFFFFFFFFFFFFFFF) >> 32 & mask


def _hits_loop(c, doc_of, lo, hi, slots, slot_cols, rows, cols):
    """The compiled pass of :func:`_char_hits` (plain Python, compiled by numba)."""
    L = c.shape[0]
    mask = np.uint64(slots.shape[0] - 1)
    got = 0
    for k in range(lo, hi + 1):
        flag = np.uint64(0)
        if k == 1:
            flag = np.uint64(1) << np.uint64(63)
        elif k == 2:
            flag = np.uint64(3) << np.uint64(62)
        for p in range(L - k + 1):
            if c[p] == 0:
                continue
            key = c[p]
            ok = True
            for s in range(1, k):
                if c[p + s] == 0 or (c[p + s - 1] == 32 and c[p + s] == 32):
                    ok = False
                    break
                key = (key << np.uint64(21)) | c[p + s]
            if not ok:
                continue
            key |= flag
            h = ((key * np.uint64(_FIB)) >> np.uint64(32)) & mask
            while slots[h] != 0:
                if slots[h] == key:
                    rows[got] = doc_of[p]
                    cols[got] = slot_cols[h]
                    got += 1
                    break
                h = (h + np.uint64(1)) & mask
    return got


def _tfidf_part(rows: np.ndarray, cols: np.ndarray, idf: np.ndarray, offset: int, n: int,
                sublinear: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Counts -> (1 + log) tf x idf, each row L2-normalised then divided by sqrt 2 (float32 values)."""
    if not len(rows):
        return rows, cols, np.zeros(0, np.float32)
    V = len(idf)
    pair, counts = np.unique(rows * V + cols, return_counts=True)
    r, col = pair // V, pair % V
    tf = counts.astype(np.float64)
    if sublinear:
        tf = np.log(tf) + 1
    w = tf * idf[col]
    norm = np.sqrt(np.bincount(r, weights=w * w, minlength=n))
    w = w / (norm[r] * np.sqrt(2))
    return r, col + offset, w.astype(np.float32)


def matching_terms(vectorizer: TextVectorizer, firm_dense: np.ndarray, program_rows: sp.csr_matrix,
                   j: int, limit: int = 5) -> list[str]:
    """The words (and, for Japanese, character n-grams) that contribute most to the similarity
    of a firm (its row as a dense vector) and program row ``j``."""
    return matching_terms_many(vectorizer, firm_dense, program_rows, [j], limit)[0]


def matching_terms_many(vectorizer: TextVectorizer, firm_dense: np.ndarray, program_rows: sp.csr_matrix,
                        programs: Sequence[int], limit: int = 5) -> list[list[str]]:
    """:func:`matching_terms` of one firm and each of ``programs``, computed together (a ranking
    shows some twenty programs: a few numpy calls for all of them rather than for each).

    A term's contribution is its weight in the program times its weight in the firm; the
    largest first, equal ones in column order; a term inside one already taken is left out,
    and one that contains a taken term replaces it (展示会 rather than 展示).
    """
    js = np.asarray(programs, np.intp)
    starts, ends = program_rows.indptr[js], program_rows.indptr[js + 1]
    lens = ends - starts
    total = int(lens.sum())
    if total == 0:
        return [[] for _ in js]
    seg = np.repeat(np.arange(len(js)), lens)  # which program each stored entry belongs to
    pos = np.arange(total) - np.repeat(np.cumsum(lens) - lens, lens) + np.repeat(starts, lens)
    cols = program_rows.indices[pos]
    contrib = program_rows.data[pos] * firm_dense[cols]
    hit = (contrib > 0) & vectorizer.readable_[cols]
    cols, contrib, seg = cols[hit], contrib[hit], seg[hit]
    order = np.argsort(-contrib, kind="stable")  # by contribution, ties in column order ...
    order = order[np.argsort(seg[order], kind="stable")]  # ... within each program
    names = vectorizer.feature_list_
    out: list[list[str]] = [[] for _ in js]
    taken = [0] * len(js)
    for k, col in zip(seg[order].tolist(), cols[order].tolist()):
        if taken[k] >= 4 * limit:  # the first 4 * limit candidates of each program, as before
            continue
        taken[k] += 1
        terms = out[k]
        if len(terms) >= limit:
            continue
        term = names[col]
        if any(term in t for t in terms):
            continue
        terms[:] = [t for t in terms if t not in term]  # keep 展示会 rather than 展示
        terms.append(term)
    return out
