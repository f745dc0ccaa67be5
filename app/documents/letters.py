"""Letters sent by post: the provisional code letter, the letters informing of a change of
address or bank account, and the print batch that joins letters.

The page is laid out for a French DL window envelope ("fenêtre à droite", C5/6 folded in three):
the recipient block sits where the window is (100 mm from the left edge, 47 mm from the top,
90 × 35 mm) and the sender block at the top left, so the print room folds and posts it as is.
The recipient block follows La Poste's addressing rules: the name first, the last line the
postal code and the commune in capitals, without accents or punctuation.

Fonts are ReportLab's built-in Helvetica and Courier: their WinAnsi encoding covers French
accents and guillemets, nothing is embedded, and the text stays extractable for tests and for
screen readers.
"""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import date, datetime
from typing import Protocol
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from pypdf import PdfReader, PdfWriter
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Frame, KeepInFrame, Paragraph, Spacer, Table, TableStyle

from app.rules.french import MONTHS

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_LEFT = 20 * mm
MARGIN_RIGHT = 20 * mm

# The window of a DL "fenêtre à droite" envelope, measured from the sheet's top-left corner.
# The text is inset from the window's edges because a folded sheet moves a few millimetres.
WINDOW_LEFT = 100 * mm
WINDOW_TOP = 47 * mm
WINDOW_WIDTH = 90 * mm
WINDOW_HEIGHT = 35 * mm
WINDOW_INSET = 4 * mm

# Folded in three for a DL envelope: marks on the left edge show where to fold.
FOLD_MARKS = (99 * mm, 198 * mm)

INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#4d4d4d")
BRAND = colors.HexColor("#0b5fa5")
TINT = colors.HexColor("#eef4fa")

PARIS = ZoneInfo("Europe/Paris")
NBSP = "\u00a0"


class Recipient(Protocol):
    """What a letter needs from a person of the register (``Person`` or any look-alike)."""

    sex: str
    first_name: str
    last_name: str
    address_line: str
    address_complement: str
    postal_code: str
    commune_name: str


def long_date(day: date) -> str:
    """``23 novembre 2026``; the first day of a month is written ``1er``, as French letters do."""
    return f"{'1er' if day.day == 1 else day.day} {MONTHS[day.month - 1]} {day.year}"


def civility(person: Recipient) -> str:
    """``Madame``, ``Monsieur``, or both when the register does not say."""
    return {"F": "Madame", "M": "Monsieur"}.get(getattr(person, "sex", ""), "Madame, Monsieur")


def postal_city_line(postal_code: str, commune_name: str) -> str:
    """La Poste's last address line: ``75011 PARIS``, ``42000 SAINT ETIENNE``.

    Capitals without accents, hyphens or apostrophes, and without the arrondissement of Paris,
    Lyon or Marseille, which the postal code already carries.
    """
    commune = re.sub(r"\s+\d+(?:er|e)\s+arrondissement\s*$", "", commune_name or "", flags=re.I)
    folded = unicodedata.normalize("NFKD", commune)
    ascii_only = "".join(c for c in folded if not unicodedata.combining(c))
    words = re.sub(r"[^A-Za-z0-9]+", " ", ascii_only).strip().upper()
    return f"{postal_code} {words}".strip()


def sender_lines(caisse_name: str, postal_address: str) -> list[str]:
    """The caisse's postal address as lines under its name, its postal-code line in capitals.

    The address in the reference data usually starts with the caisse's own name ("CPAM de
    l'Ain, 1 place…"): that part is dropped when the name above already says it.
    """
    parts = [part.strip() for part in re.split(r"[,\n]", postal_address or "") if part.strip()]
    if parts and parts[0].casefold() in caisse_name.casefold():
        parts = parts[1:]
    return [part.upper() if re.match(r"\d{5}\s", part) else part for part in parts]


