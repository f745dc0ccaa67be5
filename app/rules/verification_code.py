"""Verification codes printed on issued documents: short, typable, and self-checking.

A code is 12 characters of a 29-character alphabet without look-alikes (no 0/O, 1/I/L, 5/S, U/V),
printed in groups of four (``7KQ2-MZ4D-XR9X``). The last character is a check character: the
weighted sum of the twelve values, with weights 1 to 12, is a multiple of 29. Because 29 is prime
and the weights are non-zero and differ by one from a position to the next, every single-character
substitution and every transposition of two adjacent characters breaks the sum: a mistyped code is
refused before any database lookup. Eleven random characters give 29¹¹ (about 2⁵³) codes.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRTVWXYZ"
LENGTH = 12
GROUP = 4
# Longer input is not a code with a few separators: it is refused without being examined.
MAX_INPUT = 40

_MODULUS = len(ALPHABET)
_VALUES = {character: value for value, character in enumerate(ALPHABET)}
_SEPARATORS = re.compile(r"[\s\-._]")


def _weighted_sum(code: str) -> int:
    return sum((position + 1) * _VALUES[character] for position, character in enumerate(code))


def check_character(body: str) -> str:
    """The character that completes the 11 characters of ``body`` into a valid code."""
    remainder = _weighted_sum(body) % _MODULUS
    value = (-remainder * pow(LENGTH, -1, _MODULUS)) % _MODULUS
    return ALPHABET[value]


def generate() -> str:
    """A new random code, compact (12 characters, no separators), from ``secrets``."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH - 1))
    return body + check_character(body)


def normalise(text: str) -> str:
    """Upper case, without spaces, hyphens, dots or underscores (as typed or read from a URL)."""
    return _SEPARATORS.sub("", (text or "")[:MAX_INPUT]).upper()


def is_valid(code: str) -> bool:
    """True for a compact code of the right length and alphabet whose check character matches."""
    return (
        len(code) == LENGTH
        and all(character in _VALUES for character in code)
        and _weighted_sum(code) % _MODULUS == 0
    )


def parse(text: str) -> str | None:
    """The compact code in ``text`` (any case, spaces and hyphens ignored), or None when it cannot
    be a code: wrong length, a character outside the alphabet, or a wrong check character."""
    code = normalise(text)
    return code if is_valid(code) else None


def grouped(code: str) -> str:
    """``7KQ2-MZ4D-XR9X``: the compact code in groups of four, as printed and shown."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))
