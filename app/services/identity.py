"""Identity and access: account creation from the register, provisional codes by post, activation
by e-mail, password sign-in with lockout, e-mail codes for new devices, remembered devices, password
reset, e-mail verification, the CGU gate and "log out everywhere".

Every secret sent to a user is stored as an HMAC (keyed by ``SECRET_KEY``) so a database dump gives
nothing usable. Answers that could reveal whether someone is insured are the same whatever the case.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from stdnum import iban as stdnum_iban

from app.extensions import db
from app.models import KnownDevice, OneTimeToken, Person, User
from app.models.base import utcnow
from app.rules.passwords import password_problem, personal_fragments
from app.security import hash_password, verify_password
from app.services.accounts import audit
from app.services.transactions import commit

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read from a letter


def _cfg(name: str, default):
    return current_app.config.get(name, default)


def token_hash(secret: str) -> str:
    """Keyed hash of a secret (link token, 6-digit code, provisional code)."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, secret.encode(), hashlib.sha256).hexdigest()


def normalize_code(text: str) -> str:
    """A provisional code as typed: case, spaces and dashes ignored."""
    return "".join(c for c in (text or "").upper() if c.isalnum())


def fold_name(text: str) -> str:
    """Names compared without case, accents, hyphens, apostrophes or spaces."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    return "".join(c for c in decomposed if c.isalpha())


def _as_aware(moment: datetime | None) -> datetime | None:
    # SQLite gives naive datetimes back; they were stored as UTC.
    if moment is not None and moment.tzinfo is None:
        from datetime import UTC

        return moment.replace(tzinfo=UTC)
    return moment


def new_token(user: User, purpose: str, secret: str, lifetime: timedelta, payload: str = "") -> None:
    # A new secret of a kind replaces the previous ones of that kind.
    db.session.execute(
        sa.update(OneTimeToken)
        .where(
            OneTimeToken.user_id == user.id,
            OneTimeToken.purpose == purpose,
            OneTimeToken.used_at.is_(None),
        )
        .values(used_at=utcnow())
    )
    db.session.add(
        OneTimeToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=token_hash(secret),
            expires_at=utcnow() + lifetime,
            payload=payload,
        )
    )


def live_token(user: User, purpose: str) -> OneTimeToken | None:
    return db.session.scalar(
        sa.select(OneTimeToken)
        .where(
            OneTimeToken.user_id == user.id,
            OneTimeToken.purpose == purpose,
            OneTimeToken.used_at.is_(None),
            OneTimeToken.expires_at > utcnow(),
        )
        .order_by(OneTimeToken.id.desc())
        .limit(1)
    )


def _link_token(secret: str, purpose: str) -> OneTimeToken | None:
    token = db.session.scalar(
        sa.select(OneTimeToken).where(
            OneTimeToken.token_hash == token_hash(secret), OneTimeToken.purpose == purpose
        )
    )
    if token is None or token.used_at is not None or _as_aware(token.expires_at) <= utcnow():
        return None
    return token


def _send(user: User | None, to: str, subject: str, body: str, kind: str) -> None:
    from app.services.mail import queue_mail

    queue_mail(to, subject, body, kind, user.id if user else None)


def _site_url(endpoint: str, **values) -> str:
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return base + url_for(endpoint, **values)


# --- Account creation -------------------------------------------------------------------------


@dataclass(frozen=True)
class Registration:
    nir: str
    last_name: str
    first_name: str
    birth_date: date
    postal_code: str
    email: str
    iban: str | None = None


def register(request: Registration, ip: str | None) -> None:
    """Attach a web account to the register's person if everything matches, then prove identity:
    an activation link by e-mail when the IBAN typed is the one on file, otherwise a provisional
    code by post. Returns nothing: the page says the same whatever happened (no probing)."""
    person = db.session.scalar(sa.select(Person).where(Person.nir == request.nir))
    matches = (
        person is not None
        and person.birth_date == request.birth_date
        and fold_name(person.last_name) == fold_name(request.last_name)
        and fold_name(person.first_name) == fold_name(request.first_name)
    )
    if not matches:
        audit("registration_unmatched", ip=ip, detail="aucune correspondance au registre")
        commit()
        return
    user = db.session.scalar(sa.select(User).where(User.person_id == person.id))
    if user is not None and user.password_hash is not None:
        # Already an account: tell its owner, never the person typing.
        if user.email and user.email_verified_at:
            _send(
                user,
                user.email,
                "Demande de création de compte",
                "Une demande de création de compte a été faite avec votre numéro de sécurité sociale, "
                "alors que vous avez déjà un compte.\n\nSi vous avez oublié votre mot de passe, utilisez "
                f"« Code oublié » : {_site_url('auth.forgot')}\n\nSi ce n'est pas vous, vous n'avez rien à "
                "faire : votre compte n'a pas été modifié.",
                "registration_existing",
            )
        audit("registration_existing", subject=person, ip=ip)
        commit()
        return
    if user is None:
        user = User(
            person_id=person.id, role="assure", display_name=f"{person.first_name} {person.last_name}"
        )
        db.session.add(user)
    user.email = request.email
    user.email_verified_at = None
    db.session.flush()
    typed_iban = stdnum_iban.compact(request.iban) if request.iban else None
    if typed_iban and person.iban and typed_iban == person.iban:
        secret = secrets.token_urlsafe(32)
        new_token(
            user, "activation", secret, timedelta(minutes=_cfg("ACTIVATION_LINK_MINUTES", 30)), request.email
        )
        _send(
            user,
            request.email,
            "Activez votre compte",
            "Vous avez demandé la création de votre compte. Pour l'activer et choisir votre mot de "
            f"passe, ouvrez ce lien dans les 30 minutes :\n\n{_site_url('auth.activate', token=secret)}\n\n"
            "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message.",
            "activation",
        )
        audit("registration_activation_link", actor=user, subject=person, ip=ip)
    else:
        issue_provisional_code(user, person)
        audit("registration_provisional_code", actor=user, subject=person, ip=ip)
    commit()


def issue_provisional_code(user: User, person: Person) -> None:
    """A new provisional code, valid ``PROVISIONAL_CODE_DAYS``, in a letter queued for printing."""
    from app.services.letters import queue_provisional_code_letter

    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    days = int(_cfg("PROVISIONAL_CODE_DAYS", 60))
    new_token(user, "provisional", code, timedelta(days=days))
    expires_on = (utcnow() + timedelta(days=days)).date()
    queue_provisional_code_letter(
        person, f"{code[:4]}-{code[4:]}", expires_on, _cfg("POSTAL_DELAY_TEXT", "sous 2 à 10 jours")
    )


def activate(secret: str) -> User | None:
    """Check an activation link: the e-mail it was sent to is verified. None if invalid or used."""
    token = _link_token(secret, "activation")
    if token is None:
        return None
    user = db.session.get(User, token.user_id)
    user.email = token.payload or user.email
    user.email_verified_at = utcnow()
    user.password_change_required = True
    commit()
    return user


def activation_user(secret: str) -> User | None:
    token = _link_token(secret, "activation")
    return db.session.get(User, token.user_id) if token else None


# --- Passwords ---------------------------------------------------------------------------------


def password_policy_problem(user: User, password: str) -> str | None:
    person = user.person
    personal = personal_fragments(
        person.nir if person else None,
        [person.first_name, person.last_name] if person else [user.login or "", user.display_name],
        person.birth_date if person else None,
    )
    return password_problem(password, personal)


def set_password(user: User, password: str, *, reason: str, ip: str | None) -> None:
    """Replace the password, spend the provisional codes and reset links, end other sessions."""
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.password_change_required = False
    user.failed_logins = 0
    user.locked_until = None
    user.session_version += 1
    db.session.execute(
        sa.update(OneTimeToken)
        .where(
            OneTimeToken.user_id == user.id,
            OneTimeToken.purpose.in_(("provisional", "reset", "activation")),
            OneTimeToken.used_at.is_(None),
        )
        .values(used_at=utcnow())
    )
    audit("password_changed", actor=user, subject=user.person, ip=ip, detail=reason)
    if user.email and user.email_verified_at:
        _send(
            user,
            user.email,
            "Votre mot de passe a été modifié",
            "Le mot de passe de votre compte vient d'être modifié. Si ce n'est pas vous, utilisez "
            f"« Code oublié » sans attendre : {_site_url('auth.forgot')}",
            "password_changed",
        )
    commit()


# --- Sign-in -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginOutcome:
    """``status``: ok, code_needed, locked, bad. ``provisional`` when a provisional code was used."""

    status: str
    user: User | None = None
    locked_until: datetime | None = None
    provisional: bool = False


def find_assure(nir: str) -> User | None:
    return db.session.scalar(
        sa.select(User).join(Person, User.person_id == Person.id).where(Person.nir == nir)
    )


def find_professional(rpps: str) -> User | None:
    """The web account of the professional with this RPPS number."""
    from app.models.care import Professional

    return db.session.scalar(
        sa.select(User)
        .join(Professional, User.professional_id == Professional.id)
        .where(Professional.rpps == rpps.strip(), User.role == "professionnel")
    )


def find_staff(login: str) -> User | None:
    user = db.session.scalar(sa.select(User).where(User.login == login.strip().lower()))
    return user if user is not None and user.is_staff else None


def check_password(user: User | None, password: str, ip: str | None) -> LoginOutcome:
    """Check a password (or a provisional code) with lockout: 5 failures lock the account for
    ``LOCK_BASE_MINUTES`` (15), doubling at each further lock, ``LOCK_MAX_HOURS`` (24) at most."""
    if user is None:
        verify_password(None, password)  # same work as for a real account
        return LoginOutcome("bad")
    locked_until = _as_aware(user.locked_until)
    if locked_until and locked_until > utcnow():
        verify_password(None, password)
        return LoginOutcome("locked", user, locked_until)
    if user.password_hash and verify_password(user.password_hash, password):
        return LoginOutcome("ok", user)
    provisional = live_token(user, "provisional")
    if provisional is not None and hmac.compare_digest(
        provisional.token_hash, token_hash(normalize_code(password))
    ):
        user.password_change_required = True
        return LoginOutcome("ok", user, provisional=True)
    user.failed_logins += 1
    audit("login_failed", actor=user, subject=user.person, ip=ip, detail="mot de passe incorrect")
    if user.failed_logins >= int(_cfg("LOCK_THRESHOLD", 5)):
        user.lock_count += 1
        minutes = int(_cfg("LOCK_BASE_MINUTES", 15)) * 2 ** (user.lock_count - 1)
        minutes = min(minutes, int(_cfg("LOCK_MAX_HOURS", 24)) * 60)
        user.locked_until = utcnow() + timedelta(minutes=minutes)
        user.failed_logins = 0
        audit("account_locked", actor=user, subject=user.person, ip=ip, detail=f"{minutes} minutes")
        commit()
        return LoginOutcome("locked", user, _as_aware(user.locked_until))
    commit()
    return LoginOutcome("bad", user)


def device_is_known(user: User, device_secret: str | None) -> bool:
    """A remembered, unexpired device of this user (never for staff: they prove it every time)."""
    if not device_secret or user.is_staff or user.role == "professionnel":
        return False
    device = db.session.scalar(
        sa.select(KnownDevice).where(
            KnownDevice.user_id == user.id, KnownDevice.token_hash == token_hash(device_secret)
        )
    )
    if device is None or _as_aware(device.expires_at) <= utcnow():
        return False
    device.last_seen_at = utcnow()
    return True


def send_login_code(user: User, ip: str | None) -> bool:
    """E-mail a 6-digit code (10 minutes, 5 tries). False if the account has no usable e-mail."""
    if not user.email or (not user.email_verified_at and not user.is_staff):
        return False
    code = f"{secrets.randbelow(1_000_000):06d}"
    minutes = int(_cfg("LOGIN_CODE_MINUTES", 10))
    new_token(user, "login_code", code, timedelta(minutes=minutes))
    _send(
        user,
        user.email,
        f"Votre code de connexion : {code}",
        f"Votre code de connexion est : {code}\n\nIl est valable {minutes} minutes. Ne le communiquez "
        "à personne : votre caisse ne vous le demandera jamais.\n\nSi vous n'essayez pas de vous "
        "connecter, changez votre mot de passe.",
        "login_code",
    )
    audit("login_code_sent", actor=user, subject=user.person, ip=ip)
    commit()
    return True


def check_login_code(user: User, typed: str, ip: str | None) -> str:
    """ "ok", "bad" (try again) or "dead" (expired or 5 wrong tries: ask for a new code)."""
    token = live_token(user, "login_code")
    if token is None:
        return "dead"
    code = "".join(c for c in typed if c.isdigit())
    if hmac.compare_digest(token.token_hash, token_hash(code)):
        token.used_at = utcnow()
        commit()
        return "ok"
    token.attempts += 1
    audit("login_code_failed", actor=user, subject=user.person, ip=ip)
    if token.attempts >= int(_cfg("LOGIN_CODE_TRIES", 5)):
        token.used_at = utcnow()
        commit()
        return "dead"
    commit()
    return "bad"


def remember_device(user: User, label: str) -> str:
    """Remember this browser for ``DEVICE_REMEMBER_DAYS`` (90); returns the cookie's secret."""
    secret = secrets.token_urlsafe(32)
    db.session.add(
        KnownDevice(
            user_id=user.id,
            token_hash=token_hash(secret),
            label=label[:120],
            expires_at=utcnow() + timedelta(days=int(_cfg("DEVICE_REMEMBER_DAYS", 90))),
        )
    )
    commit()
    return secret


