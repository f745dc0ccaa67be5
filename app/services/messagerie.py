"""The messagerie: an assuré or a professional writes to their caisse, the caisse's agents answer.

A thread goes to the caisse of the writer's file in the register (the assuré's, the
professional's), never one they choose. Each message of the user sets the date by which the caisse
promised to answer (``rules.messagerie.reply_due``); an answer clears it. An answer is announced by
a notification in the account, a push ("Nouveau message de votre caisse", never the content) and
an e-mail that only says a message is waiting, with a link.

Statuses: ``nouveau`` (nobody has acted), ``en_cours`` (an agent has it, or the user wrote again
after an answer), ``attente_usager`` (the caisse answered), ``clos`` (closed by either side; the
user may then rate the answer).

Every function takes its owner explicitly — the user's account, or the agent's caisse — and
finds nothing outside it: a wrong id is None and the views answer 404. Use cases end in one
commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import defer, joinedload, lazyload, load_only, selectinload

from app.extensions import db
from app.models import (
    AuditEvent,
    Demarche,
    FormOrder,
    Letter,
    Message,
    MessageAttachment,
    MessageThread,
    Payment,
    Person,
    ReplyTemplate,
    User,
)
from app.models.base import utcnow
from app.models.demarches import OPEN_STATUSES as OPEN_DEMARCHE_STATUSES
from app.models.messages import OPEN_THREAD_STATUSES, as_utc
from app.rules import messagerie as rules
from app.services import mail as mail_service
from app.services import notifications
from app.services import reclamations as reclamations_service
from app.services.accounts import audit
from app.services.documents import PARIS
from app.services.transactions import commit
from app.services.uploads import CheckedFile
from app.services.urls import path_for, site_url

NOTIFICATION_KIND = "message"
PER_PAGE = 20
INBOX_PER_PAGE = 50
CONTEXT_PAYMENTS = 5
REPLY_TITLE = "Nouveau message de votre caisse"
REPLY_BODY = "Ouvrez macaisse pour le lire."


class ThreadClosed(Exception):
    """The thread is closed: nothing can be added to it."""


class NoCaisse(Exception):
    """The account has no caisse in the register (it cannot write)."""


def audience_of(user: User) -> str:
    return "professionnel" if user.role == "professionnel" else "assure"


def caisse_id_of(user: User) -> int | None:
    """The caisse that answers this user: their file's (assuré) or their own (professional)."""
    if user.role == "assure" and user.person is not None:
        return user.person.caisse_id
    if user.role == "professionnel" and user.professional is not None:
        return user.professional.caisse_id
    return None


def _due(written_at: datetime, audience: str) -> datetime:
    config = current_app.config
    return rules.reply_due(
        written_at,
        audience,
        hours=config["MESSAGE_REPLY_HOURS"],
        working_days=config["MESSAGE_REPLY_WORKING_DAYS_PRO"],
    )


def _attachments(files: Sequence[CheckedFile]) -> list[MessageAttachment]:
    return [
        MessageAttachment(
            filename=f"piece-{number}.{checked.filename.rsplit('.', 1)[-1]}",
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            data=checked.data,
        )
        for number, checked in enumerate(files, start=1)
    ]


def _message(
    side: str,
    author: User,
    label: str,
    body: str,
    at: datetime,
    files: Sequence[CheckedFile] = (),
    *,
    internal: bool = False,
) -> Message:
    return Message(
        side=side,
        author_user_id=author.id,
        author_label=label,
        body=body.strip(),
        internal=internal,
        created_at=at,
        attachments=_attachments(files),
    )


def _agent_label(agent: User) -> str:
    caisse = agent.caisse
    return f"Conseiller, {caisse.name}" if caisse is not None else "Votre caisse"


def _user_label(user: User) -> str:
    if user.professional is not None:
        return user.professional.display_name
    if user.person is not None:
        return user.person.full_name
    return user.display_name


# ---- the user's side ---------------------------------------------------------------------------


