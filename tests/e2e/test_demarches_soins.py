"""The "soins" démarches in real Chromium. Médecin traitant: the demo assurée picks Dr Durand in the
Annuaire for her son Léo, Dr Durand confirms in /pro, Camille reads the decision. Feuille de soins
papier: Camille sends the photo, agent44 keys a consultation G, Camille follows it to the payment.
Axe on every form page."""

from __future__ import annotations

import re

from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import assert_accessible
from tests.e2e.test_identity import staff_sign_in
from tests.e2e.test_passkeys import sign_in_with_password
from tests.e2e.test_pro import pro_sign_in


def test_declare_a_medecin_traitant_for_leo_confirmed_by_the_doctor(
    page: Page, browser: Browser, live_server
):
    sign_in_with_password(page, live_server)
    page.goto(live_server.url + "/compte/demarches/")
    page.get_by_role("link", name="Déclarer un médecin traitant").click()
    expect(page).to_have_url(re.compile(r"/annuaire\?profession=generaliste"))
    page.get_by_label("Nom, profession ou spécialité").fill("durand sophie")
    page.get_by_role("link", name="Dr Sophie DURAND").click()
    page.get_by_role("button", name="Déclarer comme médecin traitant").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon médecin traitant")
    expect(page.locator("main")).to_contain_text("Dr Sophie DURAND est déjà votre médecin traitant.")
    assert_accessible(page)
    page.get_by_role("button", name="Déclarer ce médecin pour Léo").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Déclaration de médecin traitant")
    expect(page.locator(".lead")).to_contain_text("En attente de confirmation")
    demarche_url = page.url
    assert_accessible(page)

    doctor_context = browser.new_context()
    doctor = doctor_context.new_page()
    pro_sign_in(doctor, live_server)
    doctor.get_by_role("link", name="Médecin traitant").click()
    expect(doctor.get_by_role("heading", level=1)).to_have_text("Médecin traitant")
    assert_accessible(doctor)
    doctor.get_by_role("button", name="Confirmer pour Léo MARTIN").click()
    expect(doctor.locator(".flashes")).to_contain_text("Déclaration confirmée")
    expect(doctor.get_by_role("button", name="Confirmer pour Léo MARTIN")).to_have_count(0)
    # A declaration for an unknown patient: one French message that says nothing of the NIR.
    doctor.get_by_label("Numéro de sécurité sociale du patient").fill("2 95 06 75 056 123 49")
    doctor.get_by_label("Date de naissance du patient").fill("01/01/2001")
    doctor.get_by_label("Le patient a signé la déclaration de choix du médecin traitant").check()
    doctor.get_by_role("button", name="Déclarer ce patient").click()
    expect(doctor.get_by_role("alert")).to_contain_text(
        "Nous ne trouvons pas ce patient avec ces informations."
    )
    expect(doctor).to_have_title(re.compile("^Erreur : "))
    assert_accessible(doctor)
    doctor_context.close()

    page.goto(demarche_url)
    expect(page.locator(".lead")).to_contain_text("Acceptée")
    page.goto(live_server.url + "/compte/courriers/")
    page.get_by_role("link", name=re.compile("Décision : Déclaration de médecin traitant")).first.click()
    expect(page.locator(".letter")).to_contain_text("est le médecin traitant de Léo MARTIN")


def test_send_a_paper_feuille_de_soins_keyed_by_the_agent(
    page: Page, browser: Browser, live_server, tmp_path
):
    photo = tmp_path / "feuille.jpg"
    Image.new("RGB", (800, 1100), (245, 245, 235)).save(photo, "JPEG")
    sign_in_with_password(page, live_server)
    page.goto(live_server.url + "/compte/demarches/")
    page.get_by_role("link", name="Envoyer une feuille de soins papier").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Envoyer une feuille de soins papier")
    assert_accessible(page)
    page.get_by_label("Camille MARTIN").check()
    page.get_by_label("Date des soins").fill("01/01/2001")
    page.get_by_label("Montant payé (€)").fill("30,00")
    page.get_by_label("Photo ou scan de la feuille de soins").set_input_files(str(photo))
    page.get_by_role("button", name="Envoyer la feuille de soins").click()
    expect(page.get_by_role("alert")).to_contain_text("délai de prescription")
    expect(page.get_by_label("Montant payé (€)")).to_have_value("30,00")
    assert_accessible(page)
    page.get_by_label("Date des soins").fill(_days_ago(2))
    page.get_by_label("Photo ou scan de la feuille de soins").set_input_files(str(photo))
    page.get_by_role("button", name="Envoyer la feuille de soins").click()
    expect(page.locator(".flashes")).to_contain_text("Votre feuille de soins est envoyée")
    demarche_id = re.search(r"/compte/demarches/(\d+)$", page.url).group(1)

    agent_context = browser.new_context()
    agent = agent_context.new_page()
    staff_sign_in(agent, live_server, "agent44")
    agent.goto(f"{live_server.url}/agent/demarches/{demarche_id}")
    expect(
        agent.get_by_role("heading", level=2, name="Saisir les actes de la feuille de soins")
    ).to_be_visible()
    assert_accessible(agent)
    agent.get_by_label("Numéro RPPS du professionnel de santé").fill("10101010105")
    agent.locator("#code_0").select_option("G")
    agent.locator("#montant_0").fill("30,00")
    agent.locator("#code_1").select_option("G")
    agent.get_by_role("button", name="Saisir les actes et rembourser").click()
    expect(agent.get_by_role("alert")).to_contain_text("Saisissez le montant facturé de l'acte 2.")
    expect(agent.locator("#montant_0")).to_have_value("30,00")
    assert_accessible(agent)
    agent.locator("#code_1").select_option("")
    agent.get_by_role("button", name="Saisir les actes et rembourser").click()
    expect(agent.locator(".flashes")).to_contain_text("Actes saisis")
    expect(agent.locator(".lead")).to_contain_text("Acceptée")
    agent_context.close()

    page.reload()
    expect(page.locator(".lead")).to_contain_text("Acceptée")
    page.get_by_role("link", name="Voir le paiement et le détail du calcul").click()
    expect(page).to_have_url(re.compile(r"/compte/paiements/\d+$"))
    expect(page.locator("main")).to_contain_text("G")


def _days_ago(days: int) -> str:
    from datetime import timedelta

    from app.services.demarches import today

    return (today() - timedelta(days=days)).strftime("%d/%m/%Y")
