"""Matching firms with support programs: vectorizing, scoring, ranking, persistence, CLI.

>>> from matcher import MatchEngine
>>> engine = MatchEngine(top=3).fit()
>>> r = engine.rank({"municipality": "Hamura", "prefecture": "Tokyo", "needs": ["financing"]},
...                 as_of="2026-11-21")
>>> any(p.id == "hamura-interest-subsidy" for p in r.possible)   # SME test needs a size fact
True
"""

from matcher.engine import MatchEngine, coerce_firm, parse_as_of
from matcher.errors import EngineFormatError, MatcherError, NotFittedError
from matcher.results import Excluded, Explanation, MunicipalityMatch, Possible, Ranking, ReachHit, Scheme
from matcher.weights import MunicipalityWeights, Weights

__all__ = [
    "EngineFormatError", "Excluded", "Explanation", "MatchEngine", "MatcherError", "MunicipalityMatch",
    "MunicipalityWeights", "NotFittedError", "Possible", "Ranking", "ReachHit", "Scheme", "Weights",
    "coerce_firm", "parse_as_of",
]
