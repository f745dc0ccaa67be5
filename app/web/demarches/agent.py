"""The back office of the démarches: the caisse's queue (by kind and status, oldest first, overdue
highlighted) and the case page where an agent takes, asks a document, accepts or refuses. An agent
sees only the démarches of their own caisse: any other id is a 404."""

from __future__ import annotations

from flask import abort, flash, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.htmx import redirect, render
from app.models.demarches import DEMARCHE_STATUSES
from app.rules import demarches as rules
from app.security import no_store, roles_required
from app.services import demarches as service
from app.web.demarches.blueprint import agent_bp
from app.web.demarches.common import file_response
from app.web.demarches.forms import (
    FILE_LABEL_NAMES,
    AcceptForm,
    AskDocumentForm,
    NoteForm,
    QueueFilterForm,
    ReasonForm,
)

AGENT_ROLES = ("agent", "admin")


def agent_caisse_id() -> int:
    """The agent's caisse; 404 for staff without one (they have no queue)."""
    if current_user.caisse_id is None:
        abort(404)
    return current_user.caisse_id


def _filter_form() -> QueueFilterForm:
    form = QueueFilterForm(request.args)
    form.type.choices = [SelectChoice("", "Tous les types")] + [
        SelectChoice(key, kind.label) for key, kind in rules.KINDS.items()
    ]
    form.statut.choices = [SelectChoice("", "En cours (ouvertes)")] + [
        SelectChoice(status, rules.STATUS_LABELS[status]) for status in DEMARCHE_STATUSES
    ]
    return form


@agent_bp.get("/")
@roles_required(*AGENT_ROLES)
def queue():
    """The caisse's démarches, oldest first, filtered by kind, status and overdue (the URL keeps the
    filters); fragment ``results`` for htmx. A bad filter is a 422 with the filters kept."""
    caisse_id = agent_caisse_id()
    form = _filter_form()
    if not form.validate():
        return no_store(
            render(
                "demarches/agent/queue.html",
                block="content",
                status=422,
                form=form,
                page=None,
                counts={},
                rules=rules,
                today=service.today(),
            )
        )
    page_raw = request.args.get("page", "1")
    page = service.queue(
        caisse_id,
        service.QueueFilter(
            kind=form.type.data or None, status=form.statut.data or None, overdue=form.retard.data == "1"
        ),
        int(page_raw) if page_raw.isdigit() and int(page_raw) < 10_000 else 1,
    )
    block = "results" if request.args.get("partiel") == "1" else "content"
    return no_store(
        render(
            "demarches/agent/queue.html",
            block=block,
            form=form,
            page=page,
            counts=service.open_counts(caisse_id),
            rules=rules,
            today=service.today(),
        )
    )


def case_or_404(demarche_id: int):
    """The agent's caisse's démarche ``demarche_id``; 404 for any other."""
    demarche = service.case_of(agent_caisse_id(), demarche_id)
    if demarche is None:
        abort(404)
    return demarche


def case_page(demarche, status: int = 200, **forms):
    """The case page, with the forms given (a kind's own form, or one of the actions with its errors)."""
    context = {
        "accept_form": AcceptForm(),
        "reason_form": ReasonForm(),
        "ask_form": AskDocumentForm(),
        "note_form": NoteForm(),
    }
    context.update(forms)
    return no_store(
        render(
            "demarches/agent/case.html",
            status=status,
            demarche=demarche,
            summary=service.summary(demarche),
            decisions=service.decisions_of(demarche),
            file_names=FILE_LABEL_NAMES,
            ships_card=service.ships_card(demarche),
            rules=rules,
            today=service.today(),
            errors=status == 422,
            **context,
        )
    )


@agent_bp.get("/<int:demarche_id>")
@roles_required(*AGENT_ROLES)
def case(demarche_id: int):
    """One démarche of the caisse: the request, the assuré, the documents, the history (internal
    notes included), the decisions with their read receipts, and the actions; fragment ``content``.
    Opening it is written to the assuré's audit log."""
    demarche = case_or_404(demarche_id)
    service.record_consultation(demarche, current_user)
    return case_page(demarche)


