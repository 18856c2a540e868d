"""The header-synonym table: which column of a firm list feeds which field."""

from __future__ import annotations

import pytest

from profiles.columns import (
    FIELDS, ColumnConflictError, column_table, match_headers, normalize_header, read_column_mapping,
)
from profiles.errors import InputError, UnknownValueError
from profiles.models import CompanyProfile

#: A header row the way a city desk's Excel register has it.
REGISTER = ["No.", "会社名", "会社名（カナ）", "郵便番号", "所在地", "業種", "従業員数", "資本金（千円）",
            "設立年月日", "相談内容", "事業内容", "法人番号", "電話番号", "担当者", "備考"]


def fields_of(headers, **kw):
    return {f: c.header for f, c in match_headers(headers, **kw).fields.items()}


def test_a_japanese_register_header_row_feeds_every_field_it_names_and_keeps_the_rest():
    m = match_headers(REGISTER)
    assert fields_of(REGISTER) == {
        "name": "会社名", "postal_code": "郵便番号", "address": "所在地", "industry": "業種", "employees": "従業員数",
        "capital_jpy": "資本金（千円）", "founded": "設立年月日", "needs": "相談内容", "description": "事業内容",
        "corporate_number": "法人番号"}
    assert [c.header for c in m.kept] == ["No.", "会社名（カナ）", "電話番号", "担当者", "備考"]
    assert [c.known for c in m.kept] == ["row_number", None, "phone", "contact", "notes"]
    assert [c.index for c in m.columns] == list(range(len(REGISTER)))


@pytest.mark.parametrize("header, field", [
    ("会社名", "name"), ("企業名", "name"), ("事業者名", "name"), ("法人名", "name"), ("商号", "name"),
    ("所在地", "address"), ("住所", "address"), ("本社所在地", "address"), ("都道府県", "prefecture"),
    ("市区町村", "municipality"), ("業種", "industry"), ("業種名", "industry"), ("産業分類", "industry"),
    ("従業員数", "employees"), ("社員数", "employees"), ("従業員", "employees"), ("常用従業員数", "employees"),
    ("資本金", "capital_jpy"), ("設立", "founded"), ("設立年月日", "founded"), ("創業", "founded"),
    ("創業年", "founded"), ("ニーズ", "needs"), ("相談内容", "needs"), ("事業内容", "description"),
    ("概要", "description"), ("郵便番号", "postal_code"), ("法人番号", "corporate_number"),
    ("name", "name"), ("Company Name", "name"), ("company_name", "name"), ("ADDRESS", "address"),
    ("Employees", "employees"), ("capital_jpy", "capital_jpy"), ("Zip Code", "postal_code"),
    ("ｋａｉｓｈａ", None), ("会社名※", "name"), ("所在地(必須)", "address"), ("　会社名　", "name"),
    ("従業員数（人）", "employees"), ("従業員数(名)", "employees"), ("従業員数（正社員）", "employees"),
    ("設立年月日(西暦)", "founded"), ("会社名(英語)", None), ("会社名（フリガナ）", None),
])
def test_headers_in_english_and_japanese_any_width_or_marks_name_their_field(header, field):
    assert match_headers([header]).columns[0].field == field


@pytest.mark.parametrize("header, unit", [
    ("資本金", None), ("資本金（円）", 1), ("資本金（千円）", 1000), ("資本金（万円）", 10_000), ("資本金(百万円)", 1_000_000),
    ("資本金[千円]", 1000), ("資本金【万円】", 10_000), ("資本金(単位:千円)", 1000), ("資本金（単位：千円）", 1000),
    ("資本金千円", 1000), ("資本金 万円", 10_000), ("Capital (JPY)", 1), ("capital (thousand yen)", 1000),
])
def test_a_capital_header_gives_the_unit_its_numbers_count_in(header, unit):
    column = match_headers([header]).columns[0]
    assert column.field == "capital_jpy" and column.options.get("unit") == unit


def test_an_amount_unit_on_a_field_that_is_no_amount_is_not_that_field():
    assert match_headers(["従業員数（千円）"]).columns[0].field is None


def test_a_consultation_column_is_marked_as_free_text_for_the_needs_parser():
    assert match_headers(["相談内容"]).columns[0].options == {"free_text": True}
    assert match_headers(["ニーズ"]).columns[0].options == {}


def test_phone_and_contact_columns_are_kept_not_refused():
    m = match_headers(["会社名", "電話", "電話番号", "TEL", "phone", "contact", "担当者名", "FAX"])
    assert list(m.fields) == ["name"]
    assert [c.known for c in m.kept] == ["phone", "phone", "phone", "phone", "contact", "contact", "fax"]


