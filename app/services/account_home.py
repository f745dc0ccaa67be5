"""Mon compte: the contextual alerts, most urgent first, each with one action; the blocks of the last
payments and the open démarches; "Agir pour un proche".

Every alert is derived from the data, so it disappears once the situation it is about changes (the
CGU accepted, the document sent, the médecin traitant declared, the message read). Those that are
only information can be put away ("Masquer"); the legal ones cannot (``dismissable`` False). An
alert's ``key`` names the object it is about (« recuperation:345 »): a new payment recovering PF
gets a new alert even after an older one was put away. Reading a payment's décompte or an arrêt
counts as acting on the alert about it (``acknowledge``).

A constant number of queries whatever the size of the file: one per kind of alert at most.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

import sqlalchemy as sa
from flask import current_app, url_for
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import AlertDismissal, Demarche, HealthCard, Payment, Person, User
from app.models.base import utcnow
from app.models.demarches import OPEN_STATUSES
from app.models.messages import as_utc
from app.models.sick_leave import Arret, SalaryAttestation
from app.rules import ceam as ceam_rules
from app.rules import demarches as demarche_rules
from app.rules.liquidation import format_euros
from app.services import demarches as demarches_service
from app.services import history_consent, identity
from app.services import messagerie as messagerie_service
from app.services.demarche_kinds import divorce as divorce_kind
from app.services.demarche_kinds import payload_of
from app.services.documents import file_members, paris_day

# An e-mail address verified longer ago than this is asked to be confirmed again.
EMAIL_CONFIRM_DAYS: Final = 730
# A payment that recovered PF or franchises is announced for this many days after it was made.
RECOVERY_DAYS: Final = 60
# An attestation de salaire received is announced for this many days.
ATTESTATION_DAYS: Final = 30
LAST_PAYMENTS: Final = 3
OPEN_DEMARCHES_SHOWN: Final = 5

# Ranks: the lower, the more urgent.
LEGAL, SECURITY, TO_DO, TO_READ, AWAITED, ADVICE, INFO = range(7)


@dataclass(frozen=True)
class Alert:
    key: str
    rank: int
    title: str
    text: str
    action_label: str
    action_url: str
    dismissable: bool = False
    # The day the alert is about (a deadline, a date of payment): sorts alerts of the same rank.
    day: date | None = None
    # The fiche pratique that explains it ("En savoir plus"), by slug.
    fiche: str | None = None

    @property
    def tone(self) -> str:
        """The CSS tone: legal and security ones as warnings, the rest as information."""
        return "warning" if self.rank <= SECURITY else "info"


def today() -> date:
    return paris_day(utcnow())


# --- Agir pour un proche --------------------------------------------------------------------------


def proches_of(holder: Person) -> list[Person]:
    """The members of the file the holder may act for: their children under 18 (parental
    authority); never a conjoint or an adult child, who have their own account. The same people
    the holder gives consents for (``history_consent.consentable_members``)."""
    return history_consent.consentable_members(holder)[1:]


def proche_of(holder: Person, person_id: object) -> Person | None:
    """The minor child ``person_id`` of the file, or None (another file, an adult, a bad id)."""
    if not isinstance(person_id, int) or isinstance(person_id, bool):
        return None
    return next((member for member in proches_of(holder) if member.id == person_id), None)


# --- Alerts ---------------------------------------------------------------------------------------


def alerts_for(user: User, subject: Person | None = None) -> list[Alert]:
    """The user's alerts, most urgent first, without those put away. ``subject`` is the person
    whose file is shown (a child with "Agir pour un proche"): the alerts about one person (médecin
    traitant, CEAM) are about them; the account's own (CGU, e-mail, messages) stay."""
    holder = user.person
    subject = subject or holder
    alerts = [
        *_cgu(user),
        *_email(user),
        *_divorce(holder),
        *_documents_asked(holder, subject),
        *_ceam(holder, subject),
        *_unread(user, holder),
        *(_arrets(holder) if subject is holder else []),
        *_medecin_traitant(holder, subject),
        *_recoveries(holder, subject),
    ]
    hidden = _dismissed(user, [alert.key for alert in alerts if alert.dismissable])
    shown = [alert for alert in alerts if alert.key not in hidden]
    return sorted(shown, key=lambda alert: (alert.rank, alert.day or date.max, alert.key))


def _cgu(user: User) -> list[Alert]:
    version = current_app.config["CGU_VERSION"]
    if user.cgu_version == version:
        return []
    return [
        Alert(
            "cgu",
            LEGAL,
            "Les conditions générales d'utilisation ont changé",
            "Lisez la nouvelle version et acceptez-la pour continuer à utiliser votre compte.",
            "Lire et accepter les conditions",
            url_for("auth.cgu"),
        )
    ]


