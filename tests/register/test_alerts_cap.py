"""Alerts capped per firm: a brand-new catalog makes every program a firm is eligible for "new", hundreds
per firm; each firm keeps its best ``per_firm`` alerts by score and counts the rest by kind, in the
library, on the command line and over HTTP (firms paginated)."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

import pytest

from matcher.register.catalogs import add_catalog, catalog_of, ensure_catalog
from matcher.register.importer import import_firms
from matcher.register.queries import ALERT_KINDS, alerts
from tests.conftest import EXAMPLES, TODAY
from tests.register.conftest import write_firms

DAY = TODAY.isoformat()


def many_new(base, n: int = 9):
    """The catalog and ``n`` new programs (copies of programs open to Tokyo firms), two of them closing soon."""
    from profiles import Catalog

    open_to_all = [p for p in base.programs if not p.eligibility.municipalities][:n]
    new = [p.model_copy(update={"id": f"test-new-{k:02d}", "name": f"A new program {k}",
                                "application_deadline": TODAY + dt.timedelta(days=5 + k) if k < 2 else None})
           for k, p in enumerate(open_to_all)]
    return Catalog(programs=(*base.programs, *new), municipalities=base.municipalities, clusters=base.clusters,
                   origin="v2: many new")


@pytest.fixture
def desk(reg, tmp_path):
    import_firms(reg, EXAMPLES / "kita-register.csv")
    import_firms(reg, write_firms(tmp_path / "tama.csv", 40))
    v1 = ensure_catalog(reg)
    add_catalog(reg, many_new(catalog_of(reg, v1.id)))
    reg.add_outcome("k01", "test-new-00", "contacted", date=DAY)
    return reg


def test_each_firm_keeps_its_best_alerts_by_score_most_pressing_first_and_counts_the_rest(desk):
    _, _, every = alerts(desk, closing_within=30, as_of=DAY)
    _, _, capped = alerts(desk, closing_within=30, as_of=DAY, per_firm=3)
    assert [f.firm_id for f in capped] == [f.firm_id for f in every]
    assert max(len(f.alerts) for f in every) > 3  # the cap has work to do
    for full, cut in zip(every, capped):
        best = sorted(full.alerts, key=lambda a: (-a.score, a.program_id))[:3]
        assert {a.program_id for a in cut.alerts} == {a.program_id for a in best}, full.firm_id
        assert [a for a in full.alerts if a in best] == cut.alerts  # the full list's order: most pressing first
        assert cut.more == len(full.alerts) - len(cut.alerts) and cut.total == len(full.alerts)
        assert cut.more_by_kind == dict(Counter(a.kind for a in full.alerts if a not in best))
        assert list(cut.more_by_kind) == [k for k in ALERT_KINDS if k in cut.more_by_kind]
        assert full.more == 0 and full.more_by_kind == {}
    assert "test-new-00" not in {a.program_id for f in capped if f.firm_id == "k01" for a in f.alerts}
    _, _, one = alerts(desk, closing_within=30, as_of=DAY, per_firm=1)
    assert all(len(f.alerts) == 1 and f.total == len(e.alerts) for f, e in zip(one, every))
    kinds = {a.kind for f in every for a in f.alerts}
    assert {"closing", "new_program"} <= kinds


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "3"])
def test_per_firm_must_be_a_positive_integer(desk, bad):
    with pytest.raises(ValueError, match="per_firm must be an integer >= 1"):
        alerts(desk, as_of=DAY, per_firm=bad)


def test_the_command_line_shows_each_firms_best_alerts_and_how_many_more(desk, db_url):
    from click.testing import CliRunner

    from matcher.cli import cli

    base = ["register", "--db", db_url, "alerts", "--closing-within", "30", "--as-of", DAY]
    full = json.loads(CliRunner().invoke(cli, [*base, "--per-firm", "0", "--json"]).stdout)
    out = CliRunner().invoke(cli, [*base, "--per-firm", "2", "--json"])
    assert out.exit_code == 0, out.output
    capped = json.loads(out.stdout)
    assert capped["alerts"] == full["alerts"] == sum(len(f["alerts"]) for f in full["firms"])
    assert capped["shown"] == sum(min(2, len(f["alerts"])) for f in full["firms"]) < capped["alerts"]
    for f, g in zip(capped["firms"], full["firms"]):
        assert len(f["alerts"]) == min(2, len(g["alerts"])) and f["more"] == len(g["alerts"]) - len(f["alerts"])
    text = CliRunner().invoke(cli, [*base, "--per-firm", "2"])
    assert text.exit_code == 0
    lines = text.stdout.splitlines()
    more = [ln for ln in lines if ln.startswith("  ... and ")]
    assert len(more) == sum(1 for f in capped["firms"] if f["more"])
    assert more[0].startswith(f"  ... and {next(f['more'] for f in capped['firms'] if f['more'])} more: ")
    assert f"{full['alerts']} alerts for {len(full['firms'])} firms, {capped['shown']} shown (" in text.stderr
    default = CliRunner().invoke(cli, base)
    assert default.exit_code == 0 and "... and " not in default.stdout  # 10 a firm by default: all of these


def test_the_alerts_route_pages_through_the_firms_each_with_its_best_alerts(desk, db_url, engine):
    from fastapi.testclient import TestClient

    from matcher.service.app import create_app
    from matcher.service.settings import Settings

    key = desk.add_coordinator("suzuki")
    _, _, every = alerts(desk, closing_within=30, as_of=DAY, per_firm=2)
    app = create_app(Settings(db=db_url, api_key=None, admin_token=None), engine=engine)
    with TestClient(app) as client:
        def get(**params):
            r = client.get("/v1/register/alerts", params={"closing_within": 30, "as_of": DAY, "per_firm": 2, **params},
                           headers={"X-API-Key": key})
            assert r.status_code == 200, r.text
            return r.json()

        pages, offset = [], 0
        while offset is not None:
            page = get(limit=7, offset=offset)
            pages.append(page)
            offset = page["next_offset"]
        assert len(pages) == -(-len(every) // 7) and all(p["total"] == len(every) for p in pages)
        assert [f for p in pages for f in p["firms"]] == [f.to_dict() | {"alerts": [a.to_dict() for a in f.alerts]}
                                                          for f in every]
        counts = Counter()
        for f in every:
            counts.update(a.kind for a in f.alerts)
            counts.update(f.more_by_kind)
        assert pages[0]["alerts"] == sum(counts.values()) and pages[0]["by_kind"] == dict(counts)
        # a contact recorded meanwhile leaves the alerts at once (the newest question is kept, not a stale one)
        first = pages[0]["firms"][0]
        program = first["alerts"][0]["program_id"]
        client.post("/v1/register/outcomes", json={"firm_id": first["firm_id"], "program_id": program,
                                                   "status": "contacted", "date": DAY}, headers={"X-API-Key": key})
        again = get(limit=7)
        firm = next(f for f in again["firms"] if f["firm_id"] == first["firm_id"])
        assert program not in [a["program_id"] for a in firm["alerts"]] and again["alerts"] == pages[0]["alerts"] - 1
        assert client.get("/v1/register/alerts", params={"per_firm": 0},
                          headers={"X-API-Key": key}).status_code == 422
