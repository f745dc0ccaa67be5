"""SQLAlchemy 2 typed models, one module per aggregate. Importing this package registers them all."""

from app.models.alerts import AlertDismissal
from app.models.annuaire import (
    AnnuaireActivity,
    AnnuairePractitioner,
    AnnuaireStructure,
    AnnuaireTariff,
    is_full_text_object,
)
from app.models.audit import AuditEvent
from app.models.caisse import Caisse, CaisseMotif
from app.models.care import ApiToken, Claim, ClaimLine, Debt, DebtRecovery, Payment, Professional
from app.models.demarches import Demarche, DemarcheEvent, DemarcheFile, HealthCard, InboxItem
from app.models.documents import IssuedDocument
from app.models.forum import (
    ForumEdit,
    ForumModeration,
    ForumPost,
    ForumReport,
    ForumThread,
    ForumVote,
)
from app.models.identity import KnownDevice, Letter, OneTimeToken, Passkey, SignIn
from app.models.mail import OutgoingMail
from app.models.messages import Message, MessageAttachment, MessageThread, ReplyTemplate
from app.models.notification import (
    Notification,
    NotificationPreference,
    NotificationSettings,
    PushSubscription,
)
from app.models.orders import FormOrder
from app.models.pro_space import (
    HistoryConsent,
    PaymentReclamation,
    ProfessionalPayment,
    ReclamationFile,
)
from app.models.register import Person
from app.models.sick_leave import (
    Arret,
    Employer,
    EmployerToken,
    IjPeriod,
    SalaryAttestation,
    SalaryMonth,
)
from app.models.user import User

__all__ = [
    "AlertDismissal",
    "AnnuaireActivity",
    "AnnuairePractitioner",
    "AnnuaireStructure",
    "AnnuaireTariff",
    "ApiToken",
    "Arret",
    "AuditEvent",
    "Caisse",
    "CaisseMotif",
    "Claim",
    "ClaimLine",
    "Debt",
    "DebtRecovery",
    "Demarche",
    "DemarcheEvent",
    "DemarcheFile",
    "Employer",
    "EmployerToken",
    "FormOrder",
    "ForumEdit",
    "ForumModeration",
    "ForumPost",
    "ForumReport",
    "ForumThread",
    "ForumVote",
    "HealthCard",
    "HistoryConsent",
    "IjPeriod",
    "InboxItem",
    "IssuedDocument",
    "KnownDevice",
    "Letter",
    "Message",
    "MessageAttachment",
    "MessageThread",
    "Notification",
    "NotificationPreference",
    "NotificationSettings",
    "OneTimeToken",
    "OutgoingMail",
    "Passkey",
    "Payment",
    "PaymentReclamation",
    "Person",
    "Professional",
    "ProfessionalPayment",
    "PushSubscription",
    "ReclamationFile",
    "ReplyTemplate",
    "SalaryAttestation",
    "SalaryMonth",
    "SignIn",
    "User",
]


def include_in_migrations(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic's ``include_name``: leave the database-specific full-text objects alone."""
    return not is_full_text_object(name)
