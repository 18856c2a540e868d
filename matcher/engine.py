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
matcher.errors.ParameterError: top must be an integer >= 1, got 0
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from profiles.catalog import Catalog
from profiles.firmcolumns import FirmColumns
from profiles.models import CompanyProfile, SupportProgram
from profiles.needs import need_ids
from profiles.validation import coerce_firm, parse_as_of
from rules import CompiledEligibility, FirmFacts, load_checked_catalog
from rules.kleene import FALSE, TRUE, UNKNOWN
from matcher._validation import check_choice, check_int, check_is_fitted
from matcher.columns import TextRows, prepare_columns
from matcher.errors import ParameterError
from matcher.crosslingual import jmdict_available
from matcher.estimator import Estimator
from matcher.explain import Explainer
from matcher.features import FirmFeatures, ProgramFeatures, components
from matcher.kernel import KERNELS, FusedMatcher
from matcher.kernel import available as kernel_available
from matcher.locations import LocationModel, recommend
from matcher.persistence import load_engine, save_engine
from matcher.reasons import check_lang
from matcher.records import firm_chunks
from matcher.results import Explanation, Ranking, ReachHit
from matcher.scored import PreparedFirms, ScoredChunk
from matcher.terms import TEXT_MODELS, TermVectorizer
from matcher.text import TextVectorizer, firm_document, program_document
from matcher.topk import top_k
from matcher.weights import COMPONENTS, MunicipalityWeights, Weights

__all__ = ["MatchEngine", "PreparedFirms", "ScoredChunk", "coerce_firm", "parse_as_of"]


#: Firm-program pairs scored at once: the (firms, programs) matrices of a chunk are built
#: for blocks of about this many pairs (some 8 MB each), whatever the catalog's size.
SCORE_CELLS = 2_000_000


