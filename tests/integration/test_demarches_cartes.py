"""The "cartes" démarches: ordering a CEAM (with the certificat provisoire de remplacement when the
departure is near, a verifiable PDF) and declaring a carte Vitale lost or stolen (the old card
deactivated at once, the new one ordered with a checked photo and identity document); both
processed by agent44 of the file's caisse, invisible to agent75 and to another assuré."""

from __future__ import annotations

import html as html_lib
import io
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from PIL import Image
from pypdf import PdfReader

from app.extensions import db
from app.models import Demarche, DemarcheFile, HealthCard, IssuedDocument, Notification
from app.rules import ceam as ceam_rules
from app.rules import verification_code
from app.services.demarche_kinds.ceam import today
from tests.conftest import HX, csrf_token, login, make_person, post_files

CEAM = "/compte/demarches/ceam"
VITALE = "/compte/demarches/carte-vitale"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


def in_days(days: int) -> str:
    return f"{today() + timedelta(days=days):%d/%m/%Y}"


def demarches() -> list[Demarche]:
    return list(db.session.scalars(sa.select(Demarche).order_by(Demarche.id)))


def titles_of(user) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(Notification.title).where(Notification.user_id == user.id).order_by(Notification.id)
        )
    )


def jpeg(width: int = 300, height: int = 400, *, exif: bool = False) -> bytes:
    image = Image.new("RGB", (width, height), (200, 180, 160))
    out = io.BytesIO()
    if exif:
        tags = Image.Exif()
        tags[0x010F] = "Fabricant de l'appareil"  # Make
        tags[0x013B] = "Camille Martin"  # Artist
        image.save(out, "JPEG", exif=tags.tobytes())
    else:
        image.save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def camille(client, login_as):
    return login_as("camille")


@pytest.fixture
def paris_agent(app, users):
    agent = app.test_client()
    login(agent, users["agent75"])
    return agent


@pytest.fixture
def children(users, caisses):
    """Camille's children: Léa, 8, without a NIR of her own, and Hugo, 14, with his."""
    nantes = caisses["cpam-de-la-loire-atlantique"]
    holder = users["camille"].person
    day = today()
    lea = make_person(
        nantes,
        None,
        "Léa",
        "Martin",
        date(day.year - 8, 1, 15),
        sex="F",
        ouvrant_droit_id=holder.id,
        rang=2,
        lien="enfant",
    )
    hugo = make_person(
        nantes,
        "112024412345628",
        "Hugo",
        "Martin",
        date(day.year - 14, 2, 1),
        ouvrant_droit_id=holder.id,
        rang=3,
        lien="enfant",
    )
    return {"lea": lea, "hugo": hugo}


def ceam_data(client, person, **overrides) -> dict:
    data = {
        "csrf_token": csrf_token(client, CEAM),
        "beneficiaire": str(person.id),
        "depart": in_days(30),
        "retour": in_days(44),
        "pays": "ES",
    }
    data.update(overrides)
    return data


def vitale_data(client, person, **overrides) -> dict:
    data = {
        "csrf_token": csrf_token(client, VITALE),
        "beneficiaire": str(person.id),
        "motif": "vol",
        "date_perte": in_days(-2),
        "photo": (io.BytesIO(jpeg()), "photo.jpg"),
        "piece_identite": (io.BytesIO(PDF), "carte-identite.pdf"),
        "honneur": "y",
    }
    data.update(overrides)
    return data


def text_of(response) -> str:
    """The page's text as the user reads it (entities such as ``&#39;`` decoded)."""
    return html_lib.unescape(response.get_data(as_text=True))


def pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


# ---- CEAM -------------------------------------------------------------------------------------


def test_ceam_form_page_and_fragment(client, camille, children):
    page = client.get(CEAM)
    html = text_of(page)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert "Commander une carte européenne d'assurance maladie" in html
    for name in ("Camille MARTIN", "Léa MARTIN", "Hugo MARTIN"):
        assert name in html
    assert "Espagne" in html
    assert "Royaume-Uni" in html
    fragment = client.get(CEAM, headers=HX)
    assert "<html" not in text_of(fragment)
    assert "Vary" in fragment.headers
    assert "HX-Request" in fragment.headers["Vary"]


def test_ceam_is_listed_on_mes_demarches(client, camille):
    html = text_of(client.get("/compte/demarches/"))
    assert CEAM in html
    assert VITALE in html


