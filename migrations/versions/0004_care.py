"""care: professionals, API tokens, claims and lines, payments, debts

Revision ID: 0004_care
Revises: 0003_notifications
Create Date: 2026-11-23 22:52:32.754440

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_care'
down_revision = '0003_notifications'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('professional',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rpps', sa.String(length=11), nullable=False),
    sa.Column('last_name', sa.String(length=120), nullable=False),
    sa.Column('first_name', sa.String(length=120), nullable=False),
    sa.Column('profession', sa.String(length=80), nullable=False),
    sa.Column('specialty', sa.String(length=120), nullable=False),
    sa.Column('secteur', sa.String(length=8), nullable=False),
    sa.Column('address_line', sa.String(length=200), nullable=False),
    sa.Column('postal_code', sa.String(length=5), nullable=False),
    sa.Column('commune_name', sa.String(length=120), nullable=False),
    sa.Column('caisse_id', sa.Integer(), nullable=False),
    sa.Column('iban', sa.String(length=34), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("secteur IN ('1', '2_optam', '2', '3')", name=op.f('ck_professional_secteur_known')),
    sa.ForeignKeyConstraint(['caisse_id'], ['caisse.id'], name=op.f('fk_professional_caisse_id_caisse')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_professional')),
    sa.UniqueConstraint('rpps', name=op.f('uq_professional_rpps'))
    )
    with op.batch_alter_table('professional', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_professional_caisse_id'), ['caisse_id'], unique=False)

    op.create_table('api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('professional_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['professional_id'], ['professional.id'], name=op.f('fk_api_token_professional_id_professional'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_token_token_hash'))
    )
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_token_professional_id'), ['professional_id'], unique=False)

    op.create_table('claim',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('professional_id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('assure_id', sa.Integer(), nullable=False),
    sa.Column('care_date', sa.Date(), nullable=False),
    sa.Column('tiers_payant', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('lot_number', sa.String(length=20), nullable=False),
    sa.Column('invoice_number', sa.String(length=20), nullable=False),
    sa.Column('idempotency_key', sa.String(length=100), nullable=True),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('total_billed', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('total_base', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('total_amo', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('total_pf', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('total_franchises', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('total_depassements', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('total_refunded', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('c2s_part', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('reste_a_charge', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('debts', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('explanations', sa.Text(), nullable=False),
    sa.CheckConstraint("source IN ('web', 'api', 'demo')", name=op.f('ck_claim_source_known')),
    sa.ForeignKeyConstraint(['assure_id'], ['person.id'], name=op.f('fk_claim_assure_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['patient_id'], ['person.id'], name=op.f('fk_claim_patient_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['professional_id'], ['professional.id'], name=op.f('fk_claim_professional_id_professional')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claim')),
    sa.UniqueConstraint('invoice_number', name=op.f('uq_claim_invoice_number')),
    sa.UniqueConstraint('professional_id', 'idempotency_key', name='uq_claim_professional_idempotency')
    )
    with op.batch_alter_table('claim', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_assure_id'), ['assure_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_claim_lot_number'), ['lot_number'], unique=False)
        batch_op.create_index('ix_claim_patient_care_date', ['patient_id', 'care_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_claim_professional_id'), ['professional_id'], unique=False)

    op.create_table('claim_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('act_date', sa.Date(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('billed', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('base', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('rate', sa.Integer(), nullable=False),
    sa.Column('amo', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('c2s_part', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('depassement', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('pf', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('franchise', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('deducted', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('recovered_later', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('refunded', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('reste_a_charge', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['claim.id'], name=op.f('fk_claim_line_claim_id_claim'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claim_line'))
    )
    with op.batch_alter_table('claim_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_line_claim_id'), ['claim_id'], unique=False)

    op.create_table('debt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('remaining', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['claim.id'], name=op.f('fk_debt_claim_id_claim'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_debt_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_debt'))
    )
    with op.batch_alter_table('debt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_debt_claim_id'), ['claim_id'], unique=False)
        batch_op.create_index('ix_debt_person_remaining', ['person_id', 'remaining'], unique=False)

    op.create_table('payment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('beneficiary_id', sa.Integer(), nullable=False),
    sa.Column('professional_id', sa.Integer(), nullable=True),
    sa.Column('claim_id', sa.Integer(), nullable=True),
    sa.Column('payee', sa.String(length=14), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('gross', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('recovered', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('amount', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('iban_last4', sa.String(length=4), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('soins', 'ij')", name=op.f('ck_payment_kind_known')),
    sa.CheckConstraint("payee IN ('assure', 'professionnel')", name=op.f('ck_payment_payee_known')),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['person.id'], name=op.f('fk_payment_beneficiary_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['claim_id'], ['claim.id'], name=op.f('fk_payment_claim_id_claim'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_payment_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['professional_id'], ['professional.id'], name=op.f('fk_payment_professional_id_professional')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment'))
    )
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_beneficiary_id'), ['beneficiary_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_claim_id'), ['claim_id'], unique=False)
        batch_op.create_index('ix_payment_person_kind_paid_on', ['person_id', 'kind', 'paid_on'], unique=False)
        batch_op.create_index('ix_payment_person_paid_on', ['person_id', 'paid_on'], unique=False)
        batch_op.create_index('ix_payment_professional_paid_on', ['professional_id', 'paid_on'], unique=False)

    op.create_table('debt_recovery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('debt_id', sa.Integer(), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['debt_id'], ['debt.id'], name=op.f('fk_debt_recovery_debt_id_debt'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['payment_id'], ['payment.id'], name=op.f('fk_debt_recovery_payment_id_payment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_debt_recovery'))
    )
    with op.batch_alter_table('debt_recovery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_debt_recovery_debt_id'), ['debt_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_debt_recovery_payment_id'), ['payment_id'], unique=False)

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('professional_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_user_account_professional_id'), ['professional_id'])
        batch_op.create_foreign_key(batch_op.f('fk_user_account_professional_id_professional'), 'professional', ['professional_id'], ['id'], ondelete='CASCADE')



def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_user_account_professional_id_professional'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_user_account_professional_id'), type_='unique')
        batch_op.drop_column('professional_id')

    with op.batch_alter_table('debt_recovery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_debt_recovery_payment_id'))
        batch_op.drop_index(batch_op.f('ix_debt_recovery_debt_id'))

    op.drop_table('debt_recovery')
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_index('ix_payment_professional_paid_on')
        batch_op.drop_index('ix_payment_person_paid_on')
        batch_op.drop_index('ix_payment_person_kind_paid_on')
        batch_op.drop_index(batch_op.f('ix_payment_claim_id'))
        batch_op.drop_index(batch_op.f('ix_payment_beneficiary_id'))

    op.drop_table('payment')
    with op.batch_alter_table('debt', schema=None) as batch_op:
        batch_op.drop_index('ix_debt_person_remaining')
        batch_op.drop_index(batch_op.f('ix_debt_claim_id'))

    op.drop_table('debt')
    with op.batch_alter_table('claim_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claim_line_claim_id'))

    op.drop_table('claim_line')
    with op.batch_alter_table('claim', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claim_professional_id'))
        batch_op.drop_index('ix_claim_patient_care_date')
        batch_op.drop_index(batch_op.f('ix_claim_lot_number'))
        batch_op.drop_index(batch_op.f('ix_claim_assure_id'))

    op.drop_table('claim')
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_token_professional_id'))

    op.drop_table('api_token')
    with op.batch_alter_table('professional', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_professional_caisse_id'))

    op.drop_table('professional')
