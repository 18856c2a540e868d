"""Rule explanations in Japanese read as Japanese; the English ones are unchanged."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pytest

import rules.jsonlogic
from profiles import CompanyProfile, load_catalog
from rules import CompiledEligibility, FirmFacts
from rules.conditions import FlagCondition, LogicCondition, RangeCondition
from rules.kleene import FALSE, TRUE, UNKNOWN
from rules.phrases import PHRASES, phrase

DAY = dt.date(2026, 11, 21)


@pytest.fixture(scope="module")
def compiled():
    catalog = load_catalog()
    return catalog, CompiledEligibility(catalog.programs)


def texts(compiled, firm, program_id, lang):
    catalog, elig = compiled
    j = [p.id for p in catalog.programs].index(program_id)
    facts = FirmFacts.from_profiles([CompanyProfile(**firm)], DAY)
    return [c.text for c in elig.explain(facts, j, lang=lang)]


def test_every_phrase_has_english_and_japanese():
    assert all(set(v) == {"en", "ja"} for v in PHRASES.values())


def test_a_hamura_firm_without_its_size_may_be_an_sme_in_both_languages(compiled):
    firm = {"municipality": "Hamura", "prefecture": "Tokyo"}
    en = texts(compiled, firm, "hamura-interest-subsidy", "en")
    ja = texts(compiled, firm, "hamura-interest-subsidy", "ja")
    assert "located in Hamura (Tokyo)" in en
    assert any(t.startswith("may be an SME: ") and "employees not given: needed for the SME test" in t for t in en)
    assert "所在地は東京都羽村市" in ja
    assert any(t.startswith("中小企業者の可能性がある: ") and "従業員数が未入力: 中小企業者の判定に必要" in t for t in ja)


def test_a_kita_program_says_in_japanese_that_a_hamura_firm_is_elsewhere(compiled):
    ja = texts(compiled, {"municipality": "Hamura", "prefecture": "Tokyo"}, "kita-trade-fair-subsidy", "ja")
    assert "所在地は東京都羽村市で、対象の東京都北区ではない" in ja


def test_a_closed_program_says_when_it_ended_in_japanese(compiled):
    ja = texts(compiled, {"municipality": "Hamura", "prefecture": "Tokyo"}, "hamura-training-subsidy", "ja")
    assert ja[0] == "2015-03-31に終了"


@pytest.mark.parametrize("program_id", ["hamura-interest-subsidy", "kita-trade-fair-subsidy",
                                        "hamura-environment-interest-subsidy", "hamura-site-information"])
def test_japanese_condition_texts_have_no_english_words(compiled, program_id):
    for firm in ({"municipality": "Hamura", "prefecture": "Tokyo"},
                 {"municipality": "Kita", "prefecture": "Tokyo", "industry": "E24", "employees": 400,
                  "capital_jpy": 500_000_000}):
        for text in texts(compiled, firm, program_id, "ja"):
            assert not re.search(r"\b[a-z]{2,}\b", text), text


def test_ranges_and_flags_in_japanese():
    facts = FirmFacts.from_profiles([CompanyProfile(municipality="Hamura", prefecture="Tokyo", employees=400)], DAY)
    cap = RangeCondition("employees", [0], np.array([np.nan]), np.array([300.0]))
    assert cap.describe(facts, 0, FALSE, "ja") == "従業員数 400（300超）"
    assert cap.describe(facts, 0, FALSE) == "employees 400 > 300"
    flag = FlagCondition("environment_conscious", [0])
    assert flag.describe(facts, 0, UNKNOWN, "ja") == phrase("flag_unknown", "ja", label="環境配慮")


def test_a_jsonlogic_rule_names_its_missing_facts_in_japanese():
    cond = LogicCondition([0], [rules.jsonlogic.LogicRule({"<=": [{"var": "employees"}, 300]})])
    facts = FirmFacts.from_profiles([CompanyProfile(municipality="Hamura", prefecture="Tokyo")], DAY)
    assert cond.describe(facts, 0, UNKNOWN, "ja") == "従業員数が未入力（条件式: employees <= 300）"
    facts = FirmFacts.from_profiles([CompanyProfile(municipality="Hamura", prefecture="Tokyo", employees=5)], DAY)
    assert cond.describe(facts, 0, TRUE, "en") == "employees 5 <= 300 (rule: employees <= 300)"
