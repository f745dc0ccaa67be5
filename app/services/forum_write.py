"""Writing in the forum: pseudonyms, questions, answers (official ones for agents), votes, the
accepted answer and edits (within ``EDIT_WINDOW``, the previous version kept).

Texts are checked for personal data (``app.rules.forum_privacy``) by the views before they call
these functions; the HTML stored is always the sanitised one (``app.rules.forum_format``). The
caller commits, except where said.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import ForumEdit, ForumPost, ForumThread, ForumVote, User
from app.models.base import utcnow
from app.models.messages import as_utc
from app.rules import forum as rules
from app.rules.forum_format import normalise, to_html
from app.services import transactions
from app.services.forum_common import refresh_search_words
from app.services.notifications import notify

OFFICIAL_ROLES = ("agent", "moderator", "admin")
_PSEUDONYM = re.compile(r"^[A-Za-z0-9_-]+$")


class Refused(Exception):
    """An action the user may not do, with the French reason."""


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def pseudonym_error(user: User, value: str) -> str | None:
    """Why ``value`` cannot be ``user``'s pseudonym, or None."""
    value = (value or "").strip()
    if not value:
        return "Choisissez un pseudonyme."
    if not rules.PSEUDONYM_MIN <= len(value) <= rules.PSEUDONYM_MAX:
        return (
            f"Le pseudonyme fait de {rules.PSEUDONYM_MIN} à {rules.PSEUDONYM_MAX} caractères "
            f"(vous en avez saisi {len(value)})."
        )
    if not _PSEUDONYM.match(value):
        return (
            "Le pseudonyme ne contient que des lettres sans accent, des chiffres, "
            "des tirets (-) et des tirets bas (_)."
        )
    person = user.person
    if person is not None:
        folded = _fold(value)
        for name in (person.first_name, person.last_name):
            for part in re.split(r"[\s'-]+", _fold(name)):
                if len(part) >= 3 and part in folded:
                    return (
                        "Le pseudonyme ne doit pas contenir votre prénom ni votre nom : le forum est public."
                    )
    taken = db.session.scalar(
        sa.select(User.id).where(sa.func.lower(User.pseudonym) == value.lower(), User.id != user.id)
    )
    if taken is not None:
        return "Ce pseudonyme est déjà pris : choisissez-en un autre."
    return None


def set_pseudonym(user: User, value: str) -> None:
    user.pseudonym = value.strip()


def is_official_writer(user: User) -> bool:
    return user.role in OFFICIAL_ROLES and user.caisse_id is not None


def needs_pseudonym(user: User) -> bool:
    """Posting needs a pseudonym, except an agent's official answers."""
    return not user.pseudonym


def ask(user: User, category: str, title: str, text: str) -> ForumThread:
    """A new question (the caller commits)."""
    now = utcnow()
    thread = ForumThread(
        category=category,
        title=title.strip(),
        body_html=to_html(text),
        body_text=normalise(text),
        author_id=user.id,
        created_at=now,
        last_activity_at=now,
    )
    db.session.add(thread)
    db.session.flush()
    refresh_search_words(thread)
    return thread


def answer_refusal(thread: ForumThread) -> str | None:
    if thread.hidden_at is not None:
        return "Cette question a été masquée par la modération : on ne peut plus y répondre."
    if thread.locked_at is not None:
        return "Cette question est verrouillée : on ne peut plus y répondre."
    return None


