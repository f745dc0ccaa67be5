"""Complémentaire santé solidaire (C2S): is a household entitled, free or with a monthly participation?

Why: people who could have the C2S do not ask for it, or give up when they see "participation"
without an amount. This answers with the ceilings in force on the date of the request
(``rules/data/c2s.toml``, read through ``dated.py``) and says why, in French, with the figures.

Rules (metropolitan France, annual resources of the household):

- resources up to the ``gratuite`` ceiling of the household's size: C2S without participation;
- above it and up to the ``participation`` ceiling: C2S with a monthly participation per person,
  by age on 1 January (8 € up to 29, 14 € from 30 to 49, 21 € from 50 to 59, 25 € from 60 to 69,
  30 € from 70);
- above: no C2S.

Ceilings are given for households of 1 to 4 persons; each person beyond the 4th adds the
``extra`` amounts. A resource equal to a ceiling is within it ("up to"). The participation is that
of the person whose age is given: in a household, each covered member pays by his or her own age.

Outside the dates of the data: ``RuleNotInForce``; impossible figures: ``InvalidHousehold``. Both
are ``RulesError`` with a French message.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any, Final

from app.rules import dated
from app.rules.liquidation import format_euros
from app.rules.tariffs import CENT, RuleNotInForce, RulesError, french_date

__all__ = [
    "C2SResult",
    "Ceilings",
    "InvalidHousehold",
    "RuleNotInForce",
    "RulesError",
    "c2s_eligibility",
    "ceilings",
    "participation",
]

ZERO: Final = Decimal("0.00")
MAX_AGE: Final = 130
LISTED_SIZES: Final = 4
GRATUITE: Final = "gratuite"
PARTICIPATION: Final = "participation"
NON: Final = "non"


class InvalidHousehold(RulesError):
    """The household described is impossible (no member, negative resources, age out of range)."""


@dataclass(frozen=True, slots=True)
class Ceilings:
    """The annual resource ceilings of a household of ``foyer`` persons on ``on``; ``extra_*``: what
    each person beyond the 4th adds; the table is in force from ``valid_from`` to ``valid_until``."""

    on: dt.date
    foyer: int
    gratuite: Decimal
    participation: Decimal
    extra_gratuite: Decimal
    extra_participation: Decimal
    valid_from: dt.date
    valid_until: dt.date | None


@dataclass(frozen=True, slots=True)
class C2SResult:
    """The answer: ``status`` is ``gratuite``, ``participation`` or ``non``; ``eligible`` is true
    for the first two; ``participation_mensuelle`` is 0.00 unless ``status`` is ``participation``."""

    status: str
    eligible: bool
    participation_mensuelle: Decimal
    ceilings: Ceilings
    explanations: list[str] = field(default_factory=list)


def ceilings(on: dt.date, foyer: int) -> Ceilings:
    """The ceilings for ``foyer`` persons on the date of the request ``on``.

    Raises ``InvalidHousehold`` for fewer than 1 person, ``RuleNotInForce`` outside the data.
    """
    _check_foyer(foyer)
    entry = dated.in_force(_data()["plafonds"], on, "Les plafonds de ressources de la C2S", _consequence(on))
    table = entry.value
    beyond = max(0, foyer - LISTED_SIZES)
    index = min(foyer, LISTED_SIZES) - 1
    return Ceilings(
        on=on,
        foyer=foyer,
        gratuite=table["gratuite"][index] + beyond * table["gratuite_extra"],
        participation=table["participation"][index] + beyond * table["participation_extra"],
        extra_gratuite=table["gratuite_extra"],
        extra_participation=table["participation_extra"],
        valid_from=entry.start,
        valid_until=entry.until,
    )


def participation(on: dt.date, age: int) -> Decimal:
    """The monthly participation of a person aged ``age`` on 1 January, for a request on ``on``."""
    _check_age(age)
    bands = dated.in_force(
        _data()["participations"], on, "Le barème de participation de la C2S", _consequence(on)
    ).value
    for up_to, amount in bands:
        if up_to is None or age <= up_to:
            return amount
    raise ValueError("c2s.toml: the last participation band must have no upper age")


def c2s_eligibility(on: dt.date, foyer: int, ressources: Decimal, age: int) -> C2SResult:
    """Whether a household of ``foyer`` persons with annual ``ressources`` has the C2S on ``on``, and
    the monthly participation of a member aged ``age`` on 1 January.

    Raises ``InvalidHousehold`` (foyer < 1, negative or sub-cent resources, age outside 0–130) and
    ``RuleNotInForce`` (date outside the data).
    """
    _check_resources(ressources)
    _check_age(age)
    limits = ceilings(on, foyer)
    persons = f"{foyer} personne{'s' if foyer > 1 else ''}"
    period = f"du {french_date(limits.valid_from)}" + (
        f" au {french_date(limits.valid_until)}" if limits.valid_until else ""
    )
    notes = [
        f"plafonds de ressources annuelles en vigueur {period} (métropole) pour un foyer de {persons} : "
        f"C2S sans participation jusqu'à {format_euros(limits.gratuite)}, avec participation jusqu'à "
        f"{format_euros(limits.participation)}"
    ]
    if foyer > LISTED_SIZES:
        notes.append(
            f"au-delà de {LISTED_SIZES} personnes, chaque personne en plus ajoute "
            f"{format_euros(limits.extra_gratuite)} au plafond sans participation et "
            f"{format_euros(limits.extra_participation)} au plafond avec participation"
        )
    resources = format_euros(ressources)
    if ressources <= limits.gratuite:
        status, monthly = GRATUITE, ZERO
        notes.append(
            f"ressources de {resources}, pas plus que {format_euros(limits.gratuite)} : "
            "C2S sans participation financière"
        )
    elif ressources <= limits.participation:
        status, monthly = PARTICIPATION, participation(on, age).quantize(CENT)
        notes.append(
            f"ressources de {resources}, au-dessus de {format_euros(limits.gratuite)} mais pas plus que "
            f"{format_euros(limits.participation)} : C2S avec une participation financière"
        )
        notes.append(
            f"participation mensuelle pour une personne de {age} an{'s' if age > 1 else ''} au 1er janvier : "
            f"{format_euros(monthly)} ; chaque membre du foyer couvert paie selon son âge"
        )
    else:
        status, monthly = NON, ZERO
        notes.append(
            f"ressources de {resources}, au-dessus de {format_euros(limits.participation)} : pas de C2S"
        )
    return C2SResult(
        status=status,
        eligible=status != NON,
        participation_mensuelle=monthly,
        ceilings=limits,
        explanations=notes,
    )


def _consequence(on: dt.date) -> str:
    return f"la demande du {french_date(on)} ne peut pas être étudiée"


def _check_foyer(foyer: int) -> None:
    if isinstance(foyer, bool) or not isinstance(foyer, int) or foyer < 1:
        raise InvalidHousehold("Le foyer compte au moins une personne.")


def _check_age(age: int) -> None:
    if isinstance(age, bool) or not isinstance(age, int) or not 0 <= age <= MAX_AGE:
        raise InvalidHousehold(f"L'âge doit être un nombre entier de 0 à {MAX_AGE} ans.")


def _check_resources(ressources: Decimal) -> None:
    if isinstance(ressources, float | bool) or not isinstance(ressources, Decimal | int):
        raise TypeError("resources must be Decimal (or int), never float")
    value = Decimal(ressources)
    if not value.is_finite() or value < 0:
        raise InvalidHousehold("Les ressources ne peuvent pas être négatives.")
    if value != value.quantize(CENT):
        raise InvalidHousehold("Les ressources doivent être en euros et centimes (deux décimales au plus).")


def _amounts(item: dict[str, Any], key: str, where: str) -> tuple[Decimal, ...]:
    values = item.get(key)
    if not isinstance(values, list) or len(values) != LISTED_SIZES:
        raise ValueError(f"{where}: `{key}` must list {LISTED_SIZES} amounts")
    return tuple(Decimal(dated.number(value, where)) for value in values)


def _plafonds(item: dict[str, Any], where: str) -> dict[str, Any]:
    table = {
        "gratuite": _amounts(item, "gratuite", where),
        "participation": _amounts(item, "participation", where),
        "gratuite_extra": Decimal(dated.number(item.get("gratuite_extra"), where)),
        "participation_extra": Decimal(dated.number(item.get("participation_extra"), where)),
    }
    if any(free > paid for free, paid in zip(table["gratuite"], table["participation"], strict=True)):
        raise ValueError(f"{where}: a `gratuite` ceiling is above its `participation` ceiling")
    return table


def _bands(item: dict[str, Any], where: str) -> tuple[tuple[int | None, Decimal], ...]:
    bands = tuple(
        (band.get("up_to"), Decimal(dated.number(band.get("amount"), where)))
        for band in item.get("bands", [])
    )
    limits = [up_to for up_to, _ in bands]
    if not bands or limits[-1] is not None or None in limits[:-1] or limits[:-1] != sorted(limits[:-1]):
        raise ValueError(f"{where}: bands must go up by age, the last one without `up_to`")
    return bands


@cache
def last_known_day() -> dt.date | None:
    """The last day both the ceilings and the participations are known for (None if open-ended)."""
    data = _data()
    ends = [entries[-1].until for entries in data.values()]
    return None if None in ends else min(ends)


def _data() -> dict[str, tuple[dated.Entry, ...]]:
    raw = dated.load("c2s.toml")
    return {
        "plafonds": dated.series(raw.get("plafonds"), "c2s.toml plafonds", _plafonds),
        "participations": dated.series(raw.get("participations"), "c2s.toml participations", _bands),
    }
