"""The messagerie end to end through the views: an assuré or a professional writes to their own
caisse (attachments checked by content), the caisse's agents answer from their inbox, the answer is
announced in the app, by push (local push-service double) and by e-mail (a real local SMTP server);
overdue answers are flagged; another account or another caisse gets a 404."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, timedelta
from html import unescape

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import (
    AuditEvent,
    Caisse,
    Message,
    MessageAttachment,
    MessageThread,
    Notification,
    OutgoingMail,
    ReplyTemplate,
)
from app.models.base import utcnow
from app.services import messagerie as service
from app.services import push
from app.services.accounts import create_assure_account, create_staff
from app.services.caisses import sync_caisses
from app.services.uploads import CheckedFile
from tests.conftest import HX, PASSWORD, count_queries, csrf_token, login, make_person, post_files
from tests.integration.test_mail import free_port, smtp_server
from tests.push_receiver import PushReceiver

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
CSV = b"date;montant\n03/03/2026;30,00\n"
TEXT = "Bonjour, je n'ai pas reçu le remboursement de ma consultation du 3 mars."
NEW = "/compte/messages/nouveau"


def aware(moment):
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def write(client, *, files=(), motif="remboursement", subject="Consultation du 3 mars", text=TEXT, url=NEW):
    data = {
        "csrf_token": csrf_token(client, url),
        "motif": motif,
        "sujet": subject,
        "message": text,
        "pieces": [(io.BytesIO(content), name) for content, name in files],
    }
    return post_files(client, url, data)


def thread_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(MessageThread))


def only_thread() -> MessageThread:
    return db.session.scalars(sa.select(MessageThread).execution_options(populate_existing=True)).one()


def start(user, **extra) -> MessageThread:
    return service.start_thread(user, "remboursement", "Consultation du 3 mars", TEXT, [], **extra)


@pytest.fixture
def camille_client(client, users):
    login(client, users["camille"])
    return client


@pytest.fixture
def paris_agent(app, users):
    agent = app.test_client()
    login(agent, users["agent75"])
    return agent


# ---- the assuré writes ---------------------------------------------------------------------------


def test_new_message_page_lists_motifs_with_help_and_demarche_links(camille_client):
    page = camille_client.get(NEW)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert "Remboursement de soins" in html
    assert "Déclarer une perte ou un vol de carte Vitale" in html
    assert 'href="/compte/demarches/carte-vitale"' in html
    assert "Rendez-vous" not in html
    fragment = camille_client.get(NEW, headers=HX).get_data(as_text=True)
    assert "<html" not in fragment
    assert "Écrire à ma caisse" in fragment


def test_assure_writes_to_her_own_caisse_with_an_attachment(camille_client, users):
    before = utcnow()
    response = write(camille_client, files=[(PDF, "facture.pdf"), (CSV, "releve.csv")])
    assert response.status_code == 302
    thread = only_thread()
    assert response.headers["Location"] == f"/compte/messages/{thread.id}"
    assert thread.caisse_id == users["camille"].person.caisse_id
    assert thread.audience == "assure"
    assert thread.status == "nouveau"
    due = aware(thread.reply_due_at) - before
    assert timedelta(hours=47, minutes=59) < due <= timedelta(hours=48, minutes=1)
    [message] = thread.messages
    assert message.body == TEXT
    assert [(a.filename, a.content_type) for a in message.attachments] == [
        ("piece-1.pdf", "application/pdf"),
        ("piece-2.csv", "text/csv"),
    ]
    page = camille_client.get(f"/compte/messages/{thread.id}").get_data(as_text=True)
    assert "Réponse attendue au plus tard le" in page
    assert "Consultation du 3 mars" in page
    listing = camille_client.get("/compte/messages/").get_data(as_text=True)
    assert "Consultation du 3 mars" in listing
    download = camille_client.get(f"/compte/messages/{thread.id}/pieces/{message.attachments[0].id}")
    assert download.status_code == 200
    assert download.data == PDF
    assert download.headers["Content-Disposition"] == 'attachment; filename="piece-1.pdf"'


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ([(b"%PDF-1.4\n" + b"0" * (6 * 1024 * 1024), "gros.pdf")], "le maximum est 5 Mo"),
        ([(PDF, f"f{n}.pdf") for n in range(4)], "3 au plus peuvent être joints"),
        ([(EXE, "facture.pdf")], "n'est pas un PDF, JPEG, PNG, DOCX, XLSX ou CSV"),
        (
            [
                (b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024), "a.pdf"),
                (b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024), "b.pdf"),
            ],
            "5 Mo au total",
        ),
    ],
    ids=["6-mo", "quatre-fichiers", "executable-renomme", "total-trop-lourd"],
)
def test_refused_attachments_keep_the_text_and_store_nothing(camille_client, files, expected):
    response = write(camille_client, files=files)
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert expected in html
    assert TEXT in html
    assert 'value="Consultation du 3 mars"' in html
    assert "<title>Erreur : " in html
    assert thread_count() == 0


def test_missing_fields_are_said_in_french(camille_client):
    response = write(camille_client, motif="", subject="", text="")
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert "Choisissez l'objet de votre message." in html
    assert "Donnez un sujet à votre message" in html
    assert "Écrivez votre message." in html
    response = write(camille_client, motif="paiements")  # a professional's motif
    assert response.status_code == 422
    assert thread_count() == 0


def test_csrf_is_required(camille_client):
    response = post_files(camille_client, NEW, {"motif": "autre", "sujet": "x", "message": "y"})
    assert response.status_code in (400, 422)
    assert thread_count() == 0


def test_another_account_gets_404(client, users, camille_client, app):
    thread = start(users["camille"])
    service.reply_as_agent(thread.caisse_id, thread.id, users["agent44"], "Bonjour Madame.", [])
    attachment_owner = service.start_thread(
        users["camille"], "autre", "Pièce", "Voici", [CheckedFile("x.pdf", "application/pdf", PDF)]
    )
    piece = attachment_owner.messages[0].attachments[0]
    louis = app.test_client()
    login(louis, users["louis"])
    for url in (
        f"/compte/messages/{thread.id}",
        f"/compte/messages/{attachment_owner.id}/pieces/{piece.id}",
        f"/compte/messages/{thread.id}/pieces/{piece.id}",
    ):
        assert louis.get(url).status_code == 404, url
    for url in (f"/compte/messages/{thread.id}/reponse", f"/compte/messages/{thread.id}/cloture"):
        token = csrf_token(louis, "/compte/messages/")
        assert louis.post(url, data={"csrf_token": token, "message": "x"}).status_code == 404, url
    assert "Consultation du 3 mars" not in louis.get("/compte/messages/").get_data(as_text=True)


def test_spaces_are_kept_apart(camille_client, app, doctor_account):
    assert camille_client.get("/pro/messages/").status_code == 403
    pro = app.test_client()
    login(pro, doctor_account)
    assert pro.get("/compte/messages/").status_code == 403
    assert app.test_client().get("/compte/messages/").status_code == 302


# ---- the caisse answers --------------------------------------------------------------------------


def test_agent_of_the_caisse_sees_it_the_other_caisse_gets_404(app, users, agent_client, paris_agent):
    thread = service.start_thread(
        users["camille"], "autre", "Pièce", "Voici", [CheckedFile("x.pdf", "application/pdf", PDF)]
    )
    piece = thread.messages[0].attachments[0]
    inbox = agent_client.get("/agent/messages/").get_data(as_text=True)
    assert f"n° {thread.id} — Pièce" in inbox
    assert "Non lu" in inbox
    assert agent_client.get(f"/agent/messages/{thread.id}").status_code == 200
    assert agent_client.get(f"/agent/messages/{thread.id}/pieces/{piece.id}").data == PDF
    assert "Pièce" not in paris_agent.get("/agent/messages/").get_data(as_text=True)
    for url in (
        f"/agent/messages/{thread.id}",
        f"/agent/messages/{thread.id}/pieces/{piece.id}",
        f"/agent/messages/{thread.id}/contexte",
    ):
        assert paris_agent.get(url).status_code == 404, url
    token = csrf_token(paris_agent, "/agent/messages/")
    for action in ("reponse", "note", "attribution", "cloture"):
        response = paris_agent.post(
            f"/agent/messages/{thread.id}/{action}", data={"csrf_token": token, "message": "x", "note": "x"}
        )
        assert response.status_code == 404, action
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Message)) == 1
    assert only_thread().status == "nouveau"


def test_reply_is_announced_in_app_by_push_and_by_email_without_content(app, users, agent_client):
    camille = users["camille"]
    with PushReceiver() as receiver:
        device = receiver.subscribe(application_server_key=push.vapid_public_key_b64url())
        push.subscribe(camille, push.parse_subscription(device.to_json()), "Chrome sur Android")
        db.session.commit()
        thread = start(camille)
        url = f"/agent/messages/{thread.id}"
        response = agent_client.post(
            f"{url}/reponse",
            data={"csrf_token": csrf_token(agent_client, url), "message": "Votre remboursement part demain."},
        )
        assert response.status_code == 302
        [received] = receiver.pushes_for(device)
    assert received.payload["title"] == "Nouveau message de votre caisse"
    assert "remboursement" not in received.payload["body"].lower()
    assert received.payload["url"] == f"/compte/messages/{thread.id}"
    [notification] = db.session.scalars(sa.select(Notification).where(Notification.user_id == camille.id))
    assert notification.kind == "message"
    [mail] = db.session.scalars(sa.select(OutgoingMail).where(OutgoingMail.kind == "message"))
    assert mail.to_address == "camille@example.org"
    assert mail.subject == "Vous avez un nouveau message"
    assert "demain" not in mail.body
    assert "/compte/messages/" in mail.body
    thread = only_thread()
    assert thread.status == "attente_usager"
    assert thread.reply_due_at is None
    assert thread.assigned_to_id == users["agent44"].id


def test_reply_email_reaches_a_real_smtp_server(app_factory):
    port = free_port()
    with smtp_server(port) as server:
        app = app_factory(MAIL_URL=f"smtp://127.0.0.1:{port}")
        with app.app_context():
            sync_caisses()
            nantes = db.session.scalar(sa.select(Caisse).where(Caisse.key == "cpam-de-la-loire-atlantique"))
            person = make_person(nantes, "295067505612349", "Camille", "Martin", date(1995, 6, 12))
            camille = create_assure_account(person, PASSWORD, "camille@example.org")
            agent = create_staff("agent44", PASSWORD, "agent", nantes.id, "Agent 44", "agent44@example.org")
            thread = start(camille)
            service.reply_as_agent(nantes.id, thread.id, agent, "Réponse confidentielle.", [])
    messages = [m for m in server.messages() if m["Subject"] == "Vous avez un nouveau message"]
    [message] = messages
    assert message["To"] == "camille@example.org"
    body = message.get_content()
    assert "Réponse confidentielle" not in body
    assert "connectez-vous" in body


def test_user_reads_the_reply_marks_unread_then_read(camille_client, users):
    thread = start(users["camille"])
    service.reply_as_agent(thread.caisse_id, thread.id, users["agent44"], "Bonjour Madame.", [])
    assert service.unread_count(users["camille"]) == 1
    listing = camille_client.get("/compte/messages/").get_data(as_text=True)
    assert "Nouvelle réponse" in listing
    page = camille_client.get(f"/compte/messages/{thread.id}").get_data(as_text=True)
    assert "Bonjour Madame." in page
    assert "Conseiller, CPAM de la Loire-Atlantique" in page
    assert service.unread_count(users["camille"]) == 0
    assert "Nouvelle réponse" not in camille_client.get("/compte/messages/").get_data(as_text=True)


def test_user_answers_back_sets_a_new_due_date(camille_client, users):
    thread = start(users["camille"])
    service.reply_as_agent(thread.caisse_id, thread.id, users["agent44"], "Quelle date ?", [])
    url = f"/compte/messages/{thread.id}"
    response = post_files(
        camille_client,
        f"{url}/reponse",
        {"csrf_token": csrf_token(camille_client, url), "message": "Le 3 mars.", "pieces": []},
    )
    assert response.status_code == 302
    thread = only_thread()
    assert thread.status == "en_cours"
    assert thread.reply_due_at is not None
    assert [m.body for m in thread.messages] == [TEXT, "Quelle date ?", "Le 3 mars."]


def test_internal_note_never_reaches_the_user(camille_client, users, agent_client):
    thread = start(users["camille"])
    url = f"/agent/messages/{thread.id}"
    agent_client.post(
        f"{url}/note", data={"csrf_token": csrf_token(agent_client, url), "note": "Vérifier le RIB interne"}
    )
    assert "Vérifier le RIB interne" in agent_client.get(url).get_data(as_text=True)
    assert "Vérifier le RIB interne" not in camille_client.get(f"/compte/messages/{thread.id}").get_data(
        as_text=True
    )
    note = db.session.scalars(sa.select(Message).where(Message.internal.is_(True))).one()
    assert note.body == "Vérifier le RIB interne"


def test_overdue_threads_are_flagged_for_both_sides(camille_client, users, agent_client):
    thread = start(users["camille"])
    late = start(users["camille"])
    db.session.execute(
        sa.update(MessageThread)
        .where(MessageThread.id == late.id)
        .values(reply_due_at=utcnow() - timedelta(hours=1))
    )
    db.session.commit()
    page = camille_client.get(f"/compte/messages/{late.id}").get_data(as_text=True)
    assert "le délai de réponse est dépassé" in page
    on_time = camille_client.get(f"/compte/messages/{thread.id}").get_data(as_text=True)
    assert "le délai de réponse est dépassé" not in on_time
    inbox = agent_client.get("/agent/messages/").get_data(as_text=True)
    assert inbox.index(f"n° {late.id} ") < inbox.index(f"n° {thread.id} ")  # overdue first
    assert inbox.count('class="overdue">En retard') == 1
    only_late = agent_client.get("/agent/messages/?retard=1").get_data(as_text=True)
    assert f"n° {late.id} " in only_late
    assert f"n° {thread.id} " not in only_late
    dashboard = agent_client.get("/agent/").get_data(as_text=True)
    assert "Messages à traiter" in dashboard
    assert "1 en retard" in dashboard


def test_inbox_filters_by_motif_status_and_assignee(app, users, agent_client):
    first = start(users["camille"])
    second = service.start_thread(
        users["camille"], "carte-vitale", "Carte cassée", "Elle ne marche plus.", []
    )
    service.assign(first.caisse_id, first.id, users["agent44"], users["agent44"].id)
    by_motif = agent_client.get("/agent/messages/?motif=carte-vitale").get_data(as_text=True)
    assert "Carte cassée" in by_motif
    assert "Consultation du 3 mars" not in by_motif
    mine = agent_client.get("/agent/messages/?attribution=moi").get_data(as_text=True)
    assert "Consultation du 3 mars" in mine
    assert "Carte cassée" not in mine
    nobody = agent_client.get("/agent/messages/?attribution=personne").get_data(as_text=True)
    assert "Carte cassée" in nobody
    new = agent_client.get("/agent/messages/?statut=nouveau").get_data(as_text=True)
    assert "Carte cassée" in new
    assert "Consultation du 3 mars" not in new  # assigned: en cours
    fragment = agent_client.get("/agent/messages/?statut=en_cours&partiel=1", headers=HX).get_data(
        as_text=True
    )
    assert "<html" not in fragment
    assert "Consultation du 3 mars" in fragment
    bad = agent_client.get("/agent/messages/?statut=perdu")
    assert bad.status_code == 422
    assert "Choisissez une valeur de la liste." in bad.get_data(as_text=True)
    assert second.id != first.id


def test_assign_only_to_a_colleague_of_the_caisse(app, users, agent_client):
    thread = start(users["camille"])
    url = f"/agent/messages/{thread.id}"
    token = csrf_token(agent_client, url)
    refused = agent_client.post(
        f"{url}/attribution", data={"csrf_token": token, "agent": str(users["agent75"].id)}
    )
    assert refused.status_code == 422
    assert only_thread().assigned_to_id is None
    done = agent_client.post(
        f"{url}/attribution", data={"csrf_token": token, "agent": str(users["agent44"].id)}
    )
    assert done.status_code == 302
    assert only_thread().assigned_to_id == users["agent44"].id
    assert only_thread().status == "en_cours"


def test_close_and_rate(camille_client, users):
    thread = start(users["camille"])
    service.reply_as_agent(thread.caisse_id, thread.id, users["agent44"], "C'est réglé.", [])
    url = f"/compte/messages/{thread.id}"
    token = csrf_token(camille_client, url)
    bad = camille_client.post(f"{url}/cloture", data={"csrf_token": token, "note": "9"})
    assert bad.status_code == 422
    assert only_thread().is_open
    closed = camille_client.post(
        f"{url}/cloture", data={"csrf_token": token, "note": "5", "commentaire": "Merci, rapide."}
    )
    assert closed.status_code == 302
    thread = only_thread()
    assert thread.status == "clos"
    assert thread.closed_by == "usager"
    assert thread.rating == 5
    page = camille_client.get(url).get_data(as_text=True)
    assert "Cet échange est clos" in page
    assert "Très satisfait(e)" in page
    refused = post_files(
        camille_client, f"{url}/reponse", {"csrf_token": token, "message": "Encore une chose"}
    )
    assert refused.status_code == 302
    assert len(only_thread().messages) == 2


def test_rate_after_the_caisse_closed(camille_client, users, agent_client):
    thread = start(users["camille"])
    agent_url = f"/agent/messages/{thread.id}"
    agent_client.post(f"{agent_url}/cloture", data={"csrf_token": csrf_token(agent_client, agent_url)})
    assert only_thread().closed_by == "caisse"
    url = f"/compte/messages/{thread.id}"
    assert "Donner votre avis sur la réponse" in camille_client.get(url).get_data(as_text=True)
    token = csrf_token(camille_client, url)
    assert camille_client.post(f"{url}/avis", data={"csrf_token": token}).status_code == 422
    assert camille_client.post(f"{url}/avis", data={"csrf_token": token, "note": "2"}).status_code == 302
    assert only_thread().rating == 2


def test_context_access_is_audited_and_shown_to_the_user(camille_client, users, agent_client):
    thread = start(users["camille"])
    fragment = agent_client.get(f"/agent/messages/{thread.id}/contexte", headers=HX).get_data(as_text=True)
    assert "<html" not in fragment
    assert "Camille MARTIN : droits ouverts" in fragment
    assert "médecin traitant non déclaré" in fragment
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.kind == "contexte_consulte")).one()
    assert event.subject_person_id == users["camille"].person_id
    assert event.actor_user_id == users["agent44"].id
    security = camille_client.get("/securite").get_data(as_text=True)
    assert "Qui a consulté mon dossier" in security
    assert "Un conseiller de CPAM de la Loire-Atlantique" in security
    assert "pour répondre à votre message" in security


def test_reply_templates_per_caisse(app, users, agent_client, paris_agent):
    url = "/agent/messages/modeles"
    token = csrf_token(agent_client, url)
    created = agent_client.post(
        url,
        data={
            "csrf_token": token,
            "titre": "Délai carte",
            "motif": "carte-vitale",
            "texte": "Trois semaines.",
        },
    )
    assert created.status_code == 302
    duplicate = agent_client.post(
        url, data={"csrf_token": token, "titre": "Délai carte", "motif": "", "texte": "x"}
    )
    assert duplicate.status_code == 422
    assert "porte déjà ce titre" in duplicate.get_data(as_text=True)
    template = db.session.scalars(sa.select(ReplyTemplate)).one()
    assert "Délai carte" not in paris_agent.get(url).get_data(as_text=True)
    assert paris_agent.get(f"{url}/{template.id}").status_code == 404
    thread = start(users["camille"])
    filled = agent_client.get(f"/agent/messages/{thread.id}/modele?modele={template.id}", headers=HX)
    assert "Trois semaines." in filled.get_data(as_text=True)
    assert "<html" not in filled.get_data(as_text=True)
    page = agent_client.get(f"/agent/messages/{thread.id}?modele={template.id}").get_data(as_text=True)
    assert "Trois semaines.</textarea>" in page
    other = paris_agent.get(f"/agent/messages/{thread.id}/modele?modele={template.id}", headers=HX)
    assert other.status_code == 404
    token = csrf_token(agent_client, f"{url}/{template.id}")
    agent_client.post(
        f"{url}/{template.id}",
        data={"csrf_token": token, "titre": "Délai carte", "motif": "", "texte": "Deux."},
    )
    assert (
        db.session.scalars(sa.select(ReplyTemplate).execution_options(populate_existing=True)).one().body
        == "Deux."
    )
    assert paris_agent.post(f"{url}/{template.id}/suppression", data={"csrf_token": token}).status_code in (
        400,
        404,
    )
    agent_client.post(f"{url}/{template.id}/suppression", data={"csrf_token": token})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReplyTemplate)) == 0


def test_professional_writes_with_a_three_working_day_due_date(app, doctor_account, agent_client):
    pro = app.test_client()
    login(pro, doctor_account)
    page = pro.get("/pro/messages/nouveau").get_data(as_text=True)
    assert "Facture rejetée" in page
    assert "Remboursement de soins" not in page
    response = write(pro, motif="rejet-facture", subject="Facture 2026-001", url="/pro/messages/nouveau")
    assert response.status_code == 302
    thread = only_thread()
    assert thread.audience == "professionnel"
    assert thread.professional_id == doctor_account.professional_id
    assert thread.person_id is None
    assert (aware(thread.reply_due_at) - aware(thread.created_at)) >= timedelta(days=3)
    inbox = agent_client.get("/agent/messages/").get_data(as_text=True)
    assert "Dr Sophie Durand (professionnel)" in inbox
    url = f"/agent/messages/{thread.id}"
    agent_client.get(f"{url}/contexte")
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.kind == "contexte_consulte")).one()
    assert event.subject_user_id == doctor_account.id
    agent_client.post(
        f"{url}/reponse", data={"csrf_token": csrf_token(agent_client, url), "message": "Rejet levé."}
    )
    assert f"/pro/messages/{thread.id}" in db.session.scalars(sa.select(Notification.url)).one()
    assert "Rejet levé." in pro.get(f"/pro/messages/{thread.id}").get_data(as_text=True)


def test_prefilled_from_a_refused_demarche_and_the_divorce_alert(camille_client, users, agent_client):
    from app.services import demarche_kinds
    from app.services import demarches as demarches_service

    demarche = demarches_service.file_demarche(
        users["camille"], "telephone", payload={"telephone": "0611223344"}
    )
    demarches_service.commit()
    demarches_service.reject(demarche.caisse_id, demarche.id, users["agent44"], "Numéro illisible.")
    detail = camille_client.get(f"/compte/demarches/{demarche.id}").get_data(as_text=True)
    assert f"/compte/messages/nouveau?demarche={demarche.id}" in detail
    page = camille_client.get(f"{NEW}?demarche={demarche.id}").get_data(as_text=True)
    assert f"Démarche n° {demarche.id}" in page
    assert 'value="reclamation" aria-describedby="motif-reclamation-aide" checked' in page
    data = {
        "csrf_token": csrf_token(camille_client, NEW),
        "demarche": str(demarche.id),
        "motif": "reclamation",
        "sujet": "Refus",
        "message": "Pourquoi ?",
    }
    assert post_files(camille_client, NEW, data).status_code == 302
    assert only_thread().demarche_id == demarche.id
    assert demarche_kinds is not None
    divorce = camille_client.get(f"{NEW}?objet=divorce").get_data(as_text=True)
    assert "Divorce ou séparation" in divorce
    assert "Je souhaite savoir comment mon" in divorce


def test_someone_elses_demarche_is_not_prefilled(client, users, app):
    from app.services import demarches as demarches_service

    demarche = demarches_service.file_demarche(
        users["camille"], "telephone", payload={"telephone": "0611223344"}
    )
    demarches_service.commit()
    louis = app.test_client()
    login(louis, users["louis"])
    page = louis.get(f"{NEW}?demarche={demarche.id}").get_data(as_text=True)
    assert f"Démarche n° {demarche.id}" not in page


def test_list_pages_run_a_constant_number_of_queries(camille_client, users, agent_client):
    start(users["camille"])
    few_user = count_queries(camille_client, "/compte/messages/")
    few_inbox = count_queries(agent_client, "/agent/messages/")
    few_dashboard = count_queries(agent_client, "/agent/")
    for number in range(6):
        thread = start(users["camille"])
        if number % 2:
            service.assign(thread.caisse_id, thread.id, users["agent44"], users["agent44"].id)
    assert count_queries(camille_client, "/compte/messages/") == few_user
    assert count_queries(agent_client, "/agent/messages/") == few_inbox
    assert count_queries(agent_client, "/agent/") == few_dashboard


def test_attachments_are_checked_for_agents_too(users, agent_client):
    thread = start(users["camille"])
    url = f"/agent/messages/{thread.id}"
    data = {
        "csrf_token": csrf_token(agent_client, url),
        "message": "Voici",
        "pieces": [(io.BytesIO(EXE), "a.pdf")],
    }
    response = post_files(agent_client, f"{url}/reponse", data)
    assert response.status_code == 422
    assert "Voici</textarea>" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MessageAttachment)) == 0
    assert re.search(r"n&#39;est pas un|n'est pas un", response.get_data(as_text=True))


def test_pages_keep_the_filters(camille_client, users, agent_client, monkeypatch):
    monkeypatch.setattr(service, "INBOX_PER_PAGE", 2)
    monkeypatch.setattr(service, "PER_PAGE", 2)
    for _ in range(3):
        start(users["camille"])
    first = agent_client.get("/agent/messages/?motif=remboursement").get_data(as_text=True)
    assert 'href="/agent/messages/?page=2&amp;motif=remboursement"' in first
    second = agent_client.get("/agent/messages/?motif=remboursement&page=2").get_data(as_text=True)
    assert "Page précédente" in second
    assert second.count("Consultation du 3 mars") == 1
    assert 'href="/compte/messages/?page=2"' in camille_client.get("/compte/messages/").get_data(as_text=True)
