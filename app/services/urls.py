"""Site paths for notifications and e-mails, also from a worker or a CLI command (no request)."""

from __future__ import annotations

from flask import current_app, has_request_context, url_for


def path_for(endpoint: str, **values) -> str:
    """``url_for`` that works outside a request too, with the public base URL's script root."""
    if has_request_context():
        return url_for(endpoint, **values)
    with current_app.test_request_context("/", base_url=current_app.config["PUBLIC_BASE_URL"]):
        return url_for(endpoint, **values)
