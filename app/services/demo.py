"""Demo world: the caisses, a register of a few thousand fictitious people, and the demo accounts.

Why: the portal is meant to be tried (``make run``, a review, a screenshot) without real health
data. ``load_demo`` fills an empty database with believable people spread over France — overseas
included — so the agents' screens, the caisse routing and the attestations have something to show.

Every person is fictitious: ordinary first and last names drawn at random, street names of the
kind every town has, generated NIRs (valid keys, consistent with sex, birth year and month, and a
real place of birth), RPPS numbers that only pass the Luhn check, and IBANs of made-up banks
(bank codes 99xxx) whose check digits and RIB key are right.

Properties the demo relies on:

- **deterministic**: ``random.Random(seed)`` drives everything, and the n-th generated assuré does
  not depend on how many are asked for, so ``people=300`` is the start of ``people=3000``;
- **idempotent**: people are recognised by NIR; running again inserts only those missing, and the
  named people and accounts are created or brought back to their exact data;
- **fast**: the generated crowd is inserted in bulk; argon2 runs only for the demo accounts (and, on the
  first run, the few accounts the messagerie demo opens for generated assurés).

The named people and accounts (``DEMO_LOGINS``) are those the README and ``make run`` show.
"""

from __future__ import annotations

import bisect
import itertools
import random
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any, Final

import sqlalchemy as sa
from stdnum import iban as stdnum_iban
from stdnum import luhn
from stdnum.fr import nir as stdnum_nir

from app.extensions import db
from app.models import Caisse, Person, User
from app.rules import territory
from app.security import verify_password
from app.services import accounts
from app.services.caisses import sync_caisses

DEMO_PASSWORD: Final = "Macaisse-Demo-2026"
AGENT_PASSWORD: Final = "Macaisse-Agent-2026"
ADMIN_PASSWORD: Final = "Macaisse-Admin-2026"

# login, role, caisse key (None: national), display name, password
STAFF: Final = (
    ("agent44", "agent", "cpam-de-la-loire-atlantique", "Claire Dubois (conseillère)", AGENT_PASSWORD),
    ("agent75", "agent", "cpam-de-paris", "Karim Haddad (conseiller)", AGENT_PASSWORD),
    ("moderateur", "moderator", "cpam-de-la-loire-atlantique", "Inès Moreau (modératrice)", AGENT_PASSWORD),
    ("admin", "admin", None, "Administration nationale", ADMIN_PASSWORD),
)

CAMILLE_NIR: Final = "295067505612349"
LOUIS_NIR: Final = "184127510826403"
# Léo Martin, born 8 March 2019 in Nantes (44109), order 047.
LEO_NIR: Final = "119034410904791"
# Nadia Lefèvre (the account home's alerts, app/services/demo_home.py), her husband and daughter.
NADIA_BIRTH: Final = date(1988, 4, 21)
MARC_BIRTH: Final = date(1986, 2, 9)
INES_BIRTH: Final = date(2016, 9, 30)

DEMO_LOGINS: Final[list[dict[str, str]]] = [
    {
        "role": "assuré",
        "who": "Camille Martin, CPAM de la Loire-Atlantique",
        "login": "2 95 06 75 056 123 49",
        "password": DEMO_PASSWORD,
    },
    {
        "role": "assuré",
        "who": "Louis Bernard, CPAM de Paris",
        "login": "1 84 12 75 108 264 03",
        "password": DEMO_PASSWORD,
    },
    {
        "role": "assuré",
        "who": "Nadia Lefèvre, CPAM de Paris (les alertes de Mon compte)",
        "login": "2 88 04 75 115 212 53",
        "password": DEMO_PASSWORD,
    },
    {
        "role": "agent",
        "who": "Claire Dubois, CPAM de la Loire-Atlantique",
        "login": "agent44",
        "password": AGENT_PASSWORD,
    },
    {
        "role": "agent",
        "who": "Karim Haddad, CPAM de Paris",
        "login": "agent75",
        "password": AGENT_PASSWORD,
    },
    {
        "role": "modératrice",
        "who": "Inès Moreau, modération du forum (CPAM 44)",
        "login": "moderateur",
        "password": AGENT_PASSWORD,
    },
    {
        "role": "professionnel",
        "who": "Dr Sophie Durand, médecin généraliste (RPPS), jeton API demo-logiciel-2026",
        "login": "10101010105",
        "password": "Macaisse-Pro-2026",
    },
    {
        "role": "employeur",
        "who": "Atelier Loire SARL (SIRET, sur /employeur/connexion), jeton API demo-paie-2026",
        "login": "90000001900019",
        "password": "Macaisse-Employeur-2026",
    },
    {
        "role": "admin",
        "who": "Administration nationale (référentiel des caisses)",
        "login": "admin",
        "password": ADMIN_PASSWORD,
    },
]

# Dates are drawn up to this day, not today's: the same seed must give the same people next year.
DEMO_DAY: Final = date(2026, 1, 1)
_BIRTH_YEARS: Final = (1940, 2008)
_CHUNK: Final = 500

