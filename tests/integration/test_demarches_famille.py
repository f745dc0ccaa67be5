"""The family démarches: adding a child (birth certificate, NIR, rattachement to both parents),
removing a beneficiary, the complémentaire santé (numéro AMC), the C2S (outcome before filing,
acceptance, refund engine) and the divorce alert with its pre-filled message; each form's errors,
the effects of the agent's acceptance on the register and on the attestation de droits, and the
owner checks."""

from __future__ import annotations

import html
import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from app.extensions import db
from app.models import Claim, Demarche, DemarcheFile, InboxItem, Person
from app.services.demarche_kinds import ayants_droit as ayants_droit_kind
from app.services.demarche_kinds import c2s as c2s_kind
from app.services.demarche_kinds import divorce as divorce_kind
from tests.conftest import API_TOKEN, HX, csrf_token, login, make_person, post_files

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
LEO_NIR = "119034410904791"
LOUIS_NIR = "184127510826403"
ADD = "/compte/demarches/ayant-droit/ajout"
REMOVE = "/compte/demarches/ayant-droit/retrait"
AMC = "/compte/demarches/complementaire"
C2S = "/compte/demarches/c2s"
DIVORCE = "/compte/demarches/divorce"
FORMS = (ADD, REMOVE, AMC, C2S, DIVORCE)
# The C2S ceilings of the data run from 2025-04-01 to 2026-03-31: a request is dated inside them.
C2S_DAY = date(2026, 3, 10)


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def pdf_text(body: bytes) -> str:
    reader = PdfReader(io.BytesIO(body))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def attestation_text(client) -> str:
    response = client.get("/compte/documents/attestation-de-droits.pdf")
    assert response.status_code == 200, response.status_code
    return pdf_text(response.data)


def demarches() -> list[Demarche]:
    return list(db.session.scalars(sa.select(Demarche).order_by(Demarche.id)))


@pytest.fixture
def camille(users):
    return users["camille"].person


def child_form(client, **overrides) -> dict:
    data = {
        "csrf_token": csrf_token(client, ADD),
        "prenom": "Jade",
        "nom": "Martin",
        "sexe": "F",
        "naissance": (date.today() - timedelta(days=20)).strftime("%d/%m/%Y"),
        "nir": "",
        "rattachement": "seul",
        "autre_nir": "",
        "autre_nom": "",
        "acte": (io.BytesIO(PDF), "acte-de-naissance.pdf"),
    }
    data.update(overrides)
    return data


def accept(agent_client, demarche_id: int):
    url = f"/agent/demarches/{demarche_id}"
    token = csrf_token(agent_client, url)
    return agent_client.post(f"{url}/acceptation", data={"csrf_token": token, "message": ""})


@pytest.mark.parametrize("url", FORMS)
def test_each_form_page_and_fragment(client, login_as, url):
    assert client.get(url).status_code == 302  # signed out: to the login page
    login_as("camille")
    page = client.get(url)
    assert page.status_code == 200
    assert "no-store" in page.headers["Cache-Control"]
    assert "<html" in page.get_data(as_text=True)
    fragment = client.get(url, headers=HX)
    assert fragment.status_code == 200
    assert "<html" not in fragment.get_data(as_text=True)
    assert "HX-Request" in fragment.headers["Vary"]


def test_the_catalogue_offers_the_family_demarches(client, login_as):
    login_as("camille")
    page = text_of(client.get("/compte/demarches/"))
    for url in FORMS:
        assert f'href="{url}"' in page


