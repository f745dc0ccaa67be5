"""The public IJ and C2S simulator pages: the same code as the API, page and fragment, errors kept."""

import html
import re

import pytest

from tests.conftest import HX

IJ_URL = "/simulateurs/indemnites-journalieres"
C2S_URL = "/simulateurs/c2s"
IJ_GOOD = {
    "debut": "2026-04-07",
    "fin": "2026-04-13",
    "salaire_1": "2 000,00",
    "salaire_2": "2000",
    "salaire_3": "2000",
}
C2S_GOOD = {"date": "2025-06-01", "foyer": "1", "ressources": "12 000,00", "age": "35"}


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize(
    ("url", "title", "labels"),
    [
        (
            IJ_URL,
            "Estimer mes indemnités journalières",
            (
                "Premier jour de l'arrêt",
                "Dernier jour de l'arrêt",
                "1er mois, le plus ancien (€)",
                "2e mois (€)",
                "3e mois, le plus récent (€)",
                "Cet arrêt prolonge un arrêt précédent",
                "Arrêt lié à une affection de longue durée (ALD)",
            ),
        ),
        (
            C2S_URL,
            "Ai-je droit à la C2S ?",
            (
                "Date de la demande",
                "Nombre de personnes du foyer",
                "Ressources annuelles du foyer (€)",
                "Votre âge au 1er janvier",
            ),
        ),
    ],
)
def test_empty_forms(client, url, title, labels):
    response = client.get(url)
    page = text(response)
    assert response.status_code == 200
    assert f"<title>{title} – macaisse</title>" in page
    assert f">{title}</h1>" in page
    for label in labels:
        assert f">{label}</label>" in page
    assert "Il y a un problème" not in page
    assert "HX-Request" in response.headers["Vary"]


def test_ij_result_page_and_fragment(client):
    response = client.get(IJ_URL, query_string=IJ_GOOD)
    page = text(response)
    assert response.status_code == 200
    assert "Indemnité journalière : 32,88\u00a0€" in page
    assert "<dt>Salaire journalier de base</dt><dd>65,75\u00a0€</dd>" in page
    assert "<dt>Premier jour indemnisé</dt><dd>10/04/2026</dd>" in page
    assert "<dt>Total brut pour l'arrêt</dt><dd>131,52\u00a0€</dd>" in page
    assert "6\u00a0000,00\u00a0€ ÷ 91,25 = 65,75\u00a0€" in page
    # Salaries (and an ALD) are personal: never kept by a cache.
    assert response.headers["Cache-Control"] == "no-store"
    fragment_response = client.get(IJ_URL, query_string=IJ_GOOD, headers=HX)
    fragment = text(fragment_response)
    assert "<html" not in fragment
    assert "<title>Estimer mes indemnités journalières – macaisse</title>" in fragment
    assert "Indemnité journalière : 32,88\u00a0€" in fragment
    assert "HX-Request" in fragment_response.headers["Vary"]


def test_ij_prolongation_and_cap(client):
    query = {**IJ_GOOD, "salaire_1": "9000", "salaire_2": "9000", "salaire_3": "9000", "prolongation": "oui"}
    page = text(client.get(IJ_URL, query_string=query))
    assert "Indemnité journalière : 41,95\u00a0€" in page
    assert "83,91\u00a0€ (plafonné)" in page
    assert "pas de nouveau délai de carence" in page
    assert 'id="prolongation" name="prolongation" value="oui" checked' in page


def test_ij_errors_are_422_link_to_fields_and_keep_values(client):
    query = {"debut": "2026-04-07", "fin": "2026-04-01", "salaire_1": "-3", "salaire_2": "", "salaire_3": "0"}
    response = client.get(IJ_URL, query_string=query)
    page = text(response)
    assert response.status_code == 422
    assert "Il y a un problème" in page
    for field in ("fin", "salaire_1", "salaire_2", "salaire_3"):
        assert f'href="#{field}"' in page
        # The inline message, worded as in the summary, is tied to its input.
        assert f'id="{field}-error"' in page
        assert re.search(rf'aria-describedby="[^"]*\b{field}-error"\s+aria-invalid="true"', page)
    assert "La date de fin ne peut pas précéder la date de début de l'arrêt (07/04/2026)." in page
    assert 'value="-3"' in page
    assert 'value="2026-04-01"' in page
    assert "<title>Erreur : Estimer mes indemnités journalières – macaisse</title>" in page
    fragment = client.get(IJ_URL, query_string=query, headers=HX)
    assert fragment.status_code == 422
    assert "<title>Erreur : Estimer mes indemnités journalières – macaisse</title>" in text(fragment)


def test_ij_rules_refusal_is_shown_on_the_start_date(client):
    response = client.get(IJ_URL, query_string={**IJ_GOOD, "debut": "2024-01-15", "fin": "2024-01-20"})
    page = text(response)
    assert response.status_code == 422
    assert "<a href=\"#debut\">Le SMIC mensuel n'est connu qu'à partir du 01/01/2024" in page


def test_c2s_result_page_and_fragment(client):
    response = client.get(C2S_URL, query_string=C2S_GOOD)
    page = text(response)
    assert response.status_code == 200
    assert "Vous pouvez bénéficier de la C2S pour 14,00\u00a0€ par mois" in page
    assert "<dt>C2S sans participation</dt><dd>jusqu'à 10\u00a0339,00\u00a0€ par an</dd>" in page
    assert "35 ans au 1er janvier : 14,00\u00a0€" in page
    assert response.headers["Cache-Control"] == "no-store"
    fragment = text(client.get(C2S_URL, query_string=C2S_GOOD, headers=HX))
    assert "<html" not in fragment
    assert "Vous pouvez bénéficier de la C2S pour 14,00\u00a0€ par mois" in fragment


@pytest.mark.parametrize(
    ("ressources", "heading"),
    [
        ("10339", "Vous pouvez bénéficier de la C2S sans participation"),
        ("13957,01", "Vos ressources dépassent le plafond de la C2S"),
    ],
)
def test_c2s_other_answers(client, ressources, heading):
    page = text(client.get(C2S_URL, query_string={**C2S_GOOD, "ressources": ressources}))
    assert heading in page


def test_c2s_errors_are_422_link_to_fields_and_keep_values(client):
    query = {"date": "2025-06-01", "foyer": "0", "ressources": "-5", "age": "deux"}
    response = client.get(C2S_URL, query_string=query)
    page = text(response)
    assert response.status_code == 422
    for field in ("foyer", "ressources", "age"):
        assert f'href="#{field}"' in page
    assert 'value="deux"' in page
    assert 'value="-5"' in page
    assert "<title>Erreur : Ai-je droit à la C2S ? – macaisse</title>" in page


def test_c2s_date_outside_the_table(client):
    response = client.get(C2S_URL, query_string={**C2S_GOOD, "date": "2026-04-01"})
    assert response.status_code == 422
    assert (
        '<a href="#date">Les plafonds de ressources de la C2S ne sont connus que jusqu\'au 31/03/2026'
        in text(response)
    )


def test_simulators_link_to_each_other_and_from_home(client):
    home = text(client.get("/"))
    refund = text(client.get("/simulateurs/remboursement"))
    for page in (home, refund):
        assert f'href="{IJ_URL}"' in page
        assert f'href="{C2S_URL}"' in page
    assert 'href="/simulateurs/remboursement"' in text(client.get(C2S_URL))
    assert 'href="/simulateurs/remboursement"' in text(client.get(IJ_URL))
