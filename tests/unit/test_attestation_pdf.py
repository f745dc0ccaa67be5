"""The attestation de droits PDF from plain data (no database): wording of rights, médecin traitant,
exonérations and code organisme, determinism of the bytes, and the validity rule."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import pytest
from pypdf import PdfReader

from app.documents.attestation import (
    Attestation,
    Beneficiary,
    attestation_de_droits,
    formatted_code_organisme,
    medecin_traitant_text,
    rights_text,
)
from app.rules.attestation import in_force_from, valid_until

DAY = date(2026, 11, 24)
CAMILLE = Beneficiary(
    full_name="Camille MARTIN",
    nir="295067505612349",
    birth_date=date(1995, 6, 12),
    rang=1,
    qualite="Assuré(e)",
    rights_start=date(2013, 9, 1),
    rights_end=None,
    medecin_traitant=False,
    medecin_traitant_name=None,
    medecin_traitant_since=None,
    ald_start=None,
    ald_end=None,
    c2s_start=None,
    c2s_end=None,
)
CHILD = replace(
    CAMILLE, full_name="Léa MARTIN", nir=None, birth_date=date(2021, 2, 3), rang=2, qualite="Enfant"
)
ATTESTATION = Attestation(
    caisse_name="CPAM de la Loire-Atlantique",
    caisse_postal_address="CPAM de la Loire-Atlantique, 9 rue Gaëtan Rondeau, 44958 Nantes cedex 9",
    code_organisme="014410000",
    assure=CAMILLE,
    beneficiaries=(CAMILLE, CHILD),
    whole_file=True,
    issued_on=DAY,
    valid_until=date(2027, 2, 22),
    code="7KQ2MZ4DXR9X",
    verification_url="https://macaisse.example/verifier/7KQ2-MZ4D-XR9X",
)


def text_of(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


def test_the_same_attestation_gives_the_same_bytes():
    assert attestation_de_droits(ATTESTATION) == attestation_de_droits(ATTESTATION)
    assert attestation_de_droits(ATTESTATION) != attestation_de_droits(
        replace(ATTESTATION, code="22222222222Z")
    )


def test_the_text_is_extractable():
    text = text_of(attestation_de_droits(ATTESTATION))
    for expected in (
        "Attestation de droits à l'assurance maladie",
        "Code organisme 01 441 0000",
        "2 95 06 75 056 123 49",
        "Léa MARTIN celui de l'assuré(e) 03/02/2021 2 Enfant",
        "Aucune exonération du ticket modérateur n'est enregistrée.",
        "valable jusqu'au 22 février 2027",
        "7KQ2-MZ4D-XR9X",
        "https://macaisse.example/verifier/7KQ2-MZ4D-XR9X",
        "Attestation de droits du 24/11/2026 — code de vérification 7KQ2-MZ4D-XR9X",
    ):
        assert expected in text, expected


def test_an_ended_ald_is_not_listed_but_a_current_one_is():
    ended = replace(CHILD, ald_start=date(2015, 1, 1), ald_end=date(2020, 1, 1))
    current = replace(CAMILLE, ald_start=date(2024, 2, 1))
    text = text_of(attestation_de_droits(replace(ATTESTATION, beneficiaries=(current, ended))))
    assert "Camille MARTIN : affection de longue durée (ALD)" in text
    assert "depuis le 01/02/2024" in text
    assert "Léa MARTIN : affection" not in text


def test_unknown_code_organisme():
    assert formatted_code_organisme(None) == "non communiqué"
    assert formatted_code_organisme("017510000") == "01 751 0000"
    text = text_of(attestation_de_droits(replace(ATTESTATION, code_organisme=None)))
    assert "Code organisme non communiqué" in text


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2013, 9, 1), None, "depuis le 01/09/2013"),
        (date(2013, 9, 1), date(2027, 8, 31), "du 01/09/2013 au 31/08/2027"),
        (date(2013, 9, 1), DAY, "du 01/09/2013 au 24/11/2026"),
        (date(2013, 9, 1), date(2026, 1, 1), "fermés depuis le 01/01/2026"),
        (date(2027, 2, 1), None, "à partir du 01/02/2027"),
    ],
)
def test_rights_text(start, end, expected):
    assert rights_text(replace(CAMILLE, rights_start=start, rights_end=end), DAY) == expected


@pytest.mark.parametrize(
    ("declared", "name", "since", "expected"),
    [
        (False, None, None, "Non déclaré"),
        (True, None, None, "Oui"),
        (True, None, date(2023, 1, 15), "Oui, depuis le 15/01/2023"),
        (True, "Dr Sophie DURAND", date(2023, 1, 15), "Oui : Dr Sophie DURAND, depuis le 15/01/2023"),
    ],
)
def test_medecin_traitant_text(declared, name, since, expected):
    person = replace(
        CAMILLE, medecin_traitant=declared, medecin_traitant_name=name, medecin_traitant_since=since
    )
    assert medecin_traitant_text(person) == expected


@pytest.mark.parametrize(
    ("ends", "expected"),
    [
        ([None, None], date(2027, 2, 22)),
        ([date(2026, 12, 31), None], date(2026, 12, 31)),
        ([DAY], DAY),
        ([date(2026, 1, 1), None], date(2027, 2, 22)),  # already closed: stated, not a limit
        ([date(2028, 1, 1)], date(2027, 2, 22)),
    ],
)
def test_valid_until(ends, expected):
    assert valid_until(DAY, ends, 90) == expected


def test_in_force_from():
    assert in_force_from(date(2024, 1, 1), None, DAY)
    assert in_force_from(date(2024, 1, 1), DAY, DAY)
    assert in_force_from(date(2027, 1, 1), None, DAY)
    assert not in_force_from(date(2024, 1, 1), date(2026, 11, 23), DAY)
    assert not in_force_from(None, None, DAY)
