"""The messagerie: threads between an assuré or a professional and their caisse, the messages and
their attachments, and the caisse's reply templates."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import one_of, utcnow
from app.models.caisse import Caisse
from app.models.register import Person

if TYPE_CHECKING:
    from app.models.care import Professional
    from app.models.user import User

# nouveau: nobody at the caisse has acted on it yet; en_cours: an agent has it, or the user wrote
# again after a reply; attente_usager: the caisse answered, the user may reply; clos: closed by
# the user or the caisse (no more messages; a new thread is a new question).
THREAD_STATUSES = ("nouveau", "en_cours", "attente_usager", "clos")
OPEN_THREAD_STATUSES = ("nouveau", "en_cours", "attente_usager")
AUDIENCES = ("assure", "professionnel")
AUTHOR_SIDES = ("usager", "caisse")


def as_utc(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes (stored as UTC); PostgreSQL aware ones."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _later(written: datetime | None, seen: datetime | None) -> bool:
    """True when something was written after it was last seen."""
    return written is not None and (seen is None or as_utc(seen) < as_utc(written))


class MessageThread(db.Model):
    """One conversation. ``caisse_id`` is the caisse that answers it: the assuré's file's or the
    professional's, taken from the register when the thread is opened, never chosen by the user.
    ``user_id`` is the account that wrote it; ``person_id`` the assuré's file (None for a
    professional) and ``professional_id`` the professional's (None for an assuré).

    ``reply_due_at`` is when the caisse promised to answer the user's last message (48 h for an
    assuré, 3 working days for a professional); None while nothing waits for an answer.
    ``last_user_at``/``last_caisse_at`` are the times of the last message of each side and
    ``user_seen_at``/``caisse_seen_at`` when each side last opened the thread: unread markers."""

    __tablename__ = "message_thread"
    __table_args__ = (
        sa.CheckConstraint(one_of("status", THREAD_STATUSES), name="status_known"),
        sa.CheckConstraint(one_of("audience", AUDIENCES), name="audience_known"),
        sa.CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating_range"),
        # The caisse's inbox: by status (open ones), then motif or assignee, the oldest wait first.
        sa.Index("ix_message_thread_caisse_status_due", "caisse_id", "status", "reply_due_at"),
        sa.Index("ix_message_thread_caisse_motif_status", "caisse_id", "motif", "status"),
        sa.Index("ix_message_thread_caisse_assigned_status", "caisse_id", "assigned_to_id", "status"),
        sa.Index("ix_message_thread_caisse_last", "caisse_id", "last_message_at"),
        # "Mes messages", the latest first.
        sa.Index("ix_message_thread_user_last", "user_id", "last_message_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    caisse_id: Mapped[int] = mapped_column(sa.ForeignKey("caisse.id"))
    audience: Mapped[str] = mapped_column(sa.String(20))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id", ondelete="CASCADE"), index=True)
    professional_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("professional.id", ondelete="CASCADE"), index=True
    )
    demarche_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("demarche.id", ondelete="SET NULL"), index=True
    )
    motif: Mapped[str] = mapped_column(sa.String(40))
    subject: Mapped[str] = mapped_column(sa.String(120))
    status: Mapped[str] = mapped_column(sa.String(20), default="nouveau")
    assigned_to_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    last_message_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    last_user_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    last_caisse_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    user_seen_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    caisse_seen_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    reply_due_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    closed_by: Mapped[str] = mapped_column(sa.String(20), default="")
    rating: Mapped[int | None]
    rating_comment: Mapped[str] = mapped_column(sa.String(500), default="")
    rated_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    caisse: Mapped[Caisse] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    person: Mapped[Person | None] = relationship(foreign_keys=[person_id])
    professional: Mapped[Professional | None] = relationship(foreign_keys=[professional_id])
    assigned_to: Mapped[User | None] = relationship(foreign_keys=[assigned_to_id])
    messages: Mapped[list[Message]] = relationship(
        back_populates="thread", order_by="Message.id", cascade="all, delete-orphan"
    )

    @property
    def is_open(self) -> bool:
        return self.status != "clos"

    @property
    def unread_for_user(self) -> bool:
        return _later(self.last_caisse_at, self.user_seen_at)

    @property
    def unread_for_caisse(self) -> bool:
        return _later(self.last_user_at, self.caisse_seen_at)

    def __repr__(self) -> str:
        return f"<MessageThread {self.id} {self.status}>"


class Message(db.Model):
    """One message of a thread. ``side`` says who wrote it (the user or the caisse);
    ``internal`` marks an agent's note, never shown to the user. ``author_label`` is the name
    shown ("Vous", "Conseiller, CPAM de Paris") as it was when written."""

    __tablename__ = "message"
    __table_args__ = (sa.CheckConstraint(one_of("side", AUTHOR_SIDES), name="side_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(sa.ForeignKey("message_thread.id", ondelete="CASCADE"), index=True)
    side: Mapped[str] = mapped_column(sa.String(10))
    author_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    author_label: Mapped[str] = mapped_column(sa.String(160), default="")
    body: Mapped[str] = mapped_column(sa.Text)
    internal: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    thread: Mapped[MessageThread] = relationship(back_populates="messages")
    attachments: Mapped[list[MessageAttachment]] = relationship(
        back_populates="message", order_by="MessageAttachment.id", cascade="all, delete-orphan"
    )


class MessageAttachment(db.Model):
    """A file sent with a message, checked by content; an image is stored re-encoded without its
    metadata. ``filename`` is ours (``piece-1.pdf``), never the user's file name."""

    __tablename__ = "message_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(sa.ForeignKey("message.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(120))
    content_type: Mapped[str] = mapped_column(sa.String(120))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)

    message: Mapped[Message] = relationship(back_populates="attachments")


class ReplyTemplate(db.Model):
    """A reusable answer of one caisse's agents ("modèle de réponse"), optionally for one motif."""

    __tablename__ = "reply_template"
    __table_args__ = (sa.UniqueConstraint("caisse_id", "title", name="uq_reply_template_caisse_title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    caisse_id: Mapped[int] = mapped_column(sa.ForeignKey("caisse.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(120))
    motif: Mapped[str] = mapped_column(sa.String(40), default="")
    body: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
