"""The fused matching kernel: eligibility, score and exact top-k, firm by firm, in one compiled loop.

The numpy path of :meth:`MatchEngine.match` builds ``(n_firms, n_programs)`` matrices
of every component, of eligibility and of scores, then partitions them. Most of that
work is thrown away: a firm is eligible for a few percent of a national catalog. The
kernel here (numba, no GIL) visits, for each firm:

1. only the programs whose location conditions hold where the firm is
   (:meth:`rules.pairs.PairTables.candidates`);
2. among them, the eligible ones (Kleene AND of their other conditions' variants, a
   few table lookups; a program must be open at the as-of date);
3. for those, the four cheap components and an upper bound of the score (the text
   similarity set to its maximum, 1); candidates are taken by falling bound and the
   loop stops once the bound cannot beat the k-th best score so far;
4. only then the text similarity, a sparse dot product of the program's TF-IDF row
   with the firm's row scattered into a dense vector.

The numbers are the numpy path's, bit for bit: the same float32 operations in the same
order (the text sums the shared terms in ascending feature order, as scipy's sparse
products do; the score adds the weighted components in :data:`COMPONENTS` order;
float rounding is monotone, so the bound never falls below the score). Ties are
broken by catalog order, as :func:`matcher.topk.top_k` does. Tests compare
both paths on synthetic catalogs and the default one.

numba is optional: :func:`available` says whether the kernel can run, and the engine
falls back to the numpy path when it cannot (``MatchEngine(kernel="numpy")`` forces it).
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache

import numpy as np

from matcher.features import inv_sqrt
from matcher.weights import COMPONENTS, scoring_data

__all__ = ["KERNELS", "available", "FusedMatcher"]

#: The values of ``MatchEngine(kernel=...)``.
KERNELS = ("auto", "numba", "numpy")

_KERNEL = None



@lru_cache(maxsize=1)
def available() -> bool:
    """Whether numba is installed (the kernel compiles on first use, then comes from numba's cache)."""
    return importlib.util.find_spec("numba") is not None


def compile_nogil(func):
    """``func`` compiled by numba without the GIL, cached on disk where numba finds a
    writable place (beside the package, or the user's cache directory), else compiled
    anew in each process."""
    import numba

    try:
        return numba.njit(nogil=True, cache=True)(func)
    except RuntimeError:  # "cannot cache function ...: no locator available" (read-only install, no home)
        return numba.njit(nogil=True)(func)


def _compiled():
    global _KERNEL
    if _KERNEL is None:
        _KERNEL = compile_nogil(_match_firms)
    return _KERNEL


def _match_firms(top, weights, loc_values,
                 key, cand_ptr, cand, variants, var_ptr, var_idx, is_open,
                 x_ptr, x_idx, x_val, n_features, p_ptr, p_split, p_idx, p_val, char_max,
                 f_needs, inv_f, p_needs, inv_p, kind_pref, p_kind, ind_row, ind_table,
                 f_mun, f_pref, p_mun, p_pref, p_national,
                 out_idx, out_score, out_comps):
    """Fill ``out_*`` for firms ``0..len(key)-1`` (see the module's text). Plain Python, compiled by numba."""
    n = key.shape[0]
    xd = np.zeros(n_features, np.float32)
    one = np.float32(1.0)
    zero = np.float32(0.0)
    w_text, w_needs, w_kind, w_ind, w_loc = weights[0], weights[1], weights[2], weights[3], weights[4]
    m = 0
    for k in range(cand_ptr.shape[0] - 1):
        m = max(m, cand_ptr[k + 1] - cand_ptr[k])
    cols = np.empty(m, np.int32)  # scratch, reused firm after firm
    bound = np.empty(m, np.float32)
    c_needs = np.empty(m, np.float32)
    c_kind = np.empty(m, np.float32)
    c_ind = np.empty(m, np.float32)
    c_loc = np.empty(m, np.float32)
    lanes = np.empty(4, np.int64)
    texts = np.empty(4, np.float32)
    partial = np.empty(4, np.float32)
    for i in range(n):
        k = key[i]
        lo, hi = cand_ptr[k], cand_ptr[k + 1]
        e = 0
        for q in range(lo, hi):
            j = cand[q]
            if not is_open[j]:
                continue
            ok = True
            for r in range(var_ptr[j], var_ptr[j + 1]):
                if variants[i, var_idx[r]] != 2:  # TRUE
                    ok = False
                    break
            if not ok:
                continue
            shared = p_needs[j] & f_needs[i]
            count = 0
            while shared:
                shared &= shared - 1
                count += 1
            nd = np.float32(count) * inv_f[i]
            nd = nd * inv_p[j]
            kd = one if kind_pref[i, p_kind[j]] else zero
            ind = ind_table[ind_row[i], j]
            lc = loc_values[0]  # elsewhere
            if p_national[j]:
                lc = loc_values[1]
            if f_pref[i] >= 0 and p_pref[f_pref[i], j]:
                lc = loc_values[2]
            if p_mun[j] >= 0 and f_mun[i] == p_mun[j]:
                lc = loc_values[3]
            s = zero + w_text * one
            s = s + w_needs * nd
            s = s + w_kind * kd
            s = s + w_ind * ind
            s = s + w_loc * lc
            cols[e] = j
            bound[e] = s
            c_needs[e] = nd
            c_kind[e] = kd
            c_ind[e] = ind
            c_loc[e] = lc
            e += 1
        if e == 0:
            continue
        order = np.argsort(-bound[:e], kind="mergesort")  # by falling bound, then catalog order
        for t in range(x_ptr[i], x_ptr[i + 1]):
            xd[x_idx[t]] = x_val[t]
        got = 0
        head = 0
        kth_s = zero
        kth_j = 0
        while head < e:
            # the next (up to) four candidates whose bound may still beat the k-th best
            g = 0
            while head < e and g < 4:
                o = order[head]
                if got == top:  # (the top list only changes after the four lanes are scored)
                    kth_s, kth_j = out_score[i, top - 1], out_idx[i, top - 1]
                    if not (bound[o] > kth_s or (bound[o] == kth_s and cols[o] < kth_j)):
                        head = e  # no later candidate can beat the k-th best either
                        break
                head += 1
                # the words come first in a row: sum them, then bound the characters' part
                j = cols[o]
                acc = zero
                for r in range(p_ptr[j], p_split[j]):
                    acc += p_val[r] * xd[p_idx[r]]
                if got == top:
                    t_max = min(acc + char_max[j], one)
                    s = zero + w_text * t_max
                    s = s + w_needs * c_needs[o]
                    s = s + w_kind * c_kind[o]
                    s = s + w_ind * c_ind[o]
                    s = s + w_loc * c_loc[o]
                    if not (s > kth_s or (s == kth_s and j < kth_j)):
                        continue  # its characters cannot lift it into the top
                lanes[g] = o
                partial[g] = acc
                g += 1
            if g == 0:
                break
            for z in range(g, 4):
                lanes[z] = lanes[0]  # idle lanes repeat lane 0; their results are dropped
                partial[z] = partial[0]
            # four character parts at once: four independent sums, each going on in ascending feature order
            j0, j1, j2, j3 = cols[lanes[0]], cols[lanes[1]], cols[lanes[2]], cols[lanes[3]]
            b0, b1, b2, b3 = p_split[j0], p_split[j1], p_split[j2], p_split[j3]
            n0, n1, n2, n3 = p_ptr[j0 + 1] - b0, p_ptr[j1 + 1] - b1, p_ptr[j2 + 1] - b2, p_ptr[j3 + 1] - b3
            common = min(min(n0, n1), min(n2, n3))
            a0 = partial[0]
            a1 = partial[1]
            a2 = partial[2]
            a3 = partial[3]
            for r in range(common):
                a0 += p_val[b0 + r] * xd[p_idx[b0 + r]]
                a1 += p_val[b1 + r] * xd[p_idx[b1 + r]]
                a2 += p_val[b2 + r] * xd[p_idx[b2 + r]]
                a3 += p_val[b3 + r] * xd[p_idx[b3 + r]]
            for r in range(b0 + common, b0 + n0):
                a0 += p_val[r] * xd[p_idx[r]]
            for r in range(b1 + common, b1 + n1):
                a1 += p_val[r] * xd[p_idx[r]]
            for r in range(b2 + common, b2 + n2):
                a2 += p_val[r] * xd[p_idx[r]]
            for r in range(b3 + common, b3 + n3):
                a3 += p_val[r] * xd[p_idx[r]]
            texts[0], texts[1], texts[2], texts[3] = a0, a1, a2, a3
            for z in range(g):
                o = lanes[z]
                j = cols[o]
                text = min(max(texts[z], zero), one)
                s = zero + w_text * text
                s = s + w_needs * c_needs[o]
                s = s + w_kind * c_kind[o]
                s = s + w_ind * c_ind[o]
                s = s + w_loc * c_loc[o]
                # insert (s, j) into the sorted top list: higher score first, then lower column
                pos = got
                while pos > 0 and (s > out_score[i, pos - 1] or (s == out_score[i, pos - 1] and j < out_idx[i, pos - 1])):
                    pos -= 1
                if pos >= top:
                    continue
                last = got if got < top else top - 1
                for y in range(last, pos, -1):
                    out_score[i, y] = out_score[i, y - 1]
                    out_idx[i, y] = out_idx[i, y - 1]
                    for c in range(5):
                        out_comps[i, y, c] = out_comps[i, y - 1, c]
                out_score[i, pos] = s
                out_idx[i, pos] = j
                out_comps[i, pos, 0] = text
                out_comps[i, pos, 1] = c_needs[o]
                out_comps[i, pos, 2] = c_kind[o]
                out_comps[i, pos, 3] = c_ind[o]
                out_comps[i, pos, 4] = c_loc[o]
                if got < top:
                    got += 1
        for t in range(x_ptr[i], x_ptr[i + 1]):
            xd[x_idx[t]] = zero


class FusedMatcher:
    """The program side of the kernel, built once from a fitted engine's state.

    Parameters
    ----------
    eligibility : rules.CompiledEligibility
    program_features : matcher.features.ProgramFeatures
    program_text : scipy.sparse.csr_matrix
        The programs' TF-IDF rows (float32).
    weights : dict
        The score's weights by component.
    n_word_features : int
        Columns of ``program_text`` that are words (the rest are character n-grams;
        see :class:`matcher.text.TextVectorizer`).
    """

    def __init__(self, eligibility, program_features, program_text, weights, n_word_features: int = 0):
        pf = program_features
        self.eligibility = eligibility
        self.tables = eligibility.pair_tables()
        P = program_text.tocsr()
        P.sort_indices()
        self.p_ptr = P.indptr.astype(np.int64)
        self.p_idx = P.indices.astype(np.int32)
        self.p_val = P.data.astype(np.float32)
        self.n_features = P.shape[1]
        # where each row's character n-grams start (word features have the lower indices), and
        # a bound of each row's character share: 1/2 plus float32 rounding over its terms, doubled
        n_rows = P.shape[0]
        lens = np.diff(self.p_ptr)
        rows = np.repeat(np.arange(n_rows), lens)
        self.p_split = self.p_ptr[:-1] + np.bincount(rows[self.p_idx < int(n_word_features)], minlength=n_rows)
        # (a row without character n-grams, as from matcher.terms.TermVectorizer, keeps only the slack)
        has_chars = self.p_ptr[1:] > self.p_split
        self.char_max = (np.where(has_chars, 0.5, 0.0) + (lens + 16) * 2.0 ** -22).astype(np.float32)
        bits = np.left_shift(np.int64(1), np.arange(pf.needs.shape[1], dtype=np.int64))
        self.p_needs = (pf.needs.astype(np.int64) * bits).sum(axis=1)
        self.inv_p = inv_sqrt(pf.needs.sum(axis=1, dtype=np.float32))
        self.p_kind = pf.kind.astype(np.int64)
        self.ind_table = np.ascontiguousarray(np.vstack([pf.industry_by_group, pf.industry_by_division]), np.float32)
        self.n_group_rows = pf.industry_by_group.shape[0]
        self.p_mun = pf.home_municipality.astype(np.int32)
        self.p_pref = np.ascontiguousarray(pf.home_prefecture)
        self.p_national = pf.national.copy()
        self.bits = bits
        self.weights = np.array([weights[c] for c in COMPONENTS], np.float32)
        loc = scoring_data()["locality"]
        self.loc_values = np.array([loc["elsewhere"], loc["national"], loc["prefecture"], loc["municipality"]],
                                   np.float32)

    def match(self, prepared, top: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The ``top`` eligible programs of each prepared firm, their scores and components.

        Returns ``(programs (n, top) int32, -1 where none; scores (n, top) float32, NaN
        where none; components (n, top, 5) float32 in COMPONENTS order, NaN where none)``.
        """
        facts, ff, X = prepared.facts, prepared.features, prepared.text
        n = facts.n
        out_idx = np.full((n, top), -1, np.int32)
        out_score = np.full((n, top), np.nan, np.float32)
        out_comps = np.full((n, top, 5), np.nan, np.float32)
        if n == 0 or self.eligibility.n_programs == 0:
            return out_idx, out_score, out_comps
        key, cand_ptr, cand = self.tables.candidates(facts)
        variants = self.tables.variants(facts)
        if variants.shape[1] == 0:
            variants = np.zeros((n, 1), np.uint8)
        is_open = self.eligibility.open_at(facts.as_of)
        X = X.tocsr()
        f_needs = (ff.needs.astype(np.int64) * self.bits).sum(axis=1)
        inv_f = inv_sqrt(ff.needs.sum(axis=1, dtype=np.float32))
        ind_row = np.where(facts.major_group >= 0, facts.major_group,
                           np.where(facts.division >= 0, self.n_group_rows + facts.division, self.n_group_rows - 1))
        _compiled()(np.int64(top), self.weights, self.loc_values,
                    key, cand_ptr, cand, variants, self.tables.variant_ptr, self.tables.variant_idx, is_open,
                    X.indptr.astype(np.int64), X.indices.astype(np.int32), X.data.astype(np.float32),
                    np.int64(self.n_features), self.p_ptr, self.p_split, self.p_idx, self.p_val, self.char_max,
                    f_needs, inv_f, self.p_needs, self.inv_p, np.ascontiguousarray(ff.kind_pref), self.p_kind,
                    ind_row.astype(np.int64), self.ind_table,
                    facts.municipality.astype(np.int32), facts.prefecture.astype(np.int32), self.p_mun, self.p_pref,
                    self.p_national, out_idx, out_score, out_comps)
        return out_idx, out_score, out_comps
