"""NIR parsing: official examples from DOMAIN.md and a precise French message per mistake."""

from datetime import date

import pytest

from app.rules.nir import birth_mismatch, formatted, parse_nir, sex_of


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2 95 10 99 126 111 93", "295109912611193"),
        ("1 86 02 2A 215 325 23", "186022A21532523"),
        ("1 86 02 2a 215 325 23", "186022A21532523"),
        ("2 95 06 75 056 123 49", "295067505612349"),
        ("2950675056123", "295067505612349"),  # 13 digits: the key is computed
        ("1.84.12.75.108.264.03", "184127510826403"),
    ],
)
def test_valid_numbers(typed, expected):
    result = parse_nir(typed)
    assert result.ok
    assert result.value == expected


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Saisissez"),
        ("295109912611199", "La clé (les 2 derniers chiffres) ne correspond pas"),
        ("29510991261", "13 ou 15 chiffres attendus"),
        ("2951099126111933", "13 ou 15 chiffres attendus"),
        ("395109912611193", "Le premier chiffre (le sexe) doit être 1 ou 2"),
        ("2 95 13 99 126 111 93", "Le mois de naissance"),
        ("2 95 10 9X 126 111 93", "que des chiffres"),
        ("2 95 10 2C 126 111 93", "que des chiffres"),
        ("2 95 10 A2 126 111 93", "département de naissance"),
    ],
)
def test_invalid_numbers_say_what_is_wrong(typed, message):
    result = parse_nir(typed)
    assert not result.ok
    assert result.value is None
    assert message in result.error


def test_key_required_when_asked():
    assert "15 chiffres attendus" in parse_nir("2950675056123", require_key=True).error


@pytest.mark.parametrize(
    ("nir", "birth", "problem"),
    [
        ("295067505612349", date(1995, 6, 12), None),
        ("295067505612349", date(1996, 6, 12), "année"),
        ("295067505612349", date(1995, 7, 12), "mois"),
        ("295307505612345", date(1995, 7, 12), None),  # month 30: unknown at registration
    ],
)
def test_birth_mismatch(nir, birth, problem):
    message = birth_mismatch(nir, birth)
    if problem is None:
        assert message is None
    else:
        assert problem in message


def test_sex_and_format():
    assert sex_of("184127510826403") == "M"
    assert sex_of("295067505612349") == "F"
    assert formatted("295067505612349") == "2 95 06 75 056 123 49"
