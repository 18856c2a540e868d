"""Scoring the chunks of a batch run on a Dask cluster: ``run_batch(..., backend="dask")``.

This module is imported only when the Dask backend is chosen, so that ``import matcher``
and ``matcher --help`` never load dask.

When the input is a Parquet file of the engine's fields and every worker sees the run's
files at the client's paths (a local cluster, or a shared file system; checked at the
start, :meth:`DaskScorer.shares_files`), the client only plans and commits: it cuts the
input into *spans* of chunks from the file's footer (:mod:`matcher.batch.spans`), each
worker reads its span's row groups, scores each chunk and writes its part and marker
(:func:`matcher.batch.chunk.score_span`), and, for a Parquet output, encodes the
output's row groups, which the client joins by copying bytes
(:mod:`matcher.batch.splice`). Otherwise (CSV and the other formats, which the one
reader reads in order, or workers that do not see the files) the client reads the input
and cuts it into the usual chunks, the workers validate, score and encode each chunk
(:func:`matcher.batch.chunk.encode_chunk`), and the client writes each part and its
``.done`` marker as results arrive. Either way a run resumes exactly as a local one does
and ends with the same bytes.

The fitted engine reaches each worker once, in a worker plugin (:class:`EnginePlugin`):
the scheduler hands the plugin to every worker when it registers, including workers
that join or restart later, and the engine stays in the worker's memory, outside its
data store, so it is never spilled, moved or dropped. (A ``client.scatter(engine,
broadcast=True)`` would not stay put: the active memory manager drops the replicas no
task is waiting for, and the engine would be sent again and again.)
"""

from __future__ import annotations

import datetime as dt
import logging
import pickle
import uuid
import warnings
from collections.abc import Iterable, Iterator
from typing import Any

from matcher._validation import check_int
from matcher.batch.chunk import Encoded, Span, encode_chunk, plan_spans, score_span
from matcher.batch.splice import plan_row_groups, splice, write_piece
from matcher.errors import MatcherError, ParameterError

try:
    import distributed  # noqa: F401
except ImportError:
    raise MatcherError("the dask backend needs the packages dask and distributed, which are not installed: "
                       "pip install 'shien-matcher[dask]'") from None
from dask.system import CPU_COUNT
from distributed import Client, LocalCluster, WorkerPlugin, as_completed, get_worker

__all__ = ["DaskScorer", "EnginePlugin"]

_log = logging.getLogger(__name__)


class EnginePlugin(WorkerPlugin):
    """A fitted engine, held by every worker of the cluster for the length of a run.

    Parameters
    ----------
    engine : MatchEngine
        The fitted engine; it is pickled once on the client and unpickled once per worker.
    """

    idempotent = False

    def __init__(self, engine: Any) -> None:
        self.engine = engine

    def setup(self, worker: Any) -> None:
        """Nothing to do: the engine arrived with the plugin."""

    def teardown(self, worker: Any) -> None:
        """Free the engine when the run unregisters the plugin."""
        self.engine = None


def _sees_files(src: str, size: int, tail_sha: str, manifest: tuple[str, str]) -> bool:
    """On a worker: whether it sees the run's input (same size and last MiB) and its parts directory."""
    import hashlib
    import os

    try:
        if os.path.getsize(src) != size or _tail_sha(src, size) != tail_sha:
            return False
        with open(manifest[0], "rb") as fh:
            return hashlib.sha256(fh.read()).hexdigest() == manifest[1]
    except OSError:
        return False


def _tail_sha(path: str, size: int) -> str:
    import hashlib

    with open(path, "rb") as fh:
        fh.seek(max(0, size - (1 << 20)))
        return hashlib.sha256(fh.read()).hexdigest()


def _span_on_worker(plugin: str, span: Span, as_of: dt.date, top: int, possible: int, municipalities: int, fmt: str,
                    layout: Any, parts_dir: str, manifest: tuple[str, str]) -> list:
    """One span read, scored, encoded and committed on a worker (:func:`matcher.batch.chunk.score_span`)."""
    engine = get_worker().plugins[plugin].engine
    return score_span(engine, span, as_of, top, possible, municipalities, fmt, layout, parts_dir, manifest)


