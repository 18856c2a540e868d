"""Writing files atomically: through a temporary file beside the target and a rename.

A reader (or a resumed run) sees either the old file or the whole new one, never a
part: batch parts and their markers, the assembled output, saved engines and
synthetic data sets all go through :func:`atomic_path`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

__all__ = ["atomic_path", "atomic_file", "atomic_write_bytes"]


@contextmanager
def atomic_path(path: str | Path, suffix: str = ".tmp") -> Iterator[Path]:
    """A temporary path beside ``path``, renamed to ``path`` when the block ends without error.

    If the block raises, the temporary file is removed and ``path`` is left as it was.

    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("done")
    >>> target.read_text(), tmp.exists()
    ('done', False)
    """
    path = Path(path)
    tmp = path.with_name(path.name + suffix)
    try:
        yield tmp
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, path)


@contextmanager
def atomic_file(path: str | Path, mode: str = "wb", *, suffix: str = ".tmp", fsync: bool = False,
                **open_args) -> Iterator[IO]:
    """An open temporary file (see :func:`atomic_path`); with ``fsync``, flushed to disk before the rename."""
    with atomic_path(path, suffix) as tmp:
        with open(tmp, mode, **open_args) as fh:
            yield fh
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically, synced to disk."""
    with atomic_file(path, "wb", fsync=True) as fh:
        fh.write(data)
