"""Who may apply, target groups and Tokyo's sub-regions, as eligibility conditions."""

import datetime as dt

from profiles.models import CompanyProfile, SupportProgram
from rules import CompiledEligibility, FirmFacts
from rules.kleene import FALSE, TRUE, UNKNOWN
from rules.rulesets import rule_set

DAY = dt.date(2024, 6, 1)
TOKYO = {"id": "tokyo", "name_ja": "東京都", "kind": "prefecture"}


def program(pid, **eligibility):
    extra = eligibility.pop("extra", {})
    return SupportProgram(id=pid, name_ja=pid, provider=TOKYO, kind="subsidy", eligibility=eligibility,
                          source=[{"file": "list.csv", "row": 1, "quote": "補助対象者：…",
                                   "facts": ["eligibility.applicant_types"]}], **extra)


PROGRAMS = [
    program("for-municipalities", applicant_types=["区市町村"]),
    program("for-smes", applicant_types=["法人", "個人事業主"]),
    program("for-corporations", applicant_types=["法人"]),
    program("run-by-the-support-center", applicant_types=["東京都中小企業振興公社"],
            extra={"delivered_by": {"name_ja": "東京都中小企業振興公社"}}),
    program("the-centers-own-grant", applicant_types=["東京都中小企業振興公社"]),
    program("for-shopping-streets", target_groups=["商店街"]),
    program("for-manufacturers", target_groups=["manufacturer"]),
    program("for-care-providers", target_groups=["care_provider"]),
    program("for-care-or-shopping-streets", target_groups=["care_provider", "shopping_street"]),
    program("tama-only", regions=["多摩"]),
]
RULES = CompiledEligibility(PROGRAMS)
COL = {p.id: j for j, p in enumerate(PROGRAMS)}


def verdicts(**firm):
    facts = FirmFacts.from_profiles([CompanyProfile(**firm)], DAY)
    return {p.id: int(v) for p, v in zip(PROGRAMS, RULES.evaluate(facts)[0])}


def test_no_firm_may_apply_for_a_program_only_for_municipalities():
    assert verdicts(municipality="Kita City", prefecture="Tokyo")["for-municipalities"] == FALSE
    facts = FirmFacts.from_profiles([CompanyProfile(municipality="Kita City", prefecture="Tokyo")], DAY)
    texts = [c.text for c in RULES.explain(facts, COL["for-municipalities"])]
    assert any("no firm may apply" in t and "「補助対象者：…」" in t for t in texts)


def test_a_firm_that_does_not_say_its_kind_is_taken_as_a_business_where_any_business_may_apply():
    v = verdicts(municipality="Kita City", prefecture="Tokyo")
    assert v["for-smes"] == TRUE
    assert v["for-corporations"] == UNKNOWN  # a sole proprietor could not
    assert verdicts(municipality="Kita City", prefecture="Tokyo", applicant_type="個人事業主")["for-corporations"] == FALSE


def test_a_program_the_support_center_runs_for_firms_is_open_through_it_and_a_grant_to_it_is_only_possible():
    v = verdicts(municipality="Kita City", prefecture="Tokyo", applicant_type="corporation")
    assert v["run-by-the-support-center"] == TRUE
    # paid to the body without saying it runs it for firms: it may be the body's own grant
    assert v["the-centers-own-grant"] == UNKNOWN
    assert verdicts(municipality="Kita City", prefecture="Tokyo")["the-centers-own-grant"] == UNKNOWN


def test_a_target_group_is_met_by_the_firms_attributes_or_its_industry_and_otherwise_unknown():
    assert verdicts(prefecture="Tokyo", attributes=["shopping_street"])["for-shopping-streets"] == TRUE
    assert verdicts(prefecture="Tokyo")["for-shopping-streets"] == UNKNOWN
    assert verdicts(prefecture="Tokyo", industry="E24")["for-manufacturers"] == TRUE


