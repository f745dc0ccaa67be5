"""Sick leave: the doctor's avis d'arrêt de travail (initial or prolongation), the employers and
their attestations de salaire, and the IJ computed for an arrêt and paid by periods.

An initial arrêt and its prolongations form one *episode*: prolongations point to the initial
arrêt (``initial_id``), and the IJ computation (SJB, carence) belongs to the initial one.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import one_of, utcnow
from app.models.care import Payment, Professional
from app.models.register import Person

MONEY = sa.Numeric(10, 2)
ARRET_KINDS = ("initial", "prolongation")
TEMPS = ("complet", "partiel")
SORTIES = ("interdites", "autorisees", "libres")
CATEGORIES = ("salarie", "demandeur_emploi", "independant")
# en_attente: waiting for the attestation(s) de salaire; calcule: IJ computed, being paid;
# non_eligible: studied, no IJ (the reason is in ``decision``); cloture: ended and paid in full.
ARRET_STATUSES = ("en_attente", "calcule", "non_eligible", "cloture")


class Arret(db.Model):
    """An avis d'arrêt de travail sent by a doctor for a patient."""

    __tablename__ = "arret"
    __table_args__ = (
        sa.CheckConstraint(one_of("kind", ARRET_KINDS), name="kind_known"),
        sa.CheckConstraint(one_of("temps", TEMPS), name="temps_known"),
        sa.CheckConstraint(one_of("sorties", SORTIES), name="sorties_known"),
        sa.CheckConstraint(one_of("category", CATEGORIES), name="category_known"),
        sa.CheckConstraint(one_of("status", ARRET_STATUSES), name="status_known"),
        sa.CheckConstraint("end_date >= start_date", name="dates_ordered"),
        sa.CheckConstraint(
            "(kind = 'initial' AND initial_id IS NULL) OR (kind = 'prolongation' AND initial_id IS NOT NULL)",
            name="prolongation_linked",
        ),
        sa.Index("ix_arret_person_start", "person_id", "start_date"),
        sa.Index("ix_arret_status_start", "status", "start_date"),
        sa.UniqueConstraint("professional_id", "idempotency_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id", ondelete="CASCADE"))
    professional_id: Mapped[int] = mapped_column(sa.ForeignKey("professional.id"), index=True)
    caisse_id: Mapped[int] = mapped_column(sa.ForeignKey("caisse.id"), index=True)
    initial_id: Mapped[int | None] = mapped_column(sa.ForeignKey("arret.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(12))
    start_date: Mapped[date]
    end_date: Mapped[date]
    temps: Mapped[str] = mapped_column(sa.String(8), default="complet")
    ald: Mapped[bool] = mapped_column(default=False)
    sorties: Mapped[str] = mapped_column(sa.String(12), default="autorisees")
    category: Mapped[str] = mapped_column(sa.String(20), default="salarie")
    # Coded medical reason: for the caisse's medical service only, never shown to anyone else.
    reason_code: Mapped[str] = mapped_column(sa.String(20), default="")
    source: Mapped[str] = mapped_column(sa.String(10), default="web")
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(100))
    request_hash: Mapped[str] = mapped_column(sa.String(64), default="")
    reference: Mapped[str] = mapped_column(sa.String(20), unique=True)
    status: Mapped[str] = mapped_column(sa.String(14), default="en_attente")
    # The computation, on the initial arrêt of an episode (None until computed).
    sjb: Mapped[Decimal | None] = mapped_column(MONEY)
    daily_amount: Mapped[Decimal | None] = mapped_column(MONEY)
    plafond_applique: Mapped[bool] = mapped_column(default=False)
    carence_days: Mapped[int] = mapped_column(default=0)
    first_paid_day: Mapped[date | None]
    decision: Mapped[str] = mapped_column(sa.Text, default="")
    computed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # The last day the IJ of the episode can be paid (its end, or earlier under the 360-day cap).
    payable_until: Mapped[date | None]
    paid_until: Mapped[date | None]
    closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    person: Mapped[Person] = relationship()
    professional: Mapped[Professional] = relationship()
    initial: Mapped[Arret | None] = relationship(remote_side=[id], back_populates="prolongations")
    prolongations: Mapped[list[Arret]] = relationship(back_populates="initial", order_by="Arret.start_date")


class Employer(db.Model):
    """An employer, by SIRET, that sends attestations de salaire. It signs in through a ``User`` of
    role "employeur" (``User.employer_id``): password, lockout and sessions are the accounts' own."""

    __tablename__ = "employer"

    id: Mapped[int] = mapped_column(primary_key=True)
    siret: Mapped[str] = mapped_column(sa.String(14), unique=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)


class EmployerToken(db.Model):
    """A bearer token of an employer's payroll software; only its hash is kept."""

    __tablename__ = "employer_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(sa.ForeignKey("employer.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(12))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    employer: Mapped[Employer] = relationship()


