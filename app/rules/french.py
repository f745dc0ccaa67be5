"""French words the rules and documents share: month names, as written in a date ("1er mars 2026")."""

from __future__ import annotations

from typing import Final

MONTHS: Final = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
