"""Passkeys: list, rename and remove them under "Sécurité", add one (JSON, for the browser's
WebAuthn prompt), and sign in with one from the login page (JSON too)."""

from __future__ import annotations

import json
import time
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, flash, jsonify, request, session, url_for
from flask_login import current_user, login_required
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url

from app.extensions import db, limiter
from app.htmx import redirect, render
from app.models import Passkey
from app.security import no_store, safe_next
from app.services import identity
from app.services import passkeys as service
from app.web.auth.session import REAUTH_SECONDS, hold_suspended, recent_login, start_session
from app.web.passkeys.forms import PasskeyNameForm
from app.web.shell import account_home_url

bp = Blueprint("passkeys", __name__)

REGISTRATION_KEY = "_passkey_registration"
LOGIN_KEY = "_passkey_login"
CHALLENGE_SECONDS = 5 * 60
LIMIT = "30 per minute"

BAD_REQUEST = "La demande n'a pas pu être comprise. Rechargez la page, puis réessayez."
EXPIRED = "La demande a expiré. Recommencez."
SIGNED_OUT = "Votre session a expiré. Reconnectez-vous, puis recommencez."
REAUTH = (
    f"Pour ajouter une clé d'accès, vous devez vous être connecté(e) il y a moins de "
    f"{REAUTH_SECONDS // 60} minutes. Reconnectez-vous, puis recommencez."
)
NAME_MISSING = "Saisissez un nom pour cette clé d'accès."
NAME_TOO_LONG = f"Le nom ne peut pas dépasser {service.NAME_MAX} caractères."


@bp.get("/securite/cles-d-acces")
@login_required
def index():
    """The user's passkeys with rename and remove forms, and the add button; fragment ``content``."""
    return _index_page()


@bp.post("/securite/cles-d-acces/<int:passkey_id>/nom")
@login_required
def passkey_rename(passkey_id: int):
    """Rename one of the user's passkeys (PRG); 422 with the page and the typed name on error."""
    passkey = _own_passkey(passkey_id)
    form = PasskeyNameForm(prefix=_prefix(passkey))
    if form.validate_on_submit():
        service.rename(passkey, form.name.data)
        flash(f"La clé d'accès s'appelle maintenant « {passkey.name} ».", "success")
        return redirect(url_for("passkeys.index"))
    return _index_page(failed=form, failed_id=passkey.id, status=422)


@bp.post("/securite/cles-d-acces/<int:passkey_id>/suppression")
@login_required
def passkey_delete(passkey_id: int):
    """Remove one of the user's passkeys (PRG): it no longer signs in."""
    passkey = _own_passkey(passkey_id)
    name = passkey.name
    service.delete(passkey)
    flash(
        f"La clé d'accès « {name} » est supprimée. Supprimez-la aussi de votre appareil ou de votre "
        "gestionnaire de mots de passe.",
        "success",
    )
    return redirect(url_for("passkeys.index"))


@bp.post("/securite/cles-d-acces/options")
@limiter.limit(LIMIT)
def registration_options():
    """JSON options for ``navigator.credentials.create``; 401 signed out, 403 without a recent login."""
    refused = _refuse_registration()
    if refused is not None:
        return refused
    options_json, challenge = service.registration_options(current_user)
    _keep_challenge(REGISTRATION_KEY, challenge, user_id=current_user.id)
    return _json_text(options_json)


@bp.post("/securite/cles-d-acces")
@limiter.limit(LIMIT)
def passkey_create():
    """Store the passkey the browser created: 201 ``{"ok": true}``, else ``{"error"}`` in French
    (400 bad or unverifiable answer, 401 signed out, 403 login too old, 422 bad name)."""
    refused = _refuse_registration()
    if refused is not None:
        return refused
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("name", ""), str):
        return _json_error(BAD_REQUEST, 400)
    name = " ".join(body.get("name", "").split())
    if not name:
        return _json_error(NAME_MISSING, 422)
    if len(name) > service.NAME_MAX:
        return _json_error(NAME_TOO_LONG, 422)
    challenge = _take_challenge(REGISTRATION_KEY, user_id=current_user.id)
    if challenge is None:
        return _json_error(EXPIRED, 400)
    try:
        passkey = service.verify_registration(current_user, _credential_text(body), challenge, name)
    except service.PasskeyError as error:
        return _json_error(str(error), 400)
    flash(f"La clé d'accès « {passkey.name} » est ajoutée à votre compte.", "success")
    return _json({"ok": True}, 201)


