"""Push on the device in real Chromium: the worker's ``push`` handler shows what the server sends
(delivered through the DevTools protocol), a tap takes the app to the notification's page (after
login if needed), and the "Activer les notifications" flow posts a subscription the server then
really pushes to (``pushManager.subscribe`` answered by a stub pointing at a local push service:
headless Chromium has no push service; see TESTING.md, "Web push")."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, BrowserContext, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from app.extensions import db
from app.models import PushSubscription, User
from app.services import notifications, push
from app.services.push import vapid_public_key_b64url
from app.services.transactions import commit
from tests.e2e.conftest import assert_accessible, newest_login_code
from tests.e2e.test_passkeys import NIR, PASSWORD, sign_in_with_password
from tests.push_receiver import PushReceiver

PAYMENTS = "/compte/paiements/"
IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)

# Every evaluate that awaits a browser API races a timeout (Playwright's has none).
NOTIFICATIONS_JS = """async ({tag, title, wait}) => {
    const registration = await navigator.serviceWorker.ready;
    const deadline = Date.now() + wait;
    const pause = () => new Promise((resolve) => setTimeout(resolve, 400));
    let list = [];
    do {
        await pause();
        list = await registration.getNotifications(tag ? {tag} : undefined);
    } while (Date.now() < deadline && !(list.length && (!title || list.some((n) => n.title === title))));
    return list.map((n) => ({title: n.title, body: n.body, tag: n.tag, data: n.data, icon: n.icon,
                             badge: n.badge, renotify: n.renotify}));
}"""

# pushManager answered by a stub that plays the browser: it keeps the subscription of the local
# push service double across page loads (sessionStorage), and records the key it was given.
STUB_JS = """(subscription) => {
    const key = "push-stub";
    const bytesToB64url = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer)))
        .replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
    const make = (applicationServerKey) => ({
        endpoint: subscription.endpoint,
        expirationTime: null,
        options: {userVisibleOnly: true, applicationServerKey},
        toJSON: () => subscription,
        unsubscribe: async () => { sessionStorage.removeItem(key); return true; },
    });
    PushManager.prototype.subscribe = async function (options) {
        const bytes = new Uint8Array(options.applicationServerKey);
        sessionStorage.setItem(key, bytesToB64url(bytes));
        return make(bytes.buffer);
    };
    PushManager.prototype.getSubscription = async function () {
        const stored = sessionStorage.getItem(key);
        if (!stored) return null;
        const base64 = stored.replace(/-/g, "+").replace(/_/g, "/");
        const binary = atob(base64 + "==".slice(0, (4 - (base64.length % 4)) % 4));
        return make(Uint8Array.from(binary, (c) => c.charCodeAt(0)).buffer);
    };
}"""


@pytest.fixture
def receiver() -> Iterator[PushReceiver]:
    with PushReceiver() as running:
        yield running


@pytest.fixture
def app_context(live_server):
    with live_server.app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def notifying(browser: Browser, live_server) -> Iterator[Page]:
    """A browser allowed to show notifications, on the home page, under the worker's control."""
    context = browser.new_context()
    context.grant_permissions(["notifications"], origin=live_server.url)
    page = context.new_page()
    page.goto(live_server.url + "/")
    wait_for_worker(page)
    yield page
    context.close()


def wait_for_worker(page: Page) -> None:
    """Until the page is controlled by the activated worker: a push to a worker still activating
    (it claims pages during activation) is dropped. Its install precaches the shell, slow on a busy
    machine; a page whose load began while it was installing stays uncontrolled: reload it."""
    page.wait_for_function(
        "async () => (await navigator.serviceWorker.getRegistration())?.active?.state === 'activated'",
        timeout=30000,
        polling=200,
    )
    # A reload under load can still come back uncontrolled (the claim raced the navigation): try
    # again a few times before failing.
    for attempt in range(4):
        if page.evaluate("navigator.serviceWorker.controller === null"):
            page.reload()
        try:
            page.wait_for_function(
                "() => navigator.serviceWorker.controller?.state === 'activated'", timeout=10000, polling=100
            )
            return
        except PlaywrightTimeoutError:
            if attempt == 3:
                raise


