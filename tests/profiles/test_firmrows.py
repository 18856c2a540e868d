"""Rows of real-looking firm lists read into firms, with where each value came from, and "firms check"."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from profiles.columns import match_headers
from profiles.firmcheck import CHECK_COLUMNS, check_firms, read_firms
from profiles.firmrows import FirmReader, parse_flag
from profiles.models import CompanyProfile
from profiles.tabular import Row, TableError
from tests.profiles.registers import ROWS, write_register, write_xlsx_register


def reading(header, cells, **kw):
    return FirmReader(match_headers(header), header, **kw).read(Row(7, 8, tuple(cells)))


def one(header, cell, field, **kw):
    r = reading(header, [cell], **kw)
    assert not r.problems, [str(p) for p in r.problems]
    return r.fields.get(field)


BASE = ["会社名", "所在地"]


def firm_with(column, cell):
    """A Kita firm with one more column: what that column's cell reads as."""
    return reading([*BASE, column], ["王子プレス", "東京都北区王子1-11-1", cell])


@pytest.mark.parametrize("cell, yen", [
    ("1,000万円", 10_000_000), ("１０００万円", 10_000_000), ("3億円", 300_000_000), ("10,000千円", 10_000_000),
    ("10000000", 10_000_000), (10_000_000, 10_000_000), ("¥3,000,000", 3_000_000)])
def test_a_capital_as_people_write_it_is_read_in_yen(cell, yen):
    r = firm_with("資本金", cell)
    assert r.fields["capital_jpy"] == yen and r.firm.capital_jpy == yen
    assert r.provenance["capital_jpy"].column == "資本金"


def test_a_capital_column_in_thousands_of_yen_multiplies_bare_numbers_only():
    assert firm_with("資本金（千円）", "10,000").fields["capital_jpy"] == 10_000_000
    assert firm_with("資本金（千円）", 10_000).fields["capital_jpy"] == 10_000_000   # a spreadsheet's number
    assert firm_with("資本金（千円）", "3億円").fields["capital_jpy"] == 300_000_000


@pytest.mark.parametrize("cell, people", [("25名", 25), ("約30人", 30), ("１２人", 12), (25, 25), ("1,200名", 1200)])
def test_a_headcount_as_people_write_it_is_a_number_of_people(cell, people):
    assert firm_with("従業員数", cell).fields["employees"] == people


@pytest.mark.parametrize("cell, date", [
    ("昭和53年4月1日", dt.date(1978, 4, 1)), ("S53.4.1", dt.date(1978, 4, 1)), ("1978年4月", dt.date(1978, 4, 1)),
    ("平成13年", dt.date(2001, 1, 1)), ("H13", dt.date(2001, 1, 1)), ("1978/04/01", dt.date(1978, 4, 1)),
    ("1978-04-01", dt.date(1978, 4, 1)), (dt.date(1978, 4, 1), dt.date(1978, 4, 1)), ("令和2年", dt.date(2020, 1, 1))])
def test_a_founding_date_in_iso_slashes_kanji_or_an_era_is_a_date(cell, date):
    r = firm_with("設立年月日", cell)
    assert r.fields["founded"] == date and r.firm.founded == date


@pytest.mark.parametrize("cell, code", [
    ("金属製品製造業", "E24"), ("24", "E24"), (24, "E24"), ("ソフトウェア業", "G39"), ("飲食店", "M76"), ("建設業", "D")])
def test_an_industry_in_jsic_words_or_a_bare_code_is_a_jsic_code(cell, code):
    assert firm_with("業種", cell).fields["industry"] == code


def test_needs_in_japanese_words_and_a_consultation_sentence_are_need_ids():
    assert firm_with("ニーズ", "展示会・商談会、運転資金").fields["needs"] == ("trade_fair", "business_matching", "financing")
    assert firm_with("相談内容", "展示会に出展して販路開拓をしたい").fields["needs"] == ("marketing", "trade_fair")


@pytest.mark.parametrize("address", [
    "東京都北区王子1-11-1", "〒114-8508 東京都北区王子1-11-1", "1-11-1 Oji, Kita-ku, Tokyo", "東京都 北区 王子１－１１－１"])
