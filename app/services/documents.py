"""Mes documents: issue the attestation de droits, rebuild it for download, and verify a code.

Issuing writes an ``IssuedDocument`` row (verification code, issue time, validity, SHA-256 of the
PDF) and stores no PDF: a download rebuilds it from the row and the register, byte for byte the
same while the file is unchanged, and is refused (``DocumentChanged``) once it no longer matches
the recorded hash — the assuré then asks for a new attestation, which is what an attestation
"as of a date" calls for. No health data sits in a second copy, and every PDF served is exactly
the document the code verifies.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from app.documents.attestation import Attestation, Beneficiary, attestation_de_droits
from app.documents.ceam import CertificatProvisoire, certificat_provisoire
from app.extensions import db
from app.models import IssuedDocument, Person, User
from app.models.base import utcnow
from app.models.register import LIENS
from app.rules import attestation as attestation_rules
from app.rules import ceam as ceam_rules
from app.rules import verification_code
from app.services import annuaire as annuaire_service
from app.services.letters import initials
from app.services.transactions import commit
from app.services.urls import site_url

PARIS = ZoneInfo("Europe/Paris")
ATTESTATION = "attestation_droits"
CERTIFICAT_CEAM = "certificat_ceam"
# The kinds ``document_pdf`` can rebuild. An IJ document does not record the period, arrêt or year
# it covers: "Mes arrêts de travail" issues a new one instead.
REBUILT_KINDS = frozenset({ATTESTATION, CERTIFICAT_CEAM})
# "Mes documents" lists this many of the latest documents.
LISTED = 50


class NotInFile(ValueError):
    """The beneficiary asked for is not the assuré nor one of their ayants droit."""


class DocumentChanged(Exception):
    """The file has changed since the document was issued: rebuilt, it would not be that document."""


@dataclass(frozen=True)
class Verified:
    """What ``/verifier/<code>`` may say about a genuine document, and nothing more."""

    kind_label: str
    issued_on: date
    initials: str


def paris_day(moment: datetime) -> date:
    """The date in Paris of a stored time (SQLite gives naive times back; they are UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(PARIS).date()


def file_members(person: Person, on: date | None = None) -> list[Person]:
    """The assuré then their ayants droit, in rang order: who an attestation may list. A child
    attached to both parents (``second_ouvrant_droit_id``) is in both files; a member whose rights
    through the file ended before ``on`` (default today) was removed from it and is not listed."""
    day = on or datetime.now(PARIS).date()
    second = db.session.scalars(sa.select(Person).where(Person.second_ouvrant_droit_id == person.id)).all()
    members = sorted({*person.ayants_droit, *second}, key=lambda member: (member.rang, member.id))
    return [person, *(member for member in members if member.rights_end is None or member.rights_end >= day)]


def beneficiary_in_file(person: Person, beneficiary_id: int | None) -> Person | None:
    """The member of ``person``'s file with this id (None for the whole file). Raises ``NotInFile``
    for any other id."""
    if beneficiary_id is None:
        return None
    for member in file_members(person):
        if member.id == beneficiary_id:
            return member
    raise NotInFile(beneficiary_id)


def _listed(holder: Person, document: IssuedDocument) -> list[Person]:
    members = file_members(holder, paris_day(document.issued_at))
    if document.beneficiary_id is None:
        return members
    return [member for member in members if member.id == document.beneficiary_id]


def _beneficiary(person: Person, doctors: dict[str, str | None]) -> Beneficiary:
    return Beneficiary(
        full_name=person.full_name,
        nir=person.nir,
        birth_date=person.birth_date,
        rang=person.rang,
        qualite=LIENS.get(person.lien, person.lien),
        rights_start=person.rights_start,
        rights_end=person.rights_end,
        medecin_traitant=bool(person.medecin_traitant_rpps),
        medecin_traitant_name=doctors.get(person.medecin_traitant_rpps or ""),
        medecin_traitant_since=person.medecin_traitant_since,
        ald_start=person.ald_start,
        ald_end=person.ald_end,
        c2s_start=person.c2s_start,
        c2s_end=person.c2s_end,
        c2s_participation=person.c2s_participation,
        amc_name=person.amc_name,
        amc_number=person.amc_number,
    )


def _doctor_names(people: list[Person]) -> dict[str, str | None]:
    names: dict[str, str | None] = {}
    for rpps in sorted({p.medecin_traitant_rpps for p in people if p.medecin_traitant_rpps}):
        found = annuaire_service.practitioner_by_rpps(rpps)
        names[rpps] = found.display_name if found else None
    return names


def _attestation(holder: Person, document: IssuedDocument) -> Attestation:
    listed = _listed(holder, document)
    if not listed:
        raise DocumentChanged(document.id)
    doctors = _doctor_names(listed)
    caisse = holder.caisse
    return Attestation(
        caisse_name=caisse.name,
        caisse_postal_address=caisse.postal_address,
        code_organisme=caisse.code_organisme,
        assure=_beneficiary(holder, doctors),
        beneficiaries=tuple(_beneficiary(person, doctors) for person in listed),
        whole_file=document.beneficiary_id is None,
        issued_on=paris_day(document.issued_at),
        valid_until=document.valid_until,
        code=document.code,
        verification_url=site_url("verification.check", code=verification_code.grouped(document.code)),
    )


def _sha256(pdf: bytes) -> str:
    return hashlib.sha256(pdf).hexdigest()


def _new_code() -> str:
    while True:
        code = verification_code.generate()
        if db.session.scalar(sa.select(IssuedDocument.id).where(IssuedDocument.code == code)) is None:
            return code


def _issue(user: User, beneficiary_id: int | None) -> tuple[IssuedDocument, bytes]:
    holder = user.person
    beneficiary_in_file(holder, beneficiary_id)
    document = IssuedDocument(
        kind=ATTESTATION,
        person_id=holder.id,
        beneficiary_id=beneficiary_id,
        user_id=user.id,
        code=_new_code(),
        issued_at=utcnow(),
    )
    listed = _listed(holder, document)
    document.valid_until = attestation_rules.valid_until(
        paris_day(document.issued_at),
        [person.rights_end for person in listed],
        current_app.config["ATTESTATION_VALID_DAYS"],
    )
    pdf = attestation_de_droits(_attestation(holder, document))
    document.sha256 = _sha256(pdf)
    db.session.add(document)
    commit()
    return document, pdf


def issue_attestation(user: User, beneficiary_id: int | None = None) -> IssuedDocument:
    """Issue a new attestation de droits of ``user``'s file (or of one beneficiary of it). Raises
    ``NotInFile`` when ``beneficiary_id`` is not of the file."""
    return _issue(user, beneficiary_id)[0]


def _certificat_ceam(holder: Person, document: IssuedDocument) -> CertificatProvisoire:
    member = next(
        (m for m in file_members(holder, paris_day(document.issued_at)) if m.id == document.beneficiary_id),
        None,
    )
    if member is None:
        raise DocumentChanged(document.id)
    issued_on = paris_day(document.issued_at)
    return CertificatProvisoire(
        caisse_name=holder.caisse.name,
        caisse_postal_address=holder.caisse.postal_address,
        code_organisme=holder.caisse.code_organisme,
        last_name=member.last_name,
        first_names=member.first_name,
        birth_date=member.birth_date,
        nir=member.nir or holder.nir or "",
        card_number=ceam_rules.card_number(document.id, certificat=True),
        valid_from=issued_on,
        valid_until=document.valid_until,
        issued_on=issued_on,
        code=document.code,
        verification_url=site_url("verification.check", code=verification_code.grouped(document.code)),
    )


def issue_certificat_ceam(user: User, member: Person) -> IssuedDocument:
    """Issue a certificat provisoire de remplacement of the CEAM for ``member`` of ``user``'s file,
    valid 3 months from today; no commit (the CEAM démarche is filed in the same transaction).
    Raises ``NotInFile`` when ``member`` is not of the file."""
    holder = user.person
    beneficiary_in_file(holder, member.id)
    issued_at = utcnow()
    document = IssuedDocument(
        kind=CERTIFICAT_CEAM,
        person_id=holder.id,
        beneficiary_id=member.id,
        user_id=user.id,
        code=_new_code(),
        issued_at=issued_at,
        valid_until=ceam_rules.certificat_valid_until(paris_day(issued_at)),
        sha256="",
    )
    db.session.add(document)
    db.session.flush()  # the certificate's number is made from the row's id
    document.sha256 = _sha256(certificat_provisoire(_certificat_ceam(holder, document)))
    return document


def _pdf(holder: Person, document: IssuedDocument) -> bytes:
    if document.kind == CERTIFICAT_CEAM:
        return certificat_provisoire(_certificat_ceam(holder, document))
    return attestation_de_droits(_attestation(holder, document))


def document_pdf(document: IssuedDocument) -> bytes:
    """The PDF of an issued document, rebuilt. Raises ``DocumentChanged`` when the file has changed
    since it was issued (the rebuilt bytes no longer have the recorded hash), ``ValueError`` for a
    kind outside ``REBUILT_KINDS``."""
    if document.kind not in REBUILT_KINDS:
        raise ValueError(f"{document.kind} documents are not rebuilt")
    holder = db.session.get(Person, document.person_id)
    pdf = _pdf(holder, document)
    if _sha256(pdf) != document.sha256:
        raise DocumentChanged(document.id)
    return pdf


def current_attestation(user: User) -> tuple[IssuedDocument, bytes]:
    """The attestation of the whole file as of today: the one issued today if it still matches the
    file, else a new one. At most one row a day while the file does not change, so a stable GET
    address (kept offline by the service worker) can serve it."""
    holder = user.person
    start = datetime.combine(datetime.now(PARIS).date(), time(0), PARIS).astimezone(UTC)
    todays = db.session.scalar(
        sa.select(IssuedDocument)
        .where(
            IssuedDocument.person_id == holder.id,
            IssuedDocument.kind == ATTESTATION,
            IssuedDocument.beneficiary_id.is_(None),
            IssuedDocument.issued_at >= start,
            IssuedDocument.issued_at < start + timedelta(days=1),
        )
        .order_by(IssuedDocument.issued_at.desc(), IssuedDocument.id.desc())
        .limit(1)
    )
    if todays is not None:
        try:
            return todays, document_pdf(todays)
        except DocumentChanged:
            pass
    return _issue(user, None)


def document_of(person: Person, document_id: int) -> IssuedDocument | None:
    """The document ``document_id`` if ``person`` holds it, else None (another file's document is
    as unknown as a missing one)."""
    return db.session.scalar(
        sa.select(IssuedDocument).where(
            IssuedDocument.id == document_id, IssuedDocument.person_id == person.id
        )
    )


def documents_of(person: Person) -> list[IssuedDocument]:
    """The latest documents ``person`` holds, newest first, in one query."""
    return list(
        db.session.scalars(
            sa.select(IssuedDocument)
            .where(IssuedDocument.person_id == person.id)
            .order_by(IssuedDocument.issued_at.desc(), IssuedDocument.id.desc())
            .limit(LISTED)
        )
    )


def verify(text: str) -> Verified | None:
    """What may be said of the document whose code is typed in ``text``, or None when the code is
    malformed (refused by its check character, without a lookup) or unknown.

    The initials are those of the person the document is about: the beneficiary of a document for
    one beneficiary, the assuré of a document for the whole file.
    """
    code = verification_code.parse(text)
    if code is None:
        return None
    document = db.session.scalar(sa.select(IssuedDocument).where(IssuedDocument.code == code))
    if document is None:
        return None
    subject = db.session.get(Person, document.beneficiary_id or document.person_id)
    return Verified(
        kind_label=document.kind_label,
        issued_on=paris_day(document.issued_at),
        initials=initials(subject),
    )
