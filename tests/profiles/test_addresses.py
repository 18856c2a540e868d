"""Addresses and postal codes to prefecture and municipality."""

from __future__ import annotations

import collections
import threading

import pytest

from profiles.addresses import AddressMatch, parse_address, parse_postal_code, postal_code_municipalities
from profiles.errors import AmbiguousValueError, InputError, UnknownValueError
from profiles.geography import gazetteer

KITA, HAMURA = "131172", "132276"


def where(text, **kw):
    found = parse_address(text, **kw)
    return found.prefecture, found.municipality


@pytest.mark.parametrize("text, code", [
    ("東京都北区王子1-11-1", KITA), ("〒114-8508 東京都北区王子本町1-15-22", KITA),
    ("東京都北区王子本町1-15-22 北区役所", KITA), ("　東京都　北区　王子１－１１－１", KITA),
    ("東京都羽村市緑ヶ丘5-2-1", HAMURA), ("東京羽村市緑ケ丘5-2-1", HAMURA), ("羽村市緑ヶ丘5-2-1", HAMURA),
    ("北海道虻田郡倶知安町北1条東2丁目", "014001"), ("虻田郡倶知安町北1条東2丁目", "014001"),
    ("長野県北佐久郡軽井沢町大字長倉2381", "203211"), ("兵庫県赤穂郡上郡町大持278", "284815"),
    ("福岡県小郡市小郡255-1", "402168"), ("福島県郡山市朝日1-23-7", "072036"), ("奈良県大和郡山市北郡山町248-4", "292036"),
    ("北海道札幌市中央区北1条西2丁目", "011011"), ("札幌市中央区北1条西2丁目", "011011"), ("札幌市", "011002"),
    ("神奈川県横浜市中区港町1-1", "141046"), ("横浜市保土ヶ谷区川辺町2-9", "141062"),
    ("京都市中京区寺町通御池上る", "261041"), ("大阪府大阪市北区梅田1-1", "271276"), ("茨城県龍ヶ崎市3710", "082082"),
])
def test_a_japanese_address_gives_the_municipality_that_begins_it(text, code):
    assert parse_address(text).municipality == code


@pytest.mark.parametrize("text, code", [
    ("1-11-1 Oji, Kita-ku, Tokyo", KITA), ("Kita City, Tokyo", KITA), ("Kita-ku, Tokyo 114-8508", KITA),
    ("1-11-1 Oji, Kita-ku, Tokyo, Japan", KITA), ("Kita-ku Tokyo", KITA), ("Tokyo, Kita-ku", KITA),
    ("Hamura-shi, Tokyo", HAMURA), ("Chuo-ku, Sapporo, Hokkaido", "011011"),
    ("Sapporo-shi Chuo-ku, Hokkaido", "011011"), ("Sapporo, Hokkaido", "011002"),
    ("Kutchan-cho, Abuta-gun, Hokkaido", "014001"), ("Kita-ku, Osaka", "271276"),
    ("１－１１－１　Ｏｊｉ，　Ｋｉｔａ－ｋｕ，　Ｔｏｋｙｏ", KITA),
])
def test_an_address_in_english_order_gives_its_municipality(text, code):
    assert parse_address(text).municipality == code


def test_every_local_government_is_found_by_its_japanese_address():
    for g in gazetteer().records:
        assert where(f"{g.prefecture_ja}{g.full_name_ja}1丁目2-3") == (g.prefecture_code, g.code)


def test_every_local_government_is_found_by_its_english_label_after_a_street():
    same_label = collections.Counter(g.label for g in gazetteer().records)
    for g in gazetteer().records:
        if same_label[g.label] == 1:
            assert parse_address(f"1-2-3 Honcho, {g.label}").municipality == g.code


def test_every_local_government_is_found_without_its_prefecture_when_the_prefecture_is_given_apart():
    for g in gazetteer().records:
        assert parse_address(f"{g.full_name_ja}本町1-2", prefecture=g.prefecture_code).municipality == g.code


def test_an_address_in_kita_ku_without_a_prefecture_is_ambiguous_and_names_the_kita_wards():
    with pytest.raises(AmbiguousValueError) as err:
        parse_address("北区王子1-11-1")
    assert err.value.value == "北区王子1-11-1"
    assert len(err.value.candidates) == 12
    assert f"{KITA} Kita City, Tokyo" in err.value.candidates
    assert "011029 Kita Ward, Sapporo, Hokkaido" in err.value.candidates


