"""The score: a documented weighted sum of components, with configurable weights.

For a firm *f* and an eligible program *p*::

    score(f, p) = w_text     * text(f, p)      # cosine of TF-IDF vectors (words + character n-grams)
                + w_needs    * needs(f, p)     # cosine of the binary need vectors
                + w_kind     * kind(f, p)      # 1 if p's kind is one f's needs call for, else 0
                + w_industry * industry(f, p)  # 1 exact target, 0.75 same division, 0.5 open, 0 other
                + w_locality * locality(f, p)  # 1 own municipality, 0.7 prefecture, 0.5 national, 0.1 else

Every component is in [0, 1]; the default weights (from ``matcher/data/scoring.yaml``)
sum to 1, so scores are in [0, 1]. Weights need not sum to 1: they are used as given.

>>> w = Weights()
>>> w.text, w.needs
(0.3, 0.3)
>>> Weights(text=-1)
Traceback (most recent call last):
...
ValueError: weight 'text' must be a number >= 0, got -1
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
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


def _check(obj) -> None:
    for f in fields(obj):
        v = getattr(obj, f.name)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0 or v != v:
            raise ValueError(f"weight {f.name!r} must be a number >= 0, got {v!r}")


@dataclass(frozen=True)
class Weights:
    """Weights of the program score's components (see the module docstring)."""

    text: float = scoring_data()["weights"]["text"]
    needs: float = scoring_data()["weights"]["needs"]
    kind: float = scoring_data()["weights"]["kind"]
    industry: float = scoring_data()["weights"]["industry"]
    locality: float = scoring_data()["weights"]["locality"]

    def __post_init__(self) -> None:
        _check(self)

    @classmethod
    def coerce(cls, value: "Weights | dict | None") -> "Weights":
        """Weights from ``None`` (defaults), a dict of some components, or Weights."""
        if value is None:
            return cls()
        if isinstance(value, cls):
            return value
        if isinstance(value, dict):
            unknown = set(value) - set(COMPONENTS)
            if unknown:
                raise ValueError(f"unknown weight {sorted(unknown)[0]!r}, expected some of {list(COMPONENTS)}")
            return cls(**value)
        raise TypeError(f"weights must be a Weights, a dict or None, got {type(value).__name__}")

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


@dataclass(frozen=True)
class MunicipalityWeights:
    """Weights of a municipality recommendation's components (see :mod:`matcher.locations`)."""

    support: float = scoring_data()["municipality_weights"]["support"]
    assets: float = scoring_data()["municipality_weights"]["assets"]
    industry: float = scoring_data()["municipality_weights"]["industry"]
    distance: float = scoring_data()["municipality_weights"]["distance"]

    def __post_init__(self) -> None:
        _check(self)

    @classmethod
    def coerce(cls, value: "MunicipalityWeights | dict | None") -> "MunicipalityWeights":
        if value is None:
            return cls()
        if isinstance(value, cls):
            return value
        if isinstance(value, dict):
            unknown = set(value) - set(MUNICIPALITY_COMPONENTS)
            if unknown:
                raise ValueError(f"unknown municipality weight {sorted(unknown)[0]!r}, "
                                 f"expected some of {list(MUNICIPALITY_COMPONENTS)}")
            return cls(**value)
        raise TypeError(f"municipality_weights must be a MunicipalityWeights, a dict or None, got {type(value).__name__}")

    def as_dict(self) -> dict[str, float]:
        return asdict(self)
