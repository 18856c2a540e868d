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
    for its division; through its clusters (``cluster_fit`` in the same file): 1 when a
    cluster based in the municipality names the firm's industry, 0.9 when it works in the
    firm's field (a medical-device maker, E27, in a bio-medical cluster), 0.6 and 0.5 for a
    regional project covering a whole region, 0.5 for a project open to
    every industry (no fields, no industries); the best of these, else 0;
``distance``
    ``exp(-d / scale_km)`` for ``d`` km from the firm's municipality (``distance.scale_km``,
    20 km by default: 1 at its own municipality, 0.37 at 20 km, 0.05 at 60 km); always
    part of the score. With a maximum distance, candidates beyond it are dropped too.

``support`` counts the best ``support.programs`` (3) local programs only, so that a
municipality the catalog describes in more detail does not win on the count alone.

The score is their weighted mean, in [0, 1] (:class:`~matcher.weights.MunicipalityWeights`). When a
recommended municipality is farther than one ranked below it (usually the firm's own),
its reasons say which components put it ahead.
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
from rules.kleene import TRUE, UNKNOWN
from matcher.fields import covers, field_fits, industry_field
from matcher.reasons import factor_label, field_label, say
from matcher.results import MunicipalityMatch, construct
from matcher.scored import ScoredChunk
from matcher.topk import top_k
from matcher.weights import COMPONENTS, MunicipalityWeights, scoring_data

if TYPE_CHECKING:  # pragma: no cover - the engine calls recommend(), never the other way
    from matcher.engine import MatchEngine

__all__ = ["LocationModel", "distance_score", "field_fits", "industry_field", "recommend", "weights_of"]

_WORDS = {
    "ahead": {"en": "ranked above {name}, {km} km nearer, for {why}", "ja": "{km} km 近い{name}より上位の理由: {why}"},
    "support": {"en": "more local support the firm is eligible for", "ja": "利用できる地域の支援が多い"},
    "assets": {"en": "assets that matter for its industry", "ja": "業種に重要な地域資源がある"},
    "industry": {"en": "industry strengths or clusters in its field", "ja": "業種に合う得意産業・クラスターがある"},
    "home": {"en": "the firm's own municipality", "ja": "企業の所在地"},
}

_FACTOR_WORDS = {
    "industrial_zone": "industrial zone", "nucleus_firms": "nucleus firms", "government_support": "government support",
    "universities_institutes": "universities and research institutes", "human_resource_pool": "human-resource pool",
    "environment": "environment", "related_firms": "related firms", "key_person": "key people",
    "transport_access": "transport access", "vacant_sites": "vacant land and factories", "incubators": "incubators",
}


def distance_score(km, scale_km: float | None = None) -> np.ndarray:
    """The distance component: ``exp(-km / scale_km)``, 0 where the distance is unknown.

    >>> [round(float(v), 2) for v in distance_score(np.array([0.0, 30.0, 90.0, np.nan]), 30.0)]
    [1.0, 0.37, 0.05, 0.0]
    """
    scale = float(scoring_data("location_weights.yaml")["distance"]["scale_km"] if scale_km is None else scale_km)
    if not scale > 0:
        raise ValueError(f"scale_km must be a number > 0, got {scale_km!r}")
    km = np.asarray(km, np.float64)
    return np.where(np.isnan(km), 0.0, np.exp(-np.nan_to_num(km, nan=0.0) / scale)).astype(np.float32)


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
    clusters: tuple[tuple[tuple[bool, frozenset[str], tuple[str, ...]], ...], ...] = ()  # (local, fields, industries)
    cluster_names_ja: tuple[tuple[str, ...], ...] = ()
    evidence_ja: tuple[dict[str, tuple[str, ...]], ...] = ()
    scale_km: float = 20.0

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
            clusters=tuple(tuple((m.code in clusters[cid].municipalities, frozenset(clusters[cid].fields),
                                  tuple(clusters[cid].industries)) for cid in m.clusters if cid in clusters)
                           for m in munis),
            cluster_names_ja=tuple(tuple(clusters[cid].name_ja or clusters[cid].name for cid in m.clusters
                                         if cid in clusters) for m in munis),
            evidence_ja=tuple({f: getattr(m.assets_ja or m.assets, f) for f in ASSET_FACTORS if getattr(m.assets, f)}
                              for m in munis),
            scale_km=float(scoring_data("location_weights.yaml")["distance"]["scale_km"]),
        )

    def relocate(self, facts: FirmFacts) -> FirmFacts:
        """Every firm at every candidate: row ``i * C + c`` is firm ``i`` moved to candidate ``c``."""
        C = len(self.codes)
        rows = np.repeat(np.arange(facts.n), C)
        moved = facts.take(rows)
        moved.municipality = np.tile(self.index, facts.n).astype(np.int32)
        moved.prefecture = np.tile(self.prefecture, facts.n).astype(np.int16)
        return moved

    def _memo(self) -> dict:
        """What depends only on a firm's industry or place, kept per candidate set (not pickled)."""
        memo = self.__dict__.get("_kept")
        if memo is None:
            memo = self.__dict__["_kept"] = {}
        return memo

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_kept", None)
        return state

    def asset_scores(self, firms: list[CompanyProfile]) -> tuple[np.ndarray, list[list[str]]]:
        """(n, C) asset component and, per firm, the factors that weighed most."""
        out = np.zeros((len(firms), len(self.codes)), np.float32)
        tops = []
        memo = self._memo()
        for i, f in enumerate(firms):
            key = ("assets", industry_field(f.industry) or "other", bool(f.seeking_location or "site" in f.needs))
            kept = memo.get(key)
            if kept is None:
                kept = memo[key] = self._assets(*key[1:])
            out[i] = kept[0]
            tops.append(list(kept[1]))
        return out, tops

    def _assets(self, field: str, site: bool) -> tuple[np.ndarray, list[str]]:
        """The asset row of a firm in ``field`` (``site``: it looks for a site) and its weightiest factors."""
        lw = scoring_data("location_weights.yaml")
        w = dict(zip(lw["factors"], lw["fields"][field]))
        if site:
            w.update(lw["site_factors"])
        vec = np.array([w.get(k, 0.0) for k in ASSET_FACTORS], np.float32)
        total = vec.sum()
        row = np.zeros(len(self.codes), np.float32)
        row[:] = (self.has @ vec) / total if total else 0
        return row, [ASSET_FACTORS[k] for k in np.argsort(-vec, kind="stable") if vec[k] > 0]

    def industry_scores(self, firms: list[CompanyProfile]) -> np.ndarray:
        """(n, C) industry component: strengths, then the clusters (see the module's docstring)."""
        out = np.zeros((len(firms), len(self.codes)), np.float32)
        memo = self._memo()
        for i, f in enumerate(firms):
            if f.industry is None:
                continue
            row = memo.get(("industry", f.industry))
            if row is None:
                row = memo[("industry", f.industry)] = self._industry_row(f.industry)
            out[i] = row
        return out

    def _industry_row(self, industry: str) -> np.ndarray:
        """The industry component of a firm of ``industry`` at each candidate."""
        fit = scoring_data("location_weights.yaml")["cluster_fit"]
        row = np.zeros(len(self.codes), np.float32)
        fields = field_fits(industry)
        for c in range(len(self.codes)):
            s = self.strengths[c]
            v = 0.0
            if industry in s or (len(industry) == 1 and any(x[0] == industry for x in s)):
                v = 1.0
            elif any(division_of(x) == division_of(industry) for x in s):
                v = 0.75
            for local, cfields, inds in self.clusters[c] if self.clusters else ():
                where = "local" if local else "regional"
                if not cfields and not inds:  # a project open to every industry
                    v = max(v, fit["open"])
                elif any(covers(code, industry) for code in inds):
                    v = max(v, fit[f"{where}_industry"])
                elif fields & cfields:
                    v = max(v, fit[f"{where}_field"])
            row[c] = v
        return row

    def distances(self, facts: FirmFacts) -> np.ndarray:
        """(n, C) km from each firm's municipality (NaN when it has none); one firm's row is kept per place."""
        key = ("km", int(facts.municipality[0])) if facts.n == 1 else None
        kept = self._memo().get(key) if key else None
        if kept is not None:
            return kept.copy()
        gaz = gazetteer()
        m = facts.municipality
        lat = np.where(m >= 0, gaz.lat[np.maximum(m, 0)], np.nan)
        lng = np.where(m >= 0, gaz.lng[np.maximum(m, 0)], np.nan)
        out = distance_km(lat[:, None], lng[:, None], gaz.lat[self.index][None, :], gaz.lng[self.index][None, :])
        if key:
            self._memo()[key] = out.copy()
        return out

    def reasons(self, c: int, firm: CompanyProfile, comps: dict[str, float], top_factors: list[str],
                local: list[str], n_local: int, distance: float | None, lang: str = "en") -> list[str]:
        ja = lang == "ja"
        sep = "、" if ja else ", "
        out = []
        if n_local:
            examples = say("examples", lang, names=sep.join(local[:3])) if local else ""
            out.append(say("local_programs", lang, n=n_local, plural="s" if n_local != 1 else "", examples=examples))
        memo = self._memo()
        shown = tuple(f for f in top_factors if f in self.evidence[c])[:3]
        if shown:
            key = ("assets words", c, shown, industry_field(firm.industry) or "other", lang)
            words = memo.get(key)
            if words is None:  # the same for every firm of this field at this candidate
                evidence = self.evidence_ja[c] if ja and self.evidence_ja else self.evidence[c]
                parts = [f"{factor_label(f, _FACTOR_WORDS[f], lang)} ({('；' if ja else '; ').join(evidence[f][:2])})"
                         for f in shown]
                words = memo[key] = say("assets", lang, field=field_label(key[3], lang), assets=sep.join(parts))
            out.append(words)
        if firm.industry and comps["industry"] >= 0.75 and self.strengths[c]:
            words = memo.get(("strengths words", c, lang))
            if words is None:
                labels = [f"{s} {resolve_industry(s).name_ja}" if ja else industry_label(s) for s in self.strengths[c][:3]]
                words = memo[("strengths words", c, lang)] = say("strengths", lang, industries=sep.join(labels))
            out.append(words)
        if comps["industry"] and self.cluster_names[c]:
            names = self.cluster_names_ja[c] if ja and self.cluster_names_ja else self.cluster_names[c]
            out.append(say("clusters", lang, names=sep.join(names[:3])))
        if distance is not None and not np.isnan(distance):
            out.append(_WORDS["home"][lang] if distance < 0.5 else say("distance", lang, km=f"{distance:,.0f}"))
        return out


