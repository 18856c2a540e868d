"""A batch run killed with SIGKILL (kill -9) in a real process resumes to the bytes of an uninterrupted run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from matcher.batch import run_batch
from matcher.cli import cli
from matcher.synth import write_firms
from tests.conftest import ROOT

DAY = "2026-11-21"
CHUNK = 50


def wait_until(condition, timeout: float = 120.0, every: float = 0.005) -> None:
    """Poll ``condition`` until it holds; fail after ``timeout`` seconds (a bound, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"condition still false after {timeout} s")
        time.sleep(every)


def start_batch(src: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "matcher", "batch", str(src), "-o", str(out), "--as-of", DAY,
                             "--chunk-size", str(CHUNK), "--no-progress"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def kill_after_the_first_part(tmp_path: Path) -> tuple[Path, Path, int]:
    """Start ``python -m matcher batch`` and kill -9 it once a part is done but before the run completes.

    A fast machine could finish before the kill lands; the input then grows fourfold
    and the run starts again, so that the kill always falls in the middle of a run.
    """
    for n in (6_000, 24_000, 96_000):
        src, out = tmp_path / f"firms-{n}.csv", tmp_path / f"ranked-{n}.parquet"
        write_firms(str(src), n, "mixed", seed=11)
        parts = tmp_path / f"{out.name}.parts"
        proc = start_batch(src, out)
        try:
            wait_until(lambda: proc.poll() is not None or any(parts.glob("chunk-*.done")))
            os.kill(proc.pid, signal.SIGKILL)
        except ProcessLookupError:  # it had already finished
            pass
        finally:
            _, stderr = proc.communicate()
        chunks = -(-n // CHUNK)
        if proc.returncode == -signal.SIGKILL and len(list(parts.glob("chunk-*.done"))) < chunks:
            return src, out, n
        assert proc.returncode in (0, -signal.SIGKILL), stderr.decode()
    pytest.fail("every run finished before it could be killed")


def test_a_run_killed_with_sigkill_resumes_to_the_bytes_of_an_uninterrupted_run(engine, tmp_path):
    src, out, n = kill_after_the_first_part(tmp_path)
    parts = tmp_path / f"{out.name}.parts"
    done = len(list(parts.glob("chunk-*.done")))
    assert 1 <= done < -(-n // CHUNK) and not out.exists()  # killed in the middle, nothing where the output goes

    result = CliRunner().invoke(cli, ["batch", str(src), "-o", str(out), "--chunk-size", str(CHUNK), "--resume",
                                      "--json", "--no-progress"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["resumed_chunks"] == done  # the parts written before the kill were kept, not redone
    assert summary["firms_read"] == summary["firms_scored"] + summary["errors"] == n

    whole = tmp_path / "whole.parquet"
    run_batch(engine, src, whole, as_of=DAY, chunk_size=CHUNK)
    assert out.read_bytes() == whole.read_bytes()
    assert not parts.exists()
