"""Sick leave: the doctor's avis d'arrêt de travail, the employers' attestations de salaire, the IJ
computed on the rules of ``app.rules.ij`` and paid about every 14 days.

An *episode* is an initial arrêt with its prolongations: the computation (SJB, daily amount,
carence, last payable day) and the payments are stored on the initial arrêt. Each step runs in
the caller's transaction, except ``submit_arret`` and ``pay_due`` which commit (use cases).

Why the first payment is made as soon as days are due: members complain that IJ are paid weeks
late with no visible status; the 14-day rhythm applies between payments, and the end of the
arrêt always triggers the last one.
"""

from __future__ import annotations

import logging
import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Person, User
from app.models.base import utcnow
from app.models.care import Payment, Professional
from app.models.sick_leave import Arret, IjPeriod, SalaryAttestation
from app.rules import ij
from app.rules.liquidation import format_euros
from app.rules.tariffs import RulesError, french_date
from app.services.claims import build_payment, request_hash
from app.services.transactions import commit
from app.services.urls import path_for

logger = logging.getLogger(__name__)

PARIS = ZoneInfo("Europe/Paris")
PAYMENT_INTERVAL = timedelta(days=14)
MAX_LENGTH_DAYS = 366
NOTIFICATION_KIND = "indemnites_journalieres"
ZERO = Decimal("0.00")

__all__ = [
    "ArretRefused",
    "Submission",
    "attestation_received",
    "compute",
    "episode_end",
    "paris_today",
    "pay_due",
    "request_hash",
    "submit_arret",
]


class ArretRefused(ValueError):
    """An avis d'arrêt that cannot be accepted; the message is French, ``field`` names the input."""

    def __init__(self, message: str, field: str = "debut") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Submission:
    arret: Arret
    created: bool  # False when an Idempotency-Key replayed an earlier avis


@dataclass(frozen=True)
class ArretInput:
    """What the doctor prescribes (the form and the API both build one)."""

    kind: str
    start: date
    end: date
    temps: str = "complet"
    ald: bool = False
    sorties: str = "autorisees"
    category: str = "salarie"
    reason_code: str = ""
    initial_reference: str | None = None


def paris_today() -> date:
    return datetime.now(PARIS).date()


def episode_end(initial: Arret) -> date:
    """The last day of the episode: the latest end of the initial arrêt and its prolongations."""
    return max([initial.end_date, *(p.end_date for p in initial.prolongations)])


def _episode_of(arret: Arret) -> Arret:
    return arret.initial if arret.initial is not None else arret


def _by_reference(patient: Person, reference: str) -> Arret | None:
    return db.session.scalar(
        sa.select(Arret).where(Arret.reference == reference.strip().upper(), Arret.person_id == patient.id)
    )


def _check(patient: Person, data: ArretInput) -> Arret | None:
    """Validate the avis; return the initial arrêt a prolongation extends. Raises ``ArretRefused``."""
    if data.end < data.start:
        raise ArretRefused("La date de fin doit être le jour du début ou après.", "fin")
    if (data.end - data.start).days >= MAX_LENGTH_DAYS:
        raise ArretRefused(
            "Un avis d'arrêt couvre au plus un an : transmettez ensuite une prolongation.", "fin"
        )
    if not patient.rights_open_on(data.start):
        raise ArretRefused("Les droits du patient ne sont pas ouverts à la date de début de l'arrêt.", "nir")
    if data.kind == "prolongation":
        if not (data.initial_reference or "").strip():
            raise ArretRefused("Indiquez la référence de l'arrêt prolongé.", "arret_initial")
        extended = _by_reference(patient, data.initial_reference or "")
        if extended is None:
            raise ArretRefused("Aucun arrêt de ce patient ne porte cette référence.", "arret_initial")
        initial = _episode_of(extended)
        last = episode_end(initial)
        if data.start > last + timedelta(days=1):
            raise ArretRefused(
                f"Une prolongation commence au plus tard le lendemain de la fin de l'arrêt prolongé, "
                f"le {french_date(last + timedelta(days=1))} : sinon, prescrivez un arrêt initial.",
            )
        if data.start <= initial.start_date:
            raise ArretRefused("Une prolongation commence après le début de l'arrêt initial.")
        if data.end <= last:
            raise ArretRefused(
                f"Une prolongation finit après l'arrêt prolongé, qui court jusqu'au {french_date(last)}.",
                "fin",
            )
        return initial
    overlapping = db.session.scalar(
        sa.select(Arret).where(
            Arret.person_id == patient.id, Arret.start_date <= data.end, Arret.end_date >= data.start
        )
    )
    if overlapping is not None:
        raise ArretRefused(
            f"Un arrêt de ce patient couvre déjà une partie de ces dates (référence "
            f"{_episode_of(overlapping).reference}) : transmettez une prolongation.",
        )
    return None


