"""Outgoing e-mail through an outbox: the row is written in the caller's transaction, a job delivers it.

``queue_mail`` adds an ``OutgoingMail`` to the current session and, once the caller has committed
(``app.services.transactions.commit()``), enqueues the ``deliver_mail`` job. A rollback writes and
enqueues nothing. ``deliver`` sends one mail, to SMTP when ``MAIL_URL`` is set, otherwise as an
``.eml`` file in ``<instance>/outbox/`` (development, listed at ``/agent/outbox``). A failed mail is
retried with a growing delay by the periodic ``retry_mail`` job, so nothing is lost if the SMTP
server or a worker is down.

Health data never goes into an e-mail: callers write plain-text French bodies that say something
is waiting and link to the site ("vous avez un nouveau message", a login code, an activation
link), never a diagnosis, an amount, a care act or a message's content. E-mail crosses servers we
do not control and stays in mailboxes for years.
"""

from __future__ import annotations

import logging
import os
import re
import smtplib
import ssl
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, parseaddr
from pathlib import Path
from urllib.parse import unquote, urlsplit

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models import OutgoingMail
from app.models.base import utcnow
from app.services.transactions import after_commit

logger = logging.getLogger(__name__)

SIGNATURE = "macaisse — votre caisse d'assurance maladie"
MAX_ATTEMPTS = 10
# Delay before the next try after the 1st, 2nd, 3rd and 4th failure; every 6 hours after that.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1))
BACKOFF_LATER = timedelta(hours=6)
# A mail never tried is the delivery job's for this long: the periodic retry would race it.
FRESH_GRACE = timedelta(minutes=2)
SMTP_TIMEOUT = 10
ABANDONED = "abandonné"
SMTP_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}

_ADDRESS = re.compile(r"\S+@\S+")
_UNSAFE_IN_FILE_NAME = re.compile(r"[^a-z0-9_-]+")


class MailUrlError(ValueError):
    """``MAIL_URL`` cannot be understood; recorded on the mail like any delivery failure."""


def queue_mail(
    to_address: str, subject: str, body: str, kind: str, user_id: int | None = None
) -> OutgoingMail:
    """Add an e-mail to the outbox in the current transaction; it is sent after the caller commits.

    ``body`` is plain French text without health data (see the module docstring); the signature
    is appended here. ``kind`` names the template of the mail ("login_code", "activation"…) for
    the outbox listing and the file name. Raises ``ValueError`` for a line break in the address or
    the subject (header injection).
    """
    from app.tasks import deliver_mail  # app.tasks imports this module

    if any(char in text for text in (to_address, subject) for char in "\r\n"):
        raise ValueError("Adresse ou objet d'e-mail sur plusieurs lignes.")
    mail = OutgoingMail(
        to_address=to_address, subject=subject, body=_signed(body), kind=kind, user_id=user_id
    )
    db.session.add(mail)
    db.session.flush()  # the job needs the id
    after_commit(deliver_mail, mail.id)
    return mail


