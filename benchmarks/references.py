"""Reference approaches for ``bench_batch.py``: the same top-k question, answered other ways.

Each reference takes a chunk of firms prepared by ``MatchEngine.prepare`` (their facts
as numpy columns, TF-IDF rows and need/kind features) and returns, per firm, the column
indices of its ``top`` best programs:

* :class:`LoopReference` -- the obvious per-firm, per-program Python loop: every pair's
  rules (Kleene logic, as the engine), every pair's score (sparse text dot product in
  Python plus the four other components), a heap of the best ``top``. Program-side
  tables are built once, like a fit; everything per firm and per pair is timed.
* :func:`numpy_topk` -- the straightforward numpy version: the engine's compiled rules
  as masks, the components written out plainly, ``np.argpartition`` then a sort of the
  ``top`` picked. It does not call ``matcher.features`` so that work on the engine does
  not change the reference.
* :class:`NNPostFilter` -- scikit-learn ``NearestNeighbors(metric="cosine",
  algorithm="brute")`` on the text vectors, over-fetching ``fetch`` neighbours, then
  dropping the ineligible ones (ranking by text only).
* :func:`sdt_topn` -- ``sparse_dot_topn.sp_matmul_topn`` on the text vectors, no rules.

:func:`brute_force_topk` and :func:`compare_topk` check a result against the exact
answer: per firm, the eligible programs sorted by (-score, column).
"""

from __future__ import annotations

import heapq
import math

import numpy as np
import scipy.sparse as sp

from rules.facts import firm_fact_dict
from rules.kleene import FALSE, TRUE, UNKNOWN
from rules.jsonlogic import evaluate_one
from matcher.weights import COMPONENTS, scoring_data

__all__ = ["LoopReference", "numpy_topk", "NNPostFilter", "sdt_topn", "sdt_available", "brute_force_topk",
           "compare_topk"]


