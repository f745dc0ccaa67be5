"""The démarches an assuré can file: their labels, the estimated processing delay of each, and the
status labels shown on the timeline. Delays are working days (Monday to Friday, French public
holidays excluded) as the caisses announce them; they are data, not promises."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class DemarcheKind:
    key: str
    label: str
    # Estimated processing delay in working days from filing.
    delay_days: int
    # Who processes it: "agent" (the caisse's queue) or "medecin" (the doctor confirms in /pro).
    processed_by: str = "agent"


KINDS: dict[str, DemarcheKind] = {
    kind.key: kind
    for kind in (
        DemarcheKind("ceam", "Carte européenne d'assurance maladie (CEAM)", 10),
        DemarcheKind("carte_vitale", "Carte Vitale perdue ou volée", 15),
        DemarcheKind("medecin_traitant", "Déclaration de médecin traitant", 5, processed_by="medecin"),
        DemarcheKind("ayant_droit_ajout", "Ajout d'un ayant droit", 15),
        DemarcheKind("ayant_droit_retrait", "Retrait d'un ayant droit", 10),
        DemarcheKind("complementaire", "Complémentaire santé (numéro AMC)", 5),
        DemarcheKind("c2s", "Complémentaire santé solidaire (C2S)", 40),
        DemarcheKind("adresse", "Changement d'adresse", 5),
        DemarcheKind("transfert", "Transfert de dossier vers une autre caisse", 20),
        DemarcheKind("iban", "Changement de coordonnées bancaires (RIB)", 5),
        DemarcheKind("telephone", "Changement de numéro de téléphone", 1),
        DemarcheKind("situation", "Changement de situation", 15),
        DemarcheKind("feuille_soins", "Feuille de soins papier", 20),
        DemarcheKind("divorce", "Divorce ou séparation : droits de l'ex-conjoint", 10),
    )
}

STATUS_LABELS = {
    "attente_confirmation": "En attente de confirmation",
    "deposee": "Reçue",
    "en_cours": "En cours de traitement",
    "piece_demandee": "Document demandé",
    "acceptee": "Acceptée",
    "expediee": "Expédiée",
    "livree": "Reçue par vous",
    "refusee": "Refusée",
    "annulee": "Annulée",
}
# What each status means for the assuré, shown under it on the timeline.
STATUS_HELP = {
    "attente_confirmation": "Une confirmation est attendue (code reçu par e-mail, ou votre médecin).",
    "deposee": "Votre demande est enregistrée ; un conseiller de votre caisse va la traiter.",
    "en_cours": "Un conseiller de votre caisse traite votre demande.",
    "piece_demandee": "Votre caisse attend un document de votre part pour continuer.",
    "acceptee": "Votre demande est acceptée.",
    "expediee": "Votre carte est partie par la poste.",
    "livree": "Vous avez reçu votre carte.",
    "refusee": "Votre demande est refusée ; le motif est indiqué.",
    "annulee": "Vous avez retiré votre demande.",
}


def kind_label(kind: str) -> str:
    return KINDS[kind].label


def _easter(year: int) -> date:
    """Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


def public_holidays(year: int) -> frozenset[date]:
    """The 11 French public holidays (metropole, Code du travail L3133-1)."""
    easter = _easter(year)
    return frozenset(
        {
            date(year, 1, 1),
            easter + timedelta(days=1),
            date(year, 5, 1),
            date(year, 5, 8),
            easter + timedelta(days=39),
            easter + timedelta(days=50),
            date(year, 7, 14),
            date(year, 8, 15),
            date(year, 11, 1),
            date(year, 11, 11),
            date(year, 12, 25),
        }
    )


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in public_holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself not counted)."""
    day = start
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def due_date(kind: str, filed_on: date) -> date:
    """The estimated processing date of a démarche of ``kind`` filed on ``filed_on``."""
    return add_working_days(filed_on, KINDS[kind].delay_days)
