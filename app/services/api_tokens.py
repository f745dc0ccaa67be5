"""API tokens of a professional's billing software or an employer's payroll software: made once,
shown once, kept only as a hash. The same functions serve both owners (``ApiToken`` of a
``Professional``, ``EmployerToken`` of an ``Employer``).

Why a hash: a leaked database must not hand out working tokens. The token carries 240 random bits,
so a plain SHA-256 is enough (no slow password hash) and the lookup is by the hash itself, in one
indexed query, with nothing to compare in constant time afterwards.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Final

import sqlalchemy as sa

from app.extensions import db
from app.models.base import utcnow
from app.models.care import ApiToken, Professional
from app.models.sick_leave import Employer, EmployerToken
from app.services.transactions import commit

TOKEN_PREFIX: Final = "mc_"
# 30 random bytes are 40 url-safe base64 characters, without padding.
TOKEN_BYTES: Final = 30
MAX_SECRET_LENGTH: Final = 200
SHOWN_PREFIX_LENGTH: Final = 8
# ``last_used_at`` is written at most once a minute: a busy billing software must not turn every
# API call into a write.
LAST_USED_PRECISION: Final = timedelta(minutes=1)

# What a professional's token may do (``ApiToken.scopes``, space-separated): one right per API.
PROFESSIONAL_SCOPES: Final = {
    "feuilles_de_soins": "Transmettre des feuilles de soins",
    "arrets_de_travail": "Transmettre des avis d'arrêt de travail",
}

Owner = Professional | Employer
Token = ApiToken | EmployerToken


def _owned(owner: Owner) -> tuple[type[Token], sa.ColumnElement[bool]]:
    """The token model of ``owner`` and the condition "belongs to ``owner``"."""
    if isinstance(owner, Employer):
        return EmployerToken, EmployerToken.employer_id == owner.id
    return ApiToken, ApiToken.professional_id == owner.id


def token_hash(secret: str) -> str:
    """SHA-256 of the token, hex: what ``ApiToken.token_hash`` stores."""
    return hashlib.sha256(secret.encode()).hexdigest()


class ScopeDenied(Exception):
    """The token is valid but was not given the right to do this."""


def create_token(owner: Owner, name: str, scopes: list[str] | None = None) -> tuple[Token, str]:
    """A new token named ``name`` for ``owner`` (professional or employer), committed; returns it
    with its secret, the only time the secret exists in clear. A professional's token gets
    ``scopes`` (every right when None); raises ``ValueError`` for an unknown or empty scope list."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    model, _ = _owned(owner)
    owner_field = "employer_id" if model is EmployerToken else "professional_id"
    token = model(
        **{owner_field: owner.id},
        name=name.strip(),
        token_hash=token_hash(secret),
        prefix=secret[:SHOWN_PREFIX_LENGTH],
    )
    if model is ApiToken:
        chosen = list(PROFESSIONAL_SCOPES) if scopes is None else scopes
        if not chosen or any(scope not in PROFESSIONAL_SCOPES for scope in chosen):
            raise ValueError(f"scopes {chosen!r}")
        token.scopes = " ".join(scope for scope in PROFESSIONAL_SCOPES if scope in chosen)
    db.session.add(token)
    commit()
    return token, secret


def tokens_of(owner: Owner) -> list[Token]:
    """The owner's tokens, newest first, revoked ones included (one query)."""
    model, belongs = _owned(owner)
    return list(
        db.session.scalars(sa.select(model).where(belongs).order_by(model.created_at.desc(), model.id.desc()))
    )


def revoke(owner: Owner, token_id: int) -> bool:
    """Revoke the owner's token ``token_id`` and commit; False when they have no such token.

    Revoking an already revoked token keeps its first revocation date.
    """
    model, belongs = _owned(owner)
    token = db.session.scalar(sa.select(model).where(model.id == token_id, belongs))
    if token is None:
        return False
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        commit()
    return True


def scope_labels(token: ApiToken) -> list[str]:
    """What the token may do, in French, in the order of ``PROFESSIONAL_SCOPES``."""
    given = token.scopes.split()
    return [label for scope, label in PROFESSIONAL_SCOPES.items() if scope in given]


def professional_for_token(secret: str, scope: str | None = None) -> Professional | None:
    """The professional whose live (not revoked) token is ``secret``, or None; notes the use.
    Raises ``ScopeDenied`` when the token lacks ``scope``."""
    found = _owner_for(secret, ApiToken, Professional, ApiToken.professional_id)
    if found is None:
        return None
    token, owner = found
    if scope is not None and scope not in token.scopes.split():
        raise ScopeDenied(scope)
    return owner


def employer_for_token(secret: str) -> Employer | None:
    """The employer whose live (not revoked) token is ``secret``, or None; notes the use."""
    found = _owner_for(secret, EmployerToken, Employer, EmployerToken.employer_id)
    return found[1] if found is not None else None


def _owner_for(
    secret: str, model: type[Token], owner_model: type, owner_column
) -> tuple[Token, Owner] | None:
    # The shape is not checked beyond a sane length: tokens made otherwise (the demo's) stay valid.
    if not secret or len(secret) > MAX_SECRET_LENGTH:
        return None
    row = db.session.execute(
        sa.select(model, owner_model)
        .join(owner_model, owner_column == owner_model.id)
        .where(model.token_hash == token_hash(secret), model.revoked_at.is_(None))
    ).first()
    if row is None:
        return None
    token, owner = row
    now = utcnow()
    if token.last_used_at is None or now - _aware(token.last_used_at) >= LAST_USED_PRECISION:
        token.last_used_at = now
        commit()
    return token, owner


def _aware(moment: datetime) -> datetime:
    # SQLite gives back naive datetimes; they were stored as UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
