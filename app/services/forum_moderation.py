"""The forum's reports and moderation: readers report a question or an answer (one open report per
account and item); moderators see the open reports grouped by item, oldest first, open a case (the
thread with its hidden items, its reports and what moderation already did) and act on it — hide or
restore, lock or unlock, move to another category, warn the author. Every action is recorded
(``ForumModeration``, shown to the author), closes the item's open reports and notifies its author.

The callers commit (``app.services.transactions.commit``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from app.extensions import db
from app.models import ForumModeration, ForumPost, ForumReport, ForumThread, User
from app.models.base import utcnow
from app.services.forum_common import refresh_search_words
from app.services.notifications import notify
from app.services.paging import Paged

# key (the radio's value) -> the reason stored and shown
REPORT_REASONS = {
    "donnees": "Informations personnelles",
    "injures": "Propos injurieux ou discriminatoires",
    "spam": "Publicité ou spam",
    "medical": "Conseil médical dangereux",
    "hors-sujet": "Hors sujet",
    "autre": "Autre",
}
COMMENT_MAX = 500
# hidden_reason and locked_reason hold 300 characters: one limit for every motif.
MOTIF_MAX = 300
MODERATOR_ROLES = ("moderator", "admin")
PER_PAGE = 20

ACTION_LABELS = {
    "masquer": "Masqué",
    "restaurer": "Rétabli",
    "verrouiller": "Sujet verrouillé",
    "deverrouiller": "Sujet déverrouillé",
    "deplacer": "Sujet déplacé",
    "avertir": "Avertissement",
}


class AlreadyReported(Exception):
    """This account already has an open report on this item."""


def is_moderator(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.role in MODERATOR_ROLES)


def _item_clause(post_id: int | None):
    return ForumReport.post_id.is_(None) if post_id is None else ForumReport.post_id == post_id


def report(user: User, thread: ForumThread, post: ForumPost | None, reason: str, comment: str) -> ForumReport:
    """Add an open report of ``post`` (or of the question when None) by ``user``."""
    post_id = post.id if post is not None else None
    duplicate = db.session.scalar(
        sa.select(ForumReport.id).where(
            ForumReport.thread_id == thread.id,
            _item_clause(post_id),
            ForumReport.reporter_id == user.id,
            ForumReport.status == "ouvert",
        )
    )
    if duplicate is not None:
        raise AlreadyReported
    found = ForumReport(
        thread_id=thread.id,
        post_id=post_id,
        reporter_id=user.id,
        reason=reason,
        comment=(comment or "").strip()[:COMMENT_MAX],
        status="ouvert",
    )
    db.session.add(found)
    return found


# --- the queue ---------------------------------------------------------------------------------


@dataclass
class QueueItem:
    thread_id: int
    post_id: int | None
    count: int
    oldest: datetime
    thread: ForumThread | None = None
    post: ForumPost | None = None
    reasons: list[str] = field(default_factory=list)


def _paged(items: list[QueueItem], total: int, page: int) -> Paged[QueueItem]:
    return Paged(items, total, page, PER_PAGE)


def queue(page: int = 1) -> Paged[QueueItem]:
    """The reported items with open reports, the longest waiting first, with their counts and
    reasons. Four queries whatever the number of rows."""
    open_ = ForumReport.status == "ouvert"
    grouped = (
        sa.select(
            ForumReport.thread_id,
            ForumReport.post_id,
            sa.func.count().label("count"),
            sa.func.min(ForumReport.created_at).label("oldest"),
        )
        .where(open_)
        .group_by(ForumReport.thread_id, ForumReport.post_id)
    )
    total = db.session.scalar(sa.select(sa.func.count()).select_from(grouped.subquery())) or 0
    rows = db.session.execute(
        grouped.order_by(sa.text("oldest"), ForumReport.thread_id, ForumReport.post_id)
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    ).all()
    items = [QueueItem(row.thread_id, row.post_id, row.count, row.oldest) for row in rows]
    if not items:
        return _paged(items, total, page)
    thread_ids = {item.thread_id for item in items}
    post_ids = {item.post_id for item in items if item.post_id is not None}
    threads = {
        thread.id: thread
        for thread in db.session.scalars(sa.select(ForumThread).where(ForumThread.id.in_(thread_ids)))
    }
    # Always run (an empty IN too): the same number of queries whatever the rows.
    posts = {
        post.id: post for post in db.session.scalars(sa.select(ForumPost).where(ForumPost.id.in_(post_ids)))
    }
    reasons: dict[tuple[int, int | None], list[str]] = {}
    for thread_id, post_id, reason in db.session.execute(
        sa.select(ForumReport.thread_id, ForumReport.post_id, ForumReport.reason)
        .where(open_, ForumReport.thread_id.in_(thread_ids))
        .distinct()
        .order_by(ForumReport.reason)
    ):
        reasons.setdefault((thread_id, post_id), []).append(reason)
    for item in items:
        item.thread = threads.get(item.thread_id)
        item.post = posts.get(item.post_id) if item.post_id is not None else None
        item.reasons = reasons.get((item.thread_id, item.post_id), [])
    return _paged(items, total, page)


def pile() -> tuple[int, datetime | None]:
    """The open reports: how many, and since when the oldest waits (for the agents' dashboard)."""
    count, oldest = db.session.execute(
        sa.select(sa.func.count(), sa.func.min(ForumReport.created_at)).where(ForumReport.status == "ouvert")
    ).one()
    return count, oldest


# --- a case ------------------------------------------------------------------------------------


@dataclass
class Case:
    thread: ForumThread
    posts: list[ForumPost]
    authors: dict[int, User]
    reports: list[ForumReport]
    history: list[ForumModeration]
    moderators: dict[int, User]

    def pseudonym(self, user_id: int | None) -> str:
        user = self.authors.get(user_id) if user_id is not None else None
        return (user.pseudonym if user is not None else None) or "Membre"

    def reports_of(self, post_id: int | None) -> list[ForumReport]:
        return [report for report in self.reports if report.post_id == post_id]

    def open_reports_of(self, post_id: int | None) -> list[ForumReport]:
        return [report for report in self.reports_of(post_id) if report.status == "ouvert"]


def case_of(thread_id: int) -> Case | None:
    """The thread with every answer (hidden ones too), its authors, its reports (open first) and its
    moderation history (newest first), in constant queries."""
    thread = db.session.get(ForumThread, thread_id)
    if thread is None:
        return None
    posts = list(
        db.session.scalars(
            sa.select(ForumPost).where(ForumPost.thread_id == thread_id).order_by(ForumPost.id)
        )
    )
    reports = list(
        db.session.scalars(
            sa.select(ForumReport)
            .where(ForumReport.thread_id == thread_id)
            .order_by(ForumReport.status, ForumReport.created_at)
        )
    )
    history = list(
        db.session.scalars(
            sa.select(ForumModeration)
            .where(ForumModeration.thread_id == thread_id)
            .order_by(ForumModeration.created_at.desc(), ForumModeration.id.desc())
        )
    )
    user_ids = {thread.author_id, *(post.author_id for post in posts)}
    user_ids |= {report.reporter_id for report in reports}
    user_ids |= {entry.moderator_id for entry in history}
    user_ids.discard(None)
    users = (
        {user.id: user for user in db.session.scalars(sa.select(User).where(User.id.in_(user_ids)))}
        if user_ids
        else {}
    )
    return Case(thread, posts, users, reports, history, users)


# --- actions -----------------------------------------------------------------------------------


def moderate(
    moderator: User,
    thread: ForumThread,
    post: ForumPost | None,
    action: str,
    reason: str,
    url: str,
    category: str | None = None,
) -> ForumModeration:
    """Apply ``action`` to ``post`` (or to the question when None), record it, close the item's
    open reports and notify its author."""
    reason = reason.strip()
    now = utcnow()
    item = post if post is not None else thread
    if action == "masquer":
        item.hidden_at, item.hidden_reason = now, reason
    elif action == "restaurer":
        item.hidden_at, item.hidden_reason = None, ""
    elif action == "verrouiller":
        thread.locked_at, thread.locked_reason = now, reason
    elif action == "deverrouiller":
        thread.locked_at, thread.locked_reason = None, ""
    elif action == "deplacer":
        thread.category = category
    elif action != "avertir":
        raise ValueError(action)
    if action in ("masquer", "restaurer"):
        db.session.flush()
        refresh_search_words(thread)
    entry = ForumModeration(
        thread_id=thread.id,
        post_id=post.id if post is not None else None,
        moderator_id=moderator.id,
        author_id=item.author_id,
        action=action,
        reason=reason,
    )
    db.session.add(entry)
    db.session.execute(
        sa.update(ForumReport)
        .where(
            ForumReport.thread_id == thread.id,
            _item_clause(post.id if post is not None else None),
            ForumReport.status == "ouvert",
        )
        .values(status="traite", handled_at=now, handled_by_id=moderator.id)
        .execution_options(synchronize_session=False)
    )
    author = db.session.get(User, item.author_id) if item.author_id is not None else None
    if author is not None:
        notify(
            author,
            "forum",
            "Message de la modération du forum",
            "Ouvrez macaisse pour en savoir plus.",
            url=url,
        )
    return entry


# --- demo --------------------------------------------------------------------------------------

DEMO_REPORTS = (
    ("spam", "Ce message renvoie vers un site commercial."),
    ("medical", "Conseil d'arrêter un traitement sans avis médical."),
    ("hors-sujet", ""),
)


def load_reports_demo(reporter_login_nir: str) -> int:
    """A few open reports on the demo forum threads, by the assuré whose NIR is given, for the
    moderator's queue. Idempotent (nothing when any report exists); nothing without threads.
    Commits."""
    from app.models import Person

    if db.session.scalar(sa.select(ForumReport.id).limit(1)) is not None:
        return 0
    reporter = db.session.scalar(
        sa.select(User).join(Person, User.person_id == Person.id).where(Person.nir == reporter_login_nir)
    )
    threads = list(
        db.session.scalars(
            sa.select(ForumThread).where(ForumThread.hidden_at.is_(None)).order_by(ForumThread.id).limit(3)
        )
    )
    if reporter is None or not threads:
        return 0
    created = 0
    for index, (thread, (key, comment)) in enumerate(zip(threads, DEMO_REPORTS, strict=False)):
        post = None
        if index == 1:
            post = db.session.scalar(
                sa.select(ForumPost)
                .where(ForumPost.thread_id == thread.id, ForumPost.hidden_at.is_(None), ~ForumPost.official)
                .order_by(ForumPost.id)
                .limit(1)
            )
        report(reporter, thread, post, REPORT_REASONS[key], comment)
        created += 1
    db.session.commit()
    return created
