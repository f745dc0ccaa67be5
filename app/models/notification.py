"""In-app notifications (an outbox for web push), the browsers subscribed to push, and each user's
choice of channel per kind of notification and of "notifications discrètes"."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import one_of, utcnow

CHANNELS = ("push", "email", "none")


class Notification(db.Model):
    """One notification, listed in the user's space and pushed to their devices (outbox row).

    ``push_done_at`` is NULL while a push is still owed: it is set once a device accepted it, when
    there was nothing to push (no device, channel "email" or "none"), or when delivery gave up after
    the last try (``push_attempts`` then tells the failures apart). ``discreet_title`` is the title
    pushed instead of ``title`` to users who chose "notifications discrètes" (no amount on a lock
    screen); empty means a generic one.
    """

    __tablename__ = "notification"
    __table_args__ = (
        sa.Index("ix_notification_user_read", "user_id", "read_at"),
        sa.Index("ix_notification_push_pending", "push_done_at", "push_next_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    title: Mapped[str] = mapped_column(sa.String(120))
    discreet_title: Mapped[str] = mapped_column(sa.String(120), default="")
    body: Mapped[str] = mapped_column(sa.String(300), default="")
    url: Mapped[str] = mapped_column(sa.String(300))
    tag: Mapped[str] = mapped_column(sa.String(60), default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    push_attempts: Mapped[int] = mapped_column(default=0)
    push_next_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    push_done_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class PushSubscription(db.Model):
    """A browser's push subscription (``PushSubscription.toJSON()``): where and how to encrypt.

    ``endpoint`` is a secret URL of the browser's push service, unique to this browser and site;
    ``label`` describes the device for "Mes appareils" ("Chrome sur Android"). ``failures`` counts
    refused or failed pushes since the last success.
    """

    __tablename__ = "push_subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    endpoint: Mapped[str] = mapped_column(sa.Text, unique=True)
    p256dh: Mapped[str] = mapped_column(sa.String(100))
    auth: Mapped[str] = mapped_column(sa.String(40))
    user_agent: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    last_success_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    failures: Mapped[int] = mapped_column(default=0)


class NotificationPreference(db.Model):
    """How a user wants to hear of one kind of notification; no row means "push"."""

    __tablename__ = "notification_preference"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "kind"),
        sa.CheckConstraint(one_of("channel", CHANNELS), name="channel_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    channel: Mapped[str] = mapped_column(sa.String(10))


class NotificationSettings(db.Model):
    """Per-user notification settings; no row means the defaults (not discreet)."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    discreet: Mapped[bool] = mapped_column(default=False)
