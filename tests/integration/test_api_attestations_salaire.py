"""POST /api/v1/attestations-salaire: the employer's bearer token, Idempotency-Key, French 422s,
401/403/409, the receipt number, and the assuré told by notification, push and at next sign-in."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Notification
from app.models.sick_leave import SalaryAttestation
from app.rules.attestation_salaire import months_before
from app.services import push
from app.services.employers import paris_today
from tests.conftest import EMPLOYER_TOKEN, OTHER_EMPLOYER_TOKEN, login
from tests.push_receiver import PushReceiver

URL = "/api/v1/attestations-salaire"
CAMILLE = "295067505612349"
LOGIN_MESSAGE = (
    "Votre caisse a reçu l'attestation de salaire de Atelier Loire SARL : votre dossier d'indemnités "
    "journalières peut être traité."
)


def arret_start() -> date:
    today = paris_today()
    return date(today.year, today.month, 1)


def body(start: date | None = None, **changes) -> dict:
    start = start or arret_start()
    values = {
        "nir": CAMILLE,
        "date_debut_arret": start.isoformat(),
        "salaires": [{"mois": f"{month:%Y-%m}", "brut": 2000.00} for month in months_before(start)],
        "heures_travaillees": 455,
        "siret": "90000001900019",
    }
    values.update(changes)
    return values


def send(client, payload, *, token=EMPLOYER_TOKEN, key="cle-1"):
    headers = {"Idempotency-Key": key} if key else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return client.post(URL, json=payload, headers=headers)


def test_created_with_a_receipt_number(client, employers):
    response = send(client, body())
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert re.fullmatch(r"AS-\d{4}-\d{6}", data["numero_reception"])
    assert data["siret"] == "90000001900019"
    assert [m["brut"] for m in data["salaires"]] == [2000.00] * 3
    assert data["heures_travaillees"] == 455
    attestation = db.session.scalars(sa.select(SalaryAttestation)).one()
    assert attestation.receipt_number == data["numero_reception"]
    assert attestation.source == "api"
    assert [m.month for m in attestation.months] == months_before(arret_start())
    assert str(attestation.total) == "6000.00"


def test_each_employer_sends_its_own(client, employers):
    assert send(client, body()).status_code == 201
    other = send(client, body(siret="90000002700012"), token=OTHER_EMPLOYER_TOKEN, key="cle-2")
    assert other.status_code == 201
    numbers = db.session.scalars(sa.select(SalaryAttestation.receipt_number)).all()
    assert len(set(numbers)) == 2


@pytest.mark.parametrize("token", [None, "mc_inconnu", "demo-logiciel-2026"])
def test_401_without_a_live_employer_token(client, employers, token):
    response = send(client, body(), token=token)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "Jeton" in response.get_json()["erreur"]


def test_401_with_a_professional_token(client, employers, doctor):
    from tests.conftest import API_TOKEN

    assert send(client, body(), token=API_TOKEN).status_code == 401


def test_401_with_a_revoked_token(client, employers):
    from app.services import api_tokens

    employer = employers["atelier"].employer
    for token in api_tokens.tokens_of(employer):
        api_tokens.revoke(employer, token.id)
    assert send(client, body()).status_code == 401


def test_403_for_another_siret(client, employers):
    response = send(client, body(siret="90000002700012"))
    assert response.status_code == 403
    assert "votre propre SIRET" in response.get_json()["erreur"]
    assert db.session.scalar(sa.select(sa.func.count(SalaryAttestation.id))) == 0


def test_400_without_idempotency_key(client, employers):
    response = send(client, body(), key=None)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.get_json()["erreur"]


def _months(*amounts):
    return [
        {"mois": f"{m:%Y-%m}", "brut": a} for m, a in zip(months_before(arret_start()), amounts, strict=False)
    ]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"nir": "123"}, "nir", "incomplet"),
        ({"nir": "184127510826502"}, "nir", "Aucun assuré ne correspond à ce numéro."),
        ({"date_debut_arret": "2026-02-30"}, "date_debut_arret", "n'est pas une date valide"),
        ({"date_debut_arret": None}, "date_debut_arret", "Saisissez la date"),
        ({"date_debut_arret": "2099-01-01"}, "date_debut_arret", "30 jours dans le futur"),
        ({"date_debut_arret": "2001-01-01"}, "date_debut_arret", "2 ans"),
        ({"salaires": _months(2000, 2000)}, "salaires", "chacun des 3 mois"),
        ({"salaires": _months(2000, -1, 2000)}, "salaires[1].brut", "positif ou nul"),
        ({"salaires": _months(2000, 2000.123, 2000)}, "salaires[1].brut", "2 décimales"),
        ({"salaires": _months(2000, "beaucoup", 2000)}, "salaires[1].brut", "montant en euros"),
        ({"salaires": _months(2000, None, 2000)}, "salaires[1].brut", "Saisissez le salaire brut"),
        (
            {
                "salaires": [
                    {"mois": "2020-01", "brut": 1},
                    {"mois": "2020-02", "brut": 1},
                    {"mois": "2020-03", "brut": 1},
                ]
            },
            "salaires",
            "3 mois civils précédant",
        ),
        ({"salaires": [{"mois": "janvier", "brut": 1}] * 3}, "salaires[0].mois", "AAAA-MM"),
        ({"heures_travaillees": 1001}, "heures_travaillees", "entre 0 et 1000"),
        ({"heures_travaillees": 45.5}, "heures_travaillees", "nombre entier"),
        ({"heures_travaillees": None}, "heures_travaillees", "Saisissez le nombre"),
        ({"siret": "123"}, "siret", "14 chiffres"),
        ({"siret": "90000001900018"}, "siret", "n'est pas valide"),
    ],
)
def test_422_in_french(client, employers, changes, field, message):
    response = send(client, body(**changes))
    assert response.status_code == 422, response.get_json()
    data = response.get_json()
    assert data["erreur"] == "L'attestation de salaire comporte des erreurs."
    assert message in data["champs"][field]
    assert db.session.scalar(sa.select(sa.func.count(SalaryAttestation.id))) == 0


def test_422_for_a_body_that_is_not_an_object(client, employers):
    assert send(client, [1, 2]).status_code == 422
    response = client.post(
        URL,
        data="{",
        headers={
            "Authorization": f"Bearer {EMPLOYER_TOKEN}",
            "Idempotency-Key": "k",
            "Content-Type": "application/json",
        },
    )
    assert response.status_code == 400


def test_idempotency_replay_and_conflict(client, employers):
    first = send(client, body())
    again = send(client, body())
    assert again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["numero_reception"] == first.get_json()["numero_reception"]
    conflict = send(client, body(heures_travaillees=400))
    assert conflict.status_code == 422
    assert "clé d'idempotence" in conflict.get_json()["erreur"]
    assert db.session.scalar(sa.select(sa.func.count(SalaryAttestation.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 1


def test_409_for_a_second_attestation_of_the_same_arret(client, employers):
    first = send(client, body()).get_json()["numero_reception"]
    second = send(client, body(heures_travaillees=400), key="cle-2")
    assert second.status_code == 409
    assert second.get_json()["numero_reception"] == first
    assert first in second.get_json()["erreur"]


def test_openapi_describes_the_endpoint(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/attestations-salaire"]["post"]
    assert operation["security"] == [{"jeton_employeur": []}]
    assert {"201", "401", "403", "409", "422"} <= set(operation["responses"])


@pytest.fixture
def receiver():
    with PushReceiver() as running:
        yield running


def test_the_assure_is_told_by_push_in_app_and_once_at_next_sign_in(client, users, employers, receiver):
    camille = users["camille"]
    device = receiver.subscribe(application_server_key=push.vapid_public_key_b64url())
    push.subscribe(camille, push.parse_subscription(device.to_json()), "Chrome sur Android")
    db.session.commit()

    assert send(client, body()).status_code == 201

    notification = db.session.scalars(sa.select(Notification)).one()
    assert notification.user_id == camille.id
    assert notification.kind == "attestation_salaire"
    assert notification.title == "Attestation de salaire reçue"
    [received] = receiver.pushes_for(device)
    assert received.payload["title"] == "Attestation de salaire reçue"
    plaintext = received.plaintext.decode()
    assert "Atelier" not in plaintext  # no personal data pushed
    assert "Camille" not in plaintext
    assert receiver.rejected == []

    login(client, camille)
    home = html.unescape(client.get("/compte/").get_data(as_text=True))
    assert LOGIN_MESSAGE in home
    client.post("/deconnexion", data={"csrf_token": _csrf(client)})
    login(client, camille)
    assert LOGIN_MESSAGE not in html.unescape(client.get("/compte/").get_data(as_text=True))
    assert "Attestation de salaire reçue" in html.unescape(
        client.get("/notifications").get_data(as_text=True)
    )


def _csrf(client) -> str:
    from tests.conftest import csrf_token

    return csrf_token(client, "/compte/")
