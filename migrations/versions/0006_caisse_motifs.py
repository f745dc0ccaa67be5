"""caisse motifs: each caisse's own details per motif of Adresses et contacts, and its accueil hours

Revision ID: 0006_caisse_motifs
Revises: 0005_form_orders
Create Date: 2026-11-24 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_caisse_motifs'
down_revision = '0005_form_orders'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('caisse_motif',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('caisse_id', sa.Integer(), nullable=False),
    sa.Column('motif', sa.String(length=40), nullable=False),
    sa.Column('postal_address', sa.Text(), nullable=False),
    sa.Column('phone_note', sa.Text(), nullable=False),
    sa.Column('accueil_note', sa.Text(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['caisse_id'], ['caisse.id'], name=op.f('fk_caisse_motif_caisse_id_caisse'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_caisse_motif_updated_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_caisse_motif')),
    sa.UniqueConstraint('caisse_id', 'motif', name=op.f('uq_caisse_motif_caisse_id'))
    )
    # The existing rows get an empty value: hours nobody has filled in show as "non renseigné".
    with op.batch_alter_table('caisse', schema=None) as batch_op:
        batch_op.add_column(sa.Column('accueil_hours', sa.Text(), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('caisse', schema=None) as batch_op:
        batch_op.drop_column('accueil_hours')

    op.drop_table('caisse_motif')
