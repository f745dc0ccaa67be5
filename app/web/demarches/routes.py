"""Mes démarches (follow each request: status, estimated date, history) and Mes courriers (the
caisse's courriers and decisions, with read receipts). The forms of each démarche are in the
modules imported below, the back office in ``agent.py``."""

from __future__ import annotations

from flask import abort, flash, request, url_for
from flask_login import current_user

from app.htmx import redirect, render
from app.rules import demarches as rules
from app.security import no_store, roles_required
from app.services import demarches as service
from app.services.demarche_kinds import divorce as divorce_kind
from app.web.demarches import agent as _agent  # noqa: F401  (registers the back-office views)
from app.web.demarches import cartes as _cartes  # noqa: F401
from app.web.demarches import famille as _famille  # noqa: F401
from app.web.demarches import situation as _situation  # noqa: F401
from app.web.demarches import soins as _soins  # noqa: F401
from app.web.demarches.blueprint import bp
from app.web.demarches.common import CATALOGUE, GROUPS, file_response, read_files
from app.web.demarches.forms import FILE_LABEL_NAMES, DocumentsForm

__all__ = ["bp"]


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 10_000 else 1


@bp.get("/demarches/")
@roles_required("assure")
def index():
    """Mes démarches: the catalogue of démarches and the file's démarches, newest first; fragment
    ``content``."""
    page = service.demarches_of(current_user.person, _page_number())
    return no_store(
        render(
            "demarches/index.html",
            page=page,
            catalogue=CATALOGUE,
            groups=GROUPS,
            rules=rules,
            divorce_alerts=divorce_kind.alerts_for(current_user.person),
        )
    )


def _detail_page(demarche, form: DocumentsForm | None = None, status: int = 200):
    return no_store(
        render(
            "demarches/detail.html",
            status=status,
            demarche=demarche,
            summary=service.summary(demarche),
            events=[event for event in demarche.events if not event.internal],
            form=form or DocumentsForm(),
            file_names=FILE_LABEL_NAMES,
            ships_card=service.ships_card(demarche),
            rules=rules,
        )
    )


def _own_demarche(demarche_id: int):
    demarche = service.demarche_of(current_user.person, demarche_id)
    if demarche is None:
        abort(404)
    return demarche


@bp.get("/demarches/<int:demarche_id>")
@roles_required("assure")
def detail(demarche_id: int):
    """One démarche: what was asked, its status with the estimated date, its history, the documents
    sent and the actions open to the assuré; the decision shown here counts as read. Fragment
    ``content``; 404 outside the account's file."""
    demarche = _own_demarche(demarche_id)
    service.mark_decisions_read(demarche)
    return _detail_page(demarche)


@bp.get("/demarches/<int:demarche_id>/fichiers/<int:file_id>")
@roles_required("assure")
def file_download(demarche_id: int, file_id: int):
    """A file the assuré sent with the démarche; 404 outside the account's file."""
    demarche = _own_demarche(demarche_id)
    stored = service.file_of(demarche, file_id)
    if stored is None:
        abort(404)
    return file_response(stored)


@bp.post("/demarches/<int:demarche_id>/documents")
@roles_required("assure")
def documents_add(demarche_id: int):
    """Send the documents asked for (PRG); the page again with 422 and French messages when a file is
    refused (nothing stored)."""
    demarche = _own_demarche(demarche_id)
    form = DocumentsForm()
    valid = form.validate_on_submit()
    files = read_files(form, list(DocumentsForm.UPLOADS))
    if not valid or form.errors:
        return _detail_page(demarche, form, status=422)
    try:
        service.add_documents(current_user.person, demarche.id, current_user, files, form.message.data or "")
    except service.DemarcheClosed:
        flash("Cette démarche est close : elle n'attend plus de document.", "error")
        return redirect(url_for("demarches.detail", demarche_id=demarche.id))
    flash("Vos documents sont envoyés à votre caisse.", "success")
    return redirect(url_for("demarches.detail", demarche_id=demarche.id))


@bp.post("/demarches/<int:demarche_id>/annulation")
@roles_required("assure")
def cancel(demarche_id: int):
    """Withdraw an open démarche (PRG); a French message if it is already decided."""
    demarche = _own_demarche(demarche_id)
    try:
        service.cancel(current_user.person, demarche.id, current_user)
        flash("Votre démarche est annulée.", "success")
    except service.DemarcheClosed:
        flash("Cette démarche est déjà traitée : elle ne peut plus être annulée.", "error")
    return redirect(url_for("demarches.detail", demarche_id=demarche.id))


@bp.post("/demarches/<int:demarche_id>/reception")
@roles_required("assure")
def delivery(demarche_id: int):
    """Say the posted card arrived (PRG)."""
    demarche = _own_demarche(demarche_id)
    try:
        service.confirm_delivery(current_user.person, demarche.id, current_user)
        flash("C'est noté : votre carte est arrivée.", "success")
    except service.DemarcheClosed:
        flash("Cette carte n'est pas encore expédiée.", "error")
    return redirect(url_for("demarches.detail", demarche_id=demarche.id))


@bp.get("/courriers/")
@roles_required("assure")
def courriers():
    """Mes courriers: the courriers and decisions of the caisse, newest first, unread marked;
    fragment ``content``."""
    page = service.inbox_of(current_user.person, _page_number())
    return no_store(render("demarches/courriers.html", page=page))


@bp.get("/courriers/<int:item_id>")
@roles_required("assure")
def courrier(item_id: int):
    """One courrier, marked read the first time it is opened (read receipt); fragment ``content``;
    404 outside the account's file."""
    item = service.read_courrier(current_user.person, item_id)
    if item is None:
        abort(404)
    return no_store(render("demarches/courrier.html", item=item))
