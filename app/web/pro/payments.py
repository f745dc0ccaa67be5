"""The professional's payments (``/pro/paiements``): every payment of the caisse over the last
``PRO_PAYMENTS_MONTHS`` months, searched by date, beneficiary, lot, invoice, type and status, sorted
by a column, exported as CSV, and the décompte behind each one. Another professional's payment is
a 404."""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, current_app, request, url_for
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from app.htmx import is_htmx, render
from app.security import no_store, roles_required
from app.services import pro_payments as service
from app.web.paiements.forms import DATE_HINT, DateText
from app.web.pro.routes import _professional

bp = Blueprint("pro_paiements", __name__, url_prefix="/pro/paiements")

# The form's htmx requests add ``partiel=1``: the view then renders only the block ``results``.
PARTIAL_ARG = "partiel"
NUMBER = re.compile(r"[A-Za-z0-9-]{1,20}")
NAME_MAX = 60


def _number_check(what: str):
    def check(form: FlaskForm, field: StringField) -> None:
        text = (field.data or "").strip()
        if text and not NUMBER.fullmatch(text):
            raise ValidationError(
                f"Le numéro de {what} ne contient que des lettres, des chiffres et des tirets "
                "(20 caractères au plus), par exemple "
                f"{'L2026-0412' if what == 'lot' else 'F26-004217'}."
            )

    return check


class ProPaymentFilterForm(FlaskForm):
    """The search of "Mes paiements" (a GET form, no CSRF: it changes nothing); French messages.
    Once validated, ``filters()`` gives the service's ``PaymentFilter``."""

    class Meta:
        csrf = False

    du = DateText("Payés à partir du", "de début")
    au = DateText("Jusqu'au", "de fin")
    beneficiaire = StringField("Nom du bénéficiaire")
    lot = StringField("Numéro de lot", validators=[_number_check("lot")])
    facture = StringField("Numéro de facture", validators=[_number_check("facture")])
    type = SelectField(
        "Type de paiement",
        choices=[SelectChoice("", "Tous les types")]
        + [SelectChoice(key, label) for key, label in service.KIND_LABELS.items()],
        validate_choice=False,
    )
    statut = SelectField(
        "Statut",
        choices=[SelectChoice("", "Tous les statuts")]
        + [SelectChoice(key, label) for key, label in service.STATUS_LABELS.items()],
        validate_choice=False,
    )
    tri = SelectField(
        "Trier par",
        choices=[SelectChoice(key, label) for key, label in service.SORT_LABELS.items()],
        default=service.DEFAULT_SORT,
        validate_choice=False,
    )
    ordre = SelectField(
        "Ordre",
        choices=[SelectChoice("desc", "Décroissant"), SelectChoice("asc", "Croissant")],
        default=service.DEFAULT_ORDER,
        validate_choice=False,
    )

    def validate_au(self, field: DateText) -> None:
        if field.day and self.du.day and field.day < self.du.day:
            raise ValidationError("La date de fin doit être la même que la date de début ou après elle.")

    def validate_beneficiaire(self, field: StringField) -> None:
        if len((field.data or "").strip()) > NAME_MAX:
            raise ValidationError(f"Le nom du bénéficiaire fait {NAME_MAX} caractères au plus.")

    def validate_type(self, field: SelectField) -> None:
        if (field.data or "") not in ("", *service.KIND_LABELS):
            raise ValidationError("Choisissez un type de paiement de la liste.")

    def validate_statut(self, field: SelectField) -> None:
        if (field.data or "") not in ("", *service.STATUS_LABELS):
            raise ValidationError("Choisissez un statut de la liste : payé ou rejeté.")

    def validate_tri(self, field: SelectField) -> None:
        if field.data not in service.SORT_LABELS:
            raise ValidationError(
                "Choisissez un tri de la liste : date, bénéficiaire, numéro de lot ou numéro de facture."
            )

    def validate_ordre(self, field: SelectField) -> None:
        if field.data not in service.ORDERS:
            raise ValidationError("Choisissez l'ordre du tri : croissant ou décroissant.")

    def filters(self) -> service.PaymentFilter:
        return service.PaymentFilter(
            start=self.du.day,
            end=self.au.day,
            beneficiary=(self.beneficiaire.data or "").strip(),
            lot=(self.lot.data or "").strip(),
            invoice=(self.facture.data or "").strip(),
            kind=self.type.data or None,
            status=self.statut.data or None,
            sort=self.tri.data,
            order=self.ordre.data,
        )

    def query_args(self, **changes: str) -> dict[str, str]:
        """The search as typed, for links that keep it (sort, pages, export); the default sort is
        left out of the URL."""
        values = {
            "du": self.du.data,
            "au": self.au.data,
            "beneficiaire": self.beneficiaire.data,
            "lot": self.lot.data,
            "facture": self.facture.data,
            "type": self.type.data,
            "statut": self.statut.data,
            "tri": self.tri.data if self.tri.data != service.DEFAULT_SORT else "",
            "ordre": self.ordre.data if self.ordre.data != service.DEFAULT_ORDER else "",
        }
        values.update(changes)
        return {name: value for name, value in values.items() if value}

    def sort_args(self, key: str) -> dict[str, str]:
        """The search sorted by ``key``: the other way round when it is already the sort, else in
        the natural order of the column (the newest date first, names and numbers A to Z)."""
        if self.tri.data == key:
            order = "asc" if self.ordre.data == "desc" else "desc"
        else:
            order = "desc" if key == "date" else "asc"
        return self.query_args(
            tri="" if key == service.DEFAULT_SORT else key,
            ordre="" if order == service.DEFAULT_ORDER else order,
        )


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 10_000 else 1


