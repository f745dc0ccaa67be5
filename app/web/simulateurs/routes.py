"""Public simulator pages, backed by the same code as the JSON API."""

from __future__ import annotations

from flask import Blueprint, request

from app.api.simulations import SECTEURS, ContractError, simulate_refund
from app.htmx import render
from app.rules import tariffs

bp = Blueprint("simulateurs", __name__, url_prefix="/simulateurs")

ACT_ROWS = 4
SECTEUR_LABELS = {
    "1": "Secteur 1 (tarifs de l'Assurance Maladie)",
    "2_optam": "Secteur 2 avec OPTAM",
    "2": "Secteur 2 sans OPTAM",
    "3": "Non conventionné",
}
YES = ("oui", "on", "1", "true")


def _form_to_body(args) -> dict:
    """The page's query string as the API's JSON body (same checks, same messages)."""
    acts = []
    for index in range(ACT_ROWS):
        code = args.get(f"code_{index}", "").strip()
        amount = args.get(f"montant_{index}", "").strip().replace(",", ".")
        if not code and not amount:
            continue
        acts.append(
            {
                "code": code,
                "montant": amount or None,
                "quantite": int(args.get(f"quantite_{index}"))
                if args.get(f"quantite_{index}", "").isdigit()
                else 1,
                "base": args.get(f"base_{index}", "").strip().replace(",", ".") or None,
            }
        )
    return {
        "date": args.get("date", "").strip(),
        "patient": {
            "date_naissance": args.get("date_naissance", "").strip(),
            "parcours_de_soins": args.get("parcours", "oui") in YES,
            "ald": args.get("ald", "") in YES,
            "c2s": args.get("c2s", "") in YES,
            "maternite": args.get("maternite", "") in YES,
            "participations_annee": args.get("participations_annee", "").strip().replace(",", ".") or 0,
            "franchises_annee": args.get("franchises_annee", "").strip().replace(",", ".") or 0,
        },
        "professionnel": {"secteur": args.get("secteur", "1")},
        "tiers_payant": args.get("tiers_payant", "") in YES,
        "actes": acts,
    }


# API field names → the page's input ids, so each error links to its field.
def _field_id(name: str) -> str:
    if name.startswith("actes[") and "]." in name:
        index, field = name[6:].split("].", 1)
        return {"code": "code", "montant": "montant", "quantite": "quantite", "base": "base"}.get(
            field, "code"
        ) + f"_{index}"
    return {
        "date": "date",
        "patient.date_naissance": "date_naissance",
        "patient.participations_annee": "participations_annee",
        "patient.franchises_annee": "franchises_annee",
        "professionnel.secteur": "secteur",
        "actes": "code_0",
    }.get(name, "date")


@bp.get("/remboursement")
def remboursement():
    """ "Simuler un remboursement": the form and, once submitted, the décompte line by line;
    fragment ``content`` for htmx; 422 with the typed values kept on error."""
    args = request.args
    result, errors, status = None, {}, 200
    if args.get("date") is not None:
        try:
            result = simulate_refund(_form_to_body(args))
        except ContractError as exc:
            errors = {_field_id(name): message for name, message in exc.fields.items()}
        except tariffs.RulesError as exc:
            errors = {"code_0": str(exc)}
        if errors:
            status = 422
    return render(
        "simulateurs/remboursement.html",
        status=status,
        args=args,
        result=result,
        errors=errors,
        rows=range(ACT_ROWS),
        catalogue=tariffs.catalogue(),
        secteurs=[(key, SECTEUR_LABELS[key]) for key in SECTEURS],
    )
