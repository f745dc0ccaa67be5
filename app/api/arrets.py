"""The arrêts de travail endpoint's contract: the doctor's software sends an avis d'arrêt with the
same bearer token and Idempotency-Key as the feuilles de soins; the body is read with the same
checks and French messages."""

from __future__ import annotations

from typing import Any

from app.api.simulations import ContractError, Reader
from app.models.sick_leave import CATEGORIES, SORTIES, TEMPS, Arret
from app.rules.nir import parse_nir
from app.services.sick_leave import ArretInput, episode_end

FIELDS = (
    "nir",
    "type",
    "arret_initial",
    "debut",
    "fin",
    "temps",
    "ald",
    "sorties",
    "categorie",
    "motif_code",
)


def _choice(read: Reader, body: dict, name: str, allowed: tuple[str, ...], default: str) -> str:
    value = body.get(name, default)
    if value not in allowed:
        read.errors[name] = f"Valeurs possibles : {', '.join(allowed)}."
        return default
    return value


def parse_arret(body: Any) -> tuple[str, ArretInput]:
    """``(nir, avis)`` or ``ContractError`` with every faulty field."""
    read = Reader()
    body = read.obj(body, "corps")
    if read.errors:
        raise ContractError(read.errors)
    nir = parse_nir(str(body.get("nir") or ""))
    if not nir.ok:
        read.errors["nir"] = nir.error
    kind = _choice(read, body, "type", ("initial", "prolongation"), "initial")
    start = read.date(body.get("debut"), "debut")
    end = read.date(body.get("fin"), "fin")
    temps = _choice(read, body, "temps", TEMPS, "complet")
    ald = read.boolean(body.get("ald"), "ald", default=False)
    sorties = _choice(read, body, "sorties", SORTIES, "autorisees")
    category = _choice(read, body, "categorie", CATEGORIES, "salarie")
    reference = body.get("arret_initial")
    if reference is not None and not isinstance(reference, str):
        read.errors["arret_initial"] = "La référence de l'arrêt prolongé est une chaîne de caractères."
    if kind == "prolongation" and not reference:
        read.errors["arret_initial"] = "Indiquez la référence de l'arrêt prolongé."
    reason = body.get("motif_code", "")
    if not isinstance(reason, str) or len(reason) > 20:
        read.errors["motif_code"] = "Le motif codé est une chaîne de 20 caractères au plus."
    unknown = sorted(set(body) - set(FIELDS))
    if unknown:
        read.errors[unknown[0]] = "Champ inconnu."
    if read.errors:
        raise ContractError(read.errors)
    return nir.value, ArretInput(
        kind=kind,
        start=start,
        end=end,
        temps=temps,
        ald=ald,
        sorties=sorties,
        category=category,
        reason_code=reason,
        initial_reference=reference if kind == "prolongation" else None,
    )


def arret_document(arret: Arret) -> dict[str, Any]:
    """The avis as the API answers it: its reference (to prolong it), never the medical reason."""
    initial = arret.initial or arret
    return {
        "reference": arret.reference,
        "type": arret.kind,
        "arret_initial": initial.reference if arret.initial is not None else None,
        "debut": arret.start_date.isoformat(),
        "fin": arret.end_date.isoformat(),
        "fin_episode": episode_end(initial).isoformat(),
        "temps": arret.temps,
        "ald": arret.ald,
        "sorties": arret.sorties,
        "categorie": arret.category,
        "statut": initial.status,
    }
