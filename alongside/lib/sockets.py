"""What every websocket shares: close codes, group names, the origin rule, closing a person's sockets, and the
outer guard that turns an unreachable Redis into a "try again" close instead of a server error.

The consumer base that uses them is ``alongside.lib.consumers.GuardedConsumer``; the close codes and what a
client does with each are listed in docs/conversations.md.
"""

from __future__ import annotations

import asyncio
import enum
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction
from django.http.request import split_domain_port, validate_host
from redis.exceptions import RedisError
from uvicorn.protocols.utils import ClientDisconnected

log = logging.getLogger("alongside.sockets")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class CloseCode(enum.IntEnum):
    """Every close code a socket of ours sends, in one place (docs/conversations.md has the table)."""

    UNAUTHENTICATED = 4401
    """Not signed in, signed out, the session expired or idled out, or the password changed elsewhere."""
    FORBIDDEN = 4403
    """Deactivated, a role that needs MFA without it enrolled, a role the socket needs is gone, no longer allowed
    on the object (calls: not a connection's two people, or the connection closed), or a foreign origin."""
    NOT_FOUND = 4404
    """No such object for this person (the same for one that does not exist)."""
    THREAD_CLOSED = 4410
    """The chat's connection closed: the thread can still be read on the page, not over a socket."""
    TRY_AGAIN = 1013
    """RFC 6455 "Try Again Later": the channel layer or the cache (Redis) is unreachable. Reconnect with backoff."""


class Reason(enum.StrEnum):
    """Why ``close_user_sockets`` is called."""

    SIGNED_OUT = "signed_out"
    """That session's sockets close at once (4401)."""
    DEACTIVATED = "deactivated"
    """Every socket of the person closes at once (4403)."""
    ROLE_CHANGED = "role_changed"
    """Every socket re-runs its checks now (MFA for the roles held, a role the socket needs, access)."""
    PASSWORD_CHANGED = "password_changed"
    """Every socket re-checks its session now: other sessions' auth hash no longer matches (4401)."""
    MFA_REMOVED = "mfa_removed"
    """Every socket re-checks now: a role that needs MFA without it closes (4403)."""
    ACCESS_CHANGED = "access_changed"
    """Every socket re-checks its object now: one the person may no longer open (removed from a group) closes (4403)."""


def session_tag(session_key: str) -> str:
    """Names a session in close events without the key itself (a credential; events may pass through Redis)."""
    return hashlib.sha256(("socket-session:" + session_key).encode()).hexdigest()[:40]


def user_group(user_id: int) -> str:
    """Every guarded socket of a person is in this group: close and re-check events reach them all at once."""
    return f"sockets.user.{user_id}"


COORDINATORS_GROUP = "console.coordinators"
"""Every coordinator's notifications socket: the console's dashboard hears here that something changed."""


def tell_console(what: str) -> None:
    """Tell the coordinators' open dashboards that ``what`` changed (``talknow``, ``concerns``…), once the current
    transaction commits: they fetch the figures again. Carries no data; best effort (pages also refresh each minute)."""
    transaction.on_commit(lambda: _send(COORDINATORS_GROUP, {"type": "console.changed", "what": what}))


def chat_group(thread_id: int) -> str:
    return f"chat.thread.{thread_id}"


def call_group(thread_id: int) -> str:
    return f"calls.thread.{thread_id}"


def _send(group: str, event: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, event)
    except (RedisError, OSError) as exc:  # best effort: the periodic re-check closes them within 30 s anyway
        log.warning("sockets: an event could not be sent (%s)", type(exc).__name__)


async def _send_all(layer: Any, events: Sequence[tuple[str, dict[str, Any]]]) -> None:
    await asyncio.gather(*[layer.group_send(group, event) for group, event in events])


def send_events(events: Sequence[tuple[str, dict[str, Any]]]) -> None:
    """Send every (group, event) at once, in one hop to the event loop (fifty pages: one hop, not fifty).

    Best effort, like every live event here: pages read the state again when they load and at their heartbeat.
    """
    layer = get_channel_layer()
    if layer is None or not events:
        return
    try:
        async_to_sync(_send_all)(layer, events)
    except (RedisError, OSError) as exc:
        log.warning("sockets: live events could not be sent (%s)", type(exc).__name__)


