"""The IJ documents of an assuré, as A4 PDFs: the relevé d'indemnités journalières of a period,
the attestation de paiement des IJ of an arrêt, and the attestation fiscale of the IJ of a year.

Each lists the payments line by line (period covered, days, daily amount, gross, debts recovered,
paid), shows the SJB and the daily amount of every arrêt concerned (the rule of ``rules/ij.py``:
members must be able to redo the sum), and ends with the verification box of the attestation de
droits (code and QR code of ``/verifier/<code>``). Page template of ``statements.py``; built in
invariant mode, so the same document always gives the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from app.documents.attestation import verification_box
from app.documents.letters import BRAND, long_date
from app.documents.statements import RULE, _p, account_document, facts_table, formatted_nir
from app.documents.statements import _Styles as Styles
from app.rules.liquidation import format_euros
from app.rules.verification_code import grouped

COLUMNS = (22 * mm, 42 * mm, 14 * mm, 20 * mm, 24 * mm, 22 * mm, 26 * mm)


@dataclass(frozen=True)
class IjLine:
    paid_on: date
    period_start: date
    period_end: date
    days: int
    daily_amount: Decimal
    gross: Decimal
    recovered: Decimal
    amount: Decimal


@dataclass(frozen=True)
class IjArretFacts:
    reference: str
    start: date
    end: date
    sjb: Decimal | None
    daily_amount: Decimal | None
    carence_days: int


@dataclass(frozen=True)
class IjDocument:
    title: str
    scope: str
    caisse_name: str
    caisse_postal_address: str
    full_name: str
    nir: str
    arrets: tuple[IjArretFacts, ...]
    lines: tuple[IjLine, ...]
    issued_on: date
    code: str
    verification_url: str
    closing: str

    @property
    def gross(self) -> Decimal:
        return sum((line.gross for line in self.lines), Decimal("0.00"))

    @property
    def paid(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    @property
    def days(self) -> int:
        return sum(line.days for line in self.lines)


def _lines(document: IjDocument) -> Table:
    head = ["Payé le", "Période", "Jours", "IJ brute", "Montant brut", "Récupéré", "Versé"]
    rows = [[_p(text, Styles.cell_head if i < 2 else Styles.cell_head_right) for i, text in enumerate(head)]]
    for line in document.lines:
        rows.append(
            [
                _p(f"{line.paid_on:%d/%m/%Y}", Styles.cell),
                _p(f"du {line.period_start:%d/%m/%Y} au {line.period_end:%d/%m/%Y}", Styles.cell),
                _p(str(line.days), Styles.cell_right),
                _p(format_euros(line.daily_amount), Styles.cell_right),
                _p(format_euros(line.gross), Styles.cell_right),
                _p(format_euros(line.recovered), Styles.cell_right),
                _p(format_euros(line.amount), Styles.cell_right),
            ]
        )
    rows.append(
        [
            _p("Total", Styles.cell_bold),
            _p("", Styles.cell),
            _p(str(document.days), Styles.cell_total),
            _p("", Styles.cell),
            _p(format_euros(document.gross), Styles.cell_total),
            _p("", Styles.cell),
            _p(format_euros(document.paid), Styles.cell_total),
        ]
    )
    table = Table(rows, colWidths=COLUMNS, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, BRAND),
                ("LINEABOVE", (0, -1), (-1, -1), 0.8, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _story(document: IjDocument) -> list[Flowable]:
    story: list[Flowable] = [
        _p(document.title, Styles.title),
        _p(document.scope, Styles.subtitle),
        facts_table(
            [
                ("Assuré(e)", document.full_name),
                ("N° de sécurité sociale", formatted_nir(document.nir)),
                ("Émis le", long_date(document.issued_on)),
            ]
        ),
        Spacer(0, 5 * mm),
    ]
    for arret in document.arrets:
        computed = (
            f"salaire journalier de base {format_euros(arret.sjb)}, indemnité journalière brute "
            f"{format_euros(arret.daily_amount)}, carence {arret.carence_days} jour(s)"
            if arret.daily_amount is not None
            else "indemnités non calculées"
        )
        story.append(
            _p(
                f"Arrêt {arret.reference} du {arret.start:%d/%m/%Y} au {arret.end:%d/%m/%Y} : {computed}.",
                Styles.body,
            )
        )
    story += [Spacer(0, 4 * mm), _p("Paiements", Styles.heading), Spacer(0, 1.5 * mm)]
    if document.lines:
        story.append(_lines(document))
    else:
        story.append(_p("Aucune indemnité journalière payée sur cette période.", Styles.body))
    story += [
        Spacer(0, 4 * mm),
        _p(
            "Montants bruts : la CSG (6,2 %) et la CRDS (0,5 %) sont prélevées avant le versement. "
            "Arrondi au centime le plus proche.",
            Styles.note,
        ),
        Spacer(0, 3 * mm),
        _p(document.closing, Styles.body),
        Spacer(0, 5 * mm),
        KeepTogether([verification_box(document.code, document.verification_url)]),
    ]
    return story


def ij_document(document: IjDocument) -> bytes:
    """The document as an A4 PDF; the same ``document`` always gives the same bytes."""
    return account_document(
        _story(document),
        caisse_name=document.caisse_name,
        postal_address=document.caisse_postal_address,
        footer_line=f"{document.title} du {document.issued_on:%d/%m/%Y} — code de vérification "
        f"{grouped(document.code)}",
        title=document.title,
        subject=document.title,
        invariant=True,
    )
