"""Municipality recommendations that make sense to a coordinator: the firm's own place and
nearby ones weigh, a cluster in the firm's field counts, and far choices say why."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from matcher import MatchEngine
from matcher.locations import distance_score, field_fits
from tests.conftest import EXAMPLES, TODAY

# The Tama area of Tokyo (profiles/data/subregions.yaml), where TAMA's local governments lie.
TAMA_AREA = {"132047", "132276", "132012"}


def example(name):
    return yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))


def names(ranking):
    return [m.name for m in ranking.municipalities]


def test_the_kobe_medical_device_maker_sees_kobe_first(engine):
    ranking = engine.rank(example("kobe-medical-device.yaml"), as_of=TODAY)
    assert names(ranking)[0] == "Kobe City"


def test_kobes_regenerative_medicine_cluster_fits_a_medical_device_maker(engine):
    kobe = engine.rank(example("kobe-medical-device.yaml"), as_of=TODAY).municipalities[0]
    assert kobe.components["industry"] >= 0.9
    assert any("Regenerative Medicine" in r for r in kobe.reasons)


def test_a_hamura_firm_that_needs_a_loan_but_gave_no_size_sees_hamura_first(engine):
    # Hamura's loans are for SMEs: unknown for this firm, they count at the share they rank at
    ranking = engine.rank(example("hamura-no-size.yaml"), as_of=TODAY)
    assert names(ranking)[0] == "Hamura City"


def test_a_hamura_firm_asking_for_a_loan_sees_hamura_first(engine):
    ranking = engine.rank({"municipality": "Hamura", "prefecture": "Tokyo", "needs": ["financing"]}, as_of=TODAY)
    assert names(ranking)[0] == "Hamura City"


def test_an_ota_machinery_firm_sees_ota_or_a_tama_municipality_first(engine):
    firm = {"municipality": "Ota", "prefecture": "Tokyo", "industry": "E26", "employees": 20, "needs": ["technology"]}
    top = engine.rank(firm, as_of=TODAY).municipalities[0]
    assert top.code == "131113" or top.code in TAMA_AREA


def test_distance_weighs_without_a_maximum(engine):
    top = engine.rank(example("kobe-medical-device.yaml"), as_of=TODAY).municipalities
    by_name = {m.name: m for m in top}
    assert by_name["Kobe City"].components["distance"] == pytest.approx(1.0)
    assert by_name["Kita City"].components["distance"] < 0.01


def test_the_distance_decay_is_exp_minus_d_over_the_scale():
    km = np.array([0.0, 20.0, 60.0, 400.0])
    assert distance_score(km, 20.0) == pytest.approx(np.exp(-km / 20.0), abs=1e-6)
    assert distance_score(np.array([np.nan]))[0] == 0.0
    with pytest.raises(ValueError, match="scale_km must be a number > 0, got 0"):
        distance_score(km, 0)


def test_a_wider_scale_lets_farther_municipalities_gain():
    engine = MatchEngine().fit()
    firm = example("hamura-no-size.yaml")
    near = engine.rank(firm, as_of=TODAY).municipalities
    engine.locations_.scale_km = 500.0
    wide = engine.rank(firm, as_of=TODAY).municipalities
    kita = lambda ms: next(m for m in ms if m.name == "Kita City")  # noqa: E731
    assert kita(wide).components["distance"] > kita(near).components["distance"]


def test_a_medical_device_industry_works_in_a_bio_medical_cluster():
    assert "bio_medical" in field_fits("E27") and "bio_medical" in field_fits("E29")
    assert "bio_medical" not in field_fits("E24")


#: a Hamura machinery firm that states no need: Kita's programs and assets outweigh 38 km
HAMURA_MACHINERY = {"municipality": "132276", "industry": "E26"}


def test_a_far_municipality_ranked_above_the_firms_own_says_why(engine):
    ranking = engine.rank(HAMURA_MACHINERY, as_of=TODAY)
    ms = ranking.municipalities
    home = names(ranking).index("Hamura City")
    above = [m for m in ms[:home] if m.distance_km and m.distance_km > 0]
    assert above, "a farther municipality ranks above Hamura in this example"
    assert above[0].reasons[0].startswith("ranked above Hamura City, 38 km nearer, for ")
    assert ms[home].reasons[-1] == "the firm's own municipality"


def test_the_why_is_in_japanese_too(engine):
    ranking = engine.rank(HAMURA_MACHINERY, as_of=TODAY, lang="ja")
    assert any(r.startswith("38 km 近い羽村市より上位の理由: ") for m in ranking.municipalities for r in m.reasons)


def test_scores_stay_in_0_1_and_best_first(engine):
    for f in ("kobe-medical-device.yaml", "hamura-no-size.yaml", "kita-metal-press.yaml", "osaka-plastics.yaml"):
        ms = engine.rank(example(f), as_of=TODAY).municipalities
        assert all(0 <= m.score <= 1 for m in ms)
        assert [m.score for m in ms] == sorted((m.score for m in ms), reverse=True)


def test_a_maximum_distance_still_drops_farther_candidates(engine):
    near = MatchEngine(max_distance_km=50).fit().rank(example("kobe-medical-device.yaml"), as_of=TODAY)
    assert names(near)[0] == "Kobe City"
    assert all(m.distance_km <= 50 for m in near.municipalities)


def test_a_medical_device_maker_fits_kobes_medical_cluster_programs_and_is_told_why(engine):
    # the cluster's programs name medical care (P83) and research (L71), not E27; the cluster's
    # field, bio-medical, is the maker's: its industry fit is the cluster share, with the reason
    ranking = engine.rank(example("kobe-medical-device.yaml"), as_of=TODAY)
    incubation = next(s for s in ranking.schemes if s.id == "kobe-regenerative-medicine-incubation")
    assert incubation.components["industry"] == 0.75
    assert "a cluster's program in the firm's field (bio/medical)" in incubation.reasons
