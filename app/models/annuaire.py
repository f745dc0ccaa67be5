"""The Annuaire santé: practitioners (RPPS/ADELI), the structures where they practise, their
activities, and the complements the public extract lacks (secteur, carte Vitale, hours, tariffs).

Full-text search lives outside the ORM metadata because its shape depends on the database: an
FTS5 table kept in step by triggers on SQLite, a GIN index over ``to_tsvector`` on PostgreSQL. The
same DDL is run by the migration and, for ``create_all`` in tests, by the table events below.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import one_of, utcnow

SECTEURS = ("1", "2_optam", "2", "3")
MONEY = sa.Numeric(10, 2)


class AnnuaireStructure(db.Model):
    """A place of practice: a cabinet, a centre de santé, a hospital (an *établissement* when it
    has a FINESS number). ``structure_key`` is the extract's "Identifiant technique de la structure"."""

    __tablename__ = "annuaire_structure"

    id: Mapped[int] = mapped_column(primary_key=True)
    structure_key: Mapped[str] = mapped_column(sa.String(40), unique=True)
    finess: Mapped[str] = mapped_column(sa.String(9), default="")
    siret: Mapped[str] = mapped_column(sa.String(14), default="")
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    activity_sector: Mapped[str] = mapped_column(sa.String(120), default="")
    address_line: Mapped[str] = mapped_column(sa.String(250), default="")
    address_complement: Mapped[str] = mapped_column(sa.String(200), default="")
    postal_code: Mapped[str] = mapped_column(sa.String(5), default="", index=True)
    commune_insee: Mapped[str] = mapped_column(sa.String(5), default="", index=True)
    commune_name: Mapped[str] = mapped_column(sa.String(120), default="")
    departement: Mapped[str] = mapped_column(sa.String(3), default="", index=True)
    phone: Mapped[str] = mapped_column(sa.String(20), default="")
    search_words: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    activities: Mapped[list[AnnuaireActivity]] = relationship(back_populates="structure")

    @property
    def is_establishment(self) -> bool:
        return bool(self.finess or self.name)


