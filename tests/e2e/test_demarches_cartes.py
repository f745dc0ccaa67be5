"""The "cartes" démarches in real Chromium: the demo assurée orders a CEAM that agent44 accepts and
posts and she says arrived; a CEAM for her son leaving in 5 days gives the certificat provisoire to
download and verify; she declares her carte Vitale stolen with a photo and an identity document
(a photo too small is refused first). agent75 gets a 404. Axe on every form page."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

from PIL import Image
from playwright.sync_api import Browser, Page, expect

from app.services.demarche_kinds.ceam import today
from tests.e2e.conftest import assert_accessible
from tests.e2e.test_documents import pdf_text
from tests.e2e.test_identity import staff_sign_in
from tests.e2e.test_passkeys import NIR, sign_in_with_password

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CODE = re.compile(r"Code de vérification\s+([2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4})")


def in_days(days: int) -> str:
    return f"{today() + timedelta(days=days):%d/%m/%Y}"


def photo(path: Path, width: int, height: int) -> str:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (210, 190, 170)).save(out, "JPEG")
    path.write_bytes(out.getvalue())
    return str(path)


def open_form(page: Page, live_server, link: str) -> None:
    page.goto(live_server.url + "/compte/demarches/")
    page.get_by_role("link", name=link).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(link.split(" (")[0]))


def test_order_a_ceam_processed_by_agent44(page: Page, browser: Browser, live_server):
    sign_in_with_password(page, live_server)
    open_form(page, live_server, "Commander une carte européenne d'assurance maladie (CEAM)")
    assert_accessible(page)
    page.get_by_label(re.compile("^Camille MARTIN")).check()
    page.get_by_label("Date de départ", exact=True).fill("01/01/2001")
    page.get_by_role("button", name="Commander la carte").click()
    expect(page.get_by_role("alert")).to_contain_text("La date de départ est passée")
    expect(page).to_have_title(re.compile("^Erreur : "))
    assert_accessible(page)
    page.get_by_label("Date de départ", exact=True).fill(in_days(30))
    page.get_by_label("Pays de séjour (facultatif)").select_option(label="Italie")
    page.get_by_role("button", name="Commander la carte").click()
    expect(page.locator(".flashes")).to_contain_text("la carte arrivera avant votre départ")
    expect(page.locator("main")).to_contain_text("Italie")
    demarche_id = re.search(r"/compte/demarches/(\d+)$", page.url).group(1)
    assert_accessible(page)

    agent_context = browser.new_context()
    agent = agent_context.new_page()
    staff_sign_in(agent, live_server, "agent44")
    agent.goto(f"{live_server.url}/agent/demarches/{demarche_id}")
    expect(agent.locator("main")).to_contain_text("Date de départ")
    agent.get_by_role("button", name="Prendre en charge").click()
    expect(agent.locator(".flashes")).to_contain_text("Démarche prise en charge.")
    agent.get_by_role("button", name="Accepter", exact=True).click()
    expect(agent.locator(".lead")).to_contain_text("Acceptée")
    agent.get_by_role("button", name="Marquer la carte comme expédiée").click()
    expect(agent.locator(".lead")).to_contain_text("Expédiée")

    other = browser.new_context()
    paris = other.new_page()
    staff_sign_in(paris, live_server, "agent75")
    assert paris.goto(f"{live_server.url}/agent/demarches/{demarche_id}").status == 404

    page.reload()
    expect(page.locator(".lead")).to_contain_text("Expédiée")
    expect(page.locator("main")).to_contain_text("Votre carte est valable jusqu'au")
    page.get_by_role("button", name="J'ai reçu ma carte").click()
    expect(page.locator(".flashes")).to_contain_text("votre carte est arrivée")
    expect(page.locator(".lead")).to_contain_text("Reçue par vous")
    agent_context.close()
    other.close()


def test_ceam_leaving_in_5_days_gives_the_certificat(page: Page, live_server):
    sign_in_with_password(page, live_server)
    open_form(page, live_server, "Commander une carte européenne d'assurance maladie (CEAM)")
    page.get_by_label(re.compile("^Léo MARTIN")).check()
    page.get_by_label("Date de départ", exact=True).fill(in_days(5))
    page.get_by_role("button", name="Commander la carte").click()
    expect(page.locator(".flashes")).to_contain_text("votre certificat provisoire de remplacement est prêt")
    assert_accessible(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger le certificat provisoire (PDF)").click()
    download = download_info.value
    assert re.fullmatch(r"certificat-provisoire-ceam-\d{4}-\d{2}-\d{2}\.pdf", download.suggested_filename)
    text = pdf_text(Path(download.path()).read_bytes())
    assert "Certificat provisoire de remplacement" in text
    assert "Léo" in text
    assert "1 19 03 44 109 047 91" in text
    code = CODE.search(text).group(1)
    page.goto(f"{live_server.url}/verifier/{code}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Document authentique")
    expect(page.locator("main")).to_contain_text("Certificat provisoire de remplacement de la CEAM")
    expect(page.locator("main")).to_contain_text("L. M.")


def test_declare_a_stolen_carte_vitale_with_a_photo(page: Page, live_server, tmp_path):
    sign_in_with_password(page, live_server)
    open_form(page, live_server, "Déclarer la perte ou le vol d'une carte Vitale")
    expect(page.locator("main")).to_contain_text("Léo : les enfants de moins de 12 ans")
    assert_accessible(page)
    page.get_by_label(re.compile("^Camille MARTIN")).check()
    page.get_by_label("La carte a été volée").check()
    page.get_by_label("Date de la perte ou du vol").fill(in_days(-1))
    page.get_by_label("Photo d'identité").set_input_files(photo(tmp_path / "petite.jpg", 200, 260))
    identity = tmp_path / "identite.pdf"
    identity.write_bytes(PDF)
    page.get_by_label("Pièce d'identité").set_input_files(str(identity))
    page.get_by_label(re.compile("^Je déclare sur l'honneur")).check()
    page.get_by_role("button", name="Déclarer et commander la nouvelle carte").click()
    expect(page.get_by_role("alert")).to_contain_text("il faut au moins 300 × 400 pixels")
    expect(page).to_have_title(re.compile("^Erreur : "))
    expect(page.get_by_label("Date de la perte ou du vol")).to_have_value(in_days(-1))
    assert_accessible(page)

    page.get_by_label("Photo d'identité").set_input_files(photo(tmp_path / "photo.jpg", 600, 800))
    page.get_by_label("Pièce d'identité").set_input_files(str(identity))
    page.get_by_role("button", name="Déclarer et commander la nouvelle carte").click()
    expect(page.locator(".flashes")).to_contain_text("l'ancienne carte est désactivée")
    expect(page.locator("main")).to_contain_text("Votre ancienne carte est désactivée depuis le")
    expect(page.locator("main")).to_contain_text("n'est pas nécessaire pour la nouvelle carte")
    expect(page.locator("main")).to_contain_text("Photo d'identité (photo.jpg")
    assert NIR not in page.locator("main").inner_text()
    assert_accessible(page)
