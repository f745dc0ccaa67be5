"""Partner API, version 1 (JSON): public simulators; more endpoints come with their features."""

from __future__ import annotations

from flask import Blueprint, request

from app.api.json import error_response, json_response
from app.api.openapi import openapi_document
from app.api.simulations import ContractError, simulate_refund
from app.extensions import csrf, limiter
from app.rules.tariffs import RulesError

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # no cookie session here: the simulators are public, partners use bearer tokens

SIMULATOR_LIMIT = "240 per minute"


def _json_body():
    body = request.get_json(silent=True)
    if body is None:
        return None, error_response(400, "Le corps de la requête doit être un document JSON valide.")
    return body, None


@bp.post("/simulations/remboursement")
@limiter.limit(SIMULATOR_LIMIT)
def simulation_remboursement():
    """Refund simulator (no login): 200 with the décompte, 422 with a French message per field."""
    body, error = _json_body()
    if error:
        return error
    try:
        return json_response(simulate_refund(body))
    except ContractError as exc:
        return error_response(422, str(exc), exc.fields)
    except RulesError as exc:
        return error_response(422, str(exc), {"actes": str(exc)})


@bp.post("/feuilles-de-soins")
@limiter.limit("600 per minute")
def feuille_de_soins():
    """A feuille de soins from billing software: 201 with the décompte, lot and invoice numbers; the
    same ``Idempotency-Key`` again answers 200 with the same décompte and never pays twice."""
    from app.api.claims import claim_document, parse_claim
    from app.services import claims
    from app.services.api_tokens import professional_for_token

    header = request.headers.get("Authorization", "")
    secret = header[7:].strip() if header.lower().startswith("bearer ") else ""
    professional = professional_for_token(secret) if secret else None
    if professional is None:
        response = error_response(401, "Jeton d'accès manquant, révoqué ou inconnu.")
        response.headers["WWW-Authenticate"] = 'Bearer realm="macaisse"'
        return response
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key or len(key) > 100:
        return error_response(
            400,
            "L'en-tête Idempotency-Key est obligatoire (1 à 100 caractères) : il évite tout double paiement.",
        )
    body, error = _json_body()
    if error:
        return error
    try:
        nir, care_date, acts, tiers_payant, ald = parse_claim(body)
    except ContractError as exc:
        return error_response(422, str(exc), exc.fields)
    patient = claims.find_patient(nir)
    if patient is None:
        return error_response(
            422, "Aucun assuré ne correspond à ce numéro.", {"nir": "Aucun assuré ne correspond."}
        )
    try:
        submission = claims.submit(
            professional,
            patient,
            care_date,
            acts,
            tiers_payant=tiers_payant,
            ald=ald,
            source="api",
            idempotency_key=key,
            payload_hash=claims.request_hash(body),
        )
    except (claims.ClaimRefused, RulesError) as exc:
        return error_response(422, str(exc))
    response = json_response(claim_document(submission.claim), 201 if submission.created else 200)
    if not submission.created:
        response.headers["Idempotent-Replayed"] = "true"
    return response


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of this API."""
    return json_response(openapi_document())
