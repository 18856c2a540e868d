"""The score: a documented weighted sum of components, with configurable weights.

For a firm *f* and an eligible program *p*::

    score(f, p) = w_text     * text(f, p)      # cosine of TF-IDF vectors of terms (matcher.terms)
                + w_needs    * needs(f, p)     # cosine of the binary need vectors
                + w_kind     * kind(f, p)      # 1 if p's kind is one f's needs call for, else 0
                + w_industry * industry(f, p)  # 1 exact target, 0.75 same division, 0.5 open, 0 other
                + w_locality * locality(f, p)  # 1 own municipality, 0.7 prefecture, 0.5 national, 0.1 else

Every component is in [0, 1]; the default weights (from ``matcher/data/scoring.yaml``)
sum to 1, so scores are in [0, 1]. Weights need not sum to 1: they are used as given.

>>> w = Weights()
>>> w.text, w.needs
(0.75, 0.1)
>>> Weights(text=-1)
Traceback (most recent call last):
...
ValueError: weight 'text' must be a number >= 0, got -1
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

__all__ = ["Weights", "MunicipalityWeights", "COMPONENTS", "MUNICIPALITY_COMPONENTS", "scoring_data"]

COMPONENTS = ("text", "needs", "kind", "industry", "locality")
MUNICIPALITY_COMPONENTS = ("support", "assets", "industry", "distance")


@lru_cache(maxsize=None)
def scoring_data(name: str = "scoring.yaml") -> dict[str, Any]:
    """A data file of :mod:`matcher` (``scoring.yaml``, ``location_weights.yaml``)."""
    return yaml.safe_load((resources.files("matcher") / "data" / name).read_text(encoding="utf-8"))


class _WeightSet:
    """Shared behaviour of the weight dataclasses: checks, coercion from dicts."""

    _names: tuple[str, ...] = ()
    _label = "weight"

    def __post_init__(self) -> None:
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0 or v != v:
                raise ValueError(f"{self._label} {f.name!r} must be a number >= 0, got {v!r}")

    @classmethod
    def coerce(cls, value):
        """An instance from ``None`` (defaults), a dict of some components, or an instance."""
        if value is None:
            return cls()
        if isinstance(value, cls):
            return value
        if isinstance(value, dict):
            unknown = set(value) - set(cls._names)
            if unknown:
                raise ValueError(f"unknown {cls._label} {sorted(unknown)[0]!r}, expected some of {list(cls._names)}")
            return cls(**value)
        raise TypeError(f"{cls._label}s must be a {cls.__name__}, a dict or None, got {type(value).__name__}")

    def as_dict(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in self._names}


@dataclass(frozen=True)
class Weights(_WeightSet):
    """Weights of the program score's components (see the module docstring)."""

    _names = COMPONENTS

    text: float = scoring_data()["weights"]["text"]
    needs: float = scoring_data()["weights"]["needs"]
    kind: float = scoring_data()["weights"]["kind"]
    industry: float = scoring_data()["weights"]["industry"]
    locality: float = scoring_data()["weights"]["locality"]


@dataclass(frozen=True)
class MunicipalityWeights(_WeightSet):
    """Weights of a municipality recommendation's components (see :mod:`matcher.locations`)."""

    _names = MUNICIPALITY_COMPONENTS
    _label = "municipality weight"

    support: float = scoring_data()["municipality_weights"]["support"]
    assets: float = scoring_data()["municipality_weights"]["assets"]
    industry: float = scoring_data()["municipality_weights"]["industry"]
    distance: float = scoring_data()["municipality_weights"]["distance"]
