"""annuaire santé: structures, practitioners, activities, tariffs and their full-text search

Revision ID: 0007_annuaire
Revises: 0006_caisse_motifs
Create Date: 2026-11-24 01:10:00

The full-text objects depend on the database (FTS5 table and triggers on SQLite, GIN index on
PostgreSQL); their DDL is written out here so that this revision never changes with the code.
"""
from alembic import op
import sqlalchemy as sa


revision = '0007_annuaire'
down_revision = '0006_caisse_motifs'
branch_labels = None
depends_on = None

FULL_TEXT = {
    'annuaire_practitioner': ('annuaire_practitioner_fts', 'ix_annuaire_practitioner_fts'),
    'annuaire_structure': ('annuaire_structure_fts', 'ix_annuaire_structure_fts'),
}


def _create_full_text(table):
    fts, index = FULL_TEXT[table]
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f"CREATE INDEX {index} ON {table} USING gin (to_tsvector('simple', search_words))")
        return
    op.execute(
        f"CREATE VIRTUAL TABLE {fts} USING fts5(search_words, tokenize = 'unicode61 remove_diacritics 2')"
    )
    op.execute(
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, search_words) VALUES (new.id, new.search_words); END"
    )
    op.execute(
        f"CREATE TRIGGER {fts}_update AFTER UPDATE OF search_words ON {table} BEGIN "
        f"UPDATE {fts} SET search_words = new.search_words WHERE rowid = old.id; END"
    )
    op.execute(
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN "
        f"DELETE FROM {fts} WHERE rowid = old.id; END"
    )


def _drop_full_text(table):
    fts, index = FULL_TEXT[table]
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f"DROP INDEX IF EXISTS {index}")
    else:
        op.execute(f"DROP TABLE IF EXISTS {fts}")