def start_thread(
    user: User,
    motif: str,
    subject: str,
    body: str,
    files: list[CheckedFile],
    demarche: Demarche | None = None,
) -> MessageThread:
    """Open a thread with the user's caisse and its first message; commits. Raises ``NoCaisse``
    for an account without a caisse, ``ValueError`` for a motif not offered to this user."""
    caisse_id = caisse_id_of(user)
    if caisse_id is None:
        raise NoCaisse
    audience = audience_of(user)
    if rules.motif_by_key(motif) not in rules.motifs_for(audience):
        raise ValueError(f"motif {motif!r}")
    now = utcnow()
    thread = MessageThread(
        caisse_id=caisse_id,
        audience=audience,
        user_id=user.id,
        person_id=user.person_id if audience == "assure" else None,
        professional_id=user.professional_id if audience == "professionnel" else None,
        demarche_id=demarche.id if demarche is not None else None,
        motif=motif,
        subject=subject.strip()[: rules.SUBJECT_MAX],
        status="nouveau",
        created_at=now,
        last_message_at=now,
        last_user_at=now,
        user_seen_at=now,
        reply_due_at=_due(now, audience),
    )
    thread.messages.append(_message("usager", user, _user_label(user), body, now, files))
    db.session.add(thread)
    commit()
    return thread


def threads_of(user: User, page: int) -> Pagination:
    """One page of the user's threads, the latest activity first (two queries)."""
    query = (
        sa.select(MessageThread)
        .where(MessageThread.user_id == user.id)
        .options(lazyload("*"))
        .order_by(MessageThread.last_message_at.desc(), MessageThread.id.desc())
    )
    return db.paginate(query, page=max(page, 1), per_page=PER_PAGE, error_out=False)


def unread_count(user: User) -> int:
    """How many of the user's threads have an answer they have not opened."""
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(MessageThread)
            .where(
                MessageThread.user_id == user.id,
                MessageThread.last_caisse_at.is_not(None),
                sa.or_(
                    MessageThread.user_seen_at.is_(None),
                    MessageThread.user_seen_at < MessageThread.last_caisse_at,
                ),
            )
        )
        or 0
    )


def thread_of(user: User, thread_id: int) -> MessageThread | None:
    """The user's thread ``thread_id``, or None."""
    return db.session.scalar(
        sa.select(MessageThread)
        .where(MessageThread.id == thread_id, MessageThread.user_id == user.id)
        .options(joinedload(MessageThread.caisse))
    )


def visible_messages(thread: MessageThread) -> list[Message]:
    """The messages the user sees (never an agent's internal note), with their attachments' names."""
    return list(
        db.session.scalars(
            sa.select(Message)
            .where(Message.thread_id == thread.id, Message.internal.is_(False))
            .options(selectinload(Message.attachments).options(defer(MessageAttachment.data)))
            .order_by(Message.id)
        )
    )


def mark_seen_by_user(thread: MessageThread) -> None:
    """Record that the user opened the thread (read receipt of the caisse's answers); commits."""
    if thread.unread_for_user or thread.user_seen_at is None:
        thread.user_seen_at = utcnow()
        commit()


def _attachment(
    thread: MessageThread, attachment_id: int, *, include_internal: bool
) -> MessageAttachment | None:
    query = (
        sa.select(MessageAttachment)
        .join(Message)
        .where(MessageAttachment.id == attachment_id, Message.thread_id == thread.id)
    )
    if not include_internal:
        query = query.where(Message.internal.is_(False))
    return db.session.scalar(query)


def attachment_for_user(thread: MessageThread, attachment_id: int) -> MessageAttachment | None:
    return _attachment(thread, attachment_id, include_internal=False)


