"""The IJ and C2S simulators' JSON contracts: parse and check a request, run the rules, shape the answer.

Same conventions as the refund simulator (``simulations.py``): field errors are all collected,
named as in the request (``salaires[1]``), each with a French message, and raised together as a
``ContractError``; what the rules refuse (a date outside their data) is a ``RulesError``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any, Final

from app.api.json import money
from app.api.simulations import ContractError, Reader
from app.rules import c2s, ij
from app.rules.tariffs import french_date

MAX_FOYER: Final = 30


def _required_integer(read: Reader, value: Any, name: str, low: int, high: int) -> int | None:
    """A required whole number from ``low`` to ``high``; None (and an error) otherwise."""
    if value is None:
        read.errors[name] = f"Un nombre entier de {low} à {high} est attendu."
        return None
    number = read.integer(value, name, low - 1, low, high)
    return None if name in read.errors else number


def parse_ij_request(body: Any) -> ij.ArretIJ:
    """Read the IJ simulator's body; raises ``ContractError`` with every faulty field.

    ``fin`` must be on or after ``debut`` and less than a year after it (the simulator covers one
    arrêt of at most a year); ``salaires`` are 3 amounts above 0 (an incomplete period is computed
    by the caisse on a reconstituted salary).
    """
    read = Reader()
    body = read.obj(body, "corps")
    if read.errors:
        raise ContractError(read.errors)
    start = read.date(body.get("debut"), "debut")
    end = read.date(body.get("fin"), "fin")
    if start and end and end < start:
        read.errors["fin"] = (
            f"La date de fin ne peut pas précéder la date de début de l'arrêt ({french_date(start)})."
        )
    elif start and end and end >= ij.add_years(start, 1):
        read.errors["fin"] = (
            "Un arrêt de plus d'un an ne peut pas être simulé : la date de fin doit précéder le "
            f"{french_date(ij.add_years(start, 1))}."
        )
    raw_salaries = body.get("salaires")
    salaries: list[Decimal] = []
    if not isinstance(raw_salaries, list) or len(raw_salaries) != ij.SALARY_MONTHS:
        read.errors["salaires"] = (
            "Trois salaires bruts mensuels sont attendus, du plus ancien au plus récent."
        )
    else:
        for index, raw in enumerate(raw_salaries):
            name = f"salaires[{index}]"
            amount = read.amount(raw, name)
            if amount is not None and amount == 0:
                read.errors[name] = (
                    "Le salaire brut doit être supérieur à 0 € : une période incomplète (embauche récente, "
                    "congé sans solde) est calculée par la caisse sur un salaire reconstitué."
                )
            elif amount is not None:
                salaries.append(amount)
    prolongation = read.boolean(body.get("prolongation"), "prolongation", default=False)
    ald = read.boolean(body.get("ald"), "ald", default=False)
    if read.errors or start is None or end is None:
        raise ContractError(read.errors)
    return ij.ArretIJ(start=start, end=end, salaries=tuple(salaries), prolongation=prolongation, ald=ald)


def run_ij(body: Any) -> ij.IJResult:
    """The IJ simulator's result: ``ContractError`` for bad fields, ``RulesError`` for what the rules
    refuse. Eligibility is not asked: the explanations say that it is assumed."""
    arret = parse_ij_request(body)
    result = ij.compute_ij(arret)
    conditions = ij.eligibility_conditions(arret.start)
    note = (
        "le calcul suppose remplies les conditions d'ouverture des droits (pour un arrêt de moins de "
        f"6 mois) : {conditions}"
    )
    return dataclasses.replace(result, explanations=[*result.explanations, note])


def ij_document(result: ij.IJResult) -> dict[str, Any]:
    """The published answer: amounts as numbers with two decimals, the first paid day ISO or null."""
    return {
        "salaire_journalier_base": money(result.sjb),
        "indemnite_journaliere": money(result.daily),
        "plafond_applique": result.plafond_applique,
        "jours_carence": result.carence_days,
        "premier_jour_indemnise": result.first_paid_day.isoformat() if result.first_paid_day else None,
        "jours_indemnises": result.days_paid,
        "montant_total": money(result.total),
        "explications": result.explanations,
    }


def simulate_ij(body: Any) -> dict[str, Any]:
    """``POST /api/v1/simulations/indemnites-journalieres``."""
    return ij_document(run_ij(body))


def parse_c2s_request(body: Any) -> tuple[dt.date, int, Decimal, int]:
    """Read the C2S simulator's body: (date, foyer, ressources, age); ``ContractError`` otherwise."""
    read = Reader()
    body = read.obj(body, "corps")
    if read.errors:
        raise ContractError(read.errors)
    on = read.date(body.get("date"), "date")
    foyer = _required_integer(read, body.get("foyer"), "foyer", 1, MAX_FOYER)
    ressources = read.amount(body.get("ressources"), "ressources")
    age = _required_integer(read, body.get("age"), "age", 0, c2s.MAX_AGE)
    if read.errors or on is None or foyer is None or ressources is None or age is None:
        raise ContractError(read.errors)
    return on, foyer, ressources, age


def run_c2s(body: Any) -> c2s.C2SResult:
    """The C2S simulator's result: ``ContractError`` for bad fields, ``RulesError`` outside the data."""
    return c2s.c2s_eligibility(*parse_c2s_request(body))


def c2s_document(result: c2s.C2SResult) -> dict[str, Any]:
    """The published answer: eligible, monthly participation (0.00 when free or not entitled), why."""
    return {
        "eligible": result.eligible,
        "participation_mensuelle": money(result.participation_mensuelle),
        "explications": result.explanations,
    }


def simulate_c2s(body: Any) -> dict[str, Any]:
    """``POST /api/v1/simulations/c2s``."""
    return c2s_document(run_c2s(body))
