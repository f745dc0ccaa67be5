"""Login and logout for assurés (by NIR) and staff (by identifiant)."""

from __future__ import annotations

from flask import Blueprint, flash, request, session, url_for
from flask_login import current_user, login_user, logout_user

from app.extensions import limiter
from app.htmx import redirect, render
from app.security import no_store, safe_next
from app.services import accounts
from app.web.auth.forms import NirLoginForm, StaffLoginForm
from app.web.shell import account_home_url

bp = Blueprint("auth", __name__)

BAD_CREDENTIALS = "Numéro de sécurité sociale ou mot de passe incorrect."


def _login_limit_key() -> str:
    return f"login:{request.remote_addr}"


@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"], key_func=_login_limit_key)
def login():
    """Login by NIR and password; fragment ``content`` for htmx; 422 with errors kept."""
    if current_user.is_authenticated:
        return redirect(account_home_url())
    if session.pop("_expired", None):
        flash("Votre session a expiré après une période d'inactivité. Reconnectez-vous.", "info")
    form = NirLoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate_assure(form.nir_value, form.password.data, request.remote_addr)
        if user is not None:
            return _complete_login(user)
        form.password.errors.append(BAD_CREDENTIALS)
    status = 422 if form.errors else 200
    return no_store(render("auth/login.html", status=status, form=form, next=_next_arg()))


@bp.route("/agent/connexion", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"], key_func=_login_limit_key)
def staff_login():
    """Login of caisse staff by identifiant and password; 422 with errors kept."""
    if current_user.is_authenticated:
        return redirect(account_home_url())
    form = StaffLoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate_staff(form.login.data, form.password.data, request.remote_addr)
        if user is not None:
            return _complete_login(user)
        form.password.errors.append("Identifiant ou mot de passe incorrect.")
    status = 422 if form.errors else 200
    return no_store(render("auth/staff_login.html", status=status, form=form, next=_next_arg()))


@bp.post("/deconnexion")
def logout():
    """End the session and ask the browser to drop this site's caches and storage."""
    logout_user()
    session.clear()
    flash("Vous êtes déconnecté(e).", "info")
    response = redirect(url_for("main.home"))
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


def _next_arg() -> str | None:
    return safe_next(request.args.get("next"))


def _complete_login(user):
    session.clear()  # a fresh session at login: no fixation
    login_user(user)
    session.permanent = True
    target = _next_arg() or account_home_url()
    return redirect(target)
