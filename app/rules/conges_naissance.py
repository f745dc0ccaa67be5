"""Congé de maternité and congé de paternité et d'accueil de l'enfant of a salarié: durations and dates.

Why: parents ask « quand commence mon congé, quand finit-il ? » and the answer depends on the
situation (children already at home, twins…), on choices (report of prenatal weeks) and on dates
counted one way by the caisse. This computes the periods with the rule in force on the expected
delivery date (maternité) or on the birth date (paternité) (``rules/data/conges_naissance.toml``,
read through ``dated.py``) and says each step in French. Pure: no Flask, no database.

Maternité (``conge_maternite``):

- the situation gives the prenatal and postnatal weeks: 6 + 10 with 0 or 1 child already at home,
  8 + 18 with at least 2, 12 + 22 for twins, 24 + 22 for triplets or more;
- on the favourable opinion of the doctor or sage-femme, up to 3 prenatal weeks may be moved after
  the birth (``report_semaines``); with 2 children at home or for twins, the prenatal part may instead
  be lengthened by up to 2 or 4 weeks taken from the postnatal part (``anticipation_semaines``);
- dates are counted in whole days: the leave starts the expected delivery date minus the prenatal
  weeks; the prenatal part ends the day before the expected delivery date, the postnatal part starts
  on it; the last day is the first day + the total weeks − 1 day, all days inclusive;
- on prescription (``pathologique``), up to 2 weeks before the prenatal leave (shown as the 2 weeks
  right before it) and up to 4 weeks right after the postnatal leave.

Paternité (``conge_paternite``): 3 days of congé de naissance from the birth date, the 4 mandatory
days right after, and 21 days (28 for a multiple birth) to take within 6 months of the birth, date to
date (``date_limite``), shown as if taken right after the mandatory days.

Errors are ``RulesError`` subclasses with a French message: ``RuleNotInForce`` outside the data,
``InvalidConge`` (with the ``field`` at fault) for an impossible request.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Final

from app.rules import dated
from app.rules.tariffs import RuleNotInForce, RulesError, french_date

__all__ = [
    "CongeMaternite",
    "CongePaternite",
    "InvalidConge",
    "Lien",
    "Periode",
    "RuleNotInForce",
    "RulesError",
    "add_months",
    "conge_maternite",
    "conge_paternite",
    "resume",
]

DATA_FILE: Final = "conges_naissance.toml"
MAX_NAISSANCES: Final = 8
MAX_ENFANTS_A_CHARGE: Final = 30
WEEK: Final = 7


class InvalidConge(RulesError):
    """The request is impossible (a report beyond what the law allows…); ``field`` names the input."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class Lien:
    """A public page to read: its title and address."""

    titre: str
    url: str


@dataclass(frozen=True, slots=True)
class Situation:
    """A row of the maternité table: applies from ``naissances_min`` births and
    ``enfants_a_charge_min`` children already at home."""

    code: str
    libelle: str
    naissances_min: int
    enfants_a_charge_min: int
    prenatal: int
    postnatal: int
    anticipation_max: int

    @property
    def total(self) -> int:
        return self.prenatal + self.postnatal


@dataclass(frozen=True, slots=True)
class MaterniteRules:
    start: dt.date
    source: str
    situations: tuple[Situation, ...]
    report_max: int
    obligatoire: int
    obligatoire_postnatal: int
    pathologique_prenatal: int
    pathologique_postnatal: int
    liens: tuple[Lien, ...]


@dataclass(frozen=True, slots=True)
class PaterniteRules:
    start: dt.date
    source: str
    conge_naissance: int
    obligatoires: int
    restants: int
    restants_multiple: int
    fractions_max: int
    fraction_min: int
    delai_mois: int
    liens: tuple[Lien, ...]


@dataclass(frozen=True, slots=True)
class Periode:
    """One period of leave, ``debut`` to ``fin`` both inclusive; ``remarque`` says who pays or when."""

    code: str
    libelle: str
    debut: dt.date
    fin: dt.date
    remarque: str = ""

    @property
    def jours(self) -> int:
        return (self.fin - self.debut).days + 1


