"""My firms after a catalog version that brings many programs: each firm shows its five best alerts and
how many more it has, of which kinds; the firms come twenty at a time, more on demand; axe-core finds
nothing, in English and in Japanese (a real headless Chromium against the served register)."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import EXAMPLES
from tests.matcher.service.test_page_browser import (  # noqa: F401  (fixtures)
    CHROMIUM,
    browser_context,
    open_page,
    serving,
)
from tests.matcher.service.test_page_ux import axe_source, axe_violations, english_left  # noqa: F401  (fixture)
from tests.register.conftest import write_firms
from tests.register.test_alerts_cap import many_new

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=(
    "Debian's chromium is not installed (/usr/bin/chromium missing); "
    "`apt-get install chromium chromium-driver` or run .ci/run, which installs it"))


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    """48 firms, the built-in catalog, then a version with nine new programs; coordinators' keys."""
    from matcher.register import Register
    from matcher.register.catalogs import add_catalog, catalog_of, ensure_catalog
    from matcher.register.importer import import_firms

    tmp = tmp_path_factory.mktemp("many")
    url = f"sqlite:///{tmp / 'register.db'}"
    with Register.create(url, actor="aoki") as reg:
        import_firms(reg, EXAMPLES / "kita-register.csv")
        import_firms(reg, write_firms(tmp / "tama.csv", 40))
        v1 = ensure_catalog(reg)
        add_catalog(reg, many_new(catalog_of(reg, v1.id)))
        keys = {name: reg.add_coordinator(name) for name in ("suzuki", "tanaka", "sato")}
    return url, keys


@pytest.fixture(scope="module")
def desk_url(engine, desk):
    with serving(engine, db=desk[0]) as url:
        yield url


@pytest.fixture
def page(browser_context, desk_url):
    page = open_page(browser_context, desk_url)
    page.locator("#myfirms-panel[data-ready=true]").wait_for(state="attached")
    yield page
    page.close()
    assert page.errors == [], f"the page raised: {page.errors}"


def _sign_in(page, key: str, lang: str = "en") -> None:
    if lang == "ja":
        page.get_by_role("button", name="日本語").click()
    page.locator("#tab-myfirms").click()
    page.locator("#mf-key").fill(key)
    page.locator("#mf-key-form button[type=submit]").click()
    page.locator("#mf-alert-list > li").first.wait_for()


def _api(desk_url, key, **params):
    r = httpx.get(f"{desk_url}v1/register/alerts", params={"since": "last_visit", **params}, headers={"X-API-Key": key})
    assert r.status_code == 200, r.text
    return r.json()


def test_each_firm_shows_its_five_best_alerts_and_how_many_more_and_the_firms_come_twenty_at_a_time(page, desk, desk_url):
    key = desk[1]["suzuki"]
    _sign_in(page, key)
    every = _api(desk_url, key, per_firm=100, limit=100)["firms"]
    assert len(every) > 40 and max(len(f["alerts"]) for f in every) > 5
    cards = page.locator("#mf-alert-list > li")
    assert cards.count() == 20
    count = page.locator("#mf-alert-count").inner_text()
    total = sum(len(f["alerts"]) for f in every)
    assert count.startswith(f"{total:,} alerts for {len(every)} firms (new program ")
    for f in every[:20]:
        card = page.locator(f"#mf-alert-list > li[data-firm-id={f['firm_id']}]")
        best = sorted(f["alerts"], key=lambda a: (-a["score"], a["program_id"]))[:5]
        shown = card.locator(".mf-alerts li").evaluate_all("els => els.map(e => e.dataset.programId)")
        assert sorted(shown) == sorted(a["program_id"] for a in best), f["firm_id"]
        more = len(f["alerts"]) - len(best)
        if more:
            assert card.locator(".mf-more").inner_text().startswith(f"… and {more} more: ")
        else:
            assert card.locator(".mf-more").count() == 0
    button = page.locator("#mf-alerts-next")
    assert button.inner_text() == f"Show 20 more firms ({len(every) - 20} left)"
    button.click()
    page.locator("#mf-alert-list > li").nth(20).wait_for()
    assert page.evaluate("document.activeElement.closest('li').dataset.firmId") == every[20]["firm_id"]
    page.locator("#mf-alerts-next").click()
    page.locator(f"#mf-alert-list > li[data-firm-id={every[-1]['firm_id']}]").wait_for()
    assert cards.count() == len(every) and page.locator("#mf-alerts-next").count() == 0
    ids = cards.evaluate_all("els => els.map(e => e.dataset.firmId)")
    assert ids == [f["firm_id"] for f in every]


@pytest.mark.parametrize(("lang", "who"), [("en", "tanaka"), ("ja", "sato")])
def test_axe_finds_nothing_in_the_capped_alerts_and_the_japanese_view_is_japanese(page, desk, axe_source, lang, who):
    _sign_in(page, desk[1][who], lang)
    page.locator("#mf-alerts .mf-more").first.wait_for()
    page.locator("#mf-alerts-next").click()
    page.locator("#mf-alert-list > li").nth(20).wait_for()
    assert axe_violations(page, axe_source) == []
    if lang == "ja":
        more = page.locator("#mf-alerts .mf-more").first.inner_text()
        assert more.startswith("ほかに") and "新しい制度" in more
        assert page.locator("#mf-alerts-next").inner_text().startswith("次の")
        import csv

        names = tuple(row["name"] for row in csv.DictReader((EXAMPLES / "kita-register.csv").open(encoding="utf-8")))
        names += (*(f"Firm {i}" for i in range(40)), *(f"A new program {k}" for k in range(9)), "JSON Lines")
        assert english_left(page, names) == []
