"""Démarches of the "soins" group: declaring a médecin traitant (the doctor chosen in the Annuaire,
for the assuré or a child of the file, confirmed by the doctor in ``/pro``), and sending a paper
feuille de soins, whose acts an agent keys in the back office for the refund engine."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import abort, flash, request, session, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from stdnum import luhn
from wtforms import RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, ValidationError

from app.htmx import redirect, render
from app.models import Demarche
from app.rules.tariffs import RulesError
from app.security import no_store, roles_required
from app.services import annuaire as annuaire_service
from app.services import claims, demarches
from app.services import feuille_soins as feuille_service
from app.services import medecin_traitant as medecin_service
from app.services.documents import file_members
from app.web.auth.forms import parse_french_date
from app.web.compte.routes import MEDECIN_TRAITANT_CHOICE
from app.web.demarches import agent as agent_views
from app.web.demarches.blueprint import agent_bp, bp
from app.web.demarches.common import UploadField, offer, read_files
from app.web.filters import PARIS
from app.web.pro.forms import ACT_ROWS, ClaimForm, parse_euros

SECTEUR_CHOICES = [
    SelectChoice("", "Donné par l'annuaire santé"),
    SelectChoice("1", "Secteur 1"),
    SelectChoice("2_optam", "Secteur 2 avec OPTAM"),
    SelectChoice("2", "Secteur 2 sans OPTAM"),
    SelectChoice("3", "Non conventionné"),
]


def _today() -> date:
    return datetime.now(PARIS).date()


def _prescribed_message(care_date: date) -> str:
    return (
        "Ces soins sont trop anciens : leur remboursement ne peut plus être demandé depuis le "
        f"{feuille_service.prescription_date(care_date):%d/%m/%Y} (délai de prescription de deux ans)."
    )


# ---- médecin traitant --------------------------------------------------------------------------


@bp.get("/demarches/medecin-traitant")
@roles_required("assure")
def medecin_traitant_search():
    """Start a declaration: the Annuaire santé's search for généralistes, where the assuré picks the
    doctor (then "Déclarer comme médecin traitant" on the doctor's page)."""
    return redirect(url_for("widget.annuaire", profession="generaliste"))


@bp.post("/demarches/medecin-traitant")
@roles_required("assure")
def medecin_traitant_declare():
    """Declare the doctor chosen in the Annuaire (kept in the session) for a member of the file
    (field ``beneficiaire``): sent to the doctor for confirmation; PRG to the démarche, or back to
    the médecin traitant page with a French message."""
    chosen_id = session.get(MEDECIN_TRAITANT_CHOICE)
    practitioner = annuaire_service.practitioner(chosen_id) if chosen_id else None
    if practitioner is None:
        flash("Choisissez d'abord le médecin dans l'annuaire santé.", "error")
        return redirect(url_for("compte.medecin_traitant"))
    beneficiary = _posted_int("beneficiaire")
    try:
        demarche = medecin_service.declare(current_user, beneficiary, practitioner)
    except medecin_service.CannotDeclare as refused:
        flash(str(refused), "error")
        return redirect(url_for("compte.medecin_traitant"))
    session.pop(MEDECIN_TRAITANT_CHOICE, None)
    flash(
        f"Votre déclaration est envoyée à {practitioner.display_name} : "
        "elle prend effet quand il la confirme.",
        "success",
    )
    return redirect(url_for("demarches.detail", demarche_id=demarche.id))


def _posted_int(name: str) -> int:
    raw = request.form.get(name, "")
    return int(raw) if raw.isdigit() and len(raw) < 12 else 0


offer(
    "demarches.medecin_traitant_search",
    "Déclarer un médecin traitant",
    "Choisissez un médecin dans l'annuaire santé, pour vous ou pour un enfant de moins de 16 ans ; "
    "il confirme la déclaration dans son espace.",
    "soins",
)


# ---- feuille de soins papier: the assuré ------------------------------------------------------


class FeuilleSoinsForm(FlaskForm):
    """The paper feuille de soins: who was treated, when, the amount paid, the professional, and the
    files. Once valid, ``care_date_value`` and ``paid_value`` hold the parsed values."""

    beneficiaire = RadioField("Personne soignée", choices=[], validate_choice=False)
    date_soins = StringField("Date des soins")
    montant = StringField("Montant payé (€)")
    professionnel = StringField(
        "Nom du professionnel de santé (facultatif)",
        validators=[
            Optional(),
            Length(max=120, message="Le nom du professionnel fait au plus 120 caractères."),
        ],
    )
    feuille = FileField("Photo ou scan de la feuille de soins")
    ordonnance = FileField("Photo ou scan de l'ordonnance (facultatif)")

    UPLOADS = (
        UploadField("feuille", "feuille_soins"),
        UploadField("ordonnance", "ordonnance", required=False),
    )

    care_date_value: date | None = None
    paid_value: Decimal | None = None

    def validate_beneficiaire(self, field: RadioField) -> None:
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError("Choisissez la personne soignée.")

    def validate_date_soins(self, field: StringField) -> None:
        if not (field.data or "").strip():
            raise ValidationError("Saisissez la date des soins.")
        value = parse_french_date(field.data)
        if value is None:
            raise ValidationError("Saisissez la date des soins au format JJ/MM/AAAA, par exemple 10/03/2026.")
        if value > _today():
            raise ValidationError("La date des soins ne peut pas être dans le futur.")
        if feuille_service.is_prescribed(value, _today()):
            raise ValidationError(_prescribed_message(value))
        self.care_date_value = value

    def validate_montant(self, field: StringField) -> None:
        if not (field.data or "").strip():
            raise ValidationError("Saisissez le montant payé, par exemple 30,00.")
        value = parse_euros(field.data)
        if value is None:
            raise ValidationError("Saisissez le montant payé en euros, par exemple 30,00.")
        if value <= 0:
            raise ValidationError("Le montant payé doit être supérieur à 0 €.")
        if value > feuille_service.MAX_PAID:
            raise ValidationError("Le montant payé ne peut pas dépasser 10 000 € pour une feuille de soins.")
        self.paid_value = value


def _member_choices(members) -> list[SelectChoice]:
    return [SelectChoice(str(member.id), member.full_name) for member in members]


@bp.route("/demarches/feuille-de-soins", methods=["GET", "POST"])
@roles_required("assure")
def feuille_soins_new():
    """Send a paper feuille de soins (PRG to the démarche); 422 with French messages and what was
    typed kept, nothing stored, when a field or a file is refused; fragment ``content``."""
    person = current_user.person
    members = file_members(person)
    form = FeuilleSoinsForm()
    form.beneficiaire.choices = _member_choices(members)
    if form.is_submitted():
        valid = form.validate()
        files = read_files(form, list(FeuilleSoinsForm.UPLOADS))
        if valid and not form.errors:
            beneficiary = next(member for member in members if str(member.id) == form.beneficiaire.data)
            demarche = feuille_service.file_feuille(
                current_user,
                beneficiary,
                form.care_date_value,
                form.paid_value,
                (form.professionnel.data or "").strip(),
                files,
            )
            flash("Votre feuille de soins est envoyée : un conseiller va saisir les actes.", "success")
            return redirect(url_for("demarches.detail", demarche_id=demarche.id))
    elif len(members) == 1:
        form.beneficiaire.data = str(person.id)
    return no_store(render("demarches/feuille_soins_new.html", status=422 if form.errors else 200, form=form))


offer(
    "demarches.feuille_soins_new",
    "Envoyer une feuille de soins papier",
    "Votre professionnel de santé vous a remis une feuille papier : envoyez-en la photo, "
    "votre caisse la saisit et vous rembourse.",
    "soins",
)


@bp.context_processor
def _feuille_soins_helpers() -> dict[str, Any]:
    return {"feuille_soins_payment_id": feuille_service.payment_id_of}


# ---- feuille de soins papier: the agent keys the acts -----------------------------------------


class ActsForm(ClaimForm):
    """The acts an agent keys from a paper feuille de soins: the act rows, care date and ALD box of
    the professional's feuille de soins form, with the professional's RPPS (and their secteur when
    the Annuaire does not give it). Never tiers payant: the assuré paid."""

    nir = None
    submission_key = None
    beneficiary = None
    tiers_payant = None
    rpps = StringField("Numéro RPPS du professionnel de santé")
    secteur = SelectField(
        "Secteur de convention, si le professionnel n'est pas encore connu de la caisse",
        choices=SECTEUR_CHOICES,
        validate_choice=False,
    )
    rpps_value: str = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The error summary lists the fields in this order, the order of the page.
        first = ("csrf_token", "rpps", "secteur", "care_date", "ald")
        self._fields = {
            **{name: self._fields[name] for name in first if name in self._fields},
            **{name: field for name, field in self._fields.items() if name not in first},
        }

    def validate_rpps(self, field: StringField) -> None:
        number = "".join((field.data or "").split())
        if not number:
            raise ValidationError(
                "Saisissez le numéro RPPS du professionnel, tel qu'il figure sur la feuille."
            )
        if not number.isdigit() or len(number) != 11:
            raise ValidationError("Le numéro RPPS comporte 11 chiffres.")
        if not luhn.is_valid(number):
            raise ValidationError("Ce numéro RPPS n'est pas valide : vérifiez-le sur la feuille de soins.")
        self.rpps_value = number

    def validate_secteur(self, field: SelectField) -> None:
        if field.data not in {choice.value for choice in SECTEUR_CHOICES}:
            raise ValidationError("Choisissez le secteur de convention dans la liste.")

    def validate_care_date(self, field: StringField) -> None:
        super().validate_care_date(field)
        if self.care_date_value is not None and feuille_service.is_prescribed(self.care_date_value, _today()):
            raise ValidationError(_prescribed_message(self.care_date_value))


def _blank_acts_form(demarche: Demarche) -> ActsForm:
    """The keying form, the care date the assuré gave already filled in."""
    payload = demarches.payload(demarche)
    care = payload.get("date_soins", "")
    shown = f"{care[8:10]}/{care[5:7]}/{care[0:4]}" if len(care) == 10 else ""
    return ActsForm(formdata=None, care_date=shown)


@agent_bp.context_processor
def _feuille_soins_agent_helpers() -> dict[str, Any]:
    return {"feuille_soins_acts_form": _blank_acts_form, "feuille_soins_act_rows": range(ACT_ROWS)}


@agent_bp.post("/<int:demarche_id>/actes")
@roles_required(*agent_views.AGENT_ROLES)
def feuille_soins_acts(demarche_id: int):
    """Key the acts of a paper feuille de soins: liquidated and paid to the assuré, the démarche is
    accepted with the amount refunded (PRG); the case page again with 422, French messages and the
    keyed lines kept when a line or the professional is refused; 404 outside the caisse."""
    caisse_id = agent_views.agent_caisse_id()
    demarche = agent_views.case_or_404(demarche_id)
    if demarche.kind != feuille_service.KIND:
        abort(404)
    form = ActsForm()
    if form.validate_on_submit() and form.care_date_value is not None:
        try:
            feuille_service.key_acts(
                caisse_id,
                demarche_id,
                current_user,
                rpps=form.rpps_value,
                secteur=form.secteur.data or "",
                care_date=form.care_date_value,
                acts=form.acts,
                ald=bool(form.ald.data),
            )
        except demarches.DemarcheClosed:
            flash("Cette démarche n'est plus dans un état qui permet de saisir les actes.", "error")
            return redirect(url_for("agent_demarches.case", demarche_id=demarche_id))
        except feuille_service.UnknownProfessional as refused:
            form.rpps.errors.append(str(refused))
        except feuille_service.SecteurNeeded as refused:
            form.secteur.errors.append(str(refused))
        except claims.ClaimRefused as refused:
            (form.ald if "ALD" in str(refused) else form.care_date).errors.append(str(refused))
        except RulesError as refused:
            form.field_for_rules_error(str(refused)).errors.append(str(refused))
        else:
            flash(
                "Actes saisis : la feuille de soins est remboursée et la décision envoyée à l'assuré.",
                "success",
            )
            return redirect(url_for("agent_demarches.case", demarche_id=demarche_id))
        demarche = agent_views.case_or_404(demarche_id)
    return agent_views.case_page(demarche, status=422, acts_form=form)
