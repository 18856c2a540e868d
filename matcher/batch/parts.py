"""The parts of a batch run on disk: where chunk ``k``'s part lives, and how it is committed.

A run's parts directory (``OUT.parts/``) holds its ``manifest.json``, and per chunk ``k``
a part (``chunk-000k.csv``, ``.jsonl`` or ``.arrow``), the part's errors
(``chunk-000k.<ext>.errors``) and, once both are written, a ``chunk-000k.done`` marker
with the SHA-256 of each, which :func:`matcher.batch.run.run_batch` checks on
``--resume``. Each file is written atomically (a temporary file and a rename), so a
reader sees a whole part or none.

Parts are committed by the process that runs the batch, or, on a Dask cluster whose
workers see the same files, by the worker that scored the chunk
(:func:`matcher.batch.chunk.score_span`): then ``manifest`` names the run's manifest
and its SHA-256, and a part is written only while that manifest is still the one in the
directory, so a worker that outlives an interrupted run never writes into a new run of
other parameters (two runs with the same manifest write the same bytes).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path

from matcher.atomic import atomic_file
from matcher.batch.files import part_format
from matcher.errors import MatcherError

__all__ = ["part_path", "commit_part", "file_sha256"]


def part_path(parts_dir: str | Path, k: int, fmt: str) -> Path:
    """Chunk ``k``'s part of a run with output format ``fmt``.

    >>> part_path("out.parquet.parts", 3, "parquet").name
    'chunk-000003.arrow'
    """
    return Path(parts_dir) / f"chunk-{k:06d}.{part_format(fmt)}"


def file_sha256(path: str | Path) -> str:
    """The SHA-256 of a file's bytes, read in blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 22):
            h.update(block)
    return h.hexdigest()


def _write(path: Path, data: bytes, suffix: str) -> None:
    with atomic_file(path, "wb", suffix=suffix, fsync=True) as fh:
        fh.write(data)


def _check_manifest(manifest: tuple[str, str]) -> None:
    path, digest = manifest
    try:
        now = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        now = None
    if now != digest:
        raise MatcherError(f"the batch run of {path} was replaced or removed: this part is no longer wanted")


def commit_part(parts_dir: str | Path, k: int, fmt: str, data: bytes, err: bytes, stats: tuple[int, int, int, int],
                manifest: tuple[str, str] | None = None) -> tuple[int, int, int, int]:
    """Write chunk ``k``'s part and its errors, then its ``.done`` marker, each atomically.

    ``manifest``: ``(path, sha256)`` of the run's manifest, for a writer other than the
    run's own process (a Dask worker): checked before each file, and each temporary file
    has a name of its own, so that two workers writing the same chunk (a task run again)
    do not collide. Returns ``stats``.
    """
    parts_dir = Path(parts_dir)
    part = part_path(parts_dir, k, fmt)
    suffix = f".{uuid.uuid4().hex[:12]}.tmp" if manifest is not None else ".tmp"
    firms, scored, n_errors, n_rows = stats
    marker = json.dumps({"firms": firms, "scored": scored, "errors": n_errors, "rows": n_rows,
                         "part_sha256": hashlib.sha256(data).hexdigest(),
                         "errors_sha256": hashlib.sha256(err).hexdigest()}).encode("utf-8")
    for path, content in ((part.with_name(part.name + ".errors"), err), (part, data),
                          (parts_dir / f"chunk-{k:06d}.done", marker)):
        if manifest is not None:
            _check_manifest(manifest)
        _write(path, content, suffix)
    return stats
