"""macaisse: the member portal of a health-insurance fund. ``create_app`` builds the application."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask, Response, request

from app.config import CONFIGS, Config, load_or_create_secret_key


def create_app(config: type[Config] | Config | str | dict[str, Any] | None = None) -> Flask:
    """Build the application.

    ``config`` is a config class or instance, a name ("development", "testing", "production"), or a
    dict of overrides on top of the environment's choice (``MACAISSE_CONFIG``, default development).
    """
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=os.environ.get("MACAISSE_INSTANCE_PATH") or None,
    )
    overrides: dict[str, Any] = {}
    if isinstance(config, dict):
        overrides = config
        config = None
    if config is None:
        config = os.environ.get("MACAISSE_CONFIG", "development")
    if isinstance(config, str):
        if config not in CONFIGS:
            raise RuntimeError(f"Configuration inconnue : {config!r}")
        config = CONFIGS[config]
    if isinstance(config, type):
        config = config()
    app.config.from_object(config)
    app.config.update(overrides)

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        if app.config["ENV_NAME"] == "production":
            raise RuntimeError("SECRET_KEY manquante : définissez-la dans l'environnement.")
        app.config["SECRET_KEY"] = load_or_create_secret_key(app.instance_path)

    _configure_database(app)
    _init_extensions(app)
    _register_blueprints(app)
    _register_hooks(app)
    return app


def _configure_database(app: Flask) -> None:
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        url = app.config.get("DATABASE_URL")
        if not url:
            url = "sqlite:///" + str(Path(app.instance_path) / "macaisse.sqlite3")
        app.config["SQLALCHEMY_DATABASE_URI"] = url
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options.pop("pool_pre_ping", None)
        options.setdefault("connect_args", {}).setdefault("timeout", 15)
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers work while one writer commits; SQLite ignores foreign keys unless asked."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _init_extensions(app: Flask) -> None:
    from app import models
    from app.assets import init_assets
    from app.extensions import csrf, db, huey, limiter, migrate
    from app.rules import conges_naissance
    from app.security import init_security

    db.init_app(app)
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            sa.event.listen(engine, "connect", _sqlite_pragmas)
    migrate.init_app(
        app,
        db,
        directory=str(Path(app.root_path).parent / "migrations"),
        render_as_batch=True,
        include_name=models.include_in_migrations,
    )
    limiter.init_app(app)
    csrf.init_app(app)
    huey.init_app(app)
    init_security(app)
    init_assets(app)
    app.jinja_env.globals["conges_naissance_resume"] = conges_naissance.resume

    from app import tasks  # noqa: F401  (registers the queued jobs on huey)


def _register_blueprints(app: Flask) -> None:
    from app.api.routes import bp as api_bp
    from app.cli import register_cli
    from app.services import fiches_figures
    from app.web.agent.reclamations import bp as agent_reclamations_bp
    from app.web.agent.routes import bp as agent_bp
    from app.web.arrets.routes import bp as arrets_bp
    from app.web.auth.routes import bp as auth_bp
    from app.web.compte import accueil as _compte_accueil  # noqa: F401  (registers views)
    from app.web.compte.acces import bp as compte_acces_bp
    from app.web.compte.routes import bp as compte_bp
    from app.web.demarches.blueprint import agent_bp as agent_demarches_bp
    from app.web.demarches.pro_medecin_traitant import bp as pro_demarches_bp
    from app.web.demarches.routes import bp as demarches_bp
    from app.web.employeur.routes import bp as employeur_bp
    from app.web.errors import register_error_handlers
    from app.web.forum import moderation as _forum_moderation  # noqa: F401  (registers views)
    from app.web.forum import public as _forum_public  # noqa: F401
    from app.web.forum import write as _forum_write  # noqa: F401
    from app.web.forum.blueprint import agent_bp as agent_forum_bp
    from app.web.forum.blueprint import bp as forum_bp
    from app.web.informations.routes import bp as informations_bp
    from app.web.main.routes import bp as main_bp
    from app.web.messages import routes as messages_routes
    from app.web.messages.agent import bp as agent_messages_bp
    from app.web.notifications.routes import bp as notifications_bp
    from app.web.paiements.routes import bp as paiements_bp
    from app.web.passkeys.routes import bp as passkeys_bp
    from app.web.pro.patients import bp as pro_patients_bp
    from app.web.pro.payments import bp as pro_paiements_bp
    from app.web.pro.reclamations import bp as pro_reclamations_bp
    from app.web.pro.routes import bp as pro_bp
    from app.web.shell import register_shell
    from app.web.simulateurs.routes import bp as simulateurs_bp
    from app.web.verification.routes import bp as verification_bp
    from app.web.widget.routes import bp as widget_bp

    blueprints = (
        main_bp,
        widget_bp,
        auth_bp,
        compte_bp,
        demarches_bp,
        agent_bp,
        agent_demarches_bp,
        agent_messages_bp,
        agent_forum_bp,
        forum_bp,
        agent_reclamations_bp,
        passkeys_bp,
        api_bp,
        simulateurs_bp,
        notifications_bp,
        paiements_bp,
        arrets_bp,
        pro_bp,
        pro_demarches_bp,
        pro_reclamations_bp,
        pro_paiements_bp,
        pro_patients_bp,
        compte_acces_bp,
        employeur_bp,
        verification_bp,
        informations_bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    messages_routes.register(app)
    register_error_handlers(app)
    register_shell(app)
    register_cli(app)
    fiches_figures.register(app)


def _register_hooks(app: Flask) -> None:
    @app.after_request
    def run_after_commit_jobs(response: Response) -> Response:
        from app.services.transactions import run_ready

        run_ready()  # jobs of a transaction committed with db.session.commit() directly
        return response

    @app.after_request
    def cache_headers(response: Response) -> Response:
        if request.endpoint == "static":
            if request.args.get("v"):
                response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
            else:
                response.headers["Cache-Control"] = "no-cache"
        elif "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-cache"
        return response
