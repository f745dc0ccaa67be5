"""Forum reports and moderation: reporting, the moderators' queue and case, the actions (hide,
restore, lock, move, warn), what the author and the others see."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import render_template

from app.extensions import db
from app.models import ForumModeration, ForumPost, ForumReport, ForumThread, Notification
from app.services.accounts import create_staff
from app.services.forum_common import refresh_search_words
from tests.conftest import PASSWORD, count_queries, csrf_token, login

pytestmark = pytest.mark.usefixtures("app")

ANSWER_TEXT = "Achetez nos pilules miracles sur notre site, livraison rapide et discrète."


@pytest.fixture
def moderator(users, caisses):
    return create_staff(
        "moderateur",
        PASSWORD,
        "moderator",
        caisses["cpam-de-la-loire-atlantique"].id,
        "Modératrice",
        "moderateur@example.org",
    )


def make_thread(author, title="Remboursement d'une consultation chez le dentiste", answers=()):
    thread = ForumThread(
        category="remboursements",
        title=title,
        body_html="<p>Combien est remboursée une consultation chez le dentiste ?</p>",
        body_text="Combien est remboursée une consultation chez le dentiste ?",
        author_id=author.id,
    )
    db.session.add(thread)
    db.session.flush()
    for answerer, text in answers:
        db.session.add(
            ForumPost(thread_id=thread.id, author_id=answerer.id, body_html=f"<p>{text}</p>", body_text=text)
        )
        thread.answer_count += 1
    db.session.flush()
    refresh_search_words(thread)
    db.session.commit()
    return thread


@pytest.fixture
def thread(users):
    users["camille"].pseudonym = "Camille44"
    users["louis"].pseudonym = "Louis75"
    db.session.commit()
    return make_thread(users["camille"], answers=[(users["louis"], ANSWER_TEXT)])


def _moderator_client(app, moderator):
    other = app.test_client()
    login(other, moderator)
    return other


def _flashes(client) -> list[str]:
    with client.session_transaction() as session:
        return [message for _category, message in session.get("_flashes", [])]


def _report(client, thread, post=None, reason="spam", comment=""):
    url = f"/forum/signaler/{thread.id}" + (f"/{post.id}" if post else "")
    data = {"motif": reason, "commentaire": comment, "csrf_token": csrf_token(client, url)}
    return client.post(url, data=data)


def test_report_reaches_the_queue(app, client, users, moderator, thread):
    login(client, users["camille"])
    post = thread.posts[0]
    page = client.get(f"/forum/signaler/{thread.id}/{post.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Conseil médical dangereux" in html
    assert page.headers["Cache-Control"] == "no-store"
    response = _report(client, thread, post, comment="Publicité déguisée.")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/forum/sujet/{thread.id}")
    assert "Merci : votre signalement est transmis aux modérateurs." in _flashes(client)
    report = db.session.scalar(sa.select(ForumReport))
    assert report.status == "ouvert"
    assert report.reason == "Publicité ou spam"
    assert report.post_id == post.id

    moderation = _moderator_client(app, moderator)
    queue = moderation.get("/agent/forum/")
    assert queue.status_code == 200
    text = queue.get_data(as_text=True)
    assert "Réponse — Remboursement d&#39;une consultation chez le dentiste" in text
    assert "Publicité ou spam" in text
    case = moderation.get(f"/agent/forum/sujets/{thread.id}")
    assert case.status_code == 200
    assert "Publicité déguisée." in case.get_data(as_text=True)
    home = moderation.get("/agent/").get_data(as_text=True)
    assert "Modération du forum" in home
    assert "Signalements du forum" in home


def test_a_second_report_of_the_same_item_is_refused(client, users, thread):
    login(client, users["camille"])
    assert _report(client, thread).status_code == 302
    _flashes(client)
    with client.session_transaction() as session:
        session.pop("_flashes", None)
    assert _report(client, thread, reason="autre").status_code == 302
    assert any("Vous avez déjà signalé ce message" in message for message in _flashes(client))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ForumReport)) == 1


def test_a_report_without_reason_is_a_422_keeping_the_comment(client, users, thread):
    login(client, users["camille"])
    url = f"/forum/signaler/{thread.id}"
    response = client.post(
        url, data={"commentaire": "Il donne son adresse.", "csrf_token": csrf_token(client, url)}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Choisissez la raison du signalement." in html
    assert "Il donne son adresse." in html
    assert "<title>Erreur" in html


def test_anonymous_readers_are_sent_to_sign_in(client, thread):
    response = client.get(f"/forum/signaler/{thread.id}")
    assert response.status_code == 302
    assert "/connexion" in response.headers["Location"]
    assert client.get("/agent/forum/").status_code == 302


def test_reporting_a_missing_or_foreign_answer_is_a_404(client, users, thread):
    other = make_thread(users["louis"], title="Une autre question sur la carte Vitale", answers=[])
    login(client, users["camille"])
    assert client.get("/forum/signaler/999999").status_code == 404
    assert client.get(f"/forum/signaler/{other.id}/{thread.posts[0].id}").status_code == 404


def test_agents_without_the_moderator_role_are_refused(agent_client, thread):
    assert agent_client.get("/agent/forum/").status_code == 403
    assert agent_client.get(f"/agent/forum/sujets/{thread.id}").status_code == 403
    assert "Modération du forum" not in agent_client.get("/agent/").get_data(as_text=True)


def _act(client, thread, cible, **fields):
    url = f"/agent/forum/sujets/{thread.id}"
    data = {f"{cible}-{name}": value for name, value in fields.items()}
    data[f"{cible}-csrf_token"] = csrf_token(client, url)
    return client.post(f"{url}/{cible}", data=data)


def _note(user, thread, post):
    """The moderation note as ``user`` sees it (None: anonymous)."""
    from flask import current_app
    from flask_login import login_user

    with current_app.test_request_context("/"):
        if user is not None:
            login_user(user)
        return render_template("forum/_moderation_note.html", thread=thread, post=post)


def test_hiding_an_answer(app, client, users, moderator, thread):
    post = thread.posts[0]
    login(client, users["camille"])
    _report(client, thread, post)
    moderation = _moderator_client(app, moderator)
    response = _act(moderation, thread, f"reponse{post.id}", action="masquer", motif="Publicité.")
    assert response.status_code == 302
    db.session.expire_all()
    post = db.session.get(ForumPost, post.id)
    assert post.hidden_at is not None
    assert post.hidden_reason == "Publicité."
    assert "pilules" not in db.session.get(ForumThread, thread.id).search_words
    report = db.session.scalar(sa.select(ForumReport))
    assert report.status == "traite"
    assert report.handled_by_id == moderator.id
    assert report.handled_at is not None
    entry = db.session.scalar(sa.select(ForumModeration))
    assert (entry.action, entry.author_id, entry.post_id) == ("masquer", users["louis"].id, post.id)
    notification = db.session.scalar(sa.select(Notification).where(Notification.user_id == users["louis"].id))
    assert notification.title == "Message de la modération du forum"
    assert notification.url.endswith(f"/forum/sujet/{thread.id}")
    # The queue is empty again; the case shows the hidden answer, marked.
    assert "Aucun signalement en attente." in moderation.get("/agent/forum/").get_data(as_text=True)
    case = moderation.get(f"/agent/forum/sujets/{thread.id}").get_data(as_text=True)
    assert "Masquée" in case
    assert ANSWER_TEXT in case
    # The author and moderators see why; the others see nothing of it here.
    assert "Masqué par la modération : Publicité." in _note(users["louis"], thread, post).replace(
        "</strong>", ""
    )
    assert "Publicité." in _note(moderator, thread, post)
    assert "Publicité." not in _note(users["camille"], thread, post)
    assert "Publicité." not in _note(None, thread, post)
    if "forum.thread" in app.view_functions:
        page = client.get(f"/forum/sujet/{thread.id}").get_data(as_text=True)
        assert "Message masqué par la modération" in page
        assert "pilules" not in page


def test_a_motif_is_required(app, moderator, thread):
    moderation = _moderator_client(app, moderator)
    post = thread.posts[0]
    response = _act(moderation, thread, f"reponse{post.id}", action="masquer", motif="")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Indiquez le motif : il est affiché à l&#39;auteur." in html
    assert "<title>Erreur" in html
    assert db.session.get(ForumPost, post.id).hidden_at is None
    too_long = _act(moderation, thread, "question", action="avertir", motif="x" * 301)
    assert too_long.status_code == 422
    assert _act(moderation, thread, "question", action="inconnue", motif="Test").status_code == 422
    assert _act(moderation, thread, "reponse999999", action="masquer", motif="Test").status_code == 404


def test_restoring_an_answer(app, users, moderator, thread):
    moderation = _moderator_client(app, moderator)
    post = thread.posts[0]
    _act(moderation, thread, f"reponse{post.id}", action="masquer", motif="Publicité.")
    response = _act(moderation, thread, f"reponse{post.id}", action="restaurer", motif="Erreur de ma part.")
    assert response.status_code == 302
    db.session.expire_all()
    post = db.session.get(ForumPost, post.id)
    assert post.hidden_at is None
    assert post.hidden_reason == ""
    assert "pilules" in db.session.get(ForumThread, thread.id).search_words
    actions = db.session.scalars(sa.select(ForumModeration.action).order_by(ForumModeration.id)).all()
    assert actions == ["masquer", "restaurer"]


def test_hiding_the_question(app, users, moderator, thread):
    moderation = _moderator_client(app, moderator)
    assert _act(moderation, thread, "question", action="masquer", motif="Hors charte.").status_code == 302
    db.session.expire_all()
    found = db.session.get(ForumThread, thread.id)
    assert found.hidden_at is not None
    entry = db.session.scalar(sa.select(ForumModeration))
    assert entry.author_id == users["camille"].id
    assert "Hors charte." in _note(users["camille"], found, None)


def test_locking_a_thread(app, client, users, moderator, thread):
    moderation = _moderator_client(app, moderator)
    assert _act(moderation, thread, "verrou", motif="Le sujet dérive.").status_code == 302
    db.session.expire_all()
    found = db.session.get(ForumThread, thread.id)
    assert found.locked_at is not None
    assert found.locked_reason == "Le sujet dérive."
    assert "Le sujet dérive." in _note(None, found, None)
    assert "Déverrouiller le sujet" in moderation.get(f"/agent/forum/sujets/{thread.id}").get_data(
        as_text=True
    )
    if "forum.answer" in app.view_functions:
        login(client, users["louis"])
        token = csrf_token(client, f"/forum/signaler/{thread.id}")
        client.post(
            f"/forum/sujet/{thread.id}/reponse",
            data={"reponse": "Une réponse de plus sur ce sujet verrouillé.", "csrf_token": token},
        )
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ForumPost)) == 1
    assert _act(moderation, thread, "verrou", motif="Calmé.").status_code == 302
    db.session.expire_all()
    assert db.session.get(ForumThread, thread.id).locked_at is None
    actions = db.session.scalars(sa.select(ForumModeration.action).order_by(ForumModeration.id)).all()
    assert actions == ["verrouiller", "deverrouiller"]


def test_moving_a_thread(app, moderator, thread):
    moderation = _moderator_client(app, moderator)
    bad = _act(moderation, thread, "deplacement", categorie="nulle-part", motif="Mauvaise catégorie.")
    assert bad.status_code == 422
    assert "Mauvaise catégorie." in bad.get_data(as_text=True)
    response = _act(moderation, thread, "deplacement", categorie="compte", motif="Mauvaise catégorie.")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(ForumThread, thread.id).category == "compte"


def test_warning_the_author(app, users, moderator, thread):
    moderation = _moderator_client(app, moderator)
    post = thread.posts[0]
    response = _act(moderation, thread, f"reponse{post.id}", action="avertir", motif="Restez courtois.")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(ForumPost, post.id).hidden_at is None
    entry = db.session.scalar(sa.select(ForumModeration))
    assert (entry.action, entry.reason, entry.author_id) == ("avertir", "Restez courtois.", users["louis"].id)
    assert db.session.scalar(
        sa.select(sa.func.count()).select_from(Notification).where(Notification.user_id == users["louis"].id)
    )
    case = moderation.get(f"/agent/forum/sujets/{thread.id}").get_data(as_text=True)
    assert "Avertissement (réponse) : Restez courtois." in case


def test_the_queue_runs_constant_queries(app, users, moderator, thread):
    moderation = _moderator_client(app, moderator)
    louis = users["louis"]
    db.session.add(ForumReport(thread_id=thread.id, reporter_id=louis.id, reason="Hors sujet"))
    db.session.commit()
    before = count_queries(moderation, "/agent/forum/")
    for index in range(5):
        other = make_thread(
            users["camille"], title=f"Autre question numéro {index}", answers=[(louis, ANSWER_TEXT)]
        )
        db.session.add(ForumReport(thread_id=other.id, reporter_id=louis.id, reason="Autre"))
        db.session.add(
            ForumReport(thread_id=other.id, post_id=other.posts[0].id, reporter_id=louis.id, reason="Autre")
        )
    db.session.commit()
    assert count_queries(moderation, "/agent/forum/") == before
    assert "Autre question numéro 4" in moderation.get("/agent/forum/").get_data(as_text=True)


def test_demo_reports_are_idempotent_and_need_threads(users):
    from app.services.demo import LOUIS_NIR
    from app.services.forum_moderation import load_reports_demo

    assert load_reports_demo(LOUIS_NIR) == 0
    first = make_thread(users["camille"], answers=[(users["louis"], ANSWER_TEXT)])
    make_thread(users["camille"], title="Une deuxième question de démonstration", answers=[])
    assert load_reports_demo(LOUIS_NIR) == 2
    assert load_reports_demo(LOUIS_NIR) == 0
    reports = db.session.scalars(sa.select(ForumReport).order_by(ForumReport.id)).all()
    assert [report.status for report in reports] == ["ouvert", "ouvert"]
    assert reports[0].thread_id == first.id
