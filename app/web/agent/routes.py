"""The caisse's back office."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, flash, make_response, request, url_for
from flask_login import current_user

from app.extensions import db
from app.htmx import redirect, render
from app.models import Caisse, OutgoingMail, Person
from app.models.user import STAFF_ROLES
from app.rules import motifs as motif_rules
from app.security import no_store, roles_required
from app.services import caisses as caisse_service
from app.services import form_orders as form_orders_service
from app.services import letters as letters_service
from app.services import mail as mail_service
from app.services import messagerie as messagerie_service
from app.web.agent.forms import CaisseContactForm, CaisseMotifForm
from app.web.errors import render_error
from app.web.filters import PARIS, paris_datetime

bp = Blueprint("agent", __name__, url_prefix="/agent")


@bp.get("/")
@roles_required(*STAFF_ROLES)
def home():
    """The caisse's dashboard: its piles of work (messages, démarches, letters to print, form
    orders) with counts, overdue ones and the age of the oldest, the overdue piles first; and its
    reference data."""
    caisse = current_user.caisse
    assures = 0
    piles = []
    if caisse is not None:
        assures = db.session.scalar(
            sa.select(sa.func.count(Person.id)).where(
                Person.caisse_id == caisse.id, Person.ouvrant_droit_id.is_(None)
            )
        )
        piles = messagerie_service.dashboard(caisse.id)
    return no_store(
        render(
            "agent/home.html", caisse=caisse, assures=assures, piles=piles, now=messagerie_service.utcnow()
        )
    )


@bp.get("/caisses")
@roles_required("admin")
def caisses_list():
    """Every caisse with its reference contacts; admins complete what the public data lacks."""
    rows = db.session.scalars(sa.select(Caisse).order_by(Caisse.departement, Caisse.name)).all()
    return no_store(render("agent/caisses_list.html", caisses=rows))


@bp.route("/caisses/<int:caisse_id>", methods=["GET", "POST"])
@roles_required("admin")
def caisse_edit(caisse_id: int):
    """Edit a caisse's contacts (PRG), with links to its motifs; 422 with the typed values kept on
    error."""
    caisse = db.get_or_404(Caisse, caisse_id)
    form = CaisseContactForm(obj=caisse)
    if form.validate_on_submit():
        changed = caisse_service.update_contacts(caisse, current_user, form.data)
        flash(
            f"{caisse.name} : coordonnées enregistrées." if changed else "Aucune modification.",
            "success",
        )
        return redirect(url_for("agent.caisses_list"))
    status = 422 if form.errors else 200
    return no_store(
        render(
            "agent/caisse_edit.html",
            status=status,
            form=form,
            caisse=caisse,
            motifs=motif_rules.motifs(),
            overrides=caisse_service.motif_overrides(caisse),
        )
    )


@bp.route("/caisses/<int:caisse_id>/motifs/<motif_key>", methods=["GET", "POST"])
@roles_required("admin")
def caisse_motif_edit(caisse_id: int, motif_key: str):
    """Edit a caisse's own details for one motif (PRG back to the caisse); 422 with the typed
    values kept on error; 404 for an unknown caisse or motif."""
    caisse = db.get_or_404(Caisse, caisse_id)
    motif = motif_rules.motif_by_key(motif_key)
    if motif is None:
        abort(404)
    form = CaisseMotifForm(obj=caisse_service.motif_override(caisse, motif.key))
    if form.validate_on_submit():
        changed = caisse_service.update_motif(caisse, motif.key, current_user, form.data)
        flash(
            f"{caisse.name}, {motif.label} : informations enregistrées."
            if changed
            else "Aucune modification.",
            "success",
        )
        return redirect(url_for("agent.caisse_edit", caisse_id=caisse.id))
    status = 422 if form.errors else 200
    return no_store(
        render("agent/caisse_motif_edit.html", status=status, form=form, caisse=caisse, motif=motif)
    )


OUTBOX_SIZE = 200


def file_outbox_only(view: Callable) -> Callable:
    """Answer 404 when e-mail goes to SMTP or in production: the file outbox is a development aid,
    and its mails hold login codes and activation links."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_app.config.get("MAIL_URL") or current_app.config["ENV_NAME"] == "production":
            abort(404)
        return view(*args, **kwargs)

    return wrapped


@bp.get("/outbox")
@file_outbox_only
@roles_required("admin")
def outbox():
    """The last 200 e-mails of the file outbox, newest first, in one query; fragment ``content``."""
    mails = db.session.scalars(
        sa.select(OutgoingMail)
        .order_by(OutgoingMail.created_at.desc(), OutgoingMail.id.desc())
        .limit(OUTBOX_SIZE)
    ).all()
    return no_store(render("agent/outbox.html", mails=mails, status_label=mail_service.status_label))


@bp.get("/outbox/<int:mail_id>")
@file_outbox_only
@roles_required("admin")
def outbox_mail(mail_id: int):
    """One e-mail of the file outbox with its body and delivery state; fragment ``content``."""
    mail = db.get_or_404(OutgoingMail, mail_id)
    return no_store(render("agent/outbox_mail.html", mail=mail, status_label=mail_service.status_label))


def _own_caisse_id() -> int:
    """The signed-in staff member's caisse: the print queue is a caisse's, so staff without one
    (national admins) get 403."""
    if current_user.caisse_id is None:
        abort(403)
    return current_user.caisse_id


