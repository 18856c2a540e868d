"""The default catalog states what the seed documents say, and nothing they do not.

Each test reads as a sentence about the catalog shipped in ``profiles/data/catalog``;
the facts asserted come from the five seed documents in ``/work/shared/seeds``.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from profiles.catalog import load_catalog
from profiles.needs import needs_in_text, resolve_need
from tests.conftest import SHARED

SEEDS = SHARED / "seeds"
SEED_FILES = {
    "000_fd6b979d2c70192d.txt",  # Mitaka
    "001_d83b5e0f2d5ac214.txt",  # Kita City
    "002_d96d19f495a9403e.txt",  # METI cluster slides, 2003
    "003_65e5c0f7073c2aea.txt",  # Hamura City
    "004_88c0d50d16d1480f.txt",  # IDE discussion paper No. 45
}
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def seed_texts():
    if not SEEDS.is_dir():
        pytest.skip(f"seed directory {SEEDS} not found")
    return {p.name: _norm(p.read_text(encoding="utf-8")) for p in SEEDS.glob("*.txt")}


def _norm(text: str) -> str:
    return " ".join(text.split())


def _entries(catalog):
    yield from catalog.programs
    yield from catalog.municipalities
    yield from catalog.clusters


def _quotes(entry) -> str:
    return " ".join(_norm(s.quote) for s in entry.source)


# ---------------------------------------------------------------- the whole catalog

def test_the_default_catalog_loads_with_programs_municipalities_and_clusters(catalog):
    assert len(catalog.programs) >= 60
    assert len(catalog.municipalities) >= 7
    assert len(catalog.clusters) >= 19


def test_every_entry_cites_only_the_seed_documents(catalog):
    for entry in _entries(catalog):
        assert entry.source, f"{entry.id} has no source"
        for s in entry.source:
            assert s.file in SEED_FILES, f"{entry.id} cites {s.file!r}"


def test_every_program_cites_a_seed_file_that_exists_and_its_quote_is_in_it(catalog, seed_texts):
    for entry in _entries(catalog):
        for s in entry.source:
            assert s.file in seed_texts, f"{entry.id}: no seed file {s.file}"
            assert _norm(s.quote) in seed_texts[s.file], f"{entry.id}: quote not in {s.file}: {s.quote[:80]!r}"


def test_program_ids_are_prefixed_by_their_provider(catalog):
    prefixes = ("kita-", "hamura-", "mitaka-", "tama-", "sapporo-", "kobe-", "jetro-", "meti-", "mext-", "japan-")
    for p in catalog.programs:
        assert p.id.startswith(prefixes), p.id


def test_every_maximum_amount_is_written_in_the_quoted_sources(catalog):
    for p in catalog.programs:
        if p.benefit and p.benefit.max_amount_jpy is not None:
            assert f"{p.benefit.max_amount_jpy:,}" in _quotes(p), p.id


def test_every_date_is_written_in_the_quoted_sources(catalog):
    for p in catalog.programs:
        for day in (p.valid_from, p.valid_until, p.application_deadline):
            if day is not None:
                assert f"{MONTHS[day.month - 1]} {day.day}, {day.year}" in _quotes(p), (p.id, day)


def test_contact_phones_and_addresses_come_from_the_seeds(catalog, seed_texts):
    corpus = " ".join(seed_texts.values()).lower()
    contacts = [p.contact for p in catalog.programs if p.contact]
    contacts += [m.support_desk for m in catalog.municipalities if m.support_desk]
    assert contacts
    for c in contacts:
        for value in (c.phone, c.address, c.url):
            if value:
                assert _norm(value).lower() in corpus, value


def test_every_program_has_keywords_in_both_languages_and_needs_from_the_vocabulary(catalog):
    for p in catalog.programs:
        assert p.keywords and p.keywords_ja, p.id
        assert any(not k.isascii() for k in p.keywords_ja), p.id
        for need in p.needs:
            assert resolve_need(need) == need


# ---------------------------------------------------------------- Kita City (seed 001)

def test_kita_trade_fair_subsidy_pays_up_to_200000_yen(catalog):
    assert catalog.program("kita-trade-fair-subsidy").benefit.max_amount_jpy == 200_000


def test_kita_trade_fair_subsidy_is_for_firms_in_kita_city_and_serves_trade_fair_and_marketing_needs(catalog):
    p = catalog.program("kita-trade-fair-subsidy")
    assert p.eligibility.municipalities == ("131172",)
    assert {"trade_fair", "marketing"} <= set(p.needs)
    assert p.provider.kind == "municipality" and p.kind == "subsidy"


def test_kita_trade_fair_subsidy_is_found_by_trade_fair_words_in_english_and_japanese(catalog):
    p = catalog.program("kita-trade-fair-subsidy")
    assert "trade_fair" in needs_in_text(p.description)
    assert {"trade fair", "exhibition"} <= set(p.keywords)
    assert {"展示会", "見本市", "出展"} <= set(p.keywords_ja)


def test_kita_monozukuri_support_site_is_free_and_lists_about_260_firms(catalog):
    p = catalog.program("kita-monozukuri-support-site")
    assert p.benefit.free_of_charge is True
    assert "260" in p.description
    assert {"website", "business_matching"} <= set(p.needs)


def test_kita_advisers_give_management_technical_and_marketing_consulting(catalog):
    assert "consulting" in catalog.program("kita-management-consulting").needs
    assert "technical_support" in catalog.program("kita-technical-consulting").needs
    assert "marketing" in catalog.program("kita-marketing-consulting").needs


def test_kita_helps_with_applications_by_seminars_and_by_visits(catalog):
    assert catalog.program("kita-application-seminars").kind == "seminar"
    assert "visit" in catalog.program("kita-application-form-visits").description.lower()


def test_kita_cooperates_with_tokyo_kasei_toyo_and_teikyo_universities(catalog):
    p = catalog.program("kita-university-cooperation")
    for university, year in (("Tokyo Kasei", "2010"), ("Toyo", "2011"), ("Teikyo", "2012")):
        assert university in p.description and year in p.description
    toyo = catalog.program("kita-toyo-information-cooperation")
    assert "Information Cooperation Department" in toyo.description and "2017" in toyo.description


# ---------------------------------------------------------------- Hamura City (seed 003)

def test_hamura_interest_subsidy_pays_half_of_the_interest_for_smes_in_hamura(catalog):
    p = catalog.program("hamura-interest-subsidy")
    assert p.kind == "interest_subsidy"
    assert p.benefit.rate == 0.5
    assert p.eligibility.rule_sets == ("sme",)
    assert p.eligibility.municipalities == ("132276",)
    assert "¥10 million" in p.benefit.note and "¥30 million" in p.benefit.note


def test_hamura_environment_interest_subsidy_opens_on_2010_04_01_for_environment_conscious_firms(catalog):
    p = catalog.program("hamura-environment-interest-subsidy")
    assert p.benefit.rate == 0.6
    assert p.eligibility.requires == ("environment_conscious",)
    assert p.status(dt.date(2010, 3, 31))[0] is False
    assert p.status(dt.date(2010, 4, 1)) == (True, None)


def test_hamura_training_subsidy_paid_half_up_to_200000_yen_a_year(catalog):
    p = catalog.program("hamura-training-subsidy")
    assert p.benefit.rate == 0.5
    assert p.benefit.max_amount_jpy == 200_000


def test_hamura_training_subsidy_ended_on_2015_03_31(catalog):
    p = catalog.program("hamura-training-subsidy")
    assert p.valid_until == dt.date(2015, 3, 31)
    assert p.status(dt.date(2015, 3, 31)) == (True, None)
    assert p.status(dt.date(2015, 4, 1)) == (False, "closed since 2015-03-31")


def test_hamura_fixed_asset_tax_incentive_for_new_firms_ended_on_2015_03_31(catalog):
    p = catalog.program("hamura-fixed-asset-tax-incentive")
    assert p.kind == "tax_incentive" and "tax_relief" in p.needs
    assert p.status(dt.date(2016, 1, 1))[0] is False
    assert "3 years" in p.benefit.note


def test_hamura_offers_consultation_diagnosis_tie_ups_experts_websites_cable_tv_and_sites(catalog):
    ids = {p.id for p in catalog.programs if p.id.startswith("hamura-")}
    assert {"hamura-financial-consultation", "hamura-management-diagnosis", "hamura-tie-up-coordination",
            "hamura-expert-dispatch", "hamura-website-support", "hamura-cable-tv-publicity",
            "hamura-site-information"} <= ids
    assert catalog.program("hamura-site-information").eligibility.requires == ("seeking_location",)


# ---------------------------------------------------------------- Mitaka (seed 000)

def test_mitaka_has_soho_city_the_ict_association_urban_renewal_and_the_society_subsidy(catalog):
    assert "1998" in catalog.program("mitaka-soho-city-initiative").description
    assert "40" in catalog.program("mitaka-ict-businesses-association").description
    assert catalog.program("mitaka-urban-renewal-business-opportunities").provider.kind == "third_sector"
    assert "trade_fair" in catalog.program("mitaka-sci-seminar-exhibition-subsidy").needs


# ---------------------------------------------------------------- clusters (seeds 002, 004)

def test_there_are_19_meti_cluster_projects(catalog):
    meti = sorted((c for c in catalog.clusters if c.kind == "meti_project"), key=lambda c: c.number)
    assert [c.number for c in meti] == list(range(1, 20))


def test_meti_projects_follow_the_seeds_order(catalog):
    by_number = {c.number: c for c in catalog.clusters if c.kind == "meti_project"}
    assert "Hokkaido" in by_number[1].name
    assert by_number[16].name == "Shikoku Techno-bridge Plan"
    assert by_number[18].name == "Kyushu Silicon Cluster Plan"
    assert "Okinawa" in by_number[19].name


def test_kinki_projects_cover_osaka_and_hyogo(catalog):
    kinki = [c for c in catalog.clusters if c.kind == "meti_project" and c.region == "kinki"]
    assert len(kinki) == 4
    for c in kinki:
        assert {"27", "28"} <= set(c.prefectures)


def test_every_meti_project_has_a_program_that_links_to_it(catalog):
    linked = {cid for p in catalog.programs if p.kind == "cluster_project" for cid in p.clusters}
    for c in catalog.clusters:
        if c.kind == "meti_project":
            assert c.id in linked, c.id


def test_tama_dispatches_coordinators_holds_ordering_meetings_and_regional_councils(catalog):
    assert "289" in catalog.program("tama-coordinator-dispatch").description
    assert "business_matching" in catalog.program("tama-ordering-technology-presentation-meetings").needs
    assert "Mini-TAMA" in catalog.program("tama-regional-councils").description
    assert catalog.cluster("tama") is not None


def test_sapporo_it_cluster_and_kobe_medical_cluster_exist_with_kobe_incubation(catalog):
    assert "it_communications" in catalog.cluster("sapporo-it-cluster").fields
    assert "bio_medical" in catalog.cluster("kobe-regenerative-medicine-cluster").fields
    assert "startup" in catalog.program("kobe-regenerative-medicine-incubation").needs
    assert "76" in catalog.program("kobe-medical-industry-city-plan").description


# ---------------------------------------------------------------- national (seed 004)

def test_jetro_operates_35_trade_information_centres(catalog):
    p = catalog.program("jetro-trade-information-centres")
    assert "35" in p.description and "export" in p.needs


def test_national_instruments_named_in_the_ide_paper_are_legal_frameworks(catalog):
    for pid in ("japan-new-business-promotion-act-for-small-firms", "japan-university-technology-transfer-act",
                "japan-structural-reform-special-zones", "japan-technopolis-law"):
        assert catalog.program(pid).kind == "legal_framework"


# ---------------------------------------------------------------- municipalities

@pytest.mark.parametrize("code, name", [
    ("132047", "Mitaka"), ("131172", "Kita"), ("132276", "Hamura"), ("131113", "Ota"),
    ("272272", "Higashiosaka"), ("011002", "Sapporo"), ("281000", "Kobe"),
])
def test_municipality_profiles_exist_for_the_seven_named_places_with_the_right_codes(catalog, code, name):
    m = catalog.municipality(code)
    assert m is not None and m.name.startswith(name)
    assert m.lat is not None and m.lng is not None


def test_every_municipality_profile_has_assets_and_cites_a_seed(catalog):
    for m in catalog.municipalities:
        assert any(getattr(m.assets, f) for f in type(m.assets).model_fields), m.id
        assert m.source, m.id


def test_ota_and_higashi_osaka_are_metalworking_clusters(catalog):
    for code in ("131113", "272272"):
        assert "E24" in catalog.municipality(code).industry_strengths
    assert re.search(r"6,000 factories", catalog.municipality("131113").assets.industrial_zone[0])
    assert re.search(r"8,000 factories", catalog.municipality("272272").assets.industrial_zone[0])