def test_ceam_with_departure_in_30_days_is_filed_without_certificat(client, camille, users):
    response = client.post(CEAM, data=ceam_data(client, users["camille"].person))
    (demarche,) = demarches()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/compte/demarches/{demarche.id}"
    assert demarche.kind == "ceam"
    assert demarche.beneficiary_id == users["camille"].person.id
    assert db.session.scalar(sa.select(IssuedDocument)) is None
    html = text_of(client.get(response.headers["Location"]))
    assert "la carte arrivera avant votre départ" in html
    assert "Espagne" in html
    assert in_days(30) in html
    assert "Obtenir un certificat provisoire" in html
    assert titles_of(users["camille"]) == ["Démarche enregistrée"]


def test_ceam_with_departure_in_5_days_issues_a_verifiable_certificat(client, camille, users):
    response = client.post(
        CEAM, data=ceam_data(client, users["camille"].person, depart=in_days(5), retour="")
    )
    (demarche,) = demarches()
    document = db.session.scalar(sa.select(IssuedDocument))
    assert document.kind == "certificat_ceam"
    assert document.beneficiary_id == users["camille"].person.id
    assert document.valid_until == ceam_rules.certificat_valid_until(today())
    html = text_of(client.get(response.headers["Location"]))
    assert "certificat provisoire de remplacement est prêt" in html
    assert f"/compte/documents/{document.id}.pdf" in html
    assert document.grouped_code in html
    assert "Obtenir un certificat provisoire" not in html  # one valid certificate is enough

    pdf = client.get(f"/compte/documents/{document.id}.pdf")
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    assert "certificat-provisoire-ceam-" in pdf.headers["Content-Disposition"]
    text = pdf_text(pdf.data)
    assert "2 95 06 75 056 123 49" in text
    assert document.grouped_code in text
    assert "MARTIN" in text
    assert "Camille" in text
    assert "12/06/1995" in text
    assert "01 441 0000" in text
    assert f"{document.valid_until:%d/%m/%Y}" in text
    number = ceam_rules.grouped_card_number(ceam_rules.card_number(document.id, certificat=True))
    assert number in text
    # The same bytes on every download: what the code verifies is what is served.
    assert client.get(f"/compte/documents/{document.id}.pdf").data == pdf.data

    documents = text_of(client.get("/compte/documents"))
    assert "Certificat provisoire de remplacement de la CEAM" in documents
    assert f"/compte/documents/{document.id}.pdf" in documents

    verified = client.get(f"/verifier/{document.grouped_code}")
    assert verified.status_code == 200
    page = text_of(verified)
    assert "Document authentique" in page
    assert "Certificat provisoire de remplacement de la CEAM" in page
    assert "C. M." in page
    assert "2 95 06" not in page

    code = document.code
    wrong = code[:3] + ("2" if code[3] != "2" else "3") + code[4:]
    assert client.get(f"/verifier/{verification_code.grouped(wrong)}").status_code == 404
    assert demarche.kind == "ceam"


def test_certificat_of_a_child_without_nir_carries_the_parents_number(client, camille, users, children):
    client.post(
        CEAM,
        data=ceam_data(
            client, users["camille"].person, beneficiaire=str(children["lea"].id), depart=in_days(0)
        ),
    )
    document = db.session.scalar(sa.select(IssuedDocument))
    assert document.beneficiary_id == children["lea"].id
    text = pdf_text(client.get(f"/compte/documents/{document.id}.pdf").data)
    assert "Léa" in text
    assert "2 95 06 75 056 123 49" in text
    page = text_of(client.get(f"/verifier/{document.code}"))
    assert "L. M." in page


def test_certificat_on_demand_for_a_filed_ceam(client, camille, users):
    client.post(CEAM, data=ceam_data(client, users["camille"].person))
    (demarche,) = demarches()
    token = csrf_token(client, f"/compte/demarches/{demarche.id}")
    response = client.post(
        f"/compte/demarches/{demarche.id}/certificat-provisoire", data={"csrf_token": token}
    )
    assert response.status_code == 302
    document = db.session.scalar(sa.select(IssuedDocument))
    assert document.kind == "certificat_ceam"
    # A second one is refused while the first is valid.
    client.post(f"/compte/demarches/{demarche.id}/certificat-provisoire", data={"csrf_token": token})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IssuedDocument)) == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"depart": ""}, "Saisissez la date de départ."),
        ({"depart": "31/02/2026"}, "Saisissez la date de départ au format JJ/MM/AAAA"),
        ({"depart": "demain"}, "Saisissez la date de départ au format JJ/MM/AAAA"),
        ({"depart": "01/01/2001"}, "La date de départ est passée"),
        ({"depart": "01/01/2999"}, "dans les deux ans"),
        ({"depart": "+30", "retour": "x"}, "Saisissez la date de retour"),
        ({"retour": "PAST"}, "La date de retour doit être le jour du départ ou après."),
        ({"pays": "FR"}, "Choisissez un pays de la liste"),
        ({"beneficiaire": ""}, "Choisissez la personne qui part."),
        ({"beneficiaire": "999999"}, "Choisissez la personne qui part."),
    ],
)
def test_ceam_refused_in_french_nothing_stored(client, camille, users, overrides, message):
    if overrides.get("retour") == "PAST":
        overrides["retour"] = in_days(29)
    if overrides.get("depart") == "+30":
        overrides["depart"] = in_days(30)
    data = ceam_data(client, users["camille"].person, **overrides)
    response = client.post(CEAM, data=data)
    html = text_of(response)
    assert response.status_code == 422
    assert message in html
    assert "Il y a un problème" in html
    assert "<title>Erreur : " in html
    assert demarches() == []
    if overrides.get("depart"):
        assert f'value="{overrides["depart"]}"' in html


