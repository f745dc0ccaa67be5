"""Benchmark: Annuaire santé search on the demo directory (20 000 practitioners) on SQLite.

Not part of ``make test`` (timings are never asserted). Run:

    .venv/bin/python -m tests.perf.bench_annuaire [--practitioners 20000] [--repeat 50]

For each kind of search it prints the median and 95th percentile of the whole request at the
server (Flask test client: routing, both SQL queries, template rendering), and of the two SQL
queries alone. The issue's target is under 50 ms at the server.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

SEARCHES = [
    ("nom (préfixe)", {"q": "mar"}),
    ("nom complet", {"q": "martin"}),
    ("spécialité", {"q": "cardiologie"}),
    ("profession + département", {"profession": "generaliste", "lieu": "44"}),
    ("profession + code postal", {"profession": "70", "lieu": "75011"}),
    ("commune nommée (Paris, 20 arrondissements)", {"profession": "specialiste", "lieu": "Paris"}),
    ("commune + secteur + carte Vitale", {"lieu": "Nantes (44000)", "secteur": "1", "carte_vitale": "oui"}),
    ("tout un département, page 5", {"lieu": "59", "page": "5"}),
    ("secteur 2 partout, dernière page", {"secteur": "2", "page": "500"}),
    ("nom + département", {"q": "bernard", "lieu": "13"}),
    ("établissements d'une région (nom)", {"type": "etablissements", "q": "centre hospitalier"}),
    ("fragment htmx (filtres en direct)", {"q": "dupont", "lieu": "69", "partiel": "1"}),
]


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--practitioners", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()

    import sqlalchemy as sa

    from app import create_app
    from app.config import TestingConfig
    from app.extensions import db
    from app.models import AnnuairePractitioner
    from app.services.caisses import sync_caisses
    from app.services.demo_annuaire import load_annuaire_demo

    workdir = tempfile.mkdtemp(prefix="macaisse-bench-")
    os.environ["MACAISSE_INSTANCE_PATH"] = os.path.join(workdir, "instance")

    class Bench(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{workdir}/bench.sqlite3"

    app = create_app(Bench)
    with app.app_context():
        db.create_all()
        sync_caisses()
        start = time.perf_counter()
        load_annuaire_demo(count=args.practitioners)
        loaded = time.perf_counter() - start
        total = db.session.scalar(sa.select(sa.func.count(AnnuairePractitioner.id)))
        db.session.remove()
    print(f"Annuaire de démonstration : {total} professionnels chargés en {loaded:.1f} s (SQLite, fichier).")

    client = app.test_client()
    statements: list[float] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["started"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        statements.append(time.perf_counter() - conn.info["started"])

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", before)
        sa.event.listen(db.engine, "after_cursor_execute", after)

    print(f"\n{'recherche':<46}{'résultats':>10}{'requête méd.':>14}{'p95':>8}{'SQL méd.':>10}")
    worst = 0.0
    for label, query in SEARCHES:
        headers = {"HX-Request": "true"} if query.get("partiel") else None
        response = client.get("/annuaire", query_string=query, headers=headers)
        assert response.status_code == 200, (label, response.status_code)
        html = response.get_data(as_text=True)
        found = html.count('class="result"')
        requests, sql = [], []
        for _ in range(args.repeat):
            statements.clear()
            start = time.perf_counter()
            response = client.get("/annuaire", query_string=query, headers=headers)
            requests.append(time.perf_counter() - start)
            sql.append(sum(statements))
            response.close()
        median = statistics.median(requests) * 1000
        p95 = percentile(requests, 0.95) * 1000
        worst = max(worst, p95)
        print(f"{label:<46}{found:>10}{median:>12.1f} ms{p95:>6.1f}{statistics.median(sql) * 1000:>8.1f} ms")
    print(f"\nPire 95e centile : {worst:.1f} ms (objectif : moins de 50 ms).")


if __name__ == "__main__":
    main()
