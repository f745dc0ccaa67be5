"""The forum: questions of assurés (threads) in categories, answers (posts) with votes, the accepted
answer, official answers of the caisses, edits kept, reports and what moderators did.

Authors appear by their pseudonym only (``User.pseudonym``). Bodies are stored as sanitised HTML
(``body_html``, nh3: paragraphs, lists, bold, links) and as plain text (``body_text``) for search.
``ForumThread.search_words`` gathers the title, the question and the visible answers: the full-text
search runs over it (FTS5 on SQLite, a French ``to_tsvector`` GIN index on PostgreSQL).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import one_of, utcnow
from app.models.caisse import Caisse

REPORT_STATUSES = ("ouvert", "traite")
MODERATION_ACTIONS = ("masquer", "restaurer", "verrouiller", "deverrouiller", "deplacer", "avertir")


class ForumThread(db.Model):
    """A question. ``hidden_at``/``hidden_reason``: hidden by a moderator (its author sees why);
    ``locked_at``: no more answers; ``accepted_post_id``: the answer the author marked as the one
    that solved it. ``answer_count`` and ``last_activity_at`` are kept by the service for the lists."""

    __tablename__ = "forum_thread"
    __table_args__ = (
        sa.Index("ix_forum_thread_category_activity", "category", "last_activity_at"),
        sa.Index("ix_forum_thread_activity", "last_activity_at"),
        sa.Index("ix_forum_thread_author_created", "author_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(sa.String(40))
    title: Mapped[str] = mapped_column(sa.String(150))
    body_html: Mapped[str] = mapped_column(sa.Text)
    body_text: Mapped[str] = mapped_column(sa.Text)
    search_words: Mapped[str] = mapped_column(sa.Text, default="")
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    last_activity_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    answer_count: Mapped[int] = mapped_column(default=0)
    # No foreign key (forum_post refers to forum_thread): answers are hidden, never deleted.
    accepted_post_id: Mapped[int | None]
    hidden_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    hidden_reason: Mapped[str] = mapped_column(sa.String(300), default="")
    locked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    locked_reason: Mapped[str] = mapped_column(sa.String(300), default="")

    posts: Mapped[list[ForumPost]] = relationship(
        back_populates="thread",
        order_by="ForumPost.id",
        cascade="all, delete-orphan",
        foreign_keys="ForumPost.thread_id",
    )


class ForumPost(db.Model):
    """An answer. ``official`` answers are written by an agent for their caisse (``caisse_id``) and
    shown as "Réponse officielle". ``score`` is the number of votes (kept by the service)."""

    __tablename__ = "forum_post"
    __table_args__ = (sa.Index("ix_forum_post_thread_created", "thread_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(sa.ForeignKey("forum_thread.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    body_html: Mapped[str] = mapped_column(sa.Text)
    body_text: Mapped[str] = mapped_column(sa.Text)
    official: Mapped[bool] = mapped_column(default=False)
    caisse_id: Mapped[int | None] = mapped_column(sa.ForeignKey("caisse.id"))
    score: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    hidden_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    hidden_reason: Mapped[str] = mapped_column(sa.String(300), default="")

    thread: Mapped[ForumThread] = relationship(back_populates="posts", foreign_keys=[thread_id])
    caisse: Mapped[Caisse | None] = relationship()


class ForumVote(db.Model):
    """One account's vote for an answer (one per account and answer)."""

    __tablename__ = "forum_vote"
    __table_args__ = (sa.UniqueConstraint("post_id", "user_id", name="uq_forum_vote_post_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("forum_post.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)


class ForumEdit(db.Model):
    """The version of a question or an answer before an edit (the history of edits)."""

    __tablename__ = "forum_edit"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("forum_thread.id", ondelete="CASCADE"), index=True
    )
    post_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("forum_post.id", ondelete="CASCADE"), index=True
    )
    editor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    previous_title: Mapped[str] = mapped_column(sa.String(150), default="")
    previous_body_html: Mapped[str] = mapped_column(sa.Text)
    edited_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)


class ForumReport(db.Model):
    """A reader's report of a question or an answer, for the moderators' queue."""

    __tablename__ = "forum_report"
    __table_args__ = (
        sa.CheckConstraint(one_of("status", REPORT_STATUSES), name="status_known"),
        sa.Index("ix_forum_report_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(sa.ForeignKey("forum_thread.id", ondelete="CASCADE"), index=True)
    post_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("forum_post.id", ondelete="CASCADE"), index=True
    )
    reporter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(sa.String(40))
    comment: Mapped[str] = mapped_column(sa.String(500), default="")
    status: Mapped[str] = mapped_column(sa.String(10), default="ouvert")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    handled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))

    thread: Mapped[ForumThread] = relationship()
    post: Mapped[ForumPost | None] = relationship()


class ForumModeration(db.Model):
    """What a moderator did to a question or an answer, and why (shown to its author)."""

    __tablename__ = "forum_moderation"
    __table_args__ = (sa.CheckConstraint(one_of("action", MODERATION_ACTIONS), name="action_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(sa.ForeignKey("forum_thread.id", ondelete="CASCADE"), index=True)
    post_id: Mapped[int | None] = mapped_column(sa.ForeignKey("forum_post.id", ondelete="CASCADE"))
    moderator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(sa.String(20))
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)


# Full-text search over ``ForumThread.search_words``: FTS5 (SQLite) or a French GIN index (PostgreSQL).
FORUM_FTS = "forum_thread_fts"
FORUM_FTS_INDEX = "ix_forum_thread_fts"


def forum_full_text_ddl(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [
            f"CREATE INDEX {FORUM_FTS_INDEX} ON forum_thread USING gin (to_tsvector('french', search_words))"
        ]
    return [
        f"CREATE VIRTUAL TABLE {FORUM_FTS} USING fts5(search_words, "
        "tokenize = 'unicode61 remove_diacritics 2')",
        f"CREATE TRIGGER {FORUM_FTS}_insert AFTER INSERT ON forum_thread BEGIN "
        f"INSERT INTO {FORUM_FTS}(rowid, search_words) VALUES (new.id, new.search_words); END",
        f"CREATE TRIGGER {FORUM_FTS}_update AFTER UPDATE OF search_words ON forum_thread BEGIN "
        f"UPDATE {FORUM_FTS} SET search_words = new.search_words WHERE rowid = old.id; END",
        f"CREATE TRIGGER {FORUM_FTS}_delete AFTER DELETE ON forum_thread BEGIN "
        f"DELETE FROM {FORUM_FTS} WHERE rowid = old.id; END",
        f"INSERT INTO {FORUM_FTS}(rowid, search_words) SELECT id, search_words FROM forum_thread",
    ]


def drop_forum_full_text_ddl(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [f"DROP INDEX IF EXISTS {FORUM_FTS_INDEX}"]
    triggers = [f"DROP TRIGGER IF EXISTS {FORUM_FTS}_{event}" for event in ("insert", "update", "delete")]
    return [*triggers, f"DROP TABLE IF EXISTS {FORUM_FTS}"]


def _create(target: sa.Table, connection: sa.Connection, **_: object) -> None:
    for statement in forum_full_text_ddl(connection.dialect.name):
        connection.exec_driver_sql(statement)


def _drop(target: sa.Table, connection: sa.Connection, **_: object) -> None:
    for statement in drop_forum_full_text_ddl(connection.dialect.name):
        connection.exec_driver_sql(statement)


sa.event.listen(ForumThread.__table__, "after_create", _create)
sa.event.listen(ForumThread.__table__, "before_drop", _drop)
