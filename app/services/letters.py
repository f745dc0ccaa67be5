"""The caisses' print queue: letters waiting to be printed and posted, then marked sent.

A letter carrying a provisional code holds a secret in its PDF. The PDF is kept only while the
letter waits in the queue; marking it sent erases the PDF and leaves the row as the record of
what was posted, when and by whom. Every function takes the caisse explicitly and never touches
another caisse's letters: the back office's views pass the agent's own caisse.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload, load_only

from app.documents.letters import Recipient, combine, information_letter, provisional_code_letter
from app.extensions import db
from app.models import AuditEvent, Caisse, Letter, Person, User
from app.models.base import utcnow
from app.services.transactions import commit

# What the queue shows of a recipient: enough to match an envelope, not a full identity.
_RECIPIENT_COLUMNS = (Person.first_name, Person.last_name, Person.postal_code)

KIND_LABELS = {
    "code_provisoire": "Code provisoire de connexion",
    "changement_adresse": "Changement d'adresse",
    "changement_iban": "Changement de coordonnées bancaires",
}

# The back office prints a batch at a time: a stack a printer takes in one go, and a download
# link whose letter ids stay well within a URL's length limits.
PRINT_BATCH = 200


@dataclass(frozen=True)
class SentLetter:
    """A letter of the history, with the display name of the agent who marked it sent."""

    letter: Letter
    sent_by: str | None


def initials(person: Person) -> str:
    """``C. M.`` for Camille Martin: what the queue shows instead of the name."""
    return " ".join(f"{part.strip()[:1].upper()}." for part in (person.first_name, person.last_name) if part)


def _site_address() -> str:
    # Printed without the scheme: it is read from paper and typed by hand.
    parts = urlsplit(current_app.config.get("PUBLIC_BASE_URL") or "")
    return (parts.netloc + parts.path).rstrip("/")


def queue_provisional_code_letter(person: Person, code: str, expires_on: date, delay_text: str) -> Letter:
    """Render the letter carrying ``code`` to ``person``'s address and add it to their caisse's
    print queue, in the current transaction (the caller commits, with the code's token).

    The PDF holds the code in clear: it is erased by ``mark_sent`` once the letter is posted.
    """
    caisse = person.caisse or db.session.get(Caisse, person.caisse_id)
    pdf = provisional_code_letter(
        person,
        caisse.name,
        caisse.postal_address,
        code,
        expires_on,
        delay_text,
        site_address=_site_address(),
    )
    letter = Letter(kind="code_provisoire", caisse_id=caisse.id, person_id=person.id, pdf=pdf)
    db.session.add(letter)
    return letter


def queue_information_letter(
    person: Person, kind: str, subject: str, paragraphs: list[str], recipient: Recipient | None = None
) -> Letter:
    """Render a letter informing ``person`` of a change to their file and add it to their caisse's
    print queue, in the current transaction (the caller commits). ``recipient`` is the address it
    goes to when it is not the file's current one (the old address, after a move)."""
    caisse = person.caisse or db.session.get(Caisse, person.caisse_id)
    pdf = information_letter(recipient or person, caisse.name, caisse.postal_address, subject, paragraphs)
    letter = Letter(kind=kind, caisse_id=caisse.id, person_id=person.id, pdf=pdf)
    db.session.add(letter)
    return letter


def _pending(caisse_id: int) -> sa.Select:
    return sa.select(Letter).where(Letter.caisse_id == caisse_id, Letter.sent_at.is_(None))


def pending_letters(caisse_id: int, limit: int | None = None) -> list[Letter]:
    """The caisse's unsent letters, oldest first (the ``limit`` oldest if given), in one query:
    the recipient's name and postal code come along, the PDFs do not (they are only read to
    print)."""
    query = (
        _pending(caisse_id)
        .options(
            sa.orm.defer(Letter.pdf),
            joinedload(Letter.person).options(load_only(*_RECIPIENT_COLUMNS), sa.orm.lazyload(Person.caisse)),
        )
        .order_by(Letter.created_at, Letter.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def pending_count(caisse_id: int) -> int:
    """How many letters of the caisse wait to be printed."""
    query = sa.select(sa.func.count(Letter.id)).where(Letter.caisse_id == caisse_id, Letter.sent_at.is_(None))
    return db.session.scalar(query) or 0


def letters_pdf(caisse_id: int, letter_ids: list[int] | None = None) -> bytes:
    """One PDF of the caisse's pending letters (oldest first), or of those among ``letter_ids``;
    ids of another caisse or of letters already sent are ignored. Empty bytes when nothing is
    left to print."""
    query = (
        sa.select(Letter.pdf)
        .where(Letter.caisse_id == caisse_id, Letter.sent_at.is_(None), Letter.pdf.is_not(None))
        .order_by(Letter.created_at, Letter.id)
    )
    if letter_ids is not None:
        query = query.where(Letter.id.in_(letter_ids))
    pdfs = list(db.session.scalars(query))
    return combine(pdfs) if pdfs else b""


def mark_sent(caisse_id: int, letter_ids: list[int], agent: User) -> int:
    """Mark the caisse's pending letters among ``letter_ids`` as posted by ``agent``: erase their
    PDF (the code it carries must not outlive the envelope), audit each one for its recipient,
    commit. Return how many letters changed; other caisses' letters are never touched."""
    if not letter_ids:
        return 0
    # Locked (on PostgreSQL) so two agents marking the same batch audit each letter once.
    query = _pending(caisse_id).where(Letter.id.in_(letter_ids)).options(sa.orm.defer(Letter.pdf))
    letters = db.session.scalars(query.with_for_update()).all()
    now = utcnow()
    for letter in letters:
        letter.sent_at = now
        letter.sent_by_user_id = agent.id
        letter.pdf = None
        db.session.add(
            AuditEvent(
                kind="letter_sent",
                actor_user_id=agent.id,
                subject_person_id=letter.person_id,
                detail=f"courrier {letter.kind.replace('_', ' ')}",
            )
        )
    commit()
    return len(letters)


def sent_letters(caisse_id: int, limit: int = 50) -> list[SentLetter]:
    """The caisse's letters already posted, most recent first, with who marked them sent."""
    query = (
        sa.select(Letter, User.display_name)
        .outerjoin(User, User.id == Letter.sent_by_user_id)
        .where(Letter.caisse_id == caisse_id, Letter.sent_at.is_not(None))
        .options(
            sa.orm.defer(Letter.pdf),
            joinedload(Letter.person).options(load_only(*_RECIPIENT_COLUMNS), sa.orm.lazyload(Person.caisse)),
        )
        .order_by(Letter.sent_at.desc(), Letter.id.desc())
        .limit(limit)
    )
    return [SentLetter(letter, sent_by) for letter, sent_by in db.session.execute(query)]