def announce_new_device(user: User, device: str, place: str) -> None:
    """E-mail "nouvelle connexion à votre compte" after a sign-in from a new device."""
    if user.email and user.email_verified_at:
        _send(
            user,
            user.email,
            "Nouvelle connexion à votre compte",
            f"Une connexion à votre compte a eu lieu depuis un nouvel appareil ({device}, {place}).\n\n"
            "Si c'est vous, vous n'avez rien à faire. Sinon, changez votre mot de passe et utilisez "
            f"« Se déconnecter de tous les appareils » : {_site_url('auth.security')}",
            "new_device",
        )
        commit()


def forget_device(user: User, device_id: int) -> bool:
    device = db.session.scalar(
        sa.select(KnownDevice).where(KnownDevice.id == device_id, KnownDevice.user_id == user.id)
    )
    if device is None:
        return False
    db.session.delete(device)
    commit()
    return True


def logout_everywhere(user: User, ip: str | None) -> None:
    """End every session of the account (the version in each cookie no longer matches) and forget
    remembered devices."""
    user.session_version += 1
    db.session.execute(sa.delete(KnownDevice).where(KnownDevice.user_id == user.id))
    audit("logout_all", actor=user, subject=user.person, ip=ip)
    commit()


# --- Forgotten password ------------------------------------------------------------------------


