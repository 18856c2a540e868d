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

__all__ = ["TextRows", "prepare_columns"]


class TextRows:
    """The text rows of a fitted vectorizer for firm texts, and the needs each one reads, kept per
    distinct ``(description, industry)`` (or ``(needs, industry)`` without a description).

    Parameters
    ----------
    vectorizer : TermVectorizer or TextVectorizer
        Fitted; :meth:`rows` gives exactly its ``transform`` of each firm's document.
    max_texts : int, default 65536
        Distinct texts kept; when a chunk's new texts would pass it the store starts again
        with that chunk's (memory stays bounded whatever the input: some 500 bytes a text).
    """

    def __init__(self, vectorizer: Any, max_texts: int = 65_536):
        self.vectorizer = vectorizer
        self.max_texts = max_texts
        self.width = vectorizer.transform([""]).shape[1]
        self._lock = threading.Lock()
        self._position = {nid: i for i, nid in enumerate(need_ids())}
        self._clear()

    def _clear(self) -> None:
        # a text is known by one int: its description's number (or, without one, its needs'),
        # times the industries' width, plus its industry's number (0: none)
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

    def _add(self, keys: list[int], docs: list[str], descriptions: list[str | None]) -> None:
        X = self.vectorizer.transform(docs).tocsr()
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
        self._read[self._n:self._n + n] = [sum(1 << self._position[k] for k in needs_in_text(d)) for d in descriptions]
        self.index.update(zip(keys, range(self._n, self._n + n)))
        self._n += n
        self._nnz += nnz

    def rows(self, columns: FirmColumns, rows: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
        """``(text rows, needs read as bits)`` of a checked table's ``rows`` (thread-safe)."""
        with self._lock:
            return self._rows(columns, rows)

    def _rows(self, columns: FirmColumns, rows: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
        c = columns
        if len(self.texts) + len(c.descriptions) > self.max_texts or len(self.need_lists) > self.max_texts:
            self._clear()
        ind_number = np.array([self._number(self.industries, v) for v in c.industries] + [0], np.int64)
        numbers = list(map(self.texts.get, c.descriptions))  # one dictionary lookup a distinct description
        for q in [q for q, v in enumerate(numbers) if v is None]:
            numbers[q] = self._number(self.texts, c.descriptions[q])
        desc_number = np.array(numbers + [0], np.int64)
        key = desc_number[c.description_code[rows]] * self._WIDTH + ind_number[c.industry_code[rows]]
        undescribed = np.flatnonzero(c.description_code[rows] < 0)
        for r in undescribed.tolist():  # a firm without a description is read by its needs, in their order
            needs = c.stated_needs(int(rows[r]))
            key[r] = -self._number(self.need_lists, needs) * self._WIDTH - int(ind_number[c.industry_code[rows[r]]])
        uniq, inverse = np.unique(key, return_inverse=True)
        found = [self.index.get(k) for k in uniq.tolist()]
        new = [q for q, f in enumerate(found) if f is None]
        if new:
            if self.index and len(self.index) + len(new) > self.max_texts:  # start again, with this chunk's texts
                self._clear()
                return self._rows(columns, rows)
            descriptions, docs = [], []
            for q in new:
                k = int(uniq[q])
                d, i = divmod(abs(k), self._WIDTH)
                industry = self._value(self.industries, i)
                if k >= 0:
                    descriptions.append(self._value(self.texts, d))
                    docs.append(document_of(descriptions[-1], (), industry))
                else:
                    descriptions.append(None)
                    docs.append(document_of(None, self._value(self.need_lists, d), industry))
            self._add([int(uniq[q]) for q in new], docs, descriptions)
            found = [self.index[k] for k in uniq.tolist()]
        ids = np.asarray(found, np.int64)[inverse.ravel()]
        indptr = self._indptr
        starts, lens = indptr[ids], indptr[ids + 1] - indptr[ids]
        out_ptr = np.zeros(len(ids) + 1, np.int64)
        np.cumsum(lens, out=out_ptr[1:])
        gather = np.repeat(starts - out_ptr[:-1], lens) + np.arange(out_ptr[-1])
        X = sp.csr_matrix((self._data[gather], self._indices[gather], out_ptr), shape=(len(ids), self.width))
        return X, self._read[ids]


def prepare_columns(text_rows: TextRows, columns: FirmColumns, as_of: dt.date, rows: np.ndarray) -> PreparedFirms:
    """The prepared firms of a checked table's ``rows`` (see :meth:`MatchEngine.prepare_columns
    <matcher.engine.MatchEngine.prepare_columns>`)."""
    facts = FirmFacts.from_columns(columns, as_of, rows)
    X, read = text_rows.rows(columns, rows)
    return PreparedFirms([], facts, X, FirmFeatures.from_masks(columns.needs[rows] | read))
