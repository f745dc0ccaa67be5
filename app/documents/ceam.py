"""The certificat provisoire de remplacement (CPR) of the carte européenne d'assurance maladie, as
an A4 PDF.

It carries the fields of the European card, numbered as on the card and on the official
certificate, so that a hospital abroad finds them where it expects: 1 the issuing State, 3 name,
4 given names, 5 date of birth, 6 personal identification number (the NIR), 7 identification
number of the institution (code organisme and caisse), 8 identification number of the card,
9 expiry date; then the certificate's validity period and its issue date, and the verification box
(code and QR code of the ``/verifier/<code>`` address) instead of a stamp.

Built like the attestation de droits (``attestation.py``): the caisse's page template, built-in
Helvetica so the text is extractable, and ReportLab's invariant mode so that the same
``CertificatProvisoire`` always gives the same bytes (a download is checked against the SHA-256
recorded at issue).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from app.documents.attestation import _Styles as AttestationStyles
from app.documents.attestation import formatted_code_organisme, verification_box
from app.documents.letters import BRAND, long_date
from app.documents.statements import RULE, WIDTH, _p, account_document, formatted_nir
from app.rules.ceam import grouped_card_number
from app.rules.verification_code import grouped

TITLE = "Certificat provisoire de remplacement de la carte européenne d'assurance maladie"
QR_SIZE = 32 * mm
NUMBER_COLUMN = 10 * mm
LABEL_COLUMN = 62 * mm


@dataclass(frozen=True)
class CertificatProvisoire:
    """Everything the certificate prints. ``nir`` is the holder's own, or the number of the assuré
    who opens their rights when they have none yet (a young child)."""

    caisse_name: str
    caisse_postal_address: str
    code_organisme: str | None
    last_name: str
    first_names: str
    birth_date: date
    nir: str
    card_number: str
    valid_from: date
    valid_until: date
    issued_on: date
    code: str
    verification_url: str


_Styles = AttestationStyles


def _institution(certificat: CertificatProvisoire) -> str:
    return f"{formatted_code_organisme(certificat.code_organisme)} — {certificat.caisse_name}"


def _fields(certificat: CertificatProvisoire) -> Table:
    rows = [
        ("1", "État membre émetteur", "FR — France"),
        ("3", "Nom", certificat.last_name.upper()),
        ("4", "Prénoms", certificat.first_names),
        ("5", "Date de naissance", f"{certificat.birth_date:%d/%m/%Y}"),
        ("6", "Numéro d'identification personnel", formatted_nir(certificat.nir)),
        ("7", "Numéro d'identification de l'institution", _institution(certificat)),
        ("8", "Numéro d'identification de la carte", grouped_card_number(certificat.card_number)),
        ("9", "Date d'expiration", f"{certificat.valid_until:%d/%m/%Y}"),
    ]
    table = Table(
        [
            [_p(number, _Styles.cell_head), _p(label, _Styles.cell_head), _p(value, _Styles.body)]
            for number, label, value in rows
        ],
        colWidths=[NUMBER_COLUMN, LABEL_COLUMN, WIDTH - NUMBER_COLUMN - LABEL_COLUMN],
    )
    table.setStyle(
        TableStyle(
            [
                ("LINEABOVE", (0, 0), (-1, 0), 1, BRAND),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def _validity(certificat: CertificatProvisoire) -> Table:
    rows = [
        ("Période de validité du certificat", ""),
        ("a) du", f"{certificat.valid_from:%d/%m/%Y}"),
        ("b) au", f"{certificat.valid_until:%d/%m/%Y}"),
        ("Date de délivrance du certificat", f"{certificat.issued_on:%d/%m/%Y}"),
        ("Institution qui délivre le certificat", f"{certificat.caisse_name}, assurance maladie, France"),
    ]
    table = Table(
        [[_p(label, _Styles.cell_head), _p(value, _Styles.body)] for label, value in rows],
        colWidths=[NUMBER_COLUMN + LABEL_COLUMN, WIDTH - NUMBER_COLUMN - LABEL_COLUMN],
    )
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, -1), (-1, -1), 0.4, RULE),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _story(certificat: CertificatProvisoire) -> list[Flowable]:
    return [
        _p(TITLE, _Styles.title),
        _p(
            "À présenter, avec une pièce d'identité, pour des soins médicalement nécessaires lors d'un "
            "séjour temporaire dans un pays de l'Union européenne, de l'Espace économique européen, en "
            "Suisse ou au Royaume-Uni.",
            _Styles.subtitle,
        ),
        _fields(certificat),
        Spacer(0, 5 * mm),
        _validity(certificat),
        Spacer(0, 6 * mm),
        _p("Ce que ce certificat atteste", _Styles.heading),
        Spacer(0, 1.5 * mm),
        _p(
            f"{certificat.first_names} {certificat.last_name.upper()} est couvert(e) par l'assurance "
            f"maladie française ({certificat.caisse_name}) du {long_date(certificat.valid_from)} au "
            f"{long_date(certificat.valid_until)}. Ce certificat remplace la carte européenne "
            "d'assurance maladie pendant cette période : les soins sont pris en charge selon les règles "
            "et les tarifs du pays de séjour, comme pour les personnes assurées dans ce pays.",
            _Styles.body,
        ),
        Spacer(0, 2 * mm),
        _p(
            "Il ne couvre ni les soins programmés à l'étranger (qui demandent un accord préalable de la "
            "caisse), ni le rapatriement, ni les soins dispensés en dehors du système de santé public du "
            "pays de séjour.",
            _Styles.body,
        ),
        Spacer(0, 6 * mm),
        KeepTogether(
            [
                verification_box(
                    certificat.code,
                    certificat.verification_url,
                    "ce certificat",
                    preamble="Ce certificat est émis électroniquement, sans cachet.",
                )
            ]
        ),
    ]


def certificat_provisoire(certificat: CertificatProvisoire) -> bytes:
    """The certificate as an A4 PDF; the same ``certificat`` always gives the same bytes."""
    return account_document(
        _story(certificat),
        caisse_name=certificat.caisse_name,
        postal_address=certificat.caisse_postal_address,
        footer_line=f"Certificat provisoire CEAM du {certificat.issued_on:%d/%m/%Y} — code de vérification "
        f"{grouped(certificat.code)}",
        title=TITLE,
        subject="Certificat provisoire de remplacement de la CEAM",
        invariant=True,
    )
