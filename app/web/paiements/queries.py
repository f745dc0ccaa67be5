"""What "Mes paiements" reads: the file's payments, their décomptes, the debts recovered on them,
the year's PF and franchise counters and the monthly statement's data.

Every read is scoped to the assuré's file (``Payment.person_id`` is the assuré, the ouvrant droit,
for their own care and their ayants droit's) and loads what its page shows in a fixed number of
queries, however many payments there are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import joinedload, selectinload

from app.documents.statements import Statement, StatementLine, StatementPayment
from app.extensions import db
from app.models.care import Claim, ClaimLine, Debt, DebtRecovery, Payment
from app.models.register import Person
from app.rules import tariffs
from app.rules.liquidation import format_euros
from app.web.filters import PARIS, french_date

PAGE_SIZE = 20
STATEMENT_MONTHS = 12
ZERO = Decimal("0.00")
KINDS = {"soins": "Soins", "ij": "Indemnités journalières"}


def paris_today() -> date:
    """Today in Paris: the portal's calendar (years and months of counters and statements)."""
    return datetime.now(PARIS).date()


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    following = date(year + (month == 12), month % 12 + 1, 1)
    last_day = (following - date(year, month, 1)).days
    return date(year, month, min(day.day, last_day))


def recent_months(today: date, count: int = STATEMENT_MONTHS) -> list[date]:
    """The first day of the current month and of the ``count - 1`` months before, newest first."""
    first = today.replace(day=1)
    return [months_before(first, offset) for offset in range(count)]


def file_members(person: Person) -> list[Person]:
    """The assuré then their ayants droit, in rang order."""
    return [person, *person.ayants_droit]


def payments_page(
    person: Person,
    *,
    since: date,
    beneficiary_id: int | None,
    kind: str | None,
    start: date | None,
    end: date | None,
    page: int,
) -> Pagination:
    """The file's payments paid on or after ``since`` (and within ``start``–``end``), newest first.

    Both payees: the assuré's refunds and the tiers-payant payments to professionals for care of
    the file. Two queries (count and page), the beneficiary, professional and IJ period (which
    names the arrêt an IJ payment links to) joined.
    """
    statement = (
        sa.select(Payment)
        .where(Payment.person_id == person.id, Payment.paid_on >= max(since, start or since))
        .options(
            joinedload(Payment.beneficiary),
            joinedload(Payment.professional),
            joinedload(Payment.ij_period),
        )
        .order_by(Payment.paid_on.desc(), Payment.id.desc())
    )
    if beneficiary_id is not None:
        statement = statement.where(Payment.beneficiary_id == beneficiary_id)
    if kind is not None:
        statement = statement.where(Payment.kind == kind)
    if end is not None:
        statement = statement.where(Payment.paid_on <= end)
    return db.paginate(statement, page=page, per_page=PAGE_SIZE, max_per_page=PAGE_SIZE, error_out=False)


@dataclass(frozen=True)
class YearCounter:
    """What a person of the file paid this year in PF and franchises, against the annual caps."""

    person: Person
    pf: Decimal
    franchises: Decimal


@dataclass(frozen=True)
class YearCounters:
    year: int
    rows: list[YearCounter]
    pf_cap: Decimal | None
    franchise_cap: Decimal | None


