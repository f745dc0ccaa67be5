"""The refund simulator's JSON contract, exactly as published (issue: refunds)."""

from __future__ import annotations

import json

import pytest

URL = "/api/v1/simulations/remboursement"


def body(**overrides):
    data = {
        "date": "2025-03-10",
        "patient": {
            "date_naissance": "1990-05-01",
            "parcours_de_soins": True,
            "ald": False,
            "c2s": False,
            "maternite": False,
            "participations_annee": 0.00,
            "franchises_annee": 0.00,
        },
        "professionnel": {"secteur": "1"},
        "tiers_payant": False,
        "actes": [{"code": "G", "montant": 30.00, "quantite": 1, "base": None, "date": None}],
    }
    for key, value in overrides.items():
        if key in data["patient"]:
            data["patient"][key] = value
        else:
            data[key] = value
    return data


def test_the_published_example_holds_exactly(client):
    response = client.post(URL, json=body())
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    # Amounts are JSON numbers with two decimals, not strings, not 19.0.
    assert '"rembourse": 19.00' in text
    assert '"reste_a_charge": 11.00' in text
    data = json.loads(text)
    assert data["lignes"] == [
        {
            "code": "G",
            "montant": 30.0,
            "base": 30.0,
            "taux": 70,
            "rembourse": 19.0,
            "participation_forfaitaire": 2.0,
            "franchise": 0.0,
            "depassement": 0.0,
        }
    ]
    assert set(data) == {
        "lignes",
        "rembourse",
        "participation_forfaitaire",
        "franchises",
        "part_complementaire_c2s",
        "reste_a_charge",
        "explications",
    }
    assert (data["rembourse"], data["participation_forfaitaire"], data["franchises"]) == (19.0, 2.0, 0.0)
    assert (data["part_complementaire_c2s"], data["reste_a_charge"]) == (0.0, 11.0)
    assert any("participation forfaitaire" in e for e in data["explications"])


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        # G was 26.50 before 2024-12-22 and the PF 1.00 before 2024-05-15.
        ({"date": "2024-03-01", "actes": [{"code": "G", "montant": 26.50}]}, (17.55, 1.00, 0.00, 8.95)),
        # Outside the parcours de soins: 30 %.
        ({"parcours_de_soins": False}, (7.00, 2.00, 0.00, 23.00)),
        # ALD: 100 % of the base, PF still due.
        ({"ald": True}, (28.00, 2.00, 0.00, 2.00)),
        # C2S: the C2S pays the TM, no PF, nothing left to pay.
        ({"c2s": True}, (21.00, 0.00, 0.00, 0.00)),
        # Secteur 2 OPTAM: the dépassement is never refunded.
        (
            {"professionnel": {"secteur": "2_optam"}, "actes": [{"code": "G", "montant": 50.00}]},
            (19.00, 2.00, 0.00, 31.00),
        ),
        # A medicine box at 65 %: franchise 1.00.
        (
            {"actes": [{"code": "PH7", "montant": 10.00, "base": 10.00, "quantite": 1}]},
            (5.50, 0.00, 1.00, 4.50),
        ),
        # Under 18: no PF.
        ({"date_naissance": "2010-01-01"}, (21.00, 0.00, 0.00, 9.00)),
    ],
)
def test_official_cases(client, overrides, expected):
    response = client.post(URL, json=body(**overrides))
    assert response.status_code == 200, response.get_data(as_text=True)
    data = response.get_json()
    assert (
        data["rembourse"],
        data["participation_forfaitaire"],
        data["franchises"],
        data["reste_a_charge"],
    ) == expected


def test_tiers_payant_turns_the_pf_into_a_debt(client):
    data = client.post(URL, json=body(tiers_payant=True)).get_json()
    # The caisse pays the professional the whole AMO; the PF is recovered on a later payment.
    assert data["rembourse"] == 21.00
    assert data["participation_forfaitaire"] == 2.00
    assert data["reste_a_charge"] == 11.00
    assert any("non déduite (tiers payant)" in e and "récupérée" in e for e in data["explications"])


def test_an_acts_date_overrides_the_top_level_one(client):
    acts = [{"code": "G", "montant": 26.50, "date": "2024-03-01"}, {"code": "G", "montant": 26.50}]
    data = client.post(URL, json=body(date="2024-03-02", actes=acts)).get_json()
    assert [line["base"] for line in data["lignes"]] == [26.50, 26.50]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"date": "2025-02-30"}, "date", "n'est pas une date valide"),
        ({"date_naissance": None}, "patient.date_naissance", "AAAA-MM-JJ"),
        ({"actes": [{"code": "ZZZ", "montant": 10}]}, "actes[0].code", "Code d'acte inconnu"),
        ({"actes": [{"code": "G", "montant": -5}]}, "actes[0].montant", "positif"),
        ({"actes": [{"code": "G", "montant": 30.001}]}, "actes[0].montant", "centime"),
        ({"actes": [{"code": "G", "montant": "trente"}]}, "actes[0].montant", "montant"),
        ({"actes": [{"code": "G", "montant": 30, "quantite": 0}]}, "actes[0].quantite", "entier"),
        ({"actes": []}, "actes", "Au moins un acte"),
        ({"professionnel": {"secteur": "4"}}, "professionnel.secteur", "secteur"),
        ({"tiers_payant": "oui"}, "tiers_payant", "true ou false"),
        ({"participations_annee": -1}, "patient.participations_annee", "positif"),
    ],
)
def test_bad_fields_are_422_with_a_french_message_per_field(client, overrides, field, message):
    response = client.post(URL, json=body(**overrides))
    assert response.status_code == 422
    data = response.get_json()
    assert message in data["champs"][field]


def test_rules_refusals_are_422(client):
    response = client.post(URL, json=body(date="2019-01-01", actes=[{"code": "G", "montant": 25.00}]))
    assert response.status_code == 422
    assert response.get_json()["erreur"]


@pytest.mark.parametrize("payload", [b"pas du json", b"[1, 2]", b"null", b'"texte"'])
def test_unreadable_bodies(client, payload):
    response = client.post(URL, data=payload, content_type="application/json")
    assert response.status_code in (400, 422)
    assert response.is_json
    assert response.get_json()["erreur"]


def test_api_errors_are_json(client):
    assert client.get("/api/v1/inconnu").get_json()["erreur"]
    assert client.get(URL).status_code == 405
    assert client.get(URL).is_json


def test_at_least_120_requests_a_minute_are_served(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True)
    with app.app_context():
        client = app.test_client()
        statuses = {client.post(URL, json=body()).status_code for _ in range(125)}
    assert statuses == {200}


def test_openapi_document(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    operation = document["paths"]["/simulations/remboursement"]["post"]
    assert set(operation["responses"]) >= {"200", "422"}
    schema = document["components"]["schemas"]["Decompte"]
    assert set(schema["required"]) == {
        "lignes",
        "rembourse",
        "participation_forfaitaire",
        "franchises",
        "part_complementaire_c2s",
        "reste_a_charge",
        "explications",
    }
