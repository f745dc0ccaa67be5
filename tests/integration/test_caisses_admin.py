"""Admins complete the caisses' contacts that the public data leaves empty; a sync never undoes it."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Caisse, CaisseMotif
from app.rules import motifs
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


def motif_url(caisse, key: str = "arret-de-travail") -> str:
    return f"/agent/caisses/{caisse.id}/motifs/{key}"


def motif_data(client, url: str, **values) -> dict:
    data = {"postal_address": "", "phone_note": "", "accueil_note": "", "note": ""}
    data.update(values)
    data["csrf_token"] = csrf_token(client, url)
    return data


def test_admin_sets_the_accueil_hours_and_they_are_published(client, caisses):
    login(client, make_admin(caisses))
    caisse = caisses["cpam-de-la-loire-atlantique"]
    url = f"/agent/caisses/{caisse.id}"
    page = client.get(url).get_data(as_text=True)
    assert 'id="accueil_hours"' in page
    data = {
        "postal_address": caisse.postal_address,
        "accueil_address": "9 rue Gaëtan Rondeau, 44200 Nantes",
        "accueil_hours": "du lundi au vendredi de 8 h 30 à 16 h 30",
        "phone": "36 46",
        "csrf_token": csrf_token(client, url),
    }
    response = client.post(url, data=data)
    assert response.status_code == 302
    db.session.refresh(caisse)
    assert caisse.accueil_hours == "du lundi au vendredi de 8 h 30 à 16 h 30"
    html = client.get("/adresses", query_string={"code_postal": "44000", "motif": "c2s"}).get_data(
        as_text=True
    )
    assert "9 rue Gaëtan Rondeau, 44200 Nantes" in html
    assert "du lundi au vendredi de 8 h 30 à 16 h 30" in html


def test_the_caisse_page_links_to_each_motif(client, caisses):
    login(client, make_admin(caisses))
    caisse = caisses["cpam-de-paris"]
    html = client.get(f"/agent/caisses/{caisse.id}").get_data(as_text=True)
    for motif in motifs.motifs():
        assert f'href="{motif_url(caisse, motif.key)}"' in html
    assert "complété par la caisse" not in html


def test_admin_completes_a_motif_prg_audited_and_published(client, caisses):
    admin = make_admin(caisses)
    login(client, admin)
    caisse = caisses["cpam-de-la-loire-atlantique"]
    url = motif_url(caisse)
    page = client.get(url)
    assert page.status_code == 200
    assert "Arrêt de travail et indemnités journalières" in page.get_data(as_text=True)
    data = motif_data(
        client,
        url,
        postal_address="CPAM de la Loire-Atlantique\r\nService des indemnités journalières\r\n44958 Nantes",
        accueil_note="Sur rendez-vous uniquement pour ce motif.",
    )
    response = client.post(url, data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/agent/caisses/{caisse.id}"
    row = db.session.scalar(sa.select(CaisseMotif).where(CaisseMotif.caisse_id == caisse.id))
    assert row.motif == "arret-de-travail"
    assert row.postal_address.splitlines()[1] == "Service des indemnités journalières"
    assert row.updated_by_id == admin.id
    detail = db.session.scalar(sa.select(AuditEvent.detail).where(AuditEvent.kind == "caisse_motif_edited"))
    assert detail == "cpam-de-la-loire-atlantique / arret-de-travail: postal_address, accueil_note"
    followed = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Arrêt de travail et indemnités journalières : informations enregistrées." in followed
    assert "complété par la caisse" in followed
    public = client.get(
        "/adresses", query_string={"code_postal": "44000", "motif": "arret-de-travail"}
    ).get_data(as_text=True)
    assert "Service des indemnités journalières" in public
    assert "Sur rendez-vous uniquement pour ce motif." in public
    # The form shows what is stored; emptying every field brings the national advice back.
    assert "Sur rendez-vous uniquement pour ce motif." in client.get(url).get_data(as_text=True)
    response = client.post(url, data=motif_data(client, url))
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(CaisseMotif.id))) == 0
    public = client.get(
        "/adresses", query_string={"code_postal": "44000", "motif": "arret-de-travail"}
    ).get_data(as_text=True)
    assert "Service des indemnités journalières" not in public


def test_saving_unchanged_values_changes_nothing(client, caisses):
    login(client, make_admin(caisses))
    url = motif_url(caisses["cpam-de-paris"], "c2s")
    response = client.post(url, data=motif_data(client, url))
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(CaisseMotif.id))) == 0
    assert db.session.scalar(sa.select(AuditEvent.id).where(AuditEvent.kind == "caisse_motif_edited")) is None


@pytest.mark.parametrize(
    ("field", "limit", "message"),
    [
        ("postal_address", 500, "L&#39;adresse postale doit comporter 500 caractères au plus."),
        ("phone_note", 300, "La précision sur le téléphone doit comporter 300 caractères au plus."),
        ("accueil_note", 300, "La précision sur l&#39;accueil doit comporter 300 caractères au plus."),
        ("note", 500, "L&#39;information complémentaire doit comporter 500 caractères au plus."),
    ],
)
@pytest.mark.parametrize("headers", [{}, HX])
def test_too_long_a_motif_field_is_422_and_keeps_what_was_typed(
    client, caisses, field, limit, message, headers
):
    login(client, make_admin(caisses))
    url = motif_url(caisses["cpam-de-paris"])
    typed = "é" * (limit + 1)
    data = motif_data(client, url, **{field: typed, "note" if field != "note" else "phone_note": "gardé"})
    response = client.post(url, data=data, headers=headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert ("<html" in html) is (not headers)
    assert "Il y a un problème" in html
    assert html.count(message) == 2  # in the summary and next to the field
    assert typed in html
    assert "gardé" in html
    assert "Erreur : " in html.split("</title>")[0]
    assert db.session.scalar(sa.select(sa.func.count(CaisseMotif.id))) == 0


def test_motif_edit_needs_the_csrf_token(client, caisses):
    login(client, make_admin(caisses))
    url = motif_url(caisses["cpam-de-paris"])
    response = client.post(url, data={"note": "sans jeton"})
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(CaisseMotif.id))) == 0


def test_unknown_motif_is_404(client, caisses):
    login(client, make_admin(caisses))
    assert client.get(motif_url(caisses["cpam-de-paris"], "horoscope")).status_code == 404
    assert client.get("/agent/caisses/999999/motifs/c2s").status_code == 404


def test_agents_cannot_edit_motifs(client, users, caisses):
    caisse = caisses["cpam-de-la-loire-atlantique"]
    url = motif_url(caisse)
    login(client, users["agent44"])
    assert client.get(url).status_code == 403
    token = csrf_token(client, "/agent/")
    response = client.post(url, data={"note": "non", "csrf_token": token})
    assert response.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(CaisseMotif.id))) == 0


def test_anonymous_goes_to_login_for_motifs(client, caisses):
    url = motif_url(caisses["cpam-de-paris"])
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/connexion?next=")
