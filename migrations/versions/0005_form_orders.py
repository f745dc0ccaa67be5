"""form orders: commandes d'imprimés of professionals, shipped by their caisse

Revision ID: 0005_form_orders
Revises: 0004_care
Create Date: 2026-11-24 09:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_form_orders'
down_revision = '0004_care'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('form_order',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('professional_id', sa.Integer(), nullable=False),
    sa.Column('caisse_id', sa.Integer(), nullable=False),
    sa.Column('form_slug', sa.String(length=80), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('recipient_name', sa.String(length=120), nullable=False),
    sa.Column('address_line', sa.String(length=200), nullable=False),
    sa.Column('address_complement', sa.String(length=200), nullable=False),
    sa.Column('postal_code', sa.String(length=5), nullable=False),
    sa.Column('commune_name', sa.String(length=120), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('shipped_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('shipped_by_id', sa.Integer(), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('en_attente', 'expediee', 'annulee')", name=op.f('ck_form_order_status_known')),
    sa.CheckConstraint('quantity BETWEEN 1 AND 500', name=op.f('ck_form_order_quantity_range')),
    sa.CheckConstraint("status != 'expediee' OR shipped_at IS NOT NULL", name=op.f('ck_form_order_shipped_dated')),
    sa.CheckConstraint("status != 'annulee' OR cancelled_at IS NOT NULL", name=op.f('ck_form_order_cancelled_dated')),
    sa.ForeignKeyConstraint(['caisse_id'], ['caisse.id'], name=op.f('fk_form_order_caisse_id_caisse')),
    sa.ForeignKeyConstraint(['professional_id'], ['professional.id'], name=op.f('fk_form_order_professional_id_professional')),
    sa.ForeignKeyConstraint(['shipped_by_id'], ['user_account.id'], name=op.f('fk_form_order_shipped_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_form_order'))
    )
    with op.batch_alter_table('form_order', schema=None) as batch_op:
        batch_op.create_index('ix_form_order_caisse_status_created', ['caisse_id', 'status', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_form_order_professional_id'), ['professional_id'], unique=False)


def downgrade():
    with op.batch_alter_table('form_order', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_order_professional_id'))
        batch_op.drop_index('ix_form_order_caisse_status_created')

    op.drop_table('form_order')
