"""Configuration classes. Secrets come from the environment or the instance folder, never the code."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def database_url_from_env(url: str | None) -> str | None:
    """Normalise a ``DATABASE_URL`` so SQLAlchemy uses psycopg 3 for PostgreSQL."""
    if not url:
        return None
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Config:
    """Settings shared by every environment; subclasses change what differs."""

    ENV_NAME = "base"
    SECRET_KEY: str | None = None
    DATABASE_URL = database_url_from_env(os.environ.get("DATABASE_URL"))
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL") or None
    MAIL_URL = os.environ.get("MAIL_URL") or None
    MAIL_FROM = os.environ.get("MAIL_FROM", "macaisse <ne-pas-repondre@macaisse.localhost>")

    HOST = os.environ.get("HOST", "127.0.0.1")
    PORT = _env_int("PORT", 5000)
    # Browsers refuse WebAuthn on 127.0.0.1: the public address is localhost by default.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL") or f"http://localhost:{PORT}"
    WEBAUTHN_RP_ID = os.environ.get("WEBAUTHN_RP_ID", "localhost")
    WEBAUTHN_RP_NAME = "macaisse"

    SESSION_COOKIE_NAME = "macaisse_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    PERMANENT_SESSION_LIFETIME = timedelta(hours=_env_int("SESSION_ABSOLUTE_HOURS", 12))
    SESSION_IDLE_MINUTES = _env_int("SESSION_IDLE_MINUTES", 30)

    WTF_CSRF_TIME_LIMIT = None  # the session lifetime already bounds the token
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024

    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_STRATEGY = "fixed-window"

    # "Paiements" of the professional's space: how many months back (18 is common today).
    PRO_PAYMENTS_MONTHS = _env_int("PRO_PAYMENTS_MONTHS", 10)

    # A professional's account unused this long is suspended (6 months).
    PRO_SUSPEND_AFTER_DAYS = _env_int("PRO_SUSPEND_AFTER_DAYS", 183)

    # Messagerie: the caisse answers an assuré within 48 h, a professional within 3 working days.
    MESSAGE_REPLY_HOURS = _env_int("MESSAGE_REPLY_HOURS", 48)
    MESSAGE_REPLY_WORKING_DAYS_PRO = _env_int("MESSAGE_REPLY_WORKING_DAYS_PRO", 3)

    # Identity (issue "Identity and access"): every delay is configuration, not code.
    CGU_VERSION = "2026-11"
    PROVISIONAL_CODE_DAYS = _env_int("PROVISIONAL_CODE_DAYS", 60)
    POSTAL_DELAY_TEXT = os.environ.get("POSTAL_DELAY_TEXT", "sous 2 à 10 jours")
    ACTIVATION_LINK_MINUTES = 30
    RESET_LINK_MINUTES = 30
    LOGIN_CODE_MINUTES = 10
    LOGIN_CODE_TRIES = 5
    DEVICE_REMEMBER_DAYS = 90
    DEVICE_COOKIE_NAME = "macaisse_appareil"
    LOCK_THRESHOLD = 5
    LOCK_BASE_MINUTES = 15
    LOCK_MAX_HOURS = 24
    # An attestation de droits states the rights on its issue date; it is given as valid this many
    # days (many organisations ask for one under three months old), never past a listed end of rights.
    ATTESTATION_VALID_DAYS = _env_int("ATTESTATION_VALID_DAYS", 90)

    # argon2id (argon2-cffi's RFC 9106 low-memory defaults: 3 passes, 64 MiB, 4 lanes).
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_KIB = 65536
    ARGON2_PARALLELISM = 4

    # Mixed into the service worker's version: change it to make every browser install the worker
    # again (and show "Nouvelle version disponible") when something it depends on changed unseen.
    SW_VERSION_SALT = os.environ.get("SW_VERSION_SALT", "")

    HUEY_IMMEDIATE = False
    HSTS = True
    FORCE_HTTPS = False
    TEMPLATES_AUTO_RELOAD = False

    def __init__(self) -> None:
        self.RATELIMIT_STORAGE_URI = self.REDIS_URL or "memory://"


class DevelopmentConfig(Config):
    """``make run``: SQLite and Huey in ``instance/``, outbox files, no HSTS, cookies over http."""

    ENV_NAME = "development"
    DEBUG = False
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    HSTS = False
    TEMPLATES_AUTO_RELOAD = True


class TestingConfig(Config):
    """pytest: a throw-away database, jobs run inline, fixed secret, no rate limits unless a test asks."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "tests-only-secret-key-not-for-production"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    HSTS = False
    HUEY_IMMEDIATE = True
    RATELIMIT_ENABLED = False
    # Cheap hashing keeps the suite fast; the algorithm and code paths are the production ones.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_KIB = 1024
    ARGON2_PARALLELISM = 1
    DATABASE_URL = None
    SQLALCHEMY_DATABASE_URI = "sqlite://"  # never the development database: fixtures give a file
    REDIS_URL = None


class ProductionConfig(Config):
    """Behind a TLS proxy: secure cookies, HSTS, and a secret key that must come from the environment."""

    ENV_NAME = "production"
    FORCE_HTTPS = False  # TLS ends at the load balancer; HSTS still tells browsers to stay on https

    def __init__(self) -> None:
        super().__init__()
        key = os.environ.get("SECRET_KEY", "")
        if len(key) < 32:
            raise RuntimeError(
                "SECRET_KEY manquante ou trop courte : en production, définissez SECRET_KEY "
                "(32 caractères au moins) dans l'environnement."
            )
        self.SECRET_KEY = key


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def load_or_create_secret_key(instance_path: str) -> str:
    """Read the development secret from the instance folder, creating it (mode 0600) on first run."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
