"""Mes documents in real Chromium: the demo assurée downloads her attestation de droits, reads its
verification code in the PDF, and checks it on /verifier as anyone would; axe on both pages."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.e2e.conftest import assert_accessible
from tests.e2e.test_passkeys import NIR, sign_in_with_password

CODE = re.compile(r"Code de vérification\s+([2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4})")


def pdf_text(body: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(BytesIO(body)).pages).split())


def test_download_the_attestation_then_verify_its_code(page: Page, live_server):
    sign_in_with_password(page, live_server)
    page.get_by_role("link", name="Mes documents").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes documents")
    assert_accessible(page)

    expect(page.get_by_label("Tout le dossier", exact=False)).to_be_checked()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Télécharger l'attestation (PDF)").click()
    download = download_info.value
    assert re.fullmatch(r"attestation-de-droits-\d{4}-\d{2}-\d{2}\.pdf", download.suggested_filename)
    text = pdf_text(Path(download.path()).read_bytes())
    assert "Attestation de droits à l'assurance maladie" in text
    assert NIR in text
    assert "Léo MARTIN" in text
    code = CODE.search(text).group(1)
    assert f"{live_server.url}/verifier/{code}" in text

    # The stable address the offline copy uses answers with a PDF too.
    current = page.request.get(live_server.url + "/compte/documents/attestation-de-droits.pdf")
    assert current.ok
    assert current.headers["content-type"] == "application/pdf"
    assert current.headers["cache-control"] == "no-store"

    page.reload()
    expect(page.get_by_role("table")).to_contain_text(code)

    verifier = page.context.browser.new_context().new_page()
    verifier.goto(live_server.url + "/verifier")
    expect(verifier.get_by_role("heading", level=1)).to_have_text("Vérifier un document")
    assert_accessible(verifier)
    verifier.get_by_label("Code de vérification").fill(code.lower().replace("-", " "))
    verifier.get_by_role("button", name="Vérifier").click()
    expect(verifier.get_by_role("heading", level=1)).to_have_text("Document authentique")
    expect(verifier.locator("main")).to_contain_text("C. M.")
    expect(verifier.locator("main")).not_to_contain_text("Camille")
    assert_accessible(verifier)

    tampered = code[:-1] + ("2" if code[-1] != "2" else "3")
    verifier.goto(f"{live_server.url}/verifier/{tampered}")
    expect(verifier.get_by_role("heading", level=1)).to_have_text("Ce code n'est pas valide")
    verifier.context.close()
