"""Mon compte in real Chromium: the lazy blocks swapped in by htmx after the page showed, the same
blocks reached by their links with JavaScript off, the alerts of the demo accounts, and "Agir pour
un proche" with its banner — axe-clean and by keyboard."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import assert_accessible, newest_login_code

PASSWORD = "Macaisse-Demo-2026"
CAMILLE = "2 95 06 75 056 123 49"
NADIA = "2 88 04 75 115 212 53"


def sign_in(page: Page, live_server, nir: str) -> None:
    page.goto(live_server.url + "/connexion")
    page.get_by_label("Numéro de sécurité sociale").fill(nir)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter", exact=True).click()
    page.wait_for_url(re.compile(r"/(connexion/code|cgu|compte/)$"))
    if page.url.endswith("/connexion/code"):
        page.get_by_label("Code reçu par e-mail", exact=True).fill(newest_login_code(live_server))
        page.get_by_role("button", name="Valider", exact=True).click()
        page.wait_for_url(re.compile(r"/(cgu|compte/)$"))
    if page.url.endswith("/cgu"):
        page.get_by_label("J'ai lu et j'accepte les conditions générales d'utilisation").check()
        page.get_by_role("button", name="Accepter et continuer").click()
    expect(page).to_have_url(live_server.url + "/compte/")


def test_home_loads_its_blocks_lazily_and_acts_for_a_child(page: Page, live_server):
    sign_in(page, live_server, CAMILLE)
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Camille Martin")
    # The blocks replace their placeholders once the page is shown (htmx, hx-trigger="load").
    expect(page.locator("#bloc-paiements")).to_be_visible()
    expect(page.locator("#bloc-demarches")).to_be_visible()
    expect(page.get_by_role("link", name="Afficher les derniers paiements")).to_have_count(0)
    expect(page.locator("#bloc-paiements")).to_contain_text("Tous les paiements")
    expect(page).to_have_title(re.compile("^Mon compte"))  # a block does not change the title
    expect(page.locator(".alerts__title").first).to_be_visible()
    assert_accessible(page)

    # "Agir pour un proche" by keyboard: Léo's radio, then the button.
    radio = page.get_by_label(re.compile("^Léo MARTIN, né"))
    radio.focus()
    expect(radio).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Afficher son dossier")).to_be_focused()
    page.keyboard.press("Enter")
    banner = page.get_by_role("region", name="Dossier affiché")
    expect(banner).to_contain_text("Vous agissez pour Léo MARTIN")
    expect(page.get_by_role("heading", name="Les droits de Léo")).to_be_visible()
    expect(page.locator("#bloc-paiements")).to_be_visible()
    assert_accessible(page)

    page.goto(live_server.url + "/compte/paiements/")
    expect(page.get_by_role("region", name="Dossier affiché")).to_be_visible()
    banner = page.get_by_role("region", name="Dossier affiché")
    banner.get_by_role("button", name="Revenir à mon dossier").click()
    expect(page).to_have_url(live_server.url + "/compte/")
    expect(page.get_by_role("region", name="Dossier affiché")).to_have_count(0)
    expect(page.get_by_role("heading", name="Vos droits")).to_be_visible()

    # The blocks' own pages (reached without JavaScript) are pages of their own, accessible too.
    for url, title in (
        ("/compte/blocs/derniers-paiements", "Mes derniers paiements"),
        ("/compte/blocs/demarches-en-cours", "Mes démarches en cours"),
    ):
        page.goto(live_server.url + url)
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        assert_accessible(page)


def test_nadia_sees_her_alerts_most_urgent_first(page: Page, live_server):
    sign_in(page, live_server, NADIA)
    titles = page.locator(".alerts__title").all_inner_texts()
    assert titles, "no alert shown"
    assert titles[0].startswith(("Les droits de Marc", "Les conditions générales"))
    assert any(title.startswith("Votre caisse attend un document") for title in titles)
    assert any(title.startswith("Votre carte européenne") for title in titles)
    # Legal alerts have no "Masquer"; the CEAM one has.
    legal = page.locator(".alerts__item", has_text="Les conditions générales")
    expect(legal.get_by_role("button", name="Masquer")).to_have_count(0)
    ceam = page.locator(".alerts__item", has_text="Votre carte européenne")
    expect(ceam.get_by_role("button", name="Masquer")).to_have_count(1)
    assert_accessible(page)


def test_blocks_work_without_javascript(browser: Browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, live_server, CAMILLE)
        link = page.get_by_role("link", name="Afficher les derniers paiements")
        expect(link).to_be_visible()
        link.click()
        expect(page).to_have_url(live_server.url + "/compte/blocs/derniers-paiements")
        expect(page.get_by_role("heading", level=1)).to_have_text("Mes derniers paiements")
        expect(page.locator("#bloc-paiements")).to_be_visible()
        page.go_back()
        page.get_by_role("link", name="Afficher les démarches en cours").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Mes démarches en cours")
    finally:
        context.close()
