"""Matching firms with support programs: vectorizing, scoring, ranking, persistence, CLI.

>>> from matcher import MatchEngine
>>> engine = MatchEngine(top=3).fit()
>>> r = engine.rank({"municipality": "Hamura", "prefecture": "Tokyo", "needs": ["financing"]},
...                 as_of="2026-11-21")
>>> any(p.id == "hamura-interest-subsidy" for p in r.possible)   # SME test needs a size fact
True

The names below are imported on first use, so that ``matcher --help`` starts without
loading scikit-learn.
"""

from importlib import import_module

__all__ = [
    "EngineFormatError", "Excluded", "Explanation", "MatchEngine", "MatcherError", "MunicipalityMatch",
    "MunicipalityWeights", "NotFittedError", "Possible", "Ranking", "ReachHit", "Scheme", "Weights",
    "coerce_firm", "parse_as_of",
]

_WHERE = {
    "MatchEngine": "matcher.engine", "coerce_firm": "profiles.validation", "parse_as_of": "profiles.validation",
    "EngineFormatError": "matcher.errors", "MatcherError": "matcher.errors", "NotFittedError": "matcher.errors",
    "Excluded": "matcher.results", "Explanation": "matcher.results", "MunicipalityMatch": "matcher.results",
    "Possible": "matcher.results", "Ranking": "matcher.results", "ReachHit": "matcher.results",
    "Scheme": "matcher.results", "MunicipalityWeights": "matcher.weights", "Weights": "matcher.weights",
}


def __getattr__(name: str):
    if name in _WHERE:
        value = getattr(import_module(_WHERE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'matcher' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
