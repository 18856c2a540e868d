"""Saving and loading fitted engines with joblib.

The file holds a small header (format version, package version, catalog hash) and the
engine. A file written in another format version fails with a message naming both.
joblib files are pickles: **load only files you trust**, as loading one can run code.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import joblib

from matcher.errors import EngineFormatError

if TYPE_CHECKING:  # pragma: no cover
    from matcher.engine import MatchEngine

__all__ = ["FORMAT_VERSION", "save_engine", "load_engine"]

#: Bump when the fitted state changes shape; files of other versions are refused.
FORMAT_VERSION = 1
_MAGIC = "shien-matcher-engine"


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("shien-matcher")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


def save_engine(engine: "MatchEngine", path: str | Path) -> Path:
    """Write ``engine`` (fitted) to ``path``; returns the path."""
    engine._check_fitted()
    path = Path(path)
    payload = {"magic": _MAGIC, "format_version": FORMAT_VERSION, "package_version": _package_version(),
               "catalog_hash": engine.catalog_hash_, "engine": engine}
    tmp = path.with_name(path.name + ".tmp")
    joblib.dump(payload, tmp, compress=3)
    tmp.replace(path)
    return path


def load_engine(path: str | Path) -> "MatchEngine":
    """Read an engine written by :func:`save_engine` (trusted files only)."""
    path = Path(path)
    if not path.exists():
        raise EngineFormatError(f"{path}: no such engine file")
    try:
        payload = joblib.load(path)
    except Exception as exc:  # joblib raises many kinds for a file that is not its own
        raise EngineFormatError(f"{path}: not a saved engine ({type(exc).__name__}: {exc})") from None
    if not isinstance(payload, dict) or payload.get("magic") != _MAGIC:
        raise EngineFormatError(f"{path}: not a saved shien-matcher engine")
    if payload.get("format_version") != FORMAT_VERSION:
        raise EngineFormatError(
            f"{path}: engine file format version {payload.get('format_version')!r} "
            f"(written by shien-matcher {payload.get('package_version', '?')}), but this version reads "
            f"format version {FORMAT_VERSION}: refit it with `matcher fit`")
    engine = payload["engine"]
    if engine.catalog_hash_ != payload.get("catalog_hash"):
        raise EngineFormatError(f"{path}: the engine's catalog hash does not match its header")
    return engine
