"""The public buttons of the widget: DMP, Adresses et contacts, Formulaires, Annuaire, Forum."""

from __future__ import annotations

from flask import Blueprint, request

from app.htmx import render
from app.services import caisses as caisse_service

bp = Blueprint("widget", __name__)


@bp.get("/dmp")
def dmp():
    """Mon espace santé explained; fragment ``content`` for htmx."""
    return render("widget/dmp.html")


@bp.get("/adresses")
def adresses():
    """Postal code → caisse(s) and how to reach them; fragment ``content`` for htmx.

    ``code_postal`` is what the user typed; ``commune`` (INSEE code) picks one commune when the
    postal code serves several. Bad input gets a French message and keeps what was typed (422).
    """
    typed = request.args.get("code_postal", "").strip()[:20]
    commune = request.args.get("commune", "").strip()[:5] or None
    lookup = caisse_service.lookup_contacts(typed, commune) if typed else None
    status = 422 if lookup is not None and lookup.error else 200
    return render("widget/adresses.html", status=status, typed=typed, lookup=lookup)


@bp.get("/formulaires")
def formulaires():
    """The forms catalogue; fragment ``content`` for htmx."""
    return render("widget/formulaires.html")


@bp.get("/annuaire")
def annuaire():
    """The directory of health professionals; fragment ``content`` for htmx."""
    return render("widget/annuaire.html")


@bp.get("/forum")
def forum():
    """The assurés' forum; fragment ``content`` for htmx."""
    return render("widget/forum.html")