class AnnuairePractitioner(db.Model):
    """A health professional of the public extract, keyed by the "Identification nationale PP"
    (``8`` + RPPS, or ``0`` + ADELI). ``kind`` is the directory's filter key: ``generaliste``,
    ``specialiste`` or the profession code. Empty ``secteur`` and NULL ``carte_vitale`` are
    unknown, never guessed."""

    __tablename__ = "annuaire_practitioner"
    __table_args__ = (
        sa.CheckConstraint(one_of("id_type", ("0", "8")), name="id_type_known"),
        sa.CheckConstraint("secteur = '' OR " + one_of("secteur", SECTEURS), name="secteur_known"),
        sa.Index("ix_annuaire_practitioner_kind_name", "kind", "last_name", "first_name"),
        sa.Index("ix_annuaire_practitioner_name", "last_name", "first_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    national_id: Mapped[str] = mapped_column(sa.String(12), unique=True)
    id_type: Mapped[str] = mapped_column(sa.String(1))
    identifier: Mapped[str] = mapped_column(sa.String(11), index=True)
    civilite: Mapped[str] = mapped_column(sa.String(20), default="")
    last_name: Mapped[str] = mapped_column(sa.String(120))
    first_name: Mapped[str] = mapped_column(sa.String(120), default="")
    profession_code: Mapped[str] = mapped_column(sa.String(3))
    profession: Mapped[str] = mapped_column(sa.String(80))
    specialty_code: Mapped[str] = mapped_column(sa.String(10), default="")
    specialty: Mapped[str] = mapped_column(sa.String(160), default="")
    kind: Mapped[str] = mapped_column(sa.String(20))
    secteur: Mapped[str] = mapped_column(sa.String(8), default="", index=True)
    carte_vitale: Mapped[bool | None] = mapped_column(sa.Boolean, index=True)
    opening_hours: Mapped[str] = mapped_column(sa.Text, default="")
    search_words: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    activities: Mapped[list[AnnuaireActivity]] = relationship(
        back_populates="practitioner", cascade="all, delete-orphan"
    )
    tariffs: Mapped[list[AnnuaireTariff]] = relationship(
        cascade="all, delete-orphan", order_by="AnnuaireTariff.act_code"
    )

    @property
    def display_name(self) -> str:
        title = "Dr " if self.profession_code == "10" or self.civilite == "Docteur" else ""
        return f"{title}{self.first_name} {self.last_name}".strip()

    @property
    def is_rpps(self) -> bool:
        return self.id_type == "8"


class AnnuaireActivity(db.Model):
    """One row of the extract: a practitioner practising at a structure (libéral, salarié…)."""

    __tablename__ = "annuaire_activity"
    __table_args__ = (sa.UniqueConstraint("practitioner_id", "structure_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practitioner_id: Mapped[int] = mapped_column(
        sa.ForeignKey("annuaire_practitioner.id", ondelete="CASCADE"), index=True
    )
    structure_id: Mapped[int] = mapped_column(
        sa.ForeignKey("annuaire_structure.id", ondelete="CASCADE"), index=True
    )
    mode: Mapped[str] = mapped_column(sa.String(40), default="")

    practitioner: Mapped[AnnuairePractitioner] = relationship(back_populates="activities")
    structure: Mapped[AnnuaireStructure] = relationship(back_populates="activities")


class AnnuaireTariff(db.Model):
    """A practitioner's usual fee for an act of ``tarifs.toml`` (from our complements file)."""

    __tablename__ = "annuaire_tariff"
    __table_args__ = (
        sa.UniqueConstraint("practitioner_id", "act_code"),
        sa.CheckConstraint("amount >= 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practitioner_id: Mapped[int] = mapped_column(
        sa.ForeignKey("annuaire_practitioner.id", ondelete="CASCADE"), index=True
    )
    act_code: Mapped[str] = mapped_column(sa.String(10))
    amount: Mapped[Decimal] = mapped_column(MONEY)


# Full-text search objects, by table: the FTS5 table (SQLite) and the GIN index (PostgreSQL).
FULL_TEXT = {
    "annuaire_practitioner": ("annuaire_practitioner_fts", "ix_annuaire_practitioner_fts"),
    "annuaire_structure": ("annuaire_structure_fts", "ix_annuaire_structure_fts"),
}


def full_text_ddl(table: str, dialect: str) -> list[str]:
    """SQL creating the full-text search of ``table`` over its ``search_words`` column."""
    fts, index = FULL_TEXT[table]
    if dialect == "postgresql":
        return [
            f"CREATE INDEX {index} ON {table} USING gin (to_tsvector('simple', search_words))",
        ]
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5(search_words, tokenize = 'unicode61 remove_diacritics 2')",
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, search_words) VALUES (new.id, new.search_words); END",
        f"CREATE TRIGGER {fts}_update AFTER UPDATE OF search_words ON {table} BEGIN "
        f"UPDATE {fts} SET search_words = new.search_words WHERE rowid = old.id; END",
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN "
        f"DELETE FROM {fts} WHERE rowid = old.id; END",
        f"INSERT INTO {fts}(rowid, search_words) SELECT id, search_words FROM {table}",
    ]


def drop_full_text_ddl(table: str, dialect: str) -> list[str]:
    """SQL removing what ``full_text_ddl`` created (triggers go with their table on SQLite)."""
    fts, index = FULL_TEXT[table]
    if dialect == "postgresql":
        return [f"DROP INDEX IF EXISTS {index}"]
    return [f"DROP TABLE IF EXISTS {fts}"]


def is_full_text_object(name: str | None) -> bool:
    """True for the FTS5 tables (and their shadow tables) and GIN indexes, which autogenerate and
    the migration check must leave alone."""
    prefixes = [prefix for pair in FULL_TEXT.values() for prefix in pair]
    prefixes += ["forum_thread_fts", "ix_forum_thread_fts"]  # the forum's (app/models/forum.py)
    return bool(name) and any(name.startswith(prefix) for prefix in prefixes)


def _create_full_text(target: sa.Table, connection: sa.Connection, **_: object) -> None:
    for statement in full_text_ddl(target.name, connection.dialect.name):
        connection.exec_driver_sql(statement)


def _drop_full_text(target: sa.Table, connection: sa.Connection, **_: object) -> None:
    for statement in drop_full_text_ddl(target.name, connection.dialect.name):
        connection.exec_driver_sql(statement)


for _model in (AnnuairePractitioner, AnnuaireStructure):
    sa.event.listen(_model.__table__, "after_create", _create_full_text)
    sa.event.listen(_model.__table__, "before_drop", _drop_full_text)
