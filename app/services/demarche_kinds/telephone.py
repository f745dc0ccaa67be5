"""A new telephone number (``telephone``): applied at once, without an agent.

The number only lets the caisse call the assuré back (no code is sent to it, nothing is paid on
it), and the assuré is already signed in: a check would add delay without protecting anything.
The change is still a démarche, so it is in the history and the audit log.
"""

from __future__ import annotations

from app.models import Demarche, User
from app.rules.situation import format_phone, phone_kind
from app.services.demarche_kinds import KindHandler, payload_of, register

KIND_NAMES = {"mobile": "mobile", "fixe": "fixe"}


class TelephoneHandler(KindHandler):
    def summary(self, demarche: Demarche) -> list[tuple[str, str]]:
        number = payload_of(demarche).get("telephone", "")
        return [("Nouveau numéro", f"{format_phone(number)} ({KIND_NAMES[phone_kind(number)]})")]

    def on_accept(self, demarche: Demarche, agent: User) -> str:
        number = payload_of(demarche)["telephone"]
        demarche.person.phone = number
        return f"Votre numéro de téléphone est désormais le {format_phone(number)}."


register("telephone", TelephoneHandler())