@agent_bp.get("/<int:demarche_id>/fichiers/<int:file_id>")
@roles_required(*AGENT_ROLES)
def file_download(demarche_id: int, file_id: int):
    """A file of the démarche, as an attachment (never rendered inline); 404 outside the caisse."""
    demarche = case_or_404(demarche_id)
    stored = service.file_of(demarche, file_id)
    if stored is None:
        abort(404)
    return file_response(stored)


def _act(demarche_id: int, action, done: str):
    try:
        result = action()
    except service.DemarcheClosed:
        flash("Cette démarche n'est plus dans un état qui permet cette action.", "error")
        return redirect(url_for("agent_demarches.case", demarche_id=demarche_id))
    except service.CannotAccept as refused:
        flash(str(refused), "error")
        return redirect(url_for("agent_demarches.case", demarche_id=demarche_id))
    if result is None:
        abort(404)
    flash(done, "success")
    return redirect(url_for("agent_demarches.case", demarche_id=demarche_id))


@agent_bp.post("/<int:demarche_id>/prise-en-charge")
@roles_required(*AGENT_ROLES)
def take(demarche_id: int):
    """Take the démarche (en cours, assigned to the agent); PRG."""
    caisse_id = agent_caisse_id()
    return _act(
        demarche_id, lambda: service.take(caisse_id, demarche_id, current_user), "Démarche prise en charge."
    )


@agent_bp.post("/<int:demarche_id>/acceptation")
@roles_required(*AGENT_ROLES)
def accept(demarche_id: int):
    """Accept: applied to the file, decision sent to the assuré; PRG (422 on a bad form)."""
    caisse_id = agent_caisse_id()
    form = AcceptForm()
    if not form.validate_on_submit():
        return case_page(case_or_404(demarche_id), status=422, accept_form=form)
    return _act(
        demarche_id,
        lambda: service.accept(caisse_id, demarche_id, current_user, form.message.data or ""),
        "Démarche acceptée : la décision est envoyée à l'assuré.",
    )


@agent_bp.post("/<int:demarche_id>/refus")
@roles_required(*AGENT_ROLES)
def reject(demarche_id: int):
    """Refuse with a reason sent to the assuré; PRG, 422 without a reason."""
    caisse_id = agent_caisse_id()
    form = ReasonForm()
    if not form.validate_on_submit():
        return case_page(case_or_404(demarche_id), status=422, reason_form=form)
    return _act(
        demarche_id,
        lambda: service.reject(caisse_id, demarche_id, current_user, form.motif.data.strip()),
        "Démarche refusée : le motif est envoyé à l'assuré.",
    )


@agent_bp.post("/<int:demarche_id>/demande-de-document")
@roles_required(*AGENT_ROLES)
def ask_document(demarche_id: int):
    """Ask the assuré for documents; PRG, 422 without the list."""
    caisse_id = agent_caisse_id()
    form = AskDocumentForm()
    if not form.validate_on_submit():
        return case_page(case_or_404(demarche_id), status=422, ask_form=form)
    return _act(
        demarche_id,
        lambda: service.ask_document(caisse_id, demarche_id, current_user, form.message.data.strip()),
        "La demande de document est envoyée à l'assuré.",
    )


@agent_bp.post("/<int:demarche_id>/expedition")
@roles_required(*AGENT_ROLES)
def sent(demarche_id: int):
    """Mark the card posted; PRG."""
    caisse_id = agent_caisse_id()
    return _act(
        demarche_id,
        lambda: service.mark_sent(caisse_id, demarche_id, current_user),
        "Carte marquée expédiée.",
    )


@agent_bp.post("/<int:demarche_id>/note")
@roles_required(*AGENT_ROLES)
def note(demarche_id: int):
    """Add an internal note; PRG, 422 when empty."""
    caisse_id = agent_caisse_id()
    form = NoteForm()
    if not form.validate_on_submit():
        return case_page(case_or_404(demarche_id), status=422, note_form=form)
    return _act(
        demarche_id,
        lambda: service.add_note(caisse_id, demarche_id, current_user, form.note.data.strip()),
        "Note ajoutée.",
    )
