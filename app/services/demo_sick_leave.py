"""Demo data of the sick-leave issue, assuré side: for Camille, a closed arrêt with a prolongation,
its attestation de salaire and its IJ payments; and an open arrêt waiting for its attestation (the
one the demo employer sends in a demonstration). Dates are relative to today. Idempotent: the avis
carry Idempotency-Keys of the demo doctor."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Final

import sqlalchemy as sa

from app.extensions import db
from app.models import Person
from app.models.care import Professional
from app.models.sick_leave import Arret, Employer
from app.services import employers, sick_leave

DOCTOR_RPPS: Final = "10101010105"
CLOSED_KEY: Final = "demo-arret-clos"
OPEN_KEY: Final = "demo-arret-en-cours"
SALARY: Final = Decimal("2350.00")


def _months_before(start: date) -> list[str]:
    index = start.year * 12 + start.month - 1
    return [f"{(index - back) // 12:04d}-{(index - back) % 12 + 1:02d}" for back in (3, 2, 1)]


def load_sick_leave_demo(camille_nir: str, today: date | None = None) -> int:
    """Create Camille's demo arrêts if missing; return how many avis this run added. Needs the demo
    doctor and the demo employer (``load_care_demo``, ``load_employer_demo``)."""
    today = today or sick_leave.paris_today()
    doctor = db.session.scalar(sa.select(Professional).where(Professional.rpps == DOCTOR_RPPS))
    camille = db.session.scalar(sa.select(Person).where(Person.nir == camille_nir))
    employer = db.session.scalar(sa.select(Employer).where(Employer.siret == "90000001900019"))
    if doctor is None or camille is None or employer is None:
        return 0
    added = 0
    known = set(
        db.session.scalars(
            sa.select(Arret.idempotency_key).where(
                Arret.professional_id == doctor.id, Arret.idempotency_key.in_([CLOSED_KEY, OPEN_KEY])
            )
        )
    )
    if CLOSED_KEY not in known:
        start = today - timedelta(days=90)
        initial = sick_leave.submit_arret(
            doctor,
            camille,
            sick_leave.ArretInput(
                kind="initial", start=start, end=start + timedelta(days=13), reason_code="J11"
            ),
            idempotency_key=CLOSED_KEY,
        ).arret
        sick_leave.submit_arret(
            doctor,
            camille,
            sick_leave.ArretInput(
                kind="prolongation",
                start=start + timedelta(days=14),
                end=start + timedelta(days=34),
                reason_code="J11",
                initial_reference=initial.reference,
            ),
            idempotency_key=f"{CLOSED_KEY}-prolongation",
        )
        employers.submit_attestation(
            employer,
            {
                "nir": camille.nir,
                "siret": employer.siret,
                "date_debut_arret": start.isoformat(),
                "salaires": [{"mois": month, "brut": float(SALARY)} for month in _months_before(start)],
                "heures_travaillees": 455,
            },
            source="web",
            idempotency_key=f"{CLOSED_KEY}-attestation",
        )
        # The payments as the daily job made them: the first once days were due, then every 14 days.
        for day in (start + timedelta(days=7), start + timedelta(days=21), start + timedelta(days=35)):
            sick_leave.pay_due(day)
        added += 2
    if OPEN_KEY not in known:
        start = today - timedelta(days=3)
        sick_leave.submit_arret(
            doctor,
            camille,
            sick_leave.ArretInput(
                kind="initial", start=start, end=start + timedelta(days=20), reason_code="M54"
            ),
            idempotency_key=OPEN_KEY,
        )
        added += 1
    return added