# --------------------------------------------------------------------------- 1. the obvious loop
class LoopReference:
    """Per firm, per program, in Python: rules, score, heap of the best ``top``.

    The program side (each program's conditions as Python sets and numbers, its text
    column as a dict) is built once in ``__init__``, as a fit would; per firm the loop
    reads the firm's facts and text row into Python values, computes the firm's rule
    sets (SME tests) once, then for every program checks its conditions and, if the
    program is eligible, computes the five components and the weighted score.
    """

    def __init__(self, engine):
        from rules.compiler import (_FlagCondition, _IndustryCondition, _LogicCondition, _MunicipalityCondition,
                                    _PrefectureCondition, _RangeCondition, _RuleSetCondition)

        self.engine = engine
        elig = engine.eligibility_
        M = engine.n_programs_
        self.M = M
        self.checks: list[list[tuple]] = [[] for _ in range(M)]
        self.rule_sets: dict[str, object] = {}
        for cond in elig.conditions:
            for pos, j in enumerate(cond.rows.tolist()):
                if isinstance(cond, _MunicipalityCondition):
                    item = ("mun", set(np.flatnonzero(cond.allowed[pos]).tolist()),
                            set(np.flatnonzero(cond.pref_any[pos]).tolist()))
                elif isinstance(cond, _PrefectureCondition):
                    item = ("pref", set(np.flatnonzero(cond.allowed[pos]).tolist()))
                elif isinstance(cond, _IndustryCondition):
                    item = ("ind", set(np.flatnonzero(cond.group_ok[pos]).tolist()),
                            set(np.flatnonzero(cond.div_all[pos]).tolist()),
                            set(np.flatnonzero(cond.div_any[pos]).tolist()))
                elif isinstance(cond, _RangeCondition):
                    lo, hi = float(cond.lo[pos]), float(cond.hi[pos])
                    item = ("range", cond.name, None if math.isnan(lo) else lo, None if math.isnan(hi) else hi)
                elif isinstance(cond, _FlagCondition):
                    item = ("flag", cond.name)
                elif isinstance(cond, _RuleSetCondition):
                    self.rule_sets[cond.name] = cond.rule
                    item = ("ruleset", cond.name)
                elif isinstance(cond, _LogicCondition):
                    item = ("logic", cond.rules[pos].expr)
                else:  # pragma: no cover - a new kind of condition
                    raise TypeError(f"the loop reference does not know {type(cond).__name__}")
                self.checks[j].append(item)
        self.start = elig._start.tolist()
        self.end = elig._end.tolist()
        # program text columns as dicts {feature: weight}
        P = sp.csr_matrix(engine.program_text_)
        self.text_cols = [dict(zip(P.indices[P.indptr[j]:P.indptr[j + 1]].tolist(),
                                   P.data[P.indptr[j]:P.indptr[j + 1]].astype(float).tolist())) for j in range(M)]
        pf = engine.program_features_
        self.p_needs = [int(sum(1 << int(k) for k in np.flatnonzero(row))) for row in pf.needs]
        self.p_kind = pf.kind.tolist()
        self.by_group = pf.industry_by_group.astype(float).T.tolist()  # [j][group]; last group: unknown
        self.by_div = pf.industry_by_division.astype(float).T.tolist()
        self.home_mun = pf.home_municipality.tolist()
        self.home_pref = [set(np.flatnonzero(pf.home_prefecture[:, j]).tolist()) for j in range(M)]
        self.national = pf.national.tolist()
        self.loc = scoring_data()["locality"]
        w = engine.weights_.as_dict()
        self.w = [float(np.float32(w[c])) for c in COMPONENTS]

    def _check(self, item, f: dict, rs: dict) -> int:
        kind = item[0]
        if kind == "mun":
            if f["mun"] >= 0:
                return TRUE if f["mun"] in item[1] else FALSE
            if f["pref"] >= 0:
                return UNKNOWN if f["pref"] in item[2] else FALSE
            return UNKNOWN
        if kind == "pref":
            return UNKNOWN if f["pref"] < 0 else (TRUE if f["pref"] in item[1] else FALSE)
        if kind == "ind":
            if f["grp"] >= 0:
                return TRUE if f["grp"] in item[1] else FALSE
            if f["div"] >= 0:
                return TRUE if f["div"] in item[2] else (UNKNOWN if f["div"] in item[3] else FALSE)
            return UNKNOWN
        if kind == "range":
            v = f[item[1]]
            if v is None:
                return UNKNOWN
            return TRUE if (item[2] is None or v >= item[2]) and (item[3] is None or v <= item[3]) else FALSE
        if kind == "flag":
            v = f[item[1]]
            return UNKNOWN if v < 0 else (TRUE if v == 1 else FALSE)
        if kind == "ruleset":
            return rs[item[1]]
        return evaluate_one(item[1], f["dict"])  # JsonLogic, one firm, one rule

    def run(self, prepared, top: int, rows: range | None = None) -> list[tuple[list[int], list[float]]]:
        """Per firm of ``rows`` (default all): (columns, scores) of its ``top`` eligible programs, best first."""
        facts, X, ff = prepared.facts, prepared.text, prepared.features
        day = float(facts.as_of.toordinal())
        loc = self.loc
        w_text, w_needs, w_kind, w_ind, w_loc = self.w
        out = []
        for i in (range(facts.n) if rows is None else rows):
            one = facts.take([i])
            f = {"mun": int(facts.municipality[i]), "pref": int(facts.prefecture[i]), "grp": int(facts.major_group[i]),
                 "div": int(facts.division[i]), "environment_conscious": int(facts.environment_conscious[i]),
                 "seeking_location": int(facts.seeking_location[i])}
            for name in ("employees", "capital_jpy", "years_in_business"):
                v = float(getattr(facts, name)[i])
                f[name] = None if math.isnan(v) else v
            f["dict"] = firm_fact_dict(prepared.profiles[i], facts.as_of)
            rs = {name: int(rule.evaluate(one)[0]) for name, rule in self.rule_sets.items()}
            row = list(zip(X.indices[X.indptr[i]:X.indptr[i + 1]].tolist(),
                           X.data[X.indptr[i]:X.indptr[i + 1]].astype(float).tolist()))
            needs = int(sum(1 << int(k) for k in np.flatnonzero(ff.needs[i])))
            n_needs = needs.bit_count()
            kinds = ff.kind_pref[i].tolist()
            g = f["grp"] if f["grp"] >= 0 else -1
            heap: list[tuple[float, int]] = []  # (score, -column): the smallest is the worst kept
            for j in range(self.M):
                # eligibility: open on the day, then every condition (Kleene AND = minimum)
                if not (self.start[j] <= day <= self.end[j]):
                    continue
                value = TRUE
                for item in self.checks[j]:
                    value = min(value, self._check(item, f, rs))
                    if value == FALSE:
                        break
                if value != TRUE:
                    continue
                # score: the five components
                col = self.text_cols[j]
                text = min(max(sum(v * col.get(t, 0.0) for t, v in row), 0.0), 1.0)
                pn = self.p_needs[j]
                denom = math.sqrt(n_needs * pn.bit_count())
                need = (needs & pn).bit_count() / denom if denom else 0.0
                kind = 1.0 if kinds[self.p_kind[j]] else 0.0
                if f["grp"] < 0 and f["div"] >= 0:
                    industry = self.by_div[j][f["div"]]
                else:
                    industry = self.by_group[j][g]
                if f["mun"] >= 0 and f["mun"] == self.home_mun[j]:
                    locality = loc["municipality"]
                elif f["pref"] >= 0 and f["pref"] in self.home_pref[j]:
                    locality = loc["prefecture"]
                elif self.national[j]:
                    locality = loc["national"]
                else:
                    locality = loc["elsewhere"]
                score = w_text * text + w_needs * need + w_kind * kind + w_ind * industry + w_loc * locality
                key = (score, -j)
                if len(heap) < top:
                    heapq.heappush(heap, key)
                elif key > heap[0]:
                    heapq.heapreplace(heap, key)
            best = sorted(heap, reverse=True)
            out.append(([-c for _, c in best], [s for s, _ in best]))
        return out


