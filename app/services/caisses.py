"""Caisses: load the reference data into the database, find the caisse serving a place, and say
whom to contact there for each motif (national advice merged with the caisse's own details)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Caisse, CaisseMotif, User
from app.models.base import utcnow
from app.rules import forms_catalogue, motifs, territory


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


CONTACT_FIELDS = ("postal_address", "accueil_address", "accueil_hours", "phone")


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


@dataclass(frozen=True)
class MotifContacts:
    """Whom to contact at one caisse for one motif: the national advice (``motif``) merged with the
    caisse's own details. ``postal_address`` is the motif's dedicated address when the caisse has
    one (``dedicated_postal_address``), else the caisse's; an empty string is unknown, never guessed."""

    motif: motifs.Motif
    postal_address: str
    dedicated_postal_address: bool
    accueil_address: str
    accueil_hours: str
    phone_note: str
    accueil_note: str
    note: str
    form: forms_catalogue.Form | None


MOTIF_FIELDS = ("postal_address", "phone_note", "accueil_note", "note")


def motif_override(caisse: Caisse, motif_key: str) -> CaisseMotif | None:
    """The caisse's own details for a motif, or None when it has none."""
    return db.session.scalar(
        sa.select(CaisseMotif).where(CaisseMotif.caisse_id == caisse.id, CaisseMotif.motif == motif_key)
    )


def motif_overrides(caisse: Caisse) -> dict[str, CaisseMotif]:
    """Every motif the caisse has completed, by motif key."""
    rows = db.session.scalars(sa.select(CaisseMotif).where(CaisseMotif.caisse_id == caisse.id))
    return {row.motif: row for row in rows}


def motif_contacts(caisse: Caisse, motif_key: str) -> MotifContacts | None:
    """What the Adresses et contacts page shows for ``motif_key`` at ``caisse``; None for a key
    that is not a motif."""
    motif = motifs.motif_by_key(motif_key)
    if motif is None:
        return None
    row = motif_override(caisse, motif.key)
    dedicated = row.postal_address if row else ""
    return MotifContacts(
        motif=motif,
        postal_address=dedicated or caisse.postal_address,
        dedicated_postal_address=bool(dedicated),
        accueil_address=caisse.accueil_address,
        accueil_hours=caisse.accueil_hours,
        phone_note=row.phone_note if row else "",
        accueil_note=row.accueil_note if row else "",
        note=row.note if row else "",
        form=forms_catalogue.form_by_slug(motif.form) if motif.form else None,
    )


def update_motif(caisse: Caisse, motif_key: str, editor: User, values: dict[str, str]) -> list[str]:
    """An admin sets the caisse's own details for a motif; return the names of the fields changed.

    Emptying every field removes the row, so the national advice and the caisse's general contacts
    apply again. Raises ``LookupError`` for a key that is not a motif.
    """
    if motifs.motif_by_key(motif_key) is None:
        raise LookupError(f"unknown motif {motif_key!r}")
    row = motif_override(caisse, motif_key)
    wanted = {field: _clean(values.get(field)) for field in MOTIF_FIELDS}
    changed = [field for field in MOTIF_FIELDS if wanted[field] != (getattr(row, field) if row else "")]
    if changed:
        if not any(wanted.values()):
            db.session.delete(row)
        else:
            if row is None:
                row = CaisseMotif(caisse_id=caisse.id, motif=motif_key)
                db.session.add(row)
            for field, value in wanted.items():
                setattr(row, field, value)
            row.updated_at = utcnow()
            row.updated_by_id = editor.id
        db.session.add(
            AuditEvent(
                kind="caisse_motif_edited",
                actor_user_id=editor.id,
                detail=f"{caisse.key} / {motif_key}: {', '.join(changed)}",
            )
        )
    db.session.commit()
    return changed


def _clean(value: str | None) -> str:
    """A typed value without surrounding blanks, with the browser's CRLF line ends made LF."""
    return (value or "").replace("\r\n", "\n").strip()
