"""Changes of situation in real Chromium: the demo assurée changes her bank account, confirms it
with the code read from the e-mail outbox, and agent44 of her caisse accepts it (a letter joins the
print queue); she files a change of address and withdraws it; each form passes axe."""

from __future__ import annotations

import email
import re
from email import policy
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import assert_accessible
from tests.e2e.test_identity import staff_sign_in
from tests.e2e.test_passkeys import sign_in_with_password

NEW_IBAN = "FR76 3000 6000 0112 3456 7890 189"


def newest_demarche_code(live_server) -> str:
    """The 6-digit code of the newest démarche confirmation e-mail in the live app's outbox (the
    code is stored hashed: the e-mail is the only place to read it)."""
    outbox = Path(live_server.app.instance_path) / "outbox"
    files = sorted(outbox.glob("*demarche_code*.eml"), key=lambda path: path.stat().st_mtime_ns)
    assert files, f"no démarche code e-mail in {outbox}"
    message = email.message_from_bytes(files[-1].read_bytes(), policy=policy.default)
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert NEW_IBAN.replace(" ", "") not in body.replace(" ", "")
    return re.search(r"\b(\d{6})\b", body).group(1)


def test_change_iban_with_the_email_code_then_agent_accepts(page: Page, browser: Browser, live_server):
    sign_in_with_password(page, live_server)
    page.goto(live_server.url + "/compte/demarches/")
    page.get_by_role("link", name="Changer de coordonnées bancaires (RIB)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Changer de coordonnées bancaires")
    assert_accessible(page)

    page.get_by_label("IBAN du nouveau compte").fill("FR76 3000 6000 0112 3456 7890 188")
    page.get_by_label("Titulaire du compte").fill("Camille Martin")
    page.get_by_role("button", name="Recevoir le code de confirmation").click()
    expect(page.locator(".error-summary")).to_contain_text("un caractère est faux")
    expect(page.get_by_label("Titulaire du compte")).to_have_value("Camille Martin")
    assert_accessible(page)

    page.get_by_label("IBAN du nouveau compte").fill(NEW_IBAN)
    page.get_by_role("button", name="Recevoir le code de confirmation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Confirmer le changement de coordonnées bancaires"
    )
    expect(page.locator("main")).to_contain_text("IBAN se terminant par 0189")
    assert NEW_IBAN.replace(" ", "") not in page.content().replace(" ", "")
    assert_accessible(page)
    page.get_by_label("Code de confirmation").fill(newest_demarche_code(live_server))
    page.get_by_role("button", name="Confirmer", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Changement de coordonnées bancaires (RIB)")
    expect(page.locator(".lead")).to_contain_text("Reçue.")
    demarche_id = re.search(r"/compte/demarches/(\d+)$", page.url).group(1)

    agent_context = browser.new_context()
    agent = agent_context.new_page()
    staff_sign_in(agent, live_server, "agent44")
    agent.goto(f"{live_server.url}/agent/demarches/{demarche_id}")
    expect(agent.locator("main")).to_contain_text("IBAN se terminant par 0189")
    assert_accessible(agent)
    agent.get_by_role("button", name="Accepter").click()
    expect(agent.locator(".flashes")).to_contain_text("Démarche acceptée")
    agent.goto(live_server.url + "/agent/courriers")
    expect(agent.locator("main")).to_contain_text("Changement de coordonnées bancaires")
    agent_context.close()

    page.reload()
    expect(page.locator(".lead")).to_contain_text("Acceptée.")
    page.goto(live_server.url + "/compte/")
    expect(page.locator("main")).to_contain_text("IBAN se terminant par 0189")


def test_change_address_then_withdraw_it(page: Page, live_server):
    sign_in_with_password(page, live_server)
    page.goto(live_server.url + "/compte/demarches/evenements-de-vie")
    expect(page.get_by_role("heading", level=1)).to_have_text("Événements de la vie")
    assert_accessible(page)
    page.locator("#demenagement ~ ul").first.get_by_role("link", name="Changer d'adresse").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Changer d'adresse")
    assert_accessible(page)

    page.get_by_label("Numéro et voie").fill("8 rue Oberkampf")
    page.get_by_label("Code postal").fill("75011")
    page.get_by_label("Date du déménagement").fill("01/01/1990")
    page.get_by_role("button", name="Envoyer ma nouvelle adresse").click()
    expect(page.locator(".error-summary")).to_contain_text("moins d'un an")
    expect(page.locator("main")).to_contain_text("Votre dossier va changer de caisse")
    expect(page.get_by_label("Numéro et voie")).to_have_value("8 rue Oberkampf")
    assert_accessible(page)

    page.get_by_label("Code postal").fill("44300")
    page.get_by_label("Date du déménagement").fill(
        page.evaluate("""() => {
        const d = new Date(); const p = (n) => String(n).padStart(2, "0");
        return `${p(d.getDate())}/${p(d.getMonth() + 1)}/${d.getFullYear()}`; }""")
    )
    page.get_by_role("button", name="Envoyer ma nouvelle adresse").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Changement d'adresse")
    expect(page.locator("main")).to_contain_text("8 rue Oberkampf, 44300 Nantes")
    assert_accessible(page)
    page.get_by_role("button", name="Annuler cette démarche").click()
    expect(page.locator(".lead")).to_contain_text("Annulée.")


def test_telephone_and_activity_forms_are_accessible(page: Page, live_server):
    sign_in_with_password(page, live_server)
    page.goto(live_server.url + "/compte/demarches/telephone")
    page.get_by_label("Nouveau numéro de téléphone").fill("12")
    page.get_by_role("button", name="Enregistrer ce numéro").click()
    expect(page.locator(".error-summary")).to_contain_text("pas valide")
    assert_accessible(page)
    page.goto(live_server.url + "/compte/demarches/activite")
    expect(page.get_by_role("heading", level=1)).to_have_text("Changer d'activité professionnelle")
    assert_accessible(page)
    page.get_by_role("button", name="Envoyer à ma caisse").click()
    expect(page.locator(".error-summary")).to_contain_text("Choisissez votre nouvelle activité")
    assert_accessible(page)
