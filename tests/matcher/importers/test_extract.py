"""Readings of Japanese program text: each fact with its sentence, nothing guessed."""

from __future__ import annotations

import datetime as dt

import pytest

from matcher.importers.applicants import NON_FIRM, finalize_types, read_applicants
from matcher.importers.limits import read_industries, read_places, read_size
from matcher.importers.money import read_ceiling, read_period, read_rate, read_shares
from matcher.importers.text import data, labelled_sections, sentences
from profiles.audiences import APPLICANT_TYPES, TARGET_GROUPS
from profiles.needs import need_ids


def applicants(text):
    return read_applicants(sentences(text, "補助金の概要"))


def test_a_program_for_municipalities_only_is_for_no_firm():
    types, rules = finalize_types(applicants("補助対象者：区市町村"))
    assert types == ["municipality"] and all(t in NON_FIRM for t in types) and rules == []


def test_smes_give_the_sme_rule_and_no_legal_form_restriction():
    assert finalize_types(applicants("補助対象者：都内の中小企業者")) == ([], ["sme"])


def test_small_enterprises_give_the_small_enterprise_rule():
    assert finalize_types(applicants("小規模事業者")) == ([], ["small_enterprise"])


def test_smes_or_small_enterprises_keep_the_broader_sme_rule():
    assert finalize_types(applicants("中小企業者及び小規模事業者"))[1] == ["sme"]


def test_no_size_rule_when_the_text_also_admits_large_firms():
    assert finalize_types(applicants("大企業及び中小企業者"))[1] == []


def test_a_firm_or_a_municipality_lists_every_firm_kind_beside_the_municipality():
    types, _ = finalize_types(applicants("区市町村、民間事業者"))
    assert types[0] == "municipality" and "corporation" in types and "sole_proprietor" in types


def test_words_in_an_exclusion_clause_are_not_read():
    r = applicants("社会福祉法人、特定非営利活動法人等（自治体、営利法人を除く。）")
    assert r.types == ["social_welfare_corporation", "npo"]


def test_a_longer_word_is_not_also_read_as_the_shorter_one_inside_it():
    assert applicants("社会福祉法人").types == ["social_welfare_corporation"]  # not corporation too


def test_a_single_character_word_is_read_only_as_a_whole_item():
    assert applicants("区").types == ["municipality"]
    assert "municipality" not in applicants("地区の商店街").types


def test_shopping_streets_are_a_target_group():
    r = applicants("商店街振興組合")
    assert r.types == ["cooperative"] and r.groups == ["shopping_street"]


def test_private_organizations_are_npos_or_other_organizations_not_firms():
    assert applicants("民間団体").types == ["npo", "organization"]
    assert applicants("社会教育関係団体等").types == ["organization"]


def test_a_list_item_ending_in_association_or_branch_is_an_organization():
    assert applicants("林業・木材製造業労働災害防止協会東京都支部").types == ["organization"]
    assert applicants("信用保証協会").types == ["financial_institution"]  # a word of the list first


def test_care_facilities_named_by_what_they_run_are_care_providers():
    assert applicants("介護サービス施設等の設置者").groups == ["care_provider"]


def test_a_delivery_body_is_read_with_its_legal_form():
    r = applicants("（公財）東京都中小企業振興公社")
    assert [b["id"] for b in r.bodies] == ["tokyo-sme-support-center"] and r.types == []


def test_a_named_body_that_runs_nothing_for_firms_is_a_non_firm_applicant():
    r = applicants("一般社団法人東京国際金融機構")
    assert r.types == ["named_body"] and r.named[0][0] == "一般社団法人東京国際金融機構"


def test_payment_through_a_municipality_names_the_end_beneficiaries():
    r = applicants("区市町村を通じて私立幼稚園等に補助")
    assert r.through == "区市町村" and r.types == ["school"]


def test_each_reading_keeps_its_sentence_exactly_as_written():
    r = applicants("補助金の目的：販路開拓\n補助対象者：都内の中小企業者")
    assert [s.quote for s in r.quotes["rules"]] == ["補助対象者：都内の中小企業者"]


def test_text_naming_no_applicant_reads_nothing():
    assert applicants("デジタル証券の発行体").empty