# Share of the generated assurés with each feature (the brief: most have an IBAN, ~60 % a
# médecin traitant, a few % ALD and C2S, about a third have children).
_P_IBAN: Final = 0.88
_P_EMAIL: Final = 0.7
_P_MEDECIN: Final = 0.6
_P_MEDECIN_CHILD: Final = 0.35
_P_ALD: Final = 0.05
_P_C2S: Final = 0.06
_P_CHILDREN_IF_ELIGIBLE: Final = 0.52
_P_SPOUSE: Final = 0.06
_P_RIGHTS_CLOSED: Final = 0.015
_P_BORN_ABROAD: Final = 0.08
_P_BORN_IN_HOME_DEPARTEMENT: Final = 0.45

# INSEE codes of a few countries of birth (99 + 3 digits in the NIR).
_BIRTH_COUNTRIES: Final = ("109", "127", "131", "132", "134", "139", "140", "350", "351", "352")
# Fictitious banks: codes 99001–99009 are not given to French banks.
_BANK_CODES: Final = tuple(f"990{n:02d}" for n in range(1, 10))
# Created in 1968 from the Seine and the Seine-et-Oise: nobody was born "in" them before.
_DEPARTEMENTS_1968: Final = frozenset({"91", "92", "93", "94", "95"})

LAST_NAMES: Final = (
    "Martin",
    "Bernard",
    "Thomas",
    "Petit",
    "Robert",
    "Richard",
    "Durand",
    "Dubois",
    "Moreau",
    "Laurent",
    "Simon",
    "Michel",
    "Lefebvre",
    "Leroy",
    "Roux",
    "David",
    "Bertrand",
    "Morel",
    "Fournier",
    "Girard",
    "Bonnet",
    "Dupont",
    "Lambert",
    "Fontaine",
    "Rousseau",
    "Vincent",
    "Muller",
    "Lefèvre",
    "Faure",
    "André",
    "Mercier",
    "Blanc",
    "Guérin",
    "Boyer",
    "Garnier",
    "Chevalier",
    "François",
    "Legrand",
    "Gauthier",
    "Garcia",
    "Perrin",
    "Robin",
    "Clément",
    "Morin",
    "Nicolas",
    "Henry",
    "Roussel",
    "Mathieu",
    "Gautier",
    "Masson",
    "Marchand",
    "Duval",
    "Denis",
    "Dumont",
    "Marie",
    "Lemaire",
    "Noël",
    "Meyer",
    "Dufour",
    "Meunier",
    "Brun",
    "Blanchard",
    "Giraud",
    "Joly",
    "Rivière",
    "Lucas",
    "Brunet",
    "Gaillard",
    "Barbier",
    "Arnaud",
    "Martinez",
    "Gérard",
    "Roche",
    "Renard",
    "Schmitt",
    "Roy",
    "Leroux",
    "Colin",
    "Vidal",
    "Caron",
    "Picard",
    "Roger",
    "Fabre",
    "Aubert",
    "Lemoine",
    "Renaud",
    "Dumas",
    "Lacroix",
    "Olivier",
    "Philippe",
    "Bourgeois",
    "Pierre",
    "Benoît",
    "Rey",
    "Leclerc",
    "Payet",
    "Rolland",
    "Leclercq",
    "Guillaume",
    "Lecomte",
    "Lopez",
    "Jean",
    "Dupuy",
    "Guillot",
    "Hubert",
    "Berger",
    "Carpentier",
    "Sanchez",
    "Dupuis",
    "Moulin",
    "Louis",
    "Deschamps",
    "Huet",
    "Vasseur",
    "Perez",
    "Boucher",
    "Fleury",
    "Royer",
    "Klein",
    "Jacquet",
    "Adam",
    "Paris",
    "Poirier",
    "Marty",
    "Aubry",
    "Guyot",
    "Carré",
    "Charles",
    "Renault",
    "Charpentier",
    "Ménard",
    "Maillard",
    "Baron",
    "Bertin",
    "Bailly",
    "Hervé",
    "Schneider",
    "Fernandez",
    "Le Gall",
    "Collet",
    "Léger",
    "Bouvier",
    "Julien",
    "Prévost",
    "Millet",
    "Perrot",
    "Daniel",
    "Le Roux",
    "Cousin",
    "Germain",
    "Breton",
    "Besson",
    "Langlois",
    "Rémy",
    "Le Goff",
    "Pelletier",
    "Lévêque",
    "Perrier",
    "Leblanc",
    "Barré",
    "Lebrun",
    "Marchal",
    "Weber",
    "Mallet",
    "Hamon",
    "Boulanger",
    "Jacob",
    "Monnier",
    "Michaud",
    "Rodriguez",
    "Guichard",
    "Gillet",
    "Étienne",
    "Grondin",
    "Poulain",
    "Tessier",
    "Chevallier",
    "Collin",
    "Chauvin",
    "Da Silva",
    "Bouchet",
    "Gay",
    "Lemaître",
    "Bénard",
    "Maréchal",
    "Humbert",
    "Reynaud",
    "Antoine",
    "Hoarau",
    "Perret",
    "Barthélemy",
    "Cordier",
    "Pichon",
    "Lejeune",
    "Gilbert",
    "Lamy",
    "Delaunay",
    "Pasquier",
    "Carlier",
    "Laporte",
    "Haddad",
    "Benali",
    "Nguyen",
    "Ferreira",
    "Santoni",
)

