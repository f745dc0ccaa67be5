"""Demo démarches: a back-office queue with something to do for ``agent44`` and ``agent75``.

Requests of generated assurés (who have no web account: they are the requests received on paper at
the accueil), in every state of the queue — received, taken, waiting for a document, overdue,
decided with the decision still unread. The demo accounts' own files are left empty, so that the
demo assurée starts her démarches from a clean page. Idempotent: nothing is added once any démarche
exists.
"""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa
from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from app.extensions import db
from app.models import Caisse, Demarche, Person, User
from app.models.base import utcnow
from app.rules import demarches as rules
from app.services import demarches as service
from app.services.transactions import commit
from app.services.uploads import CheckedFile

# (caisse key, kind, state, days since filing)
PLAN = (
    ("cpam-de-la-loire-atlantique", "situation", "deposee", 25),
    ("cpam-de-la-loire-atlantique", "feuille_soins", "en_cours", 6),
    ("cpam-de-la-loire-atlantique", "complementaire", "deposee", 1),
    ("cpam-de-la-loire-atlantique", "situation", "piece_demandee", 9),
    ("cpam-de-la-loire-atlantique", "complementaire", "acceptee", 4),
    ("cpam-de-la-loire-atlantique", "feuille_soins", "deposee", 0),
    ("cpam-de-paris", "situation", "deposee", 3),
    ("cpam-de-paris", "complementaire", "deposee", 12),
)


def _pdf(title: str) -> CheckedFile:
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4)
    page.setTitle(title)
    page.drawString(72, 760, title)
    page.drawString(72, 740, "Document de démonstration : aucune donnée réelle.")
    page.save()
    return CheckedFile("justificatif.pdf", "application/pdf", out.getvalue())


def _scan(title: str) -> CheckedFile:
    image = Image.new("RGB", (620, 877), (250, 250, 246))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 600, 857), outline=(40, 90, 160), width=3)
    draw.text((40, 40), title, fill=(20, 20, 20))
    draw.text((40, 70), "Document de demonstration", fill=(20, 20, 20))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return CheckedFile("feuille-soins.jpg", "image/jpeg", out.getvalue())


def _payload(kind: str, person: Person, filed_on) -> tuple[dict, list[tuple[str, CheckedFile]]]:
    if kind == "situation":
        return (
            {
                "activite": "salarie",
                "depuis": (filed_on - timedelta(days=10)).isoformat(),
                "employeur": "",
                "siret": "",
            },
            [("justificatif", _pdf("Contrat de travail"))],
        )
    if kind == "feuille_soins":
        return (
            {
                "date_soins": (filed_on - timedelta(days=12)).isoformat(),
                "montant_paye": str(Decimal("30.00")),
                "professionnel": "Dr Martine Lefèvre",
            },
            [("feuille_soins", _scan("Feuille de soins"))],
        )
    return {"action": "declarer", "organisme": "Mutuelle des Bords de Loire", "numero": "12345678"}, []


def load_demarches_demo() -> int:
    """File the demo démarches (see ``PLAN``) if there are none yet; return how many; commits."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(Demarche)):
        return 0
    with_account = sa.select(User.person_id).where(User.person_id.is_not(None))
    added = 0
    turns: dict[str, int] = {}
    for caisse_key, kind, state, days in PLAN:
        caisse = db.session.scalar(sa.select(Caisse).where(Caisse.key == caisse_key))
        agent = db.session.scalar(sa.select(User).where(User.role == "agent", User.caisse_id == caisse.id))
        # The caisse's assurés without an account, in turn (a small demo has only a few per caisse).
        people = db.session.scalars(
            sa.select(Person)
            .where(
                Person.caisse_id == caisse.id,
                Person.ouvrant_droit_id.is_(None),
                Person.id.not_in(with_account),
            )
            .order_by(Person.id)
            .limit(len(PLAN))
        ).all()
        if not people or agent is None:
            continue
        turn = turns.get(caisse_key, 0)
        turns[caisse_key] = turn + 1
        person = people[turn % len(people)]
        filed_at = utcnow() - timedelta(days=days, hours=2)
        filed_on = service.paris_day(filed_at)
        payload, files = _payload(kind, person, filed_on)
        demarche = service.file_demarche(
            None, kind, person=person, beneficiary=person, payload=payload, files=files, notify=False
        )
        demarche.created_at = demarche.updated_at = filed_at
        demarche.events[0].at = filed_at
        demarche.due_on = rules.due_date(kind, filed_on)
        service.commit()
        if state in ("en_cours", "piece_demandee"):
            service.take(caisse.id, demarche.id, agent)
        if state == "piece_demandee":
            service.ask_document(
                caisse.id,
                demarche.id,
                agent,
                "Votre dernier bulletin de salaire, ou l'attestation de votre employeur.",
            )
        if state == "acceptee":
            service.accept(caisse.id, demarche.id, agent)
        added += 1
    commit()
    return added
