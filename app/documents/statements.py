"""The monthly statement ("relevé mensuel") of an assuré's payments, as an A4 PDF.

One section per payment of the month: who was treated, by whom, who was paid (the assuré's account
or, under tiers payant, the professional), every act with its base, rate, refund, participation
forfaitaire and franchise, and the debts recovered on it; then the month's totals. Users find
refunds lower than expected with no explanation: the statement shows every deduction.

House style of ``letters.py``: built-in Helvetica (WinAnsi covers French accents and €, nothing
embedded, text extractable for tests and screen readers), the caisse's name and address at the top.
The statement carries the NIR: it is downloaded by the signed-in assuré, never posted.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from stdnum.fr import nir as stdnum_nir

from app.documents.letters import (
    BRAND,
    INK,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MONTHS,
    MUTED,
    NBSP,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    TINT,
    long_date,
    sender_lines,
)
from app.rules.liquidation import format_euros

HEADER_HEIGHT = 34 * mm
FOOTER_HEIGHT = 20 * mm
WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
ZERO = Decimal("0.00")
RULE = colors.HexColor("#c8c8c8")
# Acte, date, payé, base, taux, remboursé, PF, franchise: 170 mm.
COLUMNS = (58 * mm, 18 * mm, 17 * mm, 17 * mm, 11 * mm, 19 * mm, 14 * mm, 16 * mm)


@dataclass(frozen=True)
class StatementLine:
    """One act of a payment's décompte."""

    code: str
    label: str
    act_date: date
    billed: Decimal
    base: Decimal
    rate: int
    refunded: Decimal
    pf: Decimal
    franchise: Decimal
    recovered_later: Decimal


@dataclass(frozen=True)
class StatementPayment:
    """A payment of the month. ``iban_last4`` is the assuré's account (None under tiers payant)."""

    paid_on: date
    beneficiary: str
    professional: str | None
    kind: str
    to_professional: bool
    iban_last4: str | None
    gross: Decimal
    recovered: Decimal
    amount: Decimal
    lines: tuple[StatementLine, ...]


@dataclass(frozen=True)
class Statement:
    """Everything the statement prints; nothing else of the register goes into the PDF."""

    caisse_name: str
    caisse_postal_address: str
    holder_name: str
    nir: str
    year: int
    month: int
    issued_on: date
    payments: tuple[StatementPayment, ...]

    @property
    def month_label(self) -> str:
        """``novembre 2026``."""
        return f"{MONTHS[self.month - 1]} {self.year}"

    @property
    def of_month(self) -> str:
        """``de novembre 2026``, ``d'avril 2026``."""
        return of_month(self.year, self.month)

    @property
    def paid_to_assure(self) -> Decimal:
        return sum((p.amount for p in self.payments if not p.to_professional), ZERO)

    @property
    def paid_to_professionals(self) -> Decimal:
        return sum((p.amount for p in self.payments if p.to_professional), ZERO)

    @property
    def recovered(self) -> Decimal:
        return sum((p.recovered for p in self.payments), ZERO)

    @property
    def pf(self) -> Decimal:
        return sum((line.pf for p in self.payments for line in p.lines), ZERO)

    @property
    def franchises(self) -> Decimal:
        return sum((line.franchise for p in self.payments for line in p.lines), ZERO)

    @property
    def recovered_later(self) -> Decimal:
        return sum((line.recovered_later for p in self.payments for line in p.lines), ZERO)


def of_month(year: int, month: int) -> str:
    """``de novembre 2026``, ``d'avril 2026``: the month as French writes it after a noun."""
    name = MONTHS[month - 1]
    return f"d'{name} {year}" if name[0] in "aeiou" else f"de {name} {year}"


def formatted_nir(nir: str) -> str:
    """``2 95 06 75 056 123 49`` (python-stdnum's grouping; an empty NIR stays empty)."""
    return stdnum_nir.format(nir) if nir else ""


