"""Employers: their sign-in by SIRET and the attestations de salaire they send, from the employer
space or from their payroll software through the API.

An employer signs in through a ``User`` of role "employeur" linked to its ``Employer``: the
password, the lockout, the sessions and the sign-in history are those of every account.

One attestation per employer, employee and arrêt: a second one for the same arrêt is refused
(``409``, with the receipt number of the first); a correction goes through the caisse. Each employer
of a person sends its own. The same ``Idempotency-Key`` with the same body gives back the first
answer; with another body it is refused (``422``), as for the feuilles de soins.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Final
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload, selectinload
from stdnum.fr import siret as stdnum_siret

from app.extensions import db
from app.models import Person, User
from app.models.base import utcnow
from app.models.sick_leave import Employer, SalaryAttestation, SalaryMonth
from app.rules import attestation_salaire as rules
from app.rules.nir import parse_nir
from app.security import hash_password, verify_password
from app.services import identity
from app.services.claims import find_patient
from app.services.sick_leave import attestation_received
from app.services.urls import path_for

PARIS: Final = ZoneInfo("Europe/Paris")
MAX_GROSS: Final = Decimal("100000")
CENT: Final = Decimal("0.01")
RECENT: Final = 10
UNKNOWN_PERSON: Final = "Aucun assuré ne correspond à ce numéro."
NOTIFICATION_TITLE: Final = "Attestation de salaire reçue"
# Pushed to a lock screen: no employer, no amount, no name.
NOTIFICATION_BODY: Final = (
    "Votre caisse a reçu une attestation de salaire : votre dossier d'indemnités journalières "
    "peut être traité."
)
LOGIN_MESSAGES_MAX: Final = 5


class AttestationRefused(Exception):
    """An attestation that cannot be accepted: ``status`` 422 (``fields`` says which and why), 403
    (another employer's SIRET) or 409 (already received: ``receipt_number`` of the first)."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 422,
        fields: dict[str, str] | None = None,
        receipt_number: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.fields = fields or {}
        self.receipt_number = receipt_number


@dataclass(frozen=True)
class Submission:
    attestation: SalaryAttestation
    created: bool  # False when an Idempotency-Key replayed an earlier submission


@dataclass
class _Checked:
    person: Person | None = None
    arret_start: date | None = None
    months: list[tuple[date, Decimal]] = field(default_factory=list)
    hours: int | None = None


def paris_today() -> date:
    return datetime.now(PARIS).date()


def parse_siret(text: Any) -> tuple[str | None, str | None]:
    """``(siret, None)`` for 14 digits (spaces tolerated) with a valid Luhn key, else
    ``(None, French message)``."""
    number = re.sub(r"\s", "", text) if isinstance(text, str) else ""
    if not number:
        return None, "Saisissez le numéro SIRET de l'entreprise (14 chiffres)."
    if not re.fullmatch(r"\d{14}", number):
        return None, "Le numéro SIRET comporte 14 chiffres."
    if not stdnum_siret.is_valid(number):
        return None, "Ce numéro SIRET n'est pas valide : vérifiez les 14 chiffres."
    return number, None


def find_account(siret: str | None) -> User | None:
    """The employer account of this SIRET, or None."""
    if not siret:
        return None
    return db.session.scalar(
        sa.select(User).join(Employer, User.employer_id == Employer.id).where(Employer.siret == siret)
    )


def authenticate(siret: str | None, password: str, ip: str | None) -> identity.LoginOutcome:
    """Check the password of the employer account of ``siret``, with the accounts' lockout (an
    unknown SIRET costs the same work and answers "bad")."""
    return identity.check_password(find_account(siret), password, ip)


def create_employer(siret: str, name: str, password: str, email: str | None = None) -> User:
    """Create or update an employer and its account (idempotent by SIRET), committed: demo and tests.

    The CGU are taken as accepted and the e-mail as verified so the account is ready to use."""
    employer = db.session.scalar(sa.select(Employer).where(Employer.siret == siret))
    if employer is None:
        employer = Employer(siret=siret, name=name)
        db.session.add(employer)
    employer.name = name
    employer.email = email
    db.session.flush()
    user = db.session.scalar(sa.select(User).where(User.employer_id == employer.id))
    if user is None:
        user = User(role="employeur", employer_id=employer.id, login=f"siret:{siret}")
        db.session.add(user)
    user.display_name = name
    user.email = email
    user.email_verified_at = user.email_verified_at or (utcnow() if email else None)
    user.cgu_version = current_app.config["CGU_VERSION"]
    user.cgu_accepted_at = user.cgu_accepted_at or utcnow()
    if not (user.password_hash and verify_password(user.password_hash, password)):
        user.password_hash = hash_password(password)
    db.session.commit()
    return user


def submit_attestation(
    employer: Employer,
    values: dict[str, Any],
    *,
    source: str,
    idempotency_key: str | None,
    payload_hash: str = "",
) -> Submission:
    """Check and store an attestation de salaire, tell the IJ processing and the assuré; commits.

    ``values`` has the API's names: ``nir``, ``date_debut_arret`` (a date or "AAAA-MM-JJ"),
    ``salaires`` (``[{"mois": "AAAA-MM", "brut": 2000.00}, …]``), ``heures_travaillees`` and
    ``siret``. Raises ``AttestationRefused``: 403 when ``siret`` is another employer's, 422 with a
    French message per faulty field, 409 when this employer already sent one for this employee and
    arrêt, 422 when the ``idempotency_key`` served for another body.
    """
    if idempotency_key:
        earlier = db.session.scalar(
            sa.select(SalaryAttestation)
            .options(selectinload(SalaryAttestation.months))
            .where(
                SalaryAttestation.employer_id == employer.id,
                SalaryAttestation.idempotency_key == idempotency_key,
            )
        )
        if earlier is not None:
            if payload_hash and earlier.request_hash and earlier.request_hash != payload_hash:
                raise AttestationRefused(
                    "Cette clé d'idempotence a déjà servi pour une autre attestation : utilisez une "
                    "nouvelle clé pour une nouvelle attestation."
                )
            return Submission(earlier, created=False)
    checked = _check(employer, values, paris_today())
    existing = db.session.scalar(
        sa.select(SalaryAttestation.receipt_number).where(
            SalaryAttestation.employer_id == employer.id,
            SalaryAttestation.person_id == checked.person.id,
            SalaryAttestation.arret_start == checked.arret_start,
        )
    )
    if existing is not None:
        raise AttestationRefused(
            f"Vous avez déjà transmis une attestation de salaire pour ce salarié et cet arrêt (numéro "
            f"de réception {existing}). Pour la corriger, contactez la caisse de votre salarié.",
            status=409,
            receipt_number=existing,
        )
    attestation = SalaryAttestation(
        employer_id=employer.id,
        person_id=checked.person.id,
        arret_start=checked.arret_start,
        hours_worked=checked.hours,
        # Unique until the id is known, just below.
        receipt_number=f"en-cours-{secrets.token_hex(5)}",
        source=source,
        idempotency_key=idempotency_key,
        request_hash=payload_hash,
        months=[SalaryMonth(month=month, gross=gross) for month, gross in checked.months],
    )
    db.session.add(attestation)
    db.session.flush()
    attestation.receipt_number = f"AS-{utcnow():%Y}-{attestation.id:06d}"
    db.session.flush()
    attestation_received(attestation)
    _announce(attestation)
    db.session.commit()
    return Submission(attestation, created=True)


def _check(employer: Employer, values: dict[str, Any], today: date) -> _Checked:
    """The checked values, or ``AttestationRefused`` (403 first, then 422 with every field)."""
    siret, siret_error = parse_siret(values.get("siret"))
    if siret is not None and siret != employer.siret:
        raise AttestationRefused(
            "Ce SIRET n'est pas celui de votre entreprise : vous ne pouvez transmettre des attestations "
            "de salaire que pour votre propre SIRET.",
            status=403,
        )
    errors: dict[str, str] = {}
    if siret_error:
        errors["siret"] = siret_error
    checked = _Checked()
    nir = parse_nir(str(values.get("nir") or ""))
    if not nir.ok:
        errors["nir"] = nir.error
    else:
        checked.person = find_patient(nir.value)
        if checked.person is None:
            errors["nir"] = UNKNOWN_PERSON
    checked.arret_start = _start(values.get("date_debut_arret"), today, errors)
    checked.months = _months(values.get("salaires"), checked.arret_start, errors)
    checked.hours = _hours(values.get("heures_travaillees"), errors)
    if errors:
        raise AttestationRefused("L'attestation de salaire comporte des erreurs.", fields=errors)
    return checked


def _start(value: Any, today: date, errors: dict[str, str]) -> date | None:
    if isinstance(value, date):
        start = value
    elif isinstance(value, str) and value.strip():
        try:
            start = date.fromisoformat(value.strip())
        except ValueError:
            errors["date_debut_arret"] = (
                f"« {value[:20]} » n'est pas une date valide : format AAAA-MM-JJ attendu."
            )
            return None
    else:
        errors["date_debut_arret"] = "Saisissez la date de début de l'arrêt de travail."
        return None
    problem = rules.start_problem(start, today)
    if problem:
        errors["date_debut_arret"] = problem
        return None
    return start


def _months(raw: Any, start: date | None, errors: dict[str, str]) -> list[tuple[date, Decimal]]:
    expected = rules.months_before(start) if start else None
    if not isinstance(raw, list) or len(raw) != rules.MONTHS_COVERED:
        errors["salaires"] = "Indiquez le salaire brut de chacun des 3 mois précédant le mois de l'arrêt."
        return []
    months: list[tuple[date, Decimal]] = []
    for index, item in enumerate(raw):
        prefix = f"salaires[{index}]"
        item = item if isinstance(item, dict) else {}
        month = _month(item.get("mois"))
        if month is None:
            errors[f"{prefix}.mois"] = "Indiquez le mois au format AAAA-MM, par exemple 2026-01."
        label = rules.month_label(month) if month else f"du mois n° {index + 1}"
        gross = parse_gross(item.get("brut"), label, f"{prefix}.brut", errors)
        if month is not None and gross is not None:
            months.append((month, gross))
    months.sort()
    if expected and len(months) == rules.MONTHS_COVERED and [m for m, _ in months] != expected:
        labels = ", ".join(rules.month_label(m) for m in expected)
        errors["salaires"] = (
            f"Les salaires attendus sont ceux de {labels} : les 3 mois civils précédant le mois de "
            "début de l'arrêt."
        )
    return months


def _month(value: Any) -> date | None:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}", value.strip()):
        return None
    year, month = (int(part) for part in value.strip().split("-"))
    return date(year, month, 1) if 1 <= month <= 12 and year >= 1900 else None