def _email(user: User) -> list[Alert]:
    pending = identity.pending_email(user)
    if pending:
        return [
            Alert(
                "email",
                SECURITY,
                "Confirmez votre nouvelle adresse e-mail",
                "Un code vous a été envoyé : saisissez-le pour que votre caisse utilise cette adresse.",
                "Saisir le code reçu",
                url_for("auth.email_verify"),
            )
        ]
    verified = as_utc(user.email_verified_at) if user.email_verified_at else None
    if verified is not None and utcnow() - verified > timedelta(days=EMAIL_CONFIRM_DAYS):
        return [
            Alert(
                "email",
                SECURITY,
                "Votre adresse e-mail est-elle toujours la bonne ?",
                f"Vous l'avez confirmée le {paris_day(verified):%d/%m/%Y}. Confirmez-la ou changez-la pour "
                "recevoir les avis de votre caisse.",
                "Confirmer mon adresse e-mail",
                url_for("auth.email_verify"),
            )
        ]
    return []


def _divorce(holder: Person) -> list[Alert]:
    """A conjoint's rights ending soon; gone once the assuré wrote to the caisse about it (a message
    or a démarche), since the caisse then follows it up."""
    alerts = divorce_kind.alerts_for(holder)
    if not alerts:
        return []
    written = divorce_kind.written_since(holder, min(alert.ends_on for alert in alerts))
    return [
        Alert(
            f"droits:{alert.conjoint.id}",
            LEGAL,
            f"Les droits de {alert.conjoint.full_name} prennent fin le {alert.ends_on:%d/%m/%Y}",
            "S'il s'agit d'un divorce ou d'une séparation, votre ex-conjoint(e) peut garder des droits "
            "à son nom : écrivez à votre caisse (message pré-rempli).",
            "Écrire à ma caisse",
            url_for("messages.new", objet="divorce"),
            day=alert.ends_on,
            fiche="separation-ou-divorce",
        )
        for alert in alerts
        if alert.open_demarche_id is None and not written
    ]


def _documents_asked(holder: Person, subject: Person) -> list[Alert]:
    query = sa.select(Demarche).where(Demarche.person_id == holder.id, Demarche.status == "piece_demandee")
    if subject is not holder:
        query = query.where(Demarche.beneficiary_id == subject.id)
    return [
        Alert(
            f"piece:{demarche.id}",
            TO_DO,
            f"Votre caisse attend un document : {demarche_rules.kind_label(demarche.kind)}",
            "Envoyez-le depuis la démarche pour qu'elle soit traitée.",
            "Envoyer le document",
            url_for("demarches.detail", demarche_id=demarche.id),
            day=demarche.due_on,
        )
        for demarche in db.session.scalars(query.order_by(Demarche.created_at))
    ]


def _ceam(holder: Person, subject: Person) -> list[Alert]:
    """A member's carte européenne that expires before the end of a trip declared for the file
    (with a CEAM order), when no new card is under way for them."""
    day = today()
    trips = []
    for demarche in db.session.scalars(
        sa.select(Demarche).where(
            Demarche.person_id == holder.id,
            Demarche.kind == "ceam",
            Demarche.status.not_in(("refusee", "annulee")),
        )
    ):
        data = payload_of(demarche)
        end = date.fromisoformat(data.get("retour") or data["depart"])
        if end >= day:
            trips.append((date.fromisoformat(data["depart"]), end, demarche))
    if not trips:
        return []
    members = {member.id: member for member in file_members(holder)}
    cards = db.session.scalars(
        sa.select(HealthCard).where(
            HealthCard.person_id.in_(members),
            HealthCard.kind == "ceam",
            HealthCard.status.in_(("expediee", "active", "commandee")),
        )
    ).all()
    coming = {card.person_id for card in cards if card.status == "commandee"}
    valid: dict[int, date] = {}
    for card in cards:
        if card.valid_until is not None:
            valid[card.person_id] = max(valid.get(card.person_id, card.valid_until), card.valid_until)
    under_way = {
        demarche.beneficiary_id
        for _, _, demarche in trips
        if demarche.status in OPEN_STATUSES or demarche.status == "acceptee"
    }
    last_end = max(end for _, end, _ in trips)
    first = min(trips, key=lambda trip: trip[0])
    alerts = []
    for person_id, until in valid.items():
        member = members.get(person_id)
        if member is None or (subject is not holder and member is not subject):
            continue
        if until >= last_end:
            continue
        if person_id in coming or person_id in under_way:
            continue
        who = "Votre carte" if member is holder else f"La carte de {member.first_name}"
        alerts.append(
            Alert(
                f"ceam:{person_id}:{until.isoformat()}",
                TO_DO,
                f"{who} européenne d'assurance maladie {'a expiré' if until < day else 'expire'} le "
                f"{until:%d/%m/%Y}",
                f"C'est avant la fin du séjour déclaré (départ le {first[0]:%d/%m/%Y}, retour le "
                f"{last_end:%d/%m/%Y}). Commandez-en une nouvelle au moins {ceam_rules.ORDER_LEAD_DAYS} "
                "jours avant le départ.",
                "Commander une carte européenne",
                url_for("demarches.ceam_new"),
                dismissable=True,
                day=until,
                fiche="ceam-et-soins-a-l-etranger",
            )
        )
    return alerts


