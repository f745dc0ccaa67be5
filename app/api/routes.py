"""Partner API, version 1 (JSON): public simulators; more endpoints come with their features."""

from __future__ import annotations

import functools

from flask import Blueprint, request

from app.api.json import error_response, json_response, money
from app.api.openapi import openapi_document
from app.api.simulations import ContractError, simulate_refund
from app.api.simulations_conges import simulate_conge
from app.api.simulations_ij_c2s import simulate_c2s, simulate_ij
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


def _simulate(simulate, rules_field: str):
    """Run a public simulator on the JSON body: 200 with its answer; 400 for a body that is not JSON;
    422 with a French message per field for a broken contract, or on ``rules_field`` when the rules
    refuse (a date outside the data, an unknown act)."""
    body, error = _json_body()
    if error:
        return error
    try:
        return json_response(simulate(body))
    except ContractError as exc:
        return error_response(422, str(exc), exc.fields)
    except RulesError as exc:
        return error_response(422, str(exc), {rules_field: str(exc)})


@bp.post("/simulations/remboursement")
@limiter.limit(SIMULATOR_LIMIT)
def simulation_remboursement():
    """Refund simulator (no login): 200 with the décompte, 422 with a French message per field."""
    return _simulate(simulate_refund, "actes")


@bp.post("/simulations/indemnites-journalieres")
@limiter.limit(SIMULATOR_LIMIT)
def simulation_indemnites_journalieres():
    """IJ simulator (no login): 200 with the SJB, daily IJ, carence and total; 422 in French."""
    return _simulate(simulate_ij, "debut")


@bp.post("/simulations/c2s")
@limiter.limit(SIMULATOR_LIMIT)
def simulation_c2s():
    """C2S simulator (no login): 200 with eligibility and monthly participation; 422 in French."""
    return _simulate(simulate_c2s, "date")


@bp.post("/simulations/conge-maternite-paternite")
@limiter.limit(SIMULATOR_LIMIT)
def simulation_conge_maternite_paternite():
    """Congé maternité / paternité simulator (no login): 200 with the periods and their dates; 422 in
    French, on the field at fault (the rules' refusals included)."""
    return _simulate(simulate_conge, "type")


def _professional_request(find_professional):
    """``(professional, idempotency_key, body, None)`` for a call of the professional's software, or
    ``(None, None, None, response)``: 401 without a valid bearer token, 400 without an
    Idempotency-Key or without a JSON body."""
    from app.services.api_tokens import PROFESSIONAL_SCOPES, ScopeDenied

    header = request.headers.get("Authorization", "")
    secret = header[7:].strip() if header.lower().startswith("bearer ") else ""
    try:
        professional = find_professional(secret) if secret else None
    except ScopeDenied as denied:
        what = PROFESSIONAL_SCOPES[str(denied)].lower()
        message = f"Ce jeton ne permet pas de {what} : créez-en un avec ce droit dans votre espace."
        return None, None, None, error_response(403, message)
    if professional is None:
        response = error_response(401, "Jeton d'accès manquant, révoqué ou inconnu.")
        response.headers["WWW-Authenticate"] = 'Bearer realm="macaisse"'
        return None, None, None, response
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key or len(key) > 100:
        return (
            None,
            None,
            None,
            error_response(
                400,
                "L'en-tête Idempotency-Key est obligatoire (1 à 100 caractères) : il évite les doublons.",
            ),
        )
    body, error = _json_body()
    if error:
        return None, None, None, error
    return professional, key, body, None


@bp.post("/feuilles-de-soins")
@limiter.limit("600 per minute")
def feuille_de_soins():
    """A feuille de soins from billing software: 201 with the décompte, lot and invoice numbers; the
    same ``Idempotency-Key`` again answers 200 with the same décompte and never pays twice."""
    from app.api.claims import claim_document, parse_claim
    from app.services import claims
    from app.services.api_tokens import professional_for_token

    professional, key, body, error = _professional_request(
        functools.partial(professional_for_token, scope="feuilles_de_soins")
    )
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


@bp.post("/arrets-de-travail")
@limiter.limit("600 per minute")
def arret_de_travail():
    """An avis d'arrêt de travail from the doctor's software: 201 with its reference; the same
    ``Idempotency-Key`` again answers 200 with the same avis; 422 with French messages."""
    from app.api.arrets import arret_document, parse_arret
    from app.services import claims, sick_leave
    from app.services.api_tokens import professional_for_token

    professional, key, body, error = _professional_request(
        functools.partial(professional_for_token, scope="arrets_de_travail")
    )
    if error:
        return error
    try:
        nir, data = parse_arret(body)
    except ContractError as exc:
        return error_response(422, str(exc), exc.fields)
    patient = claims.find_patient(nir)
    if patient is None:
        return error_response(
            422, "Aucun assuré ne correspond à ce numéro.", {"nir": "Aucun assuré ne correspond."}
        )
    try:
        submission = sick_leave.submit_arret(
            professional,
            patient,
            data,
            source="api",
            idempotency_key=key,
            payload_hash=claims.request_hash(body),
        )
    except sick_leave.ArretRefused as exc:
        return error_response(422, str(exc), {exc.field: str(exc)} if exc.field else None)
    response = json_response(arret_document(submission.arret), 201 if submission.created else 200)
    if not submission.created:
        response.headers["Idempotent-Replayed"] = "true"
    return response


@bp.post("/attestations-salaire")
@limiter.limit("600 per minute")
def attestation_salaire():
    """An attestation de salaire from an employer's payroll software: 201 with the receipt number;
    the same ``Idempotency-Key`` and body again answers 200 with the same receipt. 401 without a live
    employer token, 403 for another SIRET, 409 when this arrêt's attestation was already sent, 422
    with a French message per field."""
    from app.services import employers
    from app.services.api_tokens import employer_for_token
    from app.services.claims import request_hash

    header = request.headers.get("Authorization", "")
    secret = header[7:].strip() if header.lower().startswith("bearer ") else ""
    employer = employer_for_token(secret) if secret else None
    if employer is None:
        response = error_response(401, "Jeton d'accès manquant, révoqué ou inconnu.")
        response.headers["WWW-Authenticate"] = 'Bearer realm="macaisse"'
        return response
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key or len(key) > 100:
        return error_response(
            400,
            "L'en-tête Idempotency-Key est obligatoire (1 à 100 caractères) : il évite tout envoi en double.",
        )
    body, error = _json_body()
    if error:
        return error
    if not isinstance(body, dict):
        return error_response(422, "Un objet JSON est attendu.", {"corps": "Un objet JSON est attendu."})
    try:
        submission = employers.submit_attestation(
            employer, body, source="api", idempotency_key=key, payload_hash=request_hash(body)
        )
    except employers.AttestationRefused as exc:
        if exc.receipt_number:  # 409: the receipt of the attestation already received
            return json_response({"erreur": str(exc), "numero_reception": exc.receipt_number}, exc.status)
        return error_response(exc.status, str(exc), exc.fields)
    attestation = submission.attestation
    response = json_response(
        {
            "numero_reception": attestation.receipt_number,
            "siret": employer.siret,
            "date_debut_arret": attestation.arret_start.isoformat(),
            "salaires": [
                {"mois": f"{month.month:%Y-%m}", "brut": money(month.gross)} for month in attestation.months
            ],
            "heures_travaillees": attestation.hours_worked,
            "recue_le": attestation.created_at.isoformat(),
        },
        201 if submission.created else 200,
    )
    if not submission.created:
        response.headers["Idempotent-Replayed"] = "true"
    return response


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of this API."""
    return json_response(openapi_document())
