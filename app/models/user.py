"""Web accounts. An assuré's account points at their row in the register; an agent's at a caisse."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import one_of, utcnow
from app.models.caisse import Caisse
from app.models.care import Professional
from app.models.register import Person
from app.models.sick_leave import Employer

ROLES = ("assure", "professionnel", "agent", "moderator", "admin", "employeur")
STAFF_ROLES = ("agent", "moderator", "admin")


class User(UserMixin, db.Model):
    """A login. Assurés log in by NIR (through ``person``), staff by ``login``.

    ``session_version`` is copied into the session cookie at login; bumping it ends every session of
    the account on every instance ("se déconnecter de tous les appareils").
    """

    __tablename__ = "user_account"
    __table_args__ = (sa.CheckConstraint(one_of("role", ROLES), name="role_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(sa.String(20), index=True)
    login: Mapped[str | None] = mapped_column(sa.String(80), unique=True)
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id", ondelete="CASCADE"), unique=True)
    caisse_id: Mapped[int | None] = mapped_column(sa.ForeignKey("caisse.id"), index=True)
    professional_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("professional.id", ondelete="CASCADE"), unique=True
    )
    employer_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("employer.id", ondelete="CASCADE"), unique=True
    )
    display_name: Mapped[str] = mapped_column(sa.String(160), default="")
    email: Mapped[str | None] = mapped_column(sa.String(254))
    email_verified_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # A provisional code by post or a reset gives a password that must be replaced at once.
    password_change_required: Mapped[bool] = mapped_column(default=False)
    password_changed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # Lockout: after 5 failures, locked 15 min, doubling at each further lock (24 h at most).
    failed_logins: Mapped[int] = mapped_column(default=0)
    lock_count: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    cgu_version: Mapped[str | None] = mapped_column(sa.String(20))
    cgu_accepted_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # The name shown on the forum, chosen by the user (never their name or NIR).
    pseudonym: Mapped[str | None] = mapped_column(sa.String(30), unique=True)
    # A professional's account unused for 6 months is suspended until its holder reactivates it.
    suspended_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    person: Mapped[Person | None] = relationship(lazy="joined")
    caisse: Mapped[Caisse | None] = relationship(lazy="joined")
    professional: Mapped[Professional | None] = relationship(lazy="joined")
    employer: Mapped[Employer | None] = relationship(lazy="joined")

    def get_id(self) -> str:
        # The session version travels with the id: an old cookie no longer loads the user.
        return f"{self.id}:{self.session_version}"

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def home_caisse(self) -> Caisse | None:
        if self.person is not None:
            return self.person.caisse
        return self.caisse

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"
