"""Changes of situation filed from "Mes démarches": a new address (and the caisse it belongs to),
a new bank account confirmed by an e-mail code, a new telephone number (applied at once) and a
new activity. What each change does once accepted is in ``app.services.demarche_kinds``.

The e-mail code of an IBAN change is a ``OneTimeToken`` of purpose ``demarche_code`` made and read
with the sign-in codes' helpers (``app.services.identity``): hashed, 15 minutes, 5 tries, the
démarche's id in its payload so a code confirms only the démarche it was sent for.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from app.models import Caisse, Demarche, Person, User
from app.models.base import utcnow
from app.rules import demarches as rules
from app.rules import territory
from app.rules.situation import ACTIVITIES
from app.services import caisses as caisses_service
from app.services import demarches as service
from app.services.accounts import audit
from app.services.demarche_kinds import handler_for
from app.services.identity import live_token, new_token, token_hash
from app.services.mail import queue_mail
from app.services.transactions import commit
from app.services.uploads import CheckedFile

CODE_PURPOSE = "demarche_code"
CODE_LIFETIME = timedelta(minutes=15)
CODE_TRIES = 5


class AlreadyOpen(Exception):
    """The file already has an open démarche of this kind: it must be finished or withdrawn first."""

    def __init__(self, demarche: Demarche) -> None:
        super().__init__(f"Démarche {demarche.id} ouverte")
        self.demarche = demarche


def open_change(person: Person, *kinds: str) -> Demarche | None:
    """The file's oldest open démarche of one of ``kinds``, if any."""
    for kind in kinds:
        found = service.open_demarches_of(person, kind)
        if found:
            return found[0]
    return None


# ---- address ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AddressTarget:
    """Where a postal code leads: the communes to choose from, the one chosen, its caisse (a
    database row) and whether the file would move to it; or a French error."""

    postal_code: str
    choices: tuple[territory.Choice, ...] = ()
    commune: territory.Commune | None = None
    caisse: Caisse | None = None
    moves: bool = False
    error: str | None = None


def address_target(
    typed_postal_code: str, commune_insee: str | None, current_caisse_id: int
) -> AddressTarget:
    """Resolve the new address's postal code (and the commune picked when it serves several)."""
    resolution = territory.resolve_postal_code(typed_postal_code or "")
    if resolution.error:
        return AddressTarget(resolution.postal_code, error=resolution.error)
    chosen = (
        resolution.choices[0]
        if len(resolution.choices) == 1
        else next((c for c in resolution.choices if c.commune.insee == commune_insee), None)
    )
    if chosen is None:
        return AddressTarget(resolution.postal_code, resolution.choices)
    caisse = caisses_service.caisse_for(chosen.commune)
    if caisse is None:
        return AddressTarget(
            resolution.postal_code,
            resolution.choices,
            chosen.commune,
            error="La caisse de cette commune n'est pas encore connue du portail : appelez le 36 46.",
        )
    return AddressTarget(
        resolution.postal_code, resolution.choices, chosen.commune, caisse, caisse.id != current_caisse_id
    )


def file_address_change(
    user: User, line: str, complement: str, target: AddressTarget, moved_on: date
) -> Demarche:
    """File the new address for the current caisse to check; commits. ``AlreadyOpen`` while an
    address change or a transfer of the file is open."""
    person = user.person
    pending = open_change(person, "adresse", "transfert")
    if pending is not None:
        raise AlreadyOpen(pending)
    if target.commune is None or target.caisse is None:
        raise ValueError("address not resolved")
    demarche = service.file_demarche(
        user,
        "adresse",
        payload={
            "adresse": line.strip(),
            "complement": complement.strip(),
            "code_postal": target.postal_code,
            "commune_insee": target.commune.insee,
            "commune": target.commune.name,
            "date": moved_on.isoformat(),
            "transfert": target.moves,
            "caisse_id": target.caisse.id,
            "caisse_nom": target.caisse.name,
        },
    )
    commit()
    return demarche


# ---- bank account -----------------------------------------------------------------------------


def can_receive_code(user: User) -> bool:
    """Whether the account has a verified e-mail to send a confirmation code to."""
    return bool(user.email and user.email_verified_at)


def file_iban_change(
    user: User, iban: str, holder: str, files: list[tuple[str, CheckedFile]], ip: str | None
) -> Demarche:
    """File the new IBAN (already checked) waiting for the e-mail code, and send the code; commits.
    ``AlreadyOpen`` while another change of bank account is open; ``ValueError`` without a
    verified e-mail."""
    if not can_receive_code(user):
        raise ValueError("no verified e-mail")
    person = user.person
    pending = open_change(person, "iban")
    if pending is not None:
        raise AlreadyOpen(pending)
    demarche = service.file_demarche(
        user,
        "iban",
        payload={"iban": iban, "iban_fin": iban[-4:], "pays": iban[:2], "titulaire": holder.strip()},
        files=files,
        status="attente_confirmation",
        message="Un code de confirmation vous est envoyé par e-mail.",
    )
    _send_code(user, demarche, ip)
    commit()
    return demarche


