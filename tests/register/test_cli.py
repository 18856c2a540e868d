"""``matcher register`` through click's runner: every command, its Example, bad input as one line."""

from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from matcher.cli.register import register
from tests.conftest import EXAMPLES
from tests.register.conftest import write_firms


def _commands(group: click.Group, prefix=()):
    for name, cmd in group.commands.items():
        yield (*prefix, name), cmd
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, (*prefix, name))


@pytest.mark.parametrize("path,cmd", list(_commands(register)), ids=lambda v: " ".join(v) if isinstance(v, tuple) else "")
def test_every_command_shows_an_example_in_its_help(path, cmd):
    result = CliRunner().invoke(register, [*path, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output and "matcher register" in result.output.split("Example:")[1]


def test_register_has_an_example_too():
    assert "Example:" in CliRunner().invoke(register, ["--help"]).output


@pytest.fixture
def run(db_url):
    runner = CliRunner()

    def invoke(*args, actor="aoki"):
        return runner.invoke(register, ["--db", db_url, "--as", actor, *args], catch_exceptions=False)
    assert invoke("init").exit_code == 0
    return invoke


def test_a_coordinators_day_through_the_cli(run, tmp_path):
    r = run("import", str(EXAMPLES / "kita-register.csv"))
    assert r.exit_code == 0 and "8 added, 0 updated, 0 unchanged, 0 errors" in r.output
    assert "8 unchanged" in run("import", str(EXAMPLES / "kita-register.csv")).output
    listed = json.loads(run("list", "--search", "oji", "--json").output)
    assert listed["total"] == 2 and [f["firm_id"] for f in listed["firms"]] == ["k01", "k07"]
    r = run("outcome", "k01", "kita-trade-fair-subsidy", "interested", "--note", "wants the form", "--date", "2026-11-20")
    assert r.exit_code == 0 and "interested about kita-trade-fair-subsidy on 2026-11-20" in r.output
    shown = json.loads(run("show", "k01", "--json").output)
    assert shown["history"][0]["note"] == "wants the form" and shown["matches"][0]["program_id"] == "kita-trade-fair-subsidy"
    r = run("reach", "kita-trade-fair-subsidy", "--top", "3", "--as-of", "2026-11-21")
    assert r.exit_code == 0 and "2026-11-20 interested" in r.output.splitlines()[1]
    hits = json.loads(run("reach", "kita-trade-fair-subsidy", "--top", "3", "--as-of", "2026-11-21", "--json").output)
    assert [h["rank"] for h in hits["hits"]] == [1, 2, 3]
    r = run("edit", "k01", "employees=30", "phone=03-1111-2222", "--version", "1")
    assert r.exit_code == 0 and "now version 2" in r.output
    r = run("edit", "k01", "employees=31", "--version", "1", actor="suzuki")
    assert r.exit_code == 2 and "changed by someone else" in r.output
    log = json.loads(run("log", "--firm", "k01", "--json").output)
    assert log[0]["detail"]["changed"]["kept.phone"] == [None, "03-1111-2222"]
    rep = tmp_path / "report.csv"
    assert run("report", "-o", str(rep)).exit_code == 0
    assert rep.read_text(encoding="utf-8-sig").splitlines()[1].startswith("kita-trade-fair-subsidy,")
    assert run("report", "-o", str(rep)).exit_code == 2  # never overwritten
    assert "awarded" in run("report", "--by", "coordinator").output


def test_bad_input_is_one_line_and_exit_code_2(run, tmp_path):
    run("import", str(EXAMPLES / "kita-register.csv"))
    for args, words in [(("outcome", "k01", "kita-trade-fair-subsidy", "won"), "status: expected one of"),
                        (("outcome", "k0x", "kita-trade-fair-subsidy", "applied"), "no firm with this id"),
                        (("reach", "kita-trade-fair"), "no program with this id"),
                        (("show", "nobody"), "no firm with this id"),
                        (("import", str(tmp_path / "missing.csv")), "no such file"),
                        (("alerts", "--since", "zzzz"), "since")]:
        r = run(*args)
        assert r.exit_code == 2, (args, r.output)
        assert r.output.count("\n") == 1 and r.output.startswith("error: ") and words in r.output, r.output


def test_a_database_without_a_register_says_how_to_create_one(tmp_path):
    db = tmp_path / "x.db"
    r = CliRunner().invoke(register, ["--db", str(db), "list"])
    assert r.exit_code == 2 and f"create it with: matcher register --db {db} init" in r.output


def test_import_reports_bad_rows_by_number(run, tmp_path):
    path = write_firms(tmp_path / "firms.csv", 3)
    path.write_text(path.read_text(encoding="utf-8").replace("Hamura", "Atlantis"), encoding="utf-8")
    r = run("import", str(path))
    assert r.exit_code == 0 and "2 added" in r.output and "1 errors" in r.output
    assert "skipped row 2 (line 3): municipality" in r.output


def test_alerts_after_importing_a_new_catalog_directory(run, tmp_path):
    import shutil

    from profiles import default_catalog_path

    run("import", str(EXAMPLES / "kita-register.csv"))
    run("catalog", "import")
    cat = tmp_path / "cat"
    shutil.copytree(default_catalog_path(), cat)
    kita = (cat / "kita.yaml").read_text(encoding="utf-8")
    (cat / "kita.yaml").write_text(kita.replace("max_amount_jpy: 200000", "max_amount_jpy: 300000", 1), encoding="utf-8")
    out = json.loads(run("alerts", "--catalog", str(cat), "--as-of", "2026-11-21", "--json").output)
    assert (out["catalog_version"], out["since_version"]) == (2, 1)
    changed = {f["firm_id"]: [a["detail"] for a in f["alerts"]] for f in out["firms"]}
    assert set(changed) == {"k01", "k02", "k03", "k04", "k05", "k06", "k07", "k08"}
    assert all(d == ["changed: benefit"] for d in changed.values())
    listed = run("catalog", "list").output.splitlines()
    assert len(listed) == 2
    run("outcome", "k01", "kita-trade-fair-subsidy", "declined")
    out = json.loads(run("alerts", "--as-of", "2026-11-21", "--json").output)
    assert "k01" not in {f["firm_id"] for f in out["firms"]}


def test_backup_is_a_register_with_every_row_and_never_overwrites(run, tmp_path):
    run("import", str(EXAMPLES / "kita-register.csv"))
    run("outcome", "k01", "kita-trade-fair-subsidy", "applied", "--date", "2026-11-01")
    out = tmp_path / "backup.db"
    r = run("backup", str(out))
    assert r.exit_code == 0 and "8 firms" in r.output
    copy = CliRunner().invoke(register, ["--db", str(out), "show", "k01", "--json"])
    assert json.loads(copy.output)["history"][0]["status"] == "applied"
    assert run("backup", str(out)).exit_code == 2
    restored = tmp_path / "restored.db"
    r = CliRunner().invoke(register, ["--db", str(restored), "--as", "aoki", "restore", str(out)])
    assert r.exit_code == 0, r.output
    again = CliRunner().invoke(register, ["--db", str(restored), "--as", "aoki", "outcome", "k02",
                                          "kita-trade-fair-subsidy", "contacted"])
    assert again.exit_code == 0, again.output  # the restored register takes new rows (its counters moved on)


def test_coordinators_get_keys_once(run):
    r = run("coordinator", "add", "suzuki")
    key = r.stdout.strip() if hasattr(r, "stdout") else r.output.splitlines()[0]
    assert key.startswith("shm_")
    rows = json.loads(run("coordinator", "list", "--json").output)
    assert {x["name"]: x["keys"] for x in rows} == {"aoki": 0, "suzuki": 1}
    assert "1 keys revoked" in run("coordinator", "revoke", key[:12]).output
