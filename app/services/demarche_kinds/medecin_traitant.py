"""Déclaration de médecin traitant: confirmed (or declined) by the doctor in ``/pro``, never by an
agent (``app.services.medecin_traitant`` applies the confirmation)."""

from __future__ import annotations

from app.models import Demarche, User
from app.services.demarche_kinds import CannotAccept, KindHandler, payload_of, register


class MedecinTraitant(KindHandler):
    def summary(self, demarche: Demarche) -> list[tuple[str, str]]:
        payload = payload_of(demarche)
        by = (
            "le médecin, avec la signature du patient"
            if payload.get("declare_par") == "medecin"
            else "l'assuré(e)"
        )
        return [("Médecin traitant choisi", payload.get("medecin", "")), ("Déclaration faite par", by)]

    def on_accept(self, demarche: Demarche, agent: User) -> str:
        raise CannotAccept(
            "C'est le médecin qui confirme une déclaration de médecin traitant, dans son espace."
        )


register("medecin_traitant", MedecinTraitant())
