"""The chat websocket, ``ws/threads/<id>/``: frames in, service calls out. The guarded base
(``lib.consumers.GuardedConsumer``) admits and re-checks the person through the thread page's own helper; the
frame protocol and the close codes are in docs/conversations.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from channels.db import database_sync_to_async
from django.core.cache import cache
from uvicorn.protocols.utils import ClientDisconnected

from alongside.conversations import selectors, services
from alongside.conversations.access import get_thread_for_member, thread_accepts_messages
from alongside.conversations.models import BODY_MAX_LENGTH, Thread
from alongside.conversations.services import Pending
from alongside.conversations.writer import get_writer
from alongside.lib.consumers import GuardedConsumer
from alongside.lib.presence import Presence
from alongside.lib.ratelimit import InOrder, Window
from alongside.lib.sockets import CloseCode, chat_group

RATE_MESSAGES = 20
RATE_WINDOW_SECONDS = 10
TYPING_EVERY_SECONDS = 2.0
PRESENCE_SECONDS = 70
"""A socket counts as present this long after its last heartbeat (the client pings every 25 s)."""
OFFLINE_NOTICE_GATE_SECONDS = 60

presence = Presence("chat", ttl=PRESENCE_SECONDS)
"""Who has the thread open: a member without a socket on it is told about new messages."""
send_rate = Window("chat.rate", limit=RATE_MESSAGES, seconds=RATE_WINDOW_SECONDS)
"""Sends per person across all their sockets and processes."""

CLOSING_FRAMES = {
    CloseCode.UNAUTHENTICATED: {"type": "signed_out"},
    CloseCode.FORBIDDEN: {"type": "forbidden"},
    CloseCode.THREAD_CLOSED: {"type": "closed"},
}
RETRYABLE = {"rate_limited", "not_stored"}
"""Refusals the client retries: later sends on the socket wait for the refused one (``InOrder``)."""


def _queue_offline_notice(thread_id: int, user_id: int) -> None:
    from alongside.conversations.tasks import message_waiting  # tasks import the notices, which import the views

    message_waiting(thread_id, user_id)


class ThreadConsumer(GuardedConsumer):
    """One person's socket on one thread."""

    takes_guests = True

    thread_id: int
    accepts: bool
    counted = False
    """Counted in ``presence`` (from the hello on): the clean-up takes it off again, once."""
    pinging: asyncio.Task[None] | None = None
    """The heartbeat's re-check under way, if any."""

    def check_access(self, user: Any) -> Thread:
        return get_thread_for_member(user, self.thread_id, via=self.scope.get("path", ""))

    async def connect(self) -> None:
        self.thread_id = int(self.scope["url_route"]["kwargs"]["pk"])
        await super().connect()

    async def opening(self, access: Thread) -> None:
        self.accepts = await database_sync_to_async(thread_accepts_messages)(access)
        self.last_seq = access.last_seq
        self.names, self.member_ids = await database_sync_to_async(self._members)()
        self.typing_at = 0.0
        self.order = InOrder()
        await self.join(chat_group(self.thread_id))

    def _members(self) -> tuple[dict[int, str], list[int]]:
        return selectors.member_names(self.thread_id), selectors.member_ids(self.thread_id)

    async def opened(self) -> None:
        presence.arrive(self.thread_id, self.user_id, self.channel_name)
        self.counted = True
        await self.send_json(
            {"type": "hello", "thread": self.thread_id, "last_seq": self.last_seq, "open": self.accepts}
        )

    async def rechecked(self, access: Thread) -> None:
        if self.accepts and not await database_sync_to_async(thread_accepts_messages)(access):
            self.accepts = False
            await self.close_with(CloseCode.THREAD_CLOSED)

    async def before_close(self, code: CloseCode) -> None:
        frame = CLOSING_FRAMES.get(code)
        if frame is not None:
            await self.send_json(frame)

    async def cleanup(self) -> None:
        if self.pinging is not None:
            self.pinging.cancel()
        if self.counted:
            self.counted = False
            presence.leave_here(self.thread_id, self.user_id)
            presence.leave_cache(self.thread_id, self.user_id, self.channel_name)

    # --- frames from the client ---------------------------------------------------------------------------

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
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
        # The re-check runs beside the socket's other events, not in front of them: a socket handles its events one
        # at a time, so while the database is slow (PostgreSQL on a busy machine) its deliveries would otherwise
        # wait seconds behind its heartbeat. One re-check at a time per socket; a ping meanwhile is answered by it.
        if self.pinging is None or self.pinging.done():
            self.pinging = asyncio.create_task(self._answer_ping())

    async def _answer_ping(self) -> None:
        with contextlib.suppress(ClientDisconnected):
            if await self.recheck():
                presence.refresh(self.thread_id, self.user_id, self.channel_name)
                await self.send_json({"type": "pong"})

    async def on_send(self, content: dict[str, Any]) -> None:
        key, body = content.get("key"), content.get("body")
        problem = services.check_pending(Pending(self.thread_id, self.user_id, key, body))  # type: ignore[arg-type]
        if problem:  # the same checks the writer makes again when it stores
            extra = {"limit": BODY_MAX_LENGTH} if problem == "too_long" else {}
            await self.send_error(problem, key=key if isinstance(key, str) else None, **extra)
            return
        assert isinstance(key, str) and isinstance(body, str)  # for the type checker: check_pending passed
        item = Pending(self.thread_id, self.user_id, key, body)
        if self.order.blocks(key):
            await self.send_error("rate_limited", key=key, retry_after=self.order.wait())
            return
        if not await self.activity():
            return
        wait = send_rate.hit(self.user_id, limit=RATE_MESSAGES)
        if wait:
            self.order.refused(key, retry_after=wait)
            await self.send_error("rate_limited", key=key, retry_after=wait)
            return
        broadcast = {"type": "chat.message", "sender_id": self.user_id, "body": body, "key": key}
        try:
            stored = await get_writer().submit(item, broadcast)
        except Exception:
            self.order.refused(key, retry_after=1)
            await self.send_error("not_stored", key=key, retry_after=1)
            return
        self.order.settled(key)
        if stored.error == "forbidden":
            await self.send_error("forbidden", key=key)
            await self.close_with(CloseCode.FORBIDDEN)
            return
        if stored.error:
            await self.send_error(stored.error, key=key)
            return
        await self.send_json({"type": "ack", "key": key, "seq": stored.seq})
        if stored.created:
            await self._notice_offline_members()

    async def _notice_offline_members(self) -> None:
        others = [uid for uid in self.member_ids if uid != self.user_id]
        for uid in presence.absent(self.thread_id, others):
            if cache.add(f"chat.offline.{self.thread_id}.{uid}", 1, OFFLINE_NOTICE_GATE_SECONDS):
                await database_sync_to_async(_queue_offline_notice)(self.thread_id, uid)

    async def on_resume(self, content: dict[str, Any]) -> None:
        after = content.get("after")
        if not isinstance(after, int) or isinstance(after, bool) or after < 0:
            await self.send_error("resume needs after: a seq (0 for everything)")
            return
        if not await self.recheck():
            return
        frames = await database_sync_to_async(self._replay)(after)
        if frames is None:
            await self.send_json({"type": "reload"})
            return
        for frame in frames:
            await self.send_json(frame)
        last = frames[-1]["seq"] if frames else after
        await self.send_json({"type": "resumed", "last_seq": last})

    def _replay(self, after: int) -> list[dict[str, Any]] | None:
        found = selectors.messages_after(self.thread_id, after)
        if len(found) > selectors.REPLAY_LIMIT:
            return None
        return [selectors.message_frame(m, viewer_id=self.user_id, names=self.names) for m in found]

    async def on_read(self, content: dict[str, Any]) -> None:
        seq = content.get("seq")
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
            await self.send_error("read needs seq")
            return
        mark = await database_sync_to_async(services.mark_read)(thread_id=self.thread_id, user_id=self.user_id, seq=seq)
        await self.channel_layer.group_send(
            chat_group(self.thread_id), {"type": "chat.read", "reader_id": self.user_id, "seq": mark}
        )

    async def on_typing(self, content: dict[str, Any]) -> None:
        moment = time.monotonic()
        if moment - self.typing_at < TYPING_EVERY_SECONDS or not self.accepts:
            return
        self.typing_at = moment
        await self.channel_layer.group_send(
            chat_group(self.thread_id),
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
        await self.channel_layer.group_send(chat_group(self.thread_id), {"type": "chat.deleted", "seq": seq})

    # --- events from the channel layer ------------------------------------------------------------------------

    async def chat_message(self, event: dict[str, Any]) -> None:
        if self.ended:
            return
        sender_id = event["sender_id"]
        if sender_id not in self.names:  # someone who joined after this socket opened (groups, later)
            self.names = await database_sync_to_async(selectors.member_names)(self.thread_id)
        await self.send_json(
            selectors.frame(
                seq=event["seq"],
                sender_id=sender_id,
                body=event["body"],
                at=event["at"],
                key=event["key"],
                viewer_id=self.user_id,
                names=self.names,
                card=event.get("card"),
            )
        )

    async def chat_read(self, event: dict[str, Any]) -> None:
        if not self.ended:
            await self.send_json({"type": "read", "seq": event["seq"], "mine": event["reader_id"] == self.user_id})

    async def chat_typing(self, event: dict[str, Any]) -> None:
        if not self.ended and event["sender_id"] != self.user_id:
            await self.send_json({"type": "typing", "sender": event["sender"]})

    async def chat_deleted(self, event: dict[str, Any]) -> None:
        if not self.ended:
            await self.send_json({"type": "deleted", "seq": event["seq"]})

    async def thread_closed(self, event: dict[str, Any]) -> None:
        """The thread's connection closed."""
        self.accepts = False
        await self.close_with(CloseCode.THREAD_CLOSED)
