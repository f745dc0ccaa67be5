"""A professional's payments ("Paiements" in ``/pro``): tiers payant, forfaits, gardes and aide à la
télétransmission over the last ``PRO_PAYMENTS_MONTHS`` months, filtered, sorted, paginated, totalled
and exported as CSV; and the décompte behind one payment.

Every read takes the professional's id: another professional's payment is never found (None, a 404
for the view). A page of the list runs a fixed number of queries however many payments there are:
the page (its beneficiaries joined) and the totals of the selection.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import contains_eager, joinedload

from app.extensions import db
from app.models.care import Claim
from app.models.pro_space import ProfessionalPayment
from app.models.register import Person
from app.services.sick_leave import paris_today
from app.web.paiements.queries import months_before

PER_PAGE = 50
ZERO = Decimal("0.00")

KIND_LABELS = {
    "tiers_payant": "Tiers payant",
    "forfait_medecin_traitant": "Forfait patientèle médecin traitant",
    "forfait_ald": "Forfait patient en ALD",
    "garde": "Permanence des soins (garde)",
    "aide_teletransmission": "Aide à la télétransmission",
}
STATUS_LABELS = {"payee": "Payé", "rejetee": "Rejeté"}

# The sort keys of the URL (``tri``) and their columns; ties are broken by the newest id.
SORT_LABELS = {
    "date": "Date",
    "beneficiaire": "Bénéficiaire",
    "lot": "Lot",
    "facture": "Facture",
}
SORT_COLUMNS = {
    "date": (ProfessionalPayment.paid_on,),
    "beneficiaire": (Person.last_name, Person.first_name),
    "lot": (ProfessionalPayment.lot_number,),
    "facture": (ProfessionalPayment.invoice_number,),
}
ORDERS = ("asc", "desc")
DEFAULT_SORT = "date"
DEFAULT_ORDER = "desc"

CSV_COLUMNS = ("Date", "Type", "Statut", "Lot", "Facture", "Bénéficiaire", "Montant", "Motif de rejet")


@dataclass(frozen=True)
class PaymentFilter:
    """What the professional searches: every field empty or None means "all"."""

    start: date | None = None
    end: date | None = None
    beneficiary: str = ""  # the start of the patient's last name, any case
    lot: str = ""
    invoice: str = ""  # exact
    kind: str | None = None
    status: str | None = None
    sort: str = DEFAULT_SORT
    order: str = DEFAULT_ORDER


@dataclass(frozen=True)
class Totals:
    count: int
    amount: Decimal


def window_start(months: int, today: date | None = None) -> date:
    """The first payment day shown: ``months`` calendar months before today (Paris)."""
    return months_before(today or paris_today(), months)


def _like_prefix(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{escaped}%"


def _conditions(professional_id: int, since: date, filters: PaymentFilter) -> list[sa.ColumnElement[bool]]:
    conditions = [
        ProfessionalPayment.professional_id == professional_id,
        ProfessionalPayment.paid_on >= max(since, filters.start or since),
    ]
    if filters.end is not None:
        conditions.append(ProfessionalPayment.paid_on <= filters.end)
    if filters.beneficiary:
        conditions.append(Person.last_name.ilike(_like_prefix(filters.beneficiary.strip()), escape="\\"))
    if filters.lot:
        conditions.append(ProfessionalPayment.lot_number == filters.lot.strip())
    if filters.invoice:
        conditions.append(ProfessionalPayment.invoice_number == filters.invoice.strip())
    if filters.kind is not None:
        conditions.append(ProfessionalPayment.kind == filters.kind)
    if filters.status is not None:
        conditions.append(ProfessionalPayment.status == filters.status)
    return conditions


def _selection(professional_id: int, since: date, filters: PaymentFilter) -> sa.Select:
    """The matching payments, their beneficiaries joined (outer: a forfait may have none), sorted."""
    columns = SORT_COLUMNS.get(filters.sort, SORT_COLUMNS[DEFAULT_SORT])
    descending = filters.order == "desc"
    ordering = [column.desc() if descending else column.asc() for column in columns]
    ordering.append(ProfessionalPayment.id.desc() if descending else ProfessionalPayment.id.asc())
    return (
        sa.select(ProfessionalPayment)
        .outerjoin(Person, ProfessionalPayment.beneficiary_id == Person.id)
        .options(contains_eager(ProfessionalPayment.beneficiary))
        .where(*_conditions(professional_id, since, filters))
        .order_by(*ordering)
    )


def totals(professional_id: int, since: date, filters: PaymentFilter) -> Totals:
    """How many payments match and the sum paid (a rejected invoice counts for 0): one query."""
    count, amount = db.session.execute(
        sa.select(
            sa.func.count(ProfessionalPayment.id),
            sa.func.coalesce(sa.func.sum(ProfessionalPayment.amount), 0),
        )
        .select_from(ProfessionalPayment)
        .outerjoin(Person, ProfessionalPayment.beneficiary_id == Person.id)
        .where(*_conditions(professional_id, since, filters))
    ).one()
    return Totals(count=int(count), amount=Decimal(str(amount)).quantize(Decimal("0.01")))


def payments_page(
    professional_id: int, since: date, filters: PaymentFilter, page: int
) -> tuple[Pagination, Totals]:
    """One page of ``PER_PAGE`` matching payments and the totals of the whole selection (two
    queries: the page, and the count with the sum)."""
    found = db.paginate(
        _selection(professional_id, since, filters),
        page=page,
        per_page=PER_PAGE,
        max_per_page=PER_PAGE,
        error_out=False,
        count=False,
    )
    summary = totals(professional_id, since, filters)
    found.total = summary.count
    return found, summary


def french_amount(amount: Decimal) -> str:
    """``1234,50``: a decimal comma, no thousands separator (what spreadsheets read as a number)."""
    return f"{amount.quantize(Decimal('0.01')):.2f}".replace(".", ",")


def _cell(text: str) -> str:
    """Text a spreadsheet will not run as a formula."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def csv_lines(professional_id: int, since: date, filters: PaymentFilter) -> Iterator[str]:
    """The whole selection as CSV text, line by line (``;``-separated, UTF-8 with a BOM, decimal
    comma), from one query: the window bounds it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(CSV_COLUMNS)
    yield "\ufeff" + flush()
    for payment in db.session.scalars(_selection(professional_id, since, filters)):
        writer.writerow(
            (
                payment.paid_on.strftime("%d/%m/%Y"),
                KIND_LABELS[payment.kind],
                STATUS_LABELS[payment.status],
                _cell(payment.lot_number),
                _cell(payment.invoice_number),
                _cell(payment.beneficiary.full_name) if payment.beneficiary else "",
                french_amount(payment.amount),
                _cell(payment.reject_reason),
            )
        )
        yield flush()


def export_csv(professional_id: int, since: date, filters: PaymentFilter) -> str:
    """The CSV of the selection in one string (bounded by the window)."""
    return "".join(csv_lines(professional_id, since, filters))


def payment_of(professional_id: int, payment_id: int) -> ProfessionalPayment | None:
    """The payment ``payment_id`` if it is this professional's, with its beneficiary and the
    décompte of its claim (lines ordered); None otherwise."""
    return db.session.scalar(
        sa.select(ProfessionalPayment)
        .where(ProfessionalPayment.id == payment_id, ProfessionalPayment.professional_id == professional_id)
        .options(
            joinedload(ProfessionalPayment.beneficiary),
            joinedload(ProfessionalPayment.claim).selectinload(Claim.lines),
        )
    )
