"""Municipality recommendations: where would this firm be best supported?

For each municipality the catalog profiles, four components in [0, 1]:

``support``
    the local support the firm would be eligible for if it were located there: the
    sum of the (location-free) scores of the eligible programs offered in that
    municipality or its prefecture, divided by the best such sum among the candidates;
``assets``
    the municipality's assets weighted for the firm's industry field by Table 4 of the
    IDE discussion paper (``matcher/data/location_weights.yaml``): the share of the
    weight of the factors it has evidence of (transport, vacant sites and incubators
    count too for a firm seeking a site);
``industry``
    1 when the firm's major group is among the municipality's industry strengths, 0.75
    for its division, 0.8 when one of its clusters works in the firm's field, else 0;
``distance``
    only when a maximum distance is asked: ``1 - d / max`` from the firm's
    municipality, candidates beyond it dropped.

The score is their weighted sum (:class:`~matcher.weights.MunicipalityWeights`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from profiles.catalog import Catalog
from profiles.geography import distance_km, gazetteer
from profiles.industries import division_of, industry_label, resolve_industry
from profiles.models import ASSET_FACTORS, CompanyProfile
from rules.facts import FirmFacts
from rules.kleene import TRUE
from matcher.reasons import factor_label, field_label, say
from matcher.results import MunicipalityMatch
from matcher.scored import ScoredChunk
from matcher.topk import top_k
from matcher.weights import COMPONENTS, MunicipalityWeights, scoring_data

if TYPE_CHECKING:  # pragma: no cover - the engine calls recommend(), never the other way
    from matcher.engine import MatchEngine

__all__ = ["LocationModel", "industry_field", "recommend", "weights_of"]

_FACTOR_WORDS = {
    "industrial_zone": "industrial zone", "nucleus_firms": "nucleus firms", "government_support": "government support",
    "universities_institutes": "universities and research institutes", "human_resource_pool": "human-resource pool",
    "environment": "environment", "related_firms": "related firms", "key_person": "key people",
    "transport_access": "transport access", "vacant_sites": "vacant land and factories", "incubators": "incubators",
}


def industry_field(industry: str | None) -> str | None:
    """The Table 4 field of a JSIC code (``None`` when the industry is not given).

    >>> industry_field("E24"), industry_field("P83"), industry_field("I52")
    ('car_machinery', 'bio_medical', 'other')
    """
    if industry is None:
        return None
    table = scoring_data("location_weights.yaml")["industry_fields"]
    return table.get(industry) or table.get(division_of(industry)) or "other"


@dataclass
class LocationModel:
    """The candidate municipalities of a catalog, encoded for scoring."""

    codes: tuple[str, ...]
    index: np.ndarray  # gazetteer index of each candidate
    prefecture: np.ndarray  # 0..46
    has: np.ndarray  # (C, n_factors) bool
    evidence: tuple[dict[str, tuple[str, ...]], ...]
    strengths: tuple[tuple[str, ...], ...]
    cluster_fields: tuple[set[str], ...]
    cluster_names: tuple[tuple[str, ...], ...]

    @classmethod
    def from_catalog(cls, catalog: Catalog) -> "LocationModel":
        gaz = gazetteer()
        munis = catalog.municipalities
        clusters = {c.id: c for c in catalog.clusters}
        has = np.array([[bool(getattr(m.assets, f)) for f in ASSET_FACTORS] for m in munis], bool).reshape(len(munis), len(ASSET_FACTORS))
        return cls(
            codes=tuple(m.code for m in munis),
            index=np.array([gaz.index(m.code) for m in munis], np.int32),
            prefecture=np.array([int(m.prefecture) - 1 for m in munis], np.int16),
            has=has,
            evidence=tuple({f: getattr(m.assets, f) for f in ASSET_FACTORS if getattr(m.assets, f)} for m in munis),
            strengths=tuple(m.industry_strengths for m in munis),
            cluster_fields=tuple({f for cid in m.clusters if cid in clusters for f in clusters[cid].fields} for m in munis),
            cluster_names=tuple(tuple(clusters[cid].name for cid in m.clusters if cid in clusters) for m in munis),
        )

    def relocate(self, facts: FirmFacts) -> FirmFacts:
        """Every firm at every candidate: row ``i * C + c`` is firm ``i`` moved to candidate ``c``."""
        C = len(self.codes)
        rows = np.repeat(np.arange(facts.n), C)
        moved = facts.take(rows)
        moved.municipality = np.tile(self.index, facts.n).astype(np.int32)
        moved.prefecture = np.tile(self.prefecture, facts.n).astype(np.int16)
        return moved

    def asset_scores(self, firms: list[CompanyProfile]) -> tuple[np.ndarray, list[list[str]]]:
        """(n, C) asset component and, per firm, the factors that weighed most."""
        lw = scoring_data("location_weights.yaml")
        factors = lw["factors"]
        out = np.zeros((len(firms), len(self.codes)), np.float32)
        tops = []
        for i, f in enumerate(firms):
            field = industry_field(f.industry) or "other"
            w = dict(zip(factors, lw["fields"][field]))
            if f.seeking_location or "site" in f.needs:
                w.update(lw["site_factors"])
            vec = np.array([w.get(k, 0.0) for k in ASSET_FACTORS], np.float32)
            total = vec.sum()
            out[i] = (self.has @ vec) / total if total else 0
            tops.append([ASSET_FACTORS[k] for k in np.argsort(-vec, kind="stable") if vec[k] > 0])
        return out, tops

    def industry_scores(self, firms: list[CompanyProfile]) -> np.ndarray:
        out = np.zeros((len(firms), len(self.codes)), np.float32)
        for i, f in enumerate(firms):
            if f.industry is None:
                continue
            field = industry_field(f.industry)
            for c in range(len(self.codes)):
                s = self.strengths[c]
                v = 0.0
                if f.industry in s or (len(f.industry) == 1 and any(x[0] == f.industry for x in s)):
                    v = 1.0
                elif any(division_of(x) == division_of(f.industry) for x in s):
                    v = 0.75
                if field != "other" and field in self.cluster_fields[c]:
                    v = max(v, 0.8)
                out[i, c] = v
        return out

    def distances(self, facts: FirmFacts) -> np.ndarray:
        """(n, C) km from each firm's municipality (NaN when it has none)."""
        gaz = gazetteer()
        m = facts.municipality
        lat = np.where(m >= 0, gaz.lat[np.maximum(m, 0)], np.nan)
        lng = np.where(m >= 0, gaz.lng[np.maximum(m, 0)], np.nan)
        return distance_km(lat[:, None], lng[:, None], gaz.lat[self.index][None, :], gaz.lng[self.index][None, :])

    def reasons(self, c: int, firm: CompanyProfile, comps: dict[str, float], top_factors: list[str],
                local: list[str], n_local: int, distance: float | None, lang: str = "en") -> list[str]:
        ja = lang == "ja"
        sep = "、" if ja else ", "
        out = []
        if n_local:
            examples = say("examples", lang, names=sep.join(local[:3])) if local else ""
            out.append(say("local_programs", lang, n=n_local, plural="s" if n_local != 1 else "", examples=examples))
        shown = [f for f in top_factors if f in self.evidence[c]][:3]
        if shown:
            field = field_label(industry_field(firm.industry) or "other", lang)
            parts = [f"{factor_label(f, _FACTOR_WORDS[f], lang)} ({'; '.join(self.evidence[c][f][:2])})" for f in shown]
            out.append(say("assets", lang, field=field, assets=sep.join(parts)))
        if firm.industry and comps["industry"] >= 0.75 and self.strengths[c]:
            labels = [f"{s} {resolve_industry(s).name_ja}" if ja else industry_label(s) for s in self.strengths[c][:3]]
            out.append(say("strengths", lang, industries=sep.join(labels)))
        if comps["industry"] and self.cluster_names[c]:
            out.append(say("clusters", lang, names=sep.join(self.cluster_names[c][:3])))
        if distance is not None and not np.isnan(distance):
            out.append(say("distance", lang, km=f"{distance:,.0f}"))
        return out