def deliver(page: Page, live_server, data: str) -> None:
    """Hand ``data`` to the worker as a push message, through the DevTools protocol."""
    cdp = page.context.new_cdp_session(page)
    registrations: list[dict] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"])
    )
    cdp.send("ServiceWorker.enable")
    scope = live_server.url + "/"
    for _ in range(100):
        ours = [r for r in registrations if r["scopeURL"] == scope and not r["isDeleted"]]
        if ours:
            break
        page.wait_for_timeout(100)
    assert ours, registrations
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": live_server.url, "registrationId": ours[-1]["registrationId"], "data": data},
    )
    cdp.detach()


def shown(page: Page, tag: str | None = None, title: str | None = None, wait: int = 10000) -> list[dict]:
    """The notifications the worker shows (of ``tag``), as soon as one is titled ``title``."""
    return page.evaluate(NOTIFICATIONS_JS, {"tag": tag, "title": title, "wait": wait})


def push_message(page: Page, live_server, data: str, *, tag: str, title: str) -> list[dict]:
    """Deliver ``data`` to the worker and return the notifications of ``tag`` once ``title`` shows.

    Delivered again once if it does not show: seen on a busy machine, the worker's handler ran and
    its ``showNotification()`` resolved, yet Chromium's ``getNotifications()`` never listed it (it
    drops stored notifications its headless display does not list yet, when asked in between).
    """
    for _ in range(2):
        deliver(page, live_server, data)
        notifications_shown = shown(page, tag=tag, title=title)
        if title in [n["title"] for n in notifications_shown]:
            return notifications_shown
    raise AssertionError(f"{title!r} not shown: {notifications_shown}")


def worker(context: BrowserContext):
    return context.service_workers[0] if context.service_workers else context.wait_for_event("serviceworker")


def open_target(context: BrowserContext, url: str) -> str | None:
    """Run the worker's ``notificationclick`` logic for ``url``; the URL the window ends on."""
    return worker(context).evaluate(
        """(url) => Promise.race([
            openNotificationTarget(url).then((client) => client && client.url),
            new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), 15000)),
        ])""",
        url,
    )


# The worker's pushsubscriptionchange logic with its pushManager stubbed (no push service here):
# the renewed subscription is the local push service's one; the old one, if any, as a browser
# keeps it. Returns the renewed endpoint, or the error.
RENEW_JS = """async ({old, renewed}) => {
    PushManager.prototype.subscribe = async () => ({endpoint: renewed.endpoint, toJSON: () => renewed});
    const options = {applicationServerKey: new Uint8Array(65)};
    const oldSubscription = old && {endpoint: old.endpoint, options, toJSON: () => old};
    const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), 15000));
    try {
        return (await Promise.race([renewSubscription(oldSubscription, null), timeout])).endpoint;
    } catch (error) {
        return String(error);
    }
}"""


def finish_login(page: Page, live_server) -> None:
    """The demo assurée on the login page: password, the e-mail code if asked, the CGU if asked."""
    page.get_by_label("Numéro de sécurité sociale").fill(NIR)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter", exact=True).click()
    page.wait_for_url(lambda url: "/connexion?" not in url)
    if "/connexion/code" in page.url:
        page.get_by_label("Code reçu par e-mail", exact=True).fill(newest_login_code(live_server))
        page.get_by_role("button", name="Valider", exact=True).click()
        page.wait_for_url(lambda url: "/connexion/code" not in url)
    if page.url.endswith("/cgu"):
        page.get_by_label("J'ai lu et j'accepte les conditions générales d'utilisation").check()
        page.get_by_role("button", name="Accepter et continuer").click()


# --- The worker's push handler ------------------------------------------------------------------


