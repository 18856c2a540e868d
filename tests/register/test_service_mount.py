"""The register mounted in the service (`matcher serve --db`): every route behind a coordinator's key,
problems in Japanese, pagination, import through the body, "since your last visit", and `--weights`."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from matcher.cli import cli
from matcher.register.importer import import_firms
from matcher.service.app import create_app
from matcher.service.settings import Settings
from matcher.weights import dump_weights
from tests.conftest import EXAMPLES

KITA = "kita-trade-fair-subsidy"


@pytest.fixture
def desk(reg, db_url, engine):
    """The service with the register of Kita's eight firms; keys of two coordinators and an admin."""
    import_firms(reg, EXAMPLES / "kita-register.csv")
    keys = {"suzuki": reg.add_coordinator("suzuki"), "tanaka": reg.add_coordinator("tanaka"),
            "boss": reg.add_coordinator("boss", role="admin")}
    app = create_app(Settings(db=db_url, api_key=None, admin_token=None, max_page_size=5), engine=engine)
    with TestClient(app) as client:
        yield client, keys


def _h(key: str, **more: str) -> dict:
    return {"X-API-Key": key, **more}


def _register_routes(client) -> list[tuple[str, str]]:
    spec = client.get("/openapi.json").json()
    return [(method, path) for path, ops in spec["paths"].items() if path.startswith("/v1/register")
            for method in ops]


def test_the_register_routes_are_in_the_openapi_spec_behind_the_coordinator_key(desk):
    client, _ = desk
    spec = client.get("/openapi.json").json()
    paths = {p for p in spec["paths"] if p.startswith("/v1/register")}
    assert {"/v1/register/firms", "/v1/register/firms/{firm_id}", "/v1/register/firms/{firm_id}/matches",
            "/v1/register/firms/{firm_id}/history", "/v1/register/firms/import", "/v1/register/outcomes",
            "/v1/register/programs/{program_id}/reach", "/v1/register/alerts", "/v1/register/report",
            "/v1/register/visits", "/v1/register/me"} <= paths
    assert "CoordinatorKey" in spec["components"]["securitySchemes"]
    firms = spec["paths"]["/v1/register/firms"]["get"]
    assert {"CoordinatorKey": []} in firms["security"]
    assert "application/problem+json" in firms["responses"]["401"]["content"]


def test_without_a_register_there_are_no_register_routes(engine):
    client = TestClient(create_app(Settings(api_key=None, admin_token=None), engine=engine))
    assert client.get("/v1/register/firms").status_code == 404
    assert not [p for p in client.get("/openapi.json").json()["paths"] if p.startswith("/v1/register")]


def test_no_register_route_answers_without_a_key_or_with_a_wrong_one(desk):
    client, _ = desk
    routes = _register_routes(client)
    assert len(routes) >= 14
    for method, path in routes:
        url = path.replace("{firm_id}", "k01").replace("{program_id}", KITA)
        for headers in ({}, _h("shm_not-a-key")):
            r = client.request(method, url, headers=headers)
            assert r.status_code == 401, (method, url, r.text)
            assert r.headers["content-type"] == "application/problem+json" and r.headers["www-authenticate"] == "Bearer"


def test_a_missing_key_is_explained_in_japanese_when_asked(desk):
    client, keys = desk
    r = client.get("/v1/register/firms", headers={"Accept-Language": "ja"})
    assert r.status_code == 401 and r.json()["title"] == "認証が必要です" and "API キーが必要です" in r.json()["detail"]
    r = client.get("/v1/register/firms", params={"lang": "ja"}, headers=_h("shm_wrong"))
    assert r.json()["detail"] == "この API キーは登録されていないか、無効にされています" and r.json()["lang"] == "ja"


def test_a_coordinator_is_refused_what_only_an_admin_may_do(desk):
    client, keys = desk
    for method, url in (("GET", "/v1/register/coordinators"), ("DELETE", "/v1/register/firms/k08?version=1")):
        r = client.request(method, url, headers=_h(keys["suzuki"]))
        assert r.status_code == 403 and r.headers["content-type"] == "application/problem+json", url
    r = client.get("/v1/register/coordinators", headers=_h(keys["suzuki"], **{"Accept-Language": "ja"}))
    assert r.json()["title"] == "拒否されました" and "管理者だけ" in r.json()["detail"]
    boss = client.post("/v1/register/coordinators", json={"name": "ito"}, headers=_h(keys["boss"]))
    assert boss.status_code == 201 and boss.json()["key"].startswith("shm_")
    assert client.get("/v1/register/me", headers=_h(boss.json()["key"])).json() == {"name": "ito", "role": "coordinator",
                                                                                    "firms": 8}