def city_of(postal_address: str) -> str | None:
    """The caisse's city from its postal address ("44958 Nantes cedex 9" → "Nantes"), or None."""
    matches = re.findall(r"\b\d{5}\s+([^,\n]+)", postal_address or "")
    if not matches:
        return None
    city = re.sub(r"\s+cedex\b.*$", "", matches[-1], flags=re.I).strip()
    if city.isupper():
        city = city.title()
    return city or None


def place_and_date(postal_address: str, day: date) -> str:
    """``Nantes, le 23 novembre 2026``, or ``Le 23 novembre 2026`` when the city is unknown."""
    city = city_of(postal_address)
    return f"{city}, le {long_date(day)}" if city else f"Le {long_date(day)}"


def grouped_code(code: str) -> str:
    """The code as printed: kept as given when already grouped ("ABCD-EFGH"), otherwise in
    groups of four separated by a hyphen; the sign-in ignores hyphens and spaces."""
    if re.search(r"[\s-]", code):
        return code.strip()
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def _fit(text: str, font: str, size: float, width: float, smallest: float = 7.5) -> float:
    # A long name or street is set smaller rather than cut: every character counts for delivery.
    while size > smallest and stringWidth(text, font, size) > width:
        size -= 0.5
    return size


def _recipient_lines(person: Recipient) -> list[str]:
    """The address as La Poste reads it: name, street, complement, postal code and commune."""
    title = {"F": "Madame", "M": "Monsieur"}.get(getattr(person, "sex", ""), "")
    name = " ".join(part for part in (title, person.first_name, person.last_name.upper()) if part)
    lines = [name, person.address_line, person.address_complement]
    lines = [line.strip() for line in lines if line and line.strip()]
    return [*lines, postal_city_line(person.postal_code, person.commune_name)]


def _set_lines(lines: list[str], width: float) -> list[tuple[str, str, float]]:
    """Each line with its font and size: shrunk a little to fit, else wrapped; the first line
    (the name) in bold."""
    result = []
    for index, line in enumerate(lines):
        font = "Helvetica-Bold" if index == 0 else "Helvetica"
        size = _fit(line, font, 10.5, width, smallest=9)
        result.extend((part, font, size) for part in simpleSplit(line, font, size, width))
    return result


def _draw_fold_marks(canvas: Canvas) -> None:
    canvas.setStrokeColor(MUTED)
    canvas.setLineWidth(0.4)
    for from_top in FOLD_MARKS:
        y = PAGE_HEIGHT - from_top
        canvas.line(6 * mm, y, 10 * mm, y)


def _draw_sender(canvas: Canvas, caisse_name: str, postal_address: str) -> None:
    top = PAGE_HEIGHT - 16 * mm
    canvas.setFillColor(BRAND)
    canvas.rect(MARGIN_LEFT, top - 1.5 * mm, 1.2 * mm, 14 * mm, stroke=0, fill=1)
    x = MARGIN_LEFT + 4 * mm
    width = WINDOW_LEFT - x - 6 * mm
    canvas.setFillColor(INK)
    size = _fit(caisse_name, "Helvetica-Bold", 12, width, smallest=9)
    canvas.setFont("Helvetica-Bold", size)
    canvas.drawString(x, top + 8 * mm, caisse_name)
    canvas.setFont("Helvetica", 9)
    canvas.setFillColor(MUTED)
    canvas.drawString(x, top + 3.5 * mm, "Assurance maladie — régime général")
    canvas.setFillColor(INK)
    y = top - 3 * mm
    for line in sender_lines(caisse_name, postal_address)[:5]:
        canvas.setFont("Helvetica", _fit(line, "Helvetica", 9, width))
        canvas.drawString(x, y, line)
        y -= 4.2 * mm
    canvas.setFont("Helvetica", 9)
    canvas.drawString(x, y - 1 * mm, f"Téléphone{NBSP}: 36{NBSP}46")