def test_ceam_for_another_files_person_is_refused(client, camille, users):
    response = client.post(
        CEAM, data=ceam_data(client, users["camille"].person, beneficiaire=str(users["louis"].person.id))
    )
    assert response.status_code == 422
    assert demarches() == []


def test_ceam_error_as_fragment_for_htmx(client, camille, users):
    response = client.post(CEAM, data=ceam_data(client, users["camille"].person, depart=""), headers=HX)
    html = text_of(response)
    assert response.status_code == 422
    assert "<html" not in html
    assert "Saisissez la date de départ." in html


def test_ceam_twice_for_the_same_person_is_refused(client, camille, users):
    client.post(CEAM, data=ceam_data(client, users["camille"].person))
    response = client.post(CEAM, data=ceam_data(client, users["camille"].person))
    assert response.status_code == 422
    assert "Une demande de CEAM est déjà en cours pour Camille MARTIN" in text_of(response)
    assert len(demarches()) == 1


def test_ceam_without_csrf_is_refused(client, camille, users):
    data = ceam_data(client, users["camille"].person)
    del data["csrf_token"]
    assert client.post(CEAM, data=data).status_code in (400, 422)
    assert demarches() == []


def test_agent44_processes_a_ceam_and_camille_confirms(client, camille, users, agent_client, paris_agent):
    client.post(CEAM, data=ceam_data(client, users["camille"].person))
    (demarche,) = demarches()
    case = f"/agent/demarches/{demarche.id}"
    assert paris_agent.get(case).status_code == 404
    token75 = csrf_token(paris_agent, "/agent/demarches/")
    assert paris_agent.post(f"{case}/acceptation", data={"csrf_token": token75}).status_code == 404

    html = text_of(agent_client.get(case))
    assert "Date de départ" in html
    assert "Espagne" in html
    token = csrf_token(agent_client, case)
    assert agent_client.post(f"{case}/prise-en-charge", data={"csrf_token": token}).status_code == 302
    assert (
        agent_client.post(f"{case}/acceptation", data={"csrf_token": token, "message": ""}).status_code == 302
    )
    card = db.session.scalar(sa.select(HealthCard).where(HealthCard.demarche_id == demarche.id))
    assert (card.kind, card.status, card.person_id) == ("ceam", "commandee", users["camille"].person.id)
    assert paris_agent.post(f"{case}/expedition", data={"csrf_token": token75}).status_code == 404
    assert agent_client.post(f"{case}/expedition", data={"csrf_token": token}).status_code == 302
    db.session.refresh(card)
    assert card.status == "expediee"
    assert card.valid_from == today()
    assert card.valid_until == ceam_rules.card_valid_until(today())
    assert len(card.serial) == 20
    assert card.serial.startswith("802500")

    detail = f"/compte/demarches/{demarche.id}"
    html = text_of(client.get(detail))
    assert "Expédiée" in html
    assert f"{card.valid_until:%d/%m/%Y}" in html
    token_c = csrf_token(client, detail)
    assert client.post(f"{detail}/reception", data={"csrf_token": token_c}).status_code == 302
    db.session.refresh(card)
    db.session.refresh(demarche)
    assert (demarche.status, card.status) == ("livree", "active")
    assert titles_of(users["camille"]) == [
        "Démarche enregistrée",
        "Démarche en cours de traitement",
        "Décision de votre caisse",
        "Votre carte est expédiée",
    ]


