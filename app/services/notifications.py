"""Notifications: a row in the user's space, pushed to their devices or announced by e-mail (outbox).

``notify`` adds a ``Notification`` to the caller's transaction and, once the caller has committed
(``app.services.transactions.commit()``), enqueues the ``deliver_push`` job; a rollback writes and
enqueues nothing, and a dead worker loses nothing: the periodic ``retry_push`` finds the rows still
owed a push. The user chooses per kind how to be told (``set_preference``): by push (the default),
by an e-mail that only says a notification is waiting, or not at all (the space only).

What a push may carry: it crosses the browser vendor's push service encrypted, but is shown on a
lock screen. Titles and bodies never carry health data (no act, no diagnosis, no message content);
an amount is allowed in ``title`` ("Remboursement de 19,00 €") only with a ``discreet_title``
without it ("Nouveau paiement"): users who chose "notifications discrètes" (``set_discreet``) get
that title and a neutral body instead. The in-app list, behind the login, always shows everything.

Delivery (``deliver_push``) sends one notification to every subscribed browser of its user with
pywebpush (VAPID, aes128gcm). A browser that is gone (404/410) is forgotten; a push service that is
busy or failing (429, 5xx, network) gets the push again later, after 1, 5, 15, 60 minutes then every
6 hours, 8 tries at most. Logs name rows by id only: never an endpoint, a title or an address.

Functions that end in a commit are use cases called by views (``mark_read``, ``mark_all_read``,
``save_preferences``); ``notify``, ``set_preference`` and ``set_discreet`` only write in the
current transaction, for the caller to commit.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import requests
import sqlalchemy as sa
from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from pywebpush import WebPushException, webpush

from app.extensions import db
from app.models import (
    Notification,
    NotificationPreference,
    NotificationSettings,
    PushSubscription,
    User,
)
from app.models.base import utcnow
from app.models.notification import CHANNELS
from app.services.mail import next_delay, queue_mail
from app.services.push import VapidKeys, vapid_keys
from app.services.transactions import after_commit, commit

logger = logging.getLogger(__name__)

# The kinds a user can set a channel for, with their label on the preferences page.
PREFERENCE_KINDS = {
    "remboursement": "Remboursements",
    "attestation_salaire": "Attestations de salaire",
    "indemnites_journalieres": "Indemnités journalières",
    "message": "Messages de votre caisse",
    "document": "Documents disponibles",
    "demarche": "Démarches et décisions",
    "forum": "Forum : réponses à vos questions",
}
DEFAULT_CHANNEL = "push"
DISCREET_TITLE = "Nouvelle notification"
DISCREET_BODY = "Ouvrez macaisse pour la consulter."
PUSH_BODY_MAX = 160  # a lock screen shows two or three lines
PUSH_TTL = 3 * 24 * 3600  # a phone switched off for a long weekend still gets it
PUSH_TIMEOUT = 10  # seconds per push service request
MAX_PUSH_ATTEMPTS = 8
# A push never tried is its delivery job's for this long: the periodic retry would race it (SQLite
# has no row lock to stop a double send).
FRESH_GRACE = timedelta(minutes=2)
PER_PAGE = 20

DELIVERED, GONE, RETRY, FAILED = "delivered", "gone", "retry", "failed"


def notify(
    user: User,
    kind: str,
    title: str,
    body: str,
    url: str,
    tag: str | None = None,
    *,
    discreet_title: str | None = None,
    waiting_mail: bool = True,
) -> Notification:
    """Add a notification for ``user`` to the current transaction; the caller commits.

    ``url`` is a path on this site (the push and the list open it); ``tag`` groups notifications
    on a device (a new one with the same tag replaces the old), by default one per notification.
    ``discreet_title`` is the title pushed to users who chose "notifications discrètes": give one
    without amount whenever ``title`` has one. The user's channel for ``kind`` decides what follows
    the commit: a push job, an e-mail without content (none if the account has no address), or
    nothing; ``waiting_mail=False`` leaves that e-mail to a caller that sends its own. Raises
    ``ValueError`` for a URL off this site or a text too long for its column.
    """
    _check_text(kind=(kind, 40), title=(title, 120), body=(body, 300), url=(url, 300), tag=(tag or "", 60))
    _check_text(discreet_title=(discreet_title or "", 120))
    if not url.startswith("/") or url.startswith("//") or "\\" in url or urlsplit(url).netloc:
        raise ValueError("Une notification mène à une page de ce site (chemin commençant par /).")
    channel = channel_for(user, kind)
    notification = Notification(
        user_id=user.id,
        kind=kind,
        title=title,
        discreet_title=discreet_title or "",
        body=body,
        url=url,
        tag=tag or "",
        created_at=utcnow(),
    )
    if channel != "push":
        notification.push_done_at = notification.created_at  # nothing to push
    db.session.add(notification)
    db.session.flush()  # the job needs the id
    if channel == "push":
        from app.tasks import deliver_push as deliver_push_job  # app.tasks imports this module

        after_commit(deliver_push_job, notification.id)
    elif channel == "email" and user.email and waiting_mail:
        _queue_waiting_mail(user)
    return notification


def deliver_push(notification_id: int) -> bool:
    """Push one notification to every browser of its user now; True if one accepted it. Commits.

    Idempotent: a notification already pushed, given up, not due yet, or being pushed by another
    worker (row locked, PostgreSQL only) is left alone. A push that no browser accepted because a
    push service was busy or failing is tried again later; after ``MAX_PUSH_ATTEMPTS`` tries it is
    given up and stays in the user's list.
    """
    keys = vapid_keys()  # a key misconfigured fails the job loudly and leaves the push owed
    now = utcnow()
    notification = db.session.scalar(
        sa.select(Notification)
        .where(
            Notification.id == notification_id,
            Notification.push_done_at.is_(None),
            sa.or_(Notification.push_next_at.is_(None), Notification.push_next_at <= now),
        )
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    if notification is None:
        db.session.commit()
        return False
    subscriptions = db.session.execute(
        sa.select(
            PushSubscription.id, PushSubscription.endpoint, PushSubscription.p256dh, PushSubscription.auth
        )
        .where(PushSubscription.user_id == notification.user_id)
        .order_by(PushSubscription.id)
    ).all()
    payload = json.dumps(
        push_payload(notification, discreet=is_discreet(notification.user_id)),
        ensure_ascii=False,
        separators=(",", ":"),
    )
    outcomes = []
    for subscription_id, endpoint, p256dh, auth in subscriptions:
        outcome = _push_one(keys, notification.id, subscription_id, (endpoint, p256dh, auth), payload)
        _record_outcome(subscription_id, outcome, now)
        outcomes.append(outcome)
    delivered = DELIVERED in outcomes
    if delivered or RETRY not in outcomes:
        notification.push_done_at = now
        notification.push_next_at = None
    else:
        notification.push_attempts += 1
        if notification.push_attempts >= MAX_PUSH_ATTEMPTS:
            logger.warning(
                "Push de la notification %s abandonné après %s essais", notification.id, MAX_PUSH_ATTEMPTS
            )
            notification.push_done_at = now
            notification.push_next_at = None
        else:
            notification.push_next_at = now + next_delay(notification.push_attempts)
    db.session.commit()
    return delivered


def retry_push(limit: int = 100) -> int:
    """Push the notifications still owed a push that are due, oldest first; return how many went.

    Due means past ``push_next_at``, or never tried and older than ``FRESH_GRACE`` (a lost job).
    """
    now = utcnow()
    due = sa.or_(
        Notification.push_next_at <= now,
        sa.and_(Notification.push_next_at.is_(None), Notification.created_at <= now - FRESH_GRACE),
    )
    ids = db.session.scalars(
        sa.select(Notification.id)
        .where(Notification.push_done_at.is_(None), due)
        .order_by(Notification.created_at, Notification.id)
        .limit(limit)
    ).all()
    db.session.commit()  # end the read transaction: each delivery is a transaction of its own
    return sum(deliver_push(notification_id) for notification_id in ids)


def push_payload(notification: Notification, *, discreet: bool) -> dict[str, str]:
    """What the service worker receives: ``title``, ``body`` (short), ``url`` and ``tag``."""
    if discreet:
        title, body = notification.discreet_title or DISCREET_TITLE, DISCREET_BODY
    else:
        title, body = notification.title, _shorten(notification.body, PUSH_BODY_MAX)
    return {
        "title": title,
        "body": body,
        "url": notification.url,
        "tag": notification.tag or f"notification-{notification.id}",
    }


def unread_count(user: User) -> int:
    """How many of the user's notifications are not read yet (the header badge)."""
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        )
        or 0
    )


