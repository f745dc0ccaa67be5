"""Démarches: an assuré files a request, follows its status and estimated date; an agent of the
file's caisse processes it from the back-office queue.

Life of a démarche: ``deposee`` (filed) → ``en_cours`` (an agent took it) → possibly
``piece_demandee`` (a document is asked, the assuré sends it: ``en_cours`` again) → ``acceptee``
or ``refusee`` (with a reason sent to the assuré). Card kinds go on to ``expediee`` then ``livree``.
Some start in ``attente_confirmation`` (an e-mail code to give, a doctor to confirm). The assuré may
withdraw an open démarche (``annulee``). Every step is an event of the démarche's history, an audit
event of the assuré's file, and a notification to the assuré's account; a decision is also a
courrier in their inbox (``InboxItem``) whose reading is recorded and re-announced while unread.

Every function takes the owner explicitly — the assuré's person for theirs, the agent's caisse for
the back office — and finds nothing outside it: a wrong id is None (the views answer 404). Use
cases end in one commit; ``file_demarche`` and ``record_event`` only write, for a caller that has
more to do in the same transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import joinedload, lazyload, load_only, selectinload

from app.extensions import db
from app.models import Demarche, DemarcheEvent, DemarcheFile, InboxItem, Person, User
from app.models.base import utcnow
from app.models.demarches import OPEN_STATUSES
from app.rules import demarches as rules
from app.services import mail as mail_service
from app.services import notifications
from app.services.accounts import audit
from app.services.demarche_kinds import CannotAccept, handler_for, payload_of
from app.services.demarche_kinds import loaded as _loaded  # noqa: F401  (registers the kinds)
from app.services.documents import PARIS, paris_day
from app.services.transactions import commit
from app.services.uploads import CheckedFile
from app.services.urls import path_for, site_url

NOTIFICATION_KIND = "demarche"
PER_PAGE = 20
QUEUE_PER_PAGE = 50
MAX_FILES = 6
PUSH_REMINDER_AFTER = timedelta(days=1)
EMAIL_REMINDER_AFTER = timedelta(days=3)

__all__ = [
    "CannotAccept",
    "DemarcheClosed",
    "case_of",
    "demarche_of",
    "file_demarche",
]


class DemarcheClosed(Exception):
    """The démarche is not in a status that allows this action; nothing changed."""

    def __init__(self, demarche: Demarche) -> None:
        super().__init__(f"Démarche {demarche.id} : {demarche.status}")
        self.demarche = demarche


def today() -> date:
    return datetime.now(PARIS).date()


def _account_of(person_id: int) -> User | None:
    return db.session.scalar(sa.select(User).where(User.person_id == person_id))


def _actor_label(user: User | None) -> str:
    if user is None:
        return ""
    if user.role == "assure":
        return "Vous"
    if user.role == "professionnel" and user.professional is not None:
        return user.professional.display_name
    caisse = user.caisse
    return f"Conseiller, {caisse.name}" if caisse is not None else "Votre caisse"


def record_event(
    demarche: Demarche,
    kind: str,
    actor: User | None,
    *,
    status: str | None = None,
    message: str = "",
    internal: bool = False,
) -> DemarcheEvent:
    """Add a step to the history (and change the status when ``status`` is given); no commit."""
    now = utcnow()
    if status is not None:
        demarche.status = status
        if status not in OPEN_STATUSES and demarche.closed_at is None and status != "acceptee":
            demarche.closed_at = now
    demarche.updated_at = now
    event = DemarcheEvent(
        kind=kind,
        status=status,
        message=message,
        internal=internal,
        actor_user_id=actor.id if actor else None,
        actor_label=_actor_label(actor),
        at=now,
    )
    demarche.events.append(event)
    return event


def _notify(demarche: Demarche, title: str, body: str, url: str | None = None) -> None:
    account = _account_of(demarche.person_id)
    if account is None:
        return
    notifications.notify(
        account,
        NOTIFICATION_KIND,
        title,
        body,
        url or path_for("demarches.detail", demarche_id=demarche.id),
        tag=f"demarche-{demarche.id}",
    )


def _audit(action: str, demarche: Demarche, actor: User | None) -> None:
    audit(
        f"demarche_{action}",
        actor=actor,
        subject=demarche.person,
        detail=f"démarche n° {demarche.id} : {rules.kind_label(demarche.kind)}",
    )


def file_demarche(
    user: User | None,
    kind: str,
    *,
    beneficiary: Person | None = None,
    payload: dict[str, Any] | None = None,
    files: Iterable[tuple[str, CheckedFile]] = (),
    status: str = "deposee",
    professional_rpps: str | None = None,
    message: str = "",
    person: Person | None = None,
    notify: bool = True,
) -> Demarche:
    """File a démarche of ``kind`` for the file of ``person`` (default: ``user``'s own), with the
    checked files ``(label, file)``; the caller commits. ``user`` is who files it (the assuré, or a
    doctor declaring themselves médecin traitant); None for a request received on paper at the
    accueil, then ``person`` is required. Raises ``KeyError`` for an unknown kind."""
    holder = person or (user.person if user is not None else None)
    if holder is None:
        raise ValueError("Une démarche concerne le dossier d'un assuré.")
    filed_on = today()
    demarche = Demarche(
        kind=rules.KINDS[kind].key,
        status=status,
        person=holder,
        beneficiary=beneficiary,
        caisse_id=holder.caisse_id,
        user_id=user.id if user is not None else None,
        professional_rpps=professional_rpps,
        payload=json.dumps(payload or {}, ensure_ascii=False, sort_keys=True, default=str),
        due_on=rules.due_date(kind, filed_on),
    )
    db.session.add(demarche)
    for label, checked in files:
        demarche.files.append(_file_row(label, checked, user))
    record_event(demarche, "status", user, status=status, message=message)
    db.session.flush()
    _audit("filed", demarche, user)
    if notify:
        _notify(
            demarche,
            "Démarche enregistrée",
            f"{rules.kind_label(kind)} : traitement estimé le {demarche.due_on:%d/%m/%Y}.",
        )
    return demarche


def _file_row(label: str, checked: CheckedFile, user: User | None) -> DemarcheFile:
    return DemarcheFile(
        label=label,
        filename=checked.filename,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        data=checked.data,
        uploaded_by_id=user.id if user else None,
    )


def summary(demarche: Demarche) -> list[tuple[str, str]]:
    return handler_for(demarche.kind).summary(demarche)


def payload(demarche: Demarche) -> dict[str, Any]:
    return payload_of(demarche)


def ships_card(demarche: Demarche) -> bool:
    return handler_for(demarche.kind).ships_card


# ---- the assuré's side ------------------------------------------------------------------------


def demarches_of(person: Person, page: int) -> Pagination:
    """One page of the file's démarches, newest first, in two queries."""
    query = (
        sa.select(Demarche)
        .where(Demarche.person_id == person.id)
        .options(lazyload("*"), joinedload(Demarche.beneficiary).options(lazyload("*")))
        .order_by(Demarche.created_at.desc(), Demarche.id.desc())
    )
    return db.paginate(query, page=max(page, 1), per_page=PER_PAGE, error_out=False)


def open_demarches_of(person: Person, kind: str | None = None) -> list[Demarche]:
    """The file's open démarches (of ``kind``), oldest first."""
    query = sa.select(Demarche).where(Demarche.person_id == person.id, Demarche.status.in_(OPEN_STATUSES))
    if kind is not None:
        query = query.where(Demarche.kind == kind)
    return list(db.session.scalars(query.order_by(Demarche.created_at)))


def demarche_of(person: Person, demarche_id: int) -> Demarche | None:
    """The file's démarche ``demarche_id`` with its history and files, or None."""
    return db.session.scalar(
        sa.select(Demarche)
        .where(Demarche.id == demarche_id, Demarche.person_id == person.id)
        .options(selectinload(Demarche.events), selectinload(Demarche.files).defer(DemarcheFile.data))
    )


def file_of(demarche: Demarche, file_id: int) -> DemarcheFile | None:
    return db.session.scalar(
        sa.select(DemarcheFile).where(DemarcheFile.id == file_id, DemarcheFile.demarche_id == demarche.id)
    )


def add_documents(
    person: Person, demarche_id: int, user: User, files: list[tuple[str, CheckedFile]], message: str
) -> Demarche | None:
    """The assuré sends the documents asked for: back to the agent (``en_cours``); commits. None
    when the file has no such démarche; ``DemarcheClosed`` unless it is open."""
    demarche = _locked(Demarche.id == demarche_id, Demarche.person_id == person.id)
    if demarche is None:
        return None
    if demarche.status not in ("deposee", "en_cours", "piece_demandee"):
        raise DemarcheClosed(demarche)
    for label, checked in files:
        demarche.files.append(_file_row(label, checked, user))
    names = ", ".join(checked.filename for _, checked in files)
    record_event(
        demarche,
        "document_ajoute",
        user,
        status="en_cours" if demarche.status == "piece_demandee" else None,
        message=(message + ("\n" if message else "") + f"Document(s) envoyé(s) : {names}.").strip(),
    )
    _audit("document_added", demarche, user)
    commit()
    return demarche


def cancel(person: Person, demarche_id: int, user: User) -> Demarche | None:
    """The assuré withdraws an open démarche; commits. None when the file has no such démarche;
    ``DemarcheClosed`` when it is already decided."""
    demarche = _locked(Demarche.id == demarche_id, Demarche.person_id == person.id)
    if demarche is None:
        return None
    if not demarche.is_open:
        raise DemarcheClosed(demarche)
    handler_for(demarche.kind).on_cancel(demarche)
    record_event(demarche, "status", user, status="annulee")
    _audit("cancelled", demarche, user)
    commit()
    return demarche


def confirm_delivery(person: Person, demarche_id: int, user: User) -> Demarche | None:
    """The assuré says the posted card arrived; commits. ``DemarcheClosed`` unless ``expediee``."""
    demarche = _locked(Demarche.id == demarche_id, Demarche.person_id == person.id)
    if demarche is None:
        return None
    if demarche.status != "expediee":
        raise DemarcheClosed(demarche)
    handler_for(demarche.kind).on_delivered(demarche)
    record_event(demarche, "status", user, status="livree")
    demarche.closed_at = demarche.updated_at
    _audit("delivered", demarche, user)
    commit()
    return demarche


# ---- the back office -------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilter:
    kind: str | None = None
    status: str | None = None  # None: the open ones
    overdue: bool = False


def queue(caisse_id: int, wanted: QueueFilter, page: int) -> Pagination:
    """One page of the caisse's démarches, oldest first, with their assuré's name: two queries."""
    query = (
        sa.select(Demarche)
        .where(Demarche.caisse_id == caisse_id)
        .options(
            lazyload("*"),
            joinedload(Demarche.person, innerjoin=True).options(
                lazyload("*"), load_only(Person.first_name, Person.last_name)
            ),
        )
        .order_by(Demarche.created_at, Demarche.id)
    )
    query = (
        query.where(Demarche.status == wanted.status)
        if wanted.status
        else query.where(Demarche.status.in_(OPEN_STATUSES))
    )
    if wanted.kind:
        query = query.where(Demarche.kind == wanted.kind)
    if wanted.overdue:
        query = query.where(Demarche.due_on < today())
    return db.paginate(query, page=max(page, 1), per_page=QUEUE_PER_PAGE, error_out=False)


def open_counts(caisse_id: int) -> dict[str, int]:
    """How many open démarches of each kind the caisse has (one query)."""
    rows = db.session.execute(
        sa.select(Demarche.kind, sa.func.count())
        .where(Demarche.caisse_id == caisse_id, Demarche.status.in_(OPEN_STATUSES))
        .group_by(Demarche.kind)
    )
    return {kind: int(count) for kind, count in rows}


def overdue_count(caisse_id: int) -> int:
    """How many of the caisse's open démarches are past their estimated date."""
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Demarche)
            .where(
                Demarche.caisse_id == caisse_id,
                Demarche.due_on < today(),
                Demarche.status.in_(OPEN_STATUSES),
            )
        )
        or 0
    )


