"""A patient's situation and refund history in real Chromium: Dr Durand looks up the demo assurée's
rights (an unknown NIR first), Camille sees that lookup in "Qui a consulté mes droits" and makes a
code for Dr Durand, who types it and reads the 12-month history; axe on every page."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import assert_accessible
from tests.e2e.test_passkeys import sign_in_with_password
from tests.e2e.test_pro import CAMILLE_NIR, RPPS, pro_sign_in

UNKNOWN_NIR = "2 95 06 75 056 124 48"  # a valid key, nobody in the demo register
NOT_FOUND = "Aucun assuré ne correspond à ce numéro de sécurité sociale et à cette date de naissance."


def look_up(page: Page, nir: str, birth: str) -> None:
    page.get_by_label("Numéro de sécurité sociale du patient").fill(nir)
    page.get_by_label("Date de naissance du patient").fill(birth)
    page.get_by_role("button", name="Consulter la situation").click()


def test_rights_then_history_with_the_patients_code(page: Page, browser: Browser, live_server):
    pro_sign_in(page, live_server)
    page.get_by_role("link", name="Situation d'un patient").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Situation d'un patient")
    assert_accessible(page)

    look_up(page, UNKNOWN_NIR, "12/06/1995")
    expect(page.get_by_role("alert")).to_contain_text(NOT_FOUND)
    expect(page).to_have_title(re.compile(r"^Erreur : Situation d'un patient"))
    assert_accessible(page)

    look_up(page, CAMILLE_NIR, "12/06/1995")
    expect(page.get_by_role("heading", level=1)).to_have_text("Situation de Camille MARTIN")
    expect(page.get_by_text("vous êtes son médecin traitant")).to_be_visible()
    expect(page.get_by_text("Régime général")).to_be_visible()
    assert page.url == live_server.url + "/pro/patients/situation"
    assert_accessible(page)

    expect(page.get_by_label("Code donné par le patient")).to_be_visible()
    page.goto(live_server.url + "/pro/patients/historique")
    expect(page.get_by_role("heading", level=1)).to_have_text("Accord du patient nécessaire")
    assert_accessible(page)
    page.go_back()

    camille = browser.new_context().new_page()
    sign_in_with_password(camille, live_server)
    camille.get_by_role("link", name="Qui a consulté mes droits").click()
    expect(camille.get_by_role("heading", level=1)).to_have_text("Qui a consulté mes droits")
    expect(camille.get_by_text("Dr Sophie Durand a consulté vos droits").first).to_be_visible()
    assert_accessible(camille)

    camille.get_by_role("link", name="Autoriser un professionnel").click()
    expect(camille.get_by_role("heading", level=1)).to_have_text("Autoriser un professionnel")
    assert_accessible(camille)
    camille.get_by_label("Numéro RPPS du professionnel de santé").fill("1010101010")
    camille.get_by_role("button", name="Continuer").click()
    expect(camille.get_by_role("alert")).to_contain_text("Le numéro RPPS comporte 11 chiffres.")
    assert_accessible(camille)
    camille.get_by_label("Numéro RPPS du professionnel de santé").fill(RPPS)
    camille.get_by_role("button", name="Continuer").click()
    expect(camille.get_by_text("Dr Sophie Durand — Médecin")).to_be_visible()
    assert_accessible(camille)
    camille.get_by_role("button", name="Créer le code").click()
    code_text = camille.get_by_role("status").filter(has_text="Votre code").locator("strong")
    expect(code_text).to_have_text(re.compile(r"^\d{6}$"))
    code = code_text.inner_text()
    assert_accessible(camille)

    page.goto(live_server.url + "/pro/patients/situation")
    page.get_by_label("Code donné par le patient").fill(code)
    page.get_by_role("button", name="Valider le code").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Historique des remboursements de Camille MARTIN"
    )
    rows = page.locator("table tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 10  # the demo year of care: doctor, kiné, pharmacy
    expect(page.get_by_role("cell", name="PH7").first).to_be_visible()
    assert_accessible(page)

    camille.goto(live_server.url + "/compte/qui-a-consulte")
    expect(
        camille.get_by_text("Dr Sophie Durand a consulté vos remboursements des 12 derniers mois")
    ).to_be_visible()
    assert_accessible(camille)
    camille.context.close()


def test_a_request_approved_on_the_phone_updates_the_professionals_page(
    page: Page, browser: Browser, live_server
):
    pro_sign_in(page, live_server)
    page.goto(live_server.url + "/pro/patients/")
    look_up(page, "1 19 03 44 109 047 91", "08/03/2019")
    expect(page.get_by_role("heading", level=1)).to_have_text("Situation de Léo MARTIN")
    page.get_by_role("button", name="Demander l'accord du patient sur son téléphone").click()
    expect(page.get_by_text("en attente de la réponse du patient")).to_be_visible()
    assert_accessible(page)

    camille = browser.new_context().new_page()
    sign_in_with_password(camille, live_server)
    camille.goto(live_server.url + "/compte/autoriser-un-professionnel")
    camille.get_by_role(
        "link", name=re.compile(r"Dr Sophie Durand demande à voir les remboursements de Léo")
    ).click()
    expect(camille.get_by_role("heading", level=1)).to_have_text("Demande d'accès à vos remboursements")
    assert_accessible(camille)
    camille.get_by_role("button", name="Accepter").click()
    expect(camille.get_by_text("Accordée")).to_be_visible()
    assert_accessible(camille)
    camille.context.close()

    # The professional's page polls every 5 s: the answer shows up without a reload.
    expect(page.get_by_text("Le patient a accepté votre demande.")).to_be_visible(timeout=12_000)
    page.get_by_role("link", name="Voir l'historique des remboursements").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Historique des remboursements de Léo MARTIN")
    assert_accessible(page)
