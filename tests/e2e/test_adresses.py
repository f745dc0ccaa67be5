"""Adresses et contacts in real Chromium: postal code, then a motif, each swapped in with htmx; the
swapped heading takes the focus, the address bar follows, and axe passes."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from app.services.demo import ADMIN_PASSWORD
from tests.e2e.conftest import assert_accessible, newest_login_code


def test_postal_code_then_motif_with_htmx_focus_and_axe(page: Page, live_server):
    page.goto(live_server.url + "/adresses")
    fragment_requests: list[str] = []
    page.on("request", lambda r: r.headers.get("hx-request") == "true" and fragment_requests.append(r.url))
    page.get_by_label("Code postal").fill("44000")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_role("heading", level=2, name="CPAM de la Loire-Atlantique")).to_be_focused()
    expect(page.get_by_role("heading", level=2, name="Quel est le motif de votre demande ?")).to_be_visible()

    page.get_by_role("link", name="Complémentaire santé solidaire (C2S)").click()
    heading = page.get_by_role("heading", level=2, name="Complémentaire santé solidaire (C2S)")
    expect(heading).to_be_focused()
    expect(page).to_have_url(re.compile(r"/adresses\?code_postal=44000&motif=c2s$"))
    expect(page).to_have_title("Complémentaire santé solidaire (C2S) – Adresses et contacts – macaisse")
    expect(page.get_by_role("link", name="Complémentaire santé solidaire (C2S)")).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.locator("#motif-title ~ dl a[href='tel:3646']")).to_have_text("36 46")
    form_link = page.get_by_role("link", name=re.compile("Demande de Complémentaire santé solidaire"))
    expect(form_link).to_be_visible()
    assert len(fragment_requests) == 2  # both steps were htmx swaps, not page loads
    assert_accessible(page)

    page.go_back()
    expect(page).to_have_url(re.compile(r"/adresses\?code_postal=44000$"))
    expect(page.get_by_role("heading", level=2, name="CPAM de la Loire-Atlantique")).to_be_visible()


def test_unknown_motif_focuses_the_error_summary(page: Page, live_server):
    page.goto(live_server.url + "/adresses?code_postal=44000&motif=inconnu")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Ce motif n'existe pas : choisissez un motif dans la liste.")
    expect(summary).to_be_focused()
    expect(page.get_by_role("heading", level=2, name="CPAM de la Loire-Atlantique")).to_be_visible()
    assert_accessible(page)


def test_admin_edits_a_motif_with_errors_focused_and_axe(page: Page, live_server):
    page.goto(live_server.url + "/agent/connexion")
    page.get_by_label("Identifiant").fill("admin")
    page.get_by_label("Mot de passe").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Se connecter", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Saisissez le code reçu par e-mail")
    page.get_by_label("Code reçu par e-mail", exact=True).fill(newest_login_code(live_server))
    page.get_by_role("button", name="Valider", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Espace agent")

    page.goto(live_server.url + "/agent/caisses/1")
    page.get_by_role("link", name="Complémentaire santé solidaire (C2S)").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Complémentaire santé solidaire (C2S)")
    assert_accessible(page)
    # The field's maxlength stops typing at 300: set the value as a script (or an old browser) would.
    page.get_by_label("Précision sur l'accueil").evaluate("(field) => { field.value = 'x'.repeat(301); }")
    page.get_by_role("button", name="Enregistrer").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("La précision sur l'accueil doit comporter 300 caractères au plus.")
    expect(summary).to_be_focused()
    assert page.title().startswith("Erreur : ")
    assert_accessible(page)
    page.get_by_label("Précision sur l'accueil").fill("Sur rendez-vous pour ce motif.")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_contain_text("informations enregistrées")
