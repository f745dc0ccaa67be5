"""Indemnités journalières (IJ) of a salarié: maladie (SJB, cap, carence, days paid) and maternité.

Why: IJ are paid weeks late and members cannot check them. Every step is computed here with the
figures in force on the arrêt's dates (``rules/data/ij.toml``, read through ``dated.py``) and said
in plain French with its figures, so that a member can redo the sum. Pure: no Flask, no database.

Maladie, for one arrêt (``compute_ij``):

1. salaire journalier de base (SJB) = gross salaries of the 3 calendar months before the arrêt
   ÷ 91.25 (``sjb``). Each month's salary is taken into account up to ``plafond_smic`` × the SMIC
   mensuel: the cap is applied **month by month**, as the rule is worded (« dans la limite de 1,4
   fois le Smic mensuel » for each salary period), not on the 3-month total. The two differ when
   the months differ: 4 000 + 1 000 + 1 000 with a monthly cap of 2 552,24 gives 4 552,24 month by
   month, but 6 000 (under 3 × 2 552,24) on the total. The multiplier depends on the first day of
   the arrêt (1.8 before 2025-04-01, 1.4 from then);
2. the SMIC is the one **in force on the last day of the month before the arrêt**
   (``smic_for_arret``), as the rule says. The other reading found in some sources, the SMIC in
   force on the arrêt's first day, differs for arrêts starting in the month of a revaluation: an
   arrêt starting on 2026-01-15 uses the SMIC of 2025-12-31 (1 801,80 €, maximum IJ 41,47 €), not
   the 1 823,03 € in force since 2026-01-01 (41,95 €). This is also why sources disagree on whether
   41,95 € applies from 2026-01-01 or 2026-02-01: with this rule, from arrêts starting 2026-02-01;
3. IJ = 50 % of the SJB (``daily_ij``);
4. carence (``carence``): 3 days, none for a prolongation, none when the arrêt starts after a
   reprise du travail of 48 hours at most, and in ALD only for the first arrêt of a 3-year period;
5. IJ paid for every calendar day after the carence, week-ends included, within 360 IJ per 3 years
   outside ALD (``payable_days``).

Eligibility (``eligible``) is a separate question, asked before: 150 hours worked in the 3 months
before the arrêt, or contributions on 1 015 × the SMIC horaire over the 6 months before it.

Rounding: half-up to the cent (``ROUND_HALF_UP``), once per figure shown: the monthly cap
(1,4 × 1 823,03 = 2 552,242 → 2 552,24), the SJB (65,7534… → 65,75) and the daily IJ. The daily
IJ is 50 % of the SJB **before** its rounding: this is what gives the official maximum amounts
(1 823,03 × 1,4 × 3 ÷ 91,25 = 83,9093 → IJ 41,95; from the rounded 83,91 it would be 41,96, and
53,32 instead of 53,31), so the explanations show the SJB with four decimals in that step. The
total is the daily IJ × the number of days, exact.

Maternité (``maternity_daily``): each month capped at the PMSS in force on the leave's first day,
SJB = sum ÷ 91.25, minus a flat 21 %, within the year's minimum and maximum.

Amounts are ``Decimal`` in euros; salaries must be in cents. Errors are ``RulesError``
subclasses with a French message: ``RuleNotInForce`` for a date outside the data, ``InvalidArret``
for an impossible request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Final

from app.rules import dated
from app.rules.french import MONTHS
from app.rules.liquidation import NBSP, format_euros
from app.rules.tariffs import CENT, RuleNotInForce, RulesError, french_date

__all__ = [
    "ArretIJ",
    "Carence",
    "Eligibility",
    "IJResult",
    "InvalidArret",
    "MaternityIJ",
    "PreviousArret",
    "RuleNotInForce",
    "RulesError",
    "SalaireJournalierBase",
    "add_years",
    "carence",
    "compute_ij",
    "daily_ij",
    "eligibility_conditions",
    "eligible",
    "maternity_daily",
    "payable_days",
    "sjb",
    "smic_for_arret",
    "smic_horaire_on",
    "smic_mensuel_on",
    "smic_reference_date",
]

ZERO: Final = Decimal("0.00")
HUNDRED: Final = Decimal(100)
SALARY_MONTHS: Final = 3
CONTRIBUTION_MONTHS: Final = 6
ALD_PERIOD_YEARS: Final = 3
_SERIES: Final = (
    "smic_mensuel",
    "smic_horaire",
    "plafond_smic",
    "taux",
    "diviseur",
    "carence_jours",
    "reprise_heures",
    "ij_max_3_ans",
    "heures_3_mois",
    "smic_horaire_6_mois",
    "pmss",
    "maternite_abattement",
    "maternite_minimum",
    "maternite_maximum",
    "csg",
    "crds",
)


class InvalidArret(RulesError):
    """The arrêt or the salaries given are impossible (end before start, negative salary…)."""


@dataclass(frozen=True, slots=True)
class PreviousArret:
    """An earlier arrêt of the same person (an initial arrêt with its prolongations, as one)."""

    start: dt.date
    end: dt.date
    ald: bool = False


@dataclass(frozen=True, slots=True)
class ArretIJ:
    """An arrêt de travail to compute.

    ``salaries``: the gross salaries of the 3 calendar months before the arrêt, oldest first (for
    a prolongation, before the initial arrêt). ``prolongation``: this arrêt prolongs an earlier
    one; ``episode_start`` is then the first day of the initial arrêt, which fixes the SMIC and
    the cap (default: ``start``). ``previous``: earlier arrêts, for the 48-hour and ALD carence
    rules. ``days_paid_3_years``: IJ already paid in the 3 years before ``start``, outside ALD.
    """

    start: dt.date
    end: dt.date
    salaries: Sequence[Decimal]
    prolongation: bool = False
    ald: bool = False
    previous: tuple[PreviousArret, ...] = ()
    days_paid_3_years: int = 0
    episode_start: dt.date | None = None


@dataclass(frozen=True, slots=True)
class SalaireJournalierBase:
    """The SJB of an arrêt starting on ``start`` and how it was found.

    ``months``: (year, month) of each salary; ``retained``: each salary after the monthly cap
    (``monthly_cap`` = ``multiplier`` × ``smic``, the SMIC in force on ``smic_date``); ``exact``:
    the total ÷ ``divisor`` unrounded; ``amount``: the same to the cent, as shown.
    """

    start: dt.date
    months: tuple[tuple[int, int], ...]
    salaries: tuple[Decimal, ...]
    retained: tuple[Decimal, ...]
    smic_date: dt.date
    smic: Decimal
    multiplier: Decimal
    monthly_cap: Decimal
    total: Decimal
    divisor: Decimal
    exact: Decimal
    amount: Decimal
    plafond_applique: bool


@dataclass(frozen=True, slots=True)
class Carence:
    """The carence of an arrêt: ``days`` (3 or 0) and why, in French."""

    days: int
    explanation: str


@dataclass(frozen=True, slots=True)
class Eligibility:
    """Whether the conditions for IJ (arrêt of less than 6 months) are met, and the thresholds."""

    eligible: bool
    hours_threshold: int
    contributions_threshold: Decimal
    smic_horaire: Decimal
    smic_date: dt.date
    explanation: str


@dataclass(frozen=True, slots=True)
class IJResult:
    """The IJ of one arrêt: ``first_paid_day`` is None when no day is paid."""

    sjb: Decimal
    daily: Decimal
    plafond_applique: bool
    carence_days: int
    first_paid_day: dt.date | None
    days_paid: int
    total: Decimal
    explanations: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class MaternityIJ:
    """The daily IJ of a congé maternité starting on ``start``; ``sjb`` after the PMSS cap."""

    start: dt.date
    pmss: Decimal
    sjb: Decimal
    daily: Decimal
    plafond_applique: bool
    minimum_applique: bool
    maximum_applique: bool
    explanations: list[str] = field(default_factory=list)


def smic_reference_date(start: dt.date) -> dt.date:
    """The last day of the month before the one ``start`` falls in: 2026-01-15 → 2025-12-31."""
    _check_date(start)
    return start.replace(day=1) - dt.timedelta(days=1)


def smic_mensuel_on(day: dt.date) -> Decimal:
    """The SMIC mensuel in force on ``day``; ``RuleNotInForce`` outside ``ij.toml``."""
    _check_date(day)
    return _decimal("smic_mensuel", day, "Le SMIC mensuel", f"aucune valeur pour le {french_date(day)}")


def smic_horaire_on(day: dt.date) -> Decimal:
    """The SMIC horaire in force on ``day``; ``RuleNotInForce`` outside ``ij.toml``."""
    _check_date(day)
    return _decimal("smic_horaire", day, "Le SMIC horaire", f"aucune valeur pour le {french_date(day)}")


def smic_for_arret(start: dt.date) -> Decimal:
    """The SMIC mensuel used for an arrêt starting on ``start``: the one in force on
    ``smic_reference_date(start)``, not ``smic_mensuel_on(start)`` (the other reading, see the
    module's docstring).

    Raises ``RuleNotInForce`` when that day is outside ``ij.toml``.
    """
    return _decimal("smic_mensuel", smic_reference_date(start), "Le SMIC mensuel", _arret(start))


def sjb(salaries: Sequence[Decimal], start: dt.date) -> SalaireJournalierBase:
    """The SJB of an arrêt starting on ``start`` from the 3 months' gross ``salaries`` (oldest first).

    Each month is capped at ``plafond_smic`` × ``smic_for_arret(start)``, the cap rounded to the
    cent. Raises ``InvalidArret`` for salaries that are not 3 amounts in cents above zero (an
    incomplete reference period is computed by the caisse on a reconstituted salary, which this
    engine does not do), ``RuleNotInForce`` outside the data.
    """
    amounts = _salaries(salaries)
    consequence = _arret(start)
    smic_date = smic_reference_date(start)
    smic = smic_for_arret(start)
    multiplier = _decimal("plafond_smic", start, "Le plafond des salaires pris en compte", consequence)
    divisor = _decimal("diviseur", start, "Le diviseur du salaire journalier de base", consequence)
    cap = _half_up(multiplier * smic)
    retained = tuple(min(amount, cap) for amount in amounts)
    total = sum(retained, ZERO)
    exact = total / divisor
    return SalaireJournalierBase(
        start=start,
        months=_months_before(start, SALARY_MONTHS),
        salaries=amounts,
        retained=retained,
        smic_date=smic_date,
        smic=smic,
        multiplier=multiplier,
        monthly_cap=cap,
        total=total,
        divisor=divisor,
        exact=exact,
        amount=_half_up(exact),
        plafond_applique=retained != amounts,
    )


def daily_ij(base: SalaireJournalierBase) -> Decimal:
    """The daily IJ: ``taux`` % of the SJB before its rounding, half-up to the cent."""
    rate = _decimal("taux", base.start, "Le taux des indemnités journalières", _arret(base.start))
    return _half_up(base.exact * rate / HUNDRED)


def carence(
    start: dt.date,
    *,
    prolongation: bool = False,
    ald: bool = False,
    previous: Iterable[PreviousArret] = (),
) -> Carence:
    """The carence of an arrêt starting on ``start``: 3 days, or 0 in these cases, checked in order:

    - ``prolongation``: the arrêt prolongs another, whose carence already counted;
    - reprise of 48 hours at most: an earlier arrêt ended at most 2 days of work before ``start``,
      i.e. ``start - previous.end - 1 <= 2`` (ended on the 4th → back at work on the 5th and 6th →
      a new arrêt on the 7th has no carence, one on the 8th has). The days between two arrêts are
      whole days of work, so 48 hours is 2 days; an arrêt right after another (no day between) or
      overlapping it is the same case;
    - ALD: the carence applies to the first arrêt of a 3-year period only. Periods are counted from
      date to date from the first ALD arrêt of ``previous`` that opened a period: an ALD arrêt
      starting before the period's third anniversary has no carence; one starting on it or later
      opens a new period and has the carence. ``previous`` must go back far enough to find the
      first arrêt of the current period.
    """
    _check_date(start)
    consequence = _arret(start)
    days = int(_value("carence_jours", start, "Le délai de carence", consequence))
    earlier = sorted((arret for arret in previous if arret.start < start), key=lambda a: a.start)
    for arret in earlier:
        _check_date(arret.start)
        _check_date(arret.end)
        if arret.end < arret.start:
            raise InvalidArret(
                f"L'arrêt précédent du {french_date(arret.start)} finit avant d'avoir commencé."
            )
    if prolongation:
        return Carence(0, "prolongation d'un arrêt : pas de nouveau délai de carence")
    reprise_days = int(_value("reprise_heures", start, "La durée de reprise du travail", consequence)) // 24
    for arret in reversed(earlier):
        if (start - arret.end).days - 1 <= reprise_days:
            return Carence(
                0,
                f"arrêt commençant après une reprise du travail de {reprise_days * 24} heures au plus "
                f"(arrêt précédent terminé le {french_date(arret.end)}) : pas de nouveau délai de carence",
            )
    if ald:
        period_start = None
        for arret in earlier:
            if arret.ald and (
                period_start is None or arret.start >= add_years(period_start, ALD_PERIOD_YEARS)
            ):
                period_start = arret.start
        if period_start is not None and start < add_years(period_start, ALD_PERIOD_YEARS):
            return Carence(
                0,
                f"ALD : le délai de carence ne s'applique qu'au premier arrêt d'une période de "
                f"{ALD_PERIOD_YEARS} ans ; cette période a commencé le {french_date(period_start)} : "
                "pas de délai de carence",
            )
        return Carence(
            days,
            f"ALD : premier arrêt d'une période de {ALD_PERIOD_YEARS} ans, délai de carence de {days} jours",
        )
    return Carence(days, f"délai de carence de {days} jours")


def eligible(
    hours_3_months: Decimal | int | None, contributions_6_months: Decimal | None, start: dt.date
) -> Eligibility:
    """Whether a salarié has the right to IJ for an arrêt (of less than 6 months) starting on ``start``.

    Met with ``heures_3_mois`` (150) hours worked in the 3 calendar months before the arrêt, or with
    gross salaries subject to contributions of at least ``smic_horaire_6_mois`` (1 015) × the SMIC
    horaire over the 6 calendar months before it. The SMIC horaire is the one in force on the first
    day of these 6 months (article R. 313-3 of the Code de la sécurité sociale). Either figure may be
    None when unknown, not both. Raises ``InvalidArret`` for negative figures or none given,
    ``RuleNotInForce`` outside the data.
    """
    _check_date(start)
    if hours_3_months is None and contributions_6_months is None:
        raise InvalidArret("Indiquez les heures travaillées sur 3 mois ou les salaires cotisés sur 6 mois.")
    for figure in (hours_3_months, contributions_6_months):
        if figure is not None and (
            isinstance(figure, float | bool) or not isinstance(figure, Decimal | int) or figure < 0
        ):
            raise InvalidArret("Les heures et les salaires doivent être des nombres positifs ou nuls.")
    consequence = _arret(start)
    hours_threshold = int(_value("heures_3_mois", start, "Le seuil d'heures travaillées", consequence))
    count = int(_value("smic_horaire_6_mois", start, "Le seuil de cotisations", consequence))
    smic_date = _contribution_period_start(start)
    smic_horaire = _decimal("smic_horaire", smic_date, "Le SMIC horaire", consequence)
    threshold = _half_up(count * smic_horaire)
    by_hours = hours_3_months is not None and hours_3_months >= hours_threshold
    by_contributions = contributions_6_months is not None and contributions_6_months >= threshold
    conditions = eligibility_conditions(start)
    if by_hours:
        explanation = (
            f"droit ouvert par les heures travaillées ({_number(hours_3_months)} heures) : {conditions}"
        )
    elif by_contributions:
        explanation = (
            f"droit ouvert par les salaires cotisés ({_euros(contributions_6_months)}) : {conditions}"
        )
    else:
        explanation = f"conditions non remplies : il faut {conditions}"
    return Eligibility(
        eligible=by_hours or by_contributions,
        hours_threshold=hours_threshold,
        contributions_threshold=threshold,
        smic_horaire=smic_horaire,
        smic_date=smic_date,
        explanation=explanation,
    )


def eligibility_conditions(start: dt.date) -> str:
    """The conditions of ``eligible`` for an arrêt starting on ``start``, as a French phrase, with
    the contributions threshold in euros when the SMIC horaire of that date is known."""
    consequence = _arret(start)
    hours_threshold = int(_value("heures_3_mois", start, "Le seuil d'heures travaillées", consequence))
    count = int(_value("smic_horaire_6_mois", start, "Le seuil de cotisations", consequence))
    smic_date = _contribution_period_start(start)
    try:
        smic_horaire = _decimal("smic_horaire", smic_date, "Le SMIC horaire", consequence)
    except RuleNotInForce:
        amount = f"{_number(count)} fois le SMIC horaire"
    else:
        amount = (
            f"{_number(count)} × {_euros(smic_horaire)} (SMIC horaire au {french_date(smic_date)}) = "
            f"{_euros(_half_up(count * smic_horaire))}"
        )
    return (
        f"{hours_threshold} heures travaillées sur les 3 mois civils précédant l'arrêt, ou des salaires "
        f"cotisés d'au moins {amount} sur les 6 mois civils précédents"
    )


def payable_days(days: int, days_paid_3_years: int, *, ald: bool, start: dt.date) -> int:
    """How many of ``days`` (after the carence) can be paid, given the IJ already paid in the 3 years
    before ``start``: at most ``ij_max_3_ans`` (360) over 3 years outside ALD; no such cap in ALD.

    The count of the 3 previous years is taken on the arrêt's first day.
    """
    _check_date(start)
    for number in (days, days_paid_3_years):
        if isinstance(number, bool) or not isinstance(number, int) or number < 0:
            raise InvalidArret("Les nombres de jours doivent être des entiers positifs ou nuls.")
    if ald:
        return days
    cap = int(_value("ij_max_3_ans", start, "Le plafond d'indemnités sur 3 ans", _arret(start)))
    return max(0, min(days, cap - days_paid_3_years))


def compute_ij(arret: ArretIJ) -> IJResult:
    """The IJ of ``arret``: SJB, daily amount, carence, days paid and total, with French explanations.

    Eligibility is not checked here (see ``eligible``). Raises ``InvalidArret`` (end before start,
    bad salaries, negative counts) and ``RuleNotInForce`` (a date outside ``ij.toml``).
    """
    _check_date(arret.start)
    _check_date(arret.end)
    if arret.end < arret.start:
        raise InvalidArret(
            f"La fin de l'arrêt ({french_date(arret.end)}) précède son début ({french_date(arret.start)})."
        )
    episode_start = arret.episode_start or arret.start
    _check_date(episode_start)
    if episode_start > arret.start:
        raise InvalidArret("L'arrêt initial ne peut pas commencer après sa prolongation.")
    base = sjb(arret.salaries, episode_start)
    daily = daily_ij(base)
    waiting = carence(arret.start, prolongation=arret.prolongation, ald=arret.ald, previous=arret.previous)
    length = (arret.end - arret.start).days + 1
    carence_days = min(waiting.days, length)
    after_carence = length - carence_days
    days_paid = payable_days(after_carence, arret.days_paid_3_years, ald=arret.ald, start=arret.start)
    first_paid = arret.start + dt.timedelta(days=carence_days) if days_paid else None
    total = daily * days_paid
    notes = _explain_sjb(base)
    rate = _decimal("taux", base.start, "Le taux des indemnités journalières", _arret(base.start))
    notes.append(
        f"indemnité journalière : {_number(rate)} % de {_decimal_text(base.exact, 4)} (salaire journalier "
        f"de base avant arrondi) = {_euros(daily)}, arrondie au centime le plus proche"
    )
    if carence_days:
        last_waiting = arret.start + dt.timedelta(days=carence_days - 1)
        notes.append(
            f"{waiting.explanation} : du {french_date(arret.start)} au {french_date(last_waiting)}, "
            "non indemnisés"
        )
    else:
        notes.append(waiting.explanation)
    if not after_carence:
        notes.append(
            f"arrêt de {_days(length)} entièrement compris dans le délai de carence : aucune indemnité"
        )
    notes.extend(_explain_cap(arret, after_carence, days_paid))
    if first_paid is not None:
        last = first_paid + dt.timedelta(days=days_paid - 1)
        notes.append(
            f"indemnités versées pour chaque jour calendaire, week-ends et jours fériés compris, du "
            f"{french_date(first_paid)} au {french_date(last)} : {_days(days_paid)} × {_euros(daily)} = "
            f"{_euros(total)}"
        )
    consequence = _arret(arret.start)
    csg = _decimal("csg", arret.start, "Le taux de CSG", consequence)
    crds = _decimal("crds", arret.start, "Le taux de CRDS", consequence)
    notes.append(
        f"montants bruts : la CSG ({_number(csg)} %) et la CRDS ({_number(crds)} %) sont prélevées "
        "avant le versement"
    )
    return IJResult(
        sjb=base.amount,
        daily=daily,
        plafond_applique=base.plafond_applique,
        carence_days=carence_days,
        first_paid_day=first_paid,
        days_paid=days_paid,
        total=total,
        explanations=notes,
    )


def maternity_daily(salaries: Sequence[Decimal], start: dt.date) -> MaternityIJ:
    """The daily IJ of a congé maternité starting on ``start``.

    Each month's gross salary (3 calendar months before ``start``, oldest first) is capped at the
    PMSS in force on ``start``; SJB = their sum ÷ 91.25; the IJ is the SJB minus the flat
    ``maternite_abattement`` (21 %), half-up to the cent from the unrounded SJB, then raised to the
    year's minimum or lowered to its maximum. Raises ``InvalidArret`` for bad salaries,
    ``RuleNotInForce`` outside the data (the 2025 minimum is not known: 2025 is refused).
    """
    amounts = _salaries(salaries)
    consequence = (
        f"l'indemnité du congé maternité commençant le {french_date(start)} ne peut pas être calculée"
    )
    pmss = _decimal("pmss", start, "Le plafond mensuel de la sécurité sociale", consequence)
    divisor = _decimal("diviseur", start, "Le diviseur du salaire journalier de base", consequence)
    reduction = _decimal("maternite_abattement", start, "L'abattement forfaitaire", consequence)
    minimum = _decimal("maternite_minimum", start, "Le montant minimal de l'indemnité maternité", consequence)
    maximum = _decimal("maternite_maximum", start, "Le montant maximal de l'indemnité maternité", consequence)
    retained = tuple(min(amount, pmss) for amount in amounts)
    exact = sum(retained, ZERO) / divisor
    computed = _half_up(exact * (HUNDRED - reduction) / HUNDRED)
    daily = min(max(computed, minimum), maximum)
    notes = [
        "salaires bruts des 3 mois civils précédant le congé : "
        + ", ".join(
            f"{_month(month)} {_euros(amount)}"
            for month, amount in zip(_months_before(start, SALARY_MONTHS), amounts, strict=True)
        ),
        f"chaque salaire est retenu dans la limite du plafond mensuel de la sécurité sociale "
        f"({_euros(pmss)})",
    ]
    notes.extend(
        f"salaire de {_month(month)} ramené de {_euros(amount)} à {_euros(kept)}"
        for month, amount, kept in zip(_months_before(start, SALARY_MONTHS), amounts, retained, strict=True)
        if kept != amount
    )
    total = sum(retained, ZERO)
    notes.append(
        f"salaire journalier de base : {_euros(total)} ÷ {_number(divisor)} = {_euros(_half_up(exact))}"
    )
    notes.append(
        f"indemnité journalière : {_decimal_text(exact, 4)} moins {_number(reduction)} % = {_euros(computed)}"
    )
    if computed < minimum:
        notes.append(f"montant relevé au minimum de {_euros(minimum)} par jour")
    elif computed > maximum:
        notes.append(f"montant ramené au maximum de {_euros(maximum)} par jour")
    return MaternityIJ(
        start=start,
        pmss=pmss,
        sjb=_half_up(exact),
        daily=daily,
        plafond_applique=retained != amounts,
        minimum_applique=computed < minimum,
        maximum_applique=computed > maximum,
        explanations=notes,
    )


def add_years(day: dt.date, years: int) -> dt.date:
    """``day`` plus ``years``, date to date; a 29 February gives 1 March in a common year (a period
    from 2024-02-29 covers the whole of 2027-02-28)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 3, 1)


