"""Annuaire santé: search the practitioners and établissements, read one with what it costs.

Every search runs two queries (the page and its count), whatever the size of the directory: the
words go through the full-text index (FTS5 on SQLite, ``to_tsvector`` on PostgreSQL), the place,
kind, secteur and carte Vitale filters through plain indexes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models.annuaire import (
    FULL_TEXT,
    AnnuaireActivity,
    AnnuairePractitioner,
    AnnuaireStructure,
)
from app.rules import annuaire as rules
from app.rules import tariffs

PAGE_SIZE = 20
MAX_PAGE = 500
T = TypeVar("T")


@dataclass(frozen=True)
class Criteria:
    """A search as typed: ``words`` already folded, ``place`` already understood."""

    words: tuple[str, ...] = ()
    kind: str = ""
    place: rules.Place | None = None
    secteur: str = ""
    carte_vitale: bool = False
    page: int = 1

    @property
    def is_empty(self) -> bool:
        return not (self.words or self.kind or self.place or self.secteur or self.carte_vitale)


@dataclass(frozen=True)
class PractitionerHit:
    practitioner: AnnuairePractitioner
    structure: AnnuaireStructure | None


@dataclass(frozen=True)
class StructureHit:
    structure: AnnuaireStructure
    practitioners: int


@dataclass(frozen=True)
class Page(Generic[T]):
    hits: list[T]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / PAGE_SIZE))

    @property
    def first(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.page * PAGE_SIZE, self.total)


def _matching_ids(table: str, words: tuple[str, ...]) -> sa.ColumnElement[bool]:
    """A condition "the row's id matches ``words`` in the full-text index of ``table``"."""
    model = AnnuairePractitioner if table == AnnuairePractitioner.__tablename__ else AnnuaireStructure
    if db.engine.dialect.name == "postgresql":
        vector = sa.func.to_tsvector(sa.literal_column("'simple'"), model.search_words)
        query = sa.func.to_tsquery(sa.literal_column("'simple'"), rules.tsquery(list(words)))
        return vector.op("@@")(query)
    fts = FULL_TEXT[table][0]
    ids = (
        sa.text(f"SELECT rowid FROM {fts} WHERE {fts} MATCH :match")
        .bindparams(match=rules.fts5_match(list(words)))
        .columns(sa.column("rowid", sa.Integer))
    )
    return model.id.in_(ids.subquery().select())


def _place_filter(place: rules.Place) -> sa.ColumnElement[bool]:
    if place.postal_code:
        return AnnuaireStructure.postal_code == place.postal_code
    if place.departement:
        return AnnuaireStructure.departement == place.departement
    return AnnuaireStructure.commune_insee.in_(place.communes)


def _page_of(statement: sa.Select, page: int) -> tuple[list[sa.Row], int]:
    """The rows of ``page`` and the total (two queries); a page past the end gives the last one."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(statement.order_by(None).subquery()))
    last_page = max(1, math.ceil(total / PAGE_SIZE))
    page = min(page, last_page)
    rows = db.session.execute(statement.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return rows, total


def search_practitioners(criteria: Criteria) -> Page[PractitionerHit]:
    """One hit per practitioner and place of practice, by name then first name."""
    # A place needs a structure: inner joins then let the database start from the place's index
    # (a LEFT JOIN would pin the practitioners table first and scan it).
    isouter = criteria.place is None
    statement = (
        sa.select(AnnuairePractitioner, AnnuaireStructure)
        .join(
            AnnuaireActivity,
            AnnuaireActivity.practitioner_id == AnnuairePractitioner.id,
            isouter=isouter,
        )
        .join(AnnuaireStructure, AnnuaireStructure.id == AnnuaireActivity.structure_id, isouter=isouter)
        .order_by(
            AnnuairePractitioner.last_name,
            AnnuairePractitioner.first_name,
            AnnuairePractitioner.id,
            AnnuaireStructure.id,
        )
    )
    if criteria.words:
        statement = statement.where(_matching_ids(AnnuairePractitioner.__tablename__, criteria.words))
    if criteria.kind:
        statement = statement.where(AnnuairePractitioner.kind == criteria.kind)
    if criteria.secteur:
        statement = statement.where(AnnuairePractitioner.secteur == criteria.secteur)
    if criteria.carte_vitale:
        statement = statement.where(AnnuairePractitioner.carte_vitale.is_(True))
    if criteria.place:
        statement = statement.where(_place_filter(criteria.place))
    rows, total = _page_of(statement, criteria.page)
    page = min(criteria.page, max(1, math.ceil(total / PAGE_SIZE)))
    return Page([PractitionerHit(row[0], row[1]) for row in rows], total, page)


def search_structures(criteria: Criteria) -> Page[StructureHit]:
    """Établissements (named places: hospitals, centres, maisons de santé, pharmacies), by name,
    with how many practitioners the directory lists there."""
    practitioners = (
        sa.select(sa.func.count(AnnuaireActivity.id))
        .where(AnnuaireActivity.structure_id == AnnuaireStructure.id)
        .scalar_subquery()
    )
    statement = (
        sa.select(AnnuaireStructure, practitioners)
        .where(AnnuaireStructure.name != "")
        .order_by(AnnuaireStructure.name, AnnuaireStructure.id)
    )
    if criteria.words:
        statement = statement.where(_matching_ids(AnnuaireStructure.__tablename__, criteria.words))
    if criteria.place:
        statement = statement.where(_place_filter(criteria.place))
    rows, total = _page_of(statement, criteria.page)
    page = min(criteria.page, max(1, math.ceil(total / PAGE_SIZE)))
    return Page([StructureHit(row[0], row[1]) for row in rows], total, page)


def refresh_statistics() -> None:
    """Update the query planner's statistics of the directory tables, after a bulk load.

    Without them SQLite may pick a low-selectivity index (secteur, carte Vitale) over the place's
    and scan most of the table: the search benchmark goes from 90 ms to under 30 ms with them.
    """
    for table in ("annuaire_practitioner", "annuaire_structure", "annuaire_activity"):
        db.session.execute(sa.text(f"ANALYZE {table}"))
    db.session.commit()


def practitioner(national_id: str) -> AnnuairePractitioner | None:
    """A practitioner with its places and tariffs loaded (three queries), or None."""
    return db.session.scalar(
        sa.select(AnnuairePractitioner)
        .where(AnnuairePractitioner.national_id == national_id)
        .options(
            selectinload(AnnuairePractitioner.activities).joinedload(AnnuaireActivity.structure),
            selectinload(AnnuairePractitioner.tariffs),
        )
    )


def practitioner_by_rpps(rpps: str) -> AnnuairePractitioner | None:
    """The practitioner with this 11-digit RPPS, or None."""
    return db.session.scalar(
        sa.select(AnnuairePractitioner).where(AnnuairePractitioner.national_id == "8" + rpps)
    )


def structure(structure_id: int) -> tuple[AnnuaireStructure, list[AnnuairePractitioner]] | None:
    """An établissement and the practitioners listed there, by name (two queries), or None."""
    found = db.session.get(AnnuaireStructure, structure_id)
    if found is None:
        return None
    people = db.session.scalars(
        sa.select(AnnuairePractitioner)
        .join(AnnuaireActivity, AnnuaireActivity.practitioner_id == AnnuairePractitioner.id)
        .where(AnnuaireActivity.structure_id == structure_id)
        .order_by(AnnuairePractitioner.last_name, AnnuairePractitioner.first_name)
        .limit(200)
    ).all()
    return found, list(people)


@dataclass(frozen=True)
class FeeLine:
    """A usual fee set against the base de remboursement; ``base`` None when it is not known
    (secteur 3, or no secteur-2 base in the rules)."""

    code: str
    label: str
    amount: Decimal
    base: Decimal | None

    @property
    def depassement(self) -> Decimal | None:
        if self.base is None:
            return None
        return max(Decimal("0.00"), self.amount - self.base)


def fee_lines(found: AnnuairePractitioner, on: date | None = None) -> list[FeeLine]:
    """The practitioner's tariffs with the base de remboursement of their secteur on ``on``."""
    day = on or date.today()
    lines = []
    for tariff in found.tariffs:
        try:
            act = tariffs.act(tariff.act_code, day)
        except tariffs.RulesError:
            continue
        try:
            base = tariffs.base_for_secteur(act, found.secteur or "1")
        except tariffs.RulesError:
            base = None
        lines.append(FeeLine(tariff.act_code, act.label, tariff.amount, base))
    return lines
