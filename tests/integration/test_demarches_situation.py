"""Changes of situation end to end with the Flask test client: address (same caisse, or another
caisse and the transfer of the file), bank account confirmed by an e-mail code then checked by an
agent (letter by post, never the full IBAN anywhere), telephone applied at once, activity with its
proof, and the life events page."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from app.extensions import db
from app.models import (
    AuditEvent,
    Demarche,
    DemarcheFile,
    InboxItem,
    Letter,
    Notification,
    OneTimeToken,
    OutgoingMail,
)
from app.models.base import utcnow
from app.services import demarches as service
from tests.conftest import HX, csrf_token, last_code, login, post_files

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
NEW_IBAN = "FR7630006000011234567890189"
TYPED_IBAN = "FR76 3000 6000 0112 3456 7890 189"
IBAN_URL = "/compte/demarches/coordonnees-bancaires"
ADDRESS_URL = "/compte/demarches/adresse"


@pytest.fixture
def camille(client, login_as):
    return login_as("camille")


def agent_client(app, user):
    agent = app.test_client()
    login(agent, user)
    return agent


def agent_post(agent, demarche_id: int, action: str, **data):
    token = csrf_token(agent, f"/agent/demarches/{demarche_id}")
    return agent.post(f"/agent/demarches/{demarche_id}/{action}", data={"csrf_token": token, **data})


def newest(kind: str) -> Demarche:
    return db.session.scalar(sa.select(Demarche).where(Demarche.kind == kind).order_by(Demarche.id.desc()))


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize(
    "url",
    [
        ADDRESS_URL,
        IBAN_URL,
        "/compte/demarches/telephone",
        "/compte/demarches/activite",
        "/compte/demarches/evenements-de-vie",
    ],
)
def test_form_pages_and_fragments(client, camille, url):
    page = client.get(url)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert "<html" in page.get_data(as_text=True)
    fragment = client.get(url, headers=HX)
    assert fragment.status_code == 200
    assert "<html" not in fragment.get_data(as_text=True)
    assert "HX-Request" in fragment.headers["Vary"]


def test_catalogue_lists_the_changes_and_the_email_settings(client, camille):
    html = client.get("/compte/demarches/").get_data(as_text=True)
    for url in (ADDRESS_URL, IBAN_URL, "/compte/demarches/telephone", "/compte/demarches/evenements-de-vie"):
        assert f'href="{url}"' in html
    assert 'href="/verification-email"' in html


def test_life_events_link_to_the_demarches(client, camille):
    html = client.get("/compte/demarches/evenements-de-vie").get_data(as_text=True)
    for anchor in ("demenagement", "mariage", "separation", "activite", "naissance"):
        assert f'id="{anchor}"' in html
    assert f'href="{ADDRESS_URL}"' in html
    assert 'href="/compte/demarches/activite"' in html


def test_forms_need_a_signed_in_assure(client, users):
    assert client.get(IBAN_URL).status_code in (302, 401)


# ---- IBAN -------------------------------------------------------------------------------------


def post_iban(client, iban=TYPED_IBAN, holder="Camille Martin", **files):
    data = {"csrf_token": csrf_token(client, IBAN_URL), "iban": iban, "titulaire": holder, **files}
    return post_files(client, IBAN_URL, data)


@pytest.mark.parametrize(
    ("iban", "message"),
    [
        ("FR76 3000 6000 0112 3456 7890 188", "un caractère est faux"),
        ("FR76 3000 6000 0112 3456 7890 18", "27 caractères"),
        ("US12 3456 7890", "zone SEPA"),
        ("", "Saisissez l&#39;IBAN"),
    ],
)
def test_invalid_iban_is_refused_in_french_and_typed_values_kept(client, camille, iban, message):
    response = post_iban(client, iban=iban, holder="Camille Martin")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert "Il y a un problème" in html
    assert 'value="Camille Martin"' in html
    if iban:
        assert f'value="{iban}"' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Demarche)) == 0


def test_french_iban_with_a_wrong_rib_key_is_refused(client, camille):
    from stdnum import iban as stdnum_iban

    bban = "30006000011234567890188"  # RIB key 88 instead of 89
    wrong = f"FR{stdnum_iban.calc_check_digits('FR00' + bban)}{bban}"
    response = post_iban(client, iban=wrong)
    assert response.status_code == 422
    assert "un caractère est faux" in response.get_data(as_text=True)


def test_foreign_sepa_iban_is_accepted(client, camille):
    response = post_iban(client, iban="DE89 3704 0044 0532 0130 00")
    assert response.status_code == 302
    assert newest("iban").status == "attente_confirmation"


def test_rib_upload_of_an_executable_is_refused_and_nothing_stored(client, camille):
    response = post_iban(client, rib=(io.BytesIO(EXE), "rib.pdf"))
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Demarche)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DemarcheFile)) == 0


def test_iban_without_verified_email_goes_to_the_email_settings(client, camille, users):
    from app.services import situation

    users["camille"].email_verified_at = None
    db.session.commit()
    # The account gate sends an unverified account to the e-mail settings before anything else;
    # the service refuses too, whoever calls it.
    response = client.get(IBAN_URL)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/verification-email")
    with pytest.raises(ValueError, match="e-mail"):
        situation.file_iban_change(users["camille"], NEW_IBAN, "Camille Martin", [], None)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Demarche)) == 0


def file_iban(client, users) -> Demarche:
    response = post_iban(client, rib=(io.BytesIO(PDF), "rib.pdf"))
    demarche = newest("iban")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/compte/demarches/coordonnees-bancaires/{demarche.id}/code"
    assert demarche.status == "attente_confirmation"
    return demarche


def post_code(client, demarche: Demarche, code: str):
    url = f"/compte/demarches/coordonnees-bancaires/{demarche.id}/code"
    return client.post(url, data={"csrf_token": csrf_token(client, url), "code": code})


def test_wrong_code_then_right_code_sends_it_to_the_check(client, camille, users):
    demarche = file_iban(client, users)
    code = last_code(users["camille"], "demarche_code")
    wrong = "000000" if code != "000000" else "111111"
    response = post_code(client, demarche, wrong)
    assert response.status_code == 422
    assert "Ce code est incorrect" in response.get_data(as_text=True)
    response = post_code(client, demarche, code)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/compte/demarches/{demarche.id}"
    db.session.refresh(demarche)
    assert demarche.status == "deposee"
    assert users["camille"].person.iban != NEW_IBAN  # not before the agent's check


def test_expired_code_is_refused(client, camille, users):
    demarche = file_iban(client, users)
    code = last_code(users["camille"], "demarche_code")
    token = db.session.scalar(sa.select(OneTimeToken).where(OneTimeToken.purpose == "demarche_code"))
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = post_code(client, demarche, code)
    assert response.status_code == 422
    assert "plus valable" in response.get_data(as_text=True)
    db.session.refresh(demarche)
    assert demarche.status == "attente_confirmation"


def test_five_wrong_codes_kill_it_and_a_new_code_works(client, camille, users):
    demarche = file_iban(client, users)
    code = last_code(users["camille"], "demarche_code")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        post_code(client, demarche, wrong)
    response = post_code(client, demarche, code)
    assert response.status_code == 422
    assert "plus valable" in response.get_data(as_text=True)
    url = f"/compte/demarches/coordonnees-bancaires/{demarche.id}/nouveau-code"
    resent = client.post(url, data={"csrf_token": csrf_token(client, IBAN_URL)})
    assert resent.status_code == 302
    assert post_code(client, demarche, last_code(users["camille"], "demarche_code")).status_code == 302
    db.session.refresh(demarche)
    assert demarche.status == "deposee"


def test_code_page_of_another_account_is_404(app, client, camille, users):
    demarche = file_iban(client, users)
    other = app.test_client()
    login(other, users["louis"])
    url = f"/compte/demarches/coordonnees-bancaires/{demarche.id}/code"
    assert other.get(url).status_code == 404
    token = csrf_token(other, "/compte/demarches/")
    assert other.post(url, data={"csrf_token": token, "code": "123456"}).status_code == 404
    assert other.post(url.replace("/code", "/nouveau-code"), data={"csrf_token": token}).status_code == 404


def test_code_post_without_csrf_is_refused(client, camille, users):
    demarche = file_iban(client, users)
    url = f"/compte/demarches/coordonnees-bancaires/{demarche.id}/code"
    assert client.post(url, data={"code": "123456"}).status_code == 400


def test_agent_accepts_iban_letter_by_post_with_last_four_only(app, client, camille, users):
    demarche = file_iban(client, users)
    post_code(client, demarche, last_code(users["camille"], "demarche_code"))
    assert agent_client(app, users["agent75"]).get(f"/agent/demarches/{demarche.id}").status_code == 404
    agent = agent_client(app, users["agent44"])
    case = agent.get(f"/agent/demarches/{demarche.id}").get_data(as_text=True)
    assert "0189" in case
    assert NEW_IBAN not in case
    assert TYPED_IBAN not in case
    response = agent_post(agent, demarche.id, "acceptation")
    assert response.status_code == 302
    db.session.expire_all()
    assert users["camille"].person.iban == NEW_IBAN
    assert newest("iban").status == "acceptee"
    assert NEW_IBAN not in newest("iban").payload
    letter = db.session.scalar(sa.select(Letter).where(Letter.kind == "changement_iban"))
    assert letter.caisse_id == users["camille"].person.caisse_id
    text = pdf_text(letter.pdf)
    assert "0189" in text
    assert NEW_IBAN not in text.replace(" ", "")
    assert "1 rue de la Paix" in text
    queue = agent.get("/agent/courriers").get_data(as_text=True)
    assert "Changement de coordonnées bancaires" in queue
    # Never the full IBAN in an e-mail, a notification, a courrier or the audit log.
    texts = [
        *db.session.scalars(sa.select(OutgoingMail.body)),
        *db.session.scalars(sa.select(OutgoingMail.subject)),
        *db.session.scalars(sa.select(Notification.body)),
        *db.session.scalars(sa.select(InboxItem.body)),
        *db.session.scalars(sa.select(AuditEvent.detail)),
    ]
    assert texts
    for text in texts:
        assert NEW_IBAN not in (text or "").replace(" ", "")
    detail = client.get(f"/compte/demarches/{demarche.id}").get_data(as_text=True)
    assert "0189" in detail
    assert NEW_IBAN not in detail.replace(" ", "")


def test_waiting_iban_cannot_be_accepted_before_the_code(app, client, camille, users):
    demarche = file_iban(client, users)
    agent = agent_client(app, users["agent44"])
    agent_post(agent, demarche.id, "acceptation")
    db.session.expire_all()
    assert users["camille"].person.iban != NEW_IBAN


def test_payments_after_the_change_use_the_new_account(app, client, camille, users):
    from datetime import date
    from decimal import Decimal

    from app.services import claims

    demarche = file_iban(client, users)
    post_code(client, demarche, last_code(users["camille"], "demarche_code"))
    agent_post(agent_client(app, users["agent44"]), demarche.id, "acceptation")
    db.session.expire_all()
    person = users["camille"].person
    payment = claims.build_payment(
        person, beneficiary_id=person.id, kind="soins", gross=Decimal("10.00"), paid_on=date.today()
    )
    assert payment.iban_last4 == "0189"


# ---- address ----------------------------------------------------------------------------------


def post_address(client, postal_code, **extra):
    data = {
        "csrf_token": csrf_token(client, ADDRESS_URL),
        "adresse": "8 rue Oberkampf",
        "complement": "",
        "code_postal": postal_code,
        "date": service.today().strftime("%d/%m/%Y"),
        **extra,
    }
    return client.post(ADDRESS_URL, data=data)


def test_address_errors_keep_what_was_typed(client, camille):
    response = post_address(client, "99999", adresse="8 rue Oberkampf", date="31/02/2026")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Aucune commune ne correspond" in html
    assert "JJ/MM/AAAA" in html
    assert 'value="8 rue Oberkampf"' in html


def test_postal_code_of_several_communes_asks_which(client, camille):
    response = post_address(client, "44110")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Choisissez votre commune" in html
    assert "Erbray" in html
    response = post_address(client, "44110", commune="44054")
    assert response.status_code == 302
    assert newest("adresse").payload.count("Erbray") == 1


def test_address_in_the_same_caisse_letter_to_the_old_address(app, client, camille, users):
    response = post_address(client, "44300", adresse="3 quai de Versailles")
    assert response.status_code == 302
    demarche = newest("adresse")
    assert '"transfert": false' in demarche.payload
    assert "Caisse de la nouvelle adresse" not in client.get(f"/compte/demarches/{demarche.id}").get_data(
        as_text=True
    )
    agent = agent_client(app, users["agent44"])
    assert agent_post(agent, demarche.id, "acceptation").status_code == 302
    db.session.expire_all()
    person = users["camille"].person
    assert (person.address_line, person.postal_code, person.commune_name) == (
        "3 quai de Versailles",
        "44300",
        "Nantes",
    )
    letter = db.session.scalar(sa.select(Letter).where(Letter.kind == "changement_adresse"))
    text = pdf_text(letter.pdf)
    assert "1 rue de la Paix" in text
    assert "44000 NANTES" in text
    assert "3 quai de Versailles" in text
    assert newest("transfert") is None


def test_address_in_another_caisse_moves_the_file_after_the_transfer(app, client, camille, users, caisses):
    response = post_address(client, "75011")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Votre dossier va changer de caisse" in html
    assert "CPAM de Paris" in html
    assert newest("adresse") is None
    response = post_address(client, "75011", transfert="y")
    assert response.status_code == 302
    demarche = newest("adresse")
    nantes = caisses["cpam-de-la-loire-atlantique"]
    paris = caisses["cpam-de-paris"]
    assert demarche.caisse_id == nantes.id

    agent75 = agent_client(app, users["agent75"])
    assert agent75.get(f"/agent/demarches/{demarche.id}").status_code == 404
    agent44 = agent_client(app, users["agent44"])
    assert agent_post(agent44, demarche.id, "acceptation").status_code == 302
    db.session.expire_all()
    person = users["camille"].person
    assert person.postal_code == "75011"
    assert person.caisse_id == nantes.id
    transfer = newest("transfert")
    assert transfer.caisse_id == paris.id
    assert transfer.person_id == person.id
    assert transfer.status == "deposee"
    assert agent44.get(f"/agent/demarches/{transfer.id}").status_code == 404
    assert "CPAM de Paris" in client.get(f"/compte/demarches/{transfer.id}").get_data(as_text=True)
    letter = db.session.scalar(sa.select(Letter).where(Letter.kind == "changement_adresse"))
    assert letter.caisse_id == nantes.id
    assert "44000 NANTES" in pdf_text(letter.pdf)

    assert agent_post(agent75, transfer.id, "acceptation").status_code == 302
    db.session.expire_all()
    assert users["camille"].person.caisse_id == paris.id
    next_one = service.file_demarche(users["camille"], "telephone", payload={"telephone": "0612345678"})
    service.commit()
    assert next_one.caisse_id == paris.id
    # The address démarche stays with the caisse that decided it.
    assert agent44.get(f"/agent/demarches/{demarche.id}").status_code == 200


def test_second_address_change_waits_for_the_first(client, camille):
    assert post_address(client, "44300").status_code == 302
    response = post_address(client, "44300")
    assert response.status_code == 422
    assert "déjà en cours" in response.get_data(as_text=True)


# ---- telephone and activity -------------------------------------------------------------------


def test_telephone_invalid_then_applied_at_once(client, camille, users):
    url = "/compte/demarches/telephone"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "telephone": "08 99 12 34 56"})
    assert response.status_code == 422
    assert "08" in response.get_data(as_text=True)
    response = client.post(
        url, data={"csrf_token": csrf_token(client, url), "telephone": "+33 6 98 76 54 32"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert users["camille"].person.phone == "0698765432"
    assert newest("telephone").status == "acceptee"


def post_activity(client, activity="salarie", **extra):
    url = "/compte/demarches/activite"
    data = {
        "csrf_token": csrf_token(client, url),
        "activite": activity,
        "depuis": service.today().strftime("%d/%m/%Y"),
        "employeur": "Atelier Loire",
        "siret": "",
        **extra,
    }
    return post_files(client, url, data)


def test_activity_with_an_executable_is_refused_and_nothing_stored(client, camille):
    response = post_activity(client, justificatif=(io.BytesIO(EXE), "contrat.pdf"), siret="123")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "SIRET" in html
    assert 'value="Atelier Loire"' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Demarche)) == 0


def test_activity_needs_a_proof_except_without_activity(client, camille):
    assert post_activity(client).status_code == 422
    assert post_activity(client, activity="sans_activite").status_code == 302


def test_activity_accepted_sets_the_file(app, client, camille, users):
    response = post_activity(client, justificatif=(io.BytesIO(PDF), "contrat.pdf"), siret="73282932000074")
    assert response.status_code == 302
    demarche = newest("situation")
    assert agent_post(agent_client(app, users["agent44"]), demarche.id, "acceptation").status_code == 302
    db.session.expire_all()
    assert users["camille"].person.activity == "salarie"
