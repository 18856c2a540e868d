"""The local backends: chunks scored in this process (``jobs=1``) or in worker processes (``run_batch(..., jobs=N)``).

Validating profiles and vectorizing their texts is Python work that holds the GIL, so
threads cannot spread it over cores; processes can. Each of ``jobs`` worker processes
receives the fitted engine once, when it starts, and then only
chunks of input records; it validates, scores and encodes each chunk
(:func:`matcher.batch.chunk.encode_chunk`) and sends back the encoded part. The parent reads
the input and writes each part and its ``.done`` marker as results arrive, exactly as
the Dask backend does (:mod:`matcher.batch.dask`), so output, resume and errors are the
same whatever ``jobs``.

On Linux the workers are forked, so they inherit the engine without pickling it and
start in a moment (what scoring loads on first use -- the tokenizer's dictionary, the
glossary, the compiled kernel -- is loaded in the parent first, :func:`~matcher.batch.chunk.warm_up`,
so that the workers share it instead of each loading it); elsewhere they are spawned (they import the libraries and unpickle
the engine, a second or two, once per run; the calling script then needs the usual
``if __name__ == "__main__":`` guard).
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import itertools
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from matcher.batch.chunk import Encoded, encode_chunk, warm_up
from matcher.columns import start_helper

__all__ = ["InProcessScorer", "ProcessScorer", "ThreadScorer", "streamed"]

_ENGINE: Any = None


def _start(engine: Any) -> None:
    global _ENGINE
    _ENGINE = engine
    _watch_parent()


def _watch_parent() -> None:
    parent = os.getppid()

    def watch() -> None:  # a parent killed with kill -9 leaves no orphan behind
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="shien-matcher-parent-watch").start()


def _start_helper(vectorizer: Any) -> None:
    start_helper(vectorizer)
    _watch_parent()


def _score(records: list, as_of: dt.date, top: int, possible: int, municipalities: int,
           fmt: str, layout: Any = None) -> tuple[bytes, bytes, tuple[int, int, int, int]]:
    return encode_chunk(_ENGINE, records, as_of, top, possible, municipalities, fmt, layout)


def _context() -> multiprocessing.context.BaseContext:
    """``fork`` on Linux (the engine is inherited, nothing is pickled, and a script without
    ``if __name__ == "__main__":`` still works); ``spawn`` elsewhere."""
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


class InProcessScorer:
    """Chunks scored one after the other in this process, as they are read; a context manager.

    Parameters
    ----------
    engine : MatchEngine
        A fitted engine.
    """

    def __init__(self, engine: Any) -> None:
        self.engine = engine

    def __enter__(self) -> "InProcessScorer":
        return self

    def __exit__(self, *exc: Any) -> None:
        pass

    def score(self, chunks: Iterable[tuple[int, list]], as_of: dt.date, top: int, possible: int,
              municipalities: int, fmt: str, layout: Any = None) -> Iterator[Encoded]:
        """Score ``(k, records)`` chunks; yield ``(k, part, errors, stats, rows)``, one chunk read per result
        (``rows``: the part's rows, for a Parquet output written as the parts come)."""
        for k, records in chunks:
            yield k, *encode_chunk(self.engine, records, as_of, top, possible, municipalities, fmt, layout,
                                   rows=fmt == "parquet")


def streamed(submit: Callable[[list], cf.Future], chunks: Iterable[tuple[int, list]], window: int,
             drain: bool = False) -> Iterator[tuple[int, Any]]:
    """``(k, result)`` of ``submit(records)`` for each ``(k, records)`` chunk, as they complete, with at
    most ``window`` chunks out at once (so the input is streamed; chunks done together come in order of
    ``k``). Closed early, it cancels the chunks not yet started, and with ``drain`` waits for the
    running ones."""
    todo = iter(chunks)
    pending: dict[cf.Future, int] = {}

    def send_more() -> None:
        while len(pending) < window:
            item = next(todo, None)
            if item is None:
                return
            k, records = item
            pending[submit(records)] = k

    try:
        send_more()
        while pending:
            done, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            for future in sorted(done, key=pending.get):
                k = pending.pop(future)
                yield k, future.result()
            send_more()
    finally:
        for future in pending:
            future.cancel()
        if drain:
            cf.wait(pending)


class ProcessScorer:
    """``jobs`` worker processes that score chunks with one engine; a context manager.

    Parameters
    ----------
    engine : MatchEngine
        A fitted engine.
    jobs : int
        Worker processes.
    """

    def __init__(self, engine: Any, jobs: int) -> None:
        self.engine = engine
        self.jobs = jobs
        self.pool: cf.ProcessPoolExecutor | None = None
        self.entered = False

    def __enter__(self) -> "ProcessScorer":
        self.entered = True
        return self

    def _start_pool(self) -> cf.ProcessPoolExecutor:
        if self.pool is None:
            context = _context()
            if context.get_start_method() == "fork":  # loaded once here, the workers share it
                warm_up(self.engine)
            self.pool = cf.ProcessPoolExecutor(max_workers=self.jobs, mp_context=context,
                                               initializer=_start, initargs=(self.engine,))
        return self.pool

    def __exit__(self, *exc: Any) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def score(self, chunks: Iterable[tuple[int, list]], as_of: dt.date, top: int, possible: int,
              municipalities: int, fmt: str, layout: Any = None) -> Iterator[Encoded]:
        """Score ``(k, records)`` chunks; yield ``(k, part, errors, stats)`` as each completes.

        At most two chunks per worker are out at once, so the input is streamed. An
        input of one chunk is scored here, without starting any process.
        """
        if not self.entered:
            raise RuntimeError("use ProcessScorer as a context manager: `with ProcessScorer(engine, 2) as s: ...`")
        todo = iter(chunks)
        head = list(itertools.islice(todo, 2))
        if len(head) < 2:
            for k, records in head:
                yield k, *encode_chunk(self.engine, records, as_of, top, possible, municipalities, fmt, layout)
            return
        pool = self._start_pool()
        stream = streamed(lambda records: pool.submit(_score, records, as_of, top, possible, municipalities, fmt,
                                                      layout), itertools.chain(head, todo), 2 * self.jobs)
        try:
            for k, (data, err, stats) in stream:
                yield k, data, err, stats
        finally:
            stream.close()


class ThreadScorer:
    """``jobs`` threads that score chunks with one engine; a context manager.

    For chunks that go the columnar way (:mod:`matcher.batch.table`): their work is Arrow,
    numpy and the compiled kernel, which release the GIL, so threads spread it over cores
    like processes would, and they share what processes each keep their own copy of (the
    engine's texts already vectorized, the tokenizer's caches), with nothing pickled. The
    one part that holds the GIL, vectorizing texts new to the run, goes to ``jobs`` helper
    processes (forked, on Linux; :meth:`matcher.columns.TextRows.use`), so that a file of
    distinct descriptions is vectorized on every core too.

    Parameters
    ----------
    engine : MatchEngine
        A fitted engine.
    jobs : int
        Threads.
    """

    def __init__(self, engine: Any, jobs: int) -> None:
        self.engine = engine
        self.jobs = jobs
        self.pool: cf.ThreadPoolExecutor | None = None

    def __enter__(self) -> "ThreadScorer":
        self.pool = cf.ThreadPoolExecutor(max_workers=self.jobs, thread_name_prefix="shien-matcher-score")
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def score(self, chunks: Iterable[tuple[int, list]], as_of: dt.date, top: int, possible: int,
              municipalities: int, fmt: str, layout: Any = None) -> Iterator[Encoded]:
        """Score ``(k, chunk)`` chunks; yield ``(k, part, errors, stats, rows)`` as each completes (at most
        two chunks per thread out at once, so the input is streamed; ``rows``: the part's rows, for a
        Parquet output written as the parts come, which need not be read back from the part)."""
        if self.pool is None:
            raise RuntimeError("use ThreadScorer as a context manager: `with ThreadScorer(engine, 2) as s: ...`")
        warm_up(self.engine)  # what is loaded on first use, loaded once before the threads race to it
        store, helpers = self.engine.text_rows(), None
        if _context().get_start_method() == "fork":
            helpers = cf.ProcessPoolExecutor(max_workers=self.jobs, mp_context=_context(), initializer=_start_helper,
                                             initargs=(self.engine.text_,))
            for f in [helpers.submit(os.getpid) for _ in range(self.jobs)]:  # forked now, before any thread runs
                f.result()
            store.use(helpers)
        pool = self.pool
        # with helper processes, chunks already running finish before the helpers go
        stream = streamed(lambda records: pool.submit(encode_chunk, self.engine, records, as_of, top, possible,
                                                      municipalities, fmt, layout, rows=fmt == "parquet"),
                          chunks, 2 * self.jobs, drain=helpers is not None)
        try:
            for k, result in stream:
                yield k, *result
        finally:
            stream.close()
            if helpers is not None:
                store.use(None)
                helpers.shutdown(wait=True, cancel_futures=True)
