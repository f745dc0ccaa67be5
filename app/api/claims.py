"""The feuilles de soins endpoint's contract: bearer token of the professional, Idempotency-Key,
the body read with the same checks and messages as the refund simulator."""

from __future__ import annotations

from typing import Any

from app.api.json import money
from app.api.simulations import ContractError, Reader
from app.models.care import Claim
from app.rules import liquidation
from app.rules.nir import parse_nir


def parse_claim(body: Any) -> tuple[str, Any, list[liquidation.ActLine], bool, bool]:
    """``(nir, care_date, acts, tiers_payant, ald)`` or ``ContractError`` with every faulty field."""
    read = Reader()
    body = read.obj(body, "corps")
    if read.errors:
        raise ContractError(read.errors)
    nir = parse_nir(str(body.get("nir") or ""))
    if not nir.ok:
        read.errors["nir"] = nir.error
    care_date = read.date(body.get("date"), "date")
    tiers_payant = read.boolean(body.get("tiers_payant"), "tiers_payant", default=False)
    ald = read.boolean(body.get("ald"), "ald", default=False)
    acts = read.acts(body.get("actes"))
    if read.errors:
        raise ContractError(read.errors)
    return nir.value, care_date, acts, tiers_payant, ald


def claim_document(claim: Claim) -> dict[str, Any]:
    """The décompte as the API answers it (no name: the billing software knows its patient)."""
    return {
        "facture": claim.invoice_number,
        "lot": claim.lot_number,
        "date": claim.care_date.isoformat(),
        "tiers_payant": claim.tiers_payant,
        "lignes": [
            {
                "code": line.code,
                "date": line.act_date.isoformat(),
                "montant": money(line.billed),
                "base": money(line.base),
                "taux": line.rate,
                "rembourse": money(line.refunded),
                "participation_forfaitaire": money(line.pf),
                "franchise": money(line.franchise),
                "depassement": money(line.depassement),
            }
            for line in claim.lines
        ],
        "rembourse": money(claim.total_refunded),
        "participation_forfaitaire": money(claim.total_pf),
        "franchises": money(claim.total_franchises),
        "part_complementaire_c2s": money(claim.c2s_part),
        "reste_a_charge": money(claim.reste_a_charge),
        "dettes_recuperees_plus_tard": money(claim.debts),
        "paye_a": "professionnel" if claim.tiers_payant else "assure",
        "explications": [text for text in claim.explanations.split("\n") if text],
    }
