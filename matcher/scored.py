"""The typed seams between the engine and its callers: a prepared chunk and a scored one.

:meth:`MatchEngine.prepare <matcher.engine.MatchEngine.prepare>` turns firms into a
:class:`PreparedFirms`; :meth:`MatchEngine.scores <matcher.engine.MatchEngine.scores>`
turns that into a :class:`ScoredChunk`, which ranking, explanations, municipality
recommendations (:mod:`matcher.locations`) and batch scoring (:mod:`matcher.batch`)
all read.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from profiles.models import CompanyProfile
from rules.facts import FirmFacts
from matcher.features import FirmFeatures

__all__ = ["PreparedFirms", "ScoredChunk"]


@dataclass
class PreparedFirms:
    """A chunk of firms ready for :meth:`MatchEngine.match` (see :meth:`MatchEngine.prepare`)."""

    profiles: list[CompanyProfile]
    facts: FirmFacts
    text: sp.csr_matrix
    features: FirmFeatures

    def __len__(self) -> int:
        return len(self.profiles)

    def take(self, rows: slice) -> "PreparedFirms":
        """A run of these firms, ready for :meth:`MatchEngine.match` too."""
        idx = np.arange(len(self.profiles))[rows]
        return PreparedFirms(self.profiles[rows], self.facts.take(idx), self.text[rows], self.features.take(rows))


@dataclass
class ScoredChunk:
    """A chunk of firms scored against the catalog's programs (or some of them).

    Attributes
    ----------
    prepared : PreparedFirms
        The firms.
    eligibility : ndarray of uint8, shape (n_firms, n_columns)
        Kleene truth values (:mod:`rules.kleene`).
    components : dict of str to ndarray of float32, shape (n_firms, n_columns)
        The score's components (:data:`matcher.weights.COMPONENTS`).
    scores : ndarray of float32, shape (n_firms, n_columns)
        The weighted sum of the components.
    parts : list of ndarray
        Each eligibility condition's values over *all* programs, as
        :meth:`rules.CompiledEligibility.evaluate` keeps them; explanations reuse them.
    columns : ndarray of int, optional
        The programs scored (indices into ``programs_``); ``None`` for all of them.
    """

    prepared: PreparedFirms
    eligibility: np.ndarray
    components: dict[str, np.ndarray]
    scores: np.ndarray
    parts: list[np.ndarray]
    columns: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.prepared)

    @property
    def profiles(self) -> list[CompanyProfile]:
        return self.prepared.profiles

    @property
    def facts(self) -> FirmFacts:
        return self.prepared.facts

    @property
    def features(self) -> FirmFeatures:
        return self.prepared.features

    def program(self, col: int) -> int:
        """The program (index into ``programs_``) of column ``col``."""
        return int(col) if self.columns is None else int(self.columns[col])

    def dense_text(self, i: int) -> np.ndarray:
        """Firm ``i``'s text vector as a dense float32 row."""
        X = self.prepared.text
        dense = np.zeros(X.shape[1], np.float32)
        a, b = X.indptr[i], X.indptr[i + 1]
        dense[X.indices[a:b]] = X.data[a:b]
        return dense
