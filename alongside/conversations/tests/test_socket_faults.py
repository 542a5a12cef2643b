"""The chaos run's faults, reproduced: clean-up when a client vanishes mid-await, and one sender's order under the
rate limit."""

from __future__ import annotations

import math
import time
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from alongside.asgi import application
from alongside.connections.tests import factories as connection_factories
from alongside.conversations import consumers
from alongside.conversations.models import Message
from alongside.conversations.services import get_or_create_thread_for_connection, post_message
from alongside.lib.sockets import chat_group, user_group
from alongside.lib.tests.cut import Browser, group_members
from tests import factories

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio, pytest.mark.usefixtures("close_sockets")]


@sync_to_async
def _cast() -> dict[str, Any]:
    member = factories.member(display_name="Alice")
    supporter = factories.supporter(display_name="Bob")
    thread = get_or_create_thread_for_connection(connection=connection_factories.connection(member, supporter))
    for n in (1, 2):
        post_message(thread_id=thread.pk, sender_id=supporter.pk, client_key=f"s{n}", body=f"earlier {n}")
    client = Client()
    client.force_login(member)
    return {"member": member, "thread": thread, "cookie": client.cookies[settings.SESSION_COOKIE_NAME].value}


SCRIPT = [
    '{"type": "resume", "after": 0}',  # replay: two messages, then resumed
    '{"type": "send", "key": "k1", "body": "hello"}',  # the writer: ack (and the broadcast back)
    '{"type": "ping"}',  # the session re-check: pong
    '{"type": "read", "seq": 3}',  # mark_read, then the read broadcast
    '{"type": "typing"}',
]
SENDS = 9
"""accept, hello, 2 replayed, resumed, ack, the message's broadcast, pong, read."""


@pytest.mark.parametrize("cut_at", range(SENDS + 1))
async def test_a_socket_cut_at_any_await_leaves_no_group_membership_or_presence_behind(cut_at):
    cast = await _cast()
    thread_id, member_id = cast["thread"].pk, cast["member"].pk
    browser = Browser(f"/ws/threads/{thread_id}/", cast["cookie"], cut_at)
    await browser.run(SCRIPT)
    assert len(browser.received) == cut_at
    for group in (chat_group(thread_id), user_group(member_id)):
        assert await group_members(group) == [], f"cut after {cut_at} frames: a channel left in {group}"
    assert (thread_id, member_id) not in consumers.presence.here
    assert cache.get(f"chat.here.{thread_id}.{member_id}") is None


@pytest.mark.parametrize("cut_at", range(SENDS + 1))
async def test_a_cut_socket_does_not_stop_the_offline_notice_for_that_person(cut_at):
    """Before, a socket that vanished mid-await stayed counted as open here, and its person got no notices."""
    cast = await _cast()
    thread, member = cast["thread"], cast["member"]
    browser = Browser(f"/ws/threads/{thread.pk}/", cast["cookie"], cut_at)
    await browser.run(SCRIPT)
    others = await sync_to_async(lambda: [thread.connection.supporter.user_id])()
    assert consumers.presence.absent(thread.pk, [member.pk, *others]) == [member.pk, *others]


# --- one sender's order under the rate limit --------------------------------------------------------------------


async def _open(thread_id: int, cookie: str) -> Any:
    from channels.testing import WebsocketCommunicator

    socket = WebsocketCommunicator(
        application,
        f"/ws/threads/{thread_id}/",
        headers=[
            (b"origin", b"http://127.0.0.1:8000"),
            (b"host", b"127.0.0.1:8000"),
            (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()),
        ],
    )
    assert (await socket.connect())[0]
    assert (await socket.receive_json_from(timeout=3))["type"] == "hello"
    return socket


async def _reply_to(socket: Any, key: str) -> dict[str, Any]:
    """The ack or error for ``key`` (skipping the broadcasts of one's own messages)."""
    while True:
        frame = await socket.receive_json_from(timeout=3)
        if frame["type"] in ("ack", "error") and frame.get("key") == key:
            return frame


class Clock:
    def __init__(self, at: float) -> None:
        self.at = at

    def __call__(self) -> float:
        return self.at


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Wall time the test moves: 7 s into a 10 s rate window."""
    start = math.floor(time.time() / consumers.RATE_WINDOW_SECONDS) * consumers.RATE_WINDOW_SECONDS + 7.0
    fake = Clock(start)
    monkeypatch.setattr(time, "time", fake)
    return fake


async def test_a_refused_message_is_not_overtaken_by_later_ones_from_the_same_socket(clock, monkeypatch):
    monkeypatch.setattr(consumers, "RATE_MESSAGES", 2)
    cast = await _cast()
    socket = await _open(cast["thread"].pk, cast["cookie"])
    for key in ("k1", "k2"):
        await socket.send_json_to({"type": "send", "key": key, "body": key})
        assert (await _reply_to(socket, key))["type"] == "ack"
    await socket.send_json_to({"type": "send", "key": "k3", "body": "k3"})
    refused = await _reply_to(socket, "k3")
    assert refused["error"] == "rate_limited"
    clock.at += 3.5  # the next window: k4, pipelined behind k3, must not be stored before it
    await socket.send_json_to({"type": "send", "key": "k4", "body": "k4"})
    held = await _reply_to(socket, "k4")
    assert held["type"] == "error" and held["error"] == "rate_limited", held
    for key in ("k3", "k4"):  # the client resends its outbox in order
        await socket.send_json_to({"type": "send", "key": key, "body": key})
        assert (await _reply_to(socket, key))["type"] == "ack"
    mine = await sync_to_async(
        lambda: list(Message.objects.filter(sender=cast["member"]).order_by("seq").values_list("client_key", flat=True))
    )()
    assert mine == ["k1", "k2", "k3", "k4"]
    await socket.disconnect()


async def test_retry_after_is_the_time_left_in_the_window(clock, monkeypatch):
    monkeypatch.setattr(consumers, "RATE_MESSAGES", 1)
    cast = await _cast()
    socket = await _open(cast["thread"].pk, cast["cookie"])
    await socket.send_json_to({"type": "send", "key": "a", "body": "a"})
    assert (await _reply_to(socket, "a"))["type"] == "ack"
    await socket.send_json_to({"type": "send", "key": "b", "body": "b"})
    assert (await _reply_to(socket, "b"))["retry_after"] == 3  # 7 s into a 10 s window
    clock.at += 2.2
    await socket.send_json_to({"type": "send", "key": "c", "body": "c"})  # held behind b: told the same wait
    assert (await _reply_to(socket, "c"))["retry_after"] == 1
    await socket.disconnect()
