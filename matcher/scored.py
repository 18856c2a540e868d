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
    """A chunk of firms ready for :meth:`MatchEngine.match` (see :meth:`MatchEngine.prepare`).

    ``profiles`` is empty for firms prepared from columns (:meth:`MatchEngine.prepare_columns`):
    the matching reads only the arrays.
    """

    profiles: list[CompanyProfile]
    facts: FirmFacts
    text: sp.csr_matrix
    features: FirmFeatures

    def __len__(self) -> int:
        return self.facts.n

    def take(self, rows: slice | np.ndarray) -> "PreparedFirms":
        """Some of these firms (a slice, or positions in any order), ready for :meth:`MatchEngine.match` too."""
        idx = np.arange(self.facts.n)[rows]
        profiles = [self.profiles[i] for i in idx.tolist()] if self.profiles else []
        ff = self.features
        features = FirmFeatures(ff.needs[idx], ff.kind_pref[idx], tuple(ff.stated[i] for i in idx.tolist()) if ff.stated
                                else (), tuple(ff.inferred[i] for i in idx.tolist()) if ff.inferred else ())
        return PreparedFirms(profiles, self.facts.take(idx), self.text[idx], features)

    @classmethod
    def concat(cls, parts: list["PreparedFirms"]) -> "PreparedFirms":
        """Several prepared chunks (one as-of date), one after the other."""
        profiles = [p for part in parts for p in part.profiles] if all(len(p.profiles) == len(p) for p in parts) \
            else []
        return cls(profiles, FirmFacts.concat([p.facts for p in parts]), sp.vstack([p.text for p in parts], "csr"),
                   FirmFeatures.concat([p.features for p in parts]))


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
