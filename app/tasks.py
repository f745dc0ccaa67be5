"""Queued jobs (Huey). Each job reads what its transaction wrote, so a dead worker loses nothing."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from huey import crontab

from app.extensions import db, huey
from app.models import AuditEvent
from app.models.base import utcnow
from app.services import demarches as demarches_service
from app.services import identity as identity_service
from app.services import mail as mail_service
from app.services import notifications as notifications_service
from app.services import sick_leave as sick_leave_service


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


@huey.app_task(retries=0)
def deliver_mail(mail_id: int) -> bool:
    """Send one queued e-mail. No Huey retries: a failure is rescheduled on the row itself."""
    return mail_service.deliver(mail_id)


@huey.app_periodic_task(crontab(minute="*/5"))
def retry_mail() -> int:
    """Send the e-mails whose delivery failed or whose job was lost, once they are due."""
    return mail_service.retry_pending()


@huey.app_task(retries=0)
def deliver_push(notification_id: int) -> bool:
    """Push one notification to the user's browsers. No Huey retries: a failure is rescheduled on
    the row itself."""
    return notifications_service.deliver_push(notification_id)


@huey.app_periodic_task(crontab(minute="*/5"))
def retry_push() -> int:
    """Push the notifications whose push failed or whose job was lost, once they are due."""
    return notifications_service.retry_push()


@huey.app_periodic_task(crontab(hour="6", minute="40"))
def pay_ij_daily() -> int:
    """Pay the IJ due today; the service decides the 14-day rhythm of each arrêt."""
    return sick_leave_service.pay_due(sick_leave_service.paris_today())


@huey.app_periodic_task(crontab(minute="25"))
def remind_unread_decisions() -> int:
    """Announce again the decisions an assuré has not read: a push after a day, an e-mail after 3."""
    return demarches_service.remind_unread()


@huey.app_periodic_task(crontab(hour="2", minute="47"))
def suspend_inactive_professionals_daily() -> int:
    """Suspend the professionals' accounts unused for 6 months (their sessions end)."""
    return identity_service.suspend_inactive_professionals()
