"""Queued jobs and command-line tools."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, User
from app.models.base import utcnow
from app.tasks import purge_audit_events, purge_audit_events_daily


def test_audit_retention_deletes_only_old_events(app):
    db.session.add_all(
        [
            AuditEvent(kind="login", at=utcnow() - timedelta(days=4 * 365)),
            AuditEvent(kind="login", at=utcnow() - timedelta(days=10)),
        ]
    )
    db.session.commit()
    assert purge_audit_events() == 1
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == 1


def test_periodic_job_runs_through_the_queue(app):
    db.session.add(AuditEvent(kind="login", at=utcnow() - timedelta(days=4 * 365)))
    db.session.commit()
    purge_audit_events_daily.call_local()
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == 0


def test_create_agent_and_admin(runner, caisses):
    result = runner.invoke(
        args=[
            "users",
            "create-agent",
            "Agent13",
            "--caisse",
            "cpam-des-bouches-du-rhone",
            "--name",
            "Inès Moreau",
            "--email",
            "ines.moreau@example.org",
            "--password",
            "Un-Mot-De-Passe-Long-2026",
        ]
    )
    assert result.exit_code == 0, result.output
    agent = db.session.scalar(sa.select(User).where(User.login == "agent13"))
    assert agent.role == "agent"
    assert agent.caisse.name == "CPAM des Bouches-du-Rhône"
    result = runner.invoke(
        args=[
            "users",
            "create-admin",
            "admin",
            "--email",
            "a@example.org",
            "--password",
            "Un-Mot-De-Passe-Long-2026",
        ]
    )
    assert result.exit_code == 0
    assert db.session.scalar(sa.select(User.role).where(User.login == "admin")) == "admin"


def test_create_agent_with_unknown_caisse_fails_in_french(runner, caisses):
    result = runner.invoke(
        args=[
            "users",
            "create-agent",
            "x",
            "--caisse",
            "cpam-inconnue",
            "--email",
            "x@example.org",
            "--password",
            "Un-Mot-De-Passe-Long-2026",
        ]
    )
    assert result.exit_code != 0
    assert "Caisse inconnue" in result.output


@pytest.mark.parametrize("password", ["court", "azertyuiop123", "agent13-agent13"])
def test_staff_passwords_follow_the_policy(runner, caisses, password):
    result = runner.invoke(
        args=[
            "users",
            "create-agent",
            "agent13",
            "--caisse",
            "cpam-de-paris",
            "--email",
            "x@example.org",
            "--password",
            password,
        ]
    )
    assert result.exit_code != 0
    assert "mot de passe" in result.output.lower()
    assert db.session.scalar(sa.select(User).where(User.login == "agent13")) is None


def test_caisses_sync_is_idempotent(runner, app):
    first = runner.invoke(args=["caisses", "sync"])
    assert "107 modification" in first.output
    second = runner.invoke(args=["caisses", "sync"])
    assert "0 modification" in second.output


def test_register_import_with_one_bad_nir_imports_nothing(runner, caisses, tmp_path):
    from app.models import Person

    good = "295067505612349;MARTIN;Camille;12/06/1995;F;1 rue de la Paix;;44000;;01/01/2020"
    bad = "295067505612348;DURAND;Anne;03/04/1990;F;2 rue Crébillon;;44000;;01/01/2020"
    header = "nir;nom;prenom;date_naissance;sexe;adresse;complement;code_postal;commune_insee;droits_debut"
    path = tmp_path / "registre.csv"
    path.write_text("\n".join([header, good, bad]) + "\n", encoding="utf-8")
    result = runner.invoke(args=["register", "import", str(path)])
    assert result.exit_code == 1
    assert "ligne 3" in result.output
    assert "nir" in result.output
    assert "clé" in result.output
    assert "295067505612348" not in result.output
    assert db.session.scalar(sa.select(sa.func.count(Person.id))) == 0


def test_register_import_of_the_sample_file(runner, caisses):
    from pathlib import Path

    from app.models import Person

    sample = Path(__file__).parents[1] / "data" / "register_sample.csv"
    result = runner.invoke(args=["register", "import", str(sample)])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(sa.func.count(Person.id))) == 5
