"""Forum views (moderation): reporting a question or an answer (signed-in readers), and the
moderators' queue and cases (``agent_forum``, roles moderator and admin). See blueprint.py."""

from __future__ import annotations

from flask import abort, current_app, flash, g, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from app.extensions import db, limiter
from app.htmx import redirect, render
from app.models import ForumPost, ForumThread
from app.rules import forum as rules
from app.security import login_manager, no_store, roles_required
from app.services import forum_moderation as service
from app.services import transactions
from app.web.forum.blueprint import agent_bp, bp

__all__ = ["agent_bp", "bp"]

REPORTS_PER_HOUR = "20 per hour"
NEED_MOTIF = "Indiquez le motif : il est affiché à l'auteur."
MOTIF_LENGTH = f"Le motif fait au plus {service.MOTIF_MAX} caractères."


class ReportForm(FlaskForm):
    motif = RadioField(
        "Pourquoi signalez-vous ce message ?",
        choices=[SelectChoice(key, label) for key, label in service.REPORT_REASONS.items()],
        validators=[DataRequired(message="Choisissez la raison du signalement.")],
        validate_choice=True,
    )
    commentaire = TextAreaField(
        "Précisions (facultatif)",
        validators=[
            Optional(),
            Length(max=service.COMMENT_MAX, message="Les précisions font au plus 500 caractères."),
        ],
    )


def _motif_field() -> TextAreaField:
    return TextAreaField(
        "Motif, affiché à l'auteur",
        validators=[DataRequired(message=NEED_MOTIF), Length(max=service.MOTIF_MAX, message=MOTIF_LENGTH)],
    )


class ItemForm(FlaskForm):
    action = RadioField(
        "Action", validators=[DataRequired(message="Choisissez une action.")], validate_choice=True
    )
    motif = _motif_field()


class LockForm(FlaskForm):
    motif = _motif_field()


class MoveForm(FlaskForm):
    categorie = SelectField(
        "Nouvelle catégorie",
        validators=[DataRequired(message="Choisissez une catégorie.")],
        validate_choice=True,
    )
    motif = _motif_field()


# --- helpers -----------------------------------------------------------------------------------


def thread_url(thread_id: int) -> str:
    if "forum.thread" in current_app.view_functions:
        return url_for("forum.thread", thread_id=thread_id)
    return f"/forum/sujet/{thread_id}"


def _user_key() -> str:
    if current_user.is_authenticated:
        return f"forum-report-{current_user.id}"
    return f"forum-report-ip-{request.remote_addr}"


def _reported() -> bool:
    return bool(g.get("forum_reported"))


def _item_or_404(thread_id: int, post_id: int | None) -> tuple[ForumThread, ForumPost | None]:
    thread = db.session.get(ForumThread, thread_id)
    if thread is None:
        abort(404)
    post = None
    if post_id is not None:
        post = db.session.get(ForumPost, post_id)
        if post is None or post.thread_id != thread.id:
            abort(404)
    return thread, post


@bp.app_template_global("forum_is_moderator")
def forum_is_moderator() -> bool:
    return service.is_moderator(current_user)


# --- reporting ---------------------------------------------------------------------------------


