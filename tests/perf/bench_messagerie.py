"""Benchmark: the caisse's inbox of messages, "Mes messages" and the agent's dashboard with many rows.

Not part of ``make test`` (timings are never asserted). Run:

    .venv/bin/python -m tests.perf.bench_messagerie [--rows 20000] [--requests 200]

Writes ``--rows`` threads of one assurée to her caisse (a tenth of them overdue, each with its
first message, an answer on a third of them), then prints, for each page, the SQL statements it
runs (constant, whatever the number of rows) and its requests per second.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta

_CHUNK = 5000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    from app import create_app
    from app.config import TestingConfig
    from app.extensions import db
    from app.models import Message, MessageThread, Person, User
    from app.rules import messagerie as rules
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
        motifs = [motif.key for motif in rules.motifs_for("assure")]
        now = datetime.now(UTC)
        first_id = (db.session.scalar(db.select(db.func.max(MessageThread.id))) or 0) + 1
        threads, messages = [], []
        for n in range(args.rows):
            written_at = now - timedelta(minutes=7 * n + 5)
            overdue = n % 10 == 0
            answered = n % 3 == 2 and not overdue
            if answered:
                due = None
            elif overdue:
                due = now - timedelta(hours=1 + n % 24)
            else:
                due = now + timedelta(hours=1 + n % 47)
            answered_at = written_at + timedelta(minutes=3)
            threads.append(
                {
                    "id": first_id + n,
                    "caisse_id": person.caisse_id,
                    "audience": "assure",
                    "user_id": camille.id,
                    "person_id": person.id,
                    "motif": motifs[n % len(motifs)],
                    "subject": f"Question n° {n}",
                    "status": "attente_usager" if answered else ("en_cours" if n % 4 == 1 else "nouveau"),
                    "assigned_to_id": agent.id if answered or n % 4 == 1 else None,
                    "created_at": written_at,
                    "last_message_at": answered_at if answered else written_at,
                    "last_user_at": written_at,
                    "last_caisse_at": answered_at if answered else None,
                    "user_seen_at": written_at,
                    "caisse_seen_at": answered_at if answered else None,
                    "reply_due_at": due,
                    "closed_by": "",
                    "rating_comment": "",
                }
            )
            messages.append(
                {
                    "thread_id": first_id + n,
                    "side": "usager",
                    "author_user_id": camille.id,
                    "author_label": "Camille Martin",
                    "body": "Bonjour,\n\nPouvez-vous m'aider ?\n\nMerci.",
                    "internal": False,
                    "created_at": written_at,
                }
            )
            if answered:
                messages.append(
                    {
                        "thread_id": first_id + n,
                        "side": "caisse",
                        "author_user_id": agent.id,
                        "author_label": "Conseiller, CPAM de la Loire-Atlantique",
                        "body": "Bonjour,\n\nVoici la réponse.\n\nVotre conseiller",
                        "internal": False,
                        "created_at": answered_at,
                    }
                )
        for model, rows in ((MessageThread, threads), (Message, messages)):
            for start in range(0, len(rows), _CHUNK):
                db.session.execute(db.insert(model), rows[start : start + _CHUNK])
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
        camille_id, agent_id = camille.get_id(), agent.get_id()

    def client_for(user_id: str):
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = user_id
            session["_fresh"] = True
        return client

    print(f"{args.rows} threads for one caisse ({len(messages)} messages)")
    print(f"{'page':<44}{'queries':>8}{'req/s':>10}")
    for label, who, url in [
        ("boîte de la caisse (page 1)", agent_id, "/agent/messages/"),
        ("boîte de la caisse, en retard", agent_id, "/agent/messages/?retard=1"),
        ("boîte de la caisse, objet remboursement", agent_id, "/agent/messages/?motif=remboursement"),
        ("boîte de la caisse, page 100", agent_id, "/agent/messages/?page=100"),
        ("accueil agent (tableau de bord)", agent_id, "/agent/"),
        ("Mes messages (assurée)", camille_id, "/compte/messages/"),
    ]:
        client = client_for(who)
        with app.app_context(), recorded_queries() as statements:
            response = client.get(url)
        if response.status_code != 200:
            print(f"{label:<44}{'HTTP ' + str(response.status_code):>18}")
            continue
        start = time.perf_counter()
        for _ in range(args.requests):
            client.get(url).close()
        rate = args.requests / (time.perf_counter() - start)
        print(f"{label:<44}{len(statements):>8}{rate:>10.0f}")


if __name__ == "__main__":
    main()
