"""Caisses: load the reference data into the database, and find the caisse serving a place."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Caisse, User
from app.models.base import utcnow
from app.rules import territory


@dataclass(frozen=True)
class ContactChoice:
    commune: territory.Commune
    caisse: Caisse


@dataclass(frozen=True)
class ContactLookup:
    """What the Adresses et contacts page shows for a postal code."""

    postal_code: str
    choices: tuple[ContactChoice, ...]
    chosen: ContactChoice | None
    error: str | None

    @property
    def needs_choice(self) -> bool:
        return self.chosen is None and len(self.choices) > 1


def sync_caisses() -> int:
    """Insert every caisse from ``rules/data/caisses.csv`` and fill the fields still empty in the
    database; return how many rows or fields changed.

    A field that already has a value is never overwritten: it is either the reference value or an
    admin's correction, and the admin's word wins over a file.
    """
    existing = {c.key: c for c in db.session.scalars(sa.select(Caisse))}
    changed = 0
    for ref in territory.caisses():
        row = existing.get(ref.key)
        values = {
            "codes": ";".join(ref.codes),
            "name": ref.name,
            "departement": ref.departement,
            "communes_rule": ref.communes_rule,
            "postal_address": ref.postal_address,
            "accueil_address": ref.accueil_address,
            "phone": ref.phone,
            "source_url": ref.source_url,
            "confidence": ref.confidence,
        }
        if row is None:
            db.session.add(Caisse(key=ref.key, **values))
            changed += 1
            continue
        for field, value in values.items():
            if value and not getattr(row, field):
                setattr(row, field, value)
                changed += 1
    db.session.commit()
    return changed


CONTACT_FIELDS = ("postal_address", "accueil_address", "phone")


def update_contacts(caisse: Caisse, editor: User, values: dict[str, str]) -> list[str]:
    """An admin corrects a caisse's contact fields; return the names of the fields changed."""
    changed = []
    for field in CONTACT_FIELDS:
        value = (values.get(field) or "").strip()
        if getattr(caisse, field) != value:
            setattr(caisse, field, value)
            changed.append(field)
    if changed:
        caisse.updated_at = utcnow()
        db.session.add(
            AuditEvent(
                kind="caisse_edited", actor_user_id=editor.id, detail=f"{caisse.key}: {', '.join(changed)}"
            )
        )
    db.session.commit()
    return changed


def caisse_for(commune: territory.Commune) -> Caisse | None:
    """The database row of the caisse serving ``commune``."""
    ref = territory.caisse_for_commune(commune)
    return db.session.scalar(sa.select(Caisse).where(Caisse.key == ref.key))


def lookup_contacts(typed: str, commune_insee: str | None = None) -> ContactLookup:
    """Resolve a typed postal code (and an optional commune choice) to caisse contacts."""
    resolution = territory.resolve_postal_code(typed)
    if resolution.error:
        return ContactLookup(resolution.postal_code, (), None, resolution.error)
    keys = {choice.caisse.key for choice in resolution.choices}
    rows = {c.key: c for c in db.session.scalars(sa.select(Caisse).where(Caisse.key.in_(keys)))}
    choices = tuple(
        ContactChoice(choice.commune, rows[choice.caisse.key])
        for choice in resolution.choices
        if choice.caisse.key in rows
    )
    if not choices:
        return ContactLookup(
            resolution.postal_code,
            (),
            None,
            "Les coordonnées de cette caisse ne sont pas encore chargées. Appelez le 36 46.",
        )
    chosen: ContactChoice | None = None
    if len(choices) == 1:
        chosen = choices[0]
    elif commune_insee:
        chosen = next((c for c in choices if c.commune.insee == commune_insee), None)
    return ContactLookup(resolution.postal_code, choices, chosen, None)