@dataclass(frozen=True, slots=True)
class CongeMaternite:
    """The congé de maternité: ``debut``/``fin`` of the leave itself (pathological periods, on
    prescription, are extra ``periodes`` around it)."""

    situation: Situation
    semaines_prenatales: int
    semaines_postnatales: int
    debut: dt.date
    fin: dt.date
    periodes: tuple[Periode, ...]
    explanations: list[str] = field(default_factory=list)
    liens: tuple[Lien, ...] = ()


@dataclass(frozen=True, slots=True)
class CongePaternite:
    """The congé de naissance and the congé de paternité et d'accueil de l'enfant."""

    jours_conge_naissance: int
    jours_obligatoires: int
    jours_restants: int
    date_limite: dt.date
    periodes: tuple[Periode, ...]
    explanations: list[str] = field(default_factory=list)
    liens: tuple[Lien, ...] = ()


def conge_maternite(
    date_accouchement_prevue: dt.date,
    enfants_a_charge: int = 0,
    naissances: int = 1,
    report_semaines: int = 0,
    anticipation_semaines: int = 0,
    pathologique: bool = False,
) -> CongeMaternite:
    """The congé de maternité for a delivery expected on ``date_accouchement_prevue``.

    Raises ``InvalidConge`` for impossible figures (no birth, a report beyond the allowed weeks, an
    anticipation the situation does not allow, both at once) and ``RuleNotInForce`` outside the data.
    """
    _check_counts(naissances, enfants_a_charge)
    due = date_accouchement_prevue
    rules = _maternite_rules(due)
    situation = _situation(rules, naissances, enfants_a_charge)
    _check_choices(rules, situation, report_semaines, anticipation_semaines)
    prenatal = situation.prenatal + anticipation_semaines - report_semaines
    postnatal = situation.postnatal - anticipation_semaines + report_semaines
    start = due - dt.timedelta(weeks=prenatal)
    end = start + dt.timedelta(weeks=prenatal + postnatal) - dt.timedelta(days=1)
    periodes = [
        Periode(
            "prenatal",
            "Congé prénatal",
            start,
            due - dt.timedelta(days=1),
            "Indemnisé au titre de la maternité.",
        ),
        Periode("postnatal", "Congé postnatal", due, end, "Indemnisé au titre de la maternité."),
    ]
    if pathologique:
        before = dt.timedelta(weeks=rules.pathologique_prenatal)
        after = dt.timedelta(weeks=rules.pathologique_postnatal)
        periodes.insert(
            0,
            Periode(
                "pathologique_prenatal",
                "Congé pathologique prénatal (sur prescription)",
                start - before,
                start - dt.timedelta(days=1),
                "Au plus tard ces dates : il peut être pris plus tôt, dès la déclaration de grossesse. "
                "Indemnisé comme le congé de maternité.",
            ),
        )
        periodes.append(
            Periode(
                "pathologique_postnatal",
                "Congé pathologique postnatal (couches pathologiques, sur prescription)",
                end + dt.timedelta(days=1),
                end + after,
                "Indemnisé comme un arrêt maladie.",
            )
        )
    explanations = _explain_maternite(
        rules, situation, due, naissances, enfants_a_charge, report_semaines, anticipation_semaines
    )
    explanations.append(
        f"Dates : le congé commence {_weeks(prenatal)} avant la date présumée de l'accouchement "
        f"({french_date(due)}) et dure {_weeks(prenatal + postnatal)} : du {french_date(start)} au "
        f"{french_date(end)} inclus, soit {(end - start).days + 1} jours. Le congé prénatal va du "
        f"{french_date(start)} au {french_date(due - dt.timedelta(days=1))} inclus ; le congé postnatal "
        f"commence le jour de l'accouchement prévu, le {french_date(due)}, et finit le {french_date(end)} "
        "inclus."
    )
    explanations.append(
        "Si l'enfant naît avant la date prévue, les jours de congé prénatal non pris s'ajoutent au congé "
        "postnatal : la durée totale ne change pas. S'il naît après, le congé prénatal se prolonge "
        "jusqu'à l'accouchement sans réduire le congé postnatal : le congé finit plus tard d'autant."
    )
    explanations.append(
        f"Quels que soient vos choix, vous ne pouvez pas travailler pendant au moins "
        f"{_weeks(rules.obligatoire)} en tout, dont {_weeks(rules.obligatoire_postnatal)} après "
        "l'accouchement : c'est aussi la condition pour recevoir les indemnités journalières."
    )
    explanations.append(_explain_pathologique(rules, pathologique))
    extra = _supplementaire(due)
    if extra:
        explanations.append(extra)
    explanations.append(
        "Votre convention collective peut prévoir un congé plus long : ces durées sont le minimum légal."
    )
    return CongeMaternite(
        situation=situation,
        semaines_prenatales=prenatal,
        semaines_postnatales=postnatal,
        debut=start,
        fin=end,
        periodes=tuple(periodes),
        explanations=explanations,
        liens=rules.liens,
    )