def parse_gross(value: Any, label: str, name: str, errors: dict[str, str]) -> Decimal | None:
    """A gross salary in euros, ≥ 0, to the cent, from a JSON number or a typed text ("2 000,50");
    else a French message in ``errors[name]`` and None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        errors[name] = f"Saisissez le salaire brut de {label}."
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        errors[name] = f"Le salaire brut de {label} doit être un montant en euros, par exemple 2000,00."
        return None
    text = re.sub(r"[\s\u00a0\u202f€]", "", str(value)).replace(",", ".")
    try:
        # Through str: a JSON float such as 2000.1 must become Decimal("2000.1"), not its binary value.
        amount = Decimal(text)
    except InvalidOperation:
        errors[name] = f"Le salaire brut de {label} doit être un montant en euros, par exemple 2000,00."
        return None
    if not amount.is_finite() or amount < 0:
        errors[name] = f"Le salaire brut de {label} doit être positif ou nul."
    elif amount != amount.quantize(CENT):
        errors[name] = f"Le salaire brut de {label} s'exprime au centime près (2 décimales au plus)."
    elif amount > MAX_GROSS:
        errors[name] = f"Le salaire brut de {label} ne peut pas dépasser 100 000,00 €."
    else:
        return amount.quantize(CENT)
    return None


def _hours(value: Any, errors: dict[str, str]) -> int | None:
    name = "heures_travaillees"
    if isinstance(value, str) and re.fullmatch(r"\s*\d+\s*", value):
        value = int(value)
    if value is None or value == "":
        errors[name] = "Saisissez le nombre d'heures travaillées sur les 3 mois."
    elif isinstance(value, bool) or not isinstance(value, int):
        errors[name] = "Le nombre d'heures travaillées est un nombre entier, par exemple 455."
    elif not 0 <= value <= rules.MAX_HOURS:
        errors[name] = f"Le nombre d'heures travaillées est compris entre 0 et {rules.MAX_HOURS}."
    else:
        return value
    return None


def _announce(attestation: SalaryAttestation) -> None:
    """In-app notification and push to the assuré's account, if they have one (caller commits)."""
    from app.services import notifications

    user = db.session.scalar(sa.select(User).where(User.person_id == attestation.person_id))
    if user is None:
        return
    notifications.notify(
        user,
        "attestation_salaire",
        NOTIFICATION_TITLE,
        NOTIFICATION_BODY,
        path_for("notifications.index"),
        tag="attestation_salaire",
    )


