"""The assuré's account ("Mon compte")."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from app.htmx import render
from app.models.register import LIENS
from app.security import no_store, roles_required

bp = Blueprint("compte", __name__, url_prefix="/compte")


@bp.get("/")
@roles_required("assure")
def home():
    """Account home: greeting, the beneficiaries of the file and the caisse; fragment ``content``."""
    person = current_user.person
    return no_store(render("compte/home.html", person=person, caisse=person.caisse, liens=LIENS))
