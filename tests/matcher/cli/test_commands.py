"""The ``matcher`` command, through click's runner: exit codes, messages, JSON shape."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from matcher.cli import cli
from tests.conftest import EXAMPLES


def run(*args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input, catch_exceptions=False)


def test_rank_prints_a_table_with_the_trade_fair_subsidy_for_the_kita_example():
    result = run("rank", EXAMPLES / "kita-metal-press.yaml", "--as-of", "2026-11-21")
    assert result.exit_code == 0, result.output
    assert "Trade" in result.output and "Kita" in result.output


def test_rank_json_has_exactly_the_documented_shape():
    result = run("rank", EXAMPLES / "kita-metal-press.yaml", "--as-of", "2026-11-21", "--json", "--explain")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert {"as_of", "company", "schemes", "possible", "municipalities", "excluded"} <= set(data)
    scheme = data["schemes"][0]
    assert {"id", "name", "name_ja", "kind", "description", "provider", "score", "components", "reasons",
            "benefit", "url"} <= set(scheme)
    assert {"id", "name"} <= set(scheme["provider"])
    for p in data["possible"]:
        assert {"id", "name", "provider", "missing", "reasons"} <= set(p)
    for m in data["municipalities"]:
        assert {"id", "code", "name", "name_ja", "prefecture", "score", "components", "reasons"} <= set(m)
    for e in data["excluded"]:
        assert {"id", "name", "failed"} <= set(e)


def test_rank_without_explain_has_no_excluded_key():
    data = json.loads(run("rank", EXAMPLES / "kita-metal-press.yaml", "--json").stdout)
    assert "excluded" not in data


def test_rank_reads_a_firm_from_standard_input():
    result = run("rank", "-", "--json", "--top", "2", input='{"municipality": "Hamura", "prefecture": "Tokyo"}')
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)["schemes"]) <= 2


@pytest.mark.parametrize("firm, words", [
    ('{"municipality": "Kita", "prefecture": "Tokyo", "headcount": 3}', ["headcount", "unknown field"]),
    ('{"municipality": "Kita"}', ["municipality", "ambiguous", "131172"]),
    ('{"municipality": "Atlantis"}', ["municipality", "unknown municipality", "Atlantis"]),
    ('{"municipality": "Kita City", "employees": -5}', ["employees", "-5"]),
    ('{"municipality": "Kita City", "needs": ["trade_fare"]}', ["needs[0]", "trade_fare", "trade_fair"]),
    ('{"municipality": "Kita City", "founded": "21/11/2026"}', ["founded", "21/11/2026"]),
    ('municipality: Kita City\nemployees: 25\nemployees: 2500\n', ["duplicate key 'employees'", "line 3"]),
])
def test_bad_input_prints_one_line_naming_the_field_and_exits_2(firm, words):
    result = CliRunner().invoke(cli, ["rank", "-"], input=firm)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    for w in words:
        assert w in result.stderr


def test_a_bad_as_of_date_is_refused():
    result = CliRunner().invoke(cli, ["rank", str(EXAMPLES / "kita-metal-press.yaml"), "--as-of", "yesterday"])
    assert result.exit_code == 2 and "as_of" in result.stderr


def test_a_missing_file_is_one_line_and_exit_2():
    result = CliRunner().invoke(cli, ["rank", "no-such-firm.yaml"])
    assert result.exit_code == 2 and "no such file" in result.stderr


def test_explain_says_what_is_missing_for_the_hamura_interest_subsidy():
    result = run("explain", EXAMPLES / "hamura-no-size.yaml", "hamura-interest-subsidy", "--as-of", "2026-11-21")
    assert result.exit_code == 0
    assert "unknown" in result.output and "employees" in result.output


def test_reach_lists_firms_and_reports_bad_rows_by_number(tmp_path):
    csv = (EXAMPLES / "kita-register.csv").read_text(encoding="utf-8")
    csv += "k99,Broken Co,Tokyo,Kita,E24,-4,,,trade_fair,negative headcount,\n"
    path = tmp_path / "firms.csv"
    path.write_text(csv, encoding="utf-8")
    result = CliRunner().invoke(cli, ["reach", "kita-trade-fair-subsidy", str(path), "--json", "--as-of", "2026-11-21"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["firms"] == 9 and len(data["errors"]) == 1
    assert data["errors"][0]["row"] == 9 and data["errors"][0]["field"] == "employees"
    assert data["hits"][0]["firm_id"] == "k01"
    assert "row 9 (line 10): employees" in result.stderr


def test_catalog_validate_reports_every_problem_with_file_entry_and_path(tmp_path):
    (tmp_path / "a.yaml").write_text(
        "programs:\n"
        "- id: one\n  name: One\n  kind: subsidyy\n  provider: {id: x, name: X, kind: municipality}\n"
        "  source: {file: f, quote: q}\n"
        "- id: two\n  name: Two\n  kind: subsidy\n  provider: {id: x, name: X, kind: municipality}\n"
        "  benefit: {max_amount_jpy: -1}\n  source: {file: f, quote: q}\n"
        "- id: four\n  name: Four\n  kind: subsidy\n  provider: {id: x, name: X, kind: municipality}\n"
        "  source: {file: f, quote: q}\n"
        "  eligibility: {logic: {'<=': [{var: headcount}, 300]}}\n", encoding="utf-8")
    (tmp_path / "b.json").write_text('{"programs": [{"id": "three", "name": "T"}]}', encoding="utf-8")
    result = CliRunner().invoke(cli, ["catalog", "validate", str(tmp_path)])
    assert result.exit_code == 2
    err = result.stderr
    assert "a.yaml: one: kind:" in err
    assert "a.yaml: two: benefit.max_amount_jpy:" in err
    assert "a.yaml: four: eligibility.logic" in err and "headcount" in err
    assert "b.json: three: provider:" in err


def test_catalog_validate_accepts_the_default_catalog():
    from profiles import default_catalog_path

    result = run("catalog", "validate", default_catalog_path())
    assert result.exit_code == 0 and result.output.startswith("ok:")


def test_fit_saves_an_engine_that_rank_can_use(tmp_path):
    out = tmp_path / "engine.joblib"
    assert run("fit", "-o", out).exit_code == 0
    a = json.loads(run("rank", EXAMPLES / "kita-metal-press.yaml", "--engine", out, "--json", "--as-of", "2026-11-21").stdout)
    b = json.loads(run("rank", EXAMPLES / "kita-metal-press.yaml", "--json", "--as-of", "2026-11-21").stdout)
    assert a == b


def test_every_command_has_an_example_in_its_help():
    for args in (["rank"], ["explain"], ["reach"], ["fit"], ["catalog", "validate"], ["catalog", "list"]):
        assert "Example:" in run(*args, "--help").output


def test_python_dash_m_matcher_runs():
    out = subprocess.run([sys.executable, "-m", "matcher", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "rank" in out.stdout


def test_the_help_lists_every_command_without_importing_the_heavy_ones():
    code = ("import sys; from click.testing import CliRunner; from matcher.cli import cli; "
            "out = CliRunner().invoke(cli, ['--help']).output; "
            "print(out); print(sorted(m for m in ('fastapi', 'uvicorn', 'sklearn', 'scipy', 'dask') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    *help_lines, loaded = out.stdout.strip().splitlines()
    assert loaded == "[]"
    for command in ("batch", "catalog", "explain", "fit", "rank", "reach", "serve", "synth"):
        assert any(line.strip().startswith(command + " ") for line in help_lines), command