def login_messages(user: User, since: datetime | None) -> list[str]:
    """What to tell an assuré at sign-in: each attestation de salaire received since their previous
    sign-in ``since`` (so each message shows at one sign-in only), newest first."""
    if user.person_id is None:
        return []
    query = (
        sa.select(Employer.name)
        .join(SalaryAttestation, SalaryAttestation.employer_id == Employer.id)
        .where(SalaryAttestation.person_id == user.person_id)
        .order_by(SalaryAttestation.created_at.desc())
        .limit(LOGIN_MESSAGES_MAX)
    )
    if since is not None:
        query = query.where(SalaryAttestation.created_at > since)
    return [
        f"Votre caisse a reçu l'attestation de salaire de {name} : votre dossier d'indemnités "
        "journalières peut être traité."
        for name in db.session.scalars(query)
    ]


def recent_for(employer: Employer, limit: int = RECENT) -> list[SalaryAttestation]:
    """The employer's latest attestations with their employee and months (two queries)."""
    return list(
        db.session.scalars(
            sa.select(SalaryAttestation)
            .options(joinedload(SalaryAttestation.person), selectinload(SalaryAttestation.months))
            .where(SalaryAttestation.employer_id == employer.id)
            .order_by(SalaryAttestation.created_at.desc(), SalaryAttestation.id.desc())
            .limit(limit)
        )
    )


def attestation_of(employer: Employer, attestation_id: int) -> SalaryAttestation:
    """One of the employer's attestations; 404 for another employer's or an unknown one."""
    return db.first_or_404(
        sa.select(SalaryAttestation)
        .options(joinedload(SalaryAttestation.person), selectinload(SalaryAttestation.months))
        .where(SalaryAttestation.id == attestation_id, SalaryAttestation.employer_id == employer.id)
    )
