"""Reading the forum: the categories and their counts, the latest threads, a category's threads, one
thread with its answers, the full-text search with highlights and the "questions similaires".

Every function runs a fixed number of queries whatever the rows: authors' pseudonyms and the
caisses' names come in the same query as what they describe. Hidden threads never appear in lists.
The search runs over ``ForumThread.search_words`` (FTS5 on SQLite, ``to_tsvector('french', …)`` on
PostgreSQL); highlights are built from HTML-escaped text, only the ``<mark>`` tags are ours.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from markupsafe import Markup, escape

from app.extensions import db
from app.models import Caisse, ForumEdit, ForumPost, ForumThread, User
from app.models.forum import FORUM_FTS
from app.services.paging import Paged

PAGE_SIZE = 20
LATEST = 20
SIMILAR = 5
QUERY_MAX = 200
MAX_TERMS = 12
# Highlight markers: control characters (never typed in a post) turned into <mark> after escaping.
START, STOP = "\x01", "\x02"
# Words too common to say two titles are alike.
STOPWORDS = frozenset(
    [
        "avec",
        "dans",
        "des",
        "est",
        "les",
        "mais",
        "pour",
        "pas",
        "que",
        "qui",
        "quoi",
        "quel",
        "quelle",
        "quels",
        "quelles",
        "quand",
        "comment",
        "sur",
        "une",
        "sont",
        "mon",
        "mes",
        "ma",
        "ton",
        "tes",
        "votre",
        "vos",
        "notre",
        "nos",
        "leur",
        "leurs",
        "aux",
        "par",
        "plus",
        "elle",
        "ils",
        "elles",
        "nous",
        "vous",
        "faire",
        "faut",
        "peut",
        "peux",
        "dois",
        "doit",
        "bonjour",
        "merci",
    ]
)


@dataclass(frozen=True)
class ThreadRow:
    """A thread in a list, with its author's pseudonym (``None`` when the author has none)."""

    thread: ForumThread
    pseudonym: str | None
    snippet: Markup | None = None


def _paged(items: list[ThreadRow], total: int, page: int) -> Paged[ThreadRow]:
    return Paged(items, total, page, PAGE_SIZE)


@dataclass(frozen=True)
class ThreadView:
    """A thread and its answers in order; ``pseudonyms`` by author id and ``caisses`` (names) by
    caisse id, for the question and the answers."""

    thread: ForumThread
    posts: list[ForumPost]
    pseudonyms: dict[int, str | None] = field(default_factory=dict)
    caisses: dict[int, str] = field(default_factory=dict)


def _visible() -> sa.ColumnElement[bool]:
    return ForumThread.hidden_at.is_(None)


def _with_pseudonym() -> sa.Select:
    return sa.select(ForumThread, User.pseudonym).outerjoin(User, User.id == ForumThread.author_id)


def category_counts() -> dict[str, int]:
    """Visible threads per category key (one grouped query)."""
    rows = db.session.execute(
        sa.select(ForumThread.category, sa.func.count()).where(_visible()).group_by(ForumThread.category)
    )
    return {key: count for key, count in rows.all()}  # noqa: C416 (rows, not pairs)


def latest_threads(limit: int = LATEST) -> list[ThreadRow]:
    """The visible threads with the newest activity first (one query)."""
    rows = db.session.execute(
        _with_pseudonym().where(_visible()).order_by(ForumThread.last_activity_at.desc()).limit(limit)
    )
    return [ThreadRow(thread, pseudonym) for thread, pseudonym in rows]


