"""Hostile input, from outside: the service under schemathesis and crafted requests, the
command line under broken files. Loopback only, bounded in time and count.

Every case starts a real process (``matcher serve`` on a free loopback port, or one
``matcher`` command), sends what a careless or malicious user could send, and records
what came back, how long it took and how much memory the process tree used. Each case
names what is expected of it (a status, an exit code, a line naming the file), and the
table at the end counts, per group: cases, server errors (5xx), hangs (no answer within
the case's time limit), unexpected outcomes and the largest memory seen.

    python benchmarks/hostile.py                       # everything, ~5 minutes on 2 cores
    python benchmarks/hostile.py --groups cli,http     # only these groups
    python benchmarks/hostile.py --seeds 5 --examples 300   # a longer schemathesis run

Nothing here is a test: the numbers go into the closing note of the reliability issue,
and every defect it finds gets a regression test in ``tests/``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
MATCHER = str(BIN / "matcher")
KEY = "hostile-test-key"
KITA = {"municipality": "Kita City", "prefecture": "Tokyo", "industry": "E24", "employees": 25,
        "needs": ["trade_fair"], "description": "Metal press work; we want to exhibit at a trade fair."}


@dataclass
class Outcome:
    group: str
    name: str
    ok: bool
    detail: str
    seconds: float
    peak_mib: float = 0.0
    server_errors: int = 0
    hang: bool = False
    cases: int = 1


@dataclass
class Report:
    rows: list[Outcome] = field(default_factory=list)

    def add(self, o: Outcome) -> None:
        self.rows.append(o)
        mark = "ok " if o.ok else "BAD"
        print(f"  [{mark}] {o.group}/{o.name}: {o.detail} ({o.seconds:.2f} s, {o.peak_mib:,.0f} MiB)", flush=True)

    def table(self) -> str:
        groups: dict[str, list[Outcome]] = {}
        for r in self.rows:
            groups.setdefault(r.group, []).append(r)
        lines = ["| group | cases | 5xx | hangs | unexpected | max memory MiB |", "|---|---:|---:|---:|---:|---:|"]
        for g, rs in groups.items():
            lines.append(f"| {g} | {sum(r.cases for r in rs):,} | {sum(r.server_errors for r in rs):,} | "
                         f"{sum(r.hang for r in rs)} | {sum(not r.ok for r in rs)} | "
                         f"{max((r.peak_mib for r in rs), default=0):,.0f} |")
        bad = [r for r in self.rows if not r.ok]
        if bad:
            lines.append("")
            lines.append("Unexpected:")
            lines.extend(f"- {r.group}/{r.name}: {r.detail}" for r in bad)
        return "\n".join(lines)


# ---------------------------------------------------------------------------- processes
def tree_rss(proc: psutil.Process) -> float:
    """Resident memory of a process and its children, MiB."""
    total = 0
    with contextlib.suppress(psutil.Error):
        procs = [proc, *proc.children(recursive=True)]
        for p in procs:
            with contextlib.suppress(psutil.Error):
                total += p.memory_info().rss
    return total / 2**20


class Sampler:
    """Samples a process tree's memory every 20 ms in a thread; ``peak`` is the largest seen."""

    def __init__(self, pid: int):
        self.proc = psutil.Process(pid)
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss(self.proc))
            self._stop.wait(0.02)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak


@dataclass
class Run:
    code: int | None
    out: str
    err: str
    seconds: float
    peak_mib: float
    hang: bool


