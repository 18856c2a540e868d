"""``/v1/register/...`` through FastAPI's test client: keys, 401/403/409 as problem+json."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from matcher.register.importer import import_firms
from matcher.register.routes import make_router
from tests.conftest import EXAMPLES


@pytest.fixture
def desk(reg):
    import_firms(reg, EXAMPLES / "kita-register.csv")
    app = FastAPI()
    app.include_router(make_router(register=reg))
    keys = {"suzuki": reg.add_coordinator("suzuki"), "tanaka": reg.add_coordinator("tanaka"),
            "boss": reg.add_coordinator("boss", role="admin")}
    return TestClient(app), keys


def _h(key: str) -> dict:
    return {"X-API-Key": key}


def test_nothing_is_reachable_without_a_key(desk):
    client, _ = desk
    for url in ["/v1/register/firms", "/v1/register/firms/k01", "/v1/register/alerts", "/v1/register/report",
                "/v1/register/programs/kita-trade-fair-subsidy/reach"]:
        r = client.get(url)
        assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json", url
        assert client.get(url, headers=_h("shm_wrong")).status_code == 401


def test_firms_are_paginated_and_searchable(desk):
    client, keys = desk
    r = client.get("/v1/register/firms", params={"limit": 3, "offset": 3}, headers=_h(keys["suzuki"]))
    assert r.status_code == 200 and r.json()["total"] == 8
    assert [f["firm_id"] for f in r.json()["firms"]] == ["k04", "k05", "k06"]
    r = client.get("/v1/register/firms", params={"search": "oji"}, headers={"Authorization": f"Bearer {keys['suzuki']}"})
    assert [f["firm_id"] for f in r.json()["firms"]] == ["k01", "k07"]


def test_two_coordinators_editing_one_firm_the_second_gets_409(desk):
    client, keys = desk
    v = client.get("/v1/register/firms/k01", headers=_h(keys["suzuki"])).json()["version"]
    a = client.patch("/v1/register/firms/k01", json={"version": v, "changes": {"employees": 30}}, headers=_h(keys["suzuki"]))
    b = client.patch("/v1/register/firms/k01", json={"version": v, "changes": {"employees": 31}}, headers=_h(keys["tanaka"]))
    assert a.status_code == 200 and a.json()["updated_by"] == "suzuki"
    assert b.status_code == 409 and b.headers["content-type"] == "application/problem+json"
    assert b.json()["firm_id"] == "k01"


def test_outcomes_history_call_list_and_report(desk):
    client, keys = desk
    r = client.post("/v1/register/outcomes", json={"firm_id": "k01", "program_id": "kita-trade-fair-subsidy",
                                                   "status": "applied", "date": "2026-11-20"}, headers=_h(keys["tanaka"]))
    assert r.status_code == 201 and r.json()["recorded_by"] == "tanaka"
    bad = client.post("/v1/register/outcomes", json={"firm_id": "k01", "program_id": "kita-trade-fair-subsidy",
                                                     "status": "won"}, headers=_h(keys["tanaka"]))
    assert bad.status_code == 422 and bad.json()["field"] == "status"
    firm = client.get("/v1/register/firms/k01", headers=_h(keys["suzuki"])).json()
    assert firm["history"][0]["status"] == "applied" and firm["matches"]
    hits = client.get("/v1/register/programs/kita-trade-fair-subsidy/reach", params={"top": 3, "as_of": "2026-11-21"},
                      headers=_h(keys["suzuki"])).json()["hits"]
    assert hits[0]["firm_id"] == "k01" and hits[0]["last_contact_program"]["status"] == "applied"
    rows = client.get("/v1/register/report", params={"by": "coordinator"}, headers=_h(keys["suzuki"])).json()["rows"]
    assert rows == [{"coordinator": "tanaka", "contacted": 1, "interested": 1, "applied": 1, "awarded": 0,
                     "declined": 0, "not_relevant": 0}]
    assert client.get("/v1/register/firms/nobody", headers=_h(keys["suzuki"])).status_code == 404


def test_only_an_admin_deletes_a_firm(desk):
    client, keys = desk
    r = client.delete("/v1/register/firms/k08", params={"version": 1}, headers=_h(keys["suzuki"]))
    assert r.status_code == 403 and r.headers["content-type"] == "application/problem+json"
    assert client.delete("/v1/register/firms/k08", params={"version": 1}, headers=_h(keys["boss"])).status_code == 200
