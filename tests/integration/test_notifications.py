"""Notifications: the in-app outbox, web push delivered for real to a local push service double
(VAPID checked, aes128gcm decrypted), retries, preferences, and the pages and JSON endpoints."""

from __future__ import annotations

import base64
import logging
import os
import re
import stat
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from app.extensions import db
from app.models import (
    Notification,
    NotificationPreference,
    NotificationSettings,
    OutgoingMail,
    PushSubscription,
)
from app.models.base import utcnow
from app.services import notifications as service
from app.services import push
from app.services.transactions import commit
from app.web.notifications.routes import bp as notifications_bp
from tests.conftest import HX, count_queries, csrf_token, login
from tests.push_receiver import PushReceiver

REFUND_TITLE = "Remboursement de 19,00 €"
REFUND_BODY = "Le virement de votre remboursement est en cours."
REFUND_URL = "/compte/paiements/12"
ANDROID_CHROME = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)


@pytest.fixture
def app(app_factory):
    """The testing app with the notifications blueprint (registered here until the factory does)."""
    app = app_factory()
    if "notifications" not in app.blueprints:
        app.register_blueprint(notifications_bp)
    with app.app_context():
        yield app


@pytest.fixture
def receiver():
    with PushReceiver() as running:
        yield running


def aware(moment: datetime) -> datetime:
    """SQLite gives naive datetimes back; they were stored as UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def browser(receiver: PushReceiver, user, label: str = "Chrome sur Android"):
    """A browser subscribed for ``user`` with our VAPID key, as the subscribe flow would store it."""
    subscription = receiver.subscribe(application_server_key=push.vapid_public_key_b64url())
    push.subscribe(user, push.parse_subscription(subscription.to_json()), label)
    return subscription


def refund(user, **extra) -> Notification:
    """Notify a refund and commit, as a claims service would."""
    notification = service.notify(
        user,
        "remboursement",
        REFUND_TITLE,
        REFUND_BODY,
        REFUND_URL,
        discreet_title="Nouveau paiement",
        **extra,
    )
    commit()
    return notification


def reload(notification: Notification) -> Notification:
    return db.session.scalars(
        sa.select(Notification)
        .where(Notification.id == notification.id)
        .execution_options(populate_existing=True)
    ).one()


def make_due(notification: Notification) -> None:
    db.session.execute(
        sa.update(Notification)
        .where(Notification.id == notification.id)
        .values(push_next_at=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()


# --- Service: outbox and delivery ---------------------------------------------------------------


def test_notify_writes_the_row_and_pushes_only_after_commit(app, users, receiver):
    camille = users["camille"]
    device = browser(receiver, camille)
    notification = service.notify(
        camille, "remboursement", REFUND_TITLE, REFUND_BODY, REFUND_URL, tag="paiement-12"
    )
    assert receiver.received == []  # nothing leaves before the commit
    commit()

    [received] = receiver.pushes_for(device)
    assert received.payload == {
        "title": REFUND_TITLE,
        "body": REFUND_BODY,
        "url": REFUND_URL,
        "tag": "paiement-12",
    }
    assert received.headers["urgency"] == "normal"
    assert int(received.headers["ttl"]) == service.PUSH_TTL
    assert received.claims["sub"] == "mailto:ne-pas-repondre@macaisse.localhost"
    assert received.claims["aud"] == receiver.origin
    assert received.vapid_key == push.vapid_public_key_b64url()
    assert receiver.rejected == []

    stored = reload(notification)
    assert stored.user_id == camille.id
    assert stored.read_at is None
    assert stored.push_done_at is not None
    assert stored.push_attempts == 0
    subscription = db.session.scalars(sa.select(PushSubscription)).one()
    assert subscription.last_success_at is not None
    assert subscription.failures == 0


def test_every_browser_of_the_user_gets_it_and_no_one_else(app, users, receiver):
    phone = browser(receiver, users["camille"])
    laptop = browser(receiver, users["camille"], "Firefox sur Linux")
    other = browser(receiver, users["louis"])
    refund(users["camille"])
    assert len(receiver.pushes_for(phone)) == 1
    assert len(receiver.pushes_for(laptop)) == 1
    assert receiver.pushes_for(other) == []


def test_default_tag_is_one_per_notification(app, users, receiver):
    device = browser(receiver, users["camille"])
    notification = refund(users["camille"])
    assert receiver.pushes_for(device)[0].payload["tag"] == f"notification-{notification.id}"


def test_discreet_setting_hides_the_amount(app, users, receiver):
    camille = users["camille"]
    device = browser(receiver, camille)
    service.set_discreet(camille, True)
    commit()
    notification = refund(camille)

    [received] = receiver.pushes_for(device)
    assert received.payload["title"] == "Nouveau paiement"
    assert received.payload["body"] == service.DISCREET_BODY
    assert "19,00" not in received.plaintext.decode()
    assert reload(notification).title == REFUND_TITLE  # the list, behind the login, keeps it all


def test_discreet_without_a_discreet_title_uses_a_generic_one(app, users, receiver):
    camille = users["camille"]
    device = browser(receiver, camille)
    service.set_discreet(camille, True)
    service.notify(camille, "message", "Réponse de votre caisse", "", "/messages/4")
    commit()
    assert receiver.pushes_for(device)[0].payload["title"] == service.DISCREET_TITLE


def test_preference_email_queues_a_mail_without_content_instead_of_a_push(app, users, receiver):
    camille = users["camille"]
    browser(receiver, camille)
    service.set_preference(camille, "remboursement", "email")
    commit()
    notification = refund(camille)

    assert receiver.answered == []
    mail = db.session.scalars(sa.select(OutgoingMail).where(OutgoingMail.kind == "notification")).one()
    assert mail.to_address == "camille@example.org"
    assert mail.user_id == camille.id
    assert "http://localhost:5000/notifications" in mail.body
    for secret in ("19,00", "Remboursement", REFUND_URL):
        assert secret not in mail.body + mail.subject
    assert mail.sent_at is not None  # delivered to the outbox folder by its own job
    assert reload(notification).push_done_at is not None  # no push owed


def test_preference_none_keeps_it_in_the_space_only(app, users, receiver):
    camille = users["camille"]
    browser(receiver, camille)
    service.set_preference(camille, "remboursement", "none")
    commit()
    notification = refund(camille)

    assert receiver.answered == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutgoingMail)) == 0
    assert reload(notification).read_at is None
    assert service.unread_count(camille) == 1


def test_preference_is_per_kind(app, users, receiver):
    camille = users["camille"]
    device = browser(receiver, camille)
    service.set_preference(camille, "remboursement", "none")
    commit()
    service.notify(camille, "message", "Nouveau message de votre caisse", "", "/messages/1")
    commit()
    assert len(receiver.pushes_for(device)) == 1


@pytest.mark.parametrize("status", [404, 410])
def test_gone_subscription_is_deleted(app, users, receiver, status):
    camille = users["camille"]
    browser(receiver, camille)
    receiver.answer(status)
    notification = refund(camille)

    assert receiver.answered == [status]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PushSubscription)) == 0
    stored = reload(notification)
    assert stored.push_done_at is not None
    assert stored.push_attempts == 0


def test_429_is_retried_later_then_delivered(app, users, receiver):
    camille = users["camille"]
    device = browser(receiver, camille)
    receiver.answer(429)
    before = utcnow()
    notification = refund(camille)

    stored = reload(notification)
    assert stored.push_done_at is None
    assert stored.push_attempts == 1
    assert timedelta(seconds=55) < aware(stored.push_next_at) - before < timedelta(seconds=65)
    assert db.session.scalars(sa.select(PushSubscription.failures)).one() == 1

    assert service.retry_push() == 0  # not due yet
    assert receiver.answered == [429]
    make_due(notification)
    assert service.retry_push() == 1

    assert receiver.answered == [429, 201]
    assert len(receiver.pushes_for(device)) == 1
    stored = reload(notification)
    assert stored.push_done_at is not None
    assert stored.push_next_at is None
    assert db.session.scalars(sa.select(PushSubscription.failures)).one() == 0


def test_500_eight_times_gives_up_with_growing_delays(app, users, receiver):
    camille = users["camille"]
    browser(receiver, camille)
    receiver.answer(*[500] * 9)
    notification = refund(camille)
    delays = []
    for _ in range(service.MAX_PUSH_ATTEMPTS - 1):
        stored = reload(notification)
        delays.append(aware(stored.push_next_at) - utcnow())
        make_due(notification)
        assert service.retry_push() == 0

    stored = reload(notification)
    assert stored.push_attempts == service.MAX_PUSH_ATTEMPTS
    assert stored.push_done_at is not None
    assert stored.push_next_at is None
    assert receiver.answered == [500] * 8
    expected = [1, 5, 15, 60, 360, 360, 360]
    assert [round(delay.total_seconds() / 60) for delay in delays] == expected

    assert service.retry_push() == 0
    assert service.deliver_push(notification.id) is False
    assert receiver.answered == [500] * 8  # given up: no ninth try
    assert db.session.scalars(sa.select(PushSubscription)).one().failures == 8


def test_one_browser_accepting_is_enough(app, users, receiver):
    camille = users["camille"]
    browser(receiver, camille)
    browser(receiver, camille, "Firefox sur Linux")
    receiver.answer(500)  # the first browser's push service fails, the second accepts
    notification = refund(camille)
    assert sorted(receiver.answered) == [201, 500]
    assert reload(notification).push_done_at is not None


def test_push_refused_for_the_wrong_vapid_key_is_not_retried(app, users, receiver):
    camille = users["camille"]
    device = receiver.subscribe(application_server_key="some-other-server-key")
    push.subscribe(camille, push.parse_subscription(device.to_json()), "Chrome sur Android")
    notification = refund(camille)

    assert receiver.answered == [403]
    stored = reload(notification)
    assert stored.push_done_at is not None
    assert stored.push_attempts == 0
    assert db.session.scalars(sa.select(PushSubscription)).one().failures == 1


def test_no_browser_means_nothing_to_push(app, users, receiver):
    notification = refund(users["camille"])
    stored = reload(notification)
    assert stored.push_done_at is not None
    assert stored.push_attempts == 0


def test_rollback_enqueues_nothing(app, users, receiver, monkeypatch):
    import app.tasks

    enqueued = []
    monkeypatch.setattr(app.tasks, "deliver_push", enqueued.append)
    camille = users["camille"]
    browser(receiver, camille)

    service.notify(camille, "remboursement", REFUND_TITLE, REFUND_BODY, REFUND_URL)
    db.session.rollback()
    commit()
    assert enqueued == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0

    kept = service.notify(camille, "remboursement", REFUND_TITLE, REFUND_BODY, REFUND_URL)
    commit()
    assert enqueued == [kept.id]
    assert receiver.answered == []


def test_a_lost_job_is_picked_up_by_the_periodic_retry(app, users, receiver, monkeypatch):
    import app.tasks

    monkeypatch.setattr(app.tasks, "deliver_push", lambda notification_id: None)  # the worker died
    camille = users["camille"]
    device = browser(receiver, camille)
    notification = refund(camille)

    assert service.retry_push() == 0  # still the job's for FRESH_GRACE
    db.session.execute(
        sa.update(Notification)
        .where(Notification.id == notification.id)
        .values(created_at=utcnow() - service.FRESH_GRACE - timedelta(seconds=1))
    )
    db.session.commit()
    assert service.retry_push() == 1
    assert len(receiver.pushes_for(device)) == 1
    assert service.retry_push() == 0
    assert service.deliver_push(notification.id) is False  # idempotent
    assert len(receiver.pushes_for(device)) == 1


def test_logs_name_ids_only(app, users, receiver, caplog):
    camille = users["camille"]
    device = browser(receiver, camille)
    receiver.answer(500)
    with caplog.at_level(logging.INFO):
        refund(camille)
    text = caplog.text
    assert "HTTP 500" in text
    for personal in (device.endpoint, device.id, REFUND_TITLE, "camille", REFUND_URL):
        assert personal not in text


@pytest.mark.parametrize(
    "url", ["https://example.org/", "//example.org/x", "compte/paiements", "/\\example.org", ""]
)
def test_notify_refuses_a_url_off_the_site(app, users, url):
    with pytest.raises(ValueError, match="chemin"):
        service.notify(users["camille"], "remboursement", "Titre", "", url)


def test_notify_refuses_text_too_long(app, users):
    with pytest.raises(ValueError, match="title"):
        service.notify(users["camille"], "remboursement", "x" * 121, "", "/compte")


def test_list_mark_read_and_mark_all(app, users):
    camille, louis = users["camille"], users["louis"]
    first = service.notify(camille, "message", "Message 1", "", "/messages/1")
    service.notify(camille, "message", "Message 2", "", "/messages/2")
    theirs = service.notify(louis, "message", "Message de Louis", "", "/messages/3")
    commit()

    assert service.unread_count(camille) == 2
    assert [n.title for n in service.list_for(camille, 1).items] == ["Message 2", "Message 1"]
    assert service.mark_read(camille, theirs.id) is None
    assert service.mark_read(camille, first.id).read_at is not None
    assert service.unread_count(camille) == 1
    assert service.mark_all_read(camille) == 1
    assert service.unread_count(camille) == 0
    assert service.unread_count(louis) == 1


# --- VAPID keys ----------------------------------------------------------------------------------


def test_vapid_key_is_generated_once_into_the_instance_folder(app):
    public_key = push.vapid_public_key_b64url()
    path = os.path.join(app.instance_path, push.KEY_FILE)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    raw = base64.urlsafe_b64decode(public_key + "==")
    assert len(raw) == 65
    assert raw[0] == 4
    app.extensions.pop("macaisse_vapid")
    assert push.vapid_public_key_b64url() == public_key  # read back, not made again


def _raw_private(key: ec.EllipticCurvePrivateKey) -> str:
    return push.b64url(key.private_numbers().private_value.to_bytes(32, "big"))


def _public(key: ec.EllipticCurvePrivateKey) -> str:
    point = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return push.b64url(point)


@pytest.mark.parametrize("encoding", ["raw", "pem", "pem-escaped"])
def test_vapid_key_from_the_environment(app_factory, monkeypatch, encoding):
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    value = {"raw": _raw_private(key), "pem": pem, "pem-escaped": pem.replace("\n", "\\n")}[encoding]
    monkeypatch.setenv("VAPID_PRIVATE_KEY", value)
    monkeypatch.setenv("VAPID_PUBLIC_KEY", _public(key))
    monkeypatch.setenv("VAPID_SUBJECT", "mailto:dpo@macaisse.example")
    app = app_factory()
    with app.app_context():
        assert push.vapid_public_key_b64url() == _public(key)
        assert push.vapid_subject() == "mailto:dpo@macaisse.example"
        assert not os.path.exists(os.path.join(app.instance_path, push.KEY_FILE))


def test_vapid_public_key_must_match_the_private_one(app_factory, monkeypatch):
    monkeypatch.setenv("VAPID_PRIVATE_KEY", _raw_private(ec.generate_private_key(ec.SECP256R1())))
    monkeypatch.setenv("VAPID_PUBLIC_KEY", _public(ec.generate_private_key(ec.SECP256R1())))
    app = app_factory()
    with app.app_context(), pytest.raises(RuntimeError, match="VAPID_PUBLIC_KEY"):
        push.vapid_keys()


def test_vapid_private_key_unreadable(app_factory, monkeypatch):
    monkeypatch.setenv("VAPID_PRIVATE_KEY", "pas-une-clé")
    app = app_factory()
    with app.app_context(), pytest.raises(RuntimeError, match="illisible"):
        push.vapid_keys()


def test_public_key_endpoint(client):
    response = client.get("/push/cle-publique")
    assert response.status_code == 200
    assert response.json == {"publicKey": push.vapid_public_key_b64url()}


# --- Subscriptions (JSON) ------------------------------------------------------------------------


def csrf_header(client) -> dict[str, str]:
    return {"X-CSRFToken": csrf_token(client, "/notifications")}


def test_subscription_post_stores_it_with_a_device_label(client, users, receiver):
    login(client, users["camille"])
    device = receiver.subscribe()
    headers = {**csrf_header(client), "User-Agent": ANDROID_CHROME}
    response = client.post("/push/subscriptions", json=device.to_json(), headers=headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.json == {"ok": True}
    assert response.headers["Cache-Control"] == "no-store"

    stored = db.session.scalars(sa.select(PushSubscription)).one()
    assert (stored.user_id, stored.endpoint) == (users["camille"].id, device.endpoint)
    assert (stored.p256dh, stored.auth) == (device.p256dh, device.auth)
    assert stored.user_agent == "Chrome sur Android"

    again = client.post("/push/subscriptions", json=device.to_json(), headers=headers)
    assert again.status_code == 201
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PushSubscription)) == 1


def test_subscription_endpoint_moves_to_the_account_that_subscribes_again(client, app, users, receiver):
    device = browser(receiver, users["camille"])
    login(client, users["louis"])
    response = client.post("/push/subscriptions", json=device.to_json(), headers=csrf_header(client))
    assert response.status_code == 201
    stored = db.session.scalars(sa.select(PushSubscription)).one()
    assert stored.user_id == users["louis"].id  # this browser no longer shows Camille's notifications


def _bad(**changes):
    subscription = {
        "endpoint": "http://127.0.0.1:9/push/abc",
        "keys": {
            "p256dh": _public(ec.generate_private_key(ec.SECP256R1())),
            "auth": push.b64url(b"0123456789abcdef"),
        },
    }
    for key, value in changes.items():
        if key in ("p256dh", "auth"):
            subscription["keys"][key] = value
        else:
            subscription[key] = value
    return subscription


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        _bad(endpoint="ftp://127.0.0.1/push/abc"),
        _bad(endpoint="http://example.org/push/abc"),
        _bad(endpoint="http://10.0.0.1/push/abc"),
        _bad(endpoint="https://user:pw@push.example/abc"),
        _bad(endpoint="https://push.example/" + "a" * 1000),
        _bad(endpoint=42),
        _bad(keys=None),
        _bad(p256dh="pas du base64!"),
        _bad(p256dh=push.b64url(b"\x04" + b"\x01" * 64)),  # not a point of the curve
        _bad(auth=push.b64url(b"short")),
        _bad(auth=None),
    ],
)
def test_subscription_post_refuses_bad_ones(client, users, body):
    login(client, users["camille"])
    response = client.post("/push/subscriptions", json=body, headers=csrf_header(client))
    assert response.status_code == 400
    assert response.json["error"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PushSubscription)) == 0


def test_subscription_post_without_csrf_is_400(client, users, receiver):
    login(client, users["camille"])
    response = client.post("/push/subscriptions", json=receiver.subscribe().to_json())
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PushSubscription)) == 0


def test_subscription_signed_out_is_401(client, receiver):
    token = csrf_token(client, "/connexion")
    response = client.post(
        "/push/subscriptions", json=receiver.subscribe().to_json(), headers={"X-CSRFToken": token}
    )
    assert response.status_code == 401
    assert "session" in response.json["error"]


def test_subscription_delete_removes_only_the_users_own(client, app, users, receiver):
    mine = browser(receiver, users["camille"])
    theirs = browser(receiver, users["louis"])
    login(client, users["camille"])
    headers = csrf_header(client)

    response = client.delete("/push/subscriptions", json={"endpoint": theirs.endpoint}, headers=headers)
    assert response.status_code == 404
    assert client.delete("/push/subscriptions", json={}, headers=headers).status_code == 400
    assert client.delete("/push/subscriptions", json={"endpoint": mine.endpoint}).status_code == 400  # CSRF
    response = client.delete("/push/subscriptions", json={"endpoint": mine.endpoint}, headers=headers)
    assert response.status_code == 204

    remaining = db.session.scalars(sa.select(PushSubscription)).all()
    assert [(s.endpoint, s.user_id) for s in remaining] == [(theirs.endpoint, users["louis"].id)]


def test_endpoint_rules_in_production(app):
    def allowed(endpoint: str) -> bool:
        return push.endpoint_allowed(endpoint, production=True)

    assert allowed("https://fcm.googleapis.com/fcm/send/abc")
    assert allowed("https://updates.push.services.mozilla.com/wpush/v2/abc")
    assert allowed("https://web.push.apple.com/abc")
    assert allowed("https://wns2-par02p.notify.windows.com/w/?token=abc")
    assert not allowed("https://intranet.macaisse.example/admin")
    assert not allowed("https://evilpush.apple.com.example/abc")
    assert not allowed("http://127.0.0.1:8000/push/abc")
    assert not allowed("https://127.0.0.1/push/abc")


# --- Pages -------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client):
    for url in ("/notifications", "/notifications/badge", "/notifications/preferences", "/appareils"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/connexion?next=")
        response = client.get(url, headers=HX)
        assert response.status_code == 200, url
        assert response.headers["HX-Redirect"].startswith("/connexion"), url
    assert client.post("/notifications/1/lu").status_code == 400  # no CSRF token: refused first


def test_list_page_and_fragment(client, users):
    camille = users["camille"]
    read = service.notify(
        camille, "message", "Réponse de votre caisse", "Consultez votre messagerie.", "/messages/7"
    )
    service.notify(camille, "remboursement", REFUND_TITLE, REFUND_BODY, REFUND_URL)
    service.notify(users["louis"], "message", "Message pour Louis", "", "/messages/9")
    commit()
    service.mark_read(camille, read.id)
    login(client, camille)

    page = client.get("/notifications")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<html" in html
    assert page.headers["Cache-Control"] == "no-store"
    assert "HX-Request" in page.headers["Vary"]
    assert "1 notification non lue." in html
    assert "Tout marquer comme lu" in html
    assert '<a href="/messages/7"' in html  # read: a plain link to its page
    assert (
        "<strong>Non lue</strong> : Remboursement de 19,00 €" in html
    )  # unread: a button that marks it read
    assert "Message pour Louis" not in html

    fragment = client.get("/notifications", headers=HX)
    text = fragment.get_data(as_text=True)
    assert "<html" not in text
    assert text.startswith("<title>Notifications – macaisse</title>")
    assert REFUND_TITLE in text


def test_badge_fragment(client, users):
    camille = users["camille"]
    for number in range(3):
        service.notify(camille, "message", f"Message {number}", "", "/messages/1")
    commit()
    login(client, camille)
    response = client.get("/notifications/badge", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert 'aria-label="Notifications : 3 non lues"' in html
    assert 'href="/notifications"' in html
    assert "<html" not in html
    service.mark_all_read(camille)
    assert 'aria-label="Notifications : aucune non lue"' in client.get("/notifications/badge").get_data(
        as_text=True
    )


def test_badge_include_in_a_page(app, client, users):
    from flask import render_template_string
    from flask_login import login_user

    service.notify(users["camille"], "message", "Message", "", "/messages/1")
    commit()
    with app.test_request_context("/"):
        login_user(users["camille"])
        html = render_template_string('{% include "notifications/_badge.html" %}')
    assert 'aria-label="Notifications : 1 non lue"' in html


def test_mark_one_read_opens_it(client, users):
    camille = users["camille"]
    notification = service.notify(camille, "remboursement", REFUND_TITLE, REFUND_BODY, REFUND_URL)
    commit()
    login(client, camille)
    token = csrf_token(client, "/notifications")

    response = client.post(f"/notifications/{notification.id}/lu", data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == REFUND_URL
    assert reload(notification).read_at is not None

    response = client.post(f"/notifications/{notification.id}/lu", data={"csrf_token": token}, headers=HX)
    assert response.headers["HX-Redirect"] == REFUND_URL


def test_mark_read_of_another_users_notification_is_404(client, users):
    theirs = service.notify(users["louis"], "message", "Message pour Louis", "", "/messages/9")
    commit()
    login(client, users["camille"])
    token = csrf_token(client, "/notifications")
    assert client.post(f"/notifications/{theirs.id}/lu", data={"csrf_token": token}).status_code == 404
    assert client.post("/notifications/999999/lu", data={"csrf_token": token}).status_code == 404
    assert reload(theirs).read_at is None


def test_mark_all_read(client, users):
    camille = users["camille"]
    service.notify(camille, "message", "Message 1", "", "/messages/1")
    theirs = service.notify(users["louis"], "message", "Message pour Louis", "", "/messages/9")
    commit()
    login(client, camille)
    token = csrf_token(client, "/notifications")
    response = client.post("/notifications/tout-lu", data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == "/notifications"
    assert service.unread_count(camille) == 0
    assert reload(theirs).read_at is None
    assert "Toutes vos notifications sont marquées comme lues." in client.get("/notifications").get_data(
        as_text=True
    )


def test_pages_of_the_list(client, users):
    camille = users["camille"]
    for number in range(service.PER_PAGE + 5):
        service.notify(camille, "message", f"Message numéro {number}", "", "/messages/1")
    commit()
    login(client, camille)
    first = client.get("/notifications").get_data(as_text=True)
    assert "Message numéro 24" in first
    assert "Message numéro 4<" not in first
    assert "Notifications plus anciennes" in first
    second = client.get("/notifications?page=2").get_data(as_text=True)
    assert "Message numéro 4<" in second
    assert "Notifications plus récentes" in second
    assert client.get("/notifications?page=3").status_code == 404


def test_list_uses_the_same_number_of_queries_for_3_or_30(client, users):
    camille = users["camille"]
    login(client, camille)
    for number in range(3):
        service.notify(camille, "message", f"Message {number}", "", "/messages/1")
    commit()
    few = count_queries(client, "/notifications")
    for number in range(27):
        service.notify(camille, "message", f"Message {number}", "", "/messages/1", tag=f"t{number}")
    commit()
    many = count_queries(client, "/notifications")
    assert few == many


def test_preferences_page_and_save(client, users):
    camille = users["camille"]
    login(client, camille)
    page = client.get("/notifications/preferences")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert '<legend class="legend">Remboursements</legend>' in html
    assert re.search(
        r'<input type="radio" id="remboursement" name="remboursement" value="push" checked>', html
    )
    assert '<label for="remboursement-email">E-mail (sans le contenu)</label>' in html
    assert re.search(r'<label for="discreet">Notifications discrètes</label>', html)

    token = csrf_token(client, "/notifications/preferences")
    data = {
        "remboursement": "email",
        "attestation_salaire": "push",
        "indemnites_journalieres": "push",
        "message": "none",
        "document": "push",
        "demarche": "email",
        "forum": "none",
        "discreet": "y",
        "csrf_token": token,
    }
    response = client.post("/notifications/preferences", data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == "/notifications/preferences"
    assert service.preferences_for(camille) == {
        "remboursement": "email",
        "attestation_salaire": "push",
        "indemnites_journalieres": "push",
        "message": "none",
        "document": "push",
        "demarche": "email",
        "forum": "none",
    }
    assert service.is_discreet(camille.id) is True
    html = client.get("/notifications/preferences").get_data(as_text=True)
    assert "Vos préférences de notification sont enregistrées." in html
    assert re.search(r'id="remboursement-email" name="remboursement" value="email" checked', html)
    assert re.search(r'<input checked[^>]*id="discreet"|<input[^>]*checked[^>]*id="discreet"', html)

    data.pop("discreet")
    client.post("/notifications/preferences", data=data)
    assert service.is_discreet(camille.id) is False
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NotificationSettings)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NotificationPreference)) == 7


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"remboursement": "fax"}, "Choisissez comment être prévenu(e) pour les remboursements."),
        ({"document": ""}, "Choisissez comment être prévenu(e) pour les documents."),
        ({"message": None}, "Choisissez comment être prévenu(e) pour les messages."),
    ],
)
@pytest.mark.parametrize("htmx", [False, True])
def test_preferences_bad_value_is_422(client, users, changes, message, htmx):
    login(client, users["camille"])
    token = csrf_token(client, "/notifications/preferences")
    data = {"remboursement": "push", "attestation_salaire": "push", "message": "push", "document": "push"}
    data.update(changes)
    data = {key: value for key, value in data.items() if value is not None}
    response = client.post(
        "/notifications/preferences", data={**data, "csrf_token": token}, headers=HX if htmx else {}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Il y a un problème" in html
    assert message in html
    assert "<title>Erreur : Préférences de notification – macaisse</title>" in html
    assert ("<html" in html) is not htmx
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NotificationPreference)) == 0


def test_devices_page_and_remove(client, app, users, receiver):
    camille = users["camille"]
    browser(receiver, camille, "Chrome sur Android")
    theirs = browser(receiver, users["louis"], "Safari sur iOS")
    login(client, camille)
    page = client.get("/appareils")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert "Chrome sur Android" in html
    assert "Safari sur iOS" not in html
    assert "aucune pour l&#39;instant" in html
    assert "<html" not in client.get("/appareils", headers=HX).get_data(as_text=True)

    mine = db.session.scalar(sa.select(PushSubscription).where(PushSubscription.user_id == camille.id))
    theirs_id = db.session.scalar(
        sa.select(PushSubscription.id).where(PushSubscription.endpoint == theirs.endpoint)
    )
    token = csrf_token(client, "/appareils")
    assert client.post(f"/appareils/{theirs_id}/retrait", data={"csrf_token": token}).status_code == 404
    response = client.post(f"/appareils/{mine.id}/retrait", data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == "/appareils"
    assert db.session.scalars(sa.select(PushSubscription.id)).all() == [theirs_id]
    assert "Cet appareil ne recevra plus vos notifications." in client.get("/appareils").get_data(
        as_text=True
    )
