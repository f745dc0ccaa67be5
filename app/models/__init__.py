"""SQLAlchemy 2 typed models, one module per aggregate. Importing this package registers them all."""

from app.models.audit import AuditEvent
from app.models.caisse import Caisse
from app.models.identity import KnownDevice, Letter, OneTimeToken, Passkey, SignIn
from app.models.mail import OutgoingMail
from app.models.register import Person
from app.models.user import User

__all__ = [
    "AuditEvent",
    "Caisse",
    "KnownDevice",
    "Letter",
    "OneTimeToken",
    "OutgoingMail",
    "Passkey",
    "Person",
    "SignIn",
    "User",
]
