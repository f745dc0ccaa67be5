"""Claims (feuilles de soins): identify the patient, liquidate with the rules in force on the care
date and the person's counters of the year, store the décompte, pay (the assuré, or the professional
under tiers payant), record and recover PF/franchise debts, and announce the refund. One transaction.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from app.extensions import db
from app.models import Person, User
from app.models.base import utcnow
from app.models.care import Claim, ClaimLine, Debt, DebtRecovery, Payment, Professional
from app.models.pro_space import ProfessionalPayment
from app.rules import liquidation
from app.rules.liquidation import format_euros
from app.services.transactions import commit
from app.services.urls import path_for

ZERO = Decimal("0.00")


class ClaimRefused(ValueError):
    """A claim that cannot be accepted; the message is French and says why."""


@dataclass(frozen=True)
class Submission:
    claim: Claim
    created: bool  # False when an Idempotency-Key replayed an earlier submission


def open_on(start: date | None, end: date | None, day: date) -> bool:
    return start is not None and start <= day and (end is None or day <= end)


def find_patient(nir: str) -> Person | None:
    return db.session.scalar(sa.select(Person).where(Person.nir == nir))


def counters_for(patient: Person, year: int) -> liquidation.Counters:
    """The patient's PF/franchise counters of ``year`` from the décomptes already stored (3 queries)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    in_year = (
        sa.select(ClaimLine, Professional.rpps)
        .join(Claim, ClaimLine.claim_id == Claim.id)
        .join(Professional, Claim.professional_id == Professional.id)
        .where(Claim.patient_id == patient.id, ClaimLine.act_date.between(start, end))
    )
    pf_year = ZERO
    franchises_year = ZERO
    pf_by_day: dict[tuple[date, str], int] = {}
    paramedical: dict[date, Decimal] = {}
    transport: dict[date, Decimal] = {}
    for line, rpps in db.session.execute(in_year):
        pf_year += line.pf
        franchises_year += line.franchise
        if line.pf > 0:
            pf_by_day[(line.act_date, rpps)] = pf_by_day.get((line.act_date, rpps), 0) + 1
        if line.category == "paramedical" and line.franchise:
            paramedical[line.act_date] = paramedical.get(line.act_date, ZERO) + line.franchise
        if line.category == "transport" and line.franchise:
            transport[line.act_date] = transport.get(line.act_date, ZERO) + line.franchise
    return liquidation.Counters(
        pf_year=pf_year,
        franchises_year=franchises_year,
        pf_by_day_professional=pf_by_day,
        franchises_paramedical_by_day=paramedical,
        franchises_transport_by_day=transport,
    )