def _earlier(professional: Professional, key: str) -> Arret | None:
    return db.session.scalar(
        sa.select(Arret).where(Arret.professional_id == professional.id, Arret.idempotency_key == key)
    )


def submit_arret(
    professional: Professional,
    patient: Person,
    data: ArretInput,
    *,
    source: str = "web",
    idempotency_key: str | None = None,
    payload_hash: str = "",
) -> Submission:
    """Record an avis d'arrêt (initial or prolongation), link the attestations de salaire waiting
    for it and compute the IJ when they are there. Raises ``ArretRefused``.

    With an ``idempotency_key`` already used by this professional, the earlier avis is returned; a
    key reused with another body is refused.
    """
    if idempotency_key:
        earlier = _earlier(professional, idempotency_key)
        if earlier is not None:
            if payload_hash and earlier.request_hash and earlier.request_hash != payload_hash:
                raise ArretRefused(
                    "Cette clé d'idempotence a déjà servi pour un autre avis d'arrêt : "
                    "utilisez une nouvelle clé pour un nouvel avis.",
                    "",
                )
            return Submission(earlier, created=False)
    initial = _check(patient, data)
    arret = Arret(
        person_id=patient.id,
        professional_id=professional.id,
        caisse_id=patient.caisse_id,
        initial_id=initial.id if initial is not None else None,
        kind=data.kind,
        start_date=data.start,
        end_date=data.end,
        temps=data.temps,
        ald=data.ald,
        sorties=data.sorties,
        category=data.category,
        reason_code=data.reason_code.strip()[:20],
        source=source,
        idempotency_key=idempotency_key,
        request_hash=payload_hash,
        reference=f"AT{data.start:%y%m%d}{secrets.token_hex(4).upper()}",
        status="en_attente",
    )
    db.session.add(arret)
    db.session.flush()
    if initial is None:
        _link_waiting(arret)
        compute(arret)
    else:
        db.session.refresh(initial, ["prolongations"])
        if initial.computed_at is not None:
            compute(initial, recompute=True)
    try:
        commit()
    except sa.exc.IntegrityError:
        # The same Idempotency-Key sent twice at once: the other request won.
        db.session.rollback()
        if idempotency_key and (earlier := _earlier(professional, idempotency_key)) is not None:
            return Submission(earlier, created=False)
        raise
    return Submission(arret, created=True)


def _link_waiting(initial: Arret) -> None:
    """Link the attestations sent before this arrêt arrived (same person, its first day)."""
    waiting = db.session.scalars(
        sa.select(SalaryAttestation).where(
            SalaryAttestation.person_id == initial.person_id,
            SalaryAttestation.arret_id.is_(None),
            SalaryAttestation.arret_start == initial.start_date,
        )
    ).all()
    for attestation in waiting:
        attestation.arret_id = initial.id


