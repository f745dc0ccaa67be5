"""The IJ and C2S simulators in real Chromium: filled by label, answered by an htmx swap, axe clean."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import assert_accessible


def test_ij_simulator_shows_the_daily_amount(page: Page, live_server):
    page.goto(live_server.url + "/simulateurs/indemnites-journalieres")
    assert_accessible(page)
    fragment_requests: list[str] = []
    page.on("request", lambda r: r.headers.get("hx-request") == "true" and fragment_requests.append(r.url))
    page.get_by_label("Premier jour de l'arrêt").fill("2026-04-07")
    page.get_by_label("Dernier jour de l'arrêt").fill("2026-04-13")
    page.get_by_label("1er mois, le plus ancien (€)").fill("2000,00")
    page.get_by_label("2e mois (€)").fill("2000,00")
    page.get_by_label("3e mois, le plus récent (€)").fill("2000,00")
    page.get_by_role("button", name="Estimer mes indemnités").click()
    heading = page.get_by_role("heading", level=2, name="Indemnité journalière : 32,88\u00a0€")
    expect(heading).to_be_focused()
    expect(page.locator(".facts")).to_contain_text("131,52\u00a0€")
    expect(page).to_have_url(re.compile(r"/simulateurs/indemnites-journalieres\?debut=2026-04-07&"))
    assert len(fragment_requests) == 1  # the answer was swapped in, not a page load
    assert_accessible(page)


def test_ij_errors_focus_the_summary(page: Page, live_server):
    page.goto(live_server.url + "/simulateurs/indemnites-journalieres?debut=2026-04-07&fin=2026-04-01")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Il y a un problème")
    expect(summary).to_be_focused()
    assert page.title().startswith("Erreur : ")
    assert_accessible(page)


def test_c2s_simulator_answers_and_is_accessible(page: Page, live_server):
    page.goto(live_server.url + "/simulateurs/c2s")
    assert_accessible(page)
    page.get_by_label("Date de la demande").fill("2025-06-01")
    page.get_by_label("Nombre de personnes du foyer").fill("1")
    page.get_by_label("Ressources annuelles du foyer (€)").fill("12000")
    page.get_by_label("Votre âge au 1er janvier").fill("35")
    page.get_by_role("button", name="Vérifier mon droit").click()
    expect(
        page.get_by_role(
            "heading", level=2, name="Vous pouvez bénéficier de la C2S pour 14,00\u00a0€ par mois"
        )
    ).to_be_focused()
    assert_accessible(page)


def test_conge_simulator_by_keyboard_shows_the_periods(page: Page, live_server):
    page.goto(live_server.url + "/simulateurs/conge-maternite-paternite")
    assert_accessible(page)
    # Maternité is checked by default; the form is filled and sent with the keyboard only.
    # A date input takes typed digits in the browser's locale order, and Tab moves between its day,
    # month and year: the date is set with fill(), the other fields are typed into.
    page.get_by_label("Date présumée de l'accouchement").fill("2026-06-15")
    page.get_by_label("Nombre d'enfants déjà à votre charge").focus()
    page.keyboard.type("2")
    page.get_by_label("Montrer aussi le congé pathologique (sur prescription médicale)").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Calculer les dates").focus()
    page.keyboard.press("Enter")
    heading = page.get_by_role(
        "heading", level=2, name="Votre congé de maternité : du 20/04/2026 au 18/10/2026"
    )
    expect(heading).to_be_focused()
    expect(page.get_by_role("row", name=re.compile(r"^Congé postnatal"))).to_contain_text("18/10/2026")
    expect(page.get_by_role("row", name=re.compile(r"^Congé pathologique prénatal"))).to_contain_text(
        "06/04/2026"
    )
    expect(page).to_have_url(re.compile(r"/simulateurs/conge-maternite-paternite\?type=maternite&"))
    assert_accessible(page)
