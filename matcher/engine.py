"""The matching engine: eligibility first, then similarity ranking, with reasons.

:class:`MatchEngine` follows scikit-learn's estimator contract: parameters are stored
by ``__init__``, ``fit(catalog)`` compiles the rules and vectorizes the programs and
returns ``self``, and the fitted state ends in ``_``. Every question goes through one
vectorized path over a chunk of firms; a single firm is a chunk of one.

>>> engine = MatchEngine().fit()          # the default catalog
>>> ranking = engine.rank({"municipality": "Kita", "prefecture": "Tokyo", "industry": "E24",
...                        "employees": 25, "needs": ["trade_fair"]}, as_of="2026-11-21")
>>> "kita-trade-fair-subsidy" in [s.id for s in ranking.schemes[:3]]
True
>>> engine.rank({"municipality": "Kita City"}, top=0)
Traceback (most recent call last):
...
ValueError: top must be an integer >= 1, got 0
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from pydantic import ValidationError
from sklearn.base import BaseEstimator

from profiles.catalog import Catalog
from profiles.errors import InputError
from profiles.geography import gazetteer
from profiles.industries import industry_label, resolve_industry
from profiles.models import CompanyProfile, SupportProgram
from profiles.needs import NEEDS, need_ids
from profiles.validation import first_input_error
from rules import CompiledEligibility, FirmFacts, load_checked_catalog
from rules.kleene import FALSE, TRUE, UNKNOWN, outcome_name
from matcher.errors import NotFittedError
from matcher.features import FirmFeatures, ProgramFeatures, components
from matcher.kernel import KERNELS, FusedMatcher
from matcher.kernel import available as kernel_available
from matcher.locations import LocationModel, weights_of
from matcher.reasons import check_lang, fact_label, kind_label, say
from matcher.results import (
    Condition,
    Excluded,
    Explanation,
    MunicipalityMatch,
    Possible,
    ProviderRef,
    Ranking,
    ReachHit,
    Scheme,
)
from matcher.text import TextVectorizer, firm_document, matching_terms, program_document
from matcher.weights import COMPONENTS, MunicipalityWeights, Weights

__all__ = ["MatchEngine", "PreparedFirms", "coerce_firm", "parse_as_of"]

_NEED = {n.id: n for n in NEEDS}


def parse_as_of(as_of: dt.date | str | None) -> dt.date:
    """The as-of date: a date, an ISO string, or ``None`` for today.

    >>> parse_as_of("2014-06-01")
    datetime.date(2014, 6, 1)
    """
    if as_of is None:
        return dt.date.today()
    if isinstance(as_of, dt.datetime):
        return as_of.date()
    if isinstance(as_of, dt.date):
        return as_of
    try:
        return dt.date.fromisoformat(str(as_of))
    except ValueError:
        raise InputError("as_of", as_of, "expected a date as YYYY-MM-DD") from None


def coerce_firm(firm: CompanyProfile | Mapping[str, Any]) -> CompanyProfile:
    """A validated profile from a profile or a dict; a bad dict raises :class:`InputError`."""
    if isinstance(firm, CompanyProfile):
        return firm
    if isinstance(firm, Mapping):
        try:
            return CompanyProfile.model_validate(dict(firm))
        except ValidationError as exc:
            raise first_input_error(exc) from None
    raise InputError("firm", type(firm).__name__, "expected a CompanyProfile or a mapping of its fields")


def _is_missing(value: Any) -> bool:
    """None, NaN or pandas' NA/NaT (a table's empty cell)."""
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, NaT
    except (TypeError, ValueError):
        return False


def _positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    return int(value)


def _top_indices(keys: np.ndarray, k: int) -> list[np.ndarray]:
    """Per row, the indices of the ``k`` smallest finite keys, ties by column order.

    Vectorized over rows: one ``argpartition`` picks ``k`` columns per row and one
    comparison counts the keys at or below the ``k``-th; only a row with a tie at that
    boundary (the partition may have picked any of the tied columns) is settled alone.

    >>> [a.tolist() for a in _top_indices(np.array([[3, 1, np.inf, 1], [np.inf, np.inf, 0, 2]], np.float32), 2)]
    [[1, 3], [2, 3]]
    """
    n, m = keys.shape
    if m == 0 or k == 0:
        return [np.empty(0, np.intp)] * n
    k = min(k, m)
    if n <= 2:  # one firm (``rank``): a stable sort of its finite keys is quickest
        out = []
        for row in keys:
            cand = np.flatnonzero(np.isfinite(row))
            out.append(cand[np.argsort(row[cand], kind="stable")][:k])
        return out
    if k < m:
        part = np.argpartition(keys, k - 1, axis=1)[:, :k]
        vals = np.take_along_axis(keys, part, axis=1)
        kth = vals.max(axis=1)
        tied = ((keys <= kth[:, None]).sum(axis=1) > k) & np.isfinite(kth)
    else:
        part = np.broadcast_to(np.arange(m), (n, m))
        vals = keys
        tied = np.zeros(n, bool)
    order = np.lexsort((part, vals), axis=1)  # by key, then column
    cols = np.take_along_axis(part, order, axis=1)
    counts = np.isfinite(np.take_along_axis(vals, order, axis=1)).sum(axis=1)
    out = list(cols) if counts.min() == k and not tied.any() else [cols[i, :c] for i, c in enumerate(counts.tolist())]
    for i in np.flatnonzero(tied).tolist():
        row = keys[i]
        cand = np.flatnonzero(row <= row[cols[i, k - 1]])
        out[i] = cand[np.argsort(row[cand], kind="stable")][:k]
    return out


@dataclass
class PreparedFirms:
    """A chunk of firms ready for :meth:`MatchEngine.match` (see :meth:`MatchEngine.prepare`)."""

    profiles: list[CompanyProfile]
    facts: FirmFacts
    text: sp.csr_matrix
    features: FirmFeatures

    def __len__(self) -> int:
        return len(self.profiles)

    def take(self, rows: slice) -> "PreparedFirms":
        """A run of these firms, ready for :meth:`MatchEngine.match` too."""
        idx = np.arange(len(self.profiles))[rows]
        return PreparedFirms(self.profiles[rows], self.facts.take(idx), self.text[rows], self.features.take(rows))


#: Firm-program pairs scored at once: the (firms, programs) matrices of a chunk are built
#: for blocks of about this many pairs (some 8 MB each), whatever the catalog's size.
SCORE_CELLS = 2_000_000


class MatchEngine(BaseEstimator):
    """Match firms with the support programs of a catalog.

    Parameters
    ----------
    weights : Weights or dict, optional
        Weights of the score's components (see :mod:`matcher.weights`).
    municipality_weights : MunicipalityWeights or dict, optional
        Weights of the municipality recommendation's components.
    top : int, default 10
        How many eligible programs to return per firm.
    possible_top : int, default 5
        How many programs that need a missing fact to return per firm.
    municipalities_top : int, default 5
        How many municipalities to recommend per firm.
    max_distance_km : float, optional
        Recommend only municipalities this close to the firm, scoring nearer ones higher.
    ngram_range : tuple of int, default (2, 3)
        Character n-gram lengths of the text vectors.
    chunk_size : int, default 1024
        Firms scored together in one vectorized step.
    kernel : {"auto", "numba", "numpy"}, default "auto"
        How :meth:`match` and ``matcher batch`` find each firm's top programs: the
        fused kernel of :mod:`matcher.kernel` (compiled by numba; visits only the
        programs offered where the firm is, and computes the text similarity only
        where the score could enter the top), or whole ``(firms, programs)`` numpy
        matrices. Both give the same numbers to the last bit; ``"auto"`` takes the
        kernel when numba is installed. Ranking with reasons (:meth:`rank`) always
        uses the matrices.

    Attributes
    ----------
    catalog_ : Catalog
    programs_ : tuple of SupportProgram
    eligibility_ : rules.CompiledEligibility
    text_ : TextVectorizer
    program_text_ : scipy.sparse.csr_matrix, shape (n_programs, n_features)
    program_features_ : ProgramFeatures
    locations_ : LocationModel
    n_programs_ : int
    catalog_hash_ : str
    """

    def __init__(self, weights: Weights | dict | None = None, municipality_weights: MunicipalityWeights | dict | None = None,
                 top: int = 10, possible_top: int = 5, municipalities_top: int = 5,
                 max_distance_km: float | None = None, ngram_range: tuple[int, int] = (2, 3), chunk_size: int = 1024,
                 kernel: str = "auto"):
        self.weights = weights
        self.municipality_weights = municipality_weights
        self.top = top
        self.possible_top = possible_top
        self.municipalities_top = municipalities_top
        self.max_distance_km = max_distance_km
        self.ngram_range = ngram_range
        self.chunk_size = chunk_size
        self.kernel = kernel

    # ------------------------------------------------------------------ fitting
    def fit(self, catalog: Catalog | str | Path | None = None, y: None = None) -> "MatchEngine":
        """Compile the catalog's rules and vectorize its programs.

        Parameters
        ----------
        catalog : Catalog, path or None
            A loaded catalog, a catalog directory, or ``None`` for the default catalog.
        """
        self._check_params()
        if not isinstance(catalog, Catalog):
            catalog = load_checked_catalog(catalog)
        self.catalog_ = catalog
        self.programs_ = catalog.programs
        self.n_programs_ = len(catalog.programs)
        self.catalog_hash_ = catalog.hash
        self._program_index = {p.id: j for j, p in enumerate(catalog.programs)}
        self.eligibility_ = CompiledEligibility(catalog.programs)
        docs = [program_document(p) for p in catalog.programs]
        self.text_ = TextVectorizer(ngram_range=self.ngram_range).fit(docs)
        self.program_text_ = self.text_.transform(docs)
        self._program_text_T = None  # built on first use by the matrix path (the kernel never needs it)
        self.program_features_ = ProgramFeatures.from_programs(catalog.programs)
        self.locations_ = LocationModel.from_catalog(catalog)
        self._static = [self._static_fields(p) for p in catalog.programs]
        need_bit = {n: b for b, n in enumerate(need_ids())}
        self._program_need_masks = np.array([sum(1 << need_bit[n] for n in p.needs) for p in catalog.programs],
                                            np.int64)
        self.weights_ = Weights.coerce(self.weights)
        self.municipality_weights_ = MunicipalityWeights.coerce(self.municipality_weights)
        self._fused_matcher = None
        return self

    def _check_params(self) -> None:
        Weights.coerce(self.weights)
        MunicipalityWeights.coerce(self.municipality_weights)
        _positive_int("top", self.top)
        _positive_int("chunk_size", self.chunk_size)
        for name in ("possible_top", "municipalities_top"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise ValueError(f"{name} must be an integer >= 0, got {v!r}")
        if self.kernel not in KERNELS:
            raise ValueError(f"kernel must be one of {', '.join(KERNELS)}, got {self.kernel!r}")
        if self.kernel == "numba" and not kernel_available():
            raise ValueError("kernel='numba' needs numba: pip install numba (or use kernel='auto')")
        if self.max_distance_km is not None and not (isinstance(self.max_distance_km, (int, float)) and self.max_distance_km > 0):
            raise ValueError(f"max_distance_km must be a number > 0 or None, got {self.max_distance_km!r}")

    def _check_fitted(self) -> None:
        if not hasattr(self, "eligibility_"):
            raise NotFittedError("this MatchEngine is not fitted yet: call fit() (or MatchEngine.load()) first")

    def program(self, program_id: str) -> SupportProgram:
        """The catalog's program with this id (an unknown id names the closest ones)."""
        self._check_fitted()
        return self.catalog_.program(program_id)

    # ------------------------------------------------------------------ scoring core
    def prepare(self, firms: Sequence[CompanyProfile | Mapping[str, Any]],
                as_of: dt.date | str | None = None) -> PreparedFirms:
        """Validate and vectorize a chunk of firms: everything :meth:`match` needs.

        Parameters
        ----------
        firms : sequence of CompanyProfile or dict
        as_of : date or ISO string, optional
            The day at which eligibility is judged (default: today).

        Returns
        -------
        PreparedFirms
            ``facts`` (the firms' facts as numpy columns), ``text`` (their TF-IDF rows,
            a CSR matrix) and ``features`` (needs and kinds wanted).
        """
        self._check_fitted()
        day = parse_as_of(as_of)
        profiles = [coerce_firm(f) for f in firms]
        facts = FirmFacts.from_profiles(profiles, day)
        docs = [firm_document(f) for f in profiles]
        unique = {d: k for k, d in enumerate(dict.fromkeys(docs))}
        if len(unique) < len(docs):  # vectorize each distinct text once (registers repeat descriptions)
            X = self.text_.transform(list(unique))[np.fromiter((unique[d] for d in docs), np.intp, len(docs))]
        else:
            X = self.text_.transform(docs)
        return PreparedFirms(profiles, facts, X, FirmFeatures.from_profiles(profiles))

    def match(self, prepared: PreparedFirms, top: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The matching itself: eligibility, scores and the ``top`` eligible programs of each firm.

        Runs the fused kernel of :mod:`matcher.kernel` (see ``kernel``) or the numpy
        matrices; both return the same arrays. Equal scores are ranked in catalog order.

        Examples
        --------
        >>> engine = MatchEngine(top=3).fit()
        >>> prepared = engine.prepare([{"municipality": "Kita", "prefecture": "Tokyo", "industry": "E24",
        ...                             "employees": 25, "needs": ["trade_fair"]}], as_of="2026-11-21")
        >>> programs, scores = engine.match(prepared)
        >>> programs.shape, bool(scores[0, 0] >= scores[0, 1])
        ((1, 3), True)
        >>> ranking = engine.rank(prepared.profiles[0], as_of="2026-11-21")  # the same programs, with reasons
        >>> [engine.programs_[j].id for j in programs[0]] == [s.id for s in ranking.schemes]
        True

        Returns
        -------
        programs : ndarray of int32, shape (n_firms, top)
            Column indices into ``programs_``, best first; -1 where a firm has fewer
            eligible programs.
        scores : ndarray of float32, shape (n_firms, top)
            Their scores (NaN where there is no program).
        """
        top = self.top if top is None else _positive_int("top", top)
        if self._fused() is not None:
            idx, out, _ = self._fused().match(prepared, top)
            return idx, out
        n = len(prepared)
        idx = np.full((n, top), -1, np.int32)
        out = np.full((n, top), np.nan, np.float32)
        block = self._block_size(n)
        for s in range(0, n, block):
            part = prepared if block >= n else prepared.take(slice(s, s + block))
            elig, comps, score = self._scores(part)
            best = _top_indices(np.where(elig == TRUE, -score, np.float32(np.inf)), top)
            for i, b in enumerate(best):
                idx[s + i, :len(b)] = b
                out[s + i, :len(b)] = score[i, b]
        return idx, out

    def _text_T(self) -> np.ndarray | sp.csr_matrix:
        """The programs' text as a (features, programs) matrix for the matrix path: dense
        while small enough (a sparse firm row times a dense matrix costs nnz x programs),
        else sparse. Built on first use, so a batch run on the kernel never holds it."""
        if getattr(self, "_program_text_T", None) is None:
            T = self.program_text_.T
            self._program_text_T = (np.ascontiguousarray(T.toarray()) if T.shape[0] * T.shape[1] <= 20_000_000
                                    else T.tocsr())
        return self._program_text_T

    def _fused(self) -> FusedMatcher | None:
        """The fused kernel's program side (built on first use), or None for the numpy path."""
        if getattr(self, "kernel", "auto") == "numpy" or not kernel_available():
            return None
        fused = getattr(self, "_fused_matcher", None)
        if fused is None:
            fused = self._fused_matcher = FusedMatcher(self.eligibility_, self.program_features_, self.program_text_,
                                                       self.weights_.as_dict(), self.text_.n_word_features_)
        return fused

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_fused_matcher", None)  # both rebuilt on first use
        state["_program_text_T"] = None
        return state

    def _block_size(self, chunk_size: int) -> int:
        """Firms scored at once: at most ``chunk_size``, and about :data:`SCORE_CELLS` pairs."""
        return max(1, min(chunk_size, max(64, SCORE_CELLS // max(self.n_programs_, 1))))

    def _scores(self, prepared: PreparedFirms, cols: np.ndarray | None = None):
        """Eligibility, components and scores of prepared firms (``cols`` selects programs)."""
        facts = prepared.facts
        facts.parts = []  # each condition's values, reused by explanations
        elig = self.eligibility_.evaluate(facts, facts.parts)
        if cols is not None:
            elig = elig[:, cols]
        comps = components(self.program_features_, prepared.features, facts, prepared.text, self._text_T(), cols,
                           program_rows=self.program_text_)
        w = self.weights_.as_dict()
        score = np.zeros_like(comps["text"])
        for name in COMPONENTS:
            score += np.float32(w[name]) * comps[name]
        return elig, comps, score

    def _score_chunk(self, firms: list[CompanyProfile], as_of: dt.date, cols: np.ndarray | None = None):
        """Facts, eligibility, text rows, firm features, components and scores of a chunk."""
        prepared = self.prepare(firms, as_of)
        elig, comps, score = self._scores(prepared, cols)
        return prepared.facts, elig, prepared.text, prepared.features, comps, score

    @staticmethod
    def _records(firms: Any) -> Iterable[Any]:
        """Firms as an iterable of profiles or dicts; pandas and pyarrow tables stream by rows."""
        if hasattr(firms, "to_batches") or hasattr(firms, "iter_batches"):  # pyarrow Table / ParquetFile
            batches = firms.to_batches() if hasattr(firms, "to_batches") else firms.iter_batches()
            return ({k: v for k, v in rec.items() if v is not None} for b in batches for rec in b.to_pylist())
        if hasattr(firms, "to_pylist") and hasattr(firms, "schema"):  # pyarrow RecordBatch
            return ({k: v for k, v in rec.items() if v is not None} for rec in firms.to_pylist())
        if hasattr(firms, "iloc") and hasattr(firms, "to_dict"):  # pandas DataFrame
            def rows():
                for start in range(0, len(firms), 4096):
                    for rec in firms.iloc[start:start + 4096].to_dict("records"):
                        yield {k: v for k, v in rec.items() if not _is_missing(v)}
            return rows()
        return firms

    def _batches(self, firms: Iterable[Any], chunk_size: int) -> Iterator[list[CompanyProfile]]:
        it = iter(self._records(firms))
        while True:
            chunk = list(itertools.islice(it, chunk_size))
            if not chunk:
                return
            yield [coerce_firm(f) for f in chunk]

    # ------------------------------------------------------------------ reasons
    def _reasons(self, i: int, j: int, firm: CompanyProfile, ff: FirmFeatures, dense: np.ndarray, comps,
                 cols=None, lang: str = "en") -> list[str]:
        col = j if cols is None else int(cols[j])
        p = self.programs_[col]
        ja = lang == "ja"
        out = []

        def need(n: str) -> str:
            return _NEED[n].label_ja if ja else _NEED[n].label_en

        stated = [n for n in p.needs if n in firm.needs]
        if stated:
            out.append(say("needs", lang, needs=("、" if ja else ", ").join(need(n) for n in stated)))
        inferred = [n for n in p.needs if n in ff.inferred[i]]
        if inferred:
            out.append(say("inferred", lang, needs=("、" if ja else ", ").join(
                f"{need(n)} ({ff.inferred[i][n]})" for n in inferred)))
        terms = matching_terms(self.text_, dense, self.program_text_, col)
        if terms:
            out.append(say("terms", lang, terms=", ".join(terms)))
        ind = float(comps["industry"][i, j])
        targets = self.program_features_.targets[col]
        if targets and ind >= 0.75 and firm.industry:
            label = f"{firm.industry} {resolve_industry(firm.industry).name_ja}" if ja else industry_label(firm.industry)
            out.append(say("industry", lang, industry=label))
        elif not targets:
            out.append(say("any_industry", lang))
        loc = float(comps["locality"][i, j])
        if loc >= 1.0:
            gov = gazetteer().get(firm.municipality)
            out.append(say("own_municipality", lang, place=f"{gov.prefecture_ja}{gov.full_name_ja}" if ja else gov.label))
        elif loc >= 0.7 and firm.prefecture:
            pref = gazetteer().prefectures[int(firm.prefecture) - 1]
            out.append(say("own_prefecture", lang, place=pref.name_ja if ja else pref.name_en))
        elif self.program_features_.national[col]:
            out.append(say("national", lang))
        if comps["kind"][i, j] > 0:
            out.append(say("kind", lang, kind=kind_label(p.kind, lang)))
        return out

    def _conditions(self, facts: FirmFacts, i: int, col: int,
                    outcomes: tuple[int, ...] = (FALSE, UNKNOWN, TRUE)) -> list[Condition]:
        return [Condition.model_construct(condition=c.condition, outcome=outcome_name(c.value), text=c.text,
                                          missing=list(c.missing))
                for c in self.eligibility_.explain(facts, col, row=i, parts=getattr(facts, "parts", None),
                                                   outcomes=outcomes)]

    @staticmethod
    def _dense_row(X, i: int) -> np.ndarray:
        """Row ``i`` of the firms' text matrix as a dense vector."""
        dense = np.zeros(X.shape[1], np.float32)
        a, b = X.indptr[i], X.indptr[i + 1]
        dense[X.indices[a:b]] = X.data[a:b]
        return dense

    @classmethod
    def _static_fields(cls, p: SupportProgram) -> dict[str, Any]:
        """The fields of a result that depend only on the program, built once at fit."""
        return {"id": p.id, "name": p.name, "name_ja": p.name_ja, "kind": p.kind, "provider": cls._provider(p),
                "description": p.description, "url": p.url,
                "benefit": p.benefit.model_dump(mode="json", exclude_none=True) if p.benefit else None}


    @staticmethod
    def _provider(p: SupportProgram) -> ProviderRef:
        return ProviderRef(id=p.provider.id, name=p.provider.name, name_ja=p.provider.name_ja, kind=p.provider.kind)

    @staticmethod
    def _company(firm: CompanyProfile) -> dict[str, Any]:
        out = firm.model_dump(mode="json", exclude_none=True)
        out["needs"] = list(firm.needs)
        if firm.municipality:
            out["location"] = gazetteer().get(firm.municipality).label
        elif firm.prefecture:
            out["location"] = gazetteer().prefectures[int(firm.prefecture) - 1].name_en
        if firm.industry:
            out["industry_name"] = resolve_industry(firm.industry).name_en
        return out

    # ------------------------------------------------------------------ ranking
    def rank(self, firm: CompanyProfile | Mapping[str, Any], *, as_of: dt.date | str | None = None,
             top: int | None = None, explain: bool = False, lang: str = "en") -> Ranking:
        """Rank the catalog's programs for one firm.

        Eligibility comes first: ``schemes`` holds only programs the firm is eligible
        for, best first; ``possible`` those it might use if it gave a missing fact (with
        the facts named); ``municipalities`` where it would be best supported; with
        ``explain``, each scheme's conditions and every ``excluded`` program with the
        conditions it fails. ``lang`` is the language of the reasons, ``"en"`` or ``"ja"``
        (the conditions' own words are English).
        """
        return next(self.rank_many([firm], as_of=as_of, top=top, explain=explain, lang=lang))

    def rank_many(self, firms: Iterable[CompanyProfile | Mapping[str, Any]], *, as_of: dt.date | str | None = None,
                  top: int | None = None, explain: bool = False, chunk_size: int | None = None,
                  lang: str = "en") -> Iterator[Ranking]:
        """Rank many firms, streaming one :class:`Ranking` per firm in input order.

        ``firms`` is any iterable of profiles or dicts, or a pandas DataFrame or pyarrow
        Table (one firm per row). Firms are scored ``chunk_size`` at a time, so memory
        stays bounded whatever their number. A firm that fails validation raises
        :class:`InputError` (``matcher batch`` collects bad rows instead).
        """
        self._check_fitted()
        top = _positive_int("top", self.top if top is None else top)
        chunk_size = _positive_int("chunk_size", self.chunk_size if chunk_size is None else chunk_size)
        as_of = parse_as_of(as_of)
        lang = check_lang(lang)
        for chunk in self._batches(firms, self._block_size(chunk_size)):
            yield from self._rank_chunk(chunk, as_of, top, explain, lang)

    def _rank_chunk(self, firms: list[CompanyProfile], as_of: dt.date, top: int, explain: bool,
                    lang: str = "en") -> Iterator[Ranking]:
        facts, elig, X, ff, comps, score = self._score_chunk(firms, as_of)
        inf = np.float32(np.inf)
        best = _top_indices(np.where(elig == TRUE, -score, inf), top)
        maybe = _top_indices(np.where(elig == UNKNOWN, -score, inf), self.possible_top)
        munis = self._municipalities(firms, facts, elig, comps, lang)
        for i, firm in enumerate(firms):
            dense = self._dense_row(X, i)
            schemes = []
            rounded = {c: np.round(comps[c][i, best[i]].astype(np.float64), 6).tolist() for c in COMPONENTS}
            scores = np.round(score[i, best[i]].astype(np.float64), 6).tolist()
            for n, j in enumerate(best[i].tolist()):
                comp = {c: rounded[c][n] for c in COMPONENTS}
                # model_construct: every value here is built by the engine, no need to re-validate
                st = self._static[j]
                schemes.append(Scheme.model_construct(
                    **{k: v for k, v in st.items() if k != "benefit"}, benefit=dict(st["benefit"]) if st["benefit"] else None,
                    score=scores[n], components=comp,
                    reasons=self._reasons(i, j, firm, ff, dense, comps, lang=lang),
                    eligibility=self._conditions(facts, i, j) if explain else None))
            possible = []
            for j in maybe[i]:
                st = self._static[j]
                conds = self._conditions(facts, i, j, (UNKNOWN,))
                missing = list(dict.fromkeys(m for c in conds for m in c.missing))
                unknown = [c.text for c in conds]
                hint = [say("settle", lang, facts=("、" if lang == "ja" else ", ").join(fact_label(m, lang) for m in missing))
                        ] if missing else []
                possible.append(Possible.model_construct(
                    id=st["id"], name=st["name"], name_ja=st["name_ja"], kind=st["kind"], provider=st["provider"],
                    score=round(float(score[i, j]), 6),
                    components={c: round(float(comps[c][i, j]), 6) for c in COMPONENTS}, missing=missing,
                    reasons=unknown + hint + self._reasons(i, j, firm, ff, dense, comps, lang=lang)))
            excluded = None
            if explain:
                excluded = []
                for j in np.flatnonzero(elig[i] == FALSE):
                    conds = self._conditions(facts, i, int(j), (FALSE,))
                    excluded.append(Excluded.model_construct(id=self.programs_[j].id, name=self.programs_[j].name,
                                                             failed=[c.text for c in conds]))
            yield Ranking(as_of=as_of, company=self._company(firm), schemes=schemes, possible=possible,
                          municipalities=munis[i], excluded=excluded)

    # ------------------------------------------------------------------ municipalities
    def _municipalities(self, firms, facts, elig, comps, lang: str = "en") -> list[list[MunicipalityMatch]]:
        loc = self.locations_
        C = len(loc.codes)
        k = self.municipalities_top
        if C == 0 or k == 0:
            return [[] for _ in firms]
        n = len(firms)
        moved = loc.relocate(facts)
        parts = getattr(facts, "parts", None)
        if parts is not None and len(parts) == len(self.eligibility_.conditions) and elig.shape[1] == self.n_programs_:
            e_moved = self.eligibility_.evaluate_relocated(facts, parts, moved)
        else:
            e_moved = self.eligibility_.evaluate(moved)
        e_moved = e_moved.reshape(n, C, -1) == TRUE
        pf = self.program_features_
        local = (pf.home_municipality[None, :] == loc.index[:, None]) | (
            pf.home_prefecture[loc.prefecture] & (pf.home_municipality[None, :] < 0))  # (C, M)
        w = self.weights_.as_dict()
        base = sum(np.float32(w[c]) * comps[c] for c in COMPONENTS if c != "locality")  # (n, M)
        useful = e_moved & local[None, :, :]
        support_raw = (useful * base[:, None, :]).sum(axis=2)
        top_support = support_raw.max(axis=1, keepdims=True)
        support = np.divide(support_raw, top_support, out=np.zeros_like(support_raw), where=top_support > 0)
        assets, top_factors = loc.asset_scores(firms)
        industry = loc.industry_scores(firms)
        dist = loc.distances(facts)
        maxd = self.max_distance_km
        if maxd is not None:
            distance = np.clip(1 - np.nan_to_num(dist, nan=np.inf) / maxd, 0, 1).astype(np.float32)
        else:
            distance = np.zeros_like(support)
        mw = weights_of(self.municipality_weights_, maxd is not None)
        score = mw["support"] * support + mw["assets"] * assets + mw["industry"] * industry + mw["distance"] * distance
        allowed = np.ones_like(score, bool) if maxd is None else (np.nan_to_num(dist, nan=np.inf) <= maxd)
        keys = np.where(allowed, -score, np.inf)
        picks = _top_indices(keys, k)
        gaz = gazetteer()
        out = []
        for i, firm in enumerate(firms):
            row = []
            for c in picks[i]:
                m = self.catalog_.municipality(loc.codes[c])
                cj = np.flatnonzero(useful[i, c])
                cj = cj[np.argsort(-base[i, cj], kind="stable")]
                comp = {"support": float(support[i, c]), "assets": float(assets[i, c]),
                        "industry": float(industry[i, c]), "distance": float(distance[i, c])}
                d = float(dist[i, c]) if not np.isnan(dist[i, c]) else None
                row.append(MunicipalityMatch.model_construct(  # every value built here, as for schemes
                    id=m.id, code=m.code, name=m.name, name_ja=m.name_ja,
                    prefecture=gaz.prefectures[int(m.prefecture) - 1].name_en,
                    score=round(float(score[i, c]), 6), components={k2: round(v, 6) for k2, v in comp.items()},
                    reasons=loc.reasons(int(c), firm, comp, top_factors[i],
                                        [(self.programs_[j].name_ja or self.programs_[j].name) if lang == "ja"
                                         else self.programs_[j].name for j in cj],
                                        len(cj), d, lang),
                    distance_km=None if d is None else round(d, 1),
                ))
            out.append(row)
        return out

    # ------------------------------------------------------------------ reverse question
    def reach(self, program: str, firms: Iterable[CompanyProfile | Mapping[str, Any]], *, top: int | None = None,
              as_of: dt.date | str | None = None, include_possible: bool = True,
              chunk_size: int | None = None, lang: str = "en") -> list[ReachHit]:
        """The firms a program fits best: whom to call first about ``program``, and why.

        Eligible firms come first, best score first; then, if ``include_possible``,
        firms that might be eligible once they give a missing fact. Firms stream through
        in chunks; only the best ``top`` are kept. ``lang``: the reasons' language, "en" or "ja".
        """
        self._check_fitted()
        top = _positive_int("top", self.top if top is None else top)
        chunk_size = _positive_int("chunk_size", self.chunk_size if chunk_size is None else chunk_size)
        as_of = parse_as_of(as_of)
        lang = check_lang(lang)
        j = self._program_index.get(program)
        if j is None:
            self.catalog_.program(program)  # raises with the closest ids
        cols = np.array([j])
        heap: list[tuple] = []  # (status rank, score, -row) smallest first: keep the best `top`
        row0 = 0
        for chunk in self._batches(firms, self._block_size(chunk_size)):
            facts, elig, X, ff, comps, score = self._score_chunk(chunk, as_of, cols)
            for i in range(len(chunk)):
                v = int(elig[i, 0])
                if v == FALSE or (v == UNKNOWN and not include_possible):
                    continue
                key = (1 if v == TRUE else 0, float(score[i, 0]), -(row0 + i))
                item = (key, row0 + i, chunk[i])
                if len(heap) < top:
                    heapq.heappush(heap, item)
                elif key > heap[0][0]:
                    heapq.heapreplace(heap, item)
            row0 += len(chunk)
        best = sorted(heap, key=lambda t: t[0], reverse=True)
        if not best:
            return []
        firms_best = [t[2] for t in best]
        facts, elig, X, ff, comps, score = self._score_chunk(firms_best, as_of, cols)
        hits = []
        for r, (key, row, firm) in enumerate(best):
            conds = self._conditions(facts, r, j)
            missing = list(dict.fromkeys(m for c in conds for m in c.missing))
            reasons = self._reasons(r, 0, firm, ff, self._dense_row(X, r), comps, cols, lang=lang)
            if elig[r, 0] == UNKNOWN:
                reasons = [c.text for c in conds if c.outcome == "unknown"] + reasons
            hits.append(ReachHit(rank=r + 1, firm_id=firm.id, firm_name=firm.name, row=row + 1,
                                 status="eligible" if elig[r, 0] == TRUE else "possible",
                                 score=round(float(score[r, 0]), 6),
                                 components={c: round(float(comps[c][r, 0]), 6) for c in COMPONENTS},
                                 reasons=reasons, missing=missing))
        return hits

    # ------------------------------------------------------------------ one program, one firm
    def explain(self, firm: CompanyProfile | Mapping[str, Any], program: str, *,
                as_of: dt.date | str | None = None) -> Explanation:
        """Why ``program`` is or is not for ``firm``: every condition in plain words, and the score."""
        self._check_fitted()
        as_of = parse_as_of(as_of)
        firm = coerce_firm(firm)
        p = self.program(program)
        j = self._program_index[p.id]
        cols = np.array([j])
        facts, elig, X, ff, comps, score = self._score_chunk([firm], as_of, cols)
        conds = self._conditions(facts, 0, j)
        return Explanation(
            as_of=as_of, company=self._company(firm),
            program=ProviderRef(id=p.id, name=p.name, name_ja=p.name_ja, kind=p.kind),
            outcome=outcome_name(int(elig[0, 0])), conditions=conds,
            missing=list(dict.fromkeys(m for c in conds for m in c.missing)),
            score=round(float(score[0, 0]), 6),
            components={c: round(float(comps[c][0, 0]), 6) for c in COMPONENTS},
            reasons=self._reasons(0, 0, firm, ff, self._dense_row(X, 0), comps, cols),
        )

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | Path) -> Path:
        """Save the fitted engine with joblib (see :func:`matcher.persistence.save_engine`)."""
        from matcher.persistence import save_engine

        return save_engine(self, path)

    @classmethod
    def load(cls, path: str | Path) -> "MatchEngine":
        """Load an engine saved by :meth:`save`. Load trusted files only (joblib runs pickle)."""
        from matcher.persistence import load_engine

        return load_engine(path)
