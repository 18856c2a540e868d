"""Values as people write them in firm lists: amounts, headcounts, dates, industries, needs."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from profiles import CompanyProfile
from profiles.dates import eras, parse_date, to_era
from profiles.errors import AmbiguousValueError, InputError, UnknownValueError
from profiles.numerals import is_missing, parse_number
from profiles.values import parse_amount_jpy, parse_headcount, parse_industry_words, parse_needs_words

D = dt.date


# --- numerals -------------------------------------------------------------------------------

@pytest.mark.parametrize("text, value", [
    ("1,000", 1000), ("1億2,000万", 120_000_000), ("三千万", 30_000_000), ("一億二千万", 120_000_000),
    ("二〇二四", 2024), ("十万五千", 105_000), ("10百万", 10_000_000), ("1.5億", 150_000_000), ("千", 1000),
])
def test_numerals_in_digits_kanji_or_both_read_exactly(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["1万2億", "百千", "12三", "1,00", "abc", ""])
def test_a_text_that_is_no_numeral_reads_as_none(text):
    assert parse_number(text) is None


@given(st.integers(min_value=0, max_value=10**15))
def test_every_integer_written_with_thousands_commas_reads_back(n):
    assert parse_number(f"{n:,}") == Decimal(n)


def test_empty_cells_are_recognized_in_the_ways_registers_write_them():
    assert all(is_missing(v) for v in (None, math.nan, "", "  ", "-", "－", "―", "不明", "なし", "N/A"))
    assert not any(is_missing(v) for v in ("0", 0, "東京都", "25名"))


# --- amounts --------------------------------------------------------------------------------

@pytest.mark.parametrize("text, yen", [
    ("1,000万円", 10_000_000), ("１０００万円", 10_000_000), ("１，０００万円", 10_000_000),
    ("3億円", 300_000_000), ("10,000千円", 10_000_000), ("1億2,000万円", 120_000_000),
    ("三千万円", 30_000_000), ("約1000万円", 10_000_000), ("1000万", 10_000_000), ("10,000,000円", 10_000_000),
    ("10000000", 10_000_000), ("¥10,000,000", 10_000_000), ("￥10,000,000", 10_000_000),
    ("50百万円", 50_000_000), ("2.5百万円", 2_500_000), ("3.5億円", 350_000_000), ("五百万円", 5_000_000),
    ("10 million yen", 10_000_000), ("JPY 10,000,000", 10_000_000), ("1,000万円（2024年3月現在）", 10_000_000),
    ("資本金1,000万円", 10_000_000), ("0円", 0),
])
def test_capital_written_with_units_commas_and_full_width_digits_is_read_in_yen(text, yen):
    assert parse_amount_jpy(text) == yen


def test_a_bare_number_counts_in_the_unit_its_column_header_gives():
    assert parse_amount_jpy("10,000", unit=1000) == 10_000_000      # 資本金（千円）
    assert parse_amount_jpy(1000, unit=10_000) == 10_000_000         # 資本金（万円）, a number cell
    assert parse_amount_jpy("1,000万円", unit=1000) == 10_000_000    # the cell's own unit wins


def test_numbers_from_a_spreadsheet_are_amounts_as_they_are():
    assert parse_amount_jpy(10_000_000) == 10_000_000
    assert parse_amount_jpy(1.5e7) == 15_000_000


def test_no_capital_is_none_not_zero():
    assert parse_amount_jpy("") is None
    assert parse_amount_jpy(None) is None
    assert parse_amount_jpy(math.nan) is None
    assert parse_amount_jpy("個人") is None   # a sole proprietorship
    assert parse_amount_jpy("-") is None


def test_a_capital_range_is_an_error_naming_both_ends():
    with pytest.raises(InputError) as err:
        parse_amount_jpy("1000万〜3000万円")
    assert err.value.value == "1000万〜3000万円"
    assert err.value.candidates == ["10000000", "30000000"]


def test_a_capital_bound_is_an_error_naming_the_bound():
    with pytest.raises(InputError) as err:
        parse_amount_jpy("1億円以上")
    assert "bound" in err.value.message and err.value.candidates == ["100000000"]


@pytest.mark.parametrize("text, says", [
    ("-100万円", ">= 0"), ("1.5円", "whole number of yen"), ("千万円くらいかな", "not an amount"),
    ("1,00", "not an amount"), ("abc", "not an amount"),
])
def test_a_bad_amount_is_an_error_keeping_the_original_text(text, says):
    with pytest.raises(InputError) as err:
        parse_amount_jpy(text, field="資本金")
    assert err.value.value == text and err.value.field == "資本金" and says in err.value.message


# --- headcounts -----------------------------------------------------------------------------

@pytest.mark.parametrize("text, people", [
    ("25名", 25), ("約30人", 30), ("30", 30), ("１２人", 12), ("二十五名", 25), ("1,200名", 1200),
    ("30名（うちパート5名）", 30), ("25 employees", 25), ("約30名程度", 30), ("従業員数：25名", 25), ("0", 0),
])
def test_a_headcount_with_units_and_approximations_is_read(text, people):
    assert parse_headcount(text) == people


def test_a_headcount_number_from_a_spreadsheet_is_taken_as_it_is():
    assert parse_headcount(25) == 25 and parse_headcount(25.0) == 25 and parse_headcount(math.nan) is None


def test_a_size_band_is_an_error_with_both_ends_by_default():
    with pytest.raises(InputError) as err:
        parse_headcount("10〜20名")
    assert err.value.candidates == ["10", "20"] and err.value.value == "10〜20名"


@pytest.mark.parametrize("text, upper", [("10〜20名", 20), ("１０～２０人", 20), ("10-20名", 20),
                                         ("20人以下", 20), ("20人未満", 19)])
def test_a_size_band_reads_as_its_upper_bound_when_asked(text, upper):
    assert parse_headcount(text, ranges="upper") == upper


def test_an_open_band_is_an_error_even_when_upper_bounds_are_asked_for():
    with pytest.raises(InputError, match="open size band"):
        parse_headcount("300人以上", ranges="upper")


def test_several_figures_in_one_cell_are_an_error_offering_their_sum():
    with pytest.raises(InputError) as err:
        parse_headcount("正社員20名、パート10名")
    assert err.value.candidates == ["30 (all)", "20", "10"]


@pytest.mark.parametrize("value", ["2.5人", "-3", "abc", 25.5, True])
def test_a_bad_headcount_is_an_error_keeping_the_original(value):
    with pytest.raises(InputError) as err:
        parse_headcount(value)
    assert err.value.value == value


def test_an_unknown_band_policy_is_a_programming_error():
    with pytest.raises(ValueError, match="ranges must be"):
        parse_headcount("25", ranges="middle")


# --- dates ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, date", [
    ("昭和53年4月1日", D(1978, 4, 1)), ("S53.4.1", D(1978, 4, 1)), ("s53/4/1", D(1978, 4, 1)),
    ("昭53.4.1", D(1978, 4, 1)), ("Ｓ５３．４．１", D(1978, 4, 1)), ("昭和五十三年四月一日", D(1978, 4, 1)),
    ("H13", D(2001, 1, 1)), ("平成13年", D(2001, 1, 1)), ("H13.4", D(2001, 4, 1)), ("R6.4.1", D(2024, 4, 1)),
    ("令和6年4月1日", D(2024, 4, 1)), ("大正12年9月1日", D(1923, 9, 1)), ("明治45年7月29日", D(1912, 7, 29)),
    ("2024-04-01", D(2024, 4, 1)), ("2024/4/1", D(2024, 4, 1)), ("2024.4.1", D(2024, 4, 1)),
    ("2024年4月1日", D(2024, 4, 1)), ("1978年4月", D(1978, 4, 1)), ("1978", D(1978, 1, 1)),
    ("１９７８年", D(1978, 1, 1)), ("一九七八年四月一日", D(1978, 4, 1)), ("19780401", D(1978, 4, 1)),
    ("1978/04/01 0:00:00", D(1978, 4, 1)), ("2024-04-01T00:00:00", D(2024, 4, 1)),
    ("2024年4月1日(月)", D(2024, 4, 1)), ("April 1, 1978", D(1978, 4, 1)), ("1 Apr 1978", D(1978, 4, 1)),
    ("昭和53年(1978年)4月1日", D(1978, 4, 1)), ("1978年（昭和53年）4月1日", D(1978, 4, 1)),
    ("2020年度", D(2020, 4, 1)), ("1978年頃", D(1978, 1, 1)), ("設立 1978年4月", D(1978, 4, 1)),
])
def test_dates_in_iso_slashes_kanji_and_japanese_eras_are_read(text, date):
    assert parse_date(text) == date


def test_showa_53_april_1st_is_1978_04_01_in_every_spelling():
    assert {parse_date(t) for t in ("昭和53年4月1日", "S53.4.1", "昭53.4.1", "S53-4-1", "s53.04.01")} == {D(1978, 4, 1)}


def test_the_first_year_of_an_era_is_gannen_and_starts_on_the_eras_first_day():
    assert parse_date("令和元年") == D(2019, 5, 1)
    assert parse_date("令和元年5月1日") == parse_date("R1.5.1") == D(2019, 5, 1)
    assert parse_date("平成元年") == parse_date("平成元年1月") == D(1989, 1, 8)
    assert parse_date("昭和64年") == D(1989, 1, 1)      # 昭和64年 ran from January 1 to 7
    assert parse_date("昭和64年1月7日") == D(1989, 1, 7)


@pytest.mark.parametrize("text, says", [
    ("平成32年", "平成 has no year 32"), ("昭和65年", "昭和 has no year 65"),
    ("昭和64年1月8日", "昭和 had ended"), ("昭和64年2月", "昭和 had ended"), ("明治45年7月30日", "明治 had ended"),
    ("平成元年1月1日", "平成 had not begun"), ("令和元年4月", "令和 had not begun"),
])
def test_an_era_date_outside_its_era_is_an_error_that_gives_the_real_date(text, says):
    with pytest.raises(InputError) as err:
        parse_date(text)
    assert says in err.value.message and err.value.value == text and err.value.candidates


def test_heisei_32_is_an_error_that_suggests_reiwa_2():
    with pytest.raises(InputError) as err:
        parse_date("平成32年")
    assert err.value.candidates == ["2020-01-01 (令和2年1月1日)"]


@pytest.mark.parametrize("text", ["2023年2月29日", "2024-13-01", "S53.2.30", "2024/4/31"])
def test_an_impossible_date_is_an_error(text):
    with pytest.raises(InputError, match="not a real date"):
        parse_date(text)


def test_a_day_first_or_month_first_date_is_ambiguous_with_both_readings():
    with pytest.raises(AmbiguousValueError) as err:
        parse_date("04/01/2024")
    assert err.value.candidates == ["2024-01-04", "2024-04-01"]
    assert parse_date("13/01/2024") == D(2024, 1, 13)  # only one reading is a date


@pytest.mark.parametrize("text, says", [("78/4/1", "two-digit year"), ("R0", "starts at year 1 (元年)"), ("昭和53年(1979年)", "disagree"),
                                        ("いつか", "not a date"), ("H13.4.1.5", "not a date")])
def test_a_text_that_is_no_date_is_an_error_keeping_it(text, says):
    with pytest.raises(InputError) as err:
        parse_date(text, field="設立年月日")
    assert says in err.value.message and err.value.value == text and err.value.field == "設立年月日"


def test_spreadsheet_dates_and_numbers_are_read():
    assert parse_date(dt.datetime(1978, 4, 1, 0, 0)) == D(1978, 4, 1)
    assert parse_date(D(1978, 4, 1)) == D(1978, 4, 1)
    assert parse_date(1978) == parse_date(1978.0) == D(1978, 1, 1)
    assert parse_date(19780401) == D(1978, 4, 1)
    assert parse_date(None) is None and parse_date(math.nan) is None and parse_date("") is None


def test_an_excel_serial_number_is_an_error_that_offers_its_date():
    with pytest.raises(InputError) as err:
        parse_date(28581)
    assert err.value.candidates == ["1978-04-01"]


def test_the_eras_come_from_the_data_file_in_order_each_ending_the_day_before_the_next():
    names = [e.name for e in eras()]
    assert names == ["明治", "大正", "昭和", "平成", "令和"]
    for before, after in zip(eras(), eras()[1:]):
        assert before.end == after.start - dt.timedelta(days=1)
    assert eras()[-1].end is None


@given(st.dates(min_value=D(1873, 1, 1), max_value=D(2100, 12, 31)))
def test_every_gregorian_day_since_1873_written_in_its_era_reads_back(date):
    assert parse_date(to_era(date)) == date


# --- industries -----------------------------------------------------------------------------

@pytest.mark.parametrize("text, code", [
    ("金属製品製造業", "E24"), ("ソフトウェア業", "G39"), ("飲食店", "M76"), ("建設業", "D"), ("製造業", "E"),
    ("24", "E24"), ("09", "E09"), ("9", "E09"), (24, "E24"), (9.0, "E09"), ("E24", "E24"), ("e24", "E24"),
    ("E", "E"), ("244", "E24"), ("2441", "E24"), ("24 金属製品製造業", "E24"), ("24：金属製品製造業", "E24"),
    ("金属製品製造業（24）", "E24"), ("E 製造業", "E"), ("卸売業，小売業", "I"), ("卸売業・小売業", "I"),
    ("卸売・小売業", "I"), ("情報通信業", "G"), ("サービス業（他に分類されないもの）", "R"), ("食料品製造", "E09"),
    ("metalworking", "E24"), ("software", "G39"), ("受託開発ソフトウェア業", "G39"), ("電気工事業", "D08"),
    ("税理士事務所", "L72"), ("介護事業", "P85"),
])
def test_industry_words_and_numbers_resolve_to_jsic(text, code):
    assert parse_industry_words(text) == code


def test_every_jsic_japanese_name_resolves_to_its_own_code_or_its_division_of_the_same_name():
    from profiles.industries import DIVISIONS, MAJOR_GROUPS

    for code, (_, ja) in {**DIVISIONS, **MAJOR_GROUPS}.items():
        found = parse_industry_words(ja)
        assert found == code or (DIVISIONS.get(found, (None, None))[1] == ja and code[0] == found), (ja, code)


def test_the_japanese_industry_words_are_accepted_by_a_single_firm_profile_too():
    assert CompanyProfile(prefecture="13", industry="ソフトウェア業").industry == "G39"


def test_several_industries_in_one_cell_are_ambiguous_with_each_as_a_candidate():
    with pytest.raises(AmbiguousValueError) as err:
        parse_industry_words("製造業、卸売業")
    assert err.value.candidates == ["E manufacturing", "I wholesale and retail trade"]


def test_a_code_and_a_name_that_disagree_are_ambiguous():
    with pytest.raises(AmbiguousValueError) as err:
        parse_industry_words("24 建設業")
    assert err.value.candidates == ["E24 fabricated metal products", "D construction"]


@pytest.mark.parametrize("value", ["宇宙産業", "00", 1_000_000, "E99", "A24"])
def test_an_unknown_industry_is_an_error_keeping_the_original(value):
    with pytest.raises(UnknownValueError) as err:
        parse_industry_words(value)
    assert err.value.value == value


def test_a_name_without_its_final_gyo_still_resolves_and_a_misspelt_one_gets_close_names():
    assert parse_industry_words("金属製品製造") == "E24"
    with pytest.raises(UnknownValueError) as err:
        parse_industry_words("金属製品製業")
    assert any(c.startswith("E24") for c in err.value.candidates)


def test_an_empty_industry_cell_is_none():
    assert parse_industry_words("") is None and parse_industry_words(None) is None


# --- needs ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, needs", [
    ("展示会、融資", ("trade_fair", "financing")), ("展示会,融資", ("trade_fair", "financing")),
    ("展示会；融資／補助金", ("trade_fair", "financing", "subsidy")),
    ("展示会・商談会、運転資金など", ("trade_fair", "business_matching", "financing")),
    ("資金調達・融資", ("financing",)), ("補助金・助成金", ("subsidy",)), ("広報・PR", ("publicity",)),
    ("trade fair; financing", ("trade_fair", "financing")), ("Trade fairs, loans", ("trade_fair", "financing")),
    ("1. 展示会\n2. 融資", ("trade_fair", "financing")), ("・展示会\n・融資", ("trade_fair", "financing")),
    ("販路開拓及び人材確保", ("marketing", "human_resources")), ("DX推進", ("it_adoption",)),
    ("融資相談", ("financing",)), ("ホームページ作成", ("website",)), ("人手不足", ("human_resources",)),
    ("展示会、展示会", ("trade_fair",)),
])
def test_needs_lists_in_japanese_and_english_resolve_in_order_without_repeats(text, needs):
    assert parse_needs_words(text) == needs


def test_an_empty_or_none_needs_cell_is_no_needs():
    assert parse_needs_words("") == parse_needs_words("特になし") == parse_needs_words(None) == ()


def test_needs_already_split_into_a_list_are_resolved_each():
    assert parse_needs_words(["展示会", "融資、補助金"]) == ("trade_fair", "financing", "subsidy")


def test_an_unknown_need_is_an_error_keeping_the_whole_cell_and_naming_the_word():
    with pytest.raises(UnknownValueError) as err:
        parse_needs_words("展示会、宇宙旅行", field="ニーズ")
    assert err.value.value == "展示会、宇宙旅行" and "宇宙旅行" in err.value.message and err.value.field == "ニーズ"


def test_a_free_text_needs_column_is_read_for_the_needs_it_mentions():
    text = "展示会に出展して販路開拓をしたい"
    with pytest.raises(UnknownValueError):
        parse_needs_words(text)
    assert parse_needs_words(text, free_text=True) == ("marketing", "trade_fair")
    with pytest.raises(UnknownValueError):
        parse_needs_words("特に困っていることはない", free_text=True)


def test_the_added_japanese_needs_words_are_accepted_by_a_single_firm_profile_too():
    assert CompanyProfile(prefecture="13", needs=["運転資金", "DX"]).needs == ("financing", "it_adoption")