def case_of(caisse_id: int, demarche_id: int) -> Demarche | None:
    """The caisse's démarche ``demarche_id`` with history, files and decisions, or None."""
    return db.session.scalar(
        sa.select(Demarche)
        .where(Demarche.id == demarche_id, Demarche.caisse_id == caisse_id)
        .options(selectinload(Demarche.events), selectinload(Demarche.files).defer(DemarcheFile.data))
    )


def decisions_of(demarche: Demarche) -> list[InboxItem]:
    """The courriers sent about the démarche, with their read receipts."""
    return list(
        db.session.scalars(
            sa.select(InboxItem).where(InboxItem.demarche_id == demarche.id).order_by(InboxItem.created_at)
        )
    )


def _locked(*criteria: sa.ColumnElement[bool]) -> Demarche | None:
    # Locked on PostgreSQL: two agents (or an agent and the assuré) acting at once do not both pass.
    return db.session.scalar(
        sa.select(Demarche).where(*criteria).with_for_update().execution_options(populate_existing=True)
    )


def take(caisse_id: int, demarche_id: int, agent: User) -> Demarche | None:
    """The agent takes the démarche (``en_cours``, assigned to them); commits."""
    demarche = _locked(Demarche.id == demarche_id, Demarche.caisse_id == caisse_id)
    if demarche is None:
        return None
    if demarche.status != "deposee":
        raise DemarcheClosed(demarche)
    demarche.assigned_to_id = agent.id
    record_event(demarche, "status", agent, status="en_cours")
    _audit("taken", demarche, agent)
    _notify(
        demarche,
        "Démarche en cours de traitement",
        f"{rules.kind_label(demarche.kind)} : un conseiller la traite.",
    )
    commit()
    return demarche


