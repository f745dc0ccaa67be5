"""Work that must happen only once the current transaction has committed (enqueue a job).

A service writes its rows (an e-mail, a notification) in its transaction, registers the job that
delivers them with ``after_commit`` and ends with ``commit()``: the job is enqueued only after a
successful commit, so it never sees uncommitted data, and a rollback enqueues nothing. If the
worker dies, the row is still there for the periodic retry (outbox).

The callbacks run after ``Session.commit()`` has returned, not inside SQLAlchemy's
``after_commit`` event, where no SQL may be emitted (a job run inline in tests needs the session).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.extensions import db

_PENDING = "macaisse_after_commit_pending"
_READY = "macaisse_after_commit_ready"


def after_commit(func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Call ``func(*args, **kwargs)`` once the current transaction has committed."""
    db.session().info.setdefault(_PENDING, []).append((func, args, kwargs))


def commit() -> None:
    """Commit the current session, then run what was registered with ``after_commit``."""
    db.session.commit()
    run_ready()


def run_ready() -> None:
    """Run the callbacks of transactions already committed (also called after each request)."""
    session = db.session()
    while session.info.get(_READY):
        func, args, kwargs = session.info[_READY].pop(0)
        func(*args, **kwargs)


@sa.event.listens_for(Session, "after_commit")
def _move_to_ready(session: Session) -> None:
    pending = session.info.pop(_PENDING, [])
    if pending:
        session.info.setdefault(_READY, []).extend(pending)


@sa.event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:  # the outermost transaction rolled back
        session.info.pop(_PENDING, None)
