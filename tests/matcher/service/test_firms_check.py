"""POST /v1/firms/check reads a firm list as ``matcher firms check`` does; POST /v1/reach keeps a list's columns.

The lists are written the way Japanese Excel writes them (CP932 or UTF-8 with a BOM, CRLF,
Japanese headers, a merged address column, contact columns) with broken rows of every
kind the reader knows; every input row comes back, numbered as the CLI numbers it.
"""

from __future__ import annotations

import io
import json
import warnings
import zipfile

import pytest
from click.testing import CliRunner

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's notice about httpx2
    from fastapi.testclient import TestClient

from matcher.cli import cli
from matcher.service import Settings, create_app
from tests.profiles.registers import HEADER, ROWS, csv_text, write_xlsx_register

PROBLEM = "application/problem+json"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Rows no reader can make a firm of, one of each kind, after the four good ones.
BROKEN = [
    ["北区の工場", "北区赤羽2-1-1", "500万円", "12名", "平成2年", "金属製品製造業", "", "03-0000-0001", "高橋"],  # ambiguous
    ["人数不明商店", "東京都北区王子1-1-1", "300万円", "たくさん", "2001/4/1", "小売業", "", "", ""],  # headcount
    ["資本金不明", "東京都羽村市緑ヶ丘1-1-1", "1000ドル", "3", "2001年", "飲食店", "", "", ""],  # amount
    ["日付不明", "東京都羽村市緑ヶ丘1-1-2", "100万円", "4", "昔", "飲食店", "", "", ""],  # date
    ["どこか", "アトランティス1-1", "100万円", "4", "2001年", "飲食店", "", "", ""],  # no place
]
CALLS = [*ROWS, *BROKEN]
WIDE = ROWS[0][:4] + ["x"] * (len(HEADER) - 4) + ["one too many"]  # an unquoted comma: more cells than columns


@pytest.fixture(scope="module")
def client(engine):
    return TestClient(create_app(Settings(), engine=engine))


def excel_csv(rows=CALLS, encoding="cp932") -> bytes:
    return csv_text(HEADER, rows).encode(encoding)


def problem_of(response, status):
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    return response.json()


def cli_check(tmp_path, data: bytes, name: str) -> dict:
    path = tmp_path / name
    path.write_bytes(data)
    result = CliRunner().invoke(cli, ["firms", "check", str(path), "--json"])
    assert result.exit_code == 1, result.output
    return json.loads(result.stdout)


# ------------------------------------------------------------------ the reading


def test_a_shift_jis_list_from_excel_reads_row_by_row_with_where_each_value_came_from(client):
    response = client.post("/v1/firms/check?filename=名簿.csv", content=excel_csv(), headers={"Content-Type": "text/csv"})
    assert response.status_code == 200, response.text
    data = response.json()
    summary = data["summary"]
    assert (summary["path"], summary["encoding"], summary["format"]) == ("名簿.csv", "cp932", "csv")
    assert summary["rows"] == len(CALLS) == summary["readable"] + summary["with_problems"]
    assert (summary["readable"], summary["with_problems"], summary["ok"]) == (4, 5, False)
    assert summary["kept"] == ["電話番号", "担当者"] and summary["columns"]["address"] == "所在地"
    first = data["rows"][0]
    assert (first["row"], first["line"], first["ok"]) == (1, 2, True)
    assert (first["municipality_code"], first["municipality"], first["municipality_en"]) == (
        "131172", "東京都北区", "Kita City, Tokyo")
    assert (first["industry"], first["employees"], first["capital_jpy"], first["founded"]) == (
        "E24", 25, 10_000_000, "1978-04-01")
    assert first["sources"]["capital_jpy"] == {"column": "資本金", "text": "1,000万円"}
    assert first["sources"]["municipality"] == {"column": "所在地", "text": "東京都北区王子1-11-1"}
    assert first["kept"] == {"電話番号": "03-3908-0000", "担当者": "山田"}
    assert first["firm"]["municipality"] == "131172" and first["problems"] == []


