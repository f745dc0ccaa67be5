"""The congé maternité / paternité simulator's JSON contract: parse, run the rules, shape the answer.

Same conventions as the other simulators (``simulations.py``): field errors are collected, named as
in the request, each with a French message, and raised together as a ``ContractError``. What the
rules refuse (a date outside their data, a report beyond the allowed weeks) is given on the field
it concerns, as a ``ContractError`` too, so that the page links the message to its input.
"""

from __future__ import annotations

from typing import Any, Final

from app.api.simulations import ContractError, Reader
from app.rules import conges_naissance as rules

TYPES: Final = ("maternite", "paternite")
MAX_WEEKS_TYPED: Final = 52
DATE_FIELDS: Final = {"maternite": "date_accouchement_prevue", "paternite": "date_naissance"}


def run_conge(body: Any) -> rules.CongeMaternite | rules.CongePaternite:
    """The simulator's result; ``ContractError`` (with every faulty field) for a bad request or what
    the rules refuse."""
    read = Reader()
    body = read.obj(body, "corps")
    if read.errors:
        raise ContractError(read.errors)
    kind = body.get("type")
    if kind not in TYPES:
        raise ContractError({"type": "Le type doit être « maternite » ou « paternite »."})
    on = read.date(body.get(DATE_FIELDS[kind]), DATE_FIELDS[kind])
    naissances = read.integer(body.get("naissances"), "naissances", 1, 1, rules.MAX_NAISSANCES)
    try:
        if kind == "paternite":
            if read.errors or on is None:
                raise ContractError(read.errors)
            return rules.conge_paternite(on, naissances)
        enfants = read.integer(
            body.get("enfants_a_charge"), "enfants_a_charge", 0, 0, rules.MAX_ENFANTS_A_CHARGE
        )
        # Any number of weeks is read; the rules say how many the law allows, and why.
        report = read.integer(body.get("report_semaines"), "report_semaines", 0, 0, MAX_WEEKS_TYPED)
        anticipation = read.integer(
            body.get("anticipation_semaines"), "anticipation_semaines", 0, 0, MAX_WEEKS_TYPED
        )
        pathologique = read.boolean(body.get("conge_pathologique"), "conge_pathologique", default=False)
        if read.errors or on is None:
            raise ContractError(read.errors)
        return rules.conge_maternite(on, enfants, naissances, report, anticipation, pathologique)
    except rules.InvalidConge as exc:
        raise ContractError({exc.field: str(exc)}) from exc
    except rules.RuleNotInForce as exc:
        raise ContractError({DATE_FIELDS[kind]: str(exc)}) from exc


def _periodes(result: rules.CongeMaternite | rules.CongePaternite) -> list[dict[str, Any]]:
    return [
        {
            "type": periode.code,
            "libelle": periode.libelle,
            "debut": periode.debut.isoformat(),
            "fin": periode.fin.isoformat(),
            "jours": periode.jours,
            "remarque": periode.remarque,
        }
        for periode in result.periodes
    ]


def conge_document(result: rules.CongeMaternite | rules.CongePaternite) -> dict[str, Any]:
    """The published answer: weeks or days, ISO dates (both ends inclusive), periods, why, sources."""
    sources = [{"titre": lien.titre, "url": lien.url} for lien in result.liens]
    if isinstance(result, rules.CongePaternite):
        return {
            "jours_conge_naissance": result.jours_conge_naissance,
            "jours_obligatoires": result.jours_obligatoires,
            "jours_restants": result.jours_restants,
            "date_limite": result.date_limite.isoformat(),
            "periodes": _periodes(result),
            "explications": result.explanations,
            "sources": sources,
        }
    return {
        "semaines_prenatales": result.semaines_prenatales,
        "semaines_postnatales": result.semaines_postnatales,
        "debut": result.debut.isoformat(),
        "fin": result.fin.isoformat(),
        "periodes": _periodes(result),
        "explications": result.explanations,
        "sources": sources,
    }


def simulate_conge(body: Any) -> dict[str, Any]:
    """``POST /api/v1/simulations/conge-maternite-paternite``."""
    return conge_document(run_conge(body))
