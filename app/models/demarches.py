"""Démarches (requests an assuré files instead of queueing at the accueil), their history and the
files sent with them; the cards (carte Vitale, CEAM) they order; the inbox of courriers and
decisions the caisse sends, with read receipts."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import one_of, utcnow
from app.models.caisse import Caisse
from app.models.register import Person

if TYPE_CHECKING:
    from app.models.user import User

# The kinds of démarche; their labels, delays and forms are in ``app/rules/demarches.py``.
DEMARCHE_KINDS = (
    "ceam",
    "carte_vitale",
    "medecin_traitant",
    "ayant_droit_ajout",
    "ayant_droit_retrait",
    "complementaire",
    "c2s",
    "adresse",
    "transfert",
    "iban",
    "telephone",
    "situation",
    "feuille_soins",
    "divorce",
)
# deposee: received, waiting for an agent; en_cours: an agent has it; piece_demandee: the caisse
# waits for a document from the assuré; attente_confirmation: waiting for the assuré's e-mail code or
# the doctor's confirmation; acceptee / refusee: decided; expediee: a card was posted; livree: the
# assuré received it; annulee: withdrawn by the assuré.
DEMARCHE_STATUSES = (
    "attente_confirmation",
    "deposee",
    "en_cours",
    "piece_demandee",
    "acceptee",
    "expediee",
    "livree",
    "refusee",
    "annulee",
)
OPEN_STATUSES = ("attente_confirmation", "deposee", "en_cours", "piece_demandee")
EVENT_KINDS = ("status", "document_demande", "document_ajoute", "note", "confirmation")
FILE_LABELS = (
    "photo",
    "piece_identite",
    "acte_naissance",
    "justificatif",
    "feuille_soins",
    "ordonnance",
    "ressources",
)
CARD_KINDS = ("vitale", "ceam")
CARD_STATUSES = ("commandee", "expediee", "active", "invalidee")
INBOX_KINDS = ("decision", "courrier")


class Demarche(db.Model):
    """One démarche. ``person_id`` is the assuré whose file it is (who follows it); ``beneficiary_id``
    the member it is about (the assuré or an ayant droit), empty when it is about the whole file.
    ``caisse_id`` is the caisse that processes it (the file's at filing time). ``payload`` is the
    form's JSON, read by the démarche's kind only. ``professional_rpps`` is the doctor asked to
    confirm (médecin traitant) and ``claim_id`` the claim keyed from a paper feuille de soins.
    ``due_on`` is the estimated processing date shown to the assuré and to the back office."""

    __tablename__ = "demarche"
    __table_args__ = (
        sa.CheckConstraint(one_of("kind", DEMARCHE_KINDS), name="kind_known"),
        sa.CheckConstraint(one_of("status", DEMARCHE_STATUSES), name="status_known"),
        # The back-office queue filters by caisse, then kind and/or status, oldest first.
        sa.Index("ix_demarche_caisse_status_created", "caisse_id", "status", "created_at"),
        sa.Index("ix_demarche_caisse_kind_status_created", "caisse_id", "kind", "status", "created_at"),
        # "En retard seulement": open ones past their estimated date.
        sa.Index("ix_demarche_caisse_due", "caisse_id", "due_on"),
        # "Mes démarches", newest first.
        sa.Index("ix_demarche_person_created", "person_id", "created_at"),
        # A doctor's confirmations to give.
        sa.Index("ix_demarche_rpps_status", "professional_rpps", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(30))
    status: Mapped[str] = mapped_column(sa.String(30))
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id", ondelete="CASCADE"))
    beneficiary_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    caisse_id: Mapped[int] = mapped_column(sa.ForeignKey("caisse.id"))
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    professional_rpps: Mapped[str | None] = mapped_column(sa.String(11))
    claim_id: Mapped[int | None] = mapped_column(sa.ForeignKey("claim.id", ondelete="SET NULL"), index=True)
    payload: Mapped[str] = mapped_column(sa.Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    due_on: Mapped[date]
    closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    assigned_to_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    reason: Mapped[str] = mapped_column(sa.Text, default="")

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    beneficiary: Mapped[Person | None] = relationship(foreign_keys=[beneficiary_id])
    caisse: Mapped[Caisse] = relationship()
    assigned_to: Mapped[User | None] = relationship(foreign_keys=[assigned_to_id])
    events: Mapped[list[DemarcheEvent]] = relationship(
        back_populates="demarche", order_by="DemarcheEvent.id", cascade="all, delete-orphan"
    )
    files: Mapped[list[DemarcheFile]] = relationship(
        back_populates="demarche", order_by="DemarcheFile.id", cascade="all, delete-orphan"
    )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def __repr__(self) -> str:
        return f"<Demarche {self.id} {self.kind} {self.status}>"


class DemarcheEvent(db.Model):
    """One step of a démarche's history. ``message`` is shown to the assuré (a reason, the documents
    asked for) unless ``internal``; ``status`` is the status it led to, if it changed one."""

    __tablename__ = "demarche_event"
    __table_args__ = (sa.CheckConstraint(one_of("kind", EVENT_KINDS), name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    demarche_id: Mapped[int] = mapped_column(sa.ForeignKey("demarche.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    kind: Mapped[str] = mapped_column(sa.String(30))
    status: Mapped[str | None] = mapped_column(sa.String(30))
    message: Mapped[str] = mapped_column(sa.Text, default="")
    internal: Mapped[bool] = mapped_column(default=False)
    actor_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(sa.String(160), default="")

    demarche: Mapped[Demarche] = relationship(back_populates="events")


class DemarcheFile(db.Model):
    """A file sent with a démarche, checked by content (``app.rules.uploads``); an image is stored
    re-encoded, without its metadata (EXIF: place, device)."""

    __tablename__ = "demarche_file"
    __table_args__ = (sa.CheckConstraint(one_of("label", FILE_LABELS), name="label_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    demarche_id: Mapped[int] = mapped_column(sa.ForeignKey("demarche.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(sa.String(30))
    filename: Mapped[str] = mapped_column(sa.String(120))
    content_type: Mapped[str] = mapped_column(sa.String(80))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
    uploaded_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))

    demarche: Mapped[Demarche] = relationship(back_populates="files")


class HealthCard(db.Model):
    """A carte Vitale or a CEAM of one person. A declared loss or theft invalidates the card at once
    (``invalidated_at``, ``invalid_reason``); the new card is ``commandee`` until posted, then
    ``active`` once delivered (carte Vitale) or valid from posting (CEAM, ``valid_until`` + 2 years)."""

    __tablename__ = "health_card"
    __table_args__ = (
        sa.CheckConstraint(one_of("kind", CARD_KINDS), name="kind_known"),
        sa.CheckConstraint(one_of("status", CARD_STATUSES), name="status_known"),
        sa.Index("ix_health_card_person_kind", "person_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(10))
    status: Mapped[str] = mapped_column(sa.String(12))
    serial: Mapped[str] = mapped_column(sa.String(20), default="")
    valid_from: Mapped[date | None]
    valid_until: Mapped[date | None]
    demarche_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("demarche.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    invalidated_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    invalid_reason: Mapped[str] = mapped_column(sa.String(30), default="")


class InboxItem(db.Model):
    """A courrier or a decision the caisse sent to an assuré's online space ("Mes courriers").

    ``read_at`` is the read receipt (shown to the back office on the démarche). An unread decision
    is announced again: by push after a day (``push_reminded_at``), by e-mail after 3 days
    (``email_reminded_at``) — decisions posted online and never read are a known harm."""

    __tablename__ = "inbox_item"
    __table_args__ = (
        sa.CheckConstraint(one_of("kind", INBOX_KINDS), name="kind_known"),
        sa.Index("ix_inbox_item_person_created", "person_id", "created_at"),
        sa.Index("ix_inbox_item_unread", "read_at", "kind", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id", ondelete="CASCADE"))
    demarche_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("demarche.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(sa.String(12))
    title: Mapped[str] = mapped_column(sa.String(160))
    body: Mapped[str] = mapped_column(sa.Text)
    sender: Mapped[str] = mapped_column(sa.String(160))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    push_reminded_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    email_reminded_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    demarche: Mapped[Demarche | None] = relationship()
