"""The back office's print queue: each caisse sees, prints and marks sent only its own letters."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from app.extensions import db
from app.models import AuditEvent, Letter
from app.models.base import utcnow
from app.services.accounts import create_staff
from app.services.letters import (
    letters_pdf,
    mark_sent,
    pending_count,
    pending_letters,
    queue_provisional_code_letter,
    sent_letters,
)
from tests.conftest import HX, PASSWORD, count_queries, csrf_token, login

PAGE = "/agent/courriers"
PDF = "/agent/courriers.pdf"
MARK = "/agent/courriers/envoyes"


def queue(person, code: str = "K7QM-3XPA") -> Letter:
    letter = queue_provisional_code_letter(person, code, date(2027, 1, 22), "sous 2 à 10 jours")
    db.session.commit()
    return letter


@pytest.fixture
def queued(users):
    """Two letters for Camille (Nantes), one for Louis (Paris)."""
    camille, louis = users["camille"].person, users["louis"].person
    return {
        "nantes": [queue(camille, "AAAA-2222"), queue(camille, "BBBB-3333")],
        "paris": [queue(louis, "CCCC-4444")],
    }


def sign_in(client, user) -> None:
    """Log in through the real forms. Staff sign in with an e-mail code and pass the verified
    e-mail gate, so they get a verified address if they have none."""
    if user.is_staff and not user.email_verified_at:
        user.email = user.email or f"{user.login}@example.org"
        user.email_verified_at = utcnow()
        db.session.commit()
    login(client, user)


def pdf_text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_queued_letter_holds_the_code_for_the_recipient_of_its_caisse(users, caisses):
    camille = users["camille"].person
    letter = queue(camille)
    assert letter.kind == "code_provisoire"
    assert letter.caisse_id == caisses["cpam-de-la-loire-atlantique"].id
    assert letter.sent_at is None
    pages, text = pdf_text(letter.pdf)
    assert pages == 1
    assert "Madame Camille MARTIN" in text
    assert "44000 NANTES" in text
    assert "K7QM-3XPA" in text
    assert "Nantes, le " in text


def test_agent_sees_only_her_caisse_queue(client, users, queued):
    sign_in(client, users["agent44"])
    response = client.get(PAGE)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "2 courriers en attente d'impression." in html
    assert html.count('name="letter_id"') == 2
    for letter in queued["nantes"]:
        assert f'id="courrier-{letter.id}"' in html
        assert f'<label for="courrier-{letter.id}">' in html
    assert f'value="{queued["paris"][0].id}"' not in html
    assert "C. M., 44000" in html
    assert "Martin" not in html  # initials and postal code only, never the name
    assert "75011" not in html
    assert "Télécharger les courriers à imprimer (PDF)" in html
    assert '<th scope="col">' in html
    assert "<caption" in html


def test_page_and_htmx_fragment(client, users, queued):
    sign_in(client, users["agent44"])
    page = client.get(PAGE)
    fragment = client.get(PAGE, headers=HX)
    assert "<html" in page.get_data(as_text=True)
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200
    assert "<html" not in html
    assert "<title>Courriers à imprimer – macaisse</title>" in html
    assert "2 courriers en attente d'impression." in html
    assert "HX-Request" in fragment.headers["Vary"]
    assert fragment.headers["Cache-Control"] == "no-store"


def test_agent_downloads_her_letters_as_one_pdf(client, users, queued):
    sign_in(client, users["agent44"])
    response = client.get(PDF)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert re.fullmatch(
        r'attachment; filename="courriers-\d{4}-\d{2}-\d{2}\.pdf"', response.headers["Content-Disposition"]
    )
    assert response.headers["Cache-Control"] == "no-store"
    pages, text = pdf_text(response.data)
    assert pages == 2
    assert "AAAA-2222" in text
    assert "BBBB-3333" in text
    assert "CCCC-4444" not in text
    assert "BERNARD" not in text


def test_download_link_prints_the_letters_listed_on_the_page(client, users, queued):
    sign_in(client, users["agent44"])
    html = client.get(PAGE).get_data(as_text=True)
    href = re.search(r'href="(/agent/courriers\.pdf\?[^"]+)"', html).group(1).replace("&amp;", "&")
    queue(users["camille"].person, "DDDD-5555")  # queued after the page was shown
    pages, text = pdf_text(client.get(href).data)
    assert pages == 2
    assert "DDDD-5555" not in text


def test_agent_marks_letters_sent_pdf_erased_and_audited(client, users, queued):
    agent = users["agent44"]
    sign_in(client, agent)
    ids = [letter.id for letter in queued["nantes"]]
    data = {"letter_id": [str(i) for i in ids], "csrf_token": csrf_token(client, PAGE)}
    response = client.post(MARK, data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == PAGE
    db.session.expire_all()
    for letter_id in ids:
        letter = db.session.get(Letter, letter_id)
        assert letter.pdf is None
        assert letter.sent_at is not None
        assert letter.sent_by_user_id == agent.id
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.kind == "letter_sent")).all()
    assert len(events) == 2
    assert {event.subject_person_id for event in events} == {users["camille"].person.id}
    assert {event.actor_user_id for event in events} == {agent.id}
    assert {event.detail for event in events} == {"courrier code provisoire"}
    html = client.get(PAGE).get_data(as_text=True)
    assert "2 courriers marqués comme envoyés." in html
    assert "Aucun courrier à imprimer" in html
    assert "Derniers courriers envoyés" in html
    assert "Agent 44" in html
    paris = db.session.get(Letter, queued["paris"][0].id)
    assert paris.pdf is not None
    assert paris.sent_at is None


def test_mark_sent_by_htmx_redirects_the_whole_page(client, users, queued):
    sign_in(client, users["agent44"])
    data = {"letter_id": str(queued["nantes"][0].id), "csrf_token": csrf_token(client, PAGE)}
    response = client.post(MARK, data=data, headers=HX)
    assert response.headers["HX-Redirect"] == PAGE
    assert "1 courrier marqué comme envoyé." in client.get(PAGE).get_data(as_text=True)


def test_other_caisse_cannot_download_or_mark_letters(client, users, queued):
    nantes_ids = [letter.id for letter in queued["nantes"]]
    sign_in(client, users["agent75"])
    html = client.get(PAGE).get_data(as_text=True)
    assert "1 courrier en attente d'impression." in html
    assert all(f'value="{i}"' not in html for i in nantes_ids)
    assert client.get(PDF, query_string={"id": nantes_ids}).status_code == 404
    pages, text = pdf_text(client.get(PDF).data)
    assert pages == 1
    assert "CCCC-4444" in text
    assert "AAAA-2222" not in text
    data = {"letter_id": [str(i) for i in nantes_ids], "csrf_token": csrf_token(client, PAGE)}
    response = client.post(MARK, data=data)
    assert response.status_code == 302
    assert "Aucun courrier marqué" in client.get(PAGE).get_data(as_text=True)
    db.session.expire_all()
    for letter_id in nantes_ids:
        letter = db.session.get(Letter, letter_id)
        assert letter.pdf is not None
        assert letter.sent_at is None
    assert (
        db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.kind == "letter_sent"))
        == 0
    )


def test_services_never_cross_caisses(users, caisses, queued):
    nantes = caisses["cpam-de-la-loire-atlantique"].id
    paris = caisses["cpam-de-paris"].id
    paris_ids = [letter.id for letter in queued["paris"]]
    assert pending_count(nantes) == 2
    assert [letter.id for letter in pending_letters(nantes)] == [letter.id for letter in queued["nantes"]]
    assert letters_pdf(nantes, paris_ids) == b""
    assert mark_sent(nantes, paris_ids, users["agent44"]) == 0
    assert pending_count(paris) == 1
    assert mark_sent(paris, paris_ids, users["agent75"]) == 1
    assert mark_sent(paris, paris_ids, users["agent75"]) == 0  # already sent
    assert [row.sent_by for row in sent_letters(paris)] == ["Agent 75"]
    assert sent_letters(nantes) == []


def test_nothing_pending_gives_a_french_404(client, users):
    sign_in(client, users["agent44"])
    response = client.get(PDF)
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Aucun courrier à imprimer" in html
    assert "rien à imprimer" in html
    assert "Aucun courrier à imprimer" in client.get(PAGE).get_data(as_text=True)


@pytest.mark.parametrize("headers", [{}, HX])
def test_empty_selection_is_422_with_an_error_summary(client, users, queued, headers):
    sign_in(client, users["agent44"])
    response = client.post(MARK, data={"csrf_token": csrf_token(client, PAGE)}, headers=headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Il y a un problème" in html
    assert f'href="#courrier-{queued["nantes"][0].id}"' in html
    assert "Cochez au moins un courrier mis sous enveloppe." in html
    assert 'aria-describedby="courriers-error"' in html
    assert "Erreur : Courriers à imprimer" in html
    assert " checked" not in html  # what the agent sent is kept: nothing checked
    assert pending_count(queued["nantes"][0].caisse_id) == 2


def test_mark_sent_needs_the_csrf_token(client, users, queued):
    sign_in(client, users["agent44"])
    response = client.post(MARK, data={"letter_id": str(queued["nantes"][0].id)})
    assert response.status_code == 400
    assert pending_count(queued["nantes"][0].caisse_id) == 2


@pytest.mark.parametrize("url", [PAGE, PDF])
def test_anonymous_goes_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/connexion")


@pytest.mark.parametrize("url", [PAGE, PDF])
def test_assure_is_forbidden(client, users, queued, url):
    sign_in(client, users["camille"])
    assert client.get(url).status_code == 403


def test_staff_without_a_caisse_or_moderators_are_forbidden(client, caisses):
    admin = create_staff(
        "national", PASSWORD, "admin", None, "Administration nationale", "national@example.org"
    )
    sign_in(client, admin)
    assert client.get(PAGE).status_code == 403
    assert client.get(PDF).status_code == 403


def test_moderators_are_forbidden(client, caisses):
    moderator = create_staff(
        "modo", PASSWORD, "moderator", caisses["cpam-de-paris"].id, "Modération", "modo@example.org"
    )
    sign_in(client, moderator)
    assert client.get(PAGE).status_code == 403


def test_queue_page_queries_do_not_grow_with_the_letters(client, users, caisses):
    nantes = caisses["cpam-de-la-loire-atlantique"].id
    camille = users["camille"].person

    def add_letters(count: int) -> None:
        # Rows without a real PDF: only the listing is measured here.
        for _ in range(count):
            db.session.add(
                Letter(kind="code_provisoire", caisse_id=nantes, person_id=camille.id, pdf=b"%PDF")
            )
        db.session.commit()

    sign_in(client, users["agent44"])
    add_letters(2)
    with_two = count_queries(client, PAGE)
    mark_sent(nantes, [letter.id for letter in pending_letters(nantes)], users["agent44"])
    add_letters(30)
    with_thirty = count_queries(client, PAGE)
    assert pending_count(nantes) == 30
    assert with_thirty == with_two


def test_a_long_queue_is_printed_batch_by_batch(client, users, queued, monkeypatch):
    monkeypatch.setattr("app.services.letters.PRINT_BATCH", 2)
    queue(users["camille"].person, "DDDD-5555")
    sign_in(client, users["agent44"])
    html = client.get(PAGE).get_data(as_text=True)
    assert "3 courriers en attente d'impression." in html
    assert "Les 2 plus anciens forment le lot ci-dessous" in html
    assert html.count('name="letter_id"') == 2
    first, second = (letter.id for letter in queued["nantes"])
    assert f'href="/agent/courriers.pdf?id={first}&amp;id={second}"' in html
    pages, text = pdf_text(client.get(PDF, query_string={"id": [first, second]}).data)
    assert pages == 2
    assert "DDDD-5555" not in text