def conge_paternite(date_naissance: dt.date, naissances: int = 1) -> CongePaternite:
    """The congé de naissance and congé de paternité for a child born on ``date_naissance``.

    Raises ``InvalidConge`` for fewer than 1 birth, ``RuleNotInForce`` for a birth outside the data.
    """
    _check_counts(naissances, 0)
    birth = date_naissance
    rules = _paternite_rules(birth)
    multiple = naissances > 1
    restants = rules.restants_multiple if multiple else rules.restants
    naissance_end = birth + dt.timedelta(days=rules.conge_naissance - 1)
    mandatory_start = naissance_end + dt.timedelta(days=1)
    mandatory_end = mandatory_start + dt.timedelta(days=rules.obligatoires - 1)
    rest_start = mandatory_end + dt.timedelta(days=1)
    rest_end = rest_start + dt.timedelta(days=restants - 1)
    limit = add_months(birth, rules.delai_mois)
    total = rules.obligatoires + restants
    periodes = (
        Periode(
            "conge_naissance",
            "Congé de naissance",
            birth,
            naissance_end,
            "Payé par l'employeur.",
        ),
        Periode(
            "obligatoire",
            "Congé de paternité : jours obligatoires",
            mandatory_start,
            mandatory_end,
            "Indemnisé par l'Assurance Maladie.",
        ),
        Periode(
            "restants",
            "Congé de paternité : jours restants (s'ils sont pris à la suite)",
            rest_start,
            rest_end,
            f"Indemnisé par l'Assurance Maladie. En une fois ou en {rules.fractions_max} périodes d'au "
            f"moins {rules.fraction_min} jours, au plus tard le {french_date(limit)}.",
        ),
    )
    explanations = [
        f"Congé de naissance : {rules.conge_naissance} jours payés par l'employeur, du {french_date(birth)} "
        f"au {french_date(naissance_end)} inclus. Ils commencent le jour de la naissance ou, si l'enfant "
        "naît un jour de repos, le premier jour ouvrable qui suit : le calcul part ici de la date de "
        "naissance ; décalez les dates suivantes d'autant si besoin.",
        f"Congé de paternité et d'accueil de l'enfant : {total} jours calendaires"
        f"{' (naissances multiples)' if multiple else ''}, week-ends et jours fériés compris, indemnisés "
        f"par l'Assurance Maladie. Les {rules.obligatoires} premiers jours sont obligatoires et suivent "
        f"immédiatement le congé de naissance : du {french_date(mandatory_start)} au "
        f"{french_date(mandatory_end)} inclus.",
        f"Les {restants} jours restants se prennent en une fois ou en {rules.fractions_max} périodes "
        f"d'au moins {rules.fraction_min} jours chacune, dans les {rules.delai_mois} mois suivant la "
        f"naissance : au plus tard le {french_date(limit)} ({rules.delai_mois} mois de date à date ; "
        "le Code du travail dit « pris dans les six mois », certaines pages disent « débuter » : la "
        f"date donnée est la plus prudente). Pris juste après les jours obligatoires, ils iraient du "
        f"{french_date(rest_start)} au {french_date(rest_end)} inclus. Prévenez votre employeur au "
        "moins un mois avant chaque période.",
        f"Le délai de {rules.delai_mois} mois est reporté si l'enfant est hospitalisé (il court alors "
        "à partir de la fin de l'hospitalisation) ou en cas de décès de la mère (il court à partir de "
        "la fin du congé pris par le père à ce titre). Si l'enfant est hospitalisé dès sa naissance "
        "dans une unité de soins spécialisée, les jours obligatoires sont prolongés pendant "
        "l'hospitalisation, dans la limite de 30 jours.",
    ]
    extra = _supplementaire(birth)
    if extra:
        explanations.append(extra)
    return CongePaternite(
        jours_conge_naissance=rules.conge_naissance,
        jours_obligatoires=rules.obligatoires,
        jours_restants=restants,
        date_limite=limit,
        periodes=periodes,
        explanations=explanations,
        liens=rules.liens,
    )


