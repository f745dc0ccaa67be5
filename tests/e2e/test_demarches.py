"""A démarche's life in real Chromium, whatever its kind: the demo assurée follows it, agent44 of her
caisse takes it, asks for a document she uploads, then accepts; the decision reaches her inbox and
its reading shows in the back office; agent75 of another caisse gets a 404. Axe on every page."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from app.extensions import db
from app.models import Person
from app.services import demarche_kinds
from app.services import demarches as service
from app.services.uploads import CheckedFile
from tests.e2e.conftest import assert_accessible
from tests.e2e.test_identity import staff_sign_in
from tests.e2e.test_passkeys import NIR, sign_in_with_password

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def filed(live_server, monkeypatch) -> int:
    """A démarche of the demo assurée, of a kind made inert for this test (its own effects are
    tested with the kind)."""
    monkeypatch.setitem(demarche_kinds._HANDLERS, "situation", demarche_kinds.KindHandler())
    with live_server.app.app_context():
        from app.models import User

        person = db.session.scalar(sa.select(Person).where(Person.nir == NIR.replace(" ", "")))
        user = db.session.scalar(sa.select(User).where(User.person_id == person.id))
        demarche = service.file_demarche(
            user,
            "situation",
            payload={},
            files=[("justificatif", CheckedFile("justificatif.pdf", "application/pdf", PDF))],
        )
        service.commit()
        demarche_id = demarche.id
        db.session.remove()
    return demarche_id


def test_follow_process_and_read_the_decision(page: Page, browser: Browser, live_server, filed, tmp_path):
    sign_in_with_password(page, live_server)
    page.get_by_role("link", name="Mes démarches").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes démarches")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(f"Changement de situation n° {filed}")).click()
    expect(page.locator("main")).to_contain_text("Reçue.")
    expect(page.locator("main")).to_contain_text("Traitement estimé le")
    assert_accessible(page)

    agent_context = browser.new_context()
    agent = agent_context.new_page()
    staff_sign_in(agent, live_server, "agent44")
    agent.get_by_role("link", name="Démarches à traiter").click()
    expect(agent.get_by_role("heading", level=1)).to_have_text("Démarches à traiter")
    assert_accessible(agent)
    agent.get_by_label("Type de démarche").select_option(label="Changement de situation")
    expect(agent).to_have_url(re.compile(r"type=situation"))
    agent.get_by_role("link", name=re.compile(f"n° {filed} ")).click()
    expect(agent.get_by_role("heading", level=1)).to_contain_text(f"Démarche n° {filed}")
    assert_accessible(agent)
    agent.get_by_role("button", name="Prendre en charge").click()
    expect(agent.locator(".flashes")).to_contain_text("Démarche prise en charge.")
    agent.get_by_label("Documents demandés (message envoyé à l'assuré)").fill(
        "Votre dernier bulletin de salaire."
    )
    agent.get_by_role("button", name="Demander un document").click()
    expect(agent.locator(".lead")).to_contain_text("Document demandé")

    page.reload()
    expect(page.locator(".notice")).to_contain_text("Votre dernier bulletin de salaire.")
    assert_accessible(page)
    # A renamed executable is refused in French, the message typed is kept.
    fake = tmp_path / "bulletin.pdf"
    fake.write_bytes(b"MZ\x90\x00" + b"\x00" * 200)
    page.get_by_label("Document (PDF, JPEG ou PNG, 5 Mo au plus)").set_input_files(str(fake))
    page.get_by_label("Message pour votre caisse (facultatif)").fill("Voici mon bulletin.")
    page.get_by_role("button", name="Envoyer à ma caisse").click()
    expect(page.get_by_role("alert")).to_contain_text("pas un PDF, JPEG ou PNG")
    expect(page).to_have_title(re.compile("^Erreur : "))
    expect(page.get_by_label("Message pour votre caisse (facultatif)")).to_have_value("Voici mon bulletin.")
    real = tmp_path / "bulletin-ok.pdf"
    real.write_bytes(PDF)
    page.get_by_label("Document (PDF, JPEG ou PNG, 5 Mo au plus)").set_input_files(str(real))
    page.get_by_role("button", name="Envoyer à ma caisse").click()
    expect(page.locator(".flashes")).to_contain_text("Vos documents sont envoyés à votre caisse.")
    expect(page.locator(".lead")).to_contain_text("En cours de traitement")

    agent.reload()
    expect(agent.locator("main")).to_contain_text("Document reçu")
    agent.get_by_role("button", name="Accepter").click()
    expect(agent.locator(".lead")).to_contain_text("Acceptée")
    expect(agent.locator("main")).to_contain_text("non lu")

    page.goto(live_server.url + "/compte/courriers/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes courriers")
    assert_accessible(page)
    # Newest first: other tests of this server may have left older decisions of the same kind.
    page.get_by_role("link", name=re.compile("Non lu Décision : Changement de situation")).first.click()
    expect(page.locator(".letter")).to_contain_text("est acceptée")
    assert_accessible(page)
    agent.reload()
    expect(agent.locator("main")).to_contain_text(re.compile(r"lu le \d"))

    other = browser.new_context()
    paris = other.new_page()
    staff_sign_in(paris, live_server, "agent75")
    response = paris.goto(f"{live_server.url}/agent/demarches/{filed}")
    assert response.status == 404
    agent_context.close()
    other.close()