def _send_code(user: User, demarche: Demarche, ip: str | None) -> None:
    code = f"{secrets.randbelow(1_000_000):06d}"
    minutes = int(CODE_LIFETIME.total_seconds() // 60)
    new_token(user, CODE_PURPOSE, code, CODE_LIFETIME, payload=str(demarche.id))
    last4 = service.payload(demarche).get("iban_fin", "")
    queue_mail(
        user.email,
        f"Code de confirmation de votre démarche : {code}",
        "Pour confirmer votre changement de coordonnées bancaires (compte se terminant par "
        f"{last4}), saisissez le code {code} sur macaisse. Il est valable {minutes} minutes."
        "\n\nNe le communiquez à personne : votre caisse ne vous le demandera jamais."
        "\n\nSi vous n'avez rien demandé, changez votre mot de passe et appelez le 36 46 : "
        "quelqu'un a peut-être accédé à votre compte.",
        "demarche_code",
        user.id,
    )
    audit("demarche_code_sent", actor=user, subject=user.person, ip=ip, detail=f"démarche n° {demarche.id}")


def waiting_iban(person: Person, demarche_id: int) -> Demarche | None:
    """The file's IBAN démarche ``demarche_id`` (any status), or None."""
    demarche = service.demarche_of(person, demarche_id)
    return demarche if demarche is not None and demarche.kind == "iban" else None


def resend_code(user: User, demarche_id: int, ip: str | None) -> Demarche | None:
    """A new code for the IBAN démarche waiting for one (the previous code dies); commits. None
    outside the file; ``DemarcheClosed`` unless it is waiting for its code."""
    demarche = waiting_iban(user.person, demarche_id)
    if demarche is None:
        return None
    if demarche.status != "attente_confirmation" or not can_receive_code(user):
        raise service.DemarcheClosed(demarche)
    _send_code(user, demarche, ip)
    commit()
    return demarche


def confirm_code(user: User, demarche_id: int, typed: str, ip: str | None) -> str | None:
    """Check the code typed for the IBAN démarche: "ok" (it goes to the agent's check,
    ``deposee``), "bad" (try again) or "dead" (expired, 5 wrong tries, or a code of another
    démarche: ask for a new one); commits. None outside the file; ``DemarcheClosed`` unless the
    démarche waits for its code."""
    demarche = waiting_iban(user.person, demarche_id)
    if demarche is None:
        return None
    if demarche.status != "attente_confirmation":
        raise service.DemarcheClosed(demarche)
    token = live_token(user, CODE_PURPOSE)
    if token is None or token.payload != str(demarche.id):
        return "dead"
    code = "".join(char for char in typed or "" if char.isdigit())
    if hmac.compare_digest(token.token_hash, token_hash(code)):
        token.used_at = utcnow()
        demarche.due_on = rules.due_date(demarche.kind, service.today())
        service.record_event(
            demarche,
            "confirmation",
            user,
            status="deposee",
            message="Code de confirmation saisi : votre caisse vérifie la demande.",
        )
        audit(
            "demarche_code_confirmed",
            actor=user,
            subject=user.person,
            ip=ip,
            detail=f"démarche n° {demarche.id}",
        )
        commit()
        return "ok"
    token.attempts += 1
    audit("demarche_code_failed", actor=user, subject=user.person, ip=ip, detail=f"démarche n° {demarche.id}")
    if token.attempts >= CODE_TRIES:
        token.used_at = utcnow()
        commit()
        return "dead"
    commit()
    return "bad"


# ---- telephone and activity -------------------------------------------------------------------


def change_phone(user: User, number: str) -> Demarche:
    """Record the new number (already checked) at once: the démarche is filed and accepted in one
    go, the decision lands in "Mes courriers"; commits."""
    demarche = service.file_demarche(user, "telephone", payload={"telephone": number}, notify=False)
    text = handler_for("telephone").on_accept(demarche, user)
    service.decided(demarche, user, accepted=True, text=text)
    commit()
    return demarche


def file_activity_change(
    user: User,
    activity: str,
    since: date,
    employer: str,
    siret: str,
    files: list[tuple[str, CheckedFile]],
) -> Demarche:
    """File the new activity with its proof for the caisse to check; commits. ``AlreadyOpen``
    while another change of activity is open."""
    if activity not in ACTIVITIES:
        raise KeyError(activity)
    pending = open_change(user.person, "situation")
    if pending is not None:
        raise AlreadyOpen(pending)
    demarche = service.file_demarche(
        user,
        "situation",
        payload={
            "activite": activity,
            "depuis": since.isoformat(),
            "employeur": employer.strip(),
            "siret": siret,
        },
        files=files,
    )
    commit()
    return demarche
