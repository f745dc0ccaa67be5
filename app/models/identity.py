"""Identity proofs and sign-in state: provisional codes, one-time tokens, known devices, passkeys,
the sign-in history, and the letters that carry provisional codes by post."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import one_of, utcnow
from app.models.caisse import Caisse
from app.models.register import Person

TOKEN_PURPOSES = (
    "activation",
    "reset",
    "email_verify",
    "login_code",
    "provisional",
    "demarche_code",
    "reactivation",
)


class OneTimeToken(db.Model):
    """A secret sent to the user (link by e-mail, 6-digit code, provisional code by post).

    Only its hash is stored. ``attempts`` counts wrong guesses for short codes; ``payload`` holds
    what the token confirms (a new e-mail address), never a secret.
    """

    __tablename__ = "one_time_token"
    __table_args__ = (
        sa.CheckConstraint(one_of("purpose", TOKEN_PURPOSES), name="purpose_known"),
        sa.Index("ix_one_time_token_user_purpose", "user_id", "purpose"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(sa.String(20))
    token_hash: Mapped[str] = mapped_column(sa.String(255), index=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(default=0)
    payload: Mapped[str] = mapped_column(sa.String(254), default="")


class KnownDevice(db.Model):
    """A browser the user chose to remember ("se souvenir de cet appareil") for 90 days."""

    __tablename__ = "known_device"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    label: Mapped[str] = mapped_column(sa.String(120), default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


class Passkey(db.Model):
    """A WebAuthn credential (passkey) registered by the user."""

    __tablename__ = "passkey"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    credential_id: Mapped[bytes] = mapped_column(sa.LargeBinary(1023), unique=True)
    public_key: Mapped[bytes] = mapped_column(sa.LargeBinary)
    sign_count: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    transports: Mapped[str] = mapped_column(sa.String(120), default="")
    name: Mapped[str] = mapped_column(sa.String(80))
    backed_up: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class SignIn(db.Model):
    """One sign-in, shown to the user in "Historique de connexion"."""

    __tablename__ = "sign_in"
    __table_args__ = (sa.Index("ix_sign_in_user_at", "user_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    ip: Mapped[str] = mapped_column(sa.String(45), default="")
    place: Mapped[str] = mapped_column(sa.String(120), default="")
    device: Mapped[str] = mapped_column(sa.String(120), default="")
    method: Mapped[str] = mapped_column(sa.String(80))


LETTER_KINDS = ("code_provisoire", "changement_iban", "changement_adresse")


class Letter(db.Model):
    """A letter waiting in its caisse's print queue (``/agent/courriers``).

    The PDF holds a secret (the provisional code): it is kept only until the letter is marked
    sent, then erased; the row stays as the record of what was posted and when.
    """

    __tablename__ = "letter"
    __table_args__ = (
        sa.CheckConstraint(one_of("kind", LETTER_KINDS), name="kind_known"),
        sa.Index("ix_letter_caisse_sent_created", "caisse_id", "sent_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    caisse_id: Mapped[int] = mapped_column(sa.ForeignKey("caisse.id"))
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(30))
    pdf: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    sent_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))

    caisse: Mapped[Caisse] = relationship()
    person: Mapped[Person] = relationship()
