"""The carte européenne d'assurance maladie (CEAM), its certificat provisoire de remplacement, and
the age from which a carte Vitale is personal.

The CEAM is free and personal (one per beneficiary, children included), valid 2 years, and should
be ordered at least 15 days before departure: it arrives in 10 to 15 days. When the departure is
nearer, the caisse delivers at once a certificat provisoire de remplacement (CPR), valid 3 months,
which gives the same access to care. Both are accepted in the other countries of the European
Union and of the European Economic Area, in Switzerland and in the United Kingdom.

Identification numbers of cards follow the European layout (ISO/IEC 7812): ``80`` (health),
``250`` (France), then a serial and a Luhn check digit, 20 digits in all. Our serial starts with
``0`` for a card and ``9`` for a certificat, so the two series never meet. Pure: no Flask, no DB.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from stdnum import luhn

ORDER_LEAD_DAYS = 15
DELIVERY_DAYS = (10, 15)
CARD_VALIDITY_YEARS = 2
CERTIFICAT_VALIDITY_MONTHS = 3
# A departure further away than the card's validity would see the card expire before the trip.
MAX_DEPARTURE_AHEAD_YEARS = CARD_VALIDITY_YEARS
# Children get a carte Vitale of their own from 12 (before that they are on their parents' card).
VITALE_MIN_AGE = 12
# The first cartes Vitale were sent in 1998: an earlier loss date is a typing error.
VITALE_FIRST_YEAR = 1998
CARD_NUMBER_PREFIX = "80250"
CARD_NUMBER_LENGTH = 20

# The other countries where the CEAM is accepted, by ISO 3166 code, in French alphabetical order.
COUNTRIES = {
    "DE": "Allemagne",
    "AT": "Autriche",
    "BE": "Belgique",
    "BG": "Bulgarie",
    "CY": "Chypre",
    "HR": "Croatie",
    "DK": "Danemark",
    "ES": "Espagne",
    "EE": "Estonie",
    "FI": "Finlande",
    "GR": "Grèce",
    "HU": "Hongrie",
    "IE": "Irlande",
    "IS": "Islande",
    "IT": "Italie",
    "LV": "Lettonie",
    "LI": "Liechtenstein",
    "LT": "Lituanie",
    "LU": "Luxembourg",
    "MT": "Malte",
    "NO": "Norvège",
    "NL": "Pays-Bas",
    "PL": "Pologne",
    "PT": "Portugal",
    "RO": "Roumanie",
    "GB": "Royaume-Uni",
    "SK": "Slovaquie",
    "SI": "Slovénie",
    "SE": "Suède",
    "CH": "Suisse",
    "CZ": "Tchéquie",
}


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it has no such day (31/01 + 1
    month is 28/02 or 29/02)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def age_on(birth: date, day: date) -> int:
    """Age in whole years on ``day``."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def order_deadline(departure: date) -> date:
    """The last day to order the card so that it arrives before ``departure``."""
    return departure - timedelta(days=ORDER_LEAD_DAYS)


def needs_certificat(departure: date, today: date) -> bool:
    """True when the card cannot arrive in time: the departure is less than 15 days away."""
    return (departure - today).days < ORDER_LEAD_DAYS


def departure_problem(departure: date, today: date) -> str | None:
    """Why ``departure`` cannot be the date of a CEAM request (French), or None."""
    if departure < today:
        return "La date de départ est passée : indiquez la date de votre prochain départ."
    if departure > add_months(today, 12 * MAX_DEPARTURE_AHEAD_YEARS):
        return (
            "La date de départ doit être dans les deux ans qui viennent : la carte, valable deux ans, "
            "aurait expiré avant."
        )
    return None


def return_problem(departure: date, return_on: date) -> str | None:
    """Why ``return_on`` cannot be the return date of a trip starting on ``departure``, or None."""
    if return_on < departure:
        return "La date de retour doit être le jour du départ ou après."
    return None


def card_valid_until(valid_from: date) -> date:
    """The last day of validity of a CEAM valid from ``valid_from``: 2 years less a day."""
    return add_months(valid_from, 12 * CARD_VALIDITY_YEARS) - timedelta(days=1)


def certificat_valid_until(issued_on: date) -> date:
    """The last day of validity of a certificat provisoire issued on ``issued_on``: 3 months less a
    day."""
    return add_months(issued_on, CERTIFICAT_VALIDITY_MONTHS) - timedelta(days=1)


def card_number(serial: int, *, certificat: bool = False) -> str:
    """The 20-digit identification number of card (or certificat) number ``serial``."""
    if serial < 0 or serial >= 10**13:
        raise ValueError(serial)
    body = f"{CARD_NUMBER_PREFIX}{9 if certificat else 0}{serial:013d}"
    return body + luhn.calc_check_digit(body)


def grouped_card_number(number: str) -> str:
    """``80250 0 0000000000042 7`` is hard to copy: printed in groups of four."""
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


def vitale_age_problem(birth: date, today: date) -> str | None:
    """Why a person born on ``birth`` has no carte Vitale of their own, or None."""
    if age_on(birth, today) < VITALE_MIN_AGE:
        return (
            "Un enfant de moins de 12 ans n'a pas de carte Vitale à son nom : ses soins sont "
            "remboursés avec la carte Vitale de ses parents."
        )
    return None


def loss_date_problem(lost_on: date, today: date) -> str | None:
    """Why ``lost_on`` cannot be the date of a loss or theft declared on ``today``, or None."""
    if lost_on > today:
        return "La date de la perte ou du vol ne peut pas être dans le futur."
    if lost_on.year < VITALE_FIRST_YEAR:
        return "La date de la perte ou du vol est trop ancienne : vérifiez l'année."
    return None
