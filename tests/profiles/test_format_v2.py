"""Catalog and firm fields that real catalogs and firm lists need (applicant types, target groups,
sub-regions, cost shares, intermediaries, Japanese-only names, cited rows)."""

import pytest
from pydantic import ValidationError

from profiles.audiences import APPLICANT_TYPES, FIRM_KINDS, resolve_applicant_type, resolve_groups
from profiles.geography import gazetteer
from profiles.models import Benefit, CompanyProfile, Eligibility, Provider, Source, SupportProgram

TOKYO = {"id": "tokyo", "name_ja": "東京都", "kind": "prefecture"}


def program(**extra):
    base = {"id": "p", "name_ja": "商店街支援事業", "provider": TOKYO, "kind": "subsidy",
            "source": [{"file": "list.csv", "quote": "補助対象者：商店街", "row": 12, "field": "概要"}]}
    return SupportProgram(**{**base, **extra})


def test_a_program_with_only_a_japanese_name_is_valid_and_shows_that_name():
    p = program()
    assert p.display_name == "商店街支援事業"
    assert p.display_name_in("en") == p.display_name_in("ja") == "商店街支援事業"
    assert Provider(**TOKYO).name == "東京都"


def test_a_program_with_neither_name_is_refused_naming_the_field():
    with pytest.raises(ValidationError, match="name"):
        program(name_ja=None)


def test_the_source_cites_the_row_and_column_of_an_imported_list():
    src = program().source[0]
    assert (src.file, src.row, src.field) == ("list.csv", 12, "概要")
    with pytest.raises(ValidationError):
        Source(file="list.csv", quote="x", row=0)


def test_municipalities_individuals_and_schools_are_not_kinds_of_firm():
    assert {"municipality", "individual", "school", "financial_institution"} <= set(APPLICANT_TYPES)
    assert not {"municipality", "individual", "school", "financial_institution"} & set(FIRM_KINDS)
    assert {"corporation", "sole_proprietor", "npo", "cooperative"} <= set(FIRM_KINDS)


def test_applicant_types_read_from_japanese_and_english_words():
    assert resolve_applicant_type("株式会社") == "corporation"
    assert resolve_applicant_type("個人事業主") == "sole_proprietor"
    assert resolve_applicant_type("特定非営利活動法人") == "npo"
    assert resolve_applicant_type("Sole proprietor") == "sole_proprietor"
    assert resolve_applicant_type("") is None


def test_a_firm_cannot_say_it_is_a_municipality():
    with pytest.raises(ValidationError, match="not a kind of firm"):
        CompanyProfile(prefecture="Tokyo", applicant_type="区市町村")


def test_a_firm_names_its_target_groups_in_japanese_or_english():
    firm = CompanyProfile(prefecture="Tokyo", attributes=["商店街", "traditional crafts", "商店街"])
    assert firm.attributes == ("shopping_street", "traditional_crafts")
    with pytest.raises(ValidationError, match="unknown target group"):
        CompanyProfile(prefecture="Tokyo", attributes=["space pirates"])
    assert resolve_groups("創業者、女性起業家") == ("startup", "women_entrepreneur")


def test_a_firm_located_only_by_its_address_or_postal_code():
    assert CompanyProfile(address="〒114-8508 東京都北区王子本町1-15-22").municipality == "131172"
    assert CompanyProfile(postal_code="205-0001").municipality == "132276"  # Hamura


def test_tokyo_sub_regions_hold_the_23_wards_tama_and_the_islands():
    subs = gazetteer().subregions
    assert len(subs["tokyo_wards"].members) == 23
    assert len(subs["tama"].members) == 30
    assert len(subs["tokyo_islands"].members) == 9
    assert not set(subs["tama"].members) & set(subs["tokyo_islands"].members)
    assert Eligibility(regions=["多摩", "島しょ"]).regions == ("tama", "tokyo_islands")


def test_an_unknown_region_lists_the_known_ones():
    with pytest.raises(ValidationError, match="unknown region"):
        Eligibility(regions=["atlantis"])


def test_cost_shares_budget_and_eligible_costs_are_not_the_firms_rate():
    b = Benefit(shares=[{"payer": "tokyo", "payer_ja": "都", "rate": 0.5},
                        {"payer": "municipality", "payer_ja": "区市町村", "rate": 0.25},
                        {"payer": "applicant", "payer_ja": "事業者", "rate": 0.25}],
                budget_jpy=1_200_000_000, eligible_costs=["設備費"])
    assert b.rate is None
    assert sum(s.rate for s in b.shares) == 1.0


def test_a_program_delivered_through_an_intermediary_says_so():
    p = program(delivered_by={"name_ja": "東京都中小企業振興公社"})
    assert p.delivered_by.name_ja == "東京都中小企業振興公社"


def test_applications_not_yet_open_are_not_open():
    import datetime as dt

    p = program(application_start="2027-01-10")
    assert p.status(dt.date(2026, 12, 1)) == (False, "applications open on 2027-01-10")
    assert p.status(dt.date(2027, 1, 10))[0]


def test_a_310_digit_capital_is_refused_as_one_value_error_not_an_overflow():
    with pytest.raises(ValidationError, match="capital_jpy"):
        CompanyProfile(prefecture="Tokyo", capital_jpy="1" + "0" * 309)


def test_true_is_not_a_headcount_and_zero_is_not_a_founding_date():
    with pytest.raises(ValidationError, match="employees must be a whole number, got True"):
        CompanyProfile(prefecture="Tokyo", employees=True)
    with pytest.raises(ValidationError, match="founded must be a date"):
        CompanyProfile(prefecture="Tokyo", founded=0)
    assert CompanyProfile(prefecture="Tokyo", founded=1978).founded.year == 1978
