"""What a coordinator reads in a terminal: tables that fit 80 and 200 columns, names wrapped
between words, all Japanese with --lang ja, English articles right, program details, old sources."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from click.testing import CliRunner

from matcher.cli import cli
from matcher.cli._table import cells, wrap_cells
from tests.conftest import EXAMPLES

FIRMS = ["kita-metal-press.yaml", "kita-metal-press-ja.yaml", "hamura-no-size.yaml", "kobe-medical-device.yaml",
         "mitaka-software-startup.yaml", "osaka-plastics.yaml"]
AS_OF = "2026-11-21"


def run(*args, columns=None):
    env = {"COLUMNS": str(columns)} if columns else {}
    result = CliRunner().invoke(cli, [str(a) for a in args], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def too_wide(text, columns):
    return [line for line in text.splitlines() if cells(line) > columns]


@pytest.mark.parametrize("columns", [80, 200])
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_line_of_rank_fits_the_terminal(columns, lang):
    for firm in FIRMS:
        out = run("rank", EXAMPLES / firm, "--as-of", AS_OF, "--lang", lang, "--explain", columns=columns)
        assert too_wide(out, columns) == [], firm


def test_at_200_columns_whole_program_names_stand_on_one_line():
    out = run("rank", EXAMPLES / "hamura-no-size.yaml", "--as-of", AS_OF, columns=200)
    assert "Financial Consultation at the Corporate Support Desk" in out
    assert "Links between TAMA and Local Financial Institutions" in out


def test_at_80_columns_names_wrap_between_words_never_inside_one():
    data = json.loads(run("rank", EXAMPLES / "hamura-no-size.yaml", "--as-of", AS_OF, "--json"))
    out = run("rank", EXAMPLES / "hamura-no-size.yaml", "--as-of", AS_OF, columns=80)
    words = set(re.findall(r"[A-Za-z]+", out))
    for s in data["schemes"]:
        for word in re.findall(r"[A-Za-z]+", s["name"]):
            assert word in words, (word, s["name"])
    assert "Instituti " not in out and "Corporate Support " in out


def test_japanese_wraps_by_display_width():
    lines = wrap_cells("羽村市中小企業融資利子補給、環境配慮型事業者向け", 12)
    assert all(cells(line) <= 12 for line in lines)
    assert not any(line.startswith("、") for line in lines)


def test_the_table_header_names_its_columns_in_each_language():
    en = run("rank", EXAMPLES / "kita-metal-press.yaml", "--as-of", AS_OF, columns=120)
    ja = run("rank", EXAMPLES / "kita-metal-press.yaml", "--as-of", AS_OF, "--lang", "ja", columns=120)
    assert re.search(r"#\s+score\s+program\s+provider\s+kind\s+benefit", en)
    assert re.search(r"#\s+スコア\s+支援制度\s+実施機関\s+種類\s+支援内容", ja)
    assert "北区展示会出展補助金" in ja and "Kita City Trade Fair" not in ja


def _latin_runs(text):
    return re.findall(r"[A-Za-z][A-Za-z'’\-.&]*(?:[ ][A-Za-z][A-Za-z'’\-.&]*)*", text)


def _is_code_or_name(run, own_words):
    """A code (E26, SME, TAMA, VoIP, a URL piece, km), or the firm's own words quoted back."""
    words = run.split()
    return all(w.isupper() or sum(ch.isupper() for ch in w) >= 2 or re.fullmatch(r"[A-Z]\d+|km|[a-z]", w)
               or w in own_words for w in words)


@pytest.mark.parametrize("firm", FIRMS)
def test_rank_lang_ja_has_no_english_words_left(firm):
    data = yaml.safe_load((EXAMPLES / firm).read_text(encoding="utf-8"))
    own = set(re.findall(r"[A-Za-z][A-Za-z'’\-.&]*", str(data.get("name", ""))))
    out = run("rank", EXAMPLES / firm, "--as-of", AS_OF, "--lang", "ja", "--explain", columns=100)
    left = [r for r in _latin_runs(out) if not _is_code_or_name(r, own)]
    assert left == []


def test_the_walk_would_catch_english_left_in_the_japanese_view():
    assert not _is_code_or_name("located in Hamura", set())
    assert _is_code_or_name("E26", set()) and _is_code_or_name("TAMA", set())


@pytest.mark.parametrize("firm", FIRMS)
def test_english_output_puts_an_before_vowels(firm):
    out = run("rank", EXAMPLES / firm, "--as-of", AS_OF, "--explain", columns=200)
    assert re.findall(r"\ba (?:[aeio]\w+|un[^i]\w*)", out, re.I) == []