@bp.post("/connexion/cle-d-acces/options")
@limiter.limit(LIMIT)
def login_options():
    """JSON options for ``navigator.credentials.get`` (any passkey of this site: no account named)."""
    options_json, challenge = service.authentication_options()
    _keep_challenge(LOGIN_KEY, challenge)
    return _json_text(options_json)


@bp.post("/connexion/cle-d-acces")
@limiter.limit(LIMIT)
def login():
    """Sign in with a passkey: ``{"redirect": next or the account home}``, or 400 ``{"error"}``."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _json_error(BAD_REQUEST, 400)
    challenge = _take_challenge(LOGIN_KEY)
    if challenge is None:
        return _json_error(EXPIRED, 400)
    try:
        user = service.verify_authentication(_credential_text(body), challenge)
    except service.PasskeyError as error:
        return _json_error(str(error), 400)
    if identity.is_suspended(user):
        hold_suspended(user)
        return _json({"redirect": url_for("auth.pro_suspended")})
    target = safe_next(request.args.get("next"))
    start_session(user, "clé d'accès")
    return _json({"redirect": target or account_home_url()})


def _index_page(failed: PasskeyNameForm | None = None, failed_id: int | None = None, status: int = 200):
    passkeys = service.list_for(current_user)
    forms = {
        passkey.id: failed
        if failed is not None and passkey.id == failed_id
        else PasskeyNameForm(prefix=_prefix(passkey), formdata=None, data={"name": passkey.name})
        for passkey in passkeys
    }
    return no_store(
        render(
            "passkeys/index.html",
            status=status,
            form=failed,
            passkeys=passkeys,
            forms=forms,
            can_add=recent_login(),
            reauth_minutes=REAUTH_SECONDS // 60,
            reauth_url=url_for("auth.reauth", next=url_for("passkeys.index")),
        )
    )


def _prefix(passkey: Passkey) -> str:
    return f"cle-{passkey.id}"


def _own_passkey(passkey_id: int) -> Passkey:
    """The current user's passkey ``passkey_id``; 404 if it does not exist or is someone else's."""
    return db.first_or_404(
        sa.select(Passkey).where(Passkey.id == passkey_id, Passkey.user_id == current_user.id)
    )


def _refuse_registration() -> Response | None:
    """A JSON refusal when the user may not add a passkey now (401 signed out, 403 login too old)."""
    if not current_user.is_authenticated:
        return _json_error(SIGNED_OUT, 401)
    if not recent_login():
        return _json_error(REAUTH, 403)
    return None


def _keep_challenge(key: str, challenge: bytes, user_id: int | None = None) -> None:
    session[key] = {"challenge": bytes_to_base64url(challenge), "at": int(time.time()), "user": user_id}


def _take_challenge(key: str, user_id: int | None = None) -> bytes | None:
    """The challenge kept under ``key``, once only, if it is recent and was issued to ``user_id``."""
    kept = session.pop(key, None)
    if not isinstance(kept, dict) or kept.get("user") != user_id:
        return None
    if time.time() - int(kept.get("at", 0)) > CHALLENGE_SECONDS:
        return None
    return base64url_to_bytes(kept["challenge"])


def _credential_text(body: dict[str, Any]) -> str:
    credential = body.get("credential")
    return json.dumps(credential) if isinstance(credential, dict) else ""


def _json(data: dict[str, Any], status: int = 200) -> Response:
    response = jsonify(data)
    response.status_code = status
    return no_store(response)


def _json_text(text: str) -> Response:
    return no_store(Response(text, mimetype="application/json"))


def _json_error(message: str, status: int) -> Response:
    return _json({"error": message}, status)