class _Styles:
    body = ParagraphStyle("body", fontName="Helvetica", fontSize=9.5, leading=12.5, textColor=INK)
    title = ParagraphStyle("title", parent=body, fontName="Helvetica-Bold", fontSize=16, leading=20)
    subtitle = ParagraphStyle("subtitle", parent=body, fontSize=12, leading=16, textColor=BRAND, spaceAfter=4)
    heading = ParagraphStyle("heading", parent=body, fontName="Helvetica-Bold", fontSize=11, leading=14)
    cell = ParagraphStyle("cell", parent=body, fontSize=8, leading=10)
    cell_right = ParagraphStyle("cell_right", parent=cell, alignment=2)
    cell_bold = ParagraphStyle("cell_bold", parent=cell, fontName="Helvetica-Bold")
    cell_total = ParagraphStyle("cell_total", parent=cell_right, fontName="Helvetica-Bold")
    cell_head = ParagraphStyle("cell_head", parent=cell, fontName="Helvetica-Bold", textColor=MUTED)
    cell_head_right = ParagraphStyle("cell_head_right", parent=cell_head, alignment=2)
    note = ParagraphStyle("note", parent=body, fontSize=8.5, leading=11, textColor=MUTED)


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def _draw_page(
    canvas: Canvas, document: SimpleDocTemplate, caisse_name: str, postal_address: str, footer_line: str
) -> None:
    """Header (the caisse, its address) and footer (phone, ``footer_line``, page number) of every page."""
    canvas.saveState()
    top = PAGE_HEIGHT - 16 * mm
    canvas.setFillColor(BRAND)
    canvas.rect(MARGIN_LEFT, top - 10 * mm, 1.2 * mm, 18 * mm, stroke=0, fill=1)
    x = MARGIN_LEFT + 4 * mm
    canvas.setFillColor(INK)
    canvas.setFont("Helvetica-Bold", 12)
    canvas.drawString(x, top + 4 * mm, caisse_name)
    canvas.setFont("Helvetica", 8.5)
    canvas.setFillColor(MUTED)
    canvas.drawString(x, top, "Assurance maladie — régime général")
    address = " – ".join(sender_lines(caisse_name, postal_address)[:4])
    if address:
        canvas.drawString(x, top - 4 * mm, address)
    canvas.drawString(x, top - 8 * mm, f"Téléphone{NBSP}: 36{NBSP}46")

    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN_LEFT, 17 * mm, PAGE_WIDTH - MARGIN_RIGHT, 17 * mm)
    canvas.setFont("Helvetica", 7.5)
    canvas.drawString(
        MARGIN_LEFT,
        12.5 * mm,
        f"{caisse_name} — 36{NBSP}46 (service gratuit + prix d'un appel), du lundi au vendredi "
        f"de 8{NBSP}h{NBSP}30 à 17{NBSP}h{NBSP}30.",
    )
    canvas.drawString(MARGIN_LEFT, 9 * mm, footer_line)
    canvas.drawRightString(PAGE_WIDTH - MARGIN_RIGHT, 9 * mm, f"Page {document.page}")
    canvas.restoreState()


def _identity(statement: Statement) -> Table:
    first = date(statement.year, statement.month, 1)
    following = date(statement.year + (statement.month == 12), statement.month % 12 + 1, 1)
    last = date.fromordinal(following.toordinal() - 1)
    rows = [
        ("Assuré(e)", statement.holder_name),
        ("N° de sécurité sociale", formatted_nir(statement.nir)),
        ("Période", f"du {long_date(first)} au {long_date(last)}"),
        ("Édité le", long_date(statement.issued_on)),
    ]
    return facts_table(rows)


def facts_table(rows: list[tuple[str, str]]) -> Table:
    """The tinted box of labelled facts (who, which number, which dates) under a document's title."""
    table = Table(
        [[_p(label, _Styles.cell_head), _p(value, _Styles.body)] for label, value in rows],
        colWidths=[45 * mm, WIDTH - 45 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), TINT),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _payee(payment: StatementPayment) -> str:
    if payment.to_professional:
        return "Payé à votre professionnel (tiers payant)"
    if payment.iban_last4:
        return f"Versé sur votre compte se terminant par {payment.iban_last4}"
    return "Versé sur votre compte"


