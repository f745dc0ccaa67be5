"""Mes documents and /verifier: the attestation de droits PDF (whole file or one beneficiary), its
verification code and QR address, the owner checks, the stable offline address, and the public
verification page that says nothing but the kind, the issue date and the initials."""

from __future__ import annotations

import hashlib
import html
import io
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from app.extensions import db
from app.models import IssuedDocument
from app.rules import verification_code
from app.services.documents import paris_day
from app.web.paiements.queries import paris_today
from tests.conftest import HX, count_queries, csrf_token, login, make_person, recorded_queries
from tests.integration.test_annuaire import add_practitioner

DOCUMENTS = "/compte/documents"
ISSUE = "/compte/documents/attestation"
CURRENT = "/compte/documents/attestation-de-droits.pdf"
CAMILLE_NIR = "2 95 06 75 056 123 49"
TITLE = "Attestation de droits à l'assurance maladie"


def pdf_text(body: bytes) -> str:
    """The PDF's text with runs of white space (line breaks of table cells included) as one space."""
    reader = PdfReader(io.BytesIO(body))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def documents() -> list[IssuedDocument]:
    return list(db.session.scalars(sa.select(IssuedDocument).order_by(IssuedDocument.id)))


@pytest.fixture
def camille(users):
    return users["camille"].person


def issue(client, beneficiaire: str = "dossier"):
    token = csrf_token(client, DOCUMENTS)
    return client.post(ISSUE, data={"beneficiaire": beneficiaire, "csrf_token": token})


def test_documents_page_offers_the_file_and_each_beneficiary(client, login_as, leo):
    login_as("camille")
    response = client.get(DOCUMENTS)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    text = page_text(response)
    assert "<h1" in text
    assert "Mes documents" in text
    assert "Tout le dossier" in text
    assert "Camille MARTIN seul(e)" in text
    assert "Léo MARTIN seul(e)" in text
    assert "Aucun document n'a encore été émis." in text
    assert f'href="{CURRENT}"' in text
    fragment = client.get(DOCUMENTS, headers=HX)
    assert fragment.status_code == 200
    assert "<html" not in fragment.get_data(as_text=True)
    assert "<title>Mes documents – macaisse</title>" in fragment.get_data(as_text=True)
    assert "HX-Request" in fragment.headers["Vary"]
    assert fragment.headers["Cache-Control"] == "no-store"


def test_account_home_links_to_the_documents(client, login_as):
    login_as("camille")
    assert f'href="{DOCUMENTS}"' in client.get("/compte/").get_data(as_text=True)