def _unread(user: User, holder: Person) -> list[Alert]:
    alerts = []
    courriers = demarches_service.unread_count(holder)
    if courriers:
        plural = courriers > 1
        alerts.append(
            Alert(
                "courriers",
                TO_READ,
                f"{courriers} courrier{'s' if plural else ''} ou décision{'s' if plural else ''} "
                f"de votre caisse non lu{'s' if plural else ''}",
                "Vos démarches ont avancé : lisez ce que votre caisse a décidé.",
                "Lire mes courriers",
                url_for("demarches.courriers"),
            )
        )
    messages = messagerie_service.unread_count(user)
    if messages:
        plural = messages > 1
        alerts.append(
            Alert(
                "messages",
                TO_READ,
                f"{messages} nouvelle{'s' if plural else ''} réponse{'s' if plural else ''} de votre caisse",
                "Votre caisse a répondu à votre message.",
                "Lire la réponse" if not plural else "Lire les réponses",
                url_for("messages.index"),
            )
        )
    return alerts


def _arrets(holder: Person) -> list[Alert]:
    """The attestation de salaire awaited for an open arrêt, or received lately."""
    day = today()
    alerts = []
    for arret in db.session.scalars(
        sa.select(Arret)
        .where(Arret.person_id == holder.id, Arret.kind == "initial", Arret.status == "en_attente")
        .order_by(Arret.start_date)
    ):
        alerts.append(
            Alert(
                f"attestation-attendue:{arret.id}",
                AWAITED,
                f"Arrêt de travail du {arret.start_date:%d/%m/%Y} : attestation de salaire attendue",
                "Votre caisse attend l'attestation de salaire de votre employeur pour calculer vos "
                "indemnités journalières. Si elle tarde, rappelez-la-lui.",
                "Suivre mon arrêt",
                url_for("arrets.detail", arret_id=arret.id),
                dismissable=True,
                day=arret.start_date,
                fiche="arret-de-travail-et-indemnites-journalieres",
            )
        )
    since = utcnow() - timedelta(days=ATTESTATION_DAYS)
    for attestation in db.session.scalars(
        sa.select(SalaryAttestation)
        .join(Arret, Arret.id == SalaryAttestation.arret_id)
        .where(
            SalaryAttestation.person_id == holder.id,
            SalaryAttestation.created_at >= since,
            Arret.status != "cloture",
        )
        .options(sa.orm.joinedload(SalaryAttestation.employer))
        .order_by(SalaryAttestation.created_at)
    ):
        alerts.append(
            Alert(
                f"attestation-recue:{attestation.id}",
                INFO,
                f"Attestation de salaire reçue de {attestation.employer.name}",
                f"Pour votre arrêt du {attestation.arret_start:%d/%m/%Y} : vos indemnités journalières "
                "sont calculées à partir de ces salaires.",
                "Voir mon arrêt",
                url_for("arrets.detail", arret_id=attestation.arret_id),
                dismissable=True,
                day=day,
            )
        )
    return alerts


def _medecin_traitant(holder: Person, subject: Person) -> list[Alert]:
    """No médecin traitant declared, nor a declaration waiting for the doctor."""
    if subject.medecin_traitant_rpps:
        return []
    waiting = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Demarche)
        .where(
            Demarche.person_id == holder.id,
            Demarche.beneficiary_id == subject.id,
            Demarche.kind == "medecin_traitant",
            Demarche.status.in_(OPEN_STATUSES),
        )
    )
    if waiting:
        return []
    who = "votre médecin traitant" if subject is holder else f"le médecin traitant de {subject.first_name}"
    return [
        Alert(
            f"medecin_traitant:{subject.id}",
            ADVICE,
            f"Déclarez {who} pour être mieux remboursé",
            "Hors du parcours de soins coordonnés, les consultations sont moins bien remboursées.",
            "Déclarer un médecin traitant",
            url_for("demarches.medecin_traitant_search"),
            dismissable=True,
            fiche="medecin-traitant-et-parcours-de-soins",
        )
    ]


