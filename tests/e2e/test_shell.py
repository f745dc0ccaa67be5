"""The shell in real Chromium: service worker, manifest, widget navigation (htmx), keyboard, axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import assert_accessible, newest_login_code

WIDGET = [
    ("dmp", "DMP", "/dmp", "Le DMP et Mon espace santé"),
    ("adresses", "Adresses et contacts", "/adresses", "Adresses et contacts"),
    ("formulaires", "Formulaires", "/formulaires", "Formulaires"),
    ("annuaire", "Annuaire santé", "/annuaire", "Annuaire santé"),
    ("forum", "Forum", "/forum/", "Forum"),
    ("compte", "Compte", "/connexion", "Se connecter à mon compte"),
]

PAGES = [
    "/",
    "/dmp",
    "/adresses",
    "/adresses?code_postal=44000",
    "/adresses?code_postal=4400",
    "/adresses?code_postal=51300",
    "/formulaires",
    "/annuaire",
    "/forum/",
    "/connexion",
    "/agent/connexion",
    "/hors-ligne",
    "/page-inexistante",
    "/inscription",
    "/inscription/demande-enregistree",
    "/code-oublie",
    "/code-oublie/demande-enregistree",
    "/conditions-generales",
    "/reinitialisation/lien-inconnu",
    "/simulateurs/remboursement",
    "/formulaires?q=vitale",
    "/formulaires?public=inconnu",
    "/simulateurs/remboursement?date=2025-03-10&date_naissance=1990-05-01&code_0=G&montant_0=30&code_1=PH7&montant_1=10&base_1=10",
    "/simulateurs/remboursement?date=2025-13-10&date_naissance=&code_0=G&montant_0=-3",
]


def test_home_registers_a_service_worker_that_controls_the_page(page: Page, live_server):
    page.goto(live_server.url + "/")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)
    scope = page.evaluate(
        """() => Promise.race([
            navigator.serviceWorker.ready.then((r) => r.scope),
            new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), 10000)),
        ])"""
    )
    assert scope == live_server.url + "/"
    cached = page.evaluate(
        """async () => {
            const names = await caches.keys();
            const urls = [];
            for (const name of names) {
                for (const request of await (await caches.open(name)).keys()) urls.push(request.url);
            }
            return {names, urls};
        }"""
    )
    assert any(name.startswith("macaisse-static-") for name in cached["names"])
    assert live_server.url + "/hors-ligne" in cached["urls"]
    assert any("/static/vendor/htmx.org/2.0.11/htmx.min.js" in url for url in cached["urls"])


def test_manifest_is_linked_and_its_icons_load(page: Page, live_server):
    page.goto(live_server.url + "/")
    href = page.get_attribute('link[rel="manifest"]', "href")
    manifest = page.evaluate(f"fetch({href!r}).then((r) => r.json())")
    assert manifest["display"] == "standalone"
    assert manifest["start_url"].startswith("/")
    for icon in manifest["icons"]:
        size = page.evaluate(
            """(src) => new Promise((resolve, reject) => {
                const img = new Image();
                img.onload = () => resolve(`${img.naturalWidth}x${img.naturalHeight}`);
                img.onerror = () => reject(new Error(src));
                img.src = src;
            })""",
            icon["src"],
        )
        assert size == icon["sizes"]


@pytest.mark.parametrize(("key", "label", "path", "heading"), WIDGET)
def test_each_widget_button_navigates(page: Page, live_server, key, label, path, heading):
    page.goto(live_server.url + "/")
    button = page.get_by_role("navigation", name="Télécommande").get_by_role("link", name=label)
    button.click()
    expect(page).to_have_url(re.compile(re.escape(path) + r"$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(button).to_have_attribute("aria-current", "page")
    assert page.title().endswith("– macaisse")


def test_widget_navigation_swaps_the_fragment_with_htmx(page: Page, live_server):
    page.goto(live_server.url + "/")
    fragment_requests: list[str] = []
    page.on("request", lambda r: r.headers.get("hx-request") == "true" and fragment_requests.append(r.url))
    page.get_by_role("link", name="Formulaires").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Formulaires")
    assert fragment_requests == [live_server.url + "/formulaires"]
    assert page.title() == "Formulaires – macaisse"
    # The heading takes focus after the swap, for screen readers and keyboards.
    assert page.evaluate("document.activeElement.tagName") == "H1"
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre assurance maladie, dans votre poche")


def test_keyboard_skip_link_and_focus(page: Page, live_server):
    page.goto(live_server.url + "/dmp")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller au contenu")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "contenu"


def test_postal_code_search_with_htmx_and_errors(page: Page, live_server):
    page.goto(live_server.url + "/adresses")
    page.get_by_label("Code postal").fill("4400")
    page.get_by_role("button", name="Rechercher").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Le code postal doit comporter 5 chiffres.")
    expect(page.get_by_label("Code postal")).to_have_value("4400")
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    page.get_by_label("Code postal").fill("44000")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_role("heading", level=2, name="CPAM de la Loire-Atlantique")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/adresses\?code_postal=44000$"))


def test_login_of_the_demo_assuree(page: Page, live_server):
    page.goto(live_server.url + "/connexion")
    page.get_by_label("Numéro de sécurité sociale").fill("2 95 06 75 056 123 49")
    page.get_by_label("Mot de passe").fill("Macaisse-Demo-2026")
    page.get_by_role("button", name="Se connecter", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Saisissez le code reçu par e-mail")
    assert_accessible(page)
    page.get_by_label("Code reçu par e-mail", exact=True).fill(newest_login_code(live_server))
    page.get_by_role("button", name="Valider", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Camille Martin")
    expect(page).to_have_url(live_server.url + "/compte/")
    assert_accessible(page)


def test_no_csp_violation_on_pages(page: Page, live_server):
    messages: list[str] = []
    page.on("console", lambda m: m.type == "error" and messages.append(m.text))
    for path in ("/", "/dmp", "/adresses?code_postal=44000", "/connexion"):
        page.goto(live_server.url + path)
    assert not [m for m in messages if "Content Security Policy" in m], messages


@pytest.mark.parametrize("path", PAGES)
def test_axe_passes(page: Page, live_server, path):
    page.goto(live_server.url + path)
    assert_accessible(page)


@pytest.mark.parametrize("path", ["/", "/adresses?code_postal=4400"])
def test_axe_passes_in_dark_mode_and_on_a_phone(browser, live_server, path):
    context = browser.new_context(color_scheme="dark", viewport={"width": 375, "height": 740})
    page = context.new_page()
    page.goto(live_server.url + path)
    assert_accessible(page)
    context.close()


def test_the_axe_helper_catches_a_serious_violation(page: Page, live_server):
    """The harness itself: an image without alt text and an unlabeled input must fail."""
    page.goto(live_server.url + "/dmp")
    page.evaluate(
        """() => {
            const img = document.createElement("img");
            img.src = "/static/icons/icon-192.png";
            const input = document.createElement("input");
            document.querySelector("main").append(img, input);
        }"""
    )
    with pytest.raises(AssertionError, match="image-alt"):
        assert_accessible(page)


@pytest.mark.parametrize(
    ("login", "password", "paths"),
    [
        ("agent44", "Macaisse-Agent-2026", ["/agent/"]),
        ("admin", "Macaisse-Admin-2026", ["/agent/", "/agent/caisses", "/agent/caisses/1", "/agent/outbox"]),
    ],
)
def test_back_office_pages_for_staff(page: Page, live_server, login, password, paths):
    page.goto(live_server.url + "/agent/connexion")
    page.get_by_label("Identifiant").fill(login)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Saisissez le code reçu par e-mail")
    page.get_by_label("Code reçu par e-mail", exact=True).fill(newest_login_code(live_server))
    page.get_by_role("button", name="Valider", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Espace agent")
    for path in paths:
        page.goto(live_server.url + path)
        assert_accessible(page)


def test_account_pages_pass_axe(page: Page, live_server):
    from tests.e2e.test_passkeys import sign_in_with_password

    sign_in_with_password(page, live_server)
    for path in ("/compte/", "/notifications", "/notifications/preferences", "/appareils", "/securite"):
        page.goto(live_server.url + path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_accessible(page)


def test_forms_filter_live_with_htmx(page: Page, live_server):
    page.goto(live_server.url + "/formulaires")
    total = page.locator(".result").count()
    page.get_by_label("Rechercher un formulaire").fill("vitale")
    expect(page).to_have_url(re.compile(r"/formulaires\?q=vitale$"))
    assert 0 < page.locator(".result").count() < total
