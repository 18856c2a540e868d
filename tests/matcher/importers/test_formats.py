"""The three formats end to end: catalogs the loader accepts, stable ids and bytes, cited sources."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from pathlib import Path

import pytest
import yaml

from matcher.importers import ImporterError, ImportFormatError, MappingError, import_catalog
from profiles.catalog import load_catalog

DATA = Path(__file__).parent / "data"
TOKYO = Path(__file__).parents[3] / ".." / "shared" / "data" / "tokyo-subsidies-fy2024.csv"
HEADER = ["年度", "所管局№", "所管局", "施策分野№", "施策分野", "事業名", "補助金名", "補助金の概要", "補助対象者№",
          "補助対象者", "令和６年度予算額（千円）", "所管部署", "問い合わせ先", "各局HPリンク"]


def tokyo_row(name, overview, recipient="民間団体", budget="10,000", bureau="産業労働局", url=""):
    return ["2024", "11", bureau, "10", "中小企業支援", name + "事業", name, overview, "5 ", recipient, budget,
            "商工部", "03-0000-0000", url]


ROWS = [
    tokyo_row("展示会出展支援補助金", "補助金の目的：販路開拓\n補助対象者：都内の中小企業者\n補助対象経費：出展小間料\n"
                              "負担割合：都1/2、事業者1/2（上限150万円）", url="https://example.metro.tokyo.lg.jp/a"),
    tokyo_row("公社経由の助成事業補助金", "補助金の目的：中小企業の新製品開発を支援する\n補助対象者：（公財）東京都中小企業振興公社\n"
                                "補助対象経費：助成金及び事務費\n負担割合：都10/10", recipient="政策連携団体"),
    tokyo_row("子供の遊び場整備補助金", "補助金の目的：遊び場の創出\n補助対象者：区市町村\n補助対象経費：整備費\n"
                              "負担割合：国1/2、都1/4、区市町村1/4", recipient="区市町村", bureau="子供政策連携室"),
    tokyo_row("島しょ振興補助金", "補助金の目的：島の振興\n補助対象者：島しょ地域の町村\n補助対象経費：事業費\n負担割合：経費により個別に定める",
              recipient="区市町村"),
    tokyo_row("発行体補助金", "補助金の目的：市場拡大\n補助対象者：デジタル証券の発行体\n補助対象経費：発行費用\n負担割合：1/2"),
]


def write_tokyo(path: Path, rows=ROWS, extra: list[list[str]] | None = None) -> Path:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(HEADER)
    w.writerows(rows)
    for r in extra or ():
        w.writerow(r)
    path.write_text(buf.getvalue(), encoding="utf-8-sig")
    return path


def programs(out: Path) -> list[dict]:
    return yaml.safe_load((out / "programs.yaml").read_text(encoding="utf-8"))["programs"]


@pytest.fixture
def tokyo(tmp_path):
    src = write_tokyo(tmp_path / "tokyo.csv")
    report = import_catalog("tokyo-subsidies", src, tmp_path / "out")
    return src, tmp_path / "out", report, {p["name_ja"]: p for p in programs(tmp_path / "out")}


def test_a_tokyo_import_is_a_catalog_the_loader_accepts(tokyo):
    _, out, report, _ = tokyo
    assert report.programs == 5 and len(load_catalog(out).programs) == 5


def test_an_sme_program_for_firms_in_tokyo(tokyo):
    p = tokyo[3]["展示会出展支援補助金"]
    assert p["eligibility"]["rule_sets"] == ["sme"] and p["eligibility"]["prefectures"] == ["13"]
    assert p["benefit"]["rate"] == 0.5 and p["benefit"]["max_amount_jpy"] == 1_500_000
    assert p["benefit"]["budget_jpy"] == 10_000_000 and p["fiscal_year"] == 2024
    assert "applicant_types" not in p["eligibility"]  # any legal form


def test_a_budget_paid_to_the_support_center_is_delivered_by_it_to_smes(tokyo):
    p = tokyo[3]["公社経由の助成事業補助金"]
    assert p["delivered_by"]["name_ja"] == "公益財団法人東京都中小企業振興公社"
    assert p["eligibility"]["rule_sets"] == ["sme"]
    assert "rate" not in p["benefit"]  # the center's 10/10 is not the firm's rate
    assert p["benefit"]["shares"] == [{"payer": "tokyo", "payer_ja": "都", "rate": 1.0, "text": "都10/10"}]


def test_a_municipal_program_is_for_no_firm_and_keeps_its_shares(tokyo):
    p = tokyo[3]["子供の遊び場整備補助金"]
    assert p["eligibility"]["applicant_types"] == ["municipality"]
    assert [s["payer"] for s in p["benefit"]["shares"]] == ["national", "tokyo", "municipality"]


def test_a_grant_to_municipalities_that_the_business_co_pays_is_delivered_through_them(tmp_path):
    # 都1/2、区市町村1/4、事業者1/4: the municipality passes it on to the nurseries (間接補助)
    row = tokyo_row("保育所デジタル化補助金", "補助金の目的：都内保育所のデジタル化の推進\n補助対象者：区市町村\n"
                    "補助対象経費：デジタル化推進に要する経費\n負担割合：都1/2、区市町村1/4、事業者1/4",
                    recipient="区市町村", bureau="福祉局")
    import_catalog("tokyo-subsidies", write_tokyo(tmp_path / "t.csv", rows=[row]), tmp_path / "out")
    p, = programs(tmp_path / "out")
    assert p["delivered_by"]["name_ja"] == "区市町村" and "share" in p["delivered_by"]["note"]
    assert p["delivered_by"]["note_ja"] == "区市町村を通じて支給（事業者も経費の一部を負担）"  # the page's Japanese view
    assert "applicant_types" not in p["eligibility"]  # businesses of any form, through the municipality
    assert p["eligibility"]["target_groups"] == ["childcare_provider"]
    assert any(src["quote"] == "負担割合：都1/2、区市町村1/4、事業者1/4" and "delivered_by" in src["facts"]
               for src in p["source"])


def test_the_islands_are_a_region_and_unreadable_shares_are_counted(tokyo):
    p, report = tokyo[3]["島しょ振興補助金"], tokyo[2]
    assert p["eligibility"]["regions"] == ["tokyo_islands"] and "shares" not in p.get("benefit", {})
    assert report.unread["cost shares"] == 1


def test_text_naming_no_applicant_falls_back_to_the_recipient_column_and_is_counted(tokyo):
    p, report = tokyo[3]["発行体補助金"], tokyo[2]
    assert report.unread["applicant types"] == 1
    assert "applicant_types" not in p["eligibility"]  # 民間団体: any private body, no restriction
    assert report.fields["eligibility.applicant_types"]["given"] == 1


def test_every_source_entry_cites_the_row_the_column_and_an_exact_quote(tokyo):
    src, out, _, _ = tokyo
    rows = list(csv.DictReader(io.StringIO(src.read_text(encoding="utf-8-sig"))))
    for p in programs(out):
        for s in p["source"]:
            assert s["file"] == "tokyo.csv" and s["quote"] in rows[s["row"] - 1][s["field"]]
        cited = {f for s in p["source"] for f in s["facts"]}
        assert {"name_ja", "benefit.budget_jpy"} <= cited
        assert cited & {"eligibility.prefectures", "eligibility.regions"}


def test_the_rule_sentence_is_quoted_for_the_trace(tokyo):
    p = tokyo[3]["展示会出展支援補助金"]
    rule = [s for s in p["source"] if "eligibility.rule_sets" in s["facts"]]
    assert [s["quote"] for s in rule] == ["補助対象者：都内の中小企業者"]


def test_re_importing_gives_the_same_bytes_and_ids(tmp_path):
    src = write_tokyo(tmp_path / "tokyo.csv")
    import_catalog("tokyo-subsidies", src, tmp_path / "a")
    import_catalog("tokyo-subsidies", src, tmp_path / "b")
    import_catalog("tokyo-subsidies", src, tmp_path / "a")  # again into the same directory
    assert (tmp_path / "a" / "programs.yaml").read_bytes() == (tmp_path / "b" / "programs.yaml").read_bytes()


def test_ids_do_not_move_when_a_row_is_added_before(tmp_path):
    a = write_tokyo(tmp_path / "a.csv")
    b = write_tokyo(tmp_path / "b.csv", rows=[tokyo_row("新しい補助金", "補助対象者：区市町村"), *ROWS])
    import_catalog("tokyo-subsidies", a, tmp_path / "oa")
    import_catalog("tokyo-subsidies", b, tmp_path / "ob")
    ids_a = {p["name_ja"]: p["id"] for p in programs(tmp_path / "oa")}
    ids_b = {p["name_ja"]: p["id"] for p in programs(tmp_path / "ob")}
    assert all(ids_b[n] == i for n, i in ids_a.items())


def test_a_broken_row_is_skipped_by_number_and_the_others_are_kept(tmp_path):
    nameless = tokyo_row("", "補助対象者：区市町村")
    nameless[5] = ""
    src = write_tokyo(tmp_path / "t.csv", extra=[["2024", "11", "産業労働局"], nameless])
    report = import_catalog("tokyo-subsidies", src, tmp_path / "out")
    assert report.programs == 5
    assert [r for r, _ in report.skipped] == [6, 7] and "cells" in report.skipped[0][1]
    assert "row 6" in report.to_text() and report.to_dict()["skipped"][1]["row"] == 7


def test_a_file_that_is_not_the_tokyo_list_is_refused_with_its_columns(tmp_path):
    src = tmp_path / "other.csv"
    src.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ImportFormatError, match="no column 年度"):
        import_catalog("tokyo-subsidies", src, tmp_path / "out")


def test_the_output_never_overwrites_a_file_it_did_not_write(tmp_path):
    src = write_tokyo(tmp_path / "t.csv")
    out = tmp_path / "out"
    out.mkdir()
    (out / "programs.yaml").write_text("programs: []\n", encoding="utf-8")
    with pytest.raises(ImporterError, match="not written by an import"):
        import_catalog("tokyo-subsidies", src, out)
    assert (out / "programs.yaml").read_text(encoding="utf-8") == "programs: []\n"
    (out / "programs.yaml").unlink()
    (out / "mine.yaml").write_text("programs: []\n", encoding="utf-8")
    with pytest.raises(ImporterError, match="other catalog files"):
        import_catalog("tokyo-subsidies", src, out)


def test_an_unknown_format_names_the_formats(tmp_path):
    with pytest.raises(ImportFormatError, match="tokyo-subsidies, jgrants, table"):
        import_catalog("csv", tmp_path, tmp_path / "out")


# --- jgrants -------------------------------------------------------------------------------------

@pytest.fixture
def jgrants(tmp_path):
    report = import_catalog("jgrants", DATA / "jgrants", tmp_path / "out")
    return report, {p["name_ja"]: p for p in programs(tmp_path / "out")}, tmp_path / "out"


def test_jgrants_list_and_detail_are_merged_into_one_program_each(jgrants):
    report, progs, out = jgrants
    assert report.programs == 3 and len(load_catalog(out).programs) == 3
    p = progs["品川区テスト展示会出展支援補助金"]
    assert p["provider"]["kind"] == "municipality" and p["url"].endswith("a0W5h00000UiQRSEA5")
    assert p["eligibility"]["municipalities"] == ["131091"] and p["eligibility"]["employees"] == {"max": 20}
    assert p["eligibility"]["industries"] == ["E", "G"] and p["benefit"]["max_amount_jpy"] == 300_000
    assert p["benefit"]["rate"] == pytest.approx(0.6667)
    assert {"marketing", "export", "trade_fair"} <= set(p["needs"])


def test_jgrants_datetimes_are_japan_dates(jgrants):
    p = jgrants[1]["東京都テスト創業助成事業"]
    # 2024-09-30T15:00Z is 1 October in Japan; an end at 00:00 JST closes the day before
    assert p["application_start"] == dt.date(2024, 10, 1) and p["application_deadline"] == dt.date(2024, 10, 10)
    assert p["eligibility"]["employees"] == {"max": 300} and p["eligibility"]["prefectures"] == ["13"]


def test_jgrants_rules_read_from_the_detail_html_cite_the_record(jgrants):
    p = jgrants[1]["ものづくり・商業・サービス生産性向上促進補助金（テスト用）"]
    assert p["eligibility"]["rule_sets"] == ["sme"] and "prefectures" not in p["eligibility"]  # 全国
    rule = [s for s in p["source"] if "eligibility.rule_sets" in s["facts"]]
    assert rule[0]["record"] == "a0W5h00000UiXYZEA3" and "中小企業者" in rule[0]["quote"]
    assert "rate" not in p["benefit"] and jgrants[0].unread["cost shares"] == 1  # "1/2、2/3": two rates


def test_a_json_file_that_is_no_jgrants_response_is_refused(tmp_path):
    (tmp_path / "x.json").write_text('{"items": []}', encoding="utf-8")
    with pytest.raises(ImportFormatError, match="'result' list"):
        import_catalog("jgrants", tmp_path / "x.json", tmp_path / "out")


# --- table ---------------------------------------------------------------------------------------

@pytest.fixture
def table(tmp_path):
    report = import_catalog("table", DATA / "city-list.csv", tmp_path / "out", mapping=DATA / "city-mapping.yaml")
    return report, {p["name_ja"]: p for p in programs(tmp_path / "out")}, tmp_path / "out"


def test_a_city_table_with_a_column_mapping(table):
    report, progs, out = table
    assert report.programs == 3 and len(load_catalog(out).programs) == 3
    p = progs["北区テスト展示会出展補助金"]
    assert p["benefit"]["max_amount_jpy"] == 200_000  # 上限額（千円）: the header's unit
    assert p["application_deadline"] == dt.date(2025, 3, 31)  # 令和7年3月31日
    assert p["eligibility"]["municipalities"] == ["131172"] and p["eligibility"]["employees"] == {"max": 20}
    assert p["eligibility"]["rule_sets"] == ["sme"] and p["id"].startswith("kita-test-")


def test_a_table_row_without_a_name_is_skipped_and_a_bad_cell_is_counted(table):
    report, progs, _ = table
    assert report.skipped == [(3, "no program name in column 事業名")]
    p = progs["北区テスト創業支援利子補給"]
    assert p["kind"] == "interest_subsidy" and "max_amount_jpy" not in p.get("benefit", {})
    assert report.unread["cell not read"] == 1
    assert p["eligibility"]["years_in_business"] == {"max": 4.99}


def test_a_mapping_naming_a_missing_header_says_which_key_and_file(tmp_path):
    bad = tmp_path / "map.yaml"
    bad.write_text("columns: {name_ja: 事業名称}\n", encoding="utf-8")
    with pytest.raises(MappingError, match=r"map.yaml: columns.name_ja: no column has the header '事業名称'"):
        import_catalog("table", DATA / "city-list.csv", tmp_path / "out", mapping=bad)
    bad.write_text("columns: {name_ja: 事業名, deadlin: 締切}\n", encoding="utf-8")
    with pytest.raises(MappingError, match="did you mean deadline"):
        import_catalog("table", DATA / "city-list.csv", tmp_path / "out", mapping=bad)


def test_a_table_in_excel(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["事業名", "対象者", "締切"])
    ws.append(["テスト補助金", "小規模事業者", dt.datetime(2025, 1, 31)])
    book.save(tmp_path / "list.xlsx")
    report = import_catalog("table", tmp_path / "list.xlsx", tmp_path / "out",
                            mapping={"columns": {"name_ja": "事業名", "applicants": "対象者", "deadline": "締切"}})
    p = programs(tmp_path / "out")[0]
    assert report.programs == 1 and p["application_deadline"] == dt.date(2025, 1, 31)
    assert p["eligibility"]["rule_sets"] == ["small_enterprise"]


# --- the real Tokyo list ---------------------------------------------------------------------------

@pytest.mark.skipif(not TOKYO.exists(), reason="../shared/data/tokyo-subsidies-fy2024.csv is not here")
def test_the_real_tokyo_list(tmp_path_factory):
    out = tmp_path_factory.mktemp("tokyo")
    src = out / "in" / TOKYO.name
    src.parent.mkdir()
    shutil.copy(TOKYO, src)
    report = import_catalog("tokyo-subsidies", src, out / "catalog")
    progs = programs(out / "catalog")
    assert report.programs == 1720 and report.skipped == []
    assert len({p["id"] for p in progs}) == 1720
    rows = list(csv.DictReader(io.StringIO(TOKYO.read_text(encoding="utf-8-sig"))))
    for p in progs:
        for s in p["source"]:
            assert s["quote"] in rows[s["row"] - 1][s["field"]], (p["id"], s)
    assert len(load_catalog(out / "catalog").programs) == 1720
    for field in ("eligibility.applicant_types", "benefit.shares", "delivered_by"):
        assert report.fields[field]["extracted"] > 0