def _courriers_page(
    caisse_id: int, status: int = 200, error: str | None = None, selected: list[int] | None = None
) -> Response:
    """The queue page; every pending letter is checked unless ``selected`` says what was sent."""
    pending = letters_service.pending_letters(caisse_id, limit=letters_service.PRINT_BATCH)
    return render(
        "agent/courriers.html",
        status=status,
        pending=pending,
        total=letters_service.pending_count(caisse_id),
        sent=letters_service.sent_letters(caisse_id),
        selected={letter.id for letter in pending} if selected is None else set(selected),
        error=error,
        errors=bool(error),
        initials=letters_service.initials,
        kinds=letters_service.KIND_LABELS,
    )


@bp.get("/courriers")
@roles_required("agent", "admin")
def courriers():
    """The caisse's letters waiting to be printed and the last ones sent; ``content`` for htmx."""
    return no_store(_courriers_page(_own_caisse_id()))


@bp.get("/courriers.pdf")
@roles_required("agent", "admin")
def courriers_pdf():
    """The caisse's pending letters as one PDF to print: the batch listed on the page (``id``), or
    all of them; a French 404 page when none is left to print."""
    caisse_id = _own_caisse_id()
    # The page links to the letters it lists, so a letter queued meanwhile is not printed
    # without being among those the agent then marks as sent.
    ids = _row_ids(request.args.getlist("id")) or None
    pdf = letters_service.letters_pdf(caisse_id, ids)
    if not pdf:
        return no_store(
            render_error(
                404,
                "Aucun courrier à imprimer",
                "Tous les courriers de votre caisse ont déjà été marqués comme envoyés : il n'y a rien "
                "à imprimer pour le moment.",
            )
        )
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    day = datetime.now(PARIS).date().isoformat()
    response.headers["Content-Disposition"] = f'attachment; filename="courriers-{day}.pdf"'
    return no_store(response)


@bp.post("/courriers/envoyes")
@roles_required("agent", "admin")
def courriers_mark_sent():
    """Mark the checked letters as posted (their PDF is erased), then back to the queue (PRG);
    422 with the error summary when nothing is checked."""
    caisse_id = _own_caisse_id()
    ids = _row_ids(request.form.getlist("letter_id"))
    if not ids:
        error = "Cochez au moins un courrier mis sous enveloppe."
        return no_store(_courriers_page(caisse_id, status=422, error=error, selected=ids))
    count = letters_service.mark_sent(caisse_id, ids, current_user)
    if count == 0:
        flash("Aucun courrier marqué : ceux cochés avaient déjà été marqués comme envoyés.", "info")
    elif count == 1:
        flash("1 courrier marqué comme envoyé.", "success")
    else:
        flash(f"{count} courriers marqués comme envoyés.", "success")
    return redirect(url_for("agent.courriers"))


def _row_ids(values: list[str]) -> list[int]:
    """Database ids from a query string or form: anything not a positive 63-bit integer is dropped."""
    ids = []
    for value in values:
        if value.isdigit() and 0 < int(value) < 2**63:
            ids.append(int(value))
    return ids


# The queue's filter, in the URL: one status, or every status when absent (or not a status).
ORDER_STATUS_ARG = "statut"


def _order_status(value: str | None) -> str | None:
    return value if value in form_orders_service.STATUS_LABELS else None


@bp.get("/imprimes")
@roles_required("agent", "admin")
def form_orders():
    """The caisse's commandes d'imprimés: pending ones first, oldest first, then the others, most
    recently handled first; 50 a page, filtered by ``statut``; same queries whatever their number.
    Fragment ``content``. Raises 403 for staff without a caisse, 404 past the last page."""
    caisse_id = _own_caisse_id()
    selected = _order_status(request.args.get(ORDER_STATUS_ARG))
    page = request.args.get("page", 1, type=int) or 1
    orders = form_orders_service.queue(caisse_id, selected, page)
    if page > 1 and not orders.items:
        abort(404)
    return no_store(
        render(
            "agent/form_orders.html",
            orders=orders,
            selected_status=selected,
            pending=form_orders_service.pending_count(caisse_id),
            label_of=form_orders_service.label_of,
            status_labels=form_orders_service.STATUS_LABELS,
        )
    )


@bp.post("/imprimes/<int:order_id>/expedition")
@roles_required("agent", "admin")
def form_order_ship(order_id: int):
    """Mark one of the caisse's pending orders shipped (audited, the professional notified), then
    back to the queue with its filter (PRG); an order already shipped or cancelled is left as it
    is, with a message. Raises 404 for another caisse's order."""
    caisse_id = _own_caisse_id()
    selected = _order_status(request.form.get(ORDER_STATUS_ARG))
    try:
        order = form_orders_service.ship(caisse_id, order_id, current_user)
    except form_orders_service.OrderClosed as exc:
        closed = exc.order
        if closed.status == "expediee":
            flash(
                f"La commande n° {closed.id} a déjà été expédiée le {paris_datetime(closed.shipped_at)} : "
                "rien n'a été modifié.",
                "info",
            )
        else:
            flash(
                f"La commande n° {closed.id} a été annulée par le professionnel : ne l'envoyez pas.", "info"
            )
    else:
        if order is None:
            abort(404)
        flash(f"Commande n° {order.id} marquée comme expédiée.", "success")
    return no_store(redirect(url_for("agent.form_orders", **{ORDER_STATUS_ARG: selected})))
