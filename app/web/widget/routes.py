"""The public buttons of the widget: DMP, Adresses et contacts, Formulaires, Annuaire, Forum."""

from __future__ import annotations

from flask import Blueprint, abort, make_response, redirect, request, url_for
from flask_login import current_user

from app.documents import forms_pdf
from app.htmx import render
from app.rules import forms_catalogue
from app.rules import nir as nir_rules
from app.security import no_store
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
    """The forms catalogue filtered by ``q``, ``public`` and ``categorie``; fragment ``results`` for
    the filter form's live requests (``partiel=1``), ``content`` for other htmx requests.

    An unknown audience or category (a hand-edited URL) gets a French message, keeps the values
    and shows no results (422).
    """
    query = request.args.get("q", "").strip()[:100]
    audience = request.args.get("public", "").strip()[:40]
    category = request.args.get("categorie", "").strip()[:60]
    errors = {}
    if audience and audience not in dict(forms_catalogue.audiences()):
        errors["public"] = "Choisissez un public dans la liste"
    if category and category not in forms_catalogue.categories():
        errors["categorie"] = "Choisissez une catégorie dans la liste"
    results = [] if errors else forms_catalogue.search(query, audience or None, category or None)
    block = "results" if request.args.get("partiel") == "1" else "content"
    response = render(
        "widget/formulaires.html",
        block=block,
        status=422 if errors else 200,
        errors=errors,
        query=query,
        audience=audience,
        category=category,
        audiences=forms_catalogue.audiences(),
        categories=[(name, name) for name in forms_catalogue.categories()],
        results=results,
        versions={form.slug: forms_pdf.pdf_version(form) for form in results},
    )
    if block == "results":
        # The address bar shows the page's own URL, without the fragment switch.
        kept = {
            key: value
            for key, value in (("q", query), ("public", audience), ("categorie", category))
            if value
        }
        response.headers["HX-Push-Url"] = url_for("widget.formulaires", **kept)
    return response


@bp.get("/formulaires/<slug>/v<version>.pdf")
def formulaire_pdf(slug: str, version: str):
    """The fillable PDF of a form, cached for ever at its versioned URL; ``preremplir=1`` fills it
    with the logged-in assuré's identity (never stored). 404 for an unknown form; an outdated
    version redirects to the current URL."""
    form = forms_catalogue.form_by_slug(slug)
    if form is None:
        abort(404)
    prefill_asked = request.args.get("preremplir") == "1"
    current = forms_pdf.pdf_version(form)
    if version != current:
        extra = {"preremplir": "1"} if prefill_asked else {}
        return redirect(url_for("widget.formulaire_pdf", slug=slug, version=current, **extra))
    prefill = _prefill_of_current_user() if prefill_asked else None
    response = make_response(forms_pdf.form_pdf(form, prefill))
    response.mimetype = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{slug}.pdf"'
    if prefill_asked:
        no_store(response)
        response.vary.add("Cookie")
        return response
    response.set_etag(current)
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response.make_conditional(request)


def _prefill_of_current_user() -> forms_pdf.Prefill | None:
    """The logged-in assuré's identity for a pre-filled form, or None (anonymous, staff)."""
    if not current_user.is_authenticated or getattr(current_user, "role", None) != "assure":
        return None
    person = getattr(current_user, "person", None)
    if person is None:
        return None
    address = ", ".join(part for part in (person.address_line, person.address_complement) if part)
    return forms_pdf.Prefill(
        nom=person.last_name,
        prenom=person.first_name,
        nir=nir_rules.formatted(person.nir) if person.nir else "",
        adresse=address,
        code_postal=person.postal_code,
        commune=person.commune_name,
    )


@bp.get("/annuaire")
def annuaire():
    """The directory of health professionals; fragment ``content`` for htmx."""
    return render("widget/annuaire.html")


@bp.get("/forum")
def forum():
    """The assurés' forum; fragment ``content`` for htmx."""
    return render("widget/forum.html")
