"""The API tokens page shared by the professional and employer spaces (templates/tokens/index.html)."""

from __future__ import annotations

from typing import Any

from flask import Response

from app.htmx import render
from app.security import no_store
from app.services import api_tokens
from app.web.pro.forms import ProTokenForm, TokenForm


def tokens_page(owner: Any, space: dict[str, str]) -> Response:
    """List ``owner``'s tokens; a valid POST creates one and shows its secret once. The page is
    rendered, not redirected, after a creation: the secret must travel neither in a URL nor in the
    session cookie (a flash). Fragment ``content``; 422 with the name kept."""
    form_class = ProTokenForm if space.get("scopes") else TokenForm
    form = form_class()
    created, secret = None, None
    if form.validate_on_submit():
        scopes = form.droits.data if isinstance(form, ProTokenForm) else None
        created, secret = api_tokens.create_token(owner, form.name.data, scopes)
        form = form_class(formdata=None)
    return no_store(
        render(
            "tokens/index.html",
            space=space,
            status=422 if form.errors else 200,
            form=form,
            tokens=api_tokens.tokens_of(owner),
            created=created,
            secret=secret,
            scope_labels=api_tokens.scope_labels,
        )
    )
