"""Mon compte on the demo world: each alert of the issue appears for a demo account in that situation
and disappears once acted on, through the pages the user would use."""

from __future__ import annotations

import html as html_lib
import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Demarche, InboxItem, MessageThread, Payment, Person, User
from app.models.sick_leave import Arret, Employer
from app.services import demarches as demarches_service
from app.services import employers
from app.services.demo import CAMILLE_NIR, DEMO_PASSWORD, LOUIS_NIR, load_demo, nadia_nir
from app.services.demo_sick_leave import OPEN_KEY, SALARY, _months_before
from tests.conftest import csrf_token, last_code, post_files

PEOPLE = 40


@pytest.fixture
def demo(app):
    load_demo(people=PEOPLE, practitioners=20)


def account(nir: str) -> User:
    person = db.session.scalar(sa.select(Person).where(Person.nir == nir))
    return db.session.scalar(sa.select(User).where(User.person_id == person.id))


def sign_in(client, nir: str) -> User:
    user = account(nir)
    data = {"csrf_token": csrf_token(client, "/connexion"), "nir": nir, "password": DEMO_PASSWORD}
    response = client.post("/connexion", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    if response.headers["Location"] == "/connexion/code":
        data = {"code": last_code(user), "csrf_token": csrf_token(client, "/connexion/code")}
        assert client.post("/connexion/code", data=data).status_code == 302
    return user


def alerts(client) -> list[str]:
    page = html_lib.unescape(client.get("/compte/").get_data(as_text=True))
    return re.findall(r'<p class="alerts__title">([^<]+)</p>', page)


def has(titles: list[str], start: str) -> bool:
    return any(title.startswith(start) for title in titles)


def test_nadia_sees_the_legal_and_to_do_alerts_and_each_goes_once_acted_on(demo, client):
    user = sign_in(client, nadia_nir())
    titles = alerts(client)
    for start in (
        "Les droits de Marc LEFÈVRE prennent fin le",
        "Les conditions générales d'utilisation ont changé",
        "Votre adresse e-mail est-elle toujours la bonne ?",
        "Votre caisse attend un document : Changement de situation",
        "Votre carte européenne d'assurance maladie expire le",
        "1 courrier ou décision de votre caisse non lu",
    ):
        assert has(titles, start), (start, titles)
    # Most urgent first: the legal ones, then the e-mail, then what is to do, then what is to read.
    assert titles[0].startswith("Les droits") or titles[0].startswith("Les conditions")
    assert titles[-1].startswith("1 courrier")

    # CGU accepted.
    client.post("/cgu", data={"csrf_token": csrf_token(client, "/cgu"), "accept": "y"})
    assert not has(alerts(client), "Les conditions générales")

    # E-mail confirmed with the code sent.
    token = csrf_token(client, "/verification-email")
    client.post(
        "/verification-email",
        data={"csrf_token": token, "action": "send", "email-email": "nadia.lefevre@example.org"},
    )
    assert has(alerts(client), "Confirmez votre nouvelle adresse e-mail")
    client.post(
        "/verification-email",
        data={
            "csrf_token": csrf_token(client, "/verification-email"),
            "action": "verify",
            "code-code": last_code(user, "email_verify"),
        },
    )
    assert not has(alerts(client), "Votre adresse e-mail")
    assert not has(alerts(client), "Confirmez")

    # The divorce: the pre-filled message sent to the caisse.
    form = html_lib.unescape(client.get("/compte/messages/nouveau?objet=divorce").get_data(as_text=True))
    message = re.search(r'<textarea[^>]*name="message"[^>]*>\n?([^<]*)</textarea>', form).group(1)
    response = client.post(
        "/compte/messages/nouveau",
        data={
            "csrf_token": csrf_token(client, "/compte/messages/nouveau"),
            "motif": "changement-de-situation",
            "sujet": "Divorce ou séparation : les droits de mon ex-conjoint(e)",
            "message": message,
        },
    )
    assert response.status_code in (302, 303)
    assert not has(alerts(client), "Les droits de Marc")

    # The document asked for, sent from the démarche.
    demarche = db.session.scalar(
        sa.select(Demarche).where(Demarche.person_id == user.person_id, Demarche.status == "piece_demandee")
    )
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    response = post_files(
        client,
        f"/compte/demarches/{demarche.id}/documents",
        {
            "csrf_token": csrf_token(client, f"/compte/demarches/{demarche.id}"),
            "fichier": (io.BytesIO(pdf), "avis.pdf"),
        },
    )
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:300]
    assert not has(alerts(client), "Votre caisse attend un document")

    # The decision read.
    item = db.session.scalar(sa.select(InboxItem).where(InboxItem.person_id == user.person_id))
    assert client.get(f"/compte/courriers/{item.id}").status_code == 200
    assert not has(alerts(client), "1 courrier")

    # A new CEAM ordered for Nadia herself.
    nadia = db.session.get(Person, user.person_id)
    demarches_service.file_demarche(
        user,
        "ceam",
        beneficiary=nadia,
        payload={"depart": (demarches_service.today() + timedelta(days=24)).isoformat(), "retour": None},
    )
    assert not has(alerts(client), "Votre carte européenne")
    assert alerts(client) == []