def _payment_table(payment: StatementPayment) -> Table:
    """One payment: who and whom, the acts line by line, then the refund, recoveries and amount paid."""
    who = f"{payment.kind} de {payment.beneficiary}"
    if payment.professional:
        who += f" — {payment.professional}"
    rows: list[list] = [
        [_p(f"Paiement du {payment.paid_on:%d/%m/%Y} — {who}", _Styles.cell_bold)] + [""] * 7,
        [_p(_payee(payment), _Styles.cell)] + [""] * 7,
    ]
    spans = [0, 1]
    if payment.lines:
        rows.append(
            [
                _p("Acte", _Styles.cell_head),
                _p("Date", _Styles.cell_head),
                _p("Payé", _Styles.cell_head_right),
                _p("Base", _Styles.cell_head_right),
                _p("Taux", _Styles.cell_head_right),
                _p("Remboursé", _Styles.cell_head_right),
                _p("PF", _Styles.cell_head_right),
                _p("Franchise", _Styles.cell_head_right),
            ]
        )
        for line in payment.lines:
            rows.append(
                [
                    _p(f"{line.code} — {line.label}", _Styles.cell),
                    _p(f"{line.act_date:%d/%m/%Y}", _Styles.cell),
                    _p(format_euros(line.billed), _Styles.cell_right),
                    _p(format_euros(line.base), _Styles.cell_right),
                    _p(f"{line.rate}{NBSP}%", _Styles.cell_right),
                    _p(format_euros(line.refunded), _Styles.cell_right),
                    _p(format_euros(line.pf), _Styles.cell_right),
                    _p(format_euros(line.franchise), _Styles.cell_right),
                ]
            )
    totals = [("Remboursement", payment.gross)]
    if payment.recovered > 0:
        totals.append(("Participations et franchises récupérées sur ce paiement", payment.recovered))
    totals.append(("Montant payé", payment.amount))
    for label, amount in totals:
        spans.append(len(rows))
        rows.append(
            [_p(label, _Styles.cell)]
            + [""] * 5
            + [
                _p(
                    format_euros(amount),
                    _Styles.cell_total if label == "Montant payé" else _Styles.cell_right,
                ),
                "",
            ]
        )
    table = Table(rows, colWidths=COLUMNS, repeatRows=0)
    style = [
        ("BACKGROUND", (0, 0), (-1, 0), TINT),
        ("LINEABOVE", (0, 0), (-1, 0), 1, BRAND),
        ("LINEBELOW", (0, -1), (-1, -1), 0.5, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    for row in spans[:2]:
        style.append(("SPAN", (0, row), (-1, row)))
    for row in spans[2:]:
        style.append(("SPAN", (0, row), (5, row)))
        style.append(("SPAN", (6, row), (7, row)))
    table.setStyle(TableStyle(style))
    return table


def _totals(statement: Statement) -> Table:
    rows = [
        ("Total versé sur votre compte", statement.paid_to_assure),
        ("Total payé à vos professionnels (tiers payant)", statement.paid_to_professionals),
        ("Participations forfaitaires du mois", statement.pf),
        ("Franchises médicales du mois", statement.franchises),
        (
            "dont non déduites (tiers payant), à récupérer sur vos prochains remboursements",
            statement.recovered_later,
        ),
        ("Participations et franchises récupérées sur les paiements du mois", statement.recovered),
    ]
    table = Table(
        [
            [
                _p(label, _Styles.cell_bold if index < 2 else _Styles.cell),
                _p(format_euros(amount), _Styles.cell_total if index < 2 else _Styles.cell_right),
            ]
            for index, (label, amount) in enumerate(rows)
        ],
        colWidths=[WIDTH - 30 * mm, 30 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _story(statement: Statement) -> list[Flowable]:
    story: list[Flowable] = [
        _p("Relevé mensuel de vos paiements", _Styles.title),
        _p(statement.month_label.capitalize(), _Styles.subtitle),
        _identity(statement),
        Spacer(0, 6 * mm),
    ]
    if not statement.payments:
        story.append(
            _p(
                f"Aucun paiement n'a été fait sur votre dossier en {statement.month_label}.",
                _Styles.body,
            )
        )
        return story
    story.append(_p("Vos paiements du mois", _Styles.heading))
    story.append(Spacer(0, 2 * mm))
    for payment in statement.payments:
        story.append(KeepTogether([_payment_table(payment), Spacer(0, 4 * mm)]))
    story.append(Spacer(0, 2 * mm))
    story.append(KeepTogether([_p("Totaux du mois", _Styles.heading), Spacer(0, 2 * mm), _totals(statement)]))
    story.append(Spacer(0, 4 * mm))
    story.append(
        _p(
            "Sous tiers payant, la participation forfaitaire et les franchises ne peuvent pas être déduites "
            "du paiement fait au professionnel : elles sont récupérées sur vos remboursements suivants "
            "(soins ou indemnités journalières).",
            _Styles.note,
        )
    )
    return story


def account_document(
    story: list[Flowable],
    *,
    caisse_name: str,
    postal_address: str,
    footer_line: str,
    title: str,
    subject: str,
    invariant: bool = False,
) -> bytes:
    """An A4 PDF of ``story`` with the caisse's header and a footer on every page: the page template
    of the documents an assuré downloads. ``invariant`` fixes the PDF's dates and identifier, so
    the same story always gives the same bytes."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN_LEFT,
        rightMargin=MARGIN_RIGHT,
        topMargin=HEADER_HEIGHT,
        bottomMargin=FOOTER_HEIGHT + 4 * mm,
        title=title,
        author=caisse_name,
        subject=subject,
        creator="macaisse",
        lang="fr-FR",
        invariant=1 if invariant else None,
    )

    def on_page(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        _draw_page(canvas, doc, caisse_name, postal_address, footer_line)

    document.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()


def monthly_statement(statement: Statement) -> bytes:
    """The statement as an A4 PDF (one or more pages, each with the caisse's header)."""
    return account_document(
        _story(statement),
        caisse_name=statement.caisse_name,
        postal_address=statement.caisse_postal_address,
        footer_line=f"Relevé mensuel {statement.of_month} — {statement.holder_name}",
        title=f"Relevé mensuel {statement.of_month}",
        subject="Relevé mensuel des paiements",
    )
