"""Learning the weights from outcomes: a hidden preference is recovered, pure noise changes nothing."""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner

from matcher.features import components
from matcher.register.learn import WeightLearner, pairwise_ndcg
from matcher.weights import COMPONENTS, Weights, load_weights
from tests.conftest import TODAY
from tests.register.conftest import firm_row

#: What the simulated desk's firms really care about: programs near them and for their industry.
HIDDEN = {"text": 0.0, "needs": 0.0, "kind": 0.0, "industry": 0.3, "locality": 0.7}


def _profiles(start: int, n: int) -> list[dict]:
    out = []
    for i in range(start, start + n):
        row = {k: v for k, v in firm_row(i).items() if k not in ("phone", "担当者")}
        row["needs"] = row["needs"].split(";")
        out.append(row)
    return out


def simulate(engine, firms: list[dict], rng, hidden: dict | None, per_firm: int = 8):
    """Each firm looks at ``per_firm`` of its eligible programs and takes up the 2 it prefers
    (by ``hidden`` plus Gumbel noise), turning down the 3 it likes least; ``hidden=None``:
    it chooses at random."""
    from rules import TRUE

    prepared = engine.prepare(firms, as_of=TODAY)
    comps = components(engine.program_features_, prepared.features, prepared.facts, prepared.text,
                       engine.program_text_.T, None, program_rows=engine.program_text_)
    elig = engine.eligibility_.evaluate(prepared.facts) == TRUE
    h = np.array([(hidden or {}).get(c, 0.0) for c in COMPONENTS])
    X, y, groups = [], [], []
    for i in range(len(firms)):
        cand = np.flatnonzero(elig[i])
        if len(cand) < per_firm:
            continue
        seen = rng.choice(cand, per_firm, replace=False)
        x = np.stack([comps[c][i, seen] for c in COMPONENTS], axis=1).astype(np.float64)
        utility = x @ h + 0.05 * rng.gumbel(size=per_firm)
        order = np.argsort(-utility)
        for k in order[:2]:
            X.append(x[k]), y.append(1), groups.append(i)
        for k in order[-3:]:
            X.append(x[k]), y.append(0), groups.append(i)
    return np.array(X), np.array(y), np.array(groups)


@pytest.fixture(scope="module")
def engine():
    from matcher import MatchEngine

    return MatchEngine().fit()


def _vector(w: Weights) -> np.ndarray:
    v = np.array([w.as_dict()[c] for c in COMPONENTS])
    return v / v.sum()


def test_outcomes_drawn_from_a_hidden_preference_teach_it_and_rank_new_firms_better(engine):
    rng = np.random.default_rng(7)
    X, y, groups = simulate(engine, _profiles(0, 300), rng, HIDDEN)
    learner = WeightLearner().fit(X, y, groups)
    assert learner.adopt_
    assert learner.ndcg_learned_ - learner.ndcg_current_ >= 0.03  # measured: see the report
    hidden = _vector(Weights(**HIDDEN))
    assert np.abs(_vector(learner.weights_) - hidden).sum() < np.abs(_vector(Weights()) - hidden).sum() * 0.6
    # firms never seen by the fit
    Xn, yn, gn = simulate(engine, _profiles(300, 200), rng, HIDDEN)
    new = pairwise_ndcg(Xn, yn, gn, _vector(learner.weights_))
    old = pairwise_ndcg(Xn, yn, gn, _vector(Weights()))
    assert np.mean(list(new.values())) - np.mean(list(old.values())) >= 0.03


def test_outcomes_that_are_pure_noise_change_nothing(engine):
    for seed in range(3):
        rng = np.random.default_rng(100 + seed)
        X, y, groups = simulate(engine, _profiles(0, 300), rng, None)
        learner = WeightLearner().fit(X, y, groups)
        assert not learner.adopt_, learner.summary()
        assert abs(learner.gain_) < 0.03


def test_the_learner_refuses_what_it_cannot_learn_from():
    with pytest.raises(ValueError, match="at least 2 firms with both"):
        WeightLearner().fit(np.zeros((3, 5)), [1, 1, 0], [1, 1, 2])
    with pytest.raises(ValueError, match=r"alpha must be a number >= 0, got -1"):
        WeightLearner(alpha=-1).fit(np.zeros((4, 5)), [1, 0, 1, 0], [1, 1, 2, 2])
    with pytest.raises(ValueError, match=r"shape \(n, 5\)"):
        WeightLearner().fit(np.zeros((4, 3)), [1, 0, 1, 0], [1, 1, 2, 2])
