"""POST /api/v1/feuilles-de-soins: bearer token, Idempotency-Key, décompte, payment, no double pay."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import ApiToken, Claim, Payment
from tests.conftest import API_TOKEN

URL = "/api/v1/feuilles-de-soins"
TOKEN = API_TOKEN


def post(client, body, key="cle-0001", token=TOKEN):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if key:
        headers["Idempotency-Key"] = key
    return client.post(URL, json=body, headers=headers)


BODY = {
    "nir": "2950675056123",
    "date": "2026-03-10",
    "tiers_payant": False,
    "actes": [{"code": "G", "montant": 30.00}],
}


def test_a_claim_is_liquidated_stored_and_paid(client, users, doctor):
    response = post(client, BODY)
    assert response.status_code == 201, response.get_data(as_text=True)
    data = response.get_json()
    assert data["rembourse"] == 19.00
    assert data["participation_forfaitaire"] == 2.00
    assert data["lot"]
    assert data["facture"].startswith("F")
    assert '"rembourse": 19.00' in response.get_data(as_text=True)
    payment = db.session.scalar(sa.select(Payment))
    assert payment.payee == "assure"
    assert payment.amount == 19
    assert payment.person_id == users["camille"].person_id


def test_the_same_idempotency_key_never_pays_twice(client, users, doctor):
    first = post(client, BODY)
    second = post(client, BODY)
    assert first.status_code == 201
    assert second.status_code == 200
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.get_json()["facture"] == first.get_json()["facture"]
    assert db.session.scalar(sa.select(sa.func.count(Claim.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(Payment.id))) == 1


def test_a_key_reused_for_another_claim_is_refused(client, users, doctor):
    post(client, BODY)
    other = {**BODY, "actes": [{"code": "G", "montant": 25.00}]}
    response = post(client, other)
    assert response.status_code == 422
    assert "clé d'idempotence" in response.get_json()["erreur"]


def test_tiers_payant_pays_the_professional_and_the_pf_is_recovered_later(client, users, doctor):
    tp = post(client, {**BODY, "tiers_payant": True}, key="tp-1").get_json()
    assert tp["paye_a"] == "professionnel"
    assert tp["rembourse"] == 21.00
    assert tp["dettes_recuperees_plus_tard"] == 2.00
    post(client, {**BODY, "date": "2026-03-20"}, key="normal-1")
    payment = db.session.scalars(sa.select(Payment).where(Payment.payee == "assure")).one()
    assert (payment.gross, payment.recovered, payment.amount) == (19, 2, 17)


@pytest.mark.parametrize(
    ("token", "key", "status"),
    [(None, "k", 401), ("mauvais-jeton", "k", 401), (TOKEN, None, 400), (TOKEN, "x" * 101, 400)],
)
def test_authentication_and_key_are_required(client, users, doctor, token, key, status):
    response = post(client, BODY, key=key, token=token)
    assert response.status_code == status
    assert response.get_json()["erreur"]
    assert db.session.scalar(sa.select(sa.func.count(Claim.id))) == 0


def test_revoked_token_is_refused(client, users, doctor):
    from app.models.base import utcnow

    db.session.execute(sa.update(ApiToken).values(revoked_at=utcnow()))
    db.session.commit()
    assert post(client, BODY).status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**BODY, "nir": "2950675056124"}, "nir"),
        ({**BODY, "date": "2026-02-30"}, "date"),
        ({**BODY, "actes": [{"code": "XYZ", "montant": 30}]}, "actes[0].code"),
        ({**BODY, "actes": [{"code": "G", "montant": -30}]}, "actes[0].montant"),
        ({**BODY, "actes": []}, "actes"),
    ],
)
def test_bad_bodies_are_422_per_field(client, users, doctor, body, field):
    response = post(client, body)
    assert response.status_code == 422
    assert field in response.get_json()["champs"]


def test_unknown_patient(client, users, doctor):
    response = post(client, {**BODY, "nir": "1 84 12 75 108 265"})
    assert response.status_code == 422
    assert "Aucun assuré" in response.get_json()["erreur"]


def test_openapi_describes_the_endpoint(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/feuilles-de-soins"]["post"]
    assert operation["security"] == [{"jeton": []}]
    assert {"201", "200", "401", "422"} <= set(operation["responses"])


def test_a_token_without_the_right_is_refused_with_403(client, users, doctor):
    token = db.session.scalars(sa.select(ApiToken)).one()
    token.scopes = "arrets_de_travail"
    db.session.commit()
    response = post(client, BODY)
    assert response.status_code == 403
    assert "Ce jeton ne permet pas de transmettre des feuilles de soins" in response.get_json()["erreur"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Claim)) == 0
