"""SQLAlchemy 2 typed models, one module per aggregate. Importing this package registers them all."""

from app.models.audit import AuditEvent
from app.models.caisse import Caisse
from app.models.care import ApiToken, Claim, ClaimLine, Debt, DebtRecovery, Payment, Professional
from app.models.identity import KnownDevice, Letter, OneTimeToken, Passkey, SignIn
from app.models.mail import OutgoingMail
from app.models.notification import (
    Notification,
    NotificationPreference,
    NotificationSettings,
    PushSubscription,
)
from app.models.register import Person
from app.models.user import User

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Caisse",
    "Claim",
    "ClaimLine",
    "Debt",
    "DebtRecovery",
    "KnownDevice",
    "Letter",
    "Notification",
    "NotificationPreference",
    "NotificationSettings",
    "OneTimeToken",
    "OutgoingMail",
    "Passkey",
    "Payment",
    "Person",
    "Professional",
    "PushSubscription",
    "SignIn",
    "User",
]
