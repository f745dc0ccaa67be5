"""Installing the app, in real Chromium: the installability criteria checked one by one (Lighthouse
no longer does), the "Installer l'application" button and the iOS instructions, life in the
installed app (display-mode standalone), and the update banner when the worker changes."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from urllib.parse import urljoin

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import assert_accessible
from tests.integration.test_install import png_size

HOME_HEADING = "Votre assurance maladie, dans votre poche"
IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
# What Chromium gives a page when it can install the app; prompt() and userChoice stubbed.
OFFER_INSTALL_JS = """() => {
    const event = new Event("beforeinstallprompt", {cancelable: true});
    event.prompt = () => { window.promptCalls = (window.promptCalls || 0) + 1; return Promise.resolve(); };
    event.userChoice = Promise.resolve({outcome: "accepted", platform: "web"});
    window.dispatchEvent(event);
    return event.defaultPrevented;
}"""
# Chromium cannot emulate display-mode: answer the media query as an installed app's page would.
STANDALONE_JS = """(() => {
    const original = window.matchMedia.bind(window);
    window.matchMedia = (query) => query.replace(/\\s/g, "") === "(display-mode:standalone)"
        ? {matches: true, media: query, onchange: null, addEventListener() {}, removeEventListener() {},
           addListener() {}, removeListener() {}, dispatchEvent() { return false; }}
        : original(query);
})();"""
CONTROLLED = "() => navigator.serviceWorker.controller !== null"


@pytest.fixture
def fresh(browser: Browser) -> Iterator[Page]:
    """A page in a new browser context: no worker, no cache, nothing installed yet."""
    context = browser.new_context()
    yield context.new_page()
    context.close()


def test_the_app_meets_the_installability_criteria(fresh: Page, live_server):
    page = fresh
    page.goto(live_server.url + "/")
    manifest_url = urljoin(live_server.url, page.get_attribute('link[rel="manifest"]', "href"))
    response = page.request.get(manifest_url)
    assert response.ok
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = response.json()

    # The manifest's fields.
    for key in (
        "id",
        "name",
        "short_name",
        "description",
        "start_url",
        "scope",
        "theme_color",
        "background_color",
    ):
        assert isinstance(manifest[key], str), key
        assert manifest[key].strip(), key
    assert manifest["display"] == "standalone"
    assert manifest["lang"] == "fr"
    start_url = urljoin(manifest_url, manifest["start_url"])
    scope = urljoin(manifest_url, manifest["scope"])
    assert start_url.startswith(scope)
    assert urljoin(manifest_url, manifest["id"]).startswith(live_server.url)
    widget = page.get_by_role("navigation", name="Télécommande").get_by_role("link")
    assert [s["name"] for s in manifest["shortcuts"]] == [name.strip() for name in widget.all_inner_texts()]
    assert {shot["form_factor"] for shot in manifest["screenshots"]} == {"narrow", "wide"}

    # Every image fetched, a PNG of its declared size; an "any" icon of 192 and of 512 pixels.
    images = (
        manifest["icons"] + manifest["screenshots"] + [i for s in manifest["shortcuts"] for i in s["icons"]]
    )
    for image in images:
        fetched = page.request.get(urljoin(manifest_url, image["src"]))
        assert fetched.ok, image["src"]
        assert fetched.headers["content-type"] == image["type"] == "image/png"
        assert png_size(fetched.body()) == image["sizes"], image["src"]
    any_sizes = {icon["sizes"] for icon in manifest["icons"] if icon.get("purpose", "any") == "any"}
    assert {"192x192", "512x512"} <= any_sizes

    # The worker controls the page, with the manifest's scope.
    page.wait_for_function(CONTROLLED, timeout=15000)
    registered_scope = page.evaluate(
        """() => Promise.race([
            navigator.serviceWorker.ready.then((r) => r.scope),
            new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), 10000)),
        ])"""
    )
    assert registered_scope == scope

    # start_url is answered offline: the app opens without network.
    page.context.set_offline(True)
    offline = page.goto(start_url)
    assert offline is not None
    assert offline.status == 200
    assert offline.from_service_worker
    expect(page.get_by_role("heading", level=1)).to_have_text(HOME_HEADING)
    page.context.set_offline(False)


def test_install_button_only_when_the_browser_offers(fresh: Page, live_server):
    page = fresh
    page.goto(live_server.url + "/")
    button = page.get_by_role("button", name="Installer l'application")
    expect(button).to_be_hidden()
    expect(page.get_by_text("Sur l'écran d'accueil")).to_be_hidden()  # not an iPhone

    assert page.evaluate(OFFER_INSTALL_JS) is True  # the browser's own banner is kept back
    expect(button).to_be_visible()
    assert_accessible(page)
    button.click()
    expect(button).to_be_hidden()  # the browser's dialog can be shown once
    assert page.evaluate("window.promptCalls") == 1

    page.evaluate(OFFER_INSTALL_JS)
    expect(button).to_be_visible()
    page.evaluate("() => window.dispatchEvent(new Event('appinstalled'))")
    expect(button).to_be_hidden()


def test_iphone_safari_is_told_how_to_install(browser: Browser, live_server):
    context = browser.new_context(user_agent=IPHONE_SAFARI, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(live_server.url + "/")
    hint = page.get_by_text("Pour installer macaisse sur votre iPhone ou iPad")
    expect(hint).to_have_text(
        "Pour installer macaisse sur votre iPhone ou iPad : touchez Partager, puis « Sur l'écran d'accueil »."
    )
    expect(page.get_by_role("button", name="Installer l'application")).to_be_hidden()
    assert page.evaluate("document.documentElement.classList.contains('ios')")
    assert_accessible(page)
    context.close()


def test_installed_app_has_a_back_button_and_no_install_offer(browser: Browser, live_server):
    context = browser.new_context()
    context.add_init_script(STANDALONE_JS)
    page = context.new_page()
    page.goto(live_server.url + "/")
    assert page.evaluate("document.documentElement.classList.contains('standalone')")
    back = page.get_by_role("button", name="Retour")
    expect(back).to_be_hidden()  # the first page of the app: nowhere to go back to
    page.evaluate(OFFER_INSTALL_JS)
    expect(page.get_by_role("button", name="Installer l'application")).to_be_hidden()

    page.get_by_role("navigation", name="Télécommande").get_by_role("link", name="Formulaires").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Formulaires")
    expect(back).to_be_visible()
    # A document opens in a window of its own: the app's page stays behind it.
    pdf_links = page.locator('#page a[href*=".pdf"]')
    expect(pdf_links.first).to_have_attribute("target", "_blank")
    assert_accessible(page)
    back.click()
    expect(page).to_have_url(live_server.url + "/")
    context.close()


def test_a_new_worker_waits_for_the_update_banner_then_reloads_once(fresh: Page, live_server):
    page = fresh
    page.goto(live_server.url + "/")
    page.wait_for_function(CONTROLLED, timeout=15000)
    banner = page.get_by_text("Nouvelle version disponible")
    expect(banner).to_be_hidden()  # the first install updates nothing
    caches_js = "() => caches.keys()"
    old_static = [name for name in page.evaluate(caches_js) if name.startswith("macaisse-static-")]
    try:
        live_server.app.config["SW_VERSION_SALT"] = "e2e-nouvelle-version"
        source = page.request.get(live_server.url + "/sw.js").text()
        new_version = json.loads(re.search(r"^const SW_VERSION = (.*);$", source, re.MULTILINE).group(1))
        page.evaluate(
            """() => Promise.race([
                navigator.serviceWorker.getRegistration().then((r) => r.update()).then(() => true),
                new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), 20000)),
            ])"""
        )
        expect(banner).to_be_visible(timeout=15000)
        # It waits: the page is still served by the old worker until the user says so.
        assert page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.waiting !== null)")
        assert_accessible(page)

        loads: list[str] = []
        page.on("load", lambda loaded: loads.append(loaded.url))
        with page.expect_event("load"):
            page.get_by_role("button", name="Mettre à jour").click()
        page.wait_for_function(CONTROLLED, timeout=15000)
        page.wait_for_timeout(1500)  # a reload loop would show here
        assert loads == [live_server.url + "/"]
        expect(banner).to_be_hidden()
        state = page.evaluate(
            """() => navigator.serviceWorker.getRegistration().then((r) => ({
                waiting: r.waiting !== null, active: r.active && r.active.state}))"""
        )
        assert state == {"waiting": False, "active": "activated"}
        names = page.evaluate(caches_js)
        assert f"macaisse-static-{new_version}" in names
        assert not set(old_static) & set(names)  # the old version's shell is gone
    finally:
        live_server.app.config["SW_VERSION_SALT"] = ""
