"""The e-mail outbox: written in the caller's transaction, delivered after commit to a file or to a
real SMTP server, retried with a growing delay, and listed for admins in development."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email import policy
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from app.extensions import db
from app.models import OutgoingMail
from app.models.base import utcnow
from app.services import mail as mail_service
from app.services.accounts import create_staff
from app.services.mail import deliver, queue_mail, retry_pending
from app.services.transactions import commit
from tests.conftest import HX, PASSWORD, login

SUBJECT = "Votre code de connexion : 123456"
BODY = "Votre code de connexion est : 123456\n\nIl est valable 10 minutes. Ne le communiquez à personne."
TO = "camille@example.org"


class Collector:
    """An aiosmtpd handler keeping every message it accepts."""

    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self) -> list[email.message.EmailMessage]:
        return [email.message_from_bytes(e.content, policy=policy.default) for e in self.envelopes]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def smtp_server(port: int, **options) -> Iterator[Collector]:
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield handler
    finally:
        controller.stop()


def aware(moment: datetime) -> datetime:
    """SQLite gives naive datetimes back; they were stored as UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def outbox_files(app) -> list[Path]:
    return sorted((Path(app.instance_path) / "outbox").glob("*.eml"))


def queue_login_code(user_id: int | None = None) -> OutgoingMail:
    return queue_mail(TO, SUBJECT, BODY, "login_code", user_id)


def test_queued_mail_is_written_as_eml_after_commit(app):
    mail = queue_login_code()
    assert outbox_files(app) == []  # nothing leaves before the commit
    commit()
    db.session.refresh(mail)
    assert mail.sent_at is not None
    assert (mail.attempts, mail.last_error) == (0, "")
    [path] = outbox_files(app)
    assert path.name.endswith(f"-{mail.id}-login_code.eml")
    assert mail.stored_as == f"outbox/{path.name}"
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert message["Subject"] == SUBJECT
    assert message["To"] == TO
    assert message["From"] == app.config["MAIL_FROM"]
    assert message["Date"]
    assert message["Message-ID"]
    assert message.get_content_charset() == "utf-8"
    text = message.get_content()
    assert "Ne le communiquez à personne." in text
    assert text.rstrip().endswith("macaisse — votre caisse d'assurance maladie")


def test_accented_subject_survives_the_file(app):
    queue_mail(TO, "Réponse à votre démarche", "Un conseiller vous a répondu.", "reply")
    commit()
    [path] = outbox_files(app)
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert message["Subject"] == "Réponse à votre démarche"
    assert b"\xc3" not in path.read_bytes()  # headers and body are 7-bit encoded


def test_rollback_writes_and_enqueues_nothing(app, monkeypatch):
    delivered: list[int] = []
    monkeypatch.setattr(mail_service, "deliver", delivered.append)
    queue_login_code()
    db.session.rollback()
    commit()  # a later transaction does not pick up the rolled-back job
    assert delivered == []
    assert outbox_files(app) == []
    assert db.session.scalar(sa.select(sa.func.count(OutgoingMail.id))) == 0


def test_deliver_is_idempotent(app):
    mail = queue_login_code()
    commit()
    sent_at = db.session.get(OutgoingMail, mail.id).sent_at
    assert deliver(mail.id) is False
    assert db.session.get(OutgoingMail, mail.id).sent_at == sent_at
    assert len(outbox_files(app)) == 1
    assert deliver(10_000) is False  # an unknown id is not an error


@pytest.mark.parametrize("header", ["to_address", "subject"])
def test_a_line_break_in_a_header_is_refused(app, header):
    values = {"to_address": TO, "subject": SUBJECT, "body": BODY, "kind": "login_code"}
    values[header] += "\r\nBcc: someone@example.org"
    with pytest.raises(ValueError, match="plusieurs lignes"):
        queue_mail(**values)