def year_counters(person: Person, today: date) -> YearCounters:
    """PF and franchises charged in ``today``'s calendar year, per person of the file (one query).

    The caps are per person and dated rule data; None when the rules do not cover ``today``.
    """
    members = file_members(person)
    totals = {
        patient_id: (pf, franchises)
        for patient_id, pf, franchises in db.session.execute(
            sa.select(
                Claim.patient_id,
                sa.func.coalesce(sa.func.sum(ClaimLine.pf), 0),
                sa.func.coalesce(sa.func.sum(ClaimLine.franchise), 0),
            )
            .join(ClaimLine, ClaimLine.claim_id == Claim.id)
            .where(
                Claim.patient_id.in_([member.id for member in members]),
                ClaimLine.act_date.between(date(today.year, 1, 1), date(today.year, 12, 31)),
            )
            .group_by(Claim.patient_id)
        )
    }
    try:
        pf_cap: Decimal | None = tariffs.participation_forfaitaire(today).annual_cap
        franchise_cap: Decimal | None = tariffs.franchise("medicament", today).annual_cap
    except tariffs.RulesError:
        pf_cap = franchise_cap = None
    rows = [
        YearCounter(
            member,
            _money(totals.get(member.id, (ZERO, ZERO))[0]),
            _money(totals.get(member.id, (ZERO, ZERO))[1]),
        )
        for member in members
    ]
    return YearCounters(today.year, rows, pf_cap, franchise_cap)


def outstanding_debts(person: Person) -> Decimal:
    """PF and franchises of the file still to be recovered on later payments (one query)."""
    total = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Debt.remaining), 0)).where(Debt.person_id == person.id)
    )
    return _money(total)


def payment_of(person: Person, payment_id: int) -> Payment:
    """The payment ``payment_id`` of the file with its décompte. Raises 404 for any other payment."""
    return db.first_or_404(
        sa.select(Payment)
        .where(Payment.id == payment_id, Payment.person_id == person.id)
        .options(
            joinedload(Payment.beneficiary),
            joinedload(Payment.professional),
            joinedload(Payment.claim).selectinload(Claim.lines),
        )
    )


@dataclass(frozen=True)
class Recovery:
    """A debt, or part of it, taken from a payment: ``text`` says which one, from which care."""

    text: str
    claim: Claim
    amount: Decimal


@dataclass(frozen=True)
class RecoveryOfDebt:
    """Where a debt created by a claim was recovered: the later payment and the amount taken."""

    payment_id: int
    paid_on: date
    amount: Decimal


@dataclass(frozen=True)
class CreatedDebt:
    """PF and franchises a claim could not deduct (tiers payant), and what became of them."""

    label: str
    plural: bool
    amount: Decimal
    remaining: Decimal
    recoveries: list[RecoveryOfDebt]

    @property
    def text(self) -> str:
        """``Participation forfaitaire de 2,00 € non déduite (tiers payant) : elle sera récupérée…``"""
        ending = "s" if self.plural else ""
        subject = self.label[0].upper() + self.label[1:]
        head = f"{subject} de {format_euros(self.amount)} non déduite{ending} (tiers payant)"
        if self.remaining <= 0:
            return f"{head} : entièrement récupérée{ending}."
        if self.remaining == self.amount:
            pronoun = "elles seront récupérées" if self.plural else "elle sera récupérée"
            return f"{head} : {pronoun} sur un prochain remboursement."
        return (
            f"{head} : {format_euros(self.amount - self.remaining)} déjà récupérés, le reste "
            f"({format_euros(self.remaining)}) sera récupéré sur un prochain remboursement."
        )


def debt_kind(claim: Claim) -> tuple[str, bool]:
    """How to name the PF and franchises a claim left to recover: the words and whether plural.

    ``participation forfaitaire`` for one PF, ``franchises médicales`` for several franchises,
    ``participations forfaitaires et franchises médicales`` when both.
    """
    pf = sum(1 for line in claim.lines if line.recovered_later > 0 and line.pf > 0)
    franchises = sum(1 for line in claim.lines if line.recovered_later > 0 and line.franchise > 0)
    if pf and franchises:
        return "participations forfaitaires et franchises médicales", True
    if franchises:
        return ("franchises médicales", True) if franchises > 1 else ("franchise médicale", False)
    if pf > 1:
        return "participations forfaitaires", True
    if pf == 1:
        return "participation forfaitaire", False
    return "participations forfaitaires et franchises", True