def reply_as_user(user: User, thread_id: int, body: str, files: list[CheckedFile]) -> MessageThread | None:
    """Add the user's message to their open thread and set a new answer date if none was owed;
    commits. None for a thread that is not theirs; raises ``ThreadClosed`` on a closed one."""
    thread = thread_of(user, thread_id)
    if thread is None:
        return None
    if not thread.is_open:
        raise ThreadClosed
    now = utcnow()
    thread.messages.append(_message("usager", user, _user_label(user), body, now, files))
    if thread.status == "attente_usager":
        thread.status = "en_cours"
    if thread.reply_due_at is None:
        thread.reply_due_at = _due(now, thread.audience)
    thread.last_message_at = thread.last_user_at = thread.user_seen_at = now
    commit()
    return thread


def close_by_user(user: User, thread_id: int, rating: int | None, comment: str) -> MessageThread | None:
    """The user closes their thread, rating the answer if they wish; commits."""
    thread = thread_of(user, thread_id)
    if thread is None:
        return None
    if not thread.is_open:
        raise ThreadClosed
    _close(thread, "usager")
    if rating is not None:
        _rate(thread, rating, comment)
    commit()
    return thread


def rate(user: User, thread_id: int, rating: int, comment: str) -> MessageThread | None:
    """Rate the answer of a closed thread (once more replaces the rating); commits."""
    thread = thread_of(user, thread_id)
    if thread is None:
        return None
    if thread.is_open:
        raise ValueError("un échange ouvert ne se note pas")
    _rate(thread, rating, comment)
    commit()
    return thread


def _close(thread: MessageThread, by: str) -> None:
    thread.status = "clos"
    thread.closed_at = utcnow()
    thread.closed_by = by
    thread.reply_due_at = None


def _rate(thread: MessageThread, rating: int, comment: str) -> None:
    if rating not in rules.RATINGS:
        raise ValueError(f"note {rating!r}")
    thread.rating = rating
    thread.rating_comment = comment.strip()[:500]
    thread.rated_at = utcnow()


# ---- the caisse's side -------------------------------------------------------------------------


@dataclass(frozen=True)
class InboxFilter:
    motif: str | None = None
    status: str | None = None  # None: the open ones
    assignee: str | None = None  # "moi", "personne" or an agent's id
    overdue: bool = False


def inbox(caisse_id: int, wanted: InboxFilter, agent: User, page: int) -> Pagination:
    """One page of the caisse's threads: the answers due soonest first (overdue at the top), then
    the latest; with the writer's and the assignee's names. Two queries whatever the rows."""
    assignee = sa.orm.aliased(User)
    query = (
        sa.select(MessageThread)
        .where(MessageThread.caisse_id == caisse_id)
        .options(
            lazyload("*"),
            joinedload(MessageThread.user).options(
                lazyload("*"), load_only(User.display_name, User.role, User.person_id, User.professional_id)
            ),
            joinedload(MessageThread.person).options(
                lazyload("*"), load_only(Person.first_name, Person.last_name)
            ),
            joinedload(MessageThread.professional).options(lazyload("*")),
            joinedload(MessageThread.assigned_to.of_type(assignee)).options(
                lazyload("*"), load_only(assignee.display_name)
            ),
        )
        .order_by(
            MessageThread.reply_due_at.is_(None),
            MessageThread.reply_due_at,
            MessageThread.last_message_at.desc(),
            MessageThread.id,
        )
    )
    query = (
        query.where(MessageThread.status == wanted.status)
        if wanted.status
        else query.where(MessageThread.status.in_(OPEN_THREAD_STATUSES))
    )
    if wanted.motif:
        query = query.where(MessageThread.motif == wanted.motif)
    if wanted.assignee == "moi":
        query = query.where(MessageThread.assigned_to_id == agent.id)
    elif wanted.assignee == "personne":
        query = query.where(MessageThread.assigned_to_id.is_(None))
    elif wanted.assignee and wanted.assignee.isdigit():
        query = query.where(MessageThread.assigned_to_id == int(wanted.assignee))
    if wanted.overdue:
        query = query.where(MessageThread.reply_due_at < utcnow())
    return db.paginate(query, page=max(page, 1), per_page=INBOX_PER_PAGE, error_out=False)


