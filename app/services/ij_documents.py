"""The IJ documents with a verification code: relevé d'indemnités journalières of a period,
attestation de paiement des IJ of an arrêt, attestation fiscale of the IJ of a calendar year.

Issuing one records an ``IssuedDocument`` (code, issue time, SHA-256 of the PDF), so that
``/verifier/<code>`` confirms it, and returns the PDF at once.
"""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

from app.documents.ij import IjArretFacts, IjDocument, IjLine, ij_document
from app.extensions import db
from app.models import IssuedDocument, User
from app.models.base import utcnow
from app.models.sick_leave import Arret, IjPeriod
from app.rules import verification_code
from app.rules.liquidation import format_euros
from app.services import sick_leave
from app.services.documents import _new_code, paris_day
from app.services.transactions import commit
from app.services.urls import site_url

RELEVE = "releve_ij"
ATTESTATION_PAIEMENT = "attestation_paiement_ij"
ATTESTATION_FISCALE = "attestation_fiscale_ij"


def _facts(arrets: list[Arret]) -> tuple[IjArretFacts, ...]:
    return tuple(
        IjArretFacts(
            reference=a.reference,
            start=a.start_date,
            end=sick_leave.episode_end(a),
            sjb=a.sjb,
            daily_amount=a.daily_amount,
            carence_days=a.carence_days,
        )
        for a in arrets
    )


def _lines(periods: list[IjPeriod]) -> tuple[IjLine, ...]:
    return tuple(
        IjLine(
            paid_on=p.payment.paid_on,
            period_start=p.period_start,
            period_end=p.period_end,
            days=p.days,
            daily_amount=p.daily_amount,
            gross=p.gross,
            recovered=p.payment.recovered,
            amount=p.payment.amount,
        )
        for p in periods
    )


def _issue(
    user: User, kind: str, title: str, scope: str, arrets: list[Arret], periods: list[IjPeriod], closing: str
):
    person = user.person
    document = IssuedDocument(
        kind=kind, person_id=person.id, user_id=user.id, code=_new_code(), issued_at=utcnow()
    )
    issued_on = paris_day(document.issued_at)
    document.valid_until = issued_on
    pdf = ij_document(
        IjDocument(
            title=title,
            scope=scope,
            caisse_name=person.caisse.name,
            caisse_postal_address=person.caisse.postal_address,
            full_name=person.full_name,
            nir=person.nir,
            arrets=_facts(arrets),
            lines=_lines(periods),
            issued_on=issued_on,
            code=document.code,
            verification_url=site_url("verification.check", code=verification_code.grouped(document.code)),
            closing=closing,
        )
    )
    document.sha256 = hashlib.sha256(pdf).hexdigest()
    db.session.add(document)
    commit()
    return document, pdf


def _arrets_of(periods: list[IjPeriod]) -> list[Arret]:
    seen: dict[int, Arret] = {}
    for period in periods:
        seen.setdefault(period.arret_id, period.arret)
    return list(seen.values())


def releve(user: User, start: date, end: date) -> tuple[IssuedDocument, bytes]:
    """The relevé of the IJ paid from ``start`` to ``end`` (payment dates)."""
    periods = sick_leave.ij_periods_of(user.person, start, end)
    return _issue(
        user,
        RELEVE,
        "Relevé d'indemnités journalières",
        f"Paiements du {start:%d/%m/%Y} au {end:%d/%m/%Y}",
        _arrets_of(periods),
        periods,
        "Relevé établi d'après les paiements connus de votre caisse à sa date d'émission.",
    )


def attestation_paiement(user: User, episode: sick_leave.Episode) -> tuple[IssuedDocument, bytes]:
    """The attestation of the IJ paid for one arrêt (with its prolongations)."""
    initial = episode.initial
    return _issue(
        user,
        ATTESTATION_PAIEMENT,
        "Attestation de paiement des indemnités journalières",
        f"Arrêt de travail du {initial.start_date:%d/%m/%Y} au {episode.end:%d/%m/%Y}",
        [initial],
        episode.periods,
        "La caisse atteste avoir versé les indemnités journalières ci-dessus au titre de cet arrêt.",
    )


def attestation_fiscale(user: User, year: int) -> tuple[IssuedDocument, bytes]:
    """The IJ received in ``year`` (gross), to declare to the tax administration."""
    periods = sick_leave.ij_periods_of(user.person, date(year, 1, 1), date(year, 12, 31))
    gross = sum((p.gross for p in periods), Decimal("0.00"))
    return _issue(
        user,
        ATTESTATION_FISCALE,
        "Attestation fiscale des indemnités journalières",
        f"Indemnités journalières reçues en {year}",
        _arrets_of(periods),
        periods,
        f"Montant brut des indemnités journalières maladie perçues en {year} : "
        f"{format_euros(gross)}. Le montant imposable à déclarer figure aussi sur votre "
        "déclaration de revenus préremplie.",
    )
