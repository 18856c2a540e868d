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

import numpy as np

from profiles.catalog import Catalog
from profiles.geography import distance_km, gazetteer
from profiles.industries import division_of, industry_label, resolve_industry
from profiles.models import ASSET_FACTORS, CompanyProfile
from rules.facts import FirmFacts
from matcher.reasons import factor_label, field_label, say
from matcher.weights import MunicipalityWeights, scoring_data

__all__ = ["LocationModel", "industry_field"]

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
