"""Company profiles: what a coordinator may type, and what is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from profiles import CompanyProfile, gazetteer, resolve_industry, resolve_need
from profiles.catalog import load_catalog
from profiles.errors import AmbiguousValueError, CatalogError, UnknownValueError
from profiles.romaji import render


@pytest.mark.parametrize("name", ["Kita", "Kita City", "Kita-ku", "北区", "131172", "きたく"])
def test_kita_city_can_be_named_in_english_japanese_kana_or_by_code(name):
    assert CompanyProfile(municipality=name, prefecture="Tokyo").municipality == "131172"


@pytest.mark.parametrize("pref", ["Tokyo", "東京都", "東京", "tokyo-to", "13"])
def test_the_prefecture_can_be_english_or_japanese(pref):
    assert CompanyProfile(municipality="Kita", prefecture=pref).prefecture == "13"


def test_kita_alone_is_ambiguous_and_the_error_lists_the_wards():
    with pytest.raises(AmbiguousValueError) as err:
        gazetteer().resolve("Kita")
    assert "131172 Kita City, Tokyo" in err.value.candidates
    assert any("Sapporo" in c for c in err.value.candidates)


def test_kita_in_osaka_is_still_ambiguous_between_osaka_and_sakai():
    with pytest.raises(AmbiguousValueError) as err:
        gazetteer().resolve("Kita", prefecture="27")
    assert len(err.value.candidates) == 2


def test_a_misspelt_municipality_names_the_closest_ones():
    with pytest.raises(UnknownValueError) as err:
        gazetteer().resolve("Mitakka")
    assert err.value.candidates[0].startswith("132047")


def test_a_municipality_in_another_prefecture_is_refused():
    with pytest.raises(ValidationError, match="no local government of this name in Osaka"):
        CompanyProfile(municipality="Hamura", prefecture="Osaka")


def test_the_prefecture_follows_from_the_municipality():
    assert CompanyProfile(municipality="132276").prefecture == "13"


def test_a_firm_needs_a_location():
    with pytest.raises(ValidationError, match="location is required"):
        CompanyProfile(employees=3)


def test_missing_is_not_zero():
    firm = CompanyProfile(municipality="Hamura", prefecture="Tokyo")
    assert firm.employees is None and firm.capital_jpy is None and firm.founded is None


def test_a_negative_headcount_is_refused():
    with pytest.raises(ValidationError, match="greater than or equal to 0"):
        CompanyProfile(municipality="Hamura", prefecture="Tokyo", employees=-1)


def test_an_unknown_field_is_refused():
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        CompanyProfile(municipality="Hamura", prefecture="Tokyo", headcount=3)


@pytest.mark.parametrize("word, code", [("metalworking", "E24"), ("manufacturing", "E"), ("software", "G39"),
                                        ("E18", "E18"), ("e29", "E29"), ("26", "E26"), ("製造業", "E")])
def test_industries_are_jsic_codes_or_common_words(word, code):
    assert resolve_industry(word).code == code


@pytest.mark.parametrize("word, need", [("展示会", "trade_fair"), ("exhibition", "trade_fair"), ("融資", "financing"),
                                        ("IT導入", "it_adoption"), ("産学連携", "academia_collaboration")])
def test_needs_have_english_and_japanese_synonyms(word, need):
    assert resolve_need(word) == need


def test_an_unknown_need_names_the_closest_valid_ones():
    with pytest.raises(UnknownValueError) as err:
        resolve_need("trade_fare")
    assert err.value.candidates == ["trade_fair"]


def test_a_bare_founding_year_means_the_first_of_january():
    assert CompanyProfile(prefecture="Tokyo", founded="1978").founded == dt.date(1978, 1, 1)


def test_every_local_government_of_the_master_list_is_in_the_gazetteer():
    assert len(gazetteer()) == 1916


def test_the_shipped_english_names_match_a_fresh_derivation_from_the_kana():
    pytest.importorskip("pykakasi")
    from importlib import resources

    shipped = (resources.files("profiles") / "data" / "localgov-en.csv").read_text(encoding="utf-8")
    assert shipped == render()


@pytest.mark.parametrize("code, english", [("131113", "Ota City, Tokyo"), ("272272", "Higashiosaka City, Osaka"),
                                           ("281000", "Kobe City, Hyogo"), ("011029", "Kita Ward, Sapporo, Hokkaido")])
def test_english_names_are_hepburn_with_long_vowels_folded(code, english):
    assert gazetteer().get(code).label == english


def test_a_label_printed_by_the_gazetteer_resolves_back_to_its_local_government():
    gaz = gazetteer()
    for code in ("132012", "131172", "011029", "141003", "272272"):
        assert gaz.resolve(gaz.get(code).label).code == code


def test_needs_given_as_a_number_are_a_clear_error_not_a_crash():
    from pydantic import ValidationError
    for bad, message in ((5, "needs must be a list"), ([5], "a need must be a string"),
                         ({"trade_fair": 1}, "needs must be a list")):
        with pytest.raises(ValidationError, match=message):
            CompanyProfile(municipality="131172", needs=bad)


def test_every_need_word_resolves_the_same_as_given_and_in_other_cases():
    from profiles.needs import NEEDS

    for need in NEEDS:
        for word in (need.id, need.label_en, need.label_ja, *need.synonyms):
            assert resolve_need(word) == resolve_need(f" {word.upper()} ") == need.id


@pytest.mark.parametrize("name, text", [
    ("dup.yaml", "programs:\n  - id: kita-x\n    name: A\n    name: B\n"),
    ("dup.json", '{"programs": [{"id": "kita-x", "name": "A", "name": "B"}]}'),
])
def test_a_catalog_entry_that_gives_a_field_twice_is_refused_not_overwritten(tmp_path, name, text):
    (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        load_catalog(tmp_path)
    assert name in str(info.value) and "duplicate key 'name'" in str(info.value)


def test_name_keys_of_ascii_names_take_a_short_cut_to_the_same_key():
    import re
    import unicodedata

    from profiles.geography import Gazetteer, gazetteer, name_key
    from profiles.romaji import fold_long_vowels

    def reference(text: str) -> str:  # name_key as it was, through the three normalizations for every text
        text = unicodedata.normalize("NFKC", str(text)).strip().lower()
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
        text = unicodedata.normalize("NFKC", text)
        text = re.sub(r"[\s\-‐・.,'’_()（）]", "", text)
        if text.isascii():
            text = fold_long_vowels(text).replace("mb", "nb").replace("mp", "np")
        return text

    names = [a for g in gazetteer().records for a in Gazetteer._aliases(g)]
    names += [" Higashi-Ōsaka ", "HIGASHI OOSAKA\t", "Shinjuku-ku", "Ｓｈｉｎｊｕｋｕ", "札幌市 北区", "がっこう", "\u3000Kita "]
    assert [name_key(n) for n in names] == [reference(n) for n in names]
