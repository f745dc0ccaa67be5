"""Sick leave end to end in real Chromium: the demo doctor prescribes an arrêt for the demo assurée,
the demo employer sends her attestation de salaire (web form, then the API for another arrêt), she
gets the "Attestation de salaire reçue" notification (in the app, and pushed for real to a local push
service double), the periodic job pays her IJ, and she reads the timeline and downloads a relevé IJ
whose verification code is in the PDF; axe on every page on the way."""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pypdf
import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from app.extensions import db
from app.models import IssuedDocument, Person, PushSubscription, User
from app.models.care import Professional
from app.models.sick_leave import Arret
from app.rules.attestation_salaire import month_label, months_before
from app.rules.liquidation import format_euros
from app.rules.tariffs import french_date
from app.services import employers, ij_documents, push, sick_leave
from app.services.demo_employers import EMPLOYER_TOKEN
from tests.e2e.conftest import assert_accessible
from tests.e2e.test_passkeys import NIR, sign_in_with_password
from tests.e2e.test_pro import RPPS, pro_sign_in
from tests.push_receiver import PushReceiver

SIRET = "90000001900019"
EMPLOYER_PASSWORD = "Macaisse-Employeur-2026"
API_URL = "/api/v1/attestations-salaire"


@pytest.fixture
def app_context(live_server) -> Iterator[None]:
    with live_server.app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def receiver() -> Iterator[PushReceiver]:
    with PushReceiver() as running:
        yield running


def camille() -> Person:
    return db.session.scalar(sa.select(Person).where(Person.nir == NIR.replace(" ", "")))


