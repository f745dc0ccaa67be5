"""Writing in the forum: the pseudonym, asking (sanitised, personal data held back), answering
(official answers of agents), votes, the accepted answer, edits within 30 minutes with their
history, notifications, rate limits, sign-in and CSRF."""

from __future__ import annotations

import html as html_lib
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import ForumEdit, ForumPost, ForumThread, ForumVote, Notification
from app.models.base import utcnow
from app.services import forum_write as service
from tests.conftest import PASSWORD, count_queries, csrf_token, login, login_employer, make_person

ASK = "/forum/nouvelle-question"
PSEUDONYM = "/forum/pseudonyme"
QUESTION = (
    "Bonjour,\n\nComment **commander** une nouvelle carte Vitale après un vol ?\n- en ligne\n- par courrier"
)
NIR_TEXT = "Bonjour, voici mon numéro 2 95 06 75 056 123 49 : où en est ma carte Vitale ?"


def client_text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def thread_url(thread_id: int) -> str:
    return f"/forum/sujet/{thread_id}"


def threads() -> list[ForumThread]:
    return list(db.session.scalars(sa.select(ForumThread).order_by(ForumThread.id)))


def posts() -> list[ForumPost]:
    return list(db.session.scalars(sa.select(ForumPost).order_by(ForumPost.id)))


def notifications(user) -> list[Notification]:
    return list(
        db.session.scalars(
            sa.select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
        )
    )


@pytest.fixture
def pseudonyms(users):
    users["camille"].pseudonym = "Lune44"
    users["louis"].pseudonym = "Parisien-75"
    db.session.commit()
    return users


@pytest.fixture
def camille_client(client, pseudonyms):
    login(client, pseudonyms["camille"])
    return client


@pytest.fixture
def louis_client(app, pseudonyms):
    other = app.test_client()
    login(other, pseudonyms["louis"])
    return other


@pytest.fixture
def question(pseudonyms):
    thread = service.ask(pseudonyms["camille"], "carte-vitale", "Carte Vitale volée : que faire ?", QUESTION)
    db.session.commit()
    return thread


def ask(client, **data):
    form = {
        "csrf_token": csrf_token(client, ASK),
        "categorie": "carte-vitale",
        "titre": "Carte Vitale volée : que faire ?",
        "question": QUESTION,
        **data,
    }
    return client.post(ASK, data=form)


def answer(client, thread_id: int, text: str):
    token = csrf_token(client, thread_url(thread_id))
    return client.post(f"/forum/sujet/{thread_id}/reponse", data={"csrf_token": token, "reponse": text})


# --- sign-in, pseudonym ------------------------------------------------------------------------


