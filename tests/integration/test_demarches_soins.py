"""Démarches of the "soins" group. Médecin traitant: the assuré declares the doctor chosen in the
Annuaire, the doctor confirms in /pro (or declares a patient who signed), and from the confirmation
date the refund engine applies the parcours de soins (30 % → 70 %). Feuille de soins papier: the
assuré sends the photo, an agent of the caisse keys the acts, the refund engine pays the assuré."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from PIL import Image

from app.extensions import db
from app.models import Demarche, DemarcheFile, InboxItem, Notification, Person, User
from app.models.annuaire import AnnuairePractitioner
from app.models.base import utcnow
from app.models.care import Claim, Payment, Professional
from app.rules import annuaire as annuaire_rules
from app.rules.liquidation import ActLine
from app.security import hash_password
from app.services import claims, feuille_soins
from app.services import demarches as demarches_service
from tests.conftest import PASSWORD, count_queries, csrf_token, login, make_person, post_files

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
DURAND = "10101010105"


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (600, 800), (240, 240, 230)).save(out, "JPEG")
    return out.getvalue()


def practitioner(national_id: str, last: str, first: str, *, code: str = "10", secteur: str = "1"):
    profession = "Médecin" if code == "10" else "Masseur-kinésithérapeute"
    kind = "generaliste" if code == "10" else code
    entry = AnnuairePractitioner(
        national_id=national_id,
        id_type=national_id[0],
        identifier=national_id[1:],
        last_name=last,
        first_name=first,
        civilite="Docteur" if code == "10" else "",
        profession_code=code,
        profession=profession,
        specialty="Médecine générale" if code == "10" else "",
        kind=kind,
        secteur=secteur,
        search_words=annuaire_rules.practitioner_words(last, first, profession, "", kind),
    )
    db.session.add(entry)
    db.session.commit()
    return entry


@pytest.fixture
def annuaire(app):
    return {
        "durand": practitioner("8" + DURAND, "DURAND", "Sophie"),
        "kine": practitioner("810000000066", "PETIT", "Marc", code="70"),
    }


@pytest.fixture
def camille_without_doctor(users, doctor):
    """Camille with no médecin traitant: her consultations are outside the parcours de soins."""
    person = users["camille"].person
    person.medecin_traitant_rpps = None
    person.medecin_traitant_since = None
    db.session.commit()
    return person


@pytest.fixture
def leo(users):
    camille = users["camille"].person
    return make_person(
        camille.caisse,
        None,
        "Léo",
        "Martin",
        date(2019, 3, 8),
        sex="M",
        ouvrant_droit_id=camille.id,
        rang=2,
        lien="enfant",
    )


@pytest.fixture
def doctor_client(app, doctor_account):
    client = app.test_client()
    login(client, doctor_account)
    return client


@pytest.fixture
def other_doctor_client(app, caisses):
    """Dr Bernard, another médecin with a web account."""
    professional = Professional(
        rpps="10000000017",
        first_name="Paul",
        last_name="Bernard",
        profession="Médecin",
        secteur="1",
        caisse_id=caisses["cpam-de-la-loire-atlantique"].id,
    )
    db.session.add(professional)
    db.session.flush()
    user = User(
        role="professionnel",
        professional_id=professional.id,
        login=professional.rpps,
        display_name="Paul Bernard",
        email="paul.bernard@example.org",
        email_verified_at=utcnow(),
        cgu_version=app.config["CGU_VERSION"],
        password_hash=hash_password(PASSWORD),
    )
    db.session.add(user)
    db.session.commit()
    client = app.test_client()
    login(client, user)
    return client


def consultation(professional, person: Person, day: date) -> Claim:
    return claims.submit(
        professional, person, day, [ActLine(code="G", billed=Decimal("30.00"))], tiers_payant=False
    ).claim


def choose_in_annuaire(client, national_id: str) -> None:
    token = csrf_token(client, "/compte/medecin-traitant")
    response = client.post(
        "/compte/medecin-traitant/choix", data={"identifiant": national_id, "csrf_token": token}
    )
    assert response.status_code == 302


def declare(client, beneficiary_id: int):
    token = csrf_token(client, "/compte/medecin-traitant")
    return client.post(
        "/compte/demarches/medecin-traitant", data={"beneficiaire": str(beneficiary_id), "csrf_token": token}
    )


def only_demarche() -> Demarche:
    return db.session.scalars(sa.select(Demarche)).one()


# ---- médecin traitant ---------------------------------------------------------------------------


def test_declared_by_the_assuree_confirmed_by_the_doctor_then_parcours_applies(
    client, login_as, users, annuaire, camille_without_doctor, doctor, doctor_client
):
    camille = camille_without_doctor
    yesterday = demarches_service.today() - timedelta(days=1)
    before = consultation(doctor, camille, yesterday)
    assert before.total_refunded == Decimal("7.00")  # 30 % of 30,00 − 2,00 of PF: outside the parcours

    login_as("camille")
    catalogue = client.get("/compte/demarches/").get_data(as_text=True)
    assert "/compte/demarches/medecin-traitant" in catalogue
    search = client.get("/compte/demarches/medecin-traitant")
    assert search.status_code == 302
    assert "profession=generaliste" in search.headers["Location"]
    choose_in_annuaire(client, "8" + DURAND)
    page = client.get("/compte/medecin-traitant").get_data(as_text=True)
    assert "Déclarer ce médecin pour vous" in page
    response = declare(client, camille.id)
    demarche = only_demarche()
    assert response.headers["Location"] == f"/compte/demarches/{demarche.id}"
    assert demarche.status == "attente_confirmation"
    assert demarche.professional_rpps == DURAND
    assert demarche.beneficiary_id == camille.id
    detail = client.get(f"/compte/demarches/{demarche.id}").get_data(as_text=True)
    assert "Sophie DURAND" in detail
    assert "attend la confirmation du médecin" in detail
    # The same declaration twice is refused while the first waits.
    choose_in_annuaire(client, "8" + DURAND)
    declare(client, camille.id)
    assert db.session.scalar(sa.select(sa.func.count(Demarche.id))) == 1

    listing = doctor_client.get("/pro/medecin-traitant/").get_data(as_text=True)
    assert "Camille MARTIN" in listing
    token = csrf_token(doctor_client, "/pro/medecin-traitant/")
    confirmed = doctor_client.post(
        f"/pro/medecin-traitant/{demarche.id}/confirmation", data={"csrf_token": token}
    )
    assert confirmed.status_code == 302
    db.session.refresh(camille)
    assert camille.medecin_traitant_rpps == DURAND
    assert camille.medecin_traitant_since == demarches_service.today()
    db.session.refresh(demarche)
    assert demarche.status == "acceptee"
    decision = db.session.scalars(sa.select(InboxItem).where(InboxItem.demarche_id == demarche.id)).one()
    assert decision.kind == "decision"
    assert "médecin traitant de Camille MARTIN" in decision.body
    titles = db.session.scalars(
        sa.select(Notification.title).where(Notification.user_id == users["camille"].id)
    )
    assert "Décision de votre caisse" in list(titles)
    assert "Camille MARTIN" not in doctor_client.get("/pro/medecin-traitant/").get_data(as_text=True)

    after = consultation(doctor, camille, demarches_service.today())
    assert after.total_refunded == Decimal("19.00")  # 70 % of 30,00 − 2,00: in the parcours
    # Care given before the confirmation date stays outside the parcours.
    assert consultation(doctor, camille, yesterday).total_refunded == Decimal("7.00")


def test_a_child_under_16_is_declared_by_a_parent_an_older_one_declares_alone(
    client, login_as, users, annuaire, leo
):
    camille = users["camille"].person
    teen = make_person(
        camille.caisse, None, "Inès", "Martin", date(2008, 1, 5), sex="F", ouvrant_droit_id=camille.id
    )
    login_as("camille")
    choose_in_annuaire(client, "8" + DURAND)
    page = client.get("/compte/medecin-traitant").get_data(as_text=True)
    assert "Déclarer ce médecin pour Léo" in page
    assert "Inès a 16 ans ou plus" in page
    declare(client, teen.id)
    assert db.session.scalar(sa.select(sa.func.count(Demarche.id))) == 0
    declare(client, leo.id)
    demarche = only_demarche()
    assert demarche.beneficiary_id == leo.id
    assert demarche.person_id == camille.id


def test_only_a_doctor_can_be_declared(client, login_as, annuaire):
    login_as("camille")
    token = csrf_token(client, "/compte/medecin-traitant")
    client.post("/compte/medecin-traitant/choix", data={"identifiant": "810000000066", "csrf_token": token})
    response = declare(client, 0)
    assert response.headers["Location"] == "/compte/medecin-traitant"
    assert db.session.scalar(sa.select(sa.func.count(Demarche.id))) == 0


def test_another_doctor_gets_404_and_sees_nothing(
    client, login_as, users, annuaire, camille_without_doctor, other_doctor_client
):
    login_as("camille")
    choose_in_annuaire(client, "8" + DURAND)
    declare(client, camille_without_doctor.id)
    demarche = only_demarche()
    assert "Camille" not in other_doctor_client.get("/pro/medecin-traitant/").get_data(as_text=True)
    token = csrf_token(other_doctor_client, "/pro/medecin-traitant/")
    for action, data in (("confirmation", {}), ("refus", {f"refus-{demarche.id}-motif": "Non"})):
        response = other_doctor_client.post(
            f"/pro/medecin-traitant/{demarche.id}/{action}",
            data={"csrf_token": token, f"refus-{demarche.id}-csrf_token": token, **data},
        )
        assert response.status_code == 404, action
    db.session.refresh(demarche)
    assert demarche.status == "attente_confirmation"
    # An assuré cannot reach the doctor's pages.
    assert client.get("/pro/medecin-traitant/").status_code == 403


def test_the_doctor_declines_with_a_reason(client, login_as, annuaire, camille_without_doctor, doctor_client):
    login_as("camille")
    choose_in_annuaire(client, "8" + DURAND)
    declare(client, camille_without_doctor.id)
    demarche = only_demarche()
    token = csrf_token(doctor_client, "/pro/medecin-traitant/")
    field = f"refus-{demarche.id}-"
    empty = doctor_client.post(
        f"/pro/medecin-traitant/{demarche.id}/refus", data={f"{field}csrf_token": token, f"{field}motif": ""}
    )
    assert empty.status_code == 422
    assert "Indiquez le motif du refus" in empty.get_data(as_text=True)
    done = doctor_client.post(
        f"/pro/medecin-traitant/{demarche.id}/refus",
        data={f"{field}csrf_token": token, f"{field}motif": "Je ne prends plus de nouveaux patients."},
    )
    assert done.status_code == 302
    db.session.refresh(demarche)
    assert demarche.status == "refusee"
    assert demarche.reason == "Je ne prends plus de nouveaux patients."
    assert camille_without_doctor.medecin_traitant_rpps is None


def test_list_of_confirmations_has_constant_queries(client, login_as, users, annuaire, leo, doctor_client):
    camille = users["camille"]
    camille.person.medecin_traitant_rpps = None
    db.session.commit()
    login_as("camille")
    choose_in_annuaire(client, "8" + DURAND)
    declare(client, camille.person.id)
    few = count_queries(doctor_client, "/pro/medecin-traitant/")
    choose_in_annuaire(client, "8" + DURAND)
    declare(client, leo.id)
    assert db.session.scalar(sa.select(sa.func.count(Demarche.id))) == 2
    assert count_queries(doctor_client, "/pro/medecin-traitant/") == few


@pytest.mark.parametrize(
    ("nir", "birth", "consent"),
    [
        ("295067505612349", "13/06/1995", "y"),  # wrong birth date
        ("184127510826403", "12/06/1995", "y"),  # someone else's NIR with Camille's birth date
        ("295067505612349", "12/06/1995", ""),  # no signed consent
    ],
)
def test_doctor_declaration_refused(users, camille_without_doctor, doctor_client, nir, birth, consent):
    token = csrf_token(doctor_client, "/pro/medecin-traitant/")
    data = {"csrf_token": token, "nir": nir, "naissance": birth}
    if consent:
        data["consentement"] = consent
    response = doctor_client.post("/pro/medecin-traitant/declaration", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'value="{nir}"' in html
    assert f'value="{birth}"' in html
    if consent:
        assert "Nous ne trouvons pas ce patient avec ces informations." in html
    else:
        assert "le patient (ou son parent) doit avoir signé" in html
    assert db.session.scalar(sa.select(sa.func.count(Demarche.id))) == 0
    assert camille_without_doctor.medecin_traitant_rpps is None


def test_doctor_declares_a_patient_who_signed(
    client, login_as, users, camille_without_doctor, leo, doctor_client
):
    token = csrf_token(doctor_client, "/pro/medecin-traitant/")
    # Léo has no NIR of his own: his mother's NIR and his birth date find him.
    response = doctor_client.post(
        "/pro/medecin-traitant/declaration",
        data={
            "csrf_token": token,
            "nir": "2 95 06 75 056 123 49",
            "naissance": "08/03/2019",
            "consentement": "y",
        },
    )
    assert response.status_code == 302
    demarche = only_demarche()
    assert demarche.status == "acceptee"
    assert demarche.beneficiary_id == leo.id
    assert demarche.person_id == camille_without_doctor.id
    db.session.refresh(leo)
    assert leo.medecin_traitant_rpps == DURAND
    assert leo.medecin_traitant_since == demarches_service.today()
    login_as("camille")
    listing = client.get("/compte/demarches/").get_data(as_text=True)
    assert "Déclaration de médecin traitant" in listing
    assert "Léo MARTIN" in listing
    titles = db.session.scalars(
        sa.select(Notification.title).where(Notification.user_id == users["camille"].id)
    )
    assert "Décision de votre caisse" in list(titles)


# ---- feuille de soins papier ------------------------------------------------------------------


def feuille_data(token: str, person_id: int, **extra) -> dict:
    return {
        "csrf_token": token,
        "beneficiaire": str(person_id),
        "date_soins": (demarches_service.today() - timedelta(days=3)).strftime("%d/%m/%Y"),
        "montant": "30,00",
        "professionnel": "Dr Sophie Durand",
        "feuille": (io.BytesIO(jpeg()), "IMG_0001.jpg"),
        **extra,
    }


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        ((io.BytesIO(b"just some text"), "feuille.txt"), "PDF, JPEG ou PNG"),
        ((io.BytesIO(EXE), "feuille.jpg"), "PDF, JPEG ou PNG"),
        ((io.BytesIO(b"%PDF-1.4\n" + b"0" * (6 * 1024 * 1024)), "feuille.pdf"), "Mo"),
    ],
    ids=["wrong-type", "renamed-exe", "too-big"],
)
def test_feuille_uploads_refused_nothing_stored(client, login_as, users, upload, message):
    login_as("camille")
    token = csrf_token(client, "/compte/demarches/feuille-de-soins")
    response = post_files(
        client,
        "/compte/demarches/feuille-de-soins",
        feuille_data(token, users["camille"].person.id, feuille=upload),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Il y a un problème" in html
    assert message in html
    assert 'value="30,00"' in html
    assert 'value="Dr Sophie Durand"' in html
    assert db.session.scalar(sa.select(sa.func.count(Demarche.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(DemarcheFile.id))) == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("date_soins", "01/01/2020", "délai de prescription"),
        ("date_soins", "01/01/2099", "ne peut pas être dans le futur"),
        ("montant", "0", "supérieur à 0"),
        ("montant", "12 000,00", "10 000"),
        ("montant", "trente", "en euros"),
    ],
)
def test_feuille_bad_fields_refused(client, login_as, users, field, value, message):
    login_as("camille")
    token = csrf_token(client, "/compte/demarches/feuille-de-soins")
    data = feuille_data(token, users["camille"].person.id, **{field: value})
    response = post_files(client, "/compte/demarches/feuille-de-soins", data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Demarche.id))) == 0


def test_prescription_date_is_two_years_after_the_next_quarter():
    assert feuille_soins.prescription_date(date(2024, 2, 10)) == date(2026, 4, 1)
    assert feuille_soins.prescription_date(date(2024, 11, 30)) == date(2027, 1, 1)
    assert not feuille_soins.is_prescribed(date(2024, 2, 10), date(2026, 3, 31))
    assert feuille_soins.is_prescribed(date(2024, 2, 10), date(2026, 4, 1))


def send_feuille(client, users) -> Demarche:
    token = csrf_token(client, "/compte/demarches/feuille-de-soins")
    data = feuille_data(token, users["camille"].person.id, ordonnance=(io.BytesIO(PDF), "ordo.pdf"))
    data["montant"] = "30,5"
    response = post_files(client, "/compte/demarches/feuille-de-soins", data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    demarche = only_demarche()
    assert response.headers["Location"] == f"/compte/demarches/{demarche.id}"
    return demarche


def acts_data(token: str, **rows) -> dict:
    return {
        "csrf_token": token,
        "rpps": DURAND,
        "secteur": "",
        "care_date": (demarches_service.today() - timedelta(days=3)).strftime("%d/%m/%Y"),
        "code_0": "G",
        "montant_0": "30,00",
        "quantite_0": "1",
        **rows,
    }


def test_agent_keys_the_acts_and_the_assuree_is_paid(client, login_as, users, doctor, agent_client):
    login_as("camille")
    demarche = send_feuille(client, users)
    assert demarche.status == "deposee"
    assert sorted(stored.label for stored in demarche.files) == ["feuille_soins", "ordonnance"]
    assert all(stored.filename in ("feuille-soins.jpg", "ordonnance.pdf") for stored in demarche.files)

    case = agent_client.get(f"/agent/demarches/{demarche.id}").get_data(as_text=True)
    assert "Saisir les actes de la feuille de soins" in case
    assert "30,50" in case
    token = csrf_token(agent_client, f"/agent/demarches/{demarche.id}")
    response = agent_client.post(f"/agent/demarches/{demarche.id}/actes", data=acts_data(token))
    assert response.status_code == 302
    db.session.refresh(demarche)
    claim = db.session.get(Claim, demarche.claim_id)
    assert claim.source == "papier"
    assert claim.tiers_payant is False
    assert claim.total_refunded == Decimal("19.00")
    payment = db.session.scalars(sa.select(Payment).where(Payment.claim_id == claim.id)).one()
    assert payment.payee == "assure"
    assert payment.person_id == users["camille"].person.id
    assert payment.paid_on == demarches_service.today()
    assert demarche.status == "acceptee"
    decision = db.session.scalars(sa.select(InboxItem).where(InboxItem.demarche_id == demarche.id)).one()
    assert "19,00" in decision.body
    assert claim.invoice_number in decision.body

    detail = client.get(f"/compte/demarches/{demarche.id}").get_data(as_text=True)
    assert f"/compte/paiements/{payment.id}" in detail
    assert f"/compte/paiements/{payment.id}" in client.get("/compte/paiements/").get_data(as_text=True)
    # Keying again pays nothing more.
    again = agent_client.post(f"/agent/demarches/{demarche.id}/actes", data=acts_data(token))
    assert again.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Payment.id))) == 1


def test_bad_act_code_is_422_with_the_lines_kept(client, login_as, users, doctor, agent_client):
    login_as("camille")
    demarche = send_feuille(client, users)
    token = csrf_token(agent_client, f"/agent/demarches/{demarche.id}")
    response = agent_client.post(
        f"/agent/demarches/{demarche.id}/actes",
        data=acts_data(token, code_1="XYZ", montant_1="12,34"),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Code d&#39;acte inconnu pour l&#39;acte 2" in html or "Code d'acte inconnu pour l'acte 2" in html
    assert 'value="12,34"' in html
    assert 'value="30,00"' in html
    assert db.session.scalar(sa.select(sa.func.count(Claim.id))) == 0
    db.session.refresh(demarche)
    assert demarche.status == "deposee"


def test_unknown_rpps_is_422_and_an_annuaire_entry_becomes_a_professional(
    client, login_as, users, annuaire, agent_client
):
    login_as("camille")
    demarche = send_feuille(client, users)
    token = csrf_token(agent_client, f"/agent/demarches/{demarche.id}")
    unknown = agent_client.post(
        f"/agent/demarches/{demarche.id}/actes", data=acts_data(token, rpps="10000000017")
    )
    assert unknown.status_code == 422
    assert "ni dans l" in unknown.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Professional.id))) == 0
    # Dr Durand is only in the Annuaire here: she is added to the caisse's professionals.
    done = agent_client.post(f"/agent/demarches/{demarche.id}/actes", data=acts_data(token))
    assert done.status_code == 302
    professional = db.session.scalars(sa.select(Professional)).one()
    assert professional.rpps == DURAND
    assert professional.secteur == "1"
    assert db.session.get(Demarche, demarche.id).status == "acceptee"


def test_other_caisse_and_other_assure_get_404(client, login_as, users, doctor, agent_client, app):
    login_as("camille")
    demarche = send_feuille(client, users)
    paris = app.test_client()
    login(paris, users["agent75"])
    token = csrf_token(paris, "/agent/demarches/")
    assert paris.get(f"/agent/demarches/{demarche.id}").status_code == 404
    assert paris.post(f"/agent/demarches/{demarche.id}/actes", data=acts_data(token)).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(Claim.id))) == 0
    louis = app.test_client()
    login(louis, users["louis"])
    assert louis.get(f"/compte/demarches/{demarche.id}").status_code == 404
    page = louis.get("/compte/demarches/feuille-de-soins").get_data(as_text=True)
    assert "Camille" not in page
    assert re.search(r"Louis BERNARD", page)


def test_accepting_without_keying_is_refused(client, login_as, users, doctor, agent_client):
    login_as("camille")
    demarche = send_feuille(client, users)
    token = csrf_token(agent_client, f"/agent/demarches/{demarche.id}")
    response = agent_client.post(f"/agent/demarches/{demarche.id}/acceptation", data={"csrf_token": token})
    assert response.status_code == 302
    assert db.session.get(Demarche, demarche.id).status == "deposee"
