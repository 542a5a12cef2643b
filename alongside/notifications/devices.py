"""What a device's subscription is checked against before it is kept, and the coarse label a person reads.

The service sends requests to whatever endpoint a browser posts, so an endpoint must be an https address of a
known push service (``ALONGSIDE_PUSH_SERVICES``): a posted address can never point the service at itself or at
the network behind it. Loopback over http is allowed only in debug mode and in tests (a push endpoint the tests
run themselves).
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings

from alongside.lib.vapid import b64url_decode

MAX_ENDPOINT_LENGTH = 2000
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


def endpoint_digest(endpoint: str) -> str:
    return hashlib.sha256(endpoint.encode("utf-8")).hexdigest()


def loopback_allowed() -> bool:
    return bool(settings.DEBUG or getattr(settings, "TESTING", False))


def endpoint_problem(endpoint: str) -> str | None:
    """Why this endpoint cannot be used, in words for the person; None when it can."""
    if len(endpoint) > MAX_ENDPOINT_LENGTH:
        return f"The push address is longer than {MAX_ENDPOINT_LENGTH} characters."
    try:
        parts = urlsplit(endpoint)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 - reading it checks the port is a number
    except ValueError:
        return "The push address is not a web address."
    if parts.scheme not in ("https", "http") or not host:
        return "The push address must be an https:// web address."
    if parts.username or parts.password:
        return "The push address must not hold a user name or password."
    if host in LOOPBACK_HOSTS:
        return None if loopback_allowed() else "The push address is not one of a known push service."
    if parts.scheme != "https":
        return "The push address must be an https:// web address."
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return "The push address must name a push service, not a numeric address."
    allowed = [h.lower().lstrip(".") for h in settings.ALONGSIDE_PUSH_SERVICES]
    if "*" in allowed or any(host == h or host.endswith("." + h) for h in allowed):
        return None
    return "The push address is not one of a known push service."


def p256dh_problem(value: str) -> str | None:
    try:
        raw = b64url_decode(value)
    except ValueError:
        return "The device's public key (p256dh) is not base64url."
    if len(raw) != 65 or raw[0] != 4:
        return "The device's public key (p256dh) must be an uncompressed P-256 point of 65 bytes."
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    except ValueError:
        return "The device's public key (p256dh) is not a point on the P-256 curve."
    return None


def auth_problem(value: str) -> str | None:
    try:
        raw = b64url_decode(value)
    except ValueError:
        return "The device's auth secret is not base64url."
    if len(raw) != 16:
        return "The device's auth secret must be 16 bytes."
    return None


# Coarse on purpose: the browser's family and the system's, never a version or a model.
_BROWSERS = (
    (re.compile(r"Edg(e|A|iOS)?/"), "Edge"),
    (re.compile(r"SamsungBrowser/"), "Samsung Internet"),
    (re.compile(r"OPR/|Opera"), "Opera"),
    (re.compile(r"Firefox/|FxiOS/"), "Firefox"),
    (re.compile(r"Chrome/|CriOS/|Chromium/"), "Chrome"),
    (re.compile(r"Safari/"), "Safari"),
)
_SYSTEMS = (
    (re.compile(r"Android"), "Android"),
    (re.compile(r"iPhone|iPod"), "iPhone"),
    (re.compile(r"iPad"), "iPad"),
    (re.compile(r"CrOS"), "ChromeOS"),
    (re.compile(r"Windows"), "Windows"),
    (re.compile(r"Macintosh|Mac OS X"), "macOS"),
    (re.compile(r"Linux"), "Linux"),
)


def device_label(user_agent: str) -> str:
    """'Chrome on Android', 'Safari on iPhone', 'Firefox on Windows'; 'A browser' when nothing is recognised."""
    browser = next((name for pattern, name in _BROWSERS if pattern.search(user_agent)), "")
    system = next((name for pattern, name in _SYSTEMS if pattern.search(user_agent)), "")
    if browser and system:
        return f"{browser} on {system}"
    if browser or system:
        return browser or f"A browser on {system}"
    return "A browser"
