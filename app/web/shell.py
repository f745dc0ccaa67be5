"""What every page's layout needs: the widget "télécommande", htmx settings, CSRF token."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import Flask, request, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf


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
    WidgetButton("compte", "Compte", "compte.home", ("compte", "auth", "agent")),
    WidgetButton("dmp", "DMP", "widget.dmp"),
    WidgetButton("adresses", "Adresses et contacts", "widget.adresses"),
    WidgetButton("formulaires", "Formulaires", "widget.formulaires"),
    WidgetButton("annuaire", "Annuaire santé", "widget.annuaire"),
    WidgetButton("forum", "Forum", "widget.forum"),
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
    return url_for("compte.home")


def register_shell(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")

    @app.context_processor
    def layout_context() -> dict[str, Any]:
        return {
            "widget_buttons": WIDGET,
            "htmx_config": json.dumps(HTMX_CONFIG, separators=(",", ":")),
            "csrf_headers": lambda: json.dumps({"X-CSRFToken": generate_csrf()}),
            "account_home_url": account_home_url,
        }
