"""Shared fixtures, flaskr style: ``app``, ``client``, ``runner``, ``hx`` headers, login helpers.

The database is a fresh SQLite file per test, or, when ``TEST_DATABASE_URL`` is set, a PostgreSQL
schema of its own for the whole run (tables created and dropped around each test).
"""

from __future__ import annotations

import contextvars
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask, has_app_context
from flask.testing import FlaskClient

from app import create_app
from app.extensions import db

HX = {"HX-Request": "true"}
PASSWORD = "Macaisse-Test-2026"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that use the database carry the ``db`` marker: CI runs them again on PostgreSQL."""
    for item in items:
        if "app" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)


@pytest.fixture(autouse=True)
def _instance_folder(tmp_path, monkeypatch) -> None:
    """Every app built in a test keeps its instance folder (secret key, queue) in a temp dir."""
    monkeypatch.setenv("MACAISSE_INSTANCE_PATH", str(tmp_path / "instance"))


@pytest.fixture(scope="session")
def database_url() -> Iterator[str | None]:
    """A PostgreSQL URL bound to a schema made for this run, or None for SQLite."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield None
        return
    from app.config import database_url_from_env

    url = database_url_from_env(url)
    schema = f"test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in url else "?"
    yield f"{url}{separator}options=-csearch_path%3D{schema}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def make_test_app(tmp_path, database_url: str | None, **overrides) -> Flask:
    config = {
        "SQLALCHEMY_DATABASE_URI": database_url or f"sqlite:///{tmp_path / 'test.sqlite3'}",
        **overrides,
    }
    return _testing_app(config)


class IsolatedClient(FlaskClient):
    """A test client whose requests run in their own application context, as in production.

    Flask reuses an already pushed app context for a request; the ``app`` fixture pushes one for
    the test, so without this the test and the request would share ``g`` and the database session.
    The test's session is committed around each request so both sides see each other's writes.
    """

    def open(self, *args, **kwargs):
        _settle()
        try:
            return contextvars.Context().run(super().open, *args, **kwargs)
        finally:
            _settle()


def _settle() -> None:
    if has_app_context():
        db.session.commit()


def _testing_app(config: dict) -> Flask:
    from app.config import TestingConfig

    class Configured(TestingConfig):
        pass

    for key, value in config.items():
        setattr(Configured, key, value)
    app = create_app(Configured)
    app.test_client_class = IsolatedClient
    return app


# PostgreSQL schemas (one per test process) whose tables exist: made once, emptied after each test.
_POSTGRES_READY: set[str] = set()


@pytest.fixture
def app_factory(tmp_path, database_url):
    """Build a testing app with extra settings and an empty database. SQLite: a new file per test.
    PostgreSQL: the process's schema gets its tables once; each test leaves them empty (TRUNCATE,
    identities restarted: ids start at 1 again), ten times faster than dropping and creating."""
    made: list[Flask] = []

    def factory(**overrides) -> Flask:
        app = make_test_app(tmp_path, database_url, **overrides)
        with app.app_context():
            if database_url is None or database_url not in _POSTGRES_READY:
                db.create_all()
                if database_url is not None:
                    _POSTGRES_READY.add(database_url)
        made.append(app)
        return app

    yield factory
    for app in made:
        with app.app_context():
            db.session.remove()
            if database_url is None:
                db.drop_all()
            else:
                _empty_postgres_tables()
            db.engine.dispose()


def _empty_postgres_tables() -> None:
    names = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
    with db.engine.begin() as connection:
        connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
def app(app_factory) -> Iterator[Flask]:
    app = app_factory()
    with app.app_context():
        yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def caisses(app: Flask) -> dict:
    """Every caisse loaded from the reference data, by key."""
    from app.models import Caisse
    from app.services.caisses import sync_caisses

    sync_caisses()
    return {c.key: c for c in db.session.scalars(sa.select(Caisse))}


def make_person(caisse, nir: str | None, first_name: str, last_name: str, birth: date, **extra):
    from app.models import Person
    from app.rules.nir import sex_of

    values = {
        "nir": nir,
        "sex": sex_of(nir) if nir else extra.pop("sex"),
        "first_name": first_name,
        "last_name": last_name,
        "birth_date": birth,
        "address_line": "1 rue de la Paix",
        "postal_code": "44000",
        "commune_insee": "44109",
        "commune_name": "Nantes",
        "caisse_id": caisse.id,
        "rights_start": date(2020, 1, 1),
        **extra,
    }
    person = Person(**values)
    db.session.add(person)
    db.session.commit()
    return person


