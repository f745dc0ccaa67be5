"""A fillable PDF for each form of the catalogue: the caisse's request sheet, with AcroForm fields.

The sheet is ours, not the official cerfa: it carries the form's title and references, an "À
remplir par l'assuré" section of fillable fields (identity, address, NIR, date, signature), and
points to the official source. It is built the same for everyone unless pre-filled, so its URL
carries a version (the catalogue row and ``GENERATOR_VERSION``) and can be cached for ever.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import asdict, dataclass

from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from app.documents.letters import BRAND, INK, MARGIN_LEFT, MARGIN_RIGHT, MUTED, PAGE_HEIGHT, PAGE_WIDTH, TINT
from app.rules.forms_catalogue import Form

# Bump when the layout or the fields change: every form gets a new URL, so caches drop the old one.
GENERATOR_VERSION = "1"

CONTENT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
FIELD_HEIGHT = 8 * mm
WHITE = (1, 1, 1)


@dataclass(frozen=True)
class Prefill:
    """What a logged-in assuré's copy is filled with; every value may be empty."""

    nom: str = ""
    prenom: str = ""
    nir: str = ""
    adresse: str = ""
    code_postal: str = ""
    commune: str = ""


def pdf_version(form: Form) -> str:
    """A short hash of the catalogue row and of ``GENERATOR_VERSION``: changes when either does."""
    payload = json.dumps([GENERATOR_VERSION, asdict(form)], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:10]