def test_louis_cannot_see_or_use_camilles_ceam(client, users):
    login(client, users["camille"])
    client.post(CEAM, data=ceam_data(client, users["camille"].person, depart=in_days(3)))
    (demarche,) = demarches()
    document = db.session.scalar(sa.select(IssuedDocument))
    other = client.application.test_client()
    login(other, users["louis"])
    assert other.get(f"/compte/demarches/{demarche.id}").status_code == 404
    assert other.get(f"/compte/documents/{document.id}.pdf").status_code == 404
    token = csrf_token(other, "/compte/demarches/")
    response = other.post(
        f"/compte/demarches/{demarche.id}/certificat-provisoire", data={"csrf_token": token}
    )
    assert response.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IssuedDocument)) == 1


# ---- carte Vitale perdue ou volée ---------------------------------------------------------------


def test_vitale_form_page_lists_the_holders_from_12(client, camille, children):
    page = client.get(VITALE)
    html = text_of(page)
    assert page.status_code == 200
    assert "Camille MARTIN" in html
    assert "Hugo MARTIN" in html
    assert f'value="{children["lea"].id}"' not in html
    assert "Léa : les enfants de moins de 12 ans n'ont pas de carte Vitale à leur nom" in html
    assert "n'est pas nécessaire" in html
    assert 'enctype="multipart/form-data"' in html
    assert "<html" not in text_of(client.get(VITALE, headers=HX))


def test_vitale_declaration_deactivates_the_card_at_once(client, camille, users):
    person = users["camille"].person
    card = HealthCard(person_id=person.id, kind="vitale", status="active", serial="000000001234")
    db.session.add(card)
    db.session.commit()
    response = post_files(client, VITALE, vitale_data(client, person))
    assert response.status_code == 302, text_of(response)[:2000]
    (demarche,) = demarches()
    db.session.refresh(card)
    assert card.status == "invalidee"
    assert card.invalid_reason == "vol"
    assert card.invalidated_at is not None
    assert {stored.label for stored in demarche.files} == {"photo", "piece_identite"}
    html = text_of(client.get(response.headers["Location"]))
    assert "Votre ancienne carte est désactivée depuis le" in html
    assert "déclaration de vol à la police ou à la gendarmerie n'est pas nécessaire" in html
    assert "Vol" in html


def test_vitale_card_is_recorded_when_the_register_has_none(client, camille, users):
    post_files(client, VITALE, vitale_data(client, users["camille"].person, motif="perte"))
    (card,) = db.session.scalars(sa.select(HealthCard)).all()
    assert (card.kind, card.status, card.invalid_reason) == ("vitale", "invalidee", "perte")
    assert card.person_id == users["camille"].person.id


def test_vitale_photo_exif_is_removed(client, camille, users):
    original = jpeg(600, 800, exif=True)
    assert Image.open(io.BytesIO(original)).getexif()
    post_files(
        client,
        VITALE,
        vitale_data(client, users["camille"].person, photo=(io.BytesIO(original), "IMG_0001.jpg")),
    )
    stored = db.session.scalar(sa.select(DemarcheFile).where(DemarcheFile.label == "photo"))
    assert stored.filename == "photo.jpg"
    assert stored.content_type == "image/jpeg"
    with Image.open(io.BytesIO(stored.data)) as image:
        assert image.size == (600, 800)
        assert not image.getexif()
    assert b"Exif" not in stored.data
    assert b"Camille Martin" not in stored.data


BIG = b"\xff\xd8\xff\xe0" + b"\x00" * (5 * 1024 * 1024 + 10)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"photo": (io.BytesIO(jpeg(200, 300)), "photo.jpg")}, "il faut au moins 300 × 400 pixels"),
        ({"photo": (io.BytesIO(BIG), "photo.jpg")}, "le maximum est 5 Mo"),
        ({"photo": (io.BytesIO(PDF), "photo.pdf")}, "ce fichier n'est pas un JPEG ou PNG"),
        ({"photo": (io.BytesIO(EXE), "photo.jpg")}, "ce fichier n'est pas un JPEG ou PNG"),
        ({"piece_identite": (io.BytesIO(EXE), "identite.jpg")}, "ce fichier n'est pas un PDF, JPEG ou PNG"),
        ({"photo": None}, "Photo d'identité : choisissez un fichier."),
        ({"honneur": None}, "Cochez la déclaration sur l'honneur"),
        ({"motif": None}, "Indiquez si la carte est perdue ou volée."),
        ({"date_perte": "FUTURE"}, "ne peut pas être dans le futur"),
        ({"date_perte": "hier"}, "au format JJ/MM/AAAA"),
        ({"date_perte": "01/01/1990"}, "trop ancienne"),
    ],
)
def test_vitale_refused_in_french_nothing_stored(client, camille, users, overrides, message):
    person = users["camille"].person
    card = HealthCard(person_id=person.id, kind="vitale", status="active")
    db.session.add(card)
    db.session.commit()
    if overrides.get("date_perte") == "FUTURE":
        overrides["date_perte"] = in_days(1)
    data = vitale_data(client, person, **overrides)
    data = {key: value for key, value in data.items() if value is not None}
    response = post_files(client, VITALE, data)
    html = text_of(response)
    assert response.status_code == 422
    assert message in html
    assert "Il y a un problème" in html
    assert demarches() == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DemarcheFile)) == 0
    db.session.refresh(card)
    assert card.status == "active"
    if "date_perte" in data and isinstance(data["date_perte"], str):
        assert data["date_perte"] in html


