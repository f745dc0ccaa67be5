"""A patient's consent to show a professional the care refunded over the last 12 months.

Two ways, both ending with a ``HistoryConsent`` granted for one hour to one professional:

- by code: the patient (or the holder of the file, for a minor child) makes in their account a
  6-digit code for one professional (RPPS), valid 10 minutes; the professional types it. The code
  is kept as a keyed hash bound to the patient and the professional (``identity.token_hash``), so
  it is worth nothing to anyone else. After ``MAX_WRONG_CODES`` wrong codes typed by the
  professional for the patient, the pending codes expire (the wrong tries are audit events: there
  is no counter column).
- by push: the professional asks, the patient's account (the holder's, for a minor child) gets a
  notification and approves or refuses in "Autoriser un professionnel".

Consent given or refused, codes made, requests sent and every view of the history go to the
patient's audit log.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import AuditEvent, HistoryConsent, Person, User
from app.models.base import utcnow
from app.models.care import Claim, ClaimLine, Professional
from app.models.messages import as_utc
from app.services.accounts import audit
from app.services.demarches import today
from app.services.documents import file_members
from app.services.identity import token_hash
from app.services.notifications import notify
from app.services.transactions import commit
from app.services.urls import path_for

CODE_LIFETIME = timedelta(minutes=10)
ACCESS_LIFETIME = timedelta(hours=1)
MAX_WRONG_CODES = 5
HISTORY_MONTHS = 12
MAJORITY = 18
CODE_DIGITS = 6

CODE_MADE = "historique_code_cree"
WRONG_CODE = "historique_code_errone"
REQUESTED = "historique_demande"
GRANTED = "historique_autorise"
REFUSED = "historique_refuse"
WITHDRAWN = "historique_retire"
VIEWED = "historique_consulte"

STATUS_LABELS = {
    "en_attente": "En attente",
    "accordee": "Accordée",
    "refusee": "Refusée",
    "expiree": "Expirée",
    "retiree": "Retirée",
}
METHOD_LABELS = {"code": "Code", "push": "Demande sur votre téléphone"}


class ConsentRefused(Exception):
    """The consent cannot be given or used; the message is French, for the user."""


def is_minor(person: Person, on: date | None = None) -> bool:
    day = on or today()
    birthday_passed = (day.month, day.day) >= (person.birth_date.month, person.birth_date.day)
    return day.year - person.birth_date.year - (0 if birthday_passed else 1) < MAJORITY


def consentable_members(person: Person) -> list[Person]:
    """Who the holder of a file consents for: themself and the minor children of the file."""
    return [person] + [
        member for member in file_members(person)[1:] if member.lien == "enfant" and is_minor(member)
    ]


def professional_by_rpps(rpps: str) -> Professional | None:
    return db.session.scalar(sa.select(Professional).where(Professional.rpps == rpps))


def _code_hash(person_id: int, professional_id: int, code: str) -> str:
    return token_hash(f"historique:{person_id}:{professional_id}:{code}")


def _now() -> datetime:
    return utcnow()


def effective_status(consent: HistoryConsent, now: datetime | None = None) -> str:
    """The status as it stands now: a pending consent past its time is expired, and so is a granted
    one whose hour is over."""
    moment = now or _now()
    if consent.status == "en_attente" and as_utc(consent.expires_at) <= moment:
        return "expiree"
    if consent.status == "accordee" and (
        consent.access_until is None or as_utc(consent.access_until) <= moment
    ):
        return "expiree"
    return consent.status


def create_code(user: User, person: Person, professional: Professional) -> str:
    """A new 6-digit code by which ``person`` (the user or a minor child of their file) lets
    ``professional`` see the history; returned once, only its hash is kept. Commits."""
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    db.session.add(
        HistoryConsent(
            person_id=person.id,
            professional_id=professional.id,
            user_id=user.id,
            method="code",
            status="en_attente",
            code_hash=_code_hash(person.id, professional.id, code),
            expires_at=_now() + CODE_LIFETIME,
        )
    )
    audit(
        CODE_MADE,
        actor=user,
        subject=person,
        detail=f"Code d'accord créé pour {professional.display_name}, valable 10 minutes",
    )
    commit()
    return code


def _grant(consent: HistoryConsent, now: datetime) -> None:
    consent.status = "accordee"
    consent.decided_at = now
    consent.access_until = now + ACCESS_LIFETIME


def use_code(actor: User, professional: Professional, person: Person, typed: str) -> HistoryConsent:
    """Check the code typed by ``professional`` for ``person``: the matching pending code consent is
    granted for an hour. Raises ``ConsentRefused`` (wrong, expired or used up); commits either way
    (a wrong code is recorded, and the fifth one expires the pending codes)."""
    now = _now()
    code = "".join(ch for ch in typed or "" if ch.isdigit())
    pending = db.session.scalars(
        _between(professional, person, HistoryConsent.status == "en_attente", HistoryConsent.method == "code")
    ).all()
    digest = _code_hash(person.id, professional.id, code)
    live = [consent for consent in pending if as_utc(consent.expires_at) > now]
    for consent in pending:
        if consent not in live:
            consent.status = "expiree"
    match = next((c for c in live if hmac.compare_digest(c.code_hash or "", digest)), None)
    if match is not None:
        _grant(match, now)
        audit(
            GRANTED,
            actor=actor,
            subject=person,
            detail=(
                f"{professional.display_name} a saisi votre code : accès à vos remboursements pendant 1 heure"
            ),
        )
        commit()
        return match
    expired = any(hmac.compare_digest(c.code_hash or "", digest) for c in pending if c not in live)
    if expired or not live:
        commit()
        if expired:
            raise ConsentRefused("Ce code a expiré : demandez au patient d'en créer un nouveau.")
        raise ConsentRefused(
            "Ce code n'est pas valable : demandez au patient un code créé pour vous (valable 10 minutes)."
        )
    audit(
        WRONG_CODE,
        actor=actor,
        subject=person,
        detail=f"{professional.display_name} a saisi un code erroné",
    )
    db.session.flush()
    wrong = db.session.scalar(
        sa.select(sa.func.count(AuditEvent.id)).where(
            AuditEvent.subject_person_id == person.id,
            AuditEvent.kind == WRONG_CODE,
            AuditEvent.actor_user_id == actor.id,
            AuditEvent.at >= live[-1].created_at,
        )
    )
    if wrong >= MAX_WRONG_CODES:
        for consent in live:
            consent.status = "expiree"
        commit()
        raise ConsentRefused(
            f"Code erroné {MAX_WRONG_CODES} fois : ce code n'est plus valable. "
            "Demandez au patient d'en créer un nouveau."
        )
    commit()
    left = MAX_WRONG_CODES - wrong
    tries = f"{left} essais restants" if left > 1 else "1 essai restant"
    raise ConsentRefused(f"Ce code n'est pas le bon : vérifiez-le auprès du patient ({tries}).")


def account_for(person: Person) -> User | None:
    """The account that answers for ``person``: their own, else (a minor child) the holder's."""
    own = db.session.scalar(sa.select(User).where(User.person_id == person.id))
    if own is not None or not is_minor(person):
        return own
    holders = [pid for pid in (person.ouvrant_droit_id, person.second_ouvrant_droit_id) if pid]
    if not holders:
        return None
    return db.session.scalar(
        sa.select(User).where(User.person_id.in_(holders), User.role == "assure").order_by(User.id).limit(1)
    )


