"""Adresses et contacts: postal code → caisse, with choices when ambiguous and errors in French."""

import pytest

from tests.conftest import HX


@pytest.mark.parametrize(
    ("postal_code", "caisse"),
    [
        ("44000", "CPAM de la Loire-Atlantique"),
        ("75011", "CPAM de Paris"),
        ("59100", "CPAM de Roubaix-Tourcoing"),
        ("20000", "CPAM de la Corse-du-Sud"),
        ("97400", "CGSS de La Réunion"),
        (" 44 000 ", "CPAM de la Loire-Atlantique"),
    ],
)
def test_postal_code_gives_the_caisse(client, caisses, postal_code, caisse):
    response = client.get("/adresses", query_string={"code_postal": postal_code})
    assert response.status_code == 200
    assert caisse in response.get_data(as_text=True)


def test_ambiguous_postal_code_asks_which_commune(client, caisses):
    html = client.get("/adresses", query_string={"code_postal": "37160"}).get_data(as_text=True)
    assert "dessert plusieurs communes" in html
    assert 'type="radio"' in html
    assert 'id="caisse-title"' not in html  # no caisse shown before the choice


def test_choosing_a_commune_shows_its_caisse(client, caisses):
    import re

    html = client.get("/adresses", query_string={"code_postal": "13780"}).get_data(as_text=True)
    choices = re.findall(r'name="commune" value="(\d[\dAB]\d+)"', html)
    assert len(choices) >= 2
    caisse_names = set()
    for insee in choices:
        page = client.get("/adresses", query_string={"code_postal": "13780", "commune": insee})
        caisse_names.add(
            re.search(r'<h2 id="caisse-title"[^>]*>([^<]+)<', page.get_data(as_text=True)).group(1)
        )
    assert caisse_names == {"CPAM des Bouches-du-Rhône", "CPAM du Var"}


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("4400", "Le code postal doit comporter 5 chiffres."),
        ("abcde", "Le code postal doit comporter 5 chiffres."),
        ("00000", "Aucune commune ne correspond à ce code postal."),
    ],
)
def test_bad_postal_code_is_422_in_french_and_keeps_the_input(client, caisses, typed, message):
    response = client.get("/adresses", query_string={"code_postal": typed})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert f'value="{typed}"' in html
    assert "Il y a un problème" in html


def test_fragment_for_htmx(client, caisses):
    response = client.get("/adresses", query_string={"code_postal": "44000"}, headers=HX)
    html = response.get_data(as_text=True)
    assert "<html" not in html
    assert "CPAM de la Loire-Atlantique" in html


def test_unknown_caisse_field_shows_non_renseigne(client, caisses):
    html = client.get("/adresses", query_string={"code_postal": "44000"}).get_data(as_text=True)
    assert "non renseigné" in html  # no accueil address in the public data: never invented
