"""Mes paiements: the assuré's payments (refunds and tiers-payant payments for care of the file),
the décompte of each one, and the monthly statements as PDF."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request, url_for
from flask_login import current_user

from app.documents.statements import monthly_statement, of_month
from app.htmx import is_htmx, render
from app.security import no_store, roles_required
from app.services import account_home, sick_leave
from app.web.compte.accueil import beneficiary_default
from app.web.paiements import queries
from app.web.paiements.forms import DATE_HINT, PaymentFilterForm
from app.web.paiements.queries import KINDS

bp = Blueprint("paiements", __name__, url_prefix="/compte/paiements")

# The form's htmx requests add ``partiel=1``: the view then renders only the block ``results``.
PARTIAL_ARG = "partiel"


@bp.get("/")
@roles_required("assure")
def index():
    """The file's payments of the last ``PAYMENTS_MONTHS`` months, filtered, 20 a page, with the year's
    PF/franchise counters and the last 12 statements; 422 on bad filters (typed values kept).

    htmx: fragment ``results`` when the request has ``partiel=1`` (the filter form and the page
    links), else ``content``. Raises 404 for a page past the last one.
    """
    person = current_user.person
    args = request.args
    proche = beneficiary_default()
    if proche and "beneficiaire" not in args:  # "Agir pour un proche": the child's payments first
        args = args.copy()
        args["beneficiaire"] = proche
    form = PaymentFilterForm.for_file(person, args)
    today = queries.paris_today()
    months = int(current_app.config.get("PAYMENTS_MONTHS", 27))
    page = request.args.get("page", 1, type=int) or 1
    payments = None
    status = 200
    if form.validate():
        payments = queries.payments_page(
            person,
            since=queries.months_before(today, months),
            beneficiary_id=form.beneficiary_id,
            kind=form.kind,
            start=form.du.day,
            end=form.au.day,
            page=page,
        )
        if page > 1 and not payments.items:
            abort(404)
    else:
        status = 422
    partial = request.args.get(PARTIAL_ARG) == "1" and is_htmx()
    context = {
        "form": form,
        "payments": payments,
        "filters": form.query_args(),
        "partial": partial,
        # Focus moves to the results after a page link, not after a filter change (the filter keeps it).
        "focus_results": partial and "page" in request.args,
        "months": months,
        "kinds": KINDS,
        "date_hint": DATE_HINT,
    }
    if not partial:
        context.update(
            counters=queries.year_counters(person, today),
            outstanding=queries.outstanding_debts(person),
            statement_months=queries.recent_months(today),
            of_month=of_month,
        )
    response = render(
        "paiements/index.html", block="results" if partial else "content", status=status, **context
    )
    if partial:
        # The address bar shows the page's own URL, not the fragment's.
        kept = {"page": page} if page > 1 else {}
        response.headers["HX-Push-Url"] = url_for("paiements.index", **form.query_args(), **kept)
    return no_store(response)


@bp.get("/<int:payment_id>")
@roles_required("assure")
def detail(payment_id: int):
    """One payment and its décompte: acts line by line with their explanations, the debts recovered
    on it and those its claim created; fragment ``content``. Raises 404 unless it is of the file."""
    person = current_user.person
    payment = queries.payment_of(person, payment_id)
    if payment.recovered:
        account_home.acknowledge(current_user, f"recuperation:{payment.id}")  # the home's alert is read
    return no_store(
        render(
            "paiements/detail.html",
            payment=payment,
            claim=payment.claim,
            kinds=KINDS,
            recoveries=queries.recoveries_on(payment),
            created_debts=queries.debts_created_by(payment.claim),
            arret=sick_leave.arret_of_payment(payment),
            of_month=of_month,
        )
    )


@bp.get("/releve/<int:year>/<int:month>.pdf")
@roles_required("assure")
def statement(year: int, month: int):
    """The monthly statement of the file's payments as a PDF download. Raises 404 for a month that
    does not exist or has not started."""
    today = queries.paris_today()
    if not 1 <= month <= 12 or year < 1 or (year, month) > (today.year, today.month):
        abort(404)
    data = queries.month_statement(current_user.person, year, month, today)
    response = Response(monthly_statement(data), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="releve-{year:04d}-{month:02d}.pdf"'
    return no_store(response)