def test_an_address_in_japanese_or_english_order_places_the_firm_in_kita_city(address):
    r = reading(["所在地"], [address])
    assert (r.fields["prefecture"], r.fields["municipality"]) == ("13", "131172")
    assert r.provenance["municipality"].column == "所在地" and r.provenance["municipality"].text == address


def test_a_postal_code_alone_places_the_firm_and_says_so():
    r = reading(["郵便番号"], ["205-0003"])
    assert r.fields["municipality"] == "132276" and str(r.provenance["municipality"]) == "郵便番号 '205-0003'"


def test_a_postal_code_settles_an_address_without_its_prefecture_and_both_are_named():
    r = reading(["郵便番号", "住所"], ["114-8508", "北区王子1-11-1"])
    assert r.fields["municipality"] == "131172"
    assert r.provenance["municipality"].column == "住所 + 郵便番号"


def test_prefecture_and_municipality_columns_place_the_firm():
    r = reading(["都道府県", "市区町村"], ["東京都", "羽村市"])
    assert r.fields == {"prefecture": "13", "municipality": "132276"}
    assert r.provenance["prefecture"].column == "都道府県" and r.provenance["municipality"].column == "市区町村"


def test_a_designated_city_column_and_an_address_naming_its_ward_give_the_ward():
    r = reading(["市区町村", "所在地"], ["札幌市", "北海道札幌市中央区北1条西2"])
    assert r.fields["municipality"] == "011011" and r.provenance["municipality"].column == "所在地"


def test_a_municipality_column_that_disagrees_with_the_address_is_a_problem_with_both_candidates():
    r = reading(["市区町村", "所在地"], ["羽村市", "東京都北区王子1-11-1"])
    [p] = r.problems
    assert p.column == "市区町村" and "北区" in p.reason and "羽村市" in p.reason
    assert any("131172" in c for c in p.candidates) and any("132276" in c for c in p.candidates)
    assert r.firm is None


def test_an_ambiguous_address_is_a_problem_listing_the_candidates_not_a_guess():
    r = reading(["会社名", "所在地"], ["赤羽樹脂", "北区赤羽2-1-1"])
    [p] = r.problems
    assert (p.row, p.line, p.column, p.field, p.value) == (7, 8, "所在地", "address", "北区赤羽2-1-1")
    assert "131172 Kita City, Tokyo" in p.candidates and "municipality" not in r.fields
    assert str(p).startswith("row 7 (line 8): 所在地 (address): ambiguous")


def test_the_prefecture_a_desk_gives_for_its_own_list_settles_the_ward():
    r = reading(["会社名", "所在地"], ["赤羽樹脂", "北区赤羽2-1-1"], prefecture="東京都")
    assert r.fields["municipality"] == "131172" and not r.problems


def test_a_bad_value_is_a_problem_naming_the_row_column_original_and_reason_and_the_rest_is_read():
    r = reading(["会社名", "所在地", "資本金", "従業員数"], ["王子", "東京都北区", "たくさん", "10〜20名"])
    assert [(p.column, p.field, p.value) for p in r.problems] == [
        ("資本金", "capital_jpy", "たくさん"), ("従業員数", "employees", "10〜20名")]
    assert r.problems[1].candidates == ("10", "20")
    assert r.fields["name"] == "王子" and r.fields["municipality"] == "131172" and r.firm is None


def test_a_row_without_a_location_is_a_problem_from_the_model_naming_the_field():
    r = reading(["会社名", "従業員数"], ["王子", "25"])
    [p] = r.problems
    assert p.field == "municipality" and "location is required" in p.reason


def test_a_consultation_naming_no_known_need_is_a_note_not_a_problem_but_a_needs_word_list_is_strict():
    r = firm_with("相談内容", "事業承継")
    assert r.ok and "needs" not in r.fields and r.notes[0].column == "相談内容" and r.firm is not None
    r = firm_with("ニーズ", "事業承継")
    assert not r.ok and r.problems[0].field == "needs" and "unknown need" in r.problems[0].reason


