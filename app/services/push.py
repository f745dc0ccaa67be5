"""Web push plumbing: the server's VAPID key pair, and the browsers subscribed to push.

VAPID (RFC 8292) proves to a browser's push service that a push comes from the server the browser
subscribed with: the browser is given our public key (``applicationServerKey``) when it subscribes,
and every push carries a JWT signed with the private key. The key pair must therefore stay the same
for as long as subscriptions live, and be the same on every instance:

- ``VAPID_PRIVATE_KEY`` (environment or configuration): a PEM private key (literal ``\\n`` allowed),
  or the raw 32-byte P-256 scalar in base64url (the format of most VAPID key generators);
  ``VAPID_PUBLIC_KEY``, if set too, must be its public key (checked at first use);
- otherwise a key generated on first use into ``<instance>/vapid_private.pem`` (mode 0600): right
  for one machine, wrong for several (each would make its own), hence a warning in production.

``VAPID_SUBJECT`` is the contact a push service may write to: ``mailto:`` plus the address of
``MAIL_FROM`` by default.

A subscription (``PushSubscription.toJSON()`` sent by our JavaScript) is checked before it is
stored: our server will POST to its endpoint, so only a https URL is accepted — of a known browser
push service in production (``PUSH_SERVICE_HOSTS``), anywhere in development, where a local test
receiver on ``http://127.0.0.1`` or ``http://localhost`` is accepted too.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hmac
import logging
import os
import re
import secrets
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import current_app
from py_vapid import Vapid
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import PushSubscription, User
from app.models.base import utcnow
from app.services.transactions import commit

logger = logging.getLogger(__name__)

KEY_FILE = "vapid_private.pem"
_CACHE_KEY = "macaisse_vapid"

# Browser push services (suffixes): Chrome/Edge/Opera (FCM), Firefox, Windows, Safari.
PUSH_SERVICE_HOSTS = (
    "fcm.googleapis.com",
    "push.services.mozilla.com",
    "notify.windows.com",
    "push.apple.com",
)
LOCAL_HOSTS = ("127.0.0.1", "localhost")
ENDPOINT_MAX = 1000  # real endpoints are 150 to 500 characters; PostgreSQL indexes ~2700 bytes at most
MAX_SUBSCRIPTIONS = 20  # per account: the oldest goes when a 21st browser subscribes
_BASE64URL = re.compile(r"^[A-Za-z0-9_-]+={0,2}$")


class SubscriptionError(ValueError):
    """A subscription sent by a browser that cannot be stored; the message is in French."""


@dataclass(frozen=True)
class VapidKeys:
    """The server's VAPID identity, ready for ``pywebpush.webpush``."""

    vapid: Vapid
    public_key_b64url: str
    subject: str


@dataclass(frozen=True)
class SubscriptionData:
    """A checked subscription: endpoint and the browser's keys (base64url, unpadded)."""

    endpoint: str
    p256dh: str
    auth: str


def vapid_keys() -> VapidKeys:
    """The application's VAPID keys, loaded or generated once per application.

    Raises ``RuntimeError`` for a configured key that cannot be read or that does not match
    ``VAPID_PUBLIC_KEY``: every push would then be refused.
    """
    cached = current_app.extensions.get(_CACHE_KEY)
    if cached is None:
        private_key = _private_key()
        public_key = b64url(
            private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )
        expected = _setting("VAPID_PUBLIC_KEY")
        if expected and expected.rstrip("=") != public_key:
            raise RuntimeError("VAPID_PUBLIC_KEY ne correspond pas à VAPID_PRIVATE_KEY.")
        cached = VapidKeys(Vapid(private_key=private_key), public_key, vapid_subject())
        current_app.extensions[_CACHE_KEY] = cached
    return cached


def vapid_public_key_b64url() -> str:
    """Our public key, uncompressed P-256 point in base64url: the browser's ``applicationServerKey``."""
    return vapid_keys().public_key_b64url


def vapid_subject() -> str:
    """``VAPID_SUBJECT``, or ``mailto:`` and the address of ``MAIL_FROM``."""
    subject = _setting("VAPID_SUBJECT")
    if subject:
        return subject
    return "mailto:" + parseaddr(current_app.config["MAIL_FROM"])[1]


