"""Imports every kind module so that each registers its handler (``register``). Add a line per
module; ``app.services.demarches`` imports this."""

from __future__ import annotations