def test_two_coordinators_editing_one_firm_the_second_gets_409_in_their_language(desk):
    client, keys = desk
    v = client.get("/v1/register/firms/k01", headers=_h(keys["suzuki"])).json()["version"]
    a = client.patch("/v1/register/firms/k01", json={"version": v, "changes": {"employees": 30}},
                     headers=_h(keys["suzuki"]))
    b = client.patch("/v1/register/firms/k01", json={"version": v, "changes": {"employees": 31}},
                     headers=_h(keys["tanaka"], **{"Accept-Language": "ja"}))
    assert a.status_code == 200 and a.json()["updated_by"] == "suzuki"
    assert b.status_code == 409 and b.headers["content-type"] == "application/problem+json"
    assert b.json()["title"] == "編集が競合しました" and "ほかの人が変更しました" in b.json()["detail"]
    assert (b.json()["firm_id"], b.json()["expected_version"], b.json()["current_version"]) == ("k01", v, v + 1)
    history = client.get("/v1/register/firms/k01/history", headers=_h(keys["tanaka"])).json()
    assert [c["actor"] for c in history["changes"] if c["action"] == "update"] == ["suzuki"]


def test_firms_are_paginated_to_the_services_page_size_and_searchable(desk):
    client, keys = desk
    first = client.get("/v1/register/firms", params={"limit": 5}, headers=_h(keys["suzuki"])).json()
    assert first["total"] == 8 and len(first["firms"]) == 5 and first["next_offset"] == 5
    rest = client.get("/v1/register/firms", params={"limit": 5, "offset": 5}, headers=_h(keys["suzuki"])).json()
    assert rest["next_offset"] is None
    assert [f["firm_id"] for f in first["firms"] + rest["firms"]] == [f"k0{i}" for i in range(1, 9)]
    assert client.get("/v1/register/firms", headers=_h(keys["suzuki"])).json()["limit"] == 5  # the default, bounded
    too_many = client.get("/v1/register/firms", params={"limit": 6}, headers=_h(keys["suzuki"]))
    assert too_many.status_code == 422 and too_many.json()["errors"][0]["field"] == "query.limit"
    found = client.get("/v1/register/firms", params={"search": "oji"}, headers=_h(keys["suzuki"])).json()
    assert [f["firm_id"] for f in found["firms"]] == ["k01", "k07"]


def test_a_firm_list_imported_through_the_body_reports_each_bad_row_by_number(desk):
    client, keys = desk
    text = ("id,name,prefecture,municipality,employees\n"
            "k01,Oji Precision Press,Tokyo,Kita,26\n"
            "n01,New Firm,Tokyo,Kita,4\n"
            "n02,Nowhere Firm,Tokyo,Atlantis,3\n")
    r = client.post("/v1/register/firms/import", params={"filename": "visits.csv"}, content=text.encode("cp932"),
                    headers=_h(keys["tanaka"], **{"Content-Type": "text/csv"}))
    assert r.status_code == 200, r.text
    rep = r.json()
    assert (rep["file"], rep["added"], rep["updated"], rep["unchanged"]) == ("visits.csv", 1, 1, 0)
    assert [(e["row"], e["field"]) for e in rep["errors"]] == [(3, "municipality")]  # data rows, as the CLI numbers them
    assert client.get("/v1/register/firms/n01", headers=_h(keys["suzuki"])).json()["added_by"] == "tanaka"
    bad = client.post("/v1/register/firms/import", params={"filename": "visits.exe"}, content=b"x",
                      headers=_h(keys["tanaka"]))
    assert bad.status_code == 422 and bad.json()["field"] == "filename"


def test_an_outcome_shows_on_the_firms_matches_and_leaves_its_alerts(desk):
    client, keys = desk
    matches = client.get("/v1/register/firms/k01/matches", headers=_h(keys["suzuki"])).json()["matches"]
    assert KITA in [m["program_id"] for m in matches]
    r = client.post("/v1/register/outcomes", json={"firm_id": "k01", "program_id": KITA, "status": "interested"},
                    headers=_h(keys["suzuki"]))
    assert r.status_code == 201
    matches = client.get("/v1/register/firms/k01/matches", headers=_h(keys["suzuki"])).json()["matches"]
    assert next(m for m in matches if m["program_id"] == KITA)["last_outcome"]["status"] == "interested"
    bad = client.post("/v1/register/outcomes", json={"firm_id": "k01", "program_id": KITA, "status": "won"},
                      headers=_h(keys["suzuki"], **{"Accept-Language": "ja"}))
    assert bad.status_code == 422 and bad.json()["field"] == "status" and "関心あり" in bad.json()["detail"]


