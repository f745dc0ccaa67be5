"""Déclaration de médecin traitant: per person (the assuré, or a child of the file under 16 for whom
a parent declares), filed by the assuré from the doctor chosen in the Annuaire and confirmed by the
doctor in ``/pro``, or filed by the doctor from ``/pro`` with the patient's signed consent (decided
at once). On confirmation the person's ``medecin_traitant_rpps`` and ``medecin_traitant_since`` (the
confirmation date) change: from that date the refund engine puts their care in the parcours de
soins (``app.services.claims``).

Every function takes the owner explicitly: the assuré's file for the assuré's side, the signed-in
doctor's RPPS for the doctor's; a démarche of another doctor is None (the views answer 404).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, lazyload

from app.extensions import db
from app.models import Demarche, Person, User
from app.models.annuaire import AnnuairePractitioner
from app.models.care import Professional
from app.rules import annuaire as annuaire_rules
from app.services import demarches, notifications
from app.services.accounts import audit
from app.services.documents import file_members
from app.services.transactions import commit
from app.services.urls import path_for

KIND = "medecin_traitant"
# From 16, a child chooses (and signs for) their own médecin traitant; before, a parent declares.
CHILD_AGE_LIMIT = 16
NOT_FOUND = "Nous ne trouvons pas ce patient avec ces informations."


class CannotDeclare(ValueError):
    """The declaration cannot be filed; the message is French and says why."""


@dataclass(frozen=True)
class Member:
    """A member of the file and whether the chosen doctor can be declared for them: ``state`` is
    ``possible``, ``already`` (he is their médecin traitant), ``pending`` (a declaration waits for
    a doctor) or ``self`` (16 or older, an ayant droit who declares themselves)."""

    person: Person
    state: str


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def is_doctor(practitioner: AnnuairePractitioner | None) -> bool:
    """A médecin with an RPPS number: the only one who can be a médecin traitant."""
    return (
        practitioner is not None
        and practitioner.is_rpps
        and practitioner.profession_code == annuaire_rules.MEDECIN
    )


def _pending_beneficiaries(holder: Person) -> set[int]:
    return {
        demarche.beneficiary_id or holder.id
        for demarche in demarches.open_demarches_of(holder, KIND)
        if demarche.status == "attente_confirmation"
    }


def members_for(holder: Person, rpps: str) -> list[Member]:
    """The file's members and whether the doctor ``rpps`` can be declared for each (two queries)."""
    today = demarches.today()
    pending = _pending_beneficiaries(holder)
    result = []
    for member in file_members(holder, today):
        if member.medecin_traitant_rpps == rpps:
            state = "already"
        elif member.id in pending:
            state = "pending"
        elif member.id != holder.id and age_on(member.birth_date, today) >= CHILD_AGE_LIMIT:
            state = "self"
        else:
            state = "possible"
        result.append(Member(member, state))
    return result


def declare(user: User, beneficiary_id: int, practitioner: AnnuairePractitioner | None) -> Demarche:
    """The assuré declares ``practitioner`` as médecin traitant of a member of their file: filed
    ``attente_confirmation`` for the doctor; commits. Raises ``CannotDeclare`` (nothing stored)."""
    holder = user.person
    if not is_doctor(practitioner):
        raise CannotDeclare("Seul un médecin inscrit au RPPS peut être déclaré comme médecin traitant.")
    rpps = practitioner.identifier
    member = next((m for m in members_for(holder, rpps) if m.person.id == beneficiary_id), None)
    if member is None:
        raise CannotDeclare("Choisissez une personne de votre dossier.")
    name = member.person.first_name
    if member.state == "already":
        raise CannotDeclare(f"{practitioner.display_name} est déjà le médecin traitant de {name}.")
    if member.state == "pending":
        raise CannotDeclare(
            f"Une déclaration de médecin traitant pour {name} attend déjà la confirmation d'un médecin : "
            "annulez-la depuis Mes démarches pour en faire une autre."
        )
    if member.state == "self":
        raise CannotDeclare(
            f"À partir de {CHILD_AGE_LIMIT} ans, {name} déclare son médecin traitant "
            "lui-même, avec le médecin."
        )
    demarche = demarches.file_demarche(
        user,
        KIND,
        beneficiary=member.person,
        payload={"medecin": practitioner.display_name, "rpps": rpps, "declare_par": "assure"},
        status="attente_confirmation",
        professional_rpps=rpps,
        message=f"Déclaration envoyée à {practitioner.display_name} pour confirmation.",
    )
    _tell_doctor(rpps)
    commit()
    return demarche


def _tell_doctor(rpps: str) -> None:
    """Notify the doctor's web account, if any, that a confirmation waits for them."""
    doctor = db.session.scalar(
        sa.select(User)
        .join(Professional, User.professional_id == Professional.id)
        .where(User.role == "professionnel", Professional.rpps == rpps)
    )
    if doctor is not None:
        notifications.notify(
            doctor,
            demarches.NOTIFICATION_KIND,
            "Déclaration de médecin traitant à confirmer",
            "Un patient vous a choisi comme médecin traitant : confirmez ou refusez dans votre espace.",
            path_for("pro_demarches.index"),
            tag="medecin-traitant",
        )


