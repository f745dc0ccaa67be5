"""Notifications: the list (mark one or all read), the header badge, the preferences page, the
browser's push subscription (JSON, for our service-worker script) and "Mes appareils"."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, jsonify, render_template, request, url_for
from flask_login import current_user, login_required

from app.extensions import csrf, limiter
from app.htmx import add_vary, redirect, render
from app.rules.devices import device_label
from app.security import no_store, safe_next
from app.services import notifications as service
from app.services import push
from app.web.notifications.forms import CHANNEL_LABELS, PreferencesForm

bp = Blueprint("notifications", __name__)

SUBSCRIPTION_LIMIT = "30 per minute"
SIGNED_OUT = "Votre session a expiré. Reconnectez-vous, puis réactivez les notifications."
BAD_REQUEST = "L'abonnement envoyé n'a pas pu être compris."
RENEWAL_REFUSED = "Cet abonnement n'est pas reconnu : réactivez les notifications depuis cet appareil."


@bp.app_context_processor
def badge_context() -> dict[str, Any]:
    """``unread_notifications()`` for ``notifications/_badge.html`` included in any page's header."""
    return {"unread_notifications": _unread_for_current_user}


def _unread_for_current_user() -> int:
    return service.unread_count(current_user) if current_user.is_authenticated else 0


@bp.get("/notifications")
@login_required
def index():
    """The user's notifications, newest first, unread ones marked; fragment ``content``.

    Raises 404 for a page past the last one.
    """
    page = request.args.get("page", 1, type=int) or 1
    notifications = service.list_for(current_user, page)
    if page > 1 and not notifications.items:
        abort(404)
    return no_store(
        render(
            "notifications/index.html",
            notifications=notifications,
            unread=service.unread_count(current_user),
        )
    )


@bp.get("/notifications/badge")
@login_required
def badge():
    """The header's "Notifications" link with the unread count: always the fragment ``_badge.html``."""
    html = render_template("notifications/_badge.html", unread=service.unread_count(current_user))
    return no_store(add_vary(Response(html, mimetype="text/html")))


@bp.post("/notifications/<int:notification_id>/lu")
@login_required
def notification_read(notification_id: int):
    """Mark one notification read and open its page; 404 if it is not the user's."""
    notification = service.mark_read(current_user, notification_id)
    if notification is None:
        abort(404)
    return redirect(safe_next(notification.url) or url_for("notifications.index"))


@bp.post("/notifications/tout-lu")
@login_required
def notification_read_all():
    """Mark every notification read (PRG back to the list)."""
    if service.mark_all_read(current_user):
        flash("Toutes vos notifications sont marquées comme lues.", "success")
    return redirect(url_for("notifications.index"))


@bp.route("/notifications/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    """The channel of each kind of notification and "notifications discrètes" (PRG); 422 with the
    page and the errors for a value that is not offered; fragment ``content``."""
    if request.method == "POST":
        form = PreferencesForm()
    else:
        data: dict[str, Any] = dict(service.preferences_for(current_user))
        data["discreet"] = service.is_discreet(current_user.id)
        form = PreferencesForm(formdata=None, data=data)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            service.save_preferences(current_user, form.channels(), bool(form.discreet.data))
            flash("Vos préférences de notification sont enregistrées.", "success")
            return redirect(url_for("notifications.preferences"))
        status = 422
    return no_store(
        render(
            "notifications/preferences.html",
            status=status,
            form=form,
            kinds=service.PREFERENCE_KINDS,
            channel_labels=CHANNEL_LABELS,
        )
    )


@bp.post("/push/subscriptions")
@limiter.limit(SUBSCRIPTION_LIMIT)
def subscription_create():
    """Store the browser's ``PushSubscription.toJSON()``: 201 ``{"ok": true}`` (also when it was
    known: upsert by endpoint), 400 ``{"error"}`` in French for a bad one, 401 signed out."""
    if not current_user.is_authenticated:
        return _json_error(SIGNED_OUT, 401)
    try:
        data = push.parse_subscription(request.get_json(silent=True))
    except push.SubscriptionError as error:
        return _json_error(str(error), 400)
    push.subscribe(current_user, data, device_label(request.headers.get("User-Agent")))
    return _json({"ok": True}, 201)


@bp.delete("/push/subscriptions")
@limiter.limit(SUBSCRIPTION_LIMIT)
def subscription_delete():
    """Forget the browser's subscription ``{"endpoint": …}``: 204, 404 ``{"error"}`` if it is not
    one of the user's, 400 without an endpoint, 401 signed out."""
    if not current_user.is_authenticated:
        return _json_error(SIGNED_OUT, 401)
    body = request.get_json(silent=True)
    endpoint = body.get("endpoint") if isinstance(body, dict) else None
    if not isinstance(endpoint, str) or not endpoint:
        return _json_error(BAD_REQUEST, 400)
    if not push.unsubscribe(current_user, endpoint):
        return _json_error("Cet appareil n'est pas abonné aux notifications de votre compte.", 404)
    return no_store(Response(status=204))


