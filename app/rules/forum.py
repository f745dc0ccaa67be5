"""The forum's rules: its categories, the edit window, the size of posts. Pure: no Flask."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

EDIT_WINDOW = timedelta(minutes=30)
TITLE_MIN, TITLE_MAX = 10, 150
BODY_MIN, BODY_MAX = 20, 5000
PSEUDONYM_MIN, PSEUDONYM_MAX = 3, 30


@dataclass(frozen=True, slots=True)
class Category:
    key: str
    label: str
    description: str


CATEGORIES = (
    Category(
        "remboursements", "Remboursements", "Comprendre un remboursement, un reste à charge, une franchise."
    ),
    Category(
        "arret-de-travail", "Arrêt de travail", "Indemnités journalières, attestation de salaire, reprise."
    ),
    Category("carte-vitale", "Carte Vitale", "Commander, remplacer, mettre à jour sa carte Vitale."),
    Category("maternite", "Maternité et paternité", "Congés, indemnités, examens pris en charge."),
    Category("c2s", "Complémentaire santé solidaire", "Droits, ressources, participation, renouvellement."),
    Category("demarches", "Démarches en ligne", "Changer d'adresse, de RIB, déclarer un médecin traitant…"),
    Category("etranger", "CEAM et soins à l'étranger", "Se faire soigner en Europe ou hors d'Europe."),
    Category("compte", "Compte et connexion", "Se connecter, clés d'accès, notifications, sécurité."),
    Category("autres", "Autres questions", "Ce qui n'entre dans aucune autre catégorie."),
)
_BY_KEY = {category.key: category for category in CATEGORIES}


def category(key: str | None) -> Category | None:
    return _BY_KEY.get(key or "")