def list_for(user: User, page: int, per_page: int = PER_PAGE) -> Pagination:
    """One page of the user's notifications, newest first, in two queries whatever the page size."""
    return db.paginate(
        sa.select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc()),
        page=max(page, 1),
        per_page=per_page,
        error_out=False,
    )


def mark_read(user: User, notification_id: int) -> Notification | None:
    """Mark one of the user's notifications read and return it; None if it is not theirs (a 404)."""
    notification = db.session.scalar(
        sa.select(Notification).where(Notification.id == notification_id, Notification.user_id == user.id)
    )
    if notification is None:
        return None
    if notification.read_at is None:
        notification.read_at = utcnow()
        commit()
    return notification


def mark_all_read(user: User) -> int:
    """Mark every unread notification of the user read; return how many."""
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    commit()
    return result.rowcount or 0


def channel_for(user: User, kind: str) -> str:
    """The user's channel for ``kind``: "push" (default), "email" or "none"."""
    channel = db.session.scalar(
        sa.select(NotificationPreference.channel).where(
            NotificationPreference.user_id == user.id, NotificationPreference.kind == kind
        )
    )
    return channel or DEFAULT_CHANNEL


def preferences_for(user: User) -> dict[str, str]:
    """The user's channel for every kind of ``PREFERENCE_KINDS``."""
    rows = db.session.execute(
        sa.select(NotificationPreference.kind, NotificationPreference.channel).where(
            NotificationPreference.user_id == user.id
        )
    )
    stored = {row.kind: row.channel for row in rows}  # a Row is not a 2-tuple for dict()
    return {kind: stored.get(kind, DEFAULT_CHANNEL) for kind in PREFERENCE_KINDS}