def test_a_failing_value_fails_alike_every_time_it_comes_back():
    reader = FirmReader(match_headers(["所在地", "資本金"]), ["所在地", "資本金"])
    first, again = (reader.read(Row(n, None, ("東京都北区", "たくさん"))) for n in (1, 2))
    assert [(p.row, p.reason) for p in (*first.problems, *again.problems)] == [
        (1, first.problems[0].reason), (2, first.problems[0].reason)]


def test_columns_the_engine_does_not_use_are_kept_in_header_order_with_their_cells():
    header = ["No.", "会社名", "電話番号", "所在地", "法人番号", "担当者", "メモ欄"]
    r = reading(header, ["1", "王子", "03-0000-0000", "東京都北区", "1234567890123", "山田", ""])
    assert r.kept == {"No.": "1", "電話番号": "03-0000-0000", "法人番号": "1234567890123", "担当者": "山田", "メモ欄": ""}
    assert r.profile() == {"name": "王子", "prefecture": "13", "municipality": "131172"}


def test_a_broken_record_is_one_problem_keeping_its_original_text_and_cells():
    reader = FirmReader(match_headers(["会社名", "所在地"]), ["会社名", "所在地"])
    r = reader.read(Row(3, 4, ('"赤羽', "北区"), "a quote opens a cell at line 4 and never closes", {"_raw": '"赤羽,北区'}))
    [p] = r.problems
    assert p.value == '"赤羽,北区' and "line 4" in p.reason and r.cells == {"会社名": '"赤羽', "所在地": "北区"}
    with pytest.raises(ValueError, match="row 3 has no valid firm"):
        r.profile()


def test_yes_no_columns_read_as_flags():
    assert firm_with("環境配慮", "○").fields["environment_conscious"] is True
    assert parse_flag("いいえ") is False
    assert firm_with("環境配慮", "たぶん").problems[0].field == "environment_conscious"


def test_a_register_saved_by_excel_reads_every_firm_with_sources_and_keeps_the_contacts(tmp_path):
    with read_firms(write_register(tmp_path / "r.csv")) as rows:
        readings = list(rows)
        summary = rows.summary
    assert [r.firm.municipality for r in readings] == ["131172", "131172", "132276", "131172"]
    assert [r.firm.capital_jpy for r in readings] == [10_000_000, 300_000_000, 10_000_000, None]
    assert [r.firm.founded for r in readings] == [dt.date(1978, 4, 1), dt.date(1978, 4, 1), dt.date(2001, 1, 1),
                                                  dt.date(1978, 4, 1)]
    assert readings[1].kept == {"電話番号": "03-3901-0000", "担当者": "佐藤"}
    assert (summary.rows, summary.readable, summary.with_problems) == (4, 4, 0)
    assert summary.kept == ("電話番号", "担当者") and "kept: 電話番号, 担当者" in str(summary)
    assert all(isinstance(r.firm, CompanyProfile) for r in readings)


def test_an_xlsx_register_reads_like_its_csv(tmp_path):
    with read_firms(write_register(tmp_path / "r.csv")) as rows:
        from_csv = [r.profile() for r in rows]
    with read_firms(write_xlsx_register(tmp_path / "r.xlsx", title_rows=[["北区・羽村市 企業名簿"]])) as rows:
        from_xlsx = [r.profile() for r in rows]
    assert from_xlsx == from_csv


def test_firms_check_gives_one_record_per_row_with_sources_problems_and_a_summary(tmp_path):
    rows = [*ROWS, ["壊れた会社", "北区赤羽2-1-1", "たくさん", "25名", "", "", "", "", ""]]
    check = check_firms(write_register(tmp_path / "r.csv", rows=rows))
    table = list(check.to_rows())
    assert [t["row"] for t in table] == [1, 2, 3, 4, 5] and list(table[0]) == list(CHECK_COLUMNS)
    assert table[2]["municipality"] == "東京都羽村市" and table[2]["industry"] == "G39 情報サービス業"
    assert "capital_jpy ← 資本金 '10,000千円'" in table[2]["sources"]
    assert "所在地: ambiguous" in table[4]["problems"] and "資本金: not an amount" in table[4]["problems"]
    assert check.exit_code == 1
    data = check.to_dict()
    json.dumps(data, ensure_ascii=False)  # JSON-ready
    assert data["summary"]["rows"] == 5 and data["summary"]["with_problems"] == 1
    assert data["rows"][0]["fields"]["founded"] == {"value": "1978-04-01", "column": "設立年月日", "text": "昭和53年4月1日"}
    assert data["rows"][4]["cells"]["資本金"] == "たくさん"