def answer(user: User, thread: ForumThread, text: str, thread_url: str) -> ForumPost:
    """An answer; an agent's is official, for their caisse. The question's author is notified
    (unless they answered themselves). The caller commits."""
    refusal = answer_refusal(thread)
    if refusal:
        raise Refused(refusal)
    official = is_official_writer(user)
    now = utcnow()
    post = ForumPost(
        thread_id=thread.id,
        author_id=user.id,
        body_html=to_html(text),
        body_text=normalise(text),
        official=official,
        caisse_id=user.caisse_id if official else None,
        created_at=now,
    )
    db.session.add(post)
    db.session.flush()
    thread.answer_count = db.session.scalar(
        sa.select(sa.func.count(ForumPost.id)).where(
            ForumPost.thread_id == thread.id, ForumPost.hidden_at.is_(None)
        )
    )
    thread.last_activity_at = now
    refresh_search_words(thread)
    author = db.session.get(User, thread.author_id) if thread.author_id else None
    if author is not None and author.id != user.id:
        notify(
            author, "forum", "Nouvelle réponse à votre question", "Ouvrez macaisse pour la lire.", thread_url
        )
    return post


def vote(user: User, post: ForumPost) -> None:
    """One vote per account and answer, never for one's own; commits."""
    if post.author_id == user.id:
        raise Refused("Vous ne pouvez pas voter pour votre propre réponse.")
    if post.hidden_at is not None:
        raise Refused("Cette réponse a été masquée par la modération.")
    already = db.session.scalar(
        sa.select(ForumVote.id).where(ForumVote.post_id == post.id, ForumVote.user_id == user.id)
    )
    if already is not None:
        raise Refused("Vous avez déjà voté.")
    db.session.add(ForumVote(post_id=post.id, user_id=user.id))
    post.score = ForumPost.score + 1
    try:
        transactions.commit()
    except IntegrityError as error:  # two clicks at once: the unique constraint decides
        db.session.rollback()
        raise Refused("Vous avez déjà voté.") from error


def accept(user: User, thread: ForumThread, post: ForumPost, thread_url: str) -> None:
    """The question's author marks the answer that solved it; its author is notified."""
    if thread.author_id != user.id:
        raise PermissionError
    if post.thread_id != thread.id or post.hidden_at is not None:
        raise Refused("Cette réponse n'existe pas ou a été masquée.")
    thread.accepted_post_id = post.id
    author = db.session.get(User, post.author_id) if post.author_id else None
    if author is not None and author.id != user.id:
        notify(author, "forum", "Votre réponse a été retenue", "Ouvrez macaisse pour la voir.", thread_url)


def edit_refusal(user: User, item: ForumThread | ForumPost, now: datetime | None = None) -> str | None:
    """Why ``user`` may not edit the question or answer now, or None."""
    if item.author_id != user.id:
        return "Seul l'auteur peut modifier ce message."
    if item.hidden_at is not None:
        return "Ce message a été masqué par la modération : il ne peut plus être modifié."
    if (now or utcnow()) - as_utc(item.created_at) > rules.EDIT_WINDOW:
        minutes = int(rules.EDIT_WINDOW.total_seconds() // 60)
        return f"Un message ne peut être modifié que dans les {minutes} minutes qui suivent sa publication."
    return None


def can_edit(user: User, item: ForumThread | ForumPost) -> bool:
    return user.is_authenticated and edit_refusal(user, item) is None


def edit_thread(user: User, thread: ForumThread, title: str, text: str) -> None:
    refusal = edit_refusal(user, thread)
    if refusal:
        raise Refused(refusal)
    db.session.add(
        ForumEdit(
            thread_id=thread.id,
            editor_id=user.id,
            previous_title=thread.title,
            previous_body_html=thread.body_html,
        )
    )
    thread.title = title.strip()
    thread.body_html = to_html(text)
    thread.body_text = normalise(text)
    thread.edited_at = utcnow()
    refresh_search_words(thread)


def edit_post(user: User, post: ForumPost, text: str) -> None:
    refusal = edit_refusal(user, post)
    if refusal:
        raise Refused(refusal)
    db.session.add(
        ForumEdit(
            thread_id=post.thread_id, post_id=post.id, editor_id=user.id, previous_body_html=post.body_html
        )
    )
    post.body_html = to_html(text)
    post.body_text = normalise(text)
    post.edited_at = utcnow()
    db.session.flush()
    refresh_search_words(post.thread)
