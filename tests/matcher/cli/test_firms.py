"""`matcher firms check` and `matcher reach` on firm lists as people keep them, through click's runner."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from matcher.cli import cli
from tests.conftest import EXAMPLES
from tests.profiles.registers import ROWS, write_register

DAY = "2026-11-21"


def run(*args: str):
    return CliRunner().invoke(cli, [*args])


def test_firms_check_exits_0_when_every_row_reads_and_shows_where_each_value_came_from(tmp_path):
    r = run("firms", "check", str(EXAMPLES / "register-kita-hamura.csv"), "--json")
    assert r.exit_code == 0
    data = json.loads(r.stdout)
    assert data["summary"]["rows"] == len(data["rows"]) == 12 and data["summary"]["with_problems"] == 0
    first = data["rows"][0]["fields"]
    assert first["municipality"]["value"] == "131172" and first["municipality"]["column"] == "所在地"
    assert "電話番号" in data["summary"]["kept"]


def test_firms_check_exits_1_when_some_rows_have_problems_and_still_lists_every_row(tmp_path):
    src = write_register(tmp_path / "名簿.csv", rows=[*ROWS, ["謎の会社", "北区赤羽2-1-1", "たくさん", "", "", "", "", "", ""]])
    r = run("firms", "check", str(src))
    assert r.exit_code == 1
    assert r.stdout.count("row ") == len(ROWS) + 1
    assert "problems:" in r.stdout and "資本金" in r.stdout
    assert f"{len(ROWS) + 1} rows:" in r.stderr


def test_firms_check_exits_2_on_a_file_it_cannot_open(tmp_path):
    r = run("firms", "check", str(tmp_path / "none.csv"))
    assert r.exit_code == 2 and "no such file" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_firms_check_writes_its_table_to_a_file_and_keeps_an_existing_one_without_force(tmp_path):
    src = write_register(tmp_path / "名簿.csv")
    out = tmp_path / "check.csv"
    r = run("firms", "check", str(src), "-o", str(out), "--excel-csv")
    assert r.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert len(rows) == len(ROWS) and rows[0]["municipality_code"] == "131172"
    r = run("firms", "check", str(src), "-o", str(out))
    assert r.exit_code == 2 and "--force" in r.stderr
    r = run("firms", "check", str(src), "-o", str(src), "--force")
    assert r.exit_code == 2 and "which this run reads" in r.stderr


def test_every_firm_list_command_shows_an_example_in_its_help():
    for args in (["firms", "check"], ["batch"], ["reach"]):
        r = run(*args, "--help")
        assert r.exit_code == 0 and "Example:" in r.stdout


def test_reach_with_no_readable_row_exits_1_with_the_summary(tmp_path):
    src = write_register(tmp_path / "名簿.csv", rows=[["謎の会社", "アトランティス", "", "", "", "", "", "", ""]])
    r = run("reach", "kita-trade-fair-subsidy", str(src), "--as-of", DAY)
    assert r.exit_code == 1
    assert "0 firms scored, 1 rows skipped" in r.stderr and "1 rows: 0 readable, 1 with problems" in r.stderr


def test_reach_on_a_japanese_register_writes_a_call_list_with_the_phone_numbers(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    out = tmp_path / "calls.xlsx"
    r = run("reach", "kita-trade-fair-subsidy", str(EXAMPLES / "register-kita-hamura.csv"), "--as-of", DAY,
            "-o", str(out), "--lang", "ja")
    assert r.exit_code == 0
    ws = openpyxl.load_workbook(out).active
    header = [c.value for c in ws[1]]
    assert header[:3] == ["順位", "企業ID", "企業名"] and "電話番号" in header and "実施機関" in header
    first = {h: c.value for h, c in zip(header, ws[2])}
    assert first["判定"] in ("対象", "要確認") and first["電話番号"].startswith("03-")
    assert first["名称（日本語）"] == "北区展示会出展補助金"
    assert not (tmp_path / "calls.xlsx.errors.jsonl").exists()
