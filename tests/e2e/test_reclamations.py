"""Réclamations paiements in real Chromium: Dr Durand contests a payment for the demo assurée with a
PDF, follows it in the "En cours" tab (htmx tabs, the URL kept); agent44 of the patient's caisse finds
it on the dashboard, takes it in charge and answers; agent75 of another caisse gets a 404; the
professional is notified and finds it under "Traitées". A refused file keeps the text. Axe on every
page."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import assert_accessible
from tests.e2e.test_identity import staff_sign_in
from tests.e2e.test_pro import pro_sign_in

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
CAMILLE_NIR = "2 95 06 75 056 123 49"
TEXT = "La facture FT-2026-0042 du 3 mars (lot 118) n'apparaît dans aucun paiement."
ANSWER = "Bonjour Docteur, la facture FT-2026-0042 a été payée le 12 mars avec le lot 121."


def fill_reclamation(page: Page, text: str) -> None:
    page.get_by_label("Caisse du patient").select_option(label="CPAM de la Loire-Atlantique")
    page.get_by_label("Numéro de sécurité sociale du patient").fill(CAMILLE_NIR)
    page.get_by_label("Date de naissance du patient").fill("12/06/1995")
    page.get_by_label("Numéro de facture (facultatif)").fill("FT-2026-0042")
    page.get_by_label("Paiement non reçu").check()
    page.get_by_label("Votre message").fill(text)


def test_file_follow_answer(page: Page, browser: Browser, live_server, tmp_path):
    facture = tmp_path / "facture.pdf"
    facture.write_bytes(PDF)
    pro_sign_in(page, live_server)
    page.get_by_role("link", name="Réclamations paiements").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Réclamations paiements")
    assert_accessible(page)
    page.get_by_role("link", name="Déposer une réclamation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Déposer une réclamation")
    expect(page.get_by_label("Caisse du patient")).to_have_value(re.compile(r"^\d+$"))
    assert_accessible(page)
    fill_reclamation(page, TEXT)
    page.get_by_label("Pièces jointes (facultatif)").set_input_files([str(facture)])
    page.get_by_role("button", name="Envoyer la réclamation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Réclamation n° \d+$"))
    expect(page.locator("main")).to_contain_text("Votre réclamation est envoyée à la caisse du patient.")
    expect(page.locator("main")).to_contain_text("Camille MARTIN")
    expect(page.get_by_role("link", name=re.compile(r"piece-1\.pdf"))).to_be_visible()
    assert "295067505612349" not in page.url
    assert_accessible(page)
    reclamation_id = page.url.rsplit("/", 1)[1]
    title = f"n° {reclamation_id} — Paiement non reçu"

    page.get_by_role("link", name=re.compile("Retour à mes réclamations")).click()
    tabs = page.get_by_role("navigation", name="Vos réclamations par état")
    expect(tabs.get_by_role("link", name=re.compile(r"^En cours"))).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("link", name=title)).to_be_visible()
    assert_accessible(page)
    tabs.get_by_role("link", name=re.compile(r"^Traitées")).click()
    expect(page).to_have_url(re.compile(r"onglet=traitees$"))
    expect(tabs.get_by_role("link", name=re.compile(r"^Traitées"))).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("link", name=title)).to_have_count(0)
    tabs.get_by_role("link", name=re.compile(r"^En cours")).click()
    expect(page).to_have_url(re.compile(r"onglet=en-cours$"))
    expect(page.get_by_role("link", name=title)).to_be_visible()
    assert_accessible(page)

    agent = browser.new_context().new_page()
    staff_sign_in(agent, live_server, "agent44")
    agent.get_by_role("link", name="Réclamations de professionnels").click()
    expect(agent.get_by_role("heading", level=1)).to_have_text("Réclamations de professionnels")
    assert_accessible(agent)
    agent.get_by_role("link", name=title).click()
    expect(agent.locator("main")).to_contain_text(TEXT)
    expect(agent.locator("main")).to_contain_text("Camille MARTIN")
    expect(agent.locator("main")).to_contain_text("RPPS 10101010105")
    expect(agent.get_by_role("link", name=re.compile(r"piece-1\.pdf"))).to_be_visible()
    assert_accessible(agent)
    agent.get_by_role("button", name="Prendre en charge").click()
    expect(agent.locator("main")).to_contain_text("Réclamation prise en charge.")
    agent.get_by_role("button", name="Répondre et clore").click()
    summary = agent.locator(".error-summary")
    expect(summary).to_contain_text("Écrivez la réponse au professionnel.")
    expect(summary).to_be_focused()
    assert_accessible(agent)
    agent.get_by_label("Traitée : la réclamation est fondée, le paiement est régularisé").check()
    agent.get_by_label("Réponse au professionnel").fill(ANSWER)
    agent.get_by_role("button", name="Répondre et clore").click()
    expect(agent.locator("main")).to_contain_text("Réponse envoyée : le professionnel est prévenu.")
    expect(agent.locator("main")).to_contain_text(ANSWER)
    assert_accessible(agent)

    other = browser.new_context().new_page()
    staff_sign_in(other, live_server, "agent75")
    response = other.goto(f"{live_server.url}/agent/reclamations/{reclamation_id}")
    assert response.status == 404
    other.context.close()
    agent.context.close()

    page.goto(live_server.url + "/notifications")
    expect(page.locator("main")).to_contain_text("Réponse à votre réclamation")
    page.goto(live_server.url + "/pro/reclamations/")
    expect(page.get_by_role("link", name=title)).to_have_count(0)
    tabs.get_by_role("link", name=re.compile(r"^Traitées")).click()
    expect(page.get_by_role("link", name=title)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=title).click()
    expect(page.locator("main")).to_contain_text(ANSWER)
    expect(page.locator("main")).to_contain_text("Archivage prévu le")
    assert_accessible(page)


def test_a_refused_file_keeps_the_text(page: Page, live_server, tmp_path):
    renamed = tmp_path / "facture.pdf"
    renamed.write_bytes(EXE)
    pro_sign_in(page, live_server)
    page.goto(live_server.url + "/pro/reclamations/nouvelle")
    fill_reclamation(page, "Un fichier refusé ne fait rien perdre.")
    page.get_by_label("Pièces jointes (facultatif)").set_input_files([str(renamed)])
    page.get_by_role("button", name="Envoyer la réclamation").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("n'est pas un PDF, DOC, DOCX, XLS, XLSX, CSV, TIFF, PNG ou JPEG")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile("^Erreur : "))
    expect(page.get_by_label("Votre message")).to_have_value("Un fichier refusé ne fait rien perdre.")
    expect(page.get_by_label("Numéro de facture (facultatif)")).to_have_value("FT-2026-0042")
    expect(page.get_by_label("Paiement non reçu")).to_be_checked()
    assert_accessible(page)