def test_add_a_newborn_then_the_agent_accepts(client, login_as, agent_client, camille, leo):
    login_as("camille")
    response = post_files(client, ADD, child_form(client))
    assert response.status_code == 302, text_of(response)[:2000]
    [demarche] = demarches()
    assert response.headers["Location"] == f"/compte/demarches/{demarche.id}"
    assert (demarche.kind, demarche.status, demarche.person_id) == (
        "ayant_droit_ajout",
        "deposee",
        camille.id,
    )
    [stored] = demarche.files
    assert (stored.label, stored.filename, stored.content_type) == (
        "acte_naissance",
        "acte-naissance.pdf",
        "application/pdf",
    )
    detail = text_of(client.get(response.headers["Location"]))
    assert "Jade MARTIN" in detail
    assert "à ce seul dossier" in detail

    assert accept(agent_client, demarche.id).status_code == 302
    db.session.refresh(demarche)
    assert demarche.status == "acceptee"
    jade = db.session.scalar(sa.select(Person).where(Person.first_name == "Jade"))
    birth = date.today() - timedelta(days=20)
    assert (jade.ouvrant_droit_id, jade.lien, jade.rang, jade.sex) == (camille.id, "enfant", 3, "F")
    assert (jade.caisse_id, jade.postal_code, jade.address_line) == (
        camille.caisse_id,
        "44000",
        camille.address_line,
    )
    assert jade.rights_start == jade.birth_date == birth  # a naissance: covered from birth
    assert jade.nir is None
    assert jade.second_ouvrant_droit_id is None
    assert demarche.beneficiary_id == jade.id
    text = attestation_text(client)
    assert f"Jade MARTIN celui de l'assuré(e) {birth:%d/%m/%Y} 3 Enfant" in text
    assert "Léo MARTIN" in text


def test_an_older_child_has_rights_from_the_decision(client, login_as, agent_client, camille):
    login_as("camille")
    nir = "2" + "1503" + "44109" + "123"
    from stdnum.fr import nir as stdnum_nir

    nir += stdnum_nir.calc_check_digits(nir)
    form = child_form(client, naissance="20/03/2015", nir=nir)
    assert post_files(client, ADD, form).status_code == 302
    [demarche] = demarches()
    assert "se terminant par" in text_of(client.get(f"/compte/demarches/{demarche.id}"))
    accept(agent_client, demarche.id)
    child = db.session.scalar(sa.select(Person).where(Person.nir == nir))
    assert child.rights_start == ayants_droit_kind.today()
    assert child.rang == 2


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"prenom": ""}, "prenom", "Saisissez le prénom de l'enfant."),
        ({"sexe": ""}, "sexe", "Indiquez le sexe de l'enfant."),
        ({"naissance": "31/02/2020"}, "naissance", "Saisissez la date de naissance au format JJ/MM/AAAA"),
        ({"naissance": "01/01/2099"}, "naissance", "La date de naissance ne peut pas être dans le futur."),
        ({"naissance": "01/01/2000"}, "naissance", "L'enfant a 18 ans ou plus"),
        ({"nir": "119034410904792"}, "nir", "La clé (les 2 derniers chiffres) ne correspond pas au numéro."),
        (
            {"nir": LEO_NIR, "naissance": "08/03/2019"},
            "nir",
            "Le premier chiffre du numéro ne correspond pas",
        ),
        ({"nir": LEO_NIR, "sexe": "M", "naissance": "08/03/2018"}, "nir", "L'année de naissance du numéro"),
        ({"nir": LEO_NIR, "sexe": "M", "naissance": "08/04/2019"}, "nir", "Le mois de naissance du numéro"),
        ({"rattachement": ""}, "rattachement", "Indiquez à qui rattacher l'enfant."),
        ({"rattachement": "deux"}, "autre_nir", "Saisissez le numéro de sécurité sociale de l'autre parent."),
        (
            {"rattachement": "deux", "autre_nir": LOUIS_NIR, "autre_nom": "Durand"},
            "autre_nir",
            "Aucun assuré ne correspond à ce numéro et à ce nom",
        ),
        ({"acte": (io.BytesIO(b""), "")}, "acte", "choisissez un fichier"),
    ],
)
def test_add_child_errors_keep_what_was_typed_and_store_nothing(client, login_as, overrides, field, message):
    login_as("camille")
    response = post_files(client, ADD, child_form(client, **{"prenom": "Zoé", **overrides}))
    assert response.status_code == 422
    page = text_of(response)
    assert "Il y a un problème" in page
    assert message in page
    assert f'href="#{field}"' in page
    assert "<title>Erreur : " in page
    if "prenom" not in overrides:
        assert 'value="Zoé"' in page
    assert demarches() == []


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        ((io.BytesIO(b"hello, this is text"), "acte.pdf"), "Acte de naissance de l'enfant"),
        ((io.BytesIO(EXE), "acte.pdf"), "Acte de naissance de l'enfant"),
        (
            (io.BytesIO(b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024 + 10)), "acte.pdf"),
            "Acte de naissance de l'enfant",
        ),
    ],
    ids=["wrong-type", "renamed-executable", "too-big"],
)
def test_birth_certificate_refused_nothing_stored(client, login_as, upload, message):
    login_as("camille")
    response = post_files(client, ADD, child_form(client, acte=upload))
    assert response.status_code == 422
    page = text_of(response)
    assert re.search(rf"{re.escape(message)} : [^<]+", page)
    assert demarches() == []
    assert db.session.scalar(sa.select(sa.func.count(DemarcheFile.id))) == 0


