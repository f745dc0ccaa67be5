"""Pure rules of the Annuaire santé: the code lists of the public RPPS extract, the directory's
profession filter, the words indexed for full-text search, and how a typed place is understood.

Codes come from the ANS terminologies quoted in ``shared/data/rpps_format.md`` (TRE_G15 for
professions, the SM list for the doctors' specialties); labels in the data file may differ, so the
rules match on codes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Final

from app.rules import territory

# TRE_G15 ProfessionSante, plus the codes of the other registers kept in the same directory.
PROFESSIONS: Final = {
    "10": "Médecin",
    "21": "Pharmacien",
    "26": "Audioprothésiste",
    "28": "Opticien-lunetier",
    "31": "Assistant dentaire",
    "32": "Physicien médical",
    "38": "Préparateur en pharmacie hospitalière",
    "39": "Préparateur en pharmacie",
    "40": "Chirurgien-dentiste",
    "41": "Assistant de service social",
    "50": "Sage-femme",
    "60": "Infirmier",
    "69": "Infirmier psychiatrique",
    "70": "Masseur-kinésithérapeute",
    "71": "Ostéopathe",
    "72": "Psychothérapeute",
    "73": "Chiropracteur",
    "80": "Pédicure-podologue",
    "81": "Orthoprothésiste",
    "82": "Podo-orthésiste",
    "83": "Orthopédiste-orthésiste",
    "84": "Oculariste",
    "85": "Épithésiste",
    "86": "Technicien de laboratoire médical",
    "91": "Orthophoniste",
    "92": "Orthoptiste",
    "93": "Psychologue",
    "94": "Ergothérapeute",
    "95": "Diététicien",
    "96": "Psychomotricien",
    "98": "Manipulateur d'électroradiologie médicale",
    "99": "Autre acteur du système de santé",
}
MEDECIN: Final = "10"
# "Qualifié en médecine générale", "Spécialiste en médecine générale", "Médecine générale".
GENERALISTE_CODES: Final = frozenset({"SM26", "SM53", "SM54"})

# The filter of the search form, in the order people look for them.
KINDS: Final = (
    ("generaliste", "Médecin généraliste"),
    ("specialiste", "Médecin spécialiste"),
    ("medecin", "Médecin (spécialité non renseignée)"),
    ("40", "Chirurgien-dentiste"),
    ("70", "Masseur-kinésithérapeute"),
    ("60", "Infirmier"),
    ("50", "Sage-femme"),
    ("21", "Pharmacien"),
    ("80", "Pédicure-podologue"),
    ("91", "Orthophoniste"),
    ("92", "Orthoptiste"),
    ("28", "Opticien-lunetier"),
    ("26", "Audioprothésiste"),
    ("95", "Diététicien"),
    ("96", "Psychomotricien"),
    ("94", "Ergothérapeute"),
    ("93", "Psychologue"),
    ("71", "Ostéopathe"),
    ("86", "Technicien de laboratoire médical"),
    ("98", "Manipulateur d'électroradiologie médicale"),
)
KIND_LABELS: Final = dict(KINDS)

SECTEUR_LABELS: Final = {
    "1": "Secteur 1",
    "2_optam": "Secteur 2 avec OPTAM",
    "2": "Secteur 2",
    "3": "Non conventionné",
}
SECTEUR_HINTS: Final = {
    "1": "Tarifs de l'Assurance Maladie, sans dépassement sauf exigence particulière du patient.",
    "2_optam": "Honoraires libres avec dépassements modérés (option de pratique tarifaire maîtrisée) ; "
    "votre complémentaire les rembourse mieux.",
    "2": "Honoraires libres : dépassements possibles, « avec tact et mesure ».",
    "3": "Pas de convention avec l'Assurance Maladie : remboursement sur un tarif d'autorité très faible.",
}

# The acts whose usual fee the directory shows, by kind of practitioner.
ACTS_BY_KIND: Final = {
    "generaliste": ("G", "VG", "TCG"),
    "specialiste": ("CS", "APC", "CNPSY"),
    "medecin": ("G", "CS"),
    "40": ("C",),
}

MAX_QUERY_WORDS: Final = 8


def kind_of(profession_code: str, specialty_code: str) -> str:
    """The directory's filter key of a practitioner: doctors split by specialty, others by
    profession code."""
    if profession_code != MEDECIN:
        return profession_code
    if not specialty_code:
        return "medecin"
    return "generaliste" if specialty_code in GENERALISTE_CODES else "specialiste"


def search_words(*parts: str) -> str:
    """The folded words a full-text index holds for a row (names, profession, specialty, place)."""
    return " ".join(word for part in parts if part for word in territory.fold_text(part).split())


def practitioner_words(last_name: str, first_name: str, profession: str, specialty: str, kind: str) -> str:
    """What the search finds a practitioner by: names, profession, specialty and filter label
    ("généraliste" finds a doctor whose extract label says "Spécialiste en Médecine Générale")."""
    return search_words(last_name, first_name, profession, specialty, KIND_LABELS.get(kind, ""))


def structure_words(name: str, activity_sector: str, commune_name: str) -> str:
    """What the search finds an établissement by: its name, its sector of activity, its commune."""
    return search_words(name, activity_sector, commune_name)


def query_words(text: str) -> list[str]:
    """The folded words of a typed query, at most ``MAX_QUERY_WORDS``; each one is matched as a
    prefix, so "cardio" finds "cardiologie" and "dup" finds "Dupont"."""
    return territory.fold_text(text).split()[:MAX_QUERY_WORDS]


def fts5_match(words: list[str]) -> str:
    """An FTS5 MATCH expression: every word as a quoted prefix (``"dupont"* "jean"*``). Words are
    folded to ``[a-z0-9]``, so no FTS5 syntax can slip through."""
    return " ".join(f'"{word}"*' for word in words)


def tsquery(words: list[str]) -> str:
    """A PostgreSQL ``to_tsquery('simple', …)`` text: every word as a prefix, all required."""
    return " & ".join(f"{word}:*" for word in words)


@dataclass(frozen=True)
class Place:
    """What the user meant by the "Où ?" field: a postal code, a département, or communes
    (several when a name is shared and no postal code says which)."""

    label: str
    postal_code: str | None = None
    departement: str | None = None
    communes: tuple[str, ...] = ()


class PlaceError(ValueError):
    """The typed place matches nothing; the message is French and shown to the user."""


_WITH_POSTAL_CODE = re.compile(r"^(?P<name>.+?)\s*\((?P<code>\d{5})\)$")
_DEPARTEMENT = re.compile(r"^(?:\d{2}|2[ab]|97[1-6])$", re.IGNORECASE)


@cache
def departements() -> frozenset[str]:
    """The codes of the départements with at least one commune (``2A``, ``2B``, ``971``…)."""
    return frozenset(commune.departement for commune in territory.communes_index().values())


def parse_place(text: str) -> Place:
    """Understand "44000", "44", "2A", "Nantes", "Nantes (44000)" or "saint denis".

    Raises ``PlaceError`` with a French message when nothing matches.
    """
    typed = " ".join(text.split())
    compact = territory.normalize_postal_code(typed)
    if compact.isascii() and compact.isdigit() and len(compact) == 5:
        if not territory.communes_for_postal_code(compact):
            raise PlaceError(f"Aucune commune ne correspond au code postal {compact}.")
        return Place(label=compact, postal_code=compact)
    if _DEPARTEMENT.match(compact):
        code = compact.upper()
        if code not in departements():
            raise PlaceError(f"Le département {code} n'existe pas.")
        return Place(label=f"département {code}", departement=code)
    if compact.isdigit():
        raise PlaceError("Un code postal comporte 5 chiffres, un département 2 ou 3 (ou 2A, 2B).")
    with_code = _WITH_POSTAL_CODE.match(typed)
    if with_code:
        name = territory.fold_text(with_code["name"])
        communes = [
            c
            for c in territory.communes_for_postal_code(with_code["code"])
            if territory.fold_text(c.name) == name
        ]
        if communes:
            return Place(label=typed, communes=tuple(c.insee for c in communes))
    folded = territory.fold_text(typed)
    if not folded:
        raise PlaceError("Indiquez une commune, un code postal ou un département.")
    communes = territory.communes_named(folded)
    if not communes:
        raise PlaceError(
            f"Aucune commune ne s'appelle « {typed} ». Vérifiez l'orthographe ou indiquez le code postal."
        )
    return Place(
        label=communes[0].name if len(communes) == 1 else typed, communes=tuple(c.insee for c in communes)
    )
