"""The account home's alerts that the user put away ("Masquer") or acted on (a payment's recovered
debts once its décompte was read): one row per user and alert key."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import utcnow


class AlertDismissal(db.Model):
    """An alert ``key`` (« medecin_traitant:12 », « recuperation:345 ») the user will not see again.

    Keys name the object they are about, so a new situation (another payment, another arrêt) gets a
    new alert; legal alerts (CGU, rights ending) are never dismissed (the service refuses)."""

    __tablename__ = "alert_dismissal"
    __table_args__ = (sa.UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(80))
    dismissed_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
