"""The factory: configurations, secrets, database settings, queue and rate-limit storage."""

from __future__ import annotations

import os
import stat

import pytest
import sqlalchemy as sa

from app import create_app
from app.config import DevelopmentConfig, ProductionConfig, database_url_from_env
from app.extensions import db, huey, limiter


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")
    monkeypatch.setenv("SECRET_KEY", "court")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig)


def test_production_takes_its_secret_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'prod.sqlite3'}")
    app = create_app("production")
    assert app.config["SECRET_KEY"] == "k" * 40
    assert app.config["SESSION_COOKIE_SECURE"] is True
    with app.app_context():
        db.create_all()
        response = app.test_client().get("/", base_url="https://localhost")
        assert "max-age=" in response.headers["Strict-Transport-Security"]
        db.drop_all()


def test_development_generates_a_secret_key_once_into_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)

    class Dev(DevelopmentConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'dev.sqlite3'}"

    first = create_app(Dev)
    key_file = os.path.join(first.instance_path, "secret_key")
    assert os.path.exists(key_file)
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    second = create_app(Dev)
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) >= 32


def test_unknown_configuration_name():
    with pytest.raises(RuntimeError, match="Configuration inconnue"):
        create_app("staging")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h:5432/db", "postgresql+psycopg://u@h:5432/db"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
        (None, None),
    ],
)
def test_database_url_uses_psycopg3(url, expected):
    assert database_url_from_env(url) == expected


def test_sqlite_runs_with_wal_and_foreign_keys(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    assert db.session.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
    assert db.session.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"


def test_foreign_keys_are_enforced(app):
    from datetime import date

    from app.models import Person

    db.session.add(
        Person(
            nir="295067505612349",
            sex="F",
            first_name="A",
            last_name="B",
            birth_date=date(1995, 6, 1),
            postal_code="44000",
            commune_insee="44109",
            commune_name="Nantes",
            caisse_id=999_999,
            rights_start=date(2020, 1, 1),
        )
    )
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_queue_is_immediate_in_tests_and_sqlite_by_default(app, tmp_path):
    from huey.storage import MemoryStorage, SqliteStorage

    assert huey.immediate is True
    assert isinstance(huey.storage, MemoryStorage)

    class Dev(DevelopmentConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'dev.sqlite3'}"
        REDIS_URL = None

    dev = create_app(Dev)
    try:
        assert huey.immediate is False
        assert isinstance(huey.storage, SqliteStorage)
        assert huey.storage.filename == os.path.join(dev.instance_path, "huey.sqlite3")
        assert dev.config["RATELIMIT_STORAGE_URI"] == "memory://"
    finally:
        huey.init_app(app)  # back to the test app's immediate mode


def test_limiter_and_queue_use_redis_when_configured(tmp_path):
    from huey.storage import RedisStorage

    from app.config import TestingConfig

    class WithRedis(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'r.sqlite3'}"
        REDIS_URL = "redis://127.0.0.1:6379/15"
        HUEY_IMMEDIATE = False

    app = create_app(WithRedis)
    try:
        assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/15"
        assert isinstance(huey.storage, RedisStorage)
    finally:
        huey.init_app(create_app("testing"))


@pytest.mark.db
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL non défini (passe CI Redis)")
def test_queue_round_trip_through_redis(tmp_path):
    """A job enqueued on Redis by one app is run by a consumer-side dequeue, as a worker would."""
    from app.config import TestingConfig
    from app.tasks import purge_audit_events_daily  # noqa: F401  (registers the periodic task)

    class WithRedis(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'q.sqlite3'}"
        REDIS_URL = os.environ["REDIS_URL"]
        HUEY_IMMEDIATE = False

    app = create_app(WithRedis)
    try:
        with app.app_context():
            db.create_all()
        huey.flush()

        @huey.app_task()
        def add(a, b):
            return a + b

        result = add(2, 3)
        assert huey.pending_count() == 1
        task = huey.dequeue()
        huey.execute(task)
        assert result.get() == 5
    finally:
        huey.flush()
        huey.init_app(create_app("testing"))


@pytest.mark.db
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL non défini (passe CI Redis)")
def test_rate_limits_are_shared_across_instances_through_redis(tmp_path):
    """Two app instances (two gunicorn workers, say) count the same login attempts."""
    import re

    from app.config import TestingConfig

    redis_url = os.environ["REDIS_URL"]

    class WithRedis(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'l.sqlite3'}"
        REDIS_URL = redis_url
        RATELIMIT_ENABLED = True

    import redis

    redis.Redis.from_url(redis_url).flushdb()
    first, second = create_app(WithRedis), create_app(WithRedis)
    with first.app_context():
        db.create_all()
    statuses = []
    for index in range(22):
        app = first if index % 2 else second
        client = app.test_client()
        html = client.get("/connexion").get_data(as_text=True)
        token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
        statuses.append(
            client.post(
                "/connexion", data={"nir": "2950675056123", "password": "x", "csrf_token": token}
            ).status_code
        )
    assert 429 in statuses
    assert statuses.index(429) == 20
    limiter.reset()
    redis.Redis.from_url(redis_url).flushdb()
