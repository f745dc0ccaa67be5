"""Documents issued to an assuré (the attestation de droits), each with its verification code."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import one_of, utcnow
from app.rules.verification_code import grouped

DOCUMENT_KINDS = (
    "attestation_droits",
    "releve_ij",
    "attestation_paiement_ij",
    "attestation_fiscale_ij",
    "certificat_ceam",
)
KIND_LABELS = {
    "attestation_droits": "Attestation de droits à l'assurance maladie",
    "releve_ij": "Relevé d'indemnités journalières",
    "attestation_paiement_ij": "Attestation de paiement des indemnités journalières",
    "attestation_fiscale_ij": "Attestation fiscale des indemnités journalières",
    "certificat_ceam": "Certificat provisoire de remplacement de la CEAM",
}


class IssuedDocument(db.Model):
    """One issued document: the record that makes it verifiable at ``/verifier/<code>``.

    ``person_id`` is the holder (the assuré of the file); ``beneficiary_id`` is set when the
    document covers one beneficiary of the file only, empty when it covers the whole file.
    ``user_id`` is the account that asked for it. ``code`` is the compact verification code
    (``app.rules.verification_code``, 12 characters without separators). The PDF itself is not
    stored: it is rebuilt from this row and the register, and served only while its SHA-256 is
    still ``sha256`` (the file has not changed since the document was issued).
    """

    __tablename__ = "issued_document"
    __table_args__ = (
        sa.CheckConstraint(one_of("kind", DOCUMENT_KINDS), name="kind_known"),
        # "Mes documents" lists a holder's documents newest first; the reuse of today's
        # attestation looks up the holder's documents of the day.
        sa.Index("ix_issued_document_person_issued", "person_id", "issued_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(30))
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id", ondelete="CASCADE"))
    beneficiary_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    code: Mapped[str] = mapped_column(sa.String(12), unique=True)
    issued_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    valid_until: Mapped[date]
    sha256: Mapped[str] = mapped_column(sa.String(64))

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def grouped_code(self) -> str:
        """The code as printed and shown: ``7KQ2-MZ4D-XR9X``."""
        return grouped(self.code)

    def __repr__(self) -> str:
        return f"<IssuedDocument {self.id} {self.kind}>"