def weights_of(weights: MunicipalityWeights, with_distance: bool = True) -> dict[str, float]:
    """The weights as a dict; distance counts by default (``with_distance=False`` drops it)."""
    w = weights.as_dict()
    if not with_distance:
        w["distance"] = 0.0
    return w


def _ahead(c: int, order: list[int], comp: dict[str, tuple[list[float], list[float]]], dist: list[float],
           names: list[str], lang: str) -> str | None:
    """Why candidate ``c`` ranks above the nearest candidate below it that is nearer the firm.

    ``comp`` holds, per component, the candidates' values and those values plus 1e-6 (both float32,
    as lists: a candidate wins on a component where its value exceeds the other's plus 1e-6)."""
    if dist[c] != dist[c]:  # NaN: no distance known
        return None
    below = order[order.index(c) + 1:]
    nearer = [b for b in below if dist[b] == dist[b] and dist[b] < dist[c]]
    if not nearer:
        return None
    b = min(nearer, key=lambda j: dist[j])
    wins = [k for k in ("support", "assets", "industry") if comp[k][0][c] > comp[k][1][b]]
    if not wins:
        return None
    words = [_WORDS[k][lang] for k in wins]
    why = "、".join(words) if lang == "ja" else (", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else words[0])
    return _WORDS["ahead"][lang].format(name=names[b], km=f"{dist[c] - dist[b]:,.0f}", why=why)


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
    e_moved = e_moved.reshape(n, C, -1)
    # a program the firm may use once it gives a missing fact counts at the share it ranks at
    e_moved = np.where(e_moved == TRUE, np.float32(1),
                       np.where(e_moved == UNKNOWN, np.float32(scoring_data()["ordering"]["possible"]), np.float32(0)))
    pf = engine.program_features_
    local = (pf.home_municipality[None, :] == loc.index[:, None]) | (
        pf.home_prefecture[loc.prefecture] & (pf.home_municipality[None, :] < 0))  # (C, M)
    w = engine.weights_.as_dict()
    base = sum(np.float32(w[c]) * comps[c] for c in COMPONENTS if c != "locality")  # (n, M)
    useful = e_moved * local[None, :, :]
    support_raw = _best_sum(useful * base[:, None, :], int(scoring_data("location_weights.yaml")["support"]["programs"]))
    top_support = support_raw.max(axis=1, keepdims=True)
    support = np.divide(support_raw, top_support, out=np.zeros_like(support_raw), where=top_support > 0)
    assets, top_factors = loc.asset_scores(firms)
    industry = loc.industry_scores(firms)
    dist = loc.distances(facts)
    maxd = engine.max_distance_km if max_distance_km is None else max_distance_km
    key = ("distance", int(facts.municipality[0]), loc.scale_km) if n == 1 else None  # one firm: kept per place
    distance = loc._memo().get(key) if key else None
    if distance is None:
        distance = distance_score(dist, loc.scale_km)
        if key:
            loc._memo()[key] = distance
    distance = distance.copy()
    mw = weights_of(engine.municipality_weights_)
    total = sum(mw.values()) or 1.0
    score = (mw["support"] * support + mw["assets"] * assets + mw["industry"] * industry
             + mw["distance"] * distance) / np.float32(total)
    allowed = np.ones_like(score, bool) if maxd is None else (np.nan_to_num(dist, nan=np.inf) <= maxd)
    keys = np.where(allowed, -score, np.inf)
    picks = top_k(keys, k)
    gaz = gazetteer()
    programs = engine.programs_
    catalog = engine.catalog_
    names = [catalog.municipality(code).name_ja if lang == "ja" else catalog.municipality(code).name for code in loc.codes]
    out = []
    for i, firm in enumerate(firms):
        row = []
        order = [int(c) for c in np.argsort(keys[i], kind="stable") if allowed[i, c]]
        # the values and the same plus 1e-6 in their own dtype (numpy adds a Python float to an array or a scalar
        # alike), as lists
        comp_i = {k: (v.tolist(), (v + 1e-6).tolist())
                  for k, v in (("support", support[i]), ("assets", assets[i]), ("industry", industry[i]))}
        dist_i = dist[i].tolist()
        for c in picks[i]:
            m = catalog.municipality(loc.codes[c])
            cj = np.flatnonzero(useful[i, c])
            cj = cj[np.argsort(-base[i, cj], kind="stable")]
            comp = {"support": float(support[i, c]), "assets": float(assets[i, c]),
                    "industry": float(industry[i, c]), "distance": float(distance[i, c])}
            d = float(dist[i, c]) if not np.isnan(dist[i, c]) else None
            reasons = loc.reasons(int(c), firm, comp, top_factors[i],
                                  [(programs[j].name_ja or programs[j].name) if lang == "ja"
                                   else programs[j].name for j in cj[:3]],  # the reasons name three
                                  len(cj), d, lang)
            ahead = _ahead(int(c), order, comp_i, dist_i, names, lang)
            if ahead:
                reasons.insert(0, ahead)
            row.append(construct(MunicipalityMatch,  # every value built here, as for schemes
                id=m.id, code=m.code, name=m.name, name_ja=m.name_ja,
                prefecture=gaz.prefectures[int(m.prefecture) - 1].name_en,
                score=round(float(score[i, c]), 6), components={k2: round(v, 6) for k2, v in comp.items()},
                reasons=reasons, distance_km=None if d is None else round(d, 1),
            ))
        out.append(row)
    return out


def _best_sum(values: np.ndarray, k: int) -> np.ndarray:
    """Sum of the ``k`` largest values along the last axis."""
    if values.shape[-1] <= k:
        return values.sum(axis=-1)
    return np.partition(values, values.shape[-1] - k, axis=-1)[..., -k:].sum(axis=-1)