def upgrade():
    op.create_table('annuaire_practitioner',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('national_id', sa.String(length=12), nullable=False),
    sa.Column('id_type', sa.String(length=1), nullable=False),
    sa.Column('identifier', sa.String(length=11), nullable=False),
    sa.Column('civilite', sa.String(length=20), nullable=False),
    sa.Column('last_name', sa.String(length=120), nullable=False),
    sa.Column('first_name', sa.String(length=120), nullable=False),
    sa.Column('profession_code', sa.String(length=3), nullable=False),
    sa.Column('profession', sa.String(length=80), nullable=False),
    sa.Column('specialty_code', sa.String(length=10), nullable=False),
    sa.Column('specialty', sa.String(length=160), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('secteur', sa.String(length=8), nullable=False),
    sa.Column('carte_vitale', sa.Boolean(), nullable=True),
    sa.Column('opening_hours', sa.Text(), nullable=False),
    sa.Column('search_words', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("id_type IN ('0', '8')", name=op.f('ck_annuaire_practitioner_id_type_known')),
    sa.CheckConstraint("secteur = '' OR secteur IN ('1', '2_optam', '2', '3')", name=op.f('ck_annuaire_practitioner_secteur_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_annuaire_practitioner')),
    sa.UniqueConstraint('national_id', name=op.f('uq_annuaire_practitioner_national_id'))
    )
    with op.batch_alter_table('annuaire_practitioner', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_annuaire_practitioner_carte_vitale'), ['carte_vitale'], unique=False)
        batch_op.create_index(batch_op.f('ix_annuaire_practitioner_identifier'), ['identifier'], unique=False)
        batch_op.create_index('ix_annuaire_practitioner_kind_name', ['kind', 'last_name', 'first_name'], unique=False)
        batch_op.create_index('ix_annuaire_practitioner_name', ['last_name', 'first_name'], unique=False)
        batch_op.create_index(batch_op.f('ix_annuaire_practitioner_secteur'), ['secteur'], unique=False)

    op.create_table('annuaire_structure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('structure_key', sa.String(length=40), nullable=False),
    sa.Column('finess', sa.String(length=9), nullable=False),
    sa.Column('siret', sa.String(length=14), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('activity_sector', sa.String(length=120), nullable=False),
    sa.Column('address_line', sa.String(length=250), nullable=False),
    sa.Column('address_complement', sa.String(length=200), nullable=False),
    sa.Column('postal_code', sa.String(length=5), nullable=False),
    sa.Column('commune_insee', sa.String(length=5), nullable=False),
    sa.Column('commune_name', sa.String(length=120), nullable=False),
    sa.Column('departement', sa.String(length=3), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('search_words', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_annuaire_structure')),
    sa.UniqueConstraint('structure_key', name=op.f('uq_annuaire_structure_structure_key'))
    )
    with op.batch_alter_table('annuaire_structure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_annuaire_structure_commune_insee'), ['commune_insee'], unique=False)
        batch_op.create_index(batch_op.f('ix_annuaire_structure_departement'), ['departement'], unique=False)
        batch_op.create_index(batch_op.f('ix_annuaire_structure_postal_code'), ['postal_code'], unique=False)

    op.create_table('annuaire_activity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practitioner_id', sa.Integer(), nullable=False),
    sa.Column('structure_id', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['practitioner_id'], ['annuaire_practitioner.id'], name=op.f('fk_annuaire_activity_practitioner_id_annuaire_practitioner'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['structure_id'], ['annuaire_structure.id'], name=op.f('fk_annuaire_activity_structure_id_annuaire_structure'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_annuaire_activity')),
    sa.UniqueConstraint('practitioner_id', 'structure_id', name=op.f('uq_annuaire_activity_practitioner_id'))
    )
    with op.batch_alter_table('annuaire_activity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_annuaire_activity_practitioner_id'), ['practitioner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_annuaire_activity_structure_id'), ['structure_id'], unique=False)

    op.create_table('annuaire_tariff',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practitioner_id', sa.Integer(), nullable=False),
    sa.Column('act_code', sa.String(length=10), nullable=False),
    sa.Column('amount', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_annuaire_tariff_amount_positive')),
    sa.ForeignKeyConstraint(['practitioner_id'], ['annuaire_practitioner.id'], name=op.f('fk_annuaire_tariff_practitioner_id_annuaire_practitioner'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_annuaire_tariff')),
    sa.UniqueConstraint('practitioner_id', 'act_code', name=op.f('uq_annuaire_tariff_practitioner_id'))
    )
    with op.batch_alter_table('annuaire_tariff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_annuaire_tariff_practitioner_id'), ['practitioner_id'], unique=False)

    _create_full_text('annuaire_practitioner')
    _create_full_text('annuaire_structure')


def downgrade():
    _drop_full_text('annuaire_structure')
    _drop_full_text('annuaire_practitioner')
    with op.batch_alter_table('annuaire_tariff', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_annuaire_tariff_practitioner_id'))

    op.drop_table('annuaire_tariff')
    with op.batch_alter_table('annuaire_activity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_annuaire_activity_structure_id'))
        batch_op.drop_index(batch_op.f('ix_annuaire_activity_practitioner_id'))

    op.drop_table('annuaire_activity')
    with op.batch_alter_table('annuaire_structure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_annuaire_structure_postal_code'))
        batch_op.drop_index(batch_op.f('ix_annuaire_structure_departement'))
        batch_op.drop_index(batch_op.f('ix_annuaire_structure_commune_insee'))

    op.drop_table('annuaire_structure')
    with op.batch_alter_table('annuaire_practitioner', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_annuaire_practitioner_secteur'))
        batch_op.drop_index(batch_op.f('ix_annuaire_practitioner_name'))
        batch_op.drop_index(batch_op.f('ix_annuaire_practitioner_kind_name'))
        batch_op.drop_index(batch_op.f('ix_annuaire_practitioner_identifier'))
        batch_op.drop_index(batch_op.f('ix_annuaire_practitioner_carte_vitale'))

    op.drop_table('annuaire_practitioner')