def _explain_sjb(base: SalaireJournalierBase) -> list[str]:
    pairs = list(zip(base.months, base.salaries, base.retained, strict=True))
    notes = [
        "salaires bruts des 3 mois civils précédant l'arrêt : "
        + ", ".join(f"{_month(month)} {_euros(amount)}" for month, amount, _ in pairs),
        f"chaque salaire est retenu dans la limite de {_number(base.multiplier)} × le SMIC mensuel de "
        f"{_euros(base.smic)} (SMIC en vigueur le {french_date(base.smic_date)}, dernier jour du mois "
        f"précédant l'arrêt) = {_euros(base.monthly_cap)}",
    ]
    notes.extend(
        f"salaire de {_month(month)} ramené de {_euros(amount)} à {_euros(kept)} (plafond)"
        for month, amount, kept in pairs
        if kept != amount
    )
    notes.append(
        f"salaire journalier de base : {_euros(base.total)} ÷ {_number(base.divisor)} = {_euros(base.amount)}"
    )
    return notes


def _explain_cap(arret: ArretIJ, after_carence: int, days_paid: int) -> list[str]:
    if arret.ald:
        return ["ALD : le plafond de 360 indemnités journalières sur 3 ans ne s'applique pas"]
    if not arret.days_paid_3_years and days_paid == after_carence:
        return []
    cap = int(_value("ij_max_3_ans", arret.start, "Le plafond d'indemnités sur 3 ans", _arret(arret.start)))
    note = (
        f"au plus {cap} indemnités journalières sur 3 ans (hors ALD) : "
        f"{_days(arret.days_paid_3_years)} déjà indemnisés"
    )
    if days_paid < after_carence:
        note += f", {_days(days_paid)} indemnisables sur {_days(after_carence)}"
    return [note]


