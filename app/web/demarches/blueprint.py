"""The two blueprints of the démarches: the assuré's (``/compte/demarches``, ``/compte/courriers``)
and the back office's (``/agent/demarches``). Every view module of the feature adds its routes to
one of them; ``routes.py`` imports them all."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("demarches", __name__, url_prefix="/compte")
agent_bp = Blueprint("agent_demarches", __name__, url_prefix="/agent/demarches")
