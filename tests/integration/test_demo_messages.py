"""Demo messagerie: both demo caisses have threads to answer (some overdue) and reply templates;
Louis has an unread answer, Camille an empty messagerie; loading again adds nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Caisse, Demarche, Message, MessageThread, Notification, Person, ReplyTemplate, User
from app.models.base import utcnow
from app.rules import messagerie as rules
from app.services import messagerie
from app.services.demo import CAMILLE_NIR, DEMO_PASSWORD, LOUIS_NIR, load_demo
from app.services.demo_messages import EXTRA_ACCOUNTS, SCENARIOS, TEMPLATES, load_messages_demo

# Enough generated assurés for the Loire-Atlantique to have some left without an account or a
# démarche (300 give it 4, all taken by the démarches demo).
PEOPLE = 1000
PRACTITIONERS = 60
NANTES = "cpam-de-la-loire-atlantique"
PARIS = "cpam-de-paris"


@pytest.fixture
def demo(app):
    return load_demo(people=PEOPLE, practitioners=PRACTITIONERS)


def aware(moment: datetime | None) -> datetime | None:
    """SQLite gives back naive UTC times."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def threads_of_caisse(key: str) -> list[MessageThread]:
    return list(
        db.session.scalars(
            sa.select(MessageThread)
            .join(MessageThread.caisse)
            .where(Caisse.key == key)
            .order_by(MessageThread.id)
        )
    )


def account_of(nir: str) -> User:
    return db.session.scalar(sa.select(User).join(User.person).where(Person.nir == nir))


def agent(login: str) -> User:
    return db.session.scalar(sa.select(User).where(User.login == login))


def is_overdue(thread: MessageThread) -> bool:
    return rules.is_overdue(aware(thread.reply_due_at), utcnow())


def test_agent44_has_threads_in_every_state_some_overdue(demo):
    threads = threads_of_caisse(NANTES)
    assert len(threads) == len(SCENARIOS) - 2  # all but Louis's
    assert {thread.status for thread in threads} == {"nouveau", "en_cours", "attente_usager", "clos"}
    assert {thread.audience for thread in threads} == {"assure", "professionnel"}
    overdue = [thread for thread in threads if is_overdue(thread)]
    assert len(overdue) >= 2
    assert all(thread.is_open for thread in overdue)
    assert any(thread.is_open and not is_overdue(thread) for thread in threads)
    nantes = agent("agent44")
    page = messagerie.inbox(nantes.caisse_id, messagerie.InboxFilter(overdue=True), nantes, 1)
    assert {thread.id for thread in page.items} == {thread.id for thread in overdue}
    [pile] = [pile for pile in messagerie.dashboard(nantes.caisse_id) if pile.label == "Messages à traiter"]
    assert (pile.count, pile.overdue) == (sum(t.is_open for t in threads), len(overdue))
    assert any(message.internal for thread in threads for message in thread.messages)
    assert any(message.attachments for thread in threads for message in thread.messages)
    rated = [thread for thread in threads if thread.rating is not None]
    assert [(thread.status, thread.closed_by, thread.rating) for thread in rated] == [("clos", "usager", 5)]


def test_the_extra_writers_are_generated_assures_of_the_caisse_without_demarche(demo):
    writers = {thread.user for thread in threads_of_caisse(NANTES) if thread.audience == "assure"}
    assert len(writers) == EXTRA_ACCOUNTS
    with_demarche = set(db.session.scalars(sa.select(Demarche.person_id)))
    for user in writers:
        assert user.role == "assure"
        assert user.person.caisse.key == NANTES
        assert user.person.nir not in (CAMILLE_NIR, LOUIS_NIR)
        assert user.person_id not in with_demarche
        assert user.email is None  # no e-mail sent for the demo's answers