def _salaries(salaries: Sequence[Decimal]) -> tuple[Decimal, ...]:
    """The 3 salaries as Decimals in cents, each above zero; ``InvalidArret`` otherwise."""
    if (
        isinstance(salaries, str | bytes)
        or not isinstance(salaries, Sequence)
        or len(salaries) != SALARY_MONTHS
    ):
        raise InvalidArret("Trois salaires bruts mensuels sont attendus, du plus ancien au plus récent.")
    amounts = []
    for amount in salaries:
        if isinstance(amount, float | bool) or not isinstance(amount, Decimal | int):
            raise TypeError("salaries must be Decimal (or int), never float")
        amount = Decimal(amount)
        if not amount.is_finite() or amount <= 0:
            raise InvalidArret(
                "Chaque salaire brut mensuel doit être supérieur à 0 € : une période incomplète "
                "(embauche récente, congé sans solde) est calculée par la caisse sur un salaire reconstitué."
            )
        if amount != amount.quantize(CENT):
            raise InvalidArret("Les salaires doivent être en euros et centimes (deux décimales au plus).")
        amounts.append(amount.quantize(CENT))
    return tuple(amounts)


def _months_before(start: dt.date, count: int) -> tuple[tuple[int, int], ...]:
    """The ``count`` calendar months before the month of ``start``, oldest first, as (year, month)."""
    index = start.year * 12 + start.month - 1
    return tuple(
        (year, month + 1) for year, month in (divmod(index - back, 12) for back in range(count, 0, -1))
    )


