"""Learning the score's weights from the register's outcomes.

A firm's outcome about a program says whether the program was right for it: awarded,
applied and interested are positive, declined and not_relevant negative (contacted says
nothing; a firm's newest telling outcome about a program counts). For every firm with
both, each (positive, negative) pair of its programs is one example of a pairwise logistic
model over the score's components (:data:`matcher.weights.COMPONENTS`, computed by the
engine at the newest catalog version): ``P(positive ranks above negative) =
sigmoid(w . (x_pos - x_neg))``, with an L2 penalty pulling ``w`` toward the current weights
and ``w >= 0``.

The weights are adopted only if they rank held-out outcomes better: firms are split into
folds (:class:`sklearn.model_selection.GroupKFold`, a firm's outcomes never on both
sides), each fold's firms ranked by the weights fitted on the others, and the per-firm
nDCG (:func:`sklearn.metrics.ndcg_score`) compared with the current weights' on the same
firms. The gain must be at least ``min_gain`` and three times its standard error.

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> X = rng.random((400, 5)); groups = np.repeat(np.arange(80), 5)
>>> y = (X[:, 4] + 0.05 * rng.standard_normal(400) > 0.5).astype(int)   # only locality matters
>>> learner = WeightLearner().fit(X, y, groups)
>>> learner.adopt_, learner.weights_.locality > 0.3
(True, True)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlalchemy as sa
from sklearn.base import BaseEstimator

from profiles import InputError
from matcher.register import schema as t
from matcher.register.catalogs import CatalogVersion, engine_of, ensure_catalog
from matcher.register.store import Register
from matcher.weights import COMPONENTS, Weights

__all__ = ["POSITIVE", "NEGATIVE", "WeightLearner", "OutcomeData", "outcome_data", "learn", "pairwise_ndcg"]

#: Outcome statuses that say a program was right for a firm, and those that say it was not.
POSITIVE = ("interested", "applied", "awarded")
NEGATIVE = ("declined", "not_relevant")


def _check_number(name: str, value: Any, low: float, *, integer: bool = False) -> None:
    bad = isinstance(value, bool) or not isinstance(value, (int,) if integer else (int, float)) or value < low
    if bad:
        kind = "an integer" if integer else "a number"
        raise ValueError(f"{name} must be {kind} >= {low:g}, got {value!r}")


def pairwise_ndcg(X: np.ndarray, y: np.ndarray, groups: np.ndarray, weights: np.ndarray) -> dict[Any, float]:
    """Each firm's nDCG of its labelled programs ranked by ``X @ weights`` (firms with both labels)."""
    from sklearn.metrics import ndcg_score

    out = {}
    score = X @ weights
    for g in np.unique(groups):
        m = groups == g
        if 0 < y[m].sum() < m.sum():
            out[g] = float(ndcg_score(y[m][None, :], score[m][None, :]))
    return out


