"""Mes arrêts de travail: list and timeline (page and fragment), 404 for another's arrêt, no
medical reason shown, constant queries on the list, the IJ payment linked to its arrêt and, in Mes
paiements, its date to the arrêt."""

from __future__ import annotations

import html
from datetime import date

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Payment
from app.services import sick_leave
from tests.conftest import HX, count_queries
from tests.integration.sick_leave_helpers import attest, prescribe

START = date(2026, 3, 2)


@pytest.fixture
def paid_arret(doctor, users):
    camille = users["camille"].person
    arret = prescribe(doctor, camille, START, date(2026, 3, 10), reason_code="J11")
    prescribe(
        doctor,
        camille,
        date(2026, 3, 11),
        date(2026, 3, 20),
        kind="prolongation",
        initial_reference=arret.reference,
    )
    attest(camille, START)
    sick_leave.pay_due(date(2026, 3, 10))
    return arret


def test_list_and_timeline(client, login_as, paid_arret, monkeypatch):
    monkeypatch.setattr(sick_leave, "paris_today", lambda: date(2026, 3, 12))
    login_as("camille")
    listing = html.unescape(client.get("/compte/arrets/").get_data(as_text=True))
    assert "Arrêt du 02/03/2026 au 20/03/2026" in listing
    assert "1 prolongation" in listing
    response = client.get(f"/compte/arrets/{paid_arret.id}")
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert response.headers["Cache-Control"].startswith("no-store")
    for text in (
        "Avis d'arrêt reçu",
        "Prolongation reçue",
        "Attestation de salaire reçue",
        "Atelier Loire SARL",
        "Droits étudiés",
        "39,45",
        "Délai de carence",
        "6 jours, du 05/03/2026 au 10/03/2026",
        "Prochain paiement estimé le 20/03/2026",
    ):
        assert text in page, text
    assert "J11" not in page


def test_timeline_as_fragment(client, login_as, paid_arret):
    login_as("camille")
    response = client.get(f"/compte/arrets/{paid_arret.id}", headers=HX)
    assert "<html" not in response.get_data(as_text=True)
    assert "Vary" in response.headers


def test_waiting_arret_says_what_is_awaited(client, login_as, doctor, users):
    arret = prescribe(doctor, users["camille"].person, START, date(2026, 3, 10))
    login_as("camille")
    page = html.unescape(client.get(f"/compte/arrets/{arret.id}").get_data(as_text=True))
    assert "Attestation de salaire attendue" in page
    assert "dès réception de l'attestation de salaire de votre employeur" in page


def test_another_persons_arret_is_404(client, login_as, paid_arret):
    login_as("louis")
    assert client.get(f"/compte/arrets/{paid_arret.id}").status_code == 404
    assert client.get("/compte/arrets/999999").status_code == 404


def test_list_queries_are_constant(client, login_as, doctor, users):
    camille = users["camille"].person
    login_as("camille")
    prescribe(doctor, camille, date(2026, 1, 5), date(2026, 1, 20))
    attest(camille, date(2026, 1, 5))
    sick_leave.pay_due(date(2026, 1, 25))
    one = count_queries(client, "/compte/arrets/")
    for start in (date(2026, 2, 2), date(2026, 3, 2), date(2026, 4, 6)):
        prescribe(doctor, camille, start, start.replace(day=start.day + 10))
        attest(camille, start)
    sick_leave.pay_due(date(2026, 4, 30))
    assert count_queries(client, "/compte/arrets/") == one


def test_payment_detail_links_to_the_arret(client, login_as, paid_arret):
    login_as("camille")
    payment = db.session.scalars(sa.select(Payment).where(Payment.kind == "ij")).one()
    page = client.get(f"/compte/paiements/{payment.id}").get_data(as_text=True)
    assert f"/compte/arrets/{paid_arret.id}" in page


def test_payments_list_date_opens_the_arret(client, login_as, paid_arret):
    login_as("camille")
    payment = db.session.scalars(sa.select(Payment).where(Payment.kind == "ij")).one()
    for response in (
        client.get("/compte/paiements/"),
        client.get("/compte/paiements/", query_string={"partiel": 1}, headers=HX),
    ):
        page = html.unescape(response.get_data(as_text=True))
        assert f'<th scope="row"><a href="/compte/arrets/{paid_arret.id}">10/03/2026<span' in page
        assert f'href="/compte/paiements/{payment.id}"' not in page


def test_home_links_to_the_arrets(client, login_as):
    login_as("camille")
    assert "/compte/arrets/" in client.get("/compte/").get_data(as_text=True)


def test_anonymous_is_sent_to_log_in(client):
    assert client.get("/compte/arrets/").status_code == 302
