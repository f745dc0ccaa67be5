"""The public buttons of the widget: DMP, Adresses et contacts, Formulaires, Annuaire, Forum."""

from __future__ import annotations

from flask import Blueprint, abort, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from app.documents import forms_pdf
from app.htmx import render
from app.rules import annuaire as annuaire_rules
from app.rules import forms_catalogue, territory
from app.rules import motifs as motif_rules
from app.rules import nir as nir_rules
from app.security import no_store
from app.services import annuaire as annuaire_service
from app.services import caisses as caisse_service
from app.web.widget.forms import AnnuaireSearchForm

bp = Blueprint("widget", __name__)


@bp.get("/dmp")
def dmp():
    """Mon espace santé explained; fragment ``content`` for htmx."""
    return render("widget/dmp.html")


@bp.get("/adresses")
def adresses():
    """Postal code → caisse(s) → motif → whom to contact and how; fragment ``content`` for htmx.

    ``code_postal`` is what the user typed; ``commune`` (INSEE code) picks one commune when the
    postal code serves several; ``motif`` (a key of ``rules/data/motifs.toml``) shows the advice and
    the caisse's contacts for that reason. Bad input gets a French message and keeps what was typed
    (422); so does an unknown motif, with the caisse still shown.
    """
    typed = request.args.get("code_postal", "").strip()[:20]
    commune = request.args.get("commune", "").strip()[:5] or None
    motif_key = request.args.get("motif", "").strip()[:40]
    lookup = caisse_service.lookup_contacts(typed, commune) if typed else None
    errors = {}
    contacts = None
    if lookup is not None and lookup.error:
        errors["code_postal"] = lookup.error
    elif lookup is not None and lookup.chosen is not None and motif_key:
        contacts = caisse_service.motif_contacts(lookup.chosen.caisse, motif_key)
        if contacts is None:
            errors["motif"] = "Ce motif n'existe pas : choisissez un motif dans la liste."
    return render(
        "widget/adresses.html",
        status=422 if errors else 200,
        typed=typed,
        lookup=lookup,
        errors=errors,
        motifs=motif_rules.motifs(),
        motif=motif_rules.motif_by_key(motif_key),
        contacts=contacts,
        telephone=motif_rules.telephone(),
        form_version=forms_pdf.pdf_version(contacts.form) if contacts and contacts.form else None,
    )


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
    """Search the Annuaire santé by name, profession, place, secteur and carte Vitale; fragment
    ``results`` for the live filters (``partiel=1``), ``content`` for other htmx requests.

    Nothing is searched before a criterion is given. A bad criterion gets a French message and
    keeps what was typed (422); the other filters still search.
    """
    form = AnnuaireSearchForm(formdata=request.args)
    valid = form.validate()
    try:
        page = max(1, min(int(request.args.get("page", "1")), annuaire_service.MAX_PAGE))
    except ValueError:
        page = 1
    criteria = annuaire_service.Criteria(
        words=tuple(annuaire_rules.query_words(form.q.data or "")) if not form.q.errors else (),
        kind="" if form.profession.errors else form.profession.data or "",
        place=form.place,
        secteur="" if form.secteur.errors else form.secteur.data or "",
        carte_vitale=bool(form.carte_vitale.data),
        page=page,
    )
    results = None
    if not criteria.is_empty:
        if form.type.data == "etablissements":
            results = annuaire_service.search_structures(criteria)
        else:
            results = annuaire_service.search_practitioners(criteria)
    partial = request.args.get("partiel") == "1"
    filters = form.query_args()
    response = render(
        "widget/annuaire.html",
        block="results" if partial else "content",
        status=200 if valid else 422,
        form=form,
        results=results,
        filters=filters,
        # The fields follow the last search (their errors and values), except while the user types
        # in the words field: replacing it would drop what was typed during the request.
        swap_filters=partial and request.headers.get("HX-Trigger") != "q",
        secteur_labels=annuaire_rules.SECTEUR_LABELS,
        kind_labels=annuaire_rules.KIND_LABELS,
    )
    if partial:
        shown_page = {"page": results.page} if results is not None and results.page > 1 else {}
        response.headers["HX-Push-Url"] = url_for("widget.annuaire", **filters, **shown_page)
    return response


@bp.get("/annuaire/communes")
def annuaire_communes():
    """Commune suggestions for the "Où ?" field: ``<option>`` elements of its datalist."""
    typed = request.args.get("lieu", "").strip()[:100]
    communes = territory.search_communes(typed, limit=8) if len(typed) >= 2 else []
    response = make_response(render_template("widget/_communes_options.html", communes=communes))
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.get("/annuaire/professionnels/<national_id>")
def annuaire_practitioner(national_id: str):
    """A practitioner: profession, secteur, carte Vitale, places, hours and usual fees against the
    base de remboursement; a logged-in assuré can start declaring a doctor as médecin traitant.
    Fragment ``content``; 404 for an unknown identifier."""
    found = annuaire_service.practitioner(national_id[:12])
    if found is None:
        abort(404)
    return render(
        "widget/annuaire_practitioner.html",
        practitioner=found,
        fees=annuaire_service.fee_lines(found),
        secteur_labels=annuaire_rules.SECTEUR_LABELS,
        secteur_hints=annuaire_rules.SECTEUR_HINTS,
        kind_labels=annuaire_rules.KIND_LABELS,
    )


@bp.get("/annuaire/etablissements/<int:structure_id>")
def annuaire_structure(structure_id: int):
    """An établissement: address, phone and the practitioners listed there; fragment ``content``;
    404 when unknown."""
    found = annuaire_service.structure(structure_id)
    if found is None:
        abort(404)
    place, people = found
    return render(
        "widget/annuaire_structure.html",
        structure=place,
        practitioners=people,
        kind_labels=annuaire_rules.KIND_LABELS,
        secteur_labels=annuaire_rules.SECTEUR_LABELS,
    )


@bp.get("/forum")
def forum():
    """The forum moved to its own blueprint: a permanent redirect for old links and shortcuts."""
    return redirect(url_for("forum.index"), 301)
