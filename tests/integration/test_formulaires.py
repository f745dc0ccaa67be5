"""Formulaires: the catalogue page and its live fragment, filters, and the versioned fillable PDFs."""

import io
import re

import pytest
from pypdf import PdfReader

from app.documents.forms_pdf import pdf_version
from app.rules.forms_catalogue import form_by_slug
from tests.conftest import HX, login

SLUG = "declaration-de-choix-du-medecin-traitant"
FIELDS = {"nom", "prenom", "nir", "adresse", "code_postal", "commune", "date", "signature", "certifie"}


def pdf_url(slug: str = SLUG) -> str:
    return f"/formulaires/{slug}/v{pdf_version(form_by_slug(slug))}.pdf"


def test_page_lists_every_form(client):
    response = client.get("/formulaires")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.startswith("<!doctype html>")
    assert "<h1" in html
    assert "Formulaires</h1>" in html
    assert "42 formulaires" in html
    assert "S3704 · cerfa 12485*03" in html
    assert "référence non communiquée" in html
    assert "Faire la démarche en ligne" in html
    assert html.count("Télécharger le formulaire (PDF)") == 42
    assert f'href="{pdf_url()}"' in html
    assert 'hx-trigger="input changed delay:300ms from:#q, change, submit"' in html
    assert "HX-Request" in response.headers["Vary"]


def test_live_filter_gets_only_the_results(client):
    response = client.get("/formulaires", query_string={"q": "s3704", "partiel": "1"}, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.startswith("<title>Formulaires")
    assert "<form" not in html
    assert "<h1" not in html
    assert "1 formulaire" in html
    assert "Déclaration de choix du médecin traitant" in html
    assert "Feuille de soins" not in html


def test_navigation_by_htmx_gets_the_content_block(client):
    html = client.get("/formulaires", headers=HX).get_data(as_text=True)
    assert "<html" not in html
    assert "<form" in html
    assert "Formulaires</h1>" in html


def test_pushed_url_reloaded_without_htmx_gets_the_whole_page(client):
    html = client.get("/formulaires", query_string={"q": "transport", "partiel": "1"}).get_data(as_text=True)
    assert html.startswith("<!doctype html>")
    assert 'value="transport"' in html


@pytest.mark.parametrize(
    ("args", "present", "absent"),
    [
        ({"q": "S3704"}, "Déclaration de choix du médecin traitant", "Feuille de soins"),
        ({"q": "kinés"}, "Feuille de soins – auxiliaire médical", "Avis d&#39;arrêt de travail"),
        ({"public": "employeur"}, "Attestation de salaire", "Demande de carte Vitale"),
        ({"categorie": "transport"}, "Prescription médicale de transport", "Demande de carte Vitale"),
        ({"q": "zzzz"}, "Aucun formulaire ne correspond", "Télécharger le formulaire"),
    ],
)
def test_filters(client, args, present, absent):
    response = client.get("/formulaires", query_string=args)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert present in html
    assert absent not in html


def test_selected_filters_are_kept(client):
    html = client.get(
        "/formulaires", query_string={"public": "employeur", "categorie": "transport"}
    ).get_data(as_text=True)
    assert '<option value="employeur" selected>' in html
    assert '<option value="transport" selected>' in html


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"public": "martien"}, "Choisissez un public dans la liste"),
        ({"categorie": "astrologie", "q": "soins"}, "Choisissez une catégorie dans la liste"),
    ],
)
def test_unknown_filter_values_are_422(client, args, message):
    response = client.get("/formulaires", query_string=args)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<title>Erreur : Formulaires" in html
    assert "Il y a un problème" in html
    assert message in html
    assert 'aria-invalid="true"' in html
    for value in args.values():
        assert f'value="{value}"' in html
    fragment = client.get("/formulaires", query_string={**args, "partiel": "1"}, headers=HX)
    assert fragment.status_code == 422
    assert fragment.get_data(as_text=True).startswith("<title>Erreur : Formulaires")
    assert message in fragment.get_data(as_text=True)


def fields_of(data: bytes) -> dict:
    return {name: field.get("/V") for name, field in (PdfReader(io.BytesIO(data)).get_fields() or {}).items()}


def test_pdf_is_a_fillable_form_cached_for_ever(client):
    response = client.get(pdf_url())
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Déclaration de choix du médecin traitant" in text
    assert "S3704" in text
    assert "12485*03" in text
    assert "À remplir par l'assuré" in text
    fields = fields_of(response.data)
    assert set(fields) >= FIELDS
    assert not fields["nom"]
    assert not fields["nir"]
    version = pdf_version(form_by_slug(SLUG))
    assert response.headers["ETag"] == f'"{version}"'
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    again = client.get(pdf_url(), headers={"If-None-Match": f'"{version}"'})
    assert again.status_code == 304


def test_pdf_without_references_says_so(client):
    text = PdfReader(io.BytesIO(client.get(pdf_url("feuille-de-soins-medecin")).data)).pages[0].extract_text()
    assert "Référence non communiquée" in text


def test_outdated_version_redirects_to_the_current_url(client):
    response = client.get(f"/formulaires/{SLUG}/v0000000000.pdf")
    assert response.status_code in (301, 302)
    assert response.headers["Location"] == pdf_url()
    response = client.get(f"/formulaires/{SLUG}/vold.pdf", query_string={"preremplir": "1"})
    assert response.headers["Location"] == pdf_url() + "?preremplir=1"


def test_unknown_form_is_404(client):
    assert client.get("/formulaires/formulaire-imaginaire/v0000000000.pdf").status_code == 404


def test_prefilled_for_the_logged_in_assure(client, users):
    login(client, users["camille"])
    html = client.get("/formulaires", query_string={"q": "S3704"}).get_data(as_text=True)
    assert re.search(r'href="[^"]+\.pdf\?preremplir=1"', html)
    response = client.get(pdf_url(), query_string={"preremplir": "1"})
    assert response.status_code == 200
    fields = fields_of(response.data)
    assert fields["nom"] == "Martin"
    assert fields["prenom"] == "Camille"
    assert fields["nir"] == "2 95 06 75 056 123 49"
    assert fields["adresse"] == "1 rue de la Paix"
    assert fields["code_postal"] == "44000"
    assert fields["commune"] == "Nantes"
    assert response.headers["Cache-Control"] == "no-store"
    assert "ETag" not in response.headers
    assert "Cookie" in response.headers["Vary"]


def test_anonymous_prefill_gives_the_blank_form(client):
    response = client.get(pdf_url(), query_string={"preremplir": "1"})
    assert response.status_code == 200
    fields = fields_of(response.data)
    assert set(fields) >= FIELDS
    assert not any(fields[name] for name in ("nom", "prenom", "nir", "adresse", "code_postal", "commune"))
    assert response.headers["Cache-Control"] == "no-store"
    assert "ETag" not in response.headers


def test_anonymous_page_offers_no_prefill(client):
    assert "preremplir" not in client.get("/formulaires").get_data(as_text=True)


def test_live_filtering_pushes_the_clean_page_url(client):
    response = client.get(
        "/formulaires", query_string={"q": "vitale", "partiel": "1"}, headers={"HX-Request": "true"}
    )
    assert response.headers["HX-Push-Url"] == "/formulaires?q=vitale"