def _draw_recipient(canvas: Canvas, person: Recipient) -> None:
    x = WINDOW_LEFT + WINDOW_INSET
    lines = _set_lines(_recipient_lines(person), WINDOW_WIDTH - 2 * WINDOW_INSET)
    cap = 3.5 * mm
    leading = min(5 * mm, (WINDOW_HEIGHT - 2 * mm - cap) / max(len(lines) - 1, 1))
    # Centred vertically in the window so a shift of the folded sheet never hides a line.
    block = (len(lines) - 1) * leading + cap
    first_baseline = WINDOW_TOP + (WINDOW_HEIGHT - block) / 2 + cap
    canvas.setFillColor(INK)
    for index, (line, font, size) in enumerate(lines):
        canvas.setFont(font, size)
        canvas.drawString(x, PAGE_HEIGHT - first_baseline - index * leading, line)


CODE_LETTER_NOTE = "Ce courrier contient un code personnel : détruisez-le une fois votre mot de passe choisi."


def _draw_footer(canvas: Canvas, caisse_name: str, note: str = CODE_LETTER_NOTE) -> None:
    canvas.setStrokeColor(colors.HexColor("#c8c8c8"))
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN_LEFT, 17 * mm, PAGE_WIDTH - MARGIN_RIGHT, 17 * mm)
    canvas.setFont("Helvetica", 7.5)
    canvas.setFillColor(MUTED)
    canvas.drawString(
        MARGIN_LEFT,
        12.5 * mm,
        f"{caisse_name} — 36{NBSP}46 (service gratuit + prix d'un appel), du lundi au vendredi "
        f"de 8{NBSP}h{NBSP}30 à 17{NBSP}h{NBSP}30.",
    )
    if note:
        canvas.drawString(MARGIN_LEFT, 9 * mm, note)


class _Styles:
    body = ParagraphStyle("body", fontName="Helvetica", fontSize=10, leading=13.5, textColor=INK)
    subject = ParagraphStyle("subject", parent=body, fontName="Helvetica-Bold")
    step = ParagraphStyle("step", parent=body, leftIndent=6 * mm, bulletIndent=0, spaceAfter=2.5)
    heading = ParagraphStyle("heading", parent=body, fontName="Helvetica-Bold", spaceAfter=3)
    code_label = ParagraphStyle("code_label", parent=body, alignment=1, fontSize=9.5, textColor=MUTED)
    code = ParagraphStyle(
        "code", parent=body, fontName="Courier-Bold", fontSize=26, leading=30, alignment=1, textColor=INK
    )
    validity = ParagraphStyle("validity", parent=body, alignment=1, fontName="Helvetica-Bold")
    warning = ParagraphStyle("warning", parent=body, fontSize=9.5, leading=12.5, spaceAfter=3)
    signature = ParagraphStyle("signature", parent=body, leftIndent=WINDOW_LEFT - MARGIN_LEFT + WINDOW_INSET)


def _code_box(code: str, expires_on: date, width: float) -> Table:
    rows = [
        [Paragraph("Votre code provisoire de connexion", _Styles.code_label)],
        [Paragraph(escape(grouped_code(code)), _Styles.code)],
        [Paragraph(f"Valable jusqu'au {long_date(expires_on)} inclus", _Styles.validity)],
    ]
    table = Table(rows, colWidths=[width])
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1.2, BRAND),
                ("BACKGROUND", (0, 0), (-1, -1), TINT),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("TOPPADDING", (0, 0), (-1, 0), 8),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 9),
            ]
        )
    )
    table.hAlign = "CENTER"
    return table


