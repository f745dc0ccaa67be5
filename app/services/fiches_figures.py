"""Figures of the fiches pratiques, computed for today from the rules data (Jinja globals).

Why: a fiche that writes "30 € remboursés à 70 %" by hand is wrong the day the tariff changes. Every
figure a rule module knows is asked to it here, for today's date (Paris time, as the rest of the
portal), so a fiche stays right when ``rules/data/*.toml`` changes:

- ``exemple_remboursement(titre, actes, …)``: a worked example computed live by the refund engine
  (``app.api.simulations.simulate_refund``), rendered by ``informations/_exemple.html``;
- ``tarif(code, secteur)``: the base de remboursement of one act today;
- ``regle(name)``: one figure in force today (``RULE_NAMES``), None when the data does not know it;
- ``fiche_url(slug)``: the URL of another fiche.

A figure the rules cannot give today is None (``regle``, ``tarif``) or a French sentence in the
example: a fiche never fails to render because the data stops at a date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Final
from zoneinfo import ZoneInfo

from flask import Flask, render_template, url_for
from markupsafe import Markup

from app.api.simulations import ContractError, simulate_refund
from app.rules import c2s, ceam, dated, ij, tariffs

PARIS: Final = ZoneInfo("Europe/Paris")
EXAMPLE_TEMPLATE: Final = "informations/_exemple.html"
# A monthly salary far above any cap: the daily IJ it gives is the maximum IJ.
_HIGH_SALARY: Final = Decimal("100000.00")


def today() -> dt.date:
    """Today in Paris, the day whose rules the fiches show (as ``services.demarches.today``)."""
    return dt.datetime.now(PARIS).date()


def _category_rate(name: str, on: dt.date) -> int | None:
    rules = tariffs._data()["categories"][name]
    entry = tariffs._in_force(rules["rates"], on, f"Le taux de la catégorie {name}")
    return None if entry.value is None else int(entry.value)


def _hors_parcours(on: dt.date) -> int | None:
    entry = tariffs._in_force(tariffs._data()["categories"]["medecin"]["rates"], on, "Le taux des médecins")
    return entry.hors_parcours


def _ij_series(name: str, on: dt.date) -> Decimal | int:
    return dated.in_force(ij._data()[name], on, name, "valeur inconnue").value


def _ij_maladie_max(on: dt.date) -> Decimal:
    return ij.daily_ij(ij.sjb([_HIGH_SALARY] * ij.SALARY_MONTHS, on))


RULES: Final[dict[str, Callable[[dt.date], Decimal | int | None]]] = {
    "pf": lambda on: tariffs.participation_forfaitaire(on).amount,
    "pf_plafond_annuel": lambda on: tariffs.participation_forfaitaire(on).annual_cap,
    "pf_max_par_jour": lambda on: tariffs.participation_forfaitaire(on).daily_count_per_professional,
    "franchise_medicament": lambda on: tariffs.franchise("medicament", on).unit,
    "franchise_paramedical": lambda on: tariffs.franchise("paramedical", on).unit,
    "franchise_transport": lambda on: tariffs.franchise("transport", on).unit,
    "franchise_plafond_annuel": lambda on: tariffs.franchise("medicament", on).annual_cap,
    "franchise_paramedical_plafond_jour": lambda on: tariffs.franchise("paramedical", on).daily_cap,
    "franchise_transport_plafond_jour": lambda on: tariffs.franchise("transport", on).daily_cap,
    "taux_medecin": lambda on: _category_rate("medecin", on),
    "taux_dentiste": lambda on: _category_rate("dentiste", on),
    "taux_paramedical": lambda on: _category_rate("paramedical", on),
    "taux_transport": lambda on: _category_rate("transport", on),
    "taux_biologie": lambda on: _category_rate("biologie", on),
    "taux_radiologie": lambda on: _category_rate("radiologie", on),
    "taux_hors_parcours": _hors_parcours,
    "taux_ph7": lambda on: tariffs.act("PH7", on).rate,
    "taux_ph4": lambda on: tariffs.act("PH4", on).rate,
    "taux_ph2": lambda on: tariffs.act("PH2", on).rate,
    "taux_ph1": lambda on: tariffs.act("PH1", on).rate,
    "lettre_amk": lambda on: tariffs.key_letter("AMK", on),
    "lettre_ams": lambda on: tariffs.key_letter("AMS", on),
    "lettre_tmk": lambda on: tariffs.key_letter("TMK", on),
    "ij_maladie_max": _ij_maladie_max,
    "ij_maternite_max": lambda on: _ij_series("maternite_maximum", on),
    "ij_maternite_min": lambda on: _ij_series("maternite_minimum", on),
    "jours_carence": lambda on: _ij_series("carence_jours", on),
    "smic_mensuel": ij.smic_mensuel_on,
    "pmss": lambda on: _ij_series("pmss", on),
    "c2s_plafond_1": lambda on: c2s.ceilings(on, 1).gratuite,
    "c2s_plafond_participation_1": lambda on: c2s.ceilings(on, 1).participation,
    # The CEAM and carte Vitale rules of the démarches (app/rules/ceam.py), not dated there.
    "ceam_validite_ans": lambda on: ceam.CARD_VALIDITY_YEARS,
    "ceam_delai_commande_jours": lambda on: ceam.ORDER_LEAD_DAYS,
    "certificat_ceam_mois": lambda on: ceam.CERTIFICAT_VALIDITY_MONTHS,
    "vitale_age_min": lambda on: ceam.VITALE_MIN_AGE,
}
RULE_NAMES: Final = tuple(RULES)


def regle(name: str, on: dt.date | None = None) -> Decimal | int | None:
    """The figure ``name`` in force on ``on`` (default today); None when the data does not know it.

    An unknown name is a programming error in a fiche: ``KeyError``, caught by the fiches' test.
    """
    if name not in RULES:
        raise KeyError(f"regle(): unknown rule {name!r} (known: {', '.join(RULE_NAMES)})")
    try:
        return RULES[name](on or today())
    except tariffs.RulesError:
        return None


def tarif(code: str, secteur: str = "1", on: dt.date | None = None) -> Decimal | None:
    """The BR of one act ``code`` for a doctor of ``secteur`` today; None when unknown or given by the
    caller (medicines, kiné…). An unknown code raises ``UnknownAct`` (a fiche's programming error)."""
    try:
        act = tariffs.act(code, on or today())
        return tariffs.base_for_secteur(act, secteur)
    except tariffs.UnknownAct:
        raise
    except tariffs.RulesError:
        return None


def fiche_url(slug: str) -> str:
    """The URL of the fiche ``slug``."""
    return url_for("informations.fiche", slug=slug)


def _birth_date(age: int, on: dt.date) -> dt.date:
    try:
        return on.replace(year=on.year - age)
    except ValueError:  # 29 February
        return on.replace(year=on.year - age, day=28)


def _request_act(raw: dict[str, Any], secteur: str, on: dt.date) -> tuple[dict[str, Any], str]:
    """One act of a fiche as the refund API's act, with the amount billed filled in, and its label.

    ``coefficient`` (kiné acts) gives the base: coefficient × the key letter of the act today.
    Without ``montant``, the amount billed is the BR (tariff, or base × quantity).
    """
    item = dict(raw)
    code = str(item["code"]).upper()
    act = tariffs.act(code, on)
    quantity = int(item.get("quantite", 1))
    if "coefficient" in item:
        item["base"] = str(tariffs.kine_base(Decimal(str(item.pop("coefficient"))), on, key=code))
    if item.get("montant") is None:
        unit = Decimal(str(item["base"])) if act.base_given else tariffs.base_for_secteur(act, secteur)
        item["montant"] = str((unit or Decimal(0)) * quantity)
    return item, act.label


def example(
    titre: str,
    actes: list[dict[str, Any]],
    secteur: str = "1",
    age: int = 40,
    parcours: bool = True,
    ald: bool = False,
    c2s: bool = False,
    maternite: bool = False,
    tiers_payant: bool = False,
    on: dt.date | None = None,
) -> dict[str, Any]:
    """The worked example as data: ``titre``, ``day``, ``lines`` (each with its act ``label``), totals,
    ``explanations``; or ``error``, a French sentence, when the rules cannot compute it today."""
    on = on or today()
    try:
        items, labels = [], []
        for raw in actes:
            item, label = _request_act(raw, secteur, on)
            items.append(item)
            labels.append(label)
        body = {
            "date": on.isoformat(),
            "patient": {
                "date_naissance": _birth_date(age, on).isoformat(),
                "parcours_de_soins": parcours,
                "ald": ald,
                "c2s": c2s,
                "maternite": maternite,
            },
            "professionnel": {"secteur": secteur},
            "tiers_payant": tiers_payant,
            "actes": items,
        }
        result = simulate_refund(body)
    except tariffs.RulesError as error:
        return {"titre": titre, "day": on, "error": str(error)}
    except ContractError as error:
        return {"titre": titre, "day": on, "error": " ".join(error.fields.values())}
    for line, label in zip(result["lignes"], labels, strict=True):
        line["label"] = label
    return {"titre": titre, "day": on, "error": None, **result}


def exemple_remboursement(titre: str, actes: list[dict[str, Any]], **options: Any) -> Markup:
    """The worked example rendered as a ``<figure>`` (``informations/_exemple.html``)."""
    return Markup(render_template(EXAMPLE_TEMPLATE, exemple=example(titre, actes, **options)))


def register(app: Flask) -> None:
    """Make the figures available to every template (the fiches are templates)."""
    app.jinja_env.globals.update(
        exemple_remboursement=exemple_remboursement,
        tarif=tarif,
        regle=regle,
        fiche_url=fiche_url,
    )