def test_writing_needs_an_account(client, question):
    for url in (ASK, PSEUDONYM, f"/forum/sujet/{question.id}/modifier"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/connexion"), url
    response = client.post(f"/forum/sujet/{question.id}/reponse", data={"reponse": "x" * 30})
    assert response.status_code in (302, 400)
    assert posts() == []


def test_the_pseudonym_comes_first(client, users):
    users["louis"].pseudonym = "Bernard-fan"  # taken (case-insensitive check)
    db.session.commit()
    login(client, users["camille"])
    response = client.get(ASK)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/forum/pseudonyme?next=")
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    token = csrf_token(client, PSEUDONYM)
    refused = {
        "ab": "de 3 à 30 caractères",
        "x" * 31: "de 3 à 30 caractères",
        "Lune 44": "que des lettres sans accent",
        "Lune<b>": "que des lettres sans accent",
        "CamilleDu44": "ni votre nom",
        "martin_44": "ni votre nom",
        "bernard-FAN": "déjà pris",
    }
    for value, message in refused.items():
        response = client.post(PSEUDONYM, data={"csrf_token": token, "pseudonyme": value, "next": ASK})
        html = response.get_data(as_text=True)
        assert response.status_code == 422, value
        assert message in html, value
        assert "<title>Erreur : " in html
    response = client.post(PSEUDONYM, data={"csrf_token": token, "pseudonyme": "Lune44", "next": ASK})
    assert response.status_code == 302
    assert response.headers["Location"] == ASK
    db.session.refresh(users["camille"])
    assert users["camille"].pseudonym == "Lune44"
    assert client.get(ASK).status_code == 200
    # An address off the site is never followed.
    response = client.post(
        PSEUDONYM, data={"csrf_token": token, "pseudonyme": "Lune44", "next": "//evil.example/x"}
    )
    assert response.headers["Location"] == ASK


# --- asking ------------------------------------------------------------------------------------


def test_ask_page(camille_client):
    response = camille_client.get(ASK)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "Lune44" in html
    assert "Carte Vitale" in html  # the categories
    assert 'hx-get="/forum/similaires"' in html  # "questions similaires" while typing the title
    assert 'hx-target="#similaires"' in html
    assert 'id="similaires"' in html


def test_a_question_is_published_sanitised(camille_client):
    evil = "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\nVoir https://www.ameli.fr"
    response = ask(camille_client, question=QUESTION + "\n\n" + evil)
    (thread,) = threads()
    assert response.status_code == 302
    assert response.headers["Location"] == thread_url(thread.id)
    assert thread.category == "carte-vitale"
    assert thread.author_id is not None
    assert "<script" not in thread.body_html
    assert "<img" not in thread.body_html
    assert "<strong>commander</strong>" in thread.body_html
    assert "<ul><li>en ligne</li><li>par courrier</li></ul>" in thread.body_html
    assert 'rel="noopener nofollow ugc"' in thread.body_html
    assert thread.body_text.startswith("Bonjour,")
    assert "Carte Vitale volée" in thread.search_words
    page = camille_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_a_nir_is_held_back_with_the_explanation(camille_client):
    response = ask(camille_client, question=NIR_TEXT)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "ce qui ressemble à un numéro de sécurité sociale" in html
    assert "Le forum est public" in html
    assert "<title>Erreur : " in html
    assert "voici mon numéro 2 95 06 75 056 123 49" in html  # what was typed is kept
    assert "Carte Vitale volée : que faire ?" in html
    assert threads() == []
    for title, text, expected in (
        ("Un IBAN FR76 3000 6000 0112 3456 7890 189", QUESTION, "IBAN"),
        ("Carte Vitale volée : que faire ?", QUESTION + " camille@example.org", "adresse e-mail"),
        ("Carte Vitale volée : que faire ?", QUESTION + " 06 12 34 56 78", "numéro de téléphone"),
    ):
        response = ask(camille_client, titre=title, question=text)
        assert response.status_code == 422
        assert expected in response.get_data(as_text=True)
    assert threads() == []


def test_ask_bad_input(camille_client):
    response = ask(camille_client, categorie="inconnue", titre="court", question="trop court")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Le titre fait de 10 à 150 caractères." in html
    assert "Le texte fait de 20 à 5 000 caractères." in html
    response = ask(camille_client, categorie="")
    assert response.status_code == 422
    assert "Choisissez une catégorie." in response.get_data(as_text=True)
    assert threads() == []


def test_csrf_is_required(camille_client, question):
    data = {"categorie": "carte-vitale", "titre": "Carte Vitale volée : que faire ?", "question": QUESTION}
    assert camille_client.post(ASK, data=data).status_code in (400, 422)
    url = f"/forum/sujet/{question.id}/reponse"
    assert camille_client.post(url, data={"reponse": "Une réponse assez longue."}).status_code in (400, 422)
    assert threads() == [question]
    assert posts() == []


def test_an_employer_cannot_write(client, employers):
    login_employer(client, next(iter(employers.values())))
    assert client.get(ASK).status_code == 403
    assert client.get(PSEUDONYM).status_code == 403


# --- answers, official answers, accepting, notifications -------------------------------------


def test_the_whole_life_of_a_question(camille_client, louis_client, agent_client, question, pseudonyms):
    camille, louis, agent = pseudonyms["camille"], pseudonyms["louis"], pseudonyms["agent44"]
    # Louis answers: Camille is notified.
    response = answer(louis_client, question.id, "Faites une déclaration de vol puis commandez-la en ligne.")
    assert response.status_code == 302
    assert response.headers["Location"] == thread_url(question.id)
    (louis_post,) = posts()
    assert louis_post.official is False
    assert louis_post.caisse_id is None
    db.session.refresh(question)
    assert question.answer_count == 1
    assert "déclaration de vol" in question.search_words
    (note,) = notifications(camille)
    assert note.kind == "forum"
    assert note.title == "Nouvelle réponse à votre question"
    assert note.url == thread_url(question.id)
    # agent44 gives the official answer, without a pseudonym.
    assert agent.pseudonym is None
    response = answer(
        agent_client, question.id, "Bonjour, commandez-la depuis votre compte, rubrique Carte Vitale."
    )
    assert response.status_code == 302
    official = posts()[-1]
    assert official.official is True
    assert official.caisse_id == agent.caisse_id
    assert len(notifications(camille)) == 2
    page = camille_client.get(thread_url(question.id)).get_data(as_text=True)
    assert "Réponse officielle" in page
    assert "CPAM de la Loire-Atlantique" in page
    assert "Cette réponse a résolu ma question" in page
    # Camille answers her own question: no notification for herself.
    answer(camille_client, question.id, "Merci à vous deux, je fais comme ça.")
    assert len(notifications(camille)) == 2
    db.session.refresh(question)
    assert question.answer_count == 3
    # Only the author accepts.
    url = f"/forum/sujet/{question.id}/accepter/{official.id}"
    assert (
        louis_client.post(
            url, data={"csrf_token": csrf_token(louis_client, thread_url(question.id))}
        ).status_code
        == 403
    )
    response = camille_client.post(
        url, data={"csrf_token": csrf_token(camille_client, thread_url(question.id))}
    )
    assert response.status_code == 302
    db.session.refresh(question)
    assert question.accepted_post_id == official.id
    (retained,) = notifications(agent)
    assert retained.title == "Votre réponse a été retenue"
    assert notifications(louis) == []


def test_an_answer_with_personal_data_is_held_back(louis_client, question):
    response = answer(louis_client, question.id, "Appelez-moi au 06 12 34 56 78 pour en parler.")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "numéro de téléphone" in html
    assert "Appelez-moi au 06 12 34 56 78 pour en parler." in html
    assert posts() == []


def test_no_answer_on_a_locked_thread(louis_client, question):
    question.locked_at = utcnow()
    db.session.commit()
    response = answer(louis_client, question.id, "Une réponse qui arrive trop tard.")
    assert response.status_code == 302
    assert posts() == []
    page = louis_client.get(thread_url(question.id)).get_data(as_text=True)
    assert "verrouillée" in page


def test_answering_needs_a_pseudonym(app, users, question):
    users["louis"].pseudonym = None
    db.session.commit()
    other = app.test_client()
    login(other, users["louis"])
    token = csrf_token(other, thread_url(question.id))
    response = other.post(
        f"/forum/sujet/{question.id}/reponse", data={"csrf_token": token, "reponse": "x" * 30}
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/forum/pseudonyme?next=")
    assert posts() == []


def test_votes(camille_client, louis_client, pseudonyms, question):
    post = service.answer(
        pseudonyms["louis"], question, "Une réponse utile, je pense.", thread_url(question.id)
    )
    db.session.commit()
    url = f"/forum/reponses/{post.id}/vote"
    token = csrf_token(louis_client, thread_url(question.id))
    louis_client.post(url, data={"csrf_token": token})
    assert "propre réponse" in louis_client.get(thread_url(question.id)).get_data(as_text=True)
    token = csrf_token(camille_client, thread_url(question.id))
    assert camille_client.post(url, data={"csrf_token": token}).status_code == 302
    camille_client.post(url, data={"csrf_token": token})
    assert "Vous avez déjà voté." in camille_client.get(thread_url(question.id)).get_data(as_text=True)
    db.session.refresh(post)
    assert post.score == 1
    assert db.session.scalar(sa.select(sa.func.count(ForumVote.id))) == 1
    assert camille_client.post(url).status_code == 400  # CSRF


# --- edits -------------------------------------------------------------------------------------


def test_edit_within_the_window_keeps_the_history(camille_client, question):
    url = f"/forum/sujet/{question.id}/modifier"
    page = camille_client.get(url)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert "Comment **commander**" in page.get_data(as_text=True)
    token = csrf_token(camille_client, url)
    response = camille_client.post(
        url, data={"csrf_token": token, "titre": "Carte Vitale", "texte": NIR_TEXT}
    )
    assert response.status_code == 422
    assert "numéro de sécurité sociale" in response.get_data(as_text=True)
    new_text = "Ma carte Vitale a été volée hier : comment en commander une autre ?"
    response = camille_client.post(
        url, data={"csrf_token": token, "titre": "Carte Vitale volée hier", "texte": new_text}
    )
    assert response.status_code == 302
    db.session.refresh(question)
    assert question.title == "Carte Vitale volée hier"
    assert question.body_text == new_text
    assert question.edited_at is not None
    assert "volée hier" in question.search_words
    (edit,) = db.session.scalars(sa.select(ForumEdit))
    assert edit.previous_title == "Carte Vitale volée : que faire ?"
    assert "<strong>commander</strong>" in edit.previous_body_html
    assert edit.post_id is None
    # Readers see that it was edited, and every earlier version.
    thread_page = html_lib.unescape(client_text(camille_client, thread_url(question.id)))
    assert f'href="/forum/sujet/{question.id}/versions">modifiée' in thread_page
    anonymous = camille_client.application.test_client()
    history = anonymous.get(f"/forum/sujet/{question.id}/versions")
    assert history.status_code == 200
    page = html_lib.unescape(history.get_data(as_text=True))
    assert page.index("Carte Vitale volée hier") < page.index("Version d'origine")
    assert "Carte Vitale volée : que faire ?" in page
    assert "<strong>commander</strong>" in page
    fragment = anonymous.get(f"/forum/sujet/{question.id}/versions", headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True)


def test_edit_of_an_answer_and_after_the_window(camille_client, louis_client, pseudonyms, question):
    post = service.answer(
        pseudonyms["louis"], question, "Première version de ma réponse.", thread_url(question.id)
    )
    db.session.commit()
    url = f"/forum/reponses/{post.id}/modifier"
    # Not the author: refused.
    response = camille_client.get(url)
    assert response.status_code == 302
    assert "Seul l&#39;auteur" in camille_client.get(thread_url(question.id)).get_data(as_text=True)
    token = csrf_token(louis_client, url)
    response = louis_client.post(url, data={"csrf_token": token, "texte": "Deuxième version de ma réponse."})
    assert response.status_code == 302
    db.session.refresh(post)
    assert post.body_text == "Deuxième version de ma réponse."
    assert post.edited_at is not None
    (edit,) = db.session.scalars(sa.select(ForumEdit))
    assert edit.post_id == post.id
    assert edit.previous_body_html == "<p>Première version de ma réponse.</p>"
    versions_url = f"/forum/sujet/{question.id}/reponses/{post.id}/versions"
    assert versions_url in client_text(camille_client, thread_url(question.id))
    history = client_text(camille_client, versions_url)
    assert history.index("Deuxième version") < history.index("Première version de ma réponse.")
    # An answer through another thread's address, an unknown one: 404.
    other = service.ask(pseudonyms["louis"], "carte-vitale", "Une autre question ici", QUESTION)
    db.session.commit()
    assert camille_client.get(f"/forum/sujet/{other.id}/reponses/{post.id}/versions").status_code == 404
    assert camille_client.get(f"/forum/sujet/{question.id}/reponses/999999/versions").status_code == 404
    # A hidden answer's versions are hidden too, except from its author.
    post.hidden_at = utcnow()
    db.session.commit()
    assert camille_client.get(versions_url).status_code == 404
    assert louis_client.get(versions_url).status_code == 200
    post.hidden_at = None
    db.session.commit()
    # 31 minutes later: too late.
    post.created_at = utcnow() - timedelta(minutes=31)
    question.created_at = utcnow() - timedelta(minutes=31)
    db.session.commit()
    response = louis_client.post(url, data={"csrf_token": token, "texte": "Troisième version de ma réponse."})
    assert response.status_code == 302
    assert "30 minutes" in louis_client.get(thread_url(question.id)).get_data(as_text=True)
    db.session.refresh(post)
    assert post.body_text == "Deuxième version de ma réponse."
    assert camille_client.get(f"/forum/sujet/{question.id}/modifier").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(ForumEdit.id))) == 1