def run(args: list[str], cwd: Path, timeout: float = 60, stdin: str | None = None,
        env: dict[str, str] | None = None, mem_limit_mib: float = 3000) -> Run:
    """Run a command; kill it (a hang) past ``timeout`` s or ``mem_limit_mib`` of memory."""
    t0 = time.perf_counter()
    p = subprocess.Popen(args, cwd=cwd, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env={**os.environ, **(env or {})}, start_new_session=True)
    sampler = Sampler(p.pid)
    hang = False
    try:
        out, err = p.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        hang = True
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
    peak = sampler.stop()
    if peak > mem_limit_mib:
        hang = True
    return Run(p.returncode, out, err, time.perf_counter() - t0, peak, hang)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def server(workdir: Path, env: dict[str, str] | None = None, args: tuple[str, ...] = ()) -> Iterator[tuple[str, subprocess.Popen, Path]]:
    """``matcher serve`` on a free loopback port, its access log in a file; yields (base URL, process, log)."""
    port = free_port()
    log = workdir / f"serve-{port}.log"
    fh = log.open("w")
    p = subprocess.Popen([MATCHER, "serve", "--port", str(port), *args], cwd=workdir, stdout=fh, stderr=subprocess.STDOUT,
                         env={**os.environ, "MATCHER_API_KEY": KEY, **(env or {})}, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    import httpx

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if p.poll() is not None:
            raise RuntimeError(f"matcher serve exited with {p.returncode}: {log.read_text()[-2000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                break
        time.sleep(0.2)
    else:
        raise RuntimeError("matcher serve did not become ready in 120 s")
    try:
        yield base, p, log
    finally:
        os.killpg(p.pid, signal.SIGTERM)
        try:
            p.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
        fh.close()


def access_statuses(log: Path) -> list[int]:
    """HTTP statuses of every request in uvicorn's access log."""
    return [int(m.group(1)) for m in re.finditer(r'HTTP/1\.[01]" (\d{3})', log.read_text(errors="replace"))]


# ---------------------------------------------------------------------------- schemathesis
def schemathesis_group(report: Report, workdir: Path, seeds: int, examples: int, max_seconds: int) -> None:
    with server(workdir) as (base, proc, log):
        for s in range(seeds):
            before = len(access_statuses(log))
            sampler = Sampler(proc.pid)
            t0 = time.perf_counter()
            r = run([str(BIN / "schemathesis"), "run", f"{base}/openapi.json", "-H", f"X-API-Key: {KEY}",
                     "--checks", "not_a_server_error,response_schema_conformance,status_code_conformance,"
                     "content_type_conformance",
                     "--exclude-path", "/v1/admin/reload", "--max-examples", str(examples),
                     "--seed", str(20261201 + s), "--request-timeout", "30", "--workers", "2",
                     "--suppress-health-check", "all", "--no-color"],
                    cwd=workdir, timeout=max_seconds)
            peak = sampler.stop()
            statuses = access_statuses(log)[before:]
            five = sum(st >= 500 for st in statuses)
            timeouts = len(re.findall(r"(?i)timed out|timeout", r.out))
            failed = r.code != 0
            summary = next((ln.strip() for ln in reversed(r.out.splitlines()) if re.search(r"passed|failed", ln)), "")
            report.add(Outcome("schemathesis", f"seed {20261201 + s}", ok=not failed and not five and not r.hang,
                               detail=f"{len(statuses):,} requests, {five} 5xx, exit {r.code}; {summary}"
                                      + ("" if not failed else "; " + _failures(r.out)),
                               seconds=time.perf_counter() - t0, peak_mib=peak, server_errors=five,
                               hang=r.hang or timeouts > 0, cases=len(statuses)))


def _failures(text: str) -> str:
    names = re.findall(r"^[_ ]*(?:POST|GET|PUT|DELETE) (\S+)", text, re.M)
    kinds = re.findall(r"^\d+\. ([A-Z][^\n]{0,80})", text, re.M)
    return f"{sorted(set(names))} {sorted(set(kinds))[:6]}"


# ---------------------------------------------------------------------------- crafted HTTP
@dataclass
class Req:
    name: str
    path: str
    body: bytes | None = None
    method: str = "POST"
    headers: dict[str, str] = field(default_factory=dict)
    expect: tuple[int, ...] = (422,)
    max_seconds: float = 10.0


def _json(obj) -> bytes:
    return json.dumps(obj).encode()


def crafted_requests() -> list[Req]:
    big = int("1" + "0" * 309)
    deep = b'{"firm": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"
    return [
        Req("310-digit capital in /v1/rank", "/v1/rank", _json({"firm": {**KITA, "capital_jpy": big}})),
        Req("310-digit employees in /v1/rank-many", "/v1/rank-many", _json({"firms": [{**KITA, "employees": big}]})),
        Req("310-digit capital in /v1/reach", "/v1/reach",
            _json({"program": "kita-trade-fair-subsidy", "firms": [{**KITA, "capital_jpy": big}]})),
        Req("capital 1e400 (infinity)", "/v1/rank", b'{"firm": {"municipality": "Kita City", "prefecture": "Tokyo", '
                                                     b'"capital_jpy": 1e400}}'),
        Req("explain: 0 is not a boolean", "/v1/rank", _json({"firm": KITA, "explain": 0})),
        Req("top: true is not an integer", "/v1/rank", _json({"firm": KITA, "top": True})),
        Req("top: 1e2 is not an integer", "/v1/rank", b'{"firm": {"municipality": "Kita City", "prefecture": "Tokyo"}, '
                                                      b'"top": 1e2}'),
        Req("founded: 0 is not a date", "/v1/rank", _json({"firm": {**KITA, "founded": 0}})),
        Req("as_of: 0 is not a date", "/v1/rank", _json({"firm": KITA, "as_of": 0})),
        Req("duplicate JSON key", "/v1/rank", b'{"firm": {"municipality": "Kita City", "prefecture": "Tokyo"}, '
                                              b'"top": 1, "top": 2}', expect=(400, 422)),
        Req("duplicate key inside the firm", "/v1/rank",
            b'{"firm": {"municipality": "Kita City", "municipality": "Hamura", "prefecture": "Tokyo"}}', expect=(400, 422)),
        Req("50,000-deep JSON nesting", "/v1/rank", deep, expect=(400, 413, 422)),
        Req("not JSON", "/v1/rank", b"{firm: nope", expect=(400, 422)),
        Req("a lone surrogate in a string", "/v1/rank", b'{"firm": {"municipality": "\\ud800", "prefecture": "Tokyo"}}',
            expect=(400, 422)),
        Req("NaN in JSON", "/v1/rank", b'{"firm": {"municipality": "Kita City", "prefecture": "Tokyo", '
                                       b'"employees": NaN}}', expect=(400, 422)),
        Req("no key", "/v1/rank", _json({"firm": KITA}), headers={"X-API-Key": ""}, expect=(401,)),
        Req("wrong key", "/v1/rank", _json({"firm": KITA}), headers={"X-API-Key": "nope"}, expect=(401, 403)),
        Req("a 1 MiB description (answered, not blocking)", "/v1/rank",
            _json({"firm": {**KITA, "description": "metal press trade fair " * 43_000}}), expect=(200,), max_seconds=30),
        Req("path traversal in a program id", "/v1/programs/..%2F..%2Fetc%2Fpasswd", method="GET", expect=(404, 422)),
    ]


def http_group(report: Report, workdir: Path) -> None:
    import httpx

    with server(workdir) as (base, proc, log):
        client = httpx.Client(base_url=base, timeout=60)
        for req in crafted_requests():
            headers = {"Content-Type": "application/json", "X-API-Key": KEY, **req.headers}
            if headers["X-API-Key"] == "":
                del headers["X-API-Key"]
            t0 = time.perf_counter()
            sampler = Sampler(proc.pid)
            try:
                r = client.request(req.method, req.path, content=req.body, headers=headers, timeout=req.max_seconds)
                status, hang = r.status_code, False
                detail = f"{status} {r.headers.get('content-type', '')}; {r.text[:120]!r}"
            except httpx.TimeoutException:
                status, hang, detail = 0, True, f"no answer in {req.max_seconds} s"
            except httpx.HTTPError as exc:  # the connection was dropped: report it, go on with a new one
                status, hang = 0, False
                detail = f"connection error {exc!r}; server {'alive' if proc.poll() is None else 'DEAD'}"
                client.close()
                client = httpx.Client(base_url=base, timeout=60)
            peak = sampler.stop()
            report.add(Outcome("http", req.name, ok=status in req.expect, detail=detail,
                               seconds=time.perf_counter() - t0, peak_mib=peak,
                               server_errors=int(status >= 500), hang=hang))
        _blocking(report, base, proc)
        _rank_many_burst(report, base, proc)
        _idle_connections(report, base, proc)
        _slow_headers(report, base, proc)


def _blocking(report: Report, base: str, proc: subprocess.Popen) -> None:
    """16 large rank requests in parallel: /healthz must still answer quickly."""
    import httpx

    body = _json({"firm": {**KITA, "description": "metal press trade fair " * 43_000}})
    stop = threading.Event()
    worst = [0.0]

    def probe():
        with httpx.Client(base_url=base, timeout=30) as c:
            while not stop.is_set():
                t0 = time.perf_counter()
                c.get("/healthz")
                worst[0] = max(worst[0], time.perf_counter() - t0)
                time.sleep(0.01)

    t = threading.Thread(target=probe, daemon=True)
    t.start()
    sampler = Sampler(proc.pid)
    t0 = time.perf_counter()
    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(lambda _: httpx.post(base + "/v1/rank", content=body, timeout=120,
                                                      headers={"X-API-Key": KEY, "Content-Type": "application/json"}
                                                      ).status_code, range(16)))
    stop.set()
    t.join()
    peak = sampler.stop()
    five = sum(s >= 500 for s in statuses)
    report.add(Outcome("http", "16 parallel 1 MiB ranks: /healthz latency", ok=worst[0] < 0.5 and not five,
                       detail=f"worst /healthz {worst[0] * 1000:.0f} ms; statuses {sorted(set(statuses))}",
                       seconds=time.perf_counter() - t0, peak_mib=peak, server_errors=five, cases=16))


def _rank_many_burst(report: Report, base: str, proc: subprocess.Popen) -> None:
    """Large rank-many requests: response size, 32 at once, memory at the peak and after."""
    import httpx

    firms = [{**KITA, "id": str(i), "description": f"metal press {i} trade fair"} for i in range(1000)]
    body = _json({"firms": firms, "top": 100})
    t0 = time.perf_counter()
    r = httpx.post(base + "/v1/rank-many", content=body, timeout=120,
                   headers={"X-API-Key": KEY, "Content-Type": "application/json"})
    report.add(Outcome("http", "rank-many 1,000 firms x top 100: response size", ok=len(r.content) < 8 * 2**20 or
                       r.status_code in (413, 422),
                       detail=f"{r.status_code}, {len(body) / 1024:,.0f} KB in, {len(r.content) / 2**20:,.1f} MiB out",
                       seconds=time.perf_counter() - t0, server_errors=int(r.status_code >= 500)))
    ex = _json({"firms": firms[:200], "top": 100, "explain": True})
    t0 = time.perf_counter()
    r = httpx.post(base + "/v1/rank-many", content=ex, timeout=120,
                   headers={"X-API-Key": KEY, "Content-Type": "application/json"})
    report.add(Outcome("http", "rank-many 200 firms with explain: response size",
                       ok=len(r.content) < 8 * 2**20 or r.status_code in (413, 422),
                       detail=f"{r.status_code}, {len(ex) / 1024:,.0f} KB in, {len(r.content) / 2**20:,.1f} MiB out",
                       seconds=time.perf_counter() - t0, server_errors=int(r.status_code >= 500)))
    mid = _json({"firms": firms[:300], "top": 20})
    sampler = Sampler(proc.pid)
    base_rss = tree_rss(psutil.Process(proc.pid))
    t0 = time.perf_counter()

    def one(_):
        t = time.perf_counter()
        try:
            resp = httpx.post(base + "/v1/rank-many", content=mid, timeout=180,
                              headers={"X-API-Key": KEY, "Content-Type": "application/json"})
            return resp.status_code, time.perf_counter() - t, resp.headers.get("retry-after")
        except httpx.TimeoutException:
            return 0, time.perf_counter() - t, None

    with ThreadPoolExecutor(32) as pool:
        res = list(pool.map(one, range(32)))
    peak = sampler.stop()
    time.sleep(2)  # let the allocator hand memory back before measuring "after"
    after = tree_rss(psutil.Process(proc.pid))
    statuses = [s for s, _, _ in res]
    slow = max(t for _, t, _ in res)
    refused = [s for s, _, ra in res if s == 503]
    retry_ok = all(ra is not None for s, _, ra in res if s == 503)
    five = sum(s >= 500 and s != 503 for s in statuses)
    ok = peak < 1500 and after < base_rss + 150 and slow < 30 and not five and 0 not in statuses and retry_ok
    report.add(Outcome("http", "32 concurrent rank-many (300 firms)", ok=ok,
                       detail=f"statuses {dict((s, statuses.count(s)) for s in sorted(set(statuses)))}, "
                              f"{len(refused)} refused with 503 (Retry-After {'always' if retry_ok else 'MISSING'}), "
                              f"slowest {slow:.1f} s; memory {base_rss:,.0f} MiB before, peak {peak:,.0f}, "
                              f"{after:,.0f} after",
                       seconds=time.perf_counter() - t0, peak_mib=peak, server_errors=five,
                       hang=0 in statuses, cases=32))


def _idle_connections(report: Report, base: str, proc: subprocess.Popen, n: int = 500, wait: float = 15.0) -> None:
    """Connections that send nothing: the server must close them after its timeout."""
    host, port = base.removeprefix("http://").split(":")
    socks = []
    for _ in range(n):
        s = socket.create_connection((host, int(port)))
        socks.append(s)
    t0 = time.perf_counter()
    time.sleep(wait)
    still = 0
    for s in socks:
        s.setblocking(False)
        try:
            data = s.recv(1)
            if data:
                still += 1  # sent something: counts as alive
        except BlockingIOError:
            still += 1  # nothing read, not closed
        except OSError:
            pass
        s.close()
    report.add(Outcome("http", f"{n} idle connections, {wait:.0f} s later", ok=still == 0,
                       detail=f"{still} still open", seconds=time.perf_counter() - t0, cases=n))


def _slow_headers(report: Report, base: str, proc: subprocess.Popen, wait: float = 15.0) -> None:
    """A request whose headers never end (slowloris)."""
    host, port = base.removeprefix("http://").split(":")
    s = socket.create_connection((host, int(port)))
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    t0 = time.perf_counter()
    closed = False
    while time.perf_counter() - t0 < wait:
        try:
            s.settimeout(1)
            s.sendall(b"X-a: b\r\n")
            chunk = s.recv(1024)
            if chunk == b"" or chunk:
                closed = True
                break
        except TimeoutError:
            continue
        except OSError:
            closed = True
            break
    s.close()
    report.add(Outcome("http", "headers that never end", ok=closed,
                       detail=f"closed after {time.perf_counter() - t0:.1f} s" if closed else f"still open after {wait:.0f} s",
                       seconds=time.perf_counter() - t0))


def startup_group(report: Report, workdir: Path) -> None:
    r = run([MATCHER, "serve", "--port", str(free_port())], cwd=workdir, timeout=60,
            env={"MATCHER_API_KEY": "clé-secrète"})
    report.add(Outcome("startup", "non-ASCII MATCHER_API_KEY is refused at start-up",
                       ok=r.code == 2 and len(r.err.strip().splitlines()) == 1 and "API_KEY" in r.err,
                       detail=f"exit {r.code}: {r.err.strip()[-160:]!r}", seconds=r.seconds, peak_mib=r.peak_mib,
                       hang=r.hang))


# ---------------------------------------------------------------------------- files and the CLI
@dataclass
class Case:
    name: str
    setup: Callable[[Path], list[str]]       # writes its files into a fresh directory, returns the command
    check: Callable[[Run, Path], tuple[bool, str]]
    timeout: float = 60
    stdin: str | None = None


def _one_line(r: Run) -> str:
    lines = [ln for ln in r.err.strip().splitlines() if ln.strip()]
    return lines[-1] if lines else ""


def _exit2_one_line(*needles: str) -> Callable[[Run, Path], tuple[bool, str]]:
    def check(r: Run, d: Path) -> tuple[bool, str]:
        lines = [ln for ln in r.err.strip().splitlines() if ln.strip()]
        ok = r.code == 2 and len(lines) == 1 and all(n.lower() in r.err.lower() for n in needles)
        return ok, f"exit {r.code}: {_one_line(r)[:200]!r}" + ("" if len(lines) <= 1 else f" (+{len(lines) - 1} lines)")
    return check


def _summary(r: Run) -> dict:
    with contextlib.suppress(Exception):
        return json.loads(r.out)
    return {}


def _scored(expect_scored: int, expect_errors: int, code: int = 0) -> Callable[[Run, Path], tuple[bool, str]]:
    def check(r: Run, d: Path) -> tuple[bool, str]:
        s = _summary(r)
        ok = (r.code == code and s.get("firms_scored") == expect_scored and s.get("errors") == expect_errors)
        return ok, (f"exit {r.code}: read {s.get('firms_read')} = {s.get('firms_scored')} scored + "
                    f"{s.get('errors')} errors" if s else f"exit {r.code}: {_one_line(r)[:200]!r}")
    return check


def _csv(d: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    p = d / name
    p.write_bytes(text.encode(encoding))
    return p


HEAD = "id,municipality,prefecture,employees,capital_jpy,description\n"
GOOD = "".join(f"g{i},Kita City,Tokyo,{10 + i},10000000,metal press trade fair\n" for i in range(3))


def _batch(name: str, *extra: str) -> list[str]:
    return [MATCHER, "batch", name, "-o", "out.csv", "--json", "--as-of", "2026-11-21", *extra]


def _alias_bomb(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def file_cases() -> list[Case]:
    big = "1" + "0" * 309
    cases = [
        Case("310-digit capital: one error row, the rest scored",
             lambda d: (_csv(d, "big.csv", HEAD + f"bad,Kita City,Tokyo,10,{big},x\n" + GOOD), _batch("big.csv"))[1],
             _scored(3, 1)),
        Case("310-digit employees alone: every row failed, exit 1",
             lambda d: (_csv(d, "big1.csv", HEAD + f"bad,Kita City,Tokyo,{big},1,x\n"), _batch("big1.csv"))[1],
             _scored(0, 1, code=1)),
        Case("a 200,000-character cell: one error row, the rest scored",
             lambda d: (_csv(d, "long.csv", HEAD + "long,Kita City,Tokyo,10,1," + "x" * 200_000 + "\n" + GOOD),
                        _batch("long.csv"))[1],
             lambda r, d: ((_summary(r).get("firms_read") == 4 and r.code in (0,)),
                           f"exit {r.code}: {json.dumps(_summary(r))[:200] if _summary(r) else _one_line(r)[:200]}")),
        Case("a stray quote never loses rows silently",
             lambda d: (_csv(d, "quote.csv", HEAD + 'q,Kita City,Tokyo,10,1,"unterminated\n' + GOOD), _batch("quote.csv"))[1],
             lambda r, d: _stray_quote(r)),
        Case("-o the input file is refused and the input is unchanged",
             lambda d: (_csv(d, "same.csv", HEAD + GOOD), [MATCHER, "batch", "same.csv", "-o", "same.csv"])[1],
             lambda r, d: (r.code == 2 and (d / "same.csv").read_text() == HEAD + GOOD,
                           f"exit {r.code}, input {'unchanged' if (d / 'same.csv').read_text() == HEAD + GOOD else 'CHANGED'}: "
                           f"{_one_line(r)[:160]!r}")),
        Case("an existing output needs --force",
             lambda d: (_csv(d, "in.csv", HEAD + GOOD), (d / "out.csv").write_text("keep me\n"),
                        _batch("in.csv"))[2],
             lambda r, d: (r.code == 2 and (d / "out.csv").read_text() == "keep me\n",
                           f"exit {r.code}: {_one_line(r)[:160]!r}")),
        Case("CP932 CSV: read, or one line naming the file and --encoding",
             lambda d: (_csv(d, "sjis.csv", "id,municipality,prefecture,description\n1,北区,東京都,金属プレス加工\n", "cp932"),
                        _batch("sjis.csv"))[1],
             lambda r, d: ((r.code == 0 and _summary(r).get("firms_scored") == 1)
                           or (r.code == 2 and "sjis.csv" in r.err and "--encoding" in r.err),
                           f"exit {r.code}: {_one_line(r)[:200]!r}")),
        Case("UTF-16 CSV: read, or one line naming the file and --encoding",
             lambda d: (_csv(d, "u16.csv", "id,municipality,prefecture\n1,北区,東京都\n", "utf-16"), _batch("u16.csv"))[1],
             lambda r, d: ((r.code == 0 and _summary(r).get("firms_scored") == 1)
                           or (r.code == 2 and "u16.csv" in r.err and "--encoding" in r.err),
                           f"exit {r.code}: {_one_line(r)[:200]!r}")),
        Case("YAML alias bomb as a firm file: refused at once",
             lambda d: ((d / "bomb.yaml").write_text(_bomb_firm()), [MATCHER, "rank", "bomb.yaml"])[1],
             _exit2_one_line("bomb.yaml", "alias"), timeout=30),
        Case("YAML alias bomb as a firm list: refused at once, small errors file",
             lambda d: ((d / "bomb-list.yaml").write_text(_bomb_list()), _batch("bomb-list.yaml"))[1],
             lambda r, d: _small_errors(r, d), timeout=30),
        Case("YAML alias bomb in a catalog: refused at once",
             lambda d: (_bomb_catalog(d), [MATCHER, "catalog", "validate", "cat"])[1],
             lambda r, d: (r.code == 2 and "alias" in r.err.lower(), f"exit {r.code}: {r.err.strip()[:200]!r}"),
             timeout=30),
        Case("50,000-deep JSON firm file: one line, exit 2",
             lambda d: ((d / "deep.json").write_text('{"municipality": ' + "[" * 50_000 + "]" * 50_000 + "}"),
                        [MATCHER, "rank", "deep.json"])[1],
             _exit2_one_line("deep.json"), timeout=30),
        Case("an unused column is kept, not an error",
             lambda d: (_csv(d, "extra.csv", "id,municipality,prefecture,phone\n1,Kita City,Tokyo,03-1234-5678\n"),
                        _batch("extra.csv"))[1],
             _scored(1, 0)),
        Case("engine file with the right header and another payload",
             lambda d: (_fake_engine(d), [MATCHER, "rank", str(ROOT / "examples/kita-metal-press.yaml"),
                                          "--engine", "fake.joblib"])[1],
             _exit2_one_line("fake.joblib", "engine"), timeout=60),
        Case("truncated manifest.json on --resume: named, with the remedy",
             lambda d: _truncated_manifest(d),
             _exit2_one_line("manifest"), timeout=120),
        Case("--resume after the input changed (same size, mtime restored): refused",
             lambda d: _changed_input(d),
             _exit2_one_line("changed"), timeout=120),
    ]
    return cases


def _stray_quote(r: Run) -> tuple[bool, str]:
    s = _summary(r)
    if s:
        ok = s.get("firms_read", 0) + 0 >= 4 or (s.get("errors", 0) >= 1 and s.get("firms_read") == s.get("firms_scored", 0) + s.get("errors", 0) and s.get("errors", 0) + s.get("firms_scored", 0) >= 4)
        return ok, f"exit {r.code}: read {s.get('firms_read')} = {s.get('firms_scored')} scored + {s.get('errors')} errors"
    return (r.code == 2 and "line" in r.err.lower()), f"exit {r.code}: {_one_line(r)[:200]!r}"


def _small_errors(r: Run, d: Path) -> tuple[bool, str]:
    errs = d / "out.csv.errors.jsonl"
    size = errs.stat().st_size if errs.exists() else 0
    return (r.code in (1, 2) and size < 100_000 and not r.hang), f"exit {r.code}, errors file {size:,} bytes: {_one_line(r)[:160]!r}"


def _bomb_firm() -> str:
    """A firm file of ~500 bytes whose needs expand to 9**9 (387 million) words."""
    return _alias_bomb() + "municipality: Kita City\nprefecture: Tokyo\nneeds: *a8\n"


def _bomb_list() -> str:
    body = _alias_bomb().replace("a0:", "- a0:", 1).replace("\na", "\n  a")
    return "x: 1\n" if not body else (body + "  municipality: Kita City\n  prefecture: Tokyo\n  needs: *a8\n")


def _bomb_catalog(d: Path) -> None:
    cat = d / "cat"
    cat.mkdir()
    (cat / "programs.yaml").write_text(
        "anchors:\n" + "".join("  " + ln + "\n" for ln in _alias_bomb().splitlines())
        + "programs:\n  - id: bomb\n    name: Bomb\n    kind: subsidy\n    keywords: *a8\n"
        + "    provider: {id: x, name: X, kind: municipality}\n    source: [{file: x, quote: y}]\n")


def _fake_engine(d: Path) -> None:
    """A file that starts like a saved engine but holds something else."""
    import joblib

    src = d / "real.joblib"
    subprocess.run([MATCHER, "fit", "-o", str(src)], cwd=d, check=True, capture_output=True)
    obj = joblib.load(src)
    if isinstance(obj, dict):
        fake = {k: v for k, v in obj.items()}
        for k in list(fake):
            if k not in ("format", "version", "format_version", "magic", "header"):
                fake[k] = {"not": "an engine"}
        joblib.dump(fake, d / "fake.joblib")
    else:  # a header object followed by the engine: keep the header, swap the payload
        joblib.dump({"format": getattr(obj, "format", None), "engine": "not an engine"}, d / "fake.joblib")


def _firms(n: int) -> str:
    return HEAD + "".join(f"f{i},Kita City,Tokyo,{10 + i % 90},10000000,metal press trade fair {i % 7}\n" for i in range(n))


def _interrupted(d: Path, n: int = 6000) -> Path:
    """A batch run with several chunks, stopped after its first part is done (a kill -9)."""
    _csv(d, "firms.csv", _firms(n))
    p = subprocess.Popen(_batch("firms.csv", "--chunk-size", "500"), cwd=d, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, start_new_session=True)
    parts = d / "out.csv.parts"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and p.poll() is None:
        if parts.exists() and any(parts.glob("*.done")):
            break
        time.sleep(0.005)
    os.killpg(p.pid, signal.SIGKILL)
    p.wait()
    return parts


def _truncated_manifest(d: Path) -> list[str]:
    parts = _interrupted(d)
    m = parts / "manifest.json"
    if m.exists():
        m.write_text(m.read_text()[:5])
    return _batch("firms.csv", "--chunk-size", "500", "--resume")


def _changed_input(d: Path) -> list[str]:
    _interrupted(d)
    f = d / "firms.csv"
    st = f.stat()
    text = f.read_text()
    f.write_text(text.replace("metal press trade fair 3", "metal press trade fair 4", 1))
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))
    return _batch("firms.csv", "--chunk-size", "500", "--resume")


def cli_group(report: Report, workdir: Path) -> None:
    for case in file_cases():
        d = Path(tempfile.mkdtemp(dir=workdir))
        try:
            cmd = case.setup(d)
        except Exception as exc:  # noqa: BLE001 - a broken setup is reported, not fatal
            report.add(Outcome("cli", case.name, ok=False, detail=f"setup failed: {exc!r}", seconds=0))
            continue
        r = run(cmd, cwd=d, timeout=case.timeout, stdin=case.stdin)
        ok, detail = case.check(r, d)
        tb = "Traceback" in r.err
        report.add(Outcome("cli", case.name, ok=ok and not r.hang and not tb,
                           detail=("HANG/killed; " if r.hang else "") + ("TRACEBACK; " if tb else "") + detail,
                           seconds=r.seconds, peak_mib=r.peak_mib, hang=r.hang, server_errors=int(tb)))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--groups", default="cli,startup,http,schemathesis",
                    help="comma-separated: cli, startup, http, schemathesis")
    ap.add_argument("--seeds", type=int, default=3, help="schemathesis runs, each with its own seed")
    ap.add_argument("--examples", type=int, default=50, help="schemathesis examples per operation")
    ap.add_argument("--max-seconds", type=int, default=600, help="time limit of one schemathesis run")
    args = ap.parse_args(argv)
    groups = [g.strip() for g in args.groups.split(",") if g.strip()]
    report = Report()
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="hostile-") as tmp:
        work = Path(tmp)
        for g in groups:
            print(f"{g}:", flush=True)
            if g == "cli":
                cli_group(report, work)
            elif g == "startup":
                startup_group(report, work)
            elif g == "http":
                http_group(report, work)
            elif g == "schemathesis":
                schemathesis_group(report, work, args.seeds, args.examples, args.max_seconds)
            else:
                ap.error(f"unknown group {g!r}")
    print()
    print(f"hostile input, {time.perf_counter() - t0:.0f} s in all (python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs):")
    print(report.table())
    shutil.rmtree(ROOT / "benchmarks" / "out" / "hostile", ignore_errors=True)
    return 0 if all(r.ok for r in report.rows) else 1


if __name__ == "__main__":
    sys.exit(main())