def test_unknown_and_blank_headers_are_kept_under_their_own_header():
    m = match_headers(["会社名", "社長の趣味", "", None])
    assert [(c.header, c.field, c.how, c.known) for c in m.kept] == [
        ("社長の趣味", None, "kept", None), ("", None, "kept", None), ("", None, "kept", None)]


def test_two_columns_claiming_one_field_are_a_clear_error_naming_both():
    with pytest.raises(ColumnConflictError) as err:
        match_headers(["会社名", "住所", "所在地", "資本金", "資本金（千円）"])
    assert err.value.conflicts == {"address": ["住所", "所在地"], "capital_jpy": ["資本金", "資本金（千円）"]}
    assert "columns mapping" in err.value.message and isinstance(err.value, InputError)


def test_the_same_header_twice_is_a_conflict_too():
    with pytest.raises(ColumnConflictError):
        match_headers(["会社名", "会社名"])


def test_a_mapping_says_which_column_feeds_a_field_and_the_other_is_kept():
    m = match_headers(["住所", "所在地"], mapping={"address": "所在地"})
    assert [(c.header, c.field, c.how) for c in m.columns] == [("住所", None, "kept"), ("所在地", "address", "mapping")]


def test_a_mapping_feeds_a_field_from_any_header():
    headers = ["屋号・名前", "場所", "人数"]
    m = match_headers(headers, mapping={"name": "屋号・名前", "address": "場所", "employees": "人数"})
    assert {f: c.header for f, c in m.fields.items()} == {"name": "屋号・名前", "address": "場所", "employees": "人数"}
    assert all(c.how == "mapping" for c in m.columns)


def test_a_mapping_may_give_the_unit_and_keeps_a_unit_the_header_gives():
    m = match_headers(["資本", "資本金（千円）"], mapping={"capital_jpy": {"header": "資本", "unit": "万円"}})
    assert m.fields["capital_jpy"].options == {"unit": 10_000} and m.kept[0].header == "資本金（千円）"
    assert match_headers(["資本金（千円）"], mapping={"capital_jpy": "資本金（千円）"}).fields["capital_jpy"].options == {
        "unit": 1000}


def test_a_mapping_matches_a_header_written_in_another_width():
    assert fields_of(["ＣＯＭＰＡＮＹ"], mapping={"name": "company"}) == {"name": "ＣＯＭＰＡＮＹ"}


def test_a_mapping_to_none_feeds_the_field_from_no_column():
    m = match_headers(["会社名", "事業内容"], mapping={"description": None})
    assert list(m.fields) == ["name"] and m.kept[0].header == "事業内容"


def test_a_mapping_of_an_unknown_field_is_an_error_with_the_close_fields():
    with pytest.raises(UnknownValueError) as err:
        match_headers(["会社名"], mapping={"employes": "会社名"})
    assert "employees" in err.value.candidates


def test_a_mapping_to_a_header_the_file_lacks_is_an_error_listing_the_headers():
    with pytest.raises(InputError) as err:
        match_headers(["会社名", "所在地"], mapping={"address": "住所地"})
    assert err.value.field == "columns.address" and "所在地" in err.value.candidates


def test_one_header_mapped_to_two_fields_is_an_error():
    with pytest.raises(InputError, match="mapped to both"):
        match_headers(["会社名"], mapping={"name": "会社名", "description": "会社名"})


def test_a_mapping_with_an_unknown_unit_is_an_error():
    with pytest.raises(InputError, match="unknown unit"):
        match_headers(["資本"], mapping={"capital_jpy": {"header": "資本", "unit": "ドル"}})


def test_a_mapping_file_is_read_from_yaml(tmp_path):
    path = tmp_path / "map.yaml"
    path.write_text("name: 屋号\naddress: 場所\n", encoding="utf-8")
    assert read_column_mapping(path) == {"name": "屋号", "address": "場所"}
    bad = tmp_path / "bad.yaml"
    bad.write_text("- name\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_column_mapping(bad)
    assert err.value.field == str(bad)
    with pytest.raises(InputError, match="cannot read"):
        read_column_mapping(tmp_path / "missing.yaml")


def test_headers_normalize_width_spaces_brackets_case_and_marks():
    assert normalize_header("　資本金　【千円】※") == "資本金(千円)"
    assert normalize_header("Ｅ－ｍａｉｌ") == normalize_header("e_mail") == normalize_header("E-Mail") == "email"
    assert normalize_header(None) == ""


def test_the_table_gives_every_firm_field_a_header_and_names_no_header_twice():
    table = column_table()
    profile_fields = set(CompanyProfile.model_fields)
    assert profile_fields <= set(FIELDS)
    assert {"address", "postal_code", "corporate_number"} <= set(FIELDS)
    assert not set(table.fields) & set(table.kept)
