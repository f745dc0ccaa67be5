"""Changes of situation: the checks of a new IBAN and telephone number, how an IBAN is shown once
typed (its last 4 characters only), and the activities an assuré can declare.

IBAN: the caisse pays refunds by SEPA credit transfer, and the SEPA regulation (EU 260/2012,
article 9, "IBAN discrimination") forbids a payer to require an account in a given country of the
zone: any IBAN of a SEPA country is accepted, checked with python-stdnum (ISO 7064 check digits,
the country's length and structure). A French or Monégasque IBAN also carries the RIB key of the
BBAN (bank 5, branch 5, account 11, key 2), checked here because python-stdnum has no French
module. The overseas départements use FR IBANs.

Telephone: French numbers as written in France (10 digits, ``06 12 34 56 78``) or in
international form (``+33 6 12 34 56 78``, ``0033…``, also the overseas départements' +262, +590,
+594, +596), stored as the 10 national digits. Numbers beginning with 08 (special and
premium-rate services) are refused: the caisse must be able to call back.
"""

from __future__ import annotations

import re
from typing import Final

from stdnum import iban as stdnum_iban
from stdnum.exceptions import InvalidChecksum, InvalidLength, ValidationError

# The SEPA scheme's countries: the EU 27, the EEA (Iceland, Liechtenstein, Norway), Switzerland,
# the United Kingdom, Gibraltar, Monaco, San Marino, Andorra and the Vatican.
EU_COUNTRIES: Final = (
    *("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU"),
    *("IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"),
)
SEPA_COUNTRIES: Final = frozenset((*EU_COUNTRIES, "IS", "LI", "NO", "CH", "GB", "GI", "MC", "SM", "AD", "VA"))
RIB_COUNTRIES: Final = frozenset({"FR", "MC"})
FRENCH_IBAN_LENGTH: Final = 27

IBAN_EMPTY: Final = "Saisissez l'IBAN du compte."
IBAN_INVALID: Final = (
    "Cet IBAN n'est pas valide : vérifiez-le sur votre relevé d'identité bancaire (RIB). Un IBAN "
    "français compte 27 caractères et commence par FR."
)
IBAN_FRENCH_LENGTH: Final = (
    "Un IBAN français compte 27 caractères (FR, 2 chiffres de contrôle et 23 caractères de compte) : "
    "vérifiez qu'il n'en manque pas."
)
IBAN_CHECKSUM: Final = (
    "Cet IBAN n'est pas valide : un caractère est faux (faute de frappe ?). Vérifiez-le sur votre RIB."
)
IBAN_NOT_SEPA: Final = (
    "Votre caisse ne peut verser vos remboursements que sur un compte de la zone SEPA (Union "
    "européenne, Islande, Liechtenstein, Norvège, Suisse, Royaume-Uni, Monaco, Saint-Marin, Andorre, "
    "Vatican)."
)

PHONE_EMPTY: Final = "Saisissez votre numéro de téléphone."
PHONE_INVALID: Final = (
    "Ce numéro de téléphone n'est pas valide : saisissez 10 chiffres commençant par 0, par exemple "
    "06 12 34 56 78, ou la forme internationale +33 6 12 34 56 78."
)
PHONE_SPECIAL: Final = (
    "Les numéros commençant par 08 sont des numéros de services : indiquez un numéro de téléphone "
    "fixe ou mobile où votre caisse peut vous joindre."
)

# Country calling codes of France and its overseas départements: the national number is a 0 then
# the digits after the code (``+262 692…`` is ``0692…``, Mayotte included).
_CALLING_CODES: Final = ("33", "262", "590", "594", "596")
_SEPARATORS = re.compile(r"[\s.\-/()]")
_NATIONAL = re.compile(r"0[1-79][0-9]{8}")

ACTIVITIES: Final = {
    "salarie": "Salarié(e)",
    "independant": "Travailleur indépendant (artisan, commerçant, profession libérale, micro-entrepreneur)",
    "demandeur_emploi": "Demandeur d'emploi",
    "etudiant": "Étudiant(e)",
    "retraite": "Retraité(e)",
    "sans_activite": "Sans activité professionnelle",
}
# What proves each activity (the hint of the form's upload); "sans activité" has nothing to prove.
ACTIVITY_PROOFS: Final = {
    "salarie": "contrat de travail, bulletin de salaire ou attestation de l'employeur",
    "independant": "extrait Kbis, avis de situation au répertoire Sirene ou attestation URSSAF",
    "demandeur_emploi": "attestation d'inscription à France Travail",
    "etudiant": "certificat de scolarité",
    "retraite": "notification de votre retraite",
}


