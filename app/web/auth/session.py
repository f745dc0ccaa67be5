"""Starting and checking a signed-in session; every way of signing in ends here."""

from __future__ import annotations

import time

from flask import flash, request, session
from flask_login import current_user, login_user

from app.extensions import db
from app.models import SignIn, User
from app.models.base import utcnow
from app.rules.devices import approximate_place, device_label
from app.services import employers
from app.services.accounts import audit

REAUTH_SECONDS = 5 * 60
SUSPENDED_KEY = "_suspended"


def hold_suspended(user: User) -> None:
    """The right credentials of a suspended account: no session, only what the "compte suspendu"
    page needs to offer a reactivation link (for 10 minutes)."""
    session.clear()
    session[SUSPENDED_KEY] = {"user": user.id, "at": int(time.time())}


def start_session(user: User, method: str) -> None:
    """Open a fresh session for ``user`` (no fixation), record the sign-in and commit.

    ``method`` is what the user sees in their history: "mot de passe + code e-mail",
    "clé d'accès", "mot de passe (appareil reconnu)"…
    """
    previous_login = user.last_login_at
    session.clear()
    login_user(user, fresh=True)
    session.permanent = True
    now = int(time.time())
    session["_login_at"] = now
    session["_auth_at"] = now
    session["_seen"] = now
    ip = request.remote_addr or ""
    user.last_login_at = utcnow()
    user.failed_logins = 0
    db.session.add(
        SignIn(
            user_id=user.id,
            ip=ip,
            place=approximate_place(ip),
            device=device_label(request.user_agent.string),
            method=method,
        )
    )
    audit("login", actor=user, subject=user.person, ip=ip, detail=method)
    db.session.commit()
    # News kept for the next sign-in (an attestation de salaire received): shown this once.
    for message in employers.login_messages(user, previous_login):
        flash(message, "info")


def recent_login(max_age: int = REAUTH_SECONDS) -> bool:
    """True when the current user proved their identity less than ``max_age`` seconds ago."""
    if not current_user.is_authenticated:
        return False
    auth_at = session.get("_auth_at")
    return auth_at is not None and time.time() - int(auth_at) <= max_age