def b64url(data: bytes) -> str:
    """Unpadded base64url, the encoding of every key in the Push API."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode base64url with or without padding; raises ``ValueError``."""
    if not _BASE64URL.match(text):
        raise ValueError("pas du base64url")
    try:
        return base64.urlsafe_b64decode(text.rstrip("=") + "=" * (-len(text.rstrip("=")) % 4))
    except binascii.Error as exc:
        raise ValueError("pas du base64url") from exc


def parse_subscription(data: Any) -> SubscriptionData:
    """Check a ``PushSubscription.toJSON()``; raises ``SubscriptionError`` with the reason in French.

    The endpoint must be a URL we may POST to (see the module docstring); ``p256dh`` a P-256 public
    key (65-byte uncompressed point) and ``auth`` a 16-byte secret, both base64url.
    """
    if not isinstance(data, dict):
        raise SubscriptionError("L'abonnement envoyé n'a pas pu être compris.")
    endpoint = data.get("endpoint")
    keys = data.get("keys")
    if not isinstance(endpoint, str) or not isinstance(keys, dict):
        raise SubscriptionError("L'abonnement envoyé n'a pas pu être compris.")
    if not endpoint_allowed(endpoint, production=current_app.config["ENV_NAME"] == "production"):
        raise SubscriptionError("Ce service de notification n'est pas accepté.")
    p256dh, auth = keys.get("p256dh"), keys.get("auth")
    if not isinstance(p256dh, str) or not isinstance(auth, str):
        raise SubscriptionError("Les clés de l'abonnement sont manquantes.")
    try:
        point = b64url_decode(p256dh)
        secret = b64url_decode(auth)
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError as exc:
        raise SubscriptionError("Les clés de l'abonnement sont incorrectes.") from exc
    if len(point) != 65 or len(secret) != 16:
        raise SubscriptionError("Les clés de l'abonnement sont incorrectes.")
    return SubscriptionData(endpoint, b64url(point), b64url(secret))


def endpoint_allowed(endpoint: str, *, production: bool, hosts: tuple[str, ...] | None = None) -> bool:
    """Whether our server may POST pushes to ``endpoint``.

    https only, to a browser push service (``hosts``, default ``PUSH_SERVICE_HOSTS`` or the
    configuration's) in production, so that a forged subscription cannot make the server call an
    internal address; outside production also any https host and ``http://127.0.0.1`` or
    ``http://localhost`` (a local push-service double).
    """
    if len(endpoint) > ENDPOINT_MAX or not endpoint.isprintable() or " " in endpoint:
        return False
    try:
        parts = urlsplit(endpoint)
        parts.port  # noqa: B018  (raises ValueError for a bad port)
    except ValueError:
        return False
    host = (parts.hostname or "").lower()
    if not host or parts.username is not None or parts.password is not None:
        return False
    if parts.scheme == "https":
        if not production:
            return True
        allowed = hosts or tuple(current_app.config.get("PUSH_SERVICE_HOSTS") or PUSH_SERVICE_HOSTS)
        return any(host == suffix or host.endswith("." + suffix) for suffix in allowed)
    return parts.scheme == "http" and not production and host in LOCAL_HOSTS


def subscribe(user: User, data: SubscriptionData, label: str) -> PushSubscription:
    """Store a browser's subscription for ``user`` (one transaction); return it.

    Upsert by endpoint: a browser that subscribes again updates its row, and an endpoint known for
    another account moves to this one — the same browser, now used by someone else, must stop
    showing the previous user's notifications. Beyond ``MAX_SUBSCRIPTIONS`` the oldest go. Two
    requests racing to insert the same endpoint end in one row: the loser updates it instead.
    """
    try:
        subscription = _upsert(user, data, label)
        commit()
    except IntegrityError:
        db.session.rollback()
        subscription = _upsert(user, data, label)
        commit()
    return subscription


def _upsert(user: User, data: SubscriptionData, label: str) -> PushSubscription:
    subscription = db.session.scalar(
        sa.select(PushSubscription).where(PushSubscription.endpoint == data.endpoint)
    )
    if subscription is None:
        subscription = PushSubscription(endpoint=data.endpoint, user_id=user.id)
        db.session.add(subscription)
    elif subscription.user_id != user.id:
        subscription.user_id = user.id
        subscription.created_at = utcnow()
        subscription.last_success_at = None
    subscription.p256dh = data.p256dh
    subscription.auth = data.auth
    subscription.user_agent = label[:200]
    subscription.failures = 0
    db.session.flush()
    keep = (
        sa.select(PushSubscription.id)
        .where(PushSubscription.user_id == user.id)
        .order_by(PushSubscription.created_at.desc(), PushSubscription.id.desc())
        .limit(MAX_SUBSCRIPTIONS)
    )
    db.session.execute(
        sa.delete(PushSubscription)
        .where(PushSubscription.user_id == user.id, PushSubscription.id.not_in(keep.scalar_subquery()))
        .execution_options(synchronize_session=False)
    )
    return subscription


