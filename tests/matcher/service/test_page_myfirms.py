"""The page's "My firms" view, driven in a real headless Chromium against the service with a register.

A register of Kita's eight firms with two catalog versions (the built-in catalog, then the same
with one new program) is served by ``create_app(Settings(db=...))`` on a loopback port, as
``matcher serve --db`` serves it; each test signs in with a coordinator's own key, so that one
coordinator's visits and outcomes do not change what another test sees.
"""

from __future__ import annotations

import csv
import re

import httpx
import pytest

from tests.conftest import EXAMPLES
from tests.matcher.service.test_page_browser import (  # noqa: F401  (fixtures)
    ARTIFACTS,
    CHROMIUM,
    base_url,
    browser_context,
    open_page,
    serving,
)
from tests.matcher.service.test_page_ux import axe_source, axe_violations, english_left  # noqa: F401  (fixture)

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=(
    "Debian's chromium is not installed (/usr/bin/chromium missing); "
    "`apt-get install chromium chromium-driver` or run .ci/run, which installs it"))

KITA = "kita-trade-fair-subsidy"
NEW = "test-new-marketing-desk"
COORDINATORS = ("suzuki", "tanaka", "sato", "ito", "kato", "abe", "mori", "ueda", "endo", "ono", "kudo")


def _version2(base):
    """The built-in catalog and one program more (a copy of Kita's marketing consulting)."""
    from profiles import Catalog

    progs = list(base.programs)
    src = next(p for p in progs if p.id == "kita-marketing-consulting")
    progs.append(src.model_copy(update={"id": NEW, "name": "A test program (new)"}))
    return Catalog(programs=tuple(progs), municipalities=base.municipalities, clusters=base.clusters, origin="v2")


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    """The register's URL and a key for each coordinator."""
    from matcher.register import Register
    from matcher.register.catalogs import add_catalog, catalog_of, ensure_catalog
    from matcher.register.importer import import_firms

    url = f"sqlite:///{tmp_path_factory.mktemp('desk') / 'register.db'}"
    with Register.create(url, actor="aoki") as reg:
        import_firms(reg, EXAMPLES / "kita-register.csv")
        v1 = ensure_catalog(reg)
        add_catalog(reg, _version2(catalog_of(reg, v1.id)))
        keys = {name: reg.add_coordinator(name) for name in COORDINATORS}
    return url, keys


@pytest.fixture(scope="module")
def desk_url(engine, desk):
    with serving(engine, db=desk[0]) as url:
        yield url


@pytest.fixture
def keys(desk):
    return desk[1]


@pytest.fixture
def page(browser_context, desk_url):
    page = open_page(browser_context, desk_url)
    page.locator("#myfirms-panel[data-ready=true]").wait_for(state="attached")
    yield page
    page.close()
    assert page.errors == [], f"the page raised: {page.errors}"


