"""Informations pratiques (public, no login): the fiches by theme, their search, one fiche, and the
accessibility statement. No database: the fiches are templates read by ``services.fiches``. The
pages are public, so the service worker keeps the fiches read and they open offline."""

from __future__ import annotations

import json
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Final

from flask import Blueprint, abort, request, url_for

from app.htmx import is_htmx, render
from app.services import fiches as service

bp = Blueprint("informations", __name__, url_prefix="/informations")
AXE_MANIFEST: Final = Path(__file__).resolve().parents[3] / "tests" / "e2e" / "vendor" / "manifest.json"
STATEMENT_DATE: Final = "24/11/2026"


@bp.get("/")
def index():
    """The fiches grouped by theme, or the results of ``q``; fragment ``content``, or ``results`` for
    the live search (``partiel=1``); 422 for a query over 100 characters (the text is kept)."""
    query = request.args.get("q", "").strip()
    status, message, results = 200, None, None
    if len(query) > service.QUERY_MAX:
        status = 422
        message = f"Votre recherche est trop longue : {service.QUERY_MAX} caractères au plus."
    elif query:
        results = service.search(query)
    partial = request.args.get("partiel") == "1" and is_htmx()
    response = render(
        "informations/index.html",
        block="results" if partial else "content",
        status=status,
        query=query,
        message=message,
        results=results,
        errors=status == 422,
        groups=service.by_theme(),
        themes=service.THEMES,
    )
    if partial:  # the address bar shows the page's own URL, not the fragment's
        response.headers["HX-Push-Url"] = (
            url_for("informations.index", q=query) if query else url_for("informations.index")
        )
    return response


@bp.get("/accessibilite")
def accessibilite():
    """The accessibility statement (RGAA); fragment ``content``."""
    return render("informations/accessibilite.html", statement_date=STATEMENT_DATE, **_accessibility_facts())


@bp.get("/<slug>")
def fiche(slug: str):
    """One fiche: title, date, body, sources, « Voir aussi »; fragment ``content``. 404 if unknown."""
    found = service.fiche(slug)
    if found is None:
        abort(404)
    return render("informations/fiche.html", fiche=found, see_also=service.same_theme(found))


@cache
def _accessibility_facts() -> dict[str, str | None]:
    """The versions of the test tools, read from the test suite's own pins when it is installed
    (None otherwise: the statement then names the tools without numbers)."""
    try:
        manifest = json.loads(AXE_MANIFEST.read_text(encoding="utf-8"))
        axe_version = manifest["packages"]["axe-core"]["version"]
    except (OSError, ValueError, KeyError):
        axe_version = None
    try:
        playwright_version = metadata.version("playwright")
    except metadata.PackageNotFoundError:
        playwright_version = None
    return {"axe_version": axe_version, "playwright_version": playwright_version}
