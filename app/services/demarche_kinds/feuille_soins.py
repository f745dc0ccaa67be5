"""Feuille de soins papier: the assuré sends a photo or scan; an agent keys its acts, which the refund
engine liquidates like any claim (``app.services.feuille_soins``). Accepting without keying the
acts would decide nothing about the refund: it is refused."""

from __future__ import annotations

from decimal import Decimal

from app.models import Demarche, User
from app.rules.liquidation import format_euros
from app.services.demarche_kinds import CannotAccept, KindHandler, payload_of, register


class FeuilleSoins(KindHandler):
    def summary(self, demarche: Demarche) -> list[tuple[str, str]]:
        payload = payload_of(demarche)
        lines = [
            ("Date des soins", _french(payload.get("date_soins", ""))),
            ("Montant payé", format_euros(Decimal(payload.get("montant_paye", "0")))),
        ]
        if payload.get("professionnel"):
            lines.append(("Professionnel de santé", payload["professionnel"]))
        if "rembourse" in payload:
            lines.append(("Remboursé", format_euros(Decimal(payload["rembourse"]))))
        return lines

    def on_accept(self, demarche: Demarche, agent: User) -> str:
        raise CannotAccept(
            "Saisissez les actes de la feuille de soins : la démarche est acceptée quand ils sont remboursés."
        )


def _french(iso: str) -> str:
    year, _, rest = iso.partition("-")
    month, _, day = rest.partition("-")
    return f"{day}/{month}/{year}" if day else iso


register("feuille_soins", FeuilleSoins())