def test_an_interest_subsidy_program_reads_right():
    firm = '{"municipality": "Hamura", "prefecture": "Tokyo", "needs": ["financing"], "employees": 10, "capital_jpy": 10000000}'
    result = CliRunner().invoke(cli, ["rank", "-", "--as-of", AS_OF, "--json"], input=firm, catch_exceptions=False)
    reasons = [r for s in json.loads(result.stdout)["schemes"] for r in s["reasons"]]
    assert "an interest subsidy program: a kind of support the firm's needs call for" in reasons


def test_catalog_list_has_a_header_names_and_kinds():
    out = run("catalog", "list", "--as-of", AS_OF, columns=120)
    head = out.splitlines()[0]
    assert re.match(r"id\s+program\s+kind\s+status\s+provider", head)
    assert too_wide(out, 120) == []
    wide = run("catalog", "list", "--as-of", AS_OF, columns=200)
    row = next(line for line in wide.splitlines() if line.startswith("kita-trade-fair-subsidy "))
    assert re.match(r"kita-trade-fair-subsidy\s+Kita City Trade Fair Participation Subsidy\s+subsidy\s+open\s+Kita City", row)
    ja = run("catalog", "list", "--as-of", AS_OF, "--lang", "ja", columns=80)
    assert ja.splitlines()[0].split()[:3] == ["ID", "支援制度", "種類"] and "北区展示会出展補助金" in ja
    assert too_wide(ja, 80) == []


def test_show_prints_a_programs_details_and_sources():
    out = run("show", "kita-trade-fair-subsidy", "--as-of", AS_OF, columns=100)
    assert out.splitlines()[0] == "Kita City Trade Fair Participation Subsidy (kita-trade-fair-subsidy)"
    assert "Description:" in out and "Benefit: up to ¥200,000" in out and "Sources:" in out
    assert "001_d83b5e0f2d5ac214.txt" in out and "“" in out
    assert "last described in 2016: check it is still offered" in out
    assert too_wide(out, 100) == []


def test_show_json_has_the_catalog_fields_and_the_age_of_its_source():
    data = json.loads(run("show", "hamura-interest-subsidy", "--as-of", AS_OF, "--json"))
    assert data["id"] == "hamura-interest-subsidy" and data["source"] and data["provider"]["name"]
    assert data["described_on"] == "2017-07-26" and data["stale"] is True
    fresh = json.loads(run("show", "hamura-interest-subsidy", "--as-of", "2018-01-01", "--json"))
    assert fresh["stale"] is False


def test_show_in_japanese():
    out = run("show", "kita-trade-fair-subsidy", "--lang", "ja", "--as-of", AS_OF, columns=80)
    assert out.startswith("北区展示会出展補助金 (kita-trade-fair-subsidy)")
    assert "情報は2016年時点のもの" in out and "出典:" in out


def test_with_lang_ja_bad_input_is_one_japanese_line_and_exit_2(tmp_path):
    unknown = CliRunner().invoke(cli, ["show", "kita-trade-fair-subsidi", "--lang", "ja"])
    assert unknown.exit_code == 2 and unknown.output.startswith("エラー: カタログにこの ID の支援制度はありません")
    missing = CliRunner().invoke(cli, ["rank", str(tmp_path / "none.yaml"), "--lang", "ja"])
    assert missing.exit_code == 2 and "ファイルがありません" in missing.output and "no such file" not in missing.output
    top = CliRunner().invoke(cli, ["rank", str(EXAMPLES / "kita-metal-press.yaml"), "--lang", "ja", "--top", "0"])
    assert top.exit_code == 2 and "top には 1 以上の整数" in top.output
    english = CliRunner().invoke(cli, ["show", "kita-trade-fair-subsidi"])
    assert english.output.startswith("error: program: no program with this id")


def test_show_an_unknown_program_is_one_line_and_exit_2():
    result = CliRunner().invoke(cli, ["show", "kita-trade-fair-subsidi"])
    assert result.exit_code == 2
    assert "kita-trade-fair-subsidy" in result.output


def test_a_program_described_only_long_ago_is_marked_in_rank():
    out = run("rank", EXAMPLES / "hamura-no-size.yaml", "--as-of", AS_OF, columns=120)
    assert "last described in 2005: check it is still offered" in out
    data = json.loads(run("rank", EXAMPLES / "hamura-no-size.yaml", "--as-of", AS_OF, "--json"))
    links = next(s for s in data["schemes"] if s["id"] == "tama-financial-institution-links")
    assert links["described_on"] == "2005-12-01" and links["stale"] is True


