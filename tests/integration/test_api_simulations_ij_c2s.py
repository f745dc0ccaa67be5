"""The IJ and C2S simulators' JSON contracts, exactly as published (issue: sick leave)."""

from __future__ import annotations

import json

import pytest

from app.api.routes import SIMULATOR_LIMIT

IJ_URL = "/api/v1/simulations/indemnites-journalieres"
C2S_URL = "/api/v1/simulations/c2s"
IJ_BODY = {
    "debut": "2026-04-07",
    "fin": "2026-04-13",
    "salaires": [2000.00, 2000.00, 2000.00],
    "prolongation": False,
    "ald": False,
}
C2S_BODY = {"date": "2025-06-01", "foyer": 1, "ressources": 12000.00, "age": 35}


def ij_body(**overrides):
    return {**IJ_BODY, **overrides}


def c2s_body(**overrides):
    return {**C2S_BODY, **overrides}


def test_the_published_ij_example_holds_exactly(client):
    response = client.post(IJ_URL, json=IJ_BODY)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    text = response.get_data(as_text=True)
    # Keys in the published order, amounts as JSON numbers with two decimals, the date ISO.
    assert text.startswith(
        '{"salaire_journalier_base": 65.75, "indemnite_journaliere": 32.88, "plafond_applique": false, '
        '"jours_carence": 3, "premier_jour_indemnise": "2026-04-10", "jours_indemnises": 4, '
        '"montant_total": 131.52, "explications": ["'
    )
    data = json.loads(text)
    assert list(data) == [
        "salaire_journalier_base",
        "indemnite_journaliere",
        "plafond_applique",
        "jours_carence",
        "premier_jour_indemnise",
        "jours_indemnises",
        "montant_total",
        "explications",
    ]
    assert all(isinstance(line, str) and line for line in data["explications"])
    assert any("65,75\u00a0€" in line for line in data["explications"])
    assert any("conditions d'ouverture des droits" in line for line in data["explications"])


def test_the_published_c2s_example_holds_exactly(client):
    response = client.post(C2S_URL, json=C2S_BODY)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert text.startswith('{"eligible": true, "participation_mensuelle": 14.00, "explications": ["')
    data = json.loads(text)
    assert list(data) == ["eligible", "participation_mensuelle", "explications"]
    assert any("14,00\u00a0€" in line for line in data["explications"])


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        # The maximum in force: SMIC of the last day of the month before the arrêt.
        (
            {"debut": "2026-02-01", "fin": "2026-02-10", "salaires": [9000, 9000, 9000]},
            (83.91, 41.95, True, 3, "2026-02-04", 7, 293.65),
        ),
        (
            {"debut": "2026-01-15", "fin": "2026-01-24", "salaires": [9000, 9000, 9000]},
            (82.93, 41.47, True, 3, "2026-01-18", 7, 290.29),
        ),
        (
            {"debut": "2025-03-31", "fin": "2025-04-09", "salaires": [9000, 9000, 9000]},
            (106.63, 53.31, True, 3, "2025-04-03", 7, 373.17),
        ),
        # Prolongation: no carence.
        ({"prolongation": True}, (65.75, 32.88, False, 0, "2026-04-07", 7, 230.16)),
        # ALD, first arrêt (the simulator knows no earlier one): carence.
        ({"ald": True}, (65.75, 32.88, False, 3, "2026-04-10", 4, 131.52)),
        # Within the carence: nothing paid, no first paid day.
        ({"fin": "2026-04-09"}, (65.75, 32.88, False, 3, None, 0, 0.00)),
        # Amounts given as strings are read the same way.
        ({"salaires": ["2000.00", "2000", 2000]}, (65.75, 32.88, False, 3, "2026-04-10", 4, 131.52)),
        # Almost a year: accepted; 362 days after the carence, 360 paid (360 IJ per 3 years).
        ({"fin": "2027-04-06"}, (65.75, 32.88, False, 3, "2026-04-10", 360, 11836.80)),
    ],
)
def test_ij_cases(client, overrides, expected):
    response = client.post(IJ_URL, json=ij_body(**overrides))
    assert response.status_code == 200, response.get_data(as_text=True)
    data = response.get_json()
    assert (
        data["salaire_journalier_base"],
        data["indemnite_journaliere"],
        data["plafond_applique"],
        data["jours_carence"],
        data["premier_jour_indemnise"],
        data["jours_indemnises"],
        data["montant_total"],
    ) == expected