FIRST_NAMES_F: Final = (
    "Marie",
    "Nathalie",
    "Isabelle",
    "Sylvie",
    "Catherine",
    "Françoise",
    "Christine",
    "Monique",
    "Valérie",
    "Sandrine",
    "Véronique",
    "Nicole",
    "Sophie",
    "Stéphanie",
    "Céline",
    "Chantal",
    "Patricia",
    "Anne",
    "Brigitte",
    "Julie",
    "Aurélie",
    "Émilie",
    "Martine",
    "Laurence",
    "Christiane",
    "Jacqueline",
    "Camille",
    "Léa",
    "Manon",
    "Chloé",
    "Emma",
    "Inès",
    "Jade",
    "Louise",
    "Alice",
    "Lina",
    "Léna",
    "Zoé",
    "Sarah",
    "Laura",
    "Pauline",
    "Marine",
    "Mathilde",
    "Lucie",
    "Anaïs",
    "Audrey",
    "Caroline",
    "Élodie",
    "Virginie",
    "Hélène",
    "Claire",
    "Agnès",
    "Danielle",
    "Denise",
    "Michèle",
    "Annie",
    "Josiane",
    "Colette",
    "Odile",
    "Yvette",
    "Simone",
    "Madeleine",
    "Suzanne",
    "Jeanne",
    "Geneviève",
    "Mireille",
    "Évelyne",
    "Corinne",
    "Karine",
    "Delphine",
    "Florence",
    "Cécile",
    "Élise",
    "Charlotte",
    "Juliette",
    "Clara",
    "Océane",
    "Justine",
    "Margaux",
    "Morgane",
    "Mélanie",
    "Jessica",
    "Vanessa",
    "Amandine",
    "Élisa",
    "Romane",
    "Ambre",
    "Rose",
    "Anna",
    "Mia",
    "Agathe",
    "Victoire",
    "Héloïse",
    "Nina",
    "Margot",
    "Capucine",
    "Lola",
    "Eva",
    "Yasmine",
    "Sofia",
    "Nour",
    "Maëlys",
    "Clémence",
    "Noémie",
    "Lisa",
    "Gabrielle",
    "Adèle",
    "Valentine",
    "Apolline",
    "Iris",
    "Romy",
    "Elena",
    "Marion",
    "Émeline",
    "Fanny",
    "Gaëlle",
    "Laetitia",
    "Myriam",
    "Nadia",
    "Samia",
    "Fatima",
    "Aïcha",
    "Leïla",
    "Nadine",
    "Béatrice",
    "Dominique",
    "Pascale",
    "Sabrina",
    "Laurine",
    "Estelle",
    "Coralie",
    "Solène",
    "Elsa",
    "Axelle",
    "Louna",
    "Lou",
    "Jeanne-Marie",
    "Marie-Claire",
    "Anne-Sophie",
    "Marie-Christine",
    "Ginette",
    "Paulette",
    "Huguette",
    "Lucienne",
    "Raymonde",
    "Gisèle",
    "Thérèse",
    "Marcelle",
    "Yvonne",
    "Andrée",
    "Claudine",
    "Bernadette",
    "Régine",
    "Maryse",
    "Maëlle",
    "Victoria",
)

FIRST_NAMES_M: Final = (
    "Jean",
    "Pierre",
    "Michel",
    "Philippe",
    "Alain",
    "Nicolas",
    "Christophe",
    "Patrick",
    "Daniel",
    "Bernard",
    "Éric",
    "Frédéric",
    "Laurent",
    "Stéphane",
    "David",
    "Olivier",
    "Julien",
    "Sébastien",
    "Thierry",
    "Jacques",
    "Pascal",
    "Gérard",
    "Dominique",
    "Thomas",
    "François",
    "Vincent",
    "Christian",
    "Jérôme",
    "Bruno",
    "Serge",
    "André",
    "Marcel",
    "René",
    "Claude",
    "Louis",
    "Henri",
    "Paul",
    "Georges",
    "Roger",
    "Robert",
    "Maurice",
    "Guy",
    "Yves",
    "Gilles",
    "Didier",
    "Franck",
    "Fabrice",
    "Guillaume",
    "Antoine",
    "Maxime",
    "Alexandre",
    "Romain",
    "Kévin",
    "Anthony",
    "Jonathan",
    "Mathieu",
    "Benjamin",
    "Florian",
    "Adrien",
    "Quentin",
    "Lucas",
    "Hugo",
    "Léo",
    "Gabriel",
    "Raphaël",
    "Arthur",
    "Jules",
    "Adam",
    "Maël",
    "Nathan",
    "Ethan",
    "Noah",
    "Tom",
    "Théo",
    "Sacha",
    "Mohamed",
    "Karim",
    "Rayan",
    "Yanis",
    "Mehdi",
    "Samir",
    "Nabil",
    "Sofiane",
    "Bilal",
    "Youssef",
    "Amine",
    "Enzo",
    "Mathis",
    "Baptiste",
    "Clément",
    "Valentin",
    "Alexis",
    "Dylan",
    "Loïc",
    "Cédric",
    "Arnaud",
    "Damien",
    "Jérémy",
    "Mickaël",
    "Cyril",
    "Ludovic",
    "Sylvain",
    "Xavier",
    "Hervé",
    "Joël",
    "Marc",
    "Luc",
    "Emmanuel",
    "Benoît",
    "Régis",
    "Jean-Pierre",
    "Jean-Claude",
    "Jean-Luc",
    "Jean-Marc",
    "Jean-François",
    "Bertrand",
    "Hubert",
    "Lionel",
    "Patrice",
    "Rémi",
    "Victor",
    "Martin",
    "Timéo",
    "Axel",
    "Noé",
    "Aaron",
    "Eliott",
    "Nolan",
    "Gaspard",
    "Léon",
    "Augustin",
    "Sami",
    "Ibrahim",
    "Ismaël",
    "Malo",
    "Timothée",
    "Côme",
    "Joseph",
    "Émile",
    "Marius",
    "Robin",
    "Simon",
    "Fabien",
    "Grégory",
    "Killian",
    "Erwan",
    "Yann",
    "Gaël",
    "Tristan",
    "Corentin",
    "Florent",
    "Gaétan",
    "Jordan",
    "Aurélien",
    "Raymond",
    "Lucien",
    "Fernand",
    "Gilbert",
)