def forgot(nir: str, birth_date: date, ip: str | None) -> None:
    """ "Code oublié": a reset link (30 min) to a verified e-mail, or else a new provisional code by
    post. Same answer whether or not the account exists."""
    user = find_assure(nir)
    if user is None or user.person is None or user.person.birth_date != birth_date:
        audit("reset_unmatched", ip=ip)
        commit()
        return
    if user.email and user.email_verified_at:
        secret = secrets.token_urlsafe(32)
        new_token(user, "reset", secret, timedelta(minutes=int(_cfg("RESET_LINK_MINUTES", 30))))
        _send(
            user,
            user.email,
            "Réinitialisation de votre mot de passe",
            "Pour choisir un nouveau mot de passe, ouvrez ce lien dans les 30 minutes :\n\n"
            f"{_site_url('auth.reset', token=secret)}\n\nSi vous n'avez rien demandé, ignorez ce "
            "message : votre mot de passe actuel reste valable.",
            "reset",
        )
        audit("reset_link_sent", actor=user, subject=user.person, ip=ip)
    else:
        issue_provisional_code(user, user.person)
        audit("reset_provisional_code", actor=user, subject=user.person, ip=ip)
    commit()


def reset_user(secret: str) -> User | None:
    token = _link_token(secret, "reset")
    return db.session.get(User, token.user_id) if token else None


