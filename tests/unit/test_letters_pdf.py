"""The provisional code letter: one A4 page whose address shows through a DL window envelope."""

from __future__ import annotations

import io
from datetime import date
from types import SimpleNamespace

import pytest
from pypdf import PdfReader
from reportlab.lib.units import mm

from app.documents.letters import (
    city_of,
    combine,
    grouped_code,
    long_date,
    postal_city_line,
    provisional_code_letter,
    sender_lines,
)

NANTES_NAME = "CPAM de la Loire-Atlantique"
NANTES_ADDRESS = "CPAM de la Loire-Atlantique, 9 rue Gaëtan Rondeau, 44958 Nantes cedex 9"


def person(**overrides) -> SimpleNamespace:
    values = {
        "sex": "F",
        "first_name": "Camille",
        "last_name": "Martin",
        "address_line": "12 rue de la Fosse",
        "address_complement": "Bâtiment B, appartement 24",
        "postal_code": "44000",
        "commune_name": "Nantes",
    }
    return SimpleNamespace(**{**values, **overrides})


def letter(recipient: SimpleNamespace | None = None, **overrides) -> bytes:
    values = {
        "caisse_name": NANTES_NAME,
        "caisse_postal_address": NANTES_ADDRESS,
        "code": "K7QM-3XPA",
        "expires_on": date(2027, 1, 22),
        "delay_text": "sous 2 à 10 jours",
    }
    values.update(overrides)
    return provisional_code_letter(recipient or person(), **values, issued_on=date(2026, 11, 23))


def text_of(pdf: bytes) -> str:
    return PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def positions(pdf: bytes) -> dict[str, tuple[float, float]]:
    """Each text run's start, in millimetres from the page's left and top edges."""
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    height = float(page.mediabox.height)
    found: dict[str, tuple[float, float]] = {}

    def visit(text, cm, tm, _font, _size):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.setdefault(text.strip(), (x / mm, (height - y) / mm))

    page.extract_text(visitor_text=visit)
    return found


def test_letter_is_one_a4_page_with_the_recipient_the_code_and_the_help_line():
    reader = PdfReader(io.BytesIO(letter()))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / mm), round(float(box.height) / mm)) == (210, 297)
    text = reader.pages[0].extract_text()
    for expected in (
        "Madame Camille MARTIN",
        "12 rue de la Fosse",
        "Bâtiment B, appartement 24",
        "44000 NANTES",
        "K7QM-3XPA",
        "22 janvier 2027",
        "36 46",
        "Nantes, le 23 novembre 2026",
        "Objet : votre code provisoire de connexion",
        "« Se connecter »",
        "sous 2 à 10 jours",
    ):
        assert expected in text, expected


def test_recipient_block_shows_through_the_envelope_window():
    found = positions(letter())
    name_x, name_y = found["Madame Camille MARTIN"]
    city_x, city_y = found["44000 NANTES"]
    assert 100 <= name_x <= 110
    assert 45 <= name_y <= 85
    assert 100 <= city_x <= 110
    assert name_y < city_y <= 85
    sender_x, sender_y = found[NANTES_NAME]
    assert sender_x < 100
    assert sender_y < 45


def test_long_name_is_wrapped_inside_the_window():
    long = person(sex="", first_name="Marie-Amélie-Françoise", last_name="de La Tour d'Auvergne-Lauraguais")
    pdf = letter(long)
    found = positions(pdf)
    parts = ("Marie-Amélie", "LAURAGUAIS", "12 rue de la Fosse", "Bâtiment B", "44000 NANTES")
    lines = {part: where for part in parts for text, where in found.items() if part in text}
    assert set(lines) == set(parts)
    assert lines["Marie-Amélie"][1] < lines["LAURAGUAIS"][1]  # the name took two lines
    for x, y in lines.values():
        assert 100 <= x <= 110
        assert 45 <= y <= 85
    assert "Madame, Monsieur," in text_of(pdf)  # unknown sex: both in the salutation


def test_paris_arrondissement_and_sender_without_a_city():
    pdf = letter(
        person(
            sex="M",
            first_name="Louis",
            last_name="Bernard",
            postal_code="75011",
            commune_name="Paris 11e Arrondissement",
            address_complement="",
        ),
        caisse_name="CPAM de Paris (Assurance Maladie de Paris)",
        caisse_postal_address="",
    )
    text = text_of(pdf)
    assert "Monsieur Louis BERNARD" in text
    assert "75011 PARIS\n" in text
    assert "Le 23 novembre 2026" in text


def test_combine_keeps_every_letter_as_one_page():
    pdfs = [letter(person(first_name=name)) for name in ("Camille", "Léa", "Yanis")]
    reader = PdfReader(io.BytesIO(combine(pdfs)))
    assert len(reader.pages) == 3
    assert "Yanis MARTIN" in reader.pages[2].extract_text()


@pytest.mark.parametrize(
    ("postal_code", "commune", "expected"),
    [
        ("44000", "Nantes", "44000 NANTES"),
        ("42000", "Saint-Étienne", "42000 SAINT ETIENNE"),
        ("69003", "Lyon 3e Arrondissement", "69003 LYON"),
        ("75001", "Paris 1er Arrondissement", "75001 PARIS"),
        ("01000", "L'Abergement-Clémenciat", "01000 L ABERGEMENT CLEMENCIAT"),
    ],
)
def test_postal_city_line_follows_la_poste(postal_code, commune, expected):
    assert postal_city_line(postal_code, commune) == expected


@pytest.mark.parametrize(
    ("address", "city"),
    [
        (NANTES_ADDRESS, "Nantes"),
        ("Assurance Maladie de Paris, 75948 Paris cedex 19", "Paris"),
        ("CPAM, CS 20606, 02323 SAINT-QUENTIN CEDEX", "Saint-Quentin"),
        ("", None),
        ("adresse inconnue", None),
    ],
)
def test_city_of_the_caisse(address, city):
    assert city_of(address) == city


def test_sender_lines_drop_the_repeated_name_and_capitalise_the_city():
    assert sender_lines(NANTES_NAME, NANTES_ADDRESS) == ["9 rue Gaëtan Rondeau", "44958 NANTES CEDEX 9"]
    paris = sender_lines(
        "CPAM de Paris (Assurance Maladie de Paris)", "Assurance Maladie de Paris, 75948 Paris cedex 19"
    )
    assert paris == ["75948 PARIS CEDEX 19"]


def test_dates_and_codes_as_printed():
    assert long_date(date(2026, 12, 1)) == "1er décembre 2026"
    assert long_date(date(2027, 8, 15)) == "15 août 2027"
    assert grouped_code("K7QM3XPA") == "K7QM-3XPA"
    assert grouped_code("K7QM-3XPA") == "K7QM-3XPA"
