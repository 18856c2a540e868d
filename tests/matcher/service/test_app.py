"""The HTTP service, through FastAPI's TestClient: answers, errors, limits, keys, reloads."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import warnings

import pytest
import yaml
from click.testing import CliRunner

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's notice about httpx2
    from fastapi.testclient import TestClient

from matcher.cli import cli
from matcher.service import Settings, create_app
from profiles.catalog import default_catalog_path
from tests.conftest import EXAMPLES, ROOT

AS_OF = "2026-11-21"
PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def client(engine):
    return TestClient(create_app(Settings(), engine=engine))


def firm_of(path) -> dict:
    """A firm file as the JSON a client would send (dates as ISO strings)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in data.items()}


def cli_json(*args) -> str:
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def as_cli_prints(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def problem_of(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def catalog_copy(tmp_path):
    target = tmp_path / "catalog"
    shutil.copytree(default_catalog_path(), target)
    return target


# ---------------------------------------------------------------------- ranking
@pytest.mark.parametrize("example, options", [
    ("kita-metal-press.yaml", []),
    ("kita-metal-press-ja.yaml", ["--top", "3"]),
    ("hamura-no-size.yaml", ["--explain"]),
    ("kita-metal-press-ja.yaml", ["--lang", "ja"]),
])
def test_rank_answers_with_exactly_the_json_that_matcher_rank_prints(client, example, options):
    printed = cli_json("rank", EXAMPLES / example, "--json", "--as-of", AS_OF, *options)
    body = {"firm": firm_of(EXAMPLES / example), "as_of": AS_OF}
    if "--top" in options:
        body["top"] = int(options[options.index("--top") + 1])
    if "--explain" in options:
        body["explain"] = True
    if "--lang" in options:
        body["lang"] = options[options.index("--lang") + 1]
    response = client.post("/v1/rank", json=body)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert as_cli_prints(response.json()) == printed  # same keys, same order, same values


def test_rank_many_answers_each_firm_in_order_as_rank_does(client):
    firms = [firm_of(EXAMPLES / name) for name in ("kita-metal-press.yaml", "osaka-plastics.yaml",
                                                   "hamura-no-size.yaml")]
    response = client.post("/v1/rank-many", json={"firms": firms, "as_of": AS_OF, "top": 3})
    assert response.status_code == 200
    results = response.json()["results"]
    assert response.json()["as_of"] == AS_OF
    singles = [client.post("/v1/rank", json={"firm": f, "as_of": AS_OF, "top": 3}).json() for f in firms]
    assert results == singles


def test_rank_many_names_the_bad_firm_by_its_position(client):
    firms = [{"municipality": "Kita City"}, {"municipality": "Atlantis"}]
    body = problem_of(client.post("/v1/rank-many", json={"firms": firms}), 422)
    assert body["errors"][0]["field"] == "body.firms[1].municipality"
    assert body["errors"][0]["value"] == "Atlantis"


def test_reach_lists_the_firms_a_program_fits_best_with_their_rows(client):
    firms = [{"id": "far", "municipality": "Sapporo"}, firm_of(EXAMPLES / "kita-metal-press.yaml")]
    response = client.post("/v1/reach", json={"program": "kita-trade-fair-subsidy", "firms": firms,
                                              "as_of": AS_OF, "top": 5})
    assert response.status_code == 200
    data = response.json()
    assert data["program"] == "kita-trade-fair-subsidy" and data["firms"] == 2
    assert [(h["firm_id"], h["row"], h["status"]) for h in data["hits"]] == [("kita-001", 2, "eligible")]


def test_reach_of_an_unknown_program_names_the_closest_ids(client):
    body = problem_of(client.post("/v1/reach", json={"program": "kita-trade-fair", "firms": [
        {"municipality": "Kita City"}]}), 422)
    assert body["errors"][0]["field"] == "body.program"
    assert "kita-trade-fair-subsidy" in body["errors"][0]["message"]


# ---------------------------------------------------------------------- input errors
@pytest.mark.parametrize("body, field, value, words", [
    ({"firm": {"municipality": "Kita"}}, "body.firm.municipality", "Kita", ["ambiguous", "131172"]),
    ({"firm": {"municipality": "Atlantis"}}, "body.firm.municipality", "Atlantis", ["unknown municipality"]),
    ({"firm": {"municipality": "Kita City", "employees": -5}}, "body.firm.employees", -5, ["greater than"]),
    ({"firm": {"municipality": "Kita City", "needs": ["trade_fare"]}}, "body.firm.needs[0]", "trade_fare",
     ["trade_fair"]),
    ({"firm": {"municipality": "Kita City", "headcount": 3}}, "body.firm.headcount", 3, ["unknown field"]),
    ({"firm": {"municipality": "Kita City", "founded": "21/11/2026"}}, "body.firm.founded", "21/11/2026", ["date"]),
    ({"firm": {}}, "body.firm.municipality", None, ["location is required"]),
    ({"firm": {"municipality": "Kita City"}, "as_of": "2026-02-30"}, "body.as_of", "2026-02-30", ["date"]),
    ({"firm": {"municipality": "Kita City"}, "top": 10 ** 30}, "body.top", 10 ** 30, ["less than or equal to 100"]),
    ({"firm": {"municipality": "Kita City"}, "top": 0}, "body.top", 0, ["greater than or equal to 1"]),
    ({}, "body.firm", None, ["required"]),
    ([1, 2], "body", [1, 2], ["dictionary"]),
])
def test_invalid_input_is_a_422_problem_naming_the_field_path_and_the_value(client, body, field, value, words):
    problem = problem_of(client.post("/v1/rank", json=body), 422)
    assert problem["type"] == "urn:shien-matcher:problem:invalid-input"
    assert problem["instance"] == "/v1/rank"
    first = problem["errors"][0]
    assert (first["field"], first["value"]) == (field, value)
    for word in words:
        assert word in first["message"] + problem["detail"]
    assert problem["detail"].startswith(field)


def test_every_bad_field_of_a_request_is_listed(client):
    body = {"firm": {"municipality": "Kita City", "employees": -1, "capital_jpy": "lots"}, "top": 0}
    problem = problem_of(client.post("/v1/rank", json=body), 422)
    assert {e["field"] for e in problem["errors"]} == {"body.firm.employees", "body.firm.capital_jpy", "body.top"}


@pytest.mark.parametrize("text, field", [
    ("{not json", "body"),
    ('{"firm": {"municipality": "Kita City", "employees": NaN}}', "body.firm.employees"),
    ('{"firm": {"municipality": "\\ud800"}}', "body.firm.municipality"),
])
def test_malformed_json_and_unrepresentable_values_are_422_not_500(client, text, field):
    response = client.post("/v1/rank", content=text, headers={"content-type": "application/json"})
    problem = problem_of(response, 422)
    assert problem["errors"][0]["field"] == field


def test_a_long_bad_value_is_echoed_shortened(client):
    problem = problem_of(client.post("/v1/rank", json={"firm": {"municipality": "x" * 5000}}), 422)
    value = problem["errors"][0]["value"]
    assert len(value) < 300 and value.endswith("(5000 chars)")


def test_lists_over_the_cap_are_refused(engine):
    small = TestClient(create_app(Settings(max_firms=2, max_top=5), engine=engine))
    firms = [{"municipality": "Kita City"}] * 3
    problem = problem_of(small.post("/v1/rank-many", json={"firms": firms}), 422)
    assert problem["errors"][0]["field"] == "body.firms"
    assert "at most 2" in problem["errors"][0]["message"]
    problem = problem_of(small.post("/v1/rank", json={"firm": firms[0], "top": 6}), 422)
    assert problem["errors"][0]["field"] == "body.top"


# ---------------------------------------------------------------------- body size
@pytest.fixture(scope="module")
def small_body_client(engine):
    return TestClient(create_app(Settings(max_body_bytes=2048), engine=engine))


def test_a_body_over_the_limit_is_refused_with_413_before_it_is_parsed(small_body_client):
    text = "{" + "x" * 4000  # not even JSON: the size is checked first
    problem = problem_of(small_body_client.post("/v1/rank", content=text,
                                                headers={"content-type": "application/json"}), 413)
    assert "4001 bytes" in problem["detail"] and "2048" in problem["detail"]


def test_a_streamed_body_without_length_is_counted_and_refused_past_the_limit(small_body_client):
    def chunks():
        for _ in range(10):
            yield b"x" * 512

    response = small_body_client.post("/v1/rank", content=chunks(), headers={"content-type": "application/json"})
    assert "content-length" not in {k.lower() for k in response.request.headers}
    problem_of(response, 413)


def test_a_body_under_the_limit_is_served(small_body_client):
    response = small_body_client.post("/v1/rank", json={"firm": {"municipality": "Kita City"}, "top": 1})
    assert response.status_code == 200


# ---------------------------------------------------------------------- catalog routes
def test_programs_carry_what_a_page_needs_to_show_and_filter_them(client, engine):
    data = client.get("/v1/programs", params={"limit": 200}).json()
    assert data["total"] == engine.n_programs_ == len(data["items"])
    item = data["items"][0]
    assert {"id", "name", "name_ja", "kind", "provider", "needs"} <= set(item)
    assert {"id", "name", "name_ja", "kind"} <= set(item["provider"])


def test_programs_filter_by_kind_need_provider_and_date(client):
    subsidies = client.get("/v1/programs", params={"kind": "subsidy", "limit": 200}).json()["items"]
    assert subsidies and {p["kind"] for p in subsidies} == {"subsidy"}
    fairs = client.get("/v1/programs", params={"need": "展示会", "limit": 200}).json()["items"]
    assert "kita-trade-fair-subsidy" in [p["id"] for p in fairs]
    assert all("trade_fair" in p["needs"] for p in fairs)
    kita = client.get("/v1/programs", params={"provider": "kita-city", "limit": 200}).json()["items"]
    assert kita and {p["provider"]["id"] for p in kita} == {"kita-city"}
    open_2014 = {p["id"] for p in client.get("/v1/programs", params={"open_on": "2014-06-01", "limit": 200}).json()["items"]}
    open_2026 = {p["id"] for p in client.get("/v1/programs", params={"open_on": AS_OF, "limit": 200}).json()["items"]}
    assert open_2014 - open_2026  # Hamura's programs that ended on 2015-03-31


def test_program_pages_cover_the_list_once(client):
    everything = [p["id"] for p in client.get("/v1/programs", params={"limit": 200}).json()["items"]]
    seen, offset = [], 0
    while offset is not None:
        page = client.get("/v1/programs", params={"limit": 7, "offset": offset}).json()
        seen += [p["id"] for p in page["items"]]
        offset = page["next_offset"]
    assert seen == everything


@pytest.mark.parametrize("params, field", [
    ({"kind": "grant"}, "query.kind"),
    ({"need": "teleportation"}, "query.need"),
    ({"limit": 0}, "query.limit"),
    ({"limit": 100000}, "query.limit"),
    ({"open_on": "tomorrow"}, "query.open_on"),
])
def test_bad_list_parameters_are_named(client, params, field):
    problem = problem_of(client.get("/v1/programs", params=params), 422)
    assert problem["errors"][0]["field"] == field


def test_one_program_has_every_catalog_field_and_an_unknown_one_is_404(client):
    program = client.get("/v1/programs/kita-trade-fair-subsidy").json()
    assert program["benefit"]["max_amount_jpy"] == 200000 and program["source"]
    problem = problem_of(client.get("/v1/programs/kita-trade-fair"), 404)
    assert "kita-trade-fair-subsidy" in problem["detail"]


@pytest.mark.parametrize("q", ["kita", "Kita City", "北区", "きた", "キタ"])
def test_municipality_autocomplete_finds_kita_city_in_tokyo_by_any_script(client, q):
    data = client.get("/v1/municipalities", params={"q": q, "prefecture": "Tokyo"}).json()
    first = data["items"][0]
    assert (first["code"], first["name"], first["name_ja"], first["prefecture"]) == (
        "131172", "Kita City", "北区", "Tokyo")


def test_municipalities_by_prefecture_are_paginated(client):
    page = client.get("/v1/municipalities", params={"prefecture": "東京都", "limit": 10}).json()
    assert page["total"] == 62 and len(page["items"]) == 10 and page["next_offset"] == 10
    assert {m["prefecture_code"] for m in page["items"]} == {"13"}


def test_an_unknown_prefecture_is_422_with_candidates(client):
    problem = problem_of(client.get("/v1/municipalities", params={"prefecture": "Tokio"}), 422)
    assert problem["errors"][0]["field"] == "query.prefecture" and "Tokyo" in problem["errors"][0]["message"]


def test_a_municipality_by_code_or_profile_id_has_its_profile_and_programs(client):
    by_code = client.get("/v1/municipalities/131172").json()
    by_id = client.get("/v1/municipalities/kita-tokyo").json()
    assert by_code == by_id
    assert by_code["profile"] == "kita-tokyo" and by_code["details"]["name_ja"] == "北区"
    assert "kita-trade-fair-subsidy" in by_code["programs"]
    plain = client.get("/v1/municipalities/011029").json()  # Kita Ward, Sapporo: no profile
    assert plain["label"] == "Kita Ward, Sapporo, Hokkaido" and plain["details"] is None
    problem_of(client.get("/v1/municipalities/999999"), 404)


def test_the_vocabulary_has_the_pickers_words(client):
    data = client.get("/v1/vocabulary").json()
    assert {"id": "trade_fair", "label_en": "trade fairs and exhibitions", "label_ja": "展示会・見本市"} in data["needs"]
    assert {"code": "E24", "name_en": "fabricated metal products", "name_ja": "金属製品製造業",
            "level": "major_group"} in data["industries"]
    assert "subsidy" in [k["id"] for k in data["program_kinds"]]
    assert len(data["prefectures"]) == 47


# ---------------------------------------------------------------------- health, docs, routing
def test_health_and_readiness_report_the_engine(client, engine):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["catalog_hash"] == engine.catalog_hash_ and ready["programs"] == engine.n_programs_
    assert ready["version"] and ready["generation"] == 1


def test_the_openapi_schema_documents_every_model_with_examples_and_problems(client):
    schema = client.get("/openapi.json").json()
    components = schema["components"]["schemas"]
    assert [name for name, s in components.items() if "examples" not in s] == []
    for path, ops in schema["paths"].items():
        for op in ops.values():
            for status, resp in op["responses"].items():
                if status.startswith(("4", "5")):
                    assert list(resp["content"]) == [PROBLEM], (path, status)
    assert {"/v1/rank", "/v1/rank-many", "/v1/reach", "/v1/programs", "/v1/programs/{program_id}",
            "/v1/municipalities", "/v1/municipalities/{municipality_id}", "/v1/vocabulary",
            "/v1/admin/reload", "/healthz", "/readyz"} <= set(schema["paths"])
    assert "swagger-ui" in client.get("/docs").text


def test_unknown_routes_and_methods_are_problems_too(client):
    problem_of(client.get("/v1/nothing-here"), 404)
    problem_of(client.get("/v1/rank"), 405)


def test_the_page_is_served_at_the_root(client):
    response = client.get("/")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")


# ---------------------------------------------------------------------- API key
def test_an_api_key_guards_every_v1_route_but_not_health_or_docs(engine):
    guarded = TestClient(create_app(Settings(api_key="s3cret"), engine=engine))
    problem = problem_of(guarded.get("/v1/vocabulary"), 401)
    assert "X-API-Key" in problem["detail"]
    problem_of(guarded.get("/v1/vocabulary", headers={"X-API-Key": "wrong"}), 401)
    problem_of(guarded.post("/v1/rank", json={"firm": {"municipality": "Kita City"}}), 401)
    assert guarded.get("/v1/vocabulary", headers={"X-API-Key": "s3cret"}).status_code == 200
    assert guarded.get("/v1/vocabulary", headers={"Authorization": "Bearer s3cret"}).status_code == 200
    for open_path in ("/healthz", "/readyz", "/openapi.json", "/docs"):
        assert guarded.get(open_path).status_code == 200


# ---------------------------------------------------------------------- reload
def test_reload_is_refused_without_its_token(client, engine):
    problem_of(client.post("/v1/admin/reload"), 403)  # no token configured: disabled
    guarded = TestClient(create_app(Settings(admin_token="t0ken"), engine=engine))
    problem_of(guarded.post("/v1/admin/reload"), 401)
    problem_of(guarded.post("/v1/admin/reload", headers={"X-Admin-Token": "wrong"}), 401)


def test_reload_swaps_in_the_edited_catalog_and_a_broken_one_leaves_the_old_serving(tmp_path, engine):
    catalog = catalog_copy(tmp_path)
    app = create_app(Settings(catalog=catalog, admin_token="t0ken"), engine=engine)
    c = TestClient(app)
    token = {"X-Admin-Token": "t0ken"}
    before = c.get("/readyz").json()

    (catalog / "broken.yaml").write_text("programs:\n  - id: Bad Id\n    name: x\n", encoding="utf-8")
    problem = problem_of(c.post("/v1/admin/reload", headers=token), 422)
    assert problem["type"] == "urn:shien-matcher:problem:invalid-catalog"
    assert any(e["field"].startswith("broken.yaml") for e in problem["errors"])
    assert c.get("/readyz").json() == before  # still the old engine

    (catalog / "broken.yaml").unlink()
    kita = catalog / "kita.yaml"
    kita.write_text(kita.read_text(encoding="utf-8").replace("200000", "250000"), encoding="utf-8")
    reloaded = c.post("/v1/admin/reload", headers=token).json()
    assert reloaded["changed"] is True and reloaded["generation"] == 2
    assert reloaded["previous_catalog_hash"] == before["catalog_hash"] != reloaded["catalog_hash"]
    assert c.get("/v1/programs/kita-trade-fair-subsidy").json()["benefit"]["max_amount_jpy"] == 250000


def test_a_request_in_flight_during_a_reload_finishes_on_the_old_engine(tmp_path):
    from matcher import MatchEngine

    catalog = catalog_copy(tmp_path)
    old = MatchEngine().fit(catalog)
    app = create_app(Settings(catalog=catalog, admin_token="t0ken"), engine=old)
    entered, release, answered = threading.Event(), threading.Event(), {}
    original = old.rank

    def slow_rank(*args, **kwargs):
        entered.set()
        assert release.wait(timeout=60)
        return original(*args, **kwargs)

    old.rank = slow_rank
    with TestClient(app) as c:
        def in_flight():
            # explained rankings run in the thread pool, so this one can wait while the reload goes on
            answered["response"] = c.post("/v1/rank", json={"firm": {"municipality": "Kita City"}, "top": 1,
                                                            "explain": True})

        worker = threading.Thread(target=in_flight)
        worker.start()
        assert entered.wait(timeout=60)
        assert c.post("/v1/admin/reload", headers={"X-Admin-Token": "t0ken"}).status_code == 200
        assert app.state.slot.current.engine is not old
        assert c.post("/v1/rank", json={"firm": {"municipality": "Kita City"}, "top": 1}).status_code == 200
        release.set()
        worker.join(timeout=60)
    assert answered["response"].status_code == 200


# ---------------------------------------------------------------------- the command
@pytest.mark.parametrize("args, words", [
    (["--catalog", "/no/such/catalog"], ["no such file or directory"]),
    (["--port", "70000"], ["--port", "70000"]),
    (["--engine", "/no/such/engine.joblib"], ["no such engine file"]),
    (["--workers", "0"], ["--workers"]),
])
def test_serve_refuses_bad_options_in_one_line_with_exit_code_2(args, words):
    result = CliRunner().invoke(cli, ["serve", *args])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1 and result.output.startswith("error: ")
    for word in words:
        assert word in result.output


def test_serve_reloads_its_catalog_on_sighup_and_keeps_serving_when_it_is_broken(tmp_path):
    """Runs `matcher serve` on loopback; waits on its log lines, never on a clock."""
    import httpx

    catalog = catalog_copy(tmp_path)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "matcher", "serve", "--catalog", str(catalog), "--port", "0",
                             "--no-access-log"], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    try:
        def line_with(word: str) -> str:
            for line in proc.stderr:
                if word in line:
                    return line
            raise AssertionError(f"the server ended before logging {word!r}")

        url = line_with("Uvicorn running on").split("running on ")[1].split()[0]
        before = httpx.get(f"{url}/readyz").json()
        (catalog / "broken.yaml").write_text("programs: 3\n", encoding="utf-8")
        proc.send_signal(signal.SIGHUP)
        assert "catalog has 1 problem" in line_with("reload failed")
        assert httpx.get(f"{url}/readyz").json() == before
        (catalog / "broken.yaml").unlink()
        proc.send_signal(signal.SIGHUP)
        line_with("reloaded:")
        assert httpx.get(f"{url}/readyz").json()["generation"] == before["generation"] + 1
    finally:
        proc.terminate()
        proc.wait(timeout=30)
