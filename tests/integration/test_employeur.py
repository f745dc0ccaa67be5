"""The employer space: sign-in by SIRET (lockout, CSRF), the attestation form (validation with the
typed values kept, PRG to the receipt), another employer's attestations, the API tokens."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models.sick_leave import EmployerToken, SalaryAttestation
from app.rules.attestation_salaire import month_label, months_before
from app.services.employers import paris_today
from tests.conftest import PASSWORD, count_queries, csrf_token, login, login_employer

HX = {"HX-Request": "true"}
NEW = "/employeur/attestations/nouvelle"


def start() -> date:
    today = paris_today()
    return date(today.year, today.month, 1)


def form_data(client, **changes) -> dict:
    page = client.get(NEW).get_data(as_text=True)
    key = re.search(r'name="submission_key" type="hidden" value="([^"]+)"', page) or re.search(
        r'type="hidden" name="submission_key" value="([^"]+)"', page
    )
    values = {
        "csrf_token": csrf_token(client, NEW),
        "submission_key": key.group(1) if key else "",
        "nir": "2 95 06 75 056 123 49",
        "arret_start": f"{start():%d/%m/%Y}",
        "gross_0": "2 000,00",
        "gross_1": "2000",
        "gross_2": "2100,50",
        "hours": "455",
        "action": "transmettre",
    }
    values.update(changes)
    return values


def test_login_page_and_sign_in(client, employers):
    page = client.get("/employeur/connexion")
    assert page.status_code == 200
    assert "Espace employeur : connexion" in page.get_data(as_text=True)
    response = login_employer(client, employers["atelier"])
    assert response.headers["Location"] == "/employeur/"
    home = html.unescape(client.get("/employeur/").get_data(as_text=True))
    assert "Atelier Loire SARL" in home
    assert "90000001900019" in home


@pytest.mark.parametrize(
    ("siret", "message"),
    [
        ("", "Saisissez le numéro SIRET"),
        ("1234", "14 chiffres"),
        ("90000001900018", "n'est pas valide"),
    ],
)
def test_login_validation(client, employers, siret, message):
    data = {"siret": siret, "password": PASSWORD, "csrf_token": csrf_token(client, "/employeur/connexion")}
    response = client.post("/employeur/connexion", data=data)
    assert response.status_code == 422
    assert message in html.unescape(response.get_data(as_text=True))


def test_login_bad_password_then_lockout(client, employers):
    token = csrf_token(client, "/employeur/connexion")
    data = {"siret": "900 000 019 00019", "password": "mauvais", "csrf_token": token}
    for _ in range(4):
        response = client.post("/employeur/connexion", data=data)
        assert response.status_code == 422
        assert "Numéro SIRET ou mot de passe incorrect." in html.unescape(response.get_data(as_text=True))
    locked = client.post("/employeur/connexion", data=data)
    assert locked.status_code == 423
    assert "bloqué" in html.unescape(locked.get_data(as_text=True))
    right = client.post("/employeur/connexion", data={**data, "password": PASSWORD})
    assert right.status_code == 423


def test_login_requires_csrf(client, employers):
    response = client.post("/employeur/connexion", data={"siret": "90000001900019", "password": PASSWORD})
    assert response.status_code in (400, 422)
    assert client.get("/employeur/").status_code == 302


def test_anonymous_goes_to_the_employer_sign_in(client):
    response = client.get("/employeur/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/employeur/connexion?next=")


def test_assure_gets_403(client, users):
    login(client, users["camille"])
    assert client.get("/employeur/").status_code == 403
    assert client.get(NEW).status_code == 403


def test_month_labels_follow_the_date(client, employers):
    login_employer(client, employers["atelier"])
    data = form_data(client, action="mois")
    response = client.post(NEW, data=data)
    assert response.status_code == 200
    page = html.unescape(response.get_data(as_text=True))
    for month in months_before(start()):
        assert f"Salaire brut de {month_label(month)}" in page
    assert db.session.scalar(sa.select(sa.func.count(SalaryAttestation.id))) == 0


def test_attestation_prg_to_the_receipt(client, employers):
    login_employer(client, employers["atelier"])
    response = client.post(NEW, data=form_data(client))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    attestation = db.session.scalars(sa.select(SalaryAttestation)).one()
    assert response.headers["Location"] == f"/employeur/attestations/{attestation.id}"
    assert [str(m.gross) for m in attestation.months] == ["2000.00", "2000.00", "2100.50"]
    assert attestation.hours_worked == 455
    assert attestation.source == "web"
    receipt = html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert attestation.receipt_number in receipt
    assert "numéro de réception" in receipt
    home = client.get("/employeur/").get_data(as_text=True)
    assert attestation.receipt_number in home


def test_double_submit_stores_one(client, employers):
    login_employer(client, employers["atelier"])
    data = form_data(client)
    first = client.post(NEW, data=data)
    second = client.post(NEW, data=data)
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count(SalaryAttestation.id))) == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"nir": ""}, "Saisissez le numéro de sécurité sociale."),
        ({"nir": "1 84 12 75 108 265 02"}, "Aucun assuré ne correspond à ce numéro."),
        ({"arret_start": "32/13/2026"}, "au format JJ/MM/AAAA"),
        ({"arret_start": ""}, "Saisissez la date de début"),
        ({"arret_start": "01/01/2099"}, "30 jours dans le futur"),
        ({"gross_1": "-5"}, "positif ou nul"),
        ({"gross_1": "12,345"}, "2 décimales"),
        ({"gross_2": ""}, "Saisissez le salaire brut"),
        ({"hours": "deux cents"}, "nombre entier"),
        ({"hours": "1200"}, "entre 0 et 1000"),
    ],
)
def test_attestation_validation_keeps_values(client, employers, changes, message):
    login_employer(client, employers["atelier"])
    data = form_data(client, **changes)
    response = client.post(NEW, data=data)
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert "Il y a un problème" in page
    assert message in page
    assert "<title>Erreur : " in page
    for name in ("nir", "arret_start", "gross_0", "hours"):
        if data[name]:
            assert f'value="{html.unescape(data[name])}"' in page
    assert db.session.scalar(sa.select(sa.func.count(SalaryAttestation.id))) == 0


def test_validation_fragment_for_htmx(client, employers):
    login_employer(client, employers["atelier"])
    response = client.post(NEW, data=form_data(client, hours="1200"), headers=HX)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "<html" not in body
    assert body.startswith("<title>Erreur : ")
    assert "HX-Request" in response.headers["Vary"]


def test_second_attestation_of_the_same_arret_is_409(client, employers):
    login_employer(client, employers["atelier"])
    client.post(NEW, data=form_data(client))
    number = db.session.scalar(sa.select(SalaryAttestation.receipt_number))
    again = client.post(NEW, data=form_data(client, hours="400"))
    assert again.status_code == 409
    assert number in html.unescape(again.get_data(as_text=True))


def test_csrf_rejected_on_the_attestation(client, employers):
    login_employer(client, employers["atelier"])
    data = form_data(client)
    data.pop("csrf_token")
    response = client.post(NEW, data=data)
    assert response.status_code in (400, 422)
    assert db.session.scalar(sa.select(sa.func.count(SalaryAttestation.id))) == 0


def test_other_employer_cannot_see_an_attestation(app, client, employers):
    login_employer(client, employers["atelier"])
    client.post(NEW, data=form_data(client))
    attestation = db.session.scalars(sa.select(SalaryAttestation)).one()
    client.post("/deconnexion", data={"csrf_token": csrf_token(client, "/employeur/")})
    login_employer(client, employers["boulangerie"])
    assert client.get(f"/employeur/attestations/{attestation.id}").status_code == 404
    assert attestation.receipt_number not in client.get("/employeur/").get_data(as_text=True)


def test_home_queries_do_not_grow(client, employers):
    login_employer(client, employers["atelier"])
    client.post(NEW, data=form_data(client))
    before = count_queries(client, "/employeur/")
    client.post(NEW, data=form_data(client, nir="1 84 12 75 108 264 03"))
    assert db.session.scalar(sa.select(sa.func.count(SalaryAttestation.id))) == 2
    assert count_queries(client, "/employeur/") == before


def test_tokens_created_shown_once_and_revoked(client, employers):
    login_employer(client, employers["atelier"])
    token = csrf_token(client, "/employeur/jetons")
    empty = client.post("/employeur/jetons", data={"name": "", "csrf_token": token})
    assert empty.status_code == 422
    created = client.post("/employeur/jetons", data={"name": "Paie 2026", "csrf_token": token})
    assert created.status_code == 200
    secret = re.search(r'<code id="new-token">([^<]+)</code>', created.get_data(as_text=True)).group(1)
    assert secret not in client.get("/employeur/jetons").get_data(as_text=True)
    row = db.session.scalar(sa.select(EmployerToken).where(EmployerToken.name == "Paie 2026"))
    assert row.employer_id == employers["atelier"].employer_id
    assert secret not in row.token_hash
    revoked = client.post(f"/employeur/jetons/{row.id}/revocation", data={"csrf_token": token})
    assert revoked.headers["Location"] == "/employeur/jetons"
    db.session.refresh(row)
    assert row.revoked_at is not None


def test_cannot_revoke_another_employers_token(client, employers):
    other = db.session.scalar(
        sa.select(EmployerToken).where(EmployerToken.employer_id == employers["boulangerie"].employer_id)
    )
    login_employer(client, employers["atelier"])
    token = csrf_token(client, "/employeur/jetons")
    assert (
        client.post(f"/employeur/jetons/{other.id}/revocation", data={"csrf_token": token}).status_code == 404
    )
