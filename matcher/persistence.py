"""Saving and loading fitted engines.

The file is a pickle (protocol 5) of a small header (format version, package version,
catalog hash) and the engine, zlib-compressed. Python's C unpickler reads it: joblib's
pure-Python one took 3x as long on the imported Tokyo catalog (1,720 programs), which
``matcher rank --catalog`` pays on every call after the first. A file written in another
format version fails with a message naming both. Engine files are pickles: **load only
files you trust**, as loading one can run code.

The catalog's programs are most of what an engine holds (for the Tokyo list, 1,720
pydantic objects with some 25,000 nested ones), and a ranking shows a few of them. So the
file keeps each program as its own small pickle, and a loaded engine's ``programs_`` is a
:class:`LazyPrograms`: a sequence that unpickles a program the first time it is asked
for (the reasons of the top results, ``matcher show``), so loading does not build them
all. Everything else the engine needs per firm is arrays built at fit.
"""

from __future__ import annotations

import gc
import io
import pickle
import threading
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matcher._validation import check_is_fitted
from matcher.atomic import atomic_path
from matcher.errors import EngineFormatError

if TYPE_CHECKING:  # pragma: no cover - the engine calls these, they never import it at run time
    from matcher.engine import MatchEngine
    from profiles.models import SupportProgram

__all__ = ["FORMAT_VERSION", "LazyPrograms", "package_version", "save_engine", "load_engine", "read_payload",
           "write_payload"]

#: Bump when the fitted state changes shape; files of other versions are refused.
#: 2: the modules moved into subpackages (pickled class paths), ``explainer_`` and ``program_need_masks_``.
#: 3: a zlib-compressed pickle instead of a joblib file.
#: 4: the programs as one pickle each (:class:`LazyPrograms`); the estimators no longer scikit-learn's classes.
FORMAT_VERSION = 4
_MAGIC = "shien-matcher-engine"
_PROGRAMS = "programs"  # the persistent id's tag


class LazyPrograms(Sequence):
    """A catalog's programs as a loaded engine holds them: each unpickled on first use.

    A read-only sequence, equal to the tuple of the same programs; indexing, iterating,
    ``len`` and ``in`` work as on the tuple (iterating builds every program).

    >>> from profiles import load_catalog
    >>> programs = load_catalog().programs
    >>> lazy = LazyPrograms.of(programs)
    >>> len(lazy) == len(programs) and lazy[0] == programs[0] and lazy[-1].id == programs[-1].id
    True
    >>> lazy.built, lazy == programs, lazy.built == len(programs)
    (2, True, True)
    """

    __slots__ = ("_blobs", "_items", "_lock")

    def __init__(self, blobs: Sequence[bytes]):
        self._blobs = tuple(blobs)
        self._items: list[Any] = [None] * len(self._blobs)
        self._lock = threading.Lock()

    @classmethod
    def of(cls, programs: Sequence["SupportProgram"]) -> "LazyPrograms":
        """The lazy form of ``programs`` (one pickle each)."""
        return cls([pickle.dumps(p, protocol=5) for p in programs])

    def __len__(self) -> int:
        return len(self._blobs)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return tuple(self[k] for k in range(*index.indices(len(self))))
        item = self._items[index]
        if item is None:
            with self._lock:  # two threads asking at once get the same object
                item = self._items[index]
                if item is None:
                    item = self._items[index] = pickle.loads(self._blobs[index])
        return item

    def __iter__(self) -> Iterator["SupportProgram"]:
        for k in range(len(self._blobs)):
            yield self[k]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (LazyPrograms, tuple, list)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"LazyPrograms({len(self)} programs, {self.built} built)"

    @property
    def built(self) -> int:
        """How many programs have been unpickled so far."""
        return sum(item is not None for item in self._items)

    def __reduce__(self):
        return (LazyPrograms, (self._blobs,))


class _EnginePickler(pickle.Pickler):
    """Writes the engine's programs tuple, wherever the engine refers to it, as one list of per-program pickles."""

    def __init__(self, file, programs: tuple | None):
        super().__init__(file, protocol=5)
        self._programs = programs
        self._pid = None

    def persistent_id(self, obj):
        if self._programs is not None and obj is self._programs:
            if self._pid is None:  # one object: the pickler's memo writes it once, then refers to it
                self._pid = (_PROGRAMS, [pickle.dumps(p, protocol=5) for p in obj])
            return self._pid
        return None


class _EngineUnpickler(pickle.Unpickler):
    def __init__(self, file):
        super().__init__(file)
        self._loaded: dict[int, LazyPrograms] = {}

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) == 2 and pid[0] == _PROGRAMS):
            raise pickle.UnpicklingError(f"unknown persistent id {pid!r:.40}")
        lazy = self._loaded.get(id(pid))
        if lazy is None:  # every reference to the programs gets the same sequence
            lazy = self._loaded[id(pid)] = LazyPrograms(pid[1])
        return lazy


def package_version() -> str:
    """The installed version of shien-matcher (``"unknown"`` when run from a source tree)."""
    from importlib.metadata import PackageNotFoundError, version

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
    programs = getattr(payload.get("engine"), "programs_", None) if isinstance(payload, dict) else None
    buf = io.BytesIO()
    _EnginePickler(buf, programs if isinstance(programs, tuple) else None).dump(payload)
    with atomic_path(path) as tmp:
        Path(tmp).write_bytes(zlib.compress(buf.getvalue(), 3))
    return path


def read_payload(path: str | Path) -> object:
    """What an engine file holds, unchecked (trusted files only).

    The cyclic garbage collector is paused while the objects are built: unpickling
    creates hundreds of thousands of objects and none of them is garbage, but each
    allocation counts towards a collection, which walks every object already built
    (for the imported Tokyo list, 0.44 s with the collector, 0.07 s without).
    """
    blob = zlib.decompress(Path(path).read_bytes())
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _EngineUnpickler(io.BytesIO(blob)).load()
    finally:
        if was_enabled:
            gc.enable()


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
