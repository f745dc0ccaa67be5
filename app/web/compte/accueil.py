"""Mon compte: the home with its alerts and lazy blocks, and "Agir pour un proche".

The home answers in one round trip: greeting, alerts, quick actions and the file. The last payments
and the open démarches are blocks loaded by htmx once the page shows (``hx-trigger="load"``);
without JavaScript each placeholder is a link to the block's own page, which renders the same block
in the whole layout.

"Agir pour un proche": the holder picks a child under 18 of the file; the child's id is kept in the
session (never in the URL) and checked on every request against the file. While it is set, a banner
names whose file is shown, and the home, Mes paiements and Mes documents show that child's.
"""

from __future__ import annotations

from flask import Response, flash, make_response, request, session, url_for
from flask_login import current_user
from jinja2_fragments.flask import render_block

from app.htmx import add_vary, is_htmx, redirect, render
from app.models import Person
from app.models.register import LIENS
from app.security import no_store, roles_required
from app.services import account_home
from app.services import documents as documents_service
from app.web.compte.routes import bp

PROCHE = "proche_id"


def acting_for() -> Person | None:
    """The child whose file the signed-in holder is viewing, if any (and still allowed)."""
    if PROCHE not in session or not current_user.is_authenticated or current_user.role != "assure":
        return None
    proche = account_home.proche_of(current_user.person, session.get(PROCHE))
    if proche is None:
        session.pop(PROCHE, None)
    return proche


@bp.app_context_processor
def _proche_banner() -> dict:
    """``proche``: the child whose file is shown, for the banner of base.html."""
    return {"proche": acting_for() if PROCHE in session else None}


@bp.get("/")
@roles_required("assure")
def home():
    """Account home: greeting, contextual alerts (most urgent first, one action each), quick actions,
    the lazy blocks of the last payments and open démarches, "Agir pour un proche", the file and
    the rights; fragment ``content``."""
    holder = current_user.person
    proche = acting_for()
    subject = proche or holder
    return no_store(
        render(
            "compte/home.html",
            person=holder,
            subject=subject,
            proche=proche,
            caisse=holder.caisse,
            liens=LIENS,
            members=documents_service.file_members(holder),
            alerts=account_home.alerts_for(current_user, subject),
            proches=account_home.proches_of(holder),
        )
    )


def _block(template: str, **context) -> Response:
    """The block alone for htmx (no ``<title>``: it is swapped into the home), else the whole page."""
    if is_htmx():
        return no_store(add_vary(make_response(render_block(template, "block", **context))))
    return no_store(render(template, **context))


@bp.get("/blocs/derniers-paiements")
@roles_required("assure")
def block_payments():
    """The last 3 payments of the file (of the child with "Agir pour un proche"): the block for the
    home (htmx) or a page of its own (without JavaScript)."""
    proche = acting_for()
    return _block(
        "compte/bloc_paiements.html",
        payments=account_home.last_payments(current_user.person, proche),
        proche=proche,
    )


@bp.get("/blocs/demarches-en-cours")
@roles_required("assure")
def block_demarches():
    """The open démarches with their estimated dates, soonest first: block or page."""
    proche = acting_for()
    rows, total = account_home.open_demarches(current_user.person, proche)
    return _block("compte/bloc_demarches.html", rows=rows, total=total, proche=proche)


@bp.get("/dernier-paiement")
@roles_required("assure")
def last_payment():
    """Quick action "Dernier paiement": the décompte of the latest payment, or Mes paiements with a
    message when there is none yet."""
    payment = account_home.last_payment(current_user.person)
    if payment is None:
        flash("Aucun paiement n'a encore été fait sur votre dossier.", "info")
        return redirect(url_for("paiements.index"))
    return redirect(url_for("paiements.detail", payment_id=payment.id))


@bp.post("/alertes/masquer")
@roles_required("assure")
def dismiss_alert():
    """Put away an alert ("Masquer"); the home again. A legal alert, or one the user does not have,
    stays, with a French message (never a 500)."""
    key = request.form.get("alerte", "")[:80]
    if account_home.dismiss(current_user, key, acting_for()):
        flash("L'alerte est masquée.", "success")
    else:
        flash("Cette alerte ne peut pas être masquée.", "error")
    return redirect(url_for("compte.home"), 303)


@bp.post("/proche")
@roles_required("assure")
def act_for():
    """Show a child's file: only a child under 18 of the holder's file (another id gets a French
    message and changes nothing)."""
    raw = request.form.get("proche", "")
    proche = account_home.proche_of(current_user.person, int(raw) if raw.isdigit() else None)
    if proche is None:
        flash("Vous ne pouvez agir que pour vos enfants mineurs rattachés à votre dossier.", "error")
        return redirect(url_for("compte.home"), 303)
    session[PROCHE] = proche.id
    flash(f"Vous agissez maintenant pour {proche.first_name}.", "success")
    return redirect(url_for("compte.home"), 303)


@bp.post("/proche/quitter")
@roles_required("assure")
def stop_acting_for():
    """Back to the holder's own file."""
    session.pop(PROCHE, None)
    flash("Vous êtes revenu(e) à votre dossier.", "success")
    return redirect(url_for("compte.home"), 303)


def beneficiary_default() -> str | None:
    """The beneficiary filter a page opens on while acting for a child (as the form's value)."""
    proche = acting_for()
    return str(proche.id) if proche else None
