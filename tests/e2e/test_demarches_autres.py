"""The démarches not covered by their own browser tests, end to end in Chromium for the demo
assurée and processed by agent44: complémentaire santé, téléphone, changement d'activité, the
divorce alert's pre-filled message answered with the documents to send, and a removal refused with
its reason."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from app.extensions import db
from app.models import Demarche, InboxItem, Person
from tests.e2e.conftest import assert_accessible
from tests.e2e.test_identity import staff_sign_in
from tests.e2e.test_passkeys import NIR, sign_in_with_password

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
KINDS = ("complementaire", "telephone", "situation", "divorce", "ayant_droit_retrait")


@pytest.fixture
def restored(live_server):
    """Camille's file as the demo has it afterwards: no ex-conjoint, no complémentaire, no phone,
    no activity, none of these démarches."""
    yield
    with live_server.app.app_context():
        camille = db.session.scalar(sa.select(Person).where(Person.nir == NIR.replace(" ", "")))
        for member in [camille, *camille.ayants_droit]:
            if member.lien == "conjoint":
                db.session.delete(member)
                continue
            member.amc_name = member.amc_number = ""
        camille.phone = None
        camille.activity = ""
        for demarche in db.session.scalars(
            sa.select(Demarche).where(Demarche.person_id == camille.id, Demarche.kind.in_(KINDS))
        ):
            db.session.execute(sa.delete(InboxItem).where(InboxItem.demarche_id == demarche.id))
            db.session.delete(demarche)
        db.session.commit()
        db.session.remove()


@pytest.fixture
def ex_conjoint(live_server, restored):
    """An ex-conjoint on Camille's file whose rights end in 20 days."""
    with live_server.app.app_context():
        camille = db.session.scalar(sa.select(Person).where(Person.nir == NIR.replace(" ", "")))
        db.session.add(
            Person(
                sex="M",
                first_name="Hugo",
                last_name="Leroy",
                birth_date=date(1986, 5, 4),
                postal_code=camille.postal_code,
                commune_insee=camille.commune_insee,
                commune_name=camille.commune_name,
                caisse_id=camille.caisse_id,
                rights_start=date(2020, 1, 1),
                rights_end=date.today() + timedelta(days=20),
                ouvrant_droit_id=camille.id,
                rang=9,
                lien="conjoint",
            )
        )
        db.session.commit()
        db.session.remove()


def agent44(browser: Browser, live_server) -> Page:
    agent = browser.new_context().new_page()
    staff_sign_in(agent, live_server, "agent44")
    return agent


def open_case(agent: Page, live_server, demarche_url: str) -> None:
    agent.goto(f"{live_server.url}/agent/demarches/{demarche_url.rsplit('/', 1)[1]}")
    assert_accessible(agent)


def test_complementaire_telephone_and_activity(page: Page, browser: Browser, live_server, restored, tmp_path):
    sign_in_with_password(page, live_server)
    page.goto(live_server.url + "/compte/demarches/complementaire")
    page.get_by_label(re.compile("^Léo MARTIN")).check()
    page.get_by_label("Nom de l'organisme complémentaire (mutuelle, assureur)").fill("Mutuelle de l'Erdre")
    page.get_by_label("Numéro AMC de l'organisme").fill("1234 5678")
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.locator(".lead")).to_contain_text("Reçue")
    complementaire_url = page.url

    page.goto(live_server.url + "/compte/demarches/telephone")
    page.get_by_label("Nouveau numéro de téléphone").fill("06 12 34 56 78")
    page.get_by_role("button", name="Enregistrer ce numéro").click()
    expect(page.locator(".lead")).to_contain_text("Acceptée")

    page.goto(live_server.url + "/compte/demarches/activite")
    page.get_by_label("Demandeur d'emploi").check()
    page.get_by_label("Depuis le").fill((date.today() - timedelta(days=20)).strftime("%d/%m/%Y"))
    proof = tmp_path / "attestation-france-travail.pdf"
    proof.write_bytes(PDF)
    page.get_by_label("Justificatif (PDF, JPEG ou PNG, 5 Mo au plus)").set_input_files(str(proof))
    page.get_by_role("button", name="Envoyer à ma caisse").click()
    expect(page.locator(".lead")).to_contain_text("Reçue")
    activity_url = page.url

    agent = agent44(browser, live_server)
    for url in (complementaire_url, activity_url):
        open_case(agent, live_server, url)
        agent.get_by_role("button", name="Accepter").click()
        expect(agent.locator(".lead")).to_contain_text("Acceptée")
    agent.context.close()

    page.goto(complementaire_url)
    expect(page.locator(".lead")).to_contain_text("Acceptée")
    attestation = page.request.get(live_server.url + "/compte/documents/attestation-de-droits.pdf")
    assert attestation.ok
    page.goto(live_server.url + "/compte/courriers/")
    expect(page.locator("main")).to_contain_text("Décision : Changement de situation")
    expect(page.locator("main")).to_contain_text("Décision : Complémentaire santé (numéro AMC)")


def test_divorce_message_answered_and_removal_refused(page: Page, browser: Browser, live_server, ex_conjoint):
    sign_in_with_password(page, live_server)
    alert = page.locator(".alerts__item", has_text="Les droits de Hugo LEROY prennent fin le")
    expect(alert).to_contain_text("message pré-rempli")
    alert.get_by_role("link", name="Écrire à ma caisse").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Écrire à ma caisse")
    expect(page.get_by_label("Votre message")).to_contain_text("Hugo LEROY")
    expect(page.get_by_label("Changement de situation")).to_be_checked()
    assert_accessible(page)
    # The same message can be filed as a démarche, followed with its steps.
    page.goto(live_server.url + "/compte/demarches/divorce")
    expect(page.get_by_label("Votre message à la caisse")).to_contain_text("Hugo LEROY")
    assert_accessible(page)
    page.get_by_role("button", name="Envoyer le message à ma caisse").click()
    expect(page.locator(".lead")).to_contain_text("Reçue")
    divorce_url = page.url

    page.goto(live_server.url + "/compte/demarches/ayant-droit/retrait")
    page.get_by_label(re.compile("^Hugo LEROY")).check()
    page.get_by_label("Séparation ou divorce").check()
    page.get_by_label("Date de fin des droits sur votre dossier").fill(date.today().strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.locator(".lead")).to_contain_text("Reçue")
    removal_url = page.url

    agent = agent44(browser, live_server)
    open_case(agent, live_server, divorce_url)
    agent.get_by_text("Réponse type : liste des documents à demander").click()
    agent.get_by_role("button", name="Demander ces documents").click()
    expect(agent.locator(".lead")).to_contain_text("Document demandé")
    open_case(agent, live_server, removal_url)
    agent.get_by_label("Motif du refus (envoyé à l'assuré)").fill("Attendez le jugement de divorce.")
    agent.get_by_role("button", name="Refuser").click()
    expect(agent.locator(".lead")).to_contain_text("Refusée")
    agent.context.close()

    page.goto(divorce_url)
    expect(page.locator(".notice")).to_contain_text("le jugement de divorce")
    page.goto(removal_url)
    expect(page.locator("main")).to_contain_text("Attendez le jugement de divorce.")
