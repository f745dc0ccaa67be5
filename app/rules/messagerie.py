"""The messagerie's rules: the motifs a user writes about (``data/messagerie.toml``), the date by
which the caisse promised to answer, and how many files a message may carry.

Pure: no Flask, no database. The delays are arguments (the app's configuration holds them:
``MESSAGE_REPLY_HOURS`` for assurés, ``MESSAGE_REPLY_WORKING_DAYS_PRO`` for professionals), with
the figures of shared/DOMAIN.md as defaults: 48 h for assurés, 3 working days for professionals.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from app.rules.demarches import add_working_days
from app.rules.uploads import MB

DATA = Path(__file__).resolve().parent / "data" / "messagerie.toml"
PARIS = ZoneInfo("Europe/Paris")
AUDIENCES = ("assure", "professionnel")
REPLY_HOURS = 48
REPLY_WORKING_DAYS_PRO = 3
MAX_FILES = 3
MAX_TOTAL_BYTES = 5 * MB
BODY_MAX = 5000
SUBJECT_MAX = 120
_KEY = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

STATUS_LABELS = {
    "nouveau": "Nouveau",
    "en_cours": "En cours",
    "attente_usager": "Réponse envoyée",
    "clos": "Clos",
}
# The same statuses as the back office names them.
AGENT_STATUS_LABELS = {
    "nouveau": "Nouveau",
    "en_cours": "En cours",
    "attente_usager": "En attente de l'usager",
    "clos": "Clos",
}
RATINGS = {
    5: "Très satisfait(e)",
    4: "Satisfait(e)",
    3: "Moyennement satisfait(e)",
    2: "Peu satisfait(e)",
    1: "Pas du tout satisfait(e)",
}


@dataclass(frozen=True, slots=True)
class Motif:
    key: str
    audience: str
    label: str
    help: str
    demarche: str = ""
    demarche_label: str = ""


@functools.cache
def motifs() -> tuple[Motif, ...]:
    """Every motif in the data file's order. Raises ``ValueError`` on a data error (bad or repeated
    key, unknown audience, a démarche without its link text)."""
    with DATA.open("rb") as handle:
        loaded = tuple(Motif(**entry) for entry in tomllib.load(handle)["motifs"])
    seen: set[str] = set()
    for motif in loaded:
        if not _KEY.fullmatch(motif.key) or len(motif.key) > 40:
            raise ValueError(f"motif {motif.key!r}: not a slug of 40 characters at most")
        if motif.key in seen:
            raise ValueError(f"motif {motif.key!r} appears twice")
        if motif.audience not in AUDIENCES:
            raise ValueError(f"motif {motif.key!r}: unknown audience {motif.audience!r}")
        if bool(motif.demarche) != bool(motif.demarche_label):
            raise ValueError(f"motif {motif.key!r}: a démarche needs its link text and the reverse")
        seen.add(motif.key)
    return loaded


def motifs_for(audience: str) -> tuple[Motif, ...]:
    """The motifs offered to an assuré (``assure``) or a professional (``professionnel``)."""
    return tuple(motif for motif in motifs() if motif.audience == audience)


def motif_by_key(key: str | None) -> Motif | None:
    return {motif.key: motif for motif in motifs()}.get(key or "")


def motif_label(key: str) -> str:
    motif = motif_by_key(key)
    return motif.label if motif else key


def reply_due(
    written_at: datetime,
    audience: str,
    *,
    hours: int = REPLY_HOURS,
    working_days: int = REPLY_WORKING_DAYS_PRO,
) -> datetime:
    """When the caisse must have answered a message written at ``written_at`` (aware): ``hours``
    elapsed hours later for an assuré; for a professional, the same time of day ``working_days`` working days
    later in Paris (weekends and French public holidays not counted)."""
    if written_at.tzinfo is None:
        raise ValueError("written_at must be timezone-aware")
    if audience == "assure":
        # Elapsed hours, not wall-clock ones: the same across a change to or from summer time.
        return (written_at.astimezone(UTC) + timedelta(hours=hours)).astimezone(written_at.tzinfo)
    local = written_at.astimezone(PARIS)
    day = add_working_days(local.date(), working_days)
    return datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=PARIS).astimezone(
        written_at.tzinfo
    )


def is_overdue(reply_due_at: datetime | None, now: datetime) -> bool:
    """True when an answer was due and the date has passed. A naive ``reply_due_at`` (as SQLite
    gives it back) is read as UTC."""
    if reply_due_at is None:
        return False
    if reply_due_at.tzinfo is None:
        reply_due_at = reply_due_at.replace(tzinfo=UTC)
    return reply_due_at < now
