"""The changes of situation of "Mes démarches": a new address (the file may move to another
caisse), a new bank account confirmed by an e-mail code, a new telephone number (applied at once),
a new activity, and the guided life events page that says which démarches each event calls for.
Nothing is stored while a field or a file is refused (422, what was typed kept, except a full
IBAN, which the form keeps only in its own field)."""

from __future__ import annotations

from datetime import date, timedelta

from flask import abort, flash, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siret as stdnum_siret
from wtforms import BooleanField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.extensions import limiter
from app.htmx import redirect, render
from app.rules import situation as rules
from app.security import no_store, roles_required
from app.services import demarches as service
from app.services import situation as situation_service
from app.web.auth.forms import parse_french_date
from app.web.demarches.blueprint import bp
from app.web.demarches.common import CATALOGUE, UploadField, offer, read_files

offer(
    "demarches.adresse_new",
    "Changer d'adresse",
    "Votre nouvelle adresse ; si elle dépend d'une autre caisse, votre dossier lui est transféré.",
    "situation",
)
offer(
    "demarches.iban_new",
    "Changer de coordonnées bancaires (RIB)",
    "Le compte où vous recevez vos remboursements, confirmé par un code envoyé par e-mail.",
    "situation",
)
offer(
    "demarches.telephone_new",
    "Changer de numéro de téléphone",
    "Le numéro où votre caisse peut vous joindre : enregistré tout de suite.",
    "situation",
)
offer(
    "auth.email_verify",
    "Changer d'adresse e-mail",
    "L'adresse où vous recevez les codes et les avis de votre caisse, vérifiée par un code.",
    "situation",
)
offer(
    "demarches.situation_new",
    "Changer d'activité professionnelle",
    "Salarié, indépendant, demandeur d'emploi, étudiant, retraité ou sans activité.",
    "situation",
)
offer(
    "demarches.evenements",
    "Événements de la vie",
    "Déménagement, mariage ou PACS, séparation, changement d'activité, naissance : quoi faire.",
    "situation",
)

# How far a declared date may be from today: a move or a new activity is declared within the
# year, or announced a few months ahead.
PAST_LIMIT = timedelta(days=366)
FUTURE_LIMIT = timedelta(days=92)


def _check_date(field: StringField, what: str) -> date:
    value = parse_french_date(field.data or "")
    if value is None:
        raise ValidationError(f"Saisissez la date {what} au format JJ/MM/AAAA, par exemple 01/09/2026.")
    today = service.today()
    if value < today - PAST_LIMIT:
        raise ValidationError(f"La date {what} doit dater de moins d'un an.")
    if value > today + FUTURE_LIMIT:
        raise ValidationError(f"La date {what} peut être annoncée au plus 3 mois à l'avance.")
    return value


class AddressForm(FlaskForm):
    adresse = StringField(
        "Numéro et voie",
        validators=[
            DataRequired("Saisissez le numéro et le nom de la voie."),
            Length(max=200, message="L'adresse fait au plus 200 caractères."),
        ],
    )
    complement = StringField(
        "Complément d'adresse (facultatif)",
        validators=[Optional(), Length(max=200, message="Le complément fait au plus 200 caractères.")],
    )
    code_postal = StringField("Code postal", validators=[DataRequired("Saisissez le code postal.")])
    commune = StringField("Commune")
    date = StringField(
        "Date du déménagement", validators=[DataRequired("Saisissez la date du déménagement.")]
    )
    transfert = BooleanField("J'ai compris que mon dossier sera transféré à cette caisse")

    moved_on: date | None = None

    def validate_date(self, field: StringField) -> None:
        self.moved_on = _check_date(field, "du déménagement")


class IbanForm(FlaskForm):
    iban = StringField("IBAN du nouveau compte", validators=[DataRequired(rules.IBAN_EMPTY)])
    titulaire = StringField(
        "Titulaire du compte",
        validators=[
            DataRequired("Saisissez le nom du titulaire du compte, tel qu'il figure sur le RIB."),
            Length(max=120, message="Le nom du titulaire fait au plus 120 caractères."),
        ],
    )
    rib = FileField("Relevé d'identité bancaire (RIB) (facultatif)")

    iban_value: str | None = None

    def validate_iban(self, field: StringField) -> None:
        try:
            self.iban_value = rules.check_iban(field.data or "")
        except rules.InvalidValue as refused:
            raise ValidationError(str(refused)) from refused