def test_push_shows_the_notification_with_title_body_icon_badge_and_tag(notifying, live_server):
    page = notifying
    payload = {
        "title": "Remboursement de 19,00 €",
        "body": "Un remboursement de soins a été payé.",
        "url": "/compte/paiements/12",
        "tag": "remboursement",
    }
    [notification] = push_message(
        page, live_server, json.dumps(payload), tag="remboursement", title="Remboursement de 19,00 €"
    )
    assert notification["title"] == "Remboursement de 19,00 €"
    assert notification["body"] == "Un remboursement de soins a été payé."
    assert notification["data"] == {"url": "/compte/paiements/12"}
    assert re.search(r"/static/icons/icon-192\.png\?v=[0-9a-f]+$", notification["icon"])
    assert re.search(r"/static/icons/badge-72\.png\?v=[0-9a-f]+$", notification["badge"])
    assert notification["renotify"] is False


def test_a_newer_push_of_the_same_tag_replaces_the_older(notifying, live_server):
    page = notifying
    for amount in ("19,00", "42,50"):
        payload = {
            "title": f"Remboursement de {amount} €",
            "body": "",
            "url": "/compte/paiements/",
            "tag": "remboursement",
        }
        title = f"Remboursement de {amount} €"
        push_message(page, live_server, json.dumps(payload), tag="remboursement", title=title)
    message = json.dumps({"title": "Nouveau message", "url": "/messages/3", "tag": "message"})
    push_message(page, live_server, message, tag="message", title="Nouveau message")
    notifications_now = shown(page, wait=0)
    assert sorted(n["title"] for n in notifications_now) == ["Nouveau message", "Remboursement de 42,50 €"]
    [refund] = [n for n in notifications_now if n["tag"] == "remboursement"]
    assert refund["renotify"] is True  # replaced, and the device alerts again


@pytest.mark.parametrize(
    "data",
    [
        pytest.param("pas du JSON {", id="not-json"),
        pytest.param(json.dumps(["une", "liste"]), id="not-an-object"),
        pytest.param(json.dumps({"body": "sans titre", "url": "/dmp"}), id="no-title"),
        pytest.param("", id="empty"),
    ],
)
def test_a_bad_payload_shows_the_generic_notification(notifying, live_server, data):
    page = notifying
    [notification] = push_message(page, live_server, data, tag="macaisse", title="macaisse")
    assert notification["title"] == "macaisse"
    assert notification["body"] == "Vous avez une nouvelle notification"
    assert notification["data"] == {"url": "/notifications"}


@pytest.mark.parametrize(
    "url",
    ["https://evil.example/compte", "//evil.example/compte", "/\\evil.example", "javascript:alert(1)", 42],
)
def test_a_push_never_points_off_the_site(notifying, live_server, url):
    page = notifying
    data = json.dumps({"title": "Nouveau message", "url": url, "tag": "message"})
    [notification] = push_message(page, live_server, data, tag="message", title="Nouveau message")
    assert notification["data"] == {"url": "/notifications"}


# --- A tap on the notification --------------------------------------------------------------------


def test_tap_signed_out_goes_through_login_and_lands_on_the_page(notifying, live_server):
    page = notifying
    landed = open_target(page.context, PAYMENTS)
    assert landed == f"{live_server.url}/connexion?next={PAYMENTS}"
    expect(page).to_have_url(landed)
    expect(page.get_by_role("heading", level=1)).to_have_text("Se connecter à mon compte")
    finish_login(page, live_server)
    expect(page).to_have_url(live_server.url + PAYMENTS)
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    # Signed in, a tap goes straight there; an address off the site is refused.
    page.goto(live_server.url + "/dmp")
    assert open_target(page.context, PAYMENTS) == live_server.url + PAYMENTS
    expect(page).to_have_url(live_server.url + PAYMENTS)
    for url in ("https://evil.example/", "//evil.example/x"):
        assert open_target(page.context, url) == live_server.url + "/notifications"
        expect(page).to_have_url(live_server.url + "/notifications")


def test_tap_on_a_page_the_worker_cannot_navigate_goes_through_the_page(notifying, live_server):
    """``client.navigate()`` is refused for a page the worker does not control: app.js follows
    the worker's message instead."""
    page = notifying
    sw = worker(page.context)
    sw.evaluate(
        "() => { WindowClient.prototype.navigate = () => Promise.reject(new TypeError('not controlled')); }"
    )
    sw.evaluate("(url) => openNotificationTarget(url).then(() => true)", "/formulaires")
    expect(page).to_have_url(live_server.url + "/formulaires")
    expect(page.get_by_role("heading", level=1)).to_have_text("Formulaires")