def test_kita_ku_in_english_without_a_prefecture_is_ambiguous_too():
    with pytest.raises(AmbiguousValueError) as err:
        parse_address("1-11-1 Oji, Kita-ku")
    assert f"{KITA} Kita City, Tokyo" in err.value.candidates


def test_a_prefecture_column_settles_an_address_that_lacks_one():
    assert where("北区王子1-11-1", prefecture="13") == ("13", KITA)
    assert where("北区王子1-11-1", prefecture="東京都") == ("13", KITA)


def test_an_address_in_another_prefecture_than_the_one_given_is_an_error_naming_both():
    with pytest.raises(InputError, match="the address is in Tokyo but the prefecture given is Hokkaido"):
        parse_address("東京都北区王子1-11-1", prefecture="01")


def test_a_postal_code_settles_an_ambiguous_address():
    found = parse_address("北区王子1-11-1", postal_code="114-8508")
    assert (found.municipality, found.how, found.postal_code) == (KITA, "address+postal_code", "1148508")
    assert parse_address("〒114-8508 北区王子本町1-15-22").how == "address+postal_code"


def test_a_postal_code_gives_the_municipality_when_there_is_no_address():
    found = parse_address("", postal_code="1148508")
    assert (found.municipality, found.how) == (KITA, "postal_code")
    assert parse_address(None, postal_code=1148508).municipality == KITA
    assert parse_address("〒114-8508").municipality == KITA


def test_a_postal_code_gives_the_ward_of_a_designated_city_the_address_names():
    found = parse_address("札幌市", postal_code="060-0000")
    assert (found.municipality, found.how) == ("011011", "address+postal_code")


def test_a_postal_code_and_an_address_that_agree_leave_the_address_deciding():
    found = parse_address("東京都北区王子本町1-15-22", postal_code="114-8508")
    assert (found.municipality, found.how) == (KITA, "address")


def test_a_postal_code_that_disagrees_with_the_address_is_an_error_naming_both():
    with pytest.raises(InputError) as err:
        parse_address("東京都羽村市緑ヶ丘5-2-1", postal_code="114-8508")
    assert "114-8508" in err.value.message and "北区" in err.value.message and "羽村市" in err.value.message
    assert err.value.value == "東京都羽村市緑ヶ丘5-2-1"


def test_two_different_postal_codes_for_one_address_are_an_error():
    with pytest.raises(InputError, match="has postal code 114-8508 but the postal code given is 205-0001"):
        parse_address("〒114-8508 東京都北区王子", postal_code="205-0001")


def test_a_postal_code_that_covers_two_municipalities_without_an_address_is_ambiguous():
    with pytest.raises(AmbiguousValueError) as err:
        parse_address(None, postal_code="498-0000")
    assert len(err.value.candidates) == 2


def test_an_unknown_postal_code_is_an_error():
    with pytest.raises(UnknownValueError, match="unknown postal code 999-9999"):
        parse_address("", postal_code="9999999")


def test_a_prefecture_alone_is_read_as_the_prefecture_without_municipality():
    found = parse_address("東京都")
    assert (found.prefecture, found.municipality, found.how, found.label) == ("13", None, "prefecture", "Tokyo")


def test_an_unknown_municipality_is_an_error_keeping_the_address():
    with pytest.raises(UnknownValueError) as err:
        parse_address("東京都架空市1-1")
    assert err.value.value == "東京都架空市1-1" and "Tokyo" in err.value.message


def test_a_municipality_of_another_prefecture_than_the_one_named_is_an_error():
    with pytest.raises(UnknownValueError):
        parse_address("東京都横浜市中区港町1-1")


def test_an_unknown_address_with_a_postal_code_offers_the_postal_codes_municipality():
    with pytest.raises(UnknownValueError) as err:
        parse_address("東京都架空市1-1", postal_code="1148508")
    assert err.value.candidates[0].startswith(KITA)


def test_a_city_named_in_two_prefectures_is_ambiguous_without_one():
    with pytest.raises(AmbiguousValueError) as err:
        parse_address("府中市宮西町2-24")
    assert [c[:6] for c in err.value.candidates] == ["132063", "342084"]


def test_the_rest_of_the_address_is_kept_without_oaza_and_aza():
    assert parse_address("長野県北佐久郡軽井沢町大字長倉2381").rest == "長倉2381"
    assert parse_address("東京都北区王子1-11-1").rest == "王子1-11-1"
    assert parse_address("1-11-1 Oji, Kita-ku, Tokyo").rest == "1-11-1 Oji"


