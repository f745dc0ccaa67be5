"""Reading the forum in real Chromium, signed out: the home, a category, a demo thread (axe on
each), the search finding a thread by a word of an answer with its highlight, and the thread read
once opening again offline from the service worker's cache."""

from __future__ import annotations

import sqlalchemy as sa
from playwright.sync_api import BrowserContext, Page, expect

from app.extensions import db
from app.models import ForumPost, ForumThread
from tests.e2e.conftest import assert_accessible
from tests.e2e.test_offline import wait_until_controlled

WORD = "OPTAM"


def demo_thread(live_server) -> tuple[int, str]:
    """A visible demo thread with a community answer holding ``WORD`` (absent from its title)."""
    with live_server.app.app_context():
        row = db.session.execute(
            sa.select(ForumThread.id, ForumThread.title)
            .join(ForumPost, ForumPost.thread_id == ForumThread.id)
            .where(
                ForumPost.body_text.contains(WORD),
                ForumPost.official.is_(False),
                ForumPost.hidden_at.is_(None),
                ForumThread.hidden_at.is_(None),
            )
            .order_by(ForumThread.id)
            .limit(1)
        ).one()
        db.session.remove()
    assert WORD not in row.title
    return row.id, row.title


def test_read_search_and_reopen_offline(page: Page, context: BrowserContext, live_server):
    thread_id, title = demo_thread(live_server)
    page.goto(live_server.url + "/forum/")
    wait_until_controlled(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Forum")
    expect(page.get_by_role("heading", name="Derniers sujets")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Remboursements", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Remboursements")
    expect(page.locator(".forum-thread-item").first).to_be_visible()
    assert_accessible(page)

    thread_url = f"{live_server.url}/forum/sujet/{thread_id}"
    page.goto(thread_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_text(WORD).first).to_be_visible()
    expect(page.get_by_role("link", name="Connectez-vous")).to_be_visible()
    assert_accessible(page)

    page.goto(live_server.url + "/forum/")
    page.get_by_label("Rechercher dans les questions et les réponses").fill(WORD.lower())
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Recherche dans le forum")
    expect(page.get_by_role("link", name=title, exact=True)).to_be_visible()
    expect(page.locator("mark", has_text=WORD).first).to_be_visible()
    assert_accessible(page)

    context.set_offline(True)
    page.goto(thread_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_text(WORD).first).to_be_visible()
    context.set_offline(False)


def test_the_versions_of_an_edited_answer(page: Page, live_server):
    """An answer edited by its author: "modifiée" on the thread leads to every version, axe-clean."""
    from app.models import ForumEdit
    from app.models.base import utcnow

    with live_server.app.app_context():
        post = db.session.scalar(
            sa.select(ForumPost)
            .join(ForumThread, ForumThread.id == ForumPost.thread_id)
            .where(
                ForumPost.hidden_at.is_(None),
                ForumThread.hidden_at.is_(None),
                ForumPost.official.is_(False),
            )
            .order_by(ForumPost.id.desc())
            .limit(1)
        )
        db.session.add(
            ForumEdit(
                thread_id=post.thread_id,
                post_id=post.id,
                editor_id=post.author_id,
                previous_body_html="<p>Ma toute première version, avec une faute.</p>",
            )
        )
        post.edited_at = utcnow()
        db.session.commit()
        thread_id, post_id = post.thread_id, post.id
        db.session.remove()
    page.goto(f"{live_server.url}/forum/sujet/{thread_id}")
    page.locator(f"#reponse-{post_id}").get_by_role("link", name="modifiée").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Versions de la réponse n° {post_id}")
    expect(page.get_by_role("heading", name="Version d'origine", exact=False)).to_be_visible()
    expect(page.locator("main")).to_contain_text("Ma toute première version, avec une faute.")
    assert_accessible(page)