def _contribution_period_start(start: dt.date) -> dt.date:
    """The first day of the 6 calendar months before the arrêt, when the SMIC horaire is read."""
    year, month = _months_before(start, CONTRIBUTION_MONTHS)[0]
    return dt.date(year, month, 1)


def _month(month: tuple[int, int]) -> str:
    year, number = month
    return f"{MONTHS[number - 1]} {year}"


def _arret(start: dt.date) -> str:
    return f"l'arrêt commençant le {french_date(start)} ne peut pas être calculé"


def _value(name: str, on: dt.date, what: str, consequence: str) -> Decimal | int:
    return dated.in_force(_data()[name], on, what, consequence).value


def _decimal(name: str, on: dt.date, what: str, consequence: str) -> Decimal:
    return Decimal(_value(name, on, what, consequence))


def _half_up(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _euros(amount: Decimal | None) -> str:
    return format_euros(amount if amount is not None else ZERO)


def _decimal_text(amount: Decimal, places: int) -> str:
    """``65,7534 €``: an amount with more decimals than cents, half-up."""
    text = f"{amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):,.{places}f}"
    return text.replace(",", NBSP).replace(".", ",") + NBSP + "€"


def _number(value: Decimal | int) -> str:
    """``1,4``, ``91,25``, ``1 015``: a figure in French, without trailing zeros."""
    text = f"{Decimal(value).normalize():,f}"
    return text.replace(",", NBSP).replace(".", ",")


def _days(count: int) -> str:
    return f"{count} jour{'s' if count > 1 else ''}"


def _check_date(day: object) -> None:
    if isinstance(day, dt.datetime) or not isinstance(day, dt.date):
        raise TypeError("dates must be datetime.date values (not datetime)")


@cache
def _data() -> dict[str, tuple[dated.Entry, ...]]:
    raw = dated.load("ij.toml")
    unknown = set(raw) - set(_SERIES)
    if unknown:
        raise ValueError(f"ij.toml: unknown series {sorted(unknown)}")
    return {name: dated.series(raw.get(name), f"ij.toml {name}") for name in _SERIES}
