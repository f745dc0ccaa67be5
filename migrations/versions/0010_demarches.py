"""démarches: requests, their history and files, health cards, the inbox of courriers; new person
columns (second parent, phone, complémentaire, C2S participation, activity); new kinds of letter,
claim source, issued document and one-time token

Revision ID: 0010_demarches
Revises: 0009_sick_leave
Create Date: 2026-11-24 03:52:04.024957

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_demarches'
down_revision = '0009_sick_leave'
branch_labels = None
depends_on = None


CHECKS = {
    # table: (constraint, column, values before, values after)
    "one_time_token": ("purpose_known", "purpose",
                       ("activation", "reset", "email_verify", "login_code", "provisional"),
                       ("activation", "reset", "email_verify", "login_code", "provisional", "demarche_code")),
    "letter": ("kind_known", "kind", ("code_provisoire",),
               ("code_provisoire", "changement_iban", "changement_adresse")),
    "claim": ("source_known", "source", ("web", "api", "demo"), ("web", "api", "demo", "papier")),
    "issued_document": ("kind_known", "kind",
                        ("attestation_droits", "releve_ij", "attestation_paiement_ij", "attestation_fiscale_ij"),
                        ("attestation_droits", "releve_ij", "attestation_paiement_ij", "attestation_fiscale_ij",
                         "certificat_ceam")),
}


def _one_of(column, values):
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def _replace_checks(after):
    for table, (name, column, before_values, after_values) in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"ck_{table}_{name}"), type_="check")
            batch_op.create_check_constraint(name, _one_of(column, after_values if after else before_values))


def upgrade():
    op.create_table('demarche',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('beneficiary_id', sa.Integer(), nullable=True),
    sa.Column('caisse_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('professional_rpps', sa.String(length=11), nullable=True),
    sa.Column('claim_id', sa.Integer(), nullable=True),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('assigned_to_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.CheckConstraint("kind IN ('ceam', 'carte_vitale', 'medecin_traitant', 'ayant_droit_ajout', 'ayant_droit_retrait', 'complementaire', 'c2s', 'adresse', 'transfert', 'iban', 'telephone', 'situation', 'feuille_soins', 'divorce')", name=op.f('ck_demarche_kind_known')),
    sa.CheckConstraint("status IN ('attente_confirmation', 'deposee', 'en_cours', 'piece_demandee', 'acceptee', 'expediee', 'livree', 'refusee', 'annulee')", name=op.f('ck_demarche_status_known')),
    sa.ForeignKeyConstraint(['assigned_to_id'], ['user_account.id'], name=op.f('fk_demarche_assigned_to_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['person.id'], name=op.f('fk_demarche_beneficiary_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['caisse_id'], ['caisse.id'], name=op.f('fk_demarche_caisse_id_caisse')),
    sa.ForeignKeyConstraint(['claim_id'], ['claim.id'], name=op.f('fk_demarche_claim_id_claim'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_demarche_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_demarche_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_demarche'))
    )
    with op.batch_alter_table('demarche', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_demarche_assigned_to_id'), ['assigned_to_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_demarche_beneficiary_id'), ['beneficiary_id'], unique=False)
        batch_op.create_index('ix_demarche_caisse_due', ['caisse_id', 'due_on'], unique=False)
        batch_op.create_index('ix_demarche_caisse_kind_status_created', ['caisse_id', 'kind', 'status', 'created_at'], unique=False)
        batch_op.create_index('ix_demarche_caisse_status_created', ['caisse_id', 'status', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_demarche_claim_id'), ['claim_id'], unique=False)
        batch_op.create_index('ix_demarche_person_created', ['person_id', 'created_at'], unique=False)
        batch_op.create_index('ix_demarche_rpps_status', ['professional_rpps', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_demarche_user_id'), ['user_id'], unique=False)

    op.create_table('demarche_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('demarche_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('status', sa.String(length=30), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('internal', sa.Boolean(), nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sa.String(length=160), nullable=False),
    sa.CheckConstraint("kind IN ('status', 'document_demande', 'document_ajoute', 'note', 'confirmation')", name=op.f('ck_demarche_event_kind_known')),
    sa.ForeignKeyConstraint(['actor_user_id'], ['user_account.id'], name=op.f('fk_demarche_event_actor_user_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['demarche_id'], ['demarche.id'], name=op.f('fk_demarche_event_demarche_id_demarche'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_demarche_event'))
    )
    with op.batch_alter_table('demarche_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_demarche_event_demarche_id'), ['demarche_id'], unique=False)

    op.create_table('demarche_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('demarche_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=30), nullable=False),
    sa.Column('filename', sa.String(length=120), nullable=False),
    sa.Column('content_type', sa.String(length=80), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("label IN ('photo', 'piece_identite', 'acte_naissance', 'justificatif', 'feuille_soins', 'ordonnance', 'ressources')", name=op.f('ck_demarche_file_label_known')),
    sa.ForeignKeyConstraint(['demarche_id'], ['demarche.id'], name=op.f('fk_demarche_file_demarche_id_demarche'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_demarche_file_uploaded_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_demarche_file'))
    )
    with op.batch_alter_table('demarche_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_demarche_file_demarche_id'), ['demarche_id'], unique=False)

    op.create_table('health_card',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('serial', sa.String(length=20), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('demarche_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('invalidated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('invalid_reason', sa.String(length=30), nullable=False),
    sa.CheckConstraint("kind IN ('vitale', 'ceam')", name=op.f('ck_health_card_kind_known')),
    sa.CheckConstraint("status IN ('commandee', 'expediee', 'active', 'invalidee')", name=op.f('ck_health_card_status_known')),
    sa.ForeignKeyConstraint(['demarche_id'], ['demarche.id'], name=op.f('fk_health_card_demarche_id_demarche'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_health_card_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_health_card'))
    )
    with op.batch_alter_table('health_card', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_health_card_demarche_id'), ['demarche_id'], unique=False)
        batch_op.create_index('ix_health_card_person_kind', ['person_id', 'kind'], unique=False)

    op.create_table('inbox_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('demarche_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('sender', sa.String(length=160), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('push_reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('email_reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('decision', 'courrier')", name=op.f('ck_inbox_item_kind_known')),
    sa.ForeignKeyConstraint(['demarche_id'], ['demarche.id'], name=op.f('fk_inbox_item_demarche_id_demarche'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_inbox_item_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbox_item'))
    )
    with op.batch_alter_table('inbox_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbox_item_demarche_id'), ['demarche_id'], unique=False)
        batch_op.create_index('ix_inbox_item_person_created', ['person_id', 'created_at'], unique=False)
        batch_op.create_index('ix_inbox_item_unread', ['read_at', 'kind', 'created_at'], unique=False)

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('second_ouvrant_droit_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('phone', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('amc_name', sa.String(length=120), server_default='', nullable=False))
        batch_op.add_column(sa.Column('amc_number', sa.String(length=20), server_default='', nullable=False))
        batch_op.add_column(sa.Column('c2s_participation', sa.Numeric(precision=10, scale=2), nullable=True))
        batch_op.add_column(sa.Column('activity', sa.String(length=30), server_default='', nullable=False))
        batch_op.create_index(batch_op.f('ix_person_second_ouvrant_droit_id'), ['second_ouvrant_droit_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_person_second_ouvrant_droit_id_person'), 'person', ['second_ouvrant_droit_id'], ['id'], ondelete='SET NULL')

    _replace_checks(after=True)



def downgrade():
    _replace_checks(after=False)
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_person_second_ouvrant_droit_id_person'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_person_second_ouvrant_droit_id'))
        batch_op.drop_column('activity')
        batch_op.drop_column('c2s_participation')
        batch_op.drop_column('amc_number')
        batch_op.drop_column('amc_name')
        batch_op.drop_column('phone')
        batch_op.drop_column('second_ouvrant_droit_id')

    with op.batch_alter_table('inbox_item', schema=None) as batch_op:
        batch_op.drop_index('ix_inbox_item_unread')
        batch_op.drop_index('ix_inbox_item_person_created')
        batch_op.drop_index(batch_op.f('ix_inbox_item_demarche_id'))

    op.drop_table('inbox_item')
    with op.batch_alter_table('health_card', schema=None) as batch_op:
        batch_op.drop_index('ix_health_card_person_kind')
        batch_op.drop_index(batch_op.f('ix_health_card_demarche_id'))

    op.drop_table('health_card')
    with op.batch_alter_table('demarche_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_demarche_file_demarche_id'))

    op.drop_table('demarche_file')
    with op.batch_alter_table('demarche_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_demarche_event_demarche_id'))

    op.drop_table('demarche_event')
    with op.batch_alter_table('demarche', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_demarche_user_id'))
        batch_op.drop_index('ix_demarche_rpps_status')
        batch_op.drop_index('ix_demarche_person_created')
        batch_op.drop_index(batch_op.f('ix_demarche_claim_id'))
        batch_op.drop_index('ix_demarche_caisse_status_created')
        batch_op.drop_index('ix_demarche_caisse_kind_status_created')
        batch_op.drop_index('ix_demarche_caisse_due')
        batch_op.drop_index(batch_op.f('ix_demarche_beneficiary_id'))
        batch_op.drop_index(batch_op.f('ix_demarche_assigned_to_id'))

    op.drop_table('demarche')
