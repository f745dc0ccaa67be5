"""IJ documents: relevé for a period, attestation de paiement of an arrêt, attestation fiscale of a
year — valid PDFs (pypdf) with a verification code that /verifier confirms; 404 for another's arrêt;
Mes documents sends them back to Mes arrêts (it cannot rebuild them)."""

from __future__ import annotations

import io
import re
from datetime import date

import pypdf
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import IssuedDocument
from app.services import sick_leave
from tests.integration.sick_leave_helpers import attest, prescribe
from tests.integration.test_documents import issue


@pytest.fixture
def paid(doctor, users):
    camille = users["camille"].person
    arret = prescribe(doctor, camille, date(2026, 3, 2), date(2026, 3, 20))
    attest(camille, date(2026, 3, 2))
    sick_leave.pay_due(date(2026, 3, 10))
    sick_leave.pay_due(date(2026, 3, 24))
    return arret


def text_of(response) -> str:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.data))
    return " ".join(page.extract_text() for page in reader.pages)


def verified(client, kind: str) -> None:
    document = db.session.scalars(sa.select(IssuedDocument).where(IssuedDocument.kind == kind)).one()
    page = client.get(f"/verifier/{document.grouped_code}")
    assert page.status_code == 200
    assert document.kind_label.split(" ")[0] in page.get_data(as_text=True)


def test_releve(client, login_as, paid):
    login_as("camille")
    text = text_of(client.get("/compte/arrets/releve.pdf?du=01/03/2026&au=31/03/2026"))
    assert "Relevé d'indemnités journalières" in text
    assert "39,45" in text
    assert "Total" in text
    assert re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", text)
    verified(client, "releve_ij")


@pytest.mark.parametrize("query", ["", "?du=x&au=31/03/2026", "?du=31/03/2026&au=01/03/2026"])
def test_releve_bad_dates_are_404(client, login_as, paid, query):
    login_as("camille")
    assert client.get(f"/compte/arrets/releve.pdf{query}").status_code == 404


def test_attestation_de_paiement(client, login_as, paid):
    login_as("camille")
    text = text_of(client.get(f"/compte/arrets/{paid.id}/attestation-de-paiement.pdf"))
    assert "Attestation de paiement des indemnités journalières" in text
    verified(client, "attestation_paiement_ij")


def test_attestation_de_paiement_of_another_is_404(client, login_as, paid):
    login_as("louis")
    assert client.get(f"/compte/arrets/{paid.id}/attestation-de-paiement.pdf").status_code == 404


def test_attestation_fiscale(client, login_as, paid):
    login_as("camille")
    text = text_of(client.get("/compte/arrets/attestation-fiscale/2026.pdf"))
    assert "perçues en 2026" in text
    verified(client, "attestation_fiscale_ij")
    assert client.get("/compte/arrets/attestation-fiscale/1999.pdf").status_code == 404


def test_mes_documents_sends_ij_documents_back_to_mes_arrets(client, login_as, paid):
    """An IJ document does not record what it covers: Mes documents cannot rebuild it, so it offers
    no download of it (and its address is 404) but says where to get a new one."""
    login_as("camille")
    text_of(client.get("/compte/arrets/releve.pdf?du=01/03/2026&au=31/03/2026"))
    assert issue(client).status_code == 303
    releve, droits = (
        db.session.scalars(sa.select(IssuedDocument).where(IssuedDocument.kind == kind)).one()
        for kind in ("releve_ij", "attestation_droits")
    )
    page = client.get("/compte/documents").get_data(as_text=True)
    assert releve.grouped_code in page
    assert f"/compte/documents/{releve.id}.pdf" not in page
    assert f'href="/compte/documents/{droits.id}.pdf"' in page
    assert 'Un nouvel exemplaire s\'obtient dans <a href="/compte/arrets/">' in page
    assert client.get(f"/compte/documents/{releve.id}.pdf").status_code == 404
    assert client.get(f"/compte/documents/{droits.id}.pdf").status_code == 200