@pytest.mark.parametrize("url", [DOCUMENTS, CURRENT, "/compte/documents/1.pdf"])
def test_signed_out_visitors_go_to_the_login(client, users, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/connexion")


def test_an_agent_gets_403(client, login_as):
    login_as("agent44")
    assert client.get(DOCUMENTS).status_code == 403
    assert client.get(CURRENT).status_code == 403


def test_issue_the_whole_file_attestation(client, login_as, camille, leo):
    user = login_as("camille")
    response = issue(client)
    assert response.status_code == 303
    [document] = documents()
    assert response.headers["Location"] == f"/compte/documents/{document.id}.pdf"
    assert document.kind == "attestation_droits"
    assert (document.person_id, document.beneficiary_id, document.user_id) == (camille.id, None, user.id)
    assert verification_code.is_valid(document.code)
    assert paris_day(document.issued_at) == paris_today()
    assert document.valid_until == paris_today() + timedelta(days=90)

    download = client.get(response.headers["Location"])
    assert download.status_code == 200
    assert download.mimetype == "application/pdf"
    assert download.headers["Cache-Control"] == "no-store"
    assert download.headers["Content-Disposition"] == (
        f'attachment; filename="attestation-de-droits-{paris_today():%Y-%m-%d}.pdf"'
    )
    assert hashlib.sha256(download.data).hexdigest() == document.sha256
    reader = PdfReader(io.BytesIO(download.data))
    assert reader.metadata.title == TITLE
    text = pdf_text(download.data)
    for expected in (
        TITLE,
        "CPAM de la Loire-Atlantique",
        "Code organisme 01 441 0000",
        CAMILLE_NIR,
        "Camille MARTIN",
        "12/06/1995",
        "Léo MARTIN",
        "1 19 03 44 109 047 91",
        "08/03/2019",
        "Assuré(e)",
        "Enfant",
        "depuis le 01/01/2020",
        "Non déclaré",
        "Aucune exonération du ticket modérateur n'est enregistrée.",
        document.grouped_code,
        f"http://localhost:5000/verifier/{document.grouped_code}",
    ):
        assert expected in text, expected
    assert "C2S" not in text
    # Rebuilt from the row: the same bytes at every download.
    assert client.get(response.headers["Location"]).data == download.data


def test_the_attestation_shows_rang_medecin_traitant_ald_and_c2s(client, login_as, camille, leo):
    add_practitioner("810101010105", "DURAND", "Sophie", "10", "SM54", "Médecine générale")
    camille.medecin_traitant_rpps = "10101010105"
    camille.medecin_traitant_since = date(2023, 1, 15)
    camille.ald_start = date(2024, 2, 1)
    camille.ald_end = date(2029, 1, 31)
    leo.c2s_start = date(2025, 4, 1)
    leo.rights_end = paris_today() + timedelta(days=30)
    db.session.commit()
    login_as("camille")
    text = pdf_text(client.get(issue(client).headers["Location"]).data)
    assert "Oui : Dr Sophie DURAND, depuis le 15/01/2023" in text
    assert "Camille MARTIN : affection de longue durée (ALD)" in text
    assert "du 01/02/2024 au 31/01/2029" in text
    assert "Aucune exonération" not in text
    assert "Complémentaire santé solidaire (C2S) Léo MARTIN : depuis le 01/04/2025." in text
    assert f"du 08/03/2019 au {leo.rights_end:%d/%m/%Y}" in text
    # Léo's rights end first: the attestation is not valid past them.
    assert documents()[0].valid_until == leo.rights_end


def test_issue_for_one_beneficiary(client, login_as, camille, leo):
    login_as("camille")
    response = issue(client, str(leo.id))
    assert response.status_code == 303
    [document] = documents()
    assert document.beneficiary_id == leo.id
    text = pdf_text(client.get(response.headers["Location"]).data)
    assert "Pour un seul bénéficiaire : Léo MARTIN" in text
    assert "1 19 03 44 109 047 91" in text
    assert CAMILLE_NIR in text  # the assuré who opens his rights
    table = text.split("Bénéficiaires", 1)[1].split("Exonération", 1)[0]
    assert "Léo MARTIN 1 19 03 44 109 047 91 08/03/2019 2 Enfant" in table
    assert "Camille" not in table

    text = pdf_text(client.get(issue(client, str(camille.id)).headers["Location"]).data)
    assert "Pour un seul bénéficiaire : Camille MARTIN" in text
    assert "Léo" not in text


def test_a_beneficiary_of_another_file_gets_a_french_error(client, login_as, users, leo):
    login_as("camille")
    for other in (str(users["louis"].person.id), "999999", "abc", ""):
        response = issue(client, other)
        assert response.status_code == 422, other
        text = page_text(response)
        assert "Il y a un problème" in text
        assert "Choisissez un bénéficiaire de votre dossier." in text
        assert "<title>Erreur : Mes documents" in text
    assert documents() == []


def test_issuing_requires_the_csrf_token(client, login_as):
    login_as("camille")
    response = client.post(ISSUE, data={"beneficiaire": "dossier"})
    assert response.status_code == 400
    assert "Formulaire expiré" in page_text(response)
    assert documents() == []


def test_another_assures_document_is_not_found(app, client, login_as, users):
    login_as("camille")
    location = issue(client).headers["Location"]
    other = app.test_client()
    login(other, users["louis"])
    assert other.get(location).status_code == 404
    assert other.get("/compte/documents/999999.pdf").status_code == 404
    assert client.get(location).status_code == 200
    assert users["camille"].person.full_name not in page_text(other.get(DOCUMENTS))


def test_a_document_is_refused_once_the_file_has_changed(client, login_as, camille):
    login_as("camille")
    location = issue(client).headers["Location"]
    camille.medecin_traitant_rpps = "10101010105"
    db.session.commit()
    response = client.get(location)
    assert response.status_code == 410
    assert response.headers["Cache-Control"] == "no-store"
    text = page_text(response)
    assert "Ce document ne correspond plus à votre dossier" in text
    assert f'action="{ISSUE}"' in text
    assert 'name="beneficiaire" value="dossier"' in text


def test_the_documents_page_lists_what_was_issued(client, login_as, leo):
    login_as("camille")
    issue(client)
    issue(client, str(leo.id))
    text = page_text(client.get(DOCUMENTS))
    whole, one = documents()
    assert whole.grouped_code in text
    assert one.grouped_code in text
    assert text.index(one.grouped_code) < text.index(whole.grouped_code)  # newest first
    assert f'href="/compte/documents/{whole.id}.pdf"' in text
    assert "Tout le dossier</td>" in text
    assert "<td>Léo MARTIN</td>" in text
    assert f"{whole.valid_until:%d/%m/%Y}" in text


def test_the_documents_page_runs_a_constant_number_of_queries(client, login_as, leo):
    login_as("camille")
    issue(client)
    one = count_queries(client, DOCUMENTS)
    one_fragment = count_queries(client, DOCUMENTS, HX)
    for index in range(9):
        issue(client, str(leo.id) if index % 2 else "dossier")
    assert len(documents()) == 10
    assert count_queries(client, DOCUMENTS) == one
    assert count_queries(client, DOCUMENTS, HX) == one_fragment


def test_the_stable_address_serves_the_days_attestation(client, login_as, camille):
    login_as("camille")
    first = client.get(CURRENT)
    assert first.status_code == 200
    assert first.mimetype == "application/pdf"
    assert first.headers["Cache-Control"] == "no-store"
    assert first.headers["Content-Disposition"] == (
        f'inline; filename="attestation-de-droits-{paris_today():%Y-%m-%d}.pdf"'
    )
    [document] = documents()
    assert document.beneficiary_id is None
    assert document.grouped_code in pdf_text(first.data)
    # Repeated GETs serve the same document: no new row.
    assert client.get(CURRENT).data == first.data
    assert len(documents()) == 1
    # A whole-file attestation issued with the form today is the one served.
    issue(client)
    latest = documents()[-1]
    assert latest.grouped_code in pdf_text(client.get(CURRENT).data)
    assert len(documents()) == 2


def test_the_stable_address_issues_a_new_attestation_when_needed(client, login_as, camille, leo):
    login_as("camille")
    client.get(CURRENT)
    # A one-beneficiary attestation of today is not the file's.
    issue(client, str(leo.id))
    [yesterdays, _] = documents()
    yesterdays.issued_at = yesterdays.issued_at - timedelta(days=1)
    db.session.commit()
    today = client.get(CURRENT)
    assert len(documents()) == 3
    assert documents()[-1].grouped_code in pdf_text(today.data)
    assert documents()[-1].beneficiary_id is None
    # The file changes: today's attestation no longer matches it, a new one is issued.
    camille.ald_start = date(2025, 5, 1)
    db.session.commit()
    changed = client.get(CURRENT)
    assert len(documents()) == 4
    assert "affection de longue durée" in pdf_text(changed.data)
    assert client.get(CURRENT).data == changed.data
    assert len(documents()) == 4


def test_verifier_confirms_a_genuine_document_with_initials_only(client, login_as, camille, leo):
    login_as("camille")
    issue(client)
    issue(client, str(leo.id))
    whole, one = documents()
    anonymous = client.application.test_client()
    for typed in (whole.grouped_code, whole.code.lower(), " ".join(whole.grouped_code.split("-"))):
        response = anonymous.get(f"/verifier/{typed}")
        assert response.status_code == 200, typed
        text = page_text(response)
        assert "Document authentique" in text
        assert TITLE in text
        assert f"{paris_today():%d/%m/%Y}" in text
        assert "C. M." in text
        for secret in ("295067505612349", CAMILLE_NIR, "Camille", "MARTIN", "Martin", "Léo", "12/06/1995"):
            assert secret not in text, secret
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["X-Robots-Tag"] == "noindex"
    text = page_text(anonymous.get(f"/verifier/{one.grouped_code}"))
    assert "Document authentique" in text
    assert "L. M." in text
    fragment = anonymous.get(f"/verifier/{whole.grouped_code}", headers=HX)
    assert "<html" not in fragment.get_data(as_text=True)
    assert "Document authentique" in fragment.get_data(as_text=True)
    assert "HX-Request" in fragment.headers["Vary"]


def test_verifier_refuses_a_modified_code_before_any_lookup(client, login_as):
    login_as("camille")
    issue(client)
    [document] = documents()
    code = document.code
    position = 5
    other = next(c for c in verification_code.ALPHABET if c != code[position])
    modified = code[:position] + other + code[position + 1 :]
    swapped = code[:3] + code[4] + code[3] + code[5:]
    anonymous = client.application.test_client()
    for bad in [modified, swapped] if swapped != code else [modified]:
        with recorded_queries() as statements:
            response = anonymous.get(f"/verifier/{verification_code.grouped(bad)}")
        assert response.status_code == 404
        assert "Ce code n'est pas valide" in page_text(response)
        assert "Document authentique" not in page_text(response)
        assert not [s for s in statements if "issued_document" in s]


@pytest.mark.parametrize("typed", ["7KQ2-MZ4D-XR9X", "n'importe quoi", "A" * 300, "0000-0000-0000"])
def test_verifier_refuses_unknown_codes_with_the_same_message(client, users, typed):
    response = client.get(f"/verifier/{typed}")
    assert response.status_code == 404
    text = page_text(response)
    assert "Ce code n'est pas valide" in text
    assert "Document authentique" not in text


def test_verifier_form(client):
    page = client.get("/verifier")
    assert page.status_code == 200
    assert 'name="code"' in page.get_data(as_text=True)
    response = client.get("/verifier", query_string={"code": " 7kq2 mz4d xr9x "})
    assert response.status_code == 302
    assert response.headers["Location"] == "/verifier/7KQ2-MZ4D-XR9X"
    response = client.get("/verifier", query_string={"code": "abc"})
    assert response.headers["Location"] == "/verifier/ABC"
    for empty in ("", "  - - "):
        response = client.get("/verifier", query_string={"code": empty})
        assert response.status_code == 422
        text = page_text(response)
        assert "Il y a un problème" in text
        assert "Saisissez le code de vérification" in text
        assert "<title>Erreur : Vérifier un document" in text
    fragment = client.get("/verifier", headers=HX)
    assert "<html" not in fragment.get_data(as_text=True)


@pytest.mark.db
def test_verifier_is_rate_limited(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True)
    with app.app_context():
        client = app.test_client()
        statuses = [client.get("/verifier/7KQ2-MZ4D-XR9X").status_code for _ in range(31)]
    assert statuses[:30] == [404] * 30
    assert statuses[30] == 429


@pytest.mark.db
def test_the_qr_address_follows_the_public_base_url(app_factory):
    from app.models import Caisse
    from app.services.accounts import create_assure_account
    from app.services.caisses import sync_caisses
    from app.services.documents import document_pdf, issue_attestation
    from tests.conftest import PASSWORD

    app = app_factory(PUBLIC_BASE_URL="https://macaisse.example/portail")
    with app.app_context():
        sync_caisses()
        caisse = db.session.scalar(sa.select(Caisse).where(Caisse.key == "cpam-de-la-loire-atlantique"))
        person = make_person(caisse, "295067505612349", "Camille", "Martin", date(1995, 6, 12))
        user = create_assure_account(person, PASSWORD, "camille@example.org")
        document = issue_attestation(user)
        text = pdf_text(document_pdf(document))
        code = document.grouped_code
    assert f"https://macaisse.example/portail/verifier/{code}" in text


def test_codes_are_unique_and_checked(client, login_as):
    login_as("camille")
    for _ in range(5):
        issue(client)
    codes = [document.code for document in documents()]
    assert len(set(codes)) == 5
    assert all(re.fullmatch(r"[2-9A-Z]{12}", code) and verification_code.is_valid(code) for code in codes)
