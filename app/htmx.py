"""Page or fragment: one URL, one template, one named block rendered alone for htmx.

A plain request (or an htmx history restore, or a boosted navigation) gets the whole page; an htmx
request gets only the named block of the same template, plus its ``<title>`` so htmx updates the
document title. Both carry ``Vary: HX-Request`` so caches (and our service worker) keep them apart.
"""

from __future__ import annotations

from typing import Any

from flask import Response, make_response, render_template, request
from flask import redirect as flask_redirect
from jinja2_fragments.flask import render_block


def is_htmx() -> bool:
    """True for an htmx request that expects a fragment (not a history restore, not boosted)."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-History-Restore-Request") != "true"
        and headers.get("HX-Boosted") != "true"
    )


def add_vary(response: Response) -> Response:
    """Mark a response as depending on ``HX-Request`` (fragment vs page)."""
    response.vary.add("HX-Request")
    return response


def render(template: str, block: str = "content", status: int = 200, **context: Any) -> Response:
    """Render ``template`` whole, or only its ``block`` (with a ``<title>``) for an htmx request."""
    if is_htmx():
        title = render_block(template, "title", **context).strip()
        form = context.get("form")
        if title and ((form is not None and getattr(form, "errors", None)) or context.get("errors")):
            title = f"Erreur : {title}"
        body = render_block(template, block, **context)
        html = f"<title>{title} – macaisse</title>\n{body}" if title else body
        response = make_response(html, status)
    else:
        response = make_response(render_template(template, **context), status)
    return add_vary(response)


def redirect(location: str, code: int = 302) -> Response:
    """A redirect, or for any htmx request an ``HX-Redirect`` so htmx navigates the whole page
    (a 302 would be followed by the XHR and its target swapped into a div)."""
    if request.headers.get("HX-Request") == "true":
        response = make_response("", 200)
        response.headers["HX-Redirect"] = location
        return add_vary(response)
    return add_vary(flask_redirect(location, code))
