"""Demo data of the professional's "Paiements": a year of what the caisse paid Dr Sophie Durand.

Every kind of payment: two tiers-payant lots a week of 3 to 8 invoices for patients of the register
(each with its décompte, liquidated by the real engine, and the tiers-payant payment the patient
sees in their account), the forfait patientèle médecin traitant each quarter, forfaits for a few
patients in ALD, gardes (permanence des soins) a few times a month and the yearly aide à la
télétransmission; a few invoices rejected with their reason.

Deterministic (``random.Random(SEED)``, dates counted back from today) and idempotent: nothing is
added when she already has a payment that no claim of hers created (the forfaits always exist).
The named demo people (Camille, Léo, Louis) are left out: their own pages keep their own figures.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.extensions import db
from app.models import Person
from app.models.care import Debt, Payment, Professional
from app.models.pro_space import ProfessionalPayment
from app.rules import liquidation, tariffs
from app.rules.liquidation import ActLine
from app.services.claims import claim_of
from app.services.demo import CAMILLE_NIR, LEO_NIR, LOUIS_NIR

DOCTOR_RPPS = "10101010105"
SEED = 2026
DAYS = 365
BENEFICIARIES = 40
ZERO = Decimal("0.00")
REJECT_REASONS = (
    "Droits fermés à la date des soins",
    "Doublon : facture déjà payée",
    "NIR du bénéficiaire inconnu",
    "Prescription absente",
)
# One invoice in about 30 is rejected.
P_REJECT = 1 / 30
QUARTER_NAMES = {1: "1er", 2: "2e", 3: "3e", 4: "4e"}


def _beneficiaries(doctor: Professional, today: date) -> list[Person]:
    """Up to ``BENEFICIARIES`` people with open rights, those of her caisse first (a small demo
    register may hold few of them), by id: the same people on every run."""
    named = (CAMILLE_NIR, LEO_NIR, LOUIS_NIR)
    open_rights = sa.or_(Person.rights_end.is_(None), Person.rights_end >= today)
    base = (
        sa.select(Person)
        .where(
            Person.nir.is_not(None),
            Person.nir.not_in(named),
            Person.rights_start <= today - timedelta(days=DAYS),
        )
        .where(open_rights)
        .order_by(Person.id)
        .limit(BENEFICIARIES)
    )
    people = list(db.session.scalars(base.where(Person.caisse_id == doctor.caisse_id)))
    if len(people) < BENEFICIARIES:
        people += db.session.scalars(
            base.where(Person.caisse_id != doctor.caisse_id).limit(BENEFICIARIES - len(people))
        )
    return people


def _acts(rng: random.Random, patient: Person, on: date) -> list[ActLine]:
    roll = rng.random()
    code = "G" if roll < 0.82 else ("VG" if roll < 0.92 else "TCG")
    acts = [ActLine(code, tariffs.act(code, on).tariff, professional_id=DOCTOR_RPPS)]
    age = (
        on.year
        - patient.birth_date.year
        - ((on.month, on.day) < (patient.birth_date.month, patient.birth_date.day))
    )
    if code != "TCG" and age < 6:
        acts.append(ActLine("MEG", tariffs.act("MEG", on).tariff, professional_id=DOCTOR_RPPS))
    return acts


def _within(start: date | None, end: date | None, day: date) -> bool:
    return start is not None and start <= day and (end is None or day <= end)


def _invoice(
    doctor: Professional, patient: Person, on: date, lot: str, number: str, paid_on: date, rng: random.Random
) -> list[object]:
    """A tiers-payant invoice liquidated by the engine: the claim and its lines, the payment to the
    doctor (as the patient sees it and as she does) and the debt of the PF not deducted."""
    assure = patient.ouvrant_droit or patient
    situation = liquidation.CareSituation(
        birth_date=patient.birth_date,
        parcours_de_soins=True,
        ald=_within(patient.ald_start, patient.ald_end, on),
        c2s=_within(patient.c2s_start, patient.c2s_end, on),
        maternite=False,
        secteur=doctor.secteur,
        date=on,
    )
    result = liquidation.liquidate(situation, _acts(rng, patient, on), liquidation.Counters(), True)
    claim = claim_of(
        result,
        professional_id=doctor.id,
        patient_id=patient.id,
        assure_id=assure.id,
        care_date=on,
        tiers_payant=True,
        source="demo",
        lot_number=lot,
        invoice_number=number,
        created_at=datetime.combine(on, time(18, 30), tzinfo=UTC),
    )
    rows: list[object] = [
        claim,
        Payment(
            person_id=assure.id,
            beneficiary_id=patient.id,
            professional_id=doctor.id,
            claim=claim,
            payee="professionnel",
            kind="soins",
            gross=result.total_refunded,
            recovered=ZERO,
            amount=result.total_refunded,
            paid_on=paid_on,
            iban_last4=doctor.iban[-4:] if doctor.iban else None,
        ),
        ProfessionalPayment(
            professional_id=doctor.id,
            kind="tiers_payant",
            status="payee",
            lot_number=lot,
            invoice_number=number,
            beneficiary_id=patient.id,
            claim=claim,
            care_date=on,
            paid_on=paid_on,
            amount=result.total_refunded,
        ),
    ]
    if result.debts > 0:
        rows.append(Debt(person_id=assure.id, claim=claim, amount=result.debts, remaining=result.debts))
    return rows


def _tiers_payant(
    doctor: Professional, people: list[Person], today: date, rng: random.Random
) -> list[object]:
    """Lots sent on Tuesdays and Fridays, paid two working days later."""
    rows: list[object] = []
    counters: dict[int, int] = {}
    start = today - timedelta(days=DAYS)
    for offset in range(DAYS + 1):
        sent = start + timedelta(days=offset)
        if sent.weekday() not in (1, 4):
            continue
        paid_on = sent + timedelta(days=4 if sent.weekday() == 4 else 2)
        if paid_on > today:
            continue
        lot = f"L{sent.year}-{sent.timetuple().tm_yday:03d}{1 if sent.weekday() == 1 else 2}"
        for _ in range(rng.randint(3, 8)):
            if sent.year not in counters:
                counters[sent.year] = 4000 + rng.randint(0, 200)
            counters[sent.year] += rng.randint(1, 3)
            number = f"F{sent:%y}-{counters[sent.year]:06d}"
            on = sent - timedelta(days=rng.randint(0, 3))
            patient = rng.choice(people)
            if rng.random() < P_REJECT:
                reason = rng.choice(REJECT_REASONS)
                rows.append(
                    ProfessionalPayment(
                        professional_id=doctor.id,
                        kind="tiers_payant",
                        status="rejetee",
                        lot_number=lot,
                        invoice_number=number,
                        beneficiary_id=None if reason == "NIR du bénéficiaire inconnu" else patient.id,
                        care_date=on,
                        paid_on=paid_on,
                        amount=ZERO,
                        reject_reason=reason,
                    )
                )
                continue
            rows.extend(_invoice(doctor, patient, on, lot, number, paid_on, rng))
    return rows


def _forfaits(doctor: Professional, people: list[Person], today: date, rng: random.Random) -> list[object]:
    """The forfait patientèle médecin traitant of each quarter (paid the month after it), the
    forfait of a few patients in ALD, the gardes and the aide à la télétransmission."""
    start = today - timedelta(days=DAYS)
    rows: list[object] = []

    def add(kind: str, paid_on: date, amount: Decimal, label: str, reference: str, **extra) -> None:
        if start <= paid_on <= today:
            rows.append(
                ProfessionalPayment(
                    professional_id=doctor.id,
                    kind=kind,
                    status="payee",
                    invoice_number=reference,
                    label=label,
                    paid_on=paid_on,
                    amount=amount,
                    **extra,
                )
            )

    for year in (start.year, today.year):
        for quarter in range(1, 5):
            pay_year, pay_month = (year + 1, 1) if quarter == 4 else (year, quarter * 3 + 1)
            patients = rng.randint(880, 1010)
            amount = (Decimal(patients) * Decimal("2.35")).quantize(Decimal("0.01"))
            add(
                "forfait_medecin_traitant",
                date(pay_year, pay_month, 20),
                amount,
                f"Forfait patientèle médecin traitant, {QUARTER_NAMES[quarter]} trimestre {year} "
                f"({patients} patients)",
                f"FPMT-{year}-T{quarter}",
            )
        add(
            "aide_teletransmission",
            date(year, 4, 28),
            Decimal("400.00"),
            f"Aide à la télétransmission (forfait structure), année {year - 1}",
            f"AT-{year - 1}",
        )
    in_ald = [p for p in people if p.ald_start is not None] + [p for p in people if p.ald_start is None]
    ald_day = date(today.year, 3, 16)
    if ald_day > today:
        ald_day = date(today.year - 1, 3, 16)
    for number, patient in enumerate(in_ald[:5], start=1):
        add(
            "forfait_ald",
            ald_day,
            Decimal("40.00"),
            f"Forfait patient en ALD, année {ald_day.year - 1}",
            f"ALD-{ald_day.year - 1}-{number:03d}",
            beneficiary_id=patient.id,
        )
    day = start
    while day <= today:
        month_days = sorted(rng.sample(range(1, 28), rng.randint(2, 4)))
        for garde_day in month_days:
            on = date(day.year, day.month, garde_day)
            if on < start:
                continue
            night = on.weekday() < 5
            add(
                "garde",
                on + timedelta(days=rng.randint(20, 30)),
                Decimal("150.00") if night else Decimal("360.00"),
                (
                    f"Astreinte de permanence des soins, nuit du {on:%d/%m/%Y}"
                    if night
                    else f"Régulation de permanence des soins, {on:%d/%m/%Y} (4 heures)"
                ),
                f"PDSA-{on:%y%m%d}",
                care_date=on,
            )
        day = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
    return rows


def load_pro_payments_demo(today: date | None = None) -> int:
    """Add Dr Durand's year of payments unless she already has some; return how many were added."""
    doctor = db.session.scalar(sa.select(Professional).where(Professional.rpps == DOCTOR_RPPS))
    if doctor is None:
        return 0
    already = db.session.scalar(
        sa.select(ProfessionalPayment.id)
        .where(ProfessionalPayment.professional_id == doctor.id, ProfessionalPayment.claim_id.is_(None))
        .limit(1)
    )
    if already is not None:
        return 0
    today = today or date.today()
    rng = random.Random(SEED)
    people = _beneficiaries(doctor, today)
    if not people:
        return 0
    rows = _tiers_payant(doctor, people, today, rng) + _forfaits(doctor, people, today, rng)
    db.session.add_all(rows)
    db.session.commit()
    return sum(isinstance(row, ProfessionalPayment) for row in rows)
