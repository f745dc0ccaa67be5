"""Admins complete the caisses' contacts that the public data leaves empty; a sync never undoes it."""

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Caisse
from app.services.accounts import create_staff
from app.services.caisses import sync_caisses
from tests.conftest import HX, PASSWORD, csrf_token, login


def make_admin(caisses):
    return create_staff("admin", PASSWORD, "admin", None, "Administratrice", "admin@example.org")


def test_admin_fills_an_empty_accueil_address_and_it_is_published(client, caisses):
    login(client, make_admin(caisses))
    caisse = caisses["cpam-de-la-loire-atlantique"]
    assert caisse.accueil_address == ""
    assert "non renseigné" in client.get("/agent/caisses").get_data(as_text=True)
    url = f"/agent/caisses/{caisse.id}"
    data = {
        "postal_address": caisse.postal_address,
        "accueil_address": "9 rue Gaëtan Rondeau, 44200 Nantes — du lundi au vendredi, 8 h 30 – 17 h",
        "phone": "36 46",
        "csrf_token": csrf_token(client, url),
    }
    response = client.post(url, data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == "/agent/caisses"
    db.session.refresh(caisse)
    assert caisse.accueil_address.startswith("9 rue Gaëtan Rondeau")
    assert db.session.scalar(sa.select(AuditEvent.kind).where(AuditEvent.kind == "caisse_edited"))
    page = client.get("/adresses", query_string={"code_postal": "44000"}).get_data(as_text=True)
    assert "9 rue Gaëtan Rondeau" in page
    sync_caisses()
    db.session.refresh(caisse)
    assert caisse.accueil_address.startswith("9 rue Gaëtan Rondeau")


def test_bad_phone_is_422_and_keeps_what_was_typed(client, caisses):
    login(client, make_admin(caisses))
    caisse = caisses["cpam-de-paris"]
    url = f"/agent/caisses/{caisse.id}"
    data = {
        "postal_address": "Ma nouvelle adresse",
        "accueil_address": "",
        "phone": "appelez-nous",
        "csrf_token": csrf_token(client, url),
    }
    response = client.post(url, data=data, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<html" not in html
    assert "Le téléphone ne peut contenir que des chiffres" in html
    assert "Ma nouvelle adresse" in html
    assert 'value="appelez-nous"' in html
    db.session.refresh(caisse)
    assert caisse.postal_address != "Ma nouvelle adresse"


def test_agents_and_assures_cannot_edit_caisses(client, users, caisses):
    caisse = caisses["cpam-de-paris"]
    login(client, users["agent75"])
    assert client.get("/agent/caisses").status_code == 403
    assert client.get(f"/agent/caisses/{caisse.id}").status_code == 403


def test_unknown_caisse_is_404(client, caisses):
    login(client, make_admin(caisses))
    assert client.get("/agent/caisses/999999").status_code == 404
    total = db.session.scalar(sa.select(sa.func.count(Caisse.id)))
    assert total == 107
