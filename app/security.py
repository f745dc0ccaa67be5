"""Security plumbing: headers (CSP), sessions, login loading, role checks, safe redirects."""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin, urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, abort, current_app, request, session, url_for
from flask_login import current_user, logout_user

from app.extensions import db, login_manager, talisman

# Scripts and styles only from our origin: no inline code, no eval, no CDN.
CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "manifest-src": "'self'",
    "worker-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

PERMISSIONS_POLICY = {
    "browsing-topics": "()",
    "camera": "()",
    "microphone": "()",
    "geolocation": "()",
    "interest-cohort": "()",
}


@functools.cache
def _hasher(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


@functools.cache
def _dummy_hash(time_cost: int, memory_cost: int, parallelism: int) -> str:
    return _hasher(time_cost, memory_cost, parallelism).hash("macaisse-dummy-password")


def _params() -> tuple[int, int, int]:
    """argon2id cost from the configuration (the library's defaults; tests use a cheap setting)."""
    config = current_app.config
    return (config["ARGON2_TIME_COST"], config["ARGON2_MEMORY_KIB"], config["ARGON2_PARALLELISM"])


def hash_password(password: str) -> str:
    return _hasher(*_params()).hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant-work check; an account without a password hash still costs one verification.

    A hash made with other parameters (older settings) still verifies: argon2 reads them from it.
    """
    hasher = _hasher(*_params())
    if not password_hash:
        with contextlib.suppress(VerificationError, InvalidHashError):
            hasher.verify(_dummy_hash(*_params()), password)
        return False
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def init_security(app: Flask) -> None:
    """Bind Talisman and Flask-Login, and enforce the idle timeout on every request."""
    talisman.init_app(
        app,
        content_security_policy=CSP,
        permissions_policy=PERMISSIONS_POLICY,
        force_https=app.config["FORCE_HTTPS"],
        strict_transport_security=app.config["HSTS"],
        frame_options="DENY",
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        referrer_policy="same-origin",
    )
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Connectez-vous pour accéder à cette page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(_load_user)
    login_manager.unauthorized_handler(_unauthorized)
    app.before_request(_enforce_idle_timeout)


def _load_user(user_id: str) -> Any:
    from app.models import User

    try:
        raw_id, raw_version = user_id.split(":", 1)
        user = db.session.get(User, int(raw_id))
    except (ValueError, TypeError):
        return None
    if user is None or str(user.session_version) != raw_version:
        return None
    return user


def _unauthorized() -> Any:
    from flask import flash

    from app.htmx import redirect

    target = url_for("auth.login", next=safe_next(request.full_path.rstrip("?")))
    flash(login_manager.login_message, "info")
    return redirect(target)


def _enforce_idle_timeout() -> None:
    """Log out after ``SESSION_IDLE_MINUTES`` without a request, or ``SESSION_ABSOLUTE_HOURS``
    after sign-in whatever the activity."""
    if request.endpoint in ("static", "main.service_worker"):
        return
    now = int(time.time())
    last = session.get("_seen")
    idle = current_app.config["SESSION_IDLE_MINUTES"] * 60
    absolute = current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    login_at = session.get("_login_at")
    too_old = login_at is not None and now - int(login_at) > absolute
    if current_user.is_authenticated and (too_old or (last is not None and now - int(last) > idle)):
        logout_user()
        session.clear()
        session["_expired"] = True
        return
    if current_user.is_authenticated and (last is None or now - int(last) > 30):
        session["_seen"] = now  # written at most every 30 s so the cookie does not churn


def safe_next(target: str | None) -> str | None:
    """Keep a ``next`` target only if it stays on this site (no open redirect)."""
    if not target:
        return None
    if target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(urljoin(request.host_url, target))
    host = urlsplit(request.host_url)
    if parts.scheme not in ("http", "https") or parts.netloc != host.netloc:
        return None
    path = parts.path or "/"
    return path + (f"?{parts.query}" if parts.query else "")


def roles_required(*roles: str) -> Callable:
    """Allow only logged-in users with one of ``roles``. Raises 403 for any other logged-in user;
    anonymous users go to the login page."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def no_store(response: Any) -> Any:
    """Personal pages are never stored by the browser, a proxy or our service worker."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response
