"""Password policy (ANSSI / NIST style): length, not guessable, nothing personal; no composition
rules and no forced rotation. Messages in French say what to change."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date

from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 128
MIN_SCORE = 3  # zxcvbn 0–4: 3 is "safely unguessable" against an online attack with throttling

TOO_SHORT = f"Le mot de passe doit comporter au moins {MIN_LENGTH} caractères."
TOO_LONG = f"Le mot de passe doit comporter au plus {MAX_LENGTH} caractères."
PERSONAL = (
    "Le mot de passe ne doit contenir ni votre numéro de sécurité sociale, ni votre nom ou prénom, "
    "ni votre date de naissance."
)
GUESSABLE = (
    "Ce mot de passe est trop facile à deviner. Allongez-le, par exemple avec trois ou quatre "
    "mots sans lien entre eux."
)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if c.isalnum())


def personal_fragments(
    nir: str | None = None, names: Iterable[str] = (), birth_date: date | None = None
) -> list[str]:
    """The strings a password must not contain, folded (no accents, case or separators)."""
    fragments: list[str] = []
    if nir:
        fragments += [_fold(nir[:13]), _fold(nir[:7]), _fold(nir[5:13])]
    for name in names:
        for part in re.split(r"[\s'\-]+", name or ""):
            if len(part) >= 3:
                fragments.append(_fold(part))
    if birth_date:
        d, m, y = f"{birth_date.day:02d}", f"{birth_date.month:02d}", f"{birth_date.year:04d}"
        fragments += [d + m + y, y + m + d, d + m + y[2:], m + y, y]
    return [f for f in fragments if f]


def password_problem(password: str, personal: list[str] | None = None) -> str | None:
    """The first problem with ``password`` as a French message, or None if it is acceptable."""
    if len(password) < MIN_LENGTH:
        return TOO_SHORT
    if len(password) > MAX_LENGTH:
        return TOO_LONG
    folded = _fold(password)
    if any(fragment in folded for fragment in personal or []):
        return PERSONAL
    if zxcvbn(password, user_inputs=list(personal or []))["score"] < MIN_SCORE:
        return GUESSABLE
    return None
