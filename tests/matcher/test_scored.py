"""The engine's typed seams: a ScoredChunk from a public method, top_k and the fitted check as free functions."""

from __future__ import annotations

import numpy as np
import pytest

from matcher import MatchEngine, NotFittedError
from matcher._validation import check_int, check_is_fitted
from matcher.errors import ParameterError
from matcher.scored import ScoredChunk
from matcher.topk import top_k
from rules.kleene import TRUE


def test_scores_returns_a_scored_chunk_that_match_agrees_with(engine, kita_press):
    prepared = engine.prepare([kita_press, {"municipality": "Hamura", "prefecture": "Tokyo"}], as_of="2026-11-21")
    scored = engine.scores(prepared)
    assert isinstance(scored, ScoredChunk) and len(scored) == 2
    assert scored.eligibility.shape == scored.scores.shape == (2, engine.n_programs_)
    assert len(scored.parts) == len(engine.eligibility_.conditions)
    numpy_engine = MatchEngine(kernel="numpy").fit()
    programs, _ = numpy_engine.match(prepared, top=3)
    best = top_k(np.where(scored.eligibility == TRUE, -scored.scores, np.inf), 3)
    assert [b.tolist() for b in best] == [p[p >= 0].tolist() for p in programs]
    one = engine.scores(prepared, np.array([5]))
    assert one.scores.shape == (2, 1) and one.program(0) == 5
    assert one.scores[0, 0] == scored.scores[0, 5]


def test_the_checks_are_free_functions():
    with pytest.raises(NotFittedError, match="not fitted"):
        check_is_fitted(MatchEngine())
    with pytest.raises(ParameterError, match=r"jobs must be an integer >= 1, got True"):
        check_int("jobs", True)
    assert check_int("n", np.int64(3)) == 3