def test_mail_goes_to_a_real_smtp_server(app_factory):
    port = free_port()
    with smtp_server(port) as server:
        app = app_factory(MAIL_URL=f"smtp://127.0.0.1:{port}")
        with app.app_context():
            mail = queue_login_code()
            commit()
            db.session.refresh(mail)
            assert mail.sent_at is not None
            assert mail.stored_as.startswith("<")
            assert mail.stored_as.endswith(">")
            assert outbox_files(app) == []
    [envelope] = server.envelopes
    assert envelope.rcpt_tos == [TO]
    [message] = server.messages()
    assert message["To"] == TO
    assert message["Subject"] == SUBJECT
    assert "Ne le communiquez à personne." in message.get_content()
    assert message["Message-ID"] == mail.stored_as


def test_smtp_login_with_percent_encoded_password(app_factory):
    logins: list[tuple[bytes, bytes]] = []

    def authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"p@ss:word")

    port = free_port()
    options = {"authenticator": authenticator, "auth_require_tls": False}
    with smtp_server(port, **options) as server:
        app = app_factory(MAIL_URL=f"smtp://robot:p%40ss%3Aword@127.0.0.1:{port}")
        with app.app_context():
            mail = queue_login_code()
            commit()
            db.session.refresh(mail)
            assert mail.sent_at is not None
    assert logins == [(b"robot", b"p@ss:word")]
    assert len(server.envelopes) == 1


def test_failure_is_retried_later_then_sent(app_factory):
    port = free_port()  # nothing listens there yet
    app = app_factory(MAIL_URL=f"smtp://127.0.0.1:{port}")
    with app.app_context():
        mail = queue_login_code()
        commit()
        db.session.refresh(mail)
        assert mail.sent_at is None
        assert mail.attempts == 1
        assert mail.last_error == "ConnectionRefusedError : Connection refused"
        assert aware(mail.next_attempt_at) > utcnow()
        assert retry_pending() == 0  # not due yet
        with smtp_server(port) as server:
            mail.next_attempt_at = utcnow() - timedelta(seconds=1)
            commit()
            assert retry_pending() == 1
            db.session.refresh(mail)
            assert mail.sent_at is not None
            assert (mail.last_error, mail.next_attempt_at) == ("", None)
        assert len(server.envelopes) == 1


def test_backoff_then_abandon_after_ten_attempts(app_factory):
    app = app_factory(MAIL_URL=f"smtp://127.0.0.1:{free_port()}")
    with app.app_context():
        mail = queue_login_code()
        commit()
        for _ in range(9):
            db.session.refresh(mail)
            waited = aware(mail.next_attempt_at) - utcnow()
            delay = mail_service.next_delay(mail.attempts)
            assert delay - timedelta(seconds=30) < waited <= delay
            mail.next_attempt_at = utcnow() - timedelta(seconds=1)
            commit()
            retry_pending()
        db.session.refresh(mail)
        assert mail.attempts == 10
        assert mail.last_error.startswith("abandonné")
        assert mail.next_attempt_at is None
        assert mail.sent_at is None
        assert retry_pending() == 0
        assert deliver(mail.id) is False
        db.session.refresh(mail)
        assert mail.attempts == 10
        assert mail_service.status_label(mail) == "échec, abandonné après 10 tentatives"
    assert [mail_service.next_delay(n) for n in (1, 2, 3, 4, 5, 9)] == [
        timedelta(minutes=1),
        timedelta(minutes=5),
        timedelta(minutes=15),
        timedelta(hours=1),
        timedelta(hours=6),
        timedelta(hours=6),
    ]


def test_retry_leaves_a_fresh_mail_to_its_job_and_takes_a_lost_one(app, monkeypatch):
    monkeypatch.setattr(mail_service, "deliver", lambda mail_id: False)  # the job is lost
    mail = queue_login_code()
    commit()
    monkeypatch.undo()
    assert retry_pending() == 0
    mail.created_at = utcnow() - timedelta(minutes=3)
    commit()
    assert retry_pending() == 1
    db.session.refresh(mail)
    assert mail.sent_at is not None


