"""The employer space in real Chromium: the demo employer signs in by SIRET and sends an attestation
de salaire for the demo assurée (the months shown for the date, an error on the way), then reads its
receipt; axe on every state."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Page, expect

from app.rules.attestation_salaire import month_label, months_before
from app.services.employers import paris_today
from tests.e2e.conftest import assert_accessible

SIRET = "90000001900019"
PASSWORD = "Macaisse-Employeur-2026"
CAMILLE_NIR = "2 95 06 75 056 123 49"


def test_the_demo_employer_sends_an_attestation(page: Page, live_server):
    start = paris_today() - timedelta(days=10)
    page.goto(live_server.url + "/employeur/connexion")
    assert_accessible(page)
    page.get_by_label("Numéro SIRET").fill(SIRET)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Espace employeur")
    expect(page.get_by_text("Atelier Loire SARL").first).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Transmettre une attestation de salaire").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Transmettre une attestation de salaire")
    page.get_by_label("Numéro de sécurité sociale du salarié").fill(CAMILLE_NIR)
    page.get_by_label("Date de début de l'arrêt de travail").fill(f"{start:%d/%m/%Y}")
    page.get_by_role("button", name="Afficher les mois à déclarer").click()
    months = [month_label(month) for month in months_before(start)]
    for label in months:
        expect(page.get_by_label(f"Salaire brut de {label}")).to_be_visible()
    assert_accessible(page)

    page.get_by_label(f"Salaire brut de {months[0]}").fill("2000,00")
    page.get_by_label(f"Salaire brut de {months[1]}").fill("2000,00")
    page.get_by_label(f"Salaire brut de {months[2]}").fill("-3")
    page.get_by_label("Heures travaillées sur les 3 mois").fill("455")
    page.get_by_role("button", name="Transmettre l'attestation").click()
    expect(page.get_by_role("alert")).to_contain_text("Il y a un problème")
    expect(page).to_have_title(re.compile(r"^Erreur : "))
    expect(page.get_by_label("Heures travaillées sur les 3 mois")).to_have_value("455")
    assert_accessible(page)

    page.get_by_label(f"Salaire brut de {months[2]}").fill("2100,50")
    page.get_by_role("button", name="Transmettre l'attestation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Attestation de salaire reçue")
    expect(page.get_by_text(re.compile(r"AS-\d{4}-\d{6}")).first).to_be_visible()
    assert_accessible(page)
