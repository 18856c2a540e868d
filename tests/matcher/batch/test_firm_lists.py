"""Batch runs on firm lists as people keep them, and the reliability defects of issue 9 (D2-D4, D8, D9, D13, D15)."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from matcher.batch import run_batch
from matcher.cli import cli
from matcher.errors import MatcherError
from profiles.errors import InputError
from tests.conftest import EXAMPLES
from tests.profiles.registers import HEADER, ROWS, write_register, write_xlsx_register

DAY = "2026-11-21"
GOOD = (EXAMPLES / "kita-register.csv").read_text(encoding="utf-8")
HEADER_EN, *LINES = GOOD.splitlines()


def _csv_rows(path: Path, encoding: str = "utf-8") -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding=encoding))))


def run(*args: str):
    return CliRunner().invoke(cli, [*args])


def test_a_shift_jis_register_with_japanese_headers_is_scored_and_its_phone_column_travels_beside_the_firm(engine,
                                                                                                           tmp_path):
    src = write_register(tmp_path / "名簿.csv")
    out = tmp_path / "out.csv"
    s = run_batch(engine, src, out, as_of=DAY)
    assert s.firms_read == len(ROWS) == s.firms_scored + s.errors
    assert s.kept == ("電話番号", "担当者")
    assert "kept beside each firm: 電話番号, 担当者" in s.line()
    rows = _csv_rows(out)
    assert list(rows[0])[-2:] == ["電話番号", "担当者"]
    by_firm = {r["firm_name"]: r["電話番号"] for r in rows}
    assert by_firm["王子精密プレス株式会社"] == "03-3908-0000"


def test_an_error_row_keeps_its_original_cells_and_names_row_column_and_reason(engine, tmp_path):
    rows = [*ROWS, ["謎の会社", "東京都北区王子1-1-1", "たくさん", "5", "", "", "", "090", "木村"]]
    src = write_register(tmp_path / "名簿.csv", rows=rows)
    s = run_batch(engine, src, tmp_path / "out.csv", as_of=DAY)
    assert s.firms_read == len(rows) == s.firms_scored + s.errors and s.errors >= 1
    errors = [json.loads(x) for x in Path(s.errors_file).read_text(encoding="utf-8").splitlines()]
    bad = next(e for e in errors if e["row"] == len(rows))
    assert bad["column"] == "資本金" and bad["field"] == "capital_jpy" and bad["value"] == "たくさん"
    assert bad["cells"]["会社名"] == "謎の会社" and bad["cells"]["電話番号"] == "090"
    assert bad["line"] == len(rows) + 1


def test_an_xlsx_register_gives_an_xlsx_output_with_japanese_headers_and_status_words(engine, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    src = write_xlsx_register(tmp_path / "名簿.xlsx")
    out = tmp_path / "out.xlsx"
    s = run_batch(engine, src, out, as_of=DAY, lang="ja")
    assert s.firms_scored > 0
    ws = openpyxl.load_workbook(out).active
    header = [c.value for c in ws[1]]
    assert header[:3] == ["企業ID", "企業名", "行"] and "判定" in header and header[-2:] == ["電話番号", "担当者"]
    statuses = {ws.cell(row=i, column=header.index("判定") + 1).value for i in range(2, ws.max_row + 1)}
    assert statuses == {"対象"}
    assert ws.freeze_panes == "A2"
    assert {ws.cell(row=i, column=header.index("名称（日本語）") + 1).value for i in range(2, ws.max_row + 1)} - {None}


def test_excel_csv_starts_with_a_bom_and_a_plain_csv_does_not(engine, tmp_path):
    src = write_register(tmp_path / "名簿.csv")
    run_batch(engine, src, tmp_path / "a.csv", as_of=DAY, excel_csv=True)
    run_batch(engine, src, tmp_path / "b.csv", as_of=DAY)
    assert (tmp_path / "a.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert not (tmp_path / "b.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert (tmp_path / "a.csv").read_bytes()[3:] == (tmp_path / "b.csv").read_bytes()


def test_no_empty_errors_file_is_left_behind_and_an_old_one_is_removed(engine, tmp_path):
    src = write_register(tmp_path / "名簿.csv")
    out = tmp_path / "out.csv"
    stale = tmp_path / "out.csv.errors.jsonl"
    stale.write_text('{"row": 1}\n', encoding="utf-8")
    s = run_batch(engine, src, out, as_of=DAY, force=True)
    assert s.errors == 0 and s.errors_file == "" and not stale.exists()
    assert "no errors file" in s.line()


def test_an_existing_output_is_not_overwritten_without_force(engine, tmp_path):
    src = write_register(tmp_path / "名簿.csv")
    out = tmp_path / "out.csv"
    out.write_text("precious\n", encoding="utf-8")
    r = run("batch", str(src), "-o", str(out), "--as-of", DAY)
    assert r.exit_code == 2 and "--force" in r.stderr
    assert out.read_text(encoding="utf-8") == "precious\n"
    r = run("batch", str(src), "-o", str(out), "--as-of", DAY, "--force")
    assert r.exit_code == 0 and out.read_text(encoding="utf-8") != "precious\n"


def test_the_input_is_never_the_output_even_by_another_path_or_a_hard_link(engine, tmp_path):
    src = tmp_path / "firms.csv"
    src.write_text(GOOD, encoding="utf-8")
    before = src.read_bytes()
    for out in (src, tmp_path / "sub" / ".." / "firms.csv"):
        with pytest.raises(InputError, match="which this run reads"):
            run_batch(engine, src, out, as_of=DAY, force=True)
    link = tmp_path / "link.csv"
    os.link(src, link)
    with pytest.raises(InputError, match="which this run reads"):
        run_batch(engine, src, link, as_of=DAY, force=True)
    r = run("batch", str(src), "-o", str(src), "--force")
    assert r.exit_code == 2 and "which this run reads" in r.stderr
    assert src.read_bytes() == before


def test_the_engine_file_is_never_the_output(engine, tmp_path):
    saved = engine.save(tmp_path / "engine.joblib")
    before = Path(saved).read_bytes()
    src = tmp_path / "firms.csv"
    src.write_text(GOOD, encoding="utf-8")
    r = run("batch", str(src), "-o", str(tmp_path / "engine.joblib"), "--engine", str(saved), "--force")
    assert r.exit_code == 2 and Path(saved).read_bytes() == before


def test_a_run_where_nothing_was_scored_exits_non_zero(tmp_path):
    src = tmp_path / "firms.csv"
    src.write_text("id,municipality,employees\na,Atlantis,3\nb,Atlantis,-1\n", encoding="utf-8")
    r = run("batch", str(src), "-o", str(tmp_path / "out.csv"), "--as-of", DAY)
    assert r.exit_code == 1 and "2 firms read = 0 scored + 2 errors" in r.stderr


def test_an_unused_column_is_kept_not_an_error(engine, tmp_path):
    src = tmp_path / "firms.csv"
    src.write_text(HEADER_EN + ",phone\n" + "\n".join(line + ",03-1" for line in LINES) + "\n", encoding="utf-8")
    s = run_batch(engine, src, tmp_path / "out.csv", as_of=DAY)
    assert s.errors == 0 and s.firms_scored == len(LINES) and s.kept == ("phone",)


def test_a_stray_quote_is_never_silent_loss_every_row_is_scored_or_an_error(tmp_path):
    src = tmp_path / "firms.csv"
    src.write_text('id,municipality,prefecture,description\n1,Kita City,Tokyo,"unterminated\n'
                   "2,Kita City,Tokyo,ok\n3,Kita City,Tokyo,ok\n4,Kita City,Tokyo,ok\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    r = run("batch", str(src), "-o", str(out), "--as-of", DAY, "--json")
    s = json.loads(r.stdout)
    assert s["firms_read"] == 4 == s["firms_scored"] + s["errors"]
    assert s["errors"] >= 1
    scored_rows = {int(x["row"]) for x in _csv_rows(out)}
    error_rows = {json.loads(x)["row"] for x in Path(s["errors_file"]).read_text(encoding="utf-8").splitlines()}
    assert scored_rows | error_rows == {1, 2, 3, 4} and not scored_rows & error_rows


def test_an_over_long_cell_is_one_error_row_and_the_rest_of_the_batch_is_scored(engine, tmp_path):
    src = tmp_path / "firms.csv"
    long = "x" * 200_000
    src.write_text(f"id,municipality,prefecture,description\n1,Kita City,Tokyo,{long}\n2,Kita City,Tokyo,ok\n"
                   "3,Kita City,Tokyo,ok\n", encoding="utf-8")
    s = run_batch(engine, src, tmp_path / "out.csv", as_of=DAY)
    assert (s.firms_read, s.firms_scored, s.errors) == (3, 2, 1)
    error = json.loads(Path(s.errors_file).read_text(encoding="utf-8"))
    assert error["row"] == 1


def test_a_file_in_no_known_encoding_is_one_line_naming_the_file_and_the_encoding_option(tmp_path):
    src = tmp_path / "firms.csv"
    src.write_bytes(b"id,municipality\n1,\x85\x40\x85\x40\n")  # neither UTF-8 nor CP932
    r = run("batch", str(src), "-o", str(tmp_path / "out.csv"))
    assert r.exit_code == 2
    assert str(src) in r.stderr and "--encoding" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out.csv").exists()


class Stop(Exception):
    pass


def _interrupted(engine, src: Path, out: Path, after: int = 2) -> None:
    seen = []

    def progress(n):
        seen.append(n)
        if len(seen) >= after:
            raise Stop

    with pytest.raises(Stop):
        run_batch(engine, src, out, as_of=DAY, chunk_size=3, progress=progress)


def _register(tmp_path: Path, repeat: int = 4) -> Path:
    return write_register(tmp_path / "名簿.csv", rows=ROWS * repeat)


@pytest.mark.parametrize("suffix", ["csv", "xlsx", "jsonl", "parquet"])
def test_resume_and_jobs_give_the_same_bytes_for_every_input_format(engine, tmp_path, suffix):
    if suffix == "xlsx":
        pytest.importorskip("openpyxl")
        src = write_xlsx_register(tmp_path / "名簿.xlsx", rows=ROWS * 4)
    elif suffix == "csv":
        src = _register(tmp_path)
    else:
        pa = pytest.importorskip("pyarrow")
        recs = [{"id": f"k{i}", "municipality": "131172", "employees": 3 + i, "needs": "trade_fair", "phone": f"0{i}"}
                for i in range(12)]
        src = tmp_path / f"firms.{suffix}"
        if suffix == "jsonl":
            src.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
        else:
            import pyarrow.parquet as pq

            pq.write_table(pa.Table.from_pylist(recs), src)
    whole, part = tmp_path / "whole.csv", tmp_path / "part.csv"
    run_batch(engine, src, whole, as_of=DAY, chunk_size=3)
    _interrupted(engine, src, part)
    assert not part.exists()
    s = run_batch(engine, src, part, as_of=DAY, chunk_size=3, resume=True)
    assert s.resumed_chunks >= 1
    assert part.read_bytes() == whole.read_bytes()
    # and two worker processes write the same bytes as one
    jobs = tmp_path / "jobs.csv"
    run_batch(engine, src, jobs, as_of=DAY, chunk_size=3, jobs=2)
    assert jobs.read_bytes() == whole.read_bytes()


def test_resume_refuses_an_input_whose_content_changed_with_its_size_and_mtime_kept(engine, tmp_path):
    src = _register(tmp_path)
    out = tmp_path / "out.csv"
    _interrupted(engine, src, out)
    data = src.read_bytes()
    st = src.stat()
    src.write_bytes(data.replace("25名".encode("cp932"), "26名".encode("cp932"), 1))
    os.utime(src, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert src.stat().st_size == st.st_size
    with pytest.raises(MatcherError, match="the input's content changed"):
        run_batch(engine, src, out, as_of=DAY, chunk_size=3, resume=True)


def test_resume_refuses_a_truncated_part_naming_it_and_the_remedy(engine, tmp_path):
    src = _register(tmp_path)
    out = tmp_path / "out.csv"
    _interrupted(engine, src, out)
    part = tmp_path / "out.csv.parts" / "chunk-000000.csv"
    part.write_bytes(part.read_bytes()[:-20])
    with pytest.raises(MatcherError, match=r"chunk-000000.csv changed since it was written; delete .*chunk-000000.done"):
        run_batch(engine, src, out, as_of=DAY, chunk_size=3, resume=True)


def test_a_truncated_manifest_is_named_with_the_remedy(tmp_path, engine):
    src = _register(tmp_path)
    out = tmp_path / "out.csv"
    _interrupted(engine, src, out)
    manifest = tmp_path / "out.csv.parts" / "manifest.json"
    manifest.write_bytes(manifest.read_bytes()[:6])
    r = run("batch", str(src), "-o", str(out), "--as-of", DAY, "--chunk-size", "3", "--resume")
    assert r.exit_code == 2
    assert str(manifest) in r.stderr and "without --resume" in r.stderr


def test_kept_columns_named_like_output_columns_get_an_input_suffix(engine, tmp_path):
    src = tmp_path / "firms.csv"
    src.write_text(HEADER_EN + ",score\n" + "\n".join(line + ",A" for line in LINES) + "\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    run_batch(engine, src, out, as_of=DAY)
    rows = _csv_rows(out)
    assert rows[0]["score (input)"] == "A" and float(rows[0]["score"]) > 0


def test_japanese_header_register_sample_in_examples_reads_whole(engine, tmp_path):
    s = run_batch(engine, EXAMPLES / "register-kita-hamura.csv", tmp_path / "out.csv", as_of=DAY)
    assert s.errors == 0 and s.firms_scored == 12 and "電話番号" in s.kept
    assert HEADER[0] == "会社名"
