"""Feuille de soins papier: the assuré sends a photo or scan of the paper feuille (and of the
prescription) with the beneficiary, the care date and the amount paid; an agent of the caisse keys
its acts, which ``app.services.claims.submit`` liquidates and pays like any claim (source
``papier``, never tiers payant: the assuré paid). The démarche then keeps the claim and is accepted
with the amount refunded.

``claims.submit`` commits the claim and its payment itself. The claim is keyed with the démarche's
number as idempotency key, so that if recording the decision failed afterwards, keying again finds
the claim already paid instead of paying twice.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from app.extensions import db
from app.models import Caisse, Demarche, Person, User
from app.models.care import Payment, Professional
from app.rules import territory
from app.rules.liquidation import ActLine, format_euros
from app.services import annuaire as annuaire_service
from app.services import claims, demarches
from app.services.demarche_kinds import payload_of
from app.services.transactions import commit
from app.services.uploads import CheckedFile

KIND = "feuille_soins"
MAX_PAID = Decimal("10000")
# Art. L332-1 of the Code de la sécurité sociale: the claim to a refund lapses two years after the
# first day of the quarter following the care.
PRESCRIPTION_YEARS = 2


class UnknownProfessional(ValueError):
    """The RPPS is neither a professional of the caisse nor in the Annuaire; French message."""


class SecteurNeeded(ValueError):
    """The professional must be created from the Annuaire, which does not know their secteur."""


def prescription_date(care_date: date) -> date:
    """The first day the refund of care given on ``care_date`` can no longer be asked for."""
    quarter_start_month = 3 * ((care_date.month - 1) // 3) + 1
    year, month = (
        (care_date.year + 1, 1) if quarter_start_month == 10 else (care_date.year, quarter_start_month + 3)
    )
    return date(year + PRESCRIPTION_YEARS, month, 1)


def is_prescribed(care_date: date, today: date) -> bool:
    return today >= prescription_date(care_date)


def file_feuille(
    user: User,
    beneficiary: Person,
    care_date: date,
    paid: Decimal,
    professional_name: str,
    files: list[tuple[str, CheckedFile]],
) -> Demarche:
    """File the démarche with its checked files; commits."""
    demarche = demarches.file_demarche(
        user,
        KIND,
        beneficiary=beneficiary,
        payload={
            "date_soins": care_date.isoformat(),
            "montant_paye": str(paid),
            "professionnel": professional_name,
        },
        files=files,
    )
    commit()
    return demarche


def _caisse_of_practice(entry, fallback: int) -> int:
    """The caisse of the commune of the professional's first place of practice (the caisse that
    pays them), else ``fallback``."""
    for activity in entry.activities:
        commune = territory.commune_by_insee(activity.structure.commune_insee)
        if commune is None:
            continue
        try:
            key = territory.caisse_for_commune(commune).key
        except LookupError:
            continue
        caisse_id = db.session.scalar(sa.select(Caisse.id).where(Caisse.key == key))
        if caisse_id is not None:
            return caisse_id
    return fallback


def professional_for(rpps: str, secteur: str, caisse_id: int) -> Professional:
    """The professional with this RPPS; one known only to the Annuaire santé is added to the caisse's
    professionals from its entry (no write for one already known; no commit). ``secteur`` is used
    when the Annuaire does not say it. Raises ``UnknownProfessional`` or ``SecteurNeeded``."""
    known = db.session.scalar(sa.select(Professional).where(Professional.rpps == rpps))
    if known is not None:
        return known
    entry = annuaire_service.practitioner("8" + rpps)
    if entry is None:
        raise UnknownProfessional(
            "Ce numéro RPPS n'est ni celui d'un professionnel connu de la caisse ni dans l'annuaire santé : "
            "vérifiez-le sur la feuille de soins."
        )
    if not (entry.secteur or secteur):
        raise SecteurNeeded(
            "L'annuaire santé ne donne pas le secteur de convention de ce professionnel : "
            "indiquez-le d'après la feuille de soins."
        )
    place = entry.activities[0].structure if entry.activities else None
    professional = Professional(
        rpps=rpps,
        last_name=entry.last_name,
        first_name=entry.first_name,
        profession=entry.profession,
        specialty=entry.specialty,
        secteur=entry.secteur or secteur,
        address_line=place.address_line if place else "",
        postal_code=place.postal_code if place else "",
        commune_name=place.commune_name if place else "",
        caisse_id=_caisse_of_practice(entry, caisse_id),
    )
    db.session.add(professional)
    db.session.flush()
    return professional


def _case(caisse_id: int, demarche_id: int) -> Demarche | None:
    return db.session.scalar(
        sa.select(Demarche)
        .where(Demarche.id == demarche_id, Demarche.caisse_id == caisse_id, Demarche.kind == KIND)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def key_acts(
    caisse_id: int,
    demarche_id: int,
    agent: User,
    *,
    rpps: str,
    secteur: str,
    care_date: date,
    acts: list[ActLine],
    ald: bool,
) -> Demarche | None:
    """Liquidate the keyed acts and pay the assuré, then accept the démarche with the amount
    refunded; commits. None outside the caisse; ``DemarcheClosed`` unless the démarche is open;
    ``UnknownProfessional``, ``SecteurNeeded``, ``claims.ClaimRefused`` or the rules' ``RulesError``
    (nothing stored: the caller rolls back) when the acts cannot be liquidated."""
    demarche = _case(caisse_id, demarche_id)
    if demarche is None:
        return None
    if demarche.status not in ("deposee", "en_cours", "piece_demandee") or demarche.claim_id is not None:
        raise demarches.DemarcheClosed(demarche)
    patient = demarche.beneficiary or demarche.person
    try:
        professional = professional_for(rpps, secteur, demarche.caisse_id)
        submission = claims.submit(
            professional,
            patient,
            care_date,
            acts,
            tiers_payant=False,
            ald=ald,
            source="papier",
            idempotency_key=f"demarche-{demarche.id}",
            payload_hash=claims.request_hash(
                {"rpps": rpps, "date": care_date, "ald": ald, "acts": [asdict(act) for act in acts]}
            ),
            paid_on=demarches.today(),
        )
    except Exception:
        db.session.rollback()  # a professional added from the Annuaire, and the lock, go with it
        raise
    claim = submission.claim
    demarche = _case(caisse_id, demarche_id)
    payment = db.session.scalar(
        sa.select(Payment).where(Payment.claim_id == claim.id, Payment.payee == "assure")
    )
    payload = payload_of(demarche)
    payload.update({"facture": claim.invoice_number, "rembourse": str(claim.total_refunded)})
    if payment is not None:
        payload["paiement_id"] = payment.id
    demarche.payload = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str)
    demarche.claim_id = claim.id
    demarche.assigned_to_id = demarche.assigned_to_id or agent.id
    demarches.decided(demarche, agent, accepted=True, text=_decision_text(claim, payment))
    commit()
    return demarche


def _decision_text(claim, payment: Payment | None) -> str:
    if payment is None:
        return (
            f"Les soins du {claim.care_date:%d/%m/%Y} (facture n° {claim.invoice_number}) ne donnent lieu à "
            "aucun versement : le détail du calcul est dans Mes paiements."
        )
    text = (
        f"Remboursement des soins du {claim.care_date:%d/%m/%Y} (facture n° {claim.invoice_number}) : "
        f"{format_euros(payment.gross)}"
    )
    if payment.recovered > 0:
        text += f", dont {format_euros(payment.recovered)} retenus pour des sommes dues"
    return (
        text + f". Virement de {format_euros(payment.amount)} du {payment.paid_on:%d/%m/%Y}, "
        "détaillé dans Mes paiements."
    )


def payment_id_of(demarche: Demarche) -> int | None:
    """The payment made to the assuré for the démarche's claim, if any (kept in the payload)."""
    value = payload_of(demarche).get("paiement_id")
    return int(value) if value is not None else None
