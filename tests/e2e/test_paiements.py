"""Mes paiements in real Chromium: two claims of the demo assurée paid through the real service, the
list filtered by kind with htmx (the URL and the list update, no page load), a payment's décompte,
and axe on both pages."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from app.extensions import db
from app.models import Payment, Person, Professional
from app.rules.liquidation import ActLine
from app.services import claims
from app.services.demo import CAMILLE_NIR
from app.web.paiements.queries import paris_today
from tests.e2e.conftest import assert_accessible
from tests.e2e.test_passkeys import sign_in_with_password

RPPS = "10101010105"


def _professional(camille: Person) -> Professional:
    """The demo assurée's médecin traitant (created here when the demo data has none)."""
    doctor = db.session.scalar(sa.select(Professional).where(Professional.rpps == RPPS))
    if doctor is None:
        doctor = Professional(
            rpps=RPPS,
            last_name="Durand",
            first_name="Claire",
            profession="Médecin",
            specialty="Médecine générale",
            secteur="1",
            postal_code="44000",
            commune_name="Nantes",
            caisse_id=camille.caisse_id,
        )
        db.session.add(doctor)
        db.session.commit()
    return doctor


def _pay_two_claims_and_an_ij(live_server) -> None:
    app = live_server.app
    # A request context: the service links the refund's notification with url_for.
    with app.app_context(), app.test_request_context():
        camille = db.session.scalar(sa.select(Person).where(Person.nir == CAMILLE_NIR))
        doctor = _professional(camille)
        today = paris_today()
        for days_ago, patient in ((3, camille), (1, camille.ayants_droit[0])):
            care = max(today - timedelta(days=days_ago), today.replace(month=1, day=1))
            claims.submit(
                doctor, patient, care, [ActLine(code="G", billed=Decimal("30.00"))], tiers_payant=False
            )
        db.session.add(
            Payment(
                person_id=camille.id,
                beneficiary_id=camille.id,
                payee="assure",
                kind="ij",
                gross=Decimal("41.47"),
                recovered=Decimal("0.00"),
                amount=Decimal("41.47"),
                paid_on=today,
                iban_last4=camille.iban_last4,
            )
        )
        db.session.commit()


def _kinds(page: Page) -> list[str]:
    return page.locator("#paiements-resultats tbody tr td:nth-child(4)").all_inner_texts()


def test_filter_payments_by_kind_with_htmx_then_open_one(page: Page, live_server):
    _pay_two_claims_and_an_ij(live_server)
    sign_in_with_password(page, live_server)

    page.goto(live_server.url + "/compte/paiements/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes paiements")
    expect(page.locator("#paiements-resultats tbody tr").first).to_be_visible()
    assert_accessible(page)

    fragment_requests: list[str] = []
    page.on("request", lambda r: r.headers.get("hx-request") == "true" and fragment_requests.append(r.url))
    page.evaluate("window.stillTheSamePage = true")

    page.get_by_label("Nature du paiement").select_option("soins")
    expect(page).to_have_url(re.compile(r"/compte/paiements/\?nature=soins$"))
    expect(
        page.locator("#paiements-resultats tbody tr td:nth-child(4)", has_text="Indemnités")
    ).to_have_count(0)
    assert set(_kinds(page)) == {"Soins"}

    nature = page.get_by_label("Nature du paiement")
    nature.focus()  # as a user who changes the select (Playwright's select_option does not focus it)
    nature.select_option("ij")
    expect(page).to_have_url(re.compile(r"/compte/paiements/\?nature=ij$"))
    expect(page.locator("#paiements-resultats tbody tr td:nth-child(4)", has_text="Soins")).to_have_count(0)
    assert set(_kinds(page)) == {"Indemnités journalières"}

    assert page.evaluate("window.stillTheSamePage === true"), "the filter reloaded the whole page"
    assert len(fragment_requests) == 2
    assert all("partiel=1" in url for url in fragment_requests)
    # The select the user changed keeps the focus across the swap.
    assert page.evaluate("document.activeElement.id") == "nature"
    assert_accessible(page)

    page.get_by_label("Payés à partir du").fill("31/02/2026")
    page.get_by_label("Payés à partir du").press("Tab")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("La date de début doit être une vraie date")
    expect(page.get_by_label("Payés à partir du")).to_have_value("31/02/2026")
    expect(page.locator("#du")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Payés à partir du").fill("")
    page.get_by_label("Payés à partir du").press("Tab")  # its change is sent before the select's
    expect(page.get_by_role("alert")).to_have_count(0)
    page.get_by_label("Nature du paiement").select_option("soins")
    expect(page).to_have_url(re.compile(r"nature=soins"))
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page.locator("#paiements-resultats tbody tr").first).to_be_visible()

    page.locator("#paiements-resultats tbody tr").first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Paiement du \d{2}/\d{2}/\d{4}$"))
    expect(page.get_by_text("G — Consultation du médecin généraliste")).to_be_visible()
    expect(page.get_by_text(re.compile("sur le compte se terminant par"))).to_be_visible()
    assert_accessible(page)
