"""Réclamations paiements: a professional contests a payment with the patient's caisse, which takes
it in charge and answers. The professional reads only their own réclamations, an agent only those
sent to their caisse: every getter here takes the owner's id and answers None for anyone else's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import defer, joinedload, lazyload, load_only, selectinload

from app.extensions import db
from app.models import Person, User
from app.models.base import utcnow
from app.models.caisse import Caisse
from app.models.care import Professional
from app.models.messages import as_utc
from app.models.pro_space import PaymentReclamation, ReclamationFile
from app.rules import reclamations as rules
from app.services import notifications
from app.services.accounts import audit
from app.services.identity import fold_name
from app.services.transactions import commit
from app.services.uploads import CheckedFile
from app.services.urls import path_for

PER_PAGE = 20
AUDIT_KIND = "reclamation_paiement"
NOTIFICATION_KIND = "message"
ANSWER_TITLE = "Réponse à votre réclamation"
ANSWER_BODY = "Ouvrez macaisse pour la lire."
UNKNOWN_PATIENT = (
    "Aucun assuré ne correspond à ce numéro de sécurité sociale et à cette date de naissance : "
    "vérifiez-les sur la carte Vitale ou l'attestation de droits du patient."
)
OTHER_CAISSE = (
    "Ce patient n'est pas affilié à la caisse choisie : choisissez la caisse qui figure sur sa carte "
    "Vitale ou son attestation de droits."
)


class PatientNotFound(ValueError):
    """No patient of the chosen caisse has this NIR and birth date; ``str()`` says why in French
    (unknown, or of another caisse) without naming whose file it is."""


def caisses() -> list[Caisse]:
    """Every caisse, by name (case and accents ignored, the same on every database): the
    professional picks the patient's."""
    return sorted(
        db.session.scalars(sa.select(Caisse).options(lazyload("*"))), key=lambda c: fold_name(c.name)
    )


def caisse(caisse_id: int) -> Caisse | None:
    return db.session.get(Caisse, caisse_id)


def find_patient(nir: str, birth_date: date, caisse_id: int) -> Person:
    """The person of the register with this NIR and birth date, affiliated to ``caisse_id``.
    A wrong birth date reads as an unknown NIR (it must not confirm that the NIR exists). Raises
    ``PatientNotFound``."""
    person = db.session.scalar(sa.select(Person).where(Person.nir == nir))
    if person is None or person.birth_date != birth_date:
        raise PatientNotFound(UNKNOWN_PATIENT)
    if person.caisse_id != caisse_id:
        raise PatientNotFound(OTHER_CAISSE)
    return person


def file_reclamation(
    user: User,
    professional: Professional,
    caisse_id: int,
    patient: Person,
    invoice_number: str,
    reason: str,
    message: str,
    files: list[CheckedFile],
) -> PaymentReclamation:
    """Send a réclamation to the patient's caisse, with its files; written to the patient's audit
    log (they see that this professional filed one about them); commits. Raises ``ValueError`` for
    a reason not offered or a patient of another caisse."""
    if not rules.is_reason(reason):
        raise ValueError(f"reason {reason!r}")
    if patient.caisse_id != caisse_id:
        raise ValueError("patient of another caisse")
    reclamation = PaymentReclamation(
        professional_id=professional.id,
        caisse_id=caisse_id,
        patient_id=patient.id,
        invoice_number=invoice_number.strip()[: rules.INVOICE_MAX],
        reason=reason,
        message=message.strip(),
        status="deposee",
        created_at=utcnow(),
    )
    reclamation.files = [
        ReclamationFile(
            filename=checked.filename,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            data=checked.data,
        )
        for checked in files
    ]
    db.session.add(reclamation)
    audit(AUDIT_KIND, actor=user, subject=patient, detail=rules.reason_label(reason))
    commit()
    return reclamation


def tab_of(reclamation: PaymentReclamation, now: datetime) -> str:
    """The tab of the professional's list ``reclamation`` is shown in."""
    processed = as_utc(reclamation.processed_at) if reclamation.processed_at else None
    return rules.tab_of(reclamation.status, processed, now)


def archived_on(reclamation: PaymentReclamation) -> datetime | None:
    """When a processed réclamation is (or was) archived."""
    return as_utc(reclamation.processed_at) + rules.ARCHIVE_AFTER if reclamation.processed_at else None


def _tab_condition(tab: str, now: datetime) -> sa.ColumnElement[bool]:
    limit = rules.archive_limit(now)
    if tab == rules.ARCHIVEES:
        return sa.and_(
            PaymentReclamation.status.in_(rules.CLOSED_STATUSES), PaymentReclamation.processed_at <= limit
        )
    if tab == rules.TRAITEES:
        return sa.and_(
            PaymentReclamation.status.in_(rules.CLOSED_STATUSES), PaymentReclamation.processed_at > limit
        )
    return PaymentReclamation.status.in_(rules.OPEN_STATUSES)


def tab_counts(professional_id: int, now: datetime) -> dict[str, int]:
    """How many of the professional's réclamations each tab holds (one query)."""
    row = db.session.execute(
        sa.select(
            *(
                sa.func.count().filter(_tab_condition(tab, now)).label(tab.replace("-", "_"))
                for tab in rules.TABS
            )
        ).where(PaymentReclamation.professional_id == professional_id)
    ).one()
    return {tab: row[index] or 0 for index, tab in enumerate(rules.TABS)}


