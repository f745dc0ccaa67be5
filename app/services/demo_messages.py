"""Demo messagerie: threads in ``agent44``'s and ``agent75``'s inboxes, and reply templates.

A thread needs an account that wrote it, so the threads belong to the demo accounts where they fit
— Louis (an answer from the CPAM de Paris he has not read yet, and a question left unanswered past
its 48 h), Dr Durand (a rejected invoice, answered) — and to a few accounts opened for generated
assurés of the Loire-Atlantique, who have no login to show: they give the caisse's inbox some
volume in every state (new, taken with a note, overdue, the user writing again, closed and rated).
Camille, the demo assurée, starts with an empty messagerie.

The threads go through the messagerie service, then their dates are moved back into the past
(messages, unread markers, the date the answer is due, the notifications of the answers), so the
inbox shows waits of a few hours to a few days and some overdue answers. Idempotent: nothing is
added once any thread exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models import Caisse, Demarche, MessageThread, Notification, Person, ReplyTemplate, User
from app.models.base import utcnow
from app.models.care import Professional
from app.rules import messagerie as rules
from app.services import accounts
from app.services import messagerie as service
from app.services.demo_annuaire import DURAND_RPPS
from app.services.demo_demarches import _pdf
from app.services.transactions import commit

LOIRE_ATLANTIQUE: Final = "cpam-de-la-loire-atlantique"
PARIS_CAISSE: Final = "cpam-de-paris"
EXTRA_ACCOUNTS: Final = 5

SIGNATURE: Final = "Votre conseiller"

DIVORCE: Final = "Divorce ou séparation : documents à fournir"
REMBOURSEMENT: Final = "Remboursement en cours de traitement"
ATTESTATION: Final = "Attestation de droits : téléchargement en ligne"
CARTE_VITALE: Final = "Carte Vitale : délai de fabrication"

# title, motif, body: the reply templates of both demo caisses.
TEMPLATES: Final = (
    (
        DIVORCE,
        "changement-de-situation",
        "Bonjour,\n\n"
        "Nous avons bien reçu votre message et vous en remercions.\n\n"
        "Pour que votre ex-conjoint(e) garde des droits à l'assurance maladie à son nom, merci de "
        "nous transmettre, en réponse à ce message :\n"
        "- le jugement ou la convention de divorce, ou l'acte de dissolution du PACS ;\n"
        "- la copie d'une pièce d'identité en cours de validité de votre ex-conjoint(e) ;\n"
        "- un RIB au nom de votre ex-conjoint(e), pour le versement de ses remboursements ;\n"
        "- une attestation de domicile à son nom (ou un justificatif de domicile de moins de "
        "trois mois).\n\n"
        "Dès réception de ces pièces, nous mettrons à jour les deux dossiers et nous vous en "
        "informerons.\n\n"
        "Nous restons à votre disposition pour toute question.\n\nCordialement,\n" + SIGNATURE,
    ),
    (
        REMBOURSEMENT,
        "remboursement",
        "Bonjour,\n\n"
        "Nous avons bien reçu votre message concernant votre remboursement.\n\n"
        "Votre dossier est en cours de traitement par nos services. Une feuille de soins "
        "électronique est en général remboursée en moins d'une semaine ; une feuille de soins "
        "papier demande environ un mois. Le paiement apparaîtra dans la rubrique « Mes paiements » "
        "de votre compte dès qu'il sera effectué, avec le détail du calcul.\n\n"
        "Si vous ne le voyez pas d'ici là, n'hésitez pas à nous écrire de nouveau en répondant à "
        "ce message.\n\n"
        "Nous vous prions d'agréer, Madame, Monsieur, nos salutations distinguées.\n\n" + SIGNATURE,
    ),
    (
        ATTESTATION,
        "attestation",
        "Bonjour,\n\n"
        "Nous vous remercions de votre message.\n\n"
        "Votre attestation de droits est disponible à tout moment dans votre compte, sans avoir à "
        "attendre de réponse : ouvrez la rubrique « Mes documents », puis choisissez l'attestation "
        "de tout le dossier ou celle d'un seul bénéficiaire. Le document, au format PDF, porte un "
        "code de vérification : vous pouvez l'imprimer ou l'envoyer directement à l'organisme qui "
        "vous le demande.\n\n"
        "Nous restons à votre disposition pour toute autre question.\n\nBien cordialement,\n" + SIGNATURE,
    ),
    (
        CARTE_VITALE,
        "carte-vitale",
        "Bonjour,\n\n"
        "Nous avons bien reçu votre message concernant votre carte Vitale.\n\n"
        "Une fois votre demande complète (photo et pièce d'identité reçues et conformes), la "
        "fabrication et l'envoi de la carte prennent environ trois semaines. Elle est envoyée par "
        "courrier à l'adresse de votre dossier : vérifiez dans votre compte qu'elle est à jour.\n\n"
        "En attendant, l'attestation de droits, que vous pouvez télécharger dans votre compte, "
        "permet de justifier de vos droits auprès des professionnels de santé.\n\n"
        "Nous vous prions d'agréer, Madame, Monsieur, nos salutations distinguées.\n\n" + SIGNATURE,
    ),
)
_TEMPLATE_BODIES: Final = {title: body for title, _motif, body in TEMPLATES}


@dataclass(frozen=True)
class Step:
    """One event of a thread, ``hours_ago`` before the demo is loaded. ``action``: ``write`` (the
    user), ``reply`` (the caisse; ``body`` may name a template), ``note``, ``assign`` (to the
    caisse's agent), ``close`` (by the caisse) or ``close_user`` (by the user, with ``rating``)."""

    action: str
    hours_ago: float
    body: str = ""
    rating: int | None = None


@dataclass(frozen=True)
class Scenario:
    """A thread of ``writer`` (``louis``, ``durand``, or ``assure-N``: the N-th extra account);
    ``read``: the user opened the caisse's last answer; ``attachment``: the first message carries a
    PDF."""

    writer: str
    motif: str
    subject: str
    steps: tuple[Step, ...]
    read: bool = True
    attachment: str = ""


SCENARIOS: Final = (
    Scenario(
        "louis",
        "remboursement",
        "Consultation chez le dermatologue non remboursée",
        (
            Step(
                "write",
                76,
                "Bonjour,\n\nJ'ai consulté un dermatologue le mois dernier et je ne vois toujours "
                "pas le remboursement dans mes paiements. Pouvez-vous me dire où en est mon "
                "dossier ?\n\nMerci par avance,\nLouis Bernard",
            ),
            Step("reply", 50, REMBOURSEMENT),
        ),
        read=False,
    ),
    Scenario(
        "louis",
        "carte-vitale",
        "Carte Vitale commandée il y a un mois",
        (
            Step(
                "write",
                72,
                "Bonjour,\n\nJ'ai commandé une nouvelle carte Vitale il y a un peu plus d'un mois "
                "et je ne l'ai pas encore reçue. Est-ce normal ? Mon adresse n'a pas changé.\n\n"
                "Cordialement,\nLouis Bernard",
            ),
        ),
    ),
    Scenario(
        "durand",
        "rejet-facture",
        "Facture rejetée : droits du patient non ouverts",
        (
            Step(
                "write",
                150,
                "Bonjour,\n\nUne facture télétransmise pour une consultation a été rejetée avec "
                "le motif « droits non ouverts ». La patiente, née en 1987 (initiales A. L.), m'a "
                "pourtant présenté une carte Vitale à jour. Pouvez-vous vérifier ?\n\n"
                "Dr Sophie Durand",
            ),
            Step(
                "reply",
                100,
                "Bonjour Docteur,\n\nLes droits de votre patiente ont été prolongés le lendemain de "
                "la consultation : la facture a été rejetée avant cette mise à jour. Vous pouvez "
                "la transmettre de nouveau, elle sera payée normalement.\n\n"
                "Nous restons à votre disposition.\n\nCordialement,\n" + SIGNATURE,
            ),
        ),
    ),
    Scenario(
        "assure-0",
        "remboursement",
        "Séances de kinésithérapie non remboursées",
        (
            Step(
                "write",
                98,
                "Bonjour,\n\nJ'ai envoyé il y a six semaines une feuille de soins papier pour dix "
                "séances de kinésithérapie et je n'ai toujours rien reçu. Je joins la facture du "
                "kinésithérapeute.\n\nMerci de votre aide.",
            ),
        ),
        attachment="Facture du kinésithérapeute",
    ),
    Scenario(
        "assure-1",
        "arret-de-travail",
        "Indemnités journalières de mon arrêt de septembre",
        (
            Step(
                "write",
                30,
                "Bonjour,\n\nJ'ai été en arrêt de travail du 2 au 20 septembre. Mon employeur dit "
                "avoir envoyé l'attestation de salaire, mais je n'ai reçu qu'une partie des "
                "indemnités. Pouvez-vous vérifier ?\n\nBien cordialement.",
            ),
            Step("assign", 26),
            Step(
                "note",
                25,
                "Attestation de salaire reçue le 24/09 ; 12 jours payés sur 16 indemnisables. "
                "Vérifier le salaire de référence avec le service IJ avant de répondre.",
            ),
        ),
    ),
    Scenario(
        "assure-2",
        "changement-de-situation",
        "Séparation : que dois-je envoyer ?",
        (
            Step(
                "write",
                120,
                "Bonjour,\n\nNous sommes séparés depuis l'été et mon ex-conjoint est toujours "
                "rattaché à mon dossier. Quels documents dois-je vous envoyer pour qu'il ait ses "
                "propres droits ?\n\nMerci.",
            ),
            Step("reply", 100, DIVORCE),
            Step(
                "write",
                60,
                "Bonjour,\n\nMerci pour votre réponse. Notre convention de divorce n'est pas encore "
                "signée : puis-je vous envoyer les autres pièces dès maintenant ?\n\nCordialement.",
            ),
        ),
    ),
    Scenario(
        "assure-3",
        "attestation",
        "Attestation de droits pour ma mutuelle",
        (
            Step(
                "write",
                2,
                "Bonjour,\n\nMa nouvelle mutuelle me demande une attestation de droits à l'assurance "
                "maladie. Pouvez-vous me l'envoyer ?\n\nMerci beaucoup.",
            ),
        ),
    ),
    Scenario(
        "assure-4",
        "carte-vitale",
        "Délai de réception de la carte Vitale",
        (
            Step(
                "write",
                20,
                "Bonjour,\n\nJ'ai envoyé ma photo et ma pièce d'identité pour ma première carte "
                "Vitale il y a dix jours. Dans combien de temps vais-je la recevoir ?\n\n"
                "Bonne journée.",
            ),
        ),
    ),
    Scenario(
        "assure-0",
        "c2s",
        "Renouvellement de la complémentaire santé solidaire",
        (
            Step(
                "write",
                290,
                "Bonjour,\n\nMa complémentaire santé solidaire se termine dans deux mois. Dois-je "
                "refaire une demande complète pour la renouveler ?\n\nMerci.",
            ),
            Step(
                "reply",
                270,
                "Bonjour,\n\nOui : le renouvellement se demande en ligne, deux à quatre mois avant "
                "la fin de vos droits, depuis la rubrique « Mes démarches » de votre compte. Vos "
                "ressources des douze derniers mois vous seront demandées.\n\nCordialement,\n" + SIGNATURE,
            ),
            Step("close_user", 250, "Réponse claire et rapide, merci.", rating=5),
        ),
    ),
)


def load_messages_demo(louis_nir: str, password: str) -> int:
    """Seed the reply templates and play ``SCENARIOS`` if there is no thread yet; return how many
    threads were added. ``password`` is that of the extra accounts (the demo assurés'). Commits."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(MessageThread)):
        return 0
    keys = (LOIRE_ATLANTIQUE, PARIS_CAISSE)
    caisses = {c.key: c for c in db.session.scalars(sa.select(Caisse).where(Caisse.key.in_(keys)))}
    agents = {key: _agent_of(caisse) for key, caisse in caisses.items()}
    if len(caisses) < 2 or None in agents.values():
        return 0
    for key, caisse in caisses.items():
        _seed_templates(caisse, agents[key])
    writers = _writers(louis_nir, caisses[LOIRE_ATLANTIQUE], password)
    now = utcnow()
    added = 0
    for scenario in SCENARIOS:
        user = writers.get(scenario.writer)
        if user is None:
            continue
        thread = _play(scenario, user, agents)
        _backdate(thread, scenario, now)
        added += 1
    commit()
    return added


def _agent_of(caisse: Caisse) -> User | None:
    return db.session.scalar(
        sa.select(User).where(User.role == "agent", User.caisse_id == caisse.id).order_by(User.id).limit(1)
    )


def _seed_templates(caisse: Caisse, agent: User) -> None:
    existing = set(
        db.session.scalars(sa.select(ReplyTemplate.title).where(ReplyTemplate.caisse_id == caisse.id))
    )
    for title, motif, body in TEMPLATES:
        if title not in existing:
            service.save_template(caisse.id, agent, None, title, motif, body)


def _writers(louis_nir: str, extra_caisse: Caisse, password: str) -> dict[str, User]:
    """Louis's and Dr Durand's accounts, and ``EXTRA_ACCOUNTS`` accounts opened for generated
    assurés of ``extra_caisse`` with neither an account nor a démarche (the démarches demo shows
    requests received on paper, from people without an account)."""
    writers: dict[str, User] = {}
    louis = db.session.scalar(sa.select(User).join(User.person).where(Person.nir == louis_nir))
    if louis is not None:
        writers["louis"] = louis
    durand = db.session.scalar(
        sa.select(User).join(User.professional).where(Professional.rpps == DURAND_RPPS)
    )
    if durand is not None:
        writers["durand"] = durand
    with_account = sa.select(User.person_id).where(User.person_id.is_not(None))
    with_demarche = sa.select(Demarche.person_id).where(Demarche.person_id.is_not(None))
    people = db.session.scalars(
        sa.select(Person)
        .where(
            Person.caisse_id == extra_caisse.id,
            Person.ouvrant_droit_id.is_(None),
            Person.id.not_in(with_account),
            Person.id.not_in(with_demarche),
        )
        .order_by(Person.id)
        .limit(EXTRA_ACCOUNTS)
    ).all()
    for number, person in enumerate(people):
        writers[f"assure-{number}"] = accounts.create_assure_account(person, password, None)
    return writers


def _play(scenario: Scenario, user: User, agents: dict[str, User]) -> MessageThread:
    """Write the thread through the service, every step now (``_backdate`` moves them back)."""
    first, *rest = scenario.steps
    files = [_pdf(scenario.attachment)] if scenario.attachment else []
    thread = service.start_thread(user, scenario.motif, scenario.subject, first.body, files)
    caisse_id = thread.caisse_id
    agent = next(agent for agent in agents.values() if agent.caisse_id == caisse_id)
    for step in rest:
        if step.action == "write":
            service.reply_as_user(user, thread.id, step.body, [])
        elif step.action == "reply":
            body = _TEMPLATE_BODIES.get(step.body, step.body)
            service.reply_as_agent(caisse_id, thread.id, agent, body, [])
        elif step.action == "note":
            service.add_note(caisse_id, thread.id, agent, step.body)
        elif step.action == "assign":
            service.assign(caisse_id, thread.id, agent, agent.id)
        elif step.action == "close":
            service.close_by_agent(caisse_id, thread.id, agent)
        elif step.action == "close_user":
            service.close_by_user(user, thread.id, step.rating, step.body)
        else:
            raise ValueError(f"step {step.action!r}")
    return thread


def _backdate(thread: MessageThread, scenario: Scenario, now: datetime) -> None:
    """Date the thread's messages and markers as if each step happened ``hours_ago`` before ``now``."""
    moments = [(step, now - timedelta(hours=step.hours_ago)) for step in scenario.steps]
    written = [at for step, at in moments if step.action in ("write", "reply", "note")]
    for message, at in zip(thread.messages, written, strict=True):
        message.created_at = at
    user_at = [at for step, at in moments if step.action == "write"]
    caisse_at = [at for step, at in moments if step.action == "reply"]
    agent_at = [at for step, at in moments if step.action in ("reply", "note", "assign", "close")]
    thread.created_at = moments[0][1]
    thread.last_user_at = max(user_at)
    thread.last_caisse_at = max(caisse_at, default=None)
    thread.last_message_at = max(user_at + caisse_at)
    thread.caisse_seen_at = max(agent_at, default=None)
    user_seen = max(at for step, at in moments if step.action in ("write", "close_user"))
    if scenario.read and thread.last_caisse_at is not None and user_seen < thread.last_caisse_at:
        user_seen = min(thread.last_caisse_at + timedelta(hours=3), now)
    thread.user_seen_at = user_seen
    # The answer is owed from the user's first message after the caisse's last answer (as the
    # service counts it), until the caisse answers or the thread is closed.
    waiting_since = None
    for step, at in moments:
        if step.action == "write" and waiting_since is None:
            waiting_since = at
        elif step.action in ("reply", "close", "close_user"):
            waiting_since = None
    thread.reply_due_at = None if waiting_since is None else _due(waiting_since, thread.audience)
    for step, at in moments:
        if step.action in ("close", "close_user"):
            thread.closed_at = at
        if step.action == "close_user" and step.rating is not None:
            thread.rated_at = at
    answers = db.session.scalars(
        sa.select(Notification)
        .where(Notification.user_id == thread.user_id, Notification.tag == f"message-{thread.id}")
        .order_by(Notification.id)
    ).all()
    for notification, at in zip(answers, caisse_at, strict=False):
        notification.created_at = at
        notification.read_at = user_seen if user_seen >= at else None


def _due(written_at: datetime, audience: str) -> datetime:
    config = current_app.config
    return rules.reply_due(
        written_at,
        audience,
        hours=config["MESSAGE_REPLY_HOURS"],
        working_days=config["MESSAGE_REPLY_WORKING_DAYS_PRO"],
    )
