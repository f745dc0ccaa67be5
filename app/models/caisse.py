"""The local funds (CPAM, CGSS, CSS, CCSS): reference data an admin can complete."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import utcnow


class Caisse(db.Model):
    """One caisse. ``key`` is our stable slug; ``codes`` the official 3-digit codes ("441", or
    "595;593" when two former caisses merged); empty fields are unknown, never guessed."""

    __tablename__ = "caisse"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(80), unique=True)
    codes: Mapped[str] = mapped_column(sa.String(40), default="")
    name: Mapped[str] = mapped_column(sa.String(160))
    departement: Mapped[str] = mapped_column(sa.String(3), index=True)
    communes_rule: Mapped[str] = mapped_column(sa.Text, default="")
    postal_address: Mapped[str] = mapped_column(sa.Text, default="")
    accueil_address: Mapped[str] = mapped_column(sa.Text, default="")
    accueil_hours: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    source_url: Mapped[str] = mapped_column(sa.Text, default="")
    confidence: Mapped[str] = mapped_column(sa.String(120), default="")
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    @property
    def code_list(self) -> list[str]:
        return [code for code in self.codes.split(";") if code]

    @property
    def code_organisme(self) -> str | None:
        """Régime (01, régime général) + caisse (3) + centre (4), or None if the code is unknown."""
        codes = self.code_list
        return f"01{codes[0]}0000" if codes else None

    def __repr__(self) -> str:
        return f"<Caisse {self.key}>"


class CaisseMotif(db.Model):
    """A caisse's own details for one motif of ``rules/data/motifs.toml``, over the national advice.

    Every field is optional: an empty one keeps the caisse's general contact (``postal_address``
    holds the dedicated address some caisses use for a motif, such as their service des indemnités
    journalières). ``motif`` is a motif key; the row is removed when an admin empties every field.
    """

    __tablename__ = "caisse_motif"
    __table_args__ = (sa.UniqueConstraint("caisse_id", "motif"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    caisse_id: Mapped[int] = mapped_column(sa.ForeignKey("caisse.id", ondelete="CASCADE"))
    motif: Mapped[str] = mapped_column(sa.String(40))
    postal_address: Mapped[str] = mapped_column(sa.Text, default="")
    phone_note: Mapped[str] = mapped_column(sa.Text, default="")
    accueil_note: Mapped[str] = mapped_column(sa.Text, default="")
    note: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))

    def __repr__(self) -> str:
        return f"<CaisseMotif {self.caisse_id} {self.motif}>"