def ask_document(caisse_id: int, demarche_id: int, agent: User, message: str) -> Demarche | None:
    """The agent asks the assuré for a document (``message`` says which); commits."""
    demarche = _locked(Demarche.id == demarche_id, Demarche.caisse_id == caisse_id)
    if demarche is None:
        return None
    if demarche.status not in ("deposee", "en_cours"):
        raise DemarcheClosed(demarche)
    demarche.assigned_to_id = demarche.assigned_to_id or agent.id
    record_event(demarche, "document_demande", agent, status="piece_demandee", message=message)
    _audit("document_requested", demarche, agent)
    _notify(
        demarche,
        "Votre caisse attend un document",
        f"{rules.kind_label(demarche.kind)} : ouvrez la démarche pour voir ce qui est demandé.",
    )
    commit()
    return demarche


def accept(caisse_id: int, demarche_id: int, agent: User, message: str = "") -> Demarche | None:
    """The agent accepts: the kind applies it to the register, the assuré gets the decision in their
    inbox and a notification; commits. Raises ``CannotAccept`` (nothing changed) when the kind
    cannot apply it, ``DemarcheClosed`` unless it is open and not waiting for a confirmation."""
    demarche = _locked(Demarche.id == demarche_id, Demarche.caisse_id == caisse_id)
    if demarche is None:
        return None
    if demarche.status not in ("deposee", "en_cours", "piece_demandee"):
        raise DemarcheClosed(demarche)
    effect = handler_for(demarche.kind).on_accept(demarche, agent)
    decided(demarche, agent, accepted=True, text=" ".join(part for part in (effect, message) if part))
    commit()
    return demarche


