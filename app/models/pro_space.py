"""The professional's space: what the caisse paid them (every kind of payment, with its lot and
invoice numbers), the consents of patients to show their refund history, and the réclamations
about payments."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import one_of, utcnow
from app.models.caisse import Caisse
from app.models.care import MONEY, Claim, Professional
from app.models.register import Person

# tiers_payant: the caisse's part of a claim paid to the professional; forfait_medecin_traitant:
# the forfait patientèle médecin traitant; forfait_ald: the forfait for a patient in ALD; garde:
# the permanence des soins (astreinte, régulation); aide_teletransmission: the yearly aide to
# télétransmission (forfait structure).
PRO_PAYMENT_KINDS = (
    "tiers_payant",
    "forfait_medecin_traitant",
    "forfait_ald",
    "garde",
    "aide_teletransmission",
)
PRO_PAYMENT_STATUSES = ("payee", "rejetee")


class ProfessionalPayment(db.Model):
    """One line of what the caisse paid (or refused to pay) a professional. ``lot_number`` and
    ``invoice_number`` are those of the transmission (for a forfait: the caisse's reference);
    ``beneficiary_id`` is the patient, when the payment is about one; ``claim_id`` the décompte
    behind a tiers payant; ``reject_reason`` why an invoice was rejected (``status`` rejetee,
    ``amount`` 0). ``paid_on`` is the date of the transfer (or of the rejection)."""

    __tablename__ = "professional_payment"
    __table_args__ = (
        sa.CheckConstraint(one_of("kind", PRO_PAYMENT_KINDS), name="kind_known"),
        sa.CheckConstraint(one_of("status", PRO_PAYMENT_STATUSES), name="status_known"),
        # The list: by professional, the latest first; each filter has its index.
        sa.Index("ix_professional_payment_pro_paid_on", "professional_id", "paid_on"),
        sa.Index("ix_professional_payment_pro_lot", "professional_id", "lot_number"),
        sa.Index("ix_professional_payment_pro_invoice", "professional_id", "invoice_number"),
        sa.Index("ix_professional_payment_pro_beneficiary", "professional_id", "beneficiary_id", "paid_on"),
        sa.Index("ix_professional_payment_pro_kind", "professional_id", "kind", "paid_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    professional_id: Mapped[int] = mapped_column(sa.ForeignKey("professional.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(30))
    status: Mapped[str] = mapped_column(sa.String(10), default="payee")
    lot_number: Mapped[str] = mapped_column(sa.String(20), default="")
    invoice_number: Mapped[str] = mapped_column(sa.String(20), default="")
    label: Mapped[str] = mapped_column(sa.String(200), default="")
    beneficiary_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id", ondelete="SET NULL"))
    claim_id: Mapped[int | None] = mapped_column(sa.ForeignKey("claim.id", ondelete="SET NULL"), index=True)
    care_date: Mapped[date | None]
    paid_on: Mapped[date]
    amount: Mapped[Decimal] = mapped_column(MONEY)
    reject_reason: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    professional: Mapped[Professional] = relationship()
    beneficiary: Mapped[Person | None] = relationship()
    claim: Mapped[Claim | None] = relationship()


CONSENT_METHODS = ("code", "push")
# en_attente: a code given or a request pushed, not used/answered yet; accordee: the patient
# agreed (code typed by the professional, or request approved): the history is open until
# ``access_until``; refusee: the patient said no; expiree: nothing happened in time.
CONSENT_STATUSES = ("en_attente", "accordee", "refusee", "expiree", "retiree")


class HistoryConsent(db.Model):
    """A patient's consent to show a professional the care refunded over the last 12 months.

    By code: the patient (or the holder of the file, for a child) makes a one-time code in their
    account for one professional (``code_hash``, valid until ``expires_at``, 10 minutes); the
    professional types it. By push: the professional asks, the patient approves in their account.
    """

    __tablename__ = "history_consent"
    __table_args__ = (
        sa.CheckConstraint(one_of("method", CONSENT_METHODS), name="method_known"),
        sa.CheckConstraint(one_of("status", CONSENT_STATUSES), name="status_known"),
        sa.Index("ix_history_consent_pro_person_status", "professional_id", "person_id", "status"),
        sa.Index("ix_history_consent_person_created", "person_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id", ondelete="CASCADE"))
    professional_id: Mapped[int] = mapped_column(sa.ForeignKey("professional.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    method: Mapped[str] = mapped_column(sa.String(10))
    status: Mapped[str] = mapped_column(sa.String(12), default="en_attente")
    code_hash: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    access_until: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    person: Mapped[Person] = relationship()
    professional: Mapped[Professional] = relationship()


RECLAMATION_STATUSES = ("deposee", "en_cours", "traitee", "rejetee")


class PaymentReclamation(db.Model):
    """A professional's réclamation about a payment, sent to the patient's caisse: the reason (see
    ``app/rules/reclamations.py``), the invoice concerned, a message and files; the caisse answers
    and closes it (``processed_at``); it is archived 15 days later."""

    __tablename__ = "payment_reclamation"
    __table_args__ = (
        sa.CheckConstraint(one_of("status", RECLAMATION_STATUSES), name="status_known"),
        sa.Index("ix_payment_reclamation_caisse_status_created", "caisse_id", "status", "created_at"),
        sa.Index("ix_payment_reclamation_pro_created", "professional_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    professional_id: Mapped[int] = mapped_column(sa.ForeignKey("professional.id", ondelete="CASCADE"))
    caisse_id: Mapped[int] = mapped_column(sa.ForeignKey("caisse.id"))
    patient_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    invoice_number: Mapped[str] = mapped_column(sa.String(20), default="")
    reason: Mapped[str] = mapped_column(sa.String(40))
    message: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[str] = mapped_column(sa.String(10), default="deposee")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    processed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    answer: Mapped[str] = mapped_column(sa.Text, default="")

    professional: Mapped[Professional] = relationship()
    caisse: Mapped[Caisse] = relationship()
    patient: Mapped[Person | None] = relationship()
    files: Mapped[list[ReclamationFile]] = relationship(
        back_populates="reclamation", order_by="ReclamationFile.id", cascade="all, delete-orphan"
    )


class ReclamationFile(db.Model):
    """A file sent with a réclamation, checked by content; ``filename`` is ours."""

    __tablename__ = "reclamation_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    reclamation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("payment_reclamation.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(sa.String(120))
    content_type: Mapped[str] = mapped_column(sa.String(120))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)

    reclamation: Mapped[PaymentReclamation] = relationship(back_populates="files")
