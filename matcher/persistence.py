"""Saving and loading fitted engines.

The file is a pickle (protocol 5) of a small header (format version, package version,
catalog hash) and the engine, zlib-compressed. Python's C unpickler reads it: joblib's
pure-Python one took 3x as long on the imported Tokyo catalog (1,720 programs), which
``matcher rank --catalog`` pays on every call after the first. A file written in another
format version fails with a message naming both. Engine files are pickles: **load only
files you trust**, as loading one can run code.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from importlib.metadata import PackageNotFoundError, version

import pickle
import zlib

from matcher._validation import check_is_fitted
from matcher.atomic import atomic_path
from matcher.errors import EngineFormatError

if TYPE_CHECKING:  # pragma: no cover - the engine calls these, they never import it at run time
    from matcher.engine import MatchEngine

__all__ = ["FORMAT_VERSION", "package_version", "save_engine", "load_engine", "read_payload", "write_payload"]

#: Bump when the fitted state changes shape; files of other versions are refused.
#: 2: the modules moved into subpackages (pickled class paths), ``explainer_`` and ``program_need_masks_``.
#: 3: a zlib-compressed pickle instead of a joblib file.
FORMAT_VERSION = 3
_MAGIC = "shien-matcher-engine"


def package_version() -> str:
    """The installed version of shien-matcher (``"unknown"`` when run from a source tree)."""
    try:
        return version("shien-matcher")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


def save_engine(engine: "MatchEngine", path: str | Path) -> Path:
    """Write ``engine`` (fitted) to ``path``; returns the path."""
    check_is_fitted(engine)
    path = Path(path)
    payload = {"magic": _MAGIC, "format_version": FORMAT_VERSION, "package_version": package_version(),
               "catalog_hash": engine.catalog_hash_, "engine": engine}
    return write_payload(payload, path)


def write_payload(payload: dict, path: str | Path) -> Path:
    """Write a header-and-engine ``payload`` as an engine file (atomically); returns the path."""
    path = Path(path)
    with atomic_path(path) as tmp:
        Path(tmp).write_bytes(zlib.compress(pickle.dumps(payload, protocol=5), 3))
    return path


def read_payload(path: str | Path) -> object:
    """What an engine file holds, unchecked (trusted files only)."""
    return pickle.loads(zlib.decompress(Path(path).read_bytes()))


def load_engine(path: str | Path) -> "MatchEngine":
    """Read an engine written by :func:`save_engine` (trusted files only)."""
    path = Path(path)
    if not path.exists():
        raise EngineFormatError(f"{path}: no such engine file")
    try:
        payload = read_payload(path)
    except Exception as exc:  # zlib and pickle raise many kinds for a file that is not their own
        raise EngineFormatError(f"{path}: not a saved engine ({type(exc).__name__}: {exc}); an engine file "
                                f"written before format version 3 (joblib) must be refit with `matcher fit`") from None
    if not isinstance(payload, dict) or payload.get("magic") != _MAGIC:
        raise EngineFormatError(f"{path}: not a saved shien-matcher engine")
    if payload.get("format_version") != FORMAT_VERSION:
        raise EngineFormatError(
            f"{path}: engine file format version {payload.get('format_version')!r} "
            f"(written by shien-matcher {payload.get('package_version', '?')}), but this version reads "
            f"format version {FORMAT_VERSION}: refit it with `matcher fit`")
    engine = payload.get("engine")
    if not (callable(getattr(engine, "rank", None)) and isinstance(getattr(engine, "catalog_hash_", None), str)):
        raise EngineFormatError(f"{path}: not a saved shien-matcher engine (the header is one, but it holds "
                                f"{type(engine).__name__}, not a fitted engine): refit it with `matcher fit`")
    if engine.catalog_hash_ != payload.get("catalog_hash"):
        raise EngineFormatError(f"{path}: the engine's catalog hash does not match its header")
    return engine
