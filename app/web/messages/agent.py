"""The caisse's inbox (``/agent/messages``): the threads of the agent's caisse only, filtered by
motif, status, assignee and overdue answers; a thread page to answer (with the caisse's reply
templates), write internal notes, assign and close, and the writer's context on demand (each
access written to the writer's audit log). Any other caisse's id is a 404."""

from __future__ import annotations

from flask import Blueprint, abort, flash, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.htmx import is_htmx, redirect, render
from app.models.messages import THREAD_STATUSES
from app.rules import demarches as demarche_rules
from app.rules import messagerie as rules
from app.security import no_store, roles_required
from app.services import messagerie as service
from app.web.demarches.agent import agent_caisse_id
from app.web.demarches.common import file_response
from app.web.messages.forms import (
    FILES_ACCEPT,
    FILES_HINT,
    AgentNoteForm,
    AgentReplyForm,
    AssignForm,
    InboxFilterForm,
    TemplateForm,
    read_attachments,
)

bp = Blueprint("agent_messages", __name__, url_prefix="/agent/messages")

AGENT_ROLES = ("agent", "admin")
NOBODY = "personne"


def _motif_choices(empty: str) -> list[SelectChoice]:
    return [SelectChoice("", empty)] + [
        SelectChoice(
            motif.key, f"{motif.label} ({'professionnels' if motif.audience != 'assure' else 'assurés'})"
        )
        for motif in rules.motifs()
    ]


def _filter_form(colleagues) -> InboxFilterForm:
    form = InboxFilterForm(request.args)
    form.motif.choices = _motif_choices("Tous les objets")
    form.statut.choices = [SelectChoice("", "Ouverts (non clos)")] + [
        SelectChoice(status, rules.AGENT_STATUS_LABELS[status]) for status in THREAD_STATUSES
    ]
    form.attribution.choices = [
        SelectChoice("", "Tout le monde"),
        SelectChoice("moi", "Moi"),
        SelectChoice(NOBODY, "Personne"),
    ] + [SelectChoice(str(colleague.id), colleague.display_name) for colleague in colleagues]
    return form


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 10_000 else 1


@bp.get("/")
@roles_required(*AGENT_ROLES)
def inbox():
    """The caisse's threads, the answers due soonest first (overdue flagged), filtered (the URL
    keeps the filters); fragment ``results`` for htmx. A bad filter is a 422 with the filters kept."""
    caisse_id = agent_caisse_id()
    colleagues = service.colleagues(caisse_id)
    form = _filter_form(colleagues)
    context = {"form": form, "rules": rules, "now": service.utcnow()}
    if not form.validate():
        return no_store(render("messages/agent/inbox.html", status=422, page=None, **context))
    page = service.inbox(
        caisse_id,
        service.InboxFilter(
            motif=form.motif.data or None,
            status=form.statut.data or None,
            assignee=form.attribution.data or None,
            overdue=form.retard.data == "1",
        ),
        current_user,
        _page_number(),
    )
    block = "results" if request.args.get("partiel") == "1" and is_htmx() else "content"
    return no_store(render("messages/agent/inbox.html", block=block, page=page, **context))


def _case_or_404(thread_id: int):
    thread = service.case_of(agent_caisse_id(), thread_id)
    if thread is None:
        abort(404)
    return thread


def _assign_form(thread, colleagues) -> AssignForm:
    form = AssignForm()
    form.agent.choices = [SelectChoice(NOBODY, "Personne")] + [
        SelectChoice(
            str(colleague.id), colleague.display_name + (" (moi)" if colleague.id == current_user.id else "")
        )
        for colleague in colleagues
    ]
    if form.agent.data is None:
        form.agent.data = str(thread.assigned_to_id) if thread.assigned_to_id else NOBODY
    return form


def _case_page(thread, status: int = 200, **forms):
    caisse_id = agent_caisse_id()
    colleagues = service.colleagues(caisse_id)
    reply_form = forms.pop("reply_form", None) or AgentReplyForm()
    templates = service.templates_of(caisse_id)
    chosen = request.args.get("modele", "")
    if request.method == "GET" and chosen.isdigit():
        template = next((t for t in templates if t.id == int(chosen)), None)
        if template is not None:
            reply_form.message.data = template.body
    context = {
        "reply_form": reply_form,
        "note_form": AgentNoteForm(),
        "assign_form": _assign_form(thread, colleagues),
    }
    context.update(forms)
    return no_store(
        render(
            "messages/agent/thread.html",
            status=status,
            thread=thread,
            templates=templates,
            rules=rules,
            now=service.utcnow(),
            files_hint=FILES_HINT,
            files_accept=FILES_ACCEPT,
            errors=status == 422,
            **context,
        )
    )


@bp.get("/<int:thread_id>")
@roles_required(*AGENT_ROLES)
def thread(thread_id: int):
    """One thread of the caisse: the conversation with internal notes, the answer due date, the
    answer form (``?modele=`` fills it with a reply template), the note, assignment and closing
    forms; fragment ``content``. Opening it marks the user's messages read."""
    found = _case_or_404(thread_id)
    page = _case_page(found)
    service.mark_seen_by_caisse(found)
    return page


@bp.get("/<int:thread_id>/modele")
@roles_required(*AGENT_ROLES)
def template_fill(thread_id: int):
    """htmx: the answer field filled with a reply template of the caisse (fragment ``reply``); the
    plain request falls back to the thread page with ``?modele=``."""
    found = _case_or_404(thread_id)
    if not is_htmx():
        return redirect(url_for(".thread", thread_id=found.id, modele=request.args.get("modele", "")))
    return _case_page_block(found)


