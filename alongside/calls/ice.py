"""ICE servers for in-browser calls: STUN, and TURN with time-limited credentials.

TURN credentials follow coturn's ``use-auth-secret`` REST scheme: the username is
``"<expiry unix time>:<opaque ref>"`` and the credential is base64(HMAC-SHA1(secret,
username)). coturn recomputes the credential from the shared secret and refuses it after
the expiry, so nothing is stored and a leaked credential dies on its own. The opaque ref
is derived from the call and the person with a key of our own: it never carries an email
or a name, and coturn's logs cannot link one person's calls to each other.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from alongside.lib.time import now

REF_LENGTH = 20


@dataclass(frozen=True)
class TurnCredential:
    username: str
    credential: str
    expires: int


def turn_credential(*, secret: str, ref: str, expires: int) -> TurnCredential:
    """The coturn REST credential for ``ref``, valid until the unix time ``expires``."""
    if ":" in ref:
        raise ValueError("the opaque ref must not contain ':'")
    username = f"{expires}:{ref}"
    digest = hmac.new(secret.encode("utf-8"), username.encode("utf-8"), hashlib.sha1).digest()
    return TurnCredential(username=username, credential=base64.b64encode(digest).decode("ascii"), expires=expires)


def opaque_ref(*, call_id: int, user_id: int) -> str:
    """A per-call, per-person token that means nothing outside this server."""
    key = hashlib.sha256(("turn-ref:" + settings.SECRET_KEY).encode()).digest()
    return hmac.new(key, f"{call_id}.{user_id}".encode(), hashlib.sha256).hexdigest()[:REF_LENGTH]


def ice_config(*, call_id: int, user_id: int) -> dict[str, Any]:
    """What ``new RTCPeerConnection(...)`` needs for one person in one call."""
    servers: list[dict[str, Any]] = []
    if settings.ALONGSIDE_STUN_URLS:
        servers.append({"urls": list(settings.ALONGSIDE_STUN_URLS)})
    if settings.ALONGSIDE_TURN_URLS and settings.ALONGSIDE_TURN_SECRET:
        expires = int(now().timestamp()) + settings.ALONGSIDE_TURN_TTL
        made = turn_credential(
            secret=settings.ALONGSIDE_TURN_SECRET,
            ref=opaque_ref(call_id=call_id, user_id=user_id),
            expires=expires,
        )
        servers.append(
            {"urls": list(settings.ALONGSIDE_TURN_URLS), "username": made.username, "credential": made.credential}
        )
    return {
        "iceServers": servers,
        "iceTransportPolicy": "relay" if settings.ALONGSIDE_RELAY_ONLY else "all",
    }