# --- E-mail and CGU ----------------------------------------------------------------------------


def send_email_verification(user: User, email: str, ip: str | None) -> None:
    """A 6-digit code to ``email`` (30 minutes, 5 tries); the address is verified once typed back."""
    code = f"{secrets.randbelow(1_000_000):06d}"
    new_token(user, "email_verify", code, timedelta(minutes=30), payload=email)
    _send(
        user,
        email,
        f"Vérification de votre adresse e-mail : {code}",
        f"Pour confirmer cette adresse e-mail, saisissez le code {code} sur macaisse. Il est "
        "valable 30 minutes.\n\nSi vous n'avez rien demandé, ignorez ce message.",
        "email_verify",
    )
    audit("email_verification_sent", actor=user, subject=user.person, ip=ip)
    commit()


def pending_email(user: User) -> str | None:
    token = live_token(user, "email_verify")
    return token.payload if token else None


def verify_email_code(user: User, typed: str, ip: str | None) -> str:
    """ "ok", "bad" or "dead"; on success the e-mail of the code becomes the account's, verified."""
    token = live_token(user, "email_verify")
    if token is None:
        return "dead"
    code = "".join(c for c in typed if c.isdigit())
    if hmac.compare_digest(token.token_hash, token_hash(code)):
        token.used_at = utcnow()
        user.email = token.payload
        user.email_verified_at = utcnow()
        audit("email_verified", actor=user, subject=user.person, ip=ip)
        commit()
        return "ok"
    token.attempts += 1
    if token.attempts >= 5:
        token.used_at = utcnow()
        commit()
        return "dead"
    commit()
    return "bad"


