"""Communes, postal codes and caisses: which caisse (CPAM, CGSS, CCSS, CSS) serves a given address.

Why: an account is opened with a postal code, and the portal must propose the caisse the member
belongs to. The chain is postal code → commune(s) → département → caisse. A postal code can serve
several communes, sometimes in two départements (``13780``: Cuges-les-Pins in the Bouches-du-Rhône
and Riboux in the Var), and can even carry another département's number (``94390`` is
Paray-Vieille-Poste, Essonne): the commune decides, never the first digits of the postal code, and
the user picks when there are several communes.

Data (``rules/data/``, see ``SOURCES.md`` there): ``communes.csv`` is built from the npm packages
``@etalab/decoupage-administratif`` and ``codes-postaux`` by
``python -m app.devtools.build_communes``; ``caisses.csv`` is the project's public reference list of
caisses with a ``key`` slug added. Both are read once, on first use.

One caisse per département, except four départements shared by several caisses, for which no
official commune list was found. They are routed by the commune's arrondissement départemental
(``ARRONDISSEMENT_ROUTES``), and inside the arrondissement of Lille by an explicit list of communes
(``COMMUNE_ROUTES``):

- Nord (59): Avesnes-sur-Helpe, Cambrai, Valenciennes → CPAM du Hainaut; Dunkerque → CPAM des
  Flandres; Douai → CPAM de Lille-Douai; Lille → CPAM de Lille-Douai, except the Roubaix-Tourcoing
  sector (Roubaix, Tourcoing, Wattrelos, Croix, Wasquehal, Hem, Lys-lez-Lannoy, Leers, Lannoy,
  Mouvaux, Neuville-en-Ferrain, Halluin, Roncq, Bondues, Linselles, Toufflers, Sailly-lez-Lannoy,
  Willems, Forest-sur-Marque, Bousbecque, Wervicq-Sud, Comines) → CPAM de Roubaix-Tourcoing, and
  the Armentières sector (Armentières, Houplines, Erquinghem-Lys, La Chapelle-d'Armentières,
  Bois-Grenier, Frelinghien) → CPAM des Flandres (Nieppe is in the arrondissement of Dunkerque
  already).
- Pas-de-Calais (62): Boulogne-sur-Mer, Calais, Montreuil, Saint-Omer → CPAM de la Côte d'Opale;
  Arras, Béthune, Lens → CPAM de l'Artois.
- Seine-Maritime (76): Le Havre → CPAM du Havre; Dieppe and Rouen → CPAM de Rouen-Elbeuf-Dieppe.
- Pyrénées-Atlantiques (64): Bayonne → CPAM de Bayonne; Pau and Oloron-Sainte-Marie → CPAM de
  Pau-Pyrénées.

This is an approximation: the user must be able to correct the caisse proposed for these communes.
The Landes stay whole (CPAM des Landes): the historical attachment of the canton of
Saint-Martin-de-Seignanx to Bayonne is recorded in ``caisses.csv`` as not verified.

Corsica is two départements (2A, 2B), each with its CPAM; Lozère is served by its CCSS; Guadeloupe,
Martinique, Guyane and La Réunion by their CGSS; Mayotte by its CSS. ``caisses.csv`` has no caisse
for the overseas collectivités (Saint-Pierre-et-Miquelon, Saint-Barthélemy, Saint-Martin,
Wallis-et-Futuna, Polynésie française, Nouvelle-Calédonie…): their communes are known, but
resolving them returns an error saying the portal does not cover them.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Final

_DATA_DIR: Final = Path(__file__).resolve().parent / "data"

ERROR_EMPTY: Final = "Saisissez un code postal."
ERROR_FORMAT: Final = "Le code postal doit comporter 5 chiffres."
ERROR_UNKNOWN: Final = "Aucune commune ne correspond à ce code postal."
ERROR_NOT_COVERED: Final = (
    "Le portail ne couvre pas {communes} : il ne connaît que les caisses de la métropole "
    "et des départements d'outre-mer."
)

# Arrondissement départemental (INSEE code) → caisse key, for the départements shared by several
# caisses. The module docstring and rules/data/SOURCES.md explain the choice.
ARRONDISSEMENT_ROUTES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "591": "cpam-du-hainaut",  # Avesnes-sur-Helpe
        "592": "cpam-du-hainaut",  # Cambrai
        "593": "cpam-de-lille-douai",  # Douai
        "594": "cpam-des-flandres",  # Dunkerque
        "595": "cpam-de-lille-douai",  # Lille, except COMMUNE_ROUTES
        "596": "cpam-du-hainaut",  # Valenciennes
        "621": "cpam-de-l-artois",  # Arras
        "622": "cpam-de-l-artois",  # Béthune
        "623": "cpam-de-la-cote-d-opale",  # Boulogne-sur-Mer
        "624": "cpam-de-la-cote-d-opale",  # Montreuil
        "625": "cpam-de-la-cote-d-opale",  # Saint-Omer
        "626": "cpam-de-la-cote-d-opale",  # Calais
        "627": "cpam-de-l-artois",  # Lens
        "641": "cpam-de-bayonne",  # Bayonne
        "642": "cpam-de-pau-pyrenees",  # Oloron-Sainte-Marie
        "643": "cpam-de-pau-pyrenees",  # Pau
        "761": "cpam-de-rouen-elbeuf-dieppe-seine-maritime",  # Dieppe
        "762": "cpam-du-havre",  # Le Havre
        "763": "cpam-de-rouen-elbeuf-dieppe-seine-maritime",  # Rouen
    }
)

_ROUBAIX_TOURCOING_SECTOR: Final = (
    "59512",  # Roubaix
    "59599",  # Tourcoing
    "59650",  # Wattrelos
    "59163",  # Croix
    "59646",  # Wasquehal
    "59299",  # Hem
    "59367",  # Lys-lez-Lannoy
    "59339",  # Leers
    "59332",  # Lannoy
    "59421",  # Mouvaux
    "59426",  # Neuville-en-Ferrain
    "59279",  # Halluin
    "59508",  # Roncq
    "59090",  # Bondues
    "59352",  # Linselles
    "59598",  # Toufflers
    "59522",  # Sailly-lez-Lannoy
    "59660",  # Willems
    "59247",  # Forest-sur-Marque
    "59098",  # Bousbecque
    "59656",  # Wervicq-Sud
    "59152",  # Comines
)
_ARMENTIERES_SECTOR: Final = (
    "59017",  # Armentières
    "59317",  # Houplines
    "59202",  # Erquinghem-Lys
    "59143",  # La Chapelle-d'Armentières
    "59088",  # Bois-Grenier
    "59252",  # Frelinghien
)

# INSEE code → caisse key, for communes of the arrondissement of Lille that do not go to
# Lille-Douai.
COMMUNE_ROUTES: Final[Mapping[str, str]] = MappingProxyType(
    {
        **dict.fromkeys(_ROUBAIX_TOURCOING_SECTOR, "cpam-de-roubaix-tourcoing"),
        **dict.fromkeys(_ARMENTIERES_SECTOR, "cpam-des-flandres"),
    }
)

_POSTAL_CODE = re.compile(r"[0-9]{5}")
_CENTRE = re.compile(r"[0-9]{4}")
_REGIME_GENERAL: Final = "01"


class TerritoryNotCovered(LookupError):
    """The commune is in a territory for which ``caisses.csv`` lists no caisse (an overseas COM)."""


@dataclass(frozen=True, slots=True)
class Commune:
    """A current commune or municipal arrondissement, as listed in ``communes.csv``.

    ``arrondissement`` is the arrondissement départemental (None in the overseas collectivités): it
    is what routes the communes of the départements shared by several caisses.
    """

    insee: str
    name: str
    postal_codes: tuple[str, ...]
    departement: str
    arrondissement: str | None
    population: int


@dataclass(frozen=True, slots=True)
class Caisse:
    """A local fund, as listed in ``caisses.csv``; empty strings are facts not found, never guessed.

    ``codes`` are the 3-digit caisse codes (two for Lille-Douai, none where unknown).
    """

    key: str
    codes: tuple[str, ...]
    name: str
    departement: str
    communes_rule: str
    postal_address: str
    accueil_address: str
    phone: str
    source_url: str
    confidence: str


@dataclass(frozen=True, slots=True)
class Choice:
    """One answer to "which caisse?": a commune and the caisse that serves it."""

    commune: Commune
    caisse: Caisse


@dataclass(frozen=True, slots=True)
class Resolution:
    """The outcome of resolving a postal code: the choices to offer, or a French error message.

    ``postal_code`` is the normalized input, so that a form can show it back.
    """

    postal_code: str
    choices: tuple[Choice, ...]
    error: str | None = None

    @property
    def ambiguous(self) -> bool:
        """True when the user has to pick a commune (the postal code serves several)."""
        return len(self.choices) > 1

    @property
    def caisses(self) -> tuple[Caisse, ...]:
        """The distinct caisses of the choices, in order: one means the caisse is settled."""
        return tuple(dict.fromkeys(choice.caisse for choice in self.choices))


@dataclass(frozen=True, slots=True)
class _CommuneIndex:
    by_insee: Mapping[str, Commune]
    by_postal_code: Mapping[str, tuple[Commune, ...]]


@dataclass(frozen=True, slots=True)
class _CaisseIndex:
    caisses: tuple[Caisse, ...]
    by_key: Mapping[str, Caisse]
    by_departement: Mapping[str, tuple[Caisse, ...]]


_NON_WORD = re.compile(r"[\W_]+")


def fold_text(text: str) -> str:
    """Lowercase ASCII words joined by single spaces, for accent- and case-insensitive matching.

    "Saint-Étienne", "SAINT ETIENNE", "saint-etienne" all give "saint etienne"; "L’Haÿ" gives
    "l hay" whatever the apostrophe.
    """
    spaced = _NON_WORD.sub(" ", text.casefold().replace("œ", "oe").replace("æ", "ae"))
    ascii_only = unicodedata.normalize("NFKD", spaced).encode("ascii", "ignore").decode("ascii")
    return " ".join(ascii_only.split())


def _name_order(commune: Commune) -> tuple[str, int, str]:
    return (fold_text(commune.name), -commune.population, commune.insee)


@cache
def _communes() -> _CommuneIndex:
    by_insee: dict[str, Commune] = {}
    by_postal_code: dict[str, list[Commune]] = defaultdict(list)
    with (_DATA_DIR / "communes.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for insee, name, departement, arrondissement, population, postal_codes in reader:
            commune = Commune(
                insee=insee,
                name=name,
                postal_codes=tuple(postal_codes.split(";")) if postal_codes else (),
                departement=departement,
                arrondissement=arrondissement or None,
                population=int(population),
            )
            by_insee[insee] = commune
            for code in commune.postal_codes:
                by_postal_code[code].append(commune)
    return _CommuneIndex(
        by_insee=MappingProxyType(by_insee),
        by_postal_code=MappingProxyType({code: tuple(found) for code, found in by_postal_code.items()}),
    )


@cache
def _search_index() -> tuple[tuple[str, Commune], ...]:
    """(folded name, commune) of the communes with a postal code, most populated first.

    Built on the first search only, so that resolving postal codes does not pay for it; search scans
    it in order and stops at the limit.
    """
    entries = [(fold_text(c.name), c) for c in _communes().by_insee.values() if c.postal_codes]
    entries.sort(key=lambda item: (-item[1].population, item[0], item[1].insee))
    return tuple(entries)


@cache
def _caisses() -> _CaisseIndex:
    with (_DATA_DIR / "caisses.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    caisses = tuple(
        Caisse(
            key=row["key"],
            codes=tuple(row["caisse_code"].split(";")) if row["caisse_code"] else (),
            name=row["name"],
            departement=row["departement"],
            communes_rule=row["communes_rule"],
            postal_address=row["postal_address"],
            accueil_address=row["accueil_address"],
            phone=row["phone"],
            source_url=row["source_url"],
            confidence=row["confidence"],
        )
        for row in rows
    )
    by_departement: dict[str, list[Caisse]] = defaultdict(list)
    for caisse in caisses:
        by_departement[caisse.departement].append(caisse)
    return _CaisseIndex(
        caisses=caisses,
        by_key=MappingProxyType({caisse.key: caisse for caisse in caisses}),
        by_departement=MappingProxyType(
            {departement: tuple(found) for departement, found in by_departement.items()}
        ),
    )


def normalize_postal_code(text: str) -> str:
    """Remove the spaces (non-breaking ones included) people type in "44 000"; no validation."""
    return "".join(text.split())


def communes_for_postal_code(code: str) -> list[Commune]:
    """Communes served by a postal code (already normalized), sorted by name; empty when unknown.

    Homonyms (two Saint-Denis) come most populated first.
    """
    return sorted(_communes().by_postal_code.get(code, ()), key=_name_order)


def commune_by_insee(insee: str) -> Commune | None:
    """The commune with this INSEE code (``2A004``, ``75111``), or None."""
    return _communes().by_insee.get(insee)


def search_communes(text: str, limit: int = 10) -> list[Commune]:
    """Communes for an autocomplete, most populated first.

    Digits are a postal-code prefix ("440" finds Nantes); anything else is a name prefix, ignoring
    case, accents and punctuation ("saint etienne" finds Saint-Étienne; abbreviations such as "st"
    are not expanded). Communes without a postal code (the parent communes of Paris, Lyon and
    Marseille, whose arrondissements carry the codes) are left out, since an address needs one.
    """
    if limit <= 0:
        return []
    compact = normalize_postal_code(text)
    if compact and compact.isascii() and compact.isdigit():
        matches = (
            commune
            for _, commune in _search_index()
            if any(code.startswith(compact) for code in commune.postal_codes)
        )
    else:
        query = fold_text(text)
        if not query:
            return []
        matches = (commune for folded, commune in _search_index() if folded.startswith(query))
    found: list[Commune] = []
    for commune in matches:
        found.append(commune)
        if len(found) == limit:
            break
    return found


def communes_index() -> Mapping[str, Commune]:
    """Every commune by INSEE code."""
    return _communes().by_insee


def communes_named(folded: str) -> list[Commune]:
    """Communes whose name folds to ``folded`` (``fold_text``), most populated first.

    Paris, Lyon and Marseille give their municipal arrondissements, which carry the postal codes
    and are what addresses name.
    """
    return list(_names_index().get(folded, ()))


@cache
def _names_index() -> Mapping[str, tuple[Commune, ...]]:
    """Folded name → communes with a postal code (arrondissements under their city's name)."""
    by_name: dict[str, list[Commune]] = {}
    parents: list[tuple[str, Commune]] = []
    for commune in _communes().by_insee.values():
        folded = fold_text(commune.name)
        if commune.postal_codes:
            by_name.setdefault(folded, []).append(commune)
        else:
            parents.append((folded, commune))
    for folded, parent in parents:
        prefix = folded + " "
        districts = [
            district
            for name, found in by_name.items()
            if name.startswith(prefix) and "arrondissement" in name
            for district in found
            if district.departement == parent.departement
        ]
        by_name.setdefault(folded, []).extend(districts)
    return MappingProxyType(
        {
            name: tuple(sorted(found, key=lambda c: (-c.population, c.insee)))
            for name, found in by_name.items()
        }
    )


def departement_of(commune: Commune) -> str:
    """The commune's département: ``2A``/``2B`` in Corsica, ``971``…``976`` overseas.

    Taken from the commune, never from the postal code: ``20000`` is in Corse-du-Sud and ``20200``
    in Haute-Corse, and ``94390`` is in the Essonne.
    """
    return commune.departement


def caisses() -> list[Caisse]:
    """Every caisse of ``caisses.csv``, in its order (by département)."""
    return list(_caisses().caisses)


def caisse_by_key(key: str) -> Caisse | None:
    """The caisse with this key (``cpam-de-paris``), or None."""
    return _caisses().by_key.get(key)


def caisses_of_departement(dep: str) -> list[Caisse]:
    """Caisses serving a département (``44``, ``2A``, ``974``), in the order of ``caisses.csv``.

    One, except Nord (4), Pas-de-Calais, Seine-Maritime and Pyrénées-Atlantiques (2 each); none for
    an overseas collectivité.
    """
    return list(_caisses().by_departement.get(dep, ()))


def caisse_for_commune(commune: Commune) -> Caisse:
    """The caisse serving a commune: the département's only caisse, or the split-département rule.

    Raises ``TerritoryNotCovered`` when ``caisses.csv`` has no caisse for the commune's territory,
    and ``LookupError`` if a routing rule names a caisse the data does not have (a data bug, caught
    by the tests).
    """
    candidates = caisses_of_departement(departement_of(commune))
    if not candidates:
        raise TerritoryNotCovered(f"no caisse for {commune.name} ({commune.insee})")
    if len(candidates) == 1:
        return candidates[0]
    key = COMMUNE_ROUTES.get(commune.insee) or ARRONDISSEMENT_ROUTES.get(commune.arrondissement or "")
    for caisse in candidates:
        if caisse.key == key:
            return caisse
    raise LookupError(f"no routing rule gives a caisse for {commune.name} ({commune.insee})")


def resolve_postal_code(text: str) -> Resolution:
    """Turn what the user typed into the commune/caisse choices to offer, or a French error.

    Choices are sorted by commune name (the most populated first between homonyms). Communes of a
    territory without a caisse are left out; if no commune remains, the error says the portal does
    not cover them.
    """
    code = normalize_postal_code(text)
    if not code:
        return Resolution(code, (), ERROR_EMPTY)
    if not _POSTAL_CODE.fullmatch(code):
        return Resolution(code, (), ERROR_FORMAT)
    communes = communes_for_postal_code(code)
    if not communes:
        return Resolution(code, (), ERROR_UNKNOWN)
    choices: list[Choice] = []
    not_covered: list[Commune] = []
    for commune in communes:
        try:
            choices.append(Choice(commune, caisse_for_commune(commune)))
        except TerritoryNotCovered:
            not_covered.append(commune)
    if not choices:
        *first, last = [commune.name for commune in not_covered]
        names = f"{', '.join(first)} et {last}" if first else last
        return Resolution(code, (), ERROR_NOT_COVERED.format(communes=names))
    return Resolution(code, tuple(choices), None)


def code_organisme(caisse: Caisse, centre: str = "0000") -> str | None:
    """The code organisme printed on an attestation: régime (01, général) + caisse (3) + centre (4).

    None when the caisse code is unknown (never made up). For a caisse with two codes (Lille-Douai)
    the first, its main one, is used. Raises ``ValueError`` if ``centre`` is not 4 digits.
    """
    if not _CENTRE.fullmatch(centre):
        raise ValueError(f"centre must be 4 digits, got {centre!r}")
    if not caisse.codes:
        return None
    return f"{_REGIME_GENERAL}{caisse.codes[0]}{centre}"
