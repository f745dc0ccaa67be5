"""Démarches of the "cartes" group: ordering a carte européenne d'assurance maladie (with, for a
departure less than 15 days away, a certificat provisoire de remplacement to download at once),
and declaring a carte Vitale lost or stolen (the old card deactivated on filing, the new one
ordered with a photo and an identity document). Nothing is stored while a field or a file is
refused: the form comes back with 422, French messages and what was typed."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, flash, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice

from app.htmx import redirect, render
from app.models import Demarche, Person
from app.rules import ceam as ceam_rules
from app.security import no_store, roles_required
from app.services import demarches as service
from app.services.demarche_kinds import carte_vitale as vitale_kind
from app.services.demarche_kinds import ceam as ceam_kind
from app.services.documents import NotInFile, file_members
from app.services.transactions import commit
from app.services.uploads import ImageRule
from app.web.auth.forms import parse_french_date
from app.web.demarches.blueprint import bp
from app.web.demarches.common import UploadField, member_label, offer, read_files

DATE_EXAMPLE = "au format JJ/MM/AAAA, par exemple 14/07/2026"
PHOTO_RULE = ImageRule(min_width=300, min_height=400)

offer(
    "demarches.ceam_new",
    "Commander une carte européenne d'assurance maladie (CEAM)",
    "Pour un séjour en Europe : gratuite, valable deux ans. Vous partez dans moins de 15 jours ? "
    "Un certificat provisoire à télécharger tout de suite.",
    "cartes",
)
offer(
    "demarches.carte_vitale_new",
    "Déclarer la perte ou le vol d'une carte Vitale",
    "La carte est désactivée aussitôt ; la nouvelle est commandée avec votre photo et une pièce d'identité.",
    "cartes",
)


def _add_error(field: Any, message: str) -> None:
    field.errors = [*field.errors, message]


def _chosen(members: list[Person], field: RadioField) -> Person | None:
    return next((member for member in members if str(member.id) == field.data), None)


class CeamForm(FlaskForm):
    """The trip of one beneficiary; the view sets ``beneficiaire.choices``. Once valid:
    ``departure_value`` and ``return_value`` (None when not given)."""

    beneficiaire = RadioField("Pour qui ?", choices=[], validate_choice=False)
    depart = StringField("Date de départ")
    retour = StringField("Date de retour (facultatif)")
    pays = SelectField(
        "Pays de séjour (facultatif)",
        choices=[SelectChoice("", "Plusieurs pays, ou pas encore décidé")]
        + [SelectChoice(code, name) for code, name in ceam_rules.COUNTRIES.items()],
        validate_choice=False,
    )

    departure_value: date | None = None
    return_value: date | None = None

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if self.beneficiaire.data not in {choice.value for choice in self.beneficiaire.choices}:
            _add_error(self.beneficiaire, "Choisissez la personne qui part.")
        today = ceam_kind.today()
        text = (self.depart.data or "").strip()
        if not text:
            _add_error(self.depart, "Saisissez la date de départ.")
        elif (departure := parse_french_date(text)) is None:
            _add_error(self.depart, f"Saisissez la date de départ {DATE_EXAMPLE}.")
        elif problem := ceam_rules.departure_problem(departure, today):
            _add_error(self.depart, problem)
        else:
            self.departure_value = departure
        text = (self.retour.data or "").strip()
        if text:
            return_on = parse_french_date(text)
            if return_on is None:
                _add_error(self.retour, f"Saisissez la date de retour {DATE_EXAMPLE}, ou laissez-la vide.")
            elif self.departure_value and (
                problem := ceam_rules.return_problem(self.departure_value, return_on)
            ):
                _add_error(self.retour, problem)
            else:
                self.return_value = return_on
        if (self.pays.data or "") and self.pays.data not in ceam_rules.COUNTRIES:
            _add_error(self.pays, "Choisissez un pays de la liste, ou « Plusieurs pays ».")
        return valid and not self.errors


class CarteVitaleForm(FlaskForm):
    """The declaration and the new card's documents; the view sets ``beneficiaire.choices``. Once
    valid: ``lost_value``."""

    beneficiaire = RadioField("À qui est la carte ?", choices=[], validate_choice=False)
    motif = RadioField(
        "Que s'est-il passé ?",
        choices=[SelectChoice("perte", "La carte est perdue"), SelectChoice("vol", "La carte a été volée")],
        validate_choice=False,
    )
    date_perte = StringField("Date de la perte ou du vol")
    photo = FileField("Photo d'identité")
    piece_identite = FileField("Pièce d'identité")
    honneur = BooleanField(
        "Je déclare sur l'honneur que cette carte est perdue ou volée. Je sais qu'elle sera désactivée "
        "aussitôt, même si je la retrouve."
    )

    UPLOADS = (
        UploadField("photo", "photo", image_rule=PHOTO_RULE, images_only=True),
        UploadField("piece_identite", "piece_identite"),
    )

    lost_value: date | None = None

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if self.beneficiaire.data not in {choice.value for choice in self.beneficiaire.choices}:
            _add_error(self.beneficiaire, "Choisissez la personne dont la carte est perdue ou volée.")
        if self.motif.data not in vitale_kind.REASONS:
            _add_error(self.motif, "Indiquez si la carte est perdue ou volée.")
        text = (self.date_perte.data or "").strip()
        if not text:
            _add_error(self.date_perte, "Saisissez la date de la perte ou du vol.")
        elif (lost_on := parse_french_date(text)) is None:
            _add_error(self.date_perte, "Saisissez la date de la perte ou du vol au format JJ/MM/AAAA.")
        elif problem := ceam_rules.loss_date_problem(lost_on, ceam_kind.today()):
            _add_error(self.date_perte, problem)
        else:
            self.lost_value = lost_on
        if not self.honneur.data:
            _add_error(self.honneur, "Cochez la déclaration sur l'honneur pour continuer.")
        return valid and not self.errors


def _page(template: str, form: FlaskForm, status: int = 200, **context: Any):
    return no_store(render(template, status=status, form=form, **context))


@bp.app_template_global("carte_details")
def carte_details(demarche: Demarche) -> Any:
    """For ``demarches/kinds/_ceam.html`` and ``_carte_vitale.html``: the card ordered, the old card
    deactivated, the certificat provisoire."""
    if demarche.kind == "ceam":
        return ceam_kind.details(demarche)
    return vitale_kind.details(demarche)


# ---- CEAM -------------------------------------------------------------------------------------


@bp.route("/demarches/ceam", methods=["GET", "POST"])
@roles_required("assure")
def ceam_new():
    """Order a CEAM for one beneficiary: the form, then the démarche filed (PRG), with a certificat
    provisoire issued at once when the departure is less than 15 days away; 422 with French
    messages and what was typed when a field is refused."""
    person = current_user.person
    members = file_members(person)
    form = CeamForm()
    form.beneficiaire.choices = [SelectChoice(str(member.id), member_label(member)) for member in members]
    if request.method == "GET":
        form.beneficiaire.data = str(person.id)
        return _page("demarches/ceam_new.html", form, lead_days=ceam_rules.ORDER_LEAD_DAYS)
    valid = form.validate_on_submit()
    member = _chosen(members, form.beneficiaire)
    if valid and member is not None and ceam_kind.under_way(person, "ceam", member) is not None:
        _add_error(
            form.beneficiaire,
            f"Une demande de CEAM est déjà en cours pour {member.full_name} : suivez-la dans Mes démarches.",
        )
    if not valid or form.errors or member is None:
        return _page("demarches/ceam_new.html", form, status=422, lead_days=ceam_rules.ORDER_LEAD_DAYS)
    departure = form.departure_value
    demarche = service.file_demarche(
        current_user,
        "ceam",
        beneficiary=member,
        payload={
            "depart": departure.isoformat(),
            "retour": form.return_value.isoformat() if form.return_value else None,
            "pays": form.pays.data or None,
        },
    )
    if ceam_rules.needs_certificat(departure, ceam_kind.today()):
        ceam_kind.attach_certificat(current_user, demarche)
        text = (
            "Votre demande de carte européenne est enregistrée. Vous partez dans moins de "
            f"{ceam_rules.ORDER_LEAD_DAYS} jours : votre certificat provisoire de remplacement est prêt, "
            "téléchargez-le ci-dessous."
        )
    else:
        text = "Votre demande de carte européenne est enregistrée : la carte arrivera avant votre départ."
    commit()
    flash(text, "success")
    return redirect(url_for("demarches.detail", demarche_id=demarche.id))


@bp.post("/demarches/<int:demarche_id>/certificat-provisoire")
@roles_required("assure")
def ceam_certificat(demarche_id: int):
    """Issue a certificat provisoire de remplacement for a CEAM démarche whose card has not arrived
    (PRG to the démarche); 404 outside the account's file or for another kind."""
    demarche = service.demarche_of(current_user.person, demarche_id)
    if demarche is None or demarche.kind != "ceam":
        abort(404)
    if not ceam_kind.certificat_possible(demarche, ceam_kind.certificat_of(demarche), ceam_kind.today()):
        flash("Un certificat provisoire ne peut pas être délivré pour cette démarche.", "error")
        return redirect(url_for("demarches.detail", demarche_id=demarche.id))
    try:
        ceam_kind.attach_certificat(current_user, demarche)
    except NotInFile:
        flash("Cette personne n'est plus rattachée à votre dossier.", "error")
        return redirect(url_for("demarches.detail", demarche_id=demarche.id))
    commit()
    flash("Votre certificat provisoire de remplacement est prêt : téléchargez-le ci-dessous.", "success")
    return redirect(url_for("demarches.detail", demarche_id=demarche.id))


