"""Reading the forum: its home, a category, a thread (hidden items, official and accepted answers),
the full-text search with escaped highlights, the "questions similaires" fragment, constant queries,
the widget's old address and the demo threads."""

from __future__ import annotations

from datetime import timedelta
from html import escape

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import ForumPost, ForumThread, User
from app.models.base import utcnow
from app.services.forum_common import refresh_search_words
from tests.conftest import HX, count_queries, login


@pytest.fixture
def writers(users) -> dict[str, User]:
    users["camille"].pseudonym = "Camomille"
    users["louis"].pseudonym = "LouisB"
    db.session.commit()
    return users


def make_thread(
    author: User,
    title: str = "Combien de temps pour un remboursement ?",
    question: str = "J'ai payé une consultation, quand serai-je remboursée ?",
    category: str = "remboursements",
    answers: tuple[tuple[User, str], ...] = (),
    official: tuple[User, str] | None = None,
    minutes_ago: int = 0,
) -> ForumThread:
    when = utcnow() - timedelta(minutes=minutes_ago)
    thread = ForumThread(
        category=category,
        title=title,
        body_html=f"<p>{escape(question)}</p>",
        body_text=question,
        author_id=author.id,
        created_at=when,
        last_activity_at=when,
    )
    db.session.add(thread)
    db.session.flush()
    for writer, text in answers:
        html = f"<p>{escape(text)}</p>"
        thread.posts.append(ForumPost(author_id=writer.id, body_html=html, body_text=text))
    if official:
        agent, text = official
        thread.posts.append(
            ForumPost(
                author_id=agent.id,
                body_html=f"<p>{escape(text)}</p>",
                body_text=text,
                official=True,
                caisse_id=agent.caisse_id,
            )
        )
    thread.answer_count = len(thread.posts)
    db.session.flush()
    refresh_search_words(thread)
    db.session.commit()
    return thread


def many_threads(author: User, count: int, category: str = "remboursements") -> None:
    for number in range(count):
        make_thread(
            author,
            title=f"Question numéro {number} sur les remboursements",
            category=category,
            answers=((author, f"Réponse {number} avec le mot papillon"),),
            minutes_ago=number + 10,
        )