def decided(demarche: Demarche, actor: User | None, *, accepted: bool, text: str) -> InboxItem:
    """Record the decision (status, history, audit), send it to the inbox and notify; no commit.
    Also used by kinds decided elsewhere (the doctor's confirmation of a médecin traitant)."""
    label = rules.kind_label(demarche.kind)
    filed = paris_day(demarche.created_at)
    if accepted:
        body = f"Votre demande « {label} » du {filed:%d/%m/%Y} est acceptée."
    else:
        body = f"Votre demande « {label} » du {filed:%d/%m/%Y} est refusée.\n\nMotif : {text}"
    if accepted and text:
        body += f"\n\n{text}"
    if not accepted:
        demarche.reason = text
    record_event(demarche, "status", actor, status="acceptee" if accepted else "refusee", message=text)
    if accepted and demarche.closed_at is None and not handler_for(demarche.kind).ships_card:
        demarche.closed_at = demarche.updated_at
    _audit("accepted" if accepted else "rejected", demarche, actor)
    item = InboxItem(
        person_id=demarche.person_id,
        demarche=demarche,
        kind="decision",
        title=f"Décision : {label}",
        body=body,
        sender=demarche.caisse.name,
    )
    db.session.add(item)
    db.session.flush()
    _notify(
        demarche,
        "Décision de votre caisse",
        f"{label} : demande {'acceptée' if accepted else 'refusée'}.",
        path_for("demarches.courrier", item_id=item.id),
    )
    return item


def reject(caisse_id: int, demarche_id: int, agent: User, reason: str) -> Demarche | None:
    """The agent refuses with ``reason`` (sent to the assuré); commits."""
    demarche = _locked(Demarche.id == demarche_id, Demarche.caisse_id == caisse_id)
    if demarche is None:
        return None
    if not demarche.is_open:
        raise DemarcheClosed(demarche)
    handler_for(demarche.kind).on_reject(demarche, agent)
    decided(demarche, agent, accepted=False, text=reason)
    commit()
    return demarche


def mark_sent(caisse_id: int, demarche_id: int, agent: User) -> Demarche | None:
    """The agent marks the card of an accepted démarche posted; commits."""
    demarche = _locked(Demarche.id == demarche_id, Demarche.caisse_id == caisse_id)
    if demarche is None:
        return None
    handler = handler_for(demarche.kind)
    if demarche.status != "acceptee" or not handler.ships_card:
        raise DemarcheClosed(demarche)
    handler.on_sent(demarche, agent)
    record_event(demarche, "status", agent, status="expediee")
    _audit("sent", demarche, agent)
    _notify(
        demarche,
        "Votre carte est expédiée",
        f"{rules.kind_label(demarche.kind)} : la carte est partie par la poste.",
    )
    commit()
    return demarche