def test_an_empty_address_without_postal_code_is_none():
    assert parse_address("") is None and parse_address(None) is None and parse_address(float("nan")) is None


@pytest.mark.parametrize("value, code", [("114-8508", "1148508"), ("〒114-8508", "1148508"), ("1148508", "1148508"),
                                         ("１１４－８５０８", "1148508"), (600000, "0600000"), (600000.0, "0600000")])
def test_postal_codes_are_read_in_the_ways_lists_write_them(value, code):
    assert parse_postal_code(value) == code


@pytest.mark.parametrize("value", ["114-85", "abc", "1234-567"])
def test_a_malformed_postal_code_is_an_error_keeping_it(value):
    with pytest.raises(InputError) as err:
        parse_postal_code(value)
    assert err.value.value == value


def test_postal_codes_come_from_japan_posts_data_shipped_offline():
    assert [g.code for g in postal_code_municipalities("114-0002")] == [KITA]        # 王子
    assert [g.code for g in postal_code_municipalities("205-0001")] == [HAMURA]      # 羽村市小作台
    assert [g.code for g in postal_code_municipalities("044-0000")] == ["014001"]    # 倶知安町
    assert [g.code for g in postal_code_municipalities("231-0023")] == ["141046"]    # 横浜市中区山下町


def test_postal_codes_can_be_read_from_several_threads():
    from profiles.addresses import _postal_indices

    _postal_indices.cache_clear()
    found, errors = [], []

    def work(code):
        try:
            found.append(postal_code_municipalities(code)[0].code)
        except Exception as exc:  # pragma: no cover - the failure is the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(c,)) for c in ("1140002", "2050001", "0440000")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and sorted(found) == ["014001", KITA, HAMURA]


def test_an_address_match_is_a_plain_value():
    assert parse_address("東京都北区王子1-11-1") == AddressMatch("13", KITA, "address", None, "王子1-11-1")


@pytest.mark.parametrize("text, code", [
    ("本社：東京都北区王子1-11-1", KITA), ("東京都三宅島三宅村阿古", "133817"), ("東京都八丈島八丈町", "134015"),
    ("石川県鹿島郡中能登町", "174076"), ("大阪府三島郡島本町", "273015"), ("広島県広島市中区", "341011"),
    ("Tokyo-to Kita-ku Oji 1-11-1", KITA), ("Oji 1-11-1, Kita-ku, Tokyo 114-8508, Japan", KITA),
])
def test_labels_island_and_district_names_and_japanese_order_in_romaji_are_read(text, code):
    assert parse_address(text).municipality == code


def test_a_ward_newer_than_the_master_list_reads_as_its_city_by_address_and_by_postal_code():
    by_address = parse_address("静岡県浜松市中央区元城町103-2").municipality
    by_postal_code = parse_address(None, postal_code="430-0929").municipality
    assert gazetteer().get(by_address).full_name_ja.startswith("浜松市")
    assert gazetteer().get(by_postal_code).full_name_ja.startswith("浜松市")


@pytest.mark.parametrize("value, prefecture, code", [
    ("北区", "13", KITA), ("Kita", "13", KITA), ("131172", None, KITA), (131172, None, KITA), ("13117", None, KITA),
    (11002, None, "011002"), ("虻田郡倶知安町", "01", "014001"), ("虻田郡倶知安町", None, "014001"),
    ("札幌市 中央区", None, "011011"), ("札幌市中央区", "北海道", "011011"), ("羽村市", None, HAMURA),
])
def test_a_municipality_column_reads_codes_names_and_district_prefixed_names(value, prefecture, code):
    from profiles.addresses import parse_municipality

    assert parse_municipality(value, prefecture=prefecture).code == code


def test_a_municipality_column_keeps_ambiguity_and_unknown_names_as_errors():
    from profiles.addresses import parse_municipality

    with pytest.raises(AmbiguousValueError):
        parse_municipality("北区")
    with pytest.raises(UnknownValueError) as err:
        parse_municipality("架空市", prefecture="13")
    assert err.value.value == "架空市"
    assert parse_municipality("") is None and parse_municipality(None) is None


def test_a_two_digit_prefecture_that_is_no_prefecture_is_an_unknown_prefecture_not_a_crash():
    with pytest.raises(UnknownValueError, match="unknown prefecture, got '99'"):
        parse_address("東京都北区王子1-2-3", prefecture="99")
