"""The life of a démarche, whatever its kind: filed by the assuré, followed in "Mes démarches",
processed from the back-office queue of the file's caisse (take, ask a document, accept or refuse),
each step notified; the decision lands in "Mes courriers" with a read receipt and is announced
again while unread. Kind-specific forms and effects are tested with each kind."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Demarche, DemarcheFile, InboxItem, Notification, OutgoingMail
from app.models.base import utcnow
from app.services import demarche_kinds
from app.services import demarches as service
from app.services.uploads import CheckedFile
from tests.conftest import HX, count_queries, csrf_token, login, post_files

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


@pytest.fixture(autouse=True)
def plain_kind(monkeypatch):
    """The kind used here does nothing on acceptance, whatever its real handler does."""
    monkeypatch.setitem(demarche_kinds._HANDLERS, "situation", demarche_kinds.KindHandler())


def file_one(user, **extra) -> Demarche:
    demarche = service.file_demarche(
        user,
        "situation",
        payload={"activite": "salarie"},
        files=[("justificatif", CheckedFile("justificatif.pdf", "application/pdf", PDF))],
        **extra,
    )
    service.commit()
    return demarche


@pytest.fixture
def paris_agent(app, users):
    agent = app.test_client()
    login(agent, users["agent75"])
    return agent


def notifications_of(user) -> list[Notification]:
    return list(db.session.scalars(sa.select(Notification).where(Notification.user_id == user.id)))


def test_filing_sets_status_due_date_history_audit_and_notification(app, users):
    demarche = file_one(users["camille"])
    assert demarche.status == "deposee"
    assert demarche.caisse_id == users["camille"].person.caisse_id
    assert demarche.due_on > service.today()
    assert [event.status for event in demarche.events] == ["deposee"]
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.kind == "demarche_filed")) is not None
    assert [n.title for n in notifications_of(users["camille"])] == ["Démarche enregistrée"]


def test_mes_demarches_page_fragment_and_constant_queries(client, login_as, users):
    login_as("camille")
    demarche = file_one(users["camille"])
    page = client.get("/compte/demarches/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert "Changement de situation" in html
    assert f"/compte/demarches/{demarche.id}" in html
    fragment = client.get("/compte/demarches/", headers=HX).get_data(as_text=True)
    assert "<html" not in fragment
    assert "Mes démarches" in fragment
    few = count_queries(client, "/compte/demarches/")
    for _ in range(5):
        file_one(users["camille"])
    assert count_queries(client, "/compte/demarches/") == few


def test_detail_is_the_owners_only(client, login_as, users):
    demarche = file_one(users["camille"])
    login_as("louis")
    assert client.get(f"/compte/demarches/{demarche.id}").status_code == 404
    stored = demarche.files[0]
    assert client.get(f"/compte/demarches/{demarche.id}/fichiers/{stored.id}").status_code == 404
    token = csrf_token(client, "/compte/demarches/")
    assert (
        client.post(f"/compte/demarches/{demarche.id}/annulation", data={"csrf_token": token}).status_code
        == 404
    )
    assert db.session.get(Demarche, demarche.id).status == "deposee"


def test_detail_shows_status_estimate_and_files(client, login_as, users):
    login_as("camille")
    demarche = file_one(users["camille"])
    html = client.get(f"/compte/demarches/{demarche.id}").get_data(as_text=True)
    assert "Reçue" in html
    assert "Traitement estimé le" in html
    download = client.get(f"/compte/demarches/{demarche.id}/fichiers/{demarche.files[0].id}")
    assert download.data == PDF
    assert "attachment" in download.headers["Content-Disposition"]


def test_agent_queue_lists_the_caisse_only_and_constant_queries(agent_client, paris_agent, users):
    demarche = file_one(users["camille"])
    html = agent_client.get("/agent/demarches/").get_data(as_text=True)
    assert f"n° {demarche.id}" in html
    assert "Camille MARTIN" in html
    assert f"n° {demarche.id}" not in paris_agent.get("/agent/demarches/").get_data(as_text=True)
    assert paris_agent.get(f"/agent/demarches/{demarche.id}").status_code == 404
    token = csrf_token(paris_agent, "/agent/demarches/")
    for action in ("prise-en-charge", "acceptation", "refus", "demande-de-document", "note"):
        response = paris_agent.post(
            f"/agent/demarches/{demarche.id}/{action}",
            data={"csrf_token": token, "motif": "x", "message": "x", "note": "x"},
        )
        assert response.status_code == 404, action
    assert db.session.get(Demarche, demarche.id).status == "deposee"
    few = count_queries(agent_client, "/agent/demarches/")
    for _ in range(5):
        file_one(users["camille"])
    assert count_queries(agent_client, "/agent/demarches/") == few


def test_queue_filters_and_fragment(agent_client, users):
    old = file_one(users["camille"])
    old.due_on = service.today() - timedelta(days=1)
    db.session.commit()
    recent = file_one(users["camille"])
    late = agent_client.get("/agent/demarches/?retard=1").get_data(as_text=True)
    assert f"n° {old.id}" in late
    assert f"n° {recent.id}" not in late
    assert "En retard" in late
    by_kind = agent_client.get("/agent/demarches/?type=ceam").get_data(as_text=True)
    assert f"n° {old.id}" not in by_kind
    fragment = agent_client.get("/agent/demarches/?type=situation&partiel=1", headers=HX).get_data(
        as_text=True
    )
    assert f"n° {recent.id}" in fragment
    assert "<form" not in fragment
    bad = agent_client.get("/agent/demarches/?statut=inconnu")
    assert bad.status_code == 422
    assert "Choisissez une valeur de la liste." in bad.get_data(as_text=True)


def test_take_ask_document_answer_then_accept(client, login_as, agent_client, users):
    camille = login_as("camille")
    demarche = file_one(camille)
    case = f"/agent/demarches/{demarche.id}"
    token = csrf_token(agent_client, case)
    assert agent_client.post(f"{case}/prise-en-charge", data={"csrf_token": token}).status_code == 302
    empty = agent_client.post(f"{case}/demande-de-document", data={"csrf_token": token, "message": ""})
    assert empty.status_code == 422
    assert "Indiquez quels documents" in empty.get_data(as_text=True)
    agent_client.post(
        f"{case}/demande-de-document", data={"csrf_token": token, "message": "Votre contrat de travail."}
    )
    db.session.expire_all()
    assert db.session.get(Demarche, demarche.id).status == "piece_demandee"
    page = client.get(f"/compte/demarches/{demarche.id}").get_data(as_text=True)
    assert "Votre contrat de travail." in page

    # A renamed executable is refused, nothing stored, the message typed is kept.
    token_user = csrf_token(client, f"/compte/demarches/{demarche.id}")
    refused = client.post(
        f"/compte/demarches/{demarche.id}/documents",
        data={
            "csrf_token": token_user,
            "message": "Voici mon contrat",
            "fichier": (io.BytesIO(EXE), "contrat.pdf"),
        },
        content_type="multipart/form-data",
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "pas un PDF, JPEG ou PNG" in html
    assert "Voici mon contrat" in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DemarcheFile)) == 1
    too_big = post_files(
        client,
        f"/compte/demarches/{demarche.id}/documents",
        {"csrf_token": token_user, "fichier": (io.BytesIO(PDF + b"0" * (5 * 1024 * 1024)), "gros.pdf")},
    )
    assert too_big.status_code == 422
    assert "le maximum est 5 Mo" in too_big.get_data(as_text=True)
    sent = client.post(
        f"/compte/demarches/{demarche.id}/documents",
        data={"csrf_token": token_user, "fichier": (io.BytesIO(PDF), "mon contrat signé.pdf")},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 302
    db.session.expire_all()
    demarche = db.session.get(Demarche, demarche.id)
    assert demarche.status == "en_cours"
    assert [stored.filename for stored in demarche.files] == ["justificatif.pdf", "justificatif.pdf"]

    accepted = agent_client.post(
        f"{case}/acceptation", data={"csrf_token": token, "message": "Bonne journée."}
    )
    assert accepted.status_code == 302
    db.session.expire_all()
    demarche = db.session.get(Demarche, demarche.id)
    assert demarche.status == "acceptee"
    assert demarche.closed_at is not None
    item = db.session.scalar(sa.select(InboxItem).where(InboxItem.demarche_id == demarche.id))
    assert item.kind == "decision"
    assert "est acceptée" in item.body
    assert "Bonne journée." in item.body
    titles = [n.title for n in notifications_of(camille)]
    assert titles == [
        "Démarche enregistrée",
        "Démarche en cours de traitement",
        "Votre caisse attend un document",
        "Décision de votre caisse",
    ]
    # Nothing personal in the notification bodies (pushed to lock screens).
    assert all("contrat" not in n.body.lower() for n in notifications_of(camille))


def test_reject_needs_a_reason_and_sends_it(client, login_as, agent_client, users):
    camille = login_as("camille")
    demarche = file_one(camille)
    case = f"/agent/demarches/{demarche.id}"
    token = csrf_token(agent_client, case)
    missing = agent_client.post(f"{case}/refus", data={"csrf_token": token, "motif": " "})
    assert missing.status_code == 422
    assert "Indiquez le motif du refus" in missing.get_data(as_text=True)
    agent_client.post(f"{case}/refus", data={"csrf_token": token, "motif": "Justificatif illisible."})
    db.session.expire_all()
    assert db.session.get(Demarche, demarche.id).status == "refusee"
    page = client.get(f"/compte/demarches/{demarche.id}").get_data(as_text=True)
    assert "Justificatif illisible." in page
    assert "Annuler cette démarche" not in page
    again = agent_client.post(f"{case}/acceptation", data={"csrf_token": token})
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.get(Demarche, demarche.id).status == "refusee"


def test_courrier_read_receipt_shown_to_the_agent(app, client, login_as, agent_client, users):
    camille = login_as("camille")
    demarche = file_one(camille)
    service.accept(camille.person.caisse_id, demarche.id, users["agent44"])
    item = db.session.scalar(sa.select(InboxItem).where(InboxItem.demarche_id == demarche.id))
    listing = client.get("/compte/courriers/").get_data(as_text=True)
    assert "Non lu" in listing
    assert item.title in listing
    assert "non lu" in agent_client.get(f"/agent/demarches/{demarche.id}").get_data(as_text=True)
    assert client.get(f"/compte/courriers/{item.id}").status_code == 200
    db.session.expire_all()
    assert db.session.get(InboxItem, item.id).read_at is not None
    assert "lu le" in agent_client.get(f"/agent/demarches/{demarche.id}").get_data(as_text=True)
    other = app.test_client()
    login(other, users["louis"])
    assert other.get(f"/compte/courriers/{item.id}").status_code == 404


def test_unread_decision_is_announced_again_by_push_then_email(app, users):
    camille = users["camille"]
    demarche = file_one(camille)
    service.accept(camille.person.caisse_id, demarche.id, users["agent44"])
    item = db.session.scalar(sa.select(InboxItem).where(InboxItem.demarche_id == demarche.id))
    now = utcnow()
    assert service.remind_unread(now) == 0
    assert service.remind_unread(now + timedelta(days=1, minutes=1)) == 1
    assert "Rappel : une décision vous attend" in [n.title for n in notifications_of(camille)]
    assert service.remind_unread(now + timedelta(days=2)) == 0
    assert service.remind_unread(now + timedelta(days=3, minutes=1)) == 1
    mail = db.session.scalar(sa.select(OutgoingMail).where(OutgoingMail.kind == "rappel_decision"))
    assert mail.to_address == "camille@example.org"
    assert f"/compte/courriers/{item.id}" in mail.body
    assert "situation" not in mail.body.lower()
    assert service.remind_unread(now + timedelta(days=10)) == 0


def test_read_decision_is_not_announced_again(client, login_as, users):
    camille = login_as("camille")
    demarche = file_one(camille)
    service.accept(camille.person.caisse_id, demarche.id, users["agent44"])
    client.get(f"/compte/demarches/{demarche.id}")  # the decision is shown there: read
    assert service.remind_unread(utcnow() + timedelta(days=4)) == 0


def test_cancel_an_open_demarche_only(client, login_as, users):
    camille = login_as("camille")
    demarche = file_one(camille)
    token = csrf_token(client, f"/compte/demarches/{demarche.id}")
    assert (
        client.post(f"/compte/demarches/{demarche.id}/annulation", data={"csrf_token": token}).status_code
        == 302
    )
    db.session.expire_all()
    assert db.session.get(Demarche, demarche.id).status == "annulee"
    again = client.post(
        f"/compte/demarches/{demarche.id}/annulation", data={"csrf_token": token}, follow_redirects=True
    )
    assert "ne peut plus être annulée" in again.get_data(as_text=True)


def test_post_without_csrf_is_refused(client, login_as, users):
    demarche = file_one(login_as("camille"))
    assert client.post(f"/compte/demarches/{demarche.id}/annulation").status_code == 400


def test_agent_file_download_and_consultation_audited(agent_client, users):
    demarche = file_one(users["camille"])
    stored = demarche.files[0]
    response = agent_client.get(f"/agent/demarches/{demarche.id}/fichiers/{stored.id}")
    assert response.data == PDF
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    agent_client.get(f"/agent/demarches/{demarche.id}")
    consulted = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.kind == "demarche_consulted"))
    assert consulted.subject_person_id == users["camille"].person_id
    assert not re.search(r"\d{13}", consulted.detail)


def test_assure_cannot_open_the_back_office(client, login_as, users):
    demarche = file_one(login_as("camille"))
    assert client.get(f"/agent/demarches/{demarche.id}").status_code == 403


def test_agent_home_counts_open_and_overdue(agent_client, users):
    late = file_one(users["camille"])
    late.due_on = service.today() - timedelta(days=2)
    db.session.commit()
    file_one(users["camille"])
    html = agent_client.get("/agent/").get_data(as_text=True)
    rows = re.findall(r"<tr[^>]*>\s*<th scope=\"row\">(.*?)</tr>", html, re.S)
    first = re.sub(r"<[^>]+>", " ", rows[0])
    assert "Démarches à traiter" in first  # the only pile with overdue work comes first
    assert re.search(r"Démarches à traiter\s+2\s+1 en retard", " ".join(first.split()))


def test_internal_note_is_seen_by_agents_only(client, login_as, agent_client, users):
    demarche = file_one(login_as("camille"))
    case = f"/agent/demarches/{demarche.id}"
    token = csrf_token(agent_client, case)
    empty = agent_client.post(f"{case}/note", data={"csrf_token": token, "note": ""})
    assert empty.status_code == 422
    assert (
        agent_client.post(f"{case}/note", data={"csrf_token": token, "note": "Appelée le 24."}).status_code
        == 302
    )
    assert "Appelée le 24." in agent_client.get(case).get_data(as_text=True)
    assert "Appelée le 24." not in client.get(f"/compte/demarches/{demarche.id}").get_data(as_text=True)