def _warning_box(delay_text: str, width: float) -> Table:
    paragraphs = [
        Paragraph("Pour votre sécurité", _Styles.heading),
        Paragraph(
            "Ce code est personnel : <b>ne le communiquez à personne</b>. Votre caisse ne vous le "
            "demandera jamais, ni par téléphone, ni par courriel, ni par SMS.",
            _Styles.warning,
        ),
        Paragraph(
            "Vous n'êtes pas à l'origine de cette demande ? Quelqu'un a peut-être tenté d'ouvrir un "
            f"compte à votre nom : appelez le <b>36{NBSP}46</b> (service gratuit + prix d'un appel), du "
            f"lundi au vendredi de 8{NBSP}h{NBSP}30 à 17{NBSP}h{NBSP}30.",
            _Styles.warning,
        ),
        Paragraph(
            "Code expiré ou courrier égaré ? Sur la page « Se connecter », choisissez « Code oublié » : "
            f"un nouveau code vous sera envoyé par courrier {escape(delay_text)}.",
            _Styles.warning,
        ),
    ]
    table = Table([[paragraphs]], colWidths=[width])
    table.setStyle(
        TableStyle(
            [
                ("LINEBEFORE", (0, 0), (0, -1), 3, BRAND),
                ("LEFTPADDING", (0, 0), (-1, -1), 10),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _body(
    person: Recipient, caisse_name: str, code: str, expires_on: date, delay_text: str, site_address: str
) -> list[Flowable]:
    width = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    salutation = civility(person)
    where = f"<b>{escape(site_address)}</b>" if site_address else "le site de votre compte en ligne"
    steps = [
        f"Rendez-vous sur {where} et choisissez « Se connecter ».",
        "Saisissez votre numéro de sécurité sociale (les 13 premiers chiffres, inscrits sur votre "
        "carte Vitale), puis, à la place du mot de passe, le code ci-dessus.",
        "Choisissez ensuite votre mot de passe personnel : il remplace ce code, qui ne servira plus.",
    ]
    return [
        Paragraph(f"{salutation},", _Styles.body),
        Spacer(0, 3 * mm),
        Paragraph(
            "Vous avez demandé à accéder à votre compte en ligne. Pour vérifier votre identité, nous "
            "vous adressons ce code provisoire à l'adresse connue de nos services. Il vous permet de "
            "vous connecter une première fois.",
            _Styles.body,
        ),
        Spacer(0, 5 * mm),
        _code_box(code, expires_on, 115 * mm),
        Spacer(0, 6 * mm),
        Paragraph("Comment vous connecter", _Styles.heading),
        *(
            Paragraph(text, _Styles.step, bulletText=f"{number}.")
            for number, text in enumerate(steps, start=1)
        ),
        Spacer(0, 4 * mm),
        _warning_box(delay_text, width),
        Spacer(0, 6 * mm),
        Paragraph(
            f"Nous vous prions d'agréer, {salutation}, l'expression de nos salutations distinguées.",
            _Styles.body,
        ),
        Spacer(0, 6 * mm),
        Paragraph("Le service relations avec les assurés", _Styles.signature),
        Paragraph(f"<b>{escape(caisse_name)}</b>", _Styles.signature),
    ]


def provisional_code_letter(
    person: Recipient,
    caisse_name: str,
    caisse_postal_address: str,
    code: str,
    expires_on: date,
    delay_text: str,
    *,
    site_address: str = "",
    issued_on: date | None = None,
) -> bytes:
    """One A4 page for a window envelope carrying a provisional sign-in code.

    ``site_address`` is what the reader types to reach the portal ("macaisse.fr"); without it
    the letter speaks of "votre compte en ligne". ``issued_on`` (default: today in Paris) dates
    the letter. The NIR is deliberately not printed: the letter and the code alone must not be
    enough to sign in if the envelope goes astray.
    """
    issued_on = issued_on or datetime.now(PARIS).date()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle("Votre code provisoire de connexion")
    canvas.setAuthor(caisse_name)
    canvas.setSubject("Code provisoire de connexion")
    canvas.setCreator("macaisse")

    _draw_fold_marks(canvas)
    _draw_sender(canvas, caisse_name, caisse_postal_address)
    _draw_recipient(canvas, person)

    text_top = PAGE_HEIGHT - (WINDOW_TOP + WINDOW_HEIGHT + 11 * mm)
    canvas.setFillColor(INK)
    canvas.setFont("Helvetica", 10)
    canvas.drawString(WINDOW_LEFT + WINDOW_INSET, text_top, place_and_date(caisse_postal_address, issued_on))
    subject = Paragraph(f"Objet{NBSP}: votre code provisoire de connexion", _Styles.subject)
    width = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    _, subject_height = subject.wrap(width, 20 * mm)
    subject.drawOn(canvas, MARGIN_LEFT, text_top - 9 * mm - subject_height)

    frame_top = text_top - 19 * mm
    frame_bottom = 21 * mm
    height = frame_top - frame_bottom
    frame = Frame(MARGIN_LEFT, frame_bottom, width, height, leftPadding=0, rightPadding=0, topPadding=0)
    content = _body(person, caisse_name, code, expires_on, delay_text, site_address)
    # Shrunk rather than spilled onto a second page: a letter is one sheet in one envelope.
    frame.addFromList([KeepInFrame(width, height, content, mode="shrink")], canvas)

    _draw_footer(canvas, caisse_name)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def information_letter(
    person: Recipient,
    caisse_name: str,
    caisse_postal_address: str,
    subject: str,
    paragraphs: list[str],
    *,
    issued_on: date | None = None,
) -> bytes:
    """One A4 page for a window envelope informing ``person`` (at the address it carries) of a
    change made to their file: a changed address, a changed bank account. ``paragraphs`` are plain
    text (escaped here). Such letters reach the person by post, where an impostor who took over the
    online account cannot intercept them."""
    issued_on = issued_on or datetime.now(PARIS).date()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(subject)
    canvas.setAuthor(caisse_name)
    canvas.setSubject(subject)
    canvas.setCreator("macaisse")

    _draw_fold_marks(canvas)
    _draw_sender(canvas, caisse_name, caisse_postal_address)
    _draw_recipient(canvas, person)

    text_top = PAGE_HEIGHT - (WINDOW_TOP + WINDOW_HEIGHT + 11 * mm)
    canvas.setFillColor(INK)
    canvas.setFont("Helvetica", 10)
    canvas.drawString(WINDOW_LEFT + WINDOW_INSET, text_top, place_and_date(caisse_postal_address, issued_on))
    width = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    heading = Paragraph(f"Objet{NBSP}: {escape(subject)}", _Styles.subject)
    _, heading_height = heading.wrap(width, 20 * mm)
    heading.drawOn(canvas, MARGIN_LEFT, text_top - 9 * mm - heading_height)

    salutation = civility(person)
    content: list[Flowable] = [Paragraph(f"{salutation},", _Styles.body), Spacer(0, 3 * mm)]
    for text in paragraphs:
        content += [Paragraph(escape(text), _Styles.body), Spacer(0, 3 * mm)]
    content += [
        Spacer(0, 3 * mm),
        Paragraph(
            f"Nous vous prions d'agréer, {salutation}, l'expression de nos salutations distinguées.",
            _Styles.body,
        ),
        Spacer(0, 6 * mm),
        Paragraph("Le service relations avec les assurés", _Styles.signature),
        Paragraph(f"<b>{escape(caisse_name)}</b>", _Styles.signature),
    ]
    frame_top = text_top - 19 * mm
    frame_bottom = 21 * mm
    height = frame_top - frame_bottom
    frame = Frame(MARGIN_LEFT, frame_bottom, width, height, leftPadding=0, rightPadding=0, topPadding=0)
    frame.addFromList([KeepInFrame(width, height, content, mode="shrink")], canvas)

    _draw_footer(canvas, caisse_name, note="")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def combine(pdfs: list[bytes]) -> bytes:
    """One PDF with the pages of ``pdfs`` in order: the print batch of the back office.

    Each letter is one page: the batch must be printed single-sided, or letters would end up on
    the back of one another.
    """
    writer = PdfWriter()
    for pdf in pdfs:
        writer.append(PdfReader(io.BytesIO(pdf)))
    writer.add_metadata({"/Title": "Courriers à imprimer", "/Creator": "macaisse"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
