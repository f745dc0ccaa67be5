"""Care and money: health professionals, their API tokens, claims (feuilles de soins) liquidated
line by line, payments, and the PF/franchise debts recovered on later payments."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import one_of, utcnow
from app.models.caisse import Caisse
from app.models.register import Person

if TYPE_CHECKING:
    from app.models.sick_leave import IjPeriod  # sick_leave imports this module

SECTEURS = ("1", "2_optam", "2", "3")
MONEY = sa.Numeric(10, 2)


class Professional(db.Model):
    """A health professional known to the caisse (RPPS). Their web account points here."""

    __tablename__ = "professional"
    __table_args__ = (sa.CheckConstraint(one_of("secteur", SECTEURS), name="secteur_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rpps: Mapped[str] = mapped_column(sa.String(11), unique=True)
    last_name: Mapped[str] = mapped_column(sa.String(120))
    first_name: Mapped[str] = mapped_column(sa.String(120))
    profession: Mapped[str] = mapped_column(sa.String(80))
    specialty: Mapped[str] = mapped_column(sa.String(120), default="")
    secteur: Mapped[str] = mapped_column(sa.String(8), default="1")
    address_line: Mapped[str] = mapped_column(sa.String(200), default="")
    postal_code: Mapped[str] = mapped_column(sa.String(5), default="")
    commune_name: Mapped[str] = mapped_column(sa.String(120), default="")
    caisse_id: Mapped[int] = mapped_column(sa.ForeignKey("caisse.id"), index=True)
    iban: Mapped[str | None] = mapped_column(sa.String(34))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    caisse: Mapped[Caisse] = relationship()

    @property
    def display_name(self) -> str:
        return (
            f"Dr {self.first_name} {self.last_name}"
            if self.profession == "Médecin"
            else (f"{self.first_name} {self.last_name}")
        )


class ApiToken(db.Model):
    """A bearer token of a professional's billing software; only its hash is kept."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    professional_id: Mapped[int] = mapped_column(
        sa.ForeignKey("professional.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(80))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(12))
    # What the token may do, space-separated (``app.services.api_tokens.SCOPES``).
    scopes: Mapped[str] = mapped_column(
        sa.String(200),
        default="feuilles_de_soins arrets_de_travail",
        server_default="feuilles_de_soins arrets_de_travail",
    )

    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class Claim(db.Model):
    """A feuille de soins, liquidated: the décompte. ``assure`` is who opens the rights (and is
    paid unless tiers payant), ``patient`` who was treated (the assuré or an ayant droit)."""

    __tablename__ = "claim"
    __table_args__ = (
        sa.UniqueConstraint("professional_id", "idempotency_key", name="uq_claim_professional_idempotency"),
        sa.CheckConstraint(one_of("source", ("web", "api", "demo", "papier")), name="source_known"),
        sa.Index("ix_claim_patient_care_date", "patient_id", "care_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    professional_id: Mapped[int] = mapped_column(sa.ForeignKey("professional.id"), index=True)
    patient_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id", ondelete="CASCADE"))
    assure_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id", ondelete="CASCADE"), index=True)
    care_date: Mapped[date]
    tiers_payant: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str] = mapped_column(sa.String(10))
    lot_number: Mapped[str] = mapped_column(sa.String(20), index=True)
    invoice_number: Mapped[str] = mapped_column(sa.String(20), unique=True)
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(100))
    # SHA-256 of the submitted body: a key reused for another claim is refused, not replayed.
    request_hash: Mapped[str] = mapped_column(sa.String(64), default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    total_billed: Mapped[Decimal] = mapped_column(MONEY)
    total_base: Mapped[Decimal] = mapped_column(MONEY)
    total_amo: Mapped[Decimal] = mapped_column(MONEY)
    total_pf: Mapped[Decimal] = mapped_column(MONEY)
    total_franchises: Mapped[Decimal] = mapped_column(MONEY)
    total_depassements: Mapped[Decimal] = mapped_column(MONEY)
    total_refunded: Mapped[Decimal] = mapped_column(MONEY)
    c2s_part: Mapped[Decimal] = mapped_column(MONEY)
    reste_a_charge: Mapped[Decimal] = mapped_column(MONEY)
    debts: Mapped[Decimal] = mapped_column(MONEY)
    explanations: Mapped[str] = mapped_column(sa.Text, default="")

    professional: Mapped[Professional] = relationship()
    patient: Mapped[Person] = relationship(foreign_keys=[patient_id])
    lines: Mapped[list[ClaimLine]] = relationship(
        back_populates="claim", order_by="ClaimLine.position", cascade="all, delete-orphan"
    )


class ClaimLine(db.Model):
    """One act of a claim with every amount of its liquidation and why."""

    __tablename__ = "claim_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(sa.ForeignKey("claim.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    code: Mapped[str] = mapped_column(sa.String(12))
    label: Mapped[str] = mapped_column(sa.String(200))
    category: Mapped[str] = mapped_column(sa.String(20))
    act_date: Mapped[date]
    quantity: Mapped[int]
    billed: Mapped[Decimal] = mapped_column(MONEY)
    base: Mapped[Decimal] = mapped_column(MONEY)
    rate: Mapped[int]
    amo: Mapped[Decimal] = mapped_column(MONEY)
    c2s_part: Mapped[Decimal] = mapped_column(MONEY)
    depassement: Mapped[Decimal] = mapped_column(MONEY)
    pf: Mapped[Decimal] = mapped_column(MONEY)
    franchise: Mapped[Decimal] = mapped_column(MONEY)
    deducted: Mapped[Decimal] = mapped_column(MONEY)
    recovered_later: Mapped[Decimal] = mapped_column(MONEY)
    refunded: Mapped[Decimal] = mapped_column(MONEY)
    reste_a_charge: Mapped[Decimal] = mapped_column(MONEY)
    explanation: Mapped[str] = mapped_column(sa.Text, default="")

    claim: Mapped[Claim] = relationship(back_populates="lines")


class Payment(db.Model):
    """Money paid: to the assuré (shown in "Mes paiements") or to a professional (tiers payant).

    ``gross`` is what the claim gave, ``recovered`` the debts deducted from it, ``amount`` what
    was actually paid (gross − recovered)."""

    __tablename__ = "payment"
    __table_args__ = (
        sa.CheckConstraint(one_of("payee", ("assure", "professionnel")), name="payee_known"),
        sa.CheckConstraint(one_of("kind", ("soins", "ij")), name="kind_known"),
        sa.Index("ix_payment_person_paid_on", "person_id", "paid_on"),
        sa.Index("ix_payment_person_kind_paid_on", "person_id", "kind", "paid_on"),
        sa.Index("ix_payment_professional_paid_on", "professional_id", "paid_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id", ondelete="CASCADE"))
    beneficiary_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id", ondelete="CASCADE"), index=True)
    professional_id: Mapped[int | None] = mapped_column(sa.ForeignKey("professional.id"))
    claim_id: Mapped[int | None] = mapped_column(sa.ForeignKey("claim.id", ondelete="CASCADE"), index=True)
    payee: Mapped[str] = mapped_column(sa.String(14))
    kind: Mapped[str] = mapped_column(sa.String(8))
    gross: Mapped[Decimal] = mapped_column(MONEY)
    recovered: Mapped[Decimal] = mapped_column(MONEY)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    paid_on: Mapped[date]
    iban_last4: Mapped[str | None] = mapped_column(sa.String(4))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    claim: Mapped[Claim | None] = relationship()
    beneficiary: Mapped[Person] = relationship(foreign_keys=[beneficiary_id])
    professional: Mapped[Professional | None] = relationship()
    # The days an IJ payment paid, hence its arrêt (None for a refund of care); written through
    # ``IjPeriod.payment``.
    ij_period: Mapped[IjPeriod | None] = relationship(viewonly=True)


class Debt(db.Model):
    """PF and franchises not deducted at payment time (tiers payant): recovered later."""

    __tablename__ = "debt"
    __table_args__ = (sa.Index("ix_debt_person_remaining", "person_id", "remaining"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id", ondelete="CASCADE"))
    claim_id: Mapped[int] = mapped_column(sa.ForeignKey("claim.id", ondelete="CASCADE"), index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    remaining: Mapped[Decimal] = mapped_column(MONEY)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    claim: Mapped[Claim] = relationship()


class DebtRecovery(db.Model):
    """The part of a debt taken from a payment."""

    __tablename__ = "debt_recovery"

    id: Mapped[int] = mapped_column(primary_key=True)
    debt_id: Mapped[int] = mapped_column(sa.ForeignKey("debt.id", ondelete="CASCADE"), index=True)
    payment_id: Mapped[int] = mapped_column(sa.ForeignKey("payment.id", ondelete="CASCADE"), index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)

    debt: Mapped[Debt] = relationship()
