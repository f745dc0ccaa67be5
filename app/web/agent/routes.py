"""The caisse's back office."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint
from flask_login import current_user

from app.extensions import db
from app.htmx import render
from app.models import Person
from app.models.user import STAFF_ROLES
from app.security import no_store, roles_required

bp = Blueprint("agent", __name__, url_prefix="/agent")


@bp.get("/")
@roles_required(*STAFF_ROLES)
def home():
    """Back-office home of the agent's caisse: its reference data and register size."""
    caisse = current_user.caisse
    assures = 0
    if caisse is not None:
        assures = db.session.scalar(
            sa.select(sa.func.count(Person.id)).where(
                Person.caisse_id == caisse.id, Person.ouvrant_droit_id.is_(None)
            )
        )
    return no_store(render("agent/home.html", caisse=caisse, assures=assures))
