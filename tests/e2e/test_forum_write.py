"""Writing in the forum in a browser: Camille picks a pseudonym and asks a question (a NIR is held
back first), another member answers, agent44 gives the official answer, Camille accepts it."""

from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from app.extensions import db
from app.models import ForumPost, ForumThread, Person, User
from app.services import forum_write as service
from tests.e2e.conftest import assert_accessible
from tests.e2e.test_identity import staff_sign_in
from tests.e2e.test_passkeys import NIR, sign_in_with_password

TITLE = "Carte Vitale perdue en vacances : que faire ?"
QUESTION = "Bonjour,\n\nJ'ai perdu ma carte Vitale pendant mes vacances. Comment en **commander** une autre ?"


def another_member_answers(live_server, thread_id: int) -> None:
    """A second assuré of the demo answers, through the service (no e2e sign-in for them)."""
    with live_server.app.app_context():
        camille = db.session.scalar(sa.select(Person.id).where(Person.nir == NIR.replace(" ", "")))
        other = db.session.scalar(
            sa.select(User).where(User.role == "assure", User.person_id != camille).order_by(User.id).limit(1)
        )
        if not other.pseudonym:
            other.pseudonym = "Voisin-e2e"
        thread = db.session.get(ForumThread, thread_id)
        service.answer(other, thread, "Déclarez la perte puis commandez-la depuis votre compte.", "/")
        db.session.commit()
        db.session.remove()


def official_post_id(live_server, thread_id: int) -> int:
    with live_server.app.app_context():
        post_id = db.session.scalar(
            sa.select(ForumPost.id).where(ForumPost.thread_id == thread_id, ForumPost.official.is_(True))
        )
        db.session.remove()
    return post_id


def test_ask_answer_officially_and_accept(page: Page, browser: Browser, live_server):
    sign_in_with_password(page, live_server)
    page.goto(live_server.url + "/forum/nouvelle-question")
    if "/forum/pseudonyme" in page.url:
        expect(page.get_by_role("heading", level=1)).to_have_text("Votre pseudonyme sur le forum")
        assert_accessible(page)
        page.get_by_label("Votre pseudonyme", exact=True).fill("Camille")
        page.get_by_role("button", name="Enregistrer mon pseudonyme").click()
        expect(page.locator(".error-summary")).to_contain_text("votre prénom ni votre nom")
        assert_accessible(page)
        page.get_by_label("Votre pseudonyme", exact=True).fill("Lune-e2e")
        page.get_by_role("button", name="Enregistrer mon pseudonyme").click()
    expect(page).to_have_url(live_server.url + "/forum/nouvelle-question")
    expect(page.get_by_role("heading", level=1)).to_have_text("Poser une question")
    assert_accessible(page)

    # A NIR is held back, with the explanation; what was typed is kept.
    page.get_by_label("Catégorie").select_option(label="Carte Vitale")
    page.get_by_label("Titre de votre question").fill(TITLE)
    page.get_by_label("Votre question", exact=True).fill(QUESTION + "\nMon numéro : " + NIR)
    page.get_by_role("button", name="Publier ma question").click()
    expect(page.locator(".error-summary")).to_contain_text("ressemble à un numéro de sécurité sociale")
    expect(page.locator(".error-summary")).to_contain_text("Le forum est public")
    expect(page.get_by_label("Votre question", exact=True)).to_have_value(re.compile(re.escape(NIR)))
    expect(page.get_by_label("Titre de votre question")).to_have_value(TITLE)
    assert_accessible(page)

    page.get_by_label("Votre question", exact=True).fill(QUESTION + "\n<script>alert(1)</script>")
    page.get_by_role("button", name="Publier ma question").click()
    expect(page).to_have_url(re.compile(r"/forum/sujet/\d+$"))
    thread_id = int(page.url.rsplit("/", 1)[1])
    expect(page.locator("main")).to_contain_text("<script>alert(1)</script>")
    assert_accessible(page)

    another_member_answers(live_server, thread_id)

    # agent44 answers officially through the page.
    context = browser.new_context()
    agent = context.new_page()
    staff_sign_in(agent, live_server, "agent44")
    agent.goto(f"{live_server.url}/forum/sujet/{thread_id}")
    expect(agent.locator("main")).to_contain_text("Réponse officielle — CPAM de la Loire-Atlantique")
    agent.get_by_label("Votre réponse").fill(
        "Bonjour, déclarez la perte et commandez une nouvelle carte dans votre compte, rubrique Carte Vitale."
    )
    agent.get_by_role("button", name="Publier ma réponse").click()
    expect(agent.locator("main")).to_contain_text("Réponse officielle")
    expect(agent.locator("main")).to_contain_text("CPAM de la Loire-Atlantique")
    assert_accessible(agent)
    context.close()

    # Camille accepts the official answer.
    page.reload()
    expect(page.locator("main")).to_contain_text("Déclarez la perte")
    post_id = official_post_id(live_server, thread_id)
    page.get_by_role("button", name=f"Cette réponse a résolu ma question (réponse n° {post_id})").click()
    expect(page.locator(".flashes")).to_contain_text("Vous avez retenu cette réponse")
    assert_accessible(page)
