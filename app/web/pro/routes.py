"""The health professional's space: home, feuille de soins (FSE) with its décompte, API tokens,
commande d'imprimés."""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload
from wtforms.fields.choices import SelectChoice

from app.extensions import db
from app.htmx import redirect, render
from app.models import Person
from app.models.care import Claim, Payment, Professional
from app.models.register import LIENS
from app.models.sick_leave import Arret
from app.rules.nir import parse_nir
from app.rules.tariffs import RulesError
from app.security import no_store, roles_required
from app.services import api_tokens, claims, sick_leave
from app.services import form_orders as form_orders_service
from app.services.accounts import audit
from app.services.letters import initials
from app.web.filters import french_date, paris_datetime
from app.web.pro.forms import ACT_ROWS, ArretForm, ClaimForm, FormOrderForm, PatientForm
from app.web.simulateurs.routes import SECTEUR_LABELS
from app.web.tokens import tokens_page

bp = Blueprint("pro", __name__, url_prefix="/pro")

RECENT_CLAIMS = 10
UNKNOWN_PATIENT = "Aucun assuré ne correspond à ce numéro."
# The hidden field that tells the care step (2) from the NIR step (1) on the same URL.
CARE_STEP = "soins"
ARRET_STEP = "arret"
RECENT_ARRETS = 10


def _professional() -> Professional:
    """The signed-in user's professional record; 403 for an account linked to none."""
    professional = current_user.professional
    if professional is None:
        abort(403)
    return professional


# The wording of the API tokens page (templates/tokens/index.html) in this space.
TOKEN_SPACE = {
    "prefix": "pro",
    "lead": (
        "Un jeton permet à votre logiciel de transmettre en votre nom vos feuilles de soins ou vos avis "
        "d'arrêt de travail, selon les droits que vous lui donnez. Créez-en un par logiciel ou par poste, "
        "et révoquez celui d'un poste perdu ou remplacé."
    ),
    "name_hint": "Pour le reconnaître, par exemple « Logiciel du cabinet ».",
    "back": "Retour à l'espace professionnel",
    "scopes": "oui",  # a professional's token says what it may do
}


@bp.get("/")
@roles_required("professionnel")
def home():
    """ "Espace professionnel": who they are, their links and their last 10 claims (one query for
    the claims and their patients); fragment ``content``."""
    professional = _professional()
    recent = db.session.scalars(
        sa.select(Claim)
        .options(joinedload(Claim.patient))
        .where(Claim.professional_id == professional.id)
        .order_by(Claim.created_at.desc(), Claim.id.desc())
        .limit(RECENT_CLAIMS)
    ).all()
    return no_store(
        render(
            "pro/home.html",
            professional=professional,
            secteur=SECTEUR_LABELS.get(professional.secteur, professional.secteur),
            claims=recent,
            initials=initials,
        )
    )


@bp.route("/feuille-de-soins", methods=["GET", "POST"])
@roles_required("professionnel")
def claim_new():
    """New feuille de soins: the patient's NIR (step 1), then the care (step 2, same page) → the
    claim is liquidated and paid, PRG to its décompte; fragment ``content``; 422 with the values kept."""
    professional = _professional()
    if request.method == "POST" and request.form.get("etape") == CARE_STEP:
        return no_store(_care_step(professional))
    form = PatientForm()
    if form.validate_on_submit():
        patient = claims.find_patient(form.nir_value)
        if patient is not None:
            # The CGU promise the assuré that every look-up of their file by a professional is recorded.
            audit("professional_patient_lookup", actor=current_user, subject=patient, ip=request.remote_addr)
            db.session.commit()
            care = ClaimForm(formdata=None, nir=patient.nir, beneficiary=str(patient.id))
            return no_store(_care_page(care, patient))
        form.nir.errors.append(UNKNOWN_PATIENT)
    return no_store(_patient_page(form))


def _patient_page(form: PatientForm) -> Response:
    return render("pro/claim_new.html", status=422 if form.errors else 200, form=form, step="patient")


