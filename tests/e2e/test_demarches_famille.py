"""The family démarches in real Chromium: the demo assurée adds a child with the birth certificate,
agent44 accepts, the child is on her attestation de droits; she requests the C2S (outcome shown
before filing), agent44 accepts, the attestation shows it. Axe on every form page. The register is
put back as the demo data had it afterwards (the live server is shared by the e2e tests)."""

from __future__ import annotations

import re
from datetime import date
from io import BytesIO

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from app.extensions import db
from app.models import Demarche, Person
from app.services.demarche_kinds import c2s as c2s_kind
from tests.e2e.conftest import assert_accessible
from tests.e2e.test_identity import staff_sign_in
from tests.e2e.test_passkeys import NIR, sign_in_with_password

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FORMS = (
    ("Ajouter un enfant à mon dossier", "/compte/demarches/ayant-droit/ajout"),
    ("Retirer un bénéficiaire de mon dossier", "/compte/demarches/ayant-droit/retrait"),
    ("Déclarer ma complémentaire santé", "/compte/demarches/complementaire"),
    ("Demander la Complémentaire santé solidaire (C2S)", "/compte/demarches/c2s"),
    ("Divorce ou séparation", "/compte/demarches/divorce"),
)


def pdf_text(body: bytes) -> str:
    reader = PdfReader(BytesIO(body))
    return " ".join(" ".join(p.extract_text() for p in reader.pages).split())


@pytest.fixture
def restored(live_server):
    """Put Camille's file back as the demo data has it: no added child, no C2S, no démarche."""
    yield
    with live_server.app.app_context():
        camille = db.session.scalar(sa.select(Person).where(Person.nir == NIR.replace(" ", "")))
        for child in db.session.scalars(sa.select(Person).where(Person.first_name == "Jade")):
            db.session.delete(child)
        for member in [camille, *camille.ayants_droit]:
            member.c2s_start = member.c2s_end = member.c2s_participation = None
        for demarche in db.session.scalars(
            sa.select(Demarche).where(
                Demarche.person_id == camille.id, Demarche.kind.in_(("ayant_droit_ajout", "c2s"))
            )
        ):
            db.session.delete(demarche)
        db.session.commit()
        db.session.remove()


def attestation(page: Page, live_server) -> str:
    response = page.request.get(live_server.url + "/compte/documents/attestation-de-droits.pdf")
    assert response.status == 200
    return pdf_text(response.body())


def accept_as_agent44(browser: Browser, live_server, demarche_url: str) -> None:
    context = browser.new_context()
    agent = context.new_page()
    staff_sign_in(agent, live_server, "agent44")
    demarche_id = demarche_url.rsplit("/", 1)[1]
    agent.goto(f"{live_server.url}/agent/demarches/{demarche_id}")
    assert_accessible(agent)
    agent.get_by_role("button", name="Accepter").click()
    expect(agent.locator("main")).to_contain_text("Acceptée")
    context.close()


def test_every_family_form_is_accessible(page: Page, live_server):
    sign_in_with_password(page, live_server)
    page.get_by_role("link", name="Mes démarches").first.click()
    for title, path in FORMS:
        page.get_by_role("link", name=title).click()
        expect(page).to_have_url(live_server.url + path)
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        assert_accessible(page)
        page.get_by_role("link", name="Retour à mes démarches").click()


def test_add_a_child_with_the_birth_certificate(
    page: Page, browser: Browser, live_server, restored, tmp_path
):
    sign_in_with_password(page, live_server)
    page.goto(live_server.url + "/compte/demarches/ayant-droit/ajout")
    # Sent empty first: the errors are listed, and the page stays accessible.
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_role("heading", name="Il y a un problème")).to_be_visible()
    expect(page).to_have_title(re.compile("^Erreur : "))
    assert_accessible(page)

    certificate = tmp_path / "acte.pdf"
    certificate.write_bytes(PDF)
    page.get_by_label("Prénom de l'enfant").fill("Jade")
    page.get_by_label("Fille").check()
    page.get_by_label("Date de naissance de l'enfant").fill(date.today().strftime("%d/%m/%Y"))
    page.get_by_label("Acte de naissance de l'enfant").set_input_files(str(certificate))
    page.get_by_label("À mon seul dossier").check()
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page).to_have_url(re.compile(r"/compte/demarches/\d+$"))
    expect(page.locator("main")).to_contain_text("Jade MARTIN")
    assert_accessible(page)

    accept_as_agent44(browser, live_server, page.url)
    page.reload()
    expect(page.locator("main")).to_contain_text("Acceptée")
    assert "Jade MARTIN" in attestation(page, live_server)


def test_request_the_c2s(page: Page, browser: Browser, live_server, restored, tmp_path, monkeypatch):
    # The C2S ceilings of the data run from 2025-04-01 to 2026-03-31: the request is dated inside.
    monkeypatch.setattr(c2s_kind, "today", lambda: date(2026, 3, 10))
    sign_in_with_password(page, live_server)
    page.goto(live_server.url + "/compte/demarches/c2s")
    page.get_by_label("Salaires et revenus d'activité").fill("9000")
    page.get_by_role("button", name="Voir le résultat attendu").click()
    expect(page.get_by_role("status")).to_contain_text("C2S sans participation financière")
    assert_accessible(page)
    payslip = tmp_path / "bulletin.pdf"
    payslip.write_bytes(PDF)
    page.get_by_label("Justificatif de ressources").set_input_files(str(payslip))
    page.get_by_role("button", name="Envoyer ma demande").click()
    expect(page).to_have_url(re.compile(r"/compte/demarches/\d+$"))
    expect(page.locator("main")).to_contain_text("Complémentaire santé solidaire (C2S)")

    monkeypatch.setattr(c2s_kind, "today", lambda: date(2026, 3, 20))
    accept_as_agent44(browser, live_server, page.url)
    text = attestation(page, live_server)
    assert "Complémentaire santé solidaire (C2S) Camille MARTIN : du 01/04/2026 au 31/03/2027." in text
