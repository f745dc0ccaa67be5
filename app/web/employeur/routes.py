"""The employer space: sign-in by SIRET and password, home with the latest attestations de salaire,
a new attestation (PRG to its receipt), the receipt, and the API tokens of the payroll software."""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, request, url_for
from flask_login import current_user

from app.extensions import limiter
from app.htmx import redirect, render
from app.models.sick_leave import Employer
from app.rules.attestation_salaire import month_label, months_before
from app.security import no_store, roles_required, safe_next
from app.services import api_tokens, employers, identity
from app.services.claims import request_hash
from app.services.letters import initials
from app.web.auth.routes import _lock_message
from app.web.auth.session import start_session
from app.web.employeur.forms import AttestationForm, EmployerLoginForm
from app.web.tokens import tokens_page

bp = Blueprint("employeur", __name__, url_prefix="/employeur")

BAD_CREDENTIALS = "Numéro SIRET ou mot de passe incorrect."
# The form's secondary button: show the months to declare for the typed date, store nothing.
SHOW_MONTHS = "mois"


def _ip_key() -> str:
    return f"ip:{request.remote_addr}"


def _siret_key() -> str:
    # Per account: the SIRET typed, so a slow guess spread over many addresses still meets a limit.
    typed = "".join(c for c in request.form.get("siret", "") if c.isdigit())[:14]
    return f"siret:{typed}"


def employer_required(view: Callable) -> Callable:
    """Employer accounts only: anonymous visitors go to the employer sign-in, other accounts get 403."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            flash("Connectez-vous pour accéder à l'espace employeur.", "info")
            return redirect(url_for("employeur.login", next=safe_next(request.full_path.rstrip("?"))))
        return roles_required("employeur")(view)(*args, **kwargs)

    return wrapped


def _employer() -> Employer:
    """The signed-in account's employer; 403 for an account linked to none."""
    employer = current_user.employer
    if employer is None:
        abort(403)
    return employer


# The wording of the API tokens page (templates/tokens/index.html) in this space.
TOKEN_SPACE = {
    "prefix": "employeur",
    "lead": (
        "Un jeton permet à votre logiciel de paie de transmettre les attestations de salaire de votre "
        "entreprise. Créez-en un par logiciel, et révoquez celui d'un logiciel remplacé ou d'un jeton "
        "divulgué."
    ),
    "name_hint": "Pour le reconnaître, par exemple « Logiciel de paie ».",
    "back": "Retour à l'espace employeur",
}


@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"], key_func=_ip_key)
@limiter.limit("30 per hour", methods=["POST"], key_func=_siret_key)
def login():
    """Employer sign-in by SIRET and password; 422 with errors, 423 when the account is locked."""
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated and current_user.role == "employeur":
        return redirect(url_for("employeur.home"))
    form = EmployerLoginForm()
    status, lock = 200, None
    if form.validate_on_submit():
        outcome = employers.authenticate(form.siret_value, form.password.data, request.remote_addr)
        if outcome.status == "ok":
            start_session(outcome.user, "mot de passe")
            gate = identity.next_gate(outcome.user)
            return redirect(url_for(gate) if gate else next_url or url_for("employeur.home"))
        if outcome.status == "locked":
            lock = _lock_message(outcome.locked_until)
            form.password.errors.append(lock)
            status = 423
        else:
            form.password.errors.append(BAD_CREDENTIALS)
    if form.errors and status == 200:
        status = 422
    return no_store(render("employeur/login.html", status=status, form=form, next=next_url, lock=lock))


@bp.get("/")
@employer_required
def home():
    """ "Espace employeur": the employer and its 10 latest attestations with their receipt numbers
    (two queries whatever their number); fragment ``content``."""
    employer = _employer()
    return no_store(
        render(
            "employeur/home.html",
            employer=employer,
            attestations=employers.recent_for(employer),
            initials=initials,
        )
    )


@bp.route("/attestations/nouvelle", methods=["GET", "POST"])
@employer_required
def attestation_new():
    """The attestation de salaire form; the button "Afficher les mois" re-renders it with the 3 months
    of the typed date; "Transmettre" stores it (PRG to the receipt). Fragment ``content``; 422 with
    the typed values kept; 409 when this arrêt's attestation was already sent."""
    employer = _employer()
    form = AttestationForm()
    status = 200
    if request.method == "POST":
        form.validate_on_submit()
        form.read_start()
        if form.errors:
            status = 422
        elif request.form.get("action") != SHOW_MONTHS and form.key:
            status = _submit(employer, form)
            if status is None:
                return redirect(url_for("employeur.attestation_detail", attestation_id=form.created_id))
    if not form.key:
        form.submission_key.data = secrets.token_urlsafe(24)
    months = months_before(form.arret_start_value) if form.arret_start_value else []
    for index, gross in enumerate(form.gross_fields):
        if months:
            gross.label.text = f"Salaire brut de {month_label(months[index])}"
    return no_store(
        render(
            "employeur/attestation_new.html",
            status=status,
            form=form,
            employer=employer,
            months=[month_label(month) for month in months],
        )
    )


def _submit(employer: Employer, form: AttestationForm) -> int | None:
    """Send the form's attestation to the service; None once stored (``form.created_id`` set), else
    the status to re-render with, the service's messages put on the form's fields."""
    months = months_before(form.arret_start_value) if form.arret_start_value else [None] * 3
    values = {
        "nir": form.nir.data or "",
        "date_debut_arret": form.arret_start_value,
        "salaires": [
            {"mois": f"{month:%Y-%m}" if month else "", "brut": gross.data}
            for month, gross in zip(months, form.gross_fields, strict=True)
        ],
        "heures_travaillees": (form.hours.data or "").strip(),
        "siret": employer.siret,
    }
    try:
        submission = employers.submit_attestation(
            employer, values, source="web", idempotency_key=form.key, payload_hash=request_hash(values)
        )
    except employers.AttestationRefused as refused:
        form.add_errors(refused.fields or {"date_debut_arret": str(refused)})
        return refused.status
    if submission.created:
        number = submission.attestation.receipt_number
        flash(f"Attestation de salaire transmise : numéro de réception {number}.", "success")
    form.created_id = submission.attestation.id
    return None


@bp.get("/attestations/<int:attestation_id>")
@employer_required
def attestation_detail(attestation_id: int):
    """The receipt of one of the employer's attestations; 404 for another employer's; fragment
    ``content``."""
    employer = _employer()
    attestation = employers.attestation_of(employer, attestation_id)
    return no_store(
        render(
            "employeur/attestation_detail.html",
            attestation=attestation,
            employer=employer,
            month_label=month_label,
            initials=initials,
        )
    )


@bp.route("/jetons", methods=["GET", "POST"])
@employer_required
def tokens():
    """API tokens page of this space (see app/web/tokens.py); fragment ``content``."""
    return tokens_page(_employer(), TOKEN_SPACE)


@bp.post("/jetons/<int:token_id>/revocation")
@employer_required
def token_revoke(token_id: int):
    """Revoke one of the employer's tokens (PRG to the list); 404 for another's token."""
    if not api_tokens.revoke(_employer(), token_id):
        abort(404)
    flash("Jeton révoqué : les logiciels qui l'utilisaient n'ont plus accès à l'API.", "success")
    return no_store(redirect(url_for("employeur.tokens")))