# --------------------------------------------------------------------------- 3. straightforward numpy
def _components(engine, prepared) -> list[np.ndarray]:
    """The five components, each (n, M) float32, written out plainly."""
    pf, ff, facts, X = engine.program_features_, prepared.features, prepared.facts, prepared.text
    loc = scoring_data()["locality"]
    text = X @ engine.program_text_.T  # sparse x sparse
    text = np.clip(text.toarray(), 0, 1).astype(np.float32)
    fn, pn = ff.needs.astype(np.float32), pf.needs.astype(np.float32)
    shared = fn @ pn.T
    cnt_f, cnt_p = fn.sum(1), pn.sum(1)
    with np.errstate(divide="ignore", invalid="ignore"):
        needs = np.where(shared > 0, shared / np.sqrt(cnt_f[:, None] * cnt_p[None, :]), 0).astype(np.float32)
    kind = ff.kind_pref[:, pf.kind].astype(np.float32)
    grp = np.where(facts.major_group >= 0, facts.major_group, pf.industry_by_group.shape[0] - 1)
    industry = pf.industry_by_group[grp]
    only_div = (facts.major_group < 0) & (facts.division >= 0)
    industry[only_div] = pf.industry_by_division[facts.division[only_div]]
    locality = np.where(pf.national, loc["national"], loc["elsewhere"]).astype(np.float32)[None, :].repeat(facts.n, 0)
    known = facts.prefecture >= 0
    locality[known] = np.where(pf.home_prefecture[facts.prefecture[known]], np.float32(loc["prefecture"]),
                               locality[known])
    same = (facts.municipality[:, None] == pf.home_municipality[None, :]) & (pf.home_municipality[None, :] >= 0)
    locality[same] = loc["municipality"]
    return [text, needs, kind, industry.astype(np.float32), locality]


def numpy_scores(engine, prepared) -> tuple[np.ndarray, np.ndarray]:
    """(eligible mask, float32 scores), both (n, M)."""
    eligible = engine.eligibility_.evaluate(prepared.facts) == TRUE
    w = engine.weights_.as_dict()
    score = np.zeros((prepared.facts.n, engine.n_programs_), np.float32)
    for name, comp in zip(COMPONENTS, _components(engine, prepared)):
        score += np.float32(w[name]) * comp
    return eligible, score


