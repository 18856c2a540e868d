"""Needs, kind, industry and locality features of programs and firms, and the components.

Programs are encoded once at fit time (:class:`ProgramFeatures`); each chunk of firms
is encoded as columns (:class:`FirmFeatures`); :func:`components` broadcasts one
against the other and returns every score component as an ``(n_firms, n_programs)``
float32 matrix. Nothing here loops over firms in Python except reading profiles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from profiles.geography import gazetteer
from profiles.industries import all_divisions, all_major_groups, division_of
from profiles.models import PROGRAM_KINDS, CompanyProfile, SupportProgram
from profiles.needs import need_ids, needs_in_text
from rules.facts import FirmFacts, target_group_bits
from matcher.fields import field_fits
from matcher.weights import scoring_data

__all__ = ["ProgramFeatures", "FirmFeatures", "components", "need_cosine", "program_home", "program_need_terms",
           "text_similarity"]


def need_cosine(firm_needs: np.ndarray, program_needs: np.ndarray,
                program_terms: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Cosine of 0/1 need vectors, ``(n, K) x (M, K) -> (n, M)`` float32.

    Computed from exact integer counts (shared needs over the square root of the
    product of the counts), so a firm's value never depends on the other firms of its
    chunk: a BLAS product of float rows may differ in the last bit with the shape.

    >>> need_cosine(np.array([[1, 1, 0]], np.uint8), np.array([[1, 0, 0], [0, 0, 1]], np.uint8))
    array([[0.70710677, 0.        ]], dtype=float32)
    """
    program_T, inv_p = program_terms if program_terms is not None else program_need_terms(program_needs)
    shared = firm_needs.astype(np.float32) @ program_T  # small integers: exact in any order
    inv_f = inv_sqrt(firm_needs.sum(axis=1, dtype=np.float32))
    shared *= inv_f[:, None]  # element by element: the same numbers whatever the chunk
    shared *= inv_p[None, :]
    return shared


