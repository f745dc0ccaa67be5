"""The congé maternité / paternité simulator: its JSON contract exactly as published, its 422s in
French, and the public page (same code path) as page, htmx fragment and 422 with typed values kept."""

from __future__ import annotations

import html
import json
import re

import pytest

from app.api.routes import SIMULATOR_LIMIT
from tests.conftest import HX

API_URL = "/api/v1/simulations/conge-maternite-paternite"
PAGE_URL = "/simulateurs/conge-maternite-paternite"
MATERNITE = {
    "type": "maternite",
    "date_accouchement_prevue": "2026-06-15",
    "enfants_a_charge": 0,
    "naissances": 1,
    "report_semaines": 0,
    "conge_pathologique": False,
}
PATERNITE = {"type": "paternite", "date_naissance": "2026-06-15", "naissances": 1}


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_the_published_maternite_example_holds_exactly(client):
    response = client.post(API_URL, json=MATERNITE)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.startswith(
        '{"semaines_prenatales": 6, "semaines_postnatales": 10, "debut": "2026-05-04", '
        '"fin": "2026-08-23", "periodes": ['
    )
    data = json.loads(body)
    assert list(data) == [
        "semaines_prenatales",
        "semaines_postnatales",
        "debut",
        "fin",
        "periodes",
        "explications",
        "sources",
    ]
    assert data["periodes"] == [
        {
            "type": "prenatal",
            "libelle": "Congé prénatal",
            "debut": "2026-05-04",
            "fin": "2026-06-14",
            "jours": 42,
            "remarque": "Indemnisé au titre de la maternité.",
        },
        {
            "type": "postnatal",
            "libelle": "Congé postnatal",
            "debut": "2026-06-15",
            "fin": "2026-08-23",
            "jours": 70,
            "remarque": "Indemnisé au titre de la maternité.",
        },
    ]
    assert any("du 04/05/2026 au 23/08/2026 inclus" in line for line in data["explications"])
    assert {"titre", "url"} == set(data["sources"][0])
    assert any(source["url"].endswith("/F2265") for source in data["sources"])


def test_the_published_paternite_example_holds_exactly(client):
    response = client.post(API_URL, json=PATERNITE)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.startswith(
        '{"jours_conge_naissance": 3, "jours_obligatoires": 4, "jours_restants": 21, '
        '"date_limite": "2026-12-15", "periodes": ['
    )
    data = json.loads(body)
    assert list(data) == [
        "jours_conge_naissance",
        "jours_obligatoires",
        "jours_restants",
        "date_limite",
        "periodes",
        "explications",
        "sources",
    ]
    assert [(p["type"], p["debut"], p["fin"], p["jours"]) for p in data["periodes"]] == [
        ("conge_naissance", "2026-06-15", "2026-06-17", 3),
        ("obligatoire", "2026-06-18", "2026-06-21", 4),
        ("restants", "2026-06-22", "2026-07-12", 21),
    ]
    assert any(source["url"].endswith("/F3156") for source in data["sources"])


