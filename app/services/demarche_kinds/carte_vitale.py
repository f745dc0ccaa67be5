"""Declaring a carte Vitale lost or stolen and ordering the new one (``carte_vitale``).

Filing deactivates the beneficiary's current card at once (``invalidee``, with the reason and the
moment): whoever holds it can no longer use it, and a card found again stays deactivated. When the
register has no card for them yet, one is recorded on the spot so the deactivation is on file. The
new card is ordered with an identity photo and an identity document: the agent accepts (the new
card ``commandee``), marks it posted (``expediee``), and the assuré says it arrived (``active``).
A refused or withdrawn request leaves the old card deactivated: a declared loss is not undone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from app.extensions import db
from app.models import Demarche, HealthCard, Person, User
from app.models.base import utcnow
from app.services.demarche_kinds import CannotAccept, KindHandler, payload_of, register
from app.services.demarche_kinds.ceam import card_of, card_text, today
from app.services.documents import file_members, paris_day

REASONS = {"perte": "Perte", "vol": "Vol"}
# A carte Vitale's serial number: our own 12 digits, made from the card's row.
SERIAL_DIGITS = 12


@dataclass(frozen=True)
class VitaleDetails:
    """What the démarche page shows: the reason and date, the old card and the new one."""

    reason: str
    lost_on: date
    old_card: HealthCard | None
    new_card: HealthCard | None


def old_card_of(demarche: Demarche) -> HealthCard | None:
    card_id = payload_of(demarche).get("ancienne_carte_id")
    if card_id is None:
        return None
    return db.session.scalar(
        sa.select(HealthCard).where(HealthCard.id == card_id, HealthCard.person_id == demarche.beneficiary_id)
    )


def details(demarche: Demarche) -> VitaleDetails:
    data = payload_of(demarche)
    return VitaleDetails(
        reason=data["motif"],
        lost_on=date.fromisoformat(data["date"]),
        old_card=old_card_of(demarche),
        new_card=card_of(demarche),
    )


def deactivate_current(member: Person, reason: str, at: datetime | None = None) -> HealthCard:
    """Deactivate ``member``'s carte Vitale in use (recorded on the spot when the register has
    none) for ``reason`` (perte, vol); no commit. Returns the deactivated card."""
    card = db.session.scalar(
        sa.select(HealthCard)
        .where(HealthCard.person_id == member.id, HealthCard.kind == "vitale", HealthCard.status == "active")
        .order_by(HealthCard.id.desc())
        .limit(1)
    )
    if card is None:
        card = HealthCard(person_id=member.id, kind="vitale", status="active")
        db.session.add(card)
    card.status = "invalidee"
    card.invalidated_at = at or utcnow()
    card.invalid_reason = reason
    db.session.flush()
    return card


class CarteVitale(KindHandler):
    ships_card = True

    def summary(self, demarche: Demarche) -> list[tuple[str, str]]:
        data = payload_of(demarche)
        lines = [
            ("Motif", REASONS[data["motif"]]),
            ("Date de la perte" if data["motif"] == "perte" else "Date du vol", _french(data["date"])),
        ]
        old = old_card_of(demarche)
        if old is not None and old.invalidated_at is not None:
            lines.append(("Ancienne carte", f"Désactivée le {paris_day(old.invalidated_at):%d/%m/%Y}"))
        lines.append(("Nouvelle carte", card_text(card_of(demarche))))
        return lines

    def on_accept(self, demarche: Demarche, agent: User) -> str:
        member = demarche.beneficiary
        if member is None or member not in file_members(demarche.person):
            raise CannotAccept("Ce bénéficiaire n'est plus rattaché au dossier de l'assuré(e).")
        if card_of(demarche) is None:
            db.session.add(
                HealthCard(person_id=member.id, kind="vitale", status="commandee", demarche_id=demarche.id)
            )
        return (
            f"La nouvelle carte Vitale de {member.full_name} est commandée. En attendant, votre "
            "attestation de droits, dans Mes documents, justifie de vos droits auprès des professionnels "
            "de santé."
        )

    def on_sent(self, demarche: Demarche, agent: User) -> None:
        card = card_of(demarche)
        if card is None:
            return
        card.status = "expediee"
        db.session.flush()
        card.serial = f"{card.id:0{SERIAL_DIGITS}d}"

    def on_delivered(self, demarche: Demarche) -> None:
        card = card_of(demarche)
        if card is None:
            return
        card.status = "active"
        card.valid_from = today()


def _french(iso: str) -> str:
    return f"{date.fromisoformat(iso):%d/%m/%Y}"


register("carte_vitale", CarteVitale())
