"""Ordering a carte européenne d'assurance maladie for one beneficiary of the file (``ceam``).

Filing records the trip (departure, optional return and country) and, when the departure is less
than 15 days away, issues at once a certificat provisoire de remplacement (``certificat_ceam``,
valid 3 months, verifiable by its code), kept in the payload so the démarche page offers it. The
agent accepts: the card is ordered (a ``HealthCard`` ``commandee``); marked posted, it is valid
from that day for 2 years less a day (``expediee``); the assuré says it arrived (``active``), and
the beneficiary's previous CEAM, if any, is replaced.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.models import Demarche, HealthCard, IssuedDocument, Person, User
from app.models.base import utcnow
from app.models.demarches import OPEN_STATUSES
from app.rules import ceam as rules
from app.services import documents as documents_service
from app.services.demarche_kinds import CannotAccept, KindHandler, payload_of, register
from app.services.documents import file_members, paris_day

# A new request for the same beneficiary is pointless while one is under way (until delivery).
UNDER_WAY = (*OPEN_STATUSES, "acceptee", "expediee")
CARD_STATES = {
    "commandee": "Commandée",
    "expediee": "Expédiée",
    "active": "Reçue",
    "invalidee": "Désactivée",
}


def today() -> date:
    return paris_day(utcnow())


def card_of(demarche: Demarche) -> HealthCard | None:
    """The card ordered by the démarche (None until the agent accepts)."""
    return db.session.scalar(
        sa.select(HealthCard).where(HealthCard.demarche_id == demarche.id).order_by(HealthCard.id).limit(1)
    )


def under_way(holder: Person, kind: str, member: Person) -> Demarche | None:
    """The file's démarche of ``kind`` for ``member`` still under way (filed, accepted or posted),
    if any."""
    return db.session.scalar(
        sa.select(Demarche)
        .where(
            Demarche.person_id == holder.id,
            Demarche.kind == kind,
            Demarche.beneficiary_id == member.id,
            Demarche.status.in_(UNDER_WAY),
        )
        .limit(1)
    )


def card_text(card: HealthCard | None) -> str:
    """The card's state in a sentence fragment, for the summaries."""
    if card is None:
        return "Pas encore commandée"
    if card.status == "commandee":
        return "Commandée"
    if card.valid_from and card.valid_until:
        state = "Expédiée" if card.status == "expediee" else CARD_STATES[card.status]
        return f"{state}, valable du {card.valid_from:%d/%m/%Y} au {card.valid_until:%d/%m/%Y}"
    return CARD_STATES[card.status]


@dataclass(frozen=True)
class CeamDetails:
    """What the démarche page shows besides the summary: the trip, the card and the certificate."""

    departure: date
    return_on: date | None
    country: str | None
    card: HealthCard | None
    certificat: IssuedDocument | None
    certificat_expired: bool
    certificat_offered: bool


def trip_of(demarche: Demarche) -> tuple[date, date | None, str | None]:
    data = payload_of(demarche)
    return_on = date.fromisoformat(data["retour"]) if data.get("retour") else None
    return date.fromisoformat(data["depart"]), return_on, data.get("pays") or None


def certificat_of(demarche: Demarche) -> IssuedDocument | None:
    """The certificat provisoire issued with the démarche, if any."""
    document_id = payload_of(demarche).get("certificat_id")
    if document_id is None:
        return None
    return db.session.scalar(
        sa.select(IssuedDocument).where(
            IssuedDocument.id == document_id, IssuedDocument.person_id == demarche.person_id
        )
    )


def certificat_possible(demarche: Demarche, certificat: IssuedDocument | None, day: date) -> bool:
    """Whether the assuré may ask a certificat provisoire now: the card is not in their hands yet,
    the démarche was not refused or withdrawn, and no certificate of it is still valid."""
    if demarche.status in ("livree", "refusee", "annulee"):
        return False
    return certificat is None or certificat.valid_until < day


def details(demarche: Demarche) -> CeamDetails:
    departure, return_on, country = trip_of(demarche)
    certificat = certificat_of(demarche)
    day = today()
    return CeamDetails(
        departure=departure,
        return_on=return_on,
        country=rules.COUNTRIES.get(country or ""),
        card=card_of(demarche),
        certificat=certificat,
        certificat_expired=certificat is not None and certificat.valid_until < day,
        certificat_offered=certificat_possible(demarche, certificat, day),
    )


def attach_certificat(user: User, demarche: Demarche) -> IssuedDocument:
    """Issue a certificat provisoire for the démarche's beneficiary and record it in the payload;
    no commit. Raises ``documents.NotInFile`` when the beneficiary left the file."""
    document = documents_service.issue_certificat_ceam(user, demarche.beneficiary)
    data = payload_of(demarche)
    data["certificat_id"] = document.id
    demarche.payload = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return document


class Ceam(KindHandler):
    ships_card = True

    def summary(self, demarche: Demarche) -> list[tuple[str, str]]:
        departure, return_on, country = trip_of(demarche)
        lines = [("Date de départ", f"{departure:%d/%m/%Y}")]
        if return_on:
            lines.append(("Date de retour", f"{return_on:%d/%m/%Y}"))
        if country:
            lines.append(("Pays de séjour", rules.COUNTRIES.get(country, country)))
        lines.append(("Carte", card_text(card_of(demarche))))
        certificat = certificat_of(demarche)
        if certificat is not None:
            lines.append(
                ("Certificat provisoire", f"Délivré, valable jusqu'au {certificat.valid_until:%d/%m/%Y}")
            )
        return lines

    def on_accept(self, demarche: Demarche, agent: User) -> str:
        member = demarche.beneficiary
        if member is None or member not in file_members(demarche.person):
            raise CannotAccept("Ce bénéficiaire n'est plus rattaché au dossier de l'assuré(e).")
        if card_of(demarche) is None:
            db.session.add(
                HealthCard(person_id=member.id, kind="ceam", status="commandee", demarche_id=demarche.id)
            )
        low, high = rules.DELIVERY_DAYS
        return (
            f"La carte européenne d'assurance maladie de {member.full_name} est commandée : elle vous "
            f"parviendra sous {low} à {high} jours. Elle sera valable deux ans."
        )

    def on_sent(self, demarche: Demarche, agent: User) -> None:
        card = card_of(demarche)
        if card is None:
            return
        sent_on = today()
        card.status = "expediee"
        card.valid_from = sent_on
        card.valid_until = rules.card_valid_until(sent_on)
        db.session.flush()
        card.serial = rules.card_number(card.id)

    def on_delivered(self, demarche: Demarche) -> None:
        card = card_of(demarche)
        if card is None:
            return
        for previous in db.session.scalars(
            sa.select(HealthCard).where(
                HealthCard.person_id == card.person_id,
                HealthCard.kind == "ceam",
                HealthCard.status == "active",
                HealthCard.id != card.id,
            )
        ):
            previous.status = "invalidee"
            previous.invalidated_at = utcnow()
            previous.invalid_reason = "remplacee"
        card.status = "active"


register("ceam", Ceam())
