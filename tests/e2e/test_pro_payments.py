"""The professional's payments in real Chromium: Dr Durand opens "Mes paiements", finds a demo
payment by its lot number then by its invoice number through the htmx search (the address bar
follows), opens its décompte; axe on each page. Another professional's payment answers 404."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from app.extensions import db
from app.models import Caisse
from app.models.care import Professional
from app.models.pro_space import ProfessionalPayment
from app.services.sick_leave import paris_today
from tests.e2e.conftest import assert_accessible
from tests.e2e.test_pro import RPPS, pro_sign_in


def demo_payment(live_server) -> tuple[str, str]:
    """The lot and invoice numbers of a recent tiers-payant payment of Dr Durand (demo data)."""
    with live_server.app.app_context():
        payment = db.session.scalar(
            sa.select(ProfessionalPayment)
            .join(Professional, ProfessionalPayment.professional_id == Professional.id)
            .where(
                Professional.rpps == RPPS,
                ProfessionalPayment.kind == "tiers_payant",
                ProfessionalPayment.status == "payee",
                ProfessionalPayment.claim_id.is_not(None),
                ProfessionalPayment.paid_on >= paris_today() - timedelta(days=60),
                ProfessionalPayment.lot_number.like("L%"),
            )
            .order_by(ProfessionalPayment.paid_on.desc(), ProfessionalPayment.id)
            .limit(1)
        )
        assert payment is not None, "no demo payment for Dr Durand"
        return payment.lot_number, payment.invoice_number


def other_professionals_payment(live_server) -> int:
    """A payment of another professional (created once in the live database)."""
    with live_server.app.app_context():
        other = db.session.scalar(sa.select(Professional).where(Professional.rpps == "10101010907"))
        if other is None:
            caisse = db.session.scalar(sa.select(Caisse).where(Caisse.key == "cpam-de-paris"))
            other = Professional(
                rpps="10101010907",
                first_name="Nadia",
                last_name="Benali",
                profession="Médecin",
                specialty="Médecine générale",
                secteur="1",
                caisse_id=caisse.id,
            )
            db.session.add(other)
            db.session.flush()
        payment = ProfessionalPayment(
            professional_id=other.id,
            kind="garde",
            invoice_number="PDSA-OTHER",
            label="Astreinte de permanence des soins",
            paid_on=paris_today() - timedelta(days=3),
            amount=Decimal("150.00"),
        )
        db.session.add(payment)
        db.session.commit()
        return payment.id


def test_dr_durand_finds_a_payment_by_lot_and_by_invoice(page: Page, live_server):
    lot, invoice = demo_payment(live_server)
    pro_sign_in(page, live_server)
    page.get_by_role("link", name="Mes paiements").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes paiements")
    expect(page.get_by_text(re.compile(r"\d+ paiements pour un total payé de"))).to_be_visible()
    assert_accessible(page)

    lot_field = page.get_by_label("Numéro de lot", exact=True)
    lot_field.fill(lot)
    lot_field.press("Enter")
    expect(page).to_have_url(re.compile(rf"/pro/paiements/\?lot={lot}$"))
    rows = page.locator("#pro-paiements-resultats tbody tr")
    expect(rows.first).to_contain_text(lot)
    count = rows.count()
    assert 1 <= count <= 8
    for index in range(count):
        expect(rows.nth(index)).to_contain_text(lot)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes paiements")
    assert_accessible(page)

    lot_field.fill("")
    lot_field.press("Tab")  # its change (every payment again) is answered before the next search
    expect(page).to_have_url(re.compile(r"/pro/paiements/$"))
    expect(page.get_by_text(re.compile(r"\d+ paiements pour un total payé de"))).to_be_visible()
    invoice_field = page.get_by_label("Numéro de facture", exact=True)
    invoice_field.fill(invoice)
    invoice_field.press("Enter")
    expect(page).to_have_url(re.compile(rf"/pro/paiements/\?facture={invoice}$"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(invoice)
    expect(page.get_by_text("1 paiement pour un total payé de")).to_be_visible()
    assert_accessible(page)

    # Sorting by lot keeps the search.
    page.locator("#pro-paiements-resultats thead").get_by_role("link", name=re.compile("^Lot")).click()
    expect(page).to_have_url(re.compile(rf"facture={invoice}&tri=lot&ordre=asc$"))
    expect(rows).to_have_count(1)

    page.get_by_role("link", name=re.compile(f"détail du paiement de la facture {invoice}")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Facture {invoice}")
    expect(page.get_by_role("heading", name="Décompte de la facture")).to_be_visible()
    expect(page.get_by_text(lot, exact=True)).to_be_visible()
    assert_accessible(page)


def test_a_bad_date_is_explained(page: Page, live_server):
    pro_sign_in(page, live_server)
    page.goto(live_server.url + "/pro/paiements/")
    field = page.get_by_label("Payés à partir du", exact=True)
    field.fill("31/02/2026")
    field.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("La date de début doit être une vraie date")
    expect(field).to_have_value("31/02/2026")
    assert_accessible(page)


def test_another_professionals_payment_is_404(page: Page, live_server):
    payment_id = other_professionals_payment(live_server)
    pro_sign_in(page, live_server)
    response = page.goto(f"{live_server.url}/pro/paiements/{payment_id}")
    assert response.status == 404
