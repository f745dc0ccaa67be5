"""The professional's space in real Chromium: RPPS sign-in, a feuille de soins for the demo assurée in
two steps (with an error on the way), its décompte, an API token; axe on every state."""

from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from app.extensions import db
from app.models import Caisse, User
from app.models.base import utcnow
from app.models.care import Professional
from app.security import hash_password, verify_password
from tests.e2e.conftest import assert_accessible, newest_login_code

RPPS = "10101010105"  # Camille's médecin traitant in the demo data: her care is in the parcours
PASSWORD = "Macaisse-Pro-2026"
CAMILLE_NIR = "2 95 06 75 056 123 49"


def ensure_professional(live_server) -> None:
    """Dr Sophie Durand and her web account in the live app (the demo data may already hold them),
    with a verified e-mail, the CGU accepted and ``PASSWORD``."""
    app = live_server.app
    with app.app_context():
        professional = db.session.scalar(sa.select(Professional).where(Professional.rpps == RPPS))
        if professional is None:
            caisse = db.session.scalar(sa.select(Caisse).where(Caisse.key == "cpam-de-la-loire-atlantique"))
            professional = Professional(
                rpps=RPPS,
                last_name="Durand",
                first_name="Sophie",
                profession="Médecin",
                specialty="Médecine générale",
                secteur="1",
                caisse_id=caisse.id,
                postal_code="44000",
                commune_name="Nantes",
            )
            db.session.add(professional)
            db.session.flush()
        user = db.session.scalar(sa.select(User).where(User.professional_id == professional.id))
        if user is None:
            user = User(role="professionnel", professional_id=professional.id, login=RPPS)
            db.session.add(user)
        if not verify_password(user.password_hash, PASSWORD):
            user.password_hash = hash_password(PASSWORD)
        user.display_name = "Sophie Durand"
        user.email = "sophie.durand@example.org"
        user.email_verified_at = user.email_verified_at or utcnow()
        user.cgu_version = app.config["CGU_VERSION"]
        db.session.commit()


def pro_sign_in(page: Page, live_server) -> None:
    ensure_professional(live_server)
    page.goto(live_server.url + "/pro/connexion")
    page.get_by_label("Numéro RPPS").fill(RPPS)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Saisissez le code reçu par e-mail")
    page.get_by_label("Code reçu par e-mail", exact=True).fill(newest_login_code(live_server))
    page.get_by_role("button", name="Valider", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Espace professionnel")


def test_a_feuille_de_soins_for_the_demo_assuree(page: Page, live_server):
    pro_sign_in(page, live_server)
    assert_accessible(page)
    page.get_by_role("link", name="Saisir une feuille de soins").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Feuille de soins")
    assert_accessible(page)

    page.get_by_label("Numéro de sécurité sociale du patient").fill(CAMILLE_NIR)
    page.get_by_role("button", name="Rechercher le patient").click()
    expect(page.get_by_text("Patient : Camille MARTIN, née le 12/06/1995")).to_be_visible()
    expect(page.get_by_label("Camille MARTIN, née le 12/06/1995 (assuré(e))")).to_be_checked()
    assert "295067505612349" not in page.url
    assert_accessible(page)

    page.get_by_label("Date des soins").fill("10/03/2025")
    first_act = page.get_by_role("group", name="Acte 1")
    first_act.get_by_label("Code").select_option("G")
    first_act.get_by_label("Montant facturé (€)").fill("30 euros")
    page.get_by_label("Non : le patient m'a payé, il est remboursé").check()
    page.get_by_role("button", name="Transmettre la feuille de soins").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Saisissez le montant facturé de l'acte 1 en euros")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Erreur : Feuille de soins"))
    expect(page.get_by_label("Date des soins")).to_have_value("10/03/2025")
    assert_accessible(page)

    summary.get_by_role("link").first.click()
    expect(first_act.get_by_label("Montant facturé (€)")).to_be_focused()
    first_act.get_by_label("Montant facturé (€)").fill("30,00")
    page.get_by_role("button", name="Transmettre la feuille de soins").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Décompte de la facture F\d{6}"))
    assert re.search(r"/pro/feuilles-de-soins/\d+$", page.url)
    expect(page.get_by_text("Feuille de soins transmise")).to_be_visible()
    table = page.get_by_role("table")
    expect(table).to_contain_text("G")
    expect(table).to_contain_text("70 %")
    expect(table).to_contain_text("19,00")
    expect(page.get_by_text("participation forfaitaire de 2,00 € déduite")).to_be_visible()
    expect(page.get_by_text("l'assuré(e), Camille MARTIN")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Retour à l'espace professionnel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Espace professionnel")
    expect(page.get_by_role("table")).to_contain_text("C. M.")


def test_an_api_token_is_shown_once(page: Page, live_server):
    pro_sign_in(page, live_server)
    page.get_by_role("link", name="Jetons d'accès à l'API").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jetons d'accès à l'API")
    assert_accessible(page)
    page.get_by_label("Nom du jeton").fill("Logiciel du cabinet")
    page.get_by_role("button", name="Créer le jeton").click()
    secret = page.locator("#new-token")
    expect(secret).to_have_text(re.compile(r"^mc_[A-Za-z0-9_-]{40}$"))
    assert_accessible(page)
    page.reload()
    expect(page.locator("#new-token")).to_have_count(0)
    page.get_by_role("button", name="Révoquer le jeton Logiciel du cabinet").first.click()
    expect(page.get_by_text("Jeton révoqué")).to_be_visible()


def test_an_order_of_printed_forms(page: Page, live_server):
    pro_sign_in(page, live_server)
    page.get_by_role("link", name="Commander des imprimés").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Commande d'imprimés")
    assert_accessible(page)
    page.get_by_label("Imprimé", exact=True).select_option("avis-d-arret-de-travail")
    page.get_by_label("Quantité", exact=True).fill("cinquante")
    page.get_by_role("button", name="Commander", exact=True).click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Saisissez la quantité en nombre entier")
    expect(summary).to_be_focused()
    assert_accessible(page)
    page.get_by_label("Quantité", exact=True).fill("50")
    page.get_by_role("button", name="Commander", exact=True).click()
    expect(page.get_by_text(re.compile(r"^Commande n° \d+ enregistrée"))).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("Avis d'arrêt de travail (cerfa 10170*07)")
    assert_accessible(page)