@pytest.fixture
def users(app: Flask, caisses: dict) -> dict:
    """Two assurés of different caisses and two agents, with password ``PASSWORD``."""
    from app.services.accounts import create_assure_account, create_staff

    nantes = caisses["cpam-de-la-loire-atlantique"]
    paris = caisses["cpam-de-paris"]
    camille = make_person(nantes, "295067505612349", "Camille", "Martin", date(1995, 6, 12))
    louis = make_person(
        paris,
        "184127510826403",
        "Louis",
        "Bernard",
        date(1984, 12, 3),
        postal_code="75011",
        commune_insee="75111",
        commune_name="Paris 11e Arrondissement",
    )
    return {
        "camille": create_assure_account(camille, PASSWORD, "camille@example.org"),
        "louis": create_assure_account(louis, PASSWORD, "louis@example.org"),
        "agent44": create_staff("agent44", PASSWORD, "agent", nantes.id, "Agent 44", "agent44@example.org"),
        "agent75": create_staff("agent75", PASSWORD, "agent", paris.id, "Agent 75", "agent75@example.org"),
    }


def csrf_token(client: FlaskClient, url: str) -> str:
    """Fetch ``url`` and read the CSRF token from its ``<meta name="csrf-token">``."""
    import re

    html = client.get(url).get_data(as_text=True)
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def last_code(user, kind: str = "login_code") -> str:
    """The 6-digit code of the newest e-mail of ``kind`` sent to ``user`` (codes are stored hashed,
    so tests read them where the user would: in the e-mail)."""
    import re

    from app.models import OutgoingMail

    body = db.session.scalar(
        sa.select(OutgoingMail.body)
        .where(OutgoingMail.user_id == user.id, OutgoingMail.kind == kind)
        .order_by(OutgoingMail.id.desc())
        .limit(1)
    )
    assert body, f"no {kind} e-mail for user {user.id}"
    return re.search(r"\b(\d{6})\b", body).group(1)


def login(client: FlaskClient, user, *, remember: bool = False):
    """Log ``user`` in through the real forms (password, then the e-mail code when asked)."""
    if user.role == "assure":
        token = csrf_token(client, "/connexion")
        data = {"nir": user.person.nir, "password": PASSWORD, "csrf_token": token}
        response = client.post("/connexion", data=data)
    else:
        # Staff sign in with their login, professionals with their RPPS (which is their login).
        pro = user.role == "professionnel"
        url, name = ("/pro/connexion", "rpps") if pro else ("/agent/connexion", "login")
        data = {name: user.login, "password": PASSWORD, "csrf_token": csrf_token(client, url)}
        response = client.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    if response.headers["Location"] == "/connexion/code":
        token = csrf_token(client, "/connexion/code")
        data = {"code": last_code(user), "csrf_token": token}
        if remember:
            data["remember"] = "y"
        response = client.post("/connexion/code", data=data)
        assert response.status_code == 302, response.get_data(as_text=True)[:800]
    return response


@pytest.fixture
def leo(users: dict, caisses: dict):
    """Léo, Camille's son (born 08/03/2019), an ayant droit of her file with his own NIR."""
    from app.services.demo import LEO_NIR

    return make_person(
        caisses["cpam-de-la-loire-atlantique"],
        LEO_NIR,
        "Léo",
        "Martin",
        date(2019, 3, 8),
        ouvrant_droit_id=users["camille"].person_id,
        rang=2,
        lien="enfant",
        rights_start=date(2019, 3, 8),
    )


@pytest.fixture
def agent_client(app: Flask, users: dict) -> FlaskClient:
    """Agent 44 (CPAM de la Loire-Atlantique, Camille's caisse) signed in on a client of their own."""
    agent = app.test_client()
    login(agent, users["agent44"])
    return agent


@pytest.fixture
def login_as(client: FlaskClient, users: dict):
    """``login_as("camille")`` logs that demo user in on ``client`` and returns the user."""

    def do(name: str):
        login(client, users[name])
        return users[name]

    return do


API_TOKEN = "mc_test-token-for-the-billing-software-0001"


