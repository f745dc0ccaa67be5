"""Benchmark: the back-office queue of démarches and "Mes démarches" with many rows.

Not part of ``make test`` (timings are never asserted). Run:

    .venv/bin/python -m tests.perf.bench_demarches [--rows 20000] [--requests 200]

Files ``--rows`` démarches for one caisse (a tenth of them overdue), then prints, for each page, the
SQL statements it runs (constant, whatever the number of rows) and its requests per second.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from datetime import UTC, date, datetime, timedelta


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    from app import create_app
    from app.config import TestingConfig
    from app.extensions import db
    from app.models import Demarche, Person, User
    from app.services.demo import CAMILLE_NIR, load_demo
    from tests.conftest import recorded_queries

    workdir = tempfile.mkdtemp(prefix="macaisse-bench-")
    os.environ["MACAISSE_INSTANCE_PATH"] = os.path.join(workdir, "instance")

    class Bench(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{workdir}/bench.sqlite3"
        WTF_CSRF_ENABLED = False

    app = create_app(Bench)
    with app.app_context():
        db.create_all()
        load_demo(people=200, practitioners=50)
        camille = db.session.scalar(db.select(User).join(User.person).where(Person.nir == CAMILLE_NIR))
        agent = db.session.scalar(db.select(User).where(User.login == "agent44"))
        person = camille.person
        now = datetime.now(UTC)
        today = date.today()
        rows = [
            {
                "kind": "situation",
                "status": "deposee" if n % 3 else "en_cours",
                "person_id": person.id,
                "caisse_id": person.caisse_id,
                "user_id": camille.id,
                "payload": json.dumps({}),
                "created_at": now - timedelta(minutes=n),
                "updated_at": now,
                "due_on": today - timedelta(days=1) if n % 10 == 0 else today + timedelta(days=5),
                "reason": "",
            }
            for n in range(args.rows)
        ]
        db.session.execute(db.insert(Demarche), rows)
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
        camille_id, agent_id = camille.get_id(), agent.get_id()

    def client_for(user_id: str):
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = user_id
            session["_fresh"] = True
        return client

    print(f"{args.rows} démarches for one caisse")
    print(f"{'page':<44}{'queries':>8}{'req/s':>10}")
    for label, who, url in [
        ("file d'attente agent (page 1)", agent_id, "/agent/demarches/"),
        ("file d'attente, en retard", agent_id, "/agent/demarches/?retard=1"),
        ("file d'attente, type et statut", agent_id, "/agent/demarches/?type=situation&statut=en_cours"),
        ("file d'attente, page 100", agent_id, "/agent/demarches/?page=100"),
        ("accueil agent (compteurs)", agent_id, "/agent/"),
        ("Mes démarches (assurée)", camille_id, "/compte/demarches/"),
    ]:
        client = client_for(who)
        with app.app_context(), recorded_queries() as statements:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        start = time.perf_counter()
        for _ in range(args.requests):
            client.get(url).close()
        rate = args.requests / (time.perf_counter() - start)
        print(f"{label:<44}{len(statements):>8}{rate:>10.0f}")


if __name__ == "__main__":
    main()
