"""A local push service double, for testing server delivery for real (see TESTING.md, "Web push").

``PushReceiver`` is an HTTP server on 127.0.0.1 (a free port, in a thread) that plays a browser's
push service: it checks each POST as a real one would — the VAPID ``Authorization: vapid t=<JWT>,
k=<public key>`` header (ES256 signature by ``k``, ``aud`` the endpoint's origin, ``exp`` in the
next 24 hours, ``sub`` present, ``k`` the key the browser subscribed with), ``Content-Encoding:
aes128gcm`` and a ``TTL`` — then decrypts the body with the subscription's private key and auth
secret, as the browser would. It answers 201, or what a test queued with ``answer(404, 410, 429,
500…)``; a push that fails a check gets 400/401/403 and is kept in ``rejected``.

``receiver.subscribe()`` makes a subscription as a browser would (a P-256 key pair and a 16-byte
auth secret, endpoint ``http://127.0.0.1:<port>/push/<id>``); ``.to_json()`` is what
``PushSubscription.toJSON()`` gives our JavaScript.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class BrowserSubscription:
    """What a browser keeps for one push subscription: its key pair, auth secret and endpoint."""

    id: str
    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes
    application_server_key: str | None = None  # the VAPID public key given to subscribe()

    @property
    def p256dh(self) -> str:
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url(point)

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)

    def to_json(self) -> dict[str, Any]:
        """The browser's ``PushSubscription.toJSON()``."""
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": self.p256dh, "auth": self.auth},
        }


@dataclass
class ReceivedPush:
    """One POST the receiver accepted: the decrypted message and what it was sent with."""

    subscription_id: str
    status: int
    headers: dict[str, str]  # names in lower case
    claims: dict[str, Any]
    vapid_key: str
    plaintext: bytes

    @property
    def payload(self) -> dict[str, Any]:
        return json.loads(self.plaintext)


@dataclass
class Rejected:
    """A POST refused by the receiver's checks, with the reason."""

    path: str
    status: int
    reason: str


@dataclass
class PushReceiver:
    """The push service double; use as a context manager, or call ``close()``."""

    subscriptions: dict[str, BrowserSubscription] = field(default_factory=dict)
    received: list[ReceivedPush] = field(default_factory=list)
    answered: list[int] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._answers: deque[int] = deque()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                status = receiver._handle(self)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                if status == 201:
                    self.send_header("Location", f"{receiver.origin}/message/{secrets.token_hex(8)}")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep the test output clean

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.origin = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def __enter__(self) -> PushReceiver:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def subscribe(self, application_server_key: str | None = None) -> BrowserSubscription:
        """A new browser-like subscription on this receiver (``application_server_key``: the VAPID
        public key the browser subscribed with; pushes signed by another key then get 403)."""
        sub_id = secrets.token_urlsafe(16)
        subscription = BrowserSubscription(
            id=sub_id,
            endpoint=f"{self.origin}/push/{sub_id}",
            private_key=ec.generate_private_key(ec.SECP256R1()),
            auth_secret=secrets.token_bytes(16),
            application_server_key=application_server_key,
        )
        with self._lock:
            self.subscriptions[sub_id] = subscription
        return subscription

    def answer(self, *statuses: int) -> None:
        """Answer the next pushes with these statuses, in order (then 201 again)."""
        with self._lock:
            self._answers.extend(statuses)

    def pushes_for(self, subscription: BrowserSubscription) -> list[ReceivedPush]:
        with self._lock:
            return [push for push in self.received if push.subscription_id == subscription.id]

    def _handle(self, request: BaseHTTPRequestHandler) -> int:
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length)
        path = request.path
        try:
            push = self._check(path, dict(request.headers.items()), body)
        except _Refusal as refusal:
            with self._lock:
                self.rejected.append(Rejected(path, refusal.status, refusal.reason))
                self.answered.append(refusal.status)
            return refusal.status
        with self._lock:
            status = self._answers.popleft() if self._answers else 201
            push.status = status
            self.answered.append(status)
            if status == 201:
                self.received.append(push)
        return status

    def _check(self, path: str, headers: dict[str, str], body: bytes) -> ReceivedPush:
        prefix = "/push/"
        with self._lock:
            subscription = self.subscriptions.get(path[len(prefix) :]) if path.startswith(prefix) else None
        if subscription is None:
            raise _Refusal(404, "unknown subscription")
        lower = {name.lower(): value for name, value in headers.items()}
        if lower.get("content-encoding") != "aes128gcm":
            raise _Refusal(400, f"content-encoding {lower.get('content-encoding')!r}")
        if not lower.get("ttl", "").isdigit():
            raise _Refusal(400, "missing TTL")
        claims, vapid_key = self._verify_vapid(lower.get("authorization", ""))
        if subscription.application_server_key and vapid_key != subscription.application_server_key:
            raise _Refusal(403, "VAPID key is not the one the subscription was made with")
        try:
            plaintext = http_ece.decrypt(
                body,
                private_key=subscription.private_key,
                auth_secret=subscription.auth_secret,
                version="aes128gcm",
            )
        except Exception as exc:
            raise _Refusal(400, f"cannot decrypt: {exc!r}") from exc
        return ReceivedPush(subscription.id, 0, lower, claims, vapid_key, plaintext)

    def _verify_vapid(self, authorization: str) -> tuple[dict[str, Any], str]:
        """Check ``vapid t=<jwt>, k=<key>`` (RFC 8292); return the JWT claims and ``k``."""
        scheme, _, params = authorization.partition(" ")
        if scheme.lower() != "vapid":
            raise _Refusal(401, f"authorization scheme {scheme!r}")
        values = dict(part.strip().split("=", 1) for part in params.split(",") if "=" in part)
        token, key = values.get("t", ""), values.get("k", "")
        try:
            header_b64, claims_b64, signature_b64 = token.split(".")
            header = json.loads(b64url_decode(header_b64))
            claims = json.loads(b64url_decode(claims_b64))
            signature = b64url_decode(signature_b64)
            public_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(key))
        except (ValueError, TypeError) as exc:
            raise _Refusal(401, f"malformed VAPID header: {exc!r}") from exc
        if header.get("alg") != "ES256" or len(signature) != 64:
            raise _Refusal(401, "VAPID JWT is not ES256")
        der = encode_dss_signature(
            int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        )
        try:
            public_key.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature as exc:
            raise _Refusal(401, "bad VAPID signature") from exc
        now = time.time()
        if claims.get("aud") != self.origin:
            raise _Refusal(401, f"aud {claims.get('aud')!r} is not {self.origin!r}")
        if not isinstance(claims.get("exp"), int) or not now < claims["exp"] <= now + 24 * 3600:
            raise _Refusal(401, f"exp {claims.get('exp')!r} not within the next 24 hours")
        if not claims.get("sub"):
            raise _Refusal(401, "no sub")
        return claims, key


class _Refusal(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