def test_options_change_the_answer(client):
    twins = client.post(API_URL, json={**MATERNITE, "naissances": 2, "conge_pathologique": True}).get_json()
    assert (twins["semaines_prenatales"], twins["semaines_postnatales"]) == (12, 22)
    assert twins["periodes"][0]["type"] == "pathologique_prenatal"
    report = client.post(API_URL, json={**MATERNITE, "report_semaines": 3}).get_json()
    assert (report["debut"], report["fin"]) == ("2026-05-25", "2026-09-13")
    multiple = client.post(API_URL, json={**PATERNITE, "naissances": 3}).get_json()
    assert multiple["jours_restants"] == 28


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({**MATERNITE, "date_accouchement_prevue": None}, "date_accouchement_prevue", "AAAA-MM-JJ"),
        ({**MATERNITE, "date_accouchement_prevue": "2026-02-30"}, "date_accouchement_prevue", "valide"),
        ({"type": "paternite"}, "date_naissance", "Une date au format AAAA-MM-JJ est attendue."),
        ({**PATERNITE, "date_naissance": "15/06/2026"}, "date_naissance", "n'est pas une date valide"),
        ({**MATERNITE, "naissances": 0}, "naissances", "Un nombre entier de 1 à 8 est attendu."),
        ({**PATERNITE, "naissances": 9}, "naissances", "de 1 à 8"),
        (
            {**MATERNITE, "enfants_a_charge": -1},
            "enfants_a_charge",
            "Un nombre entier de 0 à 30 est attendu.",
        ),
        ({**MATERNITE, "enfants_a_charge": "2"}, "enfants_a_charge", "entier"),
        ({**MATERNITE, "conge_pathologique": "oui"}, "conge_pathologique", "true ou false"),
        ({**MATERNITE, "report_semaines": 4}, "report_semaines", "Le report est limité à 3 semaines"),
        (
            {**MATERNITE, "anticipation_semaines": 2},
            "anticipation_semaines",
            "ne peut pas commencer plus tôt",
        ),
        ({**MATERNITE, "type": "adoption"}, "type", "Le type doit être « maternite » ou « paternite »."),
        ({"date_naissance": "2026-06-15"}, "type", "Le type doit être"),
        (
            {**MATERNITE, "date_accouchement_prevue": "2008-04-30"},
            "date_accouchement_prevue",
            "Le barème du congé de maternité n'est connu qu'à partir du 01/05/2008",
        ),
        (
            {**PATERNITE, "date_naissance": "2021-06-30"},
            "date_naissance",
            "Le barème du congé de paternité n'est connu qu'à partir du 01/07/2021",
        ),
    ],
)
def test_bad_fields_are_422_with_a_french_message_on_the_field(client, body, field, message):
    response = client.post(API_URL, json=body)
    assert response.status_code == 422
    data = response.get_json()
    assert data["erreur"] == "Certaines informations sont manquantes ou incorrectes."
    assert message in data["champs"][field]


def test_every_faulty_field_is_named(client):
    body = {**MATERNITE, "date_accouchement_prevue": "x", "naissances": 0, "enfants_a_charge": -1}
    fields = client.post(API_URL, json=body).get_json()["champs"]
    assert set(fields) == {"date_accouchement_prevue", "naissances", "enfants_a_charge"}


@pytest.mark.parametrize(("payload", "status"), [(b"[1, 2]", 422), (b'"texte"', 422), (b"pas du json", 400)])
def test_a_body_that_is_not_an_object(client, payload, status):
    response = client.post(API_URL, data=payload, content_type="application/json")
    assert response.status_code == status
    if status == 422:
        assert response.get_json()["champs"] == {"corps": "Un objet JSON est attendu."}


def test_same_rate_limit_as_the_other_simulators(app_factory):
    assert SIMULATOR_LIMIT == "240 per minute"
    app = app_factory(RATELIMIT_ENABLED=True)
    with app.app_context():
        client = app.test_client()
        statuses = [client.post(API_URL, json=PATERNITE).status_code for _ in range(241)]
    assert set(statuses[:240]) == {200}
    assert statuses[240] == 429


