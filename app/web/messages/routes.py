"""The messagerie of an assuré (``/compte/messages``) and of a professional (``/pro/messages``): one
blueprint registered twice, the space deciding who may use it. A thread goes to the writer's own
caisse; another account's thread, or its attachment, is a 404."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.extensions import limiter, login_manager
from app.htmx import redirect, render
from app.models import Demarche
from app.rules import demarches as demarche_rules
from app.rules import messagerie as rules
from app.security import no_store
from app.services import demarches as demarches_service
from app.services import messagerie as service
from app.services.demarche_kinds import divorce as divorce_kind
from app.services.documents import paris_day
from app.web.demarches.common import file_response
from app.web.messages.forms import (
    FILES_ACCEPT,
    FILES_HINT,
    CloseForm,
    NewThreadForm,
    RatingForm,
    ReplyForm,
    read_attachments,
)

bp = Blueprint("messages", __name__)

SPACES = {
    # blueprint name: (role, URL prefix, page of the space)
    "messages": ("assure", "/compte/messages", "compte.home"),
    "pro_messages": ("professionnel", "/pro/messages", "pro.home"),
}


def register(app) -> None:
    """Register the messagerie in both spaces."""
    for name, (_role, prefix, _home) in SPACES.items():
        app.register_blueprint(bp, name=name, url_prefix=prefix)


def space_user(view: Callable) -> Callable:
    """Only the role of the space (assuré in /compte, professional in /pro): 403 for another role,
    the login page when signed out."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        role = SPACES[request.blueprint or ""][0]
        if current_user.role != role:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 10_000 else 1


def _common() -> dict[str, Any]:
    audience = service.audience_of(current_user)
    return {
        "rules": rules,
        "space_home": SPACES[request.blueprint or ""][2],
        "audience": audience,
        "files_hint": FILES_HINT,
        "files_accept": FILES_ACCEPT,
    }


@bp.get("/")
@space_user
def index():
    """The user's threads, the latest activity first, answers not yet read marked; fragment
    ``content``."""
    page = service.threads_of(current_user, _page_number())
    return no_store(render("messages/index.html", page=page, **_common()))


def _own_demarche(raw: str | None) -> Demarche | None:
    if current_user.person is None or not raw or not raw.isdigit() or len(raw) > 9:
        return None
    return demarches_service.demarche_of(current_user.person, int(raw))


def _prefill(form: NewThreadForm, demarche: Demarche | None) -> None:
    """A message offered by another page: a refused démarche, the divorce alert."""
    if demarche is not None:
        label = demarche_rules.kind_label(demarche.kind)
        form.motif.data = "reclamation"
        form.sujet.data = f"Démarche n° {demarche.id} : {label}"[: rules.SUBJECT_MAX]
        decided = f" a été refusée le {paris_day(demarche.closed_at):%d/%m/%Y}" if demarche.closed_at else ""
        form.message.data = (
            f"Bonjour,\n\nMa démarche n° {demarche.id} ({label}){decided}. "
            "Je souhaite comprendre cette décision et savoir ce que je peux faire.\n\nMerci."
        )
    elif request.args.get("objet") == "divorce" and current_user.person is not None:
        person = current_user.person
        alerts = divorce_kind.alerts_for(person)
        conjoint = alerts[0].conjoint if alerts else None
        form.motif.data = divorce_kind.MESSAGE_MOTIF
        form.sujet.data = "Divorce ou séparation : les droits de mon ex-conjoint(e)"
        form.message.data = divorce_kind.prefilled_message(person, conjoint)


def _new_page(form: NewThreadForm, demarche: Demarche | None, status: int = 200):
    return no_store(
        render(
            "messages/new.html",
            status=status,
            form=form,
            demarche=demarche,
            motifs=rules.motifs_for(service.audience_of(current_user)),
            **_common(),
        )
    )


def _user_key() -> str:
    return f"user:{current_user.get_id() if current_user.is_authenticated else request.remote_addr}"