def test_since_your_last_visit_is_per_coordinator(desk):
    client, keys = desk
    first = client.get("/v1/register/alerts", params={"since": "last_visit"}, headers=_h(keys["suzuki"])).json()
    assert first["last_visit"] is None
    seen = client.post("/v1/register/visits", headers=_h(keys["suzuki"]))
    assert seen.status_code == 201 and seen.json()["catalog_version"] == first["catalog_version"]
    again = client.get("/v1/register/alerts", params={"since": "last_visit"}, headers=_h(keys["suzuki"])).json()
    assert again["last_visit"]["catalog_version"] == first["catalog_version"] and again["firms"] == []
    other = client.get("/v1/register/alerts", params={"since": "last_visit"}, headers=_h(keys["tanaka"])).json()
    assert other["last_visit"] is None


def test_a_catalog_version_imported_after_the_visit_is_what_the_next_visit_shows(desk, reg):
    from profiles import Catalog
    from matcher.register.catalogs import add_catalog, catalog_of

    client, keys = desk
    seen = client.post("/v1/register/visits", headers=_h(keys["suzuki"])).json()["catalog_version"]
    base = catalog_of(reg, seen)
    src = next(p for p in base.programs if p.id == "kita-marketing-consulting")
    new = src.model_copy(update={"id": "test-new-marketing-desk", "name": "A test program (new)"})
    v2 = add_catalog(reg, Catalog(programs=(*base.programs, new), municipalities=base.municipalities,
                                  clusters=base.clusters, origin="v2"))
    got = client.get("/v1/register/alerts", params={"since": "last_visit"}, headers=_h(keys["suzuki"])).json()
    assert (got["catalog_version"], got["since_version"], got["last_visit"]["catalog_version"]) == (v2.id, seen, seen)
    kinds = {(f["firm_id"], a["program_id"]): a["kind"] for f in got["firms"] for a in f["alerts"]}
    assert kinds and set(kinds.values()) == {"new_program"} and {p for _, p in kinds} == {"test-new-marketing-desk"}


def test_the_report_downloads_as_csv(desk):
    client, keys = desk
    client.post("/v1/register/outcomes", json={"firm_id": "k01", "program_id": KITA, "status": "applied"},
                headers=_h(keys["tanaka"]))
    r = client.get("/v1/register/report", params={"by": "coordinator", "format": "csv"}, headers=_h(keys["boss"]))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.text.lstrip("\ufeff").splitlines() == ["coordinator,contacted,interested,applied,awarded,declined,not_relevant",
                                                    "tanaka,1,1,1,0,0,0"]


def test_the_register_comes_from_matcher_db_in_the_environment(monkeypatch, db_url):
    monkeypatch.setenv("MATCHER_DB", db_url)
    assert Settings().db == db_url


def test_served_weights_are_the_files_and_readyz_says_so(engine, tmp_path):
    from matcher.service.state import build_engine

    w = {"text": 0.2, "needs": 0.2, "kind": 0.1, "industry": 0.2, "locality": 0.3}
    path = dump_weights(w, tmp_path / "weights.yaml")
    app = create_app(Settings(api_key=None, admin_token="reload-token", weights=path),
                     engine=build_engine(None, None, path))
    client = TestClient(app)
    assert client.get("/readyz").json()["weights"] == w
    reloaded = client.post("/v1/admin/reload", headers={"X-Admin-Token": "reload-token"})
    assert reloaded.status_code == 200 and reloaded.json()["generation"] == 2
    assert client.get("/readyz").json()["weights"] == w  # a reload builds with the same weights
    top = client.post("/v1/rank", json={"firm": {"municipality": "Kita", "prefecture": "Tokyo", "industry": "E24",
                                                 "needs": ["trade_fair"]}, "top": 1}).json()["schemes"][0]
    assert abs(sum(w[c] * v for c, v in top["components"].items()) - top["score"]) < 1e-5


def test_serve_refuses_a_bad_weights_file_or_an_uninitialized_register_in_one_line(tmp_path):
    out = CliRunner().invoke(cli, ["serve", "--weights", str(tmp_path / "none.yaml")])
    assert out.exit_code == 2 and "none.yaml" in out.output and "Traceback" not in out.output
    missing = tmp_path / "desk.db"
    out = CliRunner().invoke(cli, ["serve", "--db", str(missing)])
    assert out.exit_code == 2 and "Traceback" not in out.output and not missing.exists()
    hint = out.output.split("create it with: ", 1)[1].split()
    assert hint == ["matcher", "register", "--db", str(missing), "init"]
    assert CliRunner().invoke(cli, hint[1:]).exit_code == 0 and missing.exists()  # the hint's command works
