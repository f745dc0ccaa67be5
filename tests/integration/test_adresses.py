"""Adresses et contacts: postal code → caisse, with choices when ambiguous and errors in French;
then a motif → whom to contact for it, with the caisse's own details over the national advice."""

import re

import pytest

from app.documents import forms_pdf
from app.rules import forms_catalogue, motifs
from app.services import caisses as caisse_service
from app.services.accounts import create_staff
from tests.conftest import HX, PASSWORD


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


MOTIF_KEYS = [motif.key for motif in motifs.motifs()]


def motif_links(html: str) -> list[str]:
    """The motif keys the page links to, in order."""
    return re.findall(r'<a href="/adresses\?[^"]*motif=([a-z0-9-]+)"', html)


@pytest.mark.parametrize(
    ("query", "caisse"),
    [
        ({"code_postal": "44000"}, "CPAM de la Loire-Atlantique"),
        ({"code_postal": "75011"}, "CPAM de Paris (Assurance Maladie de Paris)"),
        ({"code_postal": "59100"}, "CPAM de Roubaix-Tourcoing"),
        ({"code_postal": "20000"}, "CPAM de la Corse-du-Sud"),
        ({"code_postal": "97400"}, "CGSS de La Réunion"),
        ({"code_postal": "97200"}, "CGSS de la Martinique"),
        ({"code_postal": "20200", "commune": "2B033"}, "CPAM de la Haute-Corse"),
    ],
)
def test_once_the_caisse_is_known_the_motifs_are_listed(client, caisses, query, caisse):
    response = client.get("/adresses", query_string=query)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<h2 id="caisse-title" tabindex="-1" data-autofocus>{caisse}</h2>' in html
    assert "Quel est le motif de votre demande ?" in html
    assert motif_links(html) == MOTIF_KEYS
    assert 'hx-target="#page" hx-push-url="true"' in html


def test_no_motif_list_before_the_commune_is_chosen(client, caisses):
    html = client.get("/adresses", query_string={"code_postal": "20200"}).get_data(as_text=True)
    assert "dessert plusieurs communes" in html
    assert motif_links(html) == []


def test_motif_links_keep_the_chosen_commune(client, caisses):
    html = client.get("/adresses", query_string={"code_postal": "20200", "commune": "2B033"}).get_data(
        as_text=True
    )
    assert 'href="/adresses?code_postal=20200&amp;commune=2B033&amp;motif=c2s"' in html