def test_double_rattachement_lists_the_child_in_the_other_parents_file(
    app, client, login_as, agent_client, users
):
    login_as("camille")
    form = child_form(client, rattachement="deux", autre_nir="1 84 12 75 108 264 03", autre_nom="bernard")
    assert post_files(client, ADD, form).status_code == 302
    [demarche] = demarches()
    detail = text_of(client.get(f"/compte/demarches/{demarche.id}"))
    assert "aux deux parents" in detail
    assert "BERNARD" in detail
    assert LOUIS_NIR not in detail
    accept(agent_client, demarche.id)
    jade = db.session.scalar(sa.select(Person).where(Person.first_name == "Jade"))
    louis = users["louis"].person
    assert jade.second_ouvrant_droit_id == louis.id
    other = app.test_client()
    login(other, users["louis"])
    assert "Jade MARTIN" in attestation_text(other)
    assert "Jade MARTIN" in text_of(other.get("/compte/"))
    assert "Jade MARTIN" in attestation_text(client)


def test_remove_a_beneficiary_ends_rights_and_attestation_listing(client, login_as, agent_client, leo):
    login_as("camille")
    page = text_of(client.get(REMOVE))
    assert "Léo MARTIN, né(e) le 08/03/2019 (Enfant)" in page
    yesterday = ayants_droit_kind.today() - timedelta(days=1)
    data = {
        "csrf_token": csrf_token(client, REMOVE),
        "membre": str(leo.id),
        "motif": "depart_foyer",
        "date_fin": yesterday.strftime("%d/%m/%Y"),
        "precision": "Parti vivre chez son père.",
    }
    response = client.post(REMOVE, data=data)
    assert response.status_code == 302
    [demarche] = demarches()
    assert demarche.beneficiary_id == leo.id
    again = client.post(REMOVE, data={**data, "csrf_token": csrf_token(client, REMOVE)})
    assert again.status_code == 422
    assert "Une demande de retrait de ce bénéficiaire est déjà en cours." in text_of(again)
    assert "Léo MARTIN" in attestation_text(client)
    accept(agent_client, demarche.id)
    db.session.refresh(leo)
    assert leo.rights_end == yesterday
    assert "Léo" not in attestation_text(client)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"membre": ""}, "Choisissez le bénéficiaire à retirer."),
        ({"motif": "x"}, "Choisissez le motif du retrait."),
        ({"date_fin": "demain"}, "Saisissez la date de fin des droits au format JJ/MM/AAAA"),
        ({"date_fin": "01/01/2099"}, "à moins d'un an d'aujourd'hui"),
    ],
)
def test_remove_errors(client, login_as, leo, overrides, message):
    login_as("camille")
    data = {
        "csrf_token": csrf_token(client, REMOVE),
        "membre": str(leo.id),
        "motif": "autre",
        "date_fin": ayants_droit_kind.today().strftime("%d/%m/%Y"),
        **overrides,
    }
    response = client.post(REMOVE, data=data)
    assert response.status_code == 422
    assert message in text_of(response)
    assert demarches() == []


