"""What the forum's services share: the words the full-text search reads for a thread."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import ForumPost, ForumThread


def refresh_search_words(thread: ForumThread) -> None:
    """Set ``thread.search_words`` from its title, its question and its visible answers (the
    caller commits; the FTS5 triggers or the GIN index follow)."""
    answers = db.session.scalars(
        sa.select(ForumPost.body_text)
        .where(ForumPost.thread_id == thread.id, ForumPost.hidden_at.is_(None))
        .order_by(ForumPost.id)
    ).all()
    thread.search_words = "\n".join([thread.title, thread.body_text, *answers])
