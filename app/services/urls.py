"""Site paths for notifications and e-mails, also from a worker or a CLI command (no request)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for


def path_for(endpoint: str, **values) -> str:
    """``url_for`` that works outside a request too, with the public base URL's script root."""
    if has_request_context():
        return url_for(endpoint, **values)
    with current_app.test_request_context("/", base_url=current_app.config["PUBLIC_BASE_URL"]):
        return url_for(endpoint, **values)


def site_url(endpoint: str, **values) -> str:
    """An absolute URL on ``PUBLIC_BASE_URL`` (the address printed on paper and in QR codes), the same
    with or without a request, whatever host the request came through."""
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)
