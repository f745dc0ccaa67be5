"""What looks like personal data in a forum post: a NIR, an IBAN, an e-mail address, a French
phone number. The forum is public: the post is held back until the user removes it. Pure: no Flask.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stdnum import iban as stdnum_iban

from app.rules.nir import parse_nir

_PUBLIC = (
    " Le forum est public : tout le monde peut lire votre message, et votre caisse ne vous demandera"
    " jamais cette information ici."
)
MESSAGES = {
    "nir": "Votre message contient ce qui ressemble à un numéro de sécurité sociale : retirez-le." + _PUBLIC,
    "iban": "Votre message contient ce qui ressemble à un IBAN (des coordonnées bancaires) : retirez-le."
    + _PUBLIC,
    "email": "Votre message contient ce qui ressemble à une adresse e-mail : retirez-la." + _PUBLIC,
    "phone": "Votre message contient ce qui ressemble à un numéro de téléphone : retirez-le." + _PUBLIC,
}

_NIR = re.compile(r"(?<![\w])[1278](?:[ .]?[0-9AB]){12,14}(?![ .]?[0-9])", re.IGNORECASE)
_IBAN = re.compile(r"(?<![\w])[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{1,4}){2,8}", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w+])(?:(?:\+|00)33[ .-]?(?:\(0\)[ .-]?)?[1-9]|0[1-9])(?:[ .-]?\d{2}){4}(?![\d])")


_WHAT = {
    "nir": "un numéro de sécurité sociale",
    "iban": "un IBAN (des coordonnées bancaires)",
    "email": "une adresse e-mail",
    "phone": "un numéro de téléphone",
}


@dataclass(frozen=True, slots=True)
class Finding:
    kind: str
    message: str


def _has_nir(text: str) -> bool:
    for match in _NIR.finditer(text):
        number = re.sub(r"[ .]", "", match.group(0)).upper()
        if len(number) in (13, 15) and parse_nir(number).ok:
            return True
    return False


def _has_iban(text: str) -> bool:
    for match in _IBAN.finditer(text):
        groups = match.group(0).upper().split(" ")
        # The match may run into the next word: try the longest candidates first.
        for end in range(len(groups), 0, -1):
            candidate = "".join(groups[:end])
            if len(candidate) >= 15 and stdnum_iban.is_valid(candidate):
                return True
    return False


def findings(text: str) -> list[Finding]:
    """The kinds of personal data found in ``text`` (each once), with the French explanation."""
    text = text or ""
    checks = (
        ("nir", _has_nir(text)),
        ("iban", _has_iban(text)),
        ("email", bool(_EMAIL.search(text))),
        ("phone", bool(_PHONE.search(text))),
    )
    return [Finding(kind, MESSAGES[kind]) for kind, found in checks if found]


def explanation(found: list[Finding]) -> str:
    """One French message for everything found (the form shows one message a field)."""
    if len(found) == 1:
        return found[0].message
    *first, last = (_WHAT[finding.kind] for finding in found)
    return (
        f"Votre message contient ce qui ressemble à {', à '.join(first)} et à {last} : retirez-les." + _PUBLIC
    )
