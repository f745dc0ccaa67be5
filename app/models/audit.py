"""Audit log: who did what to which account, kept for the user and the caisse to read."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import utcnow


class AuditEvent(db.Model):
    """One event. ``subject_person_id`` (or ``subject_user_id`` for a professional) is whose data it
    concerns (shown to them); ``detail`` never holds a NIR, an IBAN or a health fact."""

    __tablename__ = "audit_event"
    __table_args__ = (sa.Index("ix_audit_event_subject_at", "subject_person_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(sa.String(60), index=True)
    actor_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    subject_person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id", ondelete="CASCADE"))
    # An account whose data it concerns when there is no person (a professional's).
    subject_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    ip: Mapped[str | None] = mapped_column(sa.String(45))
    detail: Mapped[str] = mapped_column(sa.String(500), default="")