def test_remove_someone_of_another_file_is_refused(client, login_as, users, leo):
    login_as("camille")
    data = {
        "csrf_token": csrf_token(client, REMOVE),
        "membre": str(users["louis"].person.id),
        "motif": "autre",
        "date_fin": ayants_droit_kind.today().strftime("%d/%m/%Y"),
    }
    assert client.post(REMOVE, data=data).status_code == 422
    assert demarches() == []


@pytest.mark.parametrize(
    ("numero", "ok"),
    [
        ("12345678", True),
        ("1234 5678 90", True),
        ("1234567", False),
        ("12345678901", False),
        ("1234ABCD", False),
    ],
)
def test_amc_number_is_8_to_10_digits(client, login_as, camille, numero, ok):
    login_as("camille")
    data = {
        "csrf_token": csrf_token(client, AMC),
        "beneficiaire": str(camille.id),
        "action": "declarer",
        "organisme": "Mutuelle des Lilas",
        "numero": numero,
    }
    response = client.post(AMC, data=data)
    assert response.status_code == (302 if ok else 422)
    if not ok:
        assert "Le numéro AMC compte 8 à 10 chiffres." in text_of(response)
        assert 'value="Mutuelle des Lilas"' in text_of(response)
    assert len(demarches()) == (1 if ok else 0)


def test_complementaire_accepted_shows_on_the_attestation_then_removed(client, login_as, agent_client, leo):
    login_as("camille")
    data = {
        "csrf_token": csrf_token(client, AMC),
        "beneficiaire": str(leo.id),
        "action": "declarer",
        "organisme": "Mutuelle des Lilas",
        "numero": "77 567 811",
    }
    assert client.post(AMC, data=data).status_code == 302
    [demarche] = demarches()
    accept(agent_client, demarche.id)
    db.session.refresh(leo)
    assert (leo.amc_name, leo.amc_number) == ("Mutuelle des Lilas", "77567811")
    text = attestation_text(client)
    assert (
        "Complémentaire santé (organisme complémentaire) Léo MARTIN : Mutuelle des Lilas, "
        "numéro AMC 77567811." in text
    )
    assert "numéro AMC 77567811" in text_of(client.get(AMC))

    removal = {"csrf_token": csrf_token(client, AMC), "beneficiaire": str(leo.id), "action": "retirer"}
    assert client.post(AMC, data=removal).status_code == 302
    accept(agent_client, demarches()[-1].id)
    db.session.refresh(leo)
    assert (leo.amc_name, leo.amc_number) == ("", "")
    assert "AMC" not in attestation_text(client)


def c2s_form(client, action: str = "estimer", **overrides) -> dict:
    data = {
        "csrf_token": csrf_token(client, C2S),
        "action": action,
        "autres": "0",
        "ressources_salaires": "5000",
    }
    data.update(overrides)
    return data


@pytest.fixture
def c2s_day(monkeypatch):
    monkeypatch.setattr(c2s_kind, "today", lambda: C2S_DAY)