_STREET_TYPES: Final = (
    ("rue", 60),
    ("avenue", 12),
    ("boulevard", 5),
    ("place", 4),
    ("impasse", 6),
    ("allée", 5),
    ("chemin", 6),
    ("route", 4),
    ("résidence", 2),
    ("quai", 1),
)
_STREET_NAMES: Final = (
    "des Lilas",
    "de la République",
    "Victor Hugo",
    "Jean Jaurès",
    "de la Gare",
    "du Moulin",
    "des Écoles",
    "de l'Église",
    "Pasteur",
    "du Général de Gaulle",
    "de la Mairie",
    "des Acacias",
    "du Stade",
    "de la Paix",
    "des Tilleuls",
    "du Château",
    "de la Fontaine",
    "des Roses",
    "Gambetta",
    "Jules Ferry",
    "de la Liberté",
    "du Commerce",
    "des Peupliers",
    "du Port",
    "Carnot",
    "Voltaire",
    "de Verdun",
    "de Paris",
    "de la Poste",
    "des Jardins",
    "du 8 Mai 1945",
    "du 11 Novembre",
    "des Marronniers",
    "du Lavoir",
    "de la Croix",
    "des Vignes",
    "des Champs",
    "Saint-Martin",
    "du Pont",
    "de la Forêt",
    "des Cerisiers",
    "Émile Zola",
    "Anatole France",
    "Paul Bert",
    "des Mésanges",
    "des Hirondelles",
    "du Parc",
    "des Prés",
    "de la Source",
    "des Vergers",
    "du Bourg",
    "de la Libération",
    "des Sports",
    "du Marché",
    "de Bretagne",
    "des Platanes",
    "du Stade Municipal",
    "des Coquelicots",
    "du Val",
    "de la Colline",
)
_COMPLEMENTS: Final = (
    "Bâtiment A",
    "Bâtiment B",
    "Bâtiment C",
    "Escalier 2",
    "Résidence les Pins",
    "Résidence du Parc",
    "Appartement 12",
    "Appartement 4",
    "3e étage",
    "Lieu-dit les Granges",
)
_EMAIL_DOMAINS: Final = ("example.org", "example.net", "example.com")


@dataclass(frozen=True)
class DemoSummary:
    """What the demo world holds after a run. ``created`` is what this run inserted (0 when run
    again); the other counts are the same every time."""

    caisses: int
    assures: int
    ayants_droit: int
    created: int
    accounts: int
    practitioners: int = 0

    def __str__(self) -> str:
        return (
            f"{self.caisses} caisses, {self.assures} assurés et {self.ayants_droit} ayants droit "
            f"de démonstration ({self.created} ajoutés par ce lancement), "
            f"{self.accounts} comptes de démonstration, "
            f"{self.practitioners} professionnels de santé dans l'annuaire."
        )