def test_periodic_job_retries(app, monkeypatch):
    from app.tasks import retry_mail

    calls: list[int] = []
    monkeypatch.setattr(mail_service, "retry_pending", lambda: calls.append(1) or 0)
    retry_mail.call_local()
    assert calls == [1]


@pytest.fixture
def admin(app):
    return create_staff("admin", PASSWORD, "admin", None, "Admin", "admin@macaisse.localhost")


def test_admin_sees_the_outbox_and_a_mail(client, admin):
    mail = queue_login_code()
    commit()
    login(client, admin)
    response = client.get("/agent/outbox")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "HX-Request" in response.headers["Vary"]
    assert "<caption>" in html
    assert 'scope="col"' in html
    assert SUBJECT in html
    assert TO in html
    assert "login_code" in html
    assert "envoyé" in html
    detail = client.get(f"/agent/outbox/{mail.id}")
    page = detail.get_data(as_text=True)
    assert detail.status_code == 200
    assert detail.headers["Cache-Control"] == "no-store"
    assert "Ne le communiquez à personne." in page
    assert "macaisse — votre caisse d&#39;assurance maladie" in page
    assert mail.stored_as in page
    assert client.get("/agent/outbox/10000").status_code == 404


def test_outbox_fragments_for_htmx(client, admin):
    mail = queue_login_code()
    commit()
    login(client, admin)
    for url in ("/agent/outbox", f"/agent/outbox/{mail.id}"):
        fragment = client.get(url, headers=HX).get_data(as_text=True)
        assert "<html" not in fragment
        assert fragment.startswith("<title>")
        assert SUBJECT in fragment


def test_outbox_shows_pending_and_failed_mails(client, admin):
    pending = queue_mail(TO, "En attente", BODY, "reply")
    db.session.commit()  # committed without running the job
    failed = queue_mail(TO, "En échec", BODY, "reply")
    failed.attempts = 2
    failed.last_error = "ConnectionRefusedError : Connection refused"
    failed.next_attempt_at = utcnow() + timedelta(minutes=5)
    db.session.commit()
    login(client, admin)
    html = client.get("/agent/outbox").get_data(as_text=True)
    assert "en attente" in html
    assert "échec (2 tentatives)" in html
    detail = client.get(f"/agent/outbox/{failed.id}").get_data(as_text=True)
    assert "Connection refused" in detail
    assert "Prochain essai" in detail
    assert pending.id != failed.id


def test_outbox_lists_with_a_constant_number_of_queries(app, client, admin):
    login(client, admin)
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    def queries() -> int:
        statements.clear()
        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get("/agent/outbox").status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    queue_login_code(admin.id)
    commit()
    one = queries()
    for _ in range(5):
        queue_login_code(admin.id)
    commit()
    assert queries() == one


def test_outbox_is_for_admins_only(app, client):
    agent = create_staff("agent1", PASSWORD, "agent", None, "Agent", "agent1@macaisse.localhost")
    response = client.get("/agent/outbox")
    assert response.status_code == 302
    assert response.headers["Location"] == "/connexion?next=/agent/outbox"
    login(client, agent)
    assert client.get("/agent/outbox").status_code == 403
    assert client.get("/agent/outbox/1").status_code == 403


@pytest.mark.parametrize("setting", ["MAIL_URL", "ENV_NAME"])
def test_outbox_does_not_exist_with_smtp_or_in_production(app_factory, setting):
    # The login code mail goes to a closed port in the SMTP case: the code is read from its row.
    value = f"smtp://127.0.0.1:{free_port()}" if setting == "MAIL_URL" else "production"
    app = app_factory(**{setting: value})
    client = app.test_client()
    with app.app_context():
        admin = create_staff("admin", PASSWORD, "admin", None, "Admin", "admin@macaisse.localhost")
        login(client, admin)
        assert client.get("/agent/outbox").status_code == 404
        assert client.get("/agent/outbox/1").status_code == 404
