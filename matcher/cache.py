"""Fitted engines remembered by what they were fitted on, so a big catalog is fitted once.

``matcher rank --catalog DIR`` would otherwise refit the engine on every call (seconds for
the 1,720 programs of the Tokyo list). :func:`fitted_engine` keys a fitted engine by the
bytes of the catalog's files, the engine's parameters, the package's version and the
hashes of the data it reads (glossary, stop words, audiences, scoring tables) and the
tokenizer dictionary's version; a changed file, parameter or dictionary is a new key. The
engines live in the user's cache directory (``platformdirs``; ``MATCHER_CACHE_DIR``
overrides it, ``MATCHER_CACHE=off`` turns caching off). A damaged cache entry is refitted
and rewritten, never an error.

>>> import tempfile, os
>>> os.environ["MATCHER_CACHE_DIR"] = tempfile.mkdtemp()
>>> from profiles import default_catalog_path
>>> e1 = fitted_engine(default_catalog_path()); e2 = fitted_engine(default_catalog_path())
>>> e1.catalog_hash_ == e2.catalog_hash_ and e2.n_programs_ == 75
True
>>> del os.environ["MATCHER_CACHE_DIR"]
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path
from typing import Any, Callable

from profiles import Catalog
from matcher.engine import MatchEngine
from matcher.errors import EngineFormatError
from matcher.persistence import FORMAT_VERSION

__all__ = ["fitted_engine", "fitted_catalog_engine", "cache_dir", "engine_key"]

_SUFFIXES = (".yaml", ".yml", ".json")


def cache_dir() -> Path | None:
    """Where fitted engines are kept (``None`` when caching is off)."""
    if os.environ.get("MATCHER_CACHE", "").lower() in ("off", "0", "no", "false"):
        return None
    env = os.environ.get("MATCHER_CACHE_DIR")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("shien-matcher")) / "engines"


@lru_cache(maxsize=1)
def _data_hash() -> str:
    """The package data the engine reads, and the tokenizer dictionary's version."""
    h = hashlib.sha256()
    for pkg in ("profiles", "rules", "matcher"):
        root = resources.files(pkg) / "data"
        for path in sorted(Path(str(root)).glob("*")):
            if path.is_file():
                h.update(path.name.encode())
                h.update(path.read_bytes())
    for dist in ("shien-matcher", "sudachidict-core", "sudachipy", "jamdict-data"):
        try:
            h.update(f"{dist}={metadata.version(dist)}".encode())
        except metadata.PackageNotFoundError:
            h.update(dist.encode())
    return h.hexdigest()


def engine_key(catalog: str | Path, params: dict[str, Any]) -> str:
    """The cache key of an engine with ``params`` fitted on the catalog at ``catalog``."""
    path = Path(catalog)
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.suffix in _SUFFIXES and p.is_file())
    h = hashlib.sha256()
    h.update(f"format={FORMAT_VERSION};data={_data_hash()};".encode())
    h.update(json.dumps(params, sort_keys=True, default=repr).encode())
    for p in files:
        h.update(str(p.relative_to(path) if p != path else p.name).encode())
        h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()[:32]


def fitted_engine(catalog: str | Path, **params: Any) -> MatchEngine:
    """A :class:`MatchEngine` with ``params`` fitted on the catalog directory ``catalog``,
    from the cache when it was fitted on the same bytes before."""
    if cache_dir() is None:
        return MatchEngine(**params).fit(catalog)
    return _cached(engine_key(catalog, params), catalog, params)


def fitted_catalog_engine(catalog: Catalog | Callable[[], Catalog], catalog_hash: str | None = None,
                          **params: Any) -> MatchEngine:
    """A :class:`MatchEngine` with ``params`` fitted on a :class:`~profiles.Catalog` (one the
    register rebuilt from its rows, say), cached by the catalog's content hash.

    ``catalog`` may also be a function that returns the catalog, with ``catalog_hash`` its
    :attr:`~profiles.Catalog.hash`: it is called only when the engine must be fitted (a
    register knows each version's hash without rebuilding its programs).

    >>> import tempfile, os
    >>> os.environ["MATCHER_CACHE_DIR"] = tempfile.mkdtemp()
    >>> from profiles import load_catalog
    >>> cat = load_catalog()
    >>> fitted_catalog_engine(cat).catalog_hash_ == fitted_catalog_engine(cat).catalog_hash_ == cat.hash
    True
    >>> fitted_catalog_engine(lambda: 1 / 0, catalog_hash=cat.hash).catalog_hash_ == cat.hash  # from the cache
    True
    >>> del os.environ["MATCHER_CACHE_DIR"]
    """
    if callable(catalog):
        if catalog_hash is None:
            raise TypeError("catalog_hash is needed with a function that returns the catalog")
        load = catalog
    else:
        catalog_hash = catalog.hash
        load = lambda: catalog  # noqa: E731
    if cache_dir() is None:
        return MatchEngine(**params).fit(load())
    h = hashlib.sha256(f"format={FORMAT_VERSION};data={_data_hash()};catalog={catalog_hash};".encode())
    h.update(json.dumps(params, sort_keys=True, default=repr).encode())
    return _cached("c" + h.hexdigest()[:31], load, params, expect_hash=catalog_hash)


def _cached(key: str, catalog: Catalog | str | Path | Callable[[], Catalog], params: dict[str, Any],
            expect_hash: str | None = None) -> MatchEngine:
    where = cache_dir()
    file = where / f"{key}.pkl"
    if file.is_file():
        try:
            engine = MatchEngine.load(file)
            if expect_hash is None or engine.catalog_hash_ == expect_hash:
                return engine
        except (EngineFormatError, OSError, EOFError):
            pass  # a damaged or outdated entry: fit again and replace it
    engine = MatchEngine(**params).fit(catalog() if callable(catalog) else catalog)
    try:
        where.mkdir(parents=True, exist_ok=True)
        engine.save(file)
    except OSError:
        pass  # a read-only cache never stops a ranking
    return engine
