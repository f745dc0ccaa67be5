"""Médecin traitant in the professional's space (``/pro/medecin-traitant``): the declarations waiting
for the signed-in doctor's confirmation (confirm, or decline with a reason sent to the assuré), and
the declaration the doctor makes for a patient who signed it (identity checked on the NIR and the
birth date, accepted at once). Doctors only; a démarche addressed to another doctor is a 404."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, flash, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, ValidationError

from app.extensions import limiter
from app.htmx import redirect, render
from app.rules.nir import parse_nir
from app.security import no_store, roles_required
from app.services import demarches
from app.services import medecin_traitant as service
from app.web.auth.forms import parse_french_date
from app.web.demarches.forms import ReasonForm
from app.web.filters import PARIS

bp = Blueprint("pro_demarches", __name__, url_prefix="/pro/medecin-traitant")


class DeclarationForm(FlaskForm):
    """The doctor declares themselves médecin traitant of a patient who signed the declaration.
    Once valid, ``nir_value`` and ``birth_value`` hold the parsed identity."""

    nir = StringField("Numéro de sécurité sociale du patient")
    naissance = StringField("Date de naissance du patient")
    consentement = BooleanField(
        "Le patient a signé la déclaration de choix du médecin traitant",
        validators=[
            DataRequired("Cochez la case : le patient (ou son parent) doit avoir signé la déclaration.")
        ],
    )
    nir_value: str | None = None
    birth_value = None

    def validate_nir(self, field: StringField) -> None:
        result = parse_nir(field.data or "")
        if not result.ok:
            raise ValidationError(result.error)
        self.nir_value = result.value

    def validate_naissance(self, field: StringField) -> None:
        if not (field.data or "").strip():
            raise ValidationError("Saisissez la date de naissance du patient.")
        value = parse_french_date(field.data)
        if value is None or value > datetime.now(PARIS).date():
            raise ValidationError(
                "Saisissez la date de naissance au format JJ/MM/AAAA, par exemple 08/03/2019."
            )
        self.birth_value = value


def _doctor():
    """The signed-in doctor's account; 403 for a professional who is not a médecin."""
    professional = current_user.professional
    if professional is None or professional.profession != "Médecin":
        abort(403)
    return current_user


def _decline_form(demarche_id: int, *, blank: bool = False) -> ReasonForm:
    # One refusal form per declaration on the page: the prefix keeps their ids apart.
    prefix = f"refus-{demarche_id}"
    return ReasonForm(prefix=prefix, formdata=None) if blank else ReasonForm(prefix=prefix)


def _page(
    form: DeclarationForm | None = None, declined: ReasonForm | None = None, declined_id: int | None = None
):
    doctor = _doctor()
    waiting = service.waiting_for(doctor.professional.rpps)
    forms = {
        demarche.id: declined
        if demarche.id == declined_id and declined is not None
        else _decline_form(demarche.id, blank=True)
        for demarche in waiting
    }
    form = form or DeclarationForm(formdata=None)
    failed = bool(form.errors) or (declined is not None and bool(declined.errors))
    return no_store(
        render(
            "demarches/pro_medecin_traitant.html",
            status=422 if failed else 200,
            waiting=waiting,
            decline_forms=forms,
            form=form,
            failed=failed,
            errors=failed,
        )
    )


@bp.get("/")
@roles_required("professionnel")
def index():
    """The declarations waiting for the doctor's confirmation, oldest first (constant queries), and
    the form to declare a patient; fragment ``content``."""
    return _page()


def _user_key() -> str:
    return f"user:{current_user.get_id()}"


@bp.post("/declaration")
@roles_required("professionnel")
@limiter.limit("30 per hour", key_func=_user_key)
def declaration():
    """The doctor declares a patient who signed (PRG); 422 with what was typed when the identity does
    not match, without saying whether the NIR exists."""
    doctor = _doctor()
    form = DeclarationForm()
    if form.validate_on_submit():
        patient = service.find_patient(form.nir_value, form.birth_value)
        if patient is None:
            form.nir.errors.append(service.NOT_FOUND)
        else:
            try:
                service.declare_by_doctor(doctor, patient)
            except service.CannotDeclare as refused:
                form.nir.errors.append(str(refused))
            else:
                flash(
                    f"Vous êtes déclaré(e) médecin traitant de {patient.full_name} à partir d'aujourd'hui.",
                    "success",
                )
                return redirect(url_for("pro_demarches.index"))
    return _page(form=form)


def _decide(action, demarche_id: int, done: str):
    try:
        result = action()
    except demarches.DemarcheClosed:
        flash("Cette déclaration est déjà traitée ou a été annulée par l'assuré.", "error")
        return redirect(url_for("pro_demarches.index"))
    if result is None:
        abort(404)
    flash(done, "success")
    return redirect(url_for("pro_demarches.index"))


@bp.post("/<int:demarche_id>/confirmation")
@roles_required("professionnel")
def confirm(demarche_id: int):
    """Confirm a declaration addressed to the doctor (PRG); 404 for anyone else's."""
    doctor = _doctor()
    return _decide(
        lambda: service.confirm(doctor, demarche_id),
        demarche_id,
        "Déclaration confirmée : vous êtes le médecin traitant de ce patient à partir d'aujourd'hui.",
    )


@bp.post("/<int:demarche_id>/refus")
@roles_required("professionnel")
def decline(demarche_id: int):
    """Decline a declaration with the reason sent to the assuré (PRG); 422 without a reason; 404 for
    anyone else's."""
    doctor = _doctor()
    form = _decline_form(demarche_id)
    if not form.validate_on_submit():
        if all(demarche.id != demarche_id for demarche in service.waiting_for(doctor.professional.rpps)):
            abort(404)
        return _page(declined=form, declined_id=demarche_id)
    return _decide(
        lambda: service.decline(doctor, demarche_id, form.motif.data.strip()),
        demarche_id,
        "Déclaration refusée : le motif est envoyé à l'assuré.",
    )
