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
(0.8, 0.05)
>>> Weights(text=-1)
Traceback (most recent call last):
...
ValueError: weight 'text' must be a number >= 0, got -1
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any

import yaml

from profiles.datafiles import read_data_yaml
from matcher.errors import MatcherError

__all__ = ["Weights", "MunicipalityWeights", "COMPONENTS", "MUNICIPALITY_COMPONENTS", "scoring_data", "load_weights",
           "dump_weights", "WeightsFileError", "WEIGHTS_FORMAT"]

COMPONENTS = ("text", "needs", "kind", "industry", "locality")
MUNICIPALITY_COMPONENTS = ("support", "assets", "industry", "distance")


@lru_cache(maxsize=None)
def scoring_data(name: str = "scoring.yaml") -> dict[str, Any]:
    """A data file of :mod:`matcher` (``scoring.yaml``, ``location_weights.yaml``)."""
    return read_data_yaml("matcher", name)


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


# ---------------------------------------------------------------------- weights files
#: The ``format`` line of a weights file.
WEIGHTS_FORMAT = "shien-matcher-weights/1"


class WeightsFileError(MatcherError, ValueError):
    """A weights file that cannot be read: the message names the file and the field."""


def dump_weights(weights: Weights | dict, path: str | os.PathLike, *, meta: dict[str, Any] | None = None) -> str:
    """Write a weights file (YAML; JSON is YAML too) and return its path.

    The file holds ``format`` (:data:`WEIGHTS_FORMAT`), ``weights`` (every component) and,
    optionally, ``learned``: how they were obtained (``matcher register learn`` writes the
    outcomes used and the held-out nDCG with the current and with these weights). An
    existing file is not overwritten.
    """
    w = Weights.coerce(weights)
    doc = {"format": WEIGHTS_FORMAT, "weights": w.as_dict()}
    if meta:
        doc["learned"] = json.loads(json.dumps(meta, default=str))
    with open(path, "x", encoding="utf-8") as fh:
        yaml.safe_dump(doc, fh, sort_keys=False, allow_unicode=True)
    return str(path)


def load_weights(path: str | os.PathLike) -> Weights:
    """The :class:`Weights` of a weights file (see :func:`dump_weights`), for ``--weights FILE``.

    Components the file leaves out keep their default weights.

    Examples
    --------
    >>> import os, tempfile
    >>> path = dump_weights({"text": 0.2, "needs": 0.2, "kind": 0.1, "industry": 0.2, "locality": 0.3},
    ...                     os.path.join(tempfile.mkdtemp(), "weights.yaml"))
    >>> load_weights(path).locality
    0.3
    >>> from matcher import MatchEngine
    >>> MatchEngine(weights=load_weights(path)).fit().weights_.text
    0.2
    """
    try:
        with open(path, encoding="utf-8") as fh:
            doc = yaml.safe_load(fh)
    except OSError as exc:
        raise WeightsFileError(f"{path}: cannot read the weights file ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise WeightsFileError(f"{path}: not YAML or JSON ({exc.__class__.__name__})") from None
    if not isinstance(doc, dict):
        raise WeightsFileError(f"{path}: expected a mapping with format and weights, got {type(doc).__name__}")
    if doc.get("format") != WEIGHTS_FORMAT:
        raise WeightsFileError(f"{path}: format: expected {WEIGHTS_FORMAT!r}, got {doc.get('format')!r}")
    raw = doc.get("weights")
    if not isinstance(raw, dict):
        raise WeightsFileError(f"{path}: weights: expected a mapping of {', '.join(COMPONENTS)}, got {raw!r}")
    try:
        return Weights.coerce(raw)
    except (TypeError, ValueError) as exc:
        raise WeightsFileError(f"{path}: weights: {exc}") from None
