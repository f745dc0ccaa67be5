"""Benchmark: the professional's "Mes paiements" with many payments.

Not part of ``make test`` (timings are never asserted). Run:

    .venv/bin/python -m tests.perf.bench_pro_payments [--rows 20000] [--requests 200]

Adds ``--rows`` payments to Dr Durand (after the demo's year), spread over the last 10 months and
over the people of the demo register, then prints, for the list, a filter, a sort and the CSV
export, the SQL statements each runs (constant, whatever the number of rows) and its requests per
second.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import timedelta
from decimal import Decimal

_CHUNK = 5000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    from app import create_app
    from app.config import TestingConfig
    from app.extensions import db
    from app.models import Person, User
    from app.models.care import Professional
    from app.models.pro_space import PRO_PAYMENT_KINDS, ProfessionalPayment
    from app.services.sick_leave import paris_today
    from tests.conftest import recorded_queries

    workdir = tempfile.mkdtemp(prefix="macaisse-bench-")
    os.environ["MACAISSE_INSTANCE_PATH"] = os.path.join(workdir, "instance")

    class Bench(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{workdir}/bench.sqlite3"
        WTF_CSRF_ENABLED = False

    app = create_app(Bench)
    with app.app_context():
        db.create_all()
        from app.services.demo import load_demo

        load_demo(people=200, practitioners=50)
        doctor = db.session.scalar(db.select(Professional).where(Professional.rpps == "10101010105"))
        user = db.session.scalar(db.select(User).where(User.professional_id == doctor.id))
        people = db.session.scalars(db.select(Person.id).order_by(Person.id).limit(300)).all()
        today = paris_today()
        rows = []
        for n in range(args.rows):
            kind = "tiers_payant" if n % 10 else PRO_PAYMENT_KINDS[n % len(PRO_PAYMENT_KINDS)]
            rejected = n % 40 == 7
            rows.append(
                {
                    "professional_id": doctor.id,
                    "kind": kind,
                    "status": "rejetee" if rejected else "payee",
                    "lot_number": f"B{n // 6:07d}",
                    "invoice_number": f"BF-{n:08d}",
                    "label": "",
                    "beneficiary_id": people[n % len(people)],
                    "care_date": today - timedelta(days=n % 300 + 2),
                    "paid_on": today - timedelta(days=n % 300),
                    "amount": Decimal("0.00") if rejected else Decimal("21.00"),
                    "reject_reason": "Prescription absente" if rejected else "",
                }
            )
        for start in range(0, len(rows), _CHUNK):
            db.session.execute(db.insert(ProfessionalPayment), rows[start : start + _CHUNK])
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
        user_id = user.get_id()

    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user_id
        session["_fresh"] = True

    print(f"{args.rows} payments for one professional")
    print(f"{'page':<44}{'queries':>8}{'req/s':>10}")
    for label, url in [
        ("liste (page 1)", "/pro/paiements/"),
        ("liste, page 100", "/pro/paiements/?page=100"),
        ("filtre : numéro de lot", "/pro/paiements/?lot=B0000420"),
        ("filtre : numéro de facture", "/pro/paiements/?facture=BF-00001234"),
        ("filtre : bénéficiaire « mar »", "/pro/paiements/?beneficiaire=mar"),
        ("filtre : gardes", "/pro/paiements/?type=garde"),
        ("tri : bénéficiaire", "/pro/paiements/?tri=beneficiaire&ordre=asc"),
        ("tri : facture, décroissant", "/pro/paiements/?tri=facture"),
        ("export CSV (lot)", "/pro/paiements/export.csv?lot=B0000420"),
    ]:
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
