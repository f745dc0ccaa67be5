"""Benchmark: Mon compte (the home with its alerts, and its two lazy blocks) for a file with many
payments and démarches, on SQLite.

Not part of ``make test`` (timings are never asserted). Run:

    .venv/bin/python -m tests.perf.bench_compte [--payments 5000] [--demarches 300] [--requests 300]

Signs the demo assurées in (Camille: attestation awaited, payments; Nadia: six alerts) and prints, per
URL, requests per second at the server (Flask test client) and the number of SQL queries of one
request — which must not grow with ``--payments`` and ``--demarches``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import timedelta
from decimal import Decimal


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--payments", type=int, default=5000)
    parser.add_argument("--demarches", type=int, default=300)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()

    import sqlalchemy as sa

    from app import create_app
    from app.config import TestingConfig
    from app.extensions import db
    from app.models import Demarche, Payment, Person, User
    from app.models.base import utcnow
    from app.rules import demarches as demarche_rules
    from app.services.demo import CAMILLE_NIR, DEMO_PASSWORD, load_demo, nadia_nir
    from app.services.documents import paris_day
    from tests.conftest import last_code, recorded_queries

    workdir = tempfile.mkdtemp(prefix="macaisse-bench-")
    os.environ["MACAISSE_INSTANCE_PATH"] = os.path.join(workdir, "instance")

    class Bench(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{workdir}/bench.sqlite3"
        RATELIMIT_ENABLED = False

    app = create_app(Bench)
    with app.app_context():
        db.create_all()
        load_demo(people=200, practitioners=200)
        camille = db.session.scalar(sa.select(Person).where(Person.nir == CAMILLE_NIR))
        today = paris_day(utcnow())
        db.session.execute(
            sa.insert(Payment),
            [
                {
                    "person_id": camille.id,
                    "beneficiary_id": camille.id,
                    "payee": "assure",
                    "kind": "soins",
                    "gross": Decimal("21.00"),
                    "recovered": Decimal("1.00") if n % 7 == 0 else Decimal("0.00"),
                    "amount": Decimal("20.00") if n % 7 == 0 else Decimal("21.00"),
                    "paid_on": today - timedelta(days=n % 700),
                }
                for n in range(args.payments)
            ],
        )
        db.session.execute(
            sa.insert(Demarche),
            [
                {
                    "person_id": camille.id,
                    "beneficiary_id": camille.id,
                    "caisse_id": camille.caisse_id,
                    "kind": "adresse",
                    "status": "piece_demandee" if n % 10 == 0 else "deposee",
                    "payload": "{}",
                    "due_on": demarche_rules.due_date("adresse", today - timedelta(days=n % 30)),
                }
                for n in range(args.demarches)
            ],
        )
        db.session.commit()

    print(
        f"Camille's file: {args.payments} payments, {args.demarches} démarches (10 % waiting for a document)"
    )
    print(f"{'page':<52}{'req/s':>8}{'queries':>9}")
    for who, nir in (("Camille", CAMILLE_NIR), ("Nadia", nadia_nir())):
        client = app.test_client()
        page = client.get("/connexion").get_data(as_text=True)
        token = page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
        response = client.post(
            "/connexion", data={"csrf_token": token, "nir": nir, "password": DEMO_PASSWORD}
        )
        if response.headers.get("Location") == "/connexion/code":
            with app.app_context():
                person = db.session.scalar(sa.select(Person).where(Person.nir == nir))
                code = last_code(db.session.scalar(sa.select(User).where(User.person_id == person.id)))
            page = client.get("/connexion/code").get_data(as_text=True)
            token = page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
            client.post("/connexion/code", data={"csrf_token": token, "code": code})
        for label, url, headers in (
            ("Mon compte (page)", "/compte/", None),
            ("Mon compte (fragment htmx)", "/compte/", {"HX-Request": "true"}),
            ("bloc derniers paiements (htmx)", "/compte/blocs/derniers-paiements", {"HX-Request": "true"}),
            ("bloc démarches en cours (htmx)", "/compte/blocs/demarches-en-cours", {"HX-Request": "true"}),
        ):
            first = client.get(url, headers=headers)
            assert first.status_code == 200, (url, first.status_code, first.headers.get("Location"))
            with app.app_context(), recorded_queries() as queries:
                client.get(url, headers=headers)
            start = time.perf_counter()
            for _ in range(args.requests):
                client.get(url, headers=headers).close()
            rate = args.requests / (time.perf_counter() - start)
            print(f"{who + ' — ' + label:<52}{rate:>8.0f}{len(queries):>9}")


if __name__ == "__main__":
    main()
