"""JSON answers of the partner API: money as numbers with exactly two decimals, errors in French."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import simplejson
from flask import Response

CENT = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    """A Decimal with two decimals, written by ``json_response`` as e.g. ``19.00`` (a JSON number)."""
    return value.quantize(CENT)


def json_response(data: Any, status: int = 200) -> Response:
    """Serialise with Decimal kept exact (``use_decimal``), UTF-8, no ASCII escaping."""
    body = simplejson.dumps(data, use_decimal=True, ensure_ascii=False)
    return Response(body, status=status, mimetype="application/json")


def error_response(status: int, message: str, fields: dict[str, str] | None = None) -> Response:
    """``{"erreur": "...", "champs": {"actes[0].code": "..."}}`` with the HTTP status."""
    payload: dict[str, Any] = {"erreur": message}
    if fields:
        payload["champs"] = fields
    return json_response(payload, status)