def colleagues(caisse_id: int) -> list[User]:
    """The agents of the caisse, who can be given a thread."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.caisse_id == caisse_id, User.role.in_(("agent", "admin")))
            .options(lazyload("*"))
            .order_by(User.display_name, User.id)
        )
    )


def case_of(caisse_id: int, thread_id: int) -> MessageThread | None:
    """The caisse's thread ``thread_id`` with every message (internal notes included), or None."""
    return db.session.scalar(
        sa.select(MessageThread)
        .where(MessageThread.id == thread_id, MessageThread.caisse_id == caisse_id)
        .options(
            selectinload(MessageThread.messages).options(
                selectinload(Message.attachments).options(defer(MessageAttachment.data))
            )
        )
    )


def attachment_for_caisse(thread: MessageThread, attachment_id: int) -> MessageAttachment | None:
    return _attachment(thread, attachment_id, include_internal=True)


def mark_seen_by_caisse(thread: MessageThread) -> None:
    if thread.unread_for_caisse or thread.caisse_seen_at is None:
        thread.caisse_seen_at = utcnow()
        commit()


def _locked(caisse_id: int, thread_id: int) -> MessageThread | None:
    return db.session.scalar(
        sa.select(MessageThread)
        .where(MessageThread.id == thread_id, MessageThread.caisse_id == caisse_id)
        .with_for_update()
    )


def reply_as_agent(
    caisse_id: int, thread_id: int, agent: User, body: str, files: list[CheckedFile]
) -> MessageThread | None:
    """The caisse answers: the message, the thread waiting for the user, the answer date cleared;
    the user is told in the app, by push and by e-mail (never the content). Commits."""
    thread = _locked(caisse_id, thread_id)
    if thread is None:
        return None
    if not thread.is_open:
        raise ThreadClosed
    now = utcnow()
    thread.messages.append(_message("caisse", agent, _agent_label(agent), body, now, files))
    thread.status = "attente_usager"
    thread.reply_due_at = None
    thread.last_message_at = thread.last_caisse_at = thread.caisse_seen_at = now
    if thread.assigned_to_id is None:
        thread.assigned_to_id = agent.id
    _announce_reply(thread)
    commit()
    return thread


def _thread_path(thread: MessageThread) -> str:
    prefix = "pro_messages" if thread.audience == "professionnel" else "messages"
    return path_for(f"{prefix}.thread", thread_id=thread.id)


def _announce_reply(thread: MessageThread) -> None:
    """In-app notification (pushed per the user's choice) and an e-mail without content."""
    user = db.session.get(User, thread.user_id)
    if user is None:
        return
    channel = notifications.channel_for(user, NOTIFICATION_KIND)
    notifications.notify(
        user,
        NOTIFICATION_KIND,
        REPLY_TITLE,
        REPLY_BODY,
        _thread_path(thread),
        tag=f"message-{thread.id}",
        waiting_mail=False,
    )
    if channel != "none" and user.email:
        prefix = "pro_messages" if thread.audience == "professionnel" else "messages"
        link = site_url(f"{prefix}.index")
        body = (
            "Bonjour,\n\n"
            "Votre caisse d'assurance maladie vous a répondu. Le message vous attend dans votre "
            "messagerie macaisse.\n\n"
            f"Pour le lire, connectez-vous : {link}\n\n"
            "Par sécurité, le contenu des messages n'est jamais envoyé par e-mail."
        )
        mail_service.queue_mail(user.email, "Vous avez un nouveau message", body, "message", user.id)


def add_note(caisse_id: int, thread_id: int, agent: User, note: str) -> MessageThread | None:
    """An internal note, seen by the caisse's agents only; commits."""
    thread = _locked(caisse_id, thread_id)
    if thread is None:
        return None
    thread.messages.append(_message("caisse", agent, agent.display_name, note, utcnow(), internal=True))
    commit()
    return thread