def test_firms_check_exits_0_when_every_row_reads_and_raises_on_a_file_it_cannot_open(tmp_path):
    assert check_firms(write_register(tmp_path / "r.csv")).exit_code == 0
    with pytest.raises(TableError):
        check_firms(tmp_path / "missing.csv")


# -- every input row yields exactly one reading, whatever is broken ---------------------------

GOOD = {"会社名": ["王子プレス", "赤羽樹脂"], "所在地": ["東京都北区王子1-11-1", "〒205-0003 東京都羽村市緑ヶ丘5-2-1"],
        "資本金": ["1,000万円", "3億円", ""], "従業員数": ["25名", "約30人", ""], "設立年月日": ["S53.4.1", "平成13年", ""],
        "業種": ["金属製品製造業", "24", ""], "電話番号": ["03-0000-0000", ""]}
BAD = {"所在地": ["北区赤羽2-1-1", "火星1-1"], "資本金": ["たくさん", "1000万〜3000万円"], "従業員数": ["10〜20名"],
       "設立年月日": ["2023-02-29", "昭和99年"], "業種": ["宇宙産業", "製造業、卸売業"]}
COLUMNS = list(GOOD)


@st.composite
def register_rows(draw):
    rows = []
    for _ in range(draw(st.integers(1, 12))):
        row = []
        for col in COLUMNS:
            bad = col in BAD and draw(st.integers(0, 4)) == 0
            row.append(draw(st.sampled_from(BAD[col] if bad else GOOD[col])))
        kind = draw(st.sampled_from(["ok"] * 6 + ["stray", "extra"]))
        rows.append((row, kind))
    return rows


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(register_rows())
def test_every_input_row_yields_exactly_one_reading_readable_or_with_problems(tmp_path, rows):
    lines = [",".join(COLUMNS)]
    for cells, kind in rows:
        text = ",".join(f'"{c}"' if "," in c else c for c in cells)  # as Excel quotes "1,000万円"
        lines.append('"' + text if kind == "stray" else text + ",x,y" if kind == "extra" else text)
    path = tmp_path / "r.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp932"))
    with read_firms(path) as firms:
        readings = list(firms)
        summary = firms.summary
    assert len(readings) == len(rows) == summary.rows == summary.readable + summary.with_problems
    assert [r.line for r in readings] == list(range(2, len(rows) + 2))
    for r, (cells, kind) in zip(readings, rows):
        assert (r.firm is not None) == (not r.problems)
        if kind == "ok" and not any(c in BAD.get(col, ()) for c, col in zip(cells, COLUMNS)):
            assert r.ok, [str(p) for p in r.problems]
        if kind == "extra":
            assert not r.ok and "cells but the header has" in r.problems[0].reason


def test_the_sample_register_reads_every_firm_alike_from_its_shift_jis_csv_and_its_workbook():
    from tests.conftest import EXAMPLES

    csv_path, xlsx_path = EXAMPLES / "register-kita-hamura.csv", EXAMPLES / "register-kita-hamura.xlsx"
    assert csv_path.read_bytes().count(b"\r\n") == 13
    with read_firms(csv_path) as a, read_firms(xlsx_path) as b:
        from_csv, from_xlsx = [r.profile() for r in a], [r.profile() for r in b]
        assert (a.table.encoding, b.table.sheet) == ("cp932", "企業名簿")
        assert a.summary.kept == ("No.", "フリガナ", "電話番号", "担当者", "備考")
    assert from_csv == from_xlsx and len(from_csv) == 12
    assert {f["municipality"] for f in from_csv} == {"131172", "132276"}   # Kita City and Hamura City
