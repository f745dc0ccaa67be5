"""Benchmark: public pages rendered in-process, as a ratio to a bare Flask "hello" in the same run.

Not part of ``make test`` (timings are never asserted). Run:

    .venv/bin/python -m tests.perf.bench_pages [--requests 2000]

Prints requests per second for each page and its ratio to the bare baseline, so figures taken on
different machines stay comparable.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

from flask import Flask


def measure(client, url: str, count: int, headers: dict | None = None) -> float:
    client.get(url, headers=headers)  # warm-up: templates compiled, data files loaded
    start = time.perf_counter()
    for _ in range(count):
        response = client.get(url, headers=headers)
        assert response.status_code == 200, (url, response.status_code)
        response.close()
    return count / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()

    bare = Flask("bare")
    bare.add_url_rule("/", "hello", lambda: "hello")
    baseline = measure(bare.test_client(), "/", args.requests)

    from app import create_app
    from app.config import TestingConfig
    from app.extensions import db
    from app.services.caisses import sync_caisses

    workdir = tempfile.mkdtemp(prefix="macaisse-bench-")
    os.environ["MACAISSE_INSTANCE_PATH"] = os.path.join(workdir, "instance")

    class Bench(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{workdir}/bench.sqlite3"

    app = create_app(Bench)
    with app.app_context():
        db.create_all()
        sync_caisses()
    client = app.test_client()
    print(f"{'page':<52}{'req/s':>10}{'ratio':>8}")
    print(f"{'bare Flask hello (baseline)':<52}{baseline:>10.0f}{1:>8.2f}")
    for label, url, headers in [
        ("accueil (page)", "/", None),
        ("DMP (page)", "/dmp", None),
        ("DMP (fragment htmx)", "/dmp", {"HX-Request": "true"}),
        ("adresses 44000 (page)", "/adresses?code_postal=44000", None),
        ("adresses 51300, 46 communes (fragment)", "/adresses?code_postal=51300", {"HX-Request": "true"}),
        ("connexion (page)", "/connexion", None),
        ("informations pratiques (page)", "/informations/", None),
        (
            "fiche généraliste, 3 exemples calculés (page)",
            "/informations/consultation-medecin-generaliste",
            None,
        ),
        (
            "fiche généraliste (fragment htmx)",
            "/informations/consultation-medecin-generaliste",
            {"HX-Request": "true"},
        ),
        ("recherche « franchise » (fragment)", "/informations/?q=franchise", {"HX-Request": "true"}),
        (
            "congé maternité, jumeaux (page)",
            "/simulateurs/conge-maternite-paternite?type=maternite&date_accouchement_prevue=2026-06-15&enfants_a_charge=0&naissances=2",
            None,
        ),
    ]:
        rate = measure(client, url, args.requests, headers)
        print(f"{label:<52}{rate:>10.0f}{rate / baseline:>8.2f}")


if __name__ == "__main__":
    main()
