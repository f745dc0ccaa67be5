"""Informations pratiques in real Chromium: axe on the index, a fiche and the accessibility
statement; the live search typed at the keyboard (htmx swap, focus kept in the field); a fiche read
once opening again offline from the service worker's cache."""

from __future__ import annotations

from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import assert_accessible
from tests.e2e.test_offline import wait_until_controlled

FICHE_TITLE = "Consultation chez le médecin généraliste : ce qui est remboursé"
KINE_TITLE = "Kinésithérapie : séances, tarifs et remboursement"


def test_pages_are_accessible(page: Page, live_server):
    page.goto(live_server.url + "/informations/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Informations pratiques")
    assert_accessible(page)

    page.get_by_role("link", name=FICHE_TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(FICHE_TITLE)
    expect(page.locator("figure figcaption").first).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Accessibilité : partiellement conforme").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Déclaration d'accessibilité")
    assert_accessible(page)


def test_live_search_by_keyboard(page: Page, live_server):
    page.goto(live_server.url + "/informations/")
    page.wait_for_function("() => window.htmx !== undefined")
    field = page.get_by_label("Rechercher une fiche")
    field.focus()
    page.keyboard.type("kilometriques", delay=20)
    results = page.locator("#resultats-recherche")
    expect(results.get_by_role("link", name="Transport sanitaire", exact=False)).to_be_visible()
    expect(results.get_by_role("status")).to_have_text("1 fiche pour « kilometriques ».")
    expect(field).to_be_focused()
    expect(page).to_have_url(live_server.url + "/informations/?q=kilometriques")
    assert_accessible(page)

    page.keyboard.press("Control+A")
    page.keyboard.type("xylophone", delay=20)
    expect(results).to_contain_text("Aucune fiche ne correspond à « xylophone »")
    expect(field).to_be_focused()


def test_a_fiche_read_opens_offline(page: Page, context: BrowserContext, live_server):
    url = live_server.url + "/informations/kinesitherapie"
    page.goto(live_server.url + "/informations/")
    wait_until_controlled(page)
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Kinésithérapie : séances, tarifs et remboursement"
    )

    context.set_offline(True)
    try:
        page.reload()
        expect(page.get_by_role("heading", level=1)).to_have_text(KINE_TITLE)
        expect(page.locator("figure figcaption").first).to_be_visible()
    finally:
        context.set_offline(False)