# ---- carte Vitale perdue ou volée -------------------------------------------------------------


def _vitale_page(form: CarteVitaleForm, members: list[Person], status: int = 200):
    today = ceam_kind.today()
    too_young = [member for member in members if ceam_rules.vitale_age_problem(member.birth_date, today)]
    return _page("demarches/carte_vitale_new.html", form, status=status, too_young=too_young)


@bp.route("/demarches/carte-vitale", methods=["GET", "POST"])
@roles_required("assure")
def carte_vitale_new():
    """Declare a carte Vitale lost or stolen: the form, then the démarche filed with the photo and
    the identity document, the old card deactivated at once (PRG); 422 with French messages and
    what was typed (nothing stored, the card still active) when a field or a file is refused."""
    person = current_user.person
    today = ceam_kind.today()
    members = file_members(person)
    holders = [member for member in members if not ceam_rules.vitale_age_problem(member.birth_date, today)]
    form = CarteVitaleForm()
    form.beneficiaire.choices = [SelectChoice(str(member.id), member_label(member)) for member in holders]
    if request.method == "GET":
        form.beneficiaire.data = str(person.id)
        return _vitale_page(form, members)
    valid = form.validate_on_submit()
    files = read_files(form, list(CarteVitaleForm.UPLOADS))
    member = _chosen(holders, form.beneficiaire)
    if member is None and (young := _chosen(members, form.beneficiaire)) is not None:
        form.beneficiaire.errors = [ceam_rules.vitale_age_problem(young.birth_date, today)]
    if member is not None and not (member.nir or "").strip():
        _add_error(
            form.beneficiaire,
            f"{member.full_name} n'a pas encore de numéro de sécurité sociale personnel : appelez le "
            "36 46 pour sa première carte Vitale.",
        )
    if member is not None and ceam_kind.under_way(person, "carte_vitale", member) is not None:
        _add_error(
            form.beneficiaire,
            f"Une nouvelle carte Vitale est déjà en commande pour {member.full_name} : suivez-la dans "
            "Mes démarches.",
        )
    if not valid or form.errors or member is None:
        return _vitale_page(form, members, status=422)
    old = vitale_kind.deactivate_current(member, form.motif.data)
    demarche = service.file_demarche(
        current_user,
        "carte_vitale",
        beneficiary=member,
        payload={"motif": form.motif.data, "date": form.lost_value.isoformat(), "ancienne_carte_id": old.id},
        files=files,
        message="L'ancienne carte Vitale est désactivée : elle ne peut plus être utilisée.",
    )
    commit()
    flash(
        "Votre déclaration est enregistrée : l'ancienne carte est désactivée et la nouvelle est demandée.",
        "success",
    )
    return redirect(url_for("demarches.detail", demarche_id=demarche.id))
