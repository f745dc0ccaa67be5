"""A patient's administrative situation (``/pro/patients``): the professional types the NIR and the
birth date, sees the rights, médecin traitant, ALD, C2S, maternité, régime and caisse (what billing
software gets from ADRi), and — with the patient's consent, by code or by a request pushed to the
patient's phone — the care refunded over the last 12 months.

The NIR never travels in a URL: after a lookup the patient's id is kept in the session for
``PATIENT_MINUTES`` minutes. There is no list of patients. Lookups are rate-limited per account."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal

from flask import Blueprint, Response, flash, request, session, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import ValidationError

from app.extensions import limiter
from app.htmx import is_htmx, redirect, render
from app.models import Person
from app.models.care import Professional
from app.models.messages import as_utc
from app.rules.nir import parse_nir
from app.security import no_store, roles_required
from app.services import history_consent as consents
from app.services import patient_rights as service
from app.web.auth.forms import parse_french_date
from app.web.compte.routes import _user_key
from app.web.pro.routes import _professional

bp = Blueprint("pro_patients", __name__, url_prefix="/pro/patients")

SESSION_KEY = "pro_patient"
PATIENT_MINUTES = 30
LOOKUP_LIMIT = "30 per hour;200 per day"
REQUEST_LIMIT = "10 per hour"
# The status fragment polled while a request waits on the patient's phone: ``?partiel=accord``.
PARTIAL_ARG = "partiel"
CONSENT_PARTIAL = "accord"


class LookupForm(FlaskForm):
    """The NIR (13 or 15 characters, spaces tolerated) and the birth date (JJ/MM/AAAA). Once valid,
    ``nir_value`` and ``birth_value`` hold them."""

    nir = StringField("Numéro de sécurité sociale du patient")
    birth_date = StringField("Date de naissance du patient")

    nir_value: str | None = None
    birth_value: date | None = None

    def validate_nir(self, field: StringField) -> None:
        result = parse_nir(field.data or "")
        if not result.ok:
            raise ValidationError(result.error)
        self.nir_value = result.value

    def validate_birth_date(self, field: StringField) -> None:
        if not (field.data or "").strip():
            raise ValidationError("Saisissez la date de naissance du patient.")
        value = parse_french_date(field.data)
        if value is None:
            raise ValidationError(
                "Saisissez la date de naissance au format JJ/MM/AAAA, par exemple 12/06/1995."
            )
        if value > service.today() or value.year < 1900:
            raise ValidationError("La date de naissance doit être une date passée réelle.")
        self.birth_value = value


class CodeForm(FlaskForm):
    """The 6-digit code the patient made for this professional (spaces tolerated)."""

    code = StringField("Code donné par le patient")

    def validate_code(self, field: StringField) -> None:
        digits = "".join((field.data or "").split())
        if not digits:
            raise ValidationError("Saisissez le code à 6 chiffres donné par le patient.")
        if not digits.isdigit() or len(digits) != consents.CODE_DIGITS:
            raise ValidationError("Le code comporte 6 chiffres, par exemple 042517.")
        field.data = digits


def _session_patient() -> Person | None:
    """The patient looked up in the last ``PATIENT_MINUTES`` minutes, if any."""
    kept = session.get(SESSION_KEY)
    if not isinstance(kept, dict):
        return None
    try:
        person_id, at = int(kept["id"]), float(kept["at"])
    except (KeyError, TypeError, ValueError):
        return None
    if time.time() - at > PATIENT_MINUTES * 60:
        session.pop(SESSION_KEY, None)
        return None
    return service.patient(person_id)


def _no_patient() -> Response:
    flash(
        "Saisissez le numéro de sécurité sociale et la date de naissance du patient : "
        f"une consultation reste ouverte {PATIENT_MINUTES} minutes.",
        "info",
    )
    return redirect(url_for("pro_patients.lookup"))


@bp.route("/", methods=["GET", "POST"])
@roles_required("professionnel")
@limiter.limit(LOOKUP_LIMIT, methods=["POST"], key_func=_user_key)
def lookup():
    """ "Situation d'un patient": NIR and birth date → PRG to the situation (the patient's id in
    the session, the lookup in the patient's audit log); fragment ``content``; 422 with the values
    kept, and the same message whether the NIR or the birth date is wrong."""
    professional = _professional()
    form = LookupForm()
    if form.validate_on_submit():
        person = service.find_patient(form.nir_value, form.birth_value)
        if person is not None:
            service.record_lookup(current_user, professional, person)
            session[SESSION_KEY] = {"id": person.id, "at": time.time()}
            return redirect(url_for("pro_patients.situation"))
        form.nir.errors.append(service.NOT_FOUND)
    return no_store(render("pro/patients/lookup.html", status=422 if form.errors else 200, form=form))


def _situation_page(
    professional: Professional, person: Person, code_form: CodeForm, status: int = 200, block: str = "content"
) -> Response:
    push = consents.last_push(professional, person)
    return no_store(
        render(
            "pro/patients/situation.html",
            block=block,
            status=status,
            errors=status == 422,
            professional=professional,
            situation=service.situation_of(person, professional),
            access=consents.open_access(professional, person),
            push=push,
            push_status=consents.effective_status(push) if push else None,
            code_form=code_form,
        )
    )


@bp.get("/situation")
@roles_required("professionnel")
def situation():
    """The situation of the patient looked up (redirect to the lookup when none, or after 30
    minutes); fragment ``content``, or ``consent_status`` with ``partiel=accord`` (polled while a
    request waits on the patient's phone)."""
    professional = _professional()
    person = _session_patient()
    if person is None:
        return _no_patient()
    partial = request.args.get(PARTIAL_ARG) == CONSENT_PARTIAL and is_htmx()
    return _situation_page(
        professional, person, CodeForm(formdata=None), block="consent_status" if partial else "content"
    )


@bp.post("/accord/code")
@roles_required("professionnel")
def consent_code():
    """Check the code the patient gave: right → PRG to the history; wrong, expired or used up → the
    situation page with the message (422, fragment ``content``)."""
    professional = _professional()
    person = _session_patient()
    if person is None:
        return _no_patient()
    form = CodeForm()
    if form.validate_on_submit():
        try:
            consents.use_code(current_user, professional, person, form.code.data)
        except consents.ConsentRefused as exc:
            form.code.errors.append(str(exc))
        else:
            flash(
                "Le patient vous a donné son accord : son historique est visible pendant 1 heure.", "success"
            )
            return redirect(url_for("pro_patients.history"))
    return _situation_page(professional, person, form, status=422)


@bp.post("/accord/demande")
@roles_required("professionnel")
@limiter.limit(REQUEST_LIMIT, key_func=_user_key)
def consent_push():
    """Ask the patient on their phone (a notification to their account, or the holder's for a
    minor child) → PRG to the situation, which shows the answer."""
    professional = _professional()
    person = _session_patient()
    if person is None:
        return _no_patient()
    try:
        consents.request_push(current_user, professional, person)
    except consents.ConsentRefused as exc:
        flash(str(exc), "error")
    else:
        flash(
            "Demande envoyée : le patient peut l'accepter ou la refuser dans son compte macaisse "
            "pendant 10 minutes.",
            "success",
        )
    return redirect(url_for("pro_patients.situation") + "#historique-titre")


@bp.get("/historique")
@roles_required("professionnel")
def history():
    """The care refunded for the patient over the last 12 months (every professional), while the
    patient's consent lasts; 403 with how to get it otherwise. Every view goes to the patient's
    audit log. Fragment ``content``."""
    professional = _professional()
    person = _session_patient()
    if person is None:
        return _no_patient()
    access = consents.open_access(professional, person)
    if access is None:
        return no_store(
            render(
                "pro/patients/history_forbidden.html", status=403, person=person, professional=professional
            )
        )
    lines = consents.history(person)
    consents.record_view(current_user, professional, person)
    return no_store(
        render(
            "pro/patients/history.html",
            person=person,
            lines=lines,
            total=sum((line.refunded for line in lines), start=Decimal("0")),
            access_until=as_utc(access.access_until),
            since=consents.months_ago(service.today(), consents.HISTORY_MONTHS),
        )
    )
