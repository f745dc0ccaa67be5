"""Login by NIR or staff identifiant, roles, logout, sessions invalidated by version."""

import pytest

from app.extensions import db
from tests.conftest import HX, PASSWORD, csrf_token, last_code, login


def test_login_form_labels_in_french(client):
    html = client.get("/connexion").get_data(as_text=True)
    assert '<label class="label" for="nir">Numéro de sécurité sociale</label>' in html
    assert '<label class="label" for="password">Mot de passe</label>' in html
    assert ">Se connecter</button>" in html


def finish_with_code(client, user):
    token = csrf_token(client, "/connexion/code")
    return client.post("/connexion/code", data={"code": last_code(user), "csrf_token": token})


def test_assure_logs_in_with_13_or_15_digits(client, users):
    for typed in ("2 95 06 75 056 123 49", "2950675056123"):
        token = csrf_token(client, "/connexion")
        response = client.post("/connexion", data={"nir": typed, "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 302
        assert response.headers["Location"] == "/connexion/code"
        assert finish_with_code(client, users["camille"]).headers["Location"] == "/compte/"
        assert "Bonjour Camille" in client.get("/compte/").get_data(as_text=True)
        client.post("/deconnexion", data={"csrf_token": csrf_token(client, "/compte/")})


@pytest.mark.parametrize(
    ("nir", "password", "message"),
    [
        ("295067505612349", "mauvais-mot-de-passe", "Numéro de sécurité sociale ou mot de passe"),
        ("295067505612348", PASSWORD, "La clé (les 2 derniers chiffres) ne correspond pas"),
        ("2950675", PASSWORD, "13 ou 15 chiffres attendus"),
        ("", PASSWORD, "Saisissez votre numéro de sécurité sociale"),
        ("295067505612349", "", "Saisissez votre mot de passe"),
    ],
)
def test_bad_login_is_422_with_errors_and_keeps_the_nir(client, users, nir, password, message):
    token = csrf_token(client, "/connexion")
    response = client.post("/connexion", data={"nir": nir, "password": password, "csrf_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Il y a un problème" in html
    assert message in html
    assert "<title>Erreur : Connexion" in html
    assert f'value="{nir}"' in html if nir else True
    assert 'aria-invalid="true"' in html
    assert "Cache-Control" in response.headers
    assert "no-store" in response.headers["Cache-Control"]


def test_bad_login_fragment_for_htmx(client, users):
    token = csrf_token(client, "/connexion")
    response = client.post(
        "/connexion", headers=HX, data={"nir": "295067505612349", "password": "non", "csrf_token": token}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "<html" not in html
    assert "Il y a un problème" in html
    assert html.startswith("<title>Erreur : Connexion")


def test_htmx_login_success_navigates_with_hx_redirect(client, users):
    token = csrf_token(client, "/connexion")
    response = client.post(
        "/connexion", headers=HX, data={"nir": "295067505612349", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == "/connexion/code"


def test_anonymous_htmx_request_gets_hx_redirect_to_login(client):
    response = client.get("/compte/", headers=HX)
    assert response.status_code == 200
    assert response.headers["HX-Redirect"].startswith("/connexion?next=")


def test_anonymous_page_request_redirects_to_login_with_next(client):
    response = client.get("/compte/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/connexion?next=/compte/"


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/compte/", "/compte/"),
        ("https://evil.example/", "/compte/"),
        ("//evil.example/x", "/compte/"),
        ("/\\evil.example", "/compte/"),
    ],
)
def test_next_is_checked_against_open_redirects(client, users, next_url, expected):
    token = csrf_token(client, "/connexion")
    client.post(
        "/connexion",
        query_string={"next": next_url},
        data={"nir": "295067505612349", "password": PASSWORD, "csrf_token": token},
    )
    assert finish_with_code(client, users["camille"]).headers["Location"] == expected


def test_staff_login_and_roles(client, users):
    login(client, users["agent44"])
    assert client.get("/agent/").status_code == 200
    assert "CPAM de la Loire-Atlantique" in client.get("/agent/").get_data(as_text=True)
    assert client.get("/compte/").status_code == 403


def test_assure_cannot_reach_back_office(client, login_as):
    login_as("camille")
    assert client.get("/agent/").status_code == 403


def test_staff_login_refuses_an_assure_login(client, users):
    token = csrf_token(client, "/agent/connexion")
    response = client.post(
        "/agent/connexion", data={"login": "295067505612349", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 422


def test_account_pages_are_not_stored(client, login_as):
    login_as("camille")
    response = client.get("/compte/")
    assert response.headers["Cache-Control"] == "no-store"


def test_each_assure_sees_only_their_own_file(client, login_as):
    login_as("louis")
    html = client.get("/compte/").get_data(as_text=True)
    assert "Louis" in html
    assert "Camille" not in html


def test_logout_clears_site_data(client, login_as):
    login_as("camille")
    token = csrf_token(client, "/compte/")
    response = client.post("/deconnexion", data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert client.get("/compte/").status_code == 302


def test_bumping_session_version_ends_other_sessions(app, users):
    first, second = app.test_client(), app.test_client()
    login(first, users["camille"])
    login(second, users["camille"])
    users["camille"].session_version += 1
    db.session.commit()
    assert first.get("/compte/").status_code == 302
    assert second.get("/compte/").status_code == 302


def test_idle_timeout_logs_out(app_factory):
    from tests.conftest import make_person

    app = app_factory(SESSION_IDLE_MINUTES=0)
    with app.app_context():
        from datetime import date

        import sqlalchemy as sa

        from app.models import Caisse
        from app.services.accounts import create_assure_account
        from app.services.caisses import sync_caisses

        sync_caisses()
        caisse = db.session.scalar(sa.select(Caisse).where(Caisse.key == "cpam-de-paris"))
        person = make_person(caisse, "184127510826403", "Louis", "Bernard", date(1984, 12, 3))
        user = create_assure_account(person, PASSWORD, None)
        client = app.test_client()
        login(client, user)
        with client.session_transaction() as session:
            session["_seen"] = 0  # last seen long ago
        response = client.get("/compte/")
        assert response.status_code == 302
        follow = client.get(response.headers["Location"])
        assert "expiré" in follow.get_data(as_text=True)
