"""Extension objects, created unbound here and bound to the application in ``create_app``."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFProtect
from huey import Huey
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base: naming convention so Alembic can name (and drop) every constraint."""

    metadata = sa.MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address)
talisman = Talisman()


class AppHuey(Huey):
    """A Huey whose storage is chosen by the Flask configuration, not at import time.

    SQLite in the instance folder by default, Redis when ``REDIS_URL`` is set, and immediate
    (in-process, in-memory) mode in tests. Tasks run inside an application context.
    """

    flask_app: Flask | None = None

    def init_app(self, app: Flask) -> None:
        self.flask_app = app
        # Set the private flag: the public setter would rebuild a storage from import-time settings.
        if app.config.get("HUEY_IMMEDIATE"):
            self._immediate = True
            self.storage = MemoryStorage(self.name)
        else:
            self._immediate = False
            redis_url = app.config.get("REDIS_URL")
            if redis_url:
                self.storage = RedisStorage(name="macaisse", url=redis_url)
            else:
                path = Path(app.instance_path) / "huey.sqlite3"
                self.storage = SqliteStorage(name="macaisse", filename=str(path))
        app.extensions["huey"] = self

    def app_task(self, **kwargs: Any) -> Callable:
        """Like ``huey.task`` but the function runs inside the application's context."""

        def decorator(func: Callable) -> Callable:
            @functools.wraps(func)
            def inner(*args: Any, **kw: Any) -> Any:
                if has_app_context():
                    return func(*args, **kw)
                if self.flask_app is None:
                    raise RuntimeError("Huey n'est pas lié à une application Flask.")
                with self.flask_app.app_context():
                    return func(*args, **kw)

            return self.task(**kwargs)(inner)

        return decorator

    def app_periodic_task(self, validate_datetime: Callable, **kwargs: Any) -> Callable:
        """Like ``huey.periodic_task`` but inside the application's context."""

        def decorator(func: Callable) -> Callable:
            @functools.wraps(func)
            def inner(*args: Any, **kw: Any) -> Any:
                if has_app_context():
                    return func(*args, **kw)
                assert self.flask_app is not None
                with self.flask_app.app_context():
                    return func(*args, **kw)

            return self.periodic_task(validate_datetime, **kwargs)(inner)

        return decorator


huey = AppHuey("macaisse", immediate=True)


def current_huey() -> AppHuey:
    """The queue bound to the current application."""
    return current_app.extensions["huey"]
