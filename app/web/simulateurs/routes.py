"""Public simulator pages, backed by the same code as the JSON API."""

from __future__ import annotations

from flask import Blueprint, request

from app.api.simulations import SECTEURS, ContractError, simulate_refund
from app.api.simulations_conges import run_conge
from app.api.simulations_ij_c2s import run_c2s, run_ij
from app.htmx import render
from app.rules import tariffs
from app.security import no_store

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


def _amount(args, name: str):
    """A typed amount as the API reads it: « 2 000,50 » → « 2000.50 »; empty → None."""
    text = "".join(args.get(name, "").split()).replace(",", ".")
    return text or None


def _whole(args, name: str):
    """A typed whole number as an int, other text as typed (the API then says what it expects)."""
    text = args.get(name, "").strip()
    return int(text) if text.isdigit() else (text or None)


# The IJ simulator's API field names → the page's input ids.
IJ_FIELDS = {
    "salaires": "salaire_1",
    "salaires[0]": "salaire_1",
    "salaires[1]": "salaire_2",
    "salaires[2]": "salaire_3",
}


@bp.get("/indemnites-journalieres")
def indemnites_journalieres():
    """ "Estimer mes indemnités journalières": the form and, once submitted, the SJB, daily IJ,
    carence and total with each step explained; fragment ``content`` for htmx; 422 with the typed
    values kept on error."""
    args = request.args
    result, errors, status = None, {}, 200
    if args.get("debut") is not None:
        body = {
            "debut": args.get("debut", "").strip(),
            "fin": args.get("fin", "").strip(),
            "salaires": [_amount(args, f"salaire_{month}") for month in (1, 2, 3)],
            "prolongation": args.get("prolongation", "") in YES,
            "ald": args.get("ald", "") in YES,
        }
        try:
            result = run_ij(body)
        except ContractError as exc:
            errors = {IJ_FIELDS.get(name, name): message for name, message in exc.fields.items()}
        except tariffs.RulesError as exc:
            errors = {"debut": str(exc)}
        status = 422 if errors else 200
    response = render(
        "simulateurs/indemnites_journalieres.html", status=status, args=args, result=result, errors=errors
    )
    return no_store(response) if args else response


@bp.get("/c2s")
def c2s():
    """ "Ai-je droit à la C2S ?": the form and, once submitted, the answer with the ceilings and the
    monthly participation; fragment ``content`` for htmx; 422 with the typed values kept on error."""
    args = request.args
    result, errors, status = None, {}, 200
    if args.get("date") is not None:
        body = {
            "date": args.get("date", "").strip(),
            "foyer": _whole(args, "foyer"),
            "ressources": _amount(args, "ressources"),
            "age": _whole(args, "age"),
        }
        try:
            result = run_c2s(body)
        except ContractError as exc:
            errors = dict(exc.fields)
        except tariffs.RulesError as exc:
            errors = {"date": str(exc)}
        status = 422 if errors else 200
    response = render("simulateurs/c2s.html", status=status, args=args, result=result, errors=errors)
    return no_store(response) if args else response


@bp.get("/conge-maternite-paternite")
def conge_maternite_paternite():
    """ "Calculer mon congé de maternité ou de paternité": the form and, once submitted, the periods
    with their dates and why; fragment ``content`` for htmx; 422 with the typed values kept on error."""
    args = request.args
    result, errors, status = None, {}, 200
    kind = args.get("type")
    if kind is not None:
        body = {
            "type": kind,
            "date_accouchement_prevue": args.get("date_accouchement_prevue", "").strip(),
            "date_naissance": args.get("date_naissance", "").strip(),
            "naissances": _whole(args, "naissances"),
            "enfants_a_charge": _whole(args, "enfants_a_charge"),
            "report_semaines": _whole(args, "report_semaines"),
            "anticipation_semaines": _whole(args, "anticipation_semaines"),
            "conge_pathologique": args.get("conge_pathologique", "") in YES,
        }
        try:
            result = run_conge(body)
        except ContractError as exc:
            errors = dict(exc.fields)
        status = 422 if errors else 200
    response = render(
        "simulateurs/conge_maternite_paternite.html",
        status=status,
        args=args,
        kind=kind or "maternite",
        result=result,
        errors=errors,
    )
    return no_store(response) if args else response