def assign(caisse_id: int, thread_id: int, agent: User, assignee_id: int | None) -> MessageThread | None:
    """Give the thread to an agent of the same caisse (or to nobody); a new thread is then "en
    cours". Raises ``ValueError`` for an assignee who is not an agent of the caisse. Commits."""
    thread = _locked(caisse_id, thread_id)
    if thread is None:
        return None
    if assignee_id is not None and assignee_id not in {colleague.id for colleague in colleagues(caisse_id)}:
        raise ValueError("assignee")
    thread.assigned_to_id = assignee_id
    if assignee_id is not None and thread.status == "nouveau":
        thread.status = "en_cours"
    commit()
    return thread


def close_by_agent(caisse_id: int, thread_id: int, agent: User) -> MessageThread | None:
    thread = _locked(caisse_id, thread_id)
    if thread is None:
        return None
    if not thread.is_open:
        raise ThreadClosed
    _close(thread, "caisse")
    commit()
    return thread


# ---- the user's context, for the agent ---------------------------------------------------------


@dataclass
class Context:
    """What an agent sees of the writer while answering: the file's members and their rights,
    the last payments, the open démarches (assuré); the last payments received (professional)."""

    members: list[Person] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    demarches: list[Demarche] = field(default_factory=list)
    today: date | None = None


def context_for(thread: MessageThread, agent: User) -> Context:
    """The writer's context; each call is written to the audit log the user sees. Commits."""
    today = datetime.now(PARIS).date()
    context = Context(today=today)
    since = today - timedelta(days=365)
    if thread.person_id is not None:
        holder = db.session.get(Person, thread.person_id)
        assert holder is not None
        context.members = list(
            db.session.scalars(
                sa.select(Person)
                .where(sa.or_(Person.id == holder.id, Person.ouvrant_droit_id == holder.id))
                .options(lazyload("*"))
                .order_by(Person.rang, Person.id)
            )
        )
        context.payments = list(
            db.session.scalars(
                sa.select(Payment)
                .where(Payment.person_id == holder.id, Payment.paid_on >= since)
                .options(lazyload("*"))
                .order_by(Payment.paid_on.desc(), Payment.id.desc())
                .limit(CONTEXT_PAYMENTS)
            )
        )
        context.demarches = list(
            db.session.scalars(
                sa.select(Demarche)
                .where(Demarche.person_id == holder.id, Demarche.status.in_(OPEN_DEMARCHE_STATUSES))
                .options(lazyload("*"))
                .order_by(Demarche.created_at)
            )
        )
        audit(
            "contexte_consulte",
            actor=agent,
            subject=holder,
            detail=(
                f"{_agent_label(agent)} : droits, paiements et démarches, "
                f"pour répondre au message n° {thread.id}"
            ),
        )
    elif thread.professional_id is not None:
        context.payments = list(
            db.session.scalars(
                sa.select(Payment)
                .where(Payment.professional_id == thread.professional_id, Payment.paid_on >= since)
                .options(lazyload("*"))
                .order_by(Payment.paid_on.desc(), Payment.id.desc())
                .limit(CONTEXT_PAYMENTS)
            )
        )
        db.session.add(
            AuditEvent(
                kind="contexte_consulte",
                actor_user_id=agent.id,
                subject_user_id=thread.user_id,
                detail=f"{_agent_label(agent)} : paiements reçus, pour répondre au message n° {thread.id}",
            )
        )
    commit()
    return context


# ---- reply templates ---------------------------------------------------------------------------


def templates_of(caisse_id: int) -> list[ReplyTemplate]:
    return list(
        db.session.scalars(
            sa.select(ReplyTemplate).where(ReplyTemplate.caisse_id == caisse_id).order_by(ReplyTemplate.title)
        )
    )


def template_of(caisse_id: int, template_id: int) -> ReplyTemplate | None:
    return db.session.scalar(
        sa.select(ReplyTemplate).where(ReplyTemplate.id == template_id, ReplyTemplate.caisse_id == caisse_id)
    )


class DuplicateTitle(Exception):
    """Another template of the caisse has this title."""