def _piece_on_worker(parts: list[str], cuts: list[tuple[int, int]], path: str, layout: Any,
                     manifest: tuple[str, str]) -> int:
    """One row group of a Parquet output encoded on a worker, into a file of its own
    (:func:`matcher.batch.splice.write_piece`), while ``manifest`` is still the run's."""
    import hashlib
    import os

    tmp = f"{path}.{uuid.uuid4().hex[:12]}.tmp"
    try:
        size = write_piece(parts, cuts, tmp, layout)
        with open(manifest[0], "rb") as fh:
            if hashlib.sha256(fh.read()).hexdigest() != manifest[1]:
                raise MatcherError(f"the batch run of {manifest[0]} was replaced or removed: this row group is "
                                   f"no longer wanted")
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return size


def _score_on_worker(plugin: str, records: bytes, as_of: dt.date, top: int, possible: int, municipalities: int,
                     fmt: str, layout: Any = None) -> tuple[bytes, bytes, tuple[int, int, int, int]]:
    """One chunk, scored and encoded on a worker with the engine of the plugin named ``plugin``."""
    engine = get_worker().plugins[plugin].engine
    return encode_chunk(engine, pickle.loads(records), as_of, top, possible, municipalities, fmt, layout)


class DaskScorer:
    """A connection to a Dask cluster that scores chunks with one engine.

    Use it as a context manager: entering connects to ``scheduler`` (or starts a
    local cluster of worker processes on the loopback interface) and sends the
    engine to every worker; leaving frees the engine and closes what was opened.

    Parameters
    ----------
    engine : MatchEngine
        A fitted engine.
    scheduler : str or distributed.Client, optional
        The scheduler's address, such as ``tcp://10.0.0.5:8786`` (TLS settings come from
        the Dask configuration), or a connected client, which is left open. Without it a
        :class:`distributed.LocalCluster` is started for the run.
    workers : int, optional
        Worker processes of the local cluster (one thread each); default: the CPUs.
    max_in_flight : int, optional
        Chunks sent and not yet written back; default: twice the cluster's threads
        (at least 2), read again as workers come and go. Bounds the memory of the
        client, the scheduler and the workers whatever the size of the input.
    worker_wait : float, default 60
        Seconds to wait for a first worker when the scheduler has none, before giving
        up with a clear error (workers that join later, during the run, are used too).
    files : {"auto", "workers", "client"}, optional
        Who reads a Parquet input of the engine's fields and writes the parts: the
        workers (``"workers"``; they need the input and the output's directory at the
        same paths as the client, on a shared file system), or the client, which sends
        each chunk and receives its part (``"client"``, the way for any other input).
        ``"auto"``: the workers when every worker sees both (checked at the start of
        the run), else the client. Default: the Dask configuration's
        ``shien-matcher.files`` (``DASK_SHIEN_MATCHER__FILES=client`` in the environment), else
        ``"auto"``.
    """

    def __init__(self, engine: Any, *, scheduler: str | Client | None = None, workers: int | None = None,
                 max_in_flight: int | None = None, worker_wait: float = 60.0, files: str | None = None) -> None:
        if scheduler is not None and workers is not None:
            raise ParameterError(f"workers sizes a local cluster, so give it without a scheduler address, "
                             f"got workers={workers!r} and scheduler={scheduler!r}")
        if files is None:
            import dask

            files = dask.config.get("shien-matcher.files", "auto")
        if files not in ("auto", "workers", "client"):
            raise ParameterError(f"files must be one of auto, workers, client, got {files!r}")
        self.files = files
        for name, v in (("workers", workers), ("max_in_flight", max_in_flight)):
            if v is not None:
                check_int(name, v)
        self.engine, self.scheduler, self.workers, self.max_in_flight = engine, scheduler, workers, max_in_flight
        self.worker_wait = worker_wait
        self.client: Client | None = None
        self._own_client = True
        self.cluster: LocalCluster | None = None
        self.plugin = f"shien-matcher-engine-{uuid.uuid4().hex}"

    def __enter__(self) -> DaskScorer:
        try:
            if self.scheduler is None:
                with warnings.catch_warnings():  # another cluster has the default HTTP port: any port will do
                    warnings.filterwarnings("ignore", message="Port .* is already in use")
                    self.cluster = LocalCluster(n_workers=self.workers or CPU_COUNT, threads_per_worker=1,
                                                processes=True, host="127.0.0.1", dashboard_address=None,
                                                silence_logs=logging.ERROR)
                self.client = Client(self.cluster)
            elif isinstance(self.scheduler, Client):  # the caller's client (Coiled, dask-kubernetes): left open
                self.client, self._own_client = self.scheduler, False
            else:
                try:
                    self.client = Client(self.scheduler)
                except (OSError, ValueError, TypeError) as exc:
                    raise MatcherError(f"cannot reach the Dask scheduler at {self.scheduler}: "
                                       f"{' '.join(str(exc).split()) or type(exc).__name__}") from None
            if not self.client.scheduler_info().get("workers"):
                try:  # a scheduler without workers would otherwise take the chunks and wait forever
                    self.client.wait_for_workers(1, timeout=self.worker_wait)
                except TimeoutError:
                    where = self.client.scheduler.address
                    raise MatcherError(f"the Dask scheduler at {where} has no workers (waited {self.worker_wait:g} s): "
                                       f"start some with `dask worker {where}`") from None
            try:
                self.client.register_plugin(EnginePlugin(self.engine), name=self.plugin)
            except Exception as exc:
                raise MatcherError(f"a Dask worker could not load the engine ({type(exc).__name__}: {exc}); "
                                   f"every worker needs shien-matcher installed, the same version as the client"
                                   ) from None
        except BaseException:
            self._close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._close()

    def _close(self) -> None:
        if self.client is not None:
            try:
                if self.client.status == "running":
                    self.client.unregister_worker_plugin(self.plugin)
            except Exception:  # the plugin was never registered, or the cluster is gone
                _log.debug("could not unregister %s", self.plugin, exc_info=True)
            if self._own_client:
                self.client.close()
            self.client = None
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None

    def _limit(self) -> int:
        if self.max_in_flight is not None:
            return self.max_in_flight
        return max(2, 2 * sum(self.client.nthreads().values()))

    def score(self, chunks: Iterable[tuple[int, list]], as_of: dt.date, top: int, possible: int,
              municipalities: int, fmt: str, layout: Any = None) -> Iterator[Encoded]:
        """Score ``(k, records)`` chunks on the workers; yield ``(k, part, errors, stats)`` as each completes.

        At most :attr:`max_in_flight` chunks are out at once: the next one is read
        from ``chunks`` only when a result has come back, so the input is streamed.
        """
        if self.client is None:
            raise RuntimeError("use DaskScorer as a context manager: `with DaskScorer(engine) as scorer: ...`")
        run = uuid.uuid4().hex[:8]
        todo = iter(chunks)
        pending: dict[Any, int] = {}
        done = as_completed()

        def send_more() -> None:
            limit = self._limit()
            while len(pending) < limit:
                item = next(todo, None)
                if item is None:
                    return
                k, records = item
                future = self.client.submit(_score_on_worker, self.plugin, pickle.dumps(records, protocol=5), as_of,
                                            top, possible, municipalities, fmt, layout, key=f"shien-matcher-chunk-{run}-{k:06d}")
                pending[future] = k
                done.add(future)

        try:
            send_more()
            for future in done:
                k = pending.pop(future)
                data, err, stats = future.result()
                future.release()
                yield k, data, err, stats
                send_more()
        finally:
            if pending and self.client is not None:
                self.client.cancel(list(pending))

    def shares_files(self, src: Any, parts_dir: Any) -> bool:
        """Whether the workers read the input and write the parts of this run themselves (see ``files``).

        ``parts_dir`` holds the run's manifest already: a worker that reads the same manifest
        bytes there, and the same size and last MiB of ``src``, sees the client's files.
        """
        if self.files == "client":
            return False
        import hashlib
        from pathlib import Path

        src, manifest = str(Path(src).resolve()), Path(parts_dir).resolve() / "manifest.json"
        size = Path(src).stat().st_size
        probe = (src, size, _tail_sha(src, size), (str(manifest), hashlib.sha256(manifest.read_bytes()).hexdigest()))
        try:
            seen = self.client.run(_sees_files, *probe)
        except Exception:  # noqa: BLE001 - a worker that cannot even answer does not share the files
            _log.debug("could not ask the workers whether they see %s", src, exc_info=True)
            seen = {"?": False}
        if all(seen.values()) and seen:
            return True
        if self.files == "workers":
            blind = sorted(w for w, ok in seen.items() if not ok)
            raise MatcherError(f"the Dask workers {', '.join(blind)} do not see {src} or {parts_dir} at the same path "
                               f"as the client (files='workers' needs a shared file system)")
        return False

    def score_spans(self, src: str, chunk_size: int, chunks: list[int], rows: int, group_rows: list[int],
                    as_of: dt.date, top: int, possible: int, municipalities: int, fmt: str, layout: Any,
                    parts_dir: str, manifest: tuple[str, str]) -> Iterator[Encoded]:
        """Have the workers read, score and commit ``chunks`` of the Parquet file ``src``, in spans;
        yield ``(k, None, None, stats)`` for each chunk as its span completes (the part is on disk).

        A span is at most 16 chunks, fewer when there would not be four spans per thread; at
        most :attr:`max_in_flight` spans are out at once.
        """
        if self.client is None:
            raise RuntimeError("use DaskScorer as a context manager: `with DaskScorer(engine) as scorer: ...`")
        threads = max(1, sum(self.client.nthreads().values()))
        per_span = max(1, min(16, len(chunks) // (4 * threads)))
        spans = plan_spans(src, chunk_size, chunks, rows, group_rows, per_span)
        run = uuid.uuid4().hex[:8]
        todo = iter(spans)
        pending: dict[Any, Span] = {}
        done = as_completed()

        def send_more() -> None:
            limit = self._limit()
            while len(pending) < limit:
                span = next(todo, None)
                if span is None:
                    return
                future = self.client.submit(_span_on_worker, self.plugin, span, as_of, top, possible, municipalities,
                                            fmt, layout, parts_dir, manifest,
                                            key=f"shien-matcher-span-{run}-{span.first:06d}")
                pending[future] = span
                done.add(future)

        try:
            send_more()
            for future in done:
                pending.pop(future)
                results = future.result()
                future.release()
                for k, stats in results:
                    yield k, None, None, stats
                send_more()
        finally:
            if pending and self.client is not None:
                self.client.cancel(list(pending))

    def assemble_parquet(self, parts: list[str], chunk_rows: list[int], out: Any, layout: Any,
                         manifest: tuple[str, str], row_group: int = 65536) -> bool:
        """Write the Parquet output of ``parts`` (their rows: ``chunk_rows``) to the binary file ``out``:
        the workers encode its row groups, each into a file beside the parts, and this process joins
        them (:func:`matcher.batch.splice.splice`), so its bytes are those of
        :class:`~matcher.batch.files.ParquetAssembly`. Returns False, writing nothing, when the output
        has no row (the caller writes the empty file)."""
        from pathlib import Path

        groups = plan_row_groups(chunk_rows, row_group)
        if not groups:
            return False
        run = uuid.uuid4().hex[:8]
        futures = []
        for j, group in enumerate(groups):
            path = str(Path(parts[0]).parent / f"rowgroup-{j:06d}.parquet")
            futures.append((path, self.client.submit(
                _piece_on_worker, [parts[k] for k, _, _ in group], [(first, n) for _, first, n in group], path,
                layout, manifest, key=f"shien-matcher-rowgroup-{run}-{j:06d}")))

        def in_order():
            for path, future in futures:
                future.result()
                future.release()
                yield path

        try:
            splice(in_order(), out)
        finally:
            self.client.cancel([f for _, f in futures if not f.done()])
        return True
