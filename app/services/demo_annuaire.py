"""Demo data of the Annuaire santé: some 20 000 fictitious practitioners over every département, the
cabinets, maisons de santé, centres de santé, hospitals, clinics and pharmacies where they practise,
and the complements the public extract lacks (secteur, carte Vitale, opening hours, usual fees).

Why: the directory has to be tried at a realistic volume (search speed, paging, filters, every
département) without the 800 MB public extract. Nobody here is real: names are common French names,
addresses are street names every town has, and identifiers come from ranges no real professional or
establishment uses.

- **Identifiers.** RPPS numbers are ``19`` + the practitioner's rank (8 digits) + Luhn key, where
  real ones start with ``10``; the ADELI numbers of some psychologues, opticiens and
  audioprothésistes are ``99`` (no département) + rank (6 digits) + Luhn key. Structures are keyed
  ``demo-NNNNNN``; their FINESS (département + ``9`` + 5 digits + key) and SIRET pass the Luhn check.
  Dr Sophie Durand (RPPS 10101010105), the demo doctor with an account, is added with the data
  ``demo_care`` gives her.
- **Where.** The département of the n-th practitioner follows an order that does not depend on how
  many are asked for: a few in Nantes and Paris first (the browser tests search there), one in every
  département, then the Sainte-Laguë order by population, so any count is spread in proportion.
  Inside a département the commune is drawn by population; hospitals and clinics only in towns.
- **Deterministic**: ``random.Random(seed)`` drives every draw in a fixed order, so
  ``count=400`` is the start of ``count=20000``.
- **Idempotent and fast**: one query lists the demo identifiers already there; when none is missing
  the run stops, otherwise only the missing rows are inserted, in bulk (Core ``executemany``).
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import random
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, Decimal
from typing import Any, Final

import sqlalchemy as sa
from stdnum import luhn

from app.extensions import db
from app.models import AnnuaireActivity, AnnuairePractitioner, AnnuaireStructure, AnnuaireTariff
from app.models.base import utcnow
from app.rules import tariffs, territory
from app.rules.annuaire import ACTS_BY_KIND, PROFESSIONS, kind_of, practitioner_words, structure_words
from app.services.annuaire import refresh_statistics
from app.services.demo import (
    _STREET_NAMES,
    _STREET_TYPES,
    FIRST_NAMES_F,
    FIRST_NAMES_M,
    LAST_NAMES,
    _commune,
    _Pool,
    _pool,
    _Territory,
    _territory,
    rpps_number,
)

DURAND_RPPS: Final = "10101010105"
DURAND_NATIONAL_ID: Final = "8" + DURAND_RPPS
RPPS_PREFIX: Final = "19"
ADELI_PREFIX: Final = "99"
STRUCTURE_PREFIX: Final = "demo-"
SIREN_PREFIX: Final = "99"
MAX_COUNT: Final = 999_999  # the rank fits the 6 digits of an ADELI number
_BATCH: Final = 5000
_CENT: Final = Decimal("0.01")
# One hospital town per this many inhabitants of a département (at least one), the biggest first.
_INHABITANTS_PER_HOSPITAL_TOWN: Final = 300_000
# Kinds with no consultation hours of their own at the hospital.
_NO_HOURS_AT_HOSPITAL: Final = frozenset({"60", "70", "21", "92"})

# The first practitioners, pinned so that even a small load has some in Nantes and Paris.
_ANCHORS: Final = (
    ("44109", "generaliste"),
    ("75111", "generaliste"),
    ("44109", "specialiste"),
    ("75115", "specialiste"),
    ("44109", "70"),
    ("75118", "generaliste"),
    ("44109", "40"),
    ("75111", "60"),
    ("44109", "60"),
    ("75120", "specialiste"),
)

# Kind (the directory's filter key) and share in % of the practitioners: close to the numbers
# practising in France, the hospital nurses under-represented as a directory of care in town does.
_KIND_SHARES: Final = (
    ("generaliste", 25.0),
    ("specialiste", 25.0),
    ("60", 17.0),
    ("70", 12.0),
    ("40", 7.0),
    ("21", 5.0),
    ("50", 3.0),
    ("91", 2.0),
    ("93", 1.5),
    ("80", 1.0),
    ("28", 0.8),
    ("92", 0.4),
    ("26", 0.3),
)


@dataclass(frozen=True)
class _Specialty:
    """A doctor's specialty: ordinal code and label of the extract, share among specialists, and
    where they practise (share at the hospital, share in private clinics; the rest in town)."""

    code: str
    label: str
    weight: float
    hospital: float
    clinic: float
    surgical: bool = False


_SPECIALTIES: Final = (
    _Specialty("SM42", "Psychiatrie", 14, 0.5, 0.05),
    _Specialty("SM02", "Anesthésie-réanimation", 11, 0.6, 0.4, surgical=True),
    _Specialty("SM44", "Radio-diagnostic", 9, 0.35, 0.05),
    _Specialty("SM40", "Pédiatrie", 8, 0.45, 0.0),
    _Specialty("SM04", "Cardiologie et maladies vasculaires", 7, 0.4, 0.1),
    _Specialty("SM38", "Ophtalmologie", 6, 0.15, 0.1, surgical=True),
    _Specialty("SM20", "Gynécologie-obstétrique", 5, 0.55, 0.15, surgical=True),
    _Specialty("SM15", "Dermatologie et vénéréologie", 4, 0.1, 0.0),
    _Specialty("SM24", "Gastro-entérologie et hépatologie", 4, 0.4, 0.2),
    _Specialty("SM08", "Chirurgie orthopédique et traumatologie", 4, 0.4, 0.5, surgical=True),
    _Specialty("SM59", "Médecine d'urgence", 4, 1.0, 0.0),
    _Specialty("SM41", "Pneumologie", 3, 0.5, 0.05),
    _Specialty("SM34", "ORL et chirurgie cervico-faciale", 3, 0.3, 0.15, surgical=True),
    _Specialty("SM32", "Neurologie", 3, 0.6, 0.0),
    _Specialty("SM18", "Gériatrie", 3, 0.95, 0.0),
    _Specialty("SM48", "Rhumatologie", 2.5, 0.3, 0.0),
    _Specialty("SM14", "Chirurgie viscérale et digestive", 2, 0.5, 0.45, surgical=True),
    _Specialty("SM27", "Médecine interne", 2, 0.85, 0.0),
    _Specialty("SM30", "Néphrologie", 2, 0.75, 0.1),
    _Specialty("SM16", "Endocrinologie et métabolisme", 2, 0.5, 0.0),
    _Specialty("SM12", "Chirurgie urologique", 1.5, 0.45, 0.5, surgical=True),
    _Specialty("SM36", "Oncologie, option médicale", 1.5, 0.85, 0.1),
    _Specialty("SM29", "Médecine physique et réadaptation", 1.5, 0.8, 0.0),
    _Specialty("SM19", "Gynécologie médicale", 1, 0.2, 0.0),
)
# Specialists who bill the CNPSY rather than the CS (psychiatrists, neurologists).
_CNPSY_SPECIALTIES: Final = frozenset({"SM42", "SM32"})
# Généralistes by ordinal code, with the labels of the extract file.
_GENERALISTES: Final = (
    ("SM54", "Médecine Générale", 60),
    ("SM53", "Spécialiste en Médecine Générale", 28),
    ("SM26", "Qualifié en Médecine Générale", 12),
)
_ORTHODONTIE: Final = ("SCD01", "Orthopédie dento-faciale")


@dataclass(frozen=True)
class _Profile:
    """How a kind of practitioner practises: share of women, primary site types (weights), chance
    of a second site, share registered with an ADELI number, and the group cabinets they share."""

    women: float
    sites: tuple[tuple[str, float], ...]
    second_site: float
    adeli: float = 0.0
    family: str = ""


_PROFILES: Final = {
    "generaliste": _Profile(
        0.52,
        (("individuel", 34), ("groupe", 30), ("msp", 18), ("centre", 8), ("hopital", 10)),
        0.07,
        family="medical",
    ),
    "specialiste": _Profile(0.48, (), 0.16, family="medical"),
    "60": _Profile(
        0.87,
        (("hopital", 35), ("groupe", 40), ("individuel", 12), ("msp", 8), ("centre", 5)),
        0.05,
        family="infirmier",
    ),
    "70": _Profile(
        0.5,
        (("groupe", 50), ("individuel", 30), ("msp", 8), ("hopital", 9), ("centre", 3)),
        0.06,
        family="kine",
    ),
    "40": _Profile(
        0.5, (("individuel", 45), ("groupe", 38), ("centre", 15), ("hopital", 2)), 0.04, family="dentaire"
    ),
    "21": _Profile(0.68, (("pharmacie", 85), ("hopital", 15)), 0.02),
    "50": _Profile(
        0.97,
        (("hopital", 55), ("individuel", 25), ("groupe", 10), ("msp", 10)),
        0.06,
        family="sage-femme",
    ),
    "91": _Profile(
        0.97,
        (("individuel", 50), ("groupe", 30), ("msp", 15), ("hopital", 5)),
        0.04,
        family="orthophonie",
    ),
    "93": _Profile(
        0.88,
        (("individuel", 60), ("groupe", 15), ("msp", 5), ("hopital", 20)),
        0.06,
        adeli=0.5,
        family="psychologie",
    ),
    "80": _Profile(0.7, (("individuel", 65), ("groupe", 25), ("msp", 10)), 0.03, family="podologie"),
    "28": _Profile(0.55, (("optique", 100),), 0.02, adeli=0.5),
    "92": _Profile(0.88, (("groupe", 50), ("individuel", 30), ("hopital", 20)), 0.04, family="orthoptie"),
    "26": _Profile(0.4, (("audition", 100),), 0.04, adeli=0.5),
}
# Professions whose "civilité d'exercice" is "Docteur" (the others have none in the extract).
_DOCTEURS: Final = frozenset({"10", "40"})
# Professions bound to the Assurance Maladie by a single convention: secteur 1 in town.
_CONVENTIONNES: Final = frozenset({"60", "70", "40", "50", "91", "92", "80"})

# Site type → secteur d'activité label (extract style) and usual mode of practice.
_SITES: Final = {
    "individuel": ("Cabinet individuel", "Libéral"),
    "groupe": ("Cabinet de groupe", "Libéral"),
    "msp": ("Cabinet de groupe", "Libéral"),
    "centre": ("Centre de santé", "Salarié"),
    "hopital": ("Etablissement public de santé", "Salarié"),
    "clinique": ("Etablissement privé non PSPH", "Libéral"),
    "pharmacie": ("Pharmacie d'officine", "Libéral"),
    "optique": ("Appareillage médical", "Libéral"),
    "audition": ("Appareillage médical", "Libéral"),
}
# Sites of which a commune has one at most.
_SINGLE: Final = frozenset({"hopital", "clinique"})
# Sites shared by several practitioners: chance to join an open one in the commune, and size.
_SHARED: Final = {
    "groupe": (0.7, 2, 6),
    "msp": (0.85, 6, 16),
    "centre": (0.8, 4, 12),
    "pharmacie": (0.5, 1, 3),
    "optique": (0.3, 1, 3),
    "audition": (0.3, 1, 2),
}
# Shops where whoever joins the owner is an employee (pharmacien adjoint, opticien salarié).
_SHOPS: Final = frozenset({"pharmacie", "optique", "audition"})

_GROUP_NAMES: Final = {
    "medical": "Cabinet médical",
    "infirmier": "Cabinet infirmier",
    "kine": "Cabinet de kinésithérapie",
    "dentaire": "Cabinet dentaire",
    "sage-femme": "Cabinet de sages-femmes",
    "orthophonie": "Cabinet d'orthophonie",
    "orthoptie": "Cabinet d'orthoptie",
    "podologie": "Cabinet de pédicurie-podologie",
    "psychologie": "Cabinet de psychologie",
}
_NAME_SUFFIXES: Final = (
    "des Tilleuls",
    "du Parc",
    "de la Gare",
    "du Centre",
    "Pasteur",
    "des Acacias",
    "du Marché",
    "de la Fontaine",
    "des Lilas",
    "du Château",
    "Saint-Michel",
    "de l'Europe",
    "des Platanes",
    "du Moulin",
    "Jean Jaurès",
    "Victor Hugo",
    "de la Poste",
    "des Sources",
    "du Val",
    "des Cèdres",
    "de la Mairie",
    "du Port",
    "des Halles",
    "du Lac",
    "des Coteaux",
    "de la Vallée",
    "Saint-Jean",
    "des Capucins",
)
_PHARMACY_NAMES: Final = (
    "du Marché",
    "de la Gare",
    "Centrale",
    "des Halles",
    "du Centre",
    "de la Mairie",
    "de l'Église",
    "du Port",
    "des Écoles",
    "de la Place",
    "du Parc",
    "Saint-Michel",
    "de la Poste",
    "du Pont",
    "des Arcades",
    "du Rond-Point",
)
_CLINIC_NAMES: Final = (
    "du Parc",
    "des Cèdres",
    "du Val",
    "de l'Europe",
    "Saint-Jean",
    "Sainte-Marie",
    "du Pont",
    "des Tilleuls",
    "de la Source",
    "du Château",
    "Pasteur",
    "Saint-Roch",
    "Saint-Joseph",
    "des Franciscaines",
)
_COMPLEMENTS: Final = (
    "1er étage",
    "Rez-de-chaussée",
    "Bâtiment B",
    "Résidence du Parc",
    "Espace santé",
    "Pôle médical",
    "2e étage",
    "Porte 3",
)

# Cities with a centre hospitalier universitaire (Paris, Lyon and Marseille by their parent
# commune, whose municipal arrondissements carry the addresses). Ajaccio and Mamoudzou have none.
_CHU_CITIES: Final = frozenset(
    {
        "80021",  # Amiens
        "49007",  # Angers
        "25056",  # Besançon
        "33063",  # Bordeaux
        "29019",  # Brest
        "14118",  # Caen
        "63113",  # Clermont-Ferrand
        "21231",  # Dijon
        "38185",  # Grenoble
        "59350",  # Lille
        "87085",  # Limoges
        "69123",  # Lyon
        "13055",  # Marseille
        "34172",  # Montpellier
        "54395",  # Nancy
        "44109",  # Nantes
        "06088",  # Nice
        "30189",  # Nîmes
        "45234",  # Orléans
        "75056",  # Paris
        "86194",  # Poitiers
        "51454",  # Reims
        "35238",  # Rennes
        "76540",  # Rouen
        "42218",  # Saint-Étienne
        "67482",  # Strasbourg
        "31555",  # Toulouse
        "37261",  # Tours
        "97120",  # Pointe-à-Pitre
        "97209",  # Fort-de-France
        "97302",  # Cayenne
        "97411",  # Saint-Denis (La Réunion)
        "97416",  # Saint-Pierre (La Réunion)
    }
)
_PARENT_CITIES: Final = {"Paris": "75056", "Lyon": "69123", "Marseille": "13055"}
_ARRONDISSEMENT: Final = re.compile(r"^(?P<city>Paris|Lyon|Marseille) (?P<nth>\d+(?:er|e)) Arrondissement$")

# Telephone area of each département: 01 Île-de-France, 02 north-west, 03 north-east, 04 south-east,
# 05 south-west; overseas, the département's own prefix.
_AREA_DEPARTEMENTS: Final = (
    ("01", "75 77 78 91 92 93 94 95"),
    ("02", "14 18 22 27 28 29 35 36 37 41 44 45 49 50 53 56 61 72 76 85"),
    ("03", "02 08 10 21 25 39 51 52 54 55 57 58 59 60 62 67 68 70 71 80 88 89 90"),
    ("04", "01 03 04 05 06 07 11 13 15 2A 2B 26 30 34 38 42 43 48 63 66 69 73 74 83 84"),
    ("05", "09 12 16 17 19 23 24 31 32 33 40 46 47 64 65 79 81 82 86 87"),
)
_PHONE_AREAS: Final = {
    **{dep: area for area, deps in _AREA_DEPARTEMENTS for dep in deps.split()},
    "971": "0590",
    "972": "0596",
    "973": "0594",
    "974": "0262",
    "976": "0269",
}

_HOURS: Final = {
    "cabinet": (
        "Lundi au vendredi : 8 h 30 – 12 h, 14 h – 19 h ; samedi : 9 h – 12 h",
        "Lundi au vendredi : 9 h – 12 h 30, 14 h – 18 h 30",
        "Lundi, mardi, jeudi, vendredi : 8 h – 12 h, 14 h – 19 h ; mercredi : 8 h – 12 h",
        "Lundi au vendredi : 8 h – 20 h ; samedi : 8 h – 12 h",
        "Sur rendez-vous, du lundi au samedi : 9 h – 19 h",
        "Lundi au jeudi : 8 h 30 – 18 h 30 ; vendredi : 8 h 30 – 17 h",
    ),
    "infirmier": (
        "Permanence au cabinet du lundi au samedi : 7 h – 8 h 30 ; soins à domicile 7 jours sur 7",
        "Soins au cabinet sur rendez-vous : 7 h 30 – 9 h, 17 h – 18 h ; soins à domicile tous les jours",
    ),
    "pharmacie": (
        "Lundi au samedi : 8 h 30 – 19 h 30",
        "Lundi : 14 h – 19 h 30 ; mardi au samedi : 9 h – 12 h 30, 14 h – 19 h 30",
        "Lundi au vendredi : 8 h 30 – 20 h ; samedi : 9 h – 19 h",
    ),
    "hopital": (
        "Consultations sur rendez-vous, du lundi au vendredi : 8 h 30 – 17 h",
        "Consultations du lundi au vendredi : 9 h – 16 h 30",
    ),
    "commerce": (
        "Mardi au samedi : 9 h 30 – 12 h 30, 14 h – 19 h",
        "Lundi : 14 h – 19 h ; mardi au samedi : 9 h 30 – 19 h",
    ),
}
_HOURS_OF_SITE: Final = {
    "pharmacie": "pharmacie",
    "hopital": "hopital",
    "clinique": "hopital",
    "optique": "commerce",
    "audition": "commerce",
}

# Secteur of the doctors practising in town, by kind of practice (weights).
_SECTEURS_GENERALISTE: Final = (("1", 93), ("2_optam", 2), ("2", 4), ("3", 1))
_SECTEURS_MEDICAL: Final = (("1", 58), ("2_optam", 20), ("2", 20), ("3", 2))
_SECTEURS_SURGICAL: Final = (("1", 20), ("2_optam", 35), ("2", 42), ("3", 3))
# Dépassement above the official tariff, in euros, by secteur: OPTAM commits to moderate ones.
_DEPASSEMENTS: Final = {"2_optam": (5, 20), "2": (10, 40), "3": (30, 70)}

# More family names, so the directory looks like the professions' own mix of origins.
_MORE_LAST_NAMES: Final = (
    "Benhamou",
    "Cohen",
    "Lévy",
    "Bensaïd",
    "Boukhari",
    "Cherif",
    "Amrani",
    "Belkacem",
    "Mansouri",
    "Khelifi",
    "Ait Ali",
    "Khoury",
    "Nasr",
    "Saliba",
    "Tran",
    "Pham",
    "Hoang",
    "Vo",
    "Diallo",
    "Traoré",
    "Diop",
    "Ndiaye",
    "Koné",
    "Mensah",
    "Popescu",
    "Ionescu",
    "Dumitru",
    "Kowalski",
    "Nowak",
    "Rossi",
    "Russo",
    "Esposito",
    "Bianchi",
    "Costa",
    "Pereira",
    "Oliveira",
    "Dos Santos",
    "Rodrigues",
    "Gonzalez",
    "Hernandez",
    "Moreno",
    "Yilmaz",
    "Kaya",
    "Wang",
    "Chen",
    "Zhang",
    "Le Bihan",
    "Le Floch",
    "Kerbrat",
    "Quéméner",
    "Etcheverry",
    "Iriarte",
    "Casanova",
    "Ortoli",
    "Mondésir",
    "Jean-Baptiste",
    "Bellance",
    "Sainte-Rose",
)
_MORE_FIRST_NAMES_F: Final = (
    "Amira",
    "Salma",
    "Meriem",
    "Linh",
    "Mei",
    "Ioana",
    "Aminata",
    "Rania",
    "Hanane",
    "Soraya",
)
_MORE_FIRST_NAMES_M: Final = (
    "Hicham",
    "Rachid",
    "Tarek",
    "Farid",
    "Minh",
    "Ousmane",
    "Mamadou",
    "Andrei",
    "Samuel",
    "Élie",
    "Yacine",
    "Walid",
    "Mourad",
)
# First names of the demo lists given to children today or to people past working age.
_NOT_OF_WORKING_AGE: Final = frozenset(
    {
        "Mia",
        "Romy",
        "Lou",
        "Louna",
        "Ambre",
        "Romane",
        "Jade",
        "Lina",
        "Léna",
        "Zoé",
        "Agathe",
        "Victoire",
        "Capucine",
        "Apolline",
        "Iris",
        "Nina",
        "Maëlys",
        "Nour",
        "Rose",
        "Anna",
        "Ginette",
        "Paulette",
        "Huguette",
        "Lucienne",
        "Raymonde",
        "Marcelle",
        "Yvonne",
        "Andrée",
        "Denise",
        "Simone",
        "Madeleine",
        "Suzanne",
        "Jacqueline",
        "Colette",
        "Yvette",
        "Gisèle",
        "Thérèse",
        "Noah",
        "Timéo",
        "Noé",
        "Aaron",
        "Eliott",
        "Nolan",
        "Gaspard",
        "Léon",
        "Augustin",
        "Sacha",
        "Maël",
        "Ethan",
        "Malo",
        "Côme",
        "Marius",
        "Émile",
        "Rayan",
        "Yanis",
        "Mathis",
        "Timothée",
        "Marcel",
        "René",
        "Roger",
        "Maurice",
        "Fernand",
        "Lucien",
        "Raymond",
        "Georges",
    }
)


def _working_age(names: tuple[str, ...], more: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(name for name in names + more if name not in _NOT_OF_WORKING_AGE))


PRACTITIONER_LAST_NAMES: Final = tuple(dict.fromkeys(LAST_NAMES + _MORE_LAST_NAMES))
PRACTITIONER_FIRST_NAMES_F: Final = _working_age(FIRST_NAMES_F, _MORE_FIRST_NAMES_F)
PRACTITIONER_FIRST_NAMES_M: Final = _working_age(FIRST_NAMES_M, _MORE_FIRST_NAMES_M)


@dataclass(frozen=True)
class _Weighted:
    """Values and their cumulative weights, for weighted draws."""

    values: tuple[Any, ...]
    cumulative: tuple[float, ...]

    def draw(self, rng: random.Random) -> Any:
        return self.values[bisect.bisect_right(self.cumulative, rng.random() * self.cumulative[-1])]


def _weighted(pairs: tuple[tuple[Any, float], ...]) -> _Weighted:
    return _Weighted(tuple(v for v, _ in pairs), tuple(itertools.accumulate(w for _, w in pairs)))


_KINDS: Final = _weighted(_KIND_SHARES)
_SPECIALTY_DRAW: Final = _weighted(tuple((s, s.weight) for s in _SPECIALTIES))
_GENERALISTE_DRAW: Final = _weighted(tuple(((code, label), w) for code, label, w in _GENERALISTES))
_STREET_DRAW: Final = _weighted(_STREET_TYPES)
_SITE_DRAWS: Final = {kind: _weighted(p.sites) for kind, p in _PROFILES.items() if p.sites}
_SECTEUR_DRAWS: Final = {
    "generaliste": _weighted(_SECTEURS_GENERALISTE),
    "medical": _weighted(_SECTEURS_MEDICAL),
    "surgical": _weighted(_SECTEURS_SURGICAL),
}


@dataclass
class _Plan:
    """Rows to insert; activities and tariffs name their practitioner and structure by key."""

    structures: list[dict[str, Any]] = field(default_factory=list)
    practitioners: list[dict[str, Any]] = field(default_factory=list)
    activities: list[tuple[str, str, str]] = field(default_factory=list)
    tariffs: list[tuple[str, str, Decimal]] = field(default_factory=list)


def load_annuaire_demo(count: int = 20000, seed: int = 2026) -> int:
    """Create (or complete) the demo directory: Dr Durand and ``count`` generated practitioners with
    their structures, activities and tariffs. Idempotent; commits. Returns how many demo
    practitioners exist afterwards (Dr Durand included, and more than ``count`` + 1 when an earlier
    run asked for more). Raises ``ValueError`` for a count outside 0…``MAX_COUNT``."""
    if not 0 <= count <= MAX_COUNT:
        raise ValueError(f"count must be between 0 and {MAX_COUNT}, got {count}")
    existing = _existing_practitioners()
    ranks = {_rank(national_id) for national_id in existing}
    if DURAND_NATIONAL_ID in existing and ranks.issuperset(range(count)):
        return len(existing)
    plan = _Directory(random.Random(seed), date.today()).plan(count)
    _insert(plan, set(existing))
    db.session.commit()
    refresh_statistics()
    return len(_existing_practitioners())


def demo_national_id(rank: int, adeli: bool = False) -> str:
    """The national identifier of the ``rank``-th generated practitioner: ``8`` + RPPS, or ``0`` +
    ADELI number."""
    if adeli:
        body = f"{ADELI_PREFIX}{rank:06d}"
        return "0" + body + luhn.calc_check_digit(body)
    return "8" + rpps_number(f"{RPPS_PREFIX}{rank:08d}")


def _rank(national_id: str) -> int:
    """The rank back from a demo national identifier (-1 for Dr Durand)."""
    if national_id == DURAND_NATIONAL_ID:
        return -1
    return int(national_id[3:9] if national_id.startswith("0") else national_id[3:11])


def _demo_practitioner() -> sa.ColumnElement[bool]:
    national_id = AnnuairePractitioner.national_id
    return sa.or_(
        national_id.like(f"8{RPPS_PREFIX}%"),
        national_id.like(f"0{ADELI_PREFIX}%"),
        national_id == DURAND_NATIONAL_ID,
    )


def _existing_practitioners() -> dict[str, int]:
    """National identifier → id of the demo practitioners in the database."""
    rows = db.session.execute(
        sa.select(AnnuairePractitioner.national_id, AnnuairePractitioner.id).where(_demo_practitioner())
    )
    return dict(rows.all())


def _existing_structures() -> dict[str, int]:
    rows = db.session.execute(
        sa.select(AnnuaireStructure.structure_key, AnnuaireStructure.id).where(
            AnnuaireStructure.structure_key.like(f"{STRUCTURE_PREFIX}%")
        )
    )
    return dict(rows.all())


def _insert(plan: _Plan, existing: set[str]) -> None:
    """Insert what the database lacks: structures by key, practitioners by national identifier,
    and the activities and tariffs of the practitioners inserted now."""
    known = _existing_structures()
    _bulk(AnnuaireStructure, [row for row in plan.structures if row["structure_key"] not in known])
    new = [row for row in plan.practitioners if row["national_id"] not in existing]
    _bulk(AnnuairePractitioner, new)
    if not new:
        return
    structure_ids = _existing_structures()
    practitioner_ids = _existing_practitioners()
    added = {row["national_id"] for row in new}
    _bulk(
        AnnuaireActivity,
        [
            {"practitioner_id": practitioner_ids[nid], "structure_id": structure_ids[key], "mode": mode}
            for nid, key, mode in plan.activities
            if nid in added
        ],
    )
    _bulk(
        AnnuaireTariff,
        [
            {"practitioner_id": practitioner_ids[nid], "act_code": code, "amount": amount}
            for nid, code, amount in plan.tariffs
            if nid in added
        ],
    )


def _bulk(model: Any, rows: list[dict[str, Any]]) -> None:
    table: sa.Table = model.__table__
    for start in range(0, len(rows), _BATCH):
        db.session.execute(table.insert(), rows[start : start + _BATCH])


def _official_fees(on: date) -> dict[str, Decimal]:
    """The secteur-1 tariff on ``on`` of every act the directory shows; acts whose tariff is not
    known on that day are left out."""
    fees: dict[str, Decimal] = {}
    for code in sorted({code for acts in ACTS_BY_KIND.values() for code in acts}):
        try:
            tariff = tariffs.act(code, on).tariff
        except tariffs.RulesError:
            continue
        if tariff is not None:
            fees[code] = tariff
    return fees


def _departements_in_order(places: _Territory) -> Iterator[str]:
    """Départements in the order practitioners are given to them, after the anchors: each once,
    then by the Sainte-Laguë method on population (the anchors count as seats already given)."""
    population = {dep: pool.cumulative[-1] for dep, pool in places.by_departement.items()}
    seats: dict[str, int] = defaultdict(int)
    for insee, _kind in _ANCHORS:
        seats[_commune(insee).departement] += 1
    for dep in sorted(population):
        if not seats[dep]:
            seats[dep] = 1
            yield dep
    heap = [(-population[dep] / (2 * seats[dep] + 1), dep) for dep in sorted(population)]
    heapq.heapify(heap)
    while True:
        _, dep = heapq.heappop(heap)
        yield dep
        seats[dep] += 1
        heapq.heappush(heap, (-population[dep] / (2 * seats[dep] + 1), dep))


def _towns(pool: _Pool) -> _Pool:
    """The communes of a département with a hospital or a clinic: its biggest ones, one per
    ``_INHABITANTS_PER_HOSPITAL_TOWN``, and the CHU cities, kept in INSEE order."""
    wanted = max(1, round(pool.cumulative[-1] / _INHABITANTS_PER_HOSPITAL_TOWN))
    biggest = sorted(pool.communes, key=lambda c: (-c.population, c.insee))[:wanted]
    chosen = {c.insee for c in biggest} | {c.insee for c in pool.communes if _city_insee(c) in _CHU_CITIES}
    return _pool([c for c in pool.communes if c.insee in chosen])


def _city_insee(commune: territory.Commune) -> str:
    """The commune's INSEE code, or its city's for a municipal arrondissement of Paris, Lyon or
    Marseille."""
    found = _ARRONDISSEMENT.match(commune.name)
    return _PARENT_CITIES[found["city"]] if found else commune.insee


def _place_label(commune: territory.Commune) -> str:
    """How a name says the place: "Nantes", or "Paris 11e" for a municipal arrondissement."""
    found = _ARRONDISSEMENT.match(commune.name)
    return f"{found['city']} {found['nth']}" if found else commune.name


def _of(name: str) -> str:
    """French "de" before a place name: "de Nantes", "d'Angers", "du Mans", "des Sables-d'Olonne"."""
    if name.startswith("Le "):
        return "du " + name[3:]
    if name.startswith("Les "):
        return "des " + name[4:]
    if name[:1] in "AEIOUYÂÉÈÊÎÔ":
        return "d'" + name
    return "de " + name


def _with_check_digit(body: str) -> str:
    return body + luhn.calc_check_digit(body)


class _Directory:
    """Draws the demo directory. Every draw goes through ``rng`` in a fixed order."""

    def __init__(self, rng: random.Random, on: date) -> None:
        self.rng = rng
        self.places = _territory()
        self.towns = {dep: _towns(pool) for dep, pool in self.places.by_departement.items()}
        self.fees = _official_fees(on)
        self.now = utcnow()
        self.out = _Plan()
        # (site, family, insee) → [key, room left] of the shared structures still taking people.
        self.open: dict[tuple[str, str, str], list[list[Any]]] = defaultdict(list)
        # (site, insee) → key of the one hospital or clinic of a commune.
        self.single: dict[tuple[str, str], str] = {}
        self.named: set[tuple[str, str]] = set()

    def plan(self, count: int) -> _Plan:
        self._durand()
        order = itertools.chain(
            ((_commune(insee), kind) for insee, kind in _ANCHORS),
            ((dep, None) for dep in _departements_in_order(self.places)),
        )
        for rank, (where, kind) in enumerate(itertools.islice(order, count)):
            self._practitioner(rank, where, kind)
        return self.out

    def _durand(self) -> None:
        """Dr Sophie Durand as ``demo_care`` has her: généraliste, secteur 1, 3 place du Commerce,
        44000 Nantes; her group cabinet takes the first Nantes doctors drawn."""
        nantes = _commune("44109")
        key = f"{STRUCTURE_PREFIX}{0:06d}"
        self.out.structures.append(
            self._structure_row(
                key,
                nantes,
                "groupe",
                name="Cabinet médical du Commerce",
                postal_code="44000",
                address_line="3 place du Commerce",
                complement="",
                phone="0240000105",
                number=0,
            )
        )
        self.open[("groupe", "medical", nantes.insee)].append([key, 3])
        code, label = "SM54", "Médecine Générale"
        self.out.practitioners.append(
            self._practitioner_row(
                DURAND_NATIONAL_ID,
                "Docteur",
                "Sophie",
                "DURAND",
                "10",
                code,
                label,
                secteur="1",
                carte_vitale=True,
                hours=_HOURS["cabinet"][0],
            )
        )
        self.out.activities.append((DURAND_NATIONAL_ID, key, "Libéral"))
        self._tariffs(DURAND_NATIONAL_ID, kind_of("10", code), code, "1", 0.0)

    def _practitioner(self, rank: int, where: territory.Commune | str, kind: str | None) -> None:
        rng = self.rng
        kind = kind or _KINDS.draw(rng)
        profile = _PROFILES[kind]
        specialty: _Specialty | None = None
        if kind == "generaliste":
            profession, (code, label) = "10", _GENERALISTE_DRAW.draw(rng)
        elif kind == "specialiste":
            specialty = _SPECIALTY_DRAW.draw(rng)
            profession, code, label = "10", specialty.code, specialty.label
        else:
            profession, code, label = kind, "", ""
            if kind == "40" and rng.random() < 0.06:
                code, label = _ORTHODONTIE
        national_id = demo_national_id(rank, adeli=rng.random() < profile.adeli)
        woman = rng.random() < profile.women
        first_name = rng.choice(PRACTITIONER_FIRST_NAMES_F if woman else PRACTITIONER_FIRST_NAMES_M)
        last_name = self._last_name().upper()
        civilite = "Docteur" if profession in _DOCTEURS else ""

        dep = where.departement if isinstance(where, territory.Commune) else where
        site = self._site_type(kind, specialty)
        commune = where if isinstance(where, territory.Commune) else self._draw_commune(dep, site)
        key, mode = self._structure(site, profile.family, commune)
        self.out.activities.append((national_id, key, mode))
        if rng.random() < profile.second_site:
            second = self._second_site_type(kind, profile, specialty, site)
            other, other_mode = self._structure(second, profile.family, self._draw_commune(dep, second))
            if other != key:
                self.out.activities.append((national_id, other, other_mode))

        salaried = mode == "Salarié"
        secteur = self._secteur(kind, specialty, site, salaried)
        level = rng.random()
        self.out.practitioners.append(
            self._practitioner_row(
                national_id,
                civilite,
                first_name,
                last_name,
                profession,
                code,
                label,
                secteur=secteur,
                carte_vitale=self._carte_vitale(kind, secteur, site, salaried),
                hours=self._hours(kind, site),
            )
        )
        self._tariffs(national_id, kind_of(profession, code), code, secteur, level)

    def _practitioner_row(
        self,
        national_id: str,
        civilite: str,
        first_name: str,
        last_name: str,
        profession_code: str,
        specialty_code: str,
        specialty: str,
        *,
        secteur: str,
        carte_vitale: bool | None,
        hours: str,
    ) -> dict[str, Any]:
        kind = kind_of(profession_code, specialty_code)
        profession = PROFESSIONS[profession_code]
        return {
            "national_id": national_id,
            "id_type": national_id[0],
            "identifier": national_id[1:],
            "civilite": civilite,
            "last_name": last_name,
            "first_name": first_name,
            "profession_code": profession_code,
            "profession": profession,
            "specialty_code": specialty_code,
            "specialty": specialty,
            "kind": kind,
            "secteur": secteur,
            "carte_vitale": carte_vitale,
            "opening_hours": hours,
            "search_words": practitioner_words(last_name, first_name, profession, specialty, kind),
            "updated_at": self.now,
        }

    def _tariffs(self, national_id: str, kind: str, specialty_code: str, secteur: str, level: float) -> None:
        """The usual fee of each act of the kind: the official tariff in secteur 1, plus a
        dépassement at ``level`` (0…1) of the secteur's range, rounded up to 5 €, otherwise."""
        acts = ACTS_BY_KIND.get(kind, ())
        if kind == "specialiste":
            left_out = "CS" if specialty_code in _CNPSY_SPECIALTIES else "CNPSY"
            acts = tuple(code for code in acts if code != left_out)
        low, high = _DEPASSEMENTS.get(secteur, (0, 0))
        for code in acts:
            official = self.fees.get(code)
            if official is None:
                continue
            amount = official
            if high:
                raw = official + Decimal(low + round(level * (high - low)))
                amount = ((raw / 5).to_integral_value(rounding=ROUND_CEILING) * 5).quantize(_CENT)
            self.out.tariffs.append((national_id, code, amount))

    def _site_type(self, kind: str, specialty: _Specialty | None) -> str:
        if specialty is None:
            return _SITE_DRAWS[kind].draw(self.rng)
        point = self.rng.random()
        if point < specialty.hospital:
            return "hopital"
        if point < specialty.hospital + specialty.clinic:
            return "clinique"
        return self.rng.choices(("individuel", "groupe", "centre"), weights=(40, 50, 10))[0]

    def _second_site_type(
        self, kind: str, profile: _Profile, specialty: _Specialty | None, first: str
    ) -> str:
        """Where a practitioner with two sites practises too: salaried ones also in town, town
        specialists also at the hospital, shops in another shop."""
        rng = self.rng
        if first in _SHOPS:
            return first
        if not profile.family:
            return next(site for site, _ in profile.sites if site in _SHOPS)
        if first in ("hopital", "centre"):
            if specialty is not None and specialty.clinic and rng.random() < 0.5:
                return "clinique"
            return "groupe" if rng.random() < 0.7 else "individuel"
        if kind == "specialiste":
            if rng.random() < 0.6:
                return "hopital"
            return "clinique" if specialty is not None and specialty.clinic else "groupe"
        if kind == "generaliste":
            return rng.choice(("centre", "msp", "hopital"))
        return rng.choice(("msp", "groupe"))

    def _draw_commune(self, dep: str, site: str) -> territory.Commune:
        pools = self.towns if site in _SINGLE else self.places.by_departement
        return pools[dep].draw(self.rng)

    def _structure(self, site: str, family: str, commune: territory.Commune) -> tuple[str, str]:
        """The structure of ``site`` type the practitioner joins or opens in ``commune``, and the
        mode of practice there."""
        rng = self.rng
        sector_mode = _SITES[site][1]
        if site in _SINGLE:
            key = self.single.get((site, commune.insee))
            if key is None:
                key = self._new_structure(site, family, commune)
                self.single[(site, commune.insee)] = key
            return key, sector_mode
        if site not in _SHARED:
            return self._new_structure(site, family, commune), sector_mode
        join, smallest, largest = _SHARED[site]
        slot = (site, family if site == "groupe" else "", commune.insee)
        taking = self.open[slot]
        if taking and rng.random() < join:
            entry = taking[-1]
            entry[1] -= 1
            if entry[1] <= 0:
                taking.pop()
            return entry[0], "Salarié" if site in _SHOPS else sector_mode
        key = self._new_structure(site, family, commune)
        room = rng.randint(smallest, largest) - 1
        if room > 0:
            taking.append([key, room])
        return key, sector_mode

    def _new_structure(self, site: str, family: str, commune: territory.Commune) -> str:
        rng = self.rng
        number = len(self.out.structures)
        key = f"{STRUCTURE_PREFIX}{number:06d}"
        name = self._structure_name(site, family, commune)
        kind = rng.choice(("avenue", "boulevard", "rue")) if site in _SINGLE else _STREET_DRAW.draw(rng)
        suffix = " bis" if rng.random() < 0.04 else ""
        address = f"{rng.randint(1, 120)}{suffix} {kind} {rng.choice(_STREET_NAMES)}"
        complement = rng.choice(_COMPLEMENTS) if rng.random() < 0.15 else ""
        self.out.structures.append(
            self._structure_row(
                key,
                commune,
                site,
                name=name,
                postal_code=rng.choice(commune.postal_codes),
                address_line=address,
                complement=complement,
                phone=self._phone(commune.departement),
                number=number,
            )
        )
        return key

    def _structure_row(
        self,
        key: str,
        commune: territory.Commune,
        site: str,
        *,
        name: str,
        postal_code: str,
        address_line: str,
        complement: str,
        phone: str,
        number: int,
    ) -> dict[str, Any]:
        sector = _SITES[site][0]
        dep = commune.departement
        finess = ""
        if site in ("hopital", "clinique", "centre", "pharmacie"):
            area = "20" if dep in ("2A", "2B") else dep[:2]
            finess = _with_check_digit(f"{area}9{number % 100_000:05d}")
        siren = _with_check_digit(f"{SIREN_PREFIX}{number:06d}")
        return {
            "structure_key": key,
            "finess": finess,
            "siret": _with_check_digit(siren + "0001"),
            "name": name,
            "activity_sector": sector,
            "address_line": address_line,
            "address_complement": complement,
            "postal_code": postal_code,
            "commune_insee": commune.insee,
            "commune_name": commune.name,
            "departement": dep,
            "phone": phone,
            "search_words": structure_words(name, sector, commune.name),
            "updated_at": self.now,
        }

    def _structure_name(self, site: str, family: str, commune: territory.Commune) -> str:
        """A believable name; "" for an individual cabinet, as in the extract."""
        rng = self.rng
        place = _place_label(commune)
        if site == "individuel":
            return ""
        if site == "groupe":
            return f"{_GROUP_NAMES[family]} {rng.choice(_NAME_SUFFIXES)}"
        if site == "hopital":
            found = _ARRONDISSEMENT.match(commune.name)
            city = found["city"] if found else commune.name
            if _city_insee(commune) in _CHU_CITIES:
                site_of = f" – site du {found['nth']} arrondissement" if found else ""
                return f"Centre hospitalier universitaire {_of(city)}{site_of}"
            return f"Centre hospitalier {_of(city)}"
        if site == "clinique":
            return f"{rng.choice(('Clinique', 'Clinique', 'Polyclinique'))} {rng.choice(_CLINIC_NAMES)}"
        if site in ("msp", "centre"):
            first = (site, commune.insee) not in self.named
            self.named.add((site, commune.insee))
            if site == "msp":
                if first:
                    return f"Maison de santé pluriprofessionnelle {_of(place)}"
                return f"Maison de santé {rng.choice(_NAME_SUFFIXES)}"
            if first and rng.random() < 0.5:
                return f"Centre municipal de santé {_of(place)}"
            label = rng.choice(("Centre de santé", "Centre médical et dentaire"))
            return f"{label} {rng.choice(_NAME_SUFFIXES)}"
        if site == "pharmacie":
            point = rng.random()
            if point < 0.6:
                return f"Pharmacie {rng.choice(_PHARMACY_NAMES)}"
            if point < 0.95:
                return f"Pharmacie {self._last_name()}"
            return f"Grande Pharmacie {_of(place)}"
        if site == "optique":
            if rng.random() < 0.5:
                return f"Optique {rng.choice(_NAME_SUFFIXES)}"
            return f"{self._last_name()} Optique"
        if rng.random() < 0.5:
            return f"Audition {self._last_name()}"
        return f"Centre auditif {rng.choice(_NAME_SUFFIXES)}"

    def _phone(self, dep: str) -> str:
        area = _PHONE_AREAS[dep]
        digits = 10 - len(area)
        return f"{area}{self.rng.randrange(10 ** (digits - 1), 10**digits)}"

    def _last_name(self) -> str:
        rng = self.rng
        name = rng.choice(PRACTITIONER_LAST_NAMES)
        if rng.random() < 0.02:
            name = f"{name}-{rng.choice(PRACTITIONER_LAST_NAMES)}"
        return name

    def _secteur(self, kind: str, specialty: _Specialty | None, site: str, salaried: bool) -> str:
        """Doctors: secteur 1 when salaried (hospital, centre de santé), otherwise drawn by kind of
        practice; conventionnés professions: secteur 1 in town; the others: unknown."""
        if kind in ("generaliste", "specialiste"):
            if salaried:
                return "1"
            if specialty is None:
                return _SECTEUR_DRAWS["generaliste"].draw(self.rng)
            return _SECTEUR_DRAWS["surgical" if specialty.surgical else "medical"].draw(self.rng)
        if kind in _CONVENTIONNES and site != "hopital":
            return "1"
        return ""

    def _carte_vitale(self, kind: str, secteur: str, site: str, salaried: bool) -> bool | None:
        """Mostly yes; unknown (None) for some; no for most non-conventionnés."""
        point = self.rng.random()
        if kind == "21":
            return True if site == "pharmacie" else None
        if secteur == "3":
            return False if point < 0.7 else None
        if kind == "93":
            return True if point < 0.2 else (False if point < 0.65 else None)
        if salaried:
            return True if point < 0.7 else None
        return True if point < 0.86 else (None if point < 0.98 else False)

    def _hours(self, kind: str, site: str) -> str:
        rng = self.rng
        if rng.random() < 0.08 or (site == "hopital" and kind in _NO_HOURS_AT_HOSPITAL):
            return ""
        group = _HOURS_OF_SITE.get(site, "infirmier" if kind == "60" else "cabinet")
        return rng.choice(_HOURS[group])
