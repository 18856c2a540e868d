"""What the page needs from the service (issue 13): Japanese problems, candidates, distance, actionable cards."""

from __future__ import annotations

import re
import warnings

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from matcher.service import Settings, create_app

KITA = {"municipality": "Kita City", "prefecture": "Tokyo"}
KOBE_MEDICAL = {"municipality": "Kobe", "prefecture": "Hyogo", "industry": "E29",
                "description": "We make medical devices and want to develop new products with hospitals."}
LATIN_WORDS = r"[A-Za-z]{4,}(?: [A-Za-z]{3,})+"


@pytest.fixture(scope="module")
def client(engine):
    return TestClient(create_app(Settings(), engine=engine))


def test_an_ambiguous_municipality_lists_its_candidates_as_data_with_japanese_names(client):
    r = client.post("/v1/rank", json={"firm": {"municipality": "Kita"}})
    error = r.json()["errors"][0]
    assert error["field"] == "body.firm.municipality"
    by_code = {c["code"]: c for c in error["candidates"]}
    assert by_code["131172"] == {"code": "131172", "name": "Kita City", "name_ja": "北区",
                                 "label": "Kita City, Tokyo", "label_ja": "東京都北区"}
    assert by_code["011029"]["label_ja"] == "北海道札幌市北区"
    assert "did you mean" in error["message"] and r.json()["lang"] == "en"


@pytest.mark.parametrize("how", [{"params": {"lang": "ja"}}, {"headers": {"Accept-Language": "ja-JP,ja;q=0.9,en;q=0.5"}}])
def test_problem_details_are_in_japanese_when_asked_by_query_or_header(client, how):
    r = client.post("/v1/rank", json={"firm": {"municipality": "Kita"}, "top": 500}, **how)
    body = r.json()
    assert r.status_code == 422 and body["lang"] == "ja" and body["title"] == "入力が正しくありません"
    messages = {e["field"]: e["message"] for e in body["errors"]}
    assert messages["body.top"] == "100以下の値を指定してください"
    assert messages["body.firm.municipality"].startswith("同じ名前の自治体が12件あります")
    assert "東京都北区（131172）" in messages["body.firm.municipality"]
    for text in [body["detail"], *messages.values()]:
        assert not re.search(LATIN_WORDS, text), text  # no English sentence left


def test_an_unknown_municipality_in_japanese_names_the_prefecture_in_japanese(client):
    r = client.post("/v1/rank?lang=ja", json={"firm": {"municipality": "Kitaa City", "prefecture": "Tokyo"}})
    error = r.json()["errors"][0]
    assert error["message"].startswith("東京都にこの名前の自治体はありません")
    assert error["candidates"][0]["label_ja"] == "東京都北区"


def test_other_problems_are_in_japanese_too(client, engine):
    assert client.get("/v1/nowhere?lang=ja").json()["detail"] == "GET /v1/nowhere というルートはありません"
    small = TestClient(create_app(Settings(max_body_bytes=2048), engine=engine))
    r = small.post("/v1/rank", content="x" * 4000, headers={"content-type": "application/json",
                                                            "accept-language": "ja"})
    assert r.status_code == 413 and r.json()["detail"].startswith("リクエスト本文が大きすぎます")
    dup = client.post("/v1/rank?lang=ja", content='{"firm": {}, "firm": {}}', headers={"content-type": "application/json"})
    assert "キー「firm」が重複しています" in dup.json()["errors"][0]["message"]


def test_english_stays_the_default_and_english_is_chosen_over_a_lesser_japanese(client):
    r = client.post("/v1/rank", json={"firm": KITA, "top": 0}, headers={"Accept-Language": "en;q=1, ja;q=0.5"})
    assert r.json()["lang"] == "en" and "greater than or equal to 1" in r.json()["errors"][0]["message"]


def test_a_maximum_distance_keeps_far_municipalities_out_of_the_recommendations(client):
    near = client.post("/v1/rank", json={"firm": KOBE_MEDICAL, "max_distance_km": 100}).json()
    assert near["municipalities"], "Kobe's own profile is within 100 km"
    assert all(m["distance_km"] is not None and m["distance_km"] <= 100 for m in near["municipalities"])
    from matcher import MatchEngine

    fixed = MatchEngine(max_distance_km=100).fit().rank(KOBE_MEDICAL, as_of=near["as_of"]).to_dict()
    assert near["municipalities"] == fixed["municipalities"]  # as `matcher rank --max-distance 100`
    anywhere = client.post("/v1/rank", json={"firm": KOBE_MEDICAL}).json()
    assert any((m["distance_km"] or 0) > 100 for m in anywhere["municipalities"])
    many = client.post("/v1/rank-many", json={"firms": [KOBE_MEDICAL], "max_distance_km": 100}).json()
    assert many["results"][0]["municipalities"] == near["municipalities"]


