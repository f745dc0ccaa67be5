"""Identity in real Chromium: account creation → letter in the caisse's print queue → first login with
the code → forced password → CGU → e-mail verification → home; lockout; log out everywhere."""

from __future__ import annotations

import email
import re
from email import policy
from io import BytesIO
from pathlib import Path
from types import SimpleNamespace

import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from app.extensions import db
from app.models import Caisse, Person, User
from tests.e2e.conftest import assert_accessible, newest_login_code

AGENT_PASSWORD = "Macaisse-Agent-2026"
NEW_PASSWORD = "cheval agrafe batterie correcte"


def person_without_account(live_server, caisse_key: str) -> SimpleNamespace:
    """A new person in the register of ``caisse_key``, living in Nantes, with no web account."""
    from datetime import date

    from stdnum.fr import nir as stdnum_nir

    from tests.conftest import make_person

    base = "2880744109123"  # a woman born in July 1988 in Nantes
    with live_server.app.app_context():
        caisse = db.session.scalar(sa.select(Caisse).where(Caisse.key == caisse_key))
        person = make_person(
            caisse, base + stdnum_nir.calc_check_digits(base), "Nina", "Le Roux-Hébert", date(1988, 7, 4)
        )
        return SimpleNamespace(
            nir=person.nir,
            first_name=person.first_name,
            last_name=person.last_name,
            birth_date=person.birth_date,
        )


def newest_code_of_kind(live_server, kind: str) -> str:
    outbox = Path(live_server.app.instance_path) / "outbox"
    files = sorted(outbox.glob(f"*-{kind}.eml"), key=lambda path: path.stat().st_mtime_ns)
    assert files, kind
    message = email.message_from_bytes(files[-1].read_bytes(), policy=policy.default)
    return re.search(r"\b(\d{6})\b", message.get_body(preferencelist=("plain",)).get_content()).group(1)


def staff_sign_in(page: Page, live_server, login: str) -> None:
    page.goto(live_server.url + "/agent/connexion")
    page.get_by_label("Identifiant").fill(login)
    page.get_by_label("Mot de passe").fill(AGENT_PASSWORD)
    page.get_by_role("button", name="Se connecter", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Saisissez le code reçu par e-mail")
    page.get_by_label("Code reçu par e-mail", exact=True).fill(newest_login_code(live_server))
    page.get_by_role("button", name="Valider", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Espace agent")


def test_register_then_first_login_with_the_code_from_the_letter(browser: Browser, live_server):
    person = person_without_account(live_server, "cpam-de-la-loire-atlantique")
    context = browser.new_context()
    page = context.new_page()
    page.goto(live_server.url + "/connexion")
    page.get_by_role("link", name="Créer mon compte").click()
    assert_accessible(page)
    page.get_by_label("Numéro de sécurité sociale").fill(person.nir)
    page.get_by_label("Nom de naissance").fill(person.last_name.lower())
    page.get_by_label("Prénom").fill(person.first_name.upper())
    page.get_by_label("Date de naissance").fill(person.birth_date.strftime("%d/%m/%Y"))
    page.get_by_label("Code postal").fill("44000")
    page.get_by_label("Adresse e-mail").fill("nouvel.assure@example.org")
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre demande est enregistrée")
    expect(page.get_by_text("sous 2 à 10 jours")).to_be_visible()

    # The letter is in the print queue of the person's caisse, and only there.
    agent_context = browser.new_context()
    agent = agent_context.new_page()
    staff_sign_in(agent, live_server, "agent44")
    agent.get_by_role("link", name="Courriers à imprimer").click()
    assert_accessible(agent)
    with agent.expect_download() as download_info:
        agent.get_by_role("link", name=re.compile("Télécharger")).click()
    pdf = Path(download_info.value.path()).read_bytes()
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(pdf)).pages)
    assert person.last_name.upper() in text.upper()
    code = re.findall(r"\b([A-Z2-9]{4}-[A-Z2-9]{4})\b", text)[-1]
    other_context = browser.new_context()
    other = other_context.new_page()
    staff_sign_in(other, live_server, "agent75")
    other.goto(live_server.url + "/agent/courriers")
    response = other.request.get(live_server.url + "/agent/courriers.pdf")
    assert response.status == 404 or person.last_name.upper() not in _pdf_text(response.body()).upper()
    other_context.close()

    # First login with the code: password, CGU, e-mail, home.
    page.goto(live_server.url + "/connexion")
    page.get_by_label("Numéro de sécurité sociale").fill(person.nir)
    page.get_by_label("Mot de passe").fill(code)
    page.get_by_role("button", name="Se connecter", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Choisissez votre mot de passe")
    assert_accessible(page)
    page.get_by_label("Nouveau mot de passe", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirmez le nouveau mot de passe").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Conditions générales d'utilisation")
    assert_accessible(page)
    page.get_by_label("J'ai lu et j'accepte les conditions générales d'utilisation").check()
    page.get_by_role("button", name="Accepter et continuer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifier votre adresse e-mail")
    page.get_by_role("button", name="Envoyer le code").click()
    page.get_by_label("Code reçu par e-mail").fill(newest_code_of_kind(live_server, "email_verify"))
    assert_accessible(page)
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Bonjour {person.first_name} {person.last_name}"
    )

    # The letter, once marked sent, leaves the queue.
    agent.get_by_role("button", name="Marquer comme envoyés").click()
    expect(agent.get_by_role("status").first).to_contain_text("marqué")
    context.close()
    agent_context.close()


def _pdf_text(body: bytes) -> str:
    return "".join(p.extract_text() for p in PdfReader(BytesIO(body)).pages)


def test_five_wrong_passwords_show_the_lock_and_its_end(page: Page, live_server):
    with live_server.app.app_context():
        nir = db.session.scalar(
            sa.select(Person.nir).where(Person.first_name == "Louis", Person.last_name == "Bernard")
        )
    page.goto(live_server.url + "/connexion")
    for _ in range(5):
        page.get_by_label("Numéro de sécurité sociale").fill(nir)
        page.get_by_label("Mot de passe").fill("pas le bon mot de passe")
        with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/connexion")):
            page.get_by_role("button", name="Se connecter", exact=True).click()
        expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator(".error-summary")).to_contain_text(
        re.compile(r"bloqué jusqu'au \d\d/\d\d/\d{4} à \d\d:\d\d")
    )
    expect(page.get_by_role("link", name="Code oublié ?")).to_be_visible()
    assert_accessible(page)
    with live_server.app.app_context():
        user = db.session.scalar(sa.select(User).join(Person).where(Person.nir == nir))
        user.locked_until = None
        user.failed_logins = 0
        user.lock_count = 0
        db.session.commit()


def test_logout_everywhere_ends_another_browsers_session(browser: Browser, live_server):
    from tests.e2e.test_passkeys import sign_in_with_password

    first_context, second_context = browser.new_context(), browser.new_context()
    first, second = first_context.new_page(), second_context.new_page()
    sign_in_with_password(first, live_server)
    sign_in_with_password(second, live_server)
    first.goto(live_server.url + "/securite")
    assert_accessible(first)
    first.get_by_role("button", name="Se déconnecter de tous les appareils").click()
    expect(first.get_by_role("heading", level=1)).to_have_text("Se connecter à mon compte")
    second.goto(live_server.url + "/compte/")
    expect(second.get_by_role("heading", level=1)).to_have_text("Se connecter à mon compte")
    first_context.close()
    second_context.close()