def add_note(caisse_id: int, demarche_id: int, agent: User, note: str) -> Demarche | None:
    """An internal note, seen by agents only; commits."""
    demarche = _locked(Demarche.id == demarche_id, Demarche.caisse_id == caisse_id)
    if demarche is None:
        return None
    record_event(demarche, "note", agent, message=note, internal=True)
    _audit("note", demarche, agent)
    commit()
    return demarche


# ---- the inbox (courriers et décisions) -------------------------------------------------------


def send_courrier(
    person: Person, title: str, body: str, sender: str, demarche: Demarche | None = None
) -> InboxItem:
    """Post a courrier (not a decision) to the assuré's inbox and notify them; no commit."""
    item = InboxItem(
        person_id=person.id, demarche=demarche, kind="courrier", title=title, body=body, sender=sender
    )
    db.session.add(item)
    db.session.flush()
    account = _account_of(person.id)
    if account is not None:
        notifications.notify(
            account,
            "document",
            "Nouveau courrier de votre caisse",
            title,
            path_for("demarches.courrier", item_id=item.id),
        )
    return item


def inbox_of(person: Person, page: int) -> Pagination:
    """One page of the assuré's courriers, newest first (two queries)."""
    query = (
        sa.select(InboxItem)
        .where(InboxItem.person_id == person.id)
        .options(lazyload("*"))
        .order_by(InboxItem.created_at.desc(), InboxItem.id.desc())
    )
    return db.paginate(query, page=max(page, 1), per_page=PER_PAGE, error_out=False)


def unread_count(person: Person) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(InboxItem)
            .where(InboxItem.person_id == person.id, InboxItem.read_at.is_(None))
        )
        or 0
    )


def read_courrier(person: Person, item_id: int) -> InboxItem | None:
    """The assuré's courrier ``item_id``, marked read (read receipt) the first time; commits then."""
    item = db.session.scalar(
        sa.select(InboxItem).where(InboxItem.id == item_id, InboxItem.person_id == person.id)
    )
    if item is not None and item.read_at is None:
        item.read_at = utcnow()
        commit()
    return item


def mark_decisions_read(demarche: Demarche) -> None:
    """The assuré opened the démarche where its decision is shown: the decision is read; commits."""
    changed = db.session.execute(
        sa.update(InboxItem)
        .where(InboxItem.demarche_id == demarche.id, InboxItem.read_at.is_(None))
        .values(read_at=utcnow())
    ).rowcount
    if changed:
        commit()


def remind_unread(now: datetime | None = None) -> int:
    """Announce again the decisions still unread: a push after a day, an e-mail after 3 days (each
    once); commits. Returns how many reminders were sent."""
    now = now or utcnow()
    sent = 0
    due_push = db.session.scalars(
        sa.select(InboxItem)
        .where(
            InboxItem.read_at.is_(None),
            InboxItem.kind == "decision",
            InboxItem.push_reminded_at.is_(None),
            InboxItem.created_at <= now - PUSH_REMINDER_AFTER,
        )
        .limit(500)
    ).all()
    for item in due_push:
        item.push_reminded_at = now
        account = _account_of(item.person_id)
        if account is not None:
            notifications.notify(
                account,
                NOTIFICATION_KIND,
                "Rappel : une décision vous attend",
                "Votre caisse vous a envoyé une décision que vous n'avez pas encore lue.",
                path_for("demarches.courrier", item_id=item.id),
                tag=f"courrier-{item.id}",
            )
            sent += 1
    due_mail = db.session.scalars(
        sa.select(InboxItem)
        .where(
            InboxItem.read_at.is_(None),
            InboxItem.kind == "decision",
            InboxItem.email_reminded_at.is_(None),
            InboxItem.created_at <= now - EMAIL_REMINDER_AFTER,
        )
        .limit(500)
    ).all()
    for item in due_mail:
        item.email_reminded_at = now
        account = _account_of(item.person_id)
        if account is not None and account.email:
            mail_service.queue_mail(
                account.email,
                "Une décision de votre caisse vous attend",
                "Bonjour,\n\nVotre caisse d'assurance maladie a déposé une décision dans votre espace, "
                "que vous n'avez pas encore lue.\n\nPour la lire, connectez-vous : "
                f"{site_url('demarches.courrier', item_id=item.id)}\n",
                kind="rappel_decision",
                user_id=account.id,
            )
            sent += 1
    commit()
    return sent


def record_consultation(demarche: Demarche, agent: User) -> None:
    """An agent opened the case: written to the assuré's audit log ("qui a consulté mon dossier");
    commits."""
    _audit("consulted", demarche, agent)
    commit()