class InvalidValue(ValueError):
    """What was typed is refused; ``str()`` is the French message for the form."""


def compact_iban(text: str) -> str:
    """The IBAN without spaces, in capitals (no validation)."""
    return stdnum_iban.compact(text or "")


def _rib_key_ok(bban: str) -> bool:
    """The RIB key of a French BBAN: 97 - (89 × bank + 15 × branch + 3 × account) mod 97, where the
    letters of an account number count as digits (A, J → 1; B, K, S → 2; … I, R, Z → 9)."""
    if len(bban) != 23:
        return False
    digits = "".join(
        str((ord(char) - ord("A")) % 9 + 1 + (1 if char >= "S" else 0)) if char.isalpha() else char
        for char in bban
    )
    if not digits.isdigit():
        return False
    bank, branch, account, key = int(digits[:5]), int(digits[5:10]), int(digits[10:21]), int(digits[21:])
    return (89 * bank + 15 * branch + 3 * account + key) % 97 == 0


def check_iban(text: str) -> str:
    """The compact IBAN if it is a valid IBAN of the SEPA zone; ``InvalidValue`` (French message)
    otherwise."""
    number = compact_iban(text)
    if not number:
        raise InvalidValue(IBAN_EMPTY)
    country = number[:2]
    if len(number) < 5 or not country.isalpha():
        raise InvalidValue(IBAN_INVALID)
    if country not in SEPA_COUNTRIES:
        raise InvalidValue(IBAN_NOT_SEPA)
    if country == "FR" and len(number) != FRENCH_IBAN_LENGTH:
        raise InvalidValue(IBAN_FRENCH_LENGTH)
    try:
        number = stdnum_iban.validate(number)
    except (InvalidChecksum, InvalidLength) as error:
        raise InvalidValue(IBAN_CHECKSUM if isinstance(error, InvalidChecksum) else IBAN_INVALID) from error
    except ValidationError as error:
        raise InvalidValue(IBAN_INVALID) from error
    if country in RIB_COUNTRIES and not _rib_key_ok(number[4:]):
        raise InvalidValue(IBAN_CHECKSUM)
    return number


def iban_last4(iban: str | None) -> str:
    return (iban or "")[-4:]


def masked_iban(iban: str | None) -> str:
    """What is shown of an IBAN once typed: ``•••• 0189`` (never more than the last 4)."""
    return f"•••• {iban_last4(iban)}" if iban else "non renseigné"


def normalize_phone(text: str) -> str:
    """The 10 national digits of a French telephone number (``0612345678``); ``InvalidValue``
    (French message) otherwise."""
    compact = _SEPARATORS.sub("", text or "")
    if not compact:
        raise InvalidValue(PHONE_EMPTY)
    if compact.startswith("+"):
        compact = "00" + compact[1:]
    if compact.startswith("00"):
        international = compact[2:]
        code = next((code for code in _CALLING_CODES if international.startswith(code)), None)
        if code is None:
            raise InvalidValue(PHONE_INVALID)
        national = international[len(code) :]
        # "+33 (0)6…" is written with the trunk 0 kept in brackets.
        compact = "0" + (national[1:] if national.startswith("0") else national)
    if compact.startswith("08") and len(compact) == 10 and compact.isdigit():
        raise InvalidValue(PHONE_SPECIAL)
    if not _NATIONAL.fullmatch(compact):
        raise InvalidValue(PHONE_INVALID)
    return compact


def format_phone(number: str | None) -> str:
    """``06 12 34 56 78``: the national number in pairs, as French numbers are written."""
    if not number:
        return "non renseigné"
    return " ".join(number[i : i + 2] for i in range(0, len(number), 2))


def phone_kind(number: str) -> str:
    """ "mobile" (06, 07) or "fixe"."""
    return "mobile" if number[:2] in ("06", "07") else "fixe"
