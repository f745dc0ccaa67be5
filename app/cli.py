"""Command-line tools: ``flask worker``, ``flask register import``, ``flask annuaire import``,
``flask demo load``, users."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup

from app.extensions import db, huey


def register_cli(app: Flask) -> None:
    app.cli.add_command(worker)
    app.cli.add_command(register_group)
    app.cli.add_command(annuaire_group)
    app.cli.add_command(demo_group)
    app.cli.add_command(users_group)
    app.cli.add_command(caisses_group)
    app.cli.add_command(ij_group)


@click.command("worker")
@click.option("--workers", "-w", default=2, show_default=True, help="Nombre de fils d'exécution.")
@click.option("--periodic/--no-periodic", default=True, help="Lancer aussi les tâches planifiées.")
def worker(workers: int, periodic: bool) -> None:
    """Run the Huey consumer for this application's queue (SQLite or Redis)."""
    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=periodic)
    click.echo(f"File de tâches : {type(huey.storage).__name__}, {workers} fil(s).")
    consumer.run()


ij_group = AppGroup("ij", help="Indemnités journalières.")


@ij_group.command("payer")
@click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Jour du paiement (par défaut : aujourd'hui).",
)
def ij_pay(day) -> None:
    """Pay the IJ due now (what the daily job does), for a demo or after an outage."""
    from app.services import sick_leave

    made = sick_leave.pay_due(day.date() if day else sick_leave.paris_today())
    click.echo(f"{made} paiement(s) d'indemnités journalières.")


register_group = AppGroup("register", help="Registre des assurés de la caisse.")


@register_group.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8-sig"))
def register_import(file) -> None:
    """Import a register CSV: every row checked; one bad row and nothing is imported."""
    from app.services.register_import import format_report, import_register_csv

    report = import_register_csv(file)
    click.echo(format_report(report))
    if report.errors:
        sys.exit(1)


annuaire_group = AppGroup("annuaire", help="Annuaire santé.")


@annuaire_group.command("import")
@click.argument("rpps_file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--complements",
    "complements_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV des compléments : secteur, carte Vitale, horaires, tarifs.",
)
def annuaire_import(rpps_file: Path | None, complements_file: Path | None) -> None:
    """Import the public RPPS extract and/or our complements CSV: all or nothing."""
    from app.services.annuaire_import import format_report, import_annuaire

    if rpps_file is None and complements_file is None:
        raise click.UsageError(
            "Indiquez le fichier de l'extrait RPPS (PS_LibreAcces_Personne_activite), "
            "le CSV des compléments (--complements), ou les deux."
        )
    report = import_annuaire(rpps=rpps_file, complements=complements_file)
    click.echo(format_report(report))
    if not report.ok:
        sys.exit(1)


demo_group = AppGroup("demo", help="Données de démonstration.")


@demo_group.command("load")
@click.option("--people", default=3000, show_default=True, help="Nombre d'assurés générés.")
@click.option(
    "--practitioners",
    default=20000,
    show_default=True,
    help="Nombre de professionnels de santé générés dans l'annuaire.",
)
def demo_load(people: int, practitioners: int) -> None:
    """Create (or complete) the demo world: caisses, register, demo accounts, directory. Idempotent."""
    from app.services.demo import load_demo

    summary = load_demo(people=people, practitioners=practitioners)
    click.echo(f"Données de démonstration prêtes : {summary}")


@demo_group.command("logins")
def demo_logins() -> None:
    """Print the demo logins."""
    from app.services.demo import DEMO_LOGINS

    base = current_app.config["PUBLIC_BASE_URL"]
    click.echo(f"\nmacaisse est servi sur {base}\n")
    click.echo("Comptes de démonstration :")
    for entry in DEMO_LOGINS:
        click.echo(f"  - {entry['role']:<12} {entry['who']:<45} {entry['login']:<24} {entry['password']}")
    click.echo("")


users_group = AppGroup("users", help="Comptes des agents et administrateurs.")


def _create_staff(
    login: str, caisse_key: str | None, name: str, email: str | None, role: str, password: str
) -> None:
    from app.models import Caisse
    from app.rules.passwords import password_problem, personal_fragments
    from app.services.accounts import create_staff

    problem = password_problem(password, personal_fragments(names=[login, name]))
    if problem:
        raise click.BadParameter(problem, param_hint="--password")

    caisse_id = None
    if caisse_key:
        caisse = db.session.scalar(sa.select(Caisse).where(Caisse.key == caisse_key))
        if caisse is None:
            raise click.BadParameter(f"Caisse inconnue : {caisse_key}", param_hint="--caisse")
        caisse_id = caisse.id
    create_staff(login, password, role, caisse_id, name, email)
    click.echo(f"Compte {role} « {login} » enregistré.")


@users_group.command("create-agent")
@click.argument("login")
@click.option("--caisse", "caisse_key", required=True, help="Clé de la caisse (ex. cpam-de-paris).")
@click.option("--name", default="", help="Nom affiché.")
@click.option(
    "--email", required=True, help="Adresse e-mail : le code de connexion y est envoyé à chaque connexion."
)
@click.option("--role", type=click.Choice(["agent", "moderator"]), default="agent")
@click.password_option("--password", prompt="Mot de passe")
def create_agent(login: str, caisse_key: str, name: str, email: str | None, role: str, password: str) -> None:
    """Create or update an agent (or moderator) of a caisse."""
    _create_staff(login, caisse_key, name or login, email, role, password)


@users_group.command("create-admin")
@click.argument("login")
@click.option("--name", default="", help="Nom affiché.")
@click.option(
    "--email", required=True, help="Adresse e-mail : le code de connexion y est envoyé à chaque connexion."
)
@click.password_option("--password", prompt="Mot de passe")
def create_admin(login: str, name: str, email: str | None, password: str) -> None:
    """Create or update a national administrator."""
    _create_staff(login, None, name or login, email, "admin", password)


caisses_group = AppGroup("caisses", help="Référentiel des caisses.")


@caisses_group.command("sync")
def caisses_sync() -> None:
    """Load or refresh the caisses from the committed reference data."""
    from app.services.caisses import sync_caisses

    changed = sync_caisses()
    click.echo(f"Caisses à jour ({changed} modification(s)).")
