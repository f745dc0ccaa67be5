"""A change of activity (``situation``): salarié, indépendant, demandeur d'emploi, étudiant,
retraité or sans activité, from a date, with the proof of it. On acceptance the file's activity
changes (``Person.activity``); the date stays in the démarche (the register keeps no history of
activities)."""

from __future__ import annotations

from datetime import date

from app.models import Demarche, User
from app.rules.situation import ACTIVITIES
from app.services.demarche_kinds import CannotAccept, KindHandler, payload_of, register


def _day(text: str) -> str:
    return date.fromisoformat(text).strftime("%d/%m/%Y")


class SituationHandler(KindHandler):
    def summary(self, demarche: Demarche) -> list[tuple[str, str]]:
        data = payload_of(demarche)
        lines = [("Nouvelle activité", ACTIVITIES.get(data.get("activite", ""), "non précisée"))]
        if data.get("depuis"):
            lines.append(("Depuis le", _day(data["depuis"])))
        if data.get("employeur"):
            lines.append(("Employeur ou entreprise", data["employeur"]))
        if data.get("siret"):
            lines.append(("SIRET", data["siret"]))
        return lines

    def on_accept(self, demarche: Demarche, agent: User) -> str:
        data = payload_of(demarche)
        activity = data.get("activite")
        if activity not in ACTIVITIES:
            raise CannotAccept("Cette demande ne précise pas d'activité connue : refusez-la en l'expliquant.")
        demarche.person.activity = activity
        since = f" depuis le {_day(data['depuis'])}" if data.get("depuis") else ""
        return f"Votre situation est enregistrée : {ACTIVITIES[activity].lower()}{since}."


register("situation", SituationHandler())