def numpy_topk(engine, prepared, top: int) -> tuple[np.ndarray, np.ndarray]:
    """(n, top) columns and scores of the best eligible programs (-1 / NaN padding)."""
    eligible, score = numpy_scores(engine, prepared)
    keys = np.where(eligible, -score, np.inf).astype(np.float32)
    k = min(top, keys.shape[1])
    part = np.argpartition(keys, k - 1, axis=1)[:, :k]
    vals = np.take_along_axis(keys, part, axis=1)
    order = np.lexsort((part, vals), axis=1)
    cols = np.take_along_axis(part, order, axis=1).astype(np.int32)
    vals = np.take_along_axis(vals, order, axis=1)
    cols[~np.isfinite(vals)] = -1
    return cols, np.where(np.isfinite(vals), -vals, np.nan).astype(np.float32)


# --------------------------------------------------------------------------- 2. nearest neighbours + post-filter
class NNPostFilter:
    """scikit-learn's brute-force cosine neighbours on text, over-fetch, then drop the ineligible."""

    def __init__(self, engine, fetch: int):
        from sklearn.neighbors import NearestNeighbors

        self.engine = engine
        self.fetch = min(fetch, engine.n_programs_)
        self.nn = NearestNeighbors(n_neighbors=self.fetch, metric="cosine", algorithm="brute", n_jobs=1)
        self.nn.fit(sp.csr_matrix(engine.program_text_))

    def run(self, prepared, top: int) -> tuple[np.ndarray, int]:
        """(n, top) columns (-1 padding) and how many firms got fewer than ``top`` although more were eligible."""
        eligible = self.engine.eligibility_.evaluate(prepared.facts) == TRUE
        idx = self.nn.kneighbors(prepared.text, return_distance=False)
        keep = np.take_along_axis(eligible, idx, axis=1)
        rank = np.cumsum(keep, axis=1)
        take = keep & (rank <= top)
        out = np.full((idx.shape[0], top), -1, np.int32)
        r, c = np.nonzero(take)
        out[r, rank[r, c] - 1] = idx[r, c]
        got = np.minimum(rank[:, -1], top)
        short = int((got < np.minimum(eligible.sum(axis=1), top)).sum())
        return out, short


# --------------------------------------------------------------------------- 4. sparse_dot_topn, no rules
def sdt_available() -> bool:
    try:
        import sparse_dot_topn  # noqa: F401
    except ImportError:
        return False
    return True


def sdt_topn(engine, prepared, top: int, n_threads: int, _cache: dict = {}) -> sp.csr_matrix:
    """Top ``top`` text cosines per firm (no rules): a CSR matrix (n, M)."""
    from sparse_dot_topn import sp_matmul_topn

    key = id(engine)
    if key not in _cache:  # the programs' side once, as a fit would
        _cache.clear()
        _cache[key] = sp.csr_matrix(engine.program_text_.T, dtype=np.float32)
    return sp_matmul_topn(prepared.text, _cache[key], top_n=top, n_threads=n_threads)


# --------------------------------------------------------------------------- checking
def brute_force_topk(eligible_row: np.ndarray, score_row: np.ndarray, top: int) -> np.ndarray:
    """The exact answer for one firm: eligible columns sorted by (-score, column), first ``top``."""
    cand = np.flatnonzero(eligible_row)
    order = np.lexsort((cand, -score_row[cand]))
    return cand[order[:top]]


def compare_topk(eligible: np.ndarray, score: np.ndarray, cols_rows, scores_rows, top: int,
                 atol: float = 0.0) -> tuple[int, int]:
    """How many of the firms got exactly the brute-force top ``top`` (ties aside), and how many were checked.

    A firm passes when it got as many programs as the brute force, all eligible and
    distinct, with the same scores in the same order (so only equal-score programs may
    be swapped), and the scores it reports are the reference scores (within ``atol``).
    """
    ok = 0
    for i, (cols, got) in enumerate(zip(cols_rows, scores_rows)):
        cols = np.asarray(cols, np.intp)
        got = np.asarray(got, np.float64)
        valid = cols >= 0
        cols, got = cols[valid], got[valid]
        want = brute_force_topk(eligible[i], score[i], top)
        good = (len(cols) == len(want) and len(set(cols.tolist())) == len(cols) and bool(eligible[i, cols].all())
                and np.allclose(score[i, cols], score[i, want], rtol=0, atol=atol)
                and np.allclose(got, score[i, want], rtol=0, atol=atol))
        ok += bool(good)
    return ok, len(cols_rows)
