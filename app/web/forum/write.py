"""Forum views (write): the pseudonym, asking a question, answering (officially for agents),
voting, accepting the answer that solved it, and editing within the edit window. See blueprint.py.

Every text is checked for personal data before anything is stored: a NIR, an IBAN, an e-mail or a
phone number is a 422 with the explanation and everything typed kept."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import abort, current_app, flash, g, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from app.extensions import db, limiter
from app.htmx import redirect, render
from app.models import ForumPost, ForumThread
from app.rules import forum as rules
from app.rules.forum_privacy import explanation, findings
from app.security import login_manager, no_store
from app.services import forum_write as service
from app.services import transactions
from app.web.forum.blueprint import agent_bp, bp

__all__ = ["agent_bp", "bp"]

QUESTIONS_PER_HOUR = "5 per hour"
ANSWERS_PER_HOUR = "30 per hour"


# --- forms -------------------------------------------------------------------------------------


def _title_field() -> StringField:
    return StringField(
        "Titre de votre question",
        validators=[
            DataRequired(message="Donnez un titre à votre question."),
            Length(
                min=rules.TITLE_MIN,
                max=rules.TITLE_MAX,
                message=f"Le titre fait de {rules.TITLE_MIN} à {rules.TITLE_MAX} caractères.",
            ),
        ],
    )


def _body_field(label: str, required: str) -> TextAreaField:
    return TextAreaField(
        label,
        validators=[
            DataRequired(message=required),
            Length(
                min=rules.BODY_MIN,
                max=rules.BODY_MAX,
                message=f"Le texte fait de {rules.BODY_MIN} à {rules.BODY_MAX:_} caractères.".replace(
                    "_", " "
                ),
            ),
        ],
    )


class PseudonymForm(FlaskForm):
    pseudonyme = StringField("Votre pseudonyme")


class AskForm(FlaskForm):
    categorie = SelectField(
        "Catégorie", validators=[DataRequired(message="Choisissez une catégorie.")], validate_choice=True
    )
    titre = _title_field()
    question = _body_field("Votre question", "Écrivez votre question.")


class AnswerForm(FlaskForm):
    reponse = _body_field("Votre réponse", "Écrivez votre réponse.")


class EditThreadForm(FlaskForm):
    titre = _title_field()
    texte = _body_field("Votre question", "Écrivez votre question.")


class EditPostForm(FlaskForm):
    texte = _body_field("Votre réponse", "Écrivez votre réponse.")


def _category_choices() -> list[SelectChoice]:
    return [SelectChoice("", "Choisissez une catégorie")] + [
        SelectChoice(category.key, category.label) for category in rules.CATEGORIES
    ]


def _privacy_ok(*fields) -> bool:
    """Add the explanations of any personal data found to the fields' errors."""
    ok = True
    for field in fields:
        found = findings(field.data or "")
        if found:
            # First: the error summary shows one message a field.
            field.errors = [explanation(found), *field.errors]
            ok = False
    return ok


# --- helpers -----------------------------------------------------------------------------------


def _user_key() -> str:
    """Rate limits count per account (per address for anonymous requests, which are refused)."""
    if current_user.is_authenticated:
        return f"forum-user-{current_user.id}"
    return f"forum-ip-{request.remote_addr}"


def _published() -> bool:
    """Only what was published counts in the rate limits (a 422 or a refusal does not)."""
    return bool(g.get("forum_published"))