def test_louis_has_an_unread_answer_and_an_overdue_question(demo):
    louis = account_of(LOUIS_NIR)
    threads = threads_of_caisse(PARIS)
    assert {thread.user_id for thread in threads} == {louis.id}
    answered, waiting = threads
    assert (answered.status, answered.unread_for_user, answered.reply_due_at) == (
        "attente_usager",
        True,
        None,
    )
    [answer] = [message for message in answered.messages if message.side == "caisse"]
    assert answer.author_label.startswith("Conseiller, CPAM de Paris")
    assert answer.author_user_id == agent("agent75").id
    assert answer.body.endswith("Votre conseiller")
    assert messagerie.unread_count(louis) == 1
    notification = db.session.scalar(
        sa.select(Notification).where(Notification.tag == f"message-{answered.id}")
    )
    assert notification.read_at is None
    assert aware(notification.created_at) == aware(answered.last_caisse_at)

    assert waiting.status == "nouveau"
    assert is_overdue(waiting)
    assert (utcnow() - aware(waiting.created_at)).days == 3
    assert waiting.unread_for_caisse


def test_dr_durand_has_an_answered_thread(demo):
    [thread] = db.session.scalars(sa.select(MessageThread).where(MessageThread.audience == "professionnel"))
    assert thread.user.login == "10101010105"
    assert thread.professional.rpps == "10101010105"
    assert thread.person_id is None
    assert thread.caisse.key == NANTES
    assert thread.status == "attente_usager"
    assert not thread.unread_for_user
    assert [message.side for message in thread.messages] == ["usager", "caisse"]


def test_camille_starts_with_an_empty_messagerie(demo):
    camille = account_of(CAMILLE_NIR)
    assert db.session.scalar(sa.select(sa.func.count()).where(MessageThread.user_id == camille.id)) == 0
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(MessageThread.person_id == camille.person_id)) == 0
    )
    assert messagerie.threads_of(camille, 1).total == 0
    assert messagerie.unread_count(camille) == 0


def test_dates_are_in_the_past_and_consistent(demo):
    now = utcnow()
    for thread in db.session.scalars(sa.select(MessageThread)):
        moments = [aware(message.created_at) for message in thread.messages]
        assert moments == sorted(moments)
        assert aware(thread.created_at) == moments[0]
        assert aware(thread.created_at) <= aware(thread.last_message_at) < now
        visible = [aware(message.created_at) for message in thread.messages if not message.internal]
        assert aware(thread.last_message_at) == max(visible)
        assert (thread.reply_due_at is None) == (thread.status in ("attente_usager", "clos"))
        if thread.reply_due_at is not None:
            assert aware(thread.reply_due_at) > aware(thread.last_caisse_at or thread.created_at)
        assert (thread.closed_at is not None) == (thread.status == "clos")


@pytest.mark.parametrize("key", [NANTES, PARIS])
def test_both_caisses_have_the_reply_templates(demo, key):
    caisse_id = db.session.scalar(sa.select(Caisse.id).where(Caisse.key == key))
    templates = messagerie.templates_of(caisse_id)
    assert sorted(template.title for template in templates) == sorted(title for title, _, _ in TEMPLATES)
    for template in templates:
        assert template.body.startswith("Bonjour,")
        assert template.body.endswith("\nVotre conseiller")
        assert template.updated_by_id is not None
    [divorce] = [template for template in templates if template.title.startswith("Divorce")]
    assert divorce.motif == "changement-de-situation"
    for document in ("jugement", "convention de divorce", "PACS", "pièce d'identité", "RIB", "domicile"):
        assert document in divorce.body


def test_loading_twice_adds_nothing(demo):
    def counts() -> dict[str, int]:
        return {
            model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (MessageThread, Message, ReplyTemplate, Notification, User)
        }

    before = counts()
    assert before["MessageThread"] == len(SCENARIOS)
    assert before["ReplyTemplate"] == 2 * len(TEMPLATES)
    assert load_messages_demo(LOUIS_NIR, DEMO_PASSWORD) == 0
    load_demo(people=PEOPLE, practitioners=PRACTITIONERS)
    assert counts() == before
