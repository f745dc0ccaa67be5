"""Sick leave use cases: avis d'arrêt validation, attestations linked, IJ computed (carence,
prolongation, several employers, eligibility), paid every 14 days with debts recovered, closed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Notification, Payment
from app.models.care import Debt
from app.models.sick_leave import Arret, IjPeriod
from app.services import sick_leave
from tests.integration.sick_leave_helpers import attest, prescribe

START = date(2026, 3, 2)


@pytest.fixture
def camille(users):
    return users["camille"].person


def test_attestation_waits_then_links_when_the_arret_arrives(doctor, camille):
    attestation = attest(camille, START)
    assert attestation.arret_id is None
    arret = prescribe(doctor, camille, START, date(2026, 3, 20))
    assert attestation.arret_id == arret.id
    assert arret.status == "calcule"
    assert arret.daily_amount == Decimal("39.45")  # 7 200 / 91,25 = 78,9041 → 50 % → 39,45
    assert arret.carence_days == 3
    assert arret.first_paid_day == date(2026, 3, 5)
    assert arret.payable_until == date(2026, 3, 20)


def test_attestation_after_the_arret_computes(doctor, camille):
    arret = prescribe(doctor, camille, START, date(2026, 3, 20))
    assert arret.status == "en_attente"
    attest(camille, START)
    assert arret.status == "calcule"
    assert "salaire journalier de base" in arret.decision


def test_two_employers_salaries_are_added(doctor, camille):
    arret = prescribe(doctor, camille, START, date(2026, 3, 20))
    attest(camille, START, salary=Decimal("1000.00"), hours=200)
    first = arret.daily_amount
    attest(camille, START, salary=Decimal("1000.00"), hours=200, siret="90000002000016")
    assert arret.daily_amount > first
    assert arret.sjb == Decimal("65.75")  # 6 000 / 91,25


def test_not_eligible_without_hours_nor_salaries(doctor, camille):
    arret = prescribe(doctor, camille, START, date(2026, 3, 20))
    attest(camille, START, salary=Decimal("100.00"), hours=20)
    assert arret.status == "non_eligible"
    assert arret.decision.startswith("Pas d'indemnités journalières")


def test_prolongation_has_no_new_carence_and_extends_payments(doctor, camille):
    arret = prescribe(doctor, camille, START, date(2026, 3, 10))
    attest(camille, START)
    prescribe(
        doctor,
        camille,
        date(2026, 3, 11),
        date(2026, 3, 31),
        kind="prolongation",
        initial_reference=arret.reference,
    )
    assert arret.carence_days == 3
    assert arret.payable_until == date(2026, 3, 31)


def test_new_arret_within_48_hours_has_no_carence(doctor, camille):
    first = prescribe(doctor, camille, date(2026, 2, 2), date(2026, 2, 10))
    attest(camille, date(2026, 2, 2))
    second = prescribe(doctor, camille, date(2026, 2, 13), date(2026, 2, 20))
    attest(camille, date(2026, 2, 13))
    assert first.carence_days == 3
    assert second.carence_days == 0


@pytest.mark.parametrize(
    ("start", "end", "kind", "reference", "field", "message"),
    [
        (date(2026, 3, 10), date(2026, 3, 9), "initial", None, "fin", "La date de fin"),
        (date(2026, 3, 10), date(2027, 3, 20), "initial", None, "fin", "au plus un an"),
        (
            date(2026, 3, 12),
            date(2026, 3, 20),
            "prolongation",
            None,
            "arret_initial",
            "Indiquez la référence",
        ),
        (
            date(2026, 3, 12),
            date(2026, 3, 20),
            "prolongation",
            "AT000000XXXX",
            "arret_initial",
            "Aucun arrêt",
        ),
        (date(2026, 3, 15), date(2026, 3, 20), "prolongation", "ok", "debut", "au plus tard le lendemain"),
        (date(2026, 3, 11), date(2026, 3, 10), "prolongation", "ok", "fin", "La date de fin"),
        (date(2026, 3, 8), date(2026, 3, 10), "prolongation", "ok", "fin", "finit après l'arrêt prolongé"),
        (date(2026, 3, 5), date(2026, 3, 20), "initial", None, "debut", "couvre déjà"),
    ],
)
def test_refused_avis(doctor, camille, start, end, kind, reference, field, message):
    existing = prescribe(doctor, camille, START, date(2026, 3, 10))
    if reference == "ok":
        reference = existing.reference
    with pytest.raises(sick_leave.ArretRefused) as refused:
        prescribe(doctor, camille, start, end, kind=kind, initial_reference=reference)
    assert message in str(refused.value)
    assert refused.value.field == field


def test_prolongation_of_another_patient_is_refused(doctor, users, camille):
    louis = users["louis"].person
    arret = prescribe(doctor, camille, START, date(2026, 3, 10))
    with pytest.raises(sick_leave.ArretRefused, match="Aucun arrêt"):
        prescribe(
            doctor,
            louis,
            date(2026, 3, 11),
            date(2026, 3, 20),
            kind="prolongation",
            initial_reference=arret.reference,
        )


def test_idempotency_key_replays(doctor, camille):
    data = sick_leave.ArretInput(kind="initial", start=START, end=date(2026, 3, 10))
    first = sick_leave.submit_arret(doctor, camille, data, idempotency_key="k1", payload_hash="a")
    again = sick_leave.submit_arret(doctor, camille, data, idempotency_key="k1", payload_hash="a")
    assert again.arret.id == first.arret.id
    assert not again.created
    with pytest.raises(sick_leave.ArretRefused, match="clé d'idempotence"):
        sick_leave.submit_arret(doctor, camille, data, idempotency_key="k1", payload_hash="b")


def test_pay_due_every_14_days_then_closes(doctor, camille, users):
    arret = prescribe(doctor, camille, START, date(2026, 4, 5))
    attest(camille, START)
    assert sick_leave.pay_due(date(2026, 3, 4)) == 0  # still in the carence
    assert sick_leave.pay_due(date(2026, 3, 10)) == 1  # first payment as soon as days are due
    period = db.session.scalars(sa.select(IjPeriod)).one()
    assert (period.period_start, period.period_end, period.days) == (date(2026, 3, 5), date(2026, 3, 10), 6)
    assert period.gross == Decimal("39.45") * 6
    assert sick_leave.pay_due(date(2026, 3, 20)) == 0  # less than 14 days later
    assert sick_leave.pay_due(date(2026, 3, 24)) == 1
    assert arret.paid_until == date(2026, 3, 24)
    assert sick_leave.pay_due(date(2026, 4, 10)) == 1  # the end of the arrêt: the last payment
    assert arret.paid_until == date(2026, 4, 5)
    assert arret.status == "cloture"
    periods = db.session.scalars(sa.select(IjPeriod).order_by(IjPeriod.period_start)).all()
    assert sum(p.days for p in periods) == (date(2026, 4, 5) - date(2026, 3, 5)).days + 1
    payments = db.session.scalars(sa.select(Payment).where(Payment.kind == "ij")).all()
    assert len(payments) == 3
    assert all(p.payee == "assure" for p in payments)
    titles = db.session.scalars(
        sa.select(Notification.title).where(Notification.kind == "indemnites_journalieres")
    ).all()
    assert len(titles) == 3
    assert sick_leave.pay_due(date(2026, 4, 30)) == 0


def test_debts_are_recovered_from_ij(doctor, camille):
    from app.rules.liquidation import ActLine
    from app.services import claims

    # Under tiers payant the PF cannot be deducted: it becomes a debt, taken from the next IJ.
    claims.submit(
        doctor, camille, date(2026, 2, 2), [ActLine(code="G", billed=Decimal("30.00"))], tiers_payant=True
    )
    debt = db.session.scalars(sa.select(Debt)).one()
    prescribe(doctor, camille, START, date(2026, 3, 10))
    attest(camille, START)
    sick_leave.pay_due(date(2026, 3, 10))
    payment = db.session.scalars(sa.select(Payment).where(Payment.kind == "ij")).one()
    assert payment.recovered == debt.amount > 0
    assert payment.amount == payment.gross - debt.amount
    assert debt.remaining == 0


def test_arret_ended_within_carence_is_closed_without_payment(doctor, camille):
    arret = prescribe(doctor, camille, START, date(2026, 3, 3))
    attest(camille, START)
    assert arret.payable_until is None
    assert sick_leave.pay_due(date(2026, 3, 5)) == 0
    assert db.session.get(Arret, arret.id).status == "cloture"


def test_cli_and_periodic_job_pay(app, runner, doctor, camille):
    from app import tasks

    prescribe(doctor, camille, START, date(2026, 3, 10))
    attest(camille, START)
    result = runner.invoke(args=["ij", "payer", "--date", "2026-03-08"])
    assert "1 paiement(s)" in result.output
    assert tasks.pay_ij_daily.call_local() == 1  # today: the rest of the arrêt, which has ended
