"""A patient's administrative situation, as a professional's billing software gets it from ADRi
(acquisition des droits intégrée): rights open or not and until when, médecin traitant (and whether
it is this professional), ALD exonération, C2S, maternité, régime and caisse. Nothing medical: no
diagnosis, no care.

The professional finds the patient by NIR *and* birth date together and is never told which of the
two did not match. Every successful lookup is written to the patient's audit log, which the
patient reads in "Qui a consulté mes droits"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from app.extensions import db
from app.models import Person, User
from app.models.care import Professional
from app.services.accounts import audit
from app.services.claims import open_on
from app.services.demarches import today
from app.services.transactions import commit

REGIME = "Régime général"
LOOKUP_KIND = "droits_consultes"
NOT_FOUND = "Aucun assuré ne correspond à ce numéro de sécurité sociale et à cette date de naissance."

# The médecin traitant as the professional is told: none declared, this professional, another one.
MT_NONE, MT_YOU, MT_OTHER = "aucun", "vous", "autre"
# The C2S: none today, free, or with a monthly participation.
C2S_NONE, C2S_FREE, C2S_PARTICIPATION = "", "gratuite", "participation"


@dataclass(frozen=True)
class Situation:
    """What the professional sees of a patient on ``on``. ``maternity_*`` are set only when ``on``
    is inside the maternité window; ``c2s_end`` only with a C2S open on ``on``."""

    full_name: str
    birth_date: date
    on: date
    rights_open: bool
    rights_start: date
    rights_end: date | None
    medecin_traitant: str
    medecin_traitant_since: date | None
    ald: bool
    c2s: str
    c2s_end: date | None
    maternity_start: date | None
    maternity_end: date | None
    regime: str
    caisse_name: str


def find_patient(nir: str, birth_date: date) -> Person | None:
    """The register's person with this NIR and this birth date, or None (either one wrong)."""
    return db.session.scalar(sa.select(Person).where(Person.nir == nir, Person.birth_date == birth_date))


def patient(person_id: int) -> Person | None:
    return db.session.get(Person, person_id)


def situation_of(person: Person, professional: Professional, on: date | None = None) -> Situation:
    """The situation of ``person`` on ``on`` (default today, in Paris) as ``professional`` sees it."""
    day = on or today()
    if not person.medecin_traitant_rpps:
        doctor = MT_NONE
    elif person.medecin_traitant_rpps == professional.rpps:
        doctor = MT_YOU
    else:
        doctor = MT_OTHER
    c2s_open = open_on(person.c2s_start, person.c2s_end, day)
    if not c2s_open:
        c2s = C2S_NONE
    elif person.c2s_participation is None or person.c2s_participation == Decimal("0"):
        c2s = C2S_FREE
    else:
        c2s = C2S_PARTICIPATION
    maternity = open_on(person.maternity_start, person.maternity_end, day)
    return Situation(
        full_name=person.full_name,
        birth_date=person.birth_date,
        on=day,
        rights_open=person.rights_open_on(day),
        rights_start=person.rights_start,
        rights_end=person.rights_end,
        medecin_traitant=doctor,
        medecin_traitant_since=person.medecin_traitant_since if doctor != MT_NONE else None,
        ald=open_on(person.ald_start, person.ald_end, day),
        c2s=c2s,
        c2s_end=person.c2s_end if c2s_open else None,
        maternity_start=person.maternity_start if maternity else None,
        maternity_end=person.maternity_end if maternity else None,
        regime=REGIME,
        caisse_name=person.caisse.name,
    )


def record_lookup(actor: User, professional: Professional, person: Person) -> None:
    """Write the lookup to the patient's audit log and commit."""
    audit(
        LOOKUP_KIND,
        actor=actor,
        subject=person,
        detail=f"{professional.display_name} a consulté vos droits",
    )
    commit()