def load_demo(people: int = 3000, seed: int = 2026, practitioners: int = 20000) -> DemoSummary:
    """Create (or complete) the demo world: caisses, ``people`` generated assurés with their
    ayants droit, the named demo people, the four demo accounts and an Annuaire santé of
    ``practitioners`` generated professionals. Idempotent; commits."""
    sync_caisses()
    caisse_ids = {c.key: c.id for c in db.session.scalars(sa.select(Caisse))}

    named_created = _load_named_people(caisse_ids)
    plan = _Generator(
        random.Random(seed), {CAMILLE_NIR, LOUIS_NIR, LEO_NIR, nadia_nir(), *_nadia_family_nirs()}
    ).assures(people)

    existing = _existing_nirs([row["nir"] for row in plan.assures])
    missing = [row for row in plan.assures if row["nir"] not in existing]
    if missing:
        db.session.execute(sa.insert(Person), [_with_caisse(row, caisse_ids) for row in missing])
    ids = _ids_by_nir([row["nir"] for row in plan.assures])

    children = []
    for child in plan.ayants_droit:
        values = _with_caisse(child, caisse_ids)
        values["ouvrant_droit_id"] = ids[values.pop("_ouvrant_nir")]
        children.append(values)
    existing_children = _existing_nirs([row["nir"] for row in children])
    missing_children = [row for row in children if row["nir"] not in existing_children]
    if missing_children:
        db.session.execute(sa.insert(Person), missing_children)
    db.session.commit()

    account_count = _load_accounts(caisse_ids)
    assure_nirs = [row["nir"] for row in plan.assures] + [CAMILLE_NIR, LOUIS_NIR, nadia_nir()]
    ayant_droit_nirs = [row["nir"] for row in plan.ayants_droit] + [LEO_NIR, *_nadia_family_nirs()]
    from app.services.demo_care import load_care_demo

    load_care_demo(CAMILLE_NIR, LEO_NIR, LOUIS_NIR)
    from app.services.demo_pro_payments import load_pro_payments_demo

    load_pro_payments_demo()
    from app.services.demo_reclamations import load_reclamations_demo

    load_reclamations_demo()
    from app.services.demo_employers import load_employer_demo

    load_employer_demo()
    from app.services.demo_sick_leave import load_sick_leave_demo

    load_sick_leave_demo(CAMILLE_NIR)
    from app.services.demo_demarches import load_demarches_demo
    from app.services.demo_home import ensure_account, load_home_demo

    nadia = db.session.scalar(sa.select(Person).where(Person.nir == nadia_nir()))
    ensure_account(nadia, DEMO_PASSWORD)
    load_demarches_demo()
    load_home_demo(nadia)
    from app.services.demo_messages import load_messages_demo

    load_messages_demo(LOUIS_NIR, DEMO_PASSWORD)
    from app.services.demo_annuaire import load_annuaire_demo

    directory = load_annuaire_demo(practitioners, seed)
    from app.services.demo_forum import load_forum_demo

    load_forum_demo(DEMO_PASSWORD)
    from app.services.forum_moderation import load_reports_demo

    load_reports_demo(LOUIS_NIR)  # after the forum's demo threads (nothing without threads)
    return DemoSummary(
        caisses=len(caisse_ids),
        assures=len(_existing_nirs(assure_nirs)),
        ayants_droit=len(_existing_nirs(ayant_droit_nirs)),
        created=len(missing) + len(missing_children) + named_created,
        accounts=account_count,
        practitioners=directory,
    )


def french_iban(bank: str, branch: str, account: str) -> str:
    """A French IBAN (compact) from a bank code (5), branch code (5) and account number (11
    digits): computes the RIB key and the IBAN check digits."""
    rib_key = 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account)) % 97
    bban = f"{bank}{branch}{account}{rib_key:02d}"
    return f"FR{stdnum_iban.calc_check_digits('FR00' + bban)}{bban}"


def rpps_number(body: str) -> str:
    """An 11-digit RPPS number: ``body`` (10 digits) and its Luhn check digit."""
    return body + luhn.calc_check_digit(body)


def make_nir(sex: str, birth: date, place: str, order: int) -> str:
    """A 15-character NIR: sex, year and month of birth, place of birth (5 characters: INSEE
    commune code, ``20xxx`` for Corsica before 1976, or ``99`` + country), order, key."""
    number = f"{'1' if sex == 'M' else '2'}{birth.year % 100:02d}{birth.month:02d}{place}{order:03d}"
    return number + stdnum_nir.calc_check_digits(number)


def _load_named_people(caisse_ids: dict[str, int]) -> int:
    """Create or restore Camille (and her son Léo) and Louis; return how many were created."""
    nantes = _commune("44109")
    paris_11 = territory.communes_for_postal_code("75011")[0]
    created: list[Person] = []
    camille = _upsert(
        created,
        nir=CAMILLE_NIR,
        sex="F",
        first_name="Camille",
        last_name="Martin",
        birth_date=date(1995, 6, 12),
        address_line="12 rue des Lilas",
        address_complement="",
        postal_code="44000",
        commune=nantes,
        caisse_ids=caisse_ids,
        rights_start=date(2013, 9, 1),
        iban=french_iban("99001", "00044", "00000012345"),
        email="camille.martin@example.org",
        medecin_traitant_rpps="10101010105",
        medecin_traitant_since=date(2023, 1, 15),
    )
    _upsert(
        created,
        nir=LEO_NIR,
        sex="M",
        first_name="Léo",
        last_name="Martin",
        birth_date=date(2019, 3, 8),
        address_line="12 rue des Lilas",
        address_complement="",
        postal_code="44000",
        commune=nantes,
        caisse_ids=caisse_ids,
        rights_start=date(2019, 3, 8),
        ouvrant_droit_id=camille.id,
        rang=2,
        lien="enfant",
    )
    _upsert(
        created,
        nir=LOUIS_NIR,
        sex="M",
        first_name="Louis",
        last_name="Bernard",
        birth_date=date(1984, 12, 3),
        address_line="27 rue de la Roquette",
        address_complement="Escalier B, 4e étage",
        postal_code="75011",
        commune=paris_11,
        caisse_ids=caisse_ids,
        rights_start=date(2002, 9, 1),
        iban=french_iban("99002", "00075", "00000067890"),
        email="louis.bernard@example.org",
    )
    nadia = _upsert(
        created,
        nir=make_nir("F", NADIA_BIRTH, "75115", 212),
        sex="F",
        first_name="Nadia",
        last_name="Lefèvre",
        birth_date=NADIA_BIRTH,
        address_line="8 rue Oberkampf",
        address_complement="",
        postal_code="75011",
        commune=paris_11,
        caisse_ids=caisse_ids,
        rights_start=date(2007, 9, 1),
        iban=french_iban("99003", "00075", "00000024680"),
        email="nadia.lefevre@example.org",
        medecin_traitant_rpps="10101010105",
        medecin_traitant_since=date(2021, 3, 2),
    )
    from app.services.demo_home import rights_end

    for nir, sex, first_name, birth, lien, rang, end in (
        (
            make_nir("M", MARC_BIRTH, "69123", 45),
            "M",
            "Marc",
            MARC_BIRTH,
            "conjoint",
            2,
            rights_end(date.today()),
        ),
        (make_nir("F", INES_BIRTH, "75112", 330), "F", "Inès", INES_BIRTH, "enfant", 3, None),
    ):
        _upsert(
            created,
            nir=nir,
            sex=sex,
            first_name=first_name,
            last_name="Lefèvre",
            birth_date=birth,
            address_line="8 rue Oberkampf",
            address_complement="",
            postal_code="75011",
            commune=paris_11,
            caisse_ids=caisse_ids,
            rights_start=birth if lien == "enfant" else date(2015, 6, 20),
            rights_end=end,
            ouvrant_droit_id=nadia.id,
            rang=rang,
            lien=lien,
            medecin_traitant_rpps="10101010105",
            medecin_traitant_since=date(2021, 3, 2),
        )
    db.session.commit()
    return len(created)