def test_openapi_documents_the_simulator(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/simulations/conge-maternite-paternite"]["post"]
    assert set(operation["responses"]) >= {"200", "400", "422", "429"}
    schemas = document["components"]["schemas"]
    assert schemas["SimulationCongeNaissance"]["properties"]["type"]["enum"] == ["maternite", "paternite"]
    assert "date_limite" in schemas["CongeNaissance"]["properties"]


def test_the_empty_page(client):
    response = client.get(PAGE_URL)
    page = text(response)
    assert response.status_code == 200
    assert "<title>Calculer mon congé de maternité ou de paternité – macaisse</title>" in page
    assert ">Calculer mon congé de maternité ou de paternité</h1>" in page
    for label in (
        "Congé de maternité",
        "Congé de paternité et d'accueil de l'enfant",
        "Nombre d'enfants attendus ou nés",
        "Date présumée de l'accouchement",
        "Nombre d'enfants déjà à votre charge",
        "Semaines de congé prénatal reportées après la naissance",
        "Date de naissance de l'enfant",
    ):
        assert f">{label}</label>" in page
    assert 'id="type" name="type" value="maternite" checked' in page
    assert "Il y a un problème" not in page
    assert 'href="/informations/maternite-et-paternite"' in page
    assert "HX-Request" in response.headers["Vary"]


def test_the_maternite_result_page_and_fragment(client):
    query = {"type": "maternite", "date_accouchement_prevue": "2026-06-15", "conge_pathologique": "oui"}
    response = client.get(PAGE_URL, query_string=query)
    page = text(response)
    assert response.status_code == 200
    assert "Votre congé de maternité : du 04/05/2026 au 23/08/2026</h2>" in page
    assert '<tr><th scope="row">Congé prénatal</th><td>04/05/2026</td><td>14/06/2026</td><td>42</td>' in page
    assert "<td>24/08/2026</td><td>20/09/2026</td><td>28</td>" in page
    assert '<a href="https://www.service-public.fr/particuliers/vosdroits/F2265">' in page
    assert response.headers["Cache-Control"] == "no-store"
    fragment_response = client.get(PAGE_URL, query_string=query, headers=HX)
    fragment = text(fragment_response)
    assert fragment_response.status_code == 200
    assert "<html" not in fragment
    assert "<title>Calculer mon congé de maternité ou de paternité – macaisse</title>" in fragment
    assert "Votre congé de maternité : du 04/05/2026 au 23/08/2026</h2>" in fragment
    assert "HX-Request" in fragment_response.headers["Vary"]


def test_the_paternite_result_page(client):
    query = {"type": "paternite", "date_naissance": "2026-06-15", "naissances": "2"}
    page = text(client.get(PAGE_URL, query_string=query))
    assert "jours restants à prendre au plus tard le 15/12/2026</h2>" in page
    assert "<dt>Jours restants</dt><dd>28 jours</dd>" in page
    assert 'id="type-paternite" name="type" value="paternite" checked' in page


def test_a_422_page_keeps_what_was_typed_and_links_each_error(client):
    query = {
        "type": "maternite",
        "date_accouchement_prevue": "2026-06-15",
        "naissances": "zéro",
        "enfants_a_charge": "-1",
        "report_semaines": "5",
    }
    response = client.get(PAGE_URL, query_string=query)
    page = text(response)
    assert response.status_code == 422
    assert "<title>Erreur : Calculer mon congé de maternité ou de paternité – macaisse</title>" in page
    for field in ("naissances", "enfants_a_charge"):
        assert f'href="#{field}"' in page
        assert re.search(rf'aria-describedby="[^"]*\b{field}-error"\s+aria-invalid="true"', page)
    assert 'value="zéro"' in page
    assert 'value="-1"' in page
    assert 'value="5"' in page
    assert 'value="2026-06-15"' in page
    fragment = client.get(PAGE_URL, query_string=query, headers=HX)
    assert fragment.status_code == 422
    assert "Il y a un problème" in text(fragment)


def test_the_rules_refusals_are_shown_on_their_field(client):
    query = {"type": "maternite", "date_accouchement_prevue": "2026-06-15", "report_semaines": "4"}
    page = text(client.get(PAGE_URL, query_string=query))
    assert '<a href="#report_semaines">Le report est limité à 3 semaines' in page
    query = {"type": "paternite", "date_naissance": "2021-06-30"}
    page = text(client.get(PAGE_URL, query_string=query))
    assert '<a href="#date_naissance">Le barème du congé de paternité' in page


def test_the_home_page_links_to_the_simulator(client):
    assert f'href="{PAGE_URL}"' in text(client.get("/"))


def test_the_fiche_partial_reads_the_rules_in_force(app):
    from flask import render_template_string

    with app.test_request_context():
        snippet = render_template_string('{% include "informations/_conges_naissance.html" %}')
    assert "<h2>Durée du congé de maternité</h2>" in snippet
    assert (
        '<tr><th scope="row">Un enfant, avec au moins 2 enfants déjà à charge</th><td>8</td><td>18</td>'
        "<td>26</td></tr>" in html.unescape(snippet)
    )
    assert "25 jours (32 pour des naissances multiples)" in snippet
    assert 'href="https://www.service-public.fr/particuliers/vosdroits/F3156"' in snippet