@bp.post("/push/subscriptions/renouvellement")
@csrf.exempt
@limiter.limit(SUBSCRIPTION_LIMIT)
def subscription_renew():
    """Store the subscription the browser's push service gave in place of an old one, posted by the
    service worker (``pushsubscriptionchange``) as ``{"old": PushSubscription.toJSON() or null,
    "new": PushSubscription.toJSON()}``: 201 ``{"ok": true}``, 400 ``{"error"}`` for a bad new one,
    403 ``{"error"}`` when the sender proves nothing.

    No CSRF token: a worker has no page to read one from. Either the old endpoint and its auth
    secret prove the sender held that subscription (``push.renew``; the session may have expired
    long ago), or, without them, the signed-in session of a request the browser marks
    ``Sec-Fetch-Site: same-origin`` — a header no page of another site can set or forge.
    """
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _json_error(BAD_REQUEST, 400)
    try:
        data = push.parse_subscription(body.get("new"))
    except push.SubscriptionError as error:
        return _json_error(str(error), 400)
    label = device_label(request.headers.get("User-Agent"))
    old = body.get("old")
    keys = old.get("keys") if isinstance(old, dict) else None
    endpoint = old.get("endpoint") if isinstance(old, dict) else None
    auth = keys.get("auth") if isinstance(keys, dict) else None
    if isinstance(endpoint, str) and isinstance(auth, str) and push.renew(endpoint, auth, data, label):
        return _json({"ok": True}, 201)
    if current_user.is_authenticated and request.headers.get("Sec-Fetch-Site") == "same-origin":
        push.subscribe(current_user, data, label)
        return _json({"ok": True}, 201)
    return _json_error(RENEWAL_REFUSED, 403)


@bp.get("/push/cle-publique")
def public_key():
    """``{"publicKey": …}``: the server's VAPID public key, the browser's ``applicationServerKey``."""
    return _json({"publicKey": push.vapid_public_key_b64url()})


@bp.get("/appareils")
@login_required
def devices():
    """ "Mes appareils": the browsers that receive the user's notifications; fragment ``content``."""
    return no_store(render("notifications/devices.html", subscriptions=push.subscriptions_for(current_user)))


@bp.post("/appareils/<int:subscription_id>/retrait")
@login_required
def device_remove(subscription_id: int):
    """Stop pushing to one of the user's browsers (PRG); 404 if it is not theirs."""
    if not push.remove_subscription(current_user, subscription_id):
        abort(404)
    flash("Cet appareil ne recevra plus vos notifications.", "success")
    return redirect(url_for("notifications.devices"))


def _json(data: dict[str, Any], status: int = 200) -> Response:
    response = jsonify(data)
    response.status_code = status
    return no_store(response)


def _json_error(message: str, status: int) -> Response:
    return _json({"error": message}, status)