def resume(on: dt.date | None = None) -> dict[str, Any]:
    """The rules in force on ``on`` (today by default) for the fiche « maternité et paternité »: the
    maternité table (most common situation first), the paternité days and the sources.

    ``maternite`` or ``paternite`` is None when no rule is in force on that day.
    """
    on = on or dt.date.today()
    summary: dict[str, Any] = {"on": on, "maternite": None, "paternite": None, "liens": []}
    try:
        mat = _maternite_rules(on)
    except RuleNotInForce:
        mat = None
    if mat:
        summary["maternite"] = {
            "situations": [
                {
                    "libelle": situation.libelle,
                    "prenatal": situation.prenatal,
                    "postnatal": situation.postnatal,
                    "total": situation.total,
                    "anticipation_max": situation.anticipation_max,
                }
                for situation in reversed(mat.situations)
            ],
            "report_max": mat.report_max,
            "pathologique_prenatal": mat.pathologique_prenatal,
            "pathologique_postnatal": mat.pathologique_postnatal,
        }
        summary["liens"].extend(mat.liens)
    try:
        pat = _paternite_rules(on)
    except RuleNotInForce:
        pat = None
    if pat:
        summary["paternite"] = {
            "conge_naissance": pat.conge_naissance,
            "obligatoires": pat.obligatoires,
            "restants": pat.restants,
            "restants_multiple": pat.restants_multiple,
            "total": pat.obligatoires + pat.restants,
            "total_multiple": pat.obligatoires + pat.restants_multiple,
            "delai_mois": pat.delai_mois,
        }
        summary["liens"].extend(pat.liens)
    return summary


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months``, date to date; the last day of the month when that day does not exist
    (31 August + 6 months = 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _check_counts(naissances: int, enfants_a_charge: int) -> None:
    if (
        isinstance(naissances, bool)
        or not isinstance(naissances, int)
        or not 1 <= naissances <= MAX_NAISSANCES
    ):
        raise InvalidConge(f"Le nombre de naissances attendues va de 1 à {MAX_NAISSANCES}.", "naissances")
    if (
        isinstance(enfants_a_charge, bool)
        or not isinstance(enfants_a_charge, int)
        or not 0 <= enfants_a_charge <= MAX_ENFANTS_A_CHARGE
    ):
        raise InvalidConge(
            f"Le nombre d'enfants déjà à charge va de 0 à {MAX_ENFANTS_A_CHARGE}.", "enfants_a_charge"
        )


def _situation(rules: MaterniteRules, naissances: int, enfants_a_charge: int) -> Situation:
    for situation in rules.situations:
        if naissances >= situation.naissances_min and enfants_a_charge >= situation.enfants_a_charge_min:
            return situation
    raise ValueError(f"{DATA_FILE}: no maternité situation matches every request")


def _check_choices(rules: MaterniteRules, situation: Situation, report: int, anticipation: int) -> None:
    if report < 0:
        raise InvalidConge("Le nombre de semaines reportées ne peut pas être négatif.", "report_semaines")
    if report > rules.report_max:
        raise InvalidConge(
            f"Le report est limité à {_weeks(rules.report_max)} : avec l'avis favorable du médecin ou de "
            f"la sage-femme, le congé prénatal peut être réduit de {_weeks(rules.report_max)} au plus "
            f"(il reste d'au moins {_weeks(situation.prenatal - rules.report_max)} dans votre situation).",
            "report_semaines",
        )
    if anticipation < 0:
        raise InvalidConge(
            "Le nombre de semaines d'avance ne peut pas être négatif.", "anticipation_semaines"
        )
    if anticipation > situation.anticipation_max:
        if situation.anticipation_max == 0:
            message = (
                "Dans votre situation, le congé prénatal ne peut pas commencer plus tôt : c'est possible "
                "seulement avec au moins 2 enfants déjà à charge ou pour des jumeaux."
            )
        else:
            message = (
                f"Dans votre situation, le congé prénatal peut commencer au plus "
                f"{_weeks(situation.anticipation_max)} plus tôt."
            )
        raise InvalidConge(message, "anticipation_semaines")
    if report and anticipation:
        raise InvalidConge(
            "Vous ne pouvez pas à la fois avancer le congé prénatal et en reporter une partie après la "
            "naissance : choisissez l'un ou l'autre.",
            "report_semaines",
        )


def _explain_maternite(
    rules: MaterniteRules,
    situation: Situation,
    due: dt.date,
    naissances: int,
    enfants_a_charge: int,
    report: int,
    anticipation: int,
) -> list[str]:
    attendus = "1 enfant attendu" if naissances == 1 else f"{naissances} enfants attendus"
    a_charge = f"{enfants_a_charge} enfant{'s' if enfants_a_charge > 1 else ''} déjà à charge"
    notes = [
        f"Situation : {situation.libelle.lower()} ({attendus}, {a_charge}) : "
        f"{_weeks(situation.prenatal)} de congé prénatal et {_weeks(situation.postnatal)} de congé "
        f"postnatal, soit {_weeks(situation.total)} (règle en vigueur pour un accouchement prévu le "
        f"{french_date(due)}).",
    ]
    if report:
        notes.append(
            f"Report de {_weeks(report)} du congé prénatal après la naissance, sur avis favorable du "
            "médecin ou de la sage-femme qui suit la grossesse. Si un arrêt de travail vous est prescrit "
            "pendant la période reportée, le report est annulé : le congé commence au premier jour de "
            "l'arrêt."
        )
    else:
        notes.append(
            f"Avec l'avis favorable du médecin ou de la sage-femme qui suit la grossesse, vous pouvez "
            f"reporter jusqu'à {_weeks(rules.report_max)} de congé prénatal après la naissance : "
            "demandez-le par écrit à votre caisse au plus tard la veille du début prévu du congé."
        )
    if anticipation:
        notes.append(
            f"Le congé prénatal commence {_weeks(anticipation)} plus tôt, pris sur le congé postnatal : "
            "la durée totale ne change pas."
        )
    elif situation.anticipation_max:
        notes.append(
            f"Dans votre situation, le congé prénatal peut aussi commencer jusqu'à "
            f"{_weeks(situation.anticipation_max)} plus tôt, le congé postnatal étant réduit d'autant."
        )
    return notes


def _explain_pathologique(rules: MaterniteRules, asked: bool) -> str:
    before, after = _weeks(rules.pathologique_prenatal), _weeks(rules.pathologique_postnatal)
    if not asked:
        return (
            f"En cas d'état pathologique lié à la grossesse ou à l'accouchement, un congé supplémentaire "
            f"peut être prescrit : jusqu'à {before} avant le congé prénatal et jusqu'à {after} après le "
            "congé postnatal."
        )
    return (
        f"Congé pathologique prénatal : jusqu'à {before}, sur prescription médicale, en cas d'état "
        "pathologique lié à la grossesse ; il peut être pris dès la déclaration de grossesse, en une ou "
        f"plusieurs fois, avant le congé prénatal : les dates indiquées sont les {before} qui le "
        "précèdent. Il est indemnisé comme le congé de maternité. Congé pathologique postnatal (couches "
        f"pathologiques) : jusqu'à {after}, sur prescription médicale, juste après le congé postnatal ; "
        "il est indemnisé comme un arrêt maladie."
    )


def _supplementaire(day: dt.date) -> str | None:
    """The mention of the congé supplémentaire de naissance, for a child born from its start."""
    try:
        entry = dated.in_force(_data()["conge_supplementaire"], day, "Le congé supplémentaire", "")
    except RuleNotInForce:
        return None
    return (
        f"Pour un enfant né à partir du {french_date(_data()['conge_supplementaire'][0].start)}, chaque "
        f"parent peut aussi prendre, à la suite, un congé supplémentaire de naissance de 1 ou "
        f"{entry.value} mois (non calculé ici)."
    )


def _weeks(count: int) -> str:
    return f"{count} semaine{'s' if count > 1 else ''}"


def _maternite_rules(due: dt.date) -> MaterniteRules:
    return dated.in_force(
        _data()["maternite"],
        due,
        "Le barème du congé de maternité",
        f"un accouchement prévu le {french_date(due)} ne peut pas être calculé",
    ).value


def _paternite_rules(birth: dt.date) -> PaterniteRules:
    return dated.in_force(
        _data()["paternite"],
        birth,
        "Le barème du congé de paternité",
        f"une naissance le {french_date(birth)} ne peut pas être calculée",
    ).value


@cache
def _data() -> dict[str, tuple[dated.Entry, ...]]:
    raw = dated.load(DATA_FILE)
    return {
        "maternite": dated.series(raw.get("maternite"), f"{DATA_FILE} maternite", _maternite),
        "paternite": dated.series(raw.get("paternite"), f"{DATA_FILE} paternite", _paternite),
        "conge_supplementaire": dated.series(
            raw.get("conge_supplementaire"), f"{DATA_FILE} conge_supplementaire"
        ),
    }


def _whole(item: dict[str, Any], key: str, where: str) -> int:
    value = dated.number(item.get(key), f"{where} {key}")
    if not isinstance(value, int):
        raise ValueError(f"{where}: {key} must be a whole number")
    return value


def _liens(item: dict[str, Any], where: str) -> tuple[Lien, ...]:
    liens = tuple(Lien(lien["titre"], lien["url"]) for lien in item.get("liens", []))
    if not liens or not all(lien.titre and lien.url.startswith("https://") for lien in liens):
        raise ValueError(f"{where}: every entry needs `liens` with a title and an https address")
    return liens


def _maternite(item: dict[str, Any], where: str) -> MaterniteRules:
    situations = tuple(
        Situation(
            code=row["code"],
            libelle=row["libelle"],
            naissances_min=_whole(row, "naissances_min", where),
            enfants_a_charge_min=_whole(row, "enfants_a_charge_min", where),
            prenatal=_whole(row, "prenatal_semaines", where),
            postnatal=_whole(row, "postnatal_semaines", where),
            anticipation_max=_whole(row, "anticipation_max_semaines", where),
        )
        for row in item.get("situations", [])
    )
    if not situations or situations[-1].naissances_min != 1 or situations[-1].enfants_a_charge_min != 0:
        raise ValueError(f"{where}: the last situation must match any single birth")
    return MaterniteRules(
        start=item["from"],
        source=item["source"],
        situations=situations,
        report_max=_whole(item, "report_max_semaines", where),
        obligatoire=_whole(item, "obligatoire_semaines", where),
        obligatoire_postnatal=_whole(item, "obligatoire_postnatal_semaines", where),
        pathologique_prenatal=_whole(item, "pathologique_prenatal_semaines", where),
        pathologique_postnatal=_whole(item, "pathologique_postnatal_semaines", where),
        liens=_liens(item, where),
    )


def _paternite(item: dict[str, Any], where: str) -> PaterniteRules:
    return PaterniteRules(
        start=item["from"],
        source=item["source"],
        conge_naissance=_whole(item, "conge_naissance_jours", where),
        obligatoires=_whole(item, "obligatoires_jours", where),
        restants=_whole(item, "restants_jours", where),
        restants_multiple=_whole(item, "restants_jours_multiple", where),
        fractions_max=_whole(item, "fractions_max", where),
        fraction_min=_whole(item, "fraction_min_jours", where),
        delai_mois=_whole(item, "delai_mois", where),
        liens=_liens(item, where),
    )
