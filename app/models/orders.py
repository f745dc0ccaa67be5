"""Commandes d'imprimés: blank paper forms a professional orders from their caisse, which ships them."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import one_of, utcnow
from app.models.care import Professional
from app.models.user import User
from app.rules.form_orders import QUANTITY_MAX, QUANTITY_MIN

ORDER_STATUSES = ("en_attente", "expediee", "annulee")


class FormOrder(db.Model):
    """One order: ``quantity`` forms (exemplaires, 1 to 500; a multi-part liasse counts for one, see
    ``app.rules.form_orders``) of the catalogue's form ``form_slug``, to the delivery address typed
    by the professional.

    ``caisse_id`` is the professional's caisse when they ordered: the order stays in that caisse's
    queue if they later change caisse. ``en_attente`` becomes ``expediee`` (an agent of that caisse
    shipped it) or ``annulee`` (the professional cancelled it before), never anything else.
    """

    __tablename__ = "form_order"
    __table_args__ = (
        sa.CheckConstraint(one_of("status", ORDER_STATUSES), name="status_known"),
        sa.CheckConstraint(f"quantity BETWEEN {QUANTITY_MIN} AND {QUANTITY_MAX}", name="quantity_range"),
        sa.CheckConstraint("status != 'expediee' OR shipped_at IS NOT NULL", name="shipped_dated"),
        sa.CheckConstraint("status != 'annulee' OR cancelled_at IS NOT NULL", name="cancelled_dated"),
        # The caisse's queue, filtered by status; its first column also serves the caisse's foreign key.
        sa.Index("ix_form_order_caisse_status_created", "caisse_id", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    professional_id: Mapped[int] = mapped_column(sa.ForeignKey("professional.id"), index=True)
    caisse_id: Mapped[int] = mapped_column(sa.ForeignKey("caisse.id"))
    form_slug: Mapped[str] = mapped_column(sa.String(80))
    quantity: Mapped[int]
    recipient_name: Mapped[str] = mapped_column(sa.String(120))
    address_line: Mapped[str] = mapped_column(sa.String(200))
    address_complement: Mapped[str] = mapped_column(sa.String(200), default="")
    postal_code: Mapped[str] = mapped_column(sa.String(5))
    commune_name: Mapped[str] = mapped_column(sa.String(120))
    status: Mapped[str] = mapped_column(sa.String(12), default="en_attente")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    shipped_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    shipped_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    cancelled_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    professional: Mapped[Professional] = relationship()
    shipped_by: Mapped[User | None] = relationship()

    @property
    def pending(self) -> bool:
        return self.status == "en_attente"