def close_user_sockets(user: Any, reason: Reason, *, session_key: str = "") -> None:
    """Close (or make re-check at once) every open socket of a person (a user or their id), in every process.

    ``session_key`` narrows a sign-out to that session's sockets. Call it after the change is committed
    (``transaction.on_commit``): a socket re-checking earlier would still see the old state.
    """
    user_id = int(user if isinstance(user, int) else user.pk)
    if reason is Reason.SIGNED_OUT:
        if not session_key:
            return
        event = {"type": "socket.close", "code": int(CloseCode.UNAUTHENTICATED), "session": session_tag(session_key)}
    elif reason is Reason.DEACTIVATED:
        event = {"type": "socket.close", "code": int(CloseCode.FORBIDDEN), "session": ""}
    else:
        event = {"type": "socket.recheck", "reason": str(reason)}
    _send(user_group(user_id), {**event, "user_id": user_id})


def send_chat_event(thread_id: int, event: dict[str, Any]) -> None:
    """Send one event to a thread's chat sockets from outside them (a message stored by a page, not a socket)."""
    _send(chat_group(thread_id), event)


def tell_thread_closed(thread_id: int) -> None:
    """The thread's connection closed: its chat sockets close with 4410, its call sockets hang up and close."""
    for group in (chat_group(thread_id), call_group(thread_id)):
        _send(group, {"type": "thread.closed"})


# --- the origin ------------------------------------------------------------------------------------------------


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin1"))
    return None


def origin_allowed(scope: Scope) -> bool:
    """The Origin header names exactly this site, as Django's CSRF check reads it for a POST.

    The Host must be one of ALLOWED_HOSTS, and the origin must equal ``scheme://host[:port]`` of this request
    (``ws`` read as ``http``, ``wss`` as ``https``) or one of CSRF_TRUSTED_ORIGINS (with their ``*.`` subdomain
    rule): scheme, host and port all count. A missing origin is refused (browsers always send one).
    """
    origin = _header(scope, b"origin")
    host = _header(scope, b"host")
    if not origin or origin == "null" or not host:
        return False
    domain, _port = split_domain_port(host)
    allowed_hosts = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed_hosts:
        allowed_hosts = [".localhost", "127.0.0.1", "[::1]"]
    if not domain or not validate_host(domain, allowed_hosts):
        return False
    scheme = "https" if scope.get("scheme") in ("wss", "https") else "http"
    if origin == f"{scheme}://{host}":
        return True
    trusted = settings.CSRF_TRUSTED_ORIGINS
    if origin in trusted:
        return True
    parsed = urlsplit(origin)
    try:
        origin_netloc = parsed.netloc.lower()
    except ValueError:
        return False
    for entry in trusted:
        if "*" not in entry:
            continue
        wanted = urlsplit(entry)
        suffix = wanted.netloc.lower().removeprefix("*")  # "*.example.org" -> ".example.org"
        if parsed.scheme == wanted.scheme and origin_netloc.endswith(suffix):
            return True
    return False


# --- the outer guard -------------------------------------------------------------------------------------------


class _Outage:
    """One log line when Redis becomes unreachable, one when it is back: not one traceback per socket."""

    def __init__(self) -> None:
        self.since: float | None = None
        self.refused = 0

    def failed(self, exc: BaseException) -> None:
        self.refused += 1
        if self.since is None:
            self.since = time.monotonic()
            log.warning(
                "sockets: Redis is unreachable (%s); sockets are closed with %d (try again) until it is back",
                type(exc).__name__,
                CloseCode.TRY_AGAIN,
            )

    def recovered(self) -> None:
        if self.since is not None:
            log.warning(
                "sockets: Redis is reachable again after %.0f s (%d sockets were told to try again)",
                time.monotonic() - self.since,
                self.refused,
            )
            self.since, self.refused = None, 0


outage = _Outage()


class SocketGuard:
    """ASGI middleware around the whole websocket stack (sessions, auth, routing, consumers).

    - Redis unreachable (the channel layer, the cache, a cached session): the socket is accepted if it was not
      yet, and closed with 1013 (try again); one log line per outage, no traceback, no HTTP 500.
    - The client gone while the server was sending (uvicorn's ``ClientDisconnected``): ends quietly. The
      consumer's own clean-up has already run (``GuardedConsumer.__call__``).
    """

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = {"accepted": False, "closed": False}

        async def tracked(message: Message) -> None:
            kind = message.get("type")
            if kind == "websocket.accept":
                outage.recovered()
            await send(message)
            if kind == "websocket.accept":
                state["accepted"] = True
            elif kind == "websocket.close":
                state["closed"] = True

        try:
            await self.app(scope, receive, tracked)
        except ClientDisconnected:
            return
        except (RedisError, OSError) as exc:
            outage.failed(exc)
            if state["closed"]:
                return
            try:
                if not state["accepted"]:
                    await send({"type": "websocket.accept"})
                await send({"type": "websocket.close", "code": int(CloseCode.TRY_AGAIN)})
            except (ClientDisconnected, OSError, RuntimeError):
                return
