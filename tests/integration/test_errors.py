"""Error pages: French, page or fragment, no traceback, database rolled back."""

import sqlalchemy as sa

from app.extensions import db
from tests.conftest import HX, csrf_token


def test_404_page_and_fragment(client):
    response = client.get("/nulle-part")
    assert response.status_code == 404
    assert "Page introuvable" in response.get_data(as_text=True)
    fragment = client.get("/nulle-part", headers=HX)
    assert fragment.status_code == 404
    assert "<html" not in fragment.get_data(as_text=True)
    assert "Page introuvable" in fragment.get_data(as_text=True)


def test_405(client):
    response = client.get("/deconnexion")
    assert response.status_code == 405
    assert "Action impossible" in response.get_data(as_text=True)
    assert "POST" in response.headers["Allow"]


def test_csrf_failure_is_explained_in_french(client):
    response = client.post("/connexion", data={"nir": "2950675056123", "password": "x"})
    assert response.status_code == 400
    assert "Formulaire expiré" in response.get_data(as_text=True)


def test_413(app_factory):
    app = app_factory(MAX_CONTENT_LENGTH=10)
    with app.app_context():
        response = app.test_client().post("/connexion", data={"nir": "x" * 100})
    assert response.status_code == 413
    assert "trop volumineux" in response.get_data(as_text=True)


def test_500_rolls_back_and_hides_the_traceback(app_factory, caplog):
    from app.models import Caisse

    app = app_factory()

    @app.get("/boom")
    def boom():
        db.session.add(Caisse(key="fantome", name="Caisse fantôme", departement="99"))
        db.session.flush()
        nir = "2950675056" + "12349"
        raise RuntimeError(f"secret {nir}")

    with app.app_context():
        response = app.test_client().get("/boom")
        html = response.get_data(as_text=True)
        assert response.status_code == 500
        assert "Erreur technique" in html
        assert "Traceback" not in html
        assert "RuntimeError" not in html
        assert db.session.scalar(sa.select(sa.func.count(Caisse.id))) == 0
    assert "295067505612349" not in caplog.text  # the message may hold personal data


def test_429_when_rate_limited(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True)
    with app.app_context():
        client = app.test_client()
        token = csrf_token(client, "/connexion")
        data = {"nir": "2950675056123", "password": "essai", "csrf_token": token}
        statuses = [client.post("/connexion", data=data).status_code for _ in range(21)]
        last = client.post("/connexion", data=data)
    assert statuses[:20] == [422] * 20
    assert statuses[20] == 429
    assert "Trop de tentatives" in last.get_data(as_text=True)
    assert last.headers["Retry-After"]