def request_hash(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def submit(
    professional: Professional,
    patient: Person,
    care_date: date,
    acts: list[liquidation.ActLine],
    *,
    tiers_payant: bool,
    ald: bool = False,
    maternite: bool = False,
    source: str = "web",
    idempotency_key: str | None = None,
    payload_hash: str = "",
    paid_on: date | None = None,
) -> Submission:
    """Liquidate and pay a feuille de soins. Raises ``ClaimRefused`` or the rules' ``RulesError``.

    With an ``idempotency_key`` already used by this professional, the earlier claim is returned
    (never paid twice); a key reused with another body is refused.
    """
    if idempotency_key:
        earlier = db.session.scalar(
            sa.select(Claim).where(
                Claim.professional_id == professional.id, Claim.idempotency_key == idempotency_key
            )
        )
        if earlier is not None:
            if payload_hash and earlier.request_hash and earlier.request_hash != payload_hash:
                raise ClaimRefused(
                    "Cette clé d'idempotence a déjà servi pour une autre feuille de soins : "
                    "utilisez une nouvelle clé pour une nouvelle feuille."
                )
            return Submission(earlier, created=False)
    assure = patient.ouvrant_droit or patient
    if not patient.rights_open_on(care_date):
        raise ClaimRefused("Les droits du patient ne sont pas ouverts à la date des soins.")
    if ald and not open_on(patient.ald_start, patient.ald_end, care_date):
        raise ClaimRefused("Le patient n'a pas d'exonération au titre d'une ALD à la date des soins.")
    situation = liquidation.CareSituation(
        birth_date=patient.birth_date,
        # Simplification documented in the README: a declared médecin traitant on the care date
        # means the care is in the parcours (by him or on his referral).
        parcours_de_soins=open_on(patient.medecin_traitant_since, None, care_date)
        or (patient.medecin_traitant_rpps is not None and patient.medecin_traitant_since is None),
        ald=ald,
        c2s=open_on(patient.c2s_start, patient.c2s_end, care_date),
        maternite=maternite,
        secteur=professional.secteur,
        date=care_date,
    )
    lines = [
        liquidation.ActLine(
            code=act.code,
            billed=act.billed,
            quantity=act.quantity,
            base=act.base,
            date=act.date,
            professional_id=professional.rpps,
        )
        for act in acts
    ]
    result = liquidation.liquidate(situation, lines, counters_for(patient, care_date.year), tiers_payant)
    claim = claim_of(
        result,
        professional_id=professional.id,
        patient_id=patient.id,
        assure_id=assure.id,
        care_date=care_date,
        tiers_payant=result.tiers_payant,
        source=source,
        lot_number=f"{care_date:%y%m%d}{professional.id % 10000:04d}",
        invoice_number=f"F{utcnow():%y%m%d}{secrets.token_hex(5).upper()}",
        idempotency_key=idempotency_key,
        request_hash=payload_hash,
    )
    db.session.add(claim)
    db.session.flush()
    if result.debts > 0:
        db.session.add(
            Debt(person_id=assure.id, claim_id=claim.id, amount=result.debts, remaining=result.debts)
        )
    payment = _pay(claim, assure, professional, result.total_refunded, paid_on or care_date)
    if payment is not None and payment.payee == "assure":
        _announce(assure, payment)
    try:
        commit()
    except sa.exc.IntegrityError:
        # The same Idempotency-Key submitted twice at once: the other request won; answer with its claim.
        db.session.rollback()
        if idempotency_key:
            earlier = db.session.scalar(
                sa.select(Claim).where(
                    Claim.professional_id == professional.id, Claim.idempotency_key == idempotency_key
                )
            )
            if earlier is not None:
                return Submission(earlier, created=False)
        raise
    return Submission(claim, created=True)


def claim_of(result: liquidation.Liquidation, **fields) -> Claim:
    """A ``Claim`` with the totals and the lines of a liquidation ``result`` (the décompte), and
    ``fields`` (who, when, lot and invoice numbers…); not added to the session."""
    claim = Claim(
        **fields,
        total_billed=result.total_billed,
        total_base=result.total_base,
        total_amo=result.total_amo,
        total_pf=result.total_pf,
        total_franchises=result.total_franchises,
        total_depassements=result.total_depassements,
        total_refunded=result.total_refunded,
        c2s_part=result.part_complementaire_c2s,
        reste_a_charge=result.reste_a_charge,
        debts=result.debts,
        explanations="\n".join(result.explanations),
    )
    for position, line in enumerate(result.lines):
        claim.lines.append(
            ClaimLine(
                position=position,
                code=line.code,
                label=line.label,
                category=line.category,
                act_date=line.date,
                quantity=line.quantity,
                billed=line.billed,
                base=line.base,
                rate=line.rate,
                amo=line.amo,
                c2s_part=line.part_complementaire_c2s,
                depassement=line.depassement,
                pf=line.pf,
                franchise=line.franchise,
                deducted=line.deducted,
                recovered_later=line.recovered_later,
                refunded=line.refunded,
                reste_a_charge=line.reste_a_charge,
                explanation="\n".join(line.explanations),
            )
        )
    return claim


def _pay(
    claim: Claim, assure: Person, professional: Professional, gross: Decimal, paid_on: date
) -> Payment | None:
    """Pay the refund: to the professional under tiers payant, else to the assuré."""
    if gross <= 0:
        return None
    payment = build_payment(
        assure,
        beneficiary_id=claim.patient_id,
        kind="soins",
        gross=gross,
        paid_on=paid_on,
        professional=professional,
        claim_id=claim.id,
        to_professional=claim.tiers_payant,
    )
    if payment.payee == "professionnel":
        # The same payment as the professional sees it in "Paiements", with its lot and invoice.
        db.session.add(
            ProfessionalPayment(
                professional_id=professional.id,
                kind="tiers_payant",
                lot_number=claim.lot_number,
                invoice_number=claim.invoice_number,
                beneficiary_id=claim.patient_id,
                claim_id=claim.id,
                care_date=claim.care_date,
                paid_on=payment.paid_on,
                amount=payment.amount,
            )
        )
    return payment


def build_payment(
    assure: Person,
    *,
    beneficiary_id: int,
    kind: str,
    gross: Decimal,
    paid_on: date,
    professional: Professional | None = None,
    claim_id: int | None = None,
    to_professional: bool = False,
) -> Payment:
    """One payment (a refund or IJ) to the assuré, or to ``professional`` under tiers payant; a
    payment to the assuré first recovers their outstanding debts."""
    payment = Payment(
        person_id=assure.id,
        beneficiary_id=beneficiary_id,
        professional_id=professional.id if professional is not None else None,
        claim_id=claim_id,
        payee="professionnel" if to_professional else "assure",
        kind=kind,
        gross=gross,
        recovered=ZERO,
        amount=gross,
        paid_on=paid_on,
        iban_last4=(professional.iban[-4:] if professional.iban else None)
        if to_professional and professional is not None
        else assure.iban_last4,
    )
    db.session.add(payment)
    if not to_professional:
        # Debts are the assuré's: they are taken from money paid to the assuré, never to a professional.
        db.session.flush()
        recover_debts(assure, payment)
    return payment


def recover_debts(person: Person, payment: Payment) -> Decimal:
    """Take the person's outstanding debts (oldest first) from ``payment``; return the total taken."""
    pending = sa.select(Debt).where(Debt.person_id == person.id, Debt.remaining > 0)
    if payment.claim_id is not None:
        # A refund never pays back the debt its own claim created (SQL ``!= NULL`` would match nothing).
        pending = pending.where(Debt.claim_id != payment.claim_id)
    debts = db.session.scalars(pending.order_by(Debt.created_at, Debt.id)).all()
    taken = ZERO
    for debt in debts:
        available = payment.gross - taken
        if available <= 0:
            break
        part = min(debt.remaining, available)
        debt.remaining -= part
        taken += part
        db.session.add(DebtRecovery(debt_id=debt.id, payment_id=payment.id, amount=part))
    payment.recovered = taken
    payment.amount = payment.gross - taken
    return taken


def _announce(assure: Person, payment: Payment) -> None:
    """In-app notification (and push) to the assuré's account, if they have one."""
    from app.services import notifications

    user = db.session.scalar(sa.select(User).where(User.person_id == assure.id))
    if user is None:
        return
    notifications.notify(
        user,
        "remboursement",
        f"Remboursement de {format_euros(payment.amount)}",
        "Un remboursement de soins a été payé.",
        path_for("paiements.detail", payment_id=payment.id),
        tag="remboursement",
        discreet_title="Nouveau paiement",
    )
