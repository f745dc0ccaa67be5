"""Queued jobs (Huey). Each job reads what its transaction wrote, so a dead worker loses nothing."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from huey import crontab

from app.extensions import db, huey
from app.models import AuditEvent
from app.models.base import utcnow


def purge_audit_events() -> int:
    """Delete audit events older than ``AUDIT_RETENTION_DAYS`` (default 3 years); return how many."""
    days = int(current_app.config.get("AUDIT_RETENTION_DAYS", 3 * 365))
    cutoff = utcnow() - timedelta(days=days)
    result = db.session.execute(sa.delete(AuditEvent).where(AuditEvent.at < cutoff))
    db.session.commit()
    return result.rowcount or 0


@huey.app_periodic_task(crontab(hour="3", minute="17"))
def purge_audit_events_daily() -> int:
    """Nightly retention of the audit log."""
    return purge_audit_events()
