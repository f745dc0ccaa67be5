"""The messagerie in real Chromium: the demo assurée writes to her caisse with an attachment, agent44
of her caisse finds it in the inbox (htmx filters, the URL kept), reads her file's context, answers
from a reply template; agent75 of another caisse gets a 404; the answer reaches her as an in-app
notification and she closes the thread with a rating, by keyboard. Refused files keep the text.
Axe on every page."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import assert_accessible
from tests.e2e.test_identity import staff_sign_in
from tests.e2e.test_passkeys import sign_in_with_password
from tests.e2e.test_pro import pro_sign_in

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
TEXT = "Bonjour, la consultation du 3 mars chez le Dr Durand ne m'a pas été remboursée."


def agent_page(browser: Browser, live_server, login: str) -> Page:
    page = browser.new_context().new_page()
    staff_sign_in(page, live_server, login)
    return page


def test_write_answer_notify_close(page: Page, browser: Browser, live_server, tmp_path):
    facture = tmp_path / "facture.pdf"
    facture.write_bytes(PDF)
    sign_in_with_password(page, live_server)
    page.get_by_role("link", name="Ma messagerie").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ma messagerie")
    assert_accessible(page)
    page.get_by_role("link", name="Écrire à ma caisse").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Écrire à ma caisse")
    expect(page.get_by_role("link", name="Déclarer une perte ou un vol de carte Vitale")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Remboursement de soins").check()
    page.get_by_label("Sujet").fill("Consultation du 3 mars")
    page.get_by_label("Votre message").fill(TEXT)
    page.get_by_label("Pièces jointes (facultatif)").set_input_files([str(facture)])
    page.get_by_role("button", name="Envoyer à ma caisse").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Consultation du 3 mars")
    expect(page.locator("main")).to_contain_text("Réponse attendue au plus tard le")
    expect(page.get_by_role("link", name=re.compile(r"piece-1\.pdf"))).to_be_visible()
    assert_accessible(page)
    thread_url = page.url
    thread_id = thread_url.rsplit("/", 1)[1]

    agent = agent_page(browser, live_server, "agent44")
    agent.get_by_role("link", name="Messages à traiter").click()
    expect(agent.get_by_role("heading", level=1)).to_have_text("Messages des usagers")
    assert_accessible(agent)
    agent.get_by_label("Objet").select_option("remboursement")
    expect(agent).to_have_url(re.compile(r"motif=remboursement"))
    expect(agent.locator("#inbox-results")).to_contain_text("Consultation du 3 mars")
    agent.get_by_role("link", name=f"n° {thread_id} — Consultation du 3 mars").click()
    expect(agent.locator("main")).to_contain_text(TEXT)
    assert_accessible(agent)
    agent.get_by_role("link", name="Afficher le dossier de l'usager").click()
    expect(agent.get_by_role("region", name="Dossier de l'usager")).to_contain_text("Camille MARTIN")
    assert_accessible(agent)
    template = agent.get_by_label("Modèle de réponse")
    expect(template).to_be_visible()
    template.select_option(label="Remboursement en cours de traitement")
    agent.get_by_role("button", name="Utiliser ce modèle").click()
    expect(agent.get_by_label("Réponse à l'usager")).not_to_have_value("")
    agent.get_by_label("Réponse à l'usager").fill("Bonjour Madame, le remboursement part demain.")
    agent.get_by_role("button", name="Envoyer la réponse").click()
    expect(agent.locator("main")).to_contain_text("Réponse envoyée")
    expect(agent.locator("main")).to_contain_text("En attente de l'usager")

    other = agent_page(browser, live_server, "agent75")
    response = other.goto(f"{live_server.url}/agent/messages/{thread_id}")
    assert response.status == 404
    other.context.close()
    agent.context.close()

    page.goto(live_server.url + "/notifications")
    expect(page.locator("main")).to_contain_text("Nouveau message de votre caisse")
    page.goto(live_server.url + "/compte/messages/")
    expect(page.locator("main")).to_contain_text("Nouvelle réponse")
    page.get_by_role("link", name="Consultation du 3 mars").click()
    expect(page.locator("main")).to_contain_text("le remboursement part demain")
    # Close and rate by keyboard only.
    page.get_by_label("Très satisfait(e)").first.focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Clore l'échange").focus()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text("Cet échange est clos")
    expect(page.locator("main")).to_contain_text("Votre avis : Très satisfait(e).")
    assert_accessible(page)


def test_refused_files_keep_the_message(page: Page, live_server, tmp_path):
    renamed = tmp_path / "ordonnance.pdf"
    renamed.write_bytes(EXE)
    many = []
    for number in range(4):
        path = tmp_path / f"piece{number}.pdf"
        path.write_bytes(PDF)
        many.append(str(path))
    sign_in_with_password(page, live_server)
    page.goto(live_server.url + "/compte/messages/nouveau")
    page.get_by_label("Autre question").check()
    page.get_by_label("Sujet").fill("Une question")
    page.get_by_label("Votre message").fill(TEXT)
    page.get_by_label("Pièces jointes (facultatif)").set_input_files(many)
    page.get_by_role("button", name="Envoyer à ma caisse").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("3 au plus peuvent être joints")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile("^Erreur : "))
    expect(page.get_by_label("Votre message")).to_have_value(TEXT)
    expect(page.get_by_label("Sujet")).to_have_value("Une question")
    assert_accessible(page)
    page.get_by_label("Pièces jointes (facultatif)").set_input_files([str(renamed)])
    page.get_by_role("button", name="Envoyer à ma caisse").click()
    expect(summary).to_contain_text("n'est pas un PDF, JPEG, PNG, DOCX, XLSX ou CSV")
    expect(page.get_by_label("Votre message")).to_have_value(TEXT)


def test_professional_writes_from_pro_space(page: Page, live_server):
    pro_sign_in(page, live_server)
    page.get_by_role("link", name="Messagerie").click()
    expect(page.locator("main")).to_contain_text("sous 3 jours ouvrés")
    page.get_by_role("link", name="Écrire à ma caisse").click()
    page.get_by_label("Facture rejetée").check()
    page.get_by_label("Sujet").fill("Facture rejetée du 2 mars")
    page.get_by_label("Votre message").fill("Bonjour, la facture 2026-0042 a été rejetée sans motif.")
    page.get_by_role("button", name="Envoyer à ma caisse").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Facture rejetée du 2 mars")
    expect(page.locator("main")).to_contain_text("Réponse attendue au plus tard le")
    assert_accessible(page)