def _care_step(professional: Professional) -> Response:
    """Step 2 posted: check the carried NIR again (it came back from the browser), then the care."""
    raw_nir = request.form.get("nir", "")
    parsed = parse_nir(raw_nir)
    patient = claims.find_patient(parsed.value) if parsed.ok and parsed.value else None
    if patient is None:
        step_one = PatientForm(formdata=None, nir=raw_nir)
        step_one.nir.errors = [parsed.error or UNKNOWN_PATIENT]
        return _patient_page(step_one)
    form = ClaimForm()
    family = _family(patient)
    form.beneficiary.choices = _beneficiary_choices(family)
    if form.validate_on_submit() and form.care_date_value is not None:
        beneficiary = next(person for person in family if str(person.id) == form.beneficiary.data)
        try:
            submission = claims.submit(
                professional,
                beneficiary,
                form.care_date_value,
                form.acts,
                tiers_payant=form.tiers_payant.data == "oui",
                ald=form.ald.data,
                source="web",
                idempotency_key=form.key,
            )
        except claims.ClaimRefused as exc:
            refused = form.beneficiary if not beneficiary.rights_open_on(form.care_date_value) else form.ald
            refused.errors.append(str(exc))
        except RulesError as exc:
            form.field_for_rules_error(str(exc)).errors.append(str(exc))
        else:
            claim = submission.claim
            if submission.created:
                flash(f"Feuille de soins transmise : facture n° {claim.invoice_number}.", "success")
            else:
                flash("Cette feuille de soins avait déjà été transmise : voici son décompte.", "info")
            return redirect(url_for("pro.claim_detail", claim_id=claim.id))
    return _care_page(form, patient, family)


def _family(patient: Person) -> list[Person]:
    """The assuré of ``patient``'s file first, then their ayants droit (``patient`` is one of them)."""
    assure = patient.ouvrant_droit or patient
    return [assure, *assure.ayants_droit]


def _born(person: Person) -> str:
    return f"{'née' if person.sex == 'F' else 'né'} le {french_date(person.birth_date)}"


def _beneficiary_choices(family: list[Person]) -> list[SelectChoice]:
    return [
        SelectChoice(
            str(person.id),
            f"{person.full_name}, {_born(person)} ({LIENS.get(person.lien, person.lien).lower()})",
        )
        for person in family
    ]


def _care_page(form: ClaimForm, patient: Person, family: list[Person] | None = None) -> Response:
    if family is None:
        family = _family(patient)
        form.beneficiary.choices = _beneficiary_choices(family)
    if not form.key:
        form.submission_key.data = secrets.token_urlsafe(24)
    return render(
        "pro/claim_new.html",
        status=422 if form.errors else 200,
        form=form,
        step="care",
        patient=patient,
        patient_line=f"{patient.full_name}, {_born(patient)}",
        rows=range(ACT_ROWS),
        step_name=CARE_STEP,
    )


@bp.route("/arrets-de-travail", methods=["GET", "POST"])
@roles_required("professionnel")
def arret_new():
    """Avis d'arrêt de travail: the patient's NIR and the doctor's last avis (step 1), then the
    arrêt (step 2, same page) → recorded, PRG back with its reference; fragment ``content``; 422
    with the values kept."""
    professional = _professional()
    if request.method == "POST" and request.form.get("etape") == ARRET_STEP:
        return no_store(_arret_step(professional))
    form = PatientForm()
    if form.validate_on_submit():
        patient = claims.find_patient(form.nir_value)
        if patient is not None:
            audit("professional_patient_lookup", actor=current_user, subject=patient, ip=request.remote_addr)
            db.session.commit()
            return no_store(_arret_page(ArretForm(formdata=None, nir=patient.nir), patient))
        form.nir.errors.append(UNKNOWN_PATIENT)
    return no_store(_arret_patient_page(form, professional))


def _arret_patient_page(form: PatientForm, professional: Professional) -> Response:
    recent = db.session.scalars(
        sa.select(Arret)
        .options(joinedload(Arret.person))
        .where(Arret.professional_id == professional.id)
        .order_by(Arret.created_at.desc(), Arret.id.desc())
        .limit(RECENT_ARRETS)
    ).all()
    return render(
        "pro/arret_new.html",
        status=422 if form.errors else 200,
        form=form,
        step="patient",
        arrets=recent,
        initials=initials,
    )


def _arret_step(professional: Professional) -> Response:
    """Step 2 posted: check the carried NIR again, then the arrêt."""
    raw_nir = request.form.get("nir", "")
    parsed = parse_nir(raw_nir)
    patient = claims.find_patient(parsed.value) if parsed.ok and parsed.value else None
    if patient is None:
        step_one = PatientForm(formdata=None, nir=raw_nir)
        step_one.nir.errors = [parsed.error or UNKNOWN_PATIENT]
        return _arret_patient_page(step_one, professional)
    form = ArretForm()
    if form.validate_on_submit() and form.start_value and form.end_value:
        data = sick_leave.ArretInput(
            kind=form.kind.data,
            start=form.start_value,
            end=form.end_value,
            temps=form.temps.data,
            ald=bool(form.ald.data),
            sorties=form.sorties.data,
            category=form.category.data,
            reason_code=form.reason_code.data or "",
            initial_reference=form.initial_reference.data if form.kind.data == "prolongation" else None,
        )
        try:
            submission = sick_leave.submit_arret(professional, patient, data, idempotency_key=form.key)
        except sick_leave.ArretRefused as exc:
            form.field_for(exc.field).errors.append(str(exc))
        else:
            arret = submission.arret
            if submission.created:
                flash(f"Avis d'arrêt transmis : référence {arret.reference}.", "success")
            else:
                flash(f"Cet avis d'arrêt avait déjà été transmis : référence {arret.reference}.", "info")
            return redirect(url_for("pro.arret_new"))
    return _arret_page(form, patient)