@pytest.fixture
def doctor(app, caisses, users):
    """Dr Durand with a billing-software token ``API_TOKEN``; Camille's médecin traitant (so her
    consultations are in the parcours de soins)."""
    import hashlib

    from app.models import ApiToken
    from app.models.care import Professional

    professional = Professional(
        rpps="10101010105",
        first_name="Sophie",
        last_name="Durand",
        profession="Médecin",
        specialty="Médecine générale",
        secteur="1",
        caisse_id=caisses["cpam-de-la-loire-atlantique"].id,
        postal_code="44000",
        commune_name="Nantes",
    )
    db.session.add(professional)
    db.session.flush()
    db.session.add(
        ApiToken(
            professional_id=professional.id,
            name="Logiciel",
            prefix=API_TOKEN[:8],
            token_hash=hashlib.sha256(API_TOKEN.encode()).hexdigest(),
        )
    )
    users["camille"].person.medecin_traitant_rpps = "10101010105"
    db.session.commit()
    return professional


@pytest.fixture
def doctor_account(doctor):
    """Dr Durand's web account: her RPPS as login, ``PASSWORD``, a verified e-mail, the CGU accepted
    (``login(client, doctor_account)`` signs her in at ``/pro/connexion``)."""
    from flask import current_app

    from app.models import User
    from app.models.base import utcnow
    from app.security import hash_password

    user = User(
        role="professionnel",
        professional_id=doctor.id,
        login=doctor.rpps,
        display_name="Sophie Durand",
        email="sophie.durand@example.org",
        email_verified_at=utcnow(),
        cgu_version=current_app.config["CGU_VERSION"],
        password_hash=hash_password(PASSWORD),
    )
    db.session.add(user)
    db.session.commit()
    return user


@contextmanager
def recorded_queries() -> Iterator[list[str]]:
    """The SQL statements run inside the ``with`` block (for "constant queries" assertions)."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)


def count_queries(client: FlaskClient, url: str, headers: dict | None = None) -> int:
    """How many SQL statements a GET of ``url`` runs (asserting it answers 200)."""
    with recorded_queries() as statements:
        response = client.get(url, headers=headers or {})
    assert response.status_code == 200, response.status_code
    return len(statements)


EMPLOYER_TOKEN = "mc_test-token-for-the-payroll-software-0001"
OTHER_EMPLOYER_TOKEN = "mc_test-token-for-the-payroll-software-0002"


@pytest.fixture
def employers(app, users) -> dict:
    """Two employer accounts with ``PASSWORD``: "atelier" (SIRET 90000001900019, token
    ``EMPLOYER_TOKEN``) and "boulangerie" (SIRET 90000002700012, token ``OTHER_EMPLOYER_TOKEN``)."""
    import hashlib

    from app.models.sick_leave import EmployerToken
    from app.services.employers import create_employer

    accounts = {
        "atelier": create_employer(
            "90000001900019", "Atelier Loire SARL", PASSWORD, "paie@atelier.example.org"
        ),
        "boulangerie": create_employer(
            "90000002700012", "Boulangerie de l'Erdre", PASSWORD, "b@erdre.example.org"
        ),
    }
    for user, token in (
        (accounts["atelier"], EMPLOYER_TOKEN),
        (accounts["boulangerie"], OTHER_EMPLOYER_TOKEN),
    ):
        db.session.add(
            EmployerToken(
                employer_id=user.employer_id,
                name="Logiciel de paie",
                prefix=token[:8],
                token_hash=hashlib.sha256(token.encode()).hexdigest(),
            )
        )
    db.session.commit()
    return accounts


def login_employer(client: FlaskClient, user):
    """Sign an employer account in at ``/employeur/connexion`` (SIRET and ``PASSWORD``)."""
    data = {
        "siret": user.employer.siret,
        "password": PASSWORD,
        "csrf_token": csrf_token(client, "/employeur/connexion"),
    }
    response = client.post("/employeur/connexion", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def post_files(client: FlaskClient, url: str, data: dict, headers: dict | None = None):
    """POST ``data`` as multipart/form-data (files as ``(BytesIO, name)``). Unlike ``client.post``,
    closes the request body the test client spools to a temporary file for a large upload (a file
    left open is a ResourceWarning, hence an error, in a later test)."""
    from werkzeug.test import EnvironBuilder

    builder = EnvironBuilder(
        path=url, method="POST", data=data, content_type="multipart/form-data", headers=headers or {}
    )
    environ = builder.get_environ()
    try:
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()
