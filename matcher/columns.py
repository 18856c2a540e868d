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
        self.index: dict[tuple, int] = {}
        self._indptr = [0]
        self._indices: list[np.ndarray] = []
        self._data: list[np.ndarray] = []
        self._read: list[int] = []
        self._flat: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None

    def _add(self, keys: list[tuple], docs: list[str], descriptions: list[str | None]) -> None:
        X = self.vectorizer.transform(docs).tocsr()
        for q, key in enumerate(keys):
            a, b = X.indptr[q], X.indptr[q + 1]
            self.index[key] = len(self._read)
            self._indptr.append(self._indptr[-1] + int(b - a))
            self._read.append(sum(1 << self._position[k] for k in needs_in_text(descriptions[q])))
        self._indices.append(X.indices.astype(np.int32))
        self._data.append(X.data.astype(np.float32))
        self._flat = None

    def _arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        if self._flat is None:
            self._flat = (np.asarray(self._indptr, np.int64),
                          np.concatenate(self._indices) if self._indices else np.empty(0, np.int32),
                          np.concatenate(self._data) if self._data else np.empty(0, np.float32),
                          np.asarray(self._read, np.int64))
            self._indices, self._data = [self._flat[1]], [self._flat[2]]
        return self._flat

    def rows(self, columns: FirmColumns, rows: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
        """``(text rows, needs read as bits)`` of a checked table's ``rows`` (thread-safe)."""
        with self._lock:
            return self._rows(columns, rows)

    def _rows(self, columns: FirmColumns, rows: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
        c = columns
        desc, ind = c.description_code[rows].astype(np.int64), c.industry_code[rows].astype(np.int64)
        width = len(c.industries) + 1
        keys: list[tuple] = []
        where = np.empty(len(rows), np.intp)  # each row's position in ``keys``
        described = desc >= 0
        if described.any():
            uniq, inverse = np.unique((desc[described] + 1) * width + ind[described] + 1, return_inverse=True)
            for key in uniq.tolist():
                d, i = divmod(key, width)
                keys.append((c.descriptions[d - 1], c.industries[i - 1] if i else None))
            where[described] = inverse.ravel()
        found: dict[tuple, int] = {}
        for r in np.flatnonzero(~described).tolist():
            key = (None, c.stated_needs(int(rows[r])), c.industry(int(rows[r])))
            where[r] = found.setdefault(key, len(keys))
            if where[r] == len(keys):
                keys.append(key)
        if len(self.index) + len(keys) > self.max_texts:
            self._clear()
        new = [k for k in keys if k not in self.index]
        if new:
            self._add(new, [document_of(k[0], (), k[1]) if len(k) == 2 else document_of(None, k[1], k[2]) for k in new],
                      [k[0] for k in new])
        ids = np.fromiter((self.index[k] for k in keys), np.int64, len(keys))[where]
        indptr, indices, data, read = self._arrays()
        starts, lens = indptr[ids], indptr[ids + 1] - indptr[ids]
        out_ptr = np.zeros(len(ids) + 1, np.int64)
        np.cumsum(lens, out=out_ptr[1:])
        gather = np.repeat(starts - out_ptr[:-1], lens) + np.arange(out_ptr[-1])
        X = sp.csr_matrix((data[gather], indices[gather], out_ptr), shape=(len(ids), self.width))
        return X, read[ids]


def prepare_columns(text_rows: TextRows, columns: FirmColumns, as_of: dt.date, rows: np.ndarray) -> PreparedFirms:
    """The prepared firms of a checked table's ``rows`` (see :meth:`MatchEngine.prepare_columns
    <matcher.engine.MatchEngine.prepare_columns>`)."""
    facts = FirmFacts.from_columns(columns, as_of, rows)
    X, read = text_rows.rows(columns, rows)
    return PreparedFirms([], facts, X, FirmFeatures.from_masks(columns.needs[rows] | read))
