"""The attestation de droits à l'assurance maladie, as an A4 PDF.

The caisse and its code organisme, the assuré (NIR with its key, name, birth date), then each
beneficiary listed — the whole file or one beneficiary — with birth date, rang, qualité, rights,
médecin traitant; the exonérations du ticket modérateur (ALD), the C2S in force with its monthly
participation, the complémentaire santé (numéro AMC) of each beneficiary who declared one; and the
verification box: the code and a QR code of the ``/verifier/<code>`` address.

Page template of ``statements.py`` (the caisse's header, the 36 46 footer); built-in Helvetica,
so the text stays extractable. The PDF is built in ReportLab's invariant mode: the same
``Attestation`` always gives the same bytes, which is how a download is checked against the
SHA-256 recorded when the document was issued (the PDF's own creation date is therefore fixed;
the issue date is printed on the page).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from app.documents.letters import BRAND, NBSP, long_date
from app.documents.statements import RULE, WIDTH, _p, account_document, facts_table, formatted_nir
from app.documents.statements import _Styles as StatementStyles
from app.rules.attestation import in_force_from
from app.rules.liquidation import format_euros
from app.rules.verification_code import grouped

TITLE = "Attestation de droits à l'assurance maladie"
QR_SIZE = 32 * mm
# Bénéficiaire, n° de sécurité sociale, né(e) le, rang, qualité, droits, médecin traitant: 170 mm.
COLUMNS = (36 * mm, 34 * mm, 17 * mm, 10 * mm, 19 * mm, 27 * mm, 27 * mm)


@dataclass(frozen=True)
class Beneficiary:
    """A person listed on the attestation, as the register holds them on the issue date.
    ``medecin_traitant_name`` is None when the doctor is not in the Annuaire santé."""

    full_name: str
    nir: str | None
    birth_date: date
    rang: int
    qualite: str
    rights_start: date
    rights_end: date | None
    medecin_traitant: bool
    medecin_traitant_name: str | None
    medecin_traitant_since: date | None
    ald_start: date | None
    ald_end: date | None
    c2s_start: date | None
    c2s_end: date | None
    # Monthly C2S participation (None: free C2S); the complémentaire santé (organisme, numéro AMC).
    c2s_participation: Decimal | None = None
    amc_name: str = ""
    amc_number: str = ""


@dataclass(frozen=True)
class Attestation:
    """Everything the attestation prints; nothing else of the register goes into the PDF.

    ``assure`` is the holder of the file (printed at the top whoever is listed); ``beneficiaries``
    are those listed in the table: the whole file, or one beneficiary when ``whole_file`` is False.
    """

    caisse_name: str
    caisse_postal_address: str
    code_organisme: str | None
    assure: Beneficiary
    beneficiaries: tuple[Beneficiary, ...]
    whole_file: bool
    issued_on: date
    valid_until: date
    code: str
    verification_url: str


class _Styles(StatementStyles):
    code = ParagraphStyle(
        "attestation_code", parent=StatementStyles.body, fontName="Courier-Bold", fontSize=16, leading=20
    )


def formatted_code_organisme(code: str | None) -> str:
    """``01 441 0000``: régime, caisse and centre apart, or a plain statement when unknown."""
    if not code:
        return "non communiqué"
    return f"{code[:2]} {code[2:5]} {code[5:]}"


def rights_text(person: Beneficiary, day: date) -> str:
    """The rights as of ``day``: ``du 01/09/2013 au 31/08/2027``, ``depuis le 01/09/2013``,
    ``fermés depuis le 01/01/2026`` or ``à partir du 01/02/2027``."""
    if person.rights_start > day:
        return f"à partir du {person.rights_start:%d/%m/%Y}"
    if person.rights_end is not None and person.rights_end < day:
        return f"fermés depuis le {person.rights_end:%d/%m/%Y}"
    if person.rights_end is not None:
        return f"du {person.rights_start:%d/%m/%Y} au {person.rights_end:%d/%m/%Y}"
    return f"depuis le {person.rights_start:%d/%m/%Y}"


def medecin_traitant_text(person: Beneficiary) -> str:
    """``Oui : Dr Sophie Durand, depuis le 15/01/2023``, ``Oui, depuis le …`` or ``Non déclaré``."""
    if not person.medecin_traitant:
        return "Non déclaré"
    text = f"Oui : {person.medecin_traitant_name}" if person.medecin_traitant_name else "Oui"
    if person.medecin_traitant_since:
        text += f", depuis le {person.medecin_traitant_since:%d/%m/%Y}"
    return text


def _period(start: date | None, end: date | None) -> str:
    return f"du {start:%d/%m/%Y} au {end:%d/%m/%Y}" if end else f"depuis le {start:%d/%m/%Y}"


def _facts(attestation: Attestation) -> Table:
    assure = attestation.assure
    rows = [
        ("Caisse", attestation.caisse_name),
        ("Code organisme", formatted_code_organisme(attestation.code_organisme)),
        ("Assuré(e)", assure.full_name),
        ("N° de sécurité sociale", formatted_nir(assure.nir or "")),
        ("Né(e) le", f"{assure.birth_date:%d/%m/%Y}"),
        ("Situation au", long_date(attestation.issued_on)),
    ]
    return facts_table(rows)


def _beneficiaries(attestation: Attestation) -> Table:
    headings = (
        "Bénéficiaire",
        "N° de sécurité sociale",
        "Né(e) le",
        "Rang",
        "Qualité",
        "Droits",
        "Médecin traitant",
    )
    rows: list[list[Paragraph]] = [[_p(heading, _Styles.cell_head) for heading in headings]]
    for person in attestation.beneficiaries:
        rows.append(
            [
                _p(person.full_name, _Styles.cell_bold),
                _p(formatted_nir(person.nir) if person.nir else "celui de l'assuré(e)", _Styles.cell),
                _p(f"{person.birth_date:%d/%m/%Y}", _Styles.cell),
                _p(str(person.rang), _Styles.cell),
                _p(person.qualite, _Styles.cell),
                _p(rights_text(person, attestation.issued_on), _Styles.cell),
                _p(medecin_traitant_text(person), _Styles.cell),
            ]
        )
    table = Table(rows, colWidths=COLUMNS, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("LINEABOVE", (0, 0), (-1, 0), 1, BRAND),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _exonerations(attestation: Attestation) -> list[Flowable]:
    day = attestation.issued_on
    ald = [
        (p, p.ald_start, p.ald_end)
        for p in attestation.beneficiaries
        if in_force_from(p.ald_start, p.ald_end, day)
    ]
    c2s = [
        (p, p.c2s_start, p.c2s_end)
        for p in attestation.beneficiaries
        if in_force_from(p.c2s_start, p.c2s_end, day)
    ]
    story: list[Flowable] = [_p("Exonération du ticket modérateur", _Styles.heading), Spacer(0, 1.5 * mm)]
    if not ald:
        story.append(_p("Aucune exonération du ticket modérateur n'est enregistrée.", _Styles.body))
    for person, start, end in ald:
        story.append(
            _p(
                f"{person.full_name} : affection de longue durée (ALD), soins en rapport avec l'affection "
                f"pris en charge à 100{NBSP}% {_period(start, end)}.",
                _Styles.body,
            )
        )
    if c2s:
        story += [
            Spacer(0, 4 * mm),
            _p("Complémentaire santé solidaire (C2S)", _Styles.heading),
            Spacer(0, 1.5 * mm),
        ]
    for person, start, end in c2s:
        participation = (
            f", participation financière de {format_euros(person.c2s_participation)} par mois"
            if person.c2s_participation
            else ""
        )
        story.append(_p(f"{person.full_name} : {_period(start, end)}{participation}.", _Styles.body))
    return story


def _complementaires(attestation: Attestation) -> list[Flowable]:
    """The complémentaire santé of each listed beneficiary who declared one (nothing otherwise)."""
    covered = [person for person in attestation.beneficiaries if person.amc_number]
    if not covered:
        return []
    story: list[Flowable] = [
        Spacer(0, 4 * mm),
        _p("Complémentaire santé (organisme complémentaire)", _Styles.heading),
        Spacer(0, 1.5 * mm),
    ]
    for person in covered:
        story.append(
            _p(f"{person.full_name} : {person.amc_name}, numéro AMC {person.amc_number}.", _Styles.body)
        )
    return story


def _qr_code(url: str) -> Drawing:
    widget = QrCodeWidget(url, barLevel="M")
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(
        QR_SIZE, QR_SIZE, transform=[QR_SIZE / (right - left), 0, 0, QR_SIZE / (top - bottom), 0, 0]
    )
    drawing.add(widget)
    return drawing


def verification_box(code: str, url: str, what: str = "ce document", preamble: str = "") -> Table:
    """The framed verification code and QR code of an issued document (``what`` names it in the
    sentence: "cette attestation"), the same on every verifiable PDF."""
    text = [
        _p("Code de vérification", _Styles.cell_head),
        _p(grouped(code), _Styles.code),
        Spacer(0, 1.5 * mm),
        _p(
            f"{preamble + ' ' if preamble else ''}Pour vérifier que {what} est authentique, scannez le "
            f"code QR ou saisissez le code sur {url}",
            _Styles.note,
        ),
        _p(
            "La page de vérification indique seulement la nature du document, sa date d'émission et les "
            "initiales de son titulaire.",
            _Styles.note,
        ),
    ]
    table = Table([[text, _qr_code(url)]], colWidths=[WIDTH - QR_SIZE - 8 * mm, QR_SIZE + 8 * mm])
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1, BRAND),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def _story(attestation: Attestation) -> list[Flowable]:
    if attestation.whole_file:
        scope = "Pour l'assuré(e) et les ayants droit rattachés à son dossier"
    else:
        scope = f"Pour un seul bénéficiaire : {attestation.beneficiaries[0].full_name}"
    return [
        _p(TITLE, _Styles.title),
        _p(scope, _Styles.subtitle),
        _facts(attestation),
        Spacer(0, 6 * mm),
        _p("Bénéficiaires", _Styles.heading),
        Spacer(0, 1.5 * mm),
        _beneficiaries(attestation),
        Spacer(0, 6 * mm),
        *_exonerations(attestation),
        *_complementaires(attestation),
        Spacer(0, 6 * mm),
        _p(
            f"Attestation établie le {long_date(attestation.issued_on)}, d'après les informations connues de "
            f"votre caisse à cette date. Elle est valable jusqu'au {long_date(attestation.valid_until)}, "
            "sauf changement de situation.",
            _Styles.body,
        ),
        Spacer(0, 5 * mm),
        KeepTogether([verification_box(attestation.code, attestation.verification_url, "cette attestation")]),
    ]


def attestation_de_droits(attestation: Attestation) -> bytes:
    """The attestation as an A4 PDF; the same ``attestation`` always gives the same bytes."""
    return account_document(
        _story(attestation),
        caisse_name=attestation.caisse_name,
        postal_address=attestation.caisse_postal_address,
        footer_line=f"Attestation de droits du {attestation.issued_on:%d/%m/%Y} — code de vérification "
        f"{grouped(attestation.code)}",
        title=TITLE,
        subject="Attestation de droits",
        invariant=True,
    )
