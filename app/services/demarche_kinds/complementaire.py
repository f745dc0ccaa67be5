"""Declaring (or removing) the complémentaire santé of one beneficiary (``complementaire``).

The numéro AMC identifies the organisme complémentaire (mutuelle, assureur, institution de
prévoyance) in the annuaire inter-AMC used for télétransmission and tiers payant. Public sources
disagree on its length (8 digits in the télétransmission norm, 9 in consumer guides, up to 10 on
the carte Vitale): the form accepts 8 to 10 digits, spaces tolerated. On acceptance the
beneficiary's ``amc_name`` and ``amc_number`` are set (or cleared), and the attestation de droits
prints them.
"""

from __future__ import annotations

import re

from app.models import Demarche, User
from app.services.demarche_kinds import CannotAccept, KindHandler, payload_of, register
from app.services.documents import file_members

AMC_DIGITS = (8, 10)
_AMC = re.compile(r"^\d{8,10}$")
ACTIONS = {"declarer": "Déclarer ou changer la complémentaire", "retirer": "Retirer la complémentaire"}


def parse_amc_number(text: str | None) -> str | None:
    """The numéro AMC without spaces, dots or dashes, or None unless it is 8 to 10 digits."""
    compact = re.sub(r"[\s.\-]", "", text or "")
    return compact if _AMC.match(compact) else None


class Complementaire(KindHandler):
    def summary(self, demarche: Demarche) -> list[tuple[str, str]]:
        data = payload_of(demarche)
        if data["action"] == "retirer":
            return [("Demande", "Retirer la complémentaire santé enregistrée")]
        return [
            ("Demande", "Déclarer la complémentaire santé"),
            ("Organisme complémentaire", data["organisme"]),
            ("Numéro AMC", data["numero"]),
        ]

    def on_accept(self, demarche: Demarche, agent: User) -> str:
        data = payload_of(demarche)
        member = demarche.beneficiary
        if member is None or member not in file_members(demarche.person):
            raise CannotAccept("Ce bénéficiaire n'est plus rattaché au dossier de l'assuré(e).")
        if data["action"] == "retirer":
            member.amc_name, member.amc_number = "", ""
            return f"La complémentaire santé de {member.full_name} est retirée de votre dossier."
        member.amc_name, member.amc_number = data["organisme"], data["numero"]
        return (
            f"La complémentaire santé de {member.full_name} est enregistrée : {data['organisme']}, "
            f"numéro AMC {data['numero']}. Elle figure sur votre attestation de droits."
        )


register("complementaire", Complementaire())
