"""The public simulators' JSON contracts: parse and check a request, run the rules, shape the answer.

Field errors are collected (not stopped at the first) and named as in the request, e.g.
``actes[1].montant``, with a French message each.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from app.api.json import money
from app.rules import liquidation, tariffs

SECTEURS = ("1", "2_optam", "2", "3")
MAX_ACTS = 50


class ContractError(ValueError):
    """Bad request body: ``fields`` maps each faulty field to its French message."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("Certaines informations sont manquantes ou incorrectes.")
        self.fields = fields


class Reader:
    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def obj(self, value: Any, name: str) -> dict:
        if not isinstance(value, dict):
            self.errors[name] = "Un objet JSON est attendu."
            return {}
        return value

    def date(self, value: Any, name: str, *, required: bool = True) -> dt.date | None:
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip():
            self.errors[name] = "Une date au format AAAA-MM-JJ est attendue."
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.errors[name] = f"« {value[:20]} » n'est pas une date valide (format AAAA-MM-JJ)."
            return None

    def boolean(self, value: Any, name: str, default: bool | None = None) -> bool:
        if value is None and default is not None:
            return default
        if not isinstance(value, bool):
            self.errors[name] = "La valeur doit être true ou false."
            return False
        return value

    def amount(self, value: Any, name: str, *, required: bool = True) -> Decimal | None:
        if value is None and not required:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            self.errors[name] = "Un montant en euros est attendu, par exemple 30.00."
            return None
        try:
            # Through str: a JSON float such as 30.1 must become Decimal("30.1"), not its binary value.
            amount = Decimal(str(value))
        except InvalidOperation:
            self.errors[name] = "Un montant en euros est attendu, par exemple 30.00."
            return None
        if not amount.is_finite() or amount < 0:
            self.errors[name] = "Le montant doit être positif ou nul."
            return None
        if amount != amount.quantize(Decimal("0.01")):
            self.errors[name] = "Le montant doit être exprimé au centime près (2 décimales au plus)."
            return None
        if amount > Decimal("100000"):
            self.errors[name] = "Le montant ne peut pas dépasser 100 000,00 €."
            return None
        return amount

    def acts(self, raw_acts: Any) -> list[liquidation.ActLine]:
        """The ``actes`` list shared by the simulator and the feuilles de soins."""
        acts: list[liquidation.ActLine] = []
        if not isinstance(raw_acts, list) or not raw_acts:
            self.errors["actes"] = "Au moins un acte est attendu."
            return acts
        if len(raw_acts) > MAX_ACTS:
            self.errors["actes"] = f"{MAX_ACTS} actes au plus."
            return acts
        known = set(tariffs.act_codes())
        for index, raw in enumerate(raw_acts):
            prefix = f"actes[{index}]"
            raw = self.obj(raw, prefix)
            code = raw.get("code")
            if not isinstance(code, str) or code.strip().upper() not in known:
                self.errors[f"{prefix}.code"] = (
                    f"Code d'acte inconnu : « {str(code)[:20]} ». Codes connus : {', '.join(sorted(known))}."
                )
            billed = self.amount(raw.get("montant"), f"{prefix}.montant")
            quantity = self.integer(raw.get("quantite"), f"{prefix}.quantite", 1, 1, 99)
            base = self.amount(raw.get("base"), f"{prefix}.base", required=False)
            act_date = self.date(raw.get("date"), f"{prefix}.date", required=False)
            if isinstance(code, str) and billed is not None:
                acts.append(
                    liquidation.ActLine(code=code, billed=billed, quantity=quantity, base=base, date=act_date)
                )
        return acts

    def integer(self, value: Any, name: str, default: int, low: int, high: int) -> int:
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.errors[name] = f"Un nombre entier de {low} à {high} est attendu."
            return default
        return value


def parse_refund_request(
    body: Any,
) -> tuple[liquidation.CareSituation, list[liquidation.ActLine], liquidation.Counters, bool]:
    """Read the refund simulator's body; raises ``ContractError`` with every faulty field."""
    read = Reader()
    body = read.obj(body, "corps")
    if read.errors:
        raise ContractError(read.errors)
    care_date = read.date(body.get("date"), "date")
    patient = read.obj(body.get("patient"), "patient")
    birth = read.date(patient.get("date_naissance"), "patient.date_naissance")
    parcours = read.boolean(patient.get("parcours_de_soins"), "patient.parcours_de_soins", default=True)
    ald = read.boolean(patient.get("ald"), "patient.ald", default=False)
    c2s = read.boolean(patient.get("c2s"), "patient.c2s", default=False)
    maternite = read.boolean(patient.get("maternite"), "patient.maternite", default=False)
    pf_year = read.amount(patient.get("participations_annee", 0), "patient.participations_annee")
    franchises_year = read.amount(patient.get("franchises_annee", 0), "patient.franchises_annee")
    professionnel = read.obj(body.get("professionnel", {"secteur": "1"}), "professionnel")
    secteur = professionnel.get("secteur", "1")
    if secteur not in SECTEURS:
        read.errors["professionnel.secteur"] = "Le secteur doit être « 1 », « 2_optam », « 2 » ou « 3 »."
    tiers_payant = read.boolean(body.get("tiers_payant"), "tiers_payant", default=False)
    acts = read.acts(body.get("actes"))
    if read.errors:
        raise ContractError(read.errors)
    care = liquidation.CareSituation(
        birth_date=birth,
        parcours_de_soins=parcours,
        ald=ald,
        c2s=c2s,
        maternite=maternite,
        secteur=secteur,
        date=care_date,
    )
    return care, acts, liquidation.Counters(pf_year=pf_year, franchises_year=franchises_year), tiers_payant


def simulate_refund(body: Any) -> dict[str, Any]:
    """The refund simulator: ``ContractError`` for bad fields, ``RulesError`` for what the rules refuse."""
    care, acts, counters, tiers_payant = parse_refund_request(body)
    result = liquidation.liquidate(care, acts, counters, tiers_payant)
    explanations: list[str] = []
    for text in [*(e for line in result.lines for e in line.explanations), *result.explanations]:
        if text not in explanations:
            explanations.append(text)
    return {
        "lignes": [
            {
                "code": line.code,
                "montant": money(line.billed),
                "base": money(line.base),
                "taux": line.rate,
                "rembourse": money(line.refunded),
                "participation_forfaitaire": money(line.pf),
                "franchise": money(line.franchise),
                "depassement": money(line.depassement),
            }
            for line in result.lines
        ],
        "rembourse": money(result.total_refunded),
        "participation_forfaitaire": money(result.total_pf),
        "franchises": money(result.total_franchises),
        "part_complementaire_c2s": money(result.part_complementaire_c2s),
        "reste_a_charge": money(result.reste_a_charge),
        "explications": explanations,
    }