def weights_of(weights: MunicipalityWeights, with_distance: bool) -> dict[str, float]:
    w = weights.as_dict()
    if not with_distance:
        w["distance"] = 0.0
    return w


def recommend(engine: "MatchEngine", chunk: ScoredChunk, lang: str = "en",
              max_distance_km: float | None = None) -> list[list[MunicipalityMatch]]:
    """The ``engine.municipalities_top`` municipalities recommended to each firm of ``chunk``.

    ``max_distance_km``, when given, replaces ``engine.max_distance_km`` for this call.

    ``chunk`` is scored against every program (:meth:`MatchEngine.scores
    <matcher.engine.MatchEngine.scores>` without columns). Each firm is placed at
    every candidate municipality: the conditions that read no location keep their
    values (``chunk.parts``), the others are evaluated again.
    """
    firms, facts, comps = chunk.profiles, chunk.facts, chunk.components
    loc = engine.locations_
    C = len(loc.codes)
    k = engine.municipalities_top
    if C == 0 or k == 0:
        return [[] for _ in firms]
    n = len(firms)
    moved = loc.relocate(facts)
    eligibility = engine.eligibility_
    if len(chunk.parts) == len(eligibility.conditions) and chunk.eligibility.shape[1] == engine.n_programs_:
        e_moved = eligibility.evaluate_relocated(facts, chunk.parts, moved)
    else:
        e_moved = eligibility.evaluate(moved)
    e_moved = e_moved.reshape(n, C, -1) == TRUE
    pf = engine.program_features_
    local = (pf.home_municipality[None, :] == loc.index[:, None]) | (
        pf.home_prefecture[loc.prefecture] & (pf.home_municipality[None, :] < 0))  # (C, M)
    w = engine.weights_.as_dict()
    base = sum(np.float32(w[c]) * comps[c] for c in COMPONENTS if c != "locality")  # (n, M)
    useful = e_moved & local[None, :, :]
    support_raw = (useful * base[:, None, :]).sum(axis=2)
    top_support = support_raw.max(axis=1, keepdims=True)
    support = np.divide(support_raw, top_support, out=np.zeros_like(support_raw), where=top_support > 0)
    assets, top_factors = loc.asset_scores(firms)
    industry = loc.industry_scores(firms)
    dist = loc.distances(facts)
    maxd = engine.max_distance_km if max_distance_km is None else max_distance_km
    if maxd is not None:
        distance = np.clip(1 - np.nan_to_num(dist, nan=np.inf) / maxd, 0, 1).astype(np.float32)
    else:
        distance = np.zeros_like(support)
    mw = weights_of(engine.municipality_weights_, maxd is not None)
    score = mw["support"] * support + mw["assets"] * assets + mw["industry"] * industry + mw["distance"] * distance
    allowed = np.ones_like(score, bool) if maxd is None else (np.nan_to_num(dist, nan=np.inf) <= maxd)
    keys = np.where(allowed, -score, np.inf)
    picks = top_k(keys, k)
    gaz = gazetteer()
    programs = engine.programs_
    out = []
    for i, firm in enumerate(firms):
        row = []
        for c in picks[i]:
            m = engine.catalog_.municipality(loc.codes[c])
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
                                    [(programs[j].name_ja or programs[j].name) if lang == "ja"
                                     else programs[j].name for j in cj],
                                    len(cj), d, lang),
                distance_km=None if d is None else round(d, 1),
            ))
        out.append(row)
    return out