# --- rate limits -------------------------------------------------------------------------------


def test_rate_limits(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True)
    with app.app_context():
        from app.models import Caisse
        from app.services.accounts import create_assure_account
        from app.services.caisses import sync_caisses

        sync_caisses()
        nantes = db.session.scalar(sa.select(Caisse).where(Caisse.key == "cpam-de-la-loire-atlantique"))
        person = make_person(nantes, "295067505612349", "Camille", "Martin", date(1995, 6, 12))
        user = create_assure_account(person, PASSWORD, "camille@example.org")
        user.pseudonym = "Lune44"
        db.session.commit()
        client = app.test_client()
        login(client, user)
        assert ask(client, question=NIR_TEXT).status_code == 422  # a refused question does not count
        statuses = [ask(client, titre=f"Question numéro {n} du jour").status_code for n in range(6)]
        assert statuses == [302] * 5 + [429]
        assert len(threads()) == 5
        thread = threads()[0]
        replies = [
            answer(client, thread.id, f"Réponse numéro {n} à la question.").status_code for n in range(31)
        ]
        assert replies == [302] * 30 + [429]


def test_the_actions_add_no_query_per_answer(camille_client, pseudonyms, question):
    def add_answers(count: int) -> None:
        for n in range(count):
            service.answer(pseudonyms["louis"], question, f"Réponse numéro {n} à la question.", "/")
        db.session.commit()

    add_answers(1)
    before = count_queries(camille_client, thread_url(question.id))
    add_answers(5)
    html = camille_client.get(thread_url(question.id)).get_data(as_text=True)
    assert html.count("Cette réponse a résolu ma question") == 6
    assert count_queries(camille_client, thread_url(question.id)) == before