def writer_required(view):
    """Signed in, any role but employeur."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if current_user.role == "employeur":
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def thread_url(thread_id: int) -> str:
    if "forum.thread" in current_app.view_functions:
        return url_for("forum.thread", thread_id=thread_id)
    return f"/forum/sujet/{thread_id}"


def _safe_next(default: str) -> str:
    target = request.values.get("next", "")
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.scheme and not parts.netloc:
        return target
    return default


def _pseudonym_redirect():
    return redirect(url_for("forum.pseudonym", next=request.full_path.rstrip("?")))


def _thread_or_404(thread_id: int) -> ForumThread:
    thread = db.session.get(ForumThread, thread_id)
    if thread is None:
        abort(404)
    return thread


def _post_or_404(post_id: int) -> ForumPost:
    post = db.session.get(ForumPost, post_id)
    if post is None:
        abort(404)
    return post


def _similar_url() -> str | None:
    if "forum.similar" in current_app.view_functions:
        return url_for("forum.similar")
    return None


@bp.app_template_global("forum_can_edit")
def forum_can_edit(item) -> bool:
    return bool(current_user.is_authenticated and service.can_edit(current_user, item))


@bp.app_template_global("forum_thread_url")
def forum_thread_url(thread_id: int) -> str:
    return thread_url(thread_id)


# --- views -------------------------------------------------------------------------------------


@bp.route("/pseudonyme", methods=["GET", "POST"])
@writer_required
def pseudonym():
    """Choose (or change) the pseudonym shown on the forum instead of any name."""
    form = PseudonymForm()
    if request.method == "GET" and current_user.pseudonym:
        form.pseudonyme.data = current_user.pseudonym
    status = 200
    if form.validate_on_submit():
        error = service.pseudonym_error(current_user, form.pseudonyme.data)
        if error is None:
            service.set_pseudonym(current_user, form.pseudonyme.data)
            transactions.commit()
            flash(f"Votre pseudonyme est « {current_user.pseudonym} ».", "success")
            return redirect(_safe_next(url_for("forum.ask")))
        form.pseudonyme.errors = [error]
        status = 422
    elif request.method == "POST":
        status = 422
    return no_store(render("forum/pseudonym.html", status=status, form=form, next=_safe_next("")))


@bp.route("/nouvelle-question", methods=["GET", "POST"])
@limiter.limit(
    QUESTIONS_PER_HOUR, methods=["POST"], key_func=_user_key, deduct_when=lambda _response: _published()
)
@writer_required
def ask():
    """Ask a question: nothing is stored while it holds what looks like personal data."""
    if service.needs_pseudonym(current_user):
        return _pseudonym_redirect()
    form = AskForm()
    form.categorie.choices = _category_choices()
    if request.method == "GET" and rules.category(request.args.get("categorie")):
        form.categorie.data = request.args["categorie"]
    status = 200
    if request.method == "POST":
        valid = form.validate()
        private_ok = _privacy_ok(form.titre, form.question)
        if valid and private_ok:
            thread = service.ask(current_user, form.categorie.data, form.titre.data, form.question.data)
            transactions.commit()
            g.forum_published = True
            flash("Votre question est publiée.", "success")
            return redirect(thread_url(thread.id))
        status = 422
    return no_store(render("forum/ask.html", status=status, form=form, similar_url=_similar_url()))


@bp.post("/sujet/<int:thread_id>/reponse")
@limiter.limit(ANSWERS_PER_HOUR, key_func=_user_key, deduct_when=lambda _response: _published())
@writer_required
def answer(thread_id: int):
    thread = _thread_or_404(thread_id)
    official = service.is_official_writer(current_user)
    if not official and service.needs_pseudonym(current_user):
        return redirect(url_for("forum.pseudonym", next=thread_url(thread.id)))
    refusal = service.answer_refusal(thread)
    if refusal:
        flash(refusal, "error")
        return redirect(thread_url(thread.id))
    form = AnswerForm()
    if form.validate() & _privacy_ok(form.reponse):
        service.answer(current_user, thread, form.reponse.data, thread_url(thread.id))
        transactions.commit()
        g.forum_published = True
        flash("Votre réponse est publiée.", "success")
        return redirect(thread_url(thread.id))
    from app.web.forum.public import thread_page

    return no_store(thread_page(thread.id, status=422, answer_form=form, errors=True))


@bp.post("/reponses/<int:post_id>/vote")
@writer_required
def vote(post_id: int):
    post = _post_or_404(post_id)
    try:
        service.vote(current_user, post)
        flash("Merci, votre vote est compté.", "success")
    except service.Refused as refusal:
        flash(str(refusal), "error")
    return redirect(thread_url(post.thread_id))


@bp.post("/sujet/<int:thread_id>/accepter/<int:post_id>")
@writer_required
def accept(thread_id: int, post_id: int):
    thread = _thread_or_404(thread_id)
    post = _post_or_404(post_id)
    if post.thread_id != thread.id:
        abort(404)
    try:
        service.accept(current_user, thread, post, thread_url(thread.id))
    except PermissionError:
        abort(403)
    except service.Refused as refusal:
        flash(str(refusal), "error")
        return redirect(thread_url(thread.id))
    transactions.commit()
    flash("Vous avez retenu cette réponse : merci !", "success")
    return redirect(thread_url(thread.id))


def _edit_refused(item) -> object | None:
    refusal = service.edit_refusal(current_user, item)
    if refusal:
        flash(refusal, "error")
        return redirect(thread_url(item.id if isinstance(item, ForumThread) else item.thread_id))
    return None


@bp.route("/sujet/<int:thread_id>/modifier", methods=["GET", "POST"])
@writer_required
def edit_thread(thread_id: int):
    thread = _thread_or_404(thread_id)
    if thread.hidden_at is not None and thread.author_id != current_user.id:
        abort(404)
    refused = _edit_refused(thread)
    if refused:
        return refused
    form = EditThreadForm()
    if request.method == "GET":
        form.titre.data, form.texte.data = thread.title, thread.body_text
    status = 200
    if request.method == "POST":
        if form.validate() & _privacy_ok(form.titre, form.texte):
            service.edit_thread(current_user, thread, form.titre.data, form.texte.data)
            transactions.commit()
            flash("Votre question est modifiée.", "success")
            return redirect(thread_url(thread.id))
        status = 422
    return no_store(render("forum/edit.html", status=status, form=form, thread=thread, post=None))


@bp.route("/reponses/<int:post_id>/modifier", methods=["GET", "POST"])
@writer_required
def edit_post(post_id: int):
    post = _post_or_404(post_id)
    refused = _edit_refused(post)
    if refused:
        return refused
    form = EditPostForm()
    if request.method == "GET":
        form.texte.data = post.body_text
    status = 200
    if request.method == "POST":
        if form.validate() & _privacy_ok(form.texte):
            service.edit_post(current_user, post, form.texte.data)
            transactions.commit()
            flash("Votre réponse est modifiée.", "success")
            return redirect(thread_url(post.thread_id))
        status = 422
    return no_store(render("forum/edit.html", status=status, form=form, thread=post.thread, post=post))
