"""The caisse's register of insured people: assurés and their ayants droit.

Web accounts attach to a row of this register; they never create one. Rights, médecin traitant, ALD
and C2S are dated so the refund engine can ask "what was true on the date of care".
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import utcnow
from app.models.caisse import Caisse

LIENS = {"assure": "Assuré(e)", "conjoint": "Conjoint(e)", "enfant": "Enfant", "autre": "Autre"}


class Person(db.Model):
    """A person known to the caisse. ``ouvrant_droit`` is empty for an assuré, set for an ayant
    droit (who then has a ``rang`` ≥ 2 on the attestation de droits)."""

    __tablename__ = "person"
    __table_args__ = (
        sa.CheckConstraint("rang >= 1", name="rang_positive"),
        sa.CheckConstraint("sex IN ('F', 'M')", name="sex_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    nir: Mapped[str | None] = mapped_column(sa.String(15), unique=True)
    sex: Mapped[str] = mapped_column(sa.String(1))
    last_name: Mapped[str] = mapped_column(sa.String(120))
    first_name: Mapped[str] = mapped_column(sa.String(120))
    birth_date: Mapped[date]
    address_line: Mapped[str] = mapped_column(sa.String(200), default="")
    address_complement: Mapped[str] = mapped_column(sa.String(200), default="")
    postal_code: Mapped[str] = mapped_column(sa.String(5))
    commune_insee: Mapped[str] = mapped_column(sa.String(5))
    commune_name: Mapped[str] = mapped_column(sa.String(120))
    caisse_id: Mapped[int] = mapped_column(sa.ForeignKey("caisse.id"), index=True)
    rights_start: Mapped[date]
    rights_end: Mapped[date | None]
    iban: Mapped[str | None] = mapped_column(sa.String(34))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    medecin_traitant_rpps: Mapped[str | None] = mapped_column(sa.String(11))
    medecin_traitant_since: Mapped[date | None]
    ald_start: Mapped[date | None]
    ald_end: Mapped[date | None]
    c2s_start: Mapped[date | None]
    c2s_end: Mapped[date | None]
    # Maternité window (1st day of the 6th month of pregnancy to 12 days after delivery), when known.
    maternity_start: Mapped[date | None]
    maternity_end: Mapped[date | None]
    ouvrant_droit_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    rang: Mapped[int] = mapped_column(default=1)
    lien: Mapped[str] = mapped_column(sa.String(20), default="assure")
    # A child attached to both parents (double rattachement): the other parent's file lists them too.
    second_ouvrant_droit_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    # Complémentaire santé (organisme complémentaire, AMC): its name and the member's number.
    amc_name: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")
    amc_number: Mapped[str] = mapped_column(sa.String(20), default="", server_default="")
    # Monthly participation to the C2S (None: free C2S, or no C2S).
    c2s_participation: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2))
    activity: Mapped[str] = mapped_column(sa.String(30), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    caisse: Mapped[Caisse] = relationship(lazy="joined")
    ouvrant_droit: Mapped[Person | None] = relationship(
        remote_side=[id], back_populates="ayants_droit", foreign_keys=[ouvrant_droit_id]
    )
    # "all" without "delete-orphan": an ayant droit who becomes an assuré (ouvrant droit unset) is
    # kept; deleting an assuré deletes their ayants droit (also ON DELETE CASCADE in the database).
    ayants_droit: Mapped[list[Person]] = relationship(
        back_populates="ouvrant_droit",
        order_by="Person.rang",
        cascade="all",
        passive_deletes=True,
        foreign_keys=[ouvrant_droit_id],
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name.upper()}"

    @property
    def iban_last4(self) -> str | None:
        return self.iban[-4:] if self.iban else None

    def rights_open_on(self, day: date) -> bool:
        return self.rights_start <= day and (self.rights_end is None or day <= self.rights_end)

    def __repr__(self) -> str:
        return f"<Person {self.id}>"
