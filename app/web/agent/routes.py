"""The caisse's back office."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, url_for
from flask_login import current_user

from app.extensions import db
from app.htmx import redirect, render
from app.models import Caisse, Person
from app.models.user import STAFF_ROLES
from app.security import no_store, roles_required
from app.services import caisses as caisse_service
from app.web.agent.forms import CaisseContactForm

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


@bp.get("/caisses")
@roles_required("admin")
def caisses_list():
    """Every caisse with its reference contacts; admins complete what the public data lacks."""
    rows = db.session.scalars(sa.select(Caisse).order_by(Caisse.departement, Caisse.name)).all()
    return no_store(render("agent/caisses_list.html", caisses=rows))


@bp.route("/caisses/<int:caisse_id>", methods=["GET", "POST"])
@roles_required("admin")
def caisse_edit(caisse_id: int):
    """Edit a caisse's contacts (PRG); 422 with the typed values kept on error."""
    caisse = db.get_or_404(Caisse, caisse_id)
    form = CaisseContactForm(obj=caisse)
    if form.validate_on_submit():
        changed = caisse_service.update_contacts(caisse, current_user, form.data)
        flash(
            f"{caisse.name} : coordonnées enregistrées." if changed else "Aucune modification.",
            "success",
        )
        return redirect(url_for("agent.caisses_list"))
    status = 422 if form.errors else 200
    return no_store(render("agent/caisse_edit.html", status=status, form=form, caisse=caisse))
