"""Divorce or separation: keeping the ex-spouse's rights (``divorce``).

When a conjoint ayant droit's rights through the file end within ``ALERT_DAYS`` days, "Mon compte"
and "Mes démarches" show an alert with a pre-filled message to the caisse (editable), asking how the
ex-spouse can keep rights; the assuré may also write it after declaring a divorce themselves. The
agent answers by asking the documents to send (a ready list is offered in the back office);
accepting changes nothing in the register: the ex-spouse's own file is opened by the caisse.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import Demarche, Person
from app.models.base import utcnow
from app.models.demarches import OPEN_STATUSES
from app.services.demarche_kinds import KindHandler, payload_of, register
from app.services.documents import paris_day

ALERT_DAYS = 90
# The messagerie's motif of the pre-filled message.
MESSAGE_MOTIF = "changement-de-situation"
MESSAGE_MAX = 2000


def today() -> date:
    return paris_day(utcnow())


@dataclass(frozen=True)
class Alert:
    """A conjoint of the file whose rights end on ``ends_on``; ``open_demarche_id`` is the message
    already sent about it, if one is still open."""

    conjoint: Person
    ends_on: date
    open_demarche_id: int | None


def conjoints_of(holder: Person) -> list[Person]:
    """The file's conjoints whose rights have not ended yet."""
    day = today()
    return [
        member
        for member in holder.ayants_droit
        if member.lien == "conjoint" and (member.rights_end is None or member.rights_end >= day)
    ]


def alerts_for(holder: Person) -> list[Alert]:
    """The conjoints whose rights end within ``ALERT_DAYS`` days (two queries at most)."""
    day = today()
    ending = [
        member
        for member in conjoints_of(holder)
        if member.rights_end is not None and member.rights_end <= day + timedelta(days=ALERT_DAYS)
    ]
    if not ending:
        return []
    open_ones = dict(
        db.session.execute(
            sa.select(Demarche.beneficiary_id, sa.func.max(Demarche.id))
            .where(
                Demarche.person_id == holder.id,
                Demarche.kind == "divorce",
                Demarche.status.in_(OPEN_STATUSES),
                Demarche.beneficiary_id.in_([member.id for member in ending]),
            )
            .group_by(Demarche.beneficiary_id)
        ).all()
    )
    return [Alert(member, member.rights_end, open_ones.get(member.id)) for member in ending]


def written_since(holder: Person, ends_on: date) -> bool:
    """Whether the assuré wrote to the caisse about a change of situation since the alert about a
    right ending on ``ends_on`` appeared (the caisse then follows it up in that thread)."""
    from app.models import MessageThread

    since = ends_on - timedelta(days=ALERT_DAYS)
    return (
        db.session.scalar(
            sa.select(MessageThread.id)
            .where(
                MessageThread.person_id == holder.id,
                MessageThread.motif == MESSAGE_MOTIF,
                MessageThread.created_at >= datetime.combine(since, time.min, tzinfo=UTC),
            )
            .limit(1)
        )
        is not None
    )


def prefilled_message(holder: Person, conjoint: Person | None) -> str:
    """The message offered to the assuré, to edit before sending."""
    if conjoint is not None and conjoint.rights_end is not None:
        about = (
            f"Les droits de {conjoint.full_name}, rattaché(e) à mon dossier comme conjoint(e), "
            f"prennent fin le {conjoint.rights_end:%d/%m/%Y}."
        )
    elif conjoint is not None:
        about = f"{conjoint.full_name} est rattaché(e) à mon dossier comme conjoint(e)."
    else:
        about = "Je vous informe de mon divorce (ou de ma séparation)."
    return (
        f"Bonjour,\n\n{about} Nous sommes divorcés ou séparés. Je souhaite savoir comment mon "
        "ex-conjoint(e) peut conserver ses droits à l'assurance maladie, et quels documents vous "
        f"envoyer.\n\nMerci.\n{holder.first_name} {holder.last_name.upper()}"
    )


class Divorce(KindHandler):
    def summary(self, demarche: Demarche) -> list[tuple[str, str]]:
        data = payload_of(demarche)
        lines = []
        if data.get("fin_droits"):
            lines.append(
                ("Fin des droits de l'ex-conjoint(e)", f"{date.fromisoformat(data['fin_droits']):%d/%m/%Y}")
            )
        lines.append(("Message", data["message"]))
        return lines


register("divorce", Divorce())