def nadia_nir() -> str:
    return make_nir("F", NADIA_BIRTH, "75115", 212)


def _nadia_family_nirs() -> tuple[str, str]:
    """Marc's and Inès's NIRs."""
    return make_nir("M", MARC_BIRTH, "69123", 45), make_nir("F", INES_BIRTH, "75112", 330)


def _upsert(
    created: list[Person], *, commune: territory.Commune, caisse_ids: dict[str, int], **values: Any
) -> Person:
    """Create the named person, or bring it back to its demo data (unset fields are cleared)."""
    values = {
        "iban": None,
        "email": None,
        "medecin_traitant_rpps": None,
        "medecin_traitant_since": None,
        "ald_start": None,
        "ald_end": None,
        "c2s_start": None,
        "c2s_end": None,
        "rights_end": None,
        "ouvrant_droit_id": None,
        "rang": 1,
        "lien": "assure",
        **values,
        "commune_insee": commune.insee,
        "commune_name": commune.name,
        "caisse_id": caisse_ids[territory.caisse_for_commune(commune).key],
    }
    person = db.session.scalar(sa.select(Person).where(Person.nir == values["nir"]))
    if person is None:
        person = Person(**values)
        db.session.add(person)
        created.append(person)
    else:
        for name, value in values.items():
            if getattr(person, name) != value:
                setattr(person, name, value)
    db.session.flush()
    return person


def _load_accounts(caisse_ids: dict[str, int]) -> int:
    """The four demo accounts, created or restored; an account already as it should be is left
    alone (the account services would re-hash its password and re-date its e-mail check)."""
    people = {
        p.nir: p
        for p in db.session.scalars(sa.select(Person).where(Person.nir.in_([CAMILLE_NIR, LOUIS_NIR])))
    }
    for nir, email in ((CAMILLE_NIR, "camille.martin@example.org"), (LOUIS_NIR, "louis.bernard@example.org")):
        person = people[nir]
        user = db.session.scalar(sa.select(User).where(User.person_id == person.id))
        if not (
            user is not None
            and user.role == "assure"
            and user.email == email
            and user.email_verified_at is not None
            and user.display_name == f"{person.first_name} {person.last_name}"
            and verify_password(user.password_hash, DEMO_PASSWORD)
        ):
            accounts.create_assure_account(person, DEMO_PASSWORD, email)
    for login, role, caisse_key, display_name, password in STAFF:
        email = f"{login}@macaisse.localhost"
        caisse_id = caisse_ids[caisse_key] if caisse_key else None
        user = db.session.scalar(sa.select(User).where(User.login == login))
        if not (
            user is not None
            and user.role == role
            and user.caisse_id == caisse_id
            and user.display_name == display_name
            and user.email == email
            and verify_password(user.password_hash, password)
        ):
            accounts.create_staff(login, password, role, caisse_id, display_name, email)
    person_ids = [people[CAMILLE_NIR].id, people[LOUIS_NIR].id]
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(User)
            .where(sa.or_(User.person_id.in_(person_ids), User.login.in_([row[0] for row in STAFF])))
        )
        or 0
    )


def _commune(insee: str) -> territory.Commune:
    commune = territory.commune_by_insee(insee)
    if commune is None:
        raise LookupError(f"commune {insee} missing from the territory data")
    return commune


def _with_caisse(row: dict[str, Any], caisse_ids: dict[str, int]) -> dict[str, Any]:
    values = dict(row)
    values["caisse_id"] = caisse_ids[values.pop("_caisse_key")]
    return values


def _existing_nirs(nirs: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(nirs), _CHUNK):
        chunk = nirs[start : start + _CHUNK]
        found.update(db.session.scalars(sa.select(Person.nir).where(Person.nir.in_(chunk))))
    return found


def _ids_by_nir(nirs: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(nirs), _CHUNK):
        chunk = nirs[start : start + _CHUNK]
        for nir, person_id in db.session.execute(
            sa.select(Person.nir, Person.id).where(Person.nir.in_(chunk))
        ):
            found[nir] = person_id
    return found


