"""The forum's blueprints: ``forum`` (public reading, and writing for signed-in users) and
``agent_forum`` (the moderators' queue). Their views live in ``public.py``, ``write.py`` and
``moderation.py``; ``app/__init__.py`` imports those modules and registers the blueprints."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("forum", __name__, url_prefix="/forum")
agent_bp = Blueprint("agent_forum", __name__, url_prefix="/agent/forum")