def attestation_received(attestation: SalaryAttestation) -> None:
    """Link a new attestation de salaire to the person's episode whose initial arrêt starts on
    ``attestation.arret_start`` (or that contains that day) and compute the IJ if all is there.
    Without a matching arrêt the attestation waits (``arret_id`` NULL) for ``submit_arret``.
    Writes in the caller's transaction; the caller commits."""
    day = attestation.arret_start
    initials = db.session.scalars(
        sa.select(Arret)
        .options(selectinload(Arret.prolongations))
        .where(
            Arret.person_id == attestation.person_id,
            Arret.kind == "initial",
            Arret.start_date <= day,
        )
        .order_by(Arret.start_date.desc())
    ).all()
    match = next((a for a in initials if a.start_date == day), None)
    if match is None:
        match = next((a for a in initials if day <= episode_end(a)), None)
    if match is None:
        return
    attestation.arret_id = match.id
    db.session.flush()
    compute(match, recompute=match.computed_at is not None and match.paid_until is None)


def _attestations(initial: Arret) -> list[SalaryAttestation]:
    return list(
        db.session.scalars(
            sa.select(SalaryAttestation)
            .options(selectinload(SalaryAttestation.months))
            .where(SalaryAttestation.arret_id == initial.id)
            .order_by(SalaryAttestation.id)
        )
    )


