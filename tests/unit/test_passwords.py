"""Password policy: 12–128 characters, not guessable, nothing personal, no composition rules."""

from datetime import date

import pytest

from app.rules.passwords import (
    GUESSABLE,
    PERSONAL,
    TOO_LONG,
    TOO_SHORT,
    password_problem,
    personal_fragments,
)

CAMILLE = personal_fragments("295067505612349", ["Camille", "Martin"], date(1995, 6, 12))


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("court", TOO_SHORT),
        ("x" * 129, TOO_LONG),
        ("azertyuiop12", GUESSABLE),
        ("motdepasse123", GUESSABLE),
        ("aaaaaaaaaaaaaaaa", GUESSABLE),
        ("Camille-Nantes-2026", PERSONAL),
        ("mon nir 2950675056123 !", PERSONAL),
        ("née le 12/06/1995 à Paris", PERSONAL),
        ("martin martin martin", PERSONAL),
        ("cheval agrafe batterie correcte", None),  # long, unrelated words: fine
        ("tout en minuscules sans chiffre", None),  # no composition rules
        ("Macaisse-Demo-2026", None),
        ("é" * 12 + "ñ⚕️ 42 zèbres", None),  # any characters
    ],
)
def test_policy(password, problem):
    assert password_problem(password, CAMILLE) == problem


def test_short_names_are_not_fragments():
    assert "le" not in personal_fragments(names=["Le Goff"])
    assert "goff" in personal_fragments(names=["Le Goff"])