def deliver(mail_id: int) -> bool:
    """Send one mail now; True if this call sent it, False otherwise. Always commits.

    Idempotent: a mail already sent, abandoned, waiting for its next try, or being sent by another
    worker (row locked, PostgreSQL only) is left alone. A failure is recorded on the row with the
    time of the next try; the tenth one abandons the mail, which stays listed.
    """
    mail = db.session.scalar(
        sa.select(OutgoingMail)
        .where(OutgoingMail.id == mail_id)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    now = utcnow()
    if mail is None or mail.sent_at is not None or mail.attempts >= MAX_ATTEMPTS:
        db.session.commit()
        return False
    if mail.next_attempt_at is not None and _aware(mail.next_attempt_at) > now:
        db.session.commit()
        return False
    try:
        message = _message(mail, now)
    except Exception as exc:  # a malformed address must not crash the job at every retry
        _record_failure(mail, exc, now)
        db.session.commit()
        return False
    mail_url = current_app.config.get("MAIL_URL")
    try:
        if mail_url:
            _send_smtp(message, mail_url)
            stored_as = str(message["Message-ID"])
        else:
            stored_as = _write_eml(message, mail, now)
    except (OSError, smtplib.SMTPException, MailUrlError) as exc:
        _record_failure(mail, exc, now)
        db.session.commit()
        return False
    mail.sent_at = now
    mail.stored_as = stored_as[:200]
    mail.next_attempt_at = None
    mail.last_error = ""
    db.session.commit()
    return True


def retry_pending(limit: int = 100) -> int:
    """Deliver the unsent mails that are due, oldest first; return how many were sent.

    Due means never tried or past ``next_attempt_at``, and not abandoned. A mail never tried
    is left to its own delivery job for ``FRESH_GRACE`` so the two do not send it twice on SQLite,
    which has no row lock.
    """
    now = utcnow()
    due = sa.or_(
        OutgoingMail.next_attempt_at <= now,
        sa.and_(OutgoingMail.next_attempt_at.is_(None), OutgoingMail.created_at <= now - FRESH_GRACE),
    )
    ids = db.session.scalars(
        sa.select(OutgoingMail.id)
        .where(OutgoingMail.sent_at.is_(None), OutgoingMail.attempts < MAX_ATTEMPTS, due)
        .order_by(OutgoingMail.created_at, OutgoingMail.id)
        .limit(limit)
    ).all()
    db.session.commit()  # end the read transaction: each delivery is a transaction of its own
    return sum(deliver(mail_id) for mail_id in ids)


def status_label(mail: OutgoingMail) -> str:
    """The delivery state shown in the outbox: envoyé, en attente, échec (n tentatives) or abandonné."""
    if mail.sent_at is not None:
        return "envoyé"
    if mail.attempts == 0:
        return "en attente"
    tries = f"{mail.attempts} tentative{'s' if mail.attempts > 1 else ''}"
    if mail.attempts >= MAX_ATTEMPTS:
        return f"échec, abandonné après {tries}"
    return f"échec ({tries})"


def next_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failure: 1, 5, 15, 60 minutes, then 6 hours."""
    return BACKOFF[attempts - 1] if attempts <= len(BACKOFF) else BACKOFF_LATER


def _signed(body: str) -> str:
    body = body.rstrip()
    if body.endswith(SIGNATURE):
        return body + "\n"
    # "-- " is the signature delimiter mail clients recognise (RFC 3676).
    return f"{body}\n\n-- \n{SIGNATURE}\n"


def _aware(moment: datetime) -> datetime:
    # SQLite gives naive datetimes back; they were stored as UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _message(mail: OutgoingMail, now: datetime) -> EmailMessage:
    sender = current_app.config["MAIL_FROM"]
    _, at, domain = parseaddr(sender)[1].rpartition("@")
    domain = domain if at and domain else "macaisse.localhost"
    created = int(_aware(mail.created_at).timestamp() * 1_000_000)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to_address
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(now)
    # The same Message-ID on every try lets a server drop a copy sent twice (sent, then the commit failed).
    message["Message-ID"] = f"<{mail.id}.{created}.macaisse@{domain}>"
    # Quoted-printable keeps the message 7-bit clean for any SMTP server, accents included.
    message.set_content(mail.body, charset="utf-8", cte="quoted-printable")
    return message


def _write_eml(message: EmailMessage, mail: OutgoingMail, now: datetime) -> str:
    """Write the message in ``<instance>/outbox/``; return its path relative to the instance folder."""
    folder = Path(current_app.instance_path) / "outbox"
    folder.mkdir(parents=True, exist_ok=True)
    kind = _UNSAFE_IN_FILE_NAME.sub("-", mail.kind.lower()).strip("-") or "mail"
    name = f"{now:%Y%m%d-%H%M%S}-{mail.id}-{kind}.eml"
    temporary = folder / f".{name}.tmp"
    temporary.write_bytes(message.as_bytes(policy=SMTP_POLICY))
    os.replace(temporary, folder / name)  # readers never see half a file
    return f"outbox/{name}"


def _send_smtp(message: EmailMessage, mail_url: str) -> None:
    """Send through the server of ``MAIL_URL``: ``smtp://`` (plain), ``smtp+starttls://`` or
    ``smtps://`` (implicit TLS), with ``user:password@`` (percent-encoded) to log in.
    Raises ``MailUrlError``, ``OSError`` or ``smtplib.SMTPException``."""
    parts = urlsplit(mail_url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError as exc:
        raise MailUrlError("MAIL_URL : port invalide") from exc
    if scheme not in SMTP_PORTS or not parts.hostname:
        raise MailUrlError("MAIL_URL : attendu smtp://, smtp+starttls:// ou smtps://hôte:port")
    port = port or SMTP_PORTS[scheme]
    context = ssl.create_default_context()
    if scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(parts.hostname, port, timeout=SMTP_TIMEOUT, context=context)
    else:
        client = smtplib.SMTP(parts.hostname, port, timeout=SMTP_TIMEOUT)
    with client:
        if scheme == "smtp+starttls":
            client.starttls(context=context)
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message)


def _record_failure(mail: OutgoingMail, exc: Exception, now: datetime) -> None:
    error = _describe(exc)
    mail.attempts += 1
    logger.warning("E-mail %s non remis (tentative %s) : %s", mail.id, mail.attempts, error)
    if mail.attempts >= MAX_ATTEMPTS:
        mail.last_error = f"{ABANDONED} : {error}"[:300]
        mail.next_attempt_at = None
    else:
        mail.last_error = error
        mail.next_attempt_at = now + next_delay(mail.attempts)


def _describe(exc: Exception) -> str:
    """A short reason for the outbox and the logs, with any e-mail address masked."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = ", ".join(sorted({str(code) for code, _ in exc.recipients.values()}))
        text = f"destinataire refusé ({codes})"
    elif isinstance(exc, smtplib.SMTPResponseException):
        reply = (
            exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        )
        text = f"{type(exc).__name__} {exc.smtp_code} : {reply}"
    elif isinstance(exc, OSError) and exc.strerror:
        text = f"{type(exc).__name__} : {exc.strerror}"
    else:
        text = f"{type(exc).__name__} : {exc}"
    return _ADDRESS.sub("<adresse>", " ".join(text.split()))[:200]
