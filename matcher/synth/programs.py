"""Synthetic catalogs for scale tests and benchmarks.

:func:`synth_programs` makes ``n`` programs with a realistic mix of rules, drawn with
a fixed seed: most are municipal (restricted to one municipality of the master list),
some prefectural, regional or national; about half are SME-only, some small-enterprise
only; some have headcount or capital ranges, target industries, years-in-business
limits, an environment-conscious requirement, a validity window, or a JsonLogic rule.
Texts are assembled from the need vocabulary in English and Japanese. They are for
measuring speed, not facts: never ship them as a catalog.

>>> progs = synth_programs(50, seed=1)
>>> len(progs), len({p.id for p in progs})
(50, 50)
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from profiles.catalog import Catalog
from profiles.geography import REGIONS, gazetteer
from profiles.industries import all_major_groups
from profiles.models import PROGRAM_KINDS, SupportProgram
from profiles.needs import NEEDS

__all__ = ["synth_programs", "synth_catalog"]

_KIND_OF_NEED = {
    "financing": ["loan", "interest_subsidy"], "subsidy": ["subsidy"], "training": ["training", "seminar"],
    "it_adoption": ["consulting", "subsidy"], "website": ["publicity", "consulting"],
    "marketing": ["matching", "listing"], "trade_fair": ["subsidy", "export_support"],
    "consulting": ["consulting", "expert_dispatch"], "technical_support": ["expert_dispatch", "consulting"],
    "business_matching": ["matching"], "academia_collaboration": ["collaboration"], "r_and_d": ["subsidy", "collaboration"],
    "site": ["site_information"], "export": ["export_support"], "startup": ["incubation", "tax_incentive"],
    "networking": ["networking"], "publicity": ["publicity"], "human_resources": ["training"],
    "tax_relief": ["tax_incentive"],
}


def synth_programs(n: int, seed: int = 0) -> tuple[SupportProgram, ...]:
    """``n`` synthetic programs (deterministic for a seed)."""
    rng = np.random.default_rng(seed)
    gaz = gazetteer()
    groups = all_major_groups()
    manufacturing = [g for g in groups if g.startswith("E")]
    out = []
    for k in range(n):
        needs = list(rng.choice(len(NEEDS), size=int(rng.integers(1, 4)), replace=False))
        need_objs = [NEEDS[i] for i in needs]
        kind = str(rng.choice(_KIND_OF_NEED.get(need_objs[0].id, ["consulting"])))
        assert kind in PROGRAM_KINDS
        elig: dict = {}
        scope = rng.random()
        if scope < 0.70:
            gov = gaz.records[int(rng.integers(len(gaz)))]
            elig["municipalities"] = [gov.code]
            provider = {"id": f"lg-{gov.code}", "name": gov.english, "name_ja": gov.name_ja, "kind": "municipality"}
            where, where_ja = gov.english, gov.name_ja
        elif scope < 0.85:
            pref = gaz.prefectures[int(rng.integers(47))]
            elig["prefectures"] = [pref.code]
            provider = {"id": f"pref-{pref.code}", "name": f"{pref.name_en} Prefecture", "name_ja": pref.name_ja,
                        "kind": "prefecture"}
            where, where_ja = pref.name_en, pref.name_ja
        elif scope < 0.90:
            region = str(rng.choice(list(REGIONS)))
            elig["regions"] = [region]
            provider = {"id": f"region-{region}", "name": f"{region.title()} bureau", "kind": "agency"}
            where, where_ja = region.title(), ""
        else:
            provider = {"id": "national", "name": "National agency", "kind": "national"}
            where, where_ja = "Japan", "全国"
        r = rng.random()
        if r < 0.45:
            elig["rule_sets"] = ["sme"]
        elif r < 0.55:
            elig["rule_sets"] = ["small_enterprise"]
        if rng.random() < 0.15:
            elig["employees"] = {"max": int(rng.choice([20, 50, 100, 300]))}
        if rng.random() < 0.10:
            elig["capital_jpy"] = {"max": int(rng.choice([10, 50, 100, 300])) * 1_000_000}
        industries = []
        if rng.random() < 0.35:
            industries = list(rng.choice(manufacturing, size=int(rng.integers(1, 4)), replace=False))
            if rng.random() < 0.5:
                elig["industries"] = ["E"] if rng.random() < 0.4 else industries
        if rng.random() < 0.08:
            elig["years_in_business"] = {"max": int(rng.choice([3, 5, 10]))}
        if rng.random() < 0.05:
            elig["requires"] = ["environment_conscious"]
        if rng.random() < 0.03:
            elig["logic"] = {"or": [{"<=": [{"var": "employees"}, int(rng.choice([50, 100]))]},
                                    {"in": [str(rng.choice([n.id for n in NEEDS])), {"var": "needs"}]}]}
        valid = {}
        if rng.random() < 0.2:
            start = dt.date(2005, 4, 1) + dt.timedelta(days=int(rng.integers(0, 7000)))
            valid = {"valid_from": start.isoformat(),
                     "valid_until": (start + dt.timedelta(days=int(rng.integers(365, 3650)))).isoformat()}
        label = " and ".join(x.label_en for x in need_objs)
        label_ja = "・".join(x.label_ja for x in need_objs)
        words = [w for x in need_objs for w in x.synonyms if w.isascii()][:6]
        words_ja = [w for x in need_objs for w in x.synonyms if not w.isascii()][:4]
        out.append(SupportProgram.model_validate({
            "id": f"synth-{k:06d}", "name": f"{where} {label} {kind.replace('_', ' ')} #{k}",
            "name_ja": f"{where_ja}{label_ja}支援 {k}", "provider": provider, "kind": kind,
            "needs": [x.id for x in need_objs], "industries": industries,
            "description": f"Support for {label} of firms in {where}: {', '.join(words)}.",
            "keywords": words, "keywords_ja": words_ja, "eligibility": elig, **valid,
            "source": {"file": "synthetic", "quote": f"generated by matcher.synth with seed {seed}"},
        }))
    return tuple(out)


def synth_catalog(n: int, seed: int = 0) -> Catalog:
    """A :class:`~profiles.catalog.Catalog` of :func:`synth_programs` (no municipality profiles)."""
    return Catalog(programs=synth_programs(n, seed), origin=f"synthetic:{n}:{seed}")
