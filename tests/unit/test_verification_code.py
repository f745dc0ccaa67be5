"""Verification codes: format, normalisation, and a check character that catches every single-character
substitution and every transposition of two adjacent characters."""

from __future__ import annotations

import re

import pytest

from app.rules import verification_code as vc

# Valid codes: one printed in the docs, the extremes of the alphabet, and mixed ones.
BODIES = ("22222222222", "ZZZZZZZZZZZ", "23456789ABC", "ZYXWVTRQPNM", "M2Z3Y4X5W6V")
CODES = ["7KQ2MZ4DXR9X", *(body + vc.check_character(body) for body in BODIES)]


def test_generated_codes_have_the_printed_format():
    for _ in range(200):
        code = vc.generate()
        assert re.fullmatch(f"[{vc.ALPHABET}]{{12}}", code)
        assert vc.is_valid(code)
        assert re.fullmatch(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}", vc.grouped(code))


def test_generated_codes_differ():
    assert len({vc.generate() for _ in range(1000)}) == 1000


def test_the_alphabet_has_no_look_alikes_and_a_prime_size():
    assert not set("01ILOSU") & set(vc.ALPHABET)
    assert len(set(vc.ALPHABET)) == len(vc.ALPHABET) == 29


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("7KQ2-MZ4D-XR9X", "7KQ2MZ4DXR9X"),
        ("7kq2-mz4d-xr9x", "7KQ2MZ4DXR9X"),
        ("  7KQ2 MZ4D XR9X ", "7KQ2MZ4DXR9X"),
        ("7KQ2.MZ4D_XR9X", "7KQ2MZ4DXR9X"),
        ("7KQ2MZ4DXR9X", "7KQ2MZ4DXR9X"),
    ],
)
def test_parse_ignores_case_spaces_and_separators(typed, expected):
    assert vc.parse(typed) == expected


@pytest.mark.parametrize(
    "typed",
    ["", "7KQ2-MZ4D-XR9", "7KQ2-MZ4D-XR9XX", "7KQ2-MZ4D-XR9O", "7KQ2-MZ4D-XR91", "7KQ2-MZ4D-XR9Y", "é" * 12],
)
def test_parse_refuses_what_cannot_be_a_code(typed):
    assert vc.parse(typed) is None


def test_overlong_input_is_not_examined():
    assert vc.normalise("7KQ2-MZ4D-XR9X" + " " * 100) == "7KQ2MZ4DXR9X"
    assert len(vc.normalise("A" * 1000)) == vc.MAX_INPUT


@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize("position", range(vc.LENGTH))
def test_every_single_substitution_is_refused(code, position):
    for other in vc.ALPHABET.replace(code[position], ""):
        changed = code[:position] + other + code[position + 1 :]
        assert not vc.is_valid(changed), changed


def codes_with_pairs(position: int):
    """Valid codes whose characters at ``position`` and ``position + 1`` take every pair of values."""
    filler = "23456789ABC"
    for a in vc.ALPHABET:
        if position < vc.LENGTH - 2:
            for b in vc.ALPHABET:
                body = filler[:position] + a + b + filler[position + 2 :]
                yield body + vc.check_character(body)
        else:
            # The pair ends with the check character: the first character makes it take every value.
            for first in vc.ALPHABET:
                body = first + filler[1:position] + a
                yield body + vc.check_character(body)


@pytest.mark.parametrize("position", range(vc.LENGTH - 1))
def test_every_adjacent_transposition_is_refused(position):
    pairs = set()
    for code in codes_with_pairs(position):
        assert vc.is_valid(code)
        pairs.add(code[position : position + 2])
        swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
        if swapped != code:
            assert not vc.is_valid(swapped), (code, swapped)
    assert len(pairs) == len(vc.ALPHABET) ** 2
