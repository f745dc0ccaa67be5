"""documents: issued documents (attestation de droits) and their verification codes

Revision ID: 0008_documents
Revises: 0007_annuaire
Create Date: 2026-11-24 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_documents'
down_revision = '0007_annuaire'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('issued_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('beneficiary_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.CheckConstraint("kind IN ('attestation_droits')", name=op.f('ck_issued_document_kind_known')),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['person.id'], name=op.f('fk_issued_document_beneficiary_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_issued_document_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_issued_document_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issued_document')),
    sa.UniqueConstraint('code', name=op.f('uq_issued_document_code'))
    )
    with op.batch_alter_table('issued_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issued_document_beneficiary_id'), ['beneficiary_id'], unique=False)
        batch_op.create_index('ix_issued_document_person_issued', ['person_id', 'issued_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_issued_document_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('issued_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issued_document_user_id'))
        batch_op.drop_index('ix_issued_document_person_issued')
        batch_op.drop_index(batch_op.f('ix_issued_document_beneficiary_id'))

    op.drop_table('issued_document')
