"""Demo data of the refunds issue: the demo doctor and three other professionals, the demo billing
token, and a year of varied décomptes and payments for the demo assurés, made through the real
claims service (so every amount is what the engine computes). Idempotent: each demo claim has a
fixed Idempotency-Key, so a second run pays nothing twice."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models import ApiToken, Caisse, Person, User
from app.models.base import utcnow
from app.models.care import Professional
from app.rules import tariffs
from app.rules.liquidation import ActLine
from app.security import hash_password, verify_password
from app.services import claims

PRO_PASSWORD = "Macaisse-Pro-2026"
DEMO_TOKEN = "demo-logiciel-2026"

PROFESSIONALS = (
    # rpps, first, last, profession, specialty, secteur, postal code, commune, email
    (
        "10101010105",
        "Sophie",
        "Durand",
        "Médecin",
        "Médecine générale",
        "1",
        "44000",
        "Nantes",
        "sophie.durand@example.org",
    ),
    ("10101010204", "Marc", "Lefebvre", "Médecin", "Cardiologie", "2_optam", "44000", "Nantes", None),
    ("10101010303", "Julie", "Moreau", "Masseur-kinésithérapeute", "", "1", "44000", "Nantes", None),
    ("10101010402", "Pharmacie", "des Lilas", "Pharmacien", "Officine", "1", "44000", "Nantes", None),
)


def _professionals(caisse_id: int) -> dict[str, Professional]:
    existing = {p.rpps: p for p in db.session.scalars(sa.select(Professional))}
    for rpps, first, last, profession, specialty, secteur, postal, commune, _email in PROFESSIONALS:
        if rpps not in existing:
            existing[rpps] = Professional(
                rpps=rpps,
                first_name=first,
                last_name=last,
                profession=profession,
                specialty=specialty,
                secteur=secteur,
                postal_code=postal,
                commune_name=commune,
                caisse_id=caisse_id,
                address_line="3 place du Commerce",
                iban="FR7699001000440000012345632" if rpps.endswith("05") else None,
            )
            db.session.add(existing[rpps])
    db.session.flush()
    return existing


def _doctor_account(doctor: Professional) -> None:
    user = db.session.scalar(sa.select(User).where(User.professional_id == doctor.id))
    if user is None:
        user = User(role="professionnel", professional_id=doctor.id, login=doctor.rpps)
        db.session.add(user)
    if not (user.password_hash and verify_password(user.password_hash, PRO_PASSWORD)):
        user.password_hash = hash_password(PRO_PASSWORD)
    user.display_name = doctor.display_name
    user.email = "sophie.durand@example.org"
    user.email_verified_at = user.email_verified_at or utcnow()
    user.cgu_version = current_app.config["CGU_VERSION"]
    user.cgu_accepted_at = user.cgu_accepted_at or utcnow()
    token_hash = hashlib.sha256(DEMO_TOKEN.encode()).hexdigest()
    if db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == token_hash)) is None:
        db.session.add(
            ApiToken(
                professional_id=doctor.id,
                name="Logiciel de démonstration",
                token_hash=token_hash,
                prefix=DEMO_TOKEN[:8],
            )
        )


def _schedule(today: date) -> list[tuple[int, str, str, list[ActLine], bool]]:
    """(days ago, patient key, professional rpps, acts, tiers payant) over the last 12 months."""
    g = tariffs
    plan: list[tuple[int, str, str, list[ActLine], bool]] = []
    for days in (340, 250, 170, 95, 40, 12):
        on = today - timedelta(days=days)
        plan.append((days, "camille", "10101010105", [ActLine("G", g.act("G", on).tariff)], False))
    plan.append((300, "leo", "10101010105", [ActLine("G", Decimal("30.00"))], False))
    plan.append((200, "camille", "10101010204", [ActLine("CS", Decimal("50.00"))], False))
    for days in (330, 329, 327, 323, 320, 316):
        on = today - timedelta(days=days)
        kine = g.kine_base(Decimal("7.5"), on)
        plan.append((days, "camille", "10101010303", [ActLine("AMK", kine, base=kine)], False))
    plan.append(
        (
            240,
            "camille",
            "10101010402",
            [
                ActLine("PH7", Decimal("12.40"), quantity=2, base=Decimal("6.20")),
                ActLine("PH4", Decimal("4.90"), base=Decimal("4.90")),
            ],
            False,
        )
    )
    # Tiers payant at the pharmacy: franchises become a debt, recovered on the next refund.
    plan.append(
        (
            60,
            "camille",
            "10101010402",
            [ActLine("PH7", Decimal("8.60"), quantity=2, base=Decimal("4.30"))],
            True,
        )
    )
    plan.append((30, "camille", "10101010105", [ActLine("G", Decimal("30.00"))], False))
    plan.append((150, "louis", "10101010105", [ActLine("G", Decimal("30.00"))], False))
    plan.append(
        (
            45,
            "louis",
            "10101010402",
            [ActLine("PH7", Decimal("7.80"), quantity=1, base=Decimal("7.80"))],
            False,
        )
    )
    return plan


def load_care_demo(camille_nir: str, leo_nir: str, louis_nir: str) -> int:
    """Create what is missing; return how many claims this run added."""
    nantes = db.session.scalar(sa.select(Caisse).where(Caisse.key == "cpam-de-la-loire-atlantique"))
    pros = _professionals(nantes.id)
    _doctor_account(pros["10101010105"])
    db.session.commit()
    people = {
        key: db.session.scalar(sa.select(Person).where(Person.nir == nir))
        for key, nir in (("camille", camille_nir), ("leo", leo_nir), ("louis", louis_nir))
    }
    today = date.today()
    added = 0
    for index, (days, who, rpps, acts, tiers_payant) in enumerate(_schedule(today)):
        on = today - timedelta(days=days)
        submission = claims.submit(
            pros[rpps],
            people[who],
            on,
            acts,
            tiers_payant=tiers_payant,
            source="demo",
            idempotency_key=f"demo-{index:03d}",
            paid_on=on + timedelta(days=3),
        )
        added += int(submission.created)
    return added
