"""initial schema: caisses, register, accounts, audit

Revision ID: 0001_initial
Revises: 
Create Date: 2026-11-23 21:33:52.482513

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001_initial'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('caisse',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('codes', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('departement', sa.String(length=3), nullable=False),
    sa.Column('communes_rule', sa.Text(), nullable=False),
    sa.Column('postal_address', sa.Text(), nullable=False),
    sa.Column('accueil_address', sa.Text(), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('source_url', sa.Text(), nullable=False),
    sa.Column('confidence', sa.String(length=120), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_caisse')),
    sa.UniqueConstraint('key', name=op.f('uq_caisse_key'))
    )
    with op.batch_alter_table('caisse', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_caisse_departement'), ['departement'], unique=False)

    op.create_table('person',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('nir', sa.String(length=15), nullable=True),
    sa.Column('sex', sa.String(length=1), nullable=False),
    sa.Column('last_name', sa.String(length=120), nullable=False),
    sa.Column('first_name', sa.String(length=120), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('address_line', sa.String(length=200), nullable=False),
    sa.Column('address_complement', sa.String(length=200), nullable=False),
    sa.Column('postal_code', sa.String(length=5), nullable=False),
    sa.Column('commune_insee', sa.String(length=5), nullable=False),
    sa.Column('commune_name', sa.String(length=120), nullable=False),
    sa.Column('caisse_id', sa.Integer(), nullable=False),
    sa.Column('rights_start', sa.Date(), nullable=False),
    sa.Column('rights_end', sa.Date(), nullable=True),
    sa.Column('iban', sa.String(length=34), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('medecin_traitant_rpps', sa.String(length=11), nullable=True),
    sa.Column('medecin_traitant_since', sa.Date(), nullable=True),
    sa.Column('ald_start', sa.Date(), nullable=True),
    sa.Column('ald_end', sa.Date(), nullable=True),
    sa.Column('c2s_start', sa.Date(), nullable=True),
    sa.Column('c2s_end', sa.Date(), nullable=True),
    sa.Column('ouvrant_droit_id', sa.Integer(), nullable=True),
    sa.Column('rang', sa.Integer(), nullable=False),
    sa.Column('lien', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("sex IN ('F', 'M')", name=op.f('ck_person_sex_known')),
    sa.CheckConstraint('rang >= 1', name=op.f('ck_person_rang_positive')),
    sa.ForeignKeyConstraint(['caisse_id'], ['caisse.id'], name=op.f('fk_person_caisse_id_caisse')),
    sa.ForeignKeyConstraint(['ouvrant_droit_id'], ['person.id'], name=op.f('fk_person_ouvrant_droit_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person')),
    sa.UniqueConstraint('nir', name=op.f('uq_person_nir'))
    )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_caisse_id'), ['caisse_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_ouvrant_droit_id'), ['ouvrant_droit_id'], unique=False)

    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('login', sa.String(length=80), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('caisse_id', sa.Integer(), nullable=True),
    sa.Column('display_name', sa.String(length=160), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('email_verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("role IN ('assure', 'professionnel', 'agent', 'moderator', 'admin')", name=op.f('ck_user_account_role_known')),
    sa.ForeignKeyConstraint(['caisse_id'], ['caisse.id'], name=op.f('fk_user_account_caisse_id_caisse')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_user_account_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('login', name=op.f('uq_user_account_login')),
    sa.UniqueConstraint('person_id', name=op.f('uq_user_account_person_id'))
    )
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_account_caisse_id'), ['caisse_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_account_role'), ['role'], unique=False)

    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.Column('subject_person_id', sa.Integer(), nullable=True),
    sa.Column('ip', sa.String(length=45), nullable=True),
    sa.Column('detail', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['actor_user_id'], ['user_account.id'], name=op.f('fk_audit_event_actor_user_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['subject_person_id'], ['person.id'], name=op.f('fk_audit_event_subject_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_actor_user_id'), ['actor_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_kind'), ['kind'], unique=False)
        batch_op.create_index('ix_audit_event_subject_at', ['subject_person_id', 'at'], unique=False)



def downgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_subject_at')
        batch_op.drop_index(batch_op.f('ix_audit_event_kind'))
        batch_op.drop_index(batch_op.f('ix_audit_event_at'))
        batch_op.drop_index(batch_op.f('ix_audit_event_actor_user_id'))

    op.drop_table('audit_event')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_account_role'))
        batch_op.drop_index(batch_op.f('ix_user_account_caisse_id'))

    op.drop_table('user_account')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_ouvrant_droit_id'))
        batch_op.drop_index(batch_op.f('ix_person_caisse_id'))

    op.drop_table('person')
    with op.batch_alter_table('caisse', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_caisse_departement'))

    op.drop_table('caisse')