def _months() -> int:
    return int(current_app.config.get("PRO_PAYMENTS_MONTHS", 10))


@bp.get("/")
@roles_required("professionnel")
def index():
    """The professional's payments of the last months, searched and sorted (the URL keeps the
    search), 50 a page, with the count and sum of the selection; fragment ``results`` for htmx
    requests with ``partiel=1``, else ``content``. A bad search is a 422 with what was typed kept."""
    professional = _professional()
    form = ProPaymentFilterForm(formdata=request.args)
    page = _page_number()
    months = _months()
    payments = totals = None
    status = 200
    if form.validate():
        payments, totals = service.payments_page(
            professional.id, service.window_start(months), form.filters(), page
        )
    else:
        status = 422
    partial = request.args.get(PARTIAL_ARG) == "1" and is_htmx()
    response = render(
        "pro/paiements/index.html",
        block="results" if partial else "content",
        status=status,
        form=form,
        payments=payments,
        totals=totals,
        filters=form.query_args(),
        partial=partial,
        focus_results=partial and "page" in request.args,
        months=months,
        service=service,
        date_hint=DATE_HINT,
    )
    if partial:
        # The address bar shows the page's own URL, not the fragment's.
        kept = {"page": str(page)} if page > 1 else {}
        response.headers["HX-Push-Url"] = url_for(".index", **form.query_args(**kept))
    return no_store(response)


@bp.get("/export.csv")
@roles_required("professionnel")
def export():
    """The whole selection (every page) as a CSV attachment: ``;``-separated, UTF-8 with a BOM,
    decimal comma. A bad search is the page's 422."""
    professional = _professional()
    form = ProPaymentFilterForm(formdata=request.args)
    if not form.validate():
        return no_store(
            render(
                "pro/paiements/index.html",
                status=422,
                form=form,
                payments=None,
                totals=None,
                filters=form.query_args(),
                partial=False,
                focus_results=False,
                months=_months(),
                service=service,
                date_hint=DATE_HINT,
            )
        )
    text = service.export_csv(professional.id, service.window_start(_months()), form.filters())
    response = Response(text.encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="paiements.csv"'
    return no_store(response)


@bp.get("/<int:payment_id>")
@roles_required("professionnel")
def detail(payment_id: int):
    """One payment: what, when, how much (or why rejected) and, for a tiers payant, the décompte of
    the invoice act by act; fragment ``content``. Raises 404 unless it is the professional's."""
    professional = _professional()
    payment = service.payment_of(professional.id, payment_id)
    if payment is None:
        abort(404)
    return no_store(render("pro/paiements/detail.html", payment=payment, service=service))
