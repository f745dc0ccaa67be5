"""Who saw the assuré's rights, and their consent to show a professional the refund history:
"Qui a consulté mes droits" (``/compte/qui-a-consulte``) and "Autoriser un professionnel"
(``/compte/autoriser-un-professionnel``): a one-time code for one professional, and the answer to
a request a professional pushed to the phone. The holder of a file answers for its minor
children."""

from __future__ import annotations

import re

from flask import Blueprint, abort, flash, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from stdnum import luhn
from wtforms import HiddenField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from app.htmx import redirect, render
from app.models import Person
from app.models.care import Professional
from app.security import no_store, roles_required
from app.services import accounts
from app.services import history_consent as consents

bp = Blueprint("compte_acces", __name__, url_prefix="/compte")

# The events of "Qui a consulté mes droits" (the whole log is on "Sécurité du compte").
RIGHTS_KINDS = (
    "droits_consultes",
    consents.REQUESTED,
    consents.GRANTED,
    consents.REFUSED,
    consents.WITHDRAWN,
    consents.WRONG_CODE,
    consents.VIEWED,
)
CONFIRM_STEP = "confirmation"


class ConsentForm(FlaskForm):
    """Who of the file, and which professional (RPPS, 11 digits with their Luhn key). Once valid,
    ``member_value`` and ``professional_value`` hold them."""

    member = RadioField("Pour qui ?", validate_choice=False)
    rpps = StringField("Numéro RPPS du professionnel de santé")
    etape = HiddenField()

    member_value: Person | None = None
    professional_value: Professional | None = None

    def __init__(self, members: list[Person], *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.members = members
        self.member.choices = [SelectChoice(str(member.id), member.full_name) for member in members]
        if not self.member.data:
            self.member.data = str(members[0].id)

    def validate_member(self, field: RadioField) -> None:
        chosen = next((m for m in self.members if str(m.id) == field.data), None)
        if chosen is None:
            raise ValidationError("Choisissez la personne pour qui vous donnez votre accord.")
        self.member_value = chosen

    def validate_rpps(self, field: StringField) -> None:
        number = re.sub(r"\s", "", field.data or "")
        if not number:
            raise ValidationError("Saisissez le numéro RPPS du professionnel (11 chiffres).")
        if not re.fullmatch(r"\d{11}", number):
            raise ValidationError("Le numéro RPPS comporte 11 chiffres.")
        if not luhn.is_valid(number):
            raise ValidationError("Ce numéro RPPS n'est pas valide : vérifiez-le auprès du professionnel.")
        professional = consents.professional_by_rpps(number)
        if professional is None:
            raise ValidationError("Aucun professionnel de santé ne correspond à ce numéro RPPS.")
        field.data = number
        self.professional_value = professional


@bp.get("/qui-a-consulte")
@roles_required("assure")
def accesses():
    """ "Qui a consulté mes droits": the professionals who looked up the rights or saw the refund
    history of the user or of a minor child of the file, and the consents given (constant
    queries); fragment ``content``."""
    members = consents.consentable_members(current_user.person)
    return no_store(
        render(
            "compte/acces/accesses.html",
            accesses=accounts.accesses_by_others(
                current_user, person_ids=[member.id for member in members], kinds=RIGHTS_KINDS
            ),
            access_labels=accounts.ACCESS_LABELS,
            actor_label=accounts.actor_label,
            consents=consents.consents_for(members),
            status_of=consents.effective_status,
            status_labels=consents.STATUS_LABELS,
            method_labels=consents.METHOD_LABELS,
        )
    )


@bp.route("/autoriser-un-professionnel", methods=["GET", "POST"])
@roles_required("assure")
def consent_new():
    """ "Autoriser un professionnel": who and which RPPS (step 1), the professional's name to confirm
    (step 2, same URL), then the 6-digit code shown once (rendered, never redirected: it must not
    travel in a URL or a cookie); fragment ``content``; 422 with the values kept."""
    members = consents.consentable_members(current_user.person)
    form = ConsentForm(members)
    step, code = "choice", None
    if form.validate_on_submit():
        if form.etape.data == CONFIRM_STEP:
            code = consents.create_code(current_user, form.member_value, form.professional_value)
            step = "code"
        else:
            step = CONFIRM_STEP
    return no_store(
        render(
            "compte/acces/consent_new.html",
            status=422 if form.errors else 200,
            form=form,
            step=step,
            code=code,
            minutes=int(consents.CODE_LIFETIME.total_seconds() // 60),
            requests=consents.pending_requests(current_user, members),
            confirm_step=CONFIRM_STEP,
        )
    )


def _request_or_404(consent_id: int):
    """The push request ``consent_id`` sent to the current user; 404 for any other."""
    consent = consents.request_for(current_user, consent_id)
    if consent is None:
        abort(404)
    return consent


@bp.get("/autoriser-un-professionnel/demandes/<int:consent_id>")
@roles_required("assure")
def request_detail(consent_id: int):
    """A professional's request to see the refund history, with the buttons to accept or refuse
    (404 for a request sent to another account); fragment ``content``."""
    consent = _request_or_404(consent_id)
    return no_store(
        render(
            "compte/acces/request.html",
            consent=consent,
            status_now=consents.effective_status(consent),
            status_labels=consents.STATUS_LABELS,
        )
    )


@bp.post("/autoriser-un-professionnel/demandes/<int:consent_id>")
@roles_required("assure")
def request_answer(consent_id: int):
    """Accept or refuse the request (``decision`` = ``accepter`` or ``refuser``) → PRG to it; 404
    for a request sent to another account."""
    consent = _request_or_404(consent_id)
    decision = request.form.get("decision")
    if decision not in ("accepter", "refuser"):
        flash("Choisissez d'accepter ou de refuser la demande.", "error")
        return redirect(url_for("compte_acces.request_detail", consent_id=consent.id))
    name = consent.professional.display_name
    try:
        consents.answer(current_user, consent, approve=decision == "accepter")
    except consents.ConsentRefused as exc:
        flash(str(exc), "error")
    else:
        if decision == "accepter":
            flash(f"Vous avez autorisé {name} à voir vos remboursements pendant 1 heure.", "success")
        else:
            flash(f"Vous avez refusé la demande de {name}.", "success")
    return redirect(url_for("compte_acces.request_detail", consent_id=consent.id))


@bp.post("/autoriser-un-professionnel/accords/<int:consent_id>/retrait")
@roles_required("assure")
def consent_withdraw(consent_id: int):
    """Take back an access to the refund history (or a code not used yet) → PRG to "Qui a consulté
    mes droits"; 404 for a consent about someone outside the file; a French message when it is no
    longer open."""
    consent = consents.consent_of(current_user, consent_id)
    if consent is None:
        abort(404)
    try:
        consents.withdraw(current_user, consent)
    except consents.ConsentRefused as exc:
        flash(str(exc), "error")
    else:
        flash(
            f"{consent.professional.display_name} ne peut plus voir l'historique des remboursements.",
            "success",
        )
    return redirect(url_for("compte_acces.accesses"), 303)
