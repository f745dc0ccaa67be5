"""Réclamations paiements in the professional's space (``/pro/reclamations``): contest a payment or a
rejected invoice with the patient's caisse (the patient identified by NIR and birth date, up to 3
files), follow it in the tabs "En cours", "Traitées" and "Archivées" (15 days after processing), and
read the caisse's answer. Another professional's réclamation or file is a 404."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, flash, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from app.extensions import limiter
from app.htmx import is_htmx, redirect, render
from app.rules import reclamations as rules
from app.rules import uploads as upload_rules
from app.rules.nir import parse_nir
from app.security import no_store, roles_required
from app.services import reclamations as service
from app.web.auth.forms import parse_french_date
from app.web.demarches.common import file_response
from app.web.filters import PARIS
from app.web.messages.forms import read_attachments
from app.web.pro.routes import _professional

bp = Blueprint("pro_reclamations", __name__, url_prefix="/pro/reclamations")

FILES_HINT = "Jusqu'à 3 fichiers, 5 Mo au total : PDF, DOC, DOCX, XLS, XLSX, CSV, TIFF, PNG ou JPEG."
FILES_ACCEPT = ",".join(
    [f".{kind.key}" for kind in upload_rules.RECLAMATION_TYPES]
    + [".tif", ".jpg"]
    + [kind.content_type for kind in upload_rules.RECLAMATION_TYPES]
)


class ReclamationForm(FlaskForm):
    """A réclamation. The view sets ``caisse.choices``; once valid, ``nir_value`` and
    ``birth_value`` hold the patient's parsed identity."""

    caisse = SelectField("Caisse du patient", validate_choice=False)
    nir = StringField("Numéro de sécurité sociale du patient")
    naissance = StringField("Date de naissance du patient")
    facture = StringField(
        "Numéro de facture (facultatif)",
        validators=[
            Length(
                max=rules.INVOICE_MAX,
                message=f"Le numéro de facture fait au plus {rules.INVOICE_MAX} caractères.",
            )
        ],
    )
    motif = RadioField(
        "Motif de la réclamation",
        choices=[SelectChoice(reason.key, reason.label) for reason in rules.REASONS],
        validate_choice=False,
    )
    message = TextAreaField(
        "Votre message",
        validators=[
            DataRequired(message="Écrivez votre message : ce que vous contestez, et pourquoi."),
            Length(
                max=rules.MESSAGE_MAX,
                message=f"Le message fait au plus {rules.MESSAGE_MAX:_} caractères.".replace("_", " "),
            ),
        ],
    )
    pieces = MultipleFileField("Pièces jointes (facultatif)")
    nir_value: str | None = None
    birth_value = None

    def validate_caisse(self, field: SelectField) -> None:
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError("Choisissez la caisse du patient dans la liste.")

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
                "Saisissez la date de naissance au format JJ/MM/AAAA, par exemple 12/06/1995."
            )
        self.birth_value = value

    def validate_motif(self, field: RadioField) -> None:
        if not rules.is_reason(field.data):
            raise ValidationError("Choisissez le motif de votre réclamation.")


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 10_000 else 1


@bp.get("/")
@roles_required("professionnel")
def index():
    """The professional's réclamations of one tab (``?onglet=en-cours|traitees|archivees``), the
    latest first, with each tab's count; fragment ``results`` (tabs and list) for htmx."""
    professional = _professional()
    tab = request.args.get("onglet", rules.EN_COURS)
    if tab not in rules.TABS:
        tab = rules.EN_COURS
    now = service.utcnow()
    block = "results" if request.args.get("partiel") == "1" and is_htmx() else "content"
    return no_store(
        render(
            "pro/reclamations/index.html",
            block=block,
            tab=tab,
            counts=service.tab_counts(professional.id, now),
            page=service.reclamations_of(professional.id, tab, now, _page_number()),
            rules=rules,
        )
    )


def _form() -> ReclamationForm:
    form = ReclamationForm()
    form.caisse.choices = [SelectChoice(str(caisse.id), caisse.name) for caisse in service.caisses()]
    if form.caisse.data is None:
        form.caisse.data = str(_professional().caisse_id)
    return form


def _new_page(form: ReclamationForm, status: int = 200):
    return no_store(
        render(
            "pro/reclamations/new.html",
            status=status,
            form=form,
            reasons=rules.REASONS,
            files_hint=FILES_HINT,
            files_accept=FILES_ACCEPT,
        )
    )


def _user_key() -> str:
    return f"user:{current_user.get_id()}"


# Each réclamation confirms a NIR and birth date: as rate-limited as the other patient look-ups.
@bp.route("/nouvelle", methods=["GET", "POST"])
@roles_required("professionnel")
@limiter.limit("30 per hour", key_func=_user_key, methods=["POST"])
def new():
    """File a réclamation with the patient's caisse (PRG to its page); 422 with everything typed
    kept and nothing stored when anything is wrong (an unknown patient, or one of another caisse,
    is said without naming whose file it is)."""
    professional = _professional()
    form = _form()
    if request.method == "GET":
        return _new_page(form)
    valid = form.validate_on_submit()
    files = read_attachments(form, allowed=upload_rules.RECLAMATION_TYPES)
    patient = None
    if valid and not form.errors:
        try:
            patient = service.find_patient(form.nir_value, form.birth_value, int(form.caisse.data))
        except service.PatientNotFound as problem:
            target = form.caisse if str(problem) == service.OTHER_CAISSE else form.nir
            target.errors = [*target.errors, str(problem)]
    if patient is None or form.errors:
        return _new_page(form, status=422)
    reclamation = service.file_reclamation(
        current_user,
        professional,
        int(form.caisse.data),
        patient,
        form.facture.data or "",
        form.motif.data,
        form.message.data,
        files,
    )
    flash(
        "Votre réclamation est envoyée à la caisse du patient. Vous serez prévenu(e) de sa réponse.",
        "success",
    )
    return redirect(url_for(".detail", reclamation_id=reclamation.id))


def _own(reclamation_id: int):
    """The signed-in professional's réclamation; 404 for anyone else's."""
    found = service.reclamation_of(_professional().id, reclamation_id)
    if found is None:
        abort(404)
    return found


@bp.get("/<int:reclamation_id>")
@roles_required("professionnel")
def detail(reclamation_id: int):
    """One réclamation: what was sent, its files, its status and the caisse's answer; fragment
    ``content``."""
    found = _own(reclamation_id)
    return no_store(
        render(
            "pro/reclamations/detail.html",
            reclamation=found,
            tab=service.tab_of(found, service.utcnow()),
            archived_on=service.archived_on(found),
            rules=rules,
        )
    )


@bp.get("/<int:reclamation_id>/pieces/<int:file_id>")
@roles_required("professionnel")
def file_download(reclamation_id: int, file_id: int):
    """A file of the professional's own réclamation, as a download; 404 for anyone else's."""
    stored = service.file_of(_own(reclamation_id), file_id)
    if stored is None:
        abort(404)
    return file_response(stored)