def request_push(actor: User, professional: Professional, person: Person) -> HistoryConsent:
    """Ask ``person`` (or the holder of their file) to approve on their phone: a pending consent and
    a notification to their account. A request still pending is reused, not sent twice. Raises
    ``ConsentRefused`` when no account can answer. Commits."""
    now = _now()
    pending = db.session.scalar(
        _between(
            professional, person, HistoryConsent.status == "en_attente", HistoryConsent.method == "push"
        ).limit(1)
    )
    if pending is not None and as_utc(pending.expires_at) > now:
        return pending
    account = account_for(person)
    if account is None:
        raise ConsentRefused(
            "Ce patient n'a pas de compte macaisse : il ne peut pas répondre sur son téléphone. "
            "Il peut créer un code depuis son compte une fois celui-ci ouvert."
        )
    consent = HistoryConsent(
        person_id=person.id,
        professional_id=professional.id,
        user_id=account.id,
        method="push",
        status="en_attente",
        expires_at=now + CODE_LIFETIME,
    )
    db.session.add(consent)
    db.session.flush()
    notify(
        account,
        "demarche",
        "Un professionnel demande à voir vos remboursements",
        "Ouvrez macaisse pour répondre.",
        url=path_for("compte_acces.request_detail", consent_id=consent.id),
        tag=f"historique-{consent.id}",
    )
    audit(
        REQUESTED,
        actor=actor,
        subject=person,
        detail=f"{professional.display_name} demande à voir vos remboursements",
    )
    commit()
    return consent


def request_for(user: User, consent_id: int) -> HistoryConsent | None:
    """The push request ``consent_id`` if it was sent to ``user``; None otherwise (the views 404)."""
    consent = db.session.get(HistoryConsent, consent_id)
    if consent is None or consent.method != "push" or consent.user_id != user.id:
        return None
    return consent


def answer(user: User, consent: HistoryConsent, approve: bool) -> None:
    """Approve (access for an hour) or refuse a pending push request. Raises ``ConsentRefused`` when
    it is no longer pending. Commits."""
    now = _now()
    if effective_status(consent, now) != "en_attente":
        raise ConsentRefused(
            "Cette demande n'attend plus de réponse : elle a expiré ou vous y avez déjà répondu."
        )
    name = consent.professional.display_name
    if approve:
        _grant(consent, now)
        audit(
            GRANTED,
            actor=user,
            subject=consent.person,
            detail=f"Vous avez autorisé {name} à voir vos remboursements pendant 1 heure",
        )
    else:
        consent.status = "refusee"
        consent.decided_at = now
        audit(
            REFUSED,
            actor=user,
            subject=consent.person,
            detail=f"Vous avez refusé que {name} voie vos remboursements",
        )
    commit()


