"""The public "Simuler un remboursement" page: the same engine as the API, page and fragment."""

import html

from tests.conftest import HX

URL = "/simulateurs/remboursement"
GOOD = {"date": "2025-03-10", "date_naissance": "1990-05-01", "code_0": "G", "montant_0": "30,00"}


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_empty_form(client):
    page = text(client.get(URL))
    for label in (
        "Date des soins",
        "Date de naissance du patient",
        "Secteur du médecin",
        "Acte 1",
        "Montant payé (€)",
    ):
        assert f">{label}</label>" in page


def test_result_page_and_fragment(client):
    page = text(client.get(URL, query_string=GOOD))
    assert "Remboursement : 19,00\u00a0€" in page
    assert "Reste à votre charge" in page
    assert "participation forfaitaire de 2,00\u00a0€ déduite" in page
    fragment = text(client.get(URL, query_string=GOOD, headers=HX))
    assert "<html" not in fragment
    assert "Remboursement : 19,00\u00a0€" in fragment


def test_hors_parcours_and_medicine(client):
    query = {**GOOD, "parcours": "non", "code_1": "PH7", "montant_1": "10.00", "base_1": "10.00"}
    page = text(client.get(URL, query_string=query))
    assert "hors parcours" in page
    assert "Remboursement : 12,50\u00a0€" in page  # 7.00 for the G + 5.50 for the box


def test_errors_are_422_link_to_fields_and_keep_values(client):
    query = {"date": "2025-13-10", "date_naissance": "", "code_0": "G", "montant_0": "-3"}
    response = client.get(URL, query_string=query)
    page = text(response)
    assert response.status_code == 422
    assert "Il y a un problème" in page
    assert 'href="#date"' in page
    assert 'href="#date_naissance"' in page
    assert 'href="#montant_0"' in page
    assert 'value="-3"' in page
    assert "<title>Erreur : Simuler un remboursement – macaisse</title>" in page


def test_rules_refusal_is_shown(client):
    page = text(client.get(URL, query_string={**GOOD, "date": "2019-01-01"}))
    assert "Il y a un problème" in page