class CodeForm(FlaskForm):
    code = StringField(
        "Code de confirmation",
        validators=[DataRequired("Saisissez le code à 6 chiffres reçu par e-mail.")],
    )


class TelephoneForm(FlaskForm):
    telephone = StringField("Nouveau numéro de téléphone")

    number: str | None = None

    def validate_telephone(self, field: StringField) -> None:
        try:
            self.number = rules.normalize_phone(field.data or "")
        except rules.InvalidValue as refused:
            raise ValidationError(str(refused)) from refused


class ActivityForm(FlaskForm):
    activite = RadioField(
        "Votre nouvelle activité",
        choices=[SelectChoice(key, label) for key, label in rules.ACTIVITIES.items()],
        validators=[DataRequired("Choisissez votre nouvelle activité.")],
        validate_choice=False,
    )
    depuis = StringField(
        "Depuis le", validators=[DataRequired("Saisissez la date du changement d'activité.")]
    )
    employeur = StringField(
        "Employeur ou entreprise (facultatif)",
        validators=[Optional(), Length(max=160, message="Le nom fait au plus 160 caractères.")],
    )
    siret = StringField("Numéro SIRET (facultatif)", validators=[Optional()])
    justificatif = FileField("Justificatif (PDF, JPEG ou PNG, 5 Mo au plus)")

    since: date | None = None
    siret_value: str = ""

    def validate_activite(self, field: RadioField) -> None:
        if field.data not in rules.ACTIVITIES:
            raise ValidationError("Choisissez votre nouvelle activité.")

    def validate_depuis(self, field: StringField) -> None:
        self.since = _check_date(field, "du changement")

    def validate_siret(self, field: StringField) -> None:
        try:
            self.siret_value = stdnum_siret.validate(field.data)
        except StdnumError as error:
            raise ValidationError(
                "Ce numéro SIRET n'est pas valide : il compte 14 chiffres (sur un bulletin de salaire ou "
                "l'avis de situation Sirene)."
            ) from error


def _page(template: str, form, status: int = 200, **context):
    return no_store(render(template, status=status, form=form, **context))


def _already_open(pending) -> str:
    return url_for("demarches.detail", demarche_id=pending.id)


# ---- address ----------------------------------------------------------------------------------


@bp.route("/demarches/adresse", methods=["GET", "POST"])
@roles_required("assure")
def adresse_new():
    """A new address: the form, then the démarche for the current caisse (PRG). When the postal
    code serves several communes the assuré picks one; when the commune belongs to another caisse
    the page says the file will move there and asks them to confirm. 422 (what was typed kept)
    until then, or on any error."""
    person = current_user.person
    form = AddressForm()
    pending = situation_service.open_change(person, "adresse", "transfert")
    context = {"person": person, "pending": pending, "target": None}
    if request.method == "GET" or pending is not None:
        return _page(
            "demarches/adresse_new.html", form, status=200 if request.method == "GET" else 422, **context
        )
    form.validate_on_submit()
    target = situation_service.address_target(
        form.code_postal.data or "", form.commune.data, person.caisse_id
    )
    context["target"] = target
    if form.code_postal.data and target.error:
        form.code_postal.errors = [*form.code_postal.errors, target.error]
    elif target.choices and target.commune is None:
        form.commune.errors = ["Choisissez votre commune : ce code postal en dessert plusieurs."]
    elif target.moves and not form.transfert.data:
        form.transfert.errors = [
            f"Votre nouvelle commune dépend de la caisse « {target.caisse.name} » : confirmez que vous "
            "avez compris que votre dossier lui sera transféré."
        ]
    if form.errors:
        return _page("demarches/adresse_new.html", form, status=422, **context)
    demarche = situation_service.file_address_change(
        current_user, form.adresse.data, form.complement.data or "", target, form.moved_on
    )
    flash("Votre nouvelle adresse est envoyée à votre caisse.", "success")
    return redirect(url_for("demarches.detail", demarche_id=demarche.id))