def test_a_total_of_zero_is_written_with_two_decimals(client):
    text = client.post(IJ_URL, json=ij_body(fin="2026-04-08")).get_data(as_text=True)
    assert '"premier_jour_indemnise": null' in text
    assert '"montant_total": 0.00' in text
    assert '"jours_carence": 2' in text


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"fin": "2026-04-06"}, "fin", "ne peut pas précéder la date de début"),
        ({"fin": "2027-04-07"}, "fin", "plus d'un an"),
        ({"fin": "2028-01-01"}, "fin", "doit précéder le 07/04/2027"),
        ({"debut": "2026-02-30"}, "debut", "n'est pas une date valide"),
        ({"debut": None}, "debut", "AAAA-MM-JJ"),
        ({"fin": ""}, "fin", "AAAA-MM-JJ"),
        ({"salaires": [2000, 2000]}, "salaires", "Trois salaires"),
        ({"salaires": [2000, 2000, 2000, 2000]}, "salaires", "Trois salaires"),
        ({"salaires": "6000"}, "salaires", "Trois salaires"),
        ({"salaires": None}, "salaires", "Trois salaires"),
        ({"salaires": [2000, 0, 2000]}, "salaires[1]", "supérieur à 0"),
        ({"salaires": [2000, 2000, -5]}, "salaires[2]", "positif"),
        ({"salaires": ["deux mille", 2000, 2000]}, "salaires[0]", "montant"),
        ({"salaires": [2000.001, 2000, 2000]}, "salaires[0]", "centime"),
        ({"salaires": [2000, None, 2000]}, "salaires[1]", "montant"),
        ({"prolongation": "oui"}, "prolongation", "true ou false"),
        ({"ald": 1}, "ald", "true ou false"),
    ],
)
def test_ij_bad_fields_are_422_with_a_french_message_per_field(client, overrides, field, message):
    response = client.post(IJ_URL, json=ij_body(**overrides))
    assert response.status_code == 422
    data = response.get_json()
    assert data["erreur"] == "Certaines informations sont manquantes ou incorrectes."
    assert message in data["champs"][field]


def test_ij_every_faulty_field_is_named(client):
    body = {"debut": "x", "salaires": [1]}
    data = client.post(IJ_URL, json=body).get_json()
    assert set(data["champs"]) == {"debut", "fin", "salaires"}


@pytest.mark.parametrize(
    ("debut", "fin", "message"),
    [
        # SMIC of 2023-12-31: not in the data.
        ("2024-01-15", "2024-01-20", "qu'à partir du 01/01/2024"),
        # SMIC of 2027-01-31: after the last known SMIC.
        ("2027-02-01", "2027-02-10", "que jusqu'au 31/12/2026"),
    ],
)
def test_ij_dates_outside_the_rules_are_422(client, debut, fin, message):
    response = client.post(IJ_URL, json=ij_body(debut=debut, fin=fin))
    assert response.status_code == 422
    data = response.get_json()
    assert message in data["erreur"]
    assert data["champs"]["debut"] == data["erreur"]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"ressources": 10339.00}, (True, 0.00)),
        ({"ressources": 13957.00, "age": 72}, (True, 30.00)),
        ({"ressources": 13957.01}, (False, 0.00)),
        ({"foyer": 5, "ressources": 34894.00, "age": 29}, (True, 8.00)),
        ({"foyer": 5, "ressources": 25846.00}, (True, 0.00)),
        ({"date": "2026-03-31", "ressources": "12000"}, (True, 14.00)),
    ],
)
def test_c2s_cases(client, overrides, expected):
    response = client.post(C2S_URL, json=c2s_body(**overrides))
    assert response.status_code == 200, response.get_data(as_text=True)
    data = response.get_json()
    assert (data["eligible"], data["participation_mensuelle"]) == expected