@bp.route("/signaler/<int:thread_id>", methods=["GET", "POST"], endpoint="report")
@bp.route("/signaler/<int:thread_id>/<int:post_id>", methods=["GET", "POST"], endpoint="report")
@limiter.limit(
    REPORTS_PER_HOUR, methods=["POST"], key_func=_user_key, deduct_when=lambda _response: _reported()
)
def report(thread_id: int, post_id: int | None = None):
    """Report the question (or an answer) to the moderators: a reason and optional details."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.role == "employeur":
        abort(403)
    thread, post = _item_or_404(thread_id, post_id)
    item = post if post is not None else thread
    if (thread.hidden_at is not None or item.hidden_at is not None) and not (
        service.is_moderator(current_user) or item.author_id == current_user.id
    ):
        abort(404)
    form = ReportForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                service.report(
                    current_user,
                    thread,
                    post,
                    service.REPORT_REASONS[form.motif.data],
                    form.commentaire.data or "",
                )
            except service.AlreadyReported:
                flash("Vous avez déjà signalé ce message : les modérateurs vont l'examiner.", "info")
                return redirect(thread_url(thread.id))
            transactions.commit()
            g.forum_reported = True
            flash("Merci : votre signalement est transmis aux modérateurs.", "success")
            return redirect(thread_url(thread.id))
        status = 422
    return no_store(
        render(
            "forum/report.html",
            status=status,
            form=form,
            thread=thread,
            post=post,
            back=thread_url(thread.id),
        )
    )


# --- moderation --------------------------------------------------------------------------------


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 10_000 else 1


@agent_bp.get("/")
@roles_required(*service.MODERATOR_ROLES)
def queue():
    """The reported questions and answers, the longest waiting first."""
    page = service.queue(_page_number())
    return no_store(render("forum/agent/queue.html", page=page, rules=rules))


def _item_actions(hidden: bool) -> list[SelectChoice]:
    first = (
        SelectChoice("restaurer", "Rétablir le message")
        if hidden
        else SelectChoice("masquer", "Masquer le message")
    )
    return [first, SelectChoice("avertir", "Avertir l'auteur (le message reste tel quel)")]


def _item_form(key: str, item, formdata=None) -> ItemForm:
    form = ItemForm(formdata=formdata, prefix=key)
    form.action.choices = _item_actions(item.hidden_at is not None)
    return form


def _move_form(thread: ForumThread, formdata=None) -> MoveForm:
    form = MoveForm(formdata=formdata, prefix="deplacement")
    form.categorie.choices = [SelectChoice("", "Choisissez une catégorie")] + [
        SelectChoice(category.key, category.label)
        for category in rules.CATEGORIES
        if category.key != thread.category
    ]
    return form


def _case_page(case: service.Case, status: int = 200, failed: str | None = None, failed_form=None):
    forms = {"question": _item_form("question", case.thread, formdata=None)}
    for post in case.posts:
        forms[f"reponse{post.id}"] = _item_form(f"reponse{post.id}", post, formdata=None)
    forms["verrou"] = LockForm(formdata=None, prefix="verrou")
    forms["deplacement"] = _move_form(case.thread, formdata=None)
    if failed is not None:
        forms[failed] = failed_form
    return no_store(
        render(
            "forum/agent/case.html",
            status=status,
            case=case,
            thread=case.thread,
            forms=forms,
            failed_form=failed_form,
            rules=rules,
            labels=service.ACTION_LABELS,
            public_url=thread_url(case.thread.id),
            errors=status == 422,
        )
    )


def _case_or_404(thread_id: int) -> service.Case:
    case = service.case_of(thread_id)
    if case is None:
        abort(404)
    return case


@agent_bp.get("/sujets/<int:thread_id>")
@roles_required(*service.MODERATOR_ROLES)
def case(thread_id: int):
    """The thread as moderators see it (hidden items shown and marked), its reports, its history
    and the actions."""
    return _case_page(_case_or_404(thread_id))


DONE = {
    "masquer": "Le message est masqué ; son auteur est prévenu.",
    "restaurer": "Le message est rétabli ; son auteur est prévenu.",
    "verrouiller": "Le sujet est verrouillé ; son auteur est prévenu.",
    "deverrouiller": "Le sujet est déverrouillé ; son auteur est prévenu.",
    "deplacer": "Le sujet est déplacé ; son auteur est prévenu.",
    "avertir": "L'avertissement est envoyé à l'auteur.",
}


@agent_bp.post("/sujets/<int:thread_id>/<cible>")
@roles_required(*service.MODERATOR_ROLES)
def act(thread_id: int, cible: str):
    """One moderation action: ``cible`` is ``question``, ``reponse<id>``, ``verrou`` or
    ``deplacement``. A missing motif is a 422 with the case and everything typed kept."""
    case_ = _case_or_404(thread_id)
    thread = case_.thread
    post = None
    category = None
    if cible == "question" or (cible.startswith("reponse") and cible[7:].isdigit()):
        if cible != "question":
            post = next((p for p in case_.posts if p.id == int(cible[7:])), None)
            if post is None:
                abort(404)
        form = _item_form(cible, post if post is not None else thread, formdata=request.form)
        valid = form.validate()
        action = form.action.data
    elif cible == "verrou":
        form = LockForm(prefix="verrou")
        valid = form.validate()
        action = "deverrouiller" if thread.locked_at is not None else "verrouiller"
    elif cible == "deplacement":
        form = _move_form(thread, formdata=request.form)
        valid = form.validate()
        action, category = "deplacer", form.categorie.data
    else:
        abort(404)
    if not valid:
        return _case_page(case_, status=422, failed=cible, failed_form=form)
    service.moderate(current_user, thread, post, action, form.motif.data, thread_url(thread.id), category)
    transactions.commit()
    flash(DONE[action], "success")
    return redirect(url_for("agent_forum.case", thread_id=thread.id))