def sign_in(page, key: str) -> None:
    page.get_by_role("tab", name="My firms").click()
    page.get_by_label("Coordinator key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    page.locator("#mf-firm-list li").first.wait_for()


def api(desk_url: str, key: str, path: str) -> dict:
    r = httpx.get(f"{desk_url}v1/register/{path}", headers={"X-API-Key": key})
    assert r.status_code == 200, r.text
    return r.json()


def test_without_a_register_the_page_has_no_my_firms_tab(browser_context, base_url):
    page = open_page(browser_context, base_url)
    page.locator("#myfirms-panel[data-ready=true]").wait_for(state="attached")
    assert page.locator("#tab-myfirms").is_hidden()
    page.close()


def test_a_coordinator_signs_in_with_their_key_and_pages_and_searches_their_firms(page, keys):
    page.get_by_role("tab", name="My firms").click()
    page.get_by_label("Coordinator key").fill("shm_not-a-key")
    page.get_by_role("button", name="Sign in").click()
    page.locator("#mf-error:not([hidden])").wait_for()
    assert "unknown or revoked" in page.locator("#mf-error").inner_text()
    assert page.evaluate("sessionStorage.getItem('shien-matcher.register-key')") is None

    sign_in(page, keys["suzuki"])
    assert "Signed in as suzuki (coordinator)" in page.locator("#mf-who").inner_text()
    assert page.evaluate("sessionStorage.getItem('shien-matcher.register-key')") == keys["suzuki"]
    assert page.locator("#mf-page").inner_text() == "Firms 1–8 of 8"
    assert page.locator("#mf-firm-list li").count() == 8 and page.locator("#mf-next").is_disabled()
    page.get_by_placeholder("Search firms (id or name)").fill("oji")
    page.get_by_role("button", name="Search", exact=True).click()
    page.locator("#mf-page", has_text="of 2").wait_for()
    assert page.locator("#mf-firm-list li").evaluate_all("els => els.map(e => e.dataset.firmId)") == ["k01", "k07"]

    page.reload()  # the key stays for this tab: signed in again at once
    page.get_by_role("tab", name="My firms").click()
    page.locator("#mf-who").wait_for()
    page.get_by_role("button", name="Sign out").click()
    assert page.evaluate("sessionStorage.getItem('shien-matcher.register-key')") is None
    assert page.get_by_label("Coordinator key").is_visible()


def test_an_outcome_button_records_the_outcome_in_the_register(page, keys, desk_url):
    sign_in(page, keys["tanaka"])
    page.locator("#mf-firm-list li[data-firm-id=k01] button").click()
    card = page.locator(f"#mf-matches li[data-program-id={KITA}]")
    card.get_by_role("button", name="interested").click()
    page.locator("#mf-notice", has_text="Recorded: interested").wait_for()
    card.locator("button[data-status=interested][aria-pressed=true]").wait_for()
    assert "Last: interested" in card.locator(".mf-last").inner_text()
    history = api(desk_url, keys["tanaka"], "firms/k01/history")
    assert [(o["program_id"], o["status"], o["recorded_by"]) for o in history["outcomes"]] == [(KITA, "interested", "tanaka")]
    assert page.locator("#mf-history li").count() == 1


def test_the_alerts_name_what_is_new_since_the_last_visit_until_marked_as_seen(page, keys, desk_url):
    sign_in(page, keys["sato"])
    page.locator("#mf-alert-list").wait_for()
    assert "since your last visit" in page.locator("#mf-alerts h2").inner_text()
    expected = api(desk_url, keys["sato"], "alerts?since=last_visit")
    firms_new = sorted(f["firm_id"] for f in expected["firms"] if any(a["program_id"] == NEW for a in f["alerts"]))
    shown = page.locator(f"#mf-alert-list li[data-program-id={NEW}][data-kind=new_program]")
    assert firms_new and shown.count() == len(firms_new)
    assert "new program" in shown.first.inner_text()
    page.get_by_role("button", name="Mark as seen").click()
    page.locator("#mf-notice", has_text="Marked as seen").wait_for()
    page.reload()
    page.get_by_role("tab", name="My firms").click()
    page.locator("#mf-alerts .empty").wait_for()
    assert page.locator("#mf-alerts .empty").inner_text() == "Nothing new for your firms since your last visit."
    assert api(desk_url, keys["suzuki"], "alerts?since=last_visit")["firms"]  # another coordinator's visits are theirs


def test_an_imported_file_shows_the_registers_report_with_each_bad_row(page, keys, tmp_path, desk_url):
    sign_in(page, keys["ito"])
    path = tmp_path / "visits.csv"
    path.write_bytes(("id,name,prefecture,municipality,employees\n"
                      "k02,Akabane Plastics,Tokyo,Kita,13\n"
                      "n01,Nishigahara Works,Tokyo,Kita,4\n"
                      "n02,Nowhere Works,Tokyo,Atlantis,3\n").encode("cp932"))
    page.get_by_label("File (CSV in any encoding Excel writes, TSV, Excel, JSON Lines)").set_input_files(str(path))
    page.get_by_role("button", name="Import", exact=True).click()
    report = page.locator("#mf-report")
    report.wait_for()
    counts = {k: report.locator(f"[data-count={k}] dd").inner_text() for k in ("added", "updated", "unchanged", "errors")}
    assert counts == {"added": "1", "updated": "1", "unchanged": "0", "errors": "1"}
    assert page.locator("#mf-import-errors li[data-row='3']").inner_text().startswith("row 3: municipality")
    page.locator("#mf-page", has_text="of 9").wait_for()  # the list shows the new firm
    assert api(desk_url, keys["ito"], "firms/n01")["added_by"] == "ito"


def test_a_programs_call_list_names_the_firms_to_call_and_their_last_contact(page, keys):
    sign_in(page, keys["kato"])
    page.get_by_label("Program to call about").fill(KITA)
    page.get_by_role("button", name="Whom to call").click()
    first = page.locator("#mf-call-list > li").first
    first.wait_for()
    assert first.get_attribute("data-firm-id") == "k01" and "eligible" in first.inner_text()
    assert page.locator("#mf-call-list .reasons li").count() > 0
    first.get_by_role("button", name="Oji Precision Press").click()  # opens the firm
    page.locator("#mf-firm-heading", has_text="k01").wait_for()


def test_in_japanese_the_view_and_its_problems_are_japanese(page, keys):
    page.get_by_role("button", name="日本語").click()
    page.get_by_role("tab", name="担当の事業者").click()
    page.get_by_label("コーディネーターキー").fill("shm_wrong")
    page.get_by_role("button", name="ログイン").click()
    page.locator("#mf-error:not([hidden])").wait_for()
    assert page.locator("#mf-error").inner_text() == "この API キーは登録されていないか、無効にされています"
    page.get_by_label("コーディネーターキー").fill(keys["abe"])
    page.get_by_role("button", name="ログイン").click()
    page.locator("#mf-firm-list li").first.wait_for()
    assert "abeさん（コーディネーター）" in page.locator("#mf-who").inner_text()
    assert page.locator("#mf-alerts h2").inner_text() == "前回の確認以降、担当事業者に新しく関係する制度"
    assert re.fullmatch(r"(\d+)社中 1〜\1社目", page.locator("#mf-page").inner_text())  # 8, or 9 after the import
    page.locator("#mf-firm-list li[data-firm-id=k01] button").click()
    buttons = page.locator(f"#mf-matches li[data-program-id={KITA}] .mf-outcomes button")
    buttons.first.wait_for()
    assert buttons.all_inner_texts() == ["連絡済み", "関心あり", "申請済み", "採択", "辞退", "対象外"]
    # the whole view, as a Japanese reader sees it, but for codes and the register's firm names
    names = tuple(row["name"] for row in csv.DictReader((EXAMPLES / "kita-register.csv").open(encoding="utf-8")))
    names += ("Nishigahara Works",)  # imported by an earlier test
    assert english_left(page, (*names, "JSON Lines")) == []  # and a format's name
    page.get_by_role("button", name="English").click()  # the view redraws in the other language
    page.locator("#mf-firms-heading", has_text="Your register").wait_for()


def test_on_a_390_px_phone_my_firms_needs_no_horizontal_scroll(browser_context, desk_url, keys):
    phone = open_page(browser_context, desk_url)
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.locator("#myfirms-panel[data-ready=true]").wait_for(state="attached")
    sign_in(phone, keys["mori"])
    phone.locator("#mf-firm-list li[data-firm-id=k01] button").click()
    phone.locator("#mf-matches li").first.wait_for()
    phone.get_by_label("Program to call about").fill(KITA)
    phone.get_by_role("button", name="Whom to call").click()
    phone.locator("#mf-call-list > li").first.wait_for()
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= 390
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "page-myfirms-390.png"), full_page=True)
    phone.close()
    assert phone.errors == [], f"the page raised: {phone.errors}"


