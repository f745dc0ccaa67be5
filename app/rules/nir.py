"""NIR (numéro de sécurité sociale): parsing with precise French messages, on top of python-stdnum.

stdnum checks the key; the messages say *what* is wrong so a user can fix a typo without calling.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from stdnum.exceptions import ValidationError
from stdnum.fr import nir as stdnum_nir

_SEPARATORS = re.compile(r"[\s.\-_/]")
_SHAPE = re.compile(r"^[1278]\d{4}(\d{2}|2A|2B)\d{6}(\d{2})?$")


@dataclass(frozen=True)
class NirResult:
    """``value`` is the 15-character NIR (key included) when valid; ``error`` a French message."""

    value: str | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.error is None


def compact(text: str) -> str:
    """Remove spaces and separators, upper-case the Corsica letters."""
    return _SEPARATORS.sub("", text or "").upper()


def parse_nir(text: str, *, require_key: bool = False) -> NirResult:
    """Parse 13 or 15 characters (spaces tolerated); complete the key when only 13 are given."""
    number = compact(text)
    if not number:
        return NirResult(None, "Saisissez le numéro de sécurité sociale.")
    if len(number) not in (13, 15) or (require_key and len(number) != 15):
        expected = "15 chiffres attendus" if require_key else "13 ou 15 chiffres attendus"
        return NirResult(None, f"Le numéro de sécurité sociale est incomplet ou trop long : {expected}.")
    if not re.fullmatch(r"[0-9AB]+", number):
        return NirResult(None, "Le numéro de sécurité sociale ne doit contenir que des chiffres.")
    if number[0] not in "1278":
        return NirResult(
            None, "Le premier chiffre (le sexe) doit être 1 ou 2 (7 ou 8 pour un numéro provisoire)."
        )
    month = number[3:5]
    if not month.isdigit() or not (1 <= int(month) <= 12 or 20 <= int(month) <= 42 or int(month) >= 50):
        return NirResult(None, "Le mois de naissance (4e et 5e chiffres) n'est pas valide.")
    if not _SHAPE.match(number):
        return NirResult(None, "Le département de naissance (6e et 7e caractères) n'est pas valide.")
    if len(number) == 13:
        number += stdnum_nir.calc_check_digits(number)
    try:
        stdnum_nir.validate(number)
    except ValidationError:
        return NirResult(None, "La clé (les 2 derniers chiffres) ne correspond pas au numéro.")
    return NirResult(number, None)


def birth_mismatch(nir: str, birth_date: date) -> str | None:
    """A French message when the NIR's year or month of birth contradicts ``birth_date``."""
    if nir[1:3] != f"{birth_date.year % 100:02d}":
        return "L'année de naissance du numéro ne correspond pas à la date de naissance saisie."
    month = int(nir[3:5])
    # 20–42 and 50+ mean "month unknown" at registration: nothing to compare.
    if 1 <= month <= 12 and month != birth_date.month:
        return "Le mois de naissance du numéro ne correspond pas à la date de naissance saisie."
    return None


def sex_of(nir: str) -> str:
    """ "M" or "F" from the first digit (7 and 8 are provisional numbers of the same sexes)."""
    return "M" if nir[0] in "17" else "F"


def formatted(nir: str) -> str:
    """``2 95 06 75 056 123 49`` style."""
    return stdnum_nir.format(nir)