@pytest.mark.parametrize(
    ("resources", "expected"),
    [
        ("5000", "C2S sans participation financière."),
        ("18 000,50", "C2S avec une participation financière de 22,00\u00a0€ par mois pour le foyer."),
        ("50000", "Pas de C2S : les ressources dépassent le plafond."),
    ],
)
def test_c2s_outcome_is_shown_before_filing(client, login_as, leo, c2s_day, resources, expected):
    login_as("camille")
    response = client.post(C2S, data=c2s_form(client, ressources_salaires=resources))
    assert response.status_code == 200
    page = text_of(response)
    assert expected in page
    assert "foyer de 2 personnes" in page
    assert 'name="justificatif_1"' in page  # the files are asked once the outcome is shown
    if "participation de" in expected:
        assert "Camille MARTIN : 14,00\u00a0€ par mois" in page  # 30 on 1 January 2026
        assert "Léo MARTIN : 8,00\u00a0€ par mois" in page
    assert demarches() == []


def test_c2s_outcome_after_the_last_known_ceilings_says_which_were_used(client, login_as, monkeypatch):
    monkeypatch.setattr(c2s_kind, "today", lambda: date(2030, 1, 1))
    login_as("camille")
    page = text_of(client.post(C2S, data=c2s_form(client)))
    assert "le résultat est établi avec le dernier barème connu (jusqu'au 31/03/2026)" in page


def test_c2s_outcome_when_no_ceilings_are_known(client, login_as, monkeypatch):
    monkeypatch.setattr(c2s_kind, "today", lambda: date(2019, 1, 1))
    login_as("camille")
    page = text_of(client.post(C2S, data=c2s_form(client)))
    assert "Résultat inconnu" in page
    assert "Vous pouvez quand même envoyer votre demande" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"autres": "-1"}, "Indiquez le nombre d'autres personnes, de 0 à 20."),
        ({"autres": "21"}, "Indiquez le nombre d'autres personnes, de 0 à 20."),
        ({"ressources_chomage": "12,345"}, "Allocations chômage : saisissez un montant en euros"),
        ({"ressources_salaires": "beaucoup"}, "Salaires et revenus d'activité"),
    ],
)
def test_c2s_errors(client, login_as, c2s_day, overrides, message):
    login_as("camille")
    response = client.post(C2S, data=c2s_form(client, **overrides))
    assert response.status_code == 422
    assert message in text_of(response)


def test_c2s_filing_needs_a_justificatif_and_refuses_bad_files(client, login_as, c2s_day):
    login_as("camille")
    response = post_files(client, C2S, c2s_form(client, "deposer"))
    assert response.status_code == 422
    assert "Justificatif de ressources : choisissez un fichier." in text_of(response)
    bad = c2s_form(client, "deposer", justificatif_1=(io.BytesIO(EXE), "bulletin.pdf"))
    assert post_files(client, C2S, bad).status_code == 422
    assert demarches() == []


def test_c2s_accepted_opens_rights_attestation_and_refund_engine(
    client, login_as, agent_client, camille, leo, doctor, c2s_day, monkeypatch
):
    login_as("camille")
    data = c2s_form(
        client,
        "deposer",
        ressources_salaires="16000",
        ressources_prestations="1500,50",
        justificatif_1=(io.BytesIO(PDF), "avis.pdf"),
        justificatif_2=(io.BytesIO(PDF), "caf.pdf"),
    )
    response = post_files(client, C2S, data)
    assert response.status_code == 302, text_of(response)[:3000]
    [demarche] = demarches()
    assert [f.label for f in demarche.files] == ["ressources", "ressources"]
    detail = text_of(client.get(response.headers["Location"]))
    assert "17\u00a0500,50\u00a0€" in detail
    assert "C2S avec une participation financière de 22,00\u00a0€ par mois pour le foyer" in detail
    # A second request while this one is open is not filed.
    again = c2s_form(client, "deposer", justificatif_1=(io.BytesIO(PDF), "avis.pdf"))
    assert post_files(client, C2S, again).status_code == 200
    assert len(demarches()) == 1

    monkeypatch.setattr(c2s_kind, "today", lambda: date(2026, 3, 20))
    assert accept(agent_client, demarche.id).status_code == 302
    db.session.refresh(demarche)
    assert demarche.status == "acceptee"
    for person, participation in ((camille, Decimal("14.00")), (leo, Decimal("8.00"))):
        db.session.refresh(person)
        assert (person.c2s_start, person.c2s_end) == (date(2026, 4, 1), date(2027, 3, 31))
        assert person.c2s_participation == participation
    text = attestation_text(client)
    assert (
        "Complémentaire santé solidaire (C2S) Camille MARTIN : du 01/04/2026 au 31/03/2027, "
        "participation financière de 14,00 € par mois." in text
    )

    response = client.post(
        "/api/v1/feuilles-de-soins",
        json={"nir": camille.nir, "date": "2026-04-15", "actes": [{"code": "G", "montant": 30.00}]},
        headers={"Authorization": f"Bearer {API_TOKEN}", "Idempotency-Key": "c2s-1"},
    )
    assert response.status_code == 201, response.get_json()
    claim = db.session.scalars(sa.select(Claim)).one()
    assert claim.total_pf == Decimal("0.00")
    assert claim.c2s_part == Decimal("9.00")
    assert claim.reste_a_charge == Decimal("0.00")
    assert claim.tiers_payant