def waiting_for(rpps: str) -> list[Demarche]:
    """The declarations waiting for the doctor's confirmation, oldest first, with the patient and
    the file's assuré (one query)."""
    return list(
        db.session.scalars(
            sa.select(Demarche)
            .where(
                Demarche.professional_rpps == rpps,
                Demarche.status == "attente_confirmation",
                Demarche.kind == KIND,
            )
            .options(
                lazyload("*"),
                joinedload(Demarche.person).options(lazyload("*")),
                joinedload(Demarche.beneficiary).options(lazyload("*")),
            )
            .order_by(Demarche.created_at, Demarche.id)
        ).unique()
    )


def _waiting(rpps: str, demarche_id: int) -> Demarche | None:
    # Locked on PostgreSQL: a double click does not decide twice.
    return db.session.scalar(
        sa.select(Demarche)
        .where(Demarche.id == demarche_id, Demarche.professional_rpps == rpps, Demarche.kind == KIND)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _apply(demarche: Demarche, doctor: User) -> str:
    """Make the doctor the patient's médecin traitant from today; the sentence for the decision."""
    patient = demarche.beneficiary or demarche.person
    since = demarches.today()
    patient.medecin_traitant_rpps = doctor.professional.rpps
    patient.medecin_traitant_since = since
    return (
        f"{doctor.professional.display_name} est le médecin traitant de {patient.full_name} depuis le "
        f"{since:%d/%m/%Y}. À partir de cette date, ses consultations dans le parcours de soins sont "
        "remboursées au taux normal (70 % pour une consultation)."
    )


def confirm(doctor: User, demarche_id: int) -> Demarche | None:
    """The doctor confirms a declaration addressed to them; commits. None for a démarche that is
    not theirs; ``DemarcheClosed`` unless it waits for a confirmation."""
    demarche = _waiting(doctor.professional.rpps, demarche_id)
    if demarche is None:
        return None
    if demarche.status != "attente_confirmation":
        raise demarches.DemarcheClosed(demarche)
    demarches.decided(demarche, doctor, accepted=True, text=_apply(demarche, doctor))
    commit()
    return demarche


def decline(doctor: User, demarche_id: int, reason: str) -> Demarche | None:
    """The doctor declines with ``reason`` (sent to the assuré); commits. None / ``DemarcheClosed``
    as for ``confirm``."""
    demarche = _waiting(doctor.professional.rpps, demarche_id)
    if demarche is None:
        return None
    if demarche.status != "attente_confirmation":
        raise demarches.DemarcheClosed(demarche)
    demarches.decided(demarche, doctor, accepted=False, text=reason)
    commit()
    return demarche


def find_patient(nir: str, birth_date: date) -> Person | None:
    """The patient with this NIR and birth date, or the one child of the file of this NIR born on
    that date (a child without a NIR of their own is cared for under a parent's); else None."""
    holder = db.session.scalar(sa.select(Person).where(Person.nir == nir))
    if holder is None:
        return None
    if holder.birth_date == birth_date:
        return holder
    children = [
        member for member in file_members(holder) if member.birth_date == birth_date and not member.nir
    ]
    return children[0] if len(children) == 1 else None


def declare_by_doctor(doctor: User, patient: Person) -> Demarche:
    """The doctor declares themselves médecin traitant of ``patient``, who signed the declaration:
    filed in the file of the patient's assuré and accepted at once; commits. Raises
    ``CannotDeclare`` when they already are."""
    rpps = doctor.professional.rpps
    if patient.medecin_traitant_rpps == rpps:
        raise CannotDeclare(f"Vous êtes déjà le médecin traitant de {patient.full_name}.")
    holder = patient.ouvrant_droit or patient
    audit("professional_patient_lookup", actor=doctor, subject=patient)
    for pending in demarches.open_demarches_of(holder, KIND):
        if (pending.beneficiary_id or holder.id) == patient.id and pending.professional_rpps == rpps:
            # The assuré's own declaration to this doctor is the same choice: confirm it.
            demarches.decided(pending, doctor, accepted=True, text=_apply(pending, doctor))
            commit()
            return pending
    demarche = demarches.file_demarche(
        doctor,
        KIND,
        person=holder,
        beneficiary=patient,
        payload={"medecin": doctor.professional.display_name, "rpps": rpps, "declare_par": "medecin"},
        status="attente_confirmation",
        professional_rpps=rpps,
        message="Déclaration signée par le patient et transmise par le médecin.",
        notify=False,
    )
    demarches.decided(demarche, doctor, accepted=True, text=_apply(demarche, doctor))
    commit()
    return demarche
