"""The service under hostile input (issue 9): strict types, duplicate keys, bounded work, timeouts."""

from __future__ import annotations

import asyncio
import socket
import threading
import warnings

import pytest
from click.testing import CliRunner

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from matcher.cli import cli
from matcher.errors import EngineFormatError
from matcher.persistence import load_engine, read_payload, save_engine, write_payload
from matcher.service import Settings, create_app
from matcher.service.gate import BatchGate
from matcher.service.memory import trim_memory
from matcher.service.problems import ProblemError
from matcher.service.routers import ranking

PROBLEM = "application/problem+json"
KITA = {"municipality": "Kita City", "prefecture": "Tokyo"}
JSON = {"content-type": "application/json"}


@pytest.fixture(scope="module")
def client(engine):
    return TestClient(create_app(Settings(), engine=engine))


def field_errors(response, status: int = 422) -> dict[str, str]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    return {e["field"]: e["message"] for e in response.json()["errors"]}


# ---------------------------------------------------------------------- strict types (D10)
@pytest.mark.parametrize("raw, field", [
    ('"top": true', "body.top"),
    ('"top": 1e2', "body.top"),
    ('"top": 100.0', "body.top"),
    ('"top": "5"', "body.top"),
    ('"explain": 0', "body.explain"),
    ('"explain": "yes"', "body.explain"),
    ('"as_of": 0', "body.as_of"),
    ('"as_of": "0"', "body.as_of"),
    ('"as_of": "2026-11-21T10:00:00"', "body.as_of"),
])
def test_a_boolean_is_a_boolean_an_integer_an_integer_and_a_date_a_date(client, raw, field):
    text = '{"firm": {"municipality": "Kita City", "prefecture": "Tokyo"}, ' + raw + "}"
    assert field in field_errors(client.post("/v1/rank", content=text, headers=JSON))


def test_proper_json_types_are_still_accepted(client):
    r = client.post("/v1/rank", json={"firm": KITA, "top": 2, "explain": True, "as_of": "2026-11-21"})
    assert r.status_code == 200 and len(r.json()["schemes"]) == 2


def test_reach_refuses_loose_booleans_and_integers_too(client):
    body = '{"program": "kita-trade-fair-subsidy", "firms": [{"municipality": "Kita City"}], ' \
           '"top": true, "include_possible": 1}'
    assert {"body.top", "body.include_possible"} <= set(field_errors(client.post("/v1/reach", content=body,
                                                                                  headers=JSON)))


def test_open_on_zero_is_not_the_first_of_january_1970(client):
    assert "query.open_on" in field_errors(client.get("/v1/programs", params={"open_on": "0"}))
    assert client.get("/v1/programs", params={"open_on": "2026-11-21"}).status_code == 200


@pytest.mark.parametrize("text, key", [
    ('{"firm": {"municipality": "Kita City", "prefecture": "Tokyo"}, "top": 1, "top": 2}', "top"),
    ('{"firm": {"municipality": "Kita City", "municipality": "Hamura", "prefecture": "Tokyo"}}', "municipality"),
])
def test_a_duplicate_json_key_is_refused_naming_the_key(client, text, key):
    messages = field_errors(client.post("/v1/rank", content=text, headers=JSON))
    assert f"duplicate key '{key}'" in messages["body"]


def test_json_nested_too_deeply_is_a_422_not_a_crash(client):
    text = '{"firm": ' + "[" * 50_000 + "]" * 50_000 + "}"
    assert "body" in field_errors(client.post("/v1/rank", content=text, headers=JSON))


# ---------------------------------------------------------------------- bounded rank-many (D6)
def test_rank_many_refuses_more_rankings_than_the_cap_naming_it(engine):
    small = TestClient(create_app(Settings(max_results=40), engine=engine))
    messages = field_errors(small.post("/v1/rank-many", json={"firms": [KITA] * 5, "top": 10}))
    assert "at most 40" in messages["body.top"] and "5 x 10 = 50" in messages["body.top"]
    # the default top (10) counts when none is given
    assert "body.top" in field_errors(small.post("/v1/rank-many", json={"firms": [KITA] * 5}))
    assert small.post("/v1/rank-many", json={"firms": [KITA] * 4, "top": 10}).status_code == 200


def test_rank_many_with_explain_is_limited_to_a_few_firms(engine):
    small = TestClient(create_app(Settings(max_explain_firms=2), engine=engine))
    messages = field_errors(small.post("/v1/rank-many", json={"firms": [KITA] * 3, "explain": True}))
    assert "limited to 2 firms" in messages["body.explain"]
    assert small.post("/v1/rank-many", json={"firms": [KITA] * 3}).status_code == 200
    assert small.post("/v1/rank-many", json={"firms": [KITA] * 2, "explain": True}).status_code == 200