class MatchEngine(Estimator):
    """Match firms with the support programs of a catalog.

    Parameters
    ----------
    weights : Weights or dict, optional
        Weights of the score's components (see :mod:`matcher.weights`).
    municipality_weights : MunicipalityWeights or dict, optional
        Weights of the municipality recommendation's components.
    top : int, default 10
        How many eligible programs to return per firm.
    possible_top : int, default 10
        How many programs that need a missing fact to return per firm. Each result's ``rank``
        places eligible and possible programs in one order (:meth:`Ranking.in_order`).
    municipalities_top : int, default 5
        How many municipalities to recommend per firm.
    max_distance_km : float, optional
        Recommend only municipalities this close to the firm, scoring nearer ones higher.
    ngram_range : tuple of int, default (2, 3)
        Character n-gram lengths of the text vectors (``text="ngrams"`` only).
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
    text : {"terms", "ngrams"}, default "terms"
        The text side: ``"terms"`` is :class:`matcher.terms.TermVectorizer` (Japanese and
        English words from a real tokenizer, English text bridged to Japanese through the
        glossary: the choice measured best on the Tokyo quality set); ``"ngrams"`` the
        earlier words + character n-grams of :class:`matcher.text.TextVectorizer`.
    jmdict : {"auto", True, False}, default "auto"
        Also bridge English words the glossary lacks to the catalog's Japanese terms through
        JMdict (:class:`matcher.crosslingual.JMdictBridge`, ``jamdict-data``); ``"auto"`` does
        when ``jamdict-data`` is installed (it is a dependency). On the Tokyo quality set it
        lifts English-described firms from nDCG@10 0.49 to 0.53.

    Attributes
    ----------
    catalog_ : Catalog
    programs_ : tuple of SupportProgram
    eligibility_ : rules.CompiledEligibility
    text_ : TermVectorizer or TextVectorizer
    program_text_ : scipy.sparse.csr_matrix, shape (n_programs, n_features)
    program_features_ : ProgramFeatures
    locations_ : LocationModel
    explainer_ : matcher.explain.Explainer
        Reasons and results (built once, from the program side).
    program_need_masks_ : ndarray of int64, shape (n_programs,)
        Each program's needs as bits of :func:`profiles.needs.need_ids`.
    n_programs_ : int
    catalog_hash_ : str
    """

    def __init__(self, weights: Weights | dict | None = None, municipality_weights: MunicipalityWeights | dict | None = None,
                 top: int = 10, possible_top: int = 10, municipalities_top: int = 5,
                 max_distance_km: float | None = None, ngram_range: tuple[int, int] = (2, 3), chunk_size: int = 1024,
                 kernel: str = "auto", text: str = "terms", jmdict: bool | str = "auto"):
        self.weights = weights
        self.municipality_weights = municipality_weights
        self.top = top
        self.possible_top = possible_top
        self.municipalities_top = municipalities_top
        self.max_distance_km = max_distance_km
        self.ngram_range = ngram_range
        self.chunk_size = chunk_size
        self.kernel = kernel
        self.text = text
        self.jmdict = jmdict

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
        jmdict = jmdict_available() if self.jmdict == "auto" else bool(self.jmdict)
        self.text_ = (TermVectorizer(jmdict=jmdict) if self.text == "terms"
                      else TextVectorizer(ngram_range=self.ngram_range)).fit(docs)
        self.program_text_ = self.text_.transform(docs)
        self._program_text_T = None  # built on first use by the matrix path (the kernel never needs it)
        self.program_features_ = ProgramFeatures.from_programs(
            catalog.programs, {c.id: tuple(c.fields) for c in catalog.clusters})
        self.locations_ = LocationModel.from_catalog(catalog)
        self.explainer_ = Explainer(catalog.programs, self.eligibility_, self.text_, self.program_text_,
                                    self.program_features_)
        need_bit = {n: b for b, n in enumerate(need_ids())}
        self.program_need_masks_ = np.array([sum(1 << need_bit[n] for n in p.needs) for p in catalog.programs],
                                            np.int64)
        self.weights_ = Weights.coerce(self.weights)
        self.municipality_weights_ = MunicipalityWeights.coerce(self.municipality_weights)
        self._fused_matcher = None
        return self

    def _check_params(self) -> None:
        Weights.coerce(self.weights)
        MunicipalityWeights.coerce(self.municipality_weights)
        check_int("top", self.top)
        check_int("chunk_size", self.chunk_size)
        for name in ("possible_top", "municipalities_top"):
            check_int(name, getattr(self, name), low=0)
        check_choice("kernel", self.kernel, KERNELS)
        check_choice("text", self.text, TEXT_MODELS)
        if self.jmdict not in ("auto", True, False):
            raise ParameterError(f"jmdict must be 'auto', True or False, got {self.jmdict!r}")
        if self.kernel == "numba" and not kernel_available():
            raise ParameterError("kernel='numba' needs numba: pip install numba (or use kernel='auto')")
        if self.max_distance_km is not None and not (isinstance(self.max_distance_km, (int, float)) and self.max_distance_km > 0):
            raise ParameterError(f"max_distance_km must be a number > 0 or None, got {self.max_distance_km!r}")

    def program(self, program_id: str) -> SupportProgram:
        """The catalog's program with this id (an unknown id names the closest ones)."""
        check_is_fitted(self)
        j = self._program_index.get(program_id)
        return self.programs_[j] if j is not None else self.catalog_.program(program_id)

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
        check_is_fitted(self)
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

    def prepare_columns(self, columns: FirmColumns, as_of: dt.date | str | None = None,
                        rows: np.ndarray | None = None) -> PreparedFirms:
        """:meth:`prepare` for firms held as columns: the checked rows of a table.

        Facts, features and text come straight from the columns of
        :func:`profiles.firmcolumns.firm_columns` (each distinct location, industry,
        description and text looked at once), with no profile per firm; the arrays are
        those :meth:`prepare` gives for the same rows' profiles, and ``profiles`` is empty.

        Parameters
        ----------
        columns : FirmColumns
            A checked table of firms.
        as_of : date or ISO string, optional
        rows : ndarray of int, optional
            The rows to prepare, rows the checks passed (default: all, which must all have passed).

        Examples
        --------
        >>> import pyarrow as pa
        >>> from profiles.firmcolumns import firm_columns
        >>> engine = MatchEngine(top=3).fit()
        >>> firm = {"municipality": "131172", "industry": "E24", "employees": 25, "needs": ["trade_fair"]}
        >>> prepared = engine.prepare_columns(firm_columns(pa.Table.from_pylist([firm])), "2026-11-21")
        >>> [engine.programs_[j].id for j in engine.match(prepared)[0][0]] == [
        ...     s.id for s in engine.rank(firm, as_of="2026-11-21").schemes]
        True
        """
        check_is_fitted(self)
        day = parse_as_of(as_of)
        rows = np.arange(columns.n) if rows is None else np.asarray(rows, np.intp)
        if not columns.plain[rows].all():
            raise ParameterError("prepare_columns takes rows the column checks passed (FirmColumns.plain)")
        return prepare_columns(self.text_rows(), columns, day, rows)

    def text_rows(self) -> TextRows:
        """The firm texts :meth:`prepare_columns` has vectorized, kept across calls (built on first
        use, anew after a refit; not saved with the engine)."""
        check_is_fitted(self)
        text_rows = getattr(self, "_text_rows", None)
        if text_rows is None or text_rows.vectorizer is not self.text_:
            text_rows = self._text_rows = TextRows(self.text_)
        return text_rows

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
        top = self.top if top is None else check_int("top", top)
        fused = self.fused_matcher()
        if fused is not None:
            idx, out, _ = fused.match(prepared, top)
            return idx, out
        n = len(prepared)
        idx = np.full((n, top), -1, np.int32)
        out = np.full((n, top), np.nan, np.float32)
        block = self.block_size(n)
        for s in range(0, n, block):
            part = prepared if block >= n else prepared.take(slice(s, s + block))
            scored = self.scores(part)
            best = top_k(np.where(scored.eligibility == TRUE, -scored.scores, np.float32(np.inf)), top)
            for i, b in enumerate(best):
                idx[s + i, :len(b)] = b
                out[s + i, :len(b)] = scored.scores[i, b]
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

    def fused_matcher(self) -> FusedMatcher | None:
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
        state.pop("_text_rows", None)
        state["_program_text_T"] = None
        return state

    def block_size(self, chunk_size: int) -> int:
        """Firms scored at once: at most ``chunk_size``, and about :data:`SCORE_CELLS` pairs."""
        return max(1, min(chunk_size, max(64, SCORE_CELLS // max(self.n_programs_, 1))))

    def scores(self, prepared: PreparedFirms, columns: np.ndarray | None = None) -> ScoredChunk:
        """Eligibility, components and scores of prepared firms: the whole ``(firms, programs)`` matrices.

        Parameters
        ----------
        prepared : PreparedFirms
            Firms from :meth:`prepare`.
        columns : ndarray of int, optional
            Score only these programs (indices into ``programs_``); default: all.

        Returns
        -------
        ScoredChunk
            The matrices, and each condition's values for explanations.
        """
        check_is_fitted(self)
        facts = prepared.facts
        parts: list[np.ndarray] = []  # each condition's values, reused by explanations
        elig = self.eligibility_.evaluate(facts, parts)
        if columns is not None:
            elig = elig[:, columns]
        comps = components(self.program_features_, prepared.features, facts, prepared.text, self._text_T(), columns,
                           program_rows=self.program_text_)
        w = self.weights_.as_dict()
        score = np.zeros_like(comps["text"])
        for name in COMPONENTS:
            score += np.float32(w[name]) * comps[name]
        return ScoredChunk(prepared, elig, comps, score, parts, columns)

    def _score(self, firms: list[CompanyProfile], as_of: dt.date, columns: np.ndarray | None = None) -> ScoredChunk:
        return self.scores(self.prepare(firms, as_of), columns)

    # ------------------------------------------------------------------ ranking
    def rank(self, firm: CompanyProfile | Mapping[str, Any], *, as_of: dt.date | str | None = None,
             top: int | None = None, explain: bool = False, lang: str = "en",
             max_distance_km: float | None = None) -> Ranking:
        """Rank the catalog's programs for one firm.

        Eligibility comes first: ``schemes`` holds only programs the firm is eligible
        for, best first; ``possible`` those it might use if it gave a missing fact (with
        the facts named); ``municipalities`` where it would be best supported; with
        ``explain``, each scheme's conditions and every ``excluded`` program with the
        conditions it fails. ``lang`` is the language of the reasons, ``"en"`` or ``"ja"``
        (the conditions' own words are English). ``max_distance_km`` overrides the engine's
        own maximum distance of recommended municipalities for this call.
        """
        return next(self.rank_many([firm], as_of=as_of, top=top, explain=explain, lang=lang,
                                   max_distance_km=max_distance_km))

    def rank_many(self, firms: Iterable[CompanyProfile | Mapping[str, Any]], *, as_of: dt.date | str | None = None,
                  top: int | None = None, explain: bool = False, chunk_size: int | None = None,
                  lang: str = "en", max_distance_km: float | None = None) -> Iterator[Ranking]:
        """Rank many firms, streaming one :class:`Ranking` per firm in input order.

        ``firms`` is any iterable of profiles or dicts, or a pandas DataFrame or pyarrow
        Table (one firm per row). Firms are scored ``chunk_size`` at a time, so memory
        stays bounded whatever their number. A firm that fails validation raises
        :class:`InputError` (``matcher batch`` collects bad rows instead).
        """
        check_is_fitted(self)
        top = check_int("top", self.top if top is None else top)
        chunk_size = check_int("chunk_size", self.chunk_size if chunk_size is None else chunk_size)
        as_of = parse_as_of(as_of)
        lang = check_lang(lang)
        if max_distance_km is not None and (isinstance(max_distance_km, bool) or not isinstance(
                max_distance_km, (int, float)) or not 0 < max_distance_km < float("inf")):
            raise ParameterError(f"max_distance_km must be a number > 0 or None, got {max_distance_km!r}")
        for chunk in firm_chunks(firms, self.block_size(chunk_size)):
            scored = self._score(chunk, as_of)
            yield from self.explainer_.rankings(scored, as_of, top, self.possible_top, explain, lang,
                                                recommend(self, scored, lang, max_distance_km=max_distance_km))

    # ------------------------------------------------------------------ reverse question
    def reach(self, program: str, firms: Iterable[CompanyProfile | Mapping[str, Any]], *, top: int | None = None,
              as_of: dt.date | str | None = None, include_possible: bool = True,
              chunk_size: int | None = None, lang: str = "en") -> list[ReachHit]:
        """The firms a program fits best: whom to call first about ``program``, and why.

        Eligible firms come first, best score first; then, if ``include_possible``,
        firms that might be eligible once they give a missing fact. Firms stream through
        in chunks; only the best ``top`` are kept. ``lang``: the reasons' language, "en" or "ja".
        """
        check_is_fitted(self)
        top = check_int("top", self.top if top is None else top)
        chunk_size = check_int("chunk_size", self.chunk_size if chunk_size is None else chunk_size)
        as_of = parse_as_of(as_of)
        lang = check_lang(lang)
        j = self._program_index.get(program)
        if j is None:
            self.catalog_.program(program)  # raises with the closest ids
        cols = np.array([j])
        heap: list[tuple] = []  # (status rank, score, -row) smallest first: keep the best `top`
        row0 = 0
        for chunk in firm_chunks(firms, self.block_size(chunk_size)):
            scored = self._score(chunk, as_of, cols)
            elig, score = scored.eligibility, scored.scores
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
        scored = self._score([t[2] for t in best], as_of, cols)
        return self.explainer_.reach_hits(scored, [t[1] for t in best], lang)

    # ------------------------------------------------------------------ one program, one firm
    def explain(self, firm: CompanyProfile | Mapping[str, Any], program: str, *,
                as_of: dt.date | str | None = None, lang: str = "en") -> Explanation:
        """Why ``program`` is or is not for ``firm``: every condition in plain words (``lang``:
        ``"en"`` or ``"ja"``), and the score."""
        check_is_fitted(self)
        as_of = parse_as_of(as_of)
        lang = check_lang(lang)
        firm = coerce_firm(firm)
        p = self.program(program)
        scored = self._score([firm], as_of, np.array([self._program_index[p.id]]))
        return self.explainer_.explanation(scored, as_of, lang)

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | Path) -> Path:
        """Save the fitted engine (see :func:`matcher.persistence.save_engine`)."""
        return save_engine(self, path)

    @classmethod
    def load(cls, path: str | Path) -> "MatchEngine":
        """Load an engine saved by :meth:`save`. Load trusted files only (engine files are pickles)."""
        return load_engine(path)
