"""Forum moderation in real Chromium: the demo assurée reports a question, the demo moderator finds
it in the queue, opens the case and hides it with a reason. Axe on every page."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from app.extensions import db
from app.models import ForumThread, User
from app.services.demo import LOUIS_NIR
from app.services.forum_common import refresh_search_words
from tests.e2e.conftest import assert_accessible
from tests.e2e.test_identity import staff_sign_in
from tests.e2e.test_passkeys import sign_in_with_password

TITLE = "Achat de lunettes en ligne : quel remboursement ?"


@pytest.fixture
def reported(live_server) -> int:
    """A question of the demo assuré Louis, for the demo assurée to report."""
    with live_server.app.app_context():
        from app.models import Person

        louis = db.session.scalar(
            sa.select(User).join(Person, User.person_id == Person.id).where(Person.nir == LOUIS_NIR)
        )
        louis.pseudonym = louis.pseudonym or "Louis75"
        thread = ForumThread(
            category="remboursements",
            title=TITLE,
            body_html="<p>Visitez mon site de lunettes pas chères, code promo LUNETTES.</p>",
            body_text="Visitez mon site de lunettes pas chères, code promo LUNETTES.",
            author_id=louis.id,
        )
        db.session.add(thread)
        db.session.flush()
        refresh_search_words(thread)
        db.session.commit()
        thread_id = thread.id
        db.session.remove()
    return thread_id


def test_report_then_hide(page: Page, browser: Browser, live_server, reported):
    sign_in_with_password(page, live_server)
    page.goto(f"{live_server.url}/forum/signaler/{reported}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Signaler une question")
    assert_accessible(page)
    page.get_by_role("button", name="Envoyer le signalement").click()
    expect(page.locator(".error-summary")).to_contain_text("Choisissez la raison du signalement.")
    assert_accessible(page)
    page.get_by_label("Publicité ou spam").check()
    page.get_by_label("Précisions (facultatif)").fill("Un site commercial.")
    page.get_by_role("button", name="Envoyer le signalement").click()
    expect(page).to_have_url(re.compile(rf"/forum/sujet/{reported}$"))
    if "forum.thread" in live_server.app.view_functions:
        expect(page.locator("body")).to_contain_text(
            "Merci : votre signalement est transmis aux modérateurs."
        )

    context = browser.new_context()
    moderator = context.new_page()
    staff_sign_in(moderator, live_server, "moderateur")
    expect(moderator.get_by_role("row", name=re.compile("Signalements du forum"))).to_be_visible()
    moderator.get_by_role("link", name="Modération du forum").click()
    expect(moderator.get_by_role("heading", level=1)).to_have_text("Modération du forum")
    assert_accessible(moderator)
    moderator.get_by_role("link", name=f"Question — {TITLE}").click()
    expect(moderator.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(moderator.locator("main")).to_contain_text("Un site commercial.")
    assert_accessible(moderator)
    form = moderator.locator("form", has=moderator.get_by_role("button", name="Appliquer à la question"))
    form.get_by_label("Masquer le message").check()
    form.get_by_role("button", name="Appliquer à la question").click()
    expect(moderator.locator(".error-summary")).to_contain_text("Indiquez le motif")
    assert_accessible(moderator)
    form = moderator.locator("form", has=moderator.get_by_role("button", name="Appliquer à la question"))
    form.get_by_label("Masquer le message").check()
    form.get_by_label("Motif, affiché à l'auteur").fill("Publicité pour un site commercial.")
    form.get_by_role("button", name="Appliquer à la question").click()
    expect(moderator.locator("main")).to_contain_text("Le message est masqué ; son auteur est prévenu.")
    expect(moderator.get_by_role("heading", name=re.compile("La question"))).to_contain_text("Masquée")
    assert_accessible(moderator)
    moderator.get_by_role("link", name="Retour aux signalements").click()
    expect(moderator.get_by_role("link", name=f"Question — {TITLE}")).to_have_count(0)
    context.close()
