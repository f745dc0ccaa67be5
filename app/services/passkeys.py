"""Passkeys (WebAuthn) with py_webauthn: register one on an account, sign in with one, manage them.

The relying party is ``WEBAUTHN_RP_ID``; the expected origin is the scheme, host and port of
``PUBLIC_BASE_URL`` (a browser signs the origin it really used, so a proxy must not hide it).
Every outcome is written to the audit log; the credential, its public key and the signature never
are: only the passkey's name and a fixed reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.parse_authentication_credential_json import parse_authentication_credential_json
from webauthn.helpers.parse_registration_credential_json import parse_registration_credential_json
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from app.extensions import db
from app.models import Passkey, User
from app.models.base import utcnow
from app.services.accounts import audit

NAME_MAX = 80
TIMEOUT_MS = 120_000

NOT_RECOGNISED = "Cette clé d'accès n'a pas été reconnue."
NOT_REGISTERED = "Cette clé d'accès n'a pas pu être enregistrée. Réessayez."
ALREADY_REGISTERED = "Cette clé d'accès est déjà enregistrée."


class PasskeyError(Exception):
    """A ceremony that failed; ``str(error)`` is the French message to show the user."""


def expected_origin() -> str:
    """``scheme://host[:port]`` of ``PUBLIC_BASE_URL``: the only origin a browser may sign."""
    parts = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    return f"{parts.scheme}://{parts.netloc}"


def user_handle(user: User) -> bytes:
    """The WebAuthn user id: stable and opaque (never the NIR, which authenticators may show or sync)."""
    return f"macaisse-user-{user.id}".encode()


def list_for(user: User) -> Sequence[Passkey]:
    """The user's passkeys, oldest first."""
    return db.session.scalars(
        sa.select(Passkey).where(Passkey.user_id == user.id).order_by(Passkey.created_at, Passkey.id)
    ).all()


def registration_options(user: User) -> tuple[str, bytes]:
    """Options for ``navigator.credentials.create`` as JSON, and the challenge to keep server-side.

    A discoverable credential (resident key) with user verification: the passkey alone signs in,
    without the NIR. The user's existing passkeys are excluded so an authenticator is not enrolled twice.
    """
    config = current_app.config
    name = user.display_name or user.login or "Compte macaisse"
    options = generate_registration_options(
        rp_id=config["WEBAUTHN_RP_ID"],
        rp_name=config["WEBAUTHN_RP_NAME"],
        user_id=user_handle(user),
        user_name=name,
        user_display_name=name,
        timeout=TIMEOUT_MS,
        attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=passkey.credential_id) for passkey in list_for(user)
        ],
    )
    return options_to_json(options), options.challenge


def verify_registration(user: User, credential_json: str, expected_challenge: bytes, name: str) -> Passkey:
    """Check a ``navigator.credentials.create`` answer and store the new passkey (committed).

    Raises ``PasskeyError`` (audited as ``passkey_failed``) when the answer is malformed, signed for
    another challenge, origin or relying party, lacks user verification, or its credential is
    already registered.
    """
    try:
        credential = parse_registration_credential_json(credential_json)
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=expected_challenge,
            expected_rp_id=current_app.config["WEBAUTHN_RP_ID"],
            expected_origin=expected_origin(),
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError):
        _audit_failure(user, "enregistrement refusé")
        raise PasskeyError(NOT_REGISTERED) from None
    taken = db.session.scalar(sa.select(Passkey.id).where(Passkey.credential_id == verified.credential_id))
    if taken is not None:
        _audit_failure(user, "enregistrement refusé : clé déjà enregistrée")
        raise PasskeyError(ALREADY_REGISTERED)
    transports = ",".join(t.value for t in credential.response.transports or [])
    passkey = Passkey(
        user_id=user.id,
        credential_id=verified.credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=transports[:120],
        name=clean_name(name),
        backed_up=verified.credential_backed_up,
    )
    db.session.add(passkey)
    audit("passkey_added", actor=user, subject=user.person, ip=_ip(), detail=passkey.name)
    db.session.commit()
    return passkey


