"""POST /api/v1/arrets-de-travail: bearer token, Idempotency-Key, French 422s, prolongation."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models.sick_leave import Arret
from tests.conftest import API_TOKEN

URL = "/api/v1/arrets-de-travail"
BODY = {"nir": "295067505612349", "debut": "2026-03-02", "fin": "2026-03-15", "motif_code": "J11"}


def post(client, body, key="a-1", token=API_TOKEN):
    headers = {"Idempotency-Key": key} if key else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return client.post(URL, json=body, headers=headers)


def test_created_then_replayed(client, doctor):
    response = post(client, BODY)
    assert response.status_code == 201
    document = response.get_json()
    assert document["reference"].startswith("AT260302")
    assert document["statut"] == "en_attente"
    assert "motif_code" not in document
    assert "J11" not in response.get_data(as_text=True)
    again = post(client, BODY)
    assert again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["reference"] == document["reference"]
    assert db.session.scalar(sa.select(sa.func.count(Arret.id))) == 1
    assert post(client, {**BODY, "fin": "2026-03-16"}).status_code == 422  # same key, other body


def test_prolongation(client, doctor):
    reference = post(client, BODY).get_json()["reference"]
    response = post(
        client,
        {
            **BODY,
            "type": "prolongation",
            "arret_initial": reference,
            "debut": "2026-03-16",
            "fin": "2026-03-31",
        },
        key="a-2",
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["arret_initial"] == reference
    assert response.get_json()["fin_episode"] == "2026-03-31"


def test_unauthorised_and_missing_key(client, doctor):
    assert post(client, BODY, token=None).status_code == 401
    assert post(client, BODY, token="mc_wrong").status_code == 401
    assert post(client, BODY, key=None).status_code == 400


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"nir": "123"}, "nir"),
        ({"debut": "02/03/2026"}, "debut"),
        ({"fin": None}, "fin"),
        ({"temps": "mi-temps"}, "temps"),
        ({"sorties": "jamais"}, "sorties"),
        ({"categorie": "retraite"}, "categorie"),
        ({"type": "prolongation"}, "arret_initial"),
        ({"fin": "2026-03-01"}, "fin"),
        ({"nir": "184127510826403", "type": "prolongation", "arret_initial": "AT0000"}, "arret_initial"),
        ({"inconnu": 1}, "inconnu"),
    ],
)
def test_invalid_fields_answer_422_in_french(client, doctor, users, change, field):
    response = post(client, {**BODY, **change})
    assert response.status_code == 422
    assert field in response.get_json()["champs"]


def test_unknown_patient(client, doctor):
    response = post(client, {**BODY, "nir": "190017501400194"})
    assert response.status_code == 422
    assert response.get_json()["erreur"] == "Aucun assuré ne correspond à ce numéro."


def test_openapi_documents_the_endpoint(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "post" in paths["/arrets-de-travail"]