def test_c2s_free_has_no_participation(client, login_as, agent_client, camille, c2s_day):
    login_as("camille")
    data = c2s_form(client, "deposer", justificatif_1=(io.BytesIO(PDF), "avis.pdf"))
    assert post_files(client, C2S, data).status_code == 302
    accept(agent_client, demarches()[0].id)
    db.session.refresh(camille)
    assert camille.c2s_start == date(2026, 4, 1)
    assert camille.c2s_participation is None


def test_c2s_after_the_last_known_ceilings_is_decided_with_them_and_says_so(
    client, login_as, agent_client, monkeypatch
):
    monkeypatch.setattr(c2s_kind, "today", lambda: date(2030, 1, 1))
    login_as("camille")
    data = c2s_form(client, "deposer", justificatif_1=(io.BytesIO(PDF), "avis.pdf"))
    assert post_files(client, C2S, data).status_code == 302
    [demarche] = demarches()
    accept(agent_client, demarche.id)
    db.session.refresh(demarche)
    assert demarche.status == "acceptee"
    decision = db.session.scalar(sa.select(InboxItem).where(InboxItem.demarche_id == demarche.id))
    assert "établi avec le dernier barème connu (jusqu'au 31/03/2026)" in decision.body


def test_c2s_before_the_first_known_ceilings_cannot_be_accepted(client, login_as, agent_client, monkeypatch):
    monkeypatch.setattr(c2s_kind, "today", lambda: date(2019, 1, 1))
    login_as("camille")
    data = c2s_form(client, "deposer", justificatif_1=(io.BytesIO(PDF), "avis.pdf"))
    assert post_files(client, C2S, data).status_code == 302
    [demarche] = demarches()
    response = accept(agent_client, demarche.id)
    case = text_of(agent_client.get(response.headers["Location"]))
    assert "la C2S ne peut pas être ouverte" in case
    db.session.refresh(demarche)
    assert demarche.status == "deposee"


@pytest.fixture
def ex(camille, caisses):
    return make_person(
        caisses["cpam-de-la-loire-atlantique"],
        "186057505612311",
        "Hugo",
        "Leroy",
        date(1986, 5, 4),
        ouvrant_droit_id=camille.id,
        rang=3,
        lien="conjoint",
        rights_end=divorce_kind.today() + timedelta(days=30),
    )