def _arret_page(form: ArretForm, patient: Person) -> Response:
    if not form.key:
        form.submission_key.data = secrets.token_urlsafe(24)
    return render(
        "pro/arret_new.html",
        status=422 if form.errors else 200,
        form=form,
        step="arret",
        patient_line=f"{patient.full_name}, {_born(patient)}",
        step_name=ARRET_STEP,
    )


@bp.get("/feuilles-de-soins/<int:claim_id>")
@roles_required("professionnel")
def claim_detail(claim_id: int):
    """The décompte of one of the professional's claims, line by line, and who is paid; 404 for
    another professional's claim; fragment ``content``."""
    professional = _professional()
    claim = db.first_or_404(
        sa.select(Claim)
        .options(joinedload(Claim.patient), selectinload(Claim.lines))
        .where(Claim.id == claim_id, Claim.professional_id == professional.id)
    )
    payment = db.session.scalar(
        sa.select(Payment).where(Payment.claim_id == claim.id, Payment.kind == "soins").limit(1)
    )
    return no_store(
        render(
            "pro/claim_detail.html",
            claim=claim,
            payment=payment,
            assure=db.session.get(Person, claim.assure_id),
            professional=professional,
        )
    )


@bp.route("/jetons", methods=["GET", "POST"])
@roles_required("professionnel")
def tokens():
    """API tokens page of this space (see app/web/tokens.py); fragment ``content``."""
    return tokens_page(_professional(), TOKEN_SPACE)


@bp.post("/jetons/<int:token_id>/revocation")
@roles_required("professionnel")
def token_revoke(token_id: int):
    """Revoke one of the professional's tokens (PRG to the list); 404 for another's token."""
    if not api_tokens.revoke(_professional(), token_id):
        abort(404)
    flash("Jeton révoqué : les logiciels qui l'utilisaient n'ont plus accès à l'API.", "success")
    return no_store(redirect(url_for("pro.tokens")))


@bp.route("/imprimes", methods=["GET", "POST"])
@roles_required("professionnel")
def form_orders():
    """Commande d'imprimés: the order form, its address pre-filled from the professional's record,
    and their orders, newest first, 20 a page (same queries whatever their number); POST places an
    order (PRG). Fragment ``content``; 422 with the typed values kept; 404 past the last page."""
    professional = _professional()
    if request.method == "POST":
        form = FormOrderForm()
    else:
        form = FormOrderForm.prefilled(form_orders_service.address_of(professional))
    if form.validate_on_submit() and form.quantity_value is not None:
        order = form_orders_service.place(
            professional, form.form_slug.data, form.quantity_value, form.address
        )
        label = form_orders_service.label_of(order.form_slug)
        plural = "s" if order.quantity > 1 else ""
        flash(
            f"Commande n° {order.id} enregistrée : {label}, {order.quantity} exemplaire{plural}. "
            "Vous serez prévenu(e) de son expédition.",
            "success",
        )
        return no_store(redirect(url_for("pro.form_orders")))
    page = request.args.get("page", 1, type=int) or 1
    orders = form_orders_service.orders_of(professional, page)
    if page > 1 and not orders.items:
        abort(404)
    return no_store(
        render(
            "pro/form_orders.html",
            status=422 if form.errors else 200,
            form=form,
            orders=orders,
            caisse=professional.caisse,
            label_of=form_orders_service.label_of,
            status_labels=form_orders_service.STATUS_LABELS,
        )
    )


@bp.post("/imprimes/<int:order_id>/annulation")
@roles_required("professionnel")
def form_order_cancel(order_id: int):
    """Cancel one of the professional's orders still pending (PRG to the list); an order already
    shipped or cancelled is left as it is, with a message. Raises 404 for another's order."""
    try:
        order = form_orders_service.cancel(_professional(), order_id, current_user)
    except form_orders_service.OrderClosed as exc:
        closed = exc.order
        if closed.status == "expediee":
            flash(
                f"Cette commande a été expédiée le {paris_datetime(closed.shipped_at)} : "
                "elle ne peut plus être annulée.",
                "info",
            )
        else:
            flash("Cette commande était déjà annulée.", "info")
    else:
        if order is None:
            abort(404)
        flash("Commande annulée : votre caisse ne l'expédiera pas.", "success")
    return no_store(redirect(url_for("pro.form_orders")))
