"""Encryption at rest: AES-256-GCM with a key ring.

Stored values look like ``enc1:<key id>:<base64(nonce || ciphertext)>``. The key id
lets old values decrypt after a new primary key is added; ``alongside rotate_keys``
re-encrypts everything with the primary key. Each value is bound to its column
through the associated data, so a ciphertext copied into another column fails.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import secrets
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

MFA_CONTEXT = "allauth.mfa"
"""The context (associated data) of allauth's TOTP secrets and recovery-code seeds, encrypted by our MFA adapter."""

PREFIX = "enc1"
_KID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class CryptoError(ValueError):
    """A key or a stored value is malformed, or a value fails to authenticate."""


@dataclass(frozen=True)
class KeyRing:
    """Keys by id; the first one encrypts, all of them decrypt."""

    primary: str
    keys: dict[str, bytes]

    @classmethod
    def parse(cls, spec: str) -> KeyRing:
        """Parse ``kid:base64key[,kid:base64key...]``; the first is primary."""
        keys: dict[str, bytes] = {}
        order: list[str] = []
        for part in (p.strip() for p in spec.replace("\n", ",").split(",")):
            if not part:
                continue
            kid, sep, b64 = part.partition(":")
            if not sep or not _KID.match(kid):
                raise CryptoError("each key must look like 'id:base64key' with a short id of letters and digits")
            try:
                key = base64.urlsafe_b64decode(b64.encode() + b"=" * (-len(b64) % 4))
            except (binascii.Error, ValueError):
                raise CryptoError(f"key {kid!r} is not valid base64") from None
            if len(key) != 32:
                raise CryptoError(f"key {kid!r} must be 32 bytes (AES-256), not {len(key)}")
            if kid in keys:
                raise CryptoError(f"key id {kid!r} appears twice")
            keys[kid] = key
            order.append(kid)
        if not order:
            raise CryptoError("the key ring is empty")
        return cls(primary=order[0], keys=keys)

    def encrypt(self, plaintext: str, *, context: str = "") -> str:
        nonce = os.urandom(12)
        ct = AESGCM(self.keys[self.primary]).encrypt(nonce, plaintext.encode("utf-8"), context.encode())
        return f"{PREFIX}:{self.primary}:{base64.urlsafe_b64encode(nonce + ct).decode()}"

    def decrypt(self, token: str, *, context: str = "") -> str:
        prefix, kid, b64 = _split(token)
        if prefix != PREFIX:
            raise CryptoError("not an encrypted value")
        key = self.keys.get(kid)
        if key is None:
            raise CryptoError(f"no key with id {kid!r} in the key ring")
        try:
            raw = base64.urlsafe_b64decode(b64.encode())
            return AESGCM(key).decrypt(raw[:12], raw[12:], context.encode()).decode("utf-8")
        except (binascii.Error, ValueError, InvalidTag):
            raise CryptoError("the value does not authenticate with its key") from None

    def needs_rotation(self, token: str) -> bool:
        return key_id(token) != self.primary


def _split(token: str) -> tuple[str, str, str]:
    parts = token.split(":", 2)
    if len(parts) != 3:
        raise CryptoError("not an encrypted value")
    return parts[0], parts[1], parts[2]


def key_id(token: str) -> str:
    return _split(token)[1]


def is_encrypted(value: str) -> bool:
    return value.startswith(PREFIX + ":")


def generate_key(kid: str | None = None) -> str:
    """A new ``kid:base64key`` entry for the key ring."""
    kid = kid or secrets.token_hex(4)
    if not _KID.match(kid):
        raise CryptoError("key id must be 1-32 letters, digits, '-' or '_'")
    return f"{kid}:{base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip('=')}"


@lru_cache(maxsize=1)
def _ring_from_settings(spec: str) -> KeyRing:
    return KeyRing.parse(spec)


def keyring() -> KeyRing:
    return _ring_from_settings(settings.ALONGSIDE_ENCRYPTION_KEYS)


def encrypt(plaintext: str, *, context: str = "") -> str:
    return keyring().encrypt(plaintext, context=context)


def decrypt(token: str, *, context: str = "") -> str:
    return keyring().decrypt(token, context=context)