def test_every_input_row_comes_back_and_each_broken_row_names_its_column_and_keeps_its_cells(client):
    data = client.post("/v1/firms/check", files={"file": ("calls.csv", excel_csv(), "text/csv")}).json()
    assert [r["row"] for r in data["rows"]] == list(range(1, len(CALLS) + 1))
    broken = {r["name"] or r["cells"]["会社名"]: r for r in data["rows"] if not r["ok"]}
    assert set(broken) == {row[0] for row in BROKEN}
    assert [p["column"] for p in broken["北区の工場"]["problems"]] == ["所在地"]
    assert "131172 Kita City, Tokyo" in broken["北区の工場"]["problems"][0]["candidates"]
    assert broken["人数不明商店"]["problems"][0]["value"] == "たくさん"
    assert broken["資本金不明"]["problems"][0]["field"] == "capital_jpy"
    assert broken["日付不明"]["problems"][0]["column"] == "設立年月日"
    assert broken["どこか"]["cells"]["所在地"] == "アトランティス1-1"  # the original cells, all of them
    assert all(r["firm"] is None for r in broken.values())


def test_rows_and_problems_are_those_of_the_cli(client, tmp_path):
    data = excel_csv([*CALLS[:3], WIDE, *CALLS[3:]])
    served = client.post("/v1/firms/check?filename=calls.csv", content=data).json()
    printed = cli_check(tmp_path, data, "calls.csv")
    assert served["summary"]["rows"] == printed["summary"]["rows"] == len(CALLS) + 1
    assert [(r["row"], r["line"], [p["reason"] for p in r["problems"]]) for r in served["rows"]] == \
        [(r["row"], r["line"], [p["reason"] for p in r["problems"]]) for r in printed["rows"]]
    wide = served["rows"][3]
    assert not wide["ok"] and "cells but the header has" in wide["problems"][0]["message"]


def test_a_utf8_list_with_a_bom_and_an_xlsx_workbook_read_the_same_as_the_shift_jis_one(client, tmp_path):
    bom = client.post("/v1/firms/check?filename=calls.csv", content=excel_csv(encoding="utf-8-sig")).json()
    assert bom["summary"]["encoding"] == "utf-8-sig"
    book = write_xlsx_register(tmp_path / "calls.xlsx", rows=CALLS, title_rows=[["北区 企業名簿（令和8年度）"]])
    xlsx = client.post("/v1/firms/check", files={"file": ("calls.xlsx", book.read_bytes(), XLSX)}).json()
    assert (xlsx["summary"]["format"], xlsx["summary"]["sheet"], xlsx["summary"]["header_line"]) == ("xlsx", "名簿", 2)
    sjis = client.post("/v1/firms/check?filename=calls.csv", content=excel_csv()).json()
    for other in (bom, xlsx):
        assert [(r["row"], r["municipality_code"], r["employees"], r["ok"]) for r in other["rows"]] == \
            [(r["row"], r["municipality_code"], r["employees"], r["ok"]) for r in sjis["rows"]]
    assert xlsx["rows"][0]["line"] == 3  # the sheet row, as Excel numbers it


def test_the_format_comes_from_the_name_the_type_or_the_format_parameter(client):
    jsonl = "\n".join(json.dumps({"会社名": r[0], "所在地": r[1], "電話番号": r[7]}, ensure_ascii=False)
                      for r in ROWS[:2]).encode()
    for url, headers in (("/v1/firms/check?filename=f.jsonl", {}),
                         ("/v1/firms/check", {"Content-Type": "application/x-ndjson"}),
                         ("/v1/firms/check?format=jsonl", {"Content-Type": "application/octet-stream"})):
        data = client.post(url, content=jsonl, headers=headers).json()
        assert [r["municipality_code"] for r in data["rows"]] == ["131172", "131172"], url
        assert data["rows"][0]["kept"] == {"電話番号": "03-3908-0000"}
    body = problem_of(client.post("/v1/firms/check", content=jsonl,
                                  headers={"Content-Type": "application/octet-stream"}), 415)
    assert "filename" in body["detail"]


def test_in_japanese_the_problems_and_the_summary_are_japanese(client):
    for kwargs in ({"params": {"lang": "ja"}}, {"headers": {"Accept-Language": "ja-JP,ja;q=0.9"}}):
        data = client.post("/v1/firms/check", files={"file": ("calls.csv", excel_csv(), "text/csv")}, **kwargs).json()
        assert data["summary"]["text"].startswith(f"{len(CALLS)}行：読めた行 4、問題のある行 5")
        messages = {r["row"]: r["problems"][0]["message"] for r in data["rows"] if r["problems"]}
        assert "自治体が12件あります" in messages[5] and "東京都北区（131172）" in messages[5]
        assert messages[6].startswith("従業員数: 人数として読めません") and "「たくさん」" in messages[6]
        assert messages[7].startswith("資本金: 金額として読めません")
        assert messages[8].startswith("設立年月日: 日付として読めません")


# ------------------------------------------------------------------ lists that cannot be opened, and limits