def test_a_builder_is_not_a_care_provider_but_a_firm_of_no_given_industry_may_be():
    # care is a line of business (exclusive in audiences.yaml): the firm's given industry settles it
    assert verdicts(prefecture="Tokyo", industry="D06")["for-care-providers"] == FALSE
    assert verdicts(prefecture="Tokyo", industry="P85")["for-care-providers"] == TRUE
    assert verdicts(prefecture="Tokyo")["for-care-providers"] == UNKNOWN
    # a builder that says it runs a care home is one
    assert verdicts(prefecture="Tokyo", industry="D06", attributes=["care_provider"])["for-care-providers"] == TRUE
    # a program for shopping streets is the association's: a builder that does not say it is one is not,
    # a firm that names the group is, and one that gives no industry may be
    assert verdicts(prefecture="Tokyo", industry="D06")["for-care-or-shopping-streets"] == FALSE
    assert verdicts(prefecture="Tokyo", industry="D06", attributes=["shopping_street"])[
        "for-care-or-shopping-streets"] == TRUE
    assert verdicts(prefecture="Tokyo")["for-care-or-shopping-streets"] == UNKNOWN


def test_why_a_builder_is_not_a_care_provider_is_said_in_both_languages():
    facts = FirmFacts.from_profiles([CompanyProfile(prefecture="Tokyo", industry="D06")], DAY)
    cond = next(c for c in RULES.conditions if c.name == "target_groups")
    pos = cond.position(COL["for-care-providers"])
    en = cond.describe(facts, pos, FALSE)
    ja = cond.describe(facts, pos, FALSE, lang="ja")
    assert en.startswith("for care providers (介護事業者): the firm's industry (D06 ")
    assert ja.startswith("介護事業者向け: 企業の業種（D06 ")


def test_a_tama_only_program_is_open_in_hamura_and_closed_in_kita():
    assert verdicts(municipality="Hamura", prefecture="Tokyo")["tama-only"] == TRUE
    assert verdicts(municipality="Kita City", prefecture="Tokyo")["tama-only"] == FALSE
    assert verdicts(prefecture="Tokyo")["tama-only"] == UNKNOWN
    assert verdicts(prefecture="Osaka")["tama-only"] == FALSE


def test_the_pair_tables_agree_with_the_full_matrix_for_these_conditions():
    facts = FirmFacts.from_profiles([CompanyProfile(municipality="Hamura", prefecture="Tokyo", industry="E24"),
                                     CompanyProfile(prefecture="Tokyo", applicant_type="npo")], DAY)
    full = RULES.evaluate(facts)
    tables = RULES.pair_tables()
    table = tables.variants(facts)
    key, ptr, cand = tables.candidates(facts)
    for i in range(facts.n):
        for j in cand[ptr[key[i]]:ptr[key[i] + 1]]:
            v = min([TRUE] + [int(table[i, k]) for k in tables.variants_of(j)])
            assert v == full[i, j]


def test_a_medical_corporation_of_20_people_is_not_an_sme():
    # the SME Basic Act's size test is for companies, sole proprietors (and cooperatives): a
    # medical corporation fails it whatever its size, with the reason in words
    sme = rule_set("sme")
    facts = FirmFacts.from_profiles([CompanyProfile(prefecture="13", industry="P83", employees=20, capital_jpy=1_000_000,
                                                    applicant_type=t) for t in
                                     ("medical_corporation", "npo", "corporation", None)], dt.date(2026, 12, 1))
    assert sme.evaluate(facts).tolist() == [FALSE, FALSE, TRUE, TRUE]
    (value, text), = sme.trace(facts, 0)
    assert value == FALSE and text.startswith("a medical corporation is not an SME under the SME Basic Act")
    (_, text_ja), = sme.trace(facts, 1, lang="ja")
    assert text_ja.startswith("NPO法人は中小企業基本法の中小企業者に当たらない")


def test_a_cooperative_within_the_thresholds_is_an_sme():
    facts = FirmFacts.from_profiles([CompanyProfile(prefecture="13", industry="E24", employees=12, applicant_type="cooperative")],
                                    dt.date(2026, 12, 1))
    assert rule_set("small_enterprise").evaluate(facts).tolist() == [TRUE]


def test_who_may_apply_is_explained_in_japanese():
    facts = FirmFacts.from_profiles([CompanyProfile(prefecture="Tokyo", applicant_type="npo")], DAY)
    cond = next(c for c in RULES.conditions if c.name == "applicant_type")
    text = cond.describe(facts, cond.position(COL["for-municipalities"]), FALSE, lang="ja")
    assert text == "対象は区市町村のみ: NPO法人は対象外"
    assert cond.describe(facts, cond.position(COL["for-municipalities"]), FALSE) == \
        "only for municipalities (区市町村): not for an NPO"
