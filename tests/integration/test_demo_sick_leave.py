"""The sick-leave demo: a closed arrêt with a prolongation and its payments, an open one waiting."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.models.sick_leave import Arret, IjPeriod
from app.services.demo_employers import load_employer_demo
from app.services.demo_sick_leave import load_sick_leave_demo


def test_demo_arrets(app, doctor, users):
    load_employer_demo()
    today = date(2026, 6, 15)
    assert load_sick_leave_demo("295067505612349", today) == 3
    initials = db.session.scalars(
        sa.select(Arret).where(Arret.kind == "initial").order_by(Arret.start_date)
    ).all()
    closed, waiting = initials
    assert closed.status == "cloture"
    assert len(closed.prolongations) == 1
    periods = db.session.scalars(sa.select(IjPeriod).where(IjPeriod.arret_id == closed.id)).all()
    assert len(periods) == 3
    assert sum(p.days for p in periods) == 35 - 3
    assert waiting.status == "en_attente"
    assert load_sick_leave_demo("295067505612349", today) == 0