def test_a_motif_shows_whom_to_contact(client, caisses):
    response = client.get("/adresses", query_string={"code_postal": "44000", "motif": "c2s"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Complémentaire santé solidaire (C2S) – Adresses et contacts – macaisse</title>" in html
    heading = "Complémentaire santé solidaire (C2S)"
    assert f'<h2 id="motif-title" tabindex="-1" data-autofocus>{heading}</h2>' in html
    assert html.count("data-autofocus") == 1  # the motif's heading takes the focus, not the caisse's
    assert '<a href="tel:3646">36 46</a>' in html
    assert "service gratuit + prix d&#39;un appel" in html
    assert "du lundi au vendredi de 8 h 30 à 17 h 30" in html
    assert "9 rue Gaëtan Rondeau, 44958 Nantes cedex 9" in html  # the caisse's postal address
    assert 'Horaires d\'ouverture : <span class="address">non renseignés</span>' in html  # never invented
    form = forms_catalogue.form_by_slug("demande-de-complementaire-sante-solidaire")
    pdf = f"/formulaires/{form.slug}/v{forms_pdf.pdf_version(form)}.pdf"
    assert f'<a href="{pdf}" download>' in html
    assert client.get(pdf).status_code == 200
    assert 'href="/formulaires?q=S3711"' in html
    assert 'aria-current="page">Complémentaire santé solidaire (C2S)</a>' in html


def test_a_motif_without_a_form_says_so(client, caisses):
    html = client.get("/adresses", query_string={"code_postal": "75011", "motif": "reclamation"}).get_data(
        as_text=True
    )
    assert "Aucun formulaire à envoyer pour ce motif." in html
    assert "médiateur" in html
    assert "Référence : Code de la sécurité sociale, art. L. 217-7-1" in html


def test_the_attestation_de_droits_is_not_asked_by_messagerie(client, caisses):
    html = client.get(
        "/adresses", query_string={"code_postal": "44000", "motif": "attestation-de-droits"}
    ).get_data(as_text=True)
    assert "Ce motif ne se traite pas par la messagerie." in html


@pytest.mark.parametrize("motif", MOTIF_KEYS)
def test_every_motif_page_renders_for_overseas(client, caisses, motif):
    response = client.get("/adresses", query_string={"code_postal": "97200", "motif": motif})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "CGSS de la Martinique" in html
    assert "Place d&#39;Armes, 97210 Le Lamentin cedex 2" in html
    assert 'id="motif-title"' in html


def test_a_caisse_without_a_known_address_says_non_renseigne(client, caisses):
    html = client.get(
        "/adresses", query_string={"code_postal": "20200", "commune": "2B033", "motif": "invalidite"}
    ).get_data(as_text=True)
    assert "CPAM de la Haute-Corse" in html
    assert '<span class="address">non renseigné</span></dd>' in html  # postal address: never invented


def test_motif_fragment_for_htmx(client, caisses):
    response = client.get(
        "/adresses", query_string={"code_postal": "44000", "motif": "carte-vitale"}, headers=HX
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html
    assert html.startswith("<title>Carte Vitale – Adresses et contacts – macaisse</title>")
    assert 'id="motif-title"' in html
    assert "HX-Request" in response.headers["Vary"]


@pytest.mark.parametrize("headers", [{}, HX])
def test_unknown_motif_is_422_in_french_and_keeps_the_caisse(client, caisses, headers):
    response = client.get(
        "/adresses", query_string={"code_postal": "44000", "motif": "horoscope"}, headers=headers
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Il y a un problème" in html
    assert "Ce motif n&#39;existe pas : choisissez un motif dans la liste." in html
    assert "<title>Erreur : Adresses et contacts – macaisse</title>" in html
    assert "CPAM de la Loire-Atlantique" in html
    assert motif_links(html) == MOTIF_KEYS
    assert 'id="motif-title"' not in html
    assert 'value="horoscope"' not in html  # never echoed back into a form


def test_a_motif_is_kept_through_the_commune_choice(client, caisses):
    html = client.get("/adresses", query_string={"code_postal": "20200", "motif": "ceam"}).get_data(
        as_text=True
    )
    assert html.count('<input type="hidden" name="motif" value="ceam">') == 2  # search and choice forms


def test_anonymous_visitor_gets_a_login_link_back_to_the_page(client, caisses):
    html = client.get("/adresses", query_string={"code_postal": "44000", "motif": "c2s"}).get_data(
        as_text=True
    )
    assert 'href="/connexion?next=/adresses?code_postal%3D44000%26motif%3Dc2s"' in html
    assert 'href="/compte/"' not in html


def test_logged_in_assure_gets_the_messagerie_of_the_account(client, login_as, caisses):
    login_as("camille")
    html = client.get("/adresses", query_string={"code_postal": "44000", "motif": "c2s"}).get_data(
        as_text=True
    )
    assert 'depuis la messagerie de <a href="/compte/">votre compte</a>' in html
    assert "/connexion?next=" not in html


def test_an_admin_override_shows_for_that_caisse_only(client, caisses):
    admin = create_staff("admin", PASSWORD, "admin", None, "Administratrice", "admin@example.org")
    nantes = caisses["cpam-de-la-loire-atlantique"]
    changed = caisse_service.update_motif(
        nantes,
        "arret-de-travail",
        admin,
        {
            "postal_address": "CPAM 44\r\nService des indemnités journalières\r\n44958 Nantes",
            "phone_note": "Demandez le service des indemnités journalières.",
            "accueil_note": "",
            "note": "Joignez la copie de votre dernier bulletin de salaire.",
        },
    )
    assert changed == ["postal_address", "phone_note", "note"]
    html = client.get(
        "/adresses", query_string={"code_postal": "44000", "motif": "arret-de-travail"}
    ).get_data(as_text=True)
    assert "Adresse propre à ce motif" in html
    assert "Service des indemnités journalières\n44958 Nantes" in html
    assert "Demandez le service des indemnités journalières." in html
    assert "Joignez la copie de votre dernier bulletin de salaire." in html
    # The caisse's general address is still the one of its other motifs.
    other = client.get("/adresses", query_string={"code_postal": "44000", "motif": "c2s"}).get_data(
        as_text=True
    )
    assert "Service des indemnités journalières" not in other
    assert "44958 Nantes cedex 9" in other
    # Another caisse keeps the national advice.
    paris = client.get(
        "/adresses", query_string={"code_postal": "75011", "motif": "arret-de-travail"}
    ).get_data(as_text=True)
    assert "Service des indemnités journalières" not in paris
    assert "Adresse propre à ce motif" not in paris