def _recoveries(holder: Person, subject: Person) -> list[Alert]:
    """Payments of the last weeks from which PF or franchises owed were recovered."""
    since = today() - timedelta(days=RECOVERY_DAYS)
    query = sa.select(Payment).where(
        Payment.person_id == holder.id,
        Payment.payee == "assure",
        Payment.recovered > 0,
        Payment.paid_on >= since,
    )
    if subject is not holder:
        query = query.where(Payment.beneficiary_id == subject.id)
    return [
        Alert(
            f"recuperation:{payment.id}",
            INFO,
            f"{format_euros(payment.recovered)} retenus sur votre paiement du {payment.paid_on:%d/%m/%Y}",
            "Des participations forfaitaires ou franchises restaient dues (soins en tiers payant) : "
            "elles ont été déduites de ce remboursement.",
            "Voir le détail du paiement",
            url_for("paiements.detail", payment_id=payment.id),
            dismissable=True,
            day=payment.paid_on,
            fiche="participation-forfaitaire-et-franchises",
        )
        for payment in db.session.scalars(query.order_by(Payment.paid_on.desc()).limit(5))
    ]


# --- Put away, acted on ---------------------------------------------------------------------------


def _dismissed(user: User, keys: list[str]) -> set[str]:
    if not keys:
        return set()
    return set(
        db.session.scalars(
            sa.select(AlertDismissal.key).where(
                AlertDismissal.user_id == user.id, AlertDismissal.key.in_(keys)
            )
        )
    )


def dismiss(user: User, key: str, subject: Person | None = None) -> bool:
    """Put away the alert ``key`` if the user has it and it may be put away; commits. False for
    a legal alert, an alert they do not have or a made-up key."""
    alert = next((alert for alert in alerts_for(user, subject) if alert.key == key), None)
    if alert is None or not alert.dismissable:
        return False
    _remember(user, key)
    return True


def acknowledge(user: User, key: str) -> None:
    """The user acted on what the alert ``key`` is about (read the payment, the arrêt); commits."""
    if user.role != "assure":
        return
    exists = db.session.scalar(
        sa.select(AlertDismissal.id).where(AlertDismissal.user_id == user.id, AlertDismissal.key == key)
    )
    if exists is None:
        _remember(user, key)


def _remember(user: User, key: str) -> None:
    db.session.add(AlertDismissal(user_id=user.id, key=key[:80]))
    try:
        db.session.commit()
    except IntegrityError:  # the same alert put away twice at once (two tabs)
        db.session.rollback()


# --- The lazy blocks ------------------------------------------------------------------------------


def last_payments(holder: Person, subject: Person | None = None) -> list[Payment]:
    query = (
        sa.select(Payment)
        .where(Payment.person_id == holder.id, Payment.payee == "assure")
        .options(sa.orm.joinedload(Payment.beneficiary))
        .order_by(Payment.paid_on.desc(), Payment.id.desc())
        .limit(LAST_PAYMENTS)
    )
    if subject is not None and subject is not holder:
        query = query.where(Payment.beneficiary_id == subject.id)
    return list(db.session.scalars(query))


def last_payment(holder: Person) -> Payment | None:
    payments = last_payments(holder)
    return payments[0] if payments else None


@dataclass(frozen=True)
class OpenDemarche:
    demarche: Demarche
    label: str
    status: str
    due_on: date | None
    late: bool


def open_demarches(holder: Person, subject: Person | None = None) -> tuple[list[OpenDemarche], int]:
    """The open démarches (the first ``OPEN_DEMARCHES_SHOWN``, soonest due first) and how many in all."""
    where = [Demarche.person_id == holder.id, Demarche.status.in_(OPEN_STATUSES)]
    if subject is not None and subject is not holder:
        where.append(Demarche.beneficiary_id == subject.id)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Demarche).where(*where)) or 0
    rows = db.session.scalars(
        sa.select(Demarche)
        .where(*where)
        .order_by(Demarche.due_on.is_(None), Demarche.due_on, Demarche.id)
        .limit(OPEN_DEMARCHES_SHOWN)
    ).all()
    day = today()
    return [
        OpenDemarche(
            demarche,
            demarche_rules.kind_label(demarche.kind),
            demarche_rules.STATUS_LABELS.get(demarche.status, demarche.status),
            demarche.due_on,
            demarche.due_on is not None and demarche.due_on < day,
        )
        for demarche in rows
    ], total
