"""Demo data of the sick-leave issue, employer side: the demo employer "Atelier Loire SARL", its
account (SIRET and password) and the demo payroll software token. Idempotent."""

from __future__ import annotations

import hashlib
from typing import Final

import sqlalchemy as sa

from app.extensions import db
from app.models.sick_leave import EmployerToken
from app.services.employers import create_employer

EMPLOYER_SIRET: Final = "90000001900019"
EMPLOYER_NAME: Final = "Atelier Loire SARL"
EMPLOYER_PASSWORD: Final = "Macaisse-Employeur-2026"
EMPLOYER_EMAIL: Final = "paie@atelier-loire.example.org"
EMPLOYER_TOKEN: Final = "demo-paie-2026"


def load_employer_demo() -> None:
    """Create (or refresh) the demo employer, its account and its API token; commits."""
    user = create_employer(EMPLOYER_SIRET, EMPLOYER_NAME, EMPLOYER_PASSWORD, EMPLOYER_EMAIL)
    token_hash = hashlib.sha256(EMPLOYER_TOKEN.encode()).hexdigest()
    if db.session.scalar(sa.select(EmployerToken).where(EmployerToken.token_hash == token_hash)) is None:
        db.session.add(
            EmployerToken(
                employer_id=user.employer_id,
                name="Logiciel de paie de démonstration",
                token_hash=token_hash,
                prefix=EMPLOYER_TOKEN[:8],
            )
        )
        db.session.commit()