def test_c2s_amounts_keep_two_decimals(client):
    text = client.post(C2S_URL, json=c2s_body(ressources=100)).get_data(as_text=True)
    assert '"participation_mensuelle": 0.00' in text


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"foyer": 0}, "foyer", "de 1 à 30"),
        ({"foyer": None}, "foyer", "de 1 à 30"),
        ({"foyer": 2.5}, "foyer", "entier"),
        ({"foyer": True}, "foyer", "entier"),
        ({"ressources": -1}, "ressources", "positif"),
        ({"ressources": None}, "ressources", "montant"),
        ({"ressources": 100.001}, "ressources", "centime"),
        ({"age": -1}, "age", "de 0 à 130"),
        ({"age": 131}, "age", "de 0 à 130"),
        ({"age": "35"}, "age", "entier"),
        ({"date": "2025-13-01"}, "date", "n'est pas une date valide"),
        ({"date": None}, "date", "AAAA-MM-JJ"),
    ],
)
def test_c2s_bad_fields_are_422_with_a_french_message_per_field(client, overrides, field, message):
    response = client.post(C2S_URL, json=c2s_body(**overrides))
    assert response.status_code == 422
    assert message in response.get_json()["champs"][field]


@pytest.mark.parametrize(
    ("day", "message"),
    [("2025-03-31", "qu'à partir du 01/04/2025"), ("2026-04-01", "que jusqu'au 31/03/2026")],
)
def test_c2s_dates_outside_the_table_are_422(client, day, message):
    response = client.post(C2S_URL, json=c2s_body(date=day))
    assert response.status_code == 422
    data = response.get_json()
    assert message in data["erreur"]
    assert data["champs"]["date"] == data["erreur"]


@pytest.mark.parametrize("url", [IJ_URL, C2S_URL])
@pytest.mark.parametrize("payload", [b"pas du json", b"[1, 2]", b"null", b'"texte"'])
def test_unreadable_bodies(client, url, payload):
    response = client.post(url, data=payload, content_type="application/json")
    # As for the refund simulator: 400 when there is no JSON document (unreadable or null), 422 when
    # it is not an object.
    assert response.status_code == (400 if payload in (b"pas du json", b"null") else 422)
    assert response.is_json
    assert response.get_json()["erreur"]


@pytest.mark.parametrize("url", [IJ_URL, C2S_URL])
def test_only_post(client, url):
    response = client.get(url)
    assert response.status_code == 405
    assert response.is_json


@pytest.mark.parametrize(("url", "body"), [(IJ_URL, IJ_BODY), (C2S_URL, C2S_BODY)])
def test_same_rate_limit_as_the_refund_simulator(app_factory, url, body):
    assert SIMULATOR_LIMIT == "240 per minute"
    app = app_factory(RATELIMIT_ENABLED=True)
    with app.app_context():
        client = app.test_client()
        statuses = [client.post(url, json=body).status_code for _ in range(241)]
    assert set(statuses[:240]) == {200}
    assert statuses[240] == 429


def test_openapi_document(client):
    document = client.get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    for path, request, answer in (
        (
            "/simulations/indemnites-journalieres",
            "SimulationIndemnitesJournalieres",
            "IndemnitesJournalieres",
        ),
        ("/simulations/c2s", "SimulationC2S", "C2S"),
    ):
        operation = document["paths"][path]["post"]
        assert set(operation["responses"]) >= {"200", "400", "422", "429"}
        assert operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(request)
        assert request in schemas
        assert answer in schemas
    assert schemas["IndemnitesJournalieres"]["required"] == [
        "salaire_journalier_base",
        "indemnite_journaliere",
        "plafond_applique",
        "jours_carence",
        "premier_jour_indemnise",
        "jours_indemnises",
        "montant_total",
        "explications",
    ]
    assert schemas["C2S"]["required"] == ["eligible", "participation_mensuelle", "explications"]
    assert set(schemas["SimulationC2S"]["required"]) == {"date", "foyer", "ressources", "age"}