def test_camille_sees_the_attestation_awaited_then_received_then_read(demo, client):
    user = sign_in(client, CAMILLE_NIR)
    assert has(alerts(client), "Arrêt de travail du")
    arret = db.session.scalar(sa.select(Arret).where(Arret.idempotency_key == OPEN_KEY))
    employer = db.session.scalar(sa.select(Employer).where(Employer.siret == "90000001900019"))
    employers.submit_attestation(
        employer,
        {
            "nir": CAMILLE_NIR,
            "siret": employer.siret,
            "date_debut_arret": arret.start_date.isoformat(),
            "salaires": [
                {"mois": month, "brut": float(SALARY)} for month in _months_before(arret.start_date)
            ],
            "heures_travaillees": 455,
        },
        source="web",
        idempotency_key="test-home-attestation",
    )
    titles = alerts(client)
    assert not has(titles, "Arrêt de travail du")
    assert has(titles, "Attestation de salaire reçue de Atelier Loire")
    assert client.get(f"/compte/arrets/{arret.id}").status_code == 200
    assert not has(alerts(client), "Attestation de salaire reçue")
    assert user.person_id == arret.person_id


def test_camille_sees_the_recovered_franchises_until_she_reads_the_payment(demo, client):
    user = sign_in(client, CAMILLE_NIR)
    payment = db.session.scalar(
        sa.select(Payment).where(Payment.person_id == user.person_id, Payment.recovered > 0)
    )
    assert has(alerts(client), "2,00\u00a0€ retenus sur votre paiement")
    assert client.get(f"/compte/paiements/{payment.id}").status_code == 200
    assert not has(alerts(client), "2,00\u00a0€ retenus")


def test_louis_reads_the_answer_and_puts_the_medecin_traitant_advice_away(demo, client):
    user = sign_in(client, LOUIS_NIR)
    titles = alerts(client)
    assert has(titles, "1 nouvelle réponse de votre caisse")
    assert has(titles, "Déclarez votre médecin traitant")
    thread = db.session.scalar(
        sa.select(MessageThread).where(
            MessageThread.user_id == user.id, MessageThread.last_caisse_at.is_not(None)
        )
    )
    assert client.get(f"/compte/messages/{thread.id}").status_code == 200
    assert not has(alerts(client), "1 nouvelle réponse")
    response = client.post(
        "/compte/alertes/masquer",
        data={"csrf_token": csrf_token(client, "/compte/"), "alerte": f"medecin_traitant:{user.person_id}"},
    )
    assert response.status_code == 303
    assert alerts(client) == []
