"""Forum views (public): the forum's home, a category, a thread, the search and the "questions
similaires" fragment. Readable signed out; the pages are public, so the service worker keeps the
threads read (network first) and they open offline. See blueprint.py."""

from __future__ import annotations

from flask import abort, make_response, render_template, request
from flask_login import current_user

from app.htmx import add_vary, is_htmx, render
from app.rules import forum as rules
from app.security import no_store
from app.services import forum_read as service
from app.services.forum_moderation import is_moderator
from app.web.forum.blueprint import agent_bp, bp

__all__ = ["agent_bp", "bp", "thread_page"]


@bp.app_template_global("forum_category")
def forum_category(key: str) -> rules.Category | None:
    return rules.category(key)


def _page_number() -> int:
    number = request.args.get("page", "1")
    return int(number) if number.isdigit() and 0 < int(number) < 10_000 else 1


@bp.get("/")
def index():
    """The categories with their number of threads and the latest threads; fragment ``content``."""
    return render(
        "forum/index.html",
        categories=rules.CATEGORIES,
        counts=service.category_counts(),
        latest=service.latest_threads(),
    )


@bp.get("/categorie/<key>")
def category(key: str):
    """A category's threads, the newest activity first, paginated; fragment ``content``. 404 for an
    unknown category."""
    found = rules.category(key)
    if found is None:
        abort(404)
    return render("forum/category.html", category=found, page=service.category_threads(key, _page_number()))


def _may_see_hidden(author_id: int | None) -> bool:
    if not current_user.is_authenticated:
        return False
    return current_user.id == author_id or is_moderator(current_user)


def thread_page(thread_id: int, status: int = 200, **extra):
    """The thread page (question, answers, everyone's partials), ``extra`` passed to the template
    (e.g. ``answer_form`` with its errors). 404 for an unknown thread, and for a hidden one except
    for its author and moderators (who get it ``no-store``: it is no longer public)."""
    view = service.thread_view(thread_id)
    if view is None:
        abort(404)
    hidden = view.thread.hidden_at is not None
    if hidden and not _may_see_hidden(view.thread.author_id):
        abort(404)
    response = render(
        "forum/thread.html",
        status=status,
        thread=view.thread,
        posts=view.posts,
        pseudonyms=view.pseudonyms,
        caisses=view.caisses,
        category=rules.category(view.thread.category),
        may_see_hidden=_may_see_hidden,
        **extra,
    )
    return no_store(response) if hidden else response


@bp.get("/sujet/<int:thread_id>")
def thread(thread_id: int):
    """A thread and its answers; fragment ``content``. Public (not no-store): the service worker
    keeps it for offline reading."""
    return thread_page(thread_id)


@bp.get("/sujet/<int:thread_id>/versions")
@bp.get("/sujet/<int:thread_id>/reponses/<int:post_id>/versions")
def versions(thread_id: int, post_id: int | None = None):
    """The history of edits of a question or of one of its answers: the current text, then each
    earlier version with the time it was replaced; fragment ``content``. 404 for an unknown thread or
    answer, an answer of another thread, and what is hidden from this reader."""
    view = service.thread_view(thread_id)
    if view is None or (view.thread.hidden_at is not None and not _may_see_hidden(view.thread.author_id)):
        abort(404)
    post = None
    if post_id is not None:
        post = next((item for item in view.posts if item.id == post_id), None)
        if post is None or (post.hidden_at is not None and not _may_see_hidden(post.author_id)):
            abort(404)
    response = render(
        "forum/versions.html",
        thread=view.thread,
        post=post,
        author=view.pseudonyms.get((post or view.thread).author_id) or "Membre",
        versions=service.previous_versions(thread_id, post_id),
    )
    hidden = view.thread.hidden_at is not None or (post is not None and post.hidden_at is not None)
    return no_store(response) if hidden else response


@bp.get("/recherche")
def search():
    """Full-text search with highlights, 20 a page; fragment ``results`` for ``partiel=1``, 422 for
    a query over 200 characters."""
    query = request.args.get("q", "").strip()
    status, message, page = 200, None, None
    if len(query) > service.QUERY_MAX:
        status = 422
        message = f"Votre recherche est trop longue : {service.QUERY_MAX} caractères au plus."
    elif not service.terms_of(query):
        message = "Tapez un ou plusieurs mots à chercher dans les questions et les réponses."
    else:
        page = service.search(query, _page_number())
    block = "results" if request.args.get("partiel") == "1" and is_htmx() else "content"
    return render(
        "forum/search.html",
        block=block,
        status=status,
        query=query,
        message=message,
        page=page,
        errors=status == 422,
    )


@bp.get("/similaires")
def similar():
    """The "questions similaires" to a title being typed: always a fragment (empty without words)."""
    title = request.args.get("titre", "")[: service.QUERY_MAX]
    threads = service.similar(title)
    return add_vary(make_response(render_template("forum/_similar.html", threads=threads)))
