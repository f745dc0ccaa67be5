"""Dated refund rules: act tariffs, rates, participation forfaitaire and franchises, on a care date.

Why: every figure of the refund engine (``liquidation.py``) changes over time, and a refund is
computed with the rules in force **on the date of the care**, never today's. The figures live in
``rules/data/`` (``tarifs.toml``: acts and key letters; ``categories.toml``: rates and what each
category of act bears; ``participations.toml``: participation forfaitaire and franchises), each with
its ``from`` date and its source; this module reads them once and answers "which value on this day?".

A value applies from its ``from`` date until the next value's. Values whose sources give no start
date are dated from ``meta.coverage_from`` (2023-01-01), the first care date the engine accepts:
earlier care raises ``RuleNotInForce`` rather than use a value nobody sourced.

Errors are ``RulesError`` subclasses whose message is French, ready to show to the member.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any, Final

_DATA_DIR: Final = Path(__file__).resolve().parent / "data"
CENT: Final = Decimal("0.01")

SECTEURS: Final = ("1", "2_optam", "2", "3")
CATEGORIES: Final = (
    "medecin",
    "dentiste",
    "paramedical",
    "medicament",
    "transport",
    "biologie",
    "radiologie",
)


class RulesError(ValueError):
    """A care the engine cannot compute; ``str(error)`` is a French message for the member."""


class UnknownAct(RulesError):
    """The act code is not in the catalogue (``tarifs.toml``)."""


class RuleNotInForce(RulesError):
    """No rule is known for this date (before the data's first date, or a value the sources lack)."""


class InvalidCare(RulesError):
    """The care described is impossible (negative amount, date before birth, unknown secteur…)."""


@dataclass(frozen=True, slots=True)
class Dated:
    """One dated value of the data files: in force from ``start`` until the next entry's start.

    ``value`` is None when ``known`` is false: the sources say the value changed on ``start`` but not
    to what. ``start_known`` is false when the sources give the value without its real start date.
    """

    start: dt.date
    value: Decimal | int | None
    source: str
    known: bool = True
    start_known: bool = True
    hors_parcours: int | None = None


@dataclass(frozen=True, slots=True)
class Act:
    """An act of the catalogue, as in force on ``on``.

    ``tariff`` is the base de remboursement (BR) of one act in secteur 1 / secteur 2 OPTAM, None when
    ``base_given`` (the caller gives the BR: medicines, kiné, transport, biology, radiology).
    ``rate`` is the refund rate in percent (in the parcours de soins where it matters);
    ``rate_hors_parcours`` the rate outside the parcours, None when the parcours does not matter.
    ``majoration``: a supplement of a consultation (no PF of its own); ``max_age``: the act applies
    to patients strictly younger than this. ``source`` is where the tariff (or the act's own rate)
    comes from.
    """

    code: str
    label: str
    category: str
    on: dt.date
    tariff: Decimal | None
    base_given: bool
    rate: int
    rate_hors_parcours: int | None
    majoration: bool
    max_age: int | None
    source: str


@dataclass(frozen=True, slots=True)
class Category:
    """What a category of act bears on ``on``: PF, which franchise kind, whether secteur/parcours matter."""

    name: str
    label: str
    on: dt.date
    pf: bool
    franchise: str | None
    secteur: bool
    parcours: bool


@dataclass(frozen=True, slots=True)
class ParticipationForfaitaire:
    """The PF in force on ``on``: amount per act, annual cap per person, daily count per professional."""

    on: dt.date
    amount: Decimal
    annual_cap: Decimal
    daily_count_per_professional: int


@dataclass(frozen=True, slots=True)
class Franchise:
    """A franchise kind in force on ``on``: amount per unit (box, act, transport) and its caps.

    ``daily_cap`` is per person and calendar day (None: no daily cap, as for medicines);
    ``annual_cap`` is per person and calendar year, shared by all kinds.
    """

    kind: str
    label: str
    unit_label: str
    on: dt.date
    unit: Decimal
    daily_cap: Decimal | None
    annual_cap: Decimal


def french_date(day: dt.date) -> str:
    """``22/12/2024``, as the portal shows dates."""
    return day.strftime("%d/%m/%Y")


def act(code: str, on: dt.date) -> Act:
    """The act ``code`` (case and spaces ignored) as in force on the care date ``on``.

    Raises ``UnknownAct`` for a code not in the catalogue, ``RuleNotInForce`` when its tariff or rate
    is not known on that date.
    """
    _check_date(on)
    normalized = (code or "").strip().upper()
    raw = _data()["acts"].get(normalized)
    if raw is None:
        raise UnknownAct(f"Code d'acte inconnu : « {code} ».")
    rules = category(raw["category"], on)
    tariff: Decimal | None = None
    source = ""
    if not raw["base_given"]:
        entry = _in_force(raw["tariffs"], on, f"Le tarif de l'acte {normalized}")
        tariff, source = _decimal(entry.value), entry.source
    if raw["rates"]:
        entry = _in_force(raw["rates"], on, f"Le taux de remboursement de l'acte {normalized}")
        rate, hors_parcours, source = int(entry.value or 0), None, source or entry.source
    else:
        entry = _in_force(
            _data()["categories"][raw["category"]]["rates"],
            on,
            f"Le taux de remboursement des actes de la catégorie « {rules.label} »",
        )
        rate, hors_parcours = int(entry.value or 0), entry.hors_parcours if rules.parcours else None
        source = source or entry.source
    return Act(
        code=normalized,
        label=raw["label"],
        category=raw["category"],
        on=on,
        tariff=tariff,
        base_given=raw["base_given"],
        rate=rate,
        rate_hors_parcours=hors_parcours,
        majoration=raw["majoration"],
        max_age=raw["max_age"],
        source=source,
    )


def act_codes() -> tuple[str, ...]:
    """Every act code of the catalogue, sorted (dates aside: a code may not be in force on a day)."""
    return tuple(sorted(_data()["acts"]))


def catalogue() -> list[tuple[str, str, bool]]:
    """``(code, label, base_given)`` of every act, sorted by code, for forms and documentation."""
    acts = _data()["acts"]
    return [(code, acts[code]["label"], bool(acts[code]["base_given"])) for code in sorted(acts)]


def coverage_from() -> dt.date:
    """The first care date the engine accepts (``meta.coverage_from`` of ``tarifs.toml``)."""
    return _data()["coverage_from"]


def category(name: str, on: dt.date) -> Category:
    """The category ``name`` on ``on``; a name not in ``categories.toml`` is a programming error."""
    _check_date(on)
    _check_coverage(on)
    raw = _data()["categories"][name]
    return Category(
        name=name,
        label=raw["label"],
        on=on,
        pf=raw["pf"],
        franchise=raw["franchise"],
        secteur=raw["secteur"],
        parcours=raw["parcours"],
    )


def participation_forfaitaire(on: dt.date) -> ParticipationForfaitaire:
    """The participation forfaitaire rules in force on the care date ``on``."""
    _check_date(on)
    pf = _data()["pf"]
    what = "La participation forfaitaire"
    return ParticipationForfaitaire(
        on=on,
        amount=_decimal(_in_force(pf["amount"], on, what).value),
        annual_cap=_decimal(_in_force(pf["annual_cap"], on, f"Le plafond annuel de {what.lower()}").value),
        daily_count_per_professional=int(
            _in_force(
                pf["daily_count_per_professional"], on, f"Le plafond journalier de {what.lower()}"
            ).value
            or 0
        ),
    )


def franchise(kind: str, on: dt.date) -> Franchise:
    """The franchise of ``kind`` (``medicament``, ``paramedical``, ``transport``) on the care date ``on``."""
    _check_date(on)
    data = _data()["franchise"]
    raw = data["kinds"][kind]
    what = f"La franchise médicale par {raw['unit_label']}"
    daily_cap = (
        _in_force(raw["daily_cap"], on, f"Le plafond journalier de {what.lower()}")
        if raw["daily_cap"]
        else None
    )
    return Franchise(
        kind=kind,
        label=raw["label"],
        unit_label=raw["unit_label"],
        on=on,
        unit=_decimal(_in_force(raw["unit"], on, what).value),
        daily_cap=None if daily_cap is None else _decimal(daily_cap.value),
        annual_cap=_decimal(
            _in_force(data["annual_cap"], on, "Le plafond annuel des franchises médicales").value
        ),
    )


def base_for_secteur(act_: Act, secteur: str) -> Decimal | None:
    """The BR of one ``act_`` for a doctor of ``secteur``; None when the caller gives the base.

    Secteur 1 and secteur 2 OPTAM: the tariff. Secteur 2 non-OPTAM: the lower base of
    ``secteur2_non_optam`` in ``tarifs.toml``; where it is unknown on the date the engine refuses
    (``RuleNotInForce``) rather than use the secteur-1 tariff, which would overstate the refund.
    Secteur 3: no tarif d'autorité is sourced, so any act of a category where the secteur matters
    is refused (``RuleNotInForce``). An unknown secteur raises ``InvalidCare``. Categories where the
    secteur does not matter (dentists, medicines…) ignore it.
    """
    check_secteur(secteur)
    rules = category(act_.category, act_.on)
    if not rules.secteur or secteur in ("1", "2_optam"):
        return act_.tariff
    if secteur == "3":
        raise RuleNotInForce(
            f"Le tarif d'autorité d'un médecin non conventionné (secteur 3) n'est pas connu : "
            f"le remboursement de l'acte {act_.code} ne peut pas être calculé."
        )
    if act_.base_given:
        return None
    what = (
        f"La base de remboursement de l'acte {act_.code} chez un médecin de secteur 2 non adhérent à l'OPTAM"
    )
    entries = _data()["acts"][act_.code]["secteur2_non_optam"]
    if not entries:
        raise RuleNotInForce(f"{what} n'est pas connue : le remboursement ne peut pas être calculé.")
    return _decimal(_in_force(entries, act_.on, what).value)


def check_secteur(secteur: str) -> None:
    """Raise ``InvalidCare`` unless ``secteur`` is one of ``SECTEURS``."""
    if secteur not in SECTEURS:
        raise InvalidCare(f"Secteur du médecin inconnu : « {secteur} » (attendu : 1, 2_optam, 2 ou 3).")


def key_letter(key: str, on: dt.date) -> Decimal:
    """The value in euros of the key letter ``key`` (``AMK``, ``AMS``, ``TMK``) on ``on``."""
    _check_date(on)
    normalized = (key or "").strip().upper()
    raw = _data()["key_letters"].get(normalized)
    if raw is None:
        raise UnknownAct(f"Lettre clé inconnue : « {key} ».")
    return _decimal(_in_force(raw["values"], on, f"La valeur de la lettre clé {normalized}").value)


def kine_base(coefficient: Decimal | int, on: dt.date, key: str = "AMK") -> Decimal:
    """BR of one kiné act: ``coefficient`` × the key letter's value on ``on``, half-up to the cent.

    Rounding: the product of a coefficient (7.5) and a key letter (2.21) can have 3 decimals or more
    (16.575); the BR of one act is an amount in euros and cents, so it is rounded here, once per act,
    half-up (16.58), before any quantity multiplies it.
    """
    if isinstance(coefficient, float | bool) or not isinstance(coefficient, Decimal | int):
        raise TypeError("coefficient must be a Decimal or an int")
    coefficient = Decimal(coefficient)
    if not coefficient.is_finite() or coefficient <= 0:
        raise InvalidCare(f"Le coefficient de l'acte {key} doit être un nombre positif.")
    return (coefficient * key_letter(key, on)).quantize(CENT, rounding=ROUND_HALF_UP)


def _decimal(value: Decimal | int | None) -> Decimal:
    return Decimal(value or 0).quantize(CENT)


def _check_date(on: dt.date) -> None:
    if isinstance(on, dt.datetime) or not isinstance(on, dt.date):
        raise TypeError("a care date must be a datetime.date (not a datetime)")


def _check_coverage(on: dt.date) -> None:
    start = _data()["coverage_from"]
    if on < start:
        raise RuleNotInForce(
            f"Les règles de remboursement ne sont connues qu'à partir du {french_date(start)} : "
            f"les soins du {french_date(on)} ne peuvent pas être calculés."
        )


def _in_force(entries: tuple[Dated, ...], on: dt.date, what: str) -> Dated:
    """The entry in force on ``on``; ``what`` starts the French message when there is none."""
    _check_coverage(on)
    current = None
    for entry in entries:
        if entry.start > on:
            break
        current = entry
    if current is None:
        first = french_date(entries[0].start) if entries else None
        when = f" avant le {first}" if first else ""
        raise RuleNotInForce(
            f"{what} n'est pas connu{_agree(what)}{when} : les soins du {french_date(on)} "
            "ne peuvent pas être calculés."
        )
    if not current.known:
        raise RuleNotInForce(
            f"{what} n'est pas connu{_agree(what)} depuis le {french_date(current.start)} : "
            f"les soins du {french_date(on)} ne peuvent pas être calculés."
        )
    return current


def _agree(what: str) -> str:
    """French agreement of « connu » with the subject of ``what`` (« La base… connue »)."""
    return "e" if what.startswith("La ") else ""


@cache
def _data() -> dict[str, Any]:
    """The three TOML files, read once, checked and turned into tuples of ``Dated`` entries."""
    tarifs = _load("tarifs.toml")
    categories = _load("categories.toml")
    participations = _load("participations.toml")
    coverage = tarifs["meta"]["coverage_from"]
    if not isinstance(coverage, dt.date):
        raise ValueError("tarifs.toml: meta.coverage_from must be a date")

    def series(raw: list[dict[str, Any]] | None, where: str) -> tuple[Dated, ...]:
        return _series(raw or [], where, coverage)

    cats = {
        name: {
            "label": raw["label"],
            "pf": bool(raw.get("pf", False)),
            "franchise": raw.get("franchise"),
            "secteur": bool(raw.get("secteur", False)),
            "parcours": bool(raw.get("parcours", False)),
            "rates": series(raw.get("rates"), f"categories.{name}.rates"),
        }
        for name, raw in categories["categories"].items()
    }
    if set(cats) != set(CATEGORIES):
        raise ValueError(f"categories.toml: categories must be {CATEGORIES}")
    kinds = {
        kind: {
            "label": raw["label"],
            "unit_label": raw["unit_label"],
            "unit": series(raw.get("unit"), f"franchise.kinds.{kind}.unit"),
            "daily_cap": series(raw.get("daily_cap"), f"franchise.kinds.{kind}.daily_cap"),
        }
        for kind, raw in participations["franchise"]["kinds"].items()
    }
    acts = {}
    for code, raw in tarifs["acts"].items():
        where = f"tarifs.toml acts.{code}"
        if raw["category"] not in cats:
            raise ValueError(f"{where}: unknown category {raw['category']!r}")
        entry = {
            "label": raw["label"],
            "category": raw["category"],
            "base_given": bool(raw.get("base_given", False)),
            "majoration": bool(raw.get("majoration", False)),
            "max_age": raw.get("max_age"),
            "tariffs": series(raw.get("tariffs"), f"{where}.tariffs"),
            "rates": series(raw.get("rates"), f"{where}.rates"),
            "secteur2_non_optam": series(raw.get("secteur2_non_optam"), f"{where}.secteur2_non_optam"),
        }
        if entry["base_given"] == bool(entry["tariffs"]):
            raise ValueError(f"{where}: an act has either tariffs or base_given = true")
        if not entry["rates"] and not cats[raw["category"]]["rates"]:
            raise ValueError(f"{where}: no rate for the act nor for its category")
        acts[code] = entry
    for name, cat in cats.items():
        if cat["franchise"] is not None and cat["franchise"] not in kinds:
            raise ValueError(f"categories.toml {name}: unknown franchise kind {cat['franchise']!r}")
    pf = participations["pf"]
    return {
        "coverage_from": coverage,
        "acts": acts,
        "categories": cats,
        "key_letters": {
            key: {"label": raw["label"], "values": series(raw["values"], f"key_letters.{key}")}
            for key, raw in tarifs["key_letters"].items()
        },
        "pf": {
            name: series(pf[name], f"pf.{name}")
            for name in ("amount", "annual_cap", "daily_count_per_professional")
        },
        "franchise": {
            "annual_cap": series(participations["franchise"]["annual_cap"], "franchise.annual_cap"),
            "kinds": kinds,
        },
    }


def _load(name: str) -> dict[str, Any]:
    # parse_float=Decimal: 26.50 in the file is Decimal("26.50"), never a binary float.
    with (_DATA_DIR / name).open("rb") as handle:
        return tomllib.load(handle, parse_float=Decimal)


def _series(raw: list[dict[str, Any]], where: str, coverage: dt.date) -> tuple[Dated, ...]:
    """Check one dated series (dates, order, sources, values) and freeze it."""
    entries = []
    for item in raw:
        start = item.get("from")
        if isinstance(start, dt.datetime) or not isinstance(start, dt.date):
            raise ValueError(f"{where}: every entry needs a `from` date")
        if start < coverage:
            raise ValueError(f"{where}: {start} is before meta.coverage_from")
        if not item.get("source"):
            raise ValueError(f"{where}: the entry from {start} has no source")
        known = bool(item.get("known", True))
        value = item.get("value")
        if known != (value is not None):
            raise ValueError(f"{where}: the entry from {start} needs a value, or known = false alone")
        if isinstance(value, bool) or (value is not None and value < 0):
            raise ValueError(f"{where}: the entry from {start} has an invalid value")
        entries.append(
            Dated(
                start=start,
                value=value,
                source=item["source"],
                known=known,
                start_known=bool(item.get("start_known", True)),
                hors_parcours=item.get("hors_parcours"),
            )
        )
    starts = [entry.start for entry in entries]
    if starts != sorted(set(starts)):
        raise ValueError(f"{where}: entries must be in increasing date order, one per date")
    return tuple(entries)
