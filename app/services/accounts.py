"""Accounts: create them for the register's people and staff, and check a login."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Person, User
from app.models.base import utcnow
from app.security import hash_password, verify_password


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


def authenticate_assure(nir: str, password: str, ip: str | None) -> User | None:
    """The assuré's account for this NIR and password, or None (same work either way)."""
    user = db.session.scalar(
        sa.select(User).join(Person, User.person_id == Person.id).where(Person.nir == nir)
    )
    ok = verify_password(user.password_hash if user else None, password)
    return _finish_login(user if ok else None, user, ip, "assure")


def authenticate_staff(login: str, password: str, ip: str | None) -> User | None:
    """The staff account for this login and password, or None."""
    user = db.session.scalar(sa.select(User).where(User.login == login.strip().lower()))
    if user is not None and not user.is_staff:
        user = None
    ok = verify_password(user.password_hash if user else None, password)
    return _finish_login(user if ok else None, user, ip, "staff")


def _finish_login(user: User | None, candidate: User | None, ip: str | None, channel: str) -> User | None:
    if user is None:
        if candidate is not None:
            audit(
                "login_failed",
                actor=candidate,
                subject=candidate.person,
                ip=ip,
                detail=f"mot de passe ({channel})",
            )
            db.session.commit()
        return None
    user.last_login_at = utcnow()
    audit("login", actor=user, subject=user.person, ip=ip, detail=f"mot de passe ({channel})")
    db.session.commit()
    return user


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
    user.password_hash = hash_password(password)
    db.session.commit()
    return user


def create_assure_account(person: Person, password: str, email: str | None) -> User:
    """Create or update the web account of a register person (idempotent)."""
    user = db.session.scalar(sa.select(User).where(User.person_id == person.id))
    if user is None:
        user = User(person_id=person.id, role="assure")
        db.session.add(user)
    user.display_name = f"{person.first_name} {person.last_name}"
    user.email = email
    user.email_verified_at = utcnow() if email else None
    user.password_hash = hash_password(password)
    db.session.commit()
    return user