def form_pdf(form: Form, prefill: Prefill | None = None) -> bytes:
    """The PDF of ``form``, blank or pre-filled; the blank one is byte-for-byte reproducible."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=True)
    canvas.setTitle(form.title)
    canvas.setAuthor("macaisse")
    canvas.setSubject(form.references or "Formulaire de l'Assurance Maladie")
    values = prefill or Prefill()
    top = _draw_header(canvas, form)
    top = _draw_identity(canvas, values, top - 10 * mm)
    top = _draw_request(canvas, form, top - 8 * mm)
    _draw_signature(canvas, top - 8 * mm)
    _draw_footer(canvas, form)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _draw_header(canvas: Canvas, form: Form) -> float:
    band_height = 22 * mm
    canvas.setFillColor(BRAND)
    canvas.rect(0, PAGE_HEIGHT - band_height, PAGE_WIDTH, band_height, stroke=0, fill=1)
    canvas.setFillColorRGB(*WHITE)
    canvas.setFont("Helvetica-Bold", 14)
    canvas.drawString(MARGIN_LEFT, PAGE_HEIGHT - 11 * mm, "Assurance Maladie")
    canvas.setFont("Helvetica", 9)
    canvas.drawString(MARGIN_LEFT, PAGE_HEIGHT - 16.5 * mm, "Régime général — formulaire de demande")
    canvas.setFont("Helvetica-Bold", 11)
    reference = form.references or "Référence non communiquée"
    canvas.drawRightString(PAGE_WIDTH - MARGIN_RIGHT, PAGE_HEIGHT - 11 * mm, reference)

    canvas.setFillColor(INK)
    canvas.setFont("Helvetica-Bold", 15)
    y = PAGE_HEIGHT - band_height - 12 * mm
    for line in simpleSplit(form.title, "Helvetica-Bold", 15, CONTENT_WIDTH):
        canvas.drawString(MARGIN_LEFT, y, line)
        y -= 6.5 * mm
    canvas.setFillColor(MUTED)
    canvas.setFont("Helvetica", 9.5)
    for line in simpleSplit(form.description, "Helvetica", 9.5, CONTENT_WIDTH):
        canvas.drawString(MARGIN_LEFT, y, line)
        y -= 4.5 * mm
    return y


def _section_title(canvas: Canvas, title: str, top: float) -> float:
    canvas.setFillColor(TINT)
    canvas.rect(MARGIN_LEFT, top - 8 * mm, CONTENT_WIDTH, 8 * mm, stroke=0, fill=1)
    canvas.setFillColor(BRAND)
    canvas.rect(MARGIN_LEFT, top - 8 * mm, 1.5 * mm, 8 * mm, stroke=0, fill=1)
    canvas.setFillColor(INK)
    canvas.setFont("Helvetica-Bold", 11)
    canvas.drawString(MARGIN_LEFT + 4 * mm, top - 5.5 * mm, title)
    return top - 13 * mm


def _textfield(
    canvas: Canvas, name: str, label: str, value: str, x: float, top: float, width: float, maxlen: int = 0
) -> None:
    canvas.setFillColor(MUTED)
    canvas.setFont("Helvetica", 8.5)
    canvas.drawString(x, top - 3 * mm, label)
    canvas.acroForm.textfield(
        name=name,
        tooltip=label,
        value=value,
        x=x,
        y=top - 4.5 * mm - FIELD_HEIGHT,
        width=width,
        height=FIELD_HEIGHT,
        borderStyle="solid",
        borderColor=INK,
        fillColor=TINT,
        textColor=INK,
        fontName="Helvetica",
        fontSize=10,
        maxlen=maxlen,
        forceBorder=True,
    )


def _checkbox(canvas: Canvas, name: str, label: str, x: float, y: float) -> None:
    canvas.acroForm.checkbox(
        name=name,
        tooltip=label,
        checked=False,
        x=x,
        y=y,
        size=4.5 * mm,
        buttonStyle="check",
        borderColor=INK,
        fillColor=TINT,
        textColor=INK,
        forceBorder=True,
    )
    canvas.setFillColor(INK)
    canvas.setFont("Helvetica", 9.5)
    canvas.drawString(x + 6.5 * mm, y + 1.2 * mm, label)


def _draw_identity(canvas: Canvas, values: Prefill, top: float) -> float:
    top = _section_title(canvas, "À remplir par l'assuré", top)
    gap = 5 * mm
    half = (CONTENT_WIDTH - gap) / 2
    step = FIELD_HEIGHT + 8 * mm
    left, right = MARGIN_LEFT, MARGIN_LEFT + half + gap
    _textfield(canvas, "nom", "Nom de naissance (et nom d'usage)", values.nom, left, top, half)
    _textfield(canvas, "prenom", "Prénom(s)", values.prenom, right, top, half)
    top -= step
    _textfield(
        canvas,
        "nir",
        "Numéro de sécurité sociale (NIR, 15 chiffres avec la clé)",
        values.nir,
        left,
        top,
        half,
    )
    _textfield(canvas, "telephone", "Téléphone (facultatif)", "", right, top, half)
    top -= step
    _textfield(
        canvas, "adresse", "Adresse (numéro, voie, complément)", values.adresse, left, top, CONTENT_WIDTH
    )
    top -= step
    _textfield(canvas, "code_postal", "Code postal", values.code_postal, left, top, 35 * mm, maxlen=5)
    commune_x = left + 35 * mm + gap
    _textfield(canvas, "commune", "Commune", values.commune, commune_x, top, CONTENT_WIDTH - 35 * mm - gap)
    return top - step


def _draw_request(canvas: Canvas, form: Form, top: float) -> float:
    top = _section_title(canvas, "Votre demande", top)
    canvas.setFillColor(INK)
    canvas.setFont("Helvetica", 9.5)
    canvas.drawString(MARGIN_LEFT, top - 2 * mm, "Vous faites cette demande :")
    y = top - 9 * mm
    _checkbox(canvas, "pour_moi", "pour vous-même", MARGIN_LEFT, y)
    _checkbox(canvas, "pour_ayant_droit", "pour un enfant ou un ayant droit", MARGIN_LEFT + 60 * mm, y)
    y -= 8 * mm
    _checkbox(canvas, "pieces_jointes", "Je joins les pièces justificatives demandées", MARGIN_LEFT, y)
    _textfield(
        canvas, "precisions", "Précisions utiles à votre caisse", "", MARGIN_LEFT, y - 3 * mm, CONTENT_WIDTH
    )
    y -= 3 * mm + FIELD_HEIGHT + 8 * mm
    if form.online_alternative:
        canvas.setFillColor(MUTED)
        canvas.setFont("Helvetica-Oblique", 9)
        text = f"Plus simple : {form.online_alternative}."
        for line in simpleSplit(text, "Helvetica-Oblique", 9, CONTENT_WIDTH):
            canvas.drawString(MARGIN_LEFT, y, line)
            y -= 4.2 * mm
    return y


def _draw_signature(canvas: Canvas, top: float) -> None:
    top = _section_title(canvas, "Engagement et signature", top)
    canvas.setFillColor(INK)
    _checkbox(
        canvas,
        "certifie",
        "Je certifie sur l'honneur l'exactitude des renseignements ci-dessus.",
        MARGIN_LEFT,
        top - 5 * mm,
    )
    top -= 9 * mm
    _textfield(canvas, "date", "Date (JJ/MM/AAAA)", "", MARGIN_LEFT, top, 45 * mm, maxlen=10)
    signature_x = MARGIN_LEFT + 55 * mm
    _textfield(canvas, "signature", "Signature", "", signature_x, top, CONTENT_WIDTH - 55 * mm)


def _draw_footer(canvas: Canvas, form: Form) -> None:
    canvas.setStrokeColor(MUTED)
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN_LEFT, 18 * mm, PAGE_WIDTH - MARGIN_RIGHT, 18 * mm)
    canvas.setFillColor(MUTED)
    canvas.setFont("Helvetica", 7.5)
    canvas.drawString(MARGIN_LEFT, 14 * mm, "Document établi par macaisse d'après la source publique :")
    canvas.drawString(MARGIN_LEFT, 10.5 * mm, form.source_url[:120])
    canvas.drawRightString(
        PAGE_WIDTH - MARGIN_RIGHT, 14 * mm, "À envoyer signé à votre caisse d'assurance maladie."
    )
