"""The refund engine ("liquidation"): what the Assurance Maladie pays for a care, line by line, and why.

Why: members find refunds lower than expected with no explanation (participation forfaitaire and
franchises deducted, or recovered later under tiers payant; dépassements never refunded). The engine
computes every amount with the rules in force on each act's date (``tariffs.py``, data in
``rules/data/``) and says each step in plain French.

For each line, in order:

1. base de remboursement (BR) = the act's tariff for the doctor's secteur, or the base the caller
   gives (medicines, kiné, transport, biology, radiology), × quantity; when less is billed than the
   BR, the BR is the amount billed (the Assurance Maladie never pays more than the expense);
2. dépassement = billed − BR, never refunded;
3. rate: ALD (care linked to it) or maternité window → 100 %; doctors' consultations outside the
   parcours de soins → the hors-parcours rate (30 %); otherwise the rate of the act or its category;
4. AMO = BR × rate; ticket modérateur (TM) = BR − AMO, paid by the C2S for its beneficiaries;
5. participation forfaitaire (PF) per doctor's act, radiology or biology act (not on a majoration such
   as MEG), at most ``daily_count_per_professional`` per day and professional, within the annual cap;
6. franchise per medicine box, paramedical act or transport, within the daily cap of its kind and the
   annual cap;
7. PF and franchises are deducted from the AMO; what cannot be deducted (tiers payant, or an AMO
   smaller than them) is a debt recovered later from the person's next payments.

No PF nor franchise for a person under 18 on the act's date, in the maternité window, or with the
C2S. ``CareSituation.ald`` and ``maternite`` say that the care is linked to the ALD and falls in
the maternité window (from the 1st day of the 6th month of pregnancy to 12 days after delivery): the
caller decides. The direct-access specialties count as in the parcours (``parcours_de_soins=True``).
A PF counter is kept per (day, professional) only when the line names its professional.

Money is ``Decimal``. Rounding, half-up to the cent (``ROUND_HALF_UP``), happens at one place only:
the AMO of a line (step 4), because BR × rate can have up to 4 decimals (12.35 × 70 % = 8.645 →
8.65). Amounts given (billed, base) must already be in cents and are refused otherwise; the kiné
base is rounded per act by ``tariffs.kine_base``. PF, franchises, caps and TM are sums and
differences of cents, exact. Totals add the rounded lines, so they match the lines shown.

Amounts in explanations are written ``2,00 €`` with a no-break space before ``€``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from app.rules import tariffs
from app.rules.tariffs import CENT, InvalidCare, RuleNotInForce, RulesError, UnknownAct

__all__ = [
    "ActLine",
    "CareSituation",
    "Counters",
    "InvalidCare",
    "Liquidation",
    "LiquidationLine",
    "RuleNotInForce",
    "RulesError",
    "UnknownAct",
    "format_euros",
    "liquidate",
]

ZERO: Final = Decimal("0.00")
NBSP: Final = "\u00a0"
MAJORITY: Final = 18

# Categories whose amount above the BR is a price (not "honoraires") in the explanations.
_PRICED: Final = frozenset({"medicament", "transport"})


@dataclass(frozen=True, slots=True)
class CareSituation:
    """The person and the care: ``date`` is the care date of lines without a date of their own.

    ``ald``: the care is linked to an affection de longue durée; ``maternite``: the care date is in
    the maternité window; ``secteur``: the doctor's, one of ``"1"``, ``"2_optam"``, ``"2"``
    (non-OPTAM), ``"3"`` (non conventionné).
    """

    birth_date: dt.date
    parcours_de_soins: bool
    ald: bool
    c2s: bool
    maternite: bool
    secteur: str
    date: dt.date


@dataclass(frozen=True, slots=True)
class ActLine:
    """One billed act: ``billed`` is the whole line's amount (all ``quantity`` units).

    ``base`` is the BR of **one** unit, required for acts without a tariff (medicine box price, kiné
    act from ``tariffs.kine_base``, transport, biology, radiology) and refused for the others.
    ``date`` overrides ``CareSituation.date``. ``professional_id`` (RPPS, for instance) keys the
    PF daily cap per professional.
    """

    code: str
    billed: Decimal
    quantity: int = 1
    base: Decimal | None = None
    date: dt.date | None = None
    professional_id: str = ""


@dataclass(frozen=True, slots=True)
class Counters:
    """The person's counters of the calendar year of the care, before (or after) a liquidation.

    ``pf_by_day_professional`` counts the PF charged per (day, professional); the two other maps
    hold the franchises charged per day on paramedical acts and on transports.
    """

    pf_year: Decimal = ZERO
    franchises_year: Decimal = ZERO
    pf_by_day_professional: dict[tuple[dt.date, str], int] = field(default_factory=dict)
    franchises_paramedical_by_day: dict[dt.date, Decimal] = field(default_factory=dict)
    franchises_transport_by_day: dict[dt.date, Decimal] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LiquidationLine:
    """The refund of one ``ActLine``; every amount in euros, to the cent.

    ``base``: the BR of the line (all units); ``amo``: BR × ``rate`` %; ``ticket_moderateur``: BR −
    AMO; ``pf`` and ``franchise``: what this line bears after the caps; ``deducted``: the part of
    them taken from this payment; ``recovered_later``: the rest, a debt recovered on later payments;
    ``refunded``: AMO − deducted, paid to the person, or to the professional under tiers payant;
    ``reste_a_charge``: billed − refunded − C2S part + recovered_later.
    """

    code: str
    label: str
    category: str
    date: dt.date
    professional_id: str
    quantity: int
    billed: Decimal
    base: Decimal
    rate: int
    amo: Decimal
    ticket_moderateur: Decimal
    part_complementaire_c2s: Decimal
    depassement: Decimal
    pf: Decimal
    franchise: Decimal
    deducted: Decimal
    recovered_later: Decimal
    refunded: Decimal
    reste_a_charge: Decimal
    explanations: list[str]


@dataclass(frozen=True, slots=True)
class Liquidation:
    """The refund of all lines: sums of the lines, global explanations and the updated counters.

    ``debts``: PF and franchises not deducted now (tiers payant, or larger than the AMO), recovered
    from later payments; ``reste_a_charge``: what the person finally bears (dépassements, TM not
    covered, PF and franchises, including the debts). ``tiers_payant`` is true when the caisse pays
    the professional (asked, or C2S).
    """

    lines: list[LiquidationLine]
    total_billed: Decimal
    total_base: Decimal
    total_amo: Decimal
    total_pf: Decimal
    total_franchises: Decimal
    total_depassements: Decimal
    total_refunded: Decimal
    part_complementaire_c2s: Decimal
    reste_a_charge: Decimal
    debts: Decimal
    tiers_payant: bool
    explanations: list[str]
    counters_after: Counters


def format_euros(amount: Decimal) -> str:
    """``1 234,50 €`` (French separators, no-break spaces)."""
    text = f"{amount.quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"
    return text.replace(",", NBSP).replace(".", ",") + NBSP + "€"


def liquidate(
    care: CareSituation, acts: list[ActLine], counters: Counters, tiers_payant: bool
) -> Liquidation:
    """Compute the refund of ``acts`` for ``care``, given the person's ``counters`` before them.

    Lines are handled in order, each one updating running copies of the counters (``counters``
    itself is not changed). Raises ``RulesError`` subclasses with a French message: ``UnknownAct``,
    ``RuleNotInForce`` (no rule on that date, unknown non-OPTAM base, secteur 3) and ``InvalidCare``
    (negative or sub-cent amount, quantity < 1, date before birth, acts of another calendar year…).
    """
    _check_situation(care)
    _check_counters(counters)
    running = _Running(counters)
    tiers_payant = tiers_payant or care.c2s
    lines = [_liquidate_line(care, item, running, tiers_payant) for item in acts]

    def total(name: str) -> Decimal:
        return sum((getattr(line, name) for line in lines), ZERO)

    result = Liquidation(
        lines=lines,
        total_billed=total("billed"),
        total_base=total("base"),
        total_amo=total("amo"),
        total_pf=total("pf"),
        total_franchises=total("franchise"),
        total_depassements=total("depassement"),
        total_refunded=total("refunded"),
        part_complementaire_c2s=total("part_complementaire_c2s"),
        reste_a_charge=total("reste_a_charge"),
        debts=total("recovered_later"),
        tiers_payant=tiers_payant,
        explanations=[],
        counters_after=running.frozen(),
    )
    result.explanations.extend(_global_explanations(care, result))
    return result


class _Running:
    """Mutable copies of the counters, updated line after line."""

    def __init__(self, counters: Counters) -> None:
        self.pf_year = counters.pf_year
        self.franchises_year = counters.franchises_year
        self.pf_by_day_professional = dict(counters.pf_by_day_professional)
        self.franchises_by_day = {
            "paramedical": dict(counters.franchises_paramedical_by_day),
            "transport": dict(counters.franchises_transport_by_day),
        }

    def frozen(self) -> Counters:
        return Counters(
            pf_year=self.pf_year,
            franchises_year=self.franchises_year,
            pf_by_day_professional=dict(self.pf_by_day_professional),
            franchises_paramedical_by_day=dict(self.franchises_by_day["paramedical"]),
            franchises_transport_by_day=dict(self.franchises_by_day["transport"]),
        )


def _liquidate_line(
    care: CareSituation, item: ActLine, running: _Running, tiers_payant: bool
) -> LiquidationLine:
    on = item.date if item.date is not None else care.date
    _check_line_date(care, item, on)
    billed = _cents(item.billed, f"Le montant facturé de l'acte {item.code}")
    if isinstance(item.quantity, bool) or not isinstance(item.quantity, int) or item.quantity < 1:
        raise InvalidCare(f"La quantité de l'acte {item.code} doit être un nombre entier d'au moins 1.")
    act = tariffs.act(item.code, on)
    rules = tariffs.category(act.category, on)
    age = _age(care.birth_date, on)
    if act.max_age is not None and age >= act.max_age:
        raise InvalidCare(f"L'acte {act.code} ne s'applique qu'aux patients de moins de {act.max_age} ans.")
    explanations: list[str] = []

    secteur_base = tariffs.base_for_secteur(act, care.secteur)
    if act.base_given:
        if item.base is None:
            raise InvalidCare(f"La base de remboursement de l'acte {act.code} doit être fournie.")
        unit_base = _cents(item.base, f"La base de remboursement de l'acte {act.code}")
    elif item.base is not None:
        raise InvalidCare(
            f"L'acte {act.code} a un tarif conventionnel : sa base de remboursement ne se saisit pas."
        )
    elif secteur_base is None:  # an act with a tariff always has a base: kept for the type checker
        raise RuleNotInForce(f"La base de remboursement de l'acte {act.code} n'est pas connue.")
    else:
        unit_base = secteur_base
        if unit_base != act.tariff:
            explanations.append(
                f"médecin de secteur 2 non adhérent à l'OPTAM : base de remboursement de "
                f"{_euros(unit_base)} au lieu de {_euros(act.tariff)}"
            )
    # A base in cents times a whole quantity: exact, nothing to round.
    base = unit_base * item.quantity
    if billed < base:
        explanations.append(
            f"montant facturé inférieur à la base de remboursement ({_euros(base)}) : "
            "remboursement calculé sur le montant facturé"
        )
        base = billed
    depassement = billed - base

    rate = act.rate
    if care.ald:
        rate = 100
        explanations.append("ALD : prise en charge à 100 %")
    elif care.maternite:
        rate = 100
        explanations.append("maternité : ticket modérateur exonéré, prise en charge à 100 %")
    elif act.rate_hors_parcours is not None and not care.parcours_de_soins:
        rate = act.rate_hors_parcours
        explanations.append(f"hors parcours de soins : remboursement à {rate} %")
    # The one rounding of the engine: BR × rate has up to 4 decimals; the AMO of the line is paid in
    # cents, half-up (8.645 → 8.65), on the line's whole BR so that the line shows one rounded amount.
    amo = (base * rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    explanations.insert(0, f"base de remboursement {_euros(base)} × {rate} % = {_euros(amo)}")
    if depassement and act.category in _PRICED:
        explanations.append(
            f"part du prix au-delà de la base de remboursement ({_euros(depassement)}) non remboursée"
        )
    elif depassement:
        explanations.append(f"dépassement d'honoraires de {_euros(depassement)} non remboursé")
    ticket_moderateur = base - amo
    c2s_part = ticket_moderateur if care.c2s else ZERO
    if c2s_part:
        explanations.append(f"C2S : ticket modérateur de {_euros(c2s_part)} pris en charge par la C2S")

    exemption = _exemption(care, age)
    pf = franchise = ZERO
    if exemption and ((rules.pf and not act.majoration) or rules.franchise):
        explanations.append(f"{exemption} : ni participation forfaitaire ni franchise")
    elif rules.pf and not act.majoration:
        pf = _participation(on, item, running, explanations)
    elif rules.franchise:
        franchise = _franchise(rules.franchise, on, item.quantity, running, explanations)

    due = pf + franchise
    deducted = ZERO if tiers_payant else min(due, amo)
    recovered_later = due - deducted
    refunded = amo - deducted
    _explain_deductions(pf, franchise, deducted, tiers_payant, explanations)
    return LiquidationLine(
        code=act.code,
        label=act.label,
        category=act.category,
        date=on,
        professional_id=item.professional_id,
        quantity=item.quantity,
        billed=billed,
        base=base,
        rate=rate,
        amo=amo,
        ticket_moderateur=ticket_moderateur,
        part_complementaire_c2s=c2s_part,
        depassement=depassement,
        pf=pf,
        franchise=franchise,
        deducted=deducted,
        recovered_later=recovered_later,
        refunded=refunded,
        reste_a_charge=billed - refunded - c2s_part + recovered_later,
        explanations=explanations,
    )


def _participation(on: dt.date, item: ActLine, running: _Running, explanations: list[str]) -> Decimal:
    """The PF of one line (one per unit), within the daily count per professional and the annual cap."""
    rules = tariffs.participation_forfaitaire(on)
    key = (on, item.professional_id)
    total = ZERO
    daily_capped = annual_capped = False
    for _unit in range(item.quantity):
        if (
            item.professional_id
            and running.pf_by_day_professional.get(key, 0) >= rules.daily_count_per_professional
        ):
            daily_capped = True
            continue
        room = rules.annual_cap - running.pf_year
        if room <= 0:
            annual_capped = True
            break
        amount = min(rules.amount, room)
        annual_capped = annual_capped or amount < rules.amount
        total += amount
        running.pf_year += amount
        if item.professional_id:
            running.pf_by_day_professional[key] = running.pf_by_day_professional.get(key, 0) + 1
    if daily_capped:
        explanations.append(
            f"plafond journalier de {rules.daily_count_per_professional} participations forfaitaires "
            "pour ce professionnel atteint"
        )
    if annual_capped:
        explanations.append(
            f"plafond annuel des participations forfaitaires ({_euros(rules.annual_cap)}) atteint"
        )
    return total


def _franchise(kind: str, on: dt.date, quantity: int, running: _Running, explanations: list[str]) -> Decimal:
    """The franchise of one line (unit × quantity), within the daily cap of its kind and the annual cap."""
    rules = tariffs.franchise(kind, on)
    full = rules.unit * quantity
    amount = full
    by_day = running.franchises_by_day.get(kind)
    if rules.daily_cap is not None:
        if by_day is None:
            raise ValueError(f"no daily counter for the franchises of kind {kind!r}")
        room = max(ZERO, rules.daily_cap - by_day.get(on, ZERO))
        if amount > room:
            amount = room
            explanations.append(
                f"plafond journalier des franchises ({rules.label}) de {_euros(rules.daily_cap)} atteint"
            )
    room = max(ZERO, rules.annual_cap - running.franchises_year)
    if amount > room:
        amount = room
        explanations.append(f"plafond annuel des franchises ({_euros(rules.annual_cap)}) atteint")
    running.franchises_year += amount
    if rules.daily_cap is not None and by_day is not None:
        by_day[on] = by_day.get(on, ZERO) + amount
    if amount:
        units = f"{quantity} {rules.unit_label}{'s' if quantity > 1 else ''}"
        capped = ", plafonnée" if amount < full else ""
        explanations.append(
            f"franchise médicale de {_euros(amount)} ({units} à {_euros(rules.unit)}{capped})"
        )
    return amount


def _explain_deductions(
    pf: Decimal, franchise: Decimal, deducted: Decimal, tiers_payant: bool, explanations: list[str]
) -> None:
    """Say, for the PF then the franchise, what is deducted now and what is recovered later."""
    left = deducted
    for amount, name in ((pf, "participation forfaitaire"), (franchise, "franchise médicale")):
        if not amount:
            continue
        now = min(amount, left)
        left -= now
        if now == amount:
            explanations.append(f"{name} de {_euros(amount)} déduite")
        elif tiers_payant:
            explanations.append(
                f"{name} de {_euros(amount)} non déduite (tiers payant) : "
                f"elle sera récupérée sur un prochain remboursement"
            )
        elif now:
            explanations.append(
                f"{name} de {_euros(amount)} : {_euros(now)} déduits, {_euros(amount - now)} "
                "récupérés sur un prochain remboursement"
            )
        else:
            explanations.append(
                f"{name} de {_euros(amount)} non déduite (remboursement insuffisant) : "
                "elle sera récupérée sur un prochain remboursement"
            )


def _global_explanations(care: CareSituation, result: Liquidation) -> list[str]:
    notes = []
    if care.c2s:
        notes.append(
            f"C2S : la complémentaire santé solidaire prend en charge le ticket modérateur "
            f"({_euros(result.part_complementaire_c2s)}) ; tiers payant intégral, rien à avancer"
        )
    elif result.tiers_payant:
        notes.append("tiers payant : l'Assurance Maladie paie directement le professionnel")
    if result.debts:
        why = "tiers payant" if result.tiers_payant else "remboursement insuffisant"
        notes.append(
            f"{_euros(result.debts)} de participations forfaitaires et franchises non déduits ({why}) : "
            "ils seront récupérés sur vos prochains remboursements ou indemnités journalières"
        )
    if result.total_depassements:
        notes.append(f"dépassements non remboursés : {_euros(result.total_depassements)}")
    notes.append(f"reste à votre charge : {_euros(result.reste_a_charge)}")
    return notes


def _exemption(care: CareSituation, age: int) -> str | None:
    """Why the person bears no PF nor franchise on this care, or None."""
    if care.c2s:
        return "C2S"
    if care.maternite:
        return "maternité"
    if age < MAJORITY:
        return "moins de 18 ans"
    return None


def _age(birth: dt.date, on: dt.date) -> int:
    """Age in whole years on ``on``; a 29 February birthday is reached on 1 March in other years."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _cents(value: Decimal, what: str) -> Decimal:
    """``value`` as a Decimal to the cent; ``InvalidCare`` if negative or with fractions of a cent."""
    if isinstance(value, float | bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{what}: amounts must be Decimal (or int), never float")
    value = Decimal(value)
    if not value.is_finite():
        raise InvalidCare(f"{what} n'est pas un montant valide.")
    if value < 0:
        raise InvalidCare(f"{what} ne peut pas être négatif.")
    if value != value.quantize(CENT):
        raise InvalidCare(f"{what} doit être en euros et centimes (deux décimales au plus).")
    return value.quantize(CENT)


def _euros(amount: Decimal | None) -> str:
    return format_euros(amount if amount is not None else ZERO)


def _check_situation(care: CareSituation) -> None:
    for day in (care.birth_date, care.date):
        if isinstance(day, dt.datetime) or not isinstance(day, dt.date):
            raise TypeError("birth_date and date must be datetime.date values")
    tariffs.check_secteur(care.secteur)
    if care.date < care.birth_date:
        raise InvalidCare(
            f"La date des soins ({tariffs.french_date(care.date)}) précède la date de naissance "
            f"({tariffs.french_date(care.birth_date)})."
        )


def _check_counters(counters: Counters) -> None:
    if counters.pf_year < 0 or counters.franchises_year < 0:
        raise InvalidCare(
            "Les compteurs annuels de participations et de franchises ne peuvent pas être négatifs."
        )


def _check_line_date(care: CareSituation, item: ActLine, on: dt.date) -> None:
    if isinstance(on, dt.datetime) or not isinstance(on, dt.date):
        raise TypeError("an act's date must be a datetime.date")
    if on < care.birth_date:
        raise InvalidCare(
            f"La date de l'acte {item.code} ({tariffs.french_date(on)}) précède la date de naissance "
            f"({tariffs.french_date(care.birth_date)})."
        )
    if on.year != care.date.year:
        raise InvalidCare(
            f"L'acte {item.code} du {tariffs.french_date(on)} n'est pas de l'année {care.date.year} : "
            "les plafonds de participations et de franchises sont annuels, faites un décompte par année."
        )
