"""The guarded consumer base every websocket stands on (chat, calls, the live badge; talk-now, alerts and group
threads next).

A subclass says what it needs (``check_access`` through the page's own access helper, ``required_role``, its
groups and frames); the base does the rest the same way for every socket:

- the Origin exactly this site's (``lib.sockets.origin_allowed``: scheme, host and port, as Django's CSRF check);
- signed in and active, MFA enrolled for roles that need it (as ``accounts.middleware`` does for pages), the
  socket's role, then the access helper: 4401 / 4403 / 4404 (``CloseCode``);
- a re-check of the session (unexpired, not idled out, not signed out, the password unchanged), the person
  (active, MFA, role) and the access at least every ``SESSION_RECHECK_SECONDS`` while the socket is quiet, at
  every heartbeat, and at once on ``close_user_sockets``: the socket closes within 30 s of its session ending
  for any reason, without waiting for the client;
- frames: text only, at most ``max_frame_bytes``, JSON objects (deep nesting included) or an error frame;
- clean-up (``cleanup``, leaving every group joined) however the socket ends: a normal close, the client
  vanishing while the server awaits something (uvicorn's ``ClientDisconnected`` on the next send), an error.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from importlib import import_module
from typing import Any, ClassVar

from allauth.mfa.models import Authenticator
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.dispatch import Signal
from django.http import Http404
from django.utils.crypto import constant_time_compare
from redis.exceptions import RedisError
from uvicorn.protocols.utils import ClientDisconnected

from alongside.lib.sockets import CloseCode, origin_allowed, session_tag, user_group

log = logging.getLogger("alongside.sockets")

MAX_FRAME_BYTES = 16 * 1024
SESSION_RECHECK_SECONDS = 25.0
"""A socket re-checks its session, its person and its access at least this often, sent to or not: with the
time a check takes, it closes within 30 s of its session ending."""
SESSION_TOUCH_SECONDS = 300
"""Activity on a socket (a sent message) extends an idle-limited session at most this often (it is a write)."""
MIN_RECHECK_PAUSE = 0.1
PROMPTED_RECHECK_TRIES = 4
"""A re-check asked for by ``close_user_sockets`` (a removal, a role change) that meets a passing database error is
tried again this many times, a little later each time, before the periodic re-check is left to do it: the person
should lose access at once, and a socket that died of the error instead would leave their page reconnecting."""


socket_refused = Signal()
"""Sent (in a worker thread) when a socket is refused before any access helper ran: another origin, or a person who
may not hold a socket (inactive, MFA missing, the socket's role). Arguments: ``user_id`` (None when not signed in),
``path``, ``code`` and ``why`` ("origin" or "person"). The audit app records each as a denial, as it does every
access helper's refusal (lib imports no app)."""


class Refused(Exception):
    """Raised by ``check_access`` to refuse a socket with a particular close code."""

    def __init__(self, code: CloseCode) -> None:
        super().__init__(int(code))
        self.code = code


def has_totp(user_id: int) -> bool:
    """The same rule as ``accounts.middleware`` (kept here so that lib imports no app)."""
    return Authenticator.objects.filter(user_id=user_id, type=Authenticator.Type.TOTP).exists()


def person_refused(user: Any, required_role: str | None, *, guests: bool = False) -> CloseCode | None:
    """Why this person may not hold the socket whatever it is for, or None. A debrief guest holds only the sockets
    that take guests (their debrief's thread): elsewhere, as on pages, nothing is there for them (4404)."""
    if not user.is_active:
        return CloseCode.FORBIDDEN
    if getattr(user, "is_guest", False) and not guests:
        return CloseCode.NOT_FOUND
    if user.needs_mfa and not has_totp(user.pk):
        return CloseCode.FORBIDDEN
    if required_role is not None and not getattr(user, f"is_{required_role}", False):
        return CloseCode.FORBIDDEN
    return None


def session_user(session_key: str, user_id: int, *, touch: bool = False) -> Any:
    """The person of a still-valid session, or the close code saying why it is not.

    Valid: it exists and is unexpired (idle-limited roles' sessions expire after their idle minutes), it is this
    person's, and its auth hash matches the password (changed elsewhere: every other session ends). ``touch``
    counts as activity for roles whose sessions end after idle minutes, as a page view would.
    """
    if not session_key:
        return CloseCode.UNAUTHENTICATED
    store: SessionBase = import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)
    if str(store.get(SESSION_KEY, "")) != str(user_id):  # an expired or deleted session loads as empty
        return CloseCode.UNAUTHENTICATED
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return CloseCode.UNAUTHENTICATED
    if not user.is_active:
        return CloseCode.FORBIDDEN
    stored_hash = store.get(HASH_SESSION_KEY)
    if not stored_hash or not constant_time_compare(stored_hash, user.get_session_auth_hash()):
        return CloseCode.UNAUTHENTICATED
    if touch and user.needs_mfa:
        store.set_expiry(settings.ALONGSIDE_STAFF_IDLE_SECONDS)
        store.save()
    return user


class GuardedConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    """The base of every websocket. Subclasses implement ``check_access`` and the ``opening``/``opened``/
    ``before_close``/``cleanup`` hooks they need, and ``receive_json`` for their frames."""

    max_frame_bytes: ClassVar[int] = MAX_FRAME_BYTES
    """Subclasses whose frames carry more (a call's SDP) raise this."""
    required_role: ClassVar[str | None] = None
    """A role the socket needs ("supporter", "coordinator"); losing it closes the socket (4403)."""
    takes_guests: ClassVar[bool] = False
    """Whether a debrief guest may hold it (only the thread socket: its own check admits a debrief's members)."""

    user: Any
    user_id: int
    session_key: str
    session_tag: str
    ended: bool
    joined: list[str]

    # --- the life of a socket ---------------------------------------------------------------------------------

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.joined = []
        self.ended = False
        self._released = False
        self._watcher: asyncio.Task[None] | None = None
        try:
            await super().__call__(scope, receive, send)
        except ClientDisconnected:
            pass  # the client went away while this socket awaited something: clean up below all the same
        finally:
            await self._release()

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels closes stale database connections before every event, a hop to its shared worker thread
        # for each frame and broadcast. Our consumers touch the database only through database_sync_to_async,
        # which does that housekeeping itself, so the hop is pure cost under load.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self) -> None:
        if not origin_allowed(self.scope):
            user = self.scope.get("user")
            await self._refused(getattr(user, "pk", None), CloseCode.FORBIDDEN, "origin")
            await self.close(code=CloseCode.FORBIDDEN)
            return
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=CloseCode.UNAUTHENTICATED)
            return
        self.user, self.user_id = user, user.pk
        session = self.scope.get("session")
        self.session_key = getattr(session, "session_key", None) or ""
        self.session_tag = session_tag(self.session_key)
        try:
            access = await database_sync_to_async(self._admit)(user)
        except Refused as refused:
            await self.close(code=refused.code)
            return
        except Http404:
            await self.close(code=CloseCode.NOT_FOUND)
            return
        except PermissionDenied:
            await self.close(code=CloseCode.FORBIDDEN)
            return
        # Groups before the accept: with Redis unreachable the socket is told to try again, never half open.
        await self.join(user_group(self.user_id))
        await self.opening(access)
        await self.accept()
        self.checked_at = self.touched_at = time.monotonic()
        self._watcher = asyncio.create_task(self._watch(), name="socket-recheck")
        await self.opened()

    async def _refused(self, user_id: int | None, code: CloseCode, why: str) -> None:
        await database_sync_to_async(socket_refused.send)(
            type(self), user_id=user_id, path=str(self.scope.get("path", ""))[:200], code=int(code), why=why
        )

    async def disconnect(self, code: int) -> None:
        await self._release()

    async def join(self, group: str) -> None:
        """Join a channel-layer group; it is left again however the socket ends."""
        await self.channel_layer.group_add(group, self.channel_name)
        self.joined.append(group)

    async def close_with(self, code: CloseCode) -> None:
        """Close the socket for good (``before_close`` first); frames already on their way are refused."""
        if self.ended:
            return
        self.ended = True
        await self.before_close(code)
        await self.close(code=int(code))

    async def _release(self) -> None:
        if self._released:
            return
        self._released = True
        self.ended = True
        watcher = self._watcher
        if watcher is not None and watcher is not asyncio.current_task():
            watcher.cancel()
        try:
            await self.cleanup()
        except (RedisError, OSError) as exc:  # an outage: SocketGuard says so once
            log.info("%s: clean-up could not reach Redis (%s)", type(self).__name__, type(exc).__name__)
        except Exception as exc:
            log.warning("%s: clean-up failed (%s)", type(self).__name__, type(exc).__name__)
        layer, joined, self.joined = self.channel_layer, self.joined, []
        for group in joined:
            try:
                await layer.group_discard(group, self.channel_name)
            except Exception as exc:  # Redis gone: its own expiry drops the membership
                log.info("%s: a group was not left (%s)", type(self).__name__, type(exc).__name__)

    # --- hooks for subclasses ---------------------------------------------------------------------------------

    def check_access(self, user: Any) -> Any:
        """Runs in a worker thread at connect and at every re-check, through the page's own access helper.

        Raise ``Http404`` (4404 at connect, 4403 later: no longer allowed), ``PermissionDenied`` or ``Refused``.
        What it returns is passed to ``opening`` and ``rechecked``.
        """
        return None

    async def opening(self, access: Any) -> None:
        """Before the accept: set up state and ``join`` groups."""

    async def opened(self) -> None:
        """After the accept: the first frames."""

    async def rechecked(self, access: Any) -> None:
        """After a passing re-check, with what ``check_access`` returned."""

    async def before_close(self, code: CloseCode) -> None:
        """The server is about to close the socket (signed out, refused, thread closed): last frames."""

    async def cleanup(self) -> None:
        """However the socket ends, once. Do the in-process part first: Redis may be gone."""

    # --- re-checks --------------------------------------------------------------------------------------------

    def _admit(self, user: Any) -> Any:
        code = person_refused(user, self.required_role, guests=self.takes_guests)
        if code is not None:
            socket_refused.send(
                type(self), user_id=user.pk, path=str(self.scope.get("path", ""))[:200], code=int(code), why="person"
            )
            raise Refused(code)
        return self.check_access(user)

    def _recheck_sync(self, touch: bool) -> tuple[CloseCode | None, Any]:
        found = session_user(self.session_key, self.user_id, touch=touch)
        if isinstance(found, CloseCode):
            return found, None
        code = person_refused(found, self.required_role, guests=self.takes_guests)
        if code is not None:
            return code, None
        try:
            return None, self.check_access(found)
        except Refused as refused:
            return refused.code, None
        except (Http404, PermissionDenied):
            return CloseCode.FORBIDDEN, None

    async def recheck(self, *, touch: bool = False) -> bool:
        """Check the session, the person and the access now; close the socket when any has gone."""
        if self.ended:
            return False
        moment = time.monotonic()
        code, access = await database_sync_to_async(self._recheck_sync)(touch)
        self.checked_at = moment
        if touch:
            self.touched_at = moment
        if code is not None:
            await self.close_with(code)
            return False
        await self.rechecked(access)
        return not self.ended

    async def activity(self) -> bool:
        """The client did something: re-check if due, and count it as activity for idle-limited sessions."""
        moment = time.monotonic()
        touch = moment - self.touched_at > SESSION_TOUCH_SECONDS
        if touch or moment - self.checked_at > SESSION_RECHECK_SECONDS:
            return await self.recheck(touch=touch)
        return not self.ended

    async def _watch(self) -> None:
        while not self.ended:
            due = self.checked_at + SESSION_RECHECK_SECONDS - time.monotonic()
            await asyncio.sleep(max(due, MIN_RECHECK_PAUSE))
            if self.ended or time.monotonic() - self.checked_at < SESSION_RECHECK_SECONDS:
                continue
            try:
                await self.recheck()
            except ClientDisconnected:
                return  # the receive side notices too, and the clean-up runs there
            except Exception as exc:  # the database is unavailable: keep the socket, try again next time
                self.checked_at = time.monotonic()
                log.warning("%s: the session re-check failed (%s)", type(self).__name__, type(exc).__name__)

    # --- events for every socket ------------------------------------------------------------------------------

    async def socket_close(self, event: dict[str, Any]) -> None:
        """``close_user_sockets``: signed out (this session only) or deactivated (every session)."""
        if event.get("user_id") != self.user_id or event.get("session") not in ("", self.session_tag):
            return
        await self.close_with(CloseCode(int(event.get("code", CloseCode.UNAUTHENTICATED))))

    async def socket_recheck(self, event: dict[str, Any]) -> None:
        """``close_user_sockets``: the password, a role, the MFA or an access changed: check everything now."""
        if event.get("user_id") != self.user_id:
            return
        for attempt in range(PROMPTED_RECHECK_TRIES):
            try:
                await self.recheck()
                return
            except DatabaseError as exc:
                log.warning("%s: a prompted re-check failed (%s)", type(self).__name__, type(exc).__name__)
                await asyncio.sleep(MIN_RECHECK_PAUSE * (attempt + 1))
        self.checked_at = time.monotonic() - SESSION_RECHECK_SECONDS  # the watcher's next turn checks again

    # --- frames -----------------------------------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any) -> None:
        if self.ended:
            await self.send_error("closed")
            return
        if text_data is None:
            await self.send_error("binary frames are not accepted")
            return
        if len(text_data.encode("utf-8")) > self.max_frame_bytes:
            await self.send_error("frame too large")
            return
        try:
            content = json.loads(text_data)
        except (ValueError, RecursionError):  # RecursionError: a few kB of nested brackets
            await self.send_error("frames must be JSON")
            return
        if not isinstance(content, dict):
            await self.send_error("frames must be JSON objects")
            return
        await self.receive_json(content, **kwargs)

    async def send_error(self, error: str, **extra: Any) -> None:
        await self.send_json({"type": "error", "error": error, **extra})