def fr(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def employer_sign_in(page: Page, live_server) -> None:
    page.goto(live_server.url + "/employeur/connexion")
    page.get_by_label("Numéro SIRET").fill(SIRET)
    page.get_by_label("Mot de passe").fill(EMPLOYER_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Espace employeur")


def prescribe(page: Page, live_server, start: date, end: date) -> str:
    """The demo doctor's avis d'arrêt initial for the demo assurée; its reference."""
    pro_sign_in(page, live_server)
    page.goto(live_server.url + "/pro/arrets-de-travail")
    expect(page.get_by_role("heading", level=1)).to_have_text("Avis d'arrêt de travail")
    page.get_by_label("Numéro de sécurité sociale du patient").fill(NIR)
    page.get_by_role("button", name="Rechercher le patient").click()
    expect(page.get_by_text("Étape 2 sur 2 : l'arrêt.")).to_be_visible()
    expect(page.get_by_label("Arrêt initial")).to_be_checked()
    page.get_by_label("Date de début").fill(fr(start))
    page.get_by_label("Date de fin").fill(fr(end))
    page.get_by_label("Motif médical codé").fill("J11")
    assert_accessible(page)
    page.get_by_role("button", name="Transmettre l'avis d'arrêt").click()
    flash = page.get_by_text(re.compile(r"Avis d'arrêt transmis : référence AT\w+"))
    expect(flash).to_be_visible()
    return re.search(r"AT\w+", flash.inner_text()).group(0)


def send_attestation(page: Page, live_server, start: date) -> None:
    """The demo employer's attestation de salaire for the demo assurée, through its web form."""
    employer_sign_in(page, live_server)
    page.get_by_role("link", name="Transmettre une attestation de salaire").click()
    page.get_by_label("Numéro de sécurité sociale du salarié").fill(NIR)
    page.get_by_label("Date de début de l'arrêt de travail").fill(fr(start))
    page.get_by_role("button", name="Afficher les mois à déclarer").click()
    for month, gross in zip(months_before(start), ("2000,00", "2000,00", "2100,50"), strict=True):
        page.get_by_label(f"Salaire brut de {month_label(month)}").fill(gross)
    page.get_by_label("Heures travaillées sur les 3 mois").fill("455")
    assert_accessible(page)
    page.get_by_role("button", name="Transmettre l'attestation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Attestation de salaire reçue")


def test_an_arret_from_the_avis_to_the_releve(browser: Browser, live_server, receiver, app_context):
    today = sick_leave.paris_today()
    # Between the demo data's closed arrêt (ended 56 days ago) and its open one (started 3 days ago).
    start, end = today - timedelta(days=40), today - timedelta(days=20)
    subscription = receiver.subscribe()
    user = db.session.scalar(sa.select(User).where(User.person_id == camille().id))
    push.subscribe(user, push.parse_subscription(subscription.to_json()), "Navigateur de test")
    db.session.remove()
    doctor, employer, assuree = (browser.new_context() for _ in range(3))
    try:
        reference = prescribe(doctor.new_page(), live_server, start, end)
        arret = db.session.scalar(sa.select(Arret).where(Arret.reference == reference))
        assert (arret.person.nir, arret.status, arret.start_date, arret.end_date) == (
            NIR.replace(" ", ""),
            "en_attente",
            start,
            end,
        )

        send_attestation(employer.new_page(), live_server, start)
        [received] = receiver.pushes_for(subscription)  # the push job runs at once on the live server
        assert received.payload["title"] == employers.NOTIFICATION_TITLE
        db.session.expire_all()
        assert arret.status == "calcule"
        assert [a.employer.siret for a in arret.attestations] == [SIRET]

        assert sick_leave.pay_due(today) >= 1
        db.session.expire_all()
        [period] = sick_leave.episode_of(camille(), arret.id).periods
        assert (period.period_start, period.period_end) == (arret.first_paid_day, end)
        assert period.gross == arret.daily_amount * period.days

        page = assuree.new_page()
        sign_in_with_password(page, live_server)
        page.goto(live_server.url + "/notifications")
        expect(page.get_by_text(employers.NOTIFICATION_TITLE).first).to_be_visible()

        page.goto(live_server.url + "/compte/arrets/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Mes arrêts de travail")
        assert_accessible(page)
        page.get_by_role("link", name=f"Arrêt du {fr(start)} au {fr(end)}").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Arrêt du {fr(start)} au {fr(end)}")
        steps = page.locator(".timeline")
        expect(steps).to_contain_text(f"Avis d'arrêt reçu le {french_date(today)}")
        expect(steps).to_contain_text(f"Attestation de salaire reçue le {french_date(today)}")
        expect(steps).to_contain_text("Employeur : Atelier Loire SARL")
        expect(steps).to_contain_text("Indemnités journalières calculées")
        expect(steps).to_contain_text(f"Salaire journalier de base{format_euros(arret.sjb)}")
        expect(steps).to_contain_text(f"Indemnité journalière brute{format_euros(arret.daily_amount)}")
        expect(steps).to_contain_text(
            f"{period.days} jours, du {fr(period.period_start)} au {fr(end)} : {period.days} × "
            f"{format_euros(arret.daily_amount)} = {format_euros(period.gross)} bruts"
        )
        expect(page.get_by_role("link", name=fr(today))).to_have_attribute(
            "href", f"/compte/paiements/{period.payment_id}"
        )
        assert_accessible(page)

        # In Mes paiements, the date of an IJ payment opens its arrêt.
        page.goto(live_server.url + "/compte/paiements/?nature=ij")
        amount = format_euros(period.payment.amount)
        page.get_by_role("link", name=f"{fr(today)} : arrêt de travail du paiement de {amount}").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Arrêt du {fr(start)} au {fr(end)}")

        page.get_by_role("link", name="Retour à mes arrêts de travail").click()
        with page.expect_download() as download_info:
            page.get_by_role("button", name="Télécharger le relevé (PDF)").click()
        pdf = Path(download_info.value.path()).read_bytes()
        assert pdf.startswith(b"%PDF-")
        document = db.session.scalar(
            sa.select(IssuedDocument)
            .where(IssuedDocument.kind == ij_documents.RELEVE, IssuedDocument.person_id == camille().id)
            .order_by(IssuedDocument.id.desc())
        )
        text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
        assert document.grouped_code in text
        assert reference in text
        assert f"{period.gross:.2f}".replace(".", ",") in text
    finally:
        db.session.execute(
            sa.delete(PushSubscription).where(PushSubscription.endpoint == subscription.endpoint)
        )
        db.session.commit()
        for context in (doctor, employer, assuree):
            context.close()


def _attestation(start: date, siret: str = SIRET) -> dict:
    return {
        "nir": NIR.replace(" ", ""),
        "siret": siret,
        "date_debut_arret": start.isoformat(),
        "salaires": [{"mois": f"{month:%Y-%m}", "brut": 2350.00} for month in months_before(start)],
        "heures_travaillees": 455,
    }


def test_the_api_attestation_and_what_others_cannot_reach(page: Page, live_server, app_context):
    today = sick_leave.paris_today()
    start = today - timedelta(days=52)
    doctor = db.session.scalar(sa.select(Professional).where(Professional.rpps == RPPS))
    arret = sick_leave.submit_arret(
        doctor,
        camille(),
        sick_leave.ArretInput(kind="initial", start=start, end=start + timedelta(days=6)),
        idempotency_key=f"e2e-{uuid.uuid4()}",
    ).arret
    others = db.session.scalars(
        sa.select(Person).where(Person.nir.is_not(None), Person.nir != camille().nir).order_by(Person.id)
    )
    other = next(person for person in others if person.rights_open_on(today - timedelta(days=5)))
    others_arret = sick_leave.submit_arret(
        doctor,
        other,
        sick_leave.ArretInput(kind="initial", start=today - timedelta(days=5), end=today),
        idempotency_key=f"e2e-{uuid.uuid4()}",
    ).arret
    arret_id, others_id = arret.id, others_arret.id
    db.session.remove()

    key = str(uuid.uuid4())
    headers = {"Authorization": f"Bearer {EMPLOYER_TOKEN}", "Idempotency-Key": key}
    created = page.request.post(live_server.url + API_URL, data=_attestation(start), headers=headers)
    assert created.status == 201, created.text()
    receipt = created.json()["numero_reception"]
    replayed = page.request.post(live_server.url + API_URL, data=_attestation(start), headers=headers)
    assert (replayed.status, replayed.json()["numero_reception"]) == (200, receipt)
    foreign = page.request.post(
        live_server.url + API_URL,
        data=_attestation(start, siret="90000002700012"),
        headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert foreign.status == 403
    arret = db.session.get(Arret, arret_id)
    assert arret.status == "calcule"
    assert [a.receipt_number for a in arret.attestations] == [receipt]

    sign_in_with_password(page, live_server)
    page.goto(live_server.url + f"/compte/arrets/{arret_id}")
    expect(page.locator(".timeline")).to_contain_text("Indemnités journalières calculées")
    for path in (f"/compte/arrets/{others_id}", f"/compte/arrets/{others_id}/attestation-de-paiement.pdf"):
        assert page.request.get(live_server.url + path).status == 404
