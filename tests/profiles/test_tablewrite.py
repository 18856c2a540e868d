"""Output an analyst and a coordinator can open: .xlsx with a frozen header and wrapped reasons, CSV for Excel."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook

from profiles.firmcheck import read_firms
from profiles.tabular import open_table
from profiles.tablewrite import OutputExistsError, write_csv, write_xlsx
from tests.profiles.registers import HEADER, ROWS, write_register

OUT = ["会社名", "電話番号", "status", "score", "founded", "reasons"]
ROWS_OUT = [["王子精密プレス株式会社", "03-3908-0000", "eligible", 0.8125, dt.date(1978, 4, 1), "北区の企業\n従業員25名 ≤ 300名"],
            {"会社名": "=HYPERLINK(\"x\")", "status": "unknown", "reasons": ["資本金が不明", "業種が不明"]}]


def test_an_xlsx_has_a_bold_frozen_header_and_wrapped_reasons_and_reads_back(tmp_path):
    path = tmp_path / "out.xlsx"
    write_xlsx(path, OUT, ROWS_OUT)
    ws = load_workbook(path).active
    assert ws.freeze_panes == "A2" and ws["A1"].font.b and ws["A1"].value == "会社名"
    assert ws["F2"].alignment.wrap_text and not ws["A2"].alignment.wrap_text
    assert ws["A3"].value == '=HYPERLINK("x")' and ws["A3"].data_type == "s"   # text, not a formula
    assert ws["F3"].value == "資本金が不明; 業種が不明" and ws["B3"].value is None
    with open_table(path) as table:
        rows = list(table)
    assert table.header == tuple(OUT)
    assert rows[0].cells == ("王子精密プレス株式会社", "03-3908-0000", "eligible", 0.8125, dt.date(1978, 4, 1),
                             "北区の企業\n従業員25名 ≤ 300名")


def test_a_register_round_trips_through_xlsx_and_reads_as_the_same_firms(tmp_path):
    write_xlsx(tmp_path / "r.xlsx", HEADER, ROWS)
    with read_firms(write_register(tmp_path / "r.csv")) as a, read_firms(tmp_path / "r.xlsx") as b:
        assert [(r.profile(), r.kept) for r in a] == [(r.profile(), r.kept) for r in b]


def test_an_existing_output_is_not_overwritten_unless_asked(tmp_path):
    path = tmp_path / "out.xlsx"
    path.write_bytes(b"precious")
    with pytest.raises(OutputExistsError, match="exists; give --force"):
        write_xlsx(path, OUT, ROWS_OUT)
    with pytest.raises(OutputExistsError):
        write_csv(path, OUT, ROWS_OUT)
    assert path.read_bytes() == b"precious"
    write_xlsx(path, OUT, ROWS_OUT, overwrite=True)
    assert load_workbook(path).active["A2"].value == "王子精密プレス株式会社"
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]   # no temporary file left


def test_a_csv_for_excel_has_a_bom_and_crlf_and_reads_back(tmp_path):
    path = tmp_path / "out.csv"
    assert write_csv(path, OUT, ROWS_OUT, excel=True) == 2
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf\xe4\xbc\x9a") and data.count(b"\r\n") >= 3
    with open_table(path) as table:
        rows = list(table)
    assert table.encoding == "utf-8-sig" and table.header == tuple(OUT)
    assert rows[0].cells[5] == "北区の企業\n従業員25名 ≤ 300名" and rows[1].cells[5] == "資本金が不明; 業種が不明"
    plain = tmp_path / "plain.csv"
    write_csv(plain, OUT, ROWS_OUT)
    assert not plain.read_bytes().startswith(b"\xef\xbb\xbf")


def test_a_row_with_the_wrong_number_of_values_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="one value per header column \\(6\\), got 2"):
        write_csv(tmp_path / "x.csv", OUT, [["a", "b"]])
    assert not (tmp_path / "x.csv").exists()


def test_control_characters_excel_refuses_are_dropped_not_fatal(tmp_path):
    path = tmp_path / "out.xlsx"
    write_xlsx(path, ["会社名"], [["王子\x01プレス"]], wrap_columns=())
    assert load_workbook(path).active["A2"].value == "王子プレス"
