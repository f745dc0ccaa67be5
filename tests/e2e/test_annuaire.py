"""The Annuaire santé in real Chromium: live filters with htmx, commune suggestions, keyboard,
error summary focus, the practitioner page and axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import assert_accessible

DURAND_PAGE = "/annuaire/professionnels/810101010105"


def test_live_search_swaps_the_results_and_keeps_the_url(page: Page, live_server):
    page.goto(live_server.url + "/annuaire")
    page.evaluate("window.notReloaded = true")
    page.get_by_label("Nom, profession ou spécialité").fill("durand sophie")
    expect(page).to_have_url(re.compile(r"/annuaire\?q=durand\+sophie$"))
    expect(page.get_by_role("link", name="Dr Sophie DURAND")).to_be_visible()
    assert page.evaluate("window.notReloaded") is True

    page.get_by_label("Profession", exact=True).select_option(label="Chirurgien-dentiste")
    expect(page.get_by_role("status")).to_contain_text("Aucun résultat")
    page.get_by_label("Profession", exact=True).select_option(label="Médecin généraliste")
    expect(page.get_by_role("link", name="Dr Sophie DURAND")).to_be_visible()
    expect(page).to_have_url(re.compile(r"profession=generaliste"))
    assert page.evaluate("window.notReloaded") is True


def test_place_suggestions_and_search_by_commune(page: Page, live_server):
    page.goto(live_server.url + "/annuaire")
    place = page.get_by_label("Où ?")
    place.press_sequentially("Nant", delay=30)
    expect(page.locator('#communes-suggestions option[value="Nantes (44000)"]')).to_have_count(1)
    place.fill("Nantes (44000)")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_role("link", name="Dr Sophie DURAND")).to_be_visible()
    expect(page).to_have_url(re.compile(r"lieu=Nantes"))


def test_bad_place_focuses_the_error_summary_and_keeps_the_input(page: Page, live_server):
    page.goto(live_server.url + "/annuaire")
    page.get_by_label("Où ?").fill("Atlantis")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_role("alert")).to_contain_text("Aucune commune ne s'appelle « Atlantis »")
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.get_by_label("Où ?")).to_have_value("Atlantis")
    page.get_by_role("alert").get_by_role("link").click()
    expect(page.get_by_label("Où ?")).to_be_focused()


def test_practitioner_page_by_keyboard(page: Page, live_server):
    page.goto(live_server.url + "/annuaire?q=durand&lieu=44")
    link = page.get_by_role("link", name="Dr Sophie DURAND")
    link.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dr Sophie DURAND")
    expect(page).to_have_url(re.compile(re.escape(DURAND_PAGE) + "$"))
    expect(page.get_by_role("heading", level=1)).to_be_focused()  # waits for the focus script
    expect(page.get_by_role("table")).to_contain_text("Consultation du médecin généraliste")
    expect(page.get_by_role("link", name="Connectez-vous à votre compte")).to_be_visible()


@pytest.mark.parametrize(
    "path",
    [
        "/annuaire?q=durand",
        "/annuaire?profession=generaliste&lieu=44&secteur=1&carte_vitale=oui",
        "/annuaire?type=etablissements&lieu=75",
        "/annuaire?lieu=Atlantis&secteur=9",
        DURAND_PAGE,
    ],
)
def test_axe_passes(page: Page, live_server, path):
    page.goto(live_server.url + path)
    assert_accessible(page)