def accept_cgu(user: User, ip: str | None) -> None:
    user.cgu_version = current_app.config["CGU_VERSION"]
    user.cgu_accepted_at = utcnow()
    audit("cgu_accepted", actor=user, subject=user.person, ip=ip, detail=user.cgu_version)
    commit()


def next_gate(user: User) -> str | None:
    """The step a signed-in user must complete before anything else, as an endpoint name."""
    if user.password_change_required:
        return "auth.password_change"
    # A new version of the CGU: an assuré is told on Mon compte (a legal alert that stays until they
    # accept) and keeps using the account meanwhile; the other spaces have no such home.
    if user.cgu_version != current_app.config["CGU_VERSION"] and (
        user.cgu_version is None or user.role != "assure"
    ):
        return "auth.cgu"
    if not user.email or user.email_verified_at is None:
        return "auth.email_verify"
    return None


# --- Suspension of unused professional accounts ----------------------------------------------

REACTIVATION_LINK_HOURS = 24


def _inactive_for(user: User, now: datetime) -> timedelta:
    return now - _as_aware(user.last_login_at or user.created_at)


def suspension_limit() -> timedelta:
    return timedelta(days=int(_cfg("PRO_SUSPEND_AFTER_DAYS", 183)))


def is_suspended(user: User, now: datetime | None = None) -> bool:
    """True for a professional's account that is suspended, or unused for longer than
    ``PRO_SUSPEND_AFTER_DAYS`` (6 months): it is then marked suspended (and audited); commits."""
    if user.role != "professionnel":
        return False
    if user.suspended_at is not None:
        return True
    now = now or utcnow()
    if _inactive_for(user, now) <= suspension_limit():
        return False
    _suspend(user, now)
    commit()
    return True


def _suspend(user: User, now: datetime) -> None:
    user.suspended_at = now
    audit(
        "account_suspended", actor=None, subject=user.person, detail="compte inutilisé depuis plus de 6 mois"
    )


def suspend_inactive_professionals(now: datetime | None = None) -> int:
    """The nightly sweep: mark suspended every professional's account unused for too long (their
    sessions end: the session version changes). Returns how many; commits."""
    now = now or utcnow()
    limit = now - suspension_limit()
    users = db.session.scalars(
        sa.select(User).where(
            User.role == "professionnel",
            User.suspended_at.is_(None),
            sa.func.coalesce(User.last_login_at, User.created_at) < limit,
        )
    ).all()
    for user in users:
        _suspend(user, now)
        user.session_version += 1
    commit()
    return len(users)


def send_reactivation_link(user: User) -> bool:
    """E-mail a reactivation link (24 hours, once) to the suspended account's verified address;
    False when it has none (the way back is then the caisse). Commits."""
    if user.suspended_at is None or not user.email or not user.email_verified_at:
        return False
    secret = secrets.token_urlsafe(32)
    new_token(user, "reactivation", secret, timedelta(hours=REACTIVATION_LINK_HOURS))
    _send(
        user,
        user.email,
        "Réactivation de votre compte professionnel",
        "Votre compte macaisse n'avait pas été utilisé depuis plus de 6 mois : il a été suspendu pour "
        "votre sécurité.\n\nPour le réactiver, ouvrez ce lien dans les 24 heures :\n\n"
        f"{_site_url('auth.pro_reactivate', token=secret)}\n\nVous vous connecterez ensuite comme "
        "d'habitude. Si vous n'avez rien demandé, ignorez ce message.",
        "reactivation",
    )
    audit("reactivation_link_sent", actor=user, subject=user.person)
    commit()
    return True


def reactivation_user(secret: str) -> User | None:
    token = _link_token(secret, "reactivation")
    return db.session.get(User, token.user_id) if token else None


def reactivate(secret: str) -> User | None:
    """Use a reactivation link: the suspension ends and the account counts as used today. None
    when the link is unknown, used or expired. Commits."""
    token = _link_token(secret, "reactivation")
    if token is None:
        return None
    user = db.session.get(User, token.user_id)
    token.used_at = utcnow()
    user.suspended_at = None
    user.last_login_at = utcnow()
    audit("account_reactivated", actor=user, subject=user.person)
    commit()
    return user