def authentication_options() -> tuple[str, bytes]:
    """Options for ``navigator.credentials.get`` (discoverable: no credential list, so no account
    is revealed), as JSON, and the challenge to keep server-side."""
    options = generate_authentication_options(
        rp_id=current_app.config["WEBAUTHN_RP_ID"],
        timeout=TIMEOUT_MS,
        allow_credentials=[],
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    return options_to_json(options), options.challenge


def verify_authentication(credential_json: str, expected_challenge: bytes) -> User:
    """The account a ``navigator.credentials.get`` answer proves, after updating its counter (committed).

    Raises ``PasskeyError`` (audited as ``passkey_failed``) for an unknown credential, a user handle
    that is not the owner's, a wrong challenge, origin or relying party, no user verification, a bad
    signature, or a sign counter that did not increase (a cloned authenticator or a replay).
    """
    try:
        credential = parse_authentication_credential_json(credential_json)
    except (WebAuthnException, ValueError):
        _audit_failure(None, "réponse illisible")
        raise PasskeyError(NOT_RECOGNISED) from None
    passkey = db.session.scalar(sa.select(Passkey).where(Passkey.credential_id == credential.raw_id))
    if passkey is None:
        _audit_failure(None, "clé inconnue")
        raise PasskeyError(NOT_RECOGNISED)
    user = db.session.get(User, passkey.user_id)
    if user is None:
        raise PasskeyError(NOT_RECOGNISED)
    handle = credential.response.user_handle
    if handle is not None and handle != user_handle(user):
        _audit_failure(user, f"clé « {passkey.name} » : identifiant de compte différent")
        raise PasskeyError(NOT_RECOGNISED)
    try:
        # The counter is checked below, after the signature, so that only a genuinely signed answer
        # can be reported as a cloned authenticator (py_webauthn checks it before the signature).
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=expected_challenge,
            expected_rp_id=current_app.config["WEBAUTHN_RP_ID"],
            expected_origin=expected_origin(),
            credential_public_key=passkey.public_key,
            credential_current_sign_count=0,
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError):
        _audit_failure(user, f"clé « {passkey.name} » : vérification refusée")
        raise PasskeyError(NOT_RECOGNISED) from None
    new_count = verified.new_sign_count
    if (new_count > 0 or passkey.sign_count > 0) and new_count <= passkey.sign_count:
        _audit_failure(
            user, f"clé « {passkey.name} » : compteur de signatures non croissant (clé clonée ou rejouée)"
        )
        raise PasskeyError(NOT_RECOGNISED)
    passkey.sign_count = new_count
    passkey.last_used_at = utcnow()
    passkey.backed_up = verified.credential_backed_up
    audit("passkey_used", actor=user, subject=user.person, ip=_ip(), detail=passkey.name)
    db.session.commit()
    return user


def rename(passkey: Passkey, name: str) -> None:
    """Give a passkey a new name (committed)."""
    user = db.session.get(User, passkey.user_id)
    passkey.name = clean_name(name)
    audit("passkey_renamed", actor=user, subject=user.person if user else None, ip=_ip(), detail=passkey.name)
    db.session.commit()


def delete(passkey: Passkey) -> None:
    """Remove a passkey from the account (committed): it can no longer sign in."""
    user = db.session.get(User, passkey.user_id)
    audit("passkey_removed", actor=user, subject=user.person if user else None, ip=_ip(), detail=passkey.name)
    db.session.delete(passkey)
    db.session.commit()


def clean_name(name: str) -> str:
    """A passkey name on one line, trimmed, at most ``NAME_MAX`` characters, never empty."""
    cleaned = " ".join((name or "").split())[:NAME_MAX]
    return cleaned or "Clé d'accès"


def _audit_failure(user: User | None, reason: str) -> None:
    audit(
        "passkey_failed",
        actor=user,
        subject=user.person if user else None,
        ip=_ip(),
        detail=reason,
    )
    db.session.commit()


def _ip() -> str | None:
    return request.remote_addr if has_request_context() else None
