"""The request for the Complémentaire santé solidaire (``c2s``).

The assuré describes the household (the members of the file, plus the other people living there)
and its resources of the last 12 months by category; the outcome expected is computed with the
rules of the simulator (``app.rules.c2s``: ceilings and participations in force on the day of the
request) and shown before filing — a household above the ceilings may still file, the caisse
decides. On acceptance the C2S opens on the first day of the next month for one year, for the
assuré and every member of the file, each with the monthly participation of their own age on
1 January (None when the C2S is free): the attestation de droits shows it, and the refund engine
(``app.services.claims``) applies it to care on those dates.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from app.models import Demarche, Person, User
from app.models.base import utcnow
from app.rules import c2s as rules
from app.rules.liquidation import format_euros
from app.services.demarche_kinds import CannotAccept, KindHandler, payload_of, register
from app.services.documents import file_members, paris_day

# Resources counted, by category (the form asks one amount for each, for the last 12 months).
CATEGORIES = {
    "salaires": "Salaires et revenus d'activité (salariée ou indépendante)",
    "chomage": "Allocations chômage",
    "indemnites": "Indemnités journalières (maladie, maternité, accident du travail)",
    "retraites": "Retraites, pensions d'invalidité et rentes",
    "prestations": "Prestations sociales et familiales (RSA, prime d'activité, allocations familiales…)",
    "pensions_alimentaires": "Pensions alimentaires reçues",
    "autres": "Autres ressources (placements, loyers perçus…)",
}
STATUS_TEXT = {
    rules.GRATUITE: "C2S sans participation financière",
    rules.PARTICIPATION: "C2S avec une participation financière",
    rules.NON: "Pas de C2S : les ressources dépassent le plafond",
}


def today() -> date:
    return paris_day(utcnow())


def age_on_first_january(birth: date, year: int) -> int:
    """The age on 1 January of ``year`` (0 for a child born that year): the participation's age."""
    return max(0, year - birth.year - (1 if (birth.month, birth.day) > (1, 1) else 0))


@dataclass(frozen=True)
class Estimate:
    """The outcome expected for a household: ``status`` is a ``rules`` status, or None when no
    ceilings are known for the day (``unknown`` then says so in French); ``monthly`` maps each
    covered member's id to their monthly participation (empty unless ``status`` is participation)."""

    on: date
    foyer: int
    total: Decimal
    status: str | None
    monthly: dict[int, Decimal] = field(default_factory=dict)
    explanations: list[str] = field(default_factory=list)
    unknown: str = ""
    # Set when the ceilings of ``on`` are not recorded yet and the last known ones were used.
    fallback_until: date | None = None

    @property
    def fallback_text(self) -> str:
        if self.fallback_until is None:
            return ""
        return (
            "Les plafonds en vigueur à la date de votre demande n'étant pas encore publiés dans nos "
            f"barèmes, le résultat est établi avec le dernier barème connu (jusqu'au "
            f"{self.fallback_until:%d/%m/%Y})."
        )

    @property
    def total_monthly(self) -> Decimal:
        return sum(self.monthly.values(), Decimal("0.00"))

    @property
    def text(self) -> str:
        """One sentence for the assuré and the agent."""
        if self.status is None:
            return "Résultat inconnu : les plafonds en vigueur à cette date ne sont pas connus."
        if self.status == rules.PARTICIPATION:
            return f"{STATUS_TEXT[self.status]} de {format_euros(self.total_monthly)} par mois pour le foyer"
        return STATUS_TEXT[self.status]


def estimate(on: date, members: list[Person], others: int, total: Decimal) -> Estimate:
    """What the rules of ``on`` give for the file's ``members`` plus ``others`` people and annual
    resources ``total``; the participation of each member is that of their own age."""
    foyer = len(members) + others
    holder = members[0]
    try:
        result = rules.c2s_eligibility(on, foyer, total, age_on_first_january(holder.birth_date, on.year))
        monthly = (
            {
                member.id: rules.participation(on, age_on_first_january(member.birth_date, on.year))
                for member in members
            }
            if result.status == rules.PARTICIPATION
            else {}
        )
    except rules.RulesError as exc:
        last = rules.last_known_day()
        if last is not None and on > last:
            # Ceilings are revalued every 1 April: until the new ones are recorded, the caisse
            # decides with the last known ones, and says so.
            return replace(estimate(last, members, others, total), on=on, fallback_until=last)
        return Estimate(on=on, foyer=foyer, total=total, status=None, unknown=str(exc))
    return Estimate(
        on=on,
        foyer=foyer,
        total=total,
        status=result.status,
        monthly=monthly,
        explanations=list(result.explanations),
    )


def add_one_year(start: date) -> date:
    """The last day of the year of rights opened on ``start`` (a first of month)."""
    return date(start.year + 1, start.month, 1) - timedelta(days=1)


def first_of_next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def _from_payload(demarche: Demarche) -> tuple[date, list[Person], int, Decimal]:
    data = payload_of(demarche)
    total = sum((Decimal(value) for value in data["ressources"].values()), Decimal("0.00"))
    return date.fromisoformat(data["depose_le"]), file_members(demarche.person), int(data["autres"]), total


class C2SRequest(KindHandler):
    def summary(self, demarche: Demarche) -> list[tuple[str, str]]:
        data = payload_of(demarche)
        others = int(data["autres"])
        in_file = len(data["membres"])
        foyer = in_file + others
        lines = [
            (
                "Foyer",
                f"{foyer} personne{'s' if foyer > 1 else ''} ({in_file} du dossier, "
                f"{others} autre{'s' if others > 1 else ''})",
            )
        ]
        total = Decimal("0.00")
        for key, label in CATEGORIES.items():
            amount = Decimal(data["ressources"].get(key, "0"))
            total += amount
            if amount:
                lines.append((label, format_euros(amount)))
        lines.append(("Ressources des 12 derniers mois", format_euros(total)))
        lines.append(("Résultat estimé au dépôt", data.get("estimation", "")))
        return lines

    def on_accept(self, demarche: Demarche, agent: User) -> str:
        filed_on, members, others, total = _from_payload(demarche)
        outcome = estimate(filed_on, members, others, total)
        if outcome.status is None:
            raise CannotAccept(
                f"{outcome.unknown} La participation ne peut pas être calculée : la C2S ne peut pas "
                "être ouverte tant que les plafonds de cette date ne sont pas enregistrés."
            )
        if outcome.status == rules.NON:
            raise CannotAccept(
                "Les ressources déclarées dépassent le plafond de la C2S avec participation : refusez la "
                "demande avec ce motif, ou demandez un justificatif si elles sont à corriger."
            )
        start = first_of_next_month(today())
        end = add_one_year(start)
        for member in members:
            member.c2s_start, member.c2s_end = start, end
            member.c2s_participation = outcome.monthly.get(member.id)
        names = ", ".join(member.full_name for member in members)
        text = f"La C2S vous est attribuée du {start:%d/%m/%Y} au {end:%d/%m/%Y} pour : {names}."
        if outcome.status == rules.PARTICIPATION:
            text += (
                f" Participation financière : {format_euros(outcome.total_monthly)} par mois pour le foyer."
            )
        else:
            text += " Elle est sans participation financière."
        return f"{text} {outcome.fallback_text}".strip()


register("c2s", C2SRequest())