def _pairs(X: np.ndarray, y: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """``x_pos - x_neg`` for every (positive, negative) pair of a firm's programs."""
    diffs = []
    for g in np.unique(groups):
        m = groups == g
        pos, neg = X[m & (y == 1)], X[m & (y == 0)]
        if len(pos) and len(neg):
            diffs.append((pos[:, None, :] - neg[None, :, :]).reshape(-1, X.shape[1]))
    return np.concatenate(diffs) if diffs else np.zeros((0, X.shape[1]))


def _fit_pairwise(D: np.ndarray, prior: np.ndarray, alpha: float) -> np.ndarray:
    """``argmin_w mean log(1 + exp(-D w)) + alpha/2 |w - prior|^2`` over ``w >= 0``."""
    from scipy.optimize import minimize

    def loss(w):
        z = D @ w
        value = np.logaddexp(0, -z).mean() + alpha / 2 * np.sum((w - prior) ** 2)
        grad = -(D * (1 / (1 + np.exp(z)))[:, None]).mean(axis=0) + alpha * (w - prior)
        return value, grad

    res = minimize(loss, prior.copy(), jac=True, method="L-BFGS-B", bounds=[(0, None)] * len(prior))
    return res.x


class WeightLearner(BaseEstimator):
    """Fit the score's weights to outcomes, and say whether held-out outcomes rank better.

    Parameters
    ----------
    prior : Weights or dict, optional
        The current weights: the start and the centre of the penalty (default: the defaults).
    alpha : float, default 0.05
        Strength of the penalty toward ``prior`` (per pair; larger keeps closer to it).
    n_splits : int, default 5
        Folds of firms for the held-out comparison (fewer when there are fewer firms).
    min_gain : float, default 0.02
        The held-out mean nDCG gain needed to adopt the learned weights.

    Attributes
    ----------
    weights_ : Weights
        Fitted on every firm, scaled to the prior's sum.
    ndcg_current_, ndcg_learned_ : float
        Mean held-out nDCG per firm with the current and with the learned weights.
    gain_, gain_se_ : float
        Their difference and its standard error over firms.
    adopt_ : bool
        Whether ``gain_ >= min_gain`` and ``gain_ > 3 * gain_se_`` (chance alone passes this rarely).
    n_firms_, n_pairs_ : int
    """

    def __init__(self, prior: Weights | dict | None = None, alpha: float = 0.05, n_splits: int = 5,
                 min_gain: float = 0.02):
        self.prior = prior
        self.alpha = alpha
        self.n_splits = n_splits
        self.min_gain = min_gain

    def _fit_weights(self, X, y, groups, prior: np.ndarray) -> np.ndarray:
        D = _pairs(X, y, groups)
        if len(D) == 0:
            return prior
        w = _fit_pairwise(D, prior, self.alpha)
        return w * (prior.sum() / w.sum()) if w.sum() > 0 else prior

    def fit(self, X, y, groups) -> "WeightLearner":
        """Fit on components ``X`` (n, 5, in :data:`COMPONENTS` order), labels ``y`` (1/0) and firms ``groups``."""
        from sklearn.model_selection import GroupKFold

        _check_number("alpha", self.alpha, 0)
        _check_number("n_splits", self.n_splits, 2, integer=True)
        _check_number("min_gain", self.min_gain, 0)
        X = np.asarray(X, np.float64)
        y = np.asarray(y).astype(int)
        groups = np.asarray(groups)
        if X.ndim != 2 or X.shape[1] != len(COMPONENTS) or len(y) != len(X) or len(groups) != len(X):
            raise ValueError(f"expected X of shape (n, {len(COMPONENTS)}) with n labels and n groups, "
                             f"got X {X.shape}, y {y.shape}, groups {groups.shape}")
        prior_w = Weights.coerce(self.prior)
        prior = np.array([prior_w.as_dict()[c] for c in COMPONENTS], np.float64)
        both = [g for g in np.unique(groups) if 0 < y[groups == g].sum() < (groups == g).sum()]
        if len(both) < 2:
            raise ValueError(f"need at least 2 firms with both a positive and a negative outcome, got {len(both)}")
        keep = np.isin(groups, both)
        X, y, groups = X[keep], y[keep], groups[keep]
        current, learned = {}, {}
        for train, test in GroupKFold(n_splits=min(self.n_splits, len(both))).split(X, y, groups):
            w = self._fit_weights(X[train], y[train], groups[train], prior)
            current.update(pairwise_ndcg(X[test], y[test], groups[test], prior))
            learned.update(pairwise_ndcg(X[test], y[test], groups[test], w))
        diff = np.array([learned[g] - current[g] for g in current])
        self.ndcg_current_ = float(np.mean(list(current.values())))
        self.ndcg_learned_ = float(np.mean(list(learned.values())))
        self.gain_ = float(diff.mean())
        self.gain_se_ = float(diff.std(ddof=1) / np.sqrt(len(diff))) if len(diff) > 1 else float("inf")
        self.adopt_ = bool(self.gain_ >= self.min_gain and self.gain_ > 3 * self.gain_se_)
        w = self._fit_weights(X, y, groups, prior)
        self.weights_ = Weights(**{c: round(float(v), 6) for c, v in zip(COMPONENTS, w)})
        self.n_firms_ = len(both)
        self.n_pairs_ = len(_pairs(X, y, groups))
        return self

    def summary(self) -> dict[str, Any]:
        """What the fit found, for printing and for the weights file."""
        return {"firms": self.n_firms_, "pairs": self.n_pairs_, "ndcg_current": round(self.ndcg_current_, 4),
                "ndcg_learned": round(self.ndcg_learned_, 4), "gain": round(self.gain_, 4),
                "gain_se": round(self.gain_se_, 4), "adopted": self.adopt_, "alpha": self.alpha,
                "prior": Weights.coerce(self.prior).as_dict(), "learned_weights": self.weights_.as_dict()}


@dataclass
class OutcomeData:
    """The labelled (firm, program) pairs of a register as arrays for :class:`WeightLearner`."""

    X: np.ndarray
    y: np.ndarray
    groups: np.ndarray  # the firm's internal id
    programs: list[str]
    skipped: int  # outcomes about programs not in the catalog version


def outcome_data(reg: Register, version: CatalogVersion | None = None, *, as_of: dt.date | str | None = None,
                 chunk_size: int = 1000) -> OutcomeData:
    """Every firm's newest telling outcome per program, with the score components at ``version``."""
    from matcher.features import components

    version = version or ensure_catalog(reg)
    engine = engine_of(reg, version.id)
    position = {p.id: j for j, p in enumerate(engine.programs_)}
    o = t.outcomes
    q = (sa.select(o.c.firm_pk, o.c.program_id, o.c.status).where(o.c.status.in_(POSITIVE + NEGATIVE))
         .order_by(o.c.firm_pk, o.c.date, o.c.id))
    latest: dict[tuple[int, str], str] = {}
    with reg.engine.connect() as conn:
        for pk, pid, status in conn.execute(q):
            latest[(pk, pid)] = status  # the newest wins
    skipped = sum(1 for _, pid in latest if pid not in position)
    pairs = [(pk, pid, s) for (pk, pid), s in latest.items() if pid in position]
    firm_pks = sorted({pk for pk, _, _ in pairs})
    X, y, groups, progs = [], [], [], []
    for s in range(0, len(firm_pks), chunk_size):
        chunk = firm_pks[s:s + chunk_size]
        with reg.engine.connect() as conn:
            profiles = dict(conn.execute(sa.select(t.firms.c.id, t.firms.c.profile).where(t.firms.c.id.in_(chunk))).all())
        chunk = [pk for pk in chunk if pk in profiles]
        prepared = engine.prepare([profiles[pk] for pk in chunk], as_of=as_of)
        here = set(chunk)
        mine = [(pk, pid, st) for pk, pid, st in pairs if pk in here]
        cols = np.unique([position[pid] for _, pid, _ in mine])
        comps = components(engine.program_features_, prepared.features, prepared.facts, prepared.text,
                           engine.program_text_.T, cols, program_rows=engine.program_text_)
        row = {pk: i for i, pk in enumerate(chunk)}
        for pk, pid, st in mine:
            c = int(np.searchsorted(cols, position[pid]))
            X.append([comps[name][row[pk], c] for name in COMPONENTS])
            y.append(1 if st in POSITIVE else 0)
            groups.append(pk)
            progs.append(pid)
    return OutcomeData(np.array(X, np.float64).reshape(-1, len(COMPONENTS)), np.array(y, int), np.array(groups, int),
                       progs, skipped)


def learn(reg: Register, *, prior: Weights | dict | None = None, alpha: float = 0.05, n_splits: int = 5,
          min_gain: float = 0.02, as_of: dt.date | str | None = None) -> WeightLearner:
    """Fit :class:`WeightLearner` on the register's outcomes (see the module docstring)."""
    data = outcome_data(reg, as_of=as_of)
    try:
        return WeightLearner(prior=prior, alpha=alpha, n_splits=n_splits, min_gain=min_gain).fit(data.X, data.y,
                                                                                                 data.groups)
    except ValueError as exc:
        if "firms with both" not in str(exc):
            raise
        raise InputError("outcomes", f"{len(data.y)} telling outcomes",
                         "too few to learn from: " + str(exc).replace("need", "it needs")) from None
