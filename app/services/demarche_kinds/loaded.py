"""Imports every kind module so that each registers its handler (``register``); add new kinds to
the list. ``app.services.demarches`` imports this."""

from __future__ import annotations

from app.services.demarche_kinds import (  # noqa: F401
    adresse,
    ayants_droit,
    c2s,
    carte_vitale,
    ceam,
    complementaire,
    divorce,
    feuille_soins,
    iban,
    medecin_traitant,
    situation,
    telephone,
)