@dataclass(frozen=True)
class _Pool:
    """Communes and their cumulative populations, for draws weighted by population."""

    communes: tuple[territory.Commune, ...]
    cumulative: tuple[int, ...]

    def draw(self, rng: random.Random) -> territory.Commune:
        point = rng.random() * self.cumulative[-1]
        return self.communes[bisect.bisect_right(self.cumulative, point)]


def _pool(communes: list[territory.Commune]) -> _Pool:
    return _Pool(tuple(communes), tuple(itertools.accumulate(c.population for c in communes)))


@dataclass(frozen=True)
class _Territory:
    everywhere: _Pool
    by_caisse: dict[str, _Pool]
    by_departement: dict[str, _Pool]
    caisse_of: dict[str, str]
    caisse_keys: tuple[str, ...]


@cache
def _territory() -> _Territory:
    """Inhabited communes with a postal code and a caisse, in INSEE order (a stable draw order)."""
    found: dict[str, territory.Commune] = {}
    # Every postal code starts with a digit: the ten searches list every commune with an address.
    for digit in "0123456789":
        for commune in territory.search_communes(digit, limit=1_000_000):
            if commune.population > 0:
                found[commune.insee] = commune
    communes: list[territory.Commune] = []
    caisse_of: dict[str, str] = {}
    for insee in sorted(found):
        try:
            caisse_of[insee] = territory.caisse_for_commune(found[insee]).key
        except territory.TerritoryNotCovered:
            continue  # overseas collectivités: no caisse of ours
        communes.append(found[insee])
    by_caisse: dict[str, list[territory.Commune]] = defaultdict(list)
    by_departement: dict[str, list[territory.Commune]] = defaultdict(list)
    for commune in communes:
        by_caisse[caisse_of[commune.insee]].append(commune)
        by_departement[commune.departement].append(commune)
    caisse_keys = tuple(c.key for c in territory.caisses() if c.key in by_caisse)
    return _Territory(
        everywhere=_pool(communes),
        by_caisse={key: _pool(members) for key, members in by_caisse.items()},
        by_departement={dep: _pool(members) for dep, members in by_departement.items()},
        caisse_of=caisse_of,
        caisse_keys=caisse_keys,
    )


@dataclass
class _Plan:
    assures: list[dict[str, Any]]
    ayants_droit: list[dict[str, Any]]


