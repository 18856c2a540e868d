"""Batch runs on a real Dask cluster (worker processes on the loopback interface): the same
bytes as a local run, bad rows in the errors file, resume across backends, one-line errors."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from matcher.batch import run_batch
from matcher.cli import cli
from matcher.synth.firms import synth_firms
from tests.conftest import ROOT

DAY = "2026-11-21"
BROKEN = [
    '{"id": "atlantis", "municipality": "Atlantis", "prefecture": "Tokyo", "needs": ["trade_fair"]}',
    "this line is not JSON",
    '{"id": "negative", "municipality": "131172", "employees": -3}',
    '["a list, not a firm"]',
]


def synthetic_firms(tmp_path: Path, n: int = 300) -> Path:
    """``n`` survey-calibrated synthetic firms as JSON Lines, with the BROKEN rows at rows 3, 50, 51 and 52."""
    lines = [json.dumps(f, ensure_ascii=False) for f in synth_firms(n, "mixed", seed=7)]
    lines[2:2] = BROKEN[:1]
    lines[49:49] = BROKEN[1:]
    path = tmp_path / "firms.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def cluster():
    """Two worker processes of one thread each, on 127.0.0.1, without a dashboard."""
    distributed = pytest.importorskip("distributed")
    with warnings.catch_warnings():  # the scheduler's HTTP server takes any free port if 8787 is busy
        warnings.filterwarnings("ignore", message="Port .* is already in use")
        c = distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, host="127.0.0.1",
                                     dashboard_address=None)
    with c:
        yield c


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_a_dask_run_writes_the_same_bytes_as_a_local_run_and_bad_rows_still_go_to_the_errors_file(
        engine, cluster, tmp_path, suffix):
    src = synthetic_firms(tmp_path)
    local, remote = tmp_path / f"local.{suffix}", tmp_path / f"dask.{suffix}"
    a = run_batch(engine, src, local, as_of=DAY, chunk_size=64, possible=2, municipalities=2)
    b = run_batch(engine, src, remote, as_of=DAY, chunk_size=37, possible=2, municipalities=2, backend="dask",
                  scheduler=cluster.scheduler_address)
    assert remote.read_bytes() == local.read_bytes()
    errors = (tmp_path / f"dask.{suffix}.errors.jsonl").read_bytes()
    assert errors == (tmp_path / f"local.{suffix}.errors.jsonl").read_bytes()
    assert [(e["row"], e["field"]) for e in map(json.loads, errors.splitlines())] == [
        (3, "municipality"), (50, "-"), (51, "employees"), (52, "-")]
    assert (b.firms_read, b.firms_scored, b.errors, b.rows_written) == (304, 300, 4, a.rows_written)
    assert not (tmp_path / f"dask.{suffix}.parts").exists()


class Interrupt(Exception):
    pass


def test_an_interrupted_dask_run_resumes_to_the_bytes_of_a_local_run(engine, cluster, tmp_path):
    src = synthetic_firms(tmp_path)
    whole = tmp_path / "whole.parquet"
    run_batch(engine, src, whole, as_of=DAY, chunk_size=40)
    out = tmp_path / "cut.parquet"
    seen = []

    def stop_after_two_chunks(n):
        seen.append(n)
        if len(seen) == 2:
            raise Interrupt

    with pytest.raises(Interrupt):
        run_batch(engine, src, out, as_of=DAY, chunk_size=40, progress=stop_after_two_chunks, backend="dask",
                  scheduler=cluster.scheduler_address)
    assert not out.exists() and len(list((tmp_path / "cut.parquet.parts").glob("*.done"))) == 2
    summary = run_batch(engine, src, out, chunk_size=40, resume=True, backend="dask",
                        scheduler=cluster.scheduler_address)
    assert summary.resumed_chunks == 2
    assert out.read_bytes() == whole.read_bytes()


def test_a_connected_client_can_be_given_and_is_left_open_with_the_engine_gone_from_the_workers(
        engine, cluster, tmp_path):
    from distributed import Client

    with Client(cluster.scheduler_address) as client:
        run_batch(engine, synthetic_firms(tmp_path, 20), tmp_path / "o.csv", as_of=DAY, backend="dask",
                  scheduler=client)
        plugins = client.run(lambda dask_worker: sorted(dask_worker.plugins))
    assert len(plugins) == 2
    assert not [p for names in plugins.values() for p in names if p.startswith("shien-matcher-engine")]


def test_the_batch_command_starts_a_local_cluster_when_no_scheduler_is_given(tmp_path):
    pytest.importorskip("distributed")
    src = synthetic_firms(tmp_path, 60)
    out = tmp_path / "r.jsonl"
    result = CliRunner().invoke(cli, ["batch", str(src), "-o", str(out), "--as-of", DAY, "--backend", "dask",
                                      "--workers", "1", "--chunk-size", "25", "--no-progress"])
    assert result.exit_code == 0, result.output
    assert result.stderr.count("\n") == 1 and "64 firms read = 60 scored + 4 errors" in result.stderr
    assert len({json.loads(line)["firm_id"] for line in out.read_text(encoding="utf-8").splitlines()}) == 60


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_scheduler_is_one_line_naming_the_address_and_exit_2(tmp_path):
    dask = pytest.importorskip("dask")
    pytest.importorskip("distributed")
    address = f"tcp://127.0.0.1:{closed_port()}"
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        result = CliRunner().invoke(cli, ["batch", str(synthetic_firms(tmp_path, 5)), "-o", str(tmp_path / "o.csv"),
                                          "--backend", "dask", "--scheduler", address])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"error: cannot reach the Dask scheduler at {address}: ")
    assert not (tmp_path / "o.csv").exists()


def test_without_dask_the_dask_backend_is_refused_in_one_line_naming_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    monkeypatch.delitem(sys.modules, "matcher.batch.dask", raising=False)
    result = CliRunner().invoke(cli, ["batch", str(synthetic_firms(tmp_path, 5)), "-o", str(tmp_path / "o.csv"),
                                      "--backend", "dask"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "pip install 'shien-matcher[dask]'" in result.stderr


@pytest.mark.parametrize("args, message", [
    (["--scheduler", "tcp://127.0.0.1:8786"], "scheduler is for backend='dask', got backend='local'"),
    (["--workers", "2"], "workers is for backend='dask', got backend='local'"),
    (["--backend", "dask", "--jobs", "2"], "jobs is for backend='local' (processes)"),
    (["--backend", "dask", "--workers", "2", "--scheduler", "tcp://127.0.0.1:8786"],
     "workers sizes a local cluster, so give it without a scheduler address"),
    (["--backend", "dask", "--workers", "0"], "workers must be an integer >= 1, got 0"),
])
def test_options_that_do_not_fit_the_backend_are_one_line_and_exit_2(tmp_path, args, message):
    if "dask" in args:
        pytest.importorskip("distributed")
    result = CliRunner().invoke(cli, ["batch", str(synthetic_firms(tmp_path, 5)), "-o", str(tmp_path / "o.csv"),
                                      *args])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr


def test_importing_matcher_and_its_batch_command_does_not_import_dask():
    code = ("import sys, matcher, matcher.cli, matcher.batch; from matcher import MatchEngine; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_scheduler_without_workers_is_a_clear_error_not_a_wait_forever(engine, tmp_path):
    import distributed

    from matcher.batch.dask import DaskScorer
    from matcher.errors import MatcherError

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Port .* is already in use")
        empty = distributed.LocalCluster(n_workers=0, processes=True, host="127.0.0.1", dashboard_address=None)
    try:
        with pytest.raises(MatcherError, match=r"has no workers \(waited 0.5 s\): start some with `dask worker tcp://"):
            with DaskScorer(engine, scheduler=empty.scheduler_address, worker_wait=0.5):
                pass
    finally:
        empty.close()


def test_a_parquet_file_of_the_engines_fields_goes_to_the_workers_as_columns(engine, cluster, tmp_path):
    import pyarrow.parquet as pq

    from tests.profiles.firmtables import generated_table

    src = tmp_path / "firms.parquet"
    pq.write_table(generated_table(900, 15, 0.05), src)
    local, remote = tmp_path / "local.parquet", tmp_path / "dask.parquet"
    run_batch(engine, src, local, as_of=DAY, chunk_size=200, jobs=2)
    run_batch(engine, src, remote, as_of=DAY, chunk_size=200, backend="dask", scheduler=cluster.scheduler_address)
    assert remote.read_bytes() == local.read_bytes()
    assert (tmp_path / "dask.parquet.errors.jsonl").read_bytes() == (tmp_path / "local.parquet.errors.jsonl").read_bytes()


def planted_parquet(tmp_path: Path, n: int = 1000, row_group: int = 300) -> tuple[Path, list[int]]:
    """Generated firms (some values broken) in row groups of ``row_group`` rows, with an unknown
    municipality planted at rows that start and end row groups and chunks; returns the rows planted."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from tests.profiles.firmtables import generated_table

    table = generated_table(n, 15, 0.05)
    planted = [1, 50, 51, row_group, row_group + 1, n]
    munis = table.column("municipality").to_pylist()
    for r in planted:
        munis[r - 1] = "Atlantis"
    table = table.set_column(table.schema.get_field_index("municipality"), "municipality", pa.array(munis, pa.string()))
    src = tmp_path / "firms.parquet"
    pq.write_table(table, src, row_group_size=row_group)
    assert pq.ParquetFile(src).metadata.num_row_groups == -(-n // row_group)
    return src, planted


@pytest.fixture(scope="module")
def one_worker():
    distributed = pytest.importorskip("distributed")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Port .* is already in use")
        c = distributed.LocalCluster(n_workers=1, processes=True, threads_per_worker=1, host="127.0.0.1",
                                     dashboard_address=None)
    with c:
        yield c


@pytest.mark.parametrize("n_workers", [1, 2])
def test_workers_read_their_own_row_groups_and_write_their_own_parts_with_the_bytes_of_a_local_run(
        engine, cluster, one_worker, tmp_path, monkeypatch, n_workers):
    from matcher.batch.files import InputRows

    src, planted = planted_parquet(tmp_path)
    local = tmp_path / "local.parquet"
    run_batch(engine, src, local, as_of=DAY, chunk_size=50)
    expected = (tmp_path / "local.parquet.errors.jsonl").read_bytes()

    def client_reads(self, size):
        raise AssertionError("the client read the input")

    monkeypatch.setattr(InputRows, "chunks", client_reads)  # the client's own reading, not the workers'
    remote = tmp_path / "dask.parquet"
    address = (one_worker if n_workers == 1 else cluster).scheduler_address
    summary = run_batch(engine, src, remote, as_of=DAY, chunk_size=50, backend="dask", scheduler=address)
    assert remote.read_bytes() == local.read_bytes()
    errors = (tmp_path / "dask.parquet.errors.jsonl").read_bytes()
    assert errors == expected
    by_row = {e["row"]: e for e in map(json.loads, errors.splitlines())}
    assert set(planted) <= set(by_row) and all(by_row[r]["field"] == "municipality" for r in planted)
    assert (summary.firms_read, summary.firms_scored + summary.errors) == (1000, 1000)
    assert not (tmp_path / "dask.parquet.parts").exists()


@pytest.mark.parametrize("suffix", ["csv", "jsonl"])
def test_parts_written_by_workers_make_the_text_outputs_of_a_local_run_too(engine, cluster, tmp_path, suffix):
    src, _ = planted_parquet(tmp_path, 400, 128)
    local, remote = tmp_path / f"local.{suffix}", tmp_path / f"dask.{suffix}"
    run_batch(engine, src, local, as_of=DAY, chunk_size=60)
    run_batch(engine, src, remote, as_of=DAY, chunk_size=60, backend="dask", scheduler=cluster.scheduler_address)
    assert remote.read_bytes() == local.read_bytes()


def test_workers_that_do_not_see_the_files_leave_the_reading_to_the_client(engine, cluster, tmp_path, monkeypatch):
    from matcher.batch.dask import DaskScorer

    src, _ = planted_parquet(tmp_path, 400, 128)
    local, remote = tmp_path / "local.parquet", tmp_path / "dask.parquet"
    run_batch(engine, src, local, as_of=DAY, chunk_size=60)
    seen = []
    monkeypatch.setattr(DaskScorer, "score_spans", lambda *a, **k: seen.append(a) or iter(()))
    monkeypatch.setattr(DaskScorer, "shares_files", lambda self, src, parts: False)
    run_batch(engine, src, remote, as_of=DAY, chunk_size=60, backend="dask", scheduler=cluster.scheduler_address)
    assert remote.read_bytes() == local.read_bytes() and not seen


def test_an_interrupted_run_of_workers_writing_parts_resumes_locally_or_on_dask_to_the_same_bytes(
        engine, cluster, tmp_path):
    src, _ = planted_parquet(tmp_path, 1000, 300)
    whole = tmp_path / "whole.parquet"
    run_batch(engine, src, whole, as_of=DAY, chunk_size=50)
    for resume_on in ("local", "dask"):
        out = tmp_path / f"cut-{resume_on}.parquet"
        seen = []

        def stop(n):
            seen.append(n)
            if len(seen) == 3:
                raise Interrupt

        with pytest.raises(Interrupt):
            run_batch(engine, src, out, as_of=DAY, chunk_size=50, progress=stop, backend="dask",
                      scheduler=cluster.scheduler_address)
        assert not out.exists() and len(list(out.with_name(out.name + ".parts").glob("*.done"))) >= 2
        more = {"backend": "dask", "scheduler": cluster.scheduler_address} if resume_on == "dask" else {}
        summary = run_batch(engine, src, out, chunk_size=50, resume=True, **more)
        assert summary.resumed_chunks >= 2
        assert out.read_bytes() == whole.read_bytes()


@pytest.mark.parametrize("chunk_size, per_span", [(50, 1), (50, 3), (128, 2), (1000, 1), (7, 16)])
def test_a_span_reads_the_chunks_one_process_would_cut(tmp_path, chunk_size, per_span):
    from matcher.batch.files import iter_tables
    from matcher.batch.spans import parquet_rows, plan_spans, read_span

    src, _ = planted_parquet(tmp_path, 1000, 300)
    whole = list(iter_tables(src, chunk_size))
    rows, groups = parquet_rows(str(src))
    todo = [k for k in range(len(whole)) if k % 5 != 2]  # some done before a resume
    spans = plan_spans(str(src), chunk_size, todo, rows, groups, per_span)
    got = [(k, t) for s in spans for k, t in read_span(s)]
    assert [k for k, _ in got] == todo
    for k, t in got:
        assert t.first_row == whole[k].first_row and t.table.equals(whole[k].table)


def test_the_row_groups_of_a_large_output_are_encoded_by_the_workers_and_joined_to_the_same_bytes(
        engine, cluster, tmp_path):
    import pyarrow.parquet as pq

    src, _ = planted_parquet(tmp_path, 12000, 5000)
    local, remote = tmp_path / "local.parquet", tmp_path / "dask.parquet"
    run_batch(engine, src, local, as_of=DAY, chunk_size=1000, top=10)
    run_batch(engine, src, remote, as_of=DAY, chunk_size=1000, top=10, backend="dask",
              scheduler=cluster.scheduler_address)
    assert pq.ParquetFile(local).metadata.num_row_groups >= 2
    assert remote.read_bytes() == local.read_bytes()


def test_the_dask_setting_keeps_the_reading_on_the_client_with_the_same_bytes(engine, cluster, tmp_path, monkeypatch):
    import dask

    from matcher.batch.dask import DaskScorer

    src, _ = planted_parquet(tmp_path, 400, 128)
    local, remote = tmp_path / "local.parquet", tmp_path / "dask.parquet"
    run_batch(engine, src, local, as_of=DAY, chunk_size=60)
    monkeypatch.setattr(DaskScorer, "score_spans", lambda *a, **k: pytest.fail("the workers read the input"))
    with dask.config.set({"shien-matcher.files": "client"}):
        run_batch(engine, src, remote, as_of=DAY, chunk_size=60, backend="dask", scheduler=cluster.scheduler_address)
    assert remote.read_bytes() == local.read_bytes()


def test_workers_required_to_see_the_files_that_do_not_are_an_error_naming_them(engine, cluster, tmp_path, monkeypatch):
    from matcher.batch.dask import DaskScorer
    from matcher.errors import MatcherError

    src, _ = planted_parquet(tmp_path, 100, 50)
    with DaskScorer(engine, scheduler=cluster.scheduler_address, files="workers") as scorer:
        parts = tmp_path / "o.parquet.parts"
        parts.mkdir()
        (parts / "manifest.json").write_text("{}")
        assert scorer.shares_files(src, parts)
        other = tmp_path / "elsewhere"
        other.mkdir()
        (other / "manifest.json").write_text("{}")
        monkeypatch.setattr("matcher.batch.dask._tail_sha", lambda path, size: "not what the workers read")
        with pytest.raises(MatcherError, match=r"the Dask workers tcp://127\.0\.0\.1:\d+, tcp://.* do not see "):
            scorer.shares_files(src, other)