def is_discreet(user_id: int) -> bool:
    """Whether the user chose "notifications discrètes"."""
    return bool(
        db.session.scalar(
            sa.select(NotificationSettings.discreet).where(NotificationSettings.user_id == user_id)
        )
    )


def set_preference(user: User, kind: str, channel: str) -> None:
    """Set the user's channel for ``kind`` in the current transaction; ``ValueError`` if unknown."""
    if channel not in CHANNELS:
        raise ValueError(f"Canal de notification inconnu : {channel!r}")
    _check_text(kind=(kind, 40))
    preference = db.session.scalar(
        sa.select(NotificationPreference).where(
            NotificationPreference.user_id == user.id, NotificationPreference.kind == kind
        )
    )
    if preference is None:
        db.session.add(NotificationPreference(user_id=user.id, kind=kind, channel=channel))
    else:
        preference.channel = channel


def set_discreet(user: User, discreet: bool) -> None:
    """Turn "notifications discrètes" on or off in the current transaction."""
    settings = db.session.get(NotificationSettings, user.id)
    if settings is None:
        db.session.add(NotificationSettings(user_id=user.id, discreet=discreet))
    else:
        settings.discreet = discreet


def save_preferences(user: User, channels: Mapping[str, str], discreet: bool) -> None:
    """Save the preferences page: a channel per kind and the discreet setting, in one transaction."""
    for kind, channel in channels.items():
        set_preference(user, kind, channel)
    set_discreet(user, discreet)
    commit()


