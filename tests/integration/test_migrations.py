"""Migrations are code: upgrading an empty database gives exactly the models' schema, and back."""

from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app.extensions import db
from app.models import include_in_migrations
from tests.conftest import _testing_app


@pytest.fixture
def empty_database_url(tmp_path):
    """An empty database: a SQLite file, or a fresh PostgreSQL schema when TEST_DATABASE_URL is set."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    from app.config import database_url_from_env

    url = database_url_from_env(url)
    schema = f"mig_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    yield f"{url}?options=-csearch_path%3D{schema}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.mark.db
def test_upgrade_matches_the_models_and_downgrades(empty_database_url):
    app = _testing_app({"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            diff = compare_metadata(
                MigrationContext.configure(connection, opts={"include_name": include_in_migrations}),
                db.metadata,
            )
        assert diff == [], diff
        downgrade(revision="base")
        tables = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert tables == set()
        db.session.remove()
        db.engine.dispose()


@pytest.mark.db
def test_upgrade_keeps_the_rows_that_refer_to_a_rebuilt_table(empty_database_url):
    """0010 rebuilds ``claim`` (a new source in its CHECK) on SQLite: the lines and payments that
    refer to it (ON DELETE CASCADE) must survive, as must the rest of a live database."""
    app = _testing_app({"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade(revision="0009_sick_leave")
        with db.engine.begin() as connection:
            run = connection.execute
            run(
                sa.text(
                    "INSERT INTO caisse (id, key, codes, name, departement, communes_rule, postal_address, "
                    "accueil_address, accueil_hours, phone, source_url, confidence, updated_at) VALUES "
                    "(1, 'c', '441', 'CPAM', '44', '', '', '', '', '', '', '', CURRENT_TIMESTAMP)"
                )
            )
            run(
                sa.text(
                    "INSERT INTO person (id, sex, last_name, first_name, birth_date, address_line, "
                    "address_complement, postal_code, commune_insee, commune_name, caisse_id, rights_start, "
                    "rang, lien, created_at, updated_at) VALUES (1, 'F', 'M', 'C', '1990-01-01', '', '', "
                    "'44000', '44109', 'Nantes', 1, '2020-01-01', 1, 'assure', CURRENT_TIMESTAMP, "
                    "CURRENT_TIMESTAMP)"
                )
            )
            run(
                sa.text(
                    "INSERT INTO professional (id, rpps, last_name, first_name, profession, specialty, "
                    "secteur, address_line, postal_code, commune_name, caisse_id, created_at) VALUES "
                    "(1, '10101010105', 'D', 'S', 'Médecin', '', '1', '', '', '', 1, CURRENT_TIMESTAMP)"
                )
            )
            money = ", ".join(["0"] * 10)
            run(
                sa.text(
                    "INSERT INTO claim (id, professional_id, patient_id, assure_id, care_date, tiers_payant, "
                    "source, lot_number, invoice_number, request_hash, created_at, total_billed, total_base, "
                    "total_amo, total_pf, total_franchises, total_depassements, total_refunded, c2s_part, "
                    "reste_a_charge, debts, explanations) VALUES (1, 1, 1, 1, '2026-01-05', false, 'web', "
                    f"'L1', 'F1', '', CURRENT_TIMESTAMP, {money}, '')"
                )
            )
            run(
                sa.text(
                    "INSERT INTO payment (id, person_id, beneficiary_id, claim_id, payee, kind, gross, "
                    "recovered, amount, paid_on, created_at) VALUES (1, 1, 1, 1, 'assure', 'soins', 0, 0, 0, "
                    "'2026-01-06', CURRENT_TIMESTAMP)"
                )
            )
        upgrade()
        with db.engine.connect() as connection:
            assert connection.execute(sa.text("SELECT count(*) FROM payment")).scalar() == 1
            assert connection.execute(sa.text("SELECT count(*) FROM claim")).scalar() == 1
            assert connection.execute(sa.text("SELECT amc_number FROM person")).scalar() == ""
        db.session.remove()
        db.engine.dispose()
