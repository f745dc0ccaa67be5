"""Réclamations paiements: why a professional contests a payment, which tab of their list a
réclamation sits in, and when it is archived (15 days after the caisse processed it). Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

ARCHIVE_AFTER = timedelta(days=15)
INVOICE_MAX = 20
MESSAGE_MAX = 3000
ANSWER_MAX = 3000


@dataclass(frozen=True)
class Reason:
    key: str
    label: str
    help: str


REASONS = (
    Reason(
        "paiement_non_recu",
        "Paiement non reçu",
        "Une facture transmise il y a plus de 10 jours n'apparaît dans aucun de vos paiements.",
    ),
    Reason(
        "montant_inexact",
        "Montant payé inexact",
        "Le montant versé ne correspond pas à la part obligatoire attendue pour les actes facturés.",
    ),
    Reason(
        "rejet_conteste",
        "Rejet de facture contesté",
        "Une facture a été rejetée et vous pensez que le motif du rejet ne s'applique pas.",
    ),
    Reason(
        "paiement_double",
        "Paiement en double",
        "Une même facture vous a été payée deux fois : la caisse vous indiquera comment régulariser.",
    ),
    Reason(
        "forfait_non_verse",
        "Forfait non versé",
        "Un forfait (médecin traitant, patient en ALD, aide à la télétransmission) n'a pas été versé.",
    ),
    Reason("autre", "Autre", "Toute autre question sur un paiement concernant ce patient."),
)
_BY_KEY = {reason.key: reason for reason in REASONS}

OPEN_STATUSES = ("deposee", "en_cours")
CLOSED_STATUSES = ("traitee", "rejetee")
# What the professional reads, and what the caisse's agents read.
STATUS_LABELS = {
    "deposee": "Déposée",
    "en_cours": "En cours de traitement",
    "traitee": "Traitée",
    "rejetee": "Rejetée",
}

EN_COURS = "en-cours"
TRAITEES = "traitees"
ARCHIVEES = "archivees"
TABS = {EN_COURS: "En cours", TRAITEES: "Traitées", ARCHIVEES: "Archivées"}


def reason_label(key: str) -> str:
    """The label of a reason key (the key itself for one no longer offered)."""
    reason = _BY_KEY.get(key)
    return reason.label if reason else key


def is_reason(key: str | None) -> bool:
    return key in _BY_KEY


def archive_limit(now: datetime) -> datetime:
    """A réclamation processed at or before this moment is archived."""
    return now - ARCHIVE_AFTER


def is_archived(processed_at: datetime | None, now: datetime) -> bool:
    """True once 15 days have passed since the caisse processed the réclamation (never while open)."""
    return processed_at is not None and processed_at <= archive_limit(now)


def tab_of(status: str, processed_at: datetime | None, now: datetime) -> str:
    """The tab of the professional's list a réclamation is shown in."""
    if status in OPEN_STATUSES or processed_at is None:
        return EN_COURS
    return ARCHIVEES if is_archived(processed_at, now) else TRAITEES
