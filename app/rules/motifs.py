"""Why people contact their caisse ("motifs"), with the national advice for each, read from
``data/motifs.toml``; and the 36 46 line every caisse shares.

Pure: no Flask, no database. A caisse completes a motif with its own details (a dedicated postal
address, a note on the phone or the accueil): that is the ``CaisseMotif`` model, merged with these
defaults by ``services.caisses``. Empty strings in the data mean "none" (no form to send, no online
démarche), as in ``formulaires.csv``.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.rules import forms_catalogue

DATA = Path(__file__).resolve().parent / "data" / "motifs.toml"
KEY_MAX_LENGTH = 40
_KEY = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass(frozen=True, slots=True)
class Telephone:
    """The national phone line: ``number`` as written, ``tel`` as dialled (for ``tel:`` links)."""

    number: str
    tel: str
    price: str
    hours: str
    source: str


@dataclass(frozen=True, slots=True)
class Motif:
    """One reason to contact the caisse and the national advice for it.

    ``messagerie`` says whether the assuré can write about it from the account's messagerie;
    ``form`` is the slug of the form to send (``forms_catalogue``), ``online`` the démarche the
    account offers, ``source`` the legal text behind a rule the advice states; each may be empty.
    """

    key: str
    label: str
    explanation: str
    messagerie: bool
    channel: str
    online: str = ""
    form: str = ""
    source: str = ""


@functools.cache
def _data() -> dict[str, Any]:
    with DATA.open("rb") as handle:
        return tomllib.load(handle)


@functools.cache
def telephone() -> Telephone:
    """The 36 46 line: number, price and opening hours."""
    return Telephone(**_data()["telephone"])


@functools.cache
def motifs() -> tuple[Motif, ...]:
    """Every motif, in the order of the data file (the order of the page's list).

    Raises ``ValueError`` for a data error: a key that is not a short slug, a key seen twice, or a
    form slug missing from the forms catalogue.
    """
    loaded = tuple(Motif(**entry) for entry in _data()["motifs"])
    seen: set[str] = set()
    for motif in loaded:
        if not _KEY.fullmatch(motif.key) or len(motif.key) > KEY_MAX_LENGTH:
            raise ValueError(f"motif key {motif.key!r} is not a slug of {KEY_MAX_LENGTH} characters at most")
        if motif.key in seen:
            raise ValueError(f"motif key {motif.key!r} appears twice")
        seen.add(motif.key)
        if motif.form and forms_catalogue.form_by_slug(motif.form) is None:
            raise ValueError(f"motif {motif.key!r} names an unknown form {motif.form!r}")
    return loaded


def motif_by_key(key: str | None) -> Motif | None:
    """The motif with this key, or None (unknown or empty key)."""
    return _by_key().get(key or "")


@functools.cache
def _by_key() -> dict[str, Motif]:
    return {motif.key: motif for motif in motifs()}