class _Generator:
    """Draws the generated crowd. Every draw goes through ``rng`` in a fixed order."""

    def __init__(self, rng: random.Random, reserved: set[str]) -> None:
        self.rng = rng
        self.used = set(reserved)
        self.places = _territory()
        self.street_weights = tuple(itertools.accumulate(w for _, w in _STREET_TYPES))

    def assures(self, count: int) -> _Plan:
        plan = _Plan([], [])
        keys = self.places.caisse_keys
        for index in range(count):
            # The first draws cover every caisse once, so each agent's caisse has people.
            pool = self.places.by_caisse[keys[index]] if index < len(keys) else self.places.everywhere
            assure = self._assure(pool.draw(self.rng))
            plan.assures.append(assure)
            plan.ayants_droit.extend(self._family(assure))
        return plan

    def _assure(self, home: territory.Commune) -> dict[str, Any]:
        rng = self.rng
        sex = "F" if rng.random() < 0.52 else "M"
        birth = self._day(date(_BIRTH_YEARS[0], 1, 1), date(_BIRTH_YEARS[1], 12, 31))
        floor = max(_add_years(birth, 16), date(1995, 1, 1))
        rights_start = self._day(floor, min(floor + timedelta(days=3650), DEMO_DAY))
        row = self._person(sex, birth, home, self._last_name(), rights_start)
        row["address_line"] = self._street()
        row["address_complement"] = rng.choice(_COMPLEMENTS) if rng.random() < 0.12 else ""
        row["postal_code"] = rng.choice(home.postal_codes)
        if rng.random() < _P_RIGHTS_CLOSED:
            row["rights_end"] = self._day(rights_start, DEMO_DAY)
        if rng.random() < _P_IBAN:
            row["iban"] = french_iban(
                rng.choice(_BANK_CODES),
                f"{rng.randrange(100_000):05d}",
                f"{rng.randrange(10**11):011d}",
            )
        if rng.random() < _P_EMAIL:
            row["email"] = (
                f"{_ascii(row['first_name'])}.{_ascii(row['last_name'])}"
                f"{rng.randrange(1, 100)}@{rng.choice(_EMAIL_DOMAINS)}"
            )
        if rng.random() < _P_MEDECIN:
            self._medecin(row, rights_start)
        if rng.random() < _P_ALD:
            start = self._day(max(rights_start, date(2010, 1, 1)), DEMO_DAY)
            row["ald_start"] = start
            if rng.random() < 0.6:
                row["ald_end"] = _add_years(start, rng.choice((3, 5, 10))) - timedelta(days=1)
        if rng.random() < _P_C2S:
            start = date(rng.choice((2024, 2025)), rng.randint(1, 12), 1)
            row["c2s_start"] = start
            row["c2s_end"] = _add_years(start, 1) - timedelta(days=1)
        return row

    def _family(self, assure: dict[str, Any]) -> list[dict[str, Any]]:
        rng = self.rng
        home = territory.commune_by_insee(assure["commune_insee"])
        assert home is not None
        family: list[dict[str, Any]] = []
        parent_birth: date = assure["birth_date"]
        if parent_birth.year <= DEMO_DAY.year - 25 and rng.random() < _P_SPOUSE:
            sex = "M" if assure["sex"] == "F" else "F"
            year = min(max(parent_birth.year + rng.randint(-5, 5), _BIRTH_YEARS[0]), 2000)
            birth = self._day(date(year, 1, 1), date(year, 12, 31))
            last_name = assure["last_name"] if rng.random() < 0.7 else self._last_name()
            family.append(self._dependant(assure, sex, birth, last_name, "conjoint", home))
        first_year = max(parent_birth.year + 20, DEMO_DAY.year - 19)
        last_year = min(parent_birth.year + 45, DEMO_DAY.year - 1)
        if first_year <= last_year and rng.random() < _P_CHILDREN_IF_ELIGIBLE:
            count = rng.choices((1, 2, 3), weights=(45, 40, 15))[0]
            births = sorted(self._day(date(first_year, 1, 1), date(last_year, 12, 31)) for _ in range(count))
            for birth in births:
                sex = "F" if rng.random() < 0.49 else "M"
                family.append(self._dependant(assure, sex, birth, assure["last_name"], "enfant", home))
        for rang, member in enumerate(family, start=2):
            member["rang"] = rang
        return family

    def _dependant(
        self,
        assure: dict[str, Any],
        sex: str,
        birth: date,
        last_name: str,
        lien: str,
        home: territory.Commune,
    ) -> dict[str, Any]:
        rights_start = max(birth, assure["rights_start"])
        row = self._person(sex, birth, home, last_name, rights_start)
        for field in ("address_line", "address_complement", "postal_code", "rights_end"):
            row[field] = assure[field]
        row["lien"] = lien
        row["_ouvrant_nir"] = assure["nir"]
        if self.rng.random() < (_P_MEDECIN_CHILD if lien == "enfant" else _P_MEDECIN):
            self._medecin(row, rights_start)
        return row

    def _person(
        self, sex: str, birth: date, home: territory.Commune, last_name: str, rights_start: date
    ) -> dict[str, Any]:
        first_names = FIRST_NAMES_F if sex == "F" else FIRST_NAMES_M
        return {
            "nir": self._nir(sex, birth, home),
            "sex": sex,
            "last_name": last_name,
            "first_name": self.rng.choice(first_names),
            "birth_date": birth,
            "address_line": "",
            "address_complement": "",
            "postal_code": home.postal_codes[0],
            "commune_insee": home.insee,
            "commune_name": home.name,
            "_caisse_key": self.places.caisse_of[home.insee],
            "rights_start": rights_start,
            "rights_end": None,
            "iban": None,
            "email": None,
            "medecin_traitant_rpps": None,
            "medecin_traitant_since": None,
            "ald_start": None,
            "ald_end": None,
            "c2s_start": None,
            "c2s_end": None,
            "rang": 1,
            "lien": "assure",
        }

    def _nir(self, sex: str, birth: date, home: territory.Commune) -> str:
        place = self._birth_place(birth, home)
        while True:
            nir = make_nir(sex, birth, place, self.rng.randint(1, 999))
            if nir not in self.used:
                self.used.add(nir)
                return nir

    def _birth_place(self, birth: date, home: territory.Commune) -> str:
        """INSEE code of the place of birth as the NIR writes it, true to the date of birth."""
        rng = self.rng
        if rng.random() < _P_BORN_ABROAD:
            return "99" + rng.choice(_BIRTH_COUNTRIES)
        local = rng.random() < _P_BORN_IN_HOME_DEPARTEMENT
        for _ in range(20):
            pool = self.places.by_departement[home.departement] if local else self.places.everywhere
            commune = pool.draw(rng)
            departement = commune.departement
            if birth.year < 1968 and departement in _DEPARTEMENTS_1968:
                local = False
                continue
            if departement == "976" and birth.year < 2011:
                # Mayotte became a département in 2011; before, its births had TOM codes.
                local = False
                continue
            if departement in ("2A", "2B") and birth.year < 1976:
                # Corsica was one département, 20, until 1976.
                return "20" + commune.insee[2:]
            return commune.insee
        return "75056"

    def _medecin(self, row: dict[str, Any], rights_start: date) -> None:
        row["medecin_traitant_rpps"] = rpps_number(f"10{self.rng.randrange(10**8):08d}")
        # The médecin traitant scheme exists since 2005; a child's doctor after his birth.
        floor = max(rights_start, date(2005, 1, 1), row["birth_date"])
        row["medecin_traitant_since"] = self._day(floor, DEMO_DAY)

    def _street(self) -> str:
        rng = self.rng
        point = rng.random() * self.street_weights[-1]
        kind = _STREET_TYPES[bisect.bisect_right(self.street_weights, point)][0]
        number = rng.randint(1, 140)
        suffix = " bis" if rng.random() < 0.04 else ""
        return f"{number}{suffix} {kind} {rng.choice(_STREET_NAMES)}"

    def _last_name(self) -> str:
        return self.rng.choice(LAST_NAMES)

    def _day(self, first: date, last: date) -> date:
        if last <= first:
            return first
        return first + timedelta(days=self.rng.randint(0, (last - first).days))


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _ascii(text: str) -> str:
    """E-mail-safe lower-case letters: "Lévêque" → "leveque", "Le Gall" → "legall"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if char.isascii() and char.isalnum())