def recoveries_on(payment: Payment) -> list[Recovery]:
    """The debts recovered on ``payment``, each with the care it came from (two queries)."""
    rows = db.session.scalars(
        sa.select(DebtRecovery)
        .where(DebtRecovery.payment_id == payment.id)
        .options(
            joinedload(DebtRecovery.debt)
            .joinedload(Debt.claim)
            .options(joinedload(Claim.patient), joinedload(Claim.professional), selectinload(Claim.lines))
        )
        .order_by(DebtRecovery.id)
    ).all()
    recoveries = []
    for row in rows:
        claim = row.debt.claim
        label, plural = debt_kind(claim)
        done = "récupérées" if plural else "récupérée"
        text = f"{label} du {french_date(claim.care_date)} {done} : {format_euros(row.amount)}"
        recoveries.append(Recovery(text[0].upper() + text[1:], claim, row.amount))
    return recoveries


def debts_created_by(claim: Claim | None) -> list[CreatedDebt]:
    """The debts ``claim`` created and the later payments they were recovered on (two queries)."""
    if claim is None:
        return []
    debts = db.session.scalars(sa.select(Debt).where(Debt.claim_id == claim.id).order_by(Debt.id)).all()
    if not debts:
        return []
    taken: dict[int, list[RecoveryOfDebt]] = {debt.id: [] for debt in debts}
    for debt_id, payment_id, paid_on, amount in db.session.execute(
        sa.select(DebtRecovery.debt_id, Payment.id, Payment.paid_on, DebtRecovery.amount)
        .join(Payment, DebtRecovery.payment_id == Payment.id)
        .where(DebtRecovery.debt_id.in_(taken), Payment.person_id == claim.assure_id)
        .order_by(Payment.paid_on, Payment.id)
    ):
        taken[debt_id].append(RecoveryOfDebt(payment_id, paid_on, amount))
    label, plural = debt_kind(claim)
    return [CreatedDebt(label, plural, debt.amount, debt.remaining, taken[debt.id]) for debt in debts]


def month_statement(person: Person, year: int, month: int, issued_on: date) -> Statement:
    """The data of the monthly statement: the file's payments paid in the month with their acts
    (three queries), for ``app.documents.statements``."""
    first = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    payments = db.session.scalars(
        sa.select(Payment)
        .where(Payment.person_id == person.id, Payment.paid_on >= first, Payment.paid_on < following)
        .options(
            joinedload(Payment.beneficiary),
            joinedload(Payment.professional),
            joinedload(Payment.claim).selectinload(Claim.lines),
        )
        .order_by(Payment.paid_on, Payment.id)
    ).all()
    return Statement(
        caisse_name=person.caisse.name,
        caisse_postal_address=person.caisse.postal_address,
        holder_name=person.full_name,
        nir=person.nir or "",
        year=year,
        month=month,
        issued_on=issued_on,
        payments=tuple(_statement_payment(payment) for payment in payments),
    )


def _statement_payment(payment: Payment) -> StatementPayment:
    lines = payment.claim.lines if payment.claim is not None else []
    return StatementPayment(
        paid_on=payment.paid_on,
        beneficiary=payment.beneficiary.full_name,
        professional=payment.professional.display_name if payment.professional else None,
        kind=KINDS.get(payment.kind, payment.kind),
        to_professional=payment.payee == "professionnel",
        iban_last4=payment.iban_last4 if payment.payee == "assure" else None,
        gross=payment.gross,
        recovered=payment.recovered,
        amount=payment.amount,
        lines=tuple(
            StatementLine(
                code=line.code,
                label=line.label,
                act_date=line.act_date,
                billed=line.billed,
                base=line.base,
                rate=line.rate,
                refunded=line.refunded,
                pf=line.pf,
                franchise=line.franchise,
                recovered_later=line.recovered_later,
            )
            for line in lines
        ),
    )


def _money(value: object) -> Decimal:
    # SQLite returns SUM() of NUMERIC columns as float or int: back to cents through str.
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))