@pytest.mark.parametrize("value", [0, -5, "far", True])
def test_a_maximum_distance_is_a_number_above_zero(client, value):
    r = client.post("/v1/rank", json={"firm": KITA, "max_distance_km": value})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.max_distance_km"


def test_schemes_and_possible_programs_carry_what_a_coordinator_acts_on(client, engine):
    r = client.post("/v1/rank", json={"firm": {**KITA, "needs": ["trade_fair"]}}).json()
    fair = next(s for s in r["schemes"] if s["id"] == "kita-trade-fair-subsidy")
    program = engine.catalog_.program("kita-trade-fair-subsidy")
    assert fair["benefit"]["max_amount_jpy"] == program.benefit.max_amount_jpy
    assert fair["contact"]["name"] == program.contact.name
    assert [s["quote"] for s in fair["source"]] == [s.quote for s in program.source]
    assert fair["source"][0]["document_date"] == program.source[0].document_date.isoformat()
    for key in ("summary", "url", "valid_from", "valid_until", "application_start", "application_deadline",
                "delivered_by", "description"):
        assert key in fair
    for p in r["possible"]:
        assert {"description", "benefit", "contact", "source", "application_deadline"} <= set(p)
        assert p["source"], p["id"]  # every program cites where it is described


def test_every_bad_field_of_a_firm_is_listed_with_a_bad_municipality_not_only_the_municipality(client):
    r = client.post("/v1/rank", json={"firm": {"municipality": "Kita", "employees": -5, "needs": [3]}, "top": 500})
    fields = [e["field"] for e in r.json()["errors"]]
    assert fields[0] == "body.firm.municipality"
    assert {"body.firm.employees", "body.firm.needs[0]", "body.top"} <= set(fields)
    one = client.post("/v1/rank", json={"firm": {"municipality": "Kita"}})
    assert [e["field"] for e in one.json()["errors"]] == ["body.firm.municipality"]


def test_an_unknown_program_or_municipality_is_reported_in_japanese(client):
    r = client.get("/v1/programs/kita-trade-fair?lang=ja")
    assert r.status_code == 404
    assert r.json()["detail"] == ("カタログにこの ID の支援制度はありません: kita-trade-fair"
                                  "（候補: kita-trade-fair-subsidy, kita-inter-firm-matching）")
    assert client.get("/v1/programs/nope", headers={"Accept-Language": "ja"}).json()["detail"] == \
        "カタログにこの ID の支援制度はありません: nope"
    r = client.get("/v1/municipalities/nope?lang=ja")
    assert r.status_code == 404 and r.json()["detail"].startswith("この団体コードまたはプロファイル ID の自治体はありません: nope")
    assert client.get("/v1/municipalities/nope").json()["detail"].startswith("no local government has this code")


def test_a_programs_address_opens_the_pages_detail_view_by_a_relative_redirect(client):
    r = client.get("/programs/hamura-interest-subsidy?lang=ja", follow_redirects=False)
    assert r.status_code == 307 and r.headers["location"] == "../?program=hamura-interest-subsidy&lang=ja"
    assert client.get("/programs/x?lang=fr", follow_redirects=False).headers["location"] == "../?program=x"


def test_in_japanese_the_results_carry_each_programs_japanese_description_beside_the_english(client, engine):
    r = client.post("/v1/rank?lang=ja", json={"firm": {**KITA, "needs": ["trade_fair"]}, "lang": "ja"}).json()
    items = r["schemes"] + r["possible"]
    assert items
    for s in items:
        p = engine.catalog_.program(s["id"])
        assert s["description"] == p.description and s["description_ja"] == p.description_ja, s["id"]
        assert s["description_ja"] and not re.search(LATIN_WORDS, s["description_ja"]), s["id"]
    fair = next(s for s in r["schemes"] if s["id"] == "kita-trade-fair-subsidy")
    assert fair["benefit"]["note_ja"].startswith("展示会への出展に200,000円")
    en = client.post("/v1/rank", json={"firm": {**KITA, "needs": ["trade_fair"]}}).json()
    assert [s["description_ja"] for s in en["schemes"]] == [s["description_ja"] for s in r["schemes"]]


def test_a_programs_record_gives_its_description_and_notes_in_japanese(client):
    p = client.get("/v1/programs/hamura-interest-subsidy?lang=ja").json()
    assert p["description"].startswith("Hamura City pays 0.8%")
    assert p["description_ja"].startswith("羽村市は、中小企業が") and p["summary_ja"] is None
    assert p["eligibility"]["note_ja"].startswith("事業資金などのために借り入れる羽村市内の中小企業")
    assert p["benefit"]["note_ja"].startswith("利率1.6%のうち0.8%")