def _case_page_block(found):
    caisse_id = agent_caisse_id()
    form = AgentReplyForm(formdata=None)
    chosen = request.args.get("modele", "")
    template = service.template_of(caisse_id, int(chosen)) if chosen.isdigit() and len(chosen) < 10 else None
    if template is not None:
        form.message.data = template.body
    return no_store(
        render(
            "messages/agent/thread.html",
            block="reply_field",
            thread=found,
            reply_form=form,
            files_hint=FILES_HINT,
            files_accept=FILES_ACCEPT,
        )
    )


@bp.post("/<int:thread_id>/reponse")
@roles_required(*AGENT_ROLES)
def reply(thread_id: int):
    found = _case_or_404(thread_id)
    if not found.is_open:
        flash("Cet échange est clos.", "error")
        return redirect(url_for(".thread", thread_id=found.id))
    form = AgentReplyForm()
    valid = form.validate_on_submit()
    files = read_attachments(form)
    if not valid or form.errors:
        return _case_page(found, status=422, reply_form=form)
    service.reply_as_agent(agent_caisse_id(), found.id, current_user, form.message.data, files)
    flash("Réponse envoyée : l'usager est prévenu par notification et par e-mail.", "success")
    return redirect(url_for(".thread", thread_id=found.id))


@bp.post("/<int:thread_id>/note")
@roles_required(*AGENT_ROLES)
def note(thread_id: int):
    found = _case_or_404(thread_id)
    form = AgentNoteForm()
    if not form.validate_on_submit():
        return _case_page(found, status=422, note_form=form)
    service.add_note(agent_caisse_id(), found.id, current_user, form.note.data)
    flash("Note interne ajoutée.", "success")
    return redirect(url_for(".thread", thread_id=found.id))


@bp.post("/<int:thread_id>/attribution")
@roles_required(*AGENT_ROLES)
def assign(thread_id: int):
    found = _case_or_404(thread_id)
    form = _assign_form(found, service.colleagues(agent_caisse_id()))
    if not form.validate_on_submit():
        return _case_page(found, status=422, assign_form=form)
    assignee = None if form.agent.data == NOBODY else int(form.agent.data)
    service.assign(agent_caisse_id(), found.id, current_user, assignee)
    flash("Attribution enregistrée.", "success")
    return redirect(url_for(".thread", thread_id=found.id))


@bp.post("/<int:thread_id>/cloture")
@roles_required(*AGENT_ROLES)
def close(thread_id: int):
    found = _case_or_404(thread_id)
    if found.is_open:
        service.close_by_agent(agent_caisse_id(), found.id, current_user)
        flash("L'échange est clos.", "success")
    return redirect(url_for(".thread", thread_id=found.id))


@bp.get("/<int:thread_id>/contexte")
@roles_required(*AGENT_ROLES)
def context(thread_id: int):
    """The writer's rights, last payments and open démarches (fragment ``context``, or a page
    without JavaScript). Each access is written to the writer's audit log."""
    found = _case_or_404(thread_id)
    data = service.context_for(found, current_user)
    return no_store(
        render(
            "messages/agent/context.html",
            block="context",
            thread=found,
            context=data,
            kind_label=demarche_rules.kind_label,
        )
    )


@bp.get("/<int:thread_id>/pieces/<int:attachment_id>")
@roles_required(*AGENT_ROLES)
def attachment(thread_id: int, attachment_id: int):
    found = _case_or_404(thread_id)
    stored = service.attachment_for_caisse(found, attachment_id)
    if stored is None:
        abort(404)
    return file_response(stored)


# ---- reply templates ---------------------------------------------------------------------------


def _template_form(obj=None) -> TemplateForm:
    form = TemplateForm(obj=obj)
    form.motif.choices = _motif_choices("Tous les objets")
    return form


@bp.get("/modeles")
@roles_required(*AGENT_ROLES)
def templates():
    """The caisse's reply templates and a form to add one; fragment ``content``."""
    caisse_id = agent_caisse_id()
    return no_store(
        render(
            "messages/agent/templates.html",
            templates=service.templates_of(caisse_id),
            form=_template_form(),
            rules=rules,
        )
    )


def _save(template, form: TemplateForm, done: str, page: str, **context):
    caisse_id = agent_caisse_id()
    if form.validate_on_submit():
        try:
            service.save_template(
                caisse_id, current_user, template, form.titre.data, form.motif.data or "", form.texte.data
            )
        except service.DuplicateTitle:
            form.titre.errors = ["Un autre modèle de votre caisse porte déjà ce titre."]
        else:
            flash(done, "success")
            return redirect(url_for(".templates"))
    return no_store(render(page, status=422, form=form, rules=rules, reply_template=template, **context))


@bp.post("/modeles")
@roles_required(*AGENT_ROLES)
def template_create():
    return _save(
        None,
        _template_form(),
        "Modèle de réponse ajouté.",
        "messages/agent/templates.html",
        templates=service.templates_of(agent_caisse_id()),
    )


@bp.route("/modeles/<int:template_id>", methods=["GET", "POST"])
@roles_required(*AGENT_ROLES)
def template_edit(template_id: int):
    template = service.template_of(agent_caisse_id(), template_id)
    if template is None:
        abort(404)
    if request.method == "GET":
        form = _template_form()
        form.titre.data, form.motif.data, form.texte.data = template.title, template.motif, template.body
        return no_store(
            render("messages/agent/template_edit.html", form=form, reply_template=template, rules=rules)
        )
    return _save(
        template, _template_form(), "Modèle de réponse enregistré.", "messages/agent/template_edit.html"
    )


@bp.post("/modeles/<int:template_id>/suppression")
@roles_required(*AGENT_ROLES)
def template_delete(template_id: int):
    if not service.delete_template(agent_caisse_id(), template_id):
        abort(404)
    flash("Modèle de réponse supprimé.", "success")
    return redirect(url_for(".templates"))