def _salaries(initial: Arret, attestations: list[SalaryAttestation]) -> list[Decimal]:
    """The 3 months before the arrêt, each the sum of what every employer declared for it."""
    by_month: dict[date, Decimal] = defaultdict(lambda: ZERO)
    for attestation in attestations:
        for month in attestation.months:
            by_month[month.month.replace(day=1)] += month.gross
    first = initial.start_date.replace(day=1)
    months = []
    for back in (3, 2, 1):
        index = first.year * 12 + first.month - 1 - back
        months.append(date(index // 12, index % 12 + 1, 1))
    return [by_month[month] for month in months]


def _previous(initial: Arret) -> tuple[list[ij.PreviousArret], int]:
    """The person's earlier episodes (for the carence exceptions) and the IJ days paid to them in
    the 3 years before this arrêt outside ALD (for the 360-day cap)."""
    others = db.session.scalars(
        sa.select(Arret)
        .options(selectinload(Arret.prolongations))
        .where(
            Arret.person_id == initial.person_id,
            Arret.kind == "initial",
            Arret.id != initial.id,
            Arret.start_date < initial.start_date,
        )
    ).all()
    previous = [ij.PreviousArret(start=a.start_date, end=episode_end(a), ald=a.ald) for a in others]
    since = ij.add_years(initial.start_date, -3)
    non_ald = [a.id for a in others if not a.ald]
    days = 0
    if non_ald:
        days = (
            db.session.scalar(
                sa.select(sa.func.coalesce(sa.func.sum(IjPeriod.days), 0)).where(
                    IjPeriod.arret_id.in_(non_ald), IjPeriod.period_end >= since
                )
            )
            or 0
        )
    return previous, int(days)


def compute(initial: Arret, *, recompute: bool = False) -> None:
    """Compute the IJ of an episode once its attestations de salaire are there: status ``calcule``
    with the SJB, the daily amount, the carence and the last payable day, or ``non_eligible`` with
    the reason in ``decision``. ``recompute`` redoes it after a prolongation or another employer's
    attestation (the days already paid stay paid). Writes in the caller's transaction."""
    if initial.kind != "initial" or (initial.computed_at is not None and not recompute):
        return
    attestations = _attestations(initial)
    if not attestations:
        return
    end = episode_end(initial)
    try:
        salaries = _salaries(initial, attestations)
        hours = sum(a.hours_worked for a in attestations)
        rights = ij.eligible(hours, None, initial.start_date)
        if not rights.eligible and sum(salaries, ZERO) > 0:
            # Only 3 months are declared: their total is a lower bound of the 6 months' contributions,
            # enough to open the right when it alone reaches the threshold.
            rights = ij.eligible(hours, sum(salaries, ZERO), initial.start_date)
        if not rights.eligible:
            initial.status = "non_eligible"
            initial.decision = f"Pas d'indemnités journalières : {rights.explanation}."
            initial.computed_at = utcnow()
            return
        previous, days_paid = _previous(initial)
        result = ij.compute_ij(
            ij.ArretIJ(
                start=initial.start_date,
                end=end,
                salaries=salaries,
                ald=initial.ald,
                previous=tuple(previous),
                days_paid_3_years=days_paid,
            )
        )
    except RulesError as exc:
        # A salary missing for one month: the caisse waits for a corrected attestation.
        initial.decision = f"Calcul en attente : {exc}"
        return
    initial.sjb = result.sjb
    initial.daily_amount = result.daily
    initial.plafond_applique = result.plafond_applique
    initial.carence_days = result.carence_days
    initial.first_paid_day = result.first_paid_day
    initial.payable_until = (
        result.first_paid_day + timedelta(days=result.days_paid - 1) if result.first_paid_day else None
    )
    initial.decision = "\n".join([rights.explanation, *result.explanations])
    initial.computed_at = utcnow()
    if initial.status in ("en_attente", "cloture", "non_eligible"):
        initial.status = "calcule"


def _last_paid_on(initial: Arret) -> date | None:
    return db.session.scalar(
        sa.select(sa.func.max(Payment.paid_on))
        .join(IjPeriod, IjPeriod.payment_id == Payment.id)
        .where(IjPeriod.arret_id == initial.id)
    )


def pay_due(today: date) -> int:
    """Pay the IJ due on ``today`` (the periodic job): for each computed episode, the days from the
    first not yet paid to ``min(today, last payable day)``, when no payment was made yet, 14 days
    have passed since the last one, or the arrêt has ended. Each payment recovers the person's
    debts and is announced; an episode paid to its end (or past its end with nothing left to pay)
    is closed. Commits; returns the number of payments made."""
    episodes = db.session.scalars(
        sa.select(Arret)
        .options(selectinload(Arret.prolongations), selectinload(Arret.person))
        .where(Arret.kind == "initial", Arret.status == "calcule")
        .order_by(Arret.id)
    ).all()
    made = 0
    for initial in episodes:
        if _pay_episode(initial, today):
            made += 1
        end = episode_end(initial)
        paid_to_end = initial.payable_until is None or (
            initial.paid_until is not None and initial.paid_until >= initial.payable_until
        )
        if paid_to_end and today >= end:
            initial.status = "cloture"
            initial.closed_at = utcnow()
    commit()
    if made:
        logger.info("IJ: %d paiement(s) le %s", made, today.isoformat())
    return made


def _pay_episode(initial: Arret, today: date) -> bool:
    if initial.first_paid_day is None or initial.payable_until is None or initial.daily_amount is None:
        return False
    first = initial.paid_until + timedelta(days=1) if initial.paid_until else initial.first_paid_day
    last = min(today, initial.payable_until)
    if last < first:
        return False
    last_paid_on = _last_paid_on(initial)
    ended = today >= initial.payable_until
    if last_paid_on is not None and today < last_paid_on + PAYMENT_INTERVAL and not ended:
        return False
    days = (last - first).days + 1
    gross = initial.daily_amount * days
    person = initial.person
    payment = build_payment(person, beneficiary_id=person.id, kind="ij", gross=gross, paid_on=today)
    db.session.add(
        IjPeriod(
            arret_id=initial.id,
            payment_id=payment.id,
            period_start=first,
            period_end=last,
            days=days,
            daily_amount=initial.daily_amount,
            gross=gross,
        )
    )
    initial.paid_until = last
    _announce(person, payment, days)
    return True


def _announce(person: Person, payment: Payment, days: int) -> None:
    from app.services import notifications

    user = db.session.scalar(sa.select(User).where(User.person_id == person.id))
    if user is None:
        return
    notifications.notify(
        user,
        NOTIFICATION_KIND,
        f"Indemnités journalières : {format_euros(payment.amount)}",
        f"Vos indemnités journalières de {days} jour{'s' if days > 1 else ''} ont été payées.",
        path_for("paiements.detail", payment_id=payment.id),
        tag="indemnites-journalieres",
        discreet_title="Nouveau paiement",
    )


@dataclass(frozen=True)
class Episode:
    """An initial arrêt as the assuré sees it: its prolongations, attestations and IJ periods."""

    initial: Arret
    periods: list[IjPeriod]

    @property
    def end(self) -> date:
        return episode_end(self.initial)

    @property
    def arrets(self) -> list[Arret]:
        return [self.initial, *self.initial.prolongations]

    @property
    def paid_days(self) -> int:
        return sum(period.days for period in self.periods)

    @property
    def paid_gross(self) -> Decimal:
        return sum((period.gross for period in self.periods), ZERO)


def episodes_of(person: Person) -> list[Episode]:
    """The person's episodes, newest first, with everything the timeline shows (4 queries whatever
    their number)."""
    initials = db.session.scalars(
        sa.select(Arret)
        .options(
            selectinload(Arret.prolongations),
            selectinload(Arret.attestations).joinedload(SalaryAttestation.employer),
        )
        .where(Arret.person_id == person.id, Arret.kind == "initial")
        .order_by(Arret.start_date.desc(), Arret.id.desc())
    ).all()
    return _with_periods(initials)


def _with_periods(initials: list[Arret]) -> list[Episode]:
    periods: dict[int, list[IjPeriod]] = defaultdict(list)
    if initials:
        for period in db.session.scalars(
            sa.select(IjPeriod)
            .options(selectinload(IjPeriod.payment))
            .where(IjPeriod.arret_id.in_([a.id for a in initials]))
            .order_by(IjPeriod.period_start)
        ):
            periods[period.arret_id].append(period)
    return [Episode(initial, periods[initial.id]) for initial in initials]


def episode_of(person: Person, arret_id: int) -> Episode | None:
    """The episode of ``arret_id`` (an initial arrêt or one of its prolongations) if it is the
    person's, else None: another person's arrêt is as unknown as a missing one."""
    arret = db.session.scalar(sa.select(Arret).where(Arret.id == arret_id, Arret.person_id == person.id))
    if arret is None:
        return None
    initial = _episode_of(arret)
    return _with_periods([initial])[0]


def next_step(episode: Episode, today: date) -> str:
    """The estimated date of the next step, in French."""
    initial = episode.initial
    if initial.status == "en_attente":
        return "Calcul de vos indemnités : dès réception de l'attestation de salaire de votre employeur."
    if initial.status == "non_eligible":
        return "Vos droits ont été étudiés : aucune indemnité n'est due pour cet arrêt."
    if initial.status == "cloture":
        return "Cet arrêt est clôturé : toutes les indemnités dues ont été payées."
    if initial.payable_until is None or (
        initial.paid_until is not None and initial.paid_until >= initial.payable_until
    ):
        return f"Clôture de l'arrêt après sa fin, le {french_date(episode.end)}."
    if episode.periods:
        due = min(episode.periods[-1].payment.paid_on + PAYMENT_INTERVAL, initial.payable_until)
    else:
        due = initial.first_paid_day or today
    due = max(due, today)
    return f"Prochain paiement estimé le {french_date(due)}."


def ij_periods_of(person: Person, start: date, end: date) -> list[IjPeriod]:
    """The person's IJ periods paid between ``start`` and ``end`` (payment dates), oldest first."""
    return list(
        db.session.scalars(
            sa.select(IjPeriod)
            .join(Payment, IjPeriod.payment_id == Payment.id)
            .join(Arret, IjPeriod.arret_id == Arret.id)
            .options(selectinload(IjPeriod.payment), selectinload(IjPeriod.arret))
            .where(Arret.person_id == person.id, Payment.paid_on.between(start, end))
            .order_by(Payment.paid_on, IjPeriod.period_start)
        )
    )


def arret_of_payment(payment: Payment) -> Arret | None:
    """The initial arrêt an IJ payment was for (None for a refund)."""
    if payment.kind != "ij":
        return None
    return db.session.scalar(
        sa.select(Arret)
        .join(IjPeriod, IjPeriod.arret_id == Arret.id)
        .where(IjPeriod.payment_id == payment.id)
    )
