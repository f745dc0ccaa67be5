"""The assuré's account ("Mon compte")."""

from __future__ import annotations

from flask import Blueprint, flash, request, session, url_for
from flask_login import current_user

from app.documents import forms_pdf
from app.htmx import redirect, render
from app.models.register import LIENS
from app.rules import annuaire as annuaire_rules
from app.rules import forms_catalogue
from app.security import no_store, roles_required
from app.services import annuaire as annuaire_service

bp = Blueprint("compte", __name__, url_prefix="/compte")

MEDECIN_TRAITANT_FORM = "declaration-de-choix-du-medecin-traitant"


@bp.get("/")
@roles_required("assure")
def home():
    """Account home: greeting, the beneficiaries of the file and the caisse; fragment ``content``."""
    person = current_user.person
    return no_store(render("compte/home.html", person=person, caisse=person.caisse, liens=LIENS))


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
        )
    )
