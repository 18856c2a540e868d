"""Reasons and results: turning a :class:`~matcher.scored.ScoredChunk` into rankings, hits and explanations.

:class:`Explainer` is built once when the engine is fitted (it keeps the fields of a
result that depend only on the program); the engine asks it for the words of
:meth:`~matcher.engine.MatchEngine.rank`, :meth:`~matcher.engine.MatchEngine.reach`
and :meth:`~matcher.engine.MatchEngine.explain`. The words themselves, in English
and Japanese, are in :mod:`matcher.reasons`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import scipy.sparse as sp

from profiles.audiences import TARGET_GROUPS
from profiles.geography import gazetteer
from profiles.industries import industry_label, resolve_industry
from profiles.models import CompanyProfile, SupportProgram
from profiles.needs import NEEDS
from rules import CompiledEligibility
from rules.facts import target_group_bits
from rules.kleene import FALSE, TRUE, UNKNOWN, outcome_name
from matcher.features import ProgramFeatures
from matcher.fields import covers, field_fits
from matcher.reasons import fact_label, field_label, kind_label, say, with_article
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
    construct,
)
from matcher.scored import ScoredChunk
from matcher.text import TextVectorizer, matching_terms, matching_terms_many
from matcher.topk import top_k
from matcher.weights import COMPONENTS, scoring_data

__all__ = ["Explainer", "company_fields", "described_on", "is_stale", "provider_ref"]

_NEED = {n.id: n for n in NEEDS}
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def provider_ref(p: SupportProgram) -> ProviderRef:
    """The provider of a program, as results show it."""
    return ProviderRef(id=p.provider.id, name=p.provider.name, name_ja=p.provider.name_ja, kind=p.provider.kind)


def company_fields(firm: CompanyProfile) -> dict[str, Any]:
    """The firm as a result shows it: its fields, with its location and industry in words."""
    out = firm.model_dump(mode="json", exclude_none=True)
    out["needs"] = list(firm.needs)
    if firm.municipality:
        out["location"] = gazetteer().get(firm.municipality).label
    elif firm.prefecture:
        out["location"] = gazetteer().prefectures[int(firm.prefecture) - 1].name_en
    if firm.industry:
        out["industry_name"] = resolve_industry(firm.industry).name_en
    return out


def described_on(p: SupportProgram) -> dt.date | None:
    """The date of the newest of a program's sources: each source's ``document_date``, else the
    date its document gives of itself (``matcher/data/document_dates.yaml``); ``None`` if no date is known.

    >>> from profiles.catalog import load_catalog
    >>> described_on(load_catalog().program("kita-trade-fair-subsidy"))
    datetime.date(2016, 4, 12)
    """
    documents = scoring_data("document_dates.yaml")["documents"]
    days = [s.document_date or documents.get(s.file) for s in p.source]
    days = [d for d in days if d is not None]
    return max(days) if days else None


def is_stale(day: dt.date | None, as_of: dt.date, years: float | None = None) -> bool:
    """Whether a source dated ``day`` is more than ``years`` (default 5) years before ``as_of``.

    >>> is_stale(dt.date(2005, 12, 1), dt.date(2026, 11, 21)), is_stale(dt.date(2024, 1, 1), dt.date(2026, 11, 21))
    (True, False)
    >>> is_stale(None, dt.date(2026, 11, 21)), is_stale(dt.date(2016, 4, 12), dt.date(2026, 11, 21), years=20)
    (False, False)
    """
    if day is None:
        return False
    years = scoring_data("document_dates.yaml")["stale_after_years"] if years is None else years
    if not (isinstance(years, (int, float)) and years >= 0):
        raise ValueError(f"years must be a number >= 0, got {years!r}")
    return (as_of - day).days > years * 365.25


def _static_fields(p: SupportProgram) -> dict[str, Any]:
    """The fields of a result that depend only on the program, built once at fit."""
    return {"id": p.id, "name": p.name, "name_ja": p.name_ja, "kind": p.kind, "provider": provider_ref(p),
            "description": p.description, "url": p.url, "described_on": described_on(p),
            "benefit": p.benefit.model_dump(mode="json", exclude_none=True) if p.benefit else None,
            **_actionable(p)}


def _actionable(p: SupportProgram) -> dict[str, Any]:
    """What a coordinator needs to act on ``p``: summary, window, contact, who delivers it, its sources
    (and the description and summary in Japanese, when the catalog gives them)."""
    def dump(m: Any) -> dict[str, Any] | None:
        return m.model_dump(mode="json", exclude_none=True, exclude_defaults=True) or None if m is not None else None

    return {"summary": p.summary, "summary_ja": p.summary_ja, "description_ja": p.description_ja,
            "valid_from": p.valid_from, "valid_until": p.valid_until,
            "application_start": p.application_start, "application_deadline": p.application_deadline,
            "contact": dump(p.contact), "delivered_by": dump(p.delivered_by),
            "source": [s.model_dump(mode="json", exclude_none=True, exclude_defaults=True) for s in p.source]}


#: The fields of a scheme (and of a possible program) that come from the catalog as they are.
_PROGRAM_FIELDS = ("summary", "summary_ja", "description_ja", "benefit", "url", "valid_from", "valid_until", "application_start",
                   "application_deadline", "contact", "delivered_by", "source", "description")


@dataclass(frozen=True)
class _Firm:
    """What the reasons read of one firm, read once for all the programs of its ranking."""

    profile: CompanyProfile
    needs: frozenset[str]
    inferred: dict[str, str]
    attributes: int

    @classmethod
    def of(cls, chunk: ScoredChunk, i: int) -> "_Firm":
        profile = chunk.profiles[i]
        return cls(profile, frozenset(profile.needs), chunk.features.inferred[i], int(chunk.facts.attributes[i]))


@lru_cache(maxsize=None)
def _fixed_words(key: str, lang: str) -> str:
    """A reason without placeholders ("open to any industry"), worded once per language."""
    return say(key, lang)


@lru_cache(maxsize=None)
def _kind_words(kind: str, lang: str) -> str:
    """The reason "the firm wants a loan", worded once per kind of program and language."""
    label = kind_label(kind, lang)
    return say("kind", lang, kind=label, a_kind=with_article(label))


def _missing_of(conds: list[Condition]) -> list[str]:
    return list(dict.fromkeys(m for c in conds for m in c.missing))


class Explainer:
    """The reasons and results of a fitted engine.

    Parameters
    ----------
    programs : sequence of SupportProgram
        The catalog's programs (the columns of every score matrix).
    eligibility : rules.CompiledEligibility
    text : TextVectorizer
    program_text : scipy.sparse.csr_matrix
        The programs' text vectors.
    program_features : ProgramFeatures
    """

    def __init__(self, programs: Sequence[SupportProgram], eligibility: CompiledEligibility, text: TextVectorizer,
                 program_text: sp.csr_matrix, program_features: ProgramFeatures):
        self.programs = tuple(programs)
        self.eligibility = eligibility
        self.text = text
        self.program_text = program_text
        self.program_features = program_features
        self._static: dict[int, dict[str, Any]] = {j: _static_fields(p) for j, p in enumerate(self.programs)}
        # days since 1970 of each program's newest source (-1: no date known), for the stale share
        self.described_days = np.array([(st["described_on"] - dt.date(1970, 1, 1)).days if st["described_on"] else -1
                                        for st in self._static.values()], dtype=np.int64)
        self._results: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}

    def _result_fields(self, j: int) -> tuple[dict[str, Any], dict[str, Any]]:
        """Program ``j``'s static fields as a scheme and as a possible program take them (benefit apart)."""
        fields = self._results.get(j)
        if fields is None:
            st = self.static(j)
            fields = self._results[j] = (
                {k: v for k, v in st.items() if k != "benefit"},
                {k: st.get(k) for k in _PROGRAM_FIELDS if k != "benefit" and k in st})
        return fields

    def static(self, j: int) -> dict[str, Any]:
        """The fields of program ``j``'s results that depend only on the program: built at fit; an engine read
        from a file builds them on first use, then keeps them (a ranking shows a few programs, and the
        file's programs are built only when shown: :class:`matcher.persistence.LazyPrograms`)."""
        st = self._static.get(j)
        if st is None:
            st = self._static[j] = _static_fields(self.programs[j])
        return st

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_static"], state["_results"] = {}, {}  # rebuilt on first use
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state.pop("static", None)  # engines pickled when the fields were built at fit
        state.setdefault("_static", {})
        state.setdefault("_results", {})
        self.__dict__.update(state)

    #: A program whose newest source is older than this many years before the as-of date is
    #: marked ``stale`` in results (``matcher/data/document_dates.yaml``); the score is unchanged,
    #: its place in the order is not (:meth:`order_keys`).
    stale_after_years: float = scoring_data("document_dates.yaml")["stale_after_years"]
    #: The shares of the score by which possible and stale programs rank (``scoring.yaml``: ``ordering``).
    ordering: dict = scoring_data()["ordering"]

    def stale_mask(self, as_of: dt.date, columns: np.ndarray | None = None) -> np.ndarray:
        """Whether each program (or each of ``columns``) is stale on ``as_of`` (see :func:`is_stale`)."""
        days = self.described_days if columns is None else self.described_days[columns]
        limit = (as_of - dt.date(1970, 1, 1)).days - self.stale_after_years * 365.25
        return (days >= 0) & (days < limit)

    def order_keys(self, chunk: ScoredChunk, as_of: dt.date) -> np.ndarray:
        """What eligible and possible programs are ordered by: the score, times the ``stale`` share for a
        stale program and the ``possible`` share for one whose eligibility is unknown; ``-inf`` where the
        firm is not eligible."""
        share = np.where(self.stale_mask(as_of, chunk.columns), np.float32(self.ordering["stale"]), np.float32(1))
        key = chunk.scores * share
        key = np.where(chunk.eligibility == UNKNOWN, key * np.float32(self.ordering["possible"]), key)
        return np.where(chunk.eligibility == FALSE, np.float32(-np.inf), key).astype(np.float32)

    # ------------------------------------------------------------------ words
    def reasons(self, chunk: ScoredChunk, i: int, j: int, dense: np.ndarray, lang: str = "en",
                terms: list[str] | None = None, firm: "_Firm | None" = None) -> list[str]:
        """Why column ``j`` suits firm ``i`` of ``chunk`` (``dense``: the firm's text row; ``terms``: the
        shared terms of :func:`~matcher.text.matching_terms`, and ``firm``: what the reasons read of firm
        ``i``, when computed beforehand for many programs)."""
        col = chunk.program(j)
        if firm is None:
            firm = _Firm.of(chunk, i)
        if terms is None:
            terms = matching_terms(self.text, dense, self.program_text, col)
        p = self.programs[col]
        profile = firm.profile
        ja = lang == "ja"
        out = []

        def need(n: str) -> str:
            return _NEED[n].label_ja if ja else _NEED[n].label_en

        stated = [n for n in p.needs if n in firm.needs]
        if stated:
            out.append(say("needs", lang, needs=("、" if ja else ", ").join(need(n) for n in stated)))
        inferred = [n for n in p.needs if n in firm.inferred] if firm.inferred else []
        if inferred:
            out.append(say("inferred", lang, needs=("、" if ja else ", ").join(
                f"{need(n)} ({firm.inferred[n]})" for n in inferred)))
        if ja:  # the Japanese view quotes the shared Japanese terms; English ones would read as untranslated
            # (the vectorizer lowercases: "it導入" was written IT導入, as Latin inside Japanese words is)
            terms = [re.sub(r"[a-z]+", lambda m: m.group().upper(), t) for t in terms if _JAPANESE.search(t)]
        if terms:
            out.append(say("terms", lang, terms=("、" if ja else ", ").join(terms)))
        comps = chunk.components
        ind = float(comps["industry"][i, j])
        pf = self.program_features
        targets = pf.targets[col]
        fields = pf.fields[col] if pf.fields else frozenset()
        industry = profile.industry
        in_field = sorted(fields & field_fits(industry)) if fields and industry else []
        groups = pf.groups
        member = firm.attributes & int(groups[col]) if groups is not None and firm.attributes else 0
        if member and not any(covers(code, industry) for code in targets if industry):
            names = [(a.name_ja if ja else a.name) for g, a in TARGET_GROUPS.items() if member & target_group_bits()[g]]
            out.append(say("group", lang, groups=("、" if ja else ", ").join(names)))
        elif in_field and not any(covers(code, industry) for code in targets) and ind >= 0.75:
            out.append(say("cluster_field", lang, field=("、" if ja else ", ").join(field_label(f, lang) for f in in_field)))
        elif targets and ind >= 0.75 and industry:
            label = f"{industry} {resolve_industry(industry).name_ja}" if ja else industry_label(industry)
            out.append(say("industry", lang, industry=label))
        elif not targets and not (groups is not None and groups[col]):
            out.append(_fixed_words("any_industry", lang))
        loc = float(comps["locality"][i, j])
        if loc >= 1.0:
            gov = gazetteer().get(profile.municipality)
            out.append(say("own_municipality", lang, place=f"{gov.prefecture_ja}{gov.full_name_ja}" if ja else gov.label))
        elif loc >= 0.7 and profile.prefecture:
            pref = gazetteer().prefectures[int(profile.prefecture) - 1]
            out.append(say("own_prefecture", lang, place=pref.name_ja if ja else pref.name_en))
        elif pf.national[col]:
            out.append(_fixed_words("national", lang))
        if comps["kind"][i, j] > 0:
            out.append(_kind_words(p.kind, lang))
        return out

    def conditions(self, chunk: ScoredChunk, i: int, program: int,
                   outcomes: tuple[int, ...] = (FALSE, UNKNOWN, TRUE), lang: str = "en",
                   words: dict | None = None) -> list[Condition]:
        """Program ``program``'s conditions for firm ``i`` with one of ``outcomes``, in plain words (``lang``;
        ``words``: a dict kept for firm ``i`` across programs, see :meth:`rules.CompiledEligibility.explain`)."""
        return [construct(Condition, condition=c.condition, outcome=outcome_name(c.value), text=c.text,
                          missing=list(c.missing))
                for c in self.eligibility.explain(chunk.facts, program, row=i, parts=chunk.parts, outcomes=outcomes,
                                                  lang=lang, words=words)]

    def missing(self, chunk: ScoredChunk, i: int, program: int) -> list[str]:
        """The facts firm ``i`` would have to give to settle program ``program``'s unknown conditions."""
        out: list[str] = []
        for c in self.eligibility.explain(chunk.facts, program, row=i, parts=chunk.parts, outcomes=(UNKNOWN,)):
            out.extend(m for m in c.missing if m not in out)
        return out

    # ------------------------------------------------------------------ results
    def rankings(self, chunk: ScoredChunk, as_of: dt.date, top: int, possible_top: int, explain: bool, lang: str,
                 municipalities: list[list[MunicipalityMatch]]) -> Iterator[Ranking]:
        """One :class:`Ranking` per firm of ``chunk`` (scored against every program)."""
        elig, comps, score = chunk.eligibility, chunk.components, chunk.scores
        inf = np.float32(np.inf)
        key = self.order_keys(chunk, as_of)
        best = top_k(np.where(elig == TRUE, -key, inf), top)
        maybe = top_k(np.where(elig == UNKNOWN, -key, inf), possible_top)
        for i, firm in enumerate(chunk.profiles):
            # one order over both lists: by key, an eligible program before a possible one at equal key
            merged = sorted([(-float(key[i, j]), 0, n) for n, j in enumerate(best[i].tolist())]
                            + [(-float(key[i, j]), 1, n) for n, j in enumerate(maybe[i].tolist())])
            ranks = {(kind, n): r for r, (_, kind, n) in enumerate(merged, start=1)}
            dense = chunk.dense_text(i)
            words: dict = {}  # the words of conditions several programs share (the SME test), for this firm
            about = _Firm.of(chunk, i)
            shown = best[i].tolist() + maybe[i].tolist()
            terms = dict(zip(shown, matching_terms_many(self.text, dense, self.program_text,
                                                        [chunk.program(j) for j in shown])))
            schemes = []
            # every component and the score of the eligible ones, rounded in one numpy call
            table = np.round(np.stack([comps[c][i, best[i]] for c in COMPONENTS] + [score[i, best[i]]])
                             .astype(np.float64), 6).tolist()
            rounded, scores = dict(zip(COMPONENTS, table[:-1])), table[-1]
            for n, j in enumerate(best[i].tolist()):
                comp = {c: rounded[c][n] for c in COMPONENTS}
                # construct (model_construct, faster): every value here is built by the engine, no need to re-validate
                st = self.static(j)
                schemes.append(construct(
                    Scheme,
                    **self._result_fields(j)[0], benefit=dict(st["benefit"]) if st["benefit"] else None,
                    score=scores[n], rank=ranks[0, n], components=comp,
                    stale=is_stale(st["described_on"], as_of, self.stale_after_years),
                    reasons=self.reasons(chunk, i, j, dense, lang=lang, terms=terms[j], firm=about),
                    eligibility=self.conditions(chunk, i, j, lang=lang, words=words) if explain else None))
            possible = []
            maybe_scores = [round(v, 6) for v in score[i, maybe[i]].tolist()]
            maybe_comps = {c: [round(v, 6) for v in comps[c][i, maybe[i]].tolist()] for c in COMPONENTS}
            for n, j in enumerate(maybe[i].tolist()):
                st = self.static(j)
                conds = self.conditions(chunk, i, j, (UNKNOWN,), lang, words)
                missing = _missing_of(conds)
                unknown = [c.text for c in conds]
                hint = [say("settle", lang, facts=("、" if lang == "ja" else ", ").join(fact_label(m, lang) for m in missing))
                        ] if missing else []
                possible.append(construct(
                    Possible,
                    id=st["id"], name=st["name"], name_ja=st["name_ja"], kind=st["kind"], provider=st["provider"],
                    **self._result_fields(j)[1],
                    benefit=dict(st["benefit"]) if st.get("benefit") else None,
                    score=maybe_scores[n], rank=ranks[1, n],
                    components={c: maybe_comps[c][n] for c in COMPONENTS}, missing=missing,
                    described_on=st["described_on"], stale=is_stale(st["described_on"], as_of, self.stale_after_years),
                    reasons=unknown + hint + self.reasons(chunk, i, j, dense, lang=lang, terms=terms[j], firm=about)))
            excluded = None
            if explain:
                excluded = []
                for j in np.flatnonzero(elig[i] == FALSE):
                    conds = self.conditions(chunk, i, int(j), (FALSE,), lang, words)
                    excluded.append(construct(Excluded, id=self.programs[j].id, name=self.programs[j].name,
                                              name_ja=self.programs[j].name_ja, failed=[c.text for c in conds]))
            yield construct(Ranking, as_of=as_of, company=company_fields(firm), schemes=schemes, possible=possible,
                            municipalities=municipalities[i], excluded=excluded)

    def reach_hits(self, chunk: ScoredChunk, rows: list[int], lang: str = "en") -> list[ReachHit]:
        """The hits of :meth:`~matcher.engine.MatchEngine.reach`: ``chunk`` holds the best firms, best first,
        scored against the one program, and ``rows`` their input rows (from 0)."""
        j = chunk.program(0)
        elig, comps, score = chunk.eligibility, chunk.components, chunk.scores
        hits = []
        for r, (row, firm) in enumerate(zip(rows, chunk.profiles)):
            conds = self.conditions(chunk, r, j, lang=lang)
            reasons = self.reasons(chunk, r, 0, chunk.dense_text(r), lang=lang)
            if elig[r, 0] == UNKNOWN:
                reasons = [c.text for c in conds if c.outcome == "unknown"] + reasons
            hits.append(ReachHit(rank=r + 1, firm_id=firm.id, firm_name=firm.name, row=row + 1,
                                 status="eligible" if elig[r, 0] == TRUE else "possible",
                                 score=round(float(score[r, 0]), 6),
                                 components={c: round(float(comps[c][r, 0]), 6) for c in COMPONENTS},
                                 reasons=reasons, missing=_missing_of(conds)))
        return hits

    def explanation(self, chunk: ScoredChunk, as_of: dt.date, lang: str = "en") -> Explanation:
        """The answer of :meth:`~matcher.engine.MatchEngine.explain`: one firm, one program, in ``lang``."""
        j = chunk.program(0)
        p = self.programs[j]
        firm = chunk.profiles[0]
        conds = self.conditions(chunk, 0, j, lang=lang)
        return Explanation(
            as_of=as_of, company=company_fields(firm),
            program=ProviderRef(id=p.id, name=p.name, name_ja=p.name_ja, kind=p.kind),
            outcome=outcome_name(int(chunk.eligibility[0, 0])), conditions=conds,
            missing=_missing_of(conds),
            score=round(float(chunk.scores[0, 0]), 6),
            components={c: round(float(chunk.components[c][0, 0]), 6) for c in COMPONENTS},
            reasons=self.reasons(chunk, 0, 0, chunk.dense_text(0), lang=lang),
        )
