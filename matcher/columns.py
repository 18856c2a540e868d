"""Firms held as columns, prepared for matching: text rows and needs read, once per distinct text.

:meth:`MatchEngine.prepare_columns <matcher.engine.MatchEngine.prepare_columns>` calls
:func:`prepare_columns`. The facts come from :meth:`rules.facts.FirmFacts.from_columns`;
the text of a firm (:func:`matcher.text.firm_document`) depends only on its description
and industry (or, without a description, on its needs), and a register or a synthetic
file repeats them: :class:`TextRows` keeps the TF-IDF row and the needs read of each
distinct one across the chunks of a run, so that a chunk costs one dictionary lookup
per distinct text and one gather of the rows, in numpy.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import numpy as np
import scipy.sparse as sp

from profiles.firmcolumns import FirmColumns
from profiles.needs import need_ids, needs_in_text
from rules.facts import FirmFacts
from matcher.features import FirmFeatures
from matcher.scored import PreparedFirms
from matcher.text import document_of

__all__ = ["TextRows", "prepare_columns", "vectorize_texts", "start_helper"]


class TextRows:
    """The text rows of a fitted vectorizer for firm texts, and the needs each one reads, kept per
    distinct ``(description, industry)`` (or ``(needs, industry)`` without a description).

    Thread-safe: threads scoring chunks at once share it, and a text new to the store is
    vectorized once, by the thread that first needs it -- in a helper process when
    :meth:`use` gave a pool (vectorizing is Python work that holds the GIL), so that it
    runs beside the threads' compiled work instead of between it.

    Parameters
    ----------
    vectorizer : TermVectorizer or TextVectorizer
        Fitted; :meth:`rows` gives exactly its ``transform`` of each firm's document.
    max_texts : int, default 65536
        Distinct texts kept; when a chunk's new texts would pass it the store starts again
        with that chunk's (memory stays bounded whatever the input: some 500 bytes a text).
    """

    #: New texts of a chunk from which they go to the helper processes (fewer: vectorized here).
    POOL_FROM = 64

    def __init__(self, vectorizer: Any, max_texts: int = 65_536):
        self.vectorizer = vectorizer
        self.max_texts = max_texts
        self.width = vectorizer.transform([""]).shape[1]
        self.pool: Any = None
        self._lock = threading.Lock()
        self._position = {nid: i for i, nid in enumerate(need_ids())}
        self._generation = 0
        self._pending: dict[int, threading.Event] = {}  # texts being vectorized -> set when added
        self._clear()

    def use(self, pool: Any) -> None:
        """Vectorize new texts in ``pool`` (an executor whose processes ran :func:`start_helper`
        with this store's vectorizer), or here again with ``None``."""
        self.pool = pool

    def _clear(self) -> None:
        # a text is known by one int: its description's number (or, without one, its needs'),
        # times the industries' width, plus its industry's number (0: none)
        self._generation += 1
        self.texts: dict[Any, int] = {}  # description -> number (from 1)
        self.need_lists: dict[Any, int] = {}  # needs of a firm without a description -> number (from 1)
        self.industries: dict[Any, int] = {}  # JSIC code -> number (from 1; 0: none)
        self._values: dict[int, list] = {id(t): [None] for t in (self.texts, self.need_lists, self.industries)}
        self.index: dict[int, int] = {}  # text key -> row
        self._n = 0
        self._nnz = 0
        self._indptr = np.zeros(1024 + 1, np.int64)
        self._indices = np.empty(1 << 15, np.int32)
        self._data = np.empty(1 << 15, np.float32)
        self._read = np.zeros(1024, np.int64)

    _WIDTH = 1 << 12  # industries (JSIC divisions and major groups: some 120) and None

    def _number(self, table: dict, value: Any) -> int:
        found = table.get(value)
        if found is None:
            found = table[value] = len(table) + 1
            self._values[id(table)].append(value)
        return found

    def _value(self, table: dict, number: int) -> Any:
        return self._values[id(table)][number]

    def _add(self, keys: list[int], X: sp.csr_matrix, read: list[int]) -> None:
        n, nnz = len(keys), X.nnz
        while self._n + n + 1 > len(self._indptr):  # buffers grow by doubling: no copy per chunk
            self._indptr = np.concatenate([self._indptr, np.zeros(len(self._indptr), np.int64)])
        while self._n + n > len(self._read):
            self._read = np.concatenate([self._read, np.zeros(len(self._read), np.int64)])
        while self._nnz + nnz > len(self._indices):
            self._indices = np.concatenate([self._indices, np.empty(len(self._indices), np.int32)])
            self._data = np.concatenate([self._data, np.empty(len(self._data), np.float32)])
        self._indptr[self._n + 1:self._n + n + 1] = self._nnz + X.indptr[1:]
        self._indices[self._nnz:self._nnz + nnz] = X.indices
        self._data[self._nnz:self._nnz + nnz] = X.data
        self._read[self._n:self._n + n] = read
        self.index.update(zip(keys, range(self._n, self._n + n)))
        self._n += n
        self._nnz += nnz

    def _keys(self, c: FirmColumns, rows: np.ndarray) -> np.ndarray:
        """Each row's text key (numbers given to new descriptions, needs and industries)."""
        ind_number = np.array([self._number(self.industries, v) for v in c.industries] + [0], np.int64)
        numbers = list(map(self.texts.get, c.descriptions))  # one dictionary lookup a distinct description
        for q in [q for q, v in enumerate(numbers) if v is None]:
            numbers[q] = self._number(self.texts, c.descriptions[q])
        desc_number = np.array(numbers + [0], np.int64)
        key = desc_number[c.description_code[rows]] * self._WIDTH + ind_number[c.industry_code[rows]]
        for r in np.flatnonzero(c.description_code[rows] < 0).tolist():  # read by its needs, in their order
            needs = c.stated_needs(int(rows[r]))
            key[r] = -self._number(self.need_lists, needs) * self._WIDTH - int(ind_number[c.industry_code[rows[r]]])
        return key

    def _documents(self, keys: list[int]) -> tuple[list[str], list[str | None]]:
        docs, descriptions = [], []
        for k in keys:
            d, i = divmod(abs(k), self._WIDTH)
            industry = self._value(self.industries, i)
            if k >= 0:
                descriptions.append(self._value(self.texts, d))
                docs.append(document_of(descriptions[-1], (), industry))
            else:
                descriptions.append(None)
                docs.append(document_of(None, self._value(self.need_lists, d), industry))
        return docs, descriptions

    def rows(self, columns: FirmColumns, rows: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
        """``(text rows, needs read as bits)`` of a checked table's ``rows``."""
        c = columns
        may_clear = True  # once a call: a chunk with more texts than max_texts still gets them all
        while True:
            with self._lock:
                if may_clear and not self._pending and (len(self.texts) + len(c.descriptions) > self.max_texts
                                                        or len(self.need_lists) > self.max_texts):
                    self._clear()
                generation = self._generation
                uniq, inverse = np.unique(self._keys(c, rows), return_inverse=True)
                keys = uniq.tolist()
                found = [self.index.get(k) for k in keys]
                missing = [k for k, f in zip(keys, found) if f is None]
                if not missing:
                    return self._gather(np.asarray(found, np.int64)[inverse.ravel()])
                mine = [k for k in missing if k not in self._pending]
                theirs = {self._pending[k] for k in missing if k in self._pending}
                if (may_clear and mine and self.index and not self._pending
                        and len(self.index) + len(mine) > self.max_texts):  # start again, with this chunk's texts
                    self._clear()
                    may_clear = False
                    continue
                may_clear = False
                done = threading.Event()
                self._pending.update((k, done) for k in mine)
                docs, descriptions = self._documents(mine)
            try:  # outside the lock: another thread goes on meanwhile
                if mine:
                    if self.pool is not None and len(mine) >= self.POOL_FROM:
                        X, read = self.pool.submit(_helper_vectorize, docs, descriptions).result()
                    else:
                        X, read = vectorize_texts(self.vectorizer, docs, descriptions)
                    with self._lock:
                        if self._generation == generation:
                            self._add(mine, X, read)
            finally:
                with self._lock:
                    for k in mine:
                        self._pending.pop(k, None)
                done.set()
            for event in theirs:  # texts another thread was vectorizing
                event.wait()

    def _gather(self, ids: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
        indptr = self._indptr
        starts, lens = indptr[ids], indptr[ids + 1] - indptr[ids]
        out_ptr = np.zeros(len(ids) + 1, np.int64)
        np.cumsum(lens, out=out_ptr[1:])
        gather = np.repeat(starts - out_ptr[:-1], lens) + np.arange(out_ptr[-1])
        X = sp.csr_matrix((self._data[gather], self._indices[gather], out_ptr), shape=(len(ids), self.width))
        return X, self._read[ids]


def vectorize_texts(vectorizer: Any, docs: list[str], descriptions: list[str | None]) -> tuple[sp.csr_matrix, list[int]]:
    """The rows of ``docs`` and the needs each description reads (bits of :func:`profiles.needs.need_ids`)."""
    position = {nid: i for i, nid in enumerate(need_ids())}
    X = vectorizer.transform(docs).tocsr()
    return X, [sum(1 << position[k] for k in needs_in_text(d)) for d in descriptions]


_HELPER: Any = None


def start_helper(vectorizer: Any) -> None:
    """The initializer of a helper process of :meth:`TextRows.use`."""
    global _HELPER
    _HELPER = vectorizer


def _helper_vectorize(docs: list[str], descriptions: list[str | None]) -> tuple[sp.csr_matrix, list[int]]:
    return vectorize_texts(_HELPER, docs, descriptions)


def prepare_columns(text_rows: TextRows, columns: FirmColumns, as_of: dt.date, rows: np.ndarray) -> PreparedFirms:
    """The prepared firms of a checked table's ``rows`` (see :meth:`MatchEngine.prepare_columns
    <matcher.engine.MatchEngine.prepare_columns>`)."""
    facts = FirmFacts.from_columns(columns, as_of, rows)
    X, read = text_rows.rows(columns, rows)
    return PreparedFirms([], facts, X, FirmFeatures.from_masks(columns.needs[rows] | read))
