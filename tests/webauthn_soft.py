"""A software WebAuthn authenticator for tests without a browser (TESTING.md, "Passkeys").

It answers ``navigator.credentials.create`` / ``get`` options (the JSON py_webauthn produces) with
what ``PublicKeyCredential.toJSON()`` gives: base64url fields, "none" attestation, flags UP+UV
(+AT at creation), a COSE EC2 P-256 key, ES256 signatures and one sign counter for all its
credentials, incremented at each use (set ``sign_count`` back to play a cloned authenticator).
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
from base64 import urlsafe_b64decode, urlsafe_b64encode
from dataclasses import dataclass, field

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

UP, UV, AT = 0x01, 0x04, 0x40


def b64(data: bytes) -> str:
    return urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Credential:
    rp_id: str
    user_handle: bytes
    key: ec.EllipticCurvePrivateKey


@dataclass
class SoftAuthenticator:
    sign_count: int = 0
    user_verified: bool = True
    credentials: dict[bytes, Credential] = field(default_factory=dict)

    def create(self, options_json: str | dict, origin: str) -> dict:
        """A new discoverable credential for these creation options, as ``toJSON()`` gives it."""
        options = json.loads(options_json) if isinstance(options_json, str) else options_json
        rp_id = options["rp"]["id"]
        credential_id = os.urandom(16)
        key = ec.generate_private_key(ec.SECP256R1())
        self.credentials[credential_id] = Credential(rp_id, unb64(options["user"]["id"]), key)
        numbers = key.public_key().public_numbers()
        cose_key = {1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")}
        attested = bytes(16) + struct.pack(">H", len(credential_id)) + credential_id + cbor2.dumps(cose_key)
        auth_data = self._auth_data(rp_id, AT) + attested
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        return self._answer(
            credential_id,
            {
                "clientDataJSON": b64(client_data),
                "attestationObject": b64(attestation),
                "transports": ["internal"],
            },
        )

    def get(self, options_json: str | dict, origin: str, credential_id: bytes | None = None) -> dict:
        """An assertion for these request options, by ``credential_id`` or the first one for the RP."""
        options = json.loads(options_json) if isinstance(options_json, str) else options_json
        rp_id = options["rpId"]
        allowed = [unb64(item["id"]) for item in options.get("allowCredentials") or []]
        if credential_id is None:
            candidates = [cid for cid, c in self.credentials.items() if c.rp_id == rp_id]
            credential_id = next(cid for cid in candidates if not allowed or cid in allowed)
        credential = self.credentials[credential_id]
        auth_data = self._auth_data(rp_id, 0)
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        signed = auth_data + hashlib.sha256(client_data).digest()
        signature = credential.key.sign(signed, ec.ECDSA(hashes.SHA256()))
        return self._answer(
            credential_id,
            {
                "clientDataJSON": b64(client_data),
                "authenticatorData": b64(auth_data),
                "signature": b64(signature),
                "userHandle": b64(credential.user_handle),
            },
        )

    def _auth_data(self, rp_id: str, extra_flags: int) -> bytes:
        self.sign_count += 1
        flags = UP | (UV if self.user_verified else 0) | extra_flags
        return hashlib.sha256(rp_id.encode()).digest() + bytes([flags]) + struct.pack(">I", self.sign_count)

    @staticmethod
    def _client_data(kind: str, challenge: str, origin: str) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}
        ).encode()

    @staticmethod
    def _answer(credential_id: bytes, response: dict) -> dict:
        return {
            "id": b64(credential_id),
            "rawId": b64(credential_id),
            "type": "public-key",
            "response": response,
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
        }
