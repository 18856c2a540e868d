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
    X, y, groups, programs = [], [], [], []
    for i in range(len(firms)):
        cand = np.flatnonzero(elig[i])
        if len(cand) < per_firm:
            continue
        seen = rng.choice(cand, per_firm, replace=False)
        x = np.stack([comps[c][i, seen] for c in COMPONENTS], axis=1).astype(np.float64)
        utility = x @ h + 0.05 * rng.gumbel(size=per_firm)
        order = np.argsort(-utility)
        for k, label in [*((k, 1) for k in order[:2]), *((k, 0) for k in order[-3:])]:
            X.append(x[k]), y.append(label), groups.append(i), programs.append(int(seen[k]))
    simulate.programs = programs  # the positions of the labelled programs, for the register's test
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
    for seed in range(10):
        rng = np.random.default_rng(seed)
        X, y, groups = simulate(engine, _profiles(0, 150), rng, None)
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


def _record(reg, engine, firms, hidden, seed):
    """Import the firms and record the simulated desk's outcomes in the register."""
    from matcher.register import FirmInput

    reg.upsert_firms([FirmInput(f["id"], f) for f in firms])
    rng = np.random.default_rng(seed)
    X, y, groups = simulate(engine, firms, rng, hidden)
    for k, (label, i) in enumerate(zip(y, groups)):
        status = ("awarded", "applied")[k % 2] if label else ("declined", "not_relevant")[k % 2]
        reg.add_outcome(firms[i]["id"], engine.programs_[simulate.programs[k]].id, status, date=TODAY)


def test_register_learn_writes_weights_only_when_held_out_outcomes_rank_better(reg, engine, db_url, tmp_path):
    from matcher.cli.register import register

    runner = CliRunner()
    _record(reg, engine, _profiles(0, 150), HIDDEN, seed=3)
    out = tmp_path / "weights.yaml"
    res = runner.invoke(register, ["--db", db_url, "--as", "aoki", "learn", "--output", str(out), "--as-of",
                                   TODAY.isoformat()], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert "held-out nDCG by firm: current" in res.output and "adopted: wrote" in res.output
    learned = load_weights(out)
    assert learned.locality > Weights().locality and learned.text < Weights().text
    again = runner.invoke(register, ["--db", db_url, "learn", "--output", str(out)])
    assert again.exit_code == 2 and again.output.count("\n") == 1 and "never overwritten" in again.output, again.output
    from matcher import MatchEngine

    assert MatchEngine(weights=learned).fit().weights_ == learned  # what rank/batch/serve take with --weights


def test_register_learn_on_noise_prints_both_and_keeps_the_current_weights(reg, engine, db_url, tmp_path):
    from matcher.cli.register import register

    _record(reg, engine, _profiles(0, 150), None, seed=4)
    out = tmp_path / "weights.yaml"
    res = CliRunner().invoke(register, ["--db", db_url, "learn", "--output", str(out), "--json"],
                             catch_exceptions=False)
    assert res.exit_code == 0, res.output
    import json

    summary = json.loads(res.output)
    assert summary["adopted"] is False and summary["written"] is None and not out.exists(), summary
    assert {"ndcg_current", "ndcg_learned", "gain", "gain_se"} <= set(summary)
    assert summary["prior"] == Weights().as_dict()
    # the register's own weights (`register --weights`, MATCHER_WEIGHTS) are the current ones learn starts from
    from matcher.weights import dump_weights

    mine = {"text": 0.5, "needs": 0.2, "kind": 0.1, "industry": 0.1, "locality": 0.1}
    path = dump_weights(mine, tmp_path / "mine.yaml")
    res = CliRunner().invoke(register, ["--db", db_url, "--weights", path, "learn", "--output", str(out), "--json"],
                             catch_exceptions=False)
    assert res.exit_code == 0, res.output
    summary = json.loads(res.output)
    assert summary["prior"] == mine and summary["current_file"] == path


def test_register_learn_without_enough_outcomes_says_so_in_one_line(reg, db_url, tmp_path):
    from matcher.cli.register import register

    res = CliRunner().invoke(register, ["--db", db_url, "learn", "--output", str(tmp_path / "w.yaml")])
    assert res.exit_code == 2 and "too few to learn from" in res.output and res.output.count("\n") == 1
