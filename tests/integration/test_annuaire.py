"""Annuaire santé: search (words, profession, place, secteur, carte Vitale), pages and fragments,
detail pages with fees against the base de remboursement, and the médecin traitant start."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AnnuaireActivity, AnnuairePractitioner, AnnuaireStructure, AnnuaireTariff
from app.rules import annuaire as rules
from app.services import annuaire as service
from tests.conftest import HX, count_queries, csrf_token

DURAND = "810101010105"


def add_structure(key: str, postal_code: str, insee: str, commune: str, dep: str, name: str = "", **extra):
    structure = AnnuaireStructure(
        structure_key=key,
        name=name,
        address_line=extra.pop("address_line", "3 rue de la Paix"),
        postal_code=postal_code,
        commune_insee=insee,
        commune_name=commune,
        departement=dep,
        search_words=rules.structure_words(name, extra.get("activity_sector", ""), commune),
        **extra,
    )
    db.session.add(structure)
    db.session.flush()
    return structure


def add_practitioner(
    national_id, last, first, profession_code, specialty_code="", specialty="", *, sites=(), **extra
):
    kind = rules.kind_of(profession_code, specialty_code)
    profession = rules.PROFESSIONS[profession_code]
    tariffs = extra.pop("tariffs", {})
    practitioner = AnnuairePractitioner(
        national_id=national_id,
        id_type=national_id[0],
        identifier=national_id[1:],
        last_name=last,
        first_name=first,
        profession_code=profession_code,
        profession=profession,
        specialty_code=specialty_code,
        specialty=specialty,
        kind=kind,
        search_words=rules.practitioner_words(last, first, profession, specialty, kind),
        **extra,
    )
    db.session.add(practitioner)
    db.session.flush()
    for site in sites:
        db.session.add(
            AnnuaireActivity(practitioner_id=practitioner.id, structure_id=site.id, mode="Libéral")
        )
    for code, amount in tariffs.items():
        db.session.add(AnnuaireTariff(practitioner_id=practitioner.id, act_code=code, amount=Decimal(amount)))
    return practitioner


@pytest.fixture
def directory(app):
    nantes = add_structure(
        "S-NANTES", "44000", "44109", "Nantes", "44", "Cabinet médical des Tilleuls", phone="0240123456"
    )
    paris = add_structure("S-PARIS11", "75011", "75111", "Paris 11e Arrondissement", "75")
    hopital = add_structure(
        "S-HOPITAL",
        "75012",
        "75112",
        "Paris 12e Arrondissement",
        "75",
        "Hôpital Saint-Antoine",
        finess="750100125",
        activity_sector="Etablissement public de santé",
    )
    ajaccio = add_structure("S-AJACCIO", "20000", "2A004", "Ajaccio", "2A")
    reunion = add_structure("S-REUNION", "97400", "97411", "Saint-Denis", "974")
    add_practitioner(
        DURAND,
        "DURAND",
        "Sophie",
        "10",
        "SM54",
        "Médecine Générale",
        sites=[nantes],
        civilite="Docteur",
        secteur="1",
        carte_vitale=True,
        opening_hours="Lundi au vendredi : 8 h 30 – 19 h",
        tariffs={"G": "30.00"},
    )
    add_practitioner(
        "810000000018",
        "DUPONT",
        "Jean",
        "10",
        "SM04",
        "Cardiologie et maladies vasculaires",
        sites=[paris, hopital],
        secteur="2",
        carte_vitale=True,
        tariffs={"CS": "60.00"},
    )
    add_practitioner(
        "810000000026", "LEFÈVRE", "Élodie", "60", sites=[ajaccio], secteur="1", carte_vitale=True
    )
    add_practitioner("810000000034", "HOARAU", "Marc", "70", sites=[reunion], secteur="1", carte_vitale=False)
    add_practitioner("0019999991", "MARTIN", "Paul", "26", sites=[nantes])
    add_practitioner(
        "810000000042",
        "BERNARD",
        "Luc",
        "10",
        "SM42",
        "Psychiatrie",
        sites=[nantes],
        secteur="3",
        tariffs={"CNPSY": "80.00"},
    )
    add_practitioner(
        "810000000059",
        "PETIT",
        "Anne",
        "10",
        "SM26",
        "Qualifié en Médecine Générale",
        sites=[nantes],
        secteur="2_optam",
        carte_vitale=True,
        tariffs={"G": "35.00"},
    )
    db.session.commit()
    return {"nantes": nantes, "hopital": hopital}


def names(html: str) -> list[str]:
    return re.findall(r'<h2><a href="/annuaire/professionnels/\d+"[^>]*>([^<]+)</a>', html)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "durand"}, ["Dr Sophie DURAND"]),
        ({"q": "dur"}, ["Dr Sophie DURAND"]),
        ({"q": "lefevre"}, ["Élodie LEFÈVRE"]),
        ({"q": "ELODIE lefèvre"}, ["Élodie LEFÈVRE"]),
        ({"q": "cardiologie"}, ["Dr Jean DUPONT", "Dr Jean DUPONT"]),
        ({"q": "généraliste"}, ["Dr Sophie DURAND", "Dr Anne PETIT"]),
        ({"profession": "generaliste"}, ["Dr Sophie DURAND", "Dr Anne PETIT"]),
        ({"profession": "specialiste", "lieu": "75012"}, ["Dr Jean DUPONT"]),
        ({"lieu": "44000", "secteur": "1"}, ["Dr Sophie DURAND"]),
        ({"lieu": "Nantes (44000)", "profession": "26"}, ["Paul MARTIN"]),
        ({"lieu": "2A"}, ["Élodie LEFÈVRE"]),
        ({"lieu": "Ajaccio"}, ["Élodie LEFÈVRE"]),
        ({"lieu": "974"}, ["Marc HOARAU"]),
        ({"lieu": "paris"}, ["Dr Jean DUPONT", "Dr Jean DUPONT"]),
        ({"q": "kine", "carte_vitale": "oui"}, []),
        ({"carte_vitale": "oui", "lieu": "44"}, ["Dr Sophie DURAND", "Dr Anne PETIT"]),
        ({"secteur": "3"}, ["Dr Luc BERNARD"]),
        ({"q": "zzzz"}, []),
    ],
)
def test_search(client, directory, query, expected):
    response = client.get("/annuaire", query_string=query)
    assert response.status_code == 200
    assert names(response.get_data(as_text=True)) == expected


def test_no_criterion_no_search(client, directory):
    html = client.get("/annuaire").get_data(as_text=True)
    assert "Indiquez un nom, une profession ou un lieu" in html
    assert names(html) == []


def test_fts_syntax_in_the_query_is_only_words(client, directory):
    for query in ['"', "durand*", "NEAR(a b)", "a OR b", "-x", "':*"]:
        assert client.get("/annuaire", query_string={"q": query}).status_code == 200


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"lieu": "Atlantis"}, "lieu", "Aucune commune ne s'appelle « Atlantis »"),
        ({"lieu": "12345"}, "lieu", "Aucune commune ne correspond au code postal 12345."),
        ({"lieu": "99"}, "lieu", "Le département 99 n'existe pas."),
        ({"lieu": "4400"}, "lieu", "Un code postal comporte 5 chiffres"),
        ({"profession": "sorcier"}, "profession", "Choisissez une profession dans la liste."),
        ({"secteur": "9"}, "secteur", "Choisissez un secteur dans la liste."),
        ({"type": "animaux"}, "type", "Choisissez de chercher des professionnels ou des établissements."),
        ({"q": "x" * 150}, "q", "100 caractères au plus."),
    ],
)
def test_bad_criteria_are_422_in_french_and_kept(client, directory, query, field, message):
    response = client.get("/annuaire", query_string=query)
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert "Il y a un problème" in html
    assert message in html
    assert f'href="#{field}"' in html
    value = query[field]
    if field in ("lieu", "q"):
        assert f'value="{value}"' in html


def test_other_filters_still_search_when_one_is_wrong(client, directory):
    response = client.get("/annuaire", query_string={"q": "durand", "lieu": "Atlantis"})
    assert response.status_code == 422
    assert names(response.get_data(as_text=True)) == ["Dr Sophie DURAND"]


def test_live_fragment_keeps_the_url_in_sync(client, directory):
    response = client.get("/annuaire", query_string={"q": "durand", "partiel": "1"}, headers=HX)
    html = response.get_data(as_text=True)
    assert "<html" not in html
    assert "<h1" not in html
    assert names(html) == ["Dr Sophie DURAND"]
    assert 'id="annuaire-filters" hx-swap-oob="true"' in html
    assert response.headers["HX-Push-Url"] == "/annuaire?q=durand"
    assert "HX-Request" in response.headers["Vary"]


def test_content_fragment_for_boosted_navigation(client, directory):
    html = client.get("/annuaire", query_string={"q": "durand"}, headers=HX).get_data(as_text=True)
    assert "<html" not in html
    assert 'id="annuaire-title"' in html
    assert names(html) == ["Dr Sophie DURAND"]


def test_pagination(client, directory):
    nantes = directory["nantes"]
    for index in range(45):
        add_practitioner(
            f"8{20000000000 + index:011d}", f"INFIRMIER{index:02d}", "Test", "60", sites=[nantes]
        )
    db.session.commit()
    first = client.get("/annuaire", query_string={"profession": "60", "lieu": "44000"}).get_data(as_text=True)
    assert "45 résultats, 1 à 20 affichés (page 1 sur 3)" in first
    assert len(names(first)) == 20
    assert "Résultats suivants" in first
    assert "Résultats précédents" not in first
    last = client.get("/annuaire", query_string={"profession": "60", "lieu": "44000", "page": "3"})
    last_html = last.get_data(as_text=True)
    assert names(last_html)[-1] == "Test INFIRMIER44"
    assert len(names(last_html)) == 5
    beyond = client.get("/annuaire", query_string={"profession": "60", "lieu": "44000", "page": "99"})
    assert names(beyond.get_data(as_text=True)) == names(last_html)
    assert client.get("/annuaire", query_string={"profession": "60", "page": "abc"}).status_code == 200


def test_search_runs_a_constant_number_of_queries(client, directory):
    url = "/annuaire?lieu=44000&q=test"
    nantes = directory["nantes"]
    add_practitioner("820000000999", "SEUL", "Test", "60", sites=[nantes])
    db.session.commit()
    few = count_queries(client, url)
    for index in range(40):
        add_practitioner(f"8{21000000000 + index:011d}", f"NOM{index:02d}", "Test", "60", sites=[nantes])
    db.session.commit()
    assert count_queries(client, url) == few
    assert count_queries(client, "/annuaire?type=etablissements&lieu=75") == count_queries(
        client, "/annuaire?type=etablissements&lieu=44"
    )


def test_establishments(client, directory):
    html = client.get("/annuaire", query_string={"type": "etablissements", "q": "hopital"}).get_data(
        as_text=True
    )
    assert "Hôpital Saint-Antoine" in html
    assert "1 professionnel dans l'annuaire" in unescape(html)
    structure_id = directory["hopital"].id
    page = client.get(f"/annuaire/etablissements/{structure_id}").get_data(as_text=True)
    assert "750100125" in page
    assert "Dr Jean DUPONT" in page
    assert client.get("/annuaire/etablissements/999999").status_code == 404


def test_practitioner_page_shows_fees_against_the_base(client, directory):
    html = client.get(f"/annuaire/professionnels/{DURAND}").get_data(as_text=True)
    assert "Dr Sophie DURAND" in html
    assert "Numéro RPPS" in html
    assert "10101010105" in html
    assert "Secteur 1" in html
    assert "acceptée" in html
    assert "02 40 12 34 56" in html
    assert "Lundi au vendredi : 8 h 30 – 19 h" in html
    assert re.search(r"30,00\s*€", html)

    petit = client.get("/annuaire/professionnels/810000000059").get_data(as_text=True)
    # G is 30 € in secteur 1 and OPTAM: 35 € charged is a 5 € dépassement.
    assert re.search(r"<td>35,00\s*€</td>\s*<td>30,00\s*€</td>\s*<td>5,00\s*€</td>", petit)

    bernard = client.get("/annuaire/professionnels/810000000042").get_data(as_text=True)
    assert "non connue" in bernard  # secteur 3: no tarif d'autorité in the rules

    adeli = client.get("/annuaire/professionnels/0019999991").get_data(as_text=True)
    assert "Numéro ADELI" in adeli
    assert "Tarifs non communiqués." in adeli
    assert "Médecin traitant" not in adeli


def test_practitioner_page_is_a_fragment_for_htmx(client, directory):
    html = client.get(f"/annuaire/professionnels/{DURAND}", headers=HX).get_data(as_text=True)
    assert "<html" not in html
    assert "Dr Sophie DURAND" in html


def test_unknown_practitioner_is_404(client, directory):
    assert client.get("/annuaire/professionnels/899999999999").status_code == 404
    assert client.get("/annuaire/professionnels/" + "9" * 40).status_code == 404


def test_practitioner_page_queries_are_constant(client, directory):
    assert count_queries(client, f"/annuaire/professionnels/{DURAND}") == count_queries(
        client, "/annuaire/professionnels/810000000018"
    )


def test_anonymous_is_asked_to_log_in_to_declare_a_medecin_traitant(client, directory):
    html = client.get(f"/annuaire/professionnels/{DURAND}").get_data(as_text=True)
    assert "Connectez-vous à votre compte" in html
    assert f"next=/annuaire/professionnels/{DURAND}" in html.replace("%2F", "/")


def test_assure_starts_declaring_a_medecin_traitant(client, directory, users, login_as):
    login_as("louis")
    page = "/annuaire/professionnels/810000000059"
    html = client.get(page).get_data(as_text=True)
    assert "Déclarer comme médecin traitant" in html
    token = csrf_token(client, page)
    response = client.post(
        "/compte/medecin-traitant/choix", data={"identifiant": "810000000059", "csrf_token": token}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/compte/medecin-traitant"
    assert "810000000059" not in response.headers["Location"]
    chosen = client.get("/compte/medecin-traitant").get_data(as_text=True)
    assert "Dr Anne PETIT" in chosen
    assert "Comment le déclarer" in chosen
    assert "preremplir=1" in chosen


def test_medecin_traitant_choice_rejects_a_non_doctor_and_needs_csrf(client, directory, users, login_as):
    login_as("louis")
    token = csrf_token(client, "/compte/medecin-traitant")
    response = client.post(
        "/compte/medecin-traitant/choix", data={"identifiant": "810000000026", "csrf_token": token}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/annuaire"
    assert client.post("/compte/medecin-traitant/choix", data={"identifiant": DURAND}).status_code == 400


def test_medecin_traitant_page_shows_the_current_one(client, directory, users, login_as):
    users["camille"].person.medecin_traitant_rpps = "10101010105"
    db.session.commit()
    login_as("camille")
    html = client.get("/compte/medecin-traitant").get_data(as_text=True)
    assert "Dr Sophie DURAND" in html


def test_staff_and_anonymous_cannot_choose(client, directory, users, login_as):
    response = client.get("/compte/medecin-traitant")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/connexion")


def test_commune_suggestions(client, caisses):
    response = client.get("/annuaire/communes", query_string={"lieu": "nant"})
    html = response.get_data(as_text=True)
    assert '<option value="Nantes (44000)">' in html or 'value="Nantes (44000)"' in html
    assert "public" in response.headers["Cache-Control"]
    assert client.get("/annuaire/communes", query_string={"lieu": "n"}).get_data(as_text=True).strip() == ""


def test_search_words_are_in_the_full_text_index(app, directory):
    found = service.search_practitioners(service.Criteria(words=("sophie",)))
    assert [hit.practitioner.national_id for hit in found.hits] == [DURAND]
    durand = db.session.scalar(
        sa.select(AnnuairePractitioner).where(AnnuairePractitioner.national_id == DURAND)
    )
    durand.last_name = "MARTINEAU"
    durand.search_words = rules.practitioner_words("MARTINEAU", "Sophie", "Médecin", "", "generaliste")
    db.session.commit()
    assert service.search_practitioners(service.Criteria(words=("durand",))).total == 0
    assert service.search_practitioners(service.Criteria(words=("martineau",))).total == 1
    db.session.delete(durand)
    db.session.commit()
    assert service.search_practitioners(service.Criteria(words=("martineau",))).total == 0


def test_typing_in_the_words_field_leaves_the_fields_alone(client, directory):
    headers = {**HX, "HX-Trigger": "q"}
    html = client.get("/annuaire", query_string={"q": "dur", "partiel": "1"}, headers=headers).get_data(
        as_text=True
    )
    assert names(html) == ["Dr Sophie DURAND"]
    assert "hx-swap-oob" not in html