# ---- bank account -----------------------------------------------------------------------------


@bp.route("/demarches/coordonnees-bancaires", methods=["GET", "POST"])
@roles_required("assure")
@limiter.limit("10 per hour", methods=["POST"])
def iban_new():
    """A new bank account: the form, then the démarche waiting for the e-mail code and the code
    page (PRG). Without a verified e-mail the page says so and links to the e-mail settings. 422
    with French messages (what was typed kept) when the IBAN, the holder or the RIB is refused."""
    person = current_user.person
    form = IbanForm()
    pending = situation_service.open_change(person, "iban")
    can_confirm = situation_service.can_receive_code(current_user)
    context = {
        "person": person,
        "pending": pending,
        "can_confirm": can_confirm,
        "masked": rules.masked_iban(person.iban),
    }
    if request.method == "GET" or pending is not None or not can_confirm:
        return _page(
            "demarches/iban_new.html", form, status=200 if request.method == "GET" else 422, **context
        )
    valid = form.validate_on_submit()
    files = read_files(form, [UploadField("rib", "justificatif", required=False)])
    if form.iban_value and form.iban_value == person.iban:
        form.iban.errors = [*form.iban.errors, "Ce compte est déjà celui de vos remboursements."]
    if not valid or form.errors:
        return _page("demarches/iban_new.html", form, status=422, **context)
    demarche = situation_service.file_iban_change(
        current_user, form.iban_value, form.titulaire.data, files, request.remote_addr
    )
    flash("Un code de confirmation vous est envoyé par e-mail.", "success")
    return redirect(url_for("demarches.iban_code", demarche_id=demarche.id))


def _waiting(demarche_id: int):
    demarche = situation_service.waiting_iban(current_user.person, demarche_id)
    if demarche is None:
        abort(404)
    return demarche


@bp.route("/demarches/coordonnees-bancaires/<int:demarche_id>/code", methods=["GET", "POST"])
@roles_required("assure")
@limiter.limit("20 per hour", methods=["POST"])
def iban_code(demarche_id: int):
    """Type the e-mail code that confirms the new bank account: right, the démarche goes to the
    caisse's check (PRG to the démarche); wrong, 422 with the message; expired or 5 wrong tries,
    422 and a button for a new code. 404 outside the account's file."""
    demarche = _waiting(demarche_id)
    form = CodeForm()
    context = {"demarche": demarche, "summary": service.summary(demarche), "dead": False}
    if demarche.status != "attente_confirmation":
        flash("Cette demande est déjà confirmée.", "info")
        return redirect(url_for("demarches.detail", demarche_id=demarche.id))
    if request.method == "GET":
        return _page("demarches/iban_code.html", form, **context)
    if form.validate_on_submit():
        try:
            outcome = situation_service.confirm_code(
                current_user, demarche.id, form.code.data, request.remote_addr
            )
        except service.DemarcheClosed:
            return redirect(url_for("demarches.detail", demarche_id=demarche.id))
        if outcome == "ok":
            flash(
                "Votre changement de coordonnées bancaires est confirmé : votre caisse le vérifie.", "success"
            )
            return redirect(url_for("demarches.detail", demarche_id=demarche.id))
        context["dead"] = outcome == "dead"
        form.code.errors.append(
            "Ce code est incorrect : vérifiez-le dans l'e-mail reçu."
            if outcome == "bad"
            else "Ce code n'est plus valable (15 minutes ou 5 essais) : demandez un nouveau code."
        )
    return _page("demarches/iban_code.html", form, status=422, **context)


