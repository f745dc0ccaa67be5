"""consent withdrawal: a patient takes back an access to the refund history before its hour is over

Revision ID: 0015_consent_withdrawal
Revises: 0014_alert_dismissal
Create Date: 2026-11-24 12:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0015_consent_withdrawal'
down_revision = '0014_alert_dismissal'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('history_consent', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_history_consent_status_known'), type_='check')
        batch_op.create_check_constraint(
            'status_known', "status IN ('en_attente', 'accordee', 'refusee', 'expiree', 'retiree')"
        )


def downgrade():
    op.execute("UPDATE history_consent SET status = 'expiree' WHERE status = 'retiree'")
    with op.batch_alter_table('history_consent', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_history_consent_status_known'), type_='check')
        batch_op.create_check_constraint(
            'status_known', "status IN ('en_attente', 'accordee', 'refusee', 'expiree')"
        )
