"""The service worker's ``pushsubscriptionchange``: a renewed subscription replaces the old one,
proved by the old endpoint and auth secret (no session, no CSRF token), or by the session of a
same-origin request; and a notification's page opened signed out comes back after login."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import PushSubscription
from app.services import push
from tests.conftest import csrf_token, last_code, login
from tests.push_receiver import PushReceiver

RENEW = "/push/subscriptions/renouvellement"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


@pytest.fixture
def receiver():
    with PushReceiver() as running:
        yield running


def stored(user, receiver: PushReceiver, label: str = "Chrome sur Android"):
    """A browser subscription of ``user``, stored as the subscribe flow does."""
    subscription = receiver.subscribe(application_server_key=push.vapid_public_key_b64url())
    push.subscribe(user, push.parse_subscription(subscription.to_json()), label)
    return subscription


def rows() -> list[tuple[int, str, str]]:
    db.session.expire_all()
    return [
        (row.user_id, row.endpoint, row.auth)
        for row in db.session.scalars(sa.select(PushSubscription).order_by(PushSubscription.id))
    ]


def test_old_endpoint_and_secret_renew_without_session_nor_csrf(client, users, receiver):
    old = stored(users["camille"], receiver)
    new = receiver.subscribe()
    response = client.post(
        RENEW, json={"old": old.to_json(), "new": new.to_json()}, headers={"User-Agent": FIREFOX}
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.json == {"ok": True}
    assert response.headers["Cache-Control"] == "no-store"
    assert rows() == [(users["camille"].id, new.endpoint, new.auth)]
    assert db.session.scalar(sa.select(PushSubscription.user_agent)) == "Firefox sur Linux"


def test_renewal_with_the_same_endpoint_updates_the_keys(client, users, receiver):
    old = stored(users["camille"], receiver)
    fresh = receiver.subscribe()
    body = {**fresh.to_json(), "endpoint": old.endpoint}
    assert client.post(RENEW, json={"old": old.to_json(), "new": body}).status_code == 201
    assert rows() == [(users["camille"].id, old.endpoint, fresh.auth)]


@pytest.mark.parametrize(
    "old",
    [
        pytest.param(
            lambda sub: {**sub.to_json(), "keys": {"auth": "AAAAAAAAAAAAAAAAAAAAAA"}}, id="wrong-secret"
        ),
        pytest.param(lambda sub: {**sub.to_json(), "keys": {"auth": "pas du base64 !"}}, id="garbled-secret"),
        pytest.param(lambda sub: {**sub.to_json(), "keys": {}}, id="no-secret"),
        pytest.param(lambda sub: {**sub.to_json(), "endpoint": sub.endpoint + "x"}, id="unknown-endpoint"),
        pytest.param(lambda sub: None, id="no-old-and-no-session"),
        pytest.param(lambda sub: "endpoint", id="not-an-object"),
    ],
)
def test_renewal_without_proof_is_refused(client, users, receiver, old):
    mine = stored(users["camille"], receiver)
    before = rows()
    response = client.post(
        RENEW,
        json={"old": old(mine), "new": receiver.subscribe().to_json()},
        headers={"Sec-Fetch-Site": "same-origin"},
    )
    assert response.status_code == 403
    assert "réactivez les notifications" in response.json["error"]
    assert rows() == before


def test_session_renews_a_same_origin_request_without_old_subscription(client, users, receiver):
    login(client, users["louis"])
    new = receiver.subscribe()
    cross_site = client.post(
        RENEW, json={"old": None, "new": new.to_json()}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert cross_site.status_code == 403  # a page of another site, riding on the session
    assert (
        client.post(RENEW, json={"old": None, "new": new.to_json()}).status_code == 403
    )  # no fetch metadata
    response = client.post(
        RENEW, json={"old": None, "new": new.to_json()}, headers={"Sec-Fetch-Site": "same-origin"}
    )
    assert response.status_code == 201
    assert rows() == [(users["louis"].id, new.endpoint, new.auth)]


def test_the_secret_of_one_account_never_moves_another_accounts_subscription(client, users, receiver):
    camille = stored(users["camille"], receiver)
    louis = stored(users["louis"], receiver)
    forged = {**camille.to_json(), "keys": {"auth": louis.auth}}
    response = client.post(RENEW, json={"old": forged, "new": receiver.subscribe().to_json()})
    assert response.status_code == 403
    assert {user_id for user_id, _, _ in rows()} == {users["camille"].id, users["louis"].id}


@pytest.mark.parametrize(
    "body",
    [
        "pas du JSON",
        {"old": None},
        {"old": None, "new": {"endpoint": "http://10.0.0.1/push/x", "keys": {"p256dh": "x", "auth": "y"}}},
    ],
)
def test_renewal_with_a_bad_new_subscription_is_a_400(client, users, receiver, body):
    old = stored(users["camille"], receiver)
    if isinstance(body, dict):
        body = {**body, "old": old.to_json()}
        response = client.post(RENEW, json=body)
    else:
        response = client.post(RENEW, data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json["error"]
    assert rows() == [(users["camille"].id, old.endpoint, old.auth)]


def test_renewed_subscription_receives_the_next_push(client, users, receiver):
    from app.services import notifications
    from app.services.transactions import commit

    old = stored(users["camille"], receiver)
    new = receiver.subscribe(application_server_key=push.vapid_public_key_b64url())
    assert client.post(RENEW, json={"old": old.to_json(), "new": new.to_json()}).status_code == 201
    notification = notifications.notify(
        users["camille"],
        "message",
        "Nouveau message",
        "Votre caisse vous a répondu.",
        "/messages/3",
        tag="message",
    )
    commit()  # the push job runs at once in tests (HUEY_IMMEDIATE)
    assert notification.push_done_at is not None
    assert [p.payload["title"] for p in receiver.pushes_for(new)] == ["Nouveau message"]
    assert receiver.pushes_for(old) == []


def test_a_personal_page_opened_signed_out_comes_back_after_login(client, users):
    """What a notification's tap does without a session: login with next=, then that page."""
    response = client.get("/compte/paiements/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/connexion?next=/compte/paiements/"
    user = users["camille"]
    token = csrf_token(client, response.headers["Location"])
    data = {"nir": user.person.nir, "password": "Macaisse-Test-2026", "csrf_token": token}
    response = client.post(response.headers["Location"], data=data)
    if response.headers["Location"] == "/connexion/code":
        code = {"code": last_code(user), "csrf_token": csrf_token(client, "/connexion/code")}
        response = client.post("/connexion/code", data=code)
    assert response.status_code == 302
    assert response.headers["Location"] == "/compte/paiements/"
