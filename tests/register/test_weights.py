"""Matches kept per catalog version *and* weights: a register opened with a weights file (`register
--weights`, `serve --db --weights`, the file `register learn` writes) never serves the matches computed
with other weights, and keeps both; the migration that brought match sets."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

import matcher.register.schema as t
from matcher import MatchEngine
from matcher.weights import Weights
from matcher.register import Register
from matcher.register.catalogs import ensure_catalog, match_set, refresh_matches, weights_hash
from matcher.register.importer import import_firms
from matcher.register.queries import firm_matches, reach
from tests.conftest import EXAMPLES, TODAY
from tests.register.conftest import write_firms

KITA = "kita-trade-fair-subsidy"
DAY = TODAY.isoformat()
#: Weights under which the firms' needs decide: other firms first than with the defaults (text first).
NEEDS = {"text": 0.05, "needs": 0.8, "kind": 0.05, "industry": 0.05, "locality": 0.05}


@pytest.fixture
def desk(reg, tmp_path):
    """Kita's eight example firms and 60 Tama-area ones, the built-in catalog as version 1."""
    import_firms(reg, EXAMPLES / "kita-register.csv")
    import_firms(reg, write_firms(tmp_path / "tama.csv", 60))
    ensure_catalog(reg)
    return reg


def _profiles(reg):
    return [f.company() for f in reg.firms(limit=None)]


def _stored(reg, sid):
    with reg.engine.connect() as conn:
        return {(r.firm_pk, r.position): (r.eligible, r.score) for r in conn.execute(
            sa.select(t.matches).where(t.matches.c.set_id == sid))}


def test_the_call_list_of_a_register_with_other_weights_is_that_of_an_engine_with_them(desk, db_url):
    default = [(h.firm_id, h.score) for h in reach(desk, KITA, top=5, as_of=DAY)]
    with Register(db_url, actor="aoki", weights=NEEDS) as other:
        hits = reach(other, KITA, top=5, as_of=DAY)
        direct = MatchEngine(weights=NEEDS).fit().reach(KITA, _profiles(other), top=5, as_of=DAY)
        assert [(h.firm_id, h.status, h.score) for h in hits] == [(h.firm_id, h.status, h.score) for h in direct]
        assert [(h.firm_id, h.score) for h in hits] != default  # not the default weights' list, served again
        assert {h.firm_id for h in hits} != {f for f, _ in default}  # other firms, not only other numbers
        assert refresh_matches(other, ensure_catalog(other), as_of=DAY) == 0  # kept: computed once
    assert [(h.firm_id, h.score) for h in reach(desk, KITA, top=5, as_of=DAY)] == default  # the defaults' kept too
    assert refresh_matches(desk, ensure_catalog(desk), as_of=DAY) == 0


def test_each_weighting_keeps_its_own_match_set_with_its_scores(desk, db_url):
    v = ensure_catalog(desk)
    n = desk.count_firms()
    assert refresh_matches(desk, v, as_of=DAY) == n
    with Register(db_url, actor="aoki", weights=NEEDS) as other:
        assert refresh_matches(other, v, as_of=DAY) == n  # not "up to date": the defaults' rows are not its own
        mine, theirs = match_set(desk, v), match_set(other, v)
        assert mine != theirs
        a, b = _stored(desk, mine), _stored(other, theirs)
    assert a.keys() == b.keys()  # the same eligible and possible pairs: weights change scores, not rules
    assert sum(a[k] != b[k] for k in a) > len(a) // 2
    with desk.engine.connect() as conn:
        sets = conn.execute(sa.select(t.match_sets.c.version_id, t.match_sets.c.weights_hash, t.match_sets.c.weights)
                            .order_by(t.match_sets.c.id)).all()
    assert [(s.version_id, s.weights_hash) for s in sets] == [(v.id, weights_hash(None)), (v.id, weights_hash(NEEDS))]
    assert sets[1].weights == NEEDS
    # the same weights written otherwise (ints, another order, a Weights) are the same set
    same = {k: NEEDS[k] for k in reversed(list(NEEDS))}
    with Register(db_url, actor="aoki", weights=Weights(**same)) as again:
        assert match_set(again, v) == theirs and refresh_matches(again, v, as_of=DAY) == 0


