"""Informations pratiques: the fiches by theme, one fiche, the search (page and live fragment), the
accessibility statement and the footer link; public pages that never touch the database."""

import html

import pytest

from app.services import fiches
from tests.conftest import HX, count_queries

INDEX = "/informations/"
FICHE = "/informations/consultation-medecin-generaliste"
STATEMENT = "/informations/accessibilite"


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_index_lists_the_fiches_by_theme(client):
    response = client.get(INDEX)
    page = text(response)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    assert "<title>Informations pratiques – macaisse</title>" in page
    assert '<h1 id="informations-title" tabindex="-1">Informations pratiques</h1>' in page
    assert '<label class="label" for="informations-q">' in page
    assert 'hx-get="/informations/"' in page
    assert 'hx-target="#resultats-recherche"' in page
    assert 'hx-push-url="true"' in page
    for _theme, label, items in fiches.by_theme():
        assert f">{label}</h2>" in page
        for item in items:
            assert f'href="/informations/{item.slug}"' in page
            assert item.summary in page
    assert "Mis à jour le 24/11/2026" in page


def test_index_fragment(client):
    response = client.get(INDEX, headers=HX)
    page = text(response)
    assert response.status_code == 200
    assert page.startswith("<title>Informations pratiques – macaisse</title>")
    assert "<html" not in page
    assert "Informations pratiques</h1>" in page


def test_fiche_page_and_fragment(client):
    response = client.get(FICHE)
    page = text(response)
    assert response.status_code == 200
    item = fiches.fiche("consultation-medecin-generaliste")
    assert f"<title>{item.title} – macaisse</title>" in page
    assert f'<h1 id="fiche-title" tabindex="-1">{item.title}</h1>' in page
    assert "Mis à jour le 24/11/2026" in page
    assert 'aria-label="Fil d\'Ariane"' in page
    assert ">Sources</h2>" in page
    for source in item.sources:
        assert f'href="{source.url}"' in page
    assert ">Voir aussi</h2>" in page
    for other in fiches.same_theme(item):
        assert f'href="/informations/{other.slug}"' in page
    assert "<figcaption" in page
    fragment = text(client.get(FICHE, headers=HX))
    assert fragment.startswith(f"<title>{item.title} – macaisse</title>")
    assert "<html" not in fragment
    assert "<figcaption" in fragment


def test_unknown_fiche_is_the_404_page(client):
    response = client.get("/informations/fiche-inconnue")
    assert response.status_code == 404
    assert "Page introuvable" in text(response)


def test_search_page(client):
    response = client.get(INDEX, query_string={"q": "kilométriques"})
    page = text(response)
    assert response.status_code == 200
    assert "1 fiche pour « kilométriques »." in page
    assert 'href="/informations/transport-sanitaire"' in page
    assert 'aria-live="polite"' in page


def test_search_fragment_is_the_results_only(client):
    response = client.get(INDEX, query_string={"q": "hopital", "partiel": "1"}, headers=HX)
    page = text(response)
    assert response.status_code == 200
    assert "Informations pratiques</h1>" not in page
    assert 'id="informations-q"' not in page
    assert "Résultats de la recherche" in page
    assert 'href="/informations/hospitalisation"' in page
    assert response.headers["HX-Push-Url"] == "/informations/?q=hopital"  # the page's URL, not the fragment's


def test_search_without_result_lists_the_themes(client):
    page = text(client.get(INDEX, query_string={"q": "xylophone"}))
    assert "Aucune fiche ne correspond à « xylophone »" in page
    for theme, label, _items in fiches.by_theme():
        assert f'href="/informations/#theme-{theme}">{label}</a>' in page


@pytest.mark.parametrize("headers", [{}, HX])
def test_a_long_query_is_refused_and_kept(client, headers):
    query = "franchise " * 11
    response = client.get(INDEX, query_string={"q": query, "partiel": "1"}, headers=headers)
    page = text(response)
    assert response.status_code == 422
    assert "Votre recherche est trop longue : 100 caractères au plus." in page
    assert "Il y a un problème" in page
    if not headers:
        assert f'value="{query.strip()}"' in page
        assert "<title>Erreur : " in page


@pytest.mark.parametrize(
    ("url", "headers"),
    [
        (INDEX, {}),
        (INDEX, HX),
        (INDEX + "?q=franchise", {}),
        (INDEX + "?q=franchise&partiel=1", HX),
        (FICHE, {}),
        (STATEMENT, {}),
    ],
)
def test_no_sql(client, url, headers):
    assert count_queries(client, url, headers) == 0


def test_accessibility_statement(client):
    response = client.get(STATEMENT)
    page = text(response)
    assert response.status_code == 200
    assert '<h1 id="accessibilite-title" tabindex="-1">Déclaration d\'accessibilité</h1>' in page
    assert "partiellement conforme" in page
    assert "axe-core" in page
    assert "Playwright" in page
    assert "Défenseur des droits" in page
    assert "PDF/UA" in page
    assert 'href="/compte/messages/nouveau"' in page
    fragment = text(client.get(STATEMENT, headers=HX))
    assert fragment.startswith("<title>Déclaration d'accessibilité – macaisse</title>")


@pytest.mark.parametrize("url", ["/", INDEX, "/forum/"])
def test_footer_links_to_the_statement(client, url):
    page = text(client.get(url))
    assert '<a href="/informations/accessibilite">Accessibilité : partiellement conforme</a>' in page


def test_home_links_to_the_fiches(client):
    page = text(client.get("/"))
    assert f'href="{INDEX}"' in page