def test_every_applicant_type_and_target_group_of_the_word_lists_exists():
    words = data("applicants")
    entries = [*words["words"].values(), *words["short"].values()]
    for entry in entries:
        assert all(t == "firm" or t in APPLICANT_TYPES for t in entry.get("types", [])), entry
        assert all(g in TARGET_GROUPS for g in entry.get("groups", [])), entry
    assert set(data("target_groups")["target_groups"]) <= set(TARGET_GROUPS)
    for needs in data("kinds")["jgrants_purposes"].values():
        assert set(needs) <= set(need_ids())


@pytest.mark.parametrize("text, region", [("多摩地域の市町村", "tama"), ("島しょ地域の町村", "tokyo_islands"),
                                          ("特別区等", "tokyo_wards")])
def test_tokyo_sub_regions(text, region):
    assert read_places(sentences(text, "f")).regions == [region]


def test_tama_city_and_okutama_are_not_the_tama_region():
    p = read_places(sentences("多摩市、奥多摩町", "f"))
    assert p.regions == [] and p.municipalities == ["132241", "133086"]


def test_municipalities_without_the_islands_are_the_wards_and_tama():
    assert read_places(sentences("区市町村（島しょ部を除く）", "f")).regions == ["tokyo_wards", "tama"]


def test_in_tokyo_is_the_prefecture():
    assert read_places(sentences("都内に事業所を有する中小企業者", "f")).prefectures == ["13"]


def test_headcount_capital_and_years_in_business_limits():
    s = read_size(sentences("従業員数が300人以下又は資本金の額が3億円以下。創業3年以内", "f"))
    assert s.employees == (None, 300) and s.capital_jpy == (None, 300_000_000) and s.years == (None, 3)


def test_fewer_than_is_one_less_for_headcounts():
    assert read_size(sentences("従業員50人未満の事業者", "f")).employees == (None, 49)


def test_a_size_phrase_not_understood_is_unread_not_guessed():
    s = read_size(sentences("従業員数が一定規模以下の事業者", "f"))
    assert s.employees is None and s.unread


def test_industries_in_japanese_jsic_names():
    assert sorted(read_industries(sentences("都内の建設業又は製造業を営む者", "f")).codes) == ["D", "E"]
    assert read_industries(sentences("創業予定者及び事業者", "f")).codes == []


def test_multi_part_cost_shares():
    shares = read_shares("負担割合：都1/2、区市町村1/4、事業者1/4").shares
    assert [(s["payer"], s["rate"]) for s in shares] == [("tokyo", 0.5), ("municipality", 0.25), ("applicant", 0.25)]
    assert read_rate(shares) is None  # a municipality pays too: not the firm's rate to show


def test_the_firms_rate_when_only_the_firm_shares_the_cost():
    shares = read_shares("都2/3、事業者1/3").shares
    assert read_rate(shares) == pytest.approx(0.6667)


def test_kanji_fractions_and_full_width_digits():
    assert read_shares("都１０分の１０").shares[0]["rate"] == 1.0
    assert read_shares("２分の１以内").shares[0]["rate"] == 0.5


def test_alternative_shares_are_not_one_reading():
    assert read_shares("①国1/2、都1/2、②都10/10").shares is None
    assert read_shares("経費により個別に定める").shares is None


def test_ceilings_in_thousand_and_ten_thousand_yen():
    assert read_ceiling("都10/10、上限1,500千円（１園あたり）") == 1_500_000
    assert read_ceiling("補助上限額：1.2億円") == 120_000_000
    assert read_ceiling("都10/10 （月額上限2万円）") is None  # per month: not the program's ceiling
    assert read_ceiling("整備費：上限30百万円、運営費：上限10百万円") is None  # two ceilings: not one


def test_application_period_in_reiwa_dates():
    assert read_period("募集期間：令和6年4月1日から令和6年5月31日まで") == (dt.date(2024, 4, 1), dt.date(2024, 5, 31))
    assert read_period("申請締切：2025/1/31") == (None, dt.date(2025, 1, 31))
    assert read_period("随時受付") is None


def test_labelled_sections_are_exact_substrings():
    text = "補助金の目的：A\n補助対象者　：区市町村\n負担割合　　：都10/10"
    parts = labelled_sections(text, ("補助金の目的", "補助対象者", "負担割合"))
    assert set(parts) == {"補助金の目的", "補助対象者", "負担割合"} and all(p in text for p in parts.values())