def consent_of(user: User, consent_id: int) -> HistoryConsent | None:
    """The consent ``consent_id`` if it is about the user or a minor child of their file (those they
    may give or take back); None otherwise (the views 404)."""
    consent = db.session.get(HistoryConsent, consent_id)
    if consent is None or user.person is None:
        return None
    if consent.person_id not in {member.id for member in consentable_members(user.person)}:
        return None
    return consent


def withdraw(user: User, consent: HistoryConsent) -> None:
    """Take back an access still open (or a code not typed yet) before its time is over: the
    professional can no longer see the history, nor use the code. Raises ``ConsentRefused`` when it
    is no longer open. Commits."""
    now = _now()
    if effective_status(consent, now) not in ("accordee", "en_attente"):
        raise ConsentRefused("Cet accord n'est plus en cours : il a expiré, a été refusé ou déjà retiré.")
    consent.status = "retiree"
    consent.decided_at = now
    if consent.access_until is not None:
        consent.access_until = now
    audit(
        WITHDRAWN,
        actor=user,
        subject=consent.person,
        detail=f"Vous avez retiré à {consent.professional.display_name} l'accès à vos remboursements",
    )
    commit()


def _between(professional: Professional, person: Person, *conditions) -> sa.Select:
    """The consents of ``person`` for ``professional`` matching ``conditions``, newest first."""
    return (
        sa.select(HistoryConsent)
        .where(
            HistoryConsent.professional_id == professional.id,
            HistoryConsent.person_id == person.id,
            *conditions,
        )
        .order_by(HistoryConsent.created_at.desc(), HistoryConsent.id.desc())
    )


def open_access(professional: Professional, person: Person) -> HistoryConsent | None:
    """The consent that opens the history to ``professional`` now, if any."""
    return db.session.scalar(
        _between(
            professional, person, HistoryConsent.status == "accordee", HistoryConsent.access_until > _now()
        ).limit(1)
    )


def last_push(professional: Professional, person: Person) -> HistoryConsent | None:
    """The newest push request of ``professional`` for ``person`` (to show its answer)."""
    return db.session.scalar(_between(professional, person, HistoryConsent.method == "push").limit(1))


def consents_for(people: list[Person], limit: int = 30) -> list[HistoryConsent]:
    """The newest consents given for these people, with their professional (one query)."""
    return list(
        db.session.scalars(
            sa.select(HistoryConsent)
            .options(joinedload(HistoryConsent.professional), joinedload(HistoryConsent.person))
            .where(HistoryConsent.person_id.in_([person.id for person in people]))
            .order_by(HistoryConsent.created_at.desc(), HistoryConsent.id.desc())
            .limit(limit)
        )
    )


def pending_requests(user: User, people: list[Person]) -> list[HistoryConsent]:
    """The push requests about these people sent to ``user`` and still waiting for an answer, with
    their professional (one query, through the person index)."""
    return list(
        db.session.scalars(
            sa.select(HistoryConsent)
            .options(joinedload(HistoryConsent.professional), joinedload(HistoryConsent.person))
            .where(
                HistoryConsent.person_id.in_([person.id for person in people]),
                HistoryConsent.user_id == user.id,
                HistoryConsent.method == "push",
                HistoryConsent.status == "en_attente",
                HistoryConsent.expires_at > _now(),
            )
            .order_by(HistoryConsent.created_at.desc(), HistoryConsent.id.desc())
        )
    )


@dataclass(frozen=True)
class HistoryLine:
    act_date: date
    code: str
    label: str
    quantity: int
    refunded: Decimal
    professional: str
    profession: str


def months_ago(day: date, months: int) -> date:
    """The same day ``months`` months earlier (the last day of a shorter month)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def history(person: Person, on: date | None = None) -> list[HistoryLine]:
    """The acts refunded for ``person`` over the last 12 months, every professional, newest first
    (one query)."""
    since = months_ago(on or today(), HISTORY_MONTHS)
    rows = db.session.execute(
        sa.select(
            ClaimLine.act_date,
            ClaimLine.code,
            ClaimLine.label,
            ClaimLine.quantity,
            ClaimLine.refunded,
            Professional.first_name,
            Professional.last_name,
            Professional.profession,
        )
        .join(Claim, Claim.id == ClaimLine.claim_id)
        .join(Professional, Professional.id == Claim.professional_id)
        .where(Claim.patient_id == person.id, Claim.care_date >= since)
        .order_by(ClaimLine.act_date.desc(), Claim.id.desc(), ClaimLine.position)
    ).all()
    return [
        HistoryLine(
            act_date=row.act_date,
            code=row.code,
            label=row.label,
            quantity=row.quantity,
            refunded=row.refunded,
            professional=f"{row.first_name} {row.last_name}",
            profession=row.profession,
        )
        for row in rows
    ]


def record_view(actor: User, professional: Professional, person: Person) -> None:
    """Write a view of the history to the patient's audit log and commit."""
    audit(
        VIEWED,
        actor=actor,
        subject=person,
        detail=f"{professional.display_name} a consulté vos remboursements des 12 derniers mois",
    )
    commit()
