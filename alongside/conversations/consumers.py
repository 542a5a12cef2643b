"""The chat websocket, ``ws/threads/<id>/``: thin. It authenticates, checks access with the same
helper as the thread page, and calls the services; the frame protocol is in docs/conversations.md.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.http import Http404

from alongside.conversations import selectors, services
from alongside.conversations.access import get_thread_for_member, thread_accepts_messages
from alongside.conversations.models import BODY_MAX_LENGTH, CLIENT_KEY_MAX_LENGTH
from alongside.conversations.services import Pending
from alongside.conversations.writer import get_writer, thread_group
from alongside.lib.consumers import SafeJsonConsumer

CLOSE_UNAUTHENTICATED = 4401
"""Not signed in, signed out, or the session expired."""
CLOSE_FORBIDDEN = 4403
"""The account was deactivated or the person is no longer a member."""
CLOSE_NOT_FOUND = 4404
"""No such thread for this person (the same for a thread that does not exist)."""
CLOSE_THREAD_CLOSED = 4410
"""The connection closed: the thread can still be read on the page, but not over a socket."""

RATE_MESSAGES = 20
RATE_WINDOW_SECONDS = 10
SESSION_RECHECK_SECONDS = 30
"""A send re-checks the session at most this often; every heartbeat (25 s) re-checks it too."""
SESSION_TOUCH_SECONDS = 300
"""Sending extends an idle-limited session at most this often per socket (a write, so not on every send)."""
TYPING_EVERY_SECONDS = 2.0
PRESENCE_SECONDS = 70
"""A socket counts as present this long after its last heartbeat (the client pings every 25 s)."""
OFFLINE_NOTICE_GATE_SECONDS = 60


def session_tag(session_key: str) -> str:
    """Names a session in close events without the key itself (a credential; events may pass through Redis)."""
    return hashlib.sha256(("chat-session:" + session_key).encode()).hexdigest()[:40]


# Sockets open in this process, by (thread, person): exact, and free to read. The cache key below tells
# other processes (with REDIS_URL); an in-process cache may also drop it when it is full.
_open_here: Counter[tuple[int, int]] = Counter()


def presence_key(thread_id: int, user_id: int) -> str:
    return f"chat.here.{thread_id}.{user_id}"


def rate_limited(user_id: int) -> bool:
    """At most RATE_MESSAGES sends per RATE_WINDOW_SECONDS per person, across all their sockets (in the cache)."""
    window = int(time.time() // RATE_WINDOW_SECONDS)
    key = f"chat.rate.{user_id}.{window}"
    cache.add(key, 0, RATE_WINDOW_SECONDS * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, RATE_WINDOW_SECONDS * 2)
        count = 1
    return count > RATE_MESSAGES


def session_still_valid(session_key: str | None, user_id: int, *, active: bool = False) -> bool:
    """The session behind the socket still exists, is unexpired, belongs to this person, and they are active.

    ``active`` (the person just sent a message) counts as activity for roles whose sessions end after
    idle minutes (accounts.middleware): chatting over the socket keeps their session, as pages would.
    """
    from importlib import import_module

    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.base import SessionBase

    if not session_key:
        return False
    store: SessionBase = import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)
    if str(store.get(SESSION_KEY, "")) != str(user_id):  # an expired or deleted session loads as empty
        return False
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    if active and user.needs_mfa:
        store.set_expiry(settings.ALONGSIDE_STAFF_IDLE_SECONDS)
        store.save()
    return True


def _open_thread(user: Any, thread_id: int, path: str) -> tuple[bool, int, dict[int, str], list[int]]:
    thread = get_thread_for_member(user, thread_id, via=path)
    return (
        thread_accepts_messages(thread),
        thread.last_seq,
        selectors.member_names(thread.pk),
        selectors.member_ids(thread.pk),
    )


def _recheck(user: Any, thread_id: int, path: str) -> bool:
    try:
        get_thread_for_member(user, thread_id, via=path)
    except Http404:
        return False
    return True


def _replay(thread_id: int, after: int, viewer_id: int, names: dict[int, str]) -> list[dict[str, Any]] | None:
    found = selectors.messages_after(thread_id, after)
    if len(found) > selectors.REPLAY_LIMIT:
        return None
    return [selectors.message_frame(m, viewer_id=viewer_id, names=names) for m in found]


def _queue_offline_notice(thread_id: int, user_id: int) -> None:
    from alongside.conversations.tasks import message_waiting

    message_waiting(thread_id, user_id)


class ThreadConsumer(SafeJsonConsumer):
    """One person's socket on one thread."""

    groups_joined: list[str]

    async def connect(self) -> None:
        self.groups_joined = []
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.user = user
        self.user_id: int = user.pk
        self.thread_id: int = int(self.scope["url_route"]["kwargs"]["pk"])
        self.path: str = self.scope.get("path", "")
        session = self.scope.get("session")
        self.session_key: str | None = getattr(session, "session_key", None)
        try:
            opened = await database_sync_to_async(_open_thread)(user, self.thread_id, self.path)
        except Http404:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.accepts, last_seq, self.names, self.member_ids = opened
        self.checked_at = time.monotonic()
        self.typing_at = 0.0
        self.ended = False
        self.session_tag = session_tag(self.session_key or "")
        self.touched_at = time.monotonic()
        # One group per socket: the thread's. Close events for a person or a session come through it too, so
        # that the in-process channel layer (which scans every membership on each receive) stays small.
        await self._join(thread_group(self.thread_id))
        await self.accept()
        _open_here[(self.thread_id, self.user_id)] += 1
        self.counted = True
        self._mark_present()
        await self.send_json({"type": "hello", "thread": self.thread_id, "last_seq": last_seq, "open": self.accepts})

    async def _join(self, group: str) -> None:
        await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined.append(group)

    async def disconnect(self, code: int) -> None:
        if getattr(self, "counted", False):
            self.counted = False
            pair = (self.thread_id, self.user_id)
            _open_here[pair] -= 1
            if _open_here[pair] <= 0:
                del _open_here[pair]
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        if hasattr(self, "thread_id") and self.groups_joined:
            # Another socket of the same person (another tab) refreshes the key with its own name: leave it be.
            key = presence_key(self.thread_id, self.user_id)
            if cache.get(key) == self.channel_name:
                cache.delete(key)

    def _mark_present(self) -> None:
        cache.set(presence_key(self.thread_id, self.user_id), self.channel_name, PRESENCE_SECONDS)

    async def _end(self, code: int, frame: dict[str, Any] | None = None) -> None:
        """Close the socket for good; frames that were already on their way are refused."""
        if self.ended:
            return
        self.ended = True
        if frame:
            await self.send_json(frame)
        await self.close(code=code)

    async def _session_ok(self, *, active: bool = False) -> bool:
        moment = time.monotonic()
        touch = active and moment - self.touched_at > SESSION_TOUCH_SECONDS
        valid = await database_sync_to_async(session_still_valid)(self.session_key, self.user_id, active=touch)
        self.checked_at = moment
        if touch:
            self.touched_at = moment
        if not valid:
            await self._end(CLOSE_UNAUTHENTICATED, {"type": "signed_out"})
        return valid

    # --- frames from the client ---------------------------------------------------------------------------

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if self.ended:
            await self.send_error("closed")
            return
        kind = content.get("type")
        handler = {
            "send": self.on_send,
            "resume": self.on_resume,
            "read": self.on_read,
            "typing": self.on_typing,
            "delete": self.on_delete,
            "ping": self.on_ping,
        }.get(kind if isinstance(kind, str) else "")
        if handler is None:
            await self.send_error("unknown frame type")
            return
        await handler(content)

    async def on_ping(self, content: dict[str, Any]) -> None:
        if await self._session_ok():
            self._mark_present()
            await self.send_json({"type": "pong"})

    async def on_send(self, content: dict[str, Any]) -> None:
        key, body = content.get("key"), content.get("body")
        if not isinstance(key, str) or not 1 <= len(key) <= CLIENT_KEY_MAX_LENGTH:
            await self.send_error("bad_key", key=key if isinstance(key, str) else None)
            return
        if not isinstance(body, str) or not body.strip():
            await self.send_error("empty", key=key)
            return
        if len(body) > BODY_MAX_LENGTH:
            await self.send_error("too_long", key=key, limit=BODY_MAX_LENGTH)
            return
        if time.monotonic() - self.checked_at > SESSION_RECHECK_SECONDS and not await self._session_ok(active=True):
            return
        if rate_limited(self.user_id):
            await self.send_error("rate_limited", key=key, retry_after=RATE_WINDOW_SECONDS)
            return
        broadcast = {
            "type": "chat.message",
            "sender_id": self.user_id,
            "sender": self.names.get(self.user_id, "Someone"),
            "body": body,
            "key": key,
        }
        try:
            stored = await get_writer().submit(Pending(self.thread_id, self.user_id, key, body), broadcast)
        except Exception:
            await self.send_error("not_stored", key=key)
            return
        if stored.error == "forbidden":
            await self._end(CLOSE_FORBIDDEN, {"type": "error", "error": "forbidden", "key": key})
            return
        if stored.error:
            await self.send_error(stored.error, key=key)
            return
        await self.send_json({"type": "ack", "key": key, "seq": stored.seq})
        if stored.created:
            await self._notice_offline_members()

    async def _notice_offline_members(self) -> None:
        others = [uid for uid in self.member_ids if uid != self.user_id and (self.thread_id, uid) not in _open_here]
        if not others:
            return
        here = cache.get_many([presence_key(self.thread_id, uid) for uid in others])
        for uid in others:
            if presence_key(self.thread_id, uid) in here:
                continue
            if cache.add(f"chat.offline.{self.thread_id}.{uid}", 1, OFFLINE_NOTICE_GATE_SECONDS):
                await database_sync_to_async(_queue_offline_notice)(self.thread_id, uid)

    async def on_resume(self, content: dict[str, Any]) -> None:
        after = content.get("after")
        if not isinstance(after, int) or isinstance(after, bool) or after < 0:
            await self.send_error("resume needs after: a seq (0 for everything)")
            return
        if not await database_sync_to_async(_recheck)(self.user, self.thread_id, self.path):
            await self._end(CLOSE_FORBIDDEN)
            return
        frames = await database_sync_to_async(_replay)(self.thread_id, after, self.user_id, self.names)
        if frames is None:
            await self.send_json({"type": "reload"})
            return
        for frame in frames:
            await self.send_json(frame)
        last = frames[-1]["seq"] if frames else after
        await self.send_json({"type": "resumed", "last_seq": last})

    async def on_read(self, content: dict[str, Any]) -> None:
        seq = content.get("seq")
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
            await self.send_error("read needs seq")
            return
        mark = await database_sync_to_async(services.mark_read)(thread_id=self.thread_id, user_id=self.user_id, seq=seq)
        await self.channel_layer.group_send(
            thread_group(self.thread_id), {"type": "chat.read", "reader_id": self.user_id, "seq": mark}
        )

    async def on_typing(self, content: dict[str, Any]) -> None:
        moment = time.monotonic()
        if moment - self.typing_at < TYPING_EVERY_SECONDS or not self.accepts:
            return
        self.typing_at = moment
        await self.channel_layer.group_send(
            thread_group(self.thread_id),
            {"type": "chat.typing", "sender_id": self.user_id, "sender": self.names.get(self.user_id, "Someone")},
        )

    async def on_delete(self, content: dict[str, Any]) -> None:
        seq = content.get("seq")
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
            await self.send_error("delete needs seq")
            return
        deleted = await database_sync_to_async(services.delete_message)(
            thread_id=self.thread_id, user_id=self.user_id, seq=seq
        )
        if not deleted:
            await self.send_error("not_yours", seq=seq)
            return
        await self.channel_layer.group_send(thread_group(self.thread_id), {"type": "chat.deleted", "seq": seq})

    # --- events from the channel layer ------------------------------------------------------------------------

    async def chat_message(self, event: dict[str, Any]) -> None:
        if self.ended:
            return
        sender_id = event["sender_id"]
        if sender_id not in self.names:  # someone who joined after this socket opened (groups, later)
            self.names = await database_sync_to_async(selectors.member_names)(self.thread_id)
        frame = {
            "type": "message",
            "seq": event["seq"],
            "sender": event["sender"],
            "body": event["body"],
            "at": event["at"],
            "mine": sender_id == self.user_id,
        }
        if frame["mine"]:
            frame["key"] = event["key"]  # lets the sender's other tabs and its outbox match it up
        await self.send_json(frame)

    async def chat_read(self, event: dict[str, Any]) -> None:
        if not self.ended:
            await self.send_json({"type": "read", "seq": event["seq"], "mine": event["reader_id"] == self.user_id})

    async def chat_typing(self, event: dict[str, Any]) -> None:
        if not self.ended and event["sender_id"] != self.user_id:
            await self.send_json({"type": "typing", "sender": event["sender"]})

    async def chat_deleted(self, event: dict[str, Any]) -> None:
        if not self.ended:
            await self.send_json({"type": "deleted", "seq": event["seq"]})

    async def chat_close(self, event: dict[str, Any]) -> None:
        """Signed out (that session only) or deactivated (every session): close now."""
        if event.get("user_id") != self.user_id or event.get("session") not in ("", self.session_tag):
            return
        code = int(event.get("code", CLOSE_UNAUTHENTICATED))
        await self._end(code, {"type": "signed_out" if code == CLOSE_UNAUTHENTICATED else "forbidden"})

    async def chat_closed(self, event: dict[str, Any]) -> None:
        """The thread (its connection) closed."""
        self.accepts = False
        await self._end(CLOSE_THREAD_CLOSED, {"type": "closed"})
