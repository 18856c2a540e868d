"""The one tabular reader: every format a firm list comes in, and records the file's structure breaks."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from profiles.columns import ColumnConflictError
from profiles.errors import InputError
from profiles.tabular import MAX_SPAN, TableError, cell_text, detect_encoding, open_table, table_format
from tests.profiles.registers import HEADER, ROWS, csv_text, write_register, write_xlsx_register


def read(path, **kw):
    with open_table(path, **kw) as table:
        return table, list(table)


@pytest.mark.parametrize("encoding, detected", [
    ("cp932", "cp932"), ("utf-8-sig", "utf-8-sig"), ("utf-8", "utf-8"), ("utf-16", "utf-16")])
def test_a_register_saved_by_excel_in_any_of_its_encodings_reads_back_cell_for_cell(tmp_path, encoding, detected):
    delimiter = "\t" if encoding == "utf-16" else ","  # "Unicode text" is tab-separated
    path = write_register(tmp_path / "register.csv", encoding=encoding, delimiter=delimiter)
    table, rows = read(path)
    assert table.encoding == detected
    assert table.header == tuple(HEADER)            # no BOM glued to 会社名
    assert [r.cells for r in rows] == [tuple(r) for r in ROWS]
    assert [r.number for r in rows] == [1, 2, 3, 4] and [r.line for r in rows] == [2, 3, 4, 5]
    assert all(r.problem is None for r in rows)


def test_the_headers_are_matched_and_the_contact_columns_kept(tmp_path):
    table, _ = read(write_register(tmp_path / "r.csv"))
    assert {f: c.header for f, c in table.columns.fields.items()} == {
        "name": "会社名", "address": "所在地", "capital_jpy": "資本金", "employees": "従業員数",
        "founded": "設立年月日", "industry": "業種", "needs": "相談内容"}
    assert [c.header for c in table.columns.kept] == ["電話番号", "担当者"]


def test_a_forced_encoding_is_used_and_shift_jis_means_excels_cp932(tmp_path):
    path = write_register(tmp_path / "r.csv", rows=[["㈱王子①", "東京都北区", "", "", "", "", "", "", ""]])
    table, rows = read(path, encoding="Shift_JIS")
    assert table.encoding == "cp932" and rows[0].cells[0] == "㈱王子①"
    with pytest.raises(TableError, match="unknown encoding 'klingon'"):
        open_table(path, encoding="klingon")


def test_a_file_in_no_encoding_it_knows_is_one_error_naming_the_file_and_the_option(tmp_path):
    path = tmp_path / "broken.csv"
    path.write_bytes("会社名,所在地\r\n".encode("utf-8") + b"\x81\x00\xff\xfe,x\r\n")
    with pytest.raises(TableError) as err:
        open_table(path)
    text = str(err.value)
    assert text.startswith(str(path)) and "--encoding" in text and "line 2" in text


def test_with_an_encoding_given_undecodable_bytes_make_their_row_a_problem_and_the_rest_reads(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes("会社名,所在地\r\n王子,北区\r\n".encode("utf-8") + b"\xff\xfe,x\r\n" + "赤羽,北区\r\n".encode())
    _, rows = read(path, encoding="utf-8")
    assert [r.problem is None for r in rows] == [True, False, True]
    assert "not in the encoding" in rows[1].problem and rows[2].cells == ("赤羽", "北区")


def test_an_excel_workbook_named_csv_is_told_apart(tmp_path):
    path = write_xlsx_register(tmp_path / "r.xlsx")
    fake = tmp_path / "r.csv"
    fake.write_bytes(path.read_bytes())
    with pytest.raises(TableError, match="zip file"):
        open_table(fake)


def test_excel_quoting_keeps_commas_quotes_and_line_breaks_inside_one_cell(tmp_path):
    rows = [["王子プレス", "東京都北区王子1-11-1\n王子ビル3F", '金属加工、"精密"プレス', "25"] + [""] * 5,
            ["赤羽樹脂", "東京都北区赤羽2-1-1, 2F", "", "12"] + [""] * 5]
    _, read_rows = read(write_register(tmp_path / "r.csv", rows=rows))
    assert [r.cells for r in read_rows] == [tuple(r) for r in rows]
    assert [r.line for r in read_rows] == [2, 4] and all(r.problem is None for r in read_rows)


def test_a_stray_quote_is_a_problem_of_its_row_naming_the_line_and_the_rows_it_swallowed_are_read(tmp_path):
    text = csv_text(HEADER, ROWS).replace("赤羽樹脂工業株式会社", '"赤羽樹脂工業株式会社', 1)
    path = tmp_path / "r.csv"
    path.write_bytes(text.encode("cp932"))
    _, rows = read(path)
    assert len(rows) == len(ROWS)                  # rows = readable + problems: nothing lost
    broken = [r for r in rows if r.problem]
    assert [r.line for r in broken] == [3] and "line 3" in broken[0].problem
    assert broken[0].extra["_raw"].startswith('"赤羽樹脂工業株式会社')
    assert [r.cells for r in rows if not r.problem] == [tuple(ROWS[0]), tuple(ROWS[2]), tuple(ROWS[3])]


def test_a_quote_that_never_closes_on_the_last_line_is_a_problem_not_a_row(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text('会社名,所在地,従業員数\n王子,北区,25\n"赤羽,北区,12')
    _, rows = read(path)
    assert [r.problem is None for r in rows] == [True, False] and "never closes" in rows[1].problem


def test_a_quote_swallowing_more_than_the_span_limit_is_reported_and_every_line_after_it_read(tmp_path):
    lines = ["会社名,所在地,従業員数", '"王子,北区,1'] + [f"firm{i},北区,{i}" for i in range(MAX_SPAN + 50)]
    path = tmp_path / "r.csv"
    path.write_text("\n".join(lines) + "\n")
    _, rows = read(path)
    assert len(rows) == len(lines) - 1
    assert rows[0].problem and "line 2" in rows[0].problem
    assert rows[-1].cells == (f"firm{MAX_SPAN + 49}", "北区", str(MAX_SPAN + 49)) and rows[-1].line == len(lines)


def test_a_cell_longer_than_the_limit_is_a_problem_of_its_row_not_the_end_of_the_file(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(f'会社名,事業内容\n王子,"{"あ" * 200_000}"\n赤羽,樹脂\n', encoding="utf-8")
    _, rows = read(path)
    assert "200,000 characters" in rows[0].problem and len(rows[0].cells[1]) == 200_000
    assert rows[1].problem is None and rows[1].cells == ("赤羽", "樹脂")


def test_more_cells_than_the_header_is_a_problem_and_fewer_are_empty_cells(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("会社名,所在地,従業員数\n王子,東京都北区王子1-11-1, 3F,25\n赤羽,北区\n十条,北区,3,,\n")
    _, rows = read(path)
    assert "4 cells but the header has 3" in rows[0].problem and rows[0].extra["_beyond_header"] == ["25"]
    assert rows[1].cells == ("赤羽", "北区", "") and rows[1].problem is None
    assert rows[2].cells == ("十条", "北区", "3") and rows[2].problem is None   # empty trailing cells


def test_title_rows_above_the_header_and_blank_rows_are_skipped_and_counted(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes("北区 企業名簿（令和6年4月現在）,,\r\n,,\r\n会社名,所在地,従業員数\r\n王子,北区,25\r\n,,\r\n赤羽,北区,12\r\n"
                     .encode("cp932"))
    table, rows = read(path)
    assert table.header_line == 3 and table.header == ("会社名", "所在地", "従業員数")
    assert [(r.number, r.line) for r in rows] == [(1, 4), (2, 6)] and table.blank_rows == 1
    table, rows = read(path, header_row=2)   # the non-blank rows: the title is 1, the header 2
    assert table.header_line == 3


def test_a_tsv_file_and_a_tab_separated_csv_read_alike(tmp_path):
    tsv = write_register(tmp_path / "r.tsv", encoding="utf-8", delimiter="\t")
    csv_named = write_register(tmp_path / "r.csv", encoding="utf-8", delimiter="\t")
    assert [r.cells for r in read(tsv)[1]] == [r.cells for r in read(csv_named)[1]] == [tuple(r) for r in ROWS]


def test_json_lines_keep_types_report_bad_lines_and_keep_keys_seen_late(tmp_path, monkeypatch):
    monkeypatch.setattr("profiles.tabular._JSON_LOOK", 3)   # the header is the keys of the first objects
    path = tmp_path / "firms.jsonl"
    path.write_text('{"会社名": "王子", "従業員数": 25, "needs": ["展示会"]}\n\n{"会社名": \n[1, 2]\n'
                    '{"会社名": "赤羽", "fax": "03"}\n', encoding="utf-8")
    table, rows = read(path)
    assert table.header == ("会社名", "従業員数", "needs")
    assert rows[0].cells == ("王子", 25, ["展示会"]) and rows[0].line == 1
    assert "not valid JSON" in rows[1].problem and rows[1].line == 3
    assert "expected a JSON object" in rows[2].problem
    assert rows[3].cells == ("赤羽", "", "") and rows[3].extra == {"fax": "03"}


def test_a_json_list_of_firms_reads(tmp_path):
    path = tmp_path / "firms.json"
    path.write_text(json.dumps({"firms": [{"name": "王子", "employees": 25}, {"name": "赤羽"}]}, ensure_ascii=False))
    _, rows = read(path)
    assert [r.cells for r in rows] == [("王子", 25), ("赤羽", "")]


def test_parquet_reads_in_batches_with_its_types(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "firms.parquet"
    pq.write_table(pa.table({"会社名": [f"firm{i}" for i in range(20_000)], "従業員数": list(range(20_000)),
                             "設立": [dt.date(1978, 4, 1)] * 20_000}), path)
    table, rows = read(path)
    assert len(rows) == 20_000 and rows[-1].cells == ("firm19999", 19_999, dt.date(1978, 4, 1))
    assert rows[-1].number == 20_000 and rows[-1].line is None


def test_an_xlsx_register_reads_its_first_sheet_with_excel_row_numbers_and_typed_cells(tmp_path):
    rows = [["王子プレス", "東京都北区王子1-11-1", 10_000_000, 25, dt.datetime(1978, 4, 1), "24", "", "", ""],
            ["赤羽樹脂", "東京都北区赤羽2-1-1", "1,000万円", "約30人", "S53.4.1", "", "", "", ""]]
    path = write_xlsx_register(tmp_path / "r.xlsx", rows=rows, title_rows=[["北区 企業名簿"], []])
    table, read_rows = read(path)
    assert table.sheet == "名簿" and table.header == tuple(HEADER) and table.header_line == 3
    assert read_rows[0].cells[:5] == ("王子プレス", "東京都北区王子1-11-1", 10_000_000, 25, dt.date(1978, 4, 1))
    assert read_rows[1].cells[:5] == ("赤羽樹脂", "東京都北区赤羽2-1-1", "1,000万円", "約30人", "S53.4.1")
    assert [r.line for r in read_rows] == [4, 5]


def test_a_sheet_is_chosen_by_name_and_a_missing_one_names_the_sheets_there(tmp_path):
    path = write_xlsx_register(tmp_path / "r.xlsx")
    assert read(path, sheet="メモ")[0].header == ("この名簿は架空の企業です",)
    with pytest.raises(TableError, match="no sheet named 'Sheet1'; the sheets are '名簿', 'メモ'"):
        open_table(path, sheet="Sheet1")


def test_a_file_that_is_not_a_workbook_is_an_error_naming_it(tmp_path):
    path = tmp_path / "r.xlsx"
    path.write_text("会社名\n")
    with pytest.raises(TableError, match="cannot be read as an Excel workbook") as err:
        open_table(path)
    assert str(err.value).startswith(str(path))


def test_files_that_cannot_be_opened_say_why(tmp_path):
    with pytest.raises(TableError, match="no such file"):
        open_table(tmp_path / "missing.csv")
    with pytest.raises(TableError, match="unknown file extension '.doc'"):
        open_table(tmp_path / "firms.doc")
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(TableError, match="no header row"):
        open_table(tmp_path / "empty.csv")
    assert table_format("x.dat", "tsv") == "tsv"


def test_two_columns_claiming_one_field_name_the_file_and_a_mapping_settles_it(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("住所,所在地\n東京都北区,東京都羽村市\n")
    with pytest.raises(ColumnConflictError) as err:
        open_table(path)
    assert str(path) in str(err.value) and err.value.conflicts == {"address": ["住所", "所在地"]}
    mapping = tmp_path / "map.yaml"
    mapping.write_text("address: 所在地\n", encoding="utf-8")
    table, _ = read(path, columns=mapping)
    assert table.columns.fields["address"].header == "所在地"
    with pytest.raises(InputError, match="no column has this header"):
        open_table(path, columns={"name": "会社名"})


def test_duplicate_and_blank_headers_get_names_of_their_own(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("会社名,備考,備考,,所在地\na,b,c,d,東京都北区\n")
    table, _ = read(path)
    assert table.names == ("会社名", "備考", "備考 (2)", "column 4", "所在地")


def test_chunks_hold_every_row_once_in_order(tmp_path):
    path = write_register(tmp_path / "r.csv", rows=[[f"firm{i}", "北区"] + [""] * 7 for i in range(25)])
    with open_table(path) as table:
        chunks = list(table.chunks(10))
    assert [len(c) for c in chunks] == [10, 10, 5]
    assert [r.number for c in chunks for r in c] == list(range(1, 26))
    with pytest.raises(ValueError, match="size must be an integer >= 1, got 0"):
        next(open_table(path).chunks(0))


def test_a_cell_reads_as_text_the_way_the_file_shows_it():
    assert cell_text(10_000_000.0) == "10000000" and cell_text(2.5) == "2.5"
    assert cell_text(dt.datetime(1978, 4, 1, 9, 30)) == "1978-04-01 09:30:00"
    assert detect_encoding.__doc__


_NO_ROUND_TRIP = "¢£¬‖−〜"  # encode to CP932 but decode to other characters
_CELL = st.text(st.characters(codec="cp932", exclude_categories=("Cs", "Cc"), exclude_characters=_NO_ROUND_TRIP)
                | st.sampled_from('",\n'),
                max_size=12)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(st.lists(_CELL, min_size=6, max_size=6), min_size=1, max_size=15))
def test_any_register_excel_could_write_reads_back_exactly_one_row_per_record(tmp_path, rows):
    rows = [r for r in rows if any(r)]  # an all-empty record is a blank row
    header = ["会社名", "所在地", "従業員数", "資本金", "電話番号", "備考"]
    path = tmp_path / "r.csv"
    path.write_bytes(csv_text(header, rows).encode("cp932"))
    _, got = read(path)
    assert [r.cells for r in got] == [tuple(r) for r in rows]
    assert all(r.problem is None for r in got)


_PLAIN = st.text(st.characters(codec="cp932", exclude_categories=("Cs", "Cc", "Zs"),
                               exclude_characters='",\r\n\t' + _NO_ROUND_TRIP), min_size=1, max_size=8)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(st.tuples(st.lists(_PLAIN, min_size=6, max_size=6), st.booleans()), min_size=1, max_size=30))
def test_stray_quotes_anywhere_lose_no_line_every_line_is_one_row_readable_or_a_problem(tmp_path, lines):
    text = "会社名,所在地,従業員数,資本金,電話番号,備考\r\n" + "".join(
        ('"' if stray else "") + ",".join(cells) + "\r\n" for cells, stray in lines)
    path = tmp_path / "r.csv"
    path.write_bytes(text.encode("cp932"))
    _, got = read(path)
    assert [r.line for r in got] == list(range(2, len(lines) + 2))
    for row, (cells, stray) in zip(got, lines):
        if row.problem is None:
            assert row.cells == tuple(cells)
        else:
            assert stray and "quote" in row.problem