def test_a_firms_programs_follow_the_registers_weights(desk, db_url):
    firm = desk.firm("k01")
    with Register(db_url, actor="aoki", weights=NEEDS) as other:
        got = [(m["program_id"], m["score"]) for m in firm_matches(other, firm, top=10) if m["status"] == "eligible"]
        ranked = MatchEngine(weights=NEEDS).fit().rank(firm.company(), top=10)
    assert got == [(s.id, s.score) for s in ranked.schemes][:len(got)] and got
    default = [(m["program_id"], m["score"]) for m in firm_matches(desk, firm, top=10) if m["status"] == "eligible"]
    assert default != got


def test_requests_asking_for_a_new_match_set_at_once_share_one(desk, db_url):
    v = ensure_catalog(desk)
    regs = [Register(db_url, actor="aoki", weights=NEEDS) for _ in range(6)]
    got, errors = [], []
    start = threading.Barrier(len(regs))

    def ask(r):
        try:
            start.wait()
            got.append(match_set(r, v))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=ask, args=(r,)) for r in regs]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    for r in regs:
        r.close()
    assert errors == [] and len(set(got)) == 1
    with desk.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(t.match_sets)).scalar_one() == 1


def test_the_migration_to_match_sets_drops_the_matches_of_unknown_weights_and_keeps_everything_else(desk, db_url):
    from matcher.register.db import downgrade, head_revision, upgrade

    v = ensure_catalog(desk)
    desk.add_outcome("k01", KITA, "interested", date=DAY)
    n = refresh_matches(desk, v, as_of=DAY)
    counts = {}
    with desk.engine.connect() as conn:
        for name in ("firms", "catalog_programs", "outcomes", "audit"):
            counts[name] = conn.execute(sa.select(sa.func.count()).select_from(t.metadata.tables[name])).scalar_one()
    assert downgrade(desk.engine, "0003") == "0003"
    with desk.engine.begin() as conn:  # matches as 0003 kept them: by catalog version alone
        conn.execute(sa.text("INSERT INTO match_runs (version_id, firm_pk, firm_version, as_of, computed_at) "
                             "SELECT :v, id, version, :d, :d FROM firms"), {"v": v.id, "d": TODAY})
        conn.execute(sa.text("INSERT INTO matches (version_id, firm_pk, position, eligible, score, rank) "
                             "SELECT :v, id, 0, :t, 0.5, 1 FROM firms"), {"v": v.id, "t": True})
    assert upgrade(desk.engine) == head_revision()
    with desk.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(t.matches)).scalar_one() == 0
        assert conn.execute(sa.select(sa.func.count()).select_from(t.match_runs)).scalar_one() == 0
        for name, count in counts.items():
            assert conn.execute(sa.select(sa.func.count()).select_from(t.metadata.tables[name])).scalar_one() == count
    with Register(db_url, actor="aoki") as reg:  # the schema checks out; the matches are computed again
        assert refresh_matches(reg, v, as_of=DAY) == n
        direct = MatchEngine().fit().reach(KITA, _profiles(reg), top=5, as_of=DAY)
        assert [h.firm_id for h in reach(reg, KITA, top=5, as_of=DAY)] == [h.firm_id for h in direct]