def test_the_age_is_configurable_and_does_not_change_the_ranking():
    old = json.loads(run("rank", EXAMPLES / "hamura-no-size.yaml", "--as-of", AS_OF, "--json"))
    lax = json.loads(run("rank", EXAMPLES / "hamura-no-size.yaml", "--as-of", AS_OF, "--json", "--stale-after", "30"))
    assert [s["id"] for s in old["schemes"]] == [s["id"] for s in lax["schemes"]]
    assert all(s["stale"] for s in old["schemes"]) and not any(s["stale"] for s in lax["schemes"])
    assert "last described" not in run("rank", EXAMPLES / "hamura-no-size.yaml", "--as-of", AS_OF,
                                       "--stale-after", "30", columns=120)


@pytest.mark.parametrize("lang, head", [("en", r"#\s+score\s+status\s+firm\s+row\s+why"),
                                        ("ja", r"#\s+スコア\s+状況\s+企業\s+行\s+理由")])
def test_reach_fits_80_columns_with_a_header_in_each_language(lang, head):
    result = CliRunner().invoke(cli, ["reach", "kita-trade-fair-subsidy", str(EXAMPLES / "kita-register.csv"),
                                      "--lang", lang, "--as-of", AS_OF], env={"COLUMNS": "80"}, catch_exceptions=False)
    assert result.exit_code == 0
    assert re.match(head, result.stdout.splitlines()[0])
    assert too_wide(result.stdout, 80) == []


def test_the_distance_scale_is_an_option_of_rank():
    near = json.loads(run("rank", EXAMPLES / "hamura-no-size.yaml", "--as-of", AS_OF, "--json"))
    wide = json.loads(run("rank", EXAMPLES / "hamura-no-size.yaml", "--as-of", AS_OF, "--json", "--distance-scale", "400"))
    kita = lambda r: next(m for m in r["municipalities"] if m["name"] == "Kita City")  # noqa: E731
    assert kita(near)["components"]["distance"] == pytest.approx(2.718281828 ** (-38.2 / 20), abs=0.01)
    assert kita(wide)["components"]["distance"] == pytest.approx(2.718281828 ** (-38.2 / 400), abs=0.01)
    result = CliRunner().invoke(cli, ["rank", str(EXAMPLES / "hamura-no-size.yaml"), "--distance-scale", "0"])
    assert result.exit_code == 2 and "distance-scale" in result.output


def test_the_loan_a_firm_came_for_leads_the_table_even_when_a_fact_is_missing():
    # Hamura's interest subsidy is for SMEs; this firm gave no size, so it is possible, not eligible,
    # yet it answers the firm's own question: it comes first, marked "?", with the facts to give
    out = run("rank", EXAMPLES / "hamura-no-size.yaml", "--as-of", AS_OF, columns=100)
    rows = [line for line in out.splitlines() if re.match(r"^\s*\d+\??\s+\d\.\d{3}\s", line)]
    assert rows[0].split()[0] == "1?" and "Hamura City Interest Subsidy" in rows[0]
    assert "? possible once the firm gives: employees, capital (¥)" in out
    assert any(not r.split()[0].endswith("?") for r in rows)  # the eligible ones are in the same table


def test_the_loan_a_firm_came_for_leads_the_table_in_japanese_too():
    out = run("rank", EXAMPLES / "hamura-no-size.yaml", "--as-of", AS_OF, "--lang", "ja", columns=100)
    rows = [line for line in out.splitlines() if re.match(r"^\s*\d+\??\s+\d\.\d{3}\s", line)]
    assert rows[0].split()[0] == "1?" and "中小企業融資利子補給（羽村市）" in rows[0]
    assert "次の情報があれば利用できる可能性: 従業員数、資本金" in out


@pytest.mark.parametrize("columns", [80, 200])
def test_catalog_list_never_breaks_an_id_and_wraps_names_between_words(columns):
    from rules import load_checked_catalog

    programs = load_checked_catalog(None).programs
    for lang in ("en", "ja"):
        out = run("catalog", "list", "--as-of", AS_OF, "--lang", lang, columns=columns)
        assert too_wide(out, columns) == []
        starts = {line.split()[0] for line in out.splitlines()[1:] if line and not line[0].isspace()}
        assert {p.id for p in programs} <= starts  # every id whole, at the start of a line
    en = run("catalog", "list", "--as-of", AS_OF, columns=columns)
    words = set(re.findall(r"[A-Za-z]+", en))
    assert all(w in words for p in programs for w in re.findall(r"[A-Za-z]+", p.name))


def test_catalog_list_in_japanese_gives_japanese_names_kinds_and_status():
    out = run("catalog", "list", "--as-of", AS_OF, "--lang", "ja", columns=200)
    row = next(line for line in out.splitlines() if line.startswith("kita-trade-fair-subsidy "))
    assert re.match(r"kita-trade-fair-subsidy\s+北区展示会出展補助金\s+補助金\s+受付中\s+北区", row)
    left = [r for r in _latin_runs(out) if not _is_code_or_name(r, set()) and "-" not in r]
    assert left == []