@pytest.mark.parametrize(("lang", "who"), [("en", "ueda"), ("ja", "endo")])
def test_axe_finds_nothing_at_all_in_my_firms(page, keys, axe_source, tmp_path, lang, who):
    if lang == "ja":
        page.get_by_role("button", name="日本語").click()
    page.locator("#tab-myfirms").click()
    page.locator("#mf-key").wait_for()
    assert axe_violations(page, axe_source) == []  # signed out: the key form

    page.locator("#mf-key").fill("shm_wrong")
    page.locator("#mf-key-form button[type=submit]").click()
    page.locator("#mf-error:not([hidden])").wait_for()
    assert axe_violations(page, axe_source) == []  # the key refused

    page.locator("#mf-key").fill(keys[who])
    page.locator("#mf-key-form button[type=submit]").click()
    page.locator("#mf-firm-list li").first.wait_for()
    page.locator("#mf-alert-list").wait_for()
    page.locator("#mf-firm-list li[data-firm-id=k01] button").click()
    page.locator(f"#mf-matches li[data-program-id={KITA}] .mf-outcomes button").first.wait_for()
    assert axe_violations(page, axe_source) == []  # signed in: alerts, the list, a firm and its matches

    path = tmp_path / "visits.csv"
    path.write_text("id,name,prefecture,municipality,employees\nx01,Nowhere Works,Tokyo,Atlantis,3\n", encoding="utf-8")
    page.locator("#mf-file").set_input_files(str(path))
    page.locator("#mf-import-form button[type=submit]").click()
    page.locator("#mf-import-errors li").first.wait_for()
    page.locator("#mf-program").fill(KITA)
    page.locator("#mf-calls-form button[type=submit]").click()
    page.locator("#mf-call-list > li").first.wait_for()
    assert axe_violations(page, axe_source) == []  # an import's report with its bad row, a call list

    page.locator("#mf-firm-list li[data-firm-id=k05] button").click()
    page.locator("#mf-firm-heading", has_text="k05").wait_for()
    page.locator("#mf-firm details > summary").first.click()  # the edit form, open
    assert axe_violations(page, axe_source) == []  # any impact, minor ones too