def test_one_large_request_more_than_the_limit_is_answered_503_with_retry_after():
    async def scenario():
        gate = BatchGate(2, retry_after=3)
        async with gate, gate:
            with pytest.raises(ProblemError) as refused:
                async with gate:
                    pass  # pragma: no cover - never admitted
            busy = gate.busy
        return refused.value, busy, gate.busy

    refused, busy, after = asyncio.run(scenario())
    assert refused.status == 503 and refused.headers == {"Retry-After": "3"}
    assert "MATCHER_MAX_BATCHES=2" in refused.detail
    assert (busy, after) == (2, 0)  # the refused one never counted; all released


def test_a_busy_service_answers_rank_many_with_a_503_problem(engine):
    app = create_app(Settings(max_batches=1), engine=engine)
    client = TestClient(app)
    gate = app.state.batches
    gate.busy = 1  # another large request is being answered
    r = client.post("/v1/rank-many", json={"firms": [KITA]})
    assert r.status_code == 503 and r.headers["retry-after"] == "2"
    assert r.headers["content-type"] == PROBLEM
    gate.busy = 0
    assert client.post("/v1/rank-many", json={"firms": [KITA]}).status_code == 200


def test_memory_is_handed_back_to_the_system_on_glibc():
    import platform

    assert trim_memory() is (platform.system() == "Linux" and platform.libc_ver()[0] == "glibc")


# ---------------------------------------------------------------------- off the event loop (D5)
def test_a_large_rank_body_is_ranked_in_the_thread_pool_and_a_small_one_on_the_loop(engine, monkeypatch):
    hops = []
    original = ranking.off_loop

    async def counting(fn, limiter):
        hops.append(limiter.total_tokens)
        return await original(fn, limiter)

    monkeypatch.setattr(ranking, "off_loop", counting)
    client = TestClient(create_app(Settings(inline_body_bytes=4096), engine=engine))
    small = client.post("/v1/rank", json={"firm": {**KITA, "description": "metal press"}})
    assert small.status_code == 200 and hops == []
    large = client.post("/v1/rank", json={"firm": {**KITA, "description": "metal press trade fair " * 400}})
    assert large.status_code == 200 and hops == [2]  # at most MATCHER_MAX_BATCHES at once


# ---------------------------------------------------------------------- start-up and files (D11, D12)
def test_a_non_ascii_api_key_is_refused_at_start_up_in_one_line_without_echoing_it(monkeypatch):
    monkeypatch.setenv("MATCHER_API_KEY", "clé-secrète")
    result = CliRunner().invoke(cli, ["serve", "--port", "0"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "MATCHER_API_KEY" in lines[0] and "ASCII" in lines[0]
    assert "secr" not in result.output


def test_an_engine_file_with_the_header_but_another_payload_is_not_a_saved_engine(tmp_path, engine):
    real = save_engine(engine, tmp_path / "real.joblib")
    payload = read_payload(real)
    for fake in ({"not": "an engine"}, None, "engine"):
        write_payload({**payload, "engine": fake}, tmp_path / "fake.joblib")
        with pytest.raises(EngineFormatError, match="not a saved shien-matcher engine"):
            load_engine(tmp_path / "fake.joblib")
    result = CliRunner().invoke(cli, ["serve", "--engine", str(tmp_path / "fake.joblib")])
    assert result.exit_code == 2 and "not a saved shien-matcher engine" in result.output
    assert len(result.output.strip().splitlines()) == 1


# ---------------------------------------------------------------------- connection timeouts (D14)
def test_serve_closes_idle_keep_alive_connections_and_limits_headers():
    from matcher.cli.serve import UVICORN_LIMITS, _uvicorn_limits

    assert UVICORN_LIMITS["timeout_keep_alive"] <= 10
    assert UVICORN_LIMITS["h11_max_incomplete_event_size"] <= 64 * 1024
    assert _uvicorn_limits()["http"] == "matcher.service.timeouts:HeaderTimeoutProtocol"


@pytest.fixture
def quick_server(engine):
    import uvicorn

    from matcher.service.timeouts import HeaderTimeoutProtocol

    class Quick(HeaderTimeoutProtocol):
        header_timeout = 0.3

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(Settings(), engine=engine), http=Quick, log_level="error"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        thread.join(0.01)
    yield port
    server.should_exit = True
    thread.join(10)


def _closed_within(conn: socket.socket, seconds: float) -> bool:
    conn.settimeout(seconds)
    try:
        while conn.recv(4096):
            pass  # a response, then the close
        return True
    except (TimeoutError, socket.timeout):
        return False
    except ConnectionResetError:
        return True


def test_a_connection_that_never_sends_its_headers_is_closed(quick_server):
    silent = socket.create_connection(("127.0.0.1", quick_server))
    partial = socket.create_connection(("127.0.0.1", quick_server))
    partial.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-a: b\r\n")
    assert _closed_within(silent, 10) and _closed_within(partial, 10)


def test_a_connection_that_sends_its_headers_in_time_is_answered(quick_server):
    conn = socket.create_connection(("127.0.0.1", quick_server))
    conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    conn.settimeout(10)
    assert conn.recv(4096).startswith(b"HTTP/1.1 200")
