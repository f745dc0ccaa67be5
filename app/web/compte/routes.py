"""The assuré's account ("Mon compte")."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, request, session, url_for
from flask_login import current_user

from app.documents import forms_pdf
from app.extensions import limiter
from app.htmx import redirect, render
from app.models import IssuedDocument, Person
from app.rules import annuaire as annuaire_rules
from app.rules import forms_catalogue
from app.security import no_store, roles_required
from app.services import annuaire as annuaire_service
from app.services import documents as documents_service
from app.services import medecin_traitant as medecin_traitant_service
from app.web.compte.forms import AttestationForm

bp = Blueprint("compte", __name__, url_prefix="/compte")

MEDECIN_TRAITANT_FORM = "declaration-de-choix-du-medecin-traitant"


MEDECIN_TRAITANT_CHOICE = "medecin_traitant_choice"


@bp.post("/medecin-traitant/choix")
@roles_required("assure")
def medecin_traitant_choice():
    """Remember the doctor picked in the Annuaire (in the session, never in the URL) and show the
    médecin traitant page; an unknown or non-doctor identifier gets a French message."""
    found = annuaire_service.practitioner(request.form.get("identifiant", "")[:12])
    if found is None or found.profession_code != annuaire_rules.MEDECIN:
        flash("Ce médecin n'est pas dans l'annuaire : choisissez-le à nouveau.", "error")
        return redirect(url_for("widget.annuaire"))
    session[MEDECIN_TRAITANT_CHOICE] = found.national_id
    return redirect(url_for("compte.medecin_traitant"))


@bp.get("/medecin-traitant")
@roles_required("assure")
def medecin_traitant():
    """Mon médecin traitant: the current one, the doctor chosen in the Annuaire, and how to declare
    the choice; fragment ``content``."""
    person = current_user.person
    current = (
        annuaire_service.practitioner_by_rpps(person.medecin_traitant_rpps)
        if person.medecin_traitant_rpps
        else None
    )
    chosen_id = session.get(MEDECIN_TRAITANT_CHOICE)
    chosen = annuaire_service.practitioner(chosen_id) if chosen_id else None
    form = forms_catalogue.form_by_slug(MEDECIN_TRAITANT_FORM)
    # Who of the file the chosen doctor can be declared for (the declaration is per person).
    members = (
        medecin_traitant_service.members_for(person, chosen.identifier)
        if medecin_traitant_service.is_doctor(chosen)
        else []
    )
    return no_store(
        render(
            "compte/medecin_traitant.html",
            person=person,
            current=current,
            chosen=chosen
            if chosen is not None and chosen.national_id != (current and current.national_id)
            else None,
            already=chosen is not None and current is not None and chosen.national_id == current.national_id,
            form=form,
            form_version=forms_pdf.pdf_version(form) if form else None,
            picked=chosen,
            members=members,
        )
    )


def _user_key() -> str:
    return f"user:{current_user.get_id() if current_user.is_authenticated else request.remote_addr}"


def _documents_page(person: Person, form: AttestationForm, status: int = 200):
    names = {member.id: member.full_name for member in documents_service.file_members(person)}
    return no_store(
        render(
            "compte/documents.html",
            status=status,
            form=form,
            issued=documents_service.documents_of(person),
            rebuilt_kinds=documents_service.REBUILT_KINDS,
            names=names,
        )
    )


@bp.get("/documents")
@roles_required("assure")
def documents():
    """Mes documents: the attestation de droits to download (the whole file or one beneficiary) and
    the documents already issued with their verification codes; fragment ``content``."""
    from app.web.compte.accueil import beneficiary_default

    person = current_user.person
    form = AttestationForm.for_file(documents_service.file_members(person))
    proche = beneficiary_default()
    if proche:  # "Agir pour un proche": the child's attestation is offered first
        form.beneficiaire.data = proche
    return _documents_page(person, form)


@bp.post("/documents/attestation")
@limiter.limit("30 per hour", key_func=_user_key)
@roles_required("assure")
def attestation_create():
    """Issue an attestation de droits and redirect to its PDF (303). The page again with 422 when the
    beneficiary is not of the file; 400 without a valid CSRF token."""
    person = current_user.person
    form = AttestationForm.for_file(documents_service.file_members(person))
    if not form.validate_on_submit():
        return _documents_page(person, form, status=422)
    document = documents_service.issue_attestation(current_user, form.beneficiary_id)
    return redirect(url_for("compte.document_pdf", document_id=document.id), 303)


# The downloaded file's name, by kind of document.
PDF_NAMES = {
    documents_service.ATTESTATION: "attestation-de-droits",
    documents_service.CERTIFICAT_CEAM: "certificat-provisoire-ceam",
}


def _pdf_response(document: IssuedDocument, pdf: bytes, disposition: str) -> Response:
    filename = f"{PDF_NAMES[document.kind]}-{documents_service.paris_day(document.issued_at):%Y-%m-%d}.pdf"
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return no_store(response)


@bp.get("/documents/<int:document_id>.pdf")
@roles_required("assure")
def document_pdf(document_id: int):
    """Download an issued document, rebuilt as it was issued. Raises 404 unless the account's file
    holds it and its kind can be rebuilt (an IJ document is issued again from Mes arrêts de travail);
    a French page (410, fragment ``content``) when the file has changed since, with a button to issue
    a new one."""
    document = documents_service.document_of(current_user.person, document_id)
    if document is None or document.kind not in documents_service.REBUILT_KINDS:
        abort(404)
    try:
        pdf = documents_service.document_pdf(document)
    except documents_service.DocumentChanged:
        return no_store(render("compte/document_pdf.html", status=410, document=document))
    return _pdf_response(document, pdf, "attachment")


@bp.get("/documents/attestation-de-droits.pdf")
@roles_required("assure")
def attestation_current():
    """The attestation de droits of the whole file as of today, at an address that does not change
    (the one the service worker keeps offline), shown in the browser.

    A GET that may write: the first request of the day issues the day's attestation (a verifiable
    document needs its row), later ones serve that same document. At most one row a day while the
    file is unchanged; a new one only after the file changed.
    """
    document, pdf = documents_service.current_attestation(current_user)
    return _pdf_response(document, pdf, "inline")