@bp.post("/demarches/coordonnees-bancaires/<int:demarche_id>/nouveau-code")
@roles_required("assure")
@limiter.limit("5 per hour")
def iban_code_resend(demarche_id: int):
    """Send a new code (the previous one stops working), back to the code page (PRG); 404 outside
    the account's file."""
    demarche = _waiting(demarche_id)
    try:
        situation_service.resend_code(current_user, demarche.id, request.remote_addr)
    except service.DemarcheClosed:
        flash("Cette demande n'attend plus de code.", "error")
        return redirect(url_for("demarches.detail", demarche_id=demarche.id))
    flash("Un nouveau code vous est envoyé par e-mail.", "success")
    return redirect(url_for("demarches.iban_code", demarche_id=demarche.id))


# ---- telephone --------------------------------------------------------------------------------


@bp.route("/demarches/telephone", methods=["GET", "POST"])
@roles_required("assure")
def telephone_new():
    """A new telephone number, recorded at once (PRG to the démarche, accepted); 422 with the
    French message and what was typed otherwise."""
    person = current_user.person
    form = TelephoneForm()
    context = {"current": rules.format_phone(person.phone)}
    if request.method == "GET":
        return _page("demarches/telephone_new.html", form, **context)
    if not form.validate_on_submit():
        return _page("demarches/telephone_new.html", form, status=422, **context)
    demarche = situation_service.change_phone(current_user, form.number)
    flash(f"Votre numéro de téléphone est enregistré : {rules.format_phone(form.number)}.", "success")
    return redirect(url_for("demarches.detail", demarche_id=demarche.id))


# ---- activity ---------------------------------------------------------------------------------


@bp.route("/demarches/activite", methods=["GET", "POST"])
@roles_required("assure")
def situation_new():
    """A new activity with its proof (none for "sans activité"): the démarche filed (PRG); 422 with
    French messages and what was typed (nothing stored) when a field or the file is refused."""
    person = current_user.person
    form = ActivityForm()
    pending = situation_service.open_change(person, "situation")
    context = {
        "pending": pending,
        "proofs": rules.ACTIVITY_PROOFS,
        "activities": rules.ACTIVITIES,
        "current": rules.ACTIVITIES.get(person.activity),
    }
    if request.method == "GET" or pending is not None:
        return _page(
            "demarches/situation_new.html", form, status=200 if request.method == "GET" else 422, **context
        )
    valid = form.validate_on_submit()
    needs_proof = form.activite.data != "sans_activite"
    files = read_files(form, [UploadField("justificatif", "justificatif", required=needs_proof)])
    if not valid or form.errors:
        return _page("demarches/situation_new.html", form, status=422, **context)
    demarche = situation_service.file_activity_change(
        current_user, form.activite.data, form.since, form.employeur.data or "", form.siret_value, files
    )
    flash("Votre changement d'activité est envoyé à votre caisse.", "success")
    return redirect(url_for("demarches.detail", demarche_id=demarche.id))


# ---- life events ------------------------------------------------------------------------------

# The démarches each life event calls for, by endpoint; those another module offers are linked
# only when that module registered them (``CATALOGUE``), so this page never names a missing one.
LIFE_EVENTS = {
    "demenagement": ("demarches.adresse_new", "demarches.iban_new", "demarches.telephone_new"),
    "mariage": (
        "demarches.adresse_new",
        "demarches.iban_new",
        "demarches.ayant_droit_new",
        "demarches.complementaire_new",
    ),
    "separation": (
        "demarches.divorce_new",
        "demarches.adresse_new",
        "demarches.iban_new",
        "demarches.ayant_droit_retrait",
        "demarches.complementaire_new",
    ),
    "activite": ("demarches.situation_new", "demarches.c2s_new"),
    "naissance": ("demarches.ayant_droit_new", "demarches.complementaire_new", "demarches.ceam_new"),
}


@bp.get("/demarches/evenements-de-vie")
@roles_required("assure")
def evenements():
    """Guided life events: for each, what to do in plain French and the démarches to file;
    fragment ``content``."""
    offers = {item.endpoint: item for item in CATALOGUE}
    links = {
        event: [offers[endpoint] for endpoint in endpoints if endpoint in offers]
        for event, endpoints in LIFE_EVENTS.items()
    }
    return no_store(render("demarches/evenements.html", links=links))