# A caisse reads every message: 20 new threads an hour is more than anyone needs, and stops a loop.
@bp.route("/nouveau", methods=["GET", "POST"])
@limiter.limit("20 per hour", key_func=_user_key, methods=["POST"])
@space_user
def new():
    """Write to the caisse: a motif (each with its help, and the démarche that does it online), a
    subject, the message and up to 3 files. PRG to the thread; 422 with everything typed kept."""
    if service.caisse_id_of(current_user) is None:
        abort(404)
    form = NewThreadForm()
    form.motif.choices = [
        SelectChoice(motif.key, motif.label) for motif in rules.motifs_for(service.audience_of(current_user))
    ]
    demarche = _own_demarche(request.values.get("demarche"))
    if request.method == "GET":
        _prefill(form, demarche)
        return _new_page(form, demarche)
    valid = form.validate_on_submit()
    files = read_attachments(form)
    if not valid or form.errors:
        if not form.motif.data or form.motif.errors:
            form.motif.errors = ["Choisissez l'objet de votre message."]
        return _new_page(form, demarche, status=422)
    thread = service.start_thread(
        current_user, form.motif.data, form.sujet.data, form.message.data, files, demarche=demarche
    )
    flash(
        "Votre message est envoyé à votre caisse. Vous serez prévenu(e) de sa réponse.",
        "success",
    )
    return redirect(url_for(".thread", thread_id=thread.id))


def _own_thread(thread_id: int):
    thread = service.thread_of(current_user, thread_id)
    if thread is None:
        abort(404)
    return thread


def _thread_page(thread, status: int = 200, **forms):
    context = {"reply_form": ReplyForm(), "close_form": CloseForm(), "rating_form": RatingForm()}
    context.update(forms)
    return no_store(
        render(
            "messages/thread.html",
            status=status,
            thread=thread,
            messages=service.visible_messages(thread),
            now=service.utcnow(),
            errors=status == 422,
            **context,
            **_common(),
        )
    )


@bp.get("/<int:thread_id>")
@space_user
def thread(thread_id: int):
    """One thread: the conversation, its files, the date the answer is due (or that it is late),
    the reply form while open, closing and rating; fragment ``content``. Opening it marks the
    caisse's answers read."""
    found = _own_thread(thread_id)
    page = _thread_page(found)
    service.mark_seen_by_user(found)
    return page


@bp.post("/<int:thread_id>/reponse")
@space_user
def reply(thread_id: int):
    found = _own_thread(thread_id)
    if not found.is_open:
        flash("Cet échange est clos : écrivez un nouveau message.", "error")
        return redirect(url_for(".thread", thread_id=found.id))
    form = ReplyForm()
    valid = form.validate_on_submit()
    files = read_attachments(form)
    if not valid or form.errors:
        return _thread_page(found, status=422, reply_form=form)
    service.reply_as_user(current_user, found.id, form.message.data, files)
    flash("Votre réponse est envoyée à votre caisse.", "success")
    return redirect(url_for(".thread", thread_id=found.id))


@bp.post("/<int:thread_id>/cloture")
@space_user
def close(thread_id: int):
    found = _own_thread(thread_id)
    form = CloseForm()
    if not found.is_open:
        return redirect(url_for(".thread", thread_id=found.id))
    if not form.validate_on_submit():
        return _thread_page(found, status=422, close_form=form)
    rating = int(form.note.data) if form.note.data else None
    service.close_by_user(current_user, found.id, rating, form.commentaire.data or "")
    flash("L'échange est clos." + (" Merci pour votre avis." if rating else ""), "success")
    return redirect(url_for(".thread", thread_id=found.id))


@bp.post("/<int:thread_id>/avis")
@space_user
def rate(thread_id: int):
    found = _own_thread(thread_id)
    if found.is_open:
        return redirect(url_for(".thread", thread_id=found.id))
    form = RatingForm()
    if not form.validate_on_submit():
        return _thread_page(found, status=422, rating_form=form)
    service.rate(current_user, found.id, int(form.note.data), form.commentaire.data or "")
    flash("Merci pour votre avis.", "success")
    return redirect(url_for(".thread", thread_id=found.id))


@bp.get("/<int:thread_id>/pieces/<int:attachment_id>")
@space_user
def attachment(thread_id: int, attachment_id: int):
    """A file of the thread, as an attachment; 404 for another account's thread or an agent's
    internal note."""
    found = _own_thread(thread_id)
    stored = service.attachment_for_user(found, attachment_id)
    if stored is None:
        abort(404)
    return file_response(stored)