@pytest.mark.parametrize("columns", [80, 200])
def test_explain_in_japanese_is_all_japanese_and_fits(columns):
    out = run("explain", EXAMPLES / "hamura-no-size.yaml", "hamura-interest-subsidy", "--as-of", AS_OF,
              "--lang", "ja", columns=columns)
    assert too_wide(out, columns) == []
    assert out.startswith("中小企業融資利子補給（羽村市）（hamura-interest-subsidy）: 未確定")
    assert "[未確定] 中小企業者の可能性がある" in out and "不足: 従業員数、資本金" in out and "内訳: 事業内容の一致" in out
    own = set(re.findall(r"[A-Za-z]+", (EXAMPLES / "hamura-no-size.yaml").read_text(encoding="utf-8")))
    left = [r for r in _latin_runs(out) if not _is_code_or_name(r, own) and "-" not in r]
    assert left == []


@pytest.mark.parametrize("columns", [80, 200])
def test_explain_in_english_fits_and_reads_right(columns):
    out = run("explain", EXAMPLES / "kita-metal-press.yaml", "kita-trade-fair-subsidy", "--as-of", AS_OF,
              columns=columns)
    assert too_wide(out, columns) == []
    assert "[eligible] located in Kita (Tokyo)" in out and "a subsidy program" in out
    assert re.findall(r"\ba (?:[aeio]\w+|un[^i]\w*)", out, re.I) == []


def test_explain_json_in_japanese_keeps_its_keys():
    data = json.loads(run("explain", EXAMPLES / "hamura-no-size.yaml", "hamura-interest-subsidy", "--as-of", AS_OF,
                          "--lang", "ja", "--json"))
    assert data["outcome"] == "unknown" and data["missing"] == ["employees", "capital_jpy"]
    assert any(c["text"].startswith("中小企業者の可能性がある") for c in data["conditions"])


def _before_sources(out: str, program_id: str) -> str:
    """What ``show`` prints of a program before its sources (which quote the seeds as they are), without its id."""
    return out.split("\n  出典:")[0].replace(f"({program_id})", "")


def test_show_in_japanese_gives_every_seed_programs_description_and_notes_in_japanese():
    from rules import load_checked_catalog

    for p in load_checked_catalog(None).programs:
        out = run("show", p.id, "--lang", "ja", "--as-of", AS_OF, columns=100)
        flat = re.sub(r"\s+", "", out)
        assert "概要:" + re.sub(r"\s+", "", p.description_ja) in flat, p.id
        if p.eligibility.note_ja:
            assert "対象条件:" + re.sub(r"\s+", "", p.eligibility.note_ja) in flat, p.id
        if p.benefit is not None and p.benefit.note_ja:
            assert "支援内容の補足:" + re.sub(r"\s+", "", p.benefit.note_ja) in flat, p.id
        assert "英語の原文" not in out, p.id
        left = [r for r in _latin_runs(_before_sources(out, p.id)) if not _is_code_or_name(r, set())]
        assert left == [], p.id
        assert too_wide(out, 100) == [], p.id


def test_show_in_english_keeps_the_english_and_says_who_may_apply():
    out = run("show", "kita-trade-fair-subsidy", "--as-of", AS_OF, columns=100)
    assert "Description: Kita City subsidises firms" in out and "北区は" not in out
    assert "Eligibility: Firms in Kita City." in out and "Benefit note: ¥200,000 for participating" in out


def test_show_in_japanese_labels_an_english_only_description_as_the_original(tmp_path):
    """A catalog that gives a program only in English: its text is shown, labelled as the English original."""
    from profiles.catalog import default_catalog_path

    text = (default_catalog_path() / "kita.yaml").read_text(encoding="utf-8")
    (tmp_path / "kita.yaml").write_text(re.sub(r"\n    description_ja: >-\n      [^\n]*", "", text), encoding="utf-8")
    out = run("show", "kita-trade-fair-subsidy", "--catalog", tmp_path, "--lang", "ja", "--as-of", AS_OF, columns=100)
    assert "概要（英語の原文）: Kita City subsidises firms" in out


def test_rank_json_carries_the_japanese_description_of_each_program_beside_the_english():
    from rules import load_checked_catalog

    catalog = load_checked_catalog(None)
    for firm in ("kita-metal-press.yaml", "hamura-no-size.yaml"):
        data = json.loads(run("rank", EXAMPLES / firm, "--as-of", AS_OF, "--lang", "ja", "--json"))
        items = data["schemes"] + data["possible"]
        assert items, firm
        for s in items:
            p = catalog.program(s["id"])
            assert s["description"] == p.description and s["description_ja"] == p.description_ja, s["id"]
