"""API tokens of a professional's billing software: made once, shown once, kept only as a hash.

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
from app.services.transactions import commit

TOKEN_PREFIX: Final = "mc_"
# 30 random bytes are 40 url-safe base64 characters, without padding.
TOKEN_BYTES: Final = 30
MAX_SECRET_LENGTH: Final = 200
SHOWN_PREFIX_LENGTH: Final = 8
# ``last_used_at`` is written at most once a minute: a busy billing software must not turn every
# API call into a write.
LAST_USED_PRECISION: Final = timedelta(minutes=1)


def token_hash(secret: str) -> str:
    """SHA-256 of the token, hex: what ``ApiToken.token_hash`` stores."""
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(professional: Professional, name: str) -> tuple[ApiToken, str]:
    """A new token named ``name`` for ``professional``, committed; returns it with its secret, the
    only time the secret exists in clear."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    token = ApiToken(
        professional_id=professional.id,
        name=name.strip(),
        token_hash=token_hash(secret),
        prefix=secret[:SHOWN_PREFIX_LENGTH],
    )
    db.session.add(token)
    commit()
    return token, secret


def tokens_of(professional: Professional) -> list[ApiToken]:
    """The professional's tokens, newest first, revoked ones included (one query)."""
    return list(
        db.session.scalars(
            sa.select(ApiToken)
            .where(ApiToken.professional_id == professional.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke(professional: Professional, token_id: int) -> bool:
    """Revoke the professional's token ``token_id`` and commit; False when they have no such token.

    Revoking an already revoked token keeps its first revocation date.
    """
    token = db.session.scalar(
        sa.select(ApiToken).where(ApiToken.id == token_id, ApiToken.professional_id == professional.id)
    )
    if token is None:
        return False
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        commit()
    return True


def professional_for_token(secret: str) -> Professional | None:
    """The professional whose live (not revoked) token is ``secret``, or None; notes the use."""
    # The shape is not checked beyond a sane length: tokens made otherwise (the demo's) stay valid.
    if not secret or len(secret) > MAX_SECRET_LENGTH:
        return None
    row = db.session.execute(
        sa.select(ApiToken, Professional)
        .join(Professional, ApiToken.professional_id == Professional.id)
        .where(ApiToken.token_hash == token_hash(secret), ApiToken.revoked_at.is_(None))
    ).first()
    if row is None:
        return None
    token, professional = row
    now = utcnow()
    if token.last_used_at is None or now - _aware(token.last_used_at) >= LAST_USED_PRECISION:
        token.last_used_at = now
        commit()
    return professional


def _aware(moment: datetime) -> datetime:
    # SQLite gives back naive datetimes; they were stored as UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
