"""VAPID keys for Web Push (RFC 8292): an ECDSA P-256 key pair that identifies this service to push services.

The private key is accepted as PEM (what ``openssl ecparam -genkey`` and most tools write) or as the 32-byte
private number in base64url (what ``alongside generate_vapid_keys`` and the web-push tools print). The public key
browsers need (``applicationServerKey``) is the uncompressed point in base64url; it is always derived from the
private key, so a public key given beside it must match.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


class VapidKeyError(ValueError):
    """A VAPID key that cannot be used."""


def b64url_encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def b64url_decode(text: str) -> bytes:
    """Strict base64url (padding optional); raises ``ValueError`` on anything else."""
    cleaned = text.strip()
    if not cleaned or any(c not in _B64URL for c in cleaned.rstrip("=")):
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(cleaned.rstrip("=") + "=" * (-len(cleaned.rstrip("=")) % 4))
    except (binascii.Error, ValueError):
        raise ValueError("not base64url") from None


_B64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@dataclass(frozen=True)
class VapidKeys:
    private_key: ec.EllipticCurvePrivateKey
    public_key: str  # base64url of the uncompressed point: the browser's applicationServerKey

    @property
    def private_raw(self) -> str:
        return b64url_encode(self.private_key.private_numbers().private_value.to_bytes(32, "big"))


def public_key_of(private_key: ec.EllipticCurvePrivateKey) -> str:
    point = private_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64url_encode(point)


def generate() -> VapidKeys:
    key = ec.generate_private_key(ec.SECP256R1())
    return VapidKeys(private_key=key, public_key=public_key_of(key))


def load_private_key(text: str) -> ec.EllipticCurvePrivateKey:
    """A P-256 private key from PEM or from base64url of its 32-byte private number."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        try:
            key = serialization.load_pem_private_key(text.encode("ascii"), password=None)
        except (ValueError, TypeError, UnicodeEncodeError):
            raise VapidKeyError("VAPID_PRIVATE_KEY is not a readable unencrypted PEM private key") from None
        if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
            raise VapidKeyError("VAPID_PRIVATE_KEY must be an EC key on the P-256 curve (prime256v1)")
        return key
    try:
        raw = b64url_decode(text)
    except ValueError:
        raise VapidKeyError("VAPID_PRIVATE_KEY must be PEM, or base64url of the 32-byte private key") from None
    if len(raw) != 32:
        raise VapidKeyError(f"VAPID_PRIVATE_KEY in base64url must be 32 bytes, not {len(raw)}")
    try:
        return ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
    except ValueError:
        raise VapidKeyError("VAPID_PRIVATE_KEY is not a valid P-256 private key") from None


def load(private: str, public: str = "") -> VapidKeys:
    """The key pair from the environment's text; a given public key must be the private key's own."""
    key = load_private_key(private)
    derived = public_key_of(key)
    if public and public.strip().rstrip("=") != derived:
        raise VapidKeyError("VAPID_PUBLIC_KEY is not the public key of VAPID_PRIVATE_KEY")
    return VapidKeys(private_key=key, public_key=derived)


def private_pem(keys: VapidKeys) -> str:
    return keys.private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