def test_an_edit_of_a_firm_someone_else_changed_meanwhile_is_refused_with_who_and_nothing_lost(page, keys, desk_url):
    sign_in(page, keys["ono"])
    page.locator("#mf-firm-list li[data-firm-id=k05] button").click()
    page.locator("#mf-firm-heading", has_text="k05").wait_for()
    page.get_by_text("Edit this firm").click()
    before = api(desk_url, keys["ono"], "firms/k05")
    page.get_by_label("Name", exact=True).fill(before["name"] + " Ltd")
    page.get_by_role("button", name="Save").click()
    page.locator("#mf-notice", has_text=f"Saved: version {before['version'] + 1}").wait_for()
    assert api(desk_url, keys["ono"], "firms/k05")["name"] == before["name"] + " Ltd"

    # kudo edits the same firm while ono's form is open at the version just saved
    page.get_by_text("Edit this firm").click()
    page.get_by_label("Name", exact=True).fill("Ono's name")
    r = httpx.patch(f"{desk_url}v1/register/firms/k05", headers={"X-API-Key": keys["kudo"]},
                    json={"version": before["version"] + 1, "changes": {"name": "Kudo's name"}})
    assert r.status_code == 200, r.text
    page.get_by_role("button", name="Save").click()
    error = page.locator("#mf-edit-error:not([hidden])")
    error.wait_for()
    v = before["version"]
    assert error.locator("p").inner_text() == (
        f"Not saved: kudo changed this firm since you opened it (you edited version {v + 1}, the register has {v + 2}). "
        "Reload it to see their change, then edit again.")
    assert api(desk_url, keys["ono"], "firms/k05")["name"] == "Kudo's name"  # the other's change kept
    page.get_by_role("button", name="Reload the firm").click()
    page.locator("#mf-firm .meta", has_text=f"Version {v + 2}").wait_for()
    page.get_by_text("Edit this firm").click()
    assert page.get_by_label("Name", exact=True).input_value() == "Kudo's name"
