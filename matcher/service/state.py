"""The engine a service answers with, swapped atomically on reload.

A request reads :attr:`EngineSlot.current` once and uses that snapshot to the end, so
a reload never changes the engine under a request in flight: the new engine is built
in a worker thread, off the event loop, and put in place by one attribute assignment.
A catalog that fails validation raises and leaves the old engine serving.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool

from matcher.persistence import package_version

if TYPE_CHECKING:  # pragma: no cover
    from matcher.engine import MatchEngine

__all__ = ["Loaded", "EngineSlot", "build_engine", "package_version"]


def build_engine(catalog: Path | None = None, engine_file: Path | None = None,
                 weights_file: Path | None = None) -> "MatchEngine":
    """Fit an engine on ``catalog`` (``None``: the built-in one), or load ``engine_file``;
    with ``weights_file`` (a weights file such as ``matcher register learn`` writes), score
    with its weights.

    Raises
    ------
    profiles.errors.CatalogError
        The catalog is invalid; every problem is listed.
    matcher.errors.EngineFormatError
        The engine file is missing or not a saved engine.
    matcher.weights.WeightsFileError
        The weights file cannot be read or is not a weights file.
    """
    from matcher.engine import MatchEngine
    from matcher.weights import load_weights

    params = {"weights": load_weights(weights_file).as_dict()} if weights_file is not None else {}
    if engine_file is not None:
        return MatchEngine.load(engine_file).set_params(**params)
    return MatchEngine(**params).fit(catalog)


@dataclass(frozen=True)
class Loaded:
    """An engine and where and when it came from."""

    engine: "MatchEngine"
    source: str
    loaded_at: dt.datetime
    generation: int

    def facts(self) -> dict:
        """What ``GET /readyz`` reports."""
        e = self.engine
        return {"status": "ready", "version": package_version(), "catalog_hash": e.catalog_hash_,
                "programs": e.n_programs_, "municipalities": len(e.catalog_.municipalities), "source": self.source,
                "loaded_at": self.loaded_at.isoformat(), "generation": self.generation,
                "weights": e.weights_.as_dict()}


@dataclass
class EngineSlot:
    """Holds the current :class:`Loaded` engine; :meth:`reload` replaces it.

    Parameters
    ----------
    catalog, engine_file : Path, optional
        Where engines come from, at start and at each reload.
    weights_file : Path, optional
        The score weights of every engine built (see :func:`build_engine`).
    """

    catalog: Path | None = None
    engine_file: Path | None = None
    weights_file: Path | None = None
    current: Loaded | None = None
    #: Whether the process's heap is settled around the engine (:func:`~matcher.service.memory.settle_heap`):
    #: a serving process's, set by :func:`~matcher.service.app.create_app`; reloads settle it again.
    settled: bool = False
    _lock: asyncio.Lock | None = field(default=None, repr=False)
    _tasks: set = field(default_factory=set, repr=False)

    @property
    def source(self) -> str:
        if self.engine_file is not None:
            return str(self.engine_file)
        return str(self.catalog) if self.catalog is not None else "built-in catalog"

    def put(self, engine: "MatchEngine") -> Loaded:
        """Serve ``engine`` from now on (one reference assignment)."""
        generation = self.current.generation + 1 if self.current is not None else 1
        loaded = Loaded(engine=engine, source=self.source, loaded_at=dt.datetime.now(dt.timezone.utc),
                        generation=generation)
        self.current = loaded
        return loaded

    def load(self) -> Loaded:
        """Build the engine synchronously and serve it (at start)."""
        return self.put(build_engine(self.catalog, self.engine_file, self.weights_file))

    async def reload(self) -> tuple[Loaded, Loaded | None, float]:
        """Build a new engine in a worker thread and swap it in.

        Reloads are serialized. Returns the new engine, the one it replaced, and the
        seconds taken to build it. On failure the old engine keeps serving and the
        error (a :class:`~profiles.errors.CatalogError` for a broken catalog) is raised.
        """
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            old = self.current
            start = time.perf_counter()
            engine = await run_in_threadpool(build_engine, self.catalog, self.engine_file, self.weights_file)
            seconds = time.perf_counter() - start
            new = self.put(engine)
            if self.settled and old is not None:
                self._settle_after(old.engine, engine)
            return new, old, seconds

    async def settling(self) -> None:
        """Wait until the heap is settled again after a reload (at once when it is not being settled)."""
        if self._tasks:
            await asyncio.gather(*list(self._tasks))

    def _settle_after(self, old: "MatchEngine", engine: "MatchEngine") -> None:
        """Unfreeze the heap now, so that the old engine can be collected, and settle it again around
        the new one once the old one is gone (requests in flight may still hold it; given up after a minute)."""
        from matcher.service.memory import settle_heap, unsettle_heap

        unsettle_heap()
        gone = weakref.ref(old)
        del old

        async def settle() -> None:
            await run_in_threadpool(settle_heap, engine, False)  # warmed off the loop; not frozen yet
            for _ in range(120):
                gc.collect()
                if gone() is None:
                    settle_heap()
                    return
                await asyncio.sleep(0.5)

        task = asyncio.get_running_loop().create_task(settle())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
