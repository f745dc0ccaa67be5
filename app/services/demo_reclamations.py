"""Demo réclamations paiements: Dr Durand contests a few of her demo rejected invoices, so that her
"Réclamations paiements" tabs and the queue of the patients' caisses have something in each state —
one waiting, one taken by an agent, one answered last week, one archived (answered a month ago).

Filed through the service (audit included), then dated back. Idempotent: nothing is added once any
réclamation exists.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import PaymentReclamation, ProfessionalPayment, User
from app.models.base import utcnow
from app.services import reclamations as service

DOCTOR_RPPS = "10101010105"
# (reason, message, days since filing, state, days since the answer)
PLAN = (
    (
        "rejet_conteste",
        "Bonjour, cette facture a été rejetée pour droits fermés, mais la patiente m'a présenté une "
        "attestation de droits valable à la date des soins. Pouvez-vous la reprendre ?",
        2,
        "deposee",
        None,
    ),
    (
        "paiement_non_recu",
        "Bonjour, cette facture transmise il y a trois semaines n'apparaît dans aucun paiement.",
        9,
        "en_cours",
        None,
    ),
    (
        "rejet_conteste",
        "Bonjour, le NIR de ce patient est pourtant celui de sa carte Vitale.",
        12,
        "traitee",
        6,
    ),
    (
        "montant_inexact",
        "Bonjour, le montant versé pour cette facture est inférieur à la part obligatoire attendue.",
        45,
        "rejetee",
        30,
    ),
)
ANSWERS = {
    "traitee": "Bonjour Docteur, la facture a été reprise : elle sera payée avec votre prochain lot.",
    "rejetee": (
        "Bonjour Docteur, le montant versé tient compte de la participation forfaitaire : il est exact."
    ),
}


def load_reclamations_demo() -> int:
    """Add Dr Durand's demo réclamations unless any exists; return how many were added."""
    if db.session.scalar(sa.select(PaymentReclamation.id).limit(1)) is not None:
        return 0
    doctor = db.session.scalar(sa.select(User).where(User.login == DOCTOR_RPPS, User.role == "professionnel"))
    if doctor is None or doctor.professional is None:
        return 0
    # Invoices of patients whose caisse has a demo agent (agent44, agent75), rejected ones first.
    agents = {
        agent.caisse_id: agent
        for agent in db.session.scalars(
            sa.select(User).where(User.role == "agent", User.caisse_id.is_not(None)).order_by(User.id.desc())
        )
    }
    candidates = db.session.scalars(
        sa.select(ProfessionalPayment)
        .where(
            ProfessionalPayment.professional_id == doctor.professional_id,
            ProfessionalPayment.beneficiary_id.is_not(None),
        )
        .order_by(ProfessionalPayment.status.desc(), ProfessionalPayment.paid_on.desc())
        .limit(500)
    ).all()
    rejected = [payment for payment in candidates if payment.beneficiary.caisse_id in agents][: len(PLAN)]
    now = utcnow()
    added = 0
    for payment, (reason, message, days, state, answered) in zip(rejected, PLAN, strict=False):
        patient = payment.beneficiary
        reclamation = service.file_reclamation(
            doctor,
            doctor.professional,
            patient.caisse_id,
            patient,
            payment.invoice_number,
            reason,
            message,
            [],
        )
        agent = agents.get(patient.caisse_id)
        if state != "deposee" and agent is not None:
            service.take(reclamation, agent)
            if state in ANSWERS:
                service.answer(reclamation, agent, ANSWERS[state], state)
                reclamation.processed_at = now - timedelta(days=answered)
        reclamation.created_at = now - timedelta(days=days)
        db.session.commit()
        added += 1
    return added