def renew(old_endpoint: str, old_auth: str, data: SubscriptionData, label: str) -> PushSubscription | None:
    """Put the subscription a push service renewed in place of the old one (one transaction).

    This is the service worker's ``pushsubscriptionchange``, often long after the session ended: it
    proves it held the old subscription with its endpoint and auth secret, 16 random bytes that only
    that browser and our server know, so neither a session nor a CSRF token is needed. The new
    subscription goes to the old one's owner. None, and nothing written, if no stored subscription
    has that endpoint and secret.
    """
    try:
        secret = b64url(b64url_decode(old_auth))
    except ValueError:
        return None

    def replace() -> PushSubscription | None:
        old = db.session.scalar(sa.select(PushSubscription).where(PushSubscription.endpoint == old_endpoint))
        if old is None or not hmac.compare_digest(old.auth.encode(), secret.encode()):
            return None
        user = db.session.get(User, old.user_id)
        if old.endpoint != data.endpoint:
            db.session.delete(old)
            db.session.flush()
        return _upsert(user, data, label or old.user_agent)

    try:
        subscription = replace()
        commit()
    except IntegrityError:
        db.session.rollback()
        subscription = replace()
        commit()
    return subscription


def unsubscribe(user: User, endpoint: str) -> bool:
    """Forget the subscription of ``endpoint`` if it is ``user``'s; False if it is not (or unknown)."""
    result = db.session.execute(
        sa.delete(PushSubscription).where(
            PushSubscription.endpoint == endpoint, PushSubscription.user_id == user.id
        )
    )
    commit()
    return bool(result.rowcount)


def remove_subscription(user: User, subscription_id: int) -> bool:
    """Forget one of ``user``'s devices ("Retirer"); False if that id is not theirs."""
    result = db.session.execute(
        sa.delete(PushSubscription).where(
            PushSubscription.id == subscription_id, PushSubscription.user_id == user.id
        )
    )
    commit()
    return bool(result.rowcount)


def subscriptions_for(user: User) -> list[PushSubscription]:
    """The user's subscribed browsers, newest first ("Mes appareils")."""
    return list(
        db.session.scalars(
            sa.select(PushSubscription)
            .where(PushSubscription.user_id == user.id)
            .order_by(PushSubscription.created_at.desc(), PushSubscription.id.desc())
        )
    )


def _setting(name: str) -> str:
    value = current_app.config.get(name) or os.environ.get(name) or ""
    return str(value).strip()


def _private_key() -> ec.EllipticCurvePrivateKey:
    configured = _setting("VAPID_PRIVATE_KEY")
    if configured:
        try:
            return _parse_private_key(configured)
        except (ValueError, TypeError) as exc:
            raise RuntimeError(
                "VAPID_PRIVATE_KEY illisible : attendu une clé P-256 en PEM ou en base64url."
            ) from exc
    if current_app.config["ENV_NAME"] == "production":
        logger.warning(
            "VAPID_PRIVATE_KEY absente : clé générée dans le dossier d'instance. Avec plusieurs "
            "machines, définissez VAPID_PRIVATE_KEY dans l'environnement."
        )
    return _instance_private_key(Path(current_app.instance_path) / KEY_FILE)


def _parse_private_key(text: str) -> ec.EllipticCurvePrivateKey:
    """A P-256 private key from PEM, raw base64url (32 bytes) or DER base64url; ``ValueError`` else."""
    if "-----BEGIN" in text:
        key = serialization.load_pem_private_key(text.replace("\\n", "\n").encode(), password=None)
    else:
        raw = b64url_decode("".join(text.split()))
        if len(raw) == 32:
            key = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
        else:
            key = serialization.load_der_private_key(raw, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ValueError("not a P-256 key")
    return key


def _instance_private_key(path: Path) -> ec.EllipticCurvePrivateKey:
    """Read the key file, writing a new key first if there is none (mode 0600).

    The new key is written to a temporary file then hard-linked into place, which fails rather than
    overwrite: two processes starting together both end up with the one key that won.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
    return _parse_private_key(path.read_text())
