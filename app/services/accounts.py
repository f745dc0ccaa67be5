"""Accounts: create them for the register's people and staff, and check a login."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models import AuditEvent, Person, User
from app.models.base import utcnow
from app.security import hash_password


def audit(
    kind: str,
    *,
    actor: User | None = None,
    subject: Person | None = None,
    ip: str | None = None,
    detail: str = "",
) -> None:
    """Add an audit event to the current transaction (the caller commits)."""
    db.session.add(
        AuditEvent(
            kind=kind,
            actor_user_id=actor.id if actor else None,
            subject_person_id=subject.id if subject else None,
            ip=ip,
            detail=detail[:500],
        )
    )


ACCESS_LABELS = {
    "contexte_consulte": "Consultation de vos droits, paiements et démarches pour répondre à votre message",
    "demarche_consulted": "Consultation d'une démarche",
    "reclamation_paiement": "Réclamation d'un professionnel de santé sur un paiement vous concernant",
    "droits_consultes": "Consultation de vos droits par un professionnel de santé",
    "professional_patient_lookup": (
        "Vérification de vos droits par un professionnel de santé (feuille de soins, arrêt de travail "
        "ou médecin traitant)"
    ),
    "historique_demande": "Demande d'accès à l'historique de vos remboursements",
    "historique_autorise": "Accès à l'historique de vos remboursements autorisé",
    "historique_refuse": "Accès à l'historique de vos remboursements refusé",
    "historique_retire": "Accès à l'historique de vos remboursements retiré",
    "historique_code_errone": "Code d'accès à l'historique de vos remboursements erroné",
    "historique_consulte": "Consultation de l'historique de vos remboursements",
}
ACCESS_LIMIT = 30


def accesses_by_others(
    user: User,
    limit: int = ACCESS_LIMIT,
    *,
    person_ids: list[int] | None = None,
    kinds: tuple[str, ...] | None = None,
) -> list[tuple[AuditEvent, User | None]]:
    """What people other than the user did with or read of their data — agents of the caisse,
    professionals — newest first, with the actor's account (one query): "qui a consulté mon
    dossier". ``person_ids`` widens it to people the user answers for (minor children);
    ``kinds`` keeps only those kinds of events."""
    if person_ids:
        subject = AuditEvent.subject_person_id.in_(person_ids)
    elif user.person_id is not None:
        subject = AuditEvent.subject_person_id == user.person_id
    else:
        subject = AuditEvent.subject_user_id == user.id
    if kinds:
        subject = sa.and_(subject, AuditEvent.kind.in_(kinds))
    actor = sa.orm.aliased(User)
    rows = db.session.execute(
        sa.select(AuditEvent, actor)
        .outerjoin(actor, actor.id == AuditEvent.actor_user_id)
        .where(subject, AuditEvent.actor_user_id.is_not(None), AuditEvent.actor_user_id != user.id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    ).all()
    return [(event, account) for event, account in rows]


def actor_label(account: User | None) -> str:
    """Who acted, as the user is told: a professional by name, an agent by their caisse only."""
    if account is None:
        return "Votre caisse"
    if account.professional is not None:
        return account.professional.display_name
    if account.caisse is not None:
        return f"Un conseiller de {account.caisse.name}"
    return "L'administration de macaisse"


def authenticate_assure(nir: str, password: str, ip: str | None) -> User | None:
    """The assuré's account if this NIR and password (or provisional code) are right and the
    account is not locked; None otherwise. The second factor is the caller's business."""
    from app.services import identity

    outcome = identity.check_password(identity.find_assure(nir), password, ip)
    return outcome.user if outcome.status == "ok" else None


def authenticate_staff(login: str, password: str, ip: str | None) -> User | None:
    """The staff account for this login and password, or None (locked accounts included)."""
    from app.services import identity

    outcome = identity.check_password(identity.find_staff(login), password, ip)
    return outcome.user if outcome.status == "ok" else None


def create_staff(
    login: str, password: str, role: str, caisse_id: int | None, display_name: str, email: str | None = None
) -> User:
    """Create or update a staff account (idempotent by login)."""
    login = login.strip().lower()
    user = db.session.scalar(sa.select(User).where(User.login == login))
    if user is None:
        user = User(login=login, role=role)
        db.session.add(user)
    user.role = role
    user.caisse_id = caisse_id
    user.display_name = display_name
    user.email = email
    user.email_verified_at = utcnow() if email else None
    user.cgu_version = current_app.config["CGU_VERSION"]
    user.cgu_accepted_at = utcnow()
    user.password_hash = hash_password(password)
    db.session.commit()
    return user


def create_assure_account(
    person: Person, password: str, email: str | None, *, accept_cgu: bool = True
) -> User:
    """Create or update the web account of a register person (idempotent): demo and tests.

    The e-mail is taken as verified and, unless told otherwise, the current CGU as accepted, so the
    account is ready to use; real accounts come through ``identity.register``."""
    user = db.session.scalar(sa.select(User).where(User.person_id == person.id))
    if user is None:
        user = User(person_id=person.id, role="assure")
        db.session.add(user)
    user.display_name = f"{person.first_name} {person.last_name}"
    user.email = email
    user.email_verified_at = utcnow() if email else None
    user.password_hash = hash_password(password)
    if accept_cgu:
        user.cgu_version = current_app.config["CGU_VERSION"]
        user.cgu_accepted_at = utcnow()
    db.session.commit()
    return user