def test_vitale_for_a_child_under_12_is_refused(client, camille, users, children):
    data = vitale_data(client, users["camille"].person, beneficiaire=str(children["lea"].id))
    response = post_files(client, VITALE, data)
    assert response.status_code == 422
    assert "Un enfant de moins de 12 ans n'a pas de carte Vitale à son nom" in text_of(response)
    assert demarches() == []


def test_vitale_for_a_child_of_14(client, camille, users, children):
    response = post_files(
        client, VITALE, vitale_data(client, users["camille"].person, beneficiaire=str(children["hugo"].id))
    )
    assert response.status_code == 302
    (demarche,) = demarches()
    assert demarche.beneficiary_id == children["hugo"].id
    assert db.session.scalar(sa.select(HealthCard.person_id)) == children["hugo"].id


def test_vitale_error_as_fragment_for_htmx(client, camille, users):
    data = vitale_data(client, users["camille"].person, photo=(io.BytesIO(EXE), "photo.jpg"))
    response = post_files(client, VITALE, data, headers=HX)
    assert response.status_code == 422
    assert "<html" not in text_of(response)
    assert demarches() == []


def test_vitale_twice_is_refused_while_the_new_card_is_on_its_way(client, camille, users):
    post_files(client, VITALE, vitale_data(client, users["camille"].person))
    response = post_files(client, VITALE, vitale_data(client, users["camille"].person))
    assert response.status_code == 422
    assert "Une nouvelle carte Vitale est déjà en commande" in text_of(response)
    assert len(demarches()) == 1


def test_agent44_processes_a_vitale_and_camille_confirms(client, camille, users, agent_client, paris_agent):
    post_files(client, VITALE, vitale_data(client, users["camille"].person))
    (demarche,) = demarches()
    case = f"/agent/demarches/{demarche.id}"
    assert paris_agent.get(case).status_code == 404
    photo = demarche.files[0]
    assert paris_agent.get(f"{case}/fichiers/{photo.id}").status_code == 404
    html = text_of(agent_client.get(case))
    assert "Ancienne carte" in html
    assert "Désactivée le" in html
    assert agent_client.get(f"{case}/fichiers/{photo.id}").status_code == 200
    token = csrf_token(agent_client, case)
    agent_client.post(f"{case}/prise-en-charge", data={"csrf_token": token})
    agent_client.post(f"{case}/acceptation", data={"csrf_token": token, "message": ""})
    new = db.session.scalar(sa.select(HealthCard).where(HealthCard.demarche_id == demarche.id))
    assert (new.kind, new.status) == ("vitale", "commandee")
    agent_client.post(f"{case}/expedition", data={"csrf_token": token})
    db.session.refresh(new)
    assert new.status == "expediee"

    detail = f"/compte/demarches/{demarche.id}"
    assert "Expédiée" in text_of(client.get(detail))
    client.post(f"{detail}/reception", data={"csrf_token": csrf_token(client, detail)})
    db.session.refresh(new)
    db.session.refresh(demarche)
    assert (demarche.status, new.status, new.valid_from) == ("livree", "active", today())
    old = db.session.scalar(sa.select(HealthCard).where(HealthCard.demarche_id.is_(None)))
    assert old.status == "invalidee"
    assert "Votre nouvelle carte Vitale est active" in text_of(client.get(detail))
    assert titles_of(users["camille"]) == [
        "Démarche enregistrée",
        "Démarche en cours de traitement",
        "Décision de votre caisse",
        "Votre carte est expédiée",
    ]


def test_louis_gets_404_on_camilles_vitale(client, users):
    login(client, users["camille"])
    post_files(client, VITALE, vitale_data(client, users["camille"].person))
    (demarche,) = demarches()
    other = client.application.test_client()
    login(other, users["louis"])
    assert other.get(f"/compte/demarches/{demarche.id}").status_code == 404
    assert other.get(f"/compte/demarches/{demarche.id}/fichiers/{demarche.files[0].id}").status_code == 404
    text = text_of(other.get(VITALE))
    assert not re.search(f'value="{users["camille"].person.id}"', text)
