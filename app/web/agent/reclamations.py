"""The caisse's réclamations paiements (``/agent/reclamations``): those professionals sent to the
agent's caisse only, the oldest first, filtered by status; a case page to take one in charge and to
answer and close it (the professional is notified). Any other caisse's réclamation is a 404."""

from __future__ import annotations

from flask import Blueprint, abort, flash, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from app.htmx import is_htmx, redirect, render
from app.models.pro_space import RECLAMATION_STATUSES
from app.rules import reclamations as rules
from app.security import no_store, roles_required
from app.services import reclamations as service
from app.web.demarches.agent import AGENT_ROLES, agent_caisse_id
from app.web.demarches.common import file_response

bp = Blueprint("agent_reclamations", __name__, url_prefix="/agent/reclamations")


class QueueFilterForm(FlaskForm):
    """The queue's filter (GET, no CSRF); empty means the réclamations still open."""

    class Meta:
        csrf = False

    statut = SelectField(
        "État",
        choices=[SelectChoice("", "À traiter (déposées et en cours)")]
        + [SelectChoice(status, rules.STATUS_LABELS[status]) for status in RECLAMATION_STATUSES],
        validators=[Optional()],
    )


class AnswerForm(FlaskForm):
    issue = RadioField(
        "Décision",
        choices=[
            SelectChoice("traitee", "Traitée : la réclamation est fondée, le paiement est régularisé"),
            SelectChoice("rejetee", "Rejetée : la réclamation n'est pas fondée"),
        ],
        validators=[DataRequired(message="Choisissez la décision : traitée ou rejetée.")],
        validate_choice=True,
    )
    reponse = TextAreaField(
        "Réponse au professionnel",
        validators=[
            DataRequired(message="Écrivez la réponse au professionnel."),
            Length(
                max=rules.ANSWER_MAX,
                message=f"La réponse fait au plus {rules.ANSWER_MAX:_} caractères.".replace("_", " "),
            ),
        ],
    )


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 10_000 else 1


@bp.get("/")
@roles_required(*AGENT_ROLES)
def queue():
    """The réclamations sent to the agent's caisse, the oldest first, filtered by status (kept in
    the URL); fragment ``results`` for htmx. A bad filter is a 422 with the filter kept."""
    caisse_id = agent_caisse_id()
    form = QueueFilterForm(request.args)
    template = "agent/reclamations/queue.html"
    if not form.validate():
        return no_store(render(template, status=422, form=form, page=None, rules=rules))
    page = service.queue(caisse_id, service.QueueFilter(status=form.statut.data or None), _page_number())
    block = "results" if request.args.get("partiel") == "1" and is_htmx() else "content"
    return no_store(render(template, block=block, form=form, page=page, rules=rules))


def _case_or_404(reclamation_id: int):
    found = service.case_of(agent_caisse_id(), reclamation_id)
    if found is None:
        abort(404)
    return found


def _case_page(reclamation, form: AnswerForm | None = None, status: int = 200):
    return no_store(
        render(
            "agent/reclamations/case.html",
            status=status,
            reclamation=reclamation,
            form=form or AnswerForm(formdata=None),
            rules=rules,
        )
    )


@bp.get("/<int:reclamation_id>")
@roles_required(*AGENT_ROLES)
def case(reclamation_id: int):
    """One réclamation: the professional, the patient, the invoice, the reason, the message and the
    files; the actions "Prendre en charge" and "Répondre et clore"; fragment ``content``."""
    return _case_page(_case_or_404(reclamation_id))


@bp.post("/<int:reclamation_id>/prise-en-charge")
@roles_required(*AGENT_ROLES)
def take(reclamation_id: int):
    found = _case_or_404(reclamation_id)
    if service.take(found, current_user):
        flash("Réclamation prise en charge.", "success")
    else:
        flash("Cette réclamation est déjà prise en charge ou close.", "error")
    return redirect(url_for(".case", reclamation_id=found.id))


@bp.post("/<int:reclamation_id>/reponse")
@roles_required(*AGENT_ROLES)
def answer(reclamation_id: int):
    """Answer and close (PRG); 422 with the answer kept when it is missing or too long."""
    found = _case_or_404(reclamation_id)
    if found.status not in rules.OPEN_STATUSES:
        flash("Cette réclamation est déjà close.", "error")
        return redirect(url_for(".case", reclamation_id=found.id))
    form = AnswerForm()
    if not form.validate_on_submit():
        return _case_page(found, form, status=422)
    service.answer(found, current_user, form.reponse.data, form.issue.data)
    flash("Réponse envoyée : le professionnel est prévenu.", "success")
    return redirect(url_for(".case", reclamation_id=found.id))


@bp.get("/<int:reclamation_id>/pieces/<int:file_id>")
@roles_required(*AGENT_ROLES)
def file_download(reclamation_id: int, file_id: int):
    """A file of a réclamation of the agent's caisse, as a download; 404 otherwise."""
    stored = service.file_of(_case_or_404(reclamation_id), file_id)
    if stored is None:
        abort(404)
    return file_response(stored)
