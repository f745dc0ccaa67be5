"""What every page's layout needs: the widget "télécommande", htmx settings, CSRF token."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, flash, request, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from app.web.filters import register_filters

# Reachable before the CGU are accepted and the e-mail verified: the public widget, the information
# pages and the simulators (public, nothing personal), the gate's own steps, sign-out, and static files.
GATE_OPEN_BLUEPRINTS = {"main", "widget", "informations", "simulateurs"}
GATE_OPEN_ENDPOINTS = {
    "static",
    "auth.logout",
    "auth.cgu",
    "auth.cgu_text",
    "auth.email_verify",
    "auth.password_change",
    # Loaded by every page's header: gating it would send the gate's own page round in circles.
    "notifications.badge",
}
GATE_REASONS = {
    "auth.password_change": "Choisissez d'abord votre mot de passe personnel.",
    "auth.cgu": "Acceptez les conditions générales d'utilisation pour accéder à votre compte.",
    "auth.email_verify": "Vérifiez votre adresse e-mail pour accéder à votre compte : elle sert à vous "
    "prévenir et à sécuriser vos connexions.",
}


@dataclass(frozen=True)
class WidgetButton:
    key: str
    label: str
    endpoint: str
    blueprints: tuple[str, ...] = ()

    @property
    def url(self) -> str:
        if self.key == "compte":
            return account_home_url()
        return url_for(self.endpoint)

    def is_active(self) -> bool:
        if request.endpoint is None:
            return False
        if request.endpoint == self.endpoint:
            return True
        return request.blueprint in self.blueprints


WIDGET = (
    WidgetButton(
        "compte",
        "Compte",
        "compte.home",
        ("compte", "auth", "agent", "pro", "employeur", "paiements", "notifications", "passkeys"),
    ),
    WidgetButton("dmp", "DMP", "widget.dmp"),
    WidgetButton("adresses", "Adresses et contacts", "widget.adresses"),
    WidgetButton("formulaires", "Formulaires", "widget.formulaires"),
    WidgetButton("annuaire", "Annuaire santé", "widget.annuaire"),
    WidgetButton("forum", "Forum", "forum.index", ("forum",)),
)

# htmx for a health portal: no history snapshots of personal pages in localStorage, forms with
# errors (422) swapped like successes, no eval, no inline indicator styles (CSP).
HTMX_CONFIG = {
    "historyCacheSize": 0,
    "refreshOnHistoryMiss": True,
    "allowEval": False,
    "allowScriptTags": False,
    "includeIndicatorStyles": False,
    "selfRequestsOnly": True,
    "scrollIntoViewOnBoost": False,
    "defaultFocusScroll": True,
    "responseHandling": [
        {"code": "204", "swap": False},
        {"code": "[23]..", "swap": True},
        {"code": "422", "swap": True},
        {"code": "[45]..", "swap": True, "error": True},
        {"code": "...", "swap": False},
    ],
}


def account_home_url() -> str:
    """Where "Compte" leads: the login page, the account home, or the back office for staff."""
    if not current_user.is_authenticated:
        return url_for("auth.login")
    if current_user.is_staff:
        return url_for("agent.home")
    if current_user.role == "professionnel":
        return url_for("pro.home")
    if current_user.role == "employeur":
        return url_for("employeur.home")
    return url_for("compte.home")


def _gate():
    """Until the password is personal, the CGU accepted and the e-mail verified, a signed-in user
    reaches only the public widget and those steps; everything else redirects there with the reason."""
    from app.htmx import redirect as hx_redirect
    from app.services.identity import next_gate

    if not current_user.is_authenticated:
        return None
    if request.blueprint in GATE_OPEN_BLUEPRINTS or request.endpoint in GATE_OPEN_ENDPOINTS:
        return None
    if request.endpoint is None:
        return None
    gate = next_gate(current_user)
    if gate is None:
        return None
    flash(GATE_REASONS[gate], "info")
    return hx_redirect(url_for(gate))


def account_tag() -> str:
    """An opaque tag of the signed-in account ("" when nobody is), for the service worker to drop
    the personal offline copy of another account; an HMAC, so it tells nothing about the user."""
    if not current_user.is_authenticated:
        return ""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"offline-account:{current_user.id}".encode(), hashlib.sha256).hexdigest()[:24]


def register_shell(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    register_filters(app)
    app.before_request(_gate)

    @app.context_processor
    def layout_context() -> dict[str, Any]:
        return {
            "widget_buttons": WIDGET,
            "htmx_config": json.dumps(HTMX_CONFIG, separators=(",", ":")),
            "csrf_headers": lambda: json.dumps({"X-CSRFToken": generate_csrf()}),
            "account_home_url": account_home_url,
            "account_tag": account_tag,
        }