# --- The push service replaces the subscription (pushsubscriptionchange) ------------------------


def test_worker_renews_with_the_old_subscription_after_the_session_ended(
    notifying, live_server, receiver, app_context
):
    page = notifying  # signed out
    user = db.session.scalar(sa.select(User).where(User.role == "assure").order_by(User.id).limit(1))
    old, renewed = receiver.subscribe(), receiver.subscribe()
    push.subscribe(user, push.parse_subscription(old.to_json()), "Firefox sur Android")
    try:
        result = worker(page.context).evaluate(RENEW_JS, {"old": old.to_json(), "renewed": renewed.to_json()})
        assert result == renewed.endpoint
        assert _subscriber(renewed.endpoint) == user.id
        assert _subscriber(old.endpoint) is None

        # Without the old subscription, a signed-out worker proves nothing: refused.
        again = receiver.subscribe()
        result = worker(page.context).evaluate(RENEW_JS, {"old": None, "renewed": again.to_json()})
        assert result == "Error: subscription renewal refused: 403"
        assert _subscriber(again.endpoint) is None
    finally:
        _forget(old, renewed)


def test_worker_renews_with_the_session_when_the_browser_gives_no_old_subscription(
    browser: Browser, live_server, receiver, app_context
):
    """The browser marks the worker's request ``Sec-Fetch-Site: same-origin``: the session is enough."""
    context = browser.new_context()
    page = context.new_page()
    renewed = receiver.subscribe()
    try:
        sign_in_with_password(page, live_server)
        wait_for_worker(page)
        result = worker(context).evaluate(RENEW_JS, {"old": None, "renewed": renewed.to_json()})
        assert result == renewed.endpoint
        user = db.session.get(User, _subscriber(renewed.endpoint))
        assert user.person.nir == NIR.replace(" ", "")
    finally:
        _forget(renewed)
        context.close()


# --- "Activer les notifications sur cet appareil" -----------------------------------------------


def test_enable_posts_the_subscription_then_a_real_push_reaches_it(
    browser: Browser, live_server, receiver, app_context
):
    subscription = receiver.subscribe(application_server_key=vapid_public_key_b64url())
    context = browser.new_context()
    context.grant_permissions(["notifications"], origin=live_server.url)
    context.add_init_script(f"({STUB_JS})({json.dumps(subscription.to_json())})")
    page = context.new_page()
    try:
        sign_in_with_password(page, live_server)
        wait_for_worker(page)
        page.goto(live_server.url + "/notifications/preferences")
        block = page.locator("[data-push-subscribe]")
        expect(block).to_contain_text("jamais de détail médical")
        enable = page.get_by_role("button", name="Activer les notifications sur cet appareil")
        expect(enable).to_be_visible()
        assert_accessible(page)
        enable.click()
        expect(page.get_by_role("status").filter(has_text="activées")).to_have_text(
            "Les notifications sont activées sur cet appareil."
        )
        expect(page.get_by_role("button", name="Désactiver sur cet appareil")).to_be_focused()
        # The stub was given the server's VAPID key, as applicationServerKey.
        assert page.evaluate("sessionStorage.getItem('push-stub')") == vapid_public_key_b64url()

        db.session.expire_all()
        user = db.session.scalar(sa.select(User).where(User.id == _subscriber(subscription.endpoint)))
        assert user.person.nir == NIR.replace(" ", "")

        # The server pushes for real to that subscription, and the worker shows what arrives.
        notifications.notify(
            user, "message", "Nouveau message", "Votre caisse vous a répondu.", PAYMENTS, tag="message"
        )
        commit()  # the push job runs at once on the live test server (HUEY_IMMEDIATE)
        [received] = receiver.pushes_for(subscription)
        assert received.payload["title"] == "Nouveau message"
        data = received.plaintext.decode()
        [notification] = push_message(page, live_server, data, tag="message", title="Nouveau message")
        assert notification["title"] == "Nouveau message"
        assert notification["data"] == {"url": PAYMENTS}

        # Reloaded, the page knows this device is subscribed; "Désactiver" forgets it on both sides.
        page.reload()
        page.get_by_role("button", name="Désactiver sur cet appareil").click()
        expect(page.get_by_role("status").filter(has_text="désactivées")).to_have_text(
            "Les notifications sont désactivées sur cet appareil."
        )
        assert _subscriber(subscription.endpoint) is None
        expect(page.get_by_role("button", name="Activer les notifications sur cet appareil")).to_be_visible()
    finally:
        db.session.execute(
            sa.delete(PushSubscription).where(PushSubscription.endpoint == subscription.endpoint)
        )
        db.session.commit()
        context.close()


