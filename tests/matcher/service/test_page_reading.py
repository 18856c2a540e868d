"""The reverse view reads a firm list at the service first and shows how every row reads (issue 12).

A coordinator uploads the list the way Japanese Excel saves it (Shift_JIS, CRLF, Japanese
headers, an address column, a phone column, broken rows): the service reads the bytes, so
nothing turns to mojibake; the page shows one row per input row, numbered as
``matcher firms check`` numbers them, with the problems marked, in English and in
Japanese, on a desktop and on a 390 px phone; then it ranks the rows that read, with
their phone numbers beside them. The fixtures are those of ``test_page_browser``;
without ``/usr/bin/chromium`` every test here is skipped.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from matcher.cli import cli
from tests.matcher.service.test_page_browser import (  # noqa: F401  (fixtures)
    ARTIFACTS,
    CHROMIUM,
    base_url,
    browser_context,
    open_page,
    page,
)
from tests.profiles.registers import HEADER, ROWS, csv_text, write_xlsx_register

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=(
    "Debian's chromium is not installed (/usr/bin/chromium missing); "
    "`apt-get install chromium chromium-driver` or run .ci/run, which installs it"))

#: Kita's firms and two rows no reader can make a firm of: an address in twelve Kita wards, a headcount in words.
CALLS = [*ROWS, ["北区の工場", "北区赤羽2-1-1", "500万円", "12名", "平成2年", "金属製品製造業", "展示会", "03-0000-0001", "高橋"],
         ["人数不明商店", "東京都北区王子1-1-1", "300万円", "たくさん", "2001/4/1", "金属製品製造業", "展示会", "", ""]]


def shift_jis_register(tmp_path):
    path = tmp_path / "名簿.csv"
    path.write_bytes(csv_text(HEADER, CALLS).encode("cp932"))
    return path


def choose_program_and_upload(page, path, *, tab="Whom to call about a program", program="Program",
                              upload="…or upload a file"):
    page.get_by_role("tab", name=tab).click()
    page.get_by_label(program, exact=True).select_option("kita-trade-fair-subsidy")
    page.get_by_label(upload).set_input_files(str(path))
    page.locator("#reach-reading tbody tr").first.wait_for()


def shown_rows(page) -> list[dict]:
    return page.locator("#reach-reading tbody tr").evaluate_all(
        "rs => rs.map(r => ({row: Number(r.dataset.row), ok: r.dataset.ok === 'true', text: r.innerText}))")


def test_a_shift_jis_list_reads_row_by_row_with_its_problems_marked_before_it_is_ranked(page, tmp_path):
    path = shift_jis_register(tmp_path)
    result = CliRunner().invoke(cli, ["firms", "check", str(path), "--json"])
    assert result.exit_code == 1
    cli_rows = {r["row"]: r["ok"] for r in json.loads(result.stdout)["rows"]}

    choose_program_and_upload(page, path)
    rows = shown_rows(page)
    assert {r["row"]: r["ok"] for r in rows} == cli_rows == {1: True, 2: True, 3: True, 4: True, 5: False, 6: False}
    assert "王子精密プレス株式会社" in rows[0]["text"] and "Kita City, Tokyo" in rows[0]["text"]  # no mojibake
    assert "03-3908-0000" in rows[0]["text"]  # the phone column is kept beside the firm
    marked = page.locator("#reach-reading tr.problem")
    assert marked.count() == 2
    assert "problem" in marked.nth(0).locator(".mark").inner_text()
    assert "ambiguous: 12 local governments" in marked.nth(0).locator(".problems").inner_text()
    assert "not a headcount" in marked.nth(1).locator(".problems").inner_text()
    summary = page.locator("#reach-reading .reading-summary").inner_text()
    assert "6 rows, 4 readable, 2 with problems" in summary and "cp932" in summary
    assert page.locator("#reach-results").is_hidden()  # nothing ranked yet

    page.get_by_role("button", name="Whom to call first").click()
    hits = page.locator("#reach-results tbody tr")
    hits.first.wait_for()
    first = hits.first.inner_text()
    assert "王子精密プレス株式会社" in first and "row 1" in first and "電話番号: 03-3908-0000" in first
    assert "Row 5" in page.locator("#reach-firms-error").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "page-reach-reading-shift-jis.png"), full_page=True)


def test_in_japanese_the_reading_and_its_problems_are_japanese_and_follow_a_language_switch(page, tmp_path):
    page.get_by_role("button", name="日本語").click()
    choose_program_and_upload(page, shift_jis_register(tmp_path), tab="制度を案内すべき企業を探す", program="支援制度",
                              upload="…またはファイルを選ぶ")
    marked = page.locator("#reach-reading tr.problem")
    assert marked.count() == 2
    assert "問題あり" in marked.nth(0).locator(".mark").inner_text()
    assert "自治体が12件あります" in marked.nth(0).locator(".problems").inner_text()
    assert "東京都北区（131172）" in marked.nth(0).locator(".problems").inner_text()
    assert "人数として読めません" in marked.nth(1).locator(".problems").inner_text()
    assert "6行（読めた行 4、問題のある行 2）" in page.locator("#reach-reading .reading-summary").inner_text()
    assert "東京都北区" in shown_rows(page)[0]["text"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "page-reach-reading-ja.png"), full_page=True)

    page.get_by_role("button", name="English").click()
    page.locator("#reach-reading .problems", has_text="not a headcount").wait_for()
    assert "ambiguous: 12 local governments" in page.locator("#reach-reading tr.problem").nth(0).inner_text()


def test_a_workbook_reads_with_its_sheet_rows_and_a_pasted_japanese_list_reads_too(page, tmp_path):
    book = write_xlsx_register(tmp_path / "名簿.xlsx", rows=CALLS, title_rows=[["北区 企業名簿"]])
    choose_program_and_upload(page, book)
    assert [r["ok"] for r in shown_rows(page)] == [True, True, True, True, False, False]
    assert "XLSX" in page.locator("#reach-reading .reading-summary").inner_text()

    page.get_by_label("Firms (CSV)").fill(csv_text(HEADER, CALLS[4:]))  # the text is the list now, not the file
    page.get_by_role("button", name="Whom to call first").click()
    page.locator("#reach-reading tbody tr >> nth=1").wait_for()
    rows = shown_rows(page)
    assert [(r["row"], r["ok"]) for r in rows] == [(1, False), (2, False)]
    assert "No row of the list could be read" in page.locator("#reach-form-error").inner_text()


def test_on_a_390_px_phone_the_reading_needs_no_horizontal_scroll(browser_context, base_url, tmp_path):
    phone = open_page(browser_context, base_url)
    phone.set_viewport_size({"width": 390, "height": 844})
    try:
        choose_program_and_upload(phone, shift_jis_register(tmp_path))
        assert phone.evaluate("document.scrollingElement.scrollWidth") <= 390
        phone.get_by_role("button", name="Whom to call first").click()
        phone.locator("#reach-results tbody tr").first.wait_for()
        assert phone.evaluate("document.scrollingElement.scrollWidth") <= 390
        ARTIFACTS.mkdir(exist_ok=True)
        phone.screenshot(path=str(ARTIFACTS / "page-reach-reading-390.png"), full_page=True)
        assert phone.errors == []
    finally:
        phone.close()


def test_a_city_desks_list_reads_once_its_prefecture_is_chosen_for_addresses_that_name_none(page, tmp_path):
    choose_program_and_upload(page, shift_jis_register(tmp_path))
    assert [r["ok"] for r in shown_rows(page)][4] is False  # 北区赤羽2-1-1: twelve Kita wards
    page.get_by_label("Region of the list").select_option("13")
    page.locator("#reach-reading tbody tr[data-row='5'][data-ok='true']").wait_for()
    row = shown_rows(page)[4]
    assert "Kita City, Tokyo" in row["text"]
    assert [r["ok"] for r in shown_rows(page)] == [True, True, True, True, True, False]
    page.get_by_role("button", name="Whom to call first").click()
    page.locator("#reach-results tbody tr").first.wait_for()
    names = page.locator("#reach-results tbody tr .name").all_inner_texts()
    assert "北区の工場" in names