def test_divorce_alert_prefilled_message_and_standard_answer(client, login_as, agent_client, ex):
    login_as("camille")
    end = f"{ex.rights_end:%d/%m/%Y}"
    home = text_of(client.get("/compte/"))
    assert f"Les droits de Hugo LEROY prennent fin le {end}" in home  # Mon compte's legal alert
    listing = text_of(client.get("/compte/demarches/"))
    assert f"Les droits de Hugo LEROY sur votre dossier prennent fin le {end}." in listing
    assert 'href="/compte/messages/nouveau?objet=divorce"' in home  # a pre-filled message
    prefilled = text_of(client.get("/compte/messages/nouveau?objet=divorce"))
    assert "Hugo LEROY, rattaché(e) à mon dossier comme conjoint(e)" in prefilled
    form = text_of(client.get(DIVORCE))
    assert (
        f"Les droits de Hugo LEROY, rattaché(e) à mon dossier comme conjoint(e), prennent fin le {end}."
        in form
    )
    assert "je souhaite savoir comment mon ex-conjoint(e) peut conserver ses droits".lower() in form.lower()
    token = csrf_token(client, DIVORCE)
    empty = client.post(DIVORCE, data={"csrf_token": token, "conjoint": str(ex.id), "message": " "})
    assert empty.status_code == 422
    assert "Écrivez votre message à la caisse." in text_of(empty)
    message = "Bonjour, nous divorçons. Comment Hugo garde-t-il ses droits ?"
    response = client.post(DIVORCE, data={"csrf_token": token, "conjoint": str(ex.id), "message": message})
    assert response.status_code == 302
    [demarche] = demarches()
    assert (demarche.kind, demarche.beneficiary_id) == ("divorce", ex.id)
    home = text_of(client.get("/compte/"))
    assert "Les droits de Hugo LEROY prennent fin" not in home  # acted on: gone from Mon compte
    listing = text_of(client.get("/compte/demarches/"))
    assert f'href="/compte/demarches/{demarche.id}"' in listing  # Mes démarches follows the message

    case = text_of(agent_client.get(f"/agent/demarches/{demarche.id}"))
    assert message in case
    standard = re.search(r'<input type="hidden" name="message" value="([^"]+)"', case, re.S).group(1)
    assert "jugement de divorce" in standard
    token = csrf_token(agent_client, f"/agent/demarches/{demarche.id}")
    asked = agent_client.post(
        f"/agent/demarches/{demarche.id}/demande-de-document", data={"csrf_token": token, "message": standard}
    )
    assert asked.status_code == 302
    db.session.refresh(demarche)
    assert demarche.status == "piece_demandee"
    assert "jugement de divorce" in text_of(client.get(f"/compte/demarches/{demarche.id}"))


def test_no_divorce_alert_far_from_the_end(client, login_as, ex):
    ex.rights_end = divorce_kind.today() + timedelta(days=200)
    db.session.commit()
    login_as("camille")
    assert "Les droits de Hugo" not in text_of(client.get("/compte/"))
    assert "Les droits de Hugo" not in text_of(client.get("/compte/demarches/"))
    ex.rights_end = None
    db.session.commit()
    form = text_of(client.get(DIVORCE))
    assert "Hugo LEROY est rattaché(e) à mon dossier comme conjoint(e)." in form


def test_family_demarches_are_the_owners_and_the_caisses_only(app, client, login_as, users, leo):
    login_as("camille")
    assert post_files(client, ADD, child_form(client)).status_code == 302
    [demarche] = demarches()
    louis = app.test_client()
    login(louis, users["louis"])
    assert louis.get(f"/compte/demarches/{demarche.id}").status_code == 404
    paris = app.test_client()
    login(paris, users["agent75"])
    assert paris.get(f"/agent/demarches/{demarche.id}").status_code == 404
    token = csrf_token(paris, "/agent/demarches/")
    refused = paris.post(f"/agent/demarches/{demarche.id}/acceptation", data={"csrf_token": token})
    assert refused.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(Person.id)).where(Person.first_name == "Jade")) == 0


def test_post_without_csrf_is_refused(client, login_as):
    login_as("camille")
    response = post_files(client, ADD, {k: v for k, v in child_form(client).items() if k != "csrf_token"})
    assert response.status_code in (400, 422)
    assert demarches() == []