def _page(statement: sa.Select, page: int, to_row=None) -> Paged[ThreadRow]:
    """The rows of ``page`` (two queries: count and rows); a page past the end gives the last one."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(statement.order_by(None).subquery()))
    page = min(max(page, 1), max(1, math.ceil(total / PAGE_SIZE)))
    rows = db.session.execute(statement.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    to_row = to_row or (lambda row: ThreadRow(row[0], row[1]))
    return _paged([to_row(row) for row in rows], total, page)


def category_threads(key: str, page: int = 1) -> Paged[ThreadRow]:
    """The visible threads of category ``key``, the newest activity first."""
    statement = (
        _with_pseudonym()
        .where(_visible(), ForumThread.category == key)
        .order_by(ForumThread.last_activity_at.desc(), ForumThread.id.desc())
    )
    return _page(statement, page)


def thread_view(thread_id: int) -> ThreadView | None:
    """The thread and its answers (hidden ones included: the page decides what to show), with the
    pseudonyms of their authors and the names of the caisses of official answers (two queries)."""
    row = db.session.execute(_with_pseudonym().where(ForumThread.id == thread_id)).first()
    if row is None:
        return None
    thread, pseudonym = row
    pseudonyms: dict[int, str | None] = {}
    if thread.author_id is not None:
        pseudonyms[thread.author_id] = pseudonym
    caisses: dict[int, str] = {}
    posts = []
    for post, author_pseudonym, caisse_name in db.session.execute(
        sa.select(ForumPost, User.pseudonym, Caisse.name)
        .outerjoin(User, User.id == ForumPost.author_id)
        .outerjoin(Caisse, Caisse.id == ForumPost.caisse_id)
        .where(ForumPost.thread_id == thread_id)
        .order_by(ForumPost.created_at, ForumPost.id)
    ):
        posts.append(post)
        if post.author_id is not None:
            pseudonyms[post.author_id] = author_pseudonym
        if post.caisse_id is not None:
            caisses[post.caisse_id] = caisse_name
    return ThreadView(thread, posts, pseudonyms, caisses)


def previous_versions(thread_id: int, post_id: int | None = None) -> list[ForumEdit]:
    """The versions a question (``post_id`` None) or an answer had before each edit, newest first
    (one query)."""
    query = sa.select(ForumEdit).where(ForumEdit.thread_id == thread_id)
    query = query.where(ForumEdit.post_id.is_(None) if post_id is None else ForumEdit.post_id == post_id)
    return list(db.session.scalars(query.order_by(ForumEdit.edited_at.desc(), ForumEdit.id.desc())))


# --- search ------------------------------------------------------------------------------------


def terms_of(text: str) -> list[str]:
    """The words of ``text`` (letters and digits only: no full-text syntax can slip through)."""
    return re.findall(r"[^\W_]+", text.lower())[:MAX_TERMS]


def highlighted(text: str | None) -> Markup:
    """``text`` with the markers turned into ``<mark>`` after everything else is escaped."""
    cleaned = str(escape(text or ""))
    return Markup(cleaned.replace(START, "<mark>").replace(STOP, "</mark>"))


def _fts5(terms: list[str], any_term: bool) -> str:
    return (" OR " if any_term else " ").join(f'"{term}"*' for term in terms)


def _matches(terms: list[str], text: str, any_term: bool, with_snippet: bool):
    """The ids of visible matching threads, their rank (smaller is better) and snippet, as a
    subquery with columns ``id``, ``rank`` and ``snippet``."""
    if db.engine.dialect.name == "postgresql":
        vector = sa.func.to_tsvector(sa.literal_column("'french'"), ForumThread.search_words)
        if any_term:
            query = sa.func.to_tsquery(
                sa.literal_column("'french'"), " | ".join(f"{term}:*" for term in terms)
            )
        else:
            query = sa.func.plainto_tsquery(sa.literal_column("'french'"), text)
        snippet = (
            sa.func.ts_headline(
                sa.literal_column("'french'"),
                ForumThread.search_words,
                query,
                sa.literal(f"StartSel={START}, StopSel={STOP}, MaxWords=25, MinWords=8"),
            )
            if with_snippet
            else sa.literal("")
        )
        return (
            sa.select(
                ForumThread.id.label("id"),
                (-sa.func.ts_rank(vector, query)).label("rank"),
                snippet.label("snippet"),
            )
            .where(vector.op("@@")(query))
            .subquery("hits")
        )
    snippet = f"snippet({FORUM_FTS}, 0, :start, :stop, '…', 12)" if with_snippet else "''"
    return (
        sa.text(f"SELECT rowid AS id, rank, {snippet} AS snippet FROM {FORUM_FTS} WHERE {FORUM_FTS} MATCH :q")
        .bindparams(q=_fts5(terms, any_term), **({"start": START, "stop": STOP} if with_snippet else {}))
        .columns(sa.column("id", sa.Integer), sa.column("rank", sa.Float), sa.column("snippet", sa.Text))
        .subquery("hits")
    )


def search(text: str, page: int = 1) -> Paged[ThreadRow]:
    """The visible threads holding every word of ``text`` (title, question or a visible answer),
    the best first, with a highlighted extract (two queries)."""
    terms = terms_of(text)
    if not terms:
        return _paged([], 0, 1)
    hits = _matches(terms, text, any_term=False, with_snippet=True)
    statement = (
        _with_pseudonym()
        .add_columns(hits.c.snippet)
        .join(hits, hits.c.id == ForumThread.id)
        .where(_visible())
        .order_by(hits.c.rank, ForumThread.last_activity_at.desc())
    )
    return _page(statement, page, lambda row: ThreadRow(row[0], row[1], highlighted(row[2])))


def similar(title: str, limit: int = SIMILAR) -> list[ForumThread]:
    """Up to ``limit`` visible threads sharing words with ``title`` (for the ask form; one query)."""
    terms = [term for term in terms_of(title) if len(term) > 2 and term not in STOPWORDS]
    if not terms:
        return []
    hits = _matches(terms, title, any_term=True, with_snippet=False)
    return list(
        db.session.scalars(
            sa.select(ForumThread)
            .join(hits, hits.c.id == ForumThread.id)
            .where(_visible())
            .order_by(hits.c.rank, ForumThread.last_activity_at.desc())
            .limit(limit)
        )
    )
