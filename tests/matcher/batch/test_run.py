"""Batch runs: every row accounted for, atomic output, resume, invariance to jobs and chunk size."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from matcher.batch import run_batch
from matcher.batch.files import iter_input
from matcher.cli import cli
from tests.conftest import EXAMPLES

DAY = "2026-11-21"
GOOD = (EXAMPLES / "kita-register.csv").read_text(encoding="utf-8")
HEADER, *LINES = GOOD.splitlines()
BROKEN = [
    "b1,Atlantis Works,Tokyo,Atlantis,E24,10,,,trade_fair,no such municipality,",
    "b2,Negative Co,Tokyo,Kita,E24,-3,,,trade_fair,negative headcount,",
    "b3,Bad Date Co,Tokyo,Kita,E24,3,,32/13/2026,trade_fair,bad date,",
    "b4,Odd Need Co,Tokyo,Kita,E24,3,,,trade_fare,unknown need,",
]


def firms_file(tmp_path: Path, repeat: int = 3) -> Path:
    lines = []
    for k in range(repeat):
        lines += [line.replace(",", f"-{k},", 1) for line in LINES]
    lines[2:2] = BROKEN
    path = tmp_path / "firms.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def test_broken_rows_go_to_the_errors_file_with_row_field_and_reason_and_every_other_row_is_scored(engine, tmp_path):
    src = firms_file(tmp_path)
    out = tmp_path / "out.csv"
    s = run_batch(engine, src, out, as_of=DAY, chunk_size=5)
    assert s.firms_read == 3 * len(LINES) + len(BROKEN) == s.firms_scored + s.errors
    errors = [json.loads(x) for x in (tmp_path / "out.csv.errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(e["row"], e["field"]) for e in errors] == [(3, "municipality"), (4, "employees"), (5, "founded"),
                                                      (6, "needs")]
    assert "trade_fair" in errors[3]["reason"]
    firms_out = {line.split(",")[0] for line in out.read_text(encoding="utf-8").splitlines()[1:]}
    assert len(firms_out) == s.firms_scored
    assert not (tmp_path / "out.csv.parts").exists()


@pytest.mark.parametrize("suffix", ["csv", "jsonl", "parquet"])
def test_results_are_identical_whatever_jobs_or_chunk_size(engine, tmp_path, suffix):
    if suffix == "parquet":
        pytest.importorskip("pyarrow")
    src = firms_file(tmp_path)
    a, b = tmp_path / f"a.{suffix}", tmp_path / f"b.{suffix}"
    run_batch(engine, src, a, as_of=DAY, chunk_size=3, jobs=1, possible=2)
    run_batch(engine, src, b, as_of=DAY, chunk_size=7, jobs=2, possible=2)
    assert a.read_bytes() == b.read_bytes()
    assert (tmp_path / f"a.{suffix}.errors.jsonl").read_bytes() == (tmp_path / f"b.{suffix}.errors.jsonl").read_bytes()


def test_scoring_in_small_blocks_of_pairs_changes_nothing(engine, tmp_path, monkeypatch):
    import matcher.engine

    src = firms_file(tmp_path, repeat=30)
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    run_batch(engine, src, a, as_of=DAY, chunk_size=500, possible=2, municipalities=2)
    monkeypatch.setattr(matcher.engine, "SCORE_CELLS", 1)  # blocks of 64 firms
    run_batch(engine, src, b, as_of=DAY, chunk_size=500, possible=2, municipalities=2)
    assert a.read_bytes() == b.read_bytes()


class Interrupt(Exception):
    pass


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_an_interrupted_run_resumes_to_the_same_bytes(engine, tmp_path, suffix):
    if suffix == "parquet":
        pytest.importorskip("pyarrow")
    src = firms_file(tmp_path, repeat=4)
    whole = tmp_path / f"whole.{suffix}"
    run_batch(engine, src, whole, as_of=DAY, chunk_size=4)

    out = tmp_path / f"cut.{suffix}"
    seen = []

    def stop_after_three_chunks(n):
        seen.append(n)
        if len(seen) == 3:
            raise Interrupt

    with pytest.raises(Interrupt):
        run_batch(engine, src, out, as_of=DAY, chunk_size=4, progress=stop_after_three_chunks)
    assert not out.exists()  # nothing half-written where the output goes
    parts = tmp_path / f"cut.{suffix}.parts"
    assert len(list(parts.glob("*.done"))) == 3
    (parts / f"chunk-000003.{suffix}.tmp").write_bytes(b"torn write of a killed process")
    summary = run_batch(engine, src, out, chunk_size=4, resume=True)
    assert summary.resumed_chunks == 3
    assert out.read_bytes() == whole.read_bytes()
    assert summary.firms_read == summary.firms_scored + summary.errors


def test_resume_refuses_a_changed_job(engine, tmp_path):
    src = firms_file(tmp_path)
    out = tmp_path / "out.csv"

    def stop(n):
        raise Interrupt

    with pytest.raises(Interrupt):
        run_batch(engine, src, out, as_of=DAY, chunk_size=4, progress=stop)
    with pytest.raises(Exception, match="top changed"):
        run_batch(engine, src, out, as_of=DAY, chunk_size=4, top=3, resume=True)


def test_the_batch_command_prints_a_one_line_summary(tmp_path):
    src = firms_file(tmp_path)
    result = CliRunner().invoke(cli, ["batch", str(src), "-o", str(tmp_path / "r.jsonl"), "--as-of", DAY,
                                      "--municipalities", "2", "--no-progress"])
    assert result.exit_code == 0, result.output
    line = result.stderr.strip()
    assert "\n" not in line and "28 firms read = 24 scored + 4 errors" in line and "pairs/s" in line
    rows = [json.loads(x) for x in (tmp_path / "r.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {r["type"] for r in rows} == {"program", "municipality"}
    assert all(r["status"] == "eligible" for r in rows if r["type"] == "program")


def test_a_missing_input_is_one_line_and_exit_2(tmp_path):
    result = CliRunner().invoke(cli, ["batch", str(tmp_path / "none.csv"), "-o", str(tmp_path / "o.csv")])
    assert result.exit_code == 2 and "no such file" in result.stderr


def test_worker_processes_start_only_when_there_is_more_than_one_chunk(engine, tmp_path):
    from matcher.batch.local import ProcessScorer

    src = firms_file(tmp_path)
    records = list(iter_input(src))
    with ProcessScorer(engine, 2) as scorer:
        one = list(scorer.score([(0, records)], dt.date.fromisoformat(DAY), 5, 0, 0, "csv"))
        assert scorer.pool is None  # one chunk: scored here
        two = list(scorer.score([(0, records[:3]), (1, records[3:])], dt.date.fromisoformat(DAY), 5, 0, 0, "csv"))
        assert scorer.pool is not None
    assert one[0][3][0] == sum(stats[0] for _, _, _, stats in two) == len(records)
    assert sorted(k for k, *_ in two) == [0, 1]


def test_worker_processes_give_the_same_bytes_on_the_fused_path(engine, tmp_path):
    src = firms_file(tmp_path, repeat=5)
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    run_batch(engine, src, a, as_of=DAY, chunk_size=4, jobs=1)
    run_batch(engine, src, b, as_of=DAY, chunk_size=4, jobs=2)
    assert a.read_bytes() == b.read_bytes() and len(a.read_bytes()) > 0


def test_a_jsonl_row_that_gives_a_field_twice_goes_to_the_errors_file(engine, tmp_path):
    src = tmp_path / "firms.jsonl"
    src.write_text('{"id": "ok", "municipality": "131172", "employees": 5}\n'
                   '{"id": "twice", "municipality": "131172", "employees": 5, "employees": 5000}\n', encoding="utf-8")
    s = run_batch(engine, src, tmp_path / "out.csv", as_of=DAY)
    assert (s.firms_read, s.firms_scored, s.errors) == (2, 1, 1)
    error = json.loads((tmp_path / "out.csv.errors.jsonl").read_text(encoding="utf-8"))
    assert error["row"] == 2 and "duplicate key 'employees'" in error["reason"]