def test_enable_on_my_devices_lists_this_device(browser: Browser, live_server, receiver, app_context):
    subscription = receiver.subscribe(application_server_key=vapid_public_key_b64url())
    context = browser.new_context()
    context.grant_permissions(["notifications"], origin=live_server.url)
    context.add_init_script(f"({STUB_JS})({json.dumps(subscription.to_json())})")
    page = context.new_page()
    try:
        sign_in_with_password(page, live_server)
        page.goto(live_server.url + "/appareils")
        assert_accessible(page)
        rows_before = page.locator("table tbody tr").count()
        page.get_by_role("button", name="Activer les notifications sur cet appareil").click()
        expect(page.locator("table tbody tr")).to_have_count(rows_before + 1)  # the page reloaded
        expect(page.get_by_text("Les notifications sont activées sur cet appareil.")).to_be_visible()
        assert_accessible(page)
    finally:
        db.session.execute(
            sa.delete(PushSubscription).where(PushSubscription.endpoint == subscription.endpoint)
        )
        db.session.commit()
        context.close()


def test_denied_permission_is_explained_without_retrying(browser: Browser, live_server, app_context):
    context = browser.new_context()  # no permission granted: headless Chromium answers "denied"
    page = context.new_page()
    subscribe_calls = []
    page.on("request", lambda r: r.method == "POST" and "/push/" in r.url and subscribe_calls.append(r.url))
    try:
        sign_in_with_password(page, live_server)
        page.goto(live_server.url + "/notifications/preferences")
        page.get_by_role("button", name="Activer les notifications sur cet appareil").click()
        status = page.locator("[data-push-status]")
        expect(status).to_contain_text("Les notifications de macaisse sont bloquées dans votre navigateur.")
        expect(status).to_contain_text("autorisez les notifications, puis rechargez cette page")
        expect(page.get_by_role("button", name="Activer les notifications sur cet appareil")).to_be_hidden()
        assert subscribe_calls == []
        assert_accessible(page)
    finally:
        context.close()


@pytest.mark.parametrize(
    ("user_agent", "message"),
    [
        (None, "Votre navigateur ne permet pas de recevoir des notifications."),
        (IPHONE_SAFARI, "touchez Partager, puis « Sur l'écran d'accueil »"),
    ],
)
def test_a_browser_without_push_is_told_what_to_do(browser: Browser, live_server, user_agent, message):
    context = browser.new_context(user_agent=user_agent) if user_agent else browser.new_context()
    context.add_init_script("delete window.PushManager;")
    page = context.new_page()
    try:
        sign_in_with_password(page, live_server)
        page.goto(live_server.url + "/notifications/preferences")
        expect(page.locator("[data-push-status]")).to_contain_text(message)
        expect(page.get_by_role("button", name="Activer les notifications sur cet appareil")).to_be_hidden()
    finally:
        context.close()


def _forget(*subscriptions) -> None:
    endpoints = [subscription.endpoint for subscription in subscriptions]
    db.session.execute(sa.delete(PushSubscription).where(PushSubscription.endpoint.in_(endpoints)))
    db.session.commit()


def _subscriber(endpoint: str) -> int | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(PushSubscription.user_id).where(PushSubscription.endpoint == endpoint))