class SalaryAttestation(db.Model):
    """An employer's attestation de salaire for one arrêt of one employee: the gross salaries of the
    3 months before the arrêt and the hours worked."""

    __tablename__ = "salary_attestation"
    __table_args__ = (
        sa.UniqueConstraint("employer_id", "idempotency_key"),
        sa.Index("ix_salary_attestation_person_start", "person_id", "arret_start"),
        sa.CheckConstraint("hours_worked >= 0", name="hours_positive"),
        # One attestation per employer, employee and arrêt: a second one is refused (409).
        sa.UniqueConstraint(
            "employer_id", "person_id", "arret_start", name="uq_salary_attestation_employer_person_start"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(sa.ForeignKey("employer.id"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id", ondelete="CASCADE"))
    arret_id: Mapped[int | None] = mapped_column(sa.ForeignKey("arret.id", ondelete="SET NULL"), index=True)
    arret_start: Mapped[date]
    hours_worked: Mapped[int]
    receipt_number: Mapped[str] = mapped_column(sa.String(20), unique=True)
    source: Mapped[str] = mapped_column(sa.String(10), default="web")
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(100))
    request_hash: Mapped[str] = mapped_column(sa.String(64), default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    employer: Mapped[Employer] = relationship()
    person: Mapped[Person] = relationship()
    arret: Mapped[Arret | None] = relationship(backref="attestations")
    months: Mapped[list[SalaryMonth]] = relationship(
        cascade="all, delete-orphan", order_by="SalaryMonth.month"
    )

    @property
    def total(self) -> Decimal:
        return sum((month.gross for month in self.months), Decimal("0.00"))


class SalaryMonth(db.Model):
    """One month of gross salary on an attestation (``month`` is its first day)."""

    __tablename__ = "salary_month"
    __table_args__ = (
        sa.UniqueConstraint("attestation_id", "month"),
        sa.CheckConstraint("gross >= 0", name="gross_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attestation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("salary_attestation.id", ondelete="CASCADE"), index=True
    )
    month: Mapped[date]
    gross: Mapped[Decimal] = mapped_column(MONEY)


class IjPeriod(db.Model):
    """The days of an episode covered by one IJ payment (every calendar day from
    ``period_start`` to ``period_end``), with the daily amount applied and the gross amount."""

    __tablename__ = "ij_period"
    __table_args__ = (
        sa.UniqueConstraint("arret_id", "period_start"),
        sa.CheckConstraint("period_end >= period_start", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    arret_id: Mapped[int] = mapped_column(sa.ForeignKey("arret.id", ondelete="CASCADE"), index=True)
    payment_id: Mapped[int] = mapped_column(sa.ForeignKey("payment.id", ondelete="CASCADE"), unique=True)
    period_start: Mapped[date]
    period_end: Mapped[date]
    days: Mapped[int]
    daily_amount: Mapped[Decimal] = mapped_column(MONEY)
    gross: Mapped[Decimal] = mapped_column(MONEY)

    arret: Mapped[Arret] = relationship()
    payment: Mapped[Payment] = relationship()
