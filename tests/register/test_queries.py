"""Questions asked of the register: a program's call list, alerts between catalog versions, the report."""

from __future__ import annotations

import datetime as dt

import pytest

from matcher.register import FirmInput
from matcher.register.catalogs import add_catalog, catalog_of, ensure_catalog, load_checked, refresh_matches
from matcher.register.queries import alerts, reach, report
from tests.conftest import EXAMPLES, TODAY

DAY = TODAY.isoformat()


@pytest.fixture
def kita(reg):
    """The register of Kita's example firms, with the built-in catalog as version 1."""
    from matcher.register.importer import import_firms

    import_firms(reg, EXAMPLES / "kita-register.csv")
    ensure_catalog(reg)
    return reg


def test_a_catalog_version_rebuilds_to_the_same_content(reg):
    v = ensure_catalog(reg)
    assert catalog_of(reg, v.id).hash == v.content_hash == load_checked(None).hash
    assert ensure_catalog(reg, None).id == v.id and add_catalog(reg, load_checked(None)).new is False


def test_the_call_list_from_the_register_is_the_engines_reach_with_last_contacts(kita, engine):
    from matcher.firmio import open_records, valid_firms

    kita.add_outcome("k05", "kita-trade-fair-subsidy", "declined", date="2026-11-02", note="no fair this year")
    hits = reach(kita, "kita-trade-fair-subsidy", top=5, as_of=DAY)
    firms = [f for _, f in valid_firms(open_records(EXAMPLES / "kita-register.csv"), [])]
    direct = engine.reach("kita-trade-fair-subsidy", firms, top=5, as_of=DAY)
    assert [(h.firm_id, h.status, h.score) for h in hits] == [(h.firm_id, h.status, h.score) for h in direct]
    assert hits[0].reasons == list(direct[0].reasons)
    k05 = next(h for h in hits if h.firm_id == "k05")
    assert k05.last_contact_program == {"date": "2026-11-02", "program": "kita-trade-fair-subsidy",
                                        "status": "declined", "by": "aoki", "note": "no fair this year"}
    skipped = reach(kita, "kita-trade-fair-subsidy", top=5, as_of=DAY, skip_contacted=True)
    assert "k05" not in [h.firm_id for h in skipped] and len(skipped) == 5


def test_a_changed_firm_is_matched_again_before_the_call_list(kita):
    first = reach(kita, "kita-trade-fair-subsidy", top=8, as_of=DAY)
    f = kita.firm("k04")
    kita.update_firm("k04", {"needs": ["trade_fair"], "description": "We exhibit at every trade fair"},
                     expected_version=f.version)
    again = reach(kita, "kita-trade-fair-subsidy", top=8, as_of=DAY)
    before = next(h.score for h in first if h.firm_id == "k04")
    after = next(h.score for h in again if h.firm_id == "k04")
    assert after > before


def _version2(base):
    """The built-in catalog changed: a deadline moved close, a program opened to Kita, a new program,
    a description reworded."""
    progs = []
    for p in base.programs:
        if p.id == "kita-trade-fair-subsidy":
            p = p.model_copy(update={"application_deadline": TODAY + dt.timedelta(days=10)})
        elif p.id == "hamura-seminars":
            p = p.model_copy(update={"eligibility": p.eligibility.model_copy(update={"municipalities": ("132276", "131172")})})
        elif p.id == "kita-management-consulting":
            p = p.model_copy(update={"description": p.description + " (reworded)"})
        progs.append(p)
        if p.id == "kita-marketing-consulting":
            progs.append(p.model_copy(update={"id": "test-new-marketing-desk", "name": "A test program (new)"}))
    from profiles import Catalog

    return Catalog(programs=tuple(progs), municipalities=base.municipalities, clusters=base.clusters, origin="v2")


def test_alerts_name_what_is_new_for_each_firm_and_leave_out_what_it_was_contacted_about(kita):
    v2 = add_catalog(kita, _version2(catalog_of(kita, 1)))
    kita.add_outcome("k01", "hamura-seminars", "not_relevant", date="2026-11-20")
    cur, base, found = alerts(kita, closing_within=30, as_of=DAY)
    assert (cur.id, base.id) == (v2.id, 1)
    by_firm = {f.firm_id: {a.program_id: a.kind for a in f.alerts} for f in found}
    assert by_firm["k01"]["kita-trade-fair-subsidy"] == "closing"
    assert by_firm["k02"]["test-new-marketing-desk"] == "new_program"
    assert by_firm["k02"]["hamura-seminars"] == "newly_eligible"
    assert "hamura-seminars" not in by_firm["k01"]  # declined as not relevant
    assert all("kita-management-consulting" not in alerts_ for alerts_ in by_firm.values())  # wording only
    assert all(set(a) <= {"kita-trade-fair-subsidy", "test-new-marketing-desk", "hamura-seminars"}
               for a in by_firm.values())
    _, _, without_window = alerts(kita, as_of=DAY)
    kinds = {a.kind for f in without_window for a in f.alerts}
    assert "closing" not in kinds and "changed" in kinds  # the deadline moved: a change that matters


def test_alerts_with_one_catalog_version_compare_with_nothing(kita):
    cur, base, found = alerts(kita, as_of=DAY)
    assert base is None and found == []


def test_alerts_since_a_version_that_is_the_current_one_is_an_error(kita):
    from profiles import InputError

    with pytest.raises(InputError, match="current catalog version"):
        alerts(kita, since="1", as_of=DAY)


def test_the_report_counts_firms_per_program_and_per_coordinator(kita, db_url):
    from matcher.register import Register

    suzuki = Register(db_url, actor="suzuki")
    kita.add_outcome("k01", "kita-trade-fair-subsidy", "contacted", date="2026-10-01")
    kita.add_outcome("k01", "kita-trade-fair-subsidy", "applied", date="2026-10-15")
    kita.add_outcome("k01", "kita-trade-fair-subsidy", "awarded", date="2026-11-01")
    suzuki.add_outcome("k02", "kita-trade-fair-subsidy", "declined", date="2026-10-02")
    suzuki.add_outcome("k03", "kita-marketing-consulting", "interested", date="2026-10-03")
    rows = {r["program"]: r for r in report(kita)}
    assert rows["kita-trade-fair-subsidy"] | {} == {
        "program": "kita-trade-fair-subsidy", "name": "Kita City Trade Fair Participation Subsidy", "contacted": 2,
        "interested": 1, "applied": 1, "awarded": 1, "declined": 1, "not_relevant": 0}
    by = {r["coordinator"]: (r["contacted"], r["awarded"]) for r in report(kita, by="coordinator")}
    assert by == {"aoki": (1, 1), "suzuki": (2, 0)}
    assert {r["program"] for r in report(kita, since="2026-10-03")} == {"kita-trade-fair-subsidy",
                                                                          "kita-marketing-consulting"}
    assert report(kita, until="2026-09-30") == []
    suzuki.close()


def test_matches_of_a_version_are_computed_once(kita):
    v = ensure_catalog(kita)
    assert refresh_matches(kita, v, as_of=DAY) == 8
    assert refresh_matches(kita, v, as_of=DAY) == 0
    kita.upsert_firms([FirmInput("new", {"municipality": "Kita", "prefecture": "Tokyo"})])
    assert refresh_matches(kita, v, as_of=DAY) == 1