def test_index_lists_categories_with_counts_and_latest_threads(client, writers):
    make_thread(writers["camille"], answers=((writers["louis"], "Une semaine environ."),))
    make_thread(writers["louis"], title="Ma carte Vitale est perdue, que faire ?", category="carte-vitale")
    hidden = make_thread(writers["louis"], title="Sujet masqué par la modération", category="carte-vitale")
    hidden.hidden_at = utcnow()
    db.session.commit()
    response = client.get("/forum/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert "Combien de temps pour un remboursement ?" in html
    assert "Ma carte Vitale est perdue, que faire ?" in html
    assert "Sujet masqué" not in html
    assert "par Camomille" in html
    assert "1 réponse" in html
    assert html.count("1 sujet<") == 2  # Remboursements and Carte Vitale: the hidden one is not counted
    assert 'href="/forum/categorie/remboursements"' in html
    assert 'aria-current="page"' in html
    fragment = client.get("/forum/", headers=HX).get_data(as_text=True)
    assert "<html" not in fragment
    assert "Derniers sujets" in fragment


def test_resolved_threads_are_marked(client, writers):
    thread = make_thread(writers["camille"], answers=((writers["louis"], "Une semaine environ."),))
    thread.accepted_post_id = thread.posts[0].id
    db.session.commit()
    assert "Résolu" in client.get("/forum/").get_data(as_text=True)


def test_index_category_and_search_run_constant_queries(client, writers):
    make_thread(writers["camille"], answers=((writers["louis"], "Le mot papillon."),))
    urls = ["/forum/", "/forum/categorie/remboursements", "/forum/recherche?q=papillon"]
    before = {url: count_queries(client, url) for url in urls}
    fragment = count_queries(client, "/forum/recherche?q=papillon&partiel=1", HX)
    many_threads(writers["louis"], 25)
    after = {url: count_queries(client, url) for url in urls}
    assert after == before
    assert count_queries(client, "/forum/recherche?q=papillon&partiel=1", HX) == fragment


def test_thread_page_runs_constant_queries(client, writers, users):
    thread = make_thread(writers["camille"], answers=((writers["louis"], "Une semaine."),))
    url = f"/forum/sujet/{thread.id}"
    before = count_queries(client, url)
    for number in range(6):
        writer = writers["louis"] if number % 2 else writers["camille"]
        thread.posts.append(ForumPost(author_id=writer.id, body_html="<p>Encore</p>", body_text="Encore"))
    thread.posts.append(
        ForumPost(
            author_id=users["agent75"].id,
            body_html="<p>Officiel</p>",
            body_text="Officiel",
            official=True,
            caisse_id=users["agent75"].caisse_id,
        )
    )
    db.session.commit()
    assert count_queries(client, url) == before


def test_category_page_paginates_newest_first(client, writers):
    many_threads(writers["louis"], 25)
    make_thread(writers["camille"], title="Une autre catégorie : la C2S", category="c2s")
    html = client.get("/forum/categorie/remboursements").get_data(as_text=True)
    assert "25 sujets, page 1 sur 2" in html
    assert html.index("Question numéro 0 ") < html.index("Question numéro 1 ")
    assert "Question numéro 24 " not in html
    assert "la C2S" not in html
    assert 'href="/forum/categorie/remboursements?page=2"' in html
    second = client.get("/forum/categorie/remboursements?page=2").get_data(as_text=True)
    assert "Question numéro 24 " in second
    assert client.get("/forum/categorie/remboursements?page=zzz").status_code == 200


def test_unknown_category_is_404(client):
    assert client.get("/forum/categorie/inconnue").status_code == 404


def test_thread_page_shows_answers_official_and_accepted(client, writers, users):
    thread = make_thread(
        writers["camille"],
        answers=((writers["louis"], "Une semaine avec la carte Vitale."),),
        official=(users["agent44"], "Le virement part en cinq jours ouvrés."),
    )
    thread.accepted_post_id = thread.posts[1].id
    db.session.commit()
    response = client.get(f"/forum/sujet/{thread.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert "Question de Camomille" in html
    assert "LouisB" in html
    assert "Réponse officielle — CPAM de la Loire-Atlantique" in html
    assert "Agent 44" not in html
    assert "Martin" not in html
    assert "Réponse qui a résolu la question" in html
    assert html.index("Une semaine avec") < html.index("Le virement part")
    assert 'href="/forum/categorie/remboursements"' in html
    fragment = client.get(f"/forum/sujet/{thread.id}", headers=HX).get_data(as_text=True)
    assert "<html" not in fragment
    assert "Le virement part" in fragment


def test_unknown_thread_is_404(client):
    assert client.get("/forum/sujet/999999").status_code == 404


def test_hidden_thread_is_404_to_others_but_shown_to_its_author(app, client, writers):
    thread = make_thread(writers["camille"], question="Une question masquée par la modération ici.")
    thread.hidden_at = utcnow()
    thread.hidden_reason = "Hors sujet"
    db.session.commit()
    url = f"/forum/sujet/{thread.id}"
    assert client.get(url).status_code == 404
    login(client, writers["louis"])
    assert client.get(url).status_code == 404
    author = app.test_client()
    login(author, writers["camille"])
    response = author.get(url)
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    assert "Une question masquée" in response.get_data(as_text=True)


def test_hidden_answer_shows_only_a_notice_to_others(client, writers):
    thread = make_thread(
        writers["camille"],
        answers=((writers["louis"], "Un texte que la modération a masqué."), (writers["camille"], "Merci !")),
    )
    thread.posts[0].hidden_at = utcnow()
    thread.posts[0].hidden_reason = "Propos déplacés"
    db.session.commit()
    html = client.get(f"/forum/sujet/{thread.id}").get_data(as_text=True)
    assert "Message masqué par la modération" in html
    assert "Un texte que la modération a masqué." not in html
    assert "Merci !" in html


def test_search_finds_a_thread_by_a_word_of_an_answer(client, writers, users):
    make_thread(
        writers["camille"],
        title="Question sur ma carte",
        question="Je voudrais savoir quoi faire.",
        official=(users["agent44"], "Commandez un duplicata depuis votre compte."),
    )
    make_thread(writers["louis"], title="Rien à voir", question="Une autre question sans rapport.")
    response = client.get("/forum/recherche?q=duplicata")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "1 sujet pour « duplicata »" in html
    assert "Question sur ma carte" in html
    assert "<mark>duplicata</mark>" in html
    assert "Rien à voir" not in html
    fragment = client.get("/forum/recherche?q=duplicata&partiel=1", headers=HX)
    text = fragment.get_data(as_text=True)
    assert fragment.status_code == 200
    assert "<h1" not in text
    assert "<mark>duplicata</mark>" in text


def test_search_excludes_hidden_threads(client, writers):
    thread = make_thread(writers["camille"], question="Le mot kangourou est ici, masqué.")
    thread.hidden_at = utcnow()
    db.session.commit()
    html = client.get("/forum/recherche?q=kangourou").get_data(as_text=True)
    assert "Aucune question ne correspond" in html


def test_search_highlights_are_escaped(client, writers):
    make_thread(
        writers["camille"],
        title="Une question piégée",
        question='Texte <script>alert("x")</script> girafe <img src=x onerror=alert(1)> fin.',
    )
    html = client.get("/forum/recherche?q=girafe").get_data(as_text=True)
    assert "Une question piégée" in html
    assert "<mark>girafe</mark>" in html
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;img src=x" in html or "&lt;script&gt;" in html  # the extract around the word, escaped


@pytest.mark.parametrize("query", ['"', "' OR 1=1 --", "NEAR(a b)", "a* AND -b", "*", "()"])
def test_search_with_syntax_characters_never_fails(client, writers, query):
    make_thread(writers["camille"])
    assert client.get("/forum/recherche", query_string={"q": query}).status_code == 200


def test_empty_and_too_long_queries(client):
    empty = client.get("/forum/recherche?q=")
    assert empty.status_code == 200
    assert "Tapez un ou plusieurs mots" in empty.get_data(as_text=True)
    long = client.get("/forum/recherche", query_string={"q": "mot " * 60})
    html = long.get_data(as_text=True)
    assert long.status_code == 422
    assert "Votre recherche est trop longue : 200 caractères au plus." in html
    assert "<title>Erreur : " in html


def test_search_paginates(client, writers):
    many_threads(writers["louis"], 25)
    html = client.get("/forum/recherche?q=papillon").get_data(as_text=True)
    assert "25 sujets pour « papillon », page 1 sur 2" in html
    assert 'href="/forum/recherche?page=2&amp;q=papillon"' in html


def test_similar_questions_fragment(client, writers):
    make_thread(writers["camille"], title="Ma carte Vitale est perdue, que faire ?", category="carte-vitale")
    make_thread(writers["louis"], title="Indemnités journalières : quand sont-elles versées ?")
    title = {"titre": "J'ai perdu ma carte vitale"}
    response = client.get("/forum/similaires", query_string=title, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Questions similaires" in html
    assert "Ma carte Vitale est perdue" in html
    assert "Indemnités" not in html
    assert "<html" not in html
    assert client.get("/forum/similaires?titre=", headers=HX).get_data(as_text=True).strip() == ""
    assert client.get("/forum/similaires?titre=le+la+de", headers=HX).get_data(as_text=True).strip() == ""


def test_similar_questions_are_at_most_five(client, writers):
    for number in range(7):
        make_thread(writers["camille"], title=f"Carte Vitale perdue, cas numéro {number}")
    html = client.get("/forum/similaires?titre=carte+vitale", headers=HX).get_data(as_text=True)
    assert html.count("<li>") == 5


def test_widget_forum_address_redirects_permanently(client):
    response = client.get("/forum")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/forum/")


def test_demo_forum_is_realistic_and_idempotent(app, users):
    from app.services.demo_forum import load_forum_demo
    from tests.conftest import make_person

    nantes = users["agent44"].caisse
    for number in range(8):
        make_person(nantes, f"1900175056{number:03d}", f"Prénom{number}", "Demo", utcnow().date())
    added = load_forum_demo("Macaisse-Demo-2026", threads=60)
    assert added == 60
    assert load_forum_demo("Macaisse-Demo-2026", threads=60) == 0
    writers = db.session.scalars(sa.select(User).where(User.pseudonym.is_not(None))).all()
    assert len(writers) == 8
    assert all(user.email is None for user in writers)
    official = db.session.scalars(sa.select(ForumPost).where(ForumPost.official.is_(True))).all()
    assert official
    assert {post.caisse_id for post in official} == {nantes.id}
    assert db.session.scalar(sa.select(sa.func.count()).where(ForumThread.accepted_post_id.is_not(None)))
    assert db.session.scalar(sa.select(sa.func.count()).where(ForumThread.search_words == "")) == 0
