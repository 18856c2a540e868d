"""The coordinators' page, driven in a real headless Chromium against the real service.

The service runs in this process on a loopback port (uvicorn in a thread); Playwright
drives Debian's ``chromium`` (``.ci/run`` installs it). Without ``/usr/bin/chromium``
these tests are skipped. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import contextlib
import csv
import io
import socket
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
REGISTER_CSV = """\
id,name,prefecture,municipality,industry,employees,capital_jpy,founded,needs,description
k02,Akabane Plastics,Tokyo,Kita,E18,12,5000000,1990-06-01,marketing,Plastic injection moulding
k01,Oji Precision Press,Tokyo,Kita,E24,25,10000000,1978-04-01,trade_fair;marketing,"Metal press work; we want to exhibit at a trade fair"
m01,Mitaka Soft,Tokyo,Mitaka,G39,8,3000000,2019-09-01,website,Business software for small shops
"""

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=(
    "Debian's chromium is not installed (/usr/bin/chromium missing); "
    "`apt-get install chromium chromium-driver` or run .ci/run, which installs it"))


@contextlib.contextmanager
def serving(engine, **settings):
    """The service, with the page at its root, listening on a free loopback port: its URL."""
    import uvicorn

    from matcher.service.app import create_app
    from matcher.service.settings import Settings

    app = create_app(Settings(**{"api_key": None, "admin_token": None, **settings}), engine=engine)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)  # connections wait in the backlog until the server accepts them
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        assert server.started, "the service did not start"
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture(scope="module")
def base_url(engine):
    with serving(engine) as url:
        yield url


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory):
    """One Chromium for the whole module, with a fresh profile, in English."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=str(CHROMIUM), headless=True,
            args=CHROMIUM_ARGS, locale="en-US", viewport={"width": 1280, "height": 900}, accept_downloads=True)
        context.set_default_timeout(15_000)
        yield context
        context.close()


def open_page(context, url):
    """A new tab on the page, in English, once its pickers are filled from the service."""
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.goto(f"{url}healthz")  # same origin, no script: forget the language of an earlier test
    page.evaluate("localStorage.clear()")
    page.goto(url)
    page.wait_for_selector("body[data-ready=true]", state="attached")
    return page


@pytest.fixture
def page(browser_context, base_url):
    page = open_page(browser_context, base_url)
    yield page
    page.close()
    assert page.errors == [], f"the page raised: {page.errors}"


def describe_kita_metal_press(page) -> None:
    """Fill the form for a 25-person metal-press firm in Kita City that wants a trade fair."""
    page.get_by_label("Firm name").fill("Oji Precision Press")
    page.get_by_label("Municipality").fill("Kita")
    page.get_by_role("option", name="Kita City, Tokyo").click()
    page.get_by_label("Industry").select_option("E24")
    page.get_by_label("Employees").fill("25")
    page.get_by_label("Capital (yen)").fill("10000000")
    page.get_by_label("trade fairs and exhibitions").check()
    page.get_by_label("Description").fill("Metal press work. We want to exhibit at a trade fair.")
    page.get_by_role("button", name="Find support").click()
    page.locator("#schemes .card").first.wait_for()


def test_a_kita_metal_press_firm_wanting_a_trade_fair_sees_kitas_trade_fair_subsidy_with_its_reasons(page):
    describe_kita_metal_press(page)

    assert page.get_by_label("Prefecture").input_value() == "13"  # picked with the municipality
    top3 = page.locator("#schemes .card").evaluate_all("cards => cards.slice(0, 3).map(c => c.dataset.id)")
    assert "kita-trade-fair-subsidy" in top3
    card = page.locator('#schemes .card[data-id="kita-trade-fair-subsidy"]')
    assert "Kita City Trade Fair Participation Subsidy" in card.locator("h4").inner_text()
    assert card.locator(".bar-row").evaluate_all("rows => rows.map(r => r.dataset.component)") == [
        "text", "needs", "kind", "industry", "locality"]
    reasons = card.locator(".reasons li").all_inner_texts()
    assert any("trade fairs and exhibitions" in r for r in reasons)
    assert any("own municipality (Kita City, Tokyo)" in r for r in reasons)
    assert page.locator("#municipalities .card").first.locator("h4").inner_text().find("Kita City") >= 0

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "page-kita-metal-press.png"), full_page=True)


def test_the_ranked_results_download_as_csv(page):
    describe_kita_metal_press(page)

    with page.expect_download() as download:
        page.get_by_role("button", name="Download as CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    schemes = [r for r in rows if r["type"] == "scheme"]
    assert "kita-trade-fair-subsidy" in [r["id"] for r in schemes[:3]]
    subsidy = next(r for r in schemes if r["id"] == "kita-trade-fair-subsidy")
    assert subsidy["name_ja"] == "北区展示会出展補助金" and "trade fairs" in subsidy["reasons"]
    assert any(r["type"] == "municipality" and r["id"] == "131172" for r in rows)


def test_a_missing_fact_is_offered_as_a_field_to_fill(page):
    page.get_by_label("Municipality").fill("Hamura")
    page.get_by_role("option", name="Hamura City, Tokyo").click()
    page.get_by_label("financing").check()
    page.get_by_role("button", name="Find support").click()

    possible = page.locator('#schemes .card.possible[data-id="hamura-interest-subsidy"]')
    possible.get_by_role("button", name="Employees").click()
    assert page.evaluate("document.activeElement.id") == "firm-employees"


def test_switching_to_japanese_relabels_the_page_and_is_remembered(page):
    describe_kita_metal_press(page)
    page.get_by_role("button", name="日本語").click()

    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.get_by_role("button", name="支援を探す").is_visible()
    assert page.get_by_label("市区町村", exact=True).input_value() == "北区"
    card = page.locator('#schemes .card[data-id="kita-trade-fair-subsidy"]')
    assert card.locator("h4 .name").inner_text() == "北区展示会出展補助金"
    assert card.locator(".bar-row dt").first.inner_text() == "事業内容の一致"
    # the results are asked for again in Japanese, reasons included
    card.locator(".reasons li", has_text="企業のニーズに対応").first.wait_for()
    assert "企業のニーズに対応: 展示会・見本市" in card.locator(".reasons").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "page-kita-metal-press-ja.png"), full_page=True)

    page.reload()
    page.wait_for_selector("body[data-ready=true]", state="attached")
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.get_by_role("tab", name="企業に合う支援を探す").is_visible()


