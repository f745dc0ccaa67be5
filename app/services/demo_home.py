"""Demo data of the account home: Nadia Lefèvre (CPAM de Paris), whose home shows the alerts that
Camille's and Louis's do not.

- the CGU she accepted are an older version, and her e-mail was confirmed three years ago;
- her husband Marc's rights through her file end in 45 days (the divorce case);
- a démarche "changement de situation" waits for a document she must send;
- the CEAM ordered for her daughter Inès, for a trip declared in a few weeks, is accepted (the
  decision is still unread), while Nadia's own CEAM expires before the return date.

Camille's home shows the attestation de salaire awaited for her open arrêt (received once the demo
employer sends it), a payment that recovered franchises, and "Agir pour un proche" for Léo; Louis's
the answer of his caisse and the médecin traitant to declare. Dates are relative to today.
Idempotent: the person is restored each time, the account and the démarches are made once.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final

import sqlalchemy as sa

from app.extensions import db
from app.models import Caisse, Demarche, HealthCard, Person, User
from app.models.base import utcnow
from app.rules import ceam as ceam_rules
from app.rules import demarches as demarche_rules
from app.services import accounts
from app.services import demarches as service
from app.services.demo_demarches import _payload
from app.services.transactions import commit

NADIA_EMAIL: Final = "nadia.lefevre@example.org"
OLD_CGU: Final = "2025-06"
TRIP_DEPARTURE_DAYS: Final = 24
TRIP_DAYS: Final = 21
RIGHTS_END_DAYS: Final = 45


def ensure_account(nadia: Person, password: str) -> User:
    """Nadia's account, made once with the CGU of an older version and an e-mail confirmed three
    years ago. Before the back office's demo démarches, which go to people without an account."""
    user = db.session.scalar(sa.select(User).where(User.person_id == nadia.id))
    if user is None:
        user = accounts.create_assure_account(nadia, password, NADIA_EMAIL)
        user.cgu_version = OLD_CGU
        user.email_verified_at = utcnow() - timedelta(days=3 * 365)
        commit()
    return user


def load_home_demo(nadia: Person) -> int:
    """Nadia's démarches (see the module), once; returns how many were filed."""
    if db.session.scalar(
        sa.select(sa.func.count()).select_from(Demarche).where(Demarche.person_id == nadia.id)
    ):
        return 0
    caisse = db.session.get(Caisse, nadia.caisse_id)
    agent = db.session.scalar(sa.select(User).where(User.role == "agent", User.caisse_id == caisse.id))
    ines = next(member for member in nadia.ayants_droit if member.lien == "enfant")
    today = service.today()

    # A change of situation, 8 days ago: the agent asked for a document.
    filed_at = utcnow() - timedelta(days=8)
    payload, files = _payload("situation", nadia, service.paris_day(filed_at))
    situation = service.file_demarche(
        None, "situation", person=nadia, beneficiary=nadia, payload=payload, files=files, notify=False
    )
    situation.created_at = situation.updated_at = filed_at
    situation.events[0].at = filed_at
    situation.due_on = demarche_rules.due_date("situation", service.paris_day(filed_at))
    commit()
    service.take(caisse.id, situation.id, agent)
    service.ask_document(
        caisse.id, situation.id, agent, "Votre dernier avis de situation Pôle emploi / France Travail."
    )

    # The CEAM of Inès for the family's trip, accepted (the card is ordered; decision unread).
    departure = today + timedelta(days=TRIP_DEPARTURE_DAYS)
    ceam = service.file_demarche(
        None,
        "ceam",
        person=nadia,
        beneficiary=ines,
        payload={
            "depart": departure.isoformat(),
            "retour": (departure + timedelta(days=TRIP_DAYS)).isoformat(),
            "pays": "ES",
        },
        notify=False,
    )
    commit()
    service.accept(caisse.id, ceam.id, agent)

    # Nadia's own CEAM, ordered two years ago: it expires before the return.
    until = departure + timedelta(days=TRIP_DAYS // 2)
    card = HealthCard(
        person_id=nadia.id,
        kind="ceam",
        status="active",
        valid_from=until - timedelta(days=2 * 365 - 1),
        valid_until=until,
    )
    db.session.add(card)
    db.session.flush()
    card.serial = ceam_rules.card_number(card.id)
    commit()
    return 2


def rights_end(today: date) -> date:
    """The day Marc's rights through Nadia's file end (the divorce alert shows from 90 days before)."""
    return today + timedelta(days=RIGHTS_END_DAYS)