def program_need_terms(program_needs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The programs' side of :func:`need_cosine`: their needs as float32 columns and the inverse square roots
    of their counts (:meth:`ProgramFeatures.need_terms` keeps them for the whole catalog)."""
    return program_needs.astype(np.float32).T, inv_sqrt(program_needs.sum(axis=1, dtype=np.float32))


def inv_sqrt(counts: np.ndarray) -> np.ndarray:
    return np.divide(1, np.sqrt(counts), out=np.zeros_like(counts), where=counts > 0)


def program_home(p: SupportProgram) -> tuple[str | None, tuple[str, ...]]:
    """Where a program is offered: its municipality code (if one) and prefecture codes.

    Taken from the provider, else from a location-restricted eligibility; a program
    with neither is national.
    """
    mun = p.provider.municipality
    prefs = list(p.eligibility.prefectures)
    if p.provider.prefecture:
        prefs.append(p.provider.prefecture)
    munis = list(p.eligibility.municipalities)
    if mun is None and len(munis) == 1:
        mun = munis[0]
    if mun is not None:
        try:
            code = gazetteer().resolve(mun).code
        except ValueError:
            code = None
        mun = code
    gaz = gazetteer()
    for m in ([mun] if mun else []) + munis:
        prefs.append(gaz.get(m).prefecture_code)
    for region in p.eligibility.regions:
        prefs += [pr.code for pr in gaz.prefectures if region in pr.regions]
    return mun, tuple(dict.fromkeys(prefs))


@dataclass
class ProgramFeatures:
    """The structured side of the programs, fitted once."""

    needs: np.ndarray  # (M, K) uint8, 1 where the program serves the need
    kind: np.ndarray  # (M,) int index into PROGRAM_KINDS
    industry_by_group: np.ndarray  # (G + 1, M) float32, last row: firm's industry unknown
    industry_by_division: np.ndarray  # (D, M) float32: firm gave only its division
    home_municipality: np.ndarray  # (M,) int32 gazetteer index, -1 none
    home_prefecture: np.ndarray  # (47, M) bool
    national: np.ndarray  # (M,) bool
    targets: tuple[tuple[str, ...], ...]
    #: per program, the fields of the clusters it belongs to (empty for most)
    fields: tuple[frozenset[str], ...] = ()
    #: (M,) int64: the bits of the target groups each program is for (``rules.facts.target_group_bits``)
    groups: np.ndarray | None = None

    def need_terms(self) -> tuple[np.ndarray, np.ndarray]:
        """:func:`program_need_terms` of every program, built on first use and kept (not pickled)."""
        terms = self.__dict__.get("_need_terms")
        if terms is None:
            terms = self.__dict__["_need_terms"] = program_need_terms(self.needs)
        return terms

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_need_terms", None)
        return state

    @classmethod
    def from_programs(cls, programs: Sequence[SupportProgram],
                      cluster_fields: dict[str, Sequence[str]] | None = None) -> "ProgramFeatures":
        """The features of ``programs``; ``cluster_fields`` (cluster id: its fields) lets a cluster's
        program fit the industries that work in the cluster's fields (``industry_fit.cluster``)."""
        data = scoring_data()
        fit = data["industry_fit"]
        need_pos = {n: i for i, n in enumerate(need_ids())}
        M = len(programs)
        needs = np.zeros((M, len(need_pos)), np.uint8)
        kinds = np.zeros(M, np.int16)
        groups = all_major_groups()
        divisions = all_divisions()
        g_div = np.array([divisions.index(division_of(g)) for g in groups])
        by_group = np.full((len(groups) + 1, M), fit["open"], np.float32)
        by_div = np.full((len(divisions), M), fit["open"], np.float32)
        home_mun = np.full(M, -1, np.int32)
        home_pref = np.zeros((47, M), bool)
        national = np.zeros(M, bool)
        targets = []
        all_fields = []
        group_bits = target_group_bits()
        groups_of = np.zeros(M, np.int64)
        gaz = gazetteer()
        for j, p in enumerate(programs):
            for n in p.needs:
                needs[j, need_pos[n]] = 1
            kinds[j] = PROGRAM_KINDS.index(p.kind)
            t = tuple(dict.fromkeys((*p.industries, *p.eligibility.industries)))
            targets.append(t)
            if t:
                col_g = np.full(len(groups), fit["other"], np.float32)
                col_d = np.full(len(divisions), fit["other"], np.float32)
                for code in t:
                    d = divisions.index(division_of(code))
                    if len(code) == 1:
                        col_g[g_div == d] = fit["exact"]
                        col_d[d] = fit["exact"]
                    else:
                        gi = groups.index(code)
                        col_g[g_div == d] = np.maximum(col_g[g_div == d], fit["division"])
                        col_g[gi] = fit["exact"]
                        col_d[d] = max(col_d[d], fit["division"])
                by_group[:-1, j] = col_g
                by_div[:, j] = col_d
            for g in (*p.target_groups, *p.eligibility.target_groups):
                groups_of[j] |= group_bits[g]
            fields = {f for c in getattr(p, "clusters", ()) or () for f in (cluster_fields or {}).get(c, ())}
            all_fields.append(frozenset(fields))
            if fields:  # a cluster's program fits the industries that work in the cluster's field
                for gi, g in enumerate(groups):
                    if field_fits(g) & fields:
                        by_group[gi, j] = max(by_group[gi, j], fit["cluster"])
                for di, d in enumerate(divisions):
                    if field_fits(d) & fields:
                        by_div[di, j] = max(by_div[di, j], fit["cluster"])
            mun, prefs = program_home(p)
            if mun is not None:
                home_mun[j] = gaz.index(mun)
            for pc in prefs:
                home_pref[int(pc) - 1, j] = True
            national[j] = mun is None and not prefs
        return cls(needs, kinds, by_group, by_div, home_mun, home_pref, national, tuple(targets), tuple(all_fields),
                   groups_of)


@dataclass
class FirmFeatures:
    """The structured side of a chunk of firms."""

    needs: np.ndarray  # (n, K) uint8, 1 for each stated or inferred need
    kind_pref: np.ndarray  # (n, n_kinds) bool
    stated: tuple[tuple[str, ...], ...]
    inferred: tuple[dict[str, str], ...]

    def take(self, rows: slice) -> "FirmFeatures":
        """The features of a run of firms."""
        return FirmFeatures(self.needs[rows], self.kind_pref[rows], self.stated[rows], self.inferred[rows])

    @classmethod
    def from_profiles(cls, firms: Sequence[CompanyProfile]) -> "FirmFeatures":
        need_pos = {n: i for i, n in enumerate(need_ids())}
        need_kinds = scoring_data()["need_kinds"]
        kind_pos = {k: i for i, k in enumerate(PROGRAM_KINDS)}
        n = len(firms)
        needs = np.zeros((n, len(need_pos)), np.uint8)
        kind_pref = np.zeros((n, len(PROGRAM_KINDS)), bool)
        inferred = []
        in_text: dict[str | None, dict[str, str]] = {}  # registers repeat descriptions: read each once
        for i, f in enumerate(firms):
            seen = in_text.get(f.description)
            if seen is None:
                seen = in_text[f.description] = needs_in_text(f.description)
            found = {k: v for k, v in seen.items() if k not in f.needs} if seen else {}
            inferred.append(found)
            for nid in (*f.needs, *found):
                needs[i, need_pos[nid]] = 1
                for k in need_kinds.get(nid, ()):
                    kind_pref[i, kind_pos[k]] = True
        return cls(needs, kind_pref, tuple(f.needs for f in firms), tuple(inferred))

    @classmethod
    def from_masks(cls, mask: np.ndarray) -> "FirmFeatures":
        """The features of firms whose needs (stated or read) are the bits ``mask``."""
        need_kinds = scoring_data()["need_kinds"]
        kind_pos = {k: i for i, k in enumerate(PROGRAM_KINDS)}
        ids = need_ids()
        kind_bits = np.zeros(len(PROGRAM_KINDS), np.int64)  # the needs that prefer each kind, as bits
        for i, nid in enumerate(ids):
            for k in need_kinds.get(nid, ()):
                kind_bits[kind_pos[k]] |= 1 << i
        mask = np.asarray(mask, np.int64)
        needs = ((mask[:, None] >> np.arange(len(ids), dtype=np.int64)[None, :]) & 1).astype(np.uint8)
        kind_pref = (mask[:, None] & kind_bits[None, :]) != 0  # a kind any of the firm's needs prefers
        return cls(needs, kind_pref, (), ())

    @classmethod
    def concat(cls, parts: Sequence["FirmFeatures"]) -> "FirmFeatures":
        """The features of several chunks, one after the other (``stated`` and ``inferred`` only
        when every part has them)."""
        full = all(len(p.stated) == len(p.needs) for p in parts)
        return cls(np.concatenate([p.needs for p in parts]), np.concatenate([p.kind_pref for p in parts]),
                   tuple(x for p in parts for x in p.stated) if full else (),
                   tuple(x for p in parts for x in p.inferred) if full else ())


def text_similarity(X_firms: sp.csr_matrix, P_text_T: sp.spmatrix | np.ndarray, program_rows: sp.csr_matrix | None,
                    cols: np.ndarray | None = None) -> np.ndarray:
    """``X_firms @ P_text_T`` as a dense ``(n_firms, n_programs)`` array (``cols`` selects programs).

    With a dense program matrix, one sparse-times-dense product. With a sparse one (a
    large catalog), blocks of firms are made dense and multiplied by the programs'
    rows, ``program_rows @ block.T``: about twice as fast as a sparse-times-sparse
    product, and each firm's values depend on that firm only. A few firms against every
    program (``rank``) take the sparse-times-sparse product, which reads only the rows of
    their own terms (a third of the time for one firm on the Tokyo list): the same sums
    of the same float32 products in the same order (by term), so the same bits (a test
    compares both).
    """
    few = X_firms.shape[0] <= _SPARSE_FIRMS and cols is None
    if not sp.issparse(P_text_T) or program_rows is None or few:
        text = X_firms @ (P_text_T if cols is None else P_text_T[:, cols])
        return text.toarray() if sp.issparse(text) else np.asarray(text)
    rows = program_rows if cols is None else program_rows[cols]
    out = np.empty((X_firms.shape[0], rows.shape[0]), np.float32)
    for s in range(0, X_firms.shape[0], _DENSE_FIRMS):
        block = (X_firms if X_firms.shape[0] <= _DENSE_FIRMS else X_firms[s:s + _DENSE_FIRMS]).toarray()
        out[s:s + _DENSE_FIRMS] = (rows @ np.ascontiguousarray(block.T)).T
    return out


#: Firms made dense at once for a large catalog's text product (128 x features floats).
_DENSE_FIRMS = 128
#: Up to this many firms, a large catalog's text product stays sparse (see :func:`text_similarity`).
_SPARSE_FIRMS = 4


def components(pf: ProgramFeatures, ff: FirmFeatures, facts: FirmFacts, X_firms: sp.csr_matrix,
               P_text_T: sp.csc_matrix | np.ndarray, cols: np.ndarray | None = None,
               program_rows: sp.csr_matrix | None = None) -> dict[str, np.ndarray]:
    """Every score component, each ``(n_firms, n_programs)`` float32 (``cols`` selects programs)."""
    loc = scoring_data()["locality"]
    sel = slice(None) if cols is None else cols
    text = text_similarity(X_firms, P_text_T, program_rows, cols)
    needs = need_cosine(ff.needs, pf.needs[sel], pf.need_terms() if cols is None else None)
    kind = ff.kind_pref[:, pf.kind[sel]].astype(np.float32)
    grp = np.where(facts.major_group >= 0, facts.major_group, pf.industry_by_group.shape[0] - 1)
    industry = pf.industry_by_group[grp][:, sel]
    only_div = (facts.major_group < 0) & (facts.division >= 0)
    if only_div.any():
        industry[only_div] = pf.industry_by_division[facts.division[only_div]][:, sel]
    if pf.groups is not None and facts.attributes.any():
        # a program for a group the firm is in (tourism operators, care providers ...) fits it as its
        # own industry does: target groups are the audiences that have no industry code
        member = (facts.attributes[:, None] & pf.groups[sel][None, :]) != 0
        industry = np.where(member, np.float32(scoring_data()["industry_fit"]["exact"]), industry)
    home_mun = pf.home_municipality[sel]
    locality = np.full(text.shape, loc["elsewhere"], np.float32)
    locality[:, pf.national[sel]] = loc["national"]
    known_pref = facts.prefecture >= 0
    if known_pref.any():
        in_pref = pf.home_prefecture[facts.prefecture[known_pref]][:, sel]
        locality[known_pref] = np.where(in_pref, loc["prefecture"], locality[known_pref])
    same = (facts.municipality[:, None] == home_mun[None, :]) & (home_mun[None, :] >= 0)
    locality[same] = loc["municipality"]
    return {"text": np.clip(text, 0, 1).astype(np.float32), "needs": needs.astype(np.float32),
            "kind": kind, "industry": industry.astype(np.float32), "locality": locality}
