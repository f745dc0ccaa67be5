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


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of this API."""
    return json_response(openapi_document())