def test_a_list_that_cannot_be_opened_is_a_problem_naming_the_upload_not_the_services_file(client):
    body = problem_of(client.post("/v1/firms/check?filename=名簿.xlsx", content=b"not a workbook"), 422)
    assert body["errors"][0]["field"] == "body" and body["errors"][0]["value"] == "名簿.xlsx"
    assert "Excel workbook" in body["detail"] and "matcher-upload" not in json.dumps(body)
    neither = b"\xff\xfe\xfd,\x80\r\n" * 3
    body = problem_of(client.post("/v1/firms/check?filename=x.csv&encoding=klingon", content=neither), 422)
    assert body["errors"][0]["field"] == "query.encoding"
    body = problem_of(client.post("/v1/firms/check?filename=x.csv&lang=ja", content=b""), 422)
    assert body["detail"] == "body: 一覧が空です。ファイルの中身を送ってください"
    body = problem_of(client.post("/v1/firms/check", files={"other": ("x.csv", b"a,b\r\n", "text/csv")}), 422)
    assert body["errors"][0]["field"] == "body.file"


def test_a_body_over_the_limit_and_a_list_over_the_row_limit_are_refused(engine):
    small = TestClient(create_app(Settings(max_body_bytes=2048, max_firms=3), engine=engine))
    big = excel_csv(CALLS * 10)
    assert len(big) > 2048
    body = problem_of(small.post("/v1/firms/check?filename=x.csv", content=big), 413)
    assert "2048 bytes" in body["detail"]
    body = problem_of(small.post("/v1/firms/check?filename=x.csv", content=excel_csv(CALLS[:4])), 413)
    assert "more than 3 rows (MATCHER_MAX_FIRMS)" in body["detail"]
    assert small.post("/v1/firms/check?filename=x.csv", content=excel_csv(CALLS[:3])).status_code == 200
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", " " * (2048 * 64 + 1))
    assert len(bomb.getvalue()) < 2048
    body = problem_of(small.post("/v1/firms/check?filename=x.xlsx", content=bomb.getvalue()), 413)
    assert "unpacks to" in body["detail"]


def test_the_check_is_documented_with_its_upload_forms(client):
    spec = client.get("/openapi.json").json()["paths"]["/v1/firms/check"]["post"]
    assert {"multipart/form-data", "text/csv", XLSX} <= set(spec["requestBody"]["content"])
    assert {"200", "413", "415", "422"} <= set(spec["responses"])


# ------------------------------------------------------------------ reach keeps the list's columns


def test_reach_keeps_a_lists_other_columns_and_brings_them_back_on_the_hits(client):
    data = client.post("/v1/firms/check?filename=calls.csv", content=excel_csv()).json()
    firms = [r["firm"] | r["kept"] for r in data["rows"] if r["ok"]]
    rows = [r["row"] for r in data["rows"] if r["ok"]]
    response = client.post("/v1/reach", json={"program": "kita-trade-fair-subsidy", "firms": firms, "as_of": "2026-11-21"})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["kept"] == ["電話番号", "担当者"]
    best = answer["hits"][0]
    assert rows[best["row"] - 1] == 1 and best["kept"] == {"電話番号": "03-3908-0000", "担当者": "山田"}


def test_reach_still_refuses_a_near_miss_of_a_field_and_a_field_under_another_name(client):
    for key, meant in (("employes", "employees"), ("capital", "capital_jpy"), ("従業員数", "employees")):
        body = problem_of(client.post("/v1/reach", json={"program": "kita-trade-fair-subsidy", "firms": [
            {"municipality": "131172", key: 5}]}), 422)
        assert body["errors"][0]["field"] == f"body.firms[0].{key}"
        assert body["errors"][0]["message"] == f"unknown field (did you mean: {meant}?)"


def test_curls_ways_of_sending_a_file_both_read(client):
    """``--data-binary @file`` sends it as a form's type; ``-F file=@file`` with form fields beside it."""
    raw = client.post("/v1/firms/check?filename=calls.csv", content=excel_csv(),
                      headers={"Content-Type": "application/x-www-form-urlencoded"}).json()
    form = client.post("/v1/firms/check", files={"file": ("calls.txt", excel_csv(), "application/octet-stream")},
                       data={"encoding": "shift_jis", "prefecture": "東京都"}).json()
    assert raw["summary"]["encoding"] == form["summary"]["encoding"] == "cp932"
    assert form["rows"][4]["municipality_code"] == "131172"  # 北区赤羽… is Tokyo's Kita with the prefecture given
    assert [r["ok"] for r in raw["rows"]][4] is False