def _push_one(
    keys: VapidKeys, notification_id: int, subscription_id: int, target: tuple[str, str, str], payload: str
) -> str:
    """Send the payload to one browser (endpoint, p256dh, auth); return DELIVERED, GONE, RETRY or FAILED."""
    endpoint, p256dh, auth = target
    try:
        webpush(
            {"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}},
            payload,
            vapid_private_key=keys.vapid,
            # A new dict each time: pywebpush writes the endpoint's origin ("aud") into it.
            vapid_claims={"sub": keys.subject},
            ttl=PUSH_TTL,
            timeout=PUSH_TIMEOUT,
            headers={"Urgency": "normal"},
        )
    except WebPushException as exc:
        status = exc.status_code
        outcome = _outcome_of(status)
        logger.warning(
            "Push de la notification %s vers l'abonnement %s : HTTP %s",
            notification_id,
            subscription_id,
            status,
        )
        return outcome
    except requests.RequestException as exc:
        logger.warning(
            "Push de la notification %s vers l'abonnement %s : %s",
            notification_id,
            subscription_id,
            type(exc).__name__,
        )
        return RETRY
    except Exception as exc:  # corrupt keys must not stop the other browsers nor crash the job
        logger.warning(
            "Push de la notification %s vers l'abonnement %s impossible : %s",
            notification_id,
            subscription_id,
            type(exc).__name__,
        )
        return FAILED
    return DELIVERED


def _outcome_of(status: int | None) -> str:
    if status in (404, 410):
        return GONE  # the browser unsubscribed or the subscription expired
    if status is not None and (status == 429 or status >= 500):
        return RETRY
    # 400, 401/403 (VAPID key not the subscription's), 413, or no answer at all (keys pywebpush
    # refuses): the same push would fail again.
    return FAILED


def _record_outcome(subscription_id: int, outcome: str, now: datetime) -> None:
    # Statements rather than loaded objects: another delivery may have deleted the row meanwhile.
    where = PushSubscription.id == subscription_id
    if outcome == GONE:
        db.session.execute(
            sa.delete(PushSubscription).where(where).execution_options(synchronize_session=False)
        )
    elif outcome == DELIVERED:
        db.session.execute(
            sa.update(PushSubscription)
            .where(where)
            .values(last_success_at=now, failures=0)
            .execution_options(synchronize_session=False)
        )
    else:
        db.session.execute(
            sa.update(PushSubscription)
            .where(where)
            .values(failures=PushSubscription.failures + 1)
            .execution_options(synchronize_session=False)
        )


def _queue_waiting_mail(user: User) -> None:
    """An e-mail that says a notification is waiting, with a link, and nothing of its content."""
    link = _site_url("notifications.index")
    settings_link = _site_url("notifications.preferences")
    body = (
        "Bonjour,\n\n"
        "Une nouvelle notification vous attend dans votre espace macaisse.\n\n"
        f"Pour la consulter, connectez-vous : {link}\n\n"
        "Vous recevez cet e-mail parce que vous avez choisi d'être prévenu(e) par e-mail. "
        f"Pour changer ce choix : {settings_link}"
    )
    queue_mail(user.email or "", "Une nouvelle notification vous attend", body, "notification", user.id)


def _site_url(endpoint: str) -> str:
    """An absolute link on ``PUBLIC_BASE_URL``, built with or without a request (a job)."""
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, force_external=True)


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _check_text(**fields: tuple[str, int]) -> None:
    for name, (value, limit) in fields.items():
        if len(value) > limit:
            raise ValueError(f"Notification : {name} dépasse {limit} caractères.")