def reclamations_of(professional_id: int, tab: str, now: datetime, page: int) -> Pagination:
    """One page of the professional's réclamations of one tab, the latest first, with the caisse and
    the patient's name. Three queries whatever the rows (count, rows, files)."""
    query = (
        sa.select(PaymentReclamation)
        .where(PaymentReclamation.professional_id == professional_id, _tab_condition(tab, now))
        .options(
            lazyload("*"),
            joinedload(PaymentReclamation.caisse).options(lazyload("*"), load_only(Caisse.name)),
            joinedload(PaymentReclamation.patient).options(
                lazyload("*"), load_only(Person.first_name, Person.last_name)
            ),
        )
        .order_by(PaymentReclamation.created_at.desc(), PaymentReclamation.id.desc())
    )
    return db.paginate(query, page=max(page, 1), per_page=PER_PAGE, error_out=False)


def _full(query: sa.Select) -> sa.Select:
    return query.options(
        selectinload(PaymentReclamation.files).options(lazyload("*"), defer(ReclamationFile.data)),
        joinedload(PaymentReclamation.caisse),
        joinedload(PaymentReclamation.patient),
        joinedload(PaymentReclamation.professional),
    )


def reclamation_of(professional_id: int, reclamation_id: int) -> PaymentReclamation | None:
    """The professional's own réclamation with its files (their content not loaded); None for any
    other one."""
    return db.session.scalar(
        _full(
            sa.select(PaymentReclamation).where(
                PaymentReclamation.id == reclamation_id, PaymentReclamation.professional_id == professional_id
            )
        )
    )


def file_of(reclamation: PaymentReclamation, file_id: int) -> ReclamationFile | None:
    """A file of ``reclamation`` (already checked to be the reader's), with its content."""
    return db.session.scalar(
        sa.select(ReclamationFile).where(
            ReclamationFile.id == file_id, ReclamationFile.reclamation_id == reclamation.id
        )
    )


@dataclass(frozen=True)
class QueueFilter:
    """An empty status means the open réclamations (déposées and en cours)."""

    status: str | None = None


def queue(caisse_id: int, wanted: QueueFilter, page: int) -> Pagination:
    """One page of the réclamations sent to the caisse, the oldest first, with the professional's
    and the patient's names. Two queries whatever the rows."""
    statuses = (wanted.status,) if wanted.status else rules.OPEN_STATUSES
    query = (
        sa.select(PaymentReclamation)
        .where(PaymentReclamation.caisse_id == caisse_id, PaymentReclamation.status.in_(statuses))
        .options(
            lazyload("*"),
            joinedload(PaymentReclamation.professional).options(lazyload("*")),
            joinedload(PaymentReclamation.patient).options(
                lazyload("*"), load_only(Person.first_name, Person.last_name)
            ),
        )
        .order_by(PaymentReclamation.created_at, PaymentReclamation.id)
    )
    return db.paginate(query, page=max(page, 1), per_page=PER_PAGE, error_out=False)


def pile(caisse_id: int) -> tuple[int, datetime | None]:
    """How many réclamations of the caisse wait (déposées or en cours), and since when the oldest."""
    row = db.session.execute(
        sa.select(sa.func.count(), sa.func.min(PaymentReclamation.created_at)).where(
            PaymentReclamation.caisse_id == caisse_id, PaymentReclamation.status.in_(rules.OPEN_STATUSES)
        )
    ).one()
    return row[0], row[1]


def case_of(caisse_id: int, reclamation_id: int) -> PaymentReclamation | None:
    """A réclamation sent to the agent's caisse, with its files; None for any other caisse's."""
    return db.session.scalar(
        _full(
            sa.select(PaymentReclamation).where(
                PaymentReclamation.id == reclamation_id, PaymentReclamation.caisse_id == caisse_id
            )
        )
    )


def take(reclamation: PaymentReclamation, agent: User) -> bool:
    """The agent takes a déposée réclamation in charge (en_cours); commits. False when it was
    not déposée any more (already taken, or closed)."""
    if reclamation.status != "deposee":
        return False
    reclamation.status = "en_cours"
    reclamation.processed_by_id = agent.id
    commit()
    return True


def answer(reclamation: PaymentReclamation, agent: User, text: str, outcome: str) -> bool:
    """Answer and close an open réclamation (``outcome`` traitee or rejetee) and notify the
    professional's accounts; commits. False when it was already closed. Raises ``ValueError`` for
    another outcome."""
    if outcome not in rules.CLOSED_STATUSES:
        raise ValueError(f"outcome {outcome!r}")
    if reclamation.status not in rules.OPEN_STATUSES:
        return False
    reclamation.status = outcome
    reclamation.answer = text.strip()
    reclamation.processed_at = utcnow()
    reclamation.processed_by_id = agent.id
    url = path_for("pro_reclamations.detail", reclamation_id=reclamation.id)
    accounts = db.session.scalars(
        sa.select(User)
        .where(User.professional_id == reclamation.professional_id, User.role == "professionnel")
        .options(lazyload("*"))
    )
    for account in accounts:
        notifications.notify(
            account, NOTIFICATION_KIND, ANSWER_TITLE, ANSWER_BODY, url, tag=f"reclamation-{reclamation.id}"
        )
    commit()
    return True
