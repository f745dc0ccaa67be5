"""sick leave: arrêts de travail, employers and their tokens, attestations de salaire, IJ periods

Revision ID: 0009_sick_leave
Revises: 0008_documents
Create Date: 2026-11-24 02:13:02.946329

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_sick_leave'
down_revision = '0008_documents'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('employer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('siret', sa.String(length=14), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employer')),
    sa.UniqueConstraint('siret', name=op.f('uq_employer_siret'))
    )
    op.create_table('employer_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['employer_id'], ['employer.id'], name=op.f('fk_employer_token_employer_id_employer'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employer_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_employer_token_token_hash'))
    )
    with op.batch_alter_table('employer_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_employer_token_employer_id'), ['employer_id'], unique=False)

    # Employers sign in through an account of role "employeur" linked to their employer.
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('employer_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_user_account_employer_id'), ['employer_id'])
        batch_op.create_foreign_key(batch_op.f('fk_user_account_employer_id_employer'), 'employer', ['employer_id'], ['id'], ondelete='CASCADE')
        batch_op.drop_constraint(batch_op.f('ck_user_account_role_known'), type_='check')
        batch_op.create_check_constraint('role_known', "role IN ('assure', 'professionnel', 'agent', 'moderator', 'admin', 'employeur')")

    op.create_table('arret',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('professional_id', sa.Integer(), nullable=False),
    sa.Column('caisse_id', sa.Integer(), nullable=False),
    sa.Column('initial_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('temps', sa.String(length=8), nullable=False),
    sa.Column('ald', sa.Boolean(), nullable=False),
    sa.Column('sorties', sa.String(length=12), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('reason_code', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('idempotency_key', sa.String(length=100), nullable=True),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=14), nullable=False),
    sa.Column('sjb', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('daily_amount', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('plafond_applique', sa.Boolean(), nullable=False),
    sa.Column('carence_days', sa.Integer(), nullable=False),
    sa.Column('first_paid_day', sa.Date(), nullable=True),
    sa.Column('decision', sa.Text(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('payable_until', sa.Date(), nullable=True),
    sa.Column('paid_until', sa.Date(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(kind = 'initial' AND initial_id IS NULL) OR (kind = 'prolongation' AND initial_id IS NOT NULL)", name=op.f('ck_arret_prolongation_linked')),
    sa.CheckConstraint("category IN ('salarie', 'demandeur_emploi', 'independant')", name=op.f('ck_arret_category_known')),
    sa.CheckConstraint("kind IN ('initial', 'prolongation')", name=op.f('ck_arret_kind_known')),
    sa.CheckConstraint("sorties IN ('interdites', 'autorisees', 'libres')", name=op.f('ck_arret_sorties_known')),
    sa.CheckConstraint("status IN ('en_attente', 'calcule', 'non_eligible', 'cloture')", name=op.f('ck_arret_status_known')),
    sa.CheckConstraint("temps IN ('complet', 'partiel')", name=op.f('ck_arret_temps_known')),
    sa.CheckConstraint('end_date >= start_date', name=op.f('ck_arret_dates_ordered')),
    sa.ForeignKeyConstraint(['caisse_id'], ['caisse.id'], name=op.f('fk_arret_caisse_id_caisse')),
    sa.ForeignKeyConstraint(['initial_id'], ['arret.id'], name=op.f('fk_arret_initial_id_arret'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_arret_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['professional_id'], ['professional.id'], name=op.f('fk_arret_professional_id_professional')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_arret')),
    sa.UniqueConstraint('professional_id', 'idempotency_key', name=op.f('uq_arret_professional_id')),
    sa.UniqueConstraint('reference', name=op.f('uq_arret_reference'))
    )
    with op.batch_alter_table('arret', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_arret_caisse_id'), ['caisse_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_arret_initial_id'), ['initial_id'], unique=False)
        batch_op.create_index('ix_arret_person_start', ['person_id', 'start_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_arret_professional_id'), ['professional_id'], unique=False)
        batch_op.create_index('ix_arret_status_start', ['status', 'start_date'], unique=False)

    op.create_table('salary_attestation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('arret_id', sa.Integer(), nullable=True),
    sa.Column('arret_start', sa.Date(), nullable=False),
    sa.Column('hours_worked', sa.Integer(), nullable=False),
    sa.Column('receipt_number', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('idempotency_key', sa.String(length=100), nullable=True),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('hours_worked >= 0', name=op.f('ck_salary_attestation_hours_positive')),
    sa.ForeignKeyConstraint(['arret_id'], ['arret.id'], name=op.f('fk_salary_attestation_arret_id_arret'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['employer_id'], ['employer.id'], name=op.f('fk_salary_attestation_employer_id_employer')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_salary_attestation_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_salary_attestation')),
    sa.UniqueConstraint('employer_id', 'idempotency_key', name=op.f('uq_salary_attestation_employer_id')),
    sa.UniqueConstraint('employer_id', 'person_id', 'arret_start', name='uq_salary_attestation_employer_person_start'),
    sa.UniqueConstraint('receipt_number', name=op.f('uq_salary_attestation_receipt_number'))
    )
    with op.batch_alter_table('salary_attestation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_salary_attestation_arret_id'), ['arret_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_salary_attestation_employer_id'), ['employer_id'], unique=False)
        batch_op.create_index('ix_salary_attestation_person_start', ['person_id', 'arret_start'], unique=False)

    op.create_table('ij_period',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('arret_id', sa.Integer(), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('daily_amount', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('gross', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.CheckConstraint('period_end >= period_start', name=op.f('ck_ij_period_dates_ordered')),
    sa.ForeignKeyConstraint(['arret_id'], ['arret.id'], name=op.f('fk_ij_period_arret_id_arret'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['payment_id'], ['payment.id'], name=op.f('fk_ij_period_payment_id_payment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ij_period')),
    sa.UniqueConstraint('arret_id', 'period_start', name=op.f('uq_ij_period_arret_id')),
    sa.UniqueConstraint('payment_id', name=op.f('uq_ij_period_payment_id'))
    )
    with op.batch_alter_table('ij_period', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ij_period_arret_id'), ['arret_id'], unique=False)

    op.create_table('salary_month',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attestation_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('gross', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.CheckConstraint('gross >= 0', name=op.f('ck_salary_month_gross_positive')),
    sa.ForeignKeyConstraint(['attestation_id'], ['salary_attestation.id'], name=op.f('fk_salary_month_attestation_id_salary_attestation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_salary_month')),
    sa.UniqueConstraint('attestation_id', 'month', name=op.f('uq_salary_month_attestation_id'))
    )
    with op.batch_alter_table('salary_month', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_salary_month_attestation_id'), ['attestation_id'], unique=False)

    # The IJ documents have verification codes too.
    with op.batch_alter_table('issued_document', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_issued_document_kind_known'), type_='check')
        batch_op.create_check_constraint(
            'kind_known',
            "kind IN ('attestation_droits', 'releve_ij', 'attestation_paiement_ij', 'attestation_fiscale_ij')",
        )


def downgrade():
    op.execute("DELETE FROM issued_document WHERE kind != 'attestation_droits'")
    with op.batch_alter_table('issued_document', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_issued_document_kind_known'), type_='check')
        batch_op.create_check_constraint('kind_known', "kind IN ('attestation_droits')")
    with op.batch_alter_table('salary_month', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_salary_month_attestation_id'))

    op.drop_table('salary_month')
    with op.batch_alter_table('ij_period', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ij_period_arret_id'))

    op.drop_table('ij_period')
    with op.batch_alter_table('salary_attestation', schema=None) as batch_op:
        batch_op.drop_index('ix_salary_attestation_person_start')
        batch_op.drop_index(batch_op.f('ix_salary_attestation_employer_id'))
        batch_op.drop_index(batch_op.f('ix_salary_attestation_arret_id'))

    op.drop_table('salary_attestation')
    with op.batch_alter_table('arret', schema=None) as batch_op:
        batch_op.drop_index('ix_arret_status_start')
        batch_op.drop_index(batch_op.f('ix_arret_professional_id'))
        batch_op.drop_index('ix_arret_person_start')
        batch_op.drop_index(batch_op.f('ix_arret_initial_id'))
        batch_op.drop_index(batch_op.f('ix_arret_caisse_id'))

    op.drop_table('arret')
    with op.batch_alter_table('employer_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_employer_token_employer_id'))

    op.drop_table('employer_token')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_user_account_role_known'), type_='check')
        batch_op.create_check_constraint('role_known', "role IN ('assure', 'professionnel', 'agent', 'moderator', 'admin')")
        batch_op.drop_constraint(batch_op.f('fk_user_account_employer_id_employer'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_user_account_employer_id'), type_='unique')
        batch_op.drop_column('employer_id')

    op.drop_table('employer')