def test_an_unknown_municipality_is_reported_next_to_the_municipality_field(page):
    page.get_by_label("Municipality").fill("Atlantis")
    page.get_by_label("Municipality").press("Escape")
    page.get_by_role("button", name="Find support").click()

    error = page.locator("#firm-municipality-error")
    error.wait_for()
    assert "unknown municipality" in error.inner_text()
    assert page.get_by_label("Municipality").get_attribute("aria-invalid") == "true"
    assert page.locator("#rank-results").is_hidden()


def test_the_reverse_view_lists_whom_to_call_first_from_a_pasted_csv(page, tmp_path):
    page.get_by_role("tab", name="Whom to call about a program").click()
    page.get_by_label("Program", exact=True).select_option("kita-trade-fair-subsidy")
    page.get_by_label("Firms (CSV)").fill(REGISTER_CSV)
    page.get_by_role("button", name="Whom to call first").click()

    rows = page.locator("#reach-results tbody tr")
    rows.first.wait_for()
    assert rows.evaluate_all("rs => rs.map(r => r.dataset.firmId)")[0] == "k01"
    first = rows.first
    assert "Oji Precision Press" in first.inner_text() and "row 2" in first.inner_text()  # as the CLI counts
    assert "trade fairs and exhibitions" in first.locator(".reasons").inner_text()
    assert first.locator(".status").inner_text() == "eligible"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "page-reach-kita-trade-fair-subsidy.png"), full_page=True)

    with page.expect_download() as download:
        page.get_by_role("button", name="Download as CSV").click()
    exported = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert [r["firm_id"] for r in exported][0] == "k01"
    assert exported[0]["row"] == "2" and exported[0]["status"] == "eligible"


def test_the_reverse_view_reads_an_uploaded_csv_names_the_row_of_a_bad_firm_and_ranks_the_others(page, tmp_path):
    upload = tmp_path / "firms.csv"
    upload.write_text(REGISTER_CSV + "x01,Nowhere Works,Tokyo,Atlantis,E24,5,,,trade_fair,\n", encoding="utf-8")
    page.get_by_role("tab", name="Whom to call about a program").click()
    page.get_by_label("Program", exact=True).select_option("kita-trade-fair-subsidy")
    page.get_by_label("…or upload a file").set_input_files(str(upload))
    bad = page.locator("#reach-reading tbody tr.problem")
    bad.wait_for()  # the service read the file at once; its reading shows before anything is ranked
    assert bad.get_attribute("data-row") == "4" and "unknown municipality" in bad.inner_text()
    page.get_by_role("button", name="Whom to call first").click()

    error = page.locator("#reach-firms-error")
    error.wait_for()
    assert "Row 4" in error.inner_text() and "municipality" in error.inner_text()  # the 4th data row, as the CLI says
    page.locator("#reach-results tbody tr").first.wait_for()
    rows = page.locator("#reach-results tbody tr")
    assert rows.evaluate_all("rs => rs.map(r => r.dataset.firmId)")[0] == "k01"  # the other rows are ranked
    assert "x01" not in rows.evaluate_all("rs => rs.map(r => r.dataset.firmId)")


def test_a_service_with_an_api_key_asks_for_it_and_then_answers(browser_context, engine):
    with serving(engine, api_key="s3cret") as url:
        page = open_page(browser_context, url)
        assert page.get_by_label("Industry").locator("option").count() == 1  # nothing to choose yet

        page.get_by_label("API key").fill("s3cret")
        page.get_by_role("button", name="Use this key").click()
        page.get_by_label("Industry").locator("option[value=E24]").wait_for(state="attached")
        assert page.locator("#key-form").is_hidden()
        page.close()


def test_the_loan_a_firm_came_for_is_the_first_card_even_when_its_size_is_missing(page):
    # the Hamura interest subsidy is for SMEs; with no size given it is only "possible", and it is
    # still the first card, in place, with the facts to give (not a screen further down)
    page.get_by_label("Municipality").fill("Hamura")
    page.get_by_role("option", name="Hamura City, Tokyo").click()
    page.get_by_label("financing").check()
    page.get_by_role("button", name="Find support").click()

    first = page.locator("#schemes .card").first
    first.wait_for()
    assert first.get_attribute("data-id") == "hamura-interest-subsidy"
    assert "possible" in first.get_attribute("class")
    assert first.get_by_role("button", name="Employees").is_visible()
    # on the first screen of the results: within one viewport height of their heading, measured
    # once the cards have their details (the result is drawn again when they arrive)
    page.wait_for_selector("#rank-results[data-details=loaded]", state="attached")
    heading = page.locator("#rank-results-heading").bounding_box()
    assert first.bounding_box()["y"] - heading["y"] < page.viewport_size["height"]
