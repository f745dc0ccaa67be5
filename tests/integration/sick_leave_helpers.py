"""Builders shared by the sick-leave tests: an employer, an attestation de salaire, an avis."""

from __future__ import annotations

import secrets
from datetime import date
from decimal import Decimal

from app.extensions import db
from app.models.sick_leave import Employer, SalaryAttestation, SalaryMonth
from app.services import sick_leave

SALARY = Decimal("2400.00")


def employer(siret: str = "90000001900019", name: str = "Atelier Loire SARL") -> Employer:
    found = db.session.scalar(db.select(Employer).where(Employer.siret == siret))
    if found is not None:
        return found
    created = Employer(siret=siret, name=name)
    db.session.add(created)
    db.session.flush()
    return created


def months_before(start: date) -> list[date]:
    index = start.year * 12 + start.month - 1
    return [date((index - back) // 12, (index - back) % 12 + 1, 1) for back in (3, 2, 1)]


def attest(person, start: date, *, salary: Decimal = SALARY, hours: int = 455, siret: str = "90000001900019"):
    """An attestation de salaire as the employer space would store it, then the contract call."""
    attestation = SalaryAttestation(
        employer_id=employer(siret).id,
        person_id=person.id,
        arret_start=start,
        hours_worked=hours,
        receipt_number=f"AS{secrets.token_hex(6).upper()}",
        months=[SalaryMonth(month=month, gross=salary) for month in months_before(start)],
    )
    db.session.add(attestation)
    db.session.flush()
    sick_leave.attestation_received(attestation)
    db.session.commit()
    return attestation


def prescribe(professional, person, start: date, end: date, **extra):
    data = sick_leave.ArretInput(kind=extra.pop("kind", "initial"), start=start, end=end, **extra)
    return sick_leave.submit_arret(professional, person, data).arret
