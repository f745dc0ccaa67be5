"""Small helpers shared by the models."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Aware UTC now, the only clock the models use."""
    return datetime.now(UTC)