def save_template(
    caisse_id: int, agent: User, template: ReplyTemplate | None, title: str, motif: str, body: str
) -> ReplyTemplate:
    """Create (``template`` None) or update one of the caisse's templates; commits. Raises
    ``DuplicateTitle`` when another template of the caisse has this title."""
    title = title.strip()
    clash = db.session.scalar(
        sa.select(ReplyTemplate.id).where(
            ReplyTemplate.caisse_id == caisse_id,
            ReplyTemplate.title == title,
            ReplyTemplate.id != (template.id if template is not None else -1),
        )
    )
    if clash is not None:
        raise DuplicateTitle
    if template is None:
        template = ReplyTemplate(caisse_id=caisse_id)
        db.session.add(template)
    template.title = title
    template.motif = motif
    template.body = body.strip()
    template.updated_at = utcnow()
    template.updated_by_id = agent.id
    commit()
    return template


def delete_template(caisse_id: int, template_id: int) -> bool:
    template = template_of(caisse_id, template_id)
    if template is None:
        return False
    db.session.delete(template)
    commit()
    return True


# ---- the caisse's dashboard --------------------------------------------------------------------


@dataclass(frozen=True)
class Pile:
    """One pile of work of the caisse: how many, how many late, and since when the oldest waits."""

    label: str
    endpoint: str
    count: int
    overdue: int
    oldest: datetime | None
    overdue_endpoint_args: dict[str, str] = field(default_factory=dict)

    def age_days(self, now: datetime) -> int | None:
        return None if self.oldest is None else max((now - _aware(self.oldest)).days, 0)


def _aware(moment: datetime) -> datetime:
    return as_utc(moment)


def dashboard(caisse_id: int) -> list[Pile]:
    """The caisse's piles of work — messages, démarches, letters to print, form orders, réclamations — the
    ones with overdue work first. One query per pile."""
    now = utcnow()
    today = datetime.now(PARIS).date()
    messages = db.session.execute(
        sa.select(
            sa.func.count(),
            sa.func.count().filter(MessageThread.reply_due_at < now),
            sa.func.min(MessageThread.created_at),
        ).where(MessageThread.caisse_id == caisse_id, MessageThread.status.in_(OPEN_THREAD_STATUSES))
    ).one()
    demarches = db.session.execute(
        sa.select(
            sa.func.count(),
            sa.func.count().filter(Demarche.due_on < today),
            sa.func.min(Demarche.created_at),
        ).where(Demarche.caisse_id == caisse_id, Demarche.status.in_(OPEN_DEMARCHE_STATUSES))
    ).one()
    letters = db.session.execute(
        sa.select(sa.func.count(), sa.func.min(Letter.created_at)).where(
            Letter.caisse_id == caisse_id, Letter.sent_at.is_(None)
        )
    ).one()
    orders = db.session.execute(
        sa.select(sa.func.count(), sa.func.min(FormOrder.created_at)).where(
            FormOrder.caisse_id == caisse_id, FormOrder.status == "en_attente"
        )
    ).one()
    reclamations = reclamations_service.pile(caisse_id)
    from app.services import forum_moderation

    reports = forum_moderation.pile()
    piles = [
        Pile(
            "Messages à traiter",
            "agent_messages.inbox",
            messages[0],
            messages[1],
            messages[2],
            {"retard": "1"},
        ),
        Pile(
            "Démarches à traiter",
            "agent_demarches.queue",
            demarches[0],
            demarches[1],
            demarches[2],
            {"retard": "1"},
        ),
        Pile("Courriers à imprimer", "agent.courriers", letters[0], 0, letters[1]),
        Pile("Commandes d'imprimés", "agent.form_orders", orders[0], 0, orders[1]),
        Pile(
            "Réclamations de professionnels",
            "agent_reclamations.queue",
            reclamations[0],
            0,
            reclamations[1],
        ),
        Pile("Signalements du forum", "agent_forum.queue", reports[0], 0, reports[1]),
    ]
    return sorted(piles, key=lambda pile: pile.overdue == 0)