def test_register_weights_on_the_command_line_and_from_the_environment(desk, db_url, tmp_path):
    import json

    from matcher.cli import cli
    from matcher.weights import dump_weights

    path = dump_weights(NEEDS, tmp_path / "needs.yaml")
    base = ["register", "--db", db_url]
    plain = CliRunner().invoke(cli, [*base, "reach", KITA, "--top", "5", "--as-of", DAY, "--json"])  # defaults first
    out = CliRunner().invoke(cli, [*base, "--weights", path, "reach", KITA, "--top", "5", "--as-of", DAY, "--json"])
    assert out.exit_code == 0, out.output
    got = [(h["firm_id"], h["score"]) for h in json.loads(out.stdout)["hits"]]
    direct = MatchEngine(weights=NEEDS).fit().reach(KITA, _profiles(desk), top=5, as_of=DAY)
    assert got == [(h.firm_id, h.score) for h in direct]
    assert [(h["firm_id"], h["score"]) for h in json.loads(plain.stdout)["hits"]] != got
    env = CliRunner().invoke(cli, [*base, "reach", KITA, "--top", "5", "--as-of", DAY, "--json"],
                             env={"MATCHER_WEIGHTS": path})
    assert [(h["firm_id"], h["score"]) for h in json.loads(env.stdout)["hits"]] == got
    bad = CliRunner().invoke(cli, [*base, "--weights", str(tmp_path / "none.yaml"), "reach", KITA])
    assert bad.exit_code == 2 and "none.yaml" in bad.output and "Traceback" not in bad.output


def test_the_served_register_scores_with_the_served_weights(desk, db_url, tmp_path, engine):
    from fastapi.testclient import TestClient

    from matcher.service.app import create_app
    from matcher.service.settings import Settings
    from matcher.weights import dump_weights

    key = desk.add_coordinator("suzuki")
    path = dump_weights(NEEDS, tmp_path / "needs.yaml")
    reach(desk, KITA, top=5, as_of=DAY)  # the default weights' matches are there first
    app = create_app(Settings(db=db_url, api_key=None, admin_token=None, weights=path), engine=engine)
    with TestClient(app) as client:
        r = client.get(f"/v1/register/programs/{KITA}/reach", params={"top": 5, "as_of": DAY},
                       headers={"X-API-Key": key})
        assert r.status_code == 200, r.text
        served = [(h["firm_id"], h["score"]) for h in r.json()["hits"]]
    direct = MatchEngine(weights=NEEDS).fit().reach(KITA, _profiles(desk), top=5, as_of=DAY)
    assert served == [(h.firm_id, h.score) for h in direct]
    assert served != [(h.firm_id, h.score) for h in reach(desk, KITA, top=5, as_of=DAY)]


def test_a_new_session_takes_a_versions_engine_from_the_cache_without_rebuilding_its_catalog(desk, db_url, tmp_path,
                                                                                            monkeypatch):
    import matcher.register.catalogs as catalogs

    monkeypatch.setenv("MATCHER_CACHE_DIR", str(tmp_path / "cache"))
    v = ensure_catalog(desk)
    rebuilt = []
    real = catalogs.catalog_of
    monkeypatch.setattr(catalogs, "catalog_of", lambda reg, vid: rebuilt.append(vid) or real(reg, vid))
    for weights in (None, NEEDS):
        with Register(db_url, actor="aoki", weights=weights) as first:  # a cold cache: fitted on the rebuilt catalog
            fitted = catalogs.engine_of(first, v.id)
        assert rebuilt == [v.id] and fitted.weights_.as_dict() == Weights.coerce(weights).as_dict()
        with Register(db_url, actor="aoki", weights=weights) as again:  # read from the cache by the version's hash
            engine = catalogs.engine_of(again, v.id)
        assert rebuilt == [v.id] and engine.catalog_hash_ == v.content_hash
        assert engine.weights_ == fitted.weights_
        rebuilt.clear()


def test_register_catalog_import_fits_the_versions_engine_for_the_questions_that_follow(db_url, tmp_path, monkeypatch):
    from matcher.cache import cache_dir
    from matcher.cli import cli

    monkeypatch.setenv("MATCHER_CACHE_DIR", str(tmp_path / "cache"))
    Register.create(db_url, actor="aoki").close()
    out = CliRunner().invoke(cli, ["register", "--db", db_url, "catalog", "import"])
    assert out.exit_code == 0, out.output
    assert len(list(cache_dir().glob("c*.pkl"))) == 1
