"""Load benchmark of ``matcher serve``: ``POST /v1/rank`` at 1, 16 and 64 connections.

Run: ``python benchmarks/bench_service.py`` (``--quick`` for a short run, ``--workers 2``
for two server processes, ``--client`` to choose the load generator).

It starts ``matcher serve`` on a free loopback port (access log off), waits until
``/readyz`` answers, then loads it at each concurrency level with keep-alive
connections, each request a different firm of a fixed sample (``bench_rank.firms``),
as of a fixed date, and reports requests/s, p50 and p99 latency as the client sees
it, and errors (any status but 200, or a failed connection). The load is bounded:
``--requests`` per level for the Python clients, ``--seconds`` per level for wrk.
Then it times the same firms in-process (``engine.rank(firm).to_dict()`` and
``json.dumps``) and reports the service's overhead: p50 at one connection minus the
in-process p50.

Load generators (``--client``): ``wrk`` (Debian's ``apt-get install wrk``; used by
default when installed), ``raw`` (asyncio streams speaking HTTP/1.1, the lightest
Python client), ``httpx`` (httpx's ``AsyncClient``, whose own CPU cost per request is
close to the server's). The client runs on the same machine as the server and takes
CPU from it, so the figures are a floor. Target (issue 8), default catalog on a 2-core machine: at least
500 requests/s and p99 under 50 ms at 16 connections, zero errors.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import httpx  # noqa: E402

from bench_rank import firms as sample_firms  # noqa: E402

AS_OF = "2026-11-21"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(workers: int, catalog: str | None) -> tuple[subprocess.Popen, str]:
    port = free_port()
    args = [sys.executable, "-m", "matcher", "serve", "--port", str(port), "--workers", str(workers),
            "--no-access-log", "--log-level", "warning"]
    if catalog:
        args += ["--catalog", catalog]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # the log level hides uvicorn's banner: ask readyz
        if proc.poll() is not None:
            raise SystemExit(f"matcher serve exited: {proc.stderr.read()}")
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("matcher serve did not become ready in 120 s")


def _row(concurrency: int, latencies: list[float], elapsed: float, errors: dict[str, int]) -> dict:
    ms = np.array(latencies)
    return {"connections": concurrency, "requests": len(ms), "rps": len(ms) / elapsed,
            "p50_ms": float(np.percentile(ms, 50)), "p99_ms": float(np.percentile(ms, 99)),
            "errors": sum(errors.values()), "error_kinds": errors}


async def load_raw(url: str, bodies: list[bytes], concurrency: int, n_requests: int) -> dict:
    """``n_requests`` POSTs over ``concurrency`` keep-alive connections, HTTP/1.1 by hand."""
    host, port = url.removeprefix("http://").split(":")
    requests = [(f"POST /v1/rank HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
                 f"Content-Length: {len(b)}\r\n\r\n").encode() + b for b in bodies]
    latencies: list[float] = []
    errors: dict[str, int] = {}
    counter = iter(range(n_requests))

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            for i in counter:
                t = time.perf_counter()
                writer.write(requests[i % len(requests)])
                head = await reader.readuntil(b"\r\n\r\n")
                status = head[9:12].decode()
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                await reader.readexactly(length)
                latencies.append((time.perf_counter() - t) * 1000)
                if status != "200":
                    errors[status] = errors.get(status, 0) + 1
        except (OSError, asyncio.IncompleteReadError) as exc:
            errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
        finally:
            writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return _row(concurrency, latencies, time.perf_counter() - start, errors)


_WRK_SCRIPT = """
local bodies, i = {}, 0
init = function(args) for line in io.lines(args[1]) do bodies[#bodies + 1] = line end end
request = function()
  i = i % #bodies + 1
  return wrk.format("POST", "/v1/rank", {["Content-Type"] = "application/json"}, bodies[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %f %f %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def load_wrk(url: str, bodies: list[bytes], concurrency: int, seconds: int) -> dict:
    """wrk at ``concurrency`` connections for ``seconds`` (its threads: at most 2)."""
    with tempfile.TemporaryDirectory() as tmp:
        script, data = Path(tmp, "rank.lua"), Path(tmp, "bodies.jsonl")
        script.write_text(_WRK_SCRIPT)
        data.write_bytes(b"\n".join(bodies) + b"\n")
        threads = min(2, concurrency)
        out = subprocess.run(["wrk", f"-t{threads}", f"-c{concurrency}", f"-d{seconds}s", "--timeout", "10s",
                              "-s", str(script), url, "--", str(data)], capture_output=True, text=True, check=True)
    line = next(x for x in out.stdout.splitlines() if x.startswith("RESULT"))
    n, duration_us, p50_us, p99_us, errors = line.split()[1:]
    return {"connections": concurrency, "requests": int(n), "rps": int(n) / (int(duration_us) / 1e6),
            "p50_ms": float(p50_us) / 1000, "p99_ms": float(p99_us) / 1000, "errors": int(errors),
            "error_kinds": {"wrk": int(errors)} if int(errors) else {}}


async def load(url: str, bodies: list[bytes], concurrency: int, n_requests: int) -> dict:
    """``n_requests`` POSTs over ``concurrency`` keep-alive connections; latencies in ms."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    latencies: list[float] = []
    errors: dict[str, int] = {}
    counter = iter(range(n_requests))
    headers = {"content-type": "application/json"}
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:
        async def worker() -> None:
            for i in counter:
                t = time.perf_counter()
                try:
                    r = await client.post("/v1/rank", content=bodies[i % len(bodies)], headers=headers)
                    ok = r.status_code == 200
                    key = str(r.status_code)
                except httpx.HTTPError as exc:
                    ok, key = False, type(exc).__name__
                latencies.append((time.perf_counter() - t) * 1000)
                if not ok:
                    errors[key] = errors.get(key, 0) + 1

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    return _row(concurrency, latencies, elapsed, errors)


def in_process(firms: list[dict], catalog: str | None, rounds: int) -> dict:
    from matcher import MatchEngine

    engine = MatchEngine().fit(catalog)
    for f in firms[:20]:
        engine.rank(f, as_of=AS_OF)
    times = []
    for _ in range(rounds):
        for f in firms:
            t = time.perf_counter()
            json.dumps(engine.rank(f, as_of=AS_OF).to_dict(), ensure_ascii=False)
            times.append((time.perf_counter() - t) * 1000)
    ms = np.array(times)
    return {"p50_ms": float(np.percentile(ms, 50)), "p99_ms": float(np.percentile(ms, 99)),
            "rps_one_thread": 1000 / float(ms.mean())}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer requests")
    ap.add_argument("--requests", type=int, default=None, help="requests per level, Python clients (default 3000)")
    ap.add_argument("--seconds", type=int, default=None, help="seconds per level, wrk (default 10)")
    ap.add_argument("--client", choices=["auto", "wrk", "raw", "httpx"], default="auto",
                    help="load generator (default: wrk when installed, else raw)")
    ap.add_argument("--workers", type=int, default=1, help="server processes (default 1)")
    ap.add_argument("--catalog", default=None, help="catalog directory (default: the built-in catalog)")
    ap.add_argument("--levels", default="1,16,64", help="concurrency levels (default 1,16,64)")
    args = ap.parse_args()
    n = args.requests or (600 if args.quick else 3000)
    seconds = args.seconds or (3 if args.quick else 10)
    client = args.client if args.client != "auto" else ("wrk" if shutil.which("wrk") else "raw")

    def run_level(c: int, warm: bool = False) -> dict:
        if client == "wrk":
            return load_wrk(url, bodies, c, 2 if warm else seconds)
        how = load_raw if client == "raw" else load
        return asyncio.run(how(url, bodies, c, min(n, 500) if warm else n))
    firms = sample_firms(200)
    bodies = [json.dumps({"firm": f, "as_of": AS_OF}).encode() for f in firms]

    proc, url = start_server(args.workers, args.catalog)
    try:
        ready = httpx.get(f"{url}/readyz").json()
        bound = f"{seconds} s" if client == "wrk" else f"{n} requests"
        print(f"matcher serve --workers {args.workers}: {ready['programs']} programs, catalog {ready['catalog_hash']}; "
              f"client {client}, {bound} per level, {len(bodies)} different firms, {os.cpu_count()} CPUs")
        run_level(16, warm=True)
        rows = [run_level(int(c)) for c in args.levels.split(",")]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    print(f"{'connections':>11} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for r in rows:
        print(f"{r['connections']:>11} {r['requests']:>9} {r['rps']:>8.0f} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} "
              f"{r['errors']:>7}" + (f"  {r['error_kinds']}" if r["errors"] else ""))
    local = in_process(firms, args.catalog, rounds=2 if args.quick else 5)
    print(f"in-process rank + to_dict + json: p50 {local['p50_ms']:.2f} ms, p99 {local['p99_ms']:.2f} ms "
          f"({local['rps_one_thread']:.0f}/s on one thread)")
    one = next((r for r in rows if r["connections"] == 1), None)
    if one:
        print(f"service overhead at 1 connection (p50 HTTP - p50 in-process): {one['p50_ms'] - local['p50_ms']:.2f} ms")


if __name__ == "__main__":
    main()
