"""The chat socket through the real ASGI stack (origin check + session cookie): access, delivery, limits, closing."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client

from alongside.asgi import application
from alongside.audit.models import AuditEvent, Outcome
from alongside.connections.models import ConnectionStatus
from alongside.connections.tests import factories as connection_factories
from alongside.conversations.consumers import RATE_MESSAGES
from alongside.conversations.models import BODY_MAX_LENGTH, Message, ThreadMember
from alongside.conversations.services import get_or_create_thread_for_connection, post_message
from alongside.lib.time import now
from tests import factories

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio, pytest.mark.usefixtures("close_sockets")]

ORIGIN = "http://127.0.0.1:8000"


def _signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _cookie(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


async def _open(thread_id: int, cookie: str | None, origin: str = ORIGIN) -> tuple[WebsocketCommunicator, bool, Any]:
    headers = [(b"origin", origin.encode()), (b"host", b"127.0.0.1:8000")]
    if cookie:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    socket = WebsocketCommunicator(application, f"/ws/threads/{thread_id}/", headers=headers)
    connected, code = await socket.connect()
    return socket, connected, code


async def _socket(thread_id: int, client: Client) -> WebsocketCommunicator:
    socket, connected, code = await _open(thread_id, _cookie(client))
    assert connected, code
    hello = await socket.receive_json_from()
    assert hello["type"] == "hello" and hello["thread"] == thread_id
    return socket


async def _frames(socket: WebsocketCommunicator, count: int, timeout: float = 3) -> list[dict[str, Any]]:
    return [await socket.receive_json_from(timeout=timeout) for _ in range(count)]


def _by_type(frames: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {frame["type"]: frame for frame in frames}


@pytest.fixture
def cast() -> dict[str, Any]:
    """A member and a supporter in a connection with its thread, and an outsider with a thread of their own."""
    return _make_cast()


@sync_to_async
def _async_cast() -> dict[str, Any]:
    return _make_cast()


def _make_cast() -> dict[str, Any]:
    member = factories.member(display_name="Alice")
    supporter = factories.supporter(display_name="Bob")
    outsider = factories.member(display_name="Oscar")
    connection = connection_factories.connection(member, supporter)
    thread = get_or_create_thread_for_connection(connection=connection)
    return {
        "member": member,
        "supporter": supporter,
        "outsider": outsider,
        "connection": connection,
        "thread": thread,
        "member_client": _signed_in(member),
        "supporter_client": _signed_in(supporter),
        "outsider_client": _signed_in(outsider),
    }


async def test_a_message_is_acknowledged_to_the_sender_and_reaches_both_sides():
    cast = await _async_cast()
    alice = await _socket(cast["thread"].pk, cast["member_client"])
    bob = await _socket(cast["thread"].pk, cast["supporter_client"])
    await alice.send_json_to({"type": "send", "key": "k-1", "body": "Hello Bob"})
    mine = _by_type(await _frames(alice, 2))
    assert mine["ack"] == {"type": "ack", "key": "k-1", "seq": 1}
    assert mine["message"]["mine"] is True and mine["message"]["key"] == "k-1"
    theirs = await bob.receive_json_from(timeout=3)
    assert {k: theirs[k] for k in ("type", "seq", "sender", "body", "mine")} == {
        "type": "message",
        "seq": 1,
        "sender": "Alice",
        "body": "Hello Bob",
        "mine": False,
    }
    assert "key" not in theirs and theirs["at"]
    await alice.disconnect()
    await bob.disconnect()


async def test_the_same_key_twice_is_stored_and_broadcast_once():
    cast = await _async_cast()
    alice = await _socket(cast["thread"].pk, cast["member_client"])
    bob = await _socket(cast["thread"].pk, cast["supporter_client"])
    await alice.send_json_to({"type": "send", "key": "same", "body": "once"})
    await _frames(alice, 2)
    await alice.send_json_to({"type": "send", "key": "same", "body": "once"})
    assert await alice.receive_json_from(timeout=3) == {"type": "ack", "key": "same", "seq": 1}
    assert (await bob.receive_json_from(timeout=3))["seq"] == 1
    assert await bob.receive_nothing(timeout=0.3)
    assert await alice.receive_nothing(timeout=0.1)
    assert await sync_to_async(Message.objects.count)() == 1
    await alice.disconnect()
    await bob.disconnect()


async def test_a_reconnecting_client_gets_what_it_missed_in_order_once():
    cast = await _async_cast()
    thread, member, supporter = cast["thread"], cast["member"], cast["supporter"]
    for n in range(1, 6):
        sender = member if n % 2 else supporter
        await sync_to_async(post_message)(thread_id=thread.pk, sender_id=sender.pk, client_key=f"k{n}", body=f"m{n}")
    bob = await _socket(thread.pk, cast["supporter_client"])
    await bob.send_json_to({"type": "resume", "after": 2})
    frames = await _frames(bob, 4)
    assert [(f["type"], f.get("seq"), f.get("body")) for f in frames] == [
        ("message", 3, "m3"),
        ("message", 4, "m4"),
        ("message", 5, "m5"),
        ("resumed", None, None),
    ]
    assert frames[-1]["last_seq"] == 5
    assert [f["mine"] for f in frames[:3]] == [False, True, False]
    await bob.send_json_to({"type": "resume", "after": 5})
    assert await bob.receive_json_from() == {"type": "resumed", "last_seq": 5}
    await bob.disconnect()


async def test_a_client_too_far_behind_is_told_to_reload():
    cast = await _async_cast()
    thread, member = cast["thread"], cast["member"]

    @sync_to_async
    def fill() -> None:
        Message.objects.bulk_create(
            [Message(thread=thread, seq=n, sender=member, client_key=f"k{n}", body="x") for n in range(1, 503)]
        )
        type(thread).objects.filter(pk=thread.pk).update(last_seq=502)

    await fill()
    bob = await _socket(thread.pk, cast["supporter_client"])
    await bob.send_json_to({"type": "resume", "after": 1})
    assert await bob.receive_json_from() == {"type": "reload"}
    await bob.send_json_to({"type": "resume", "after": 2})
    frames = await _frames(bob, 501)
    assert [f["seq"] for f in frames[:500]] == list(range(3, 503))
    await bob.disconnect()


async def test_a_deleted_message_replays_as_deleted_without_its_text():
    cast = await _async_cast()
    thread, member = cast["thread"], cast["member"]
    await sync_to_async(post_message)(thread_id=thread.pk, sender_id=member.pk, client_key="a", body="take it back")
    alice = await _socket(thread.pk, cast["member_client"])
    bob = await _socket(thread.pk, cast["supporter_client"])
    await bob.send_json_to({"type": "delete", "seq": 1})
    assert (await bob.receive_json_from())["error"] == "not_yours"
    await alice.send_json_to({"type": "delete", "seq": 1})
    assert await alice.receive_json_from() == {"type": "deleted", "seq": 1}
    assert await bob.receive_json_from() == {"type": "deleted", "seq": 1}
    await bob.send_json_to({"type": "resume", "after": 0})
    assert await bob.receive_json_from() == {"type": "deleted", "seq": 1}
    await alice.disconnect()
    await bob.disconnect()


async def test_read_marks_reach_the_other_side_and_typing_only_the_other_side():
    cast = await _async_cast()
    thread = cast["thread"]
    await sync_to_async(post_message)(thread_id=thread.pk, sender_id=cast["member"].pk, client_key="a", body="hi")
    alice = await _socket(thread.pk, cast["member_client"])
    bob = await _socket(thread.pk, cast["supporter_client"])
    await bob.send_json_to({"type": "read", "seq": 1})
    assert await alice.receive_json_from() == {"type": "read", "seq": 1, "mine": False}
    assert await bob.receive_json_from() == {"type": "read", "seq": 1, "mine": True}
    mark = await sync_to_async(lambda: ThreadMember.objects.get(thread=thread, user=cast["supporter"]).last_read_seq)()
    assert mark == 1
    await bob.send_json_to({"type": "typing"})
    assert await alice.receive_json_from() == {"type": "typing", "sender": "Bob"}
    assert await bob.receive_nothing(timeout=0.2)
    await alice.disconnect()
    await bob.disconnect()


async def test_the_heartbeat_is_answered():
    cast = await _async_cast()
    alice = await _socket(cast["thread"].pk, cast["member_client"])
    await alice.send_json_to({"type": "ping"})
    assert await alice.receive_json_from() == {"type": "pong"}
    await alice.disconnect()


# --- who gets in -----------------------------------------------------------------------------------------------


async def test_anonymous_visitors_are_refused():
    cast = await _async_cast()
    _, connected, code = await _open(cast["thread"].pk, None)
    assert not connected and code == 4401


async def test_a_foreign_origin_is_refused():
    cast = await _async_cast()
    _, connected, _code = await _open(cast["thread"].pk, _cookie(cast["member_client"]), "https://evil.example")
    assert not connected


async def test_another_connections_thread_is_refused_and_audited():
    cast = await _async_cast()
    thread = cast["thread"]
    _, connected, code = await _open(thread.pk, _cookie(cast["outsider_client"]))
    assert not connected and code == 4404
    event = await sync_to_async(AuditEvent.objects.get)(action="conversations.thread.view")
    assert event.outcome == Outcome.DENIED
    assert (event.actor_id, event.target_id) == (cast["outsider"].pk, str(thread.pk))
    assert event.details["method"] == "WEBSOCKET"


async def test_a_thread_that_does_not_exist_is_refused_the_same_way():
    cast = await _async_cast()
    _, connected, code = await _open(cast["thread"].pk + 999, _cookie(cast["member_client"]))
    assert not connected and code == 4404


# --- limits and bad frames -------------------------------------------------------------------------------------


async def test_an_oversized_message_is_refused_with_an_error_frame():
    cast = await _async_cast()
    alice = await _socket(cast["thread"].pk, cast["member_client"])
    await alice.send_json_to({"type": "send", "key": "big", "body": "x" * (BODY_MAX_LENGTH + 1)})
    error = await alice.receive_json_from()
    assert (error["type"], error["error"], error["key"]) == ("error", "too_long", "big")
    assert await sync_to_async(Message.objects.count)() == 0
    await alice.disconnect()


@pytest.mark.usefixtures("one_rate_window")
async def test_more_than_the_rate_across_two_sockets_is_refused():
    cast = await _async_cast()
    first = await _socket(cast["thread"].pk, cast["member_client"])
    second = await _socket(cast["thread"].pk, _signed_in(cast["member"]))
    for n in range(RATE_MESSAGES):
        socket = first if n % 2 else second
        await socket.send_json_to({"type": "send", "key": f"k{n}", "body": f"m{n}"})
        frames = _by_type(await _frames(socket, 2))
        assert frames["ack"]["seq"] == n + 1
        await (second if n % 2 else first).receive_json_from()  # the broadcast on the other socket
    await first.send_json_to({"type": "send", "key": "one-too-many", "body": "x"})
    refused = await first.receive_json_from()
    assert (refused["type"], refused.get("error"), refused.get("key")) == ("error", "rate_limited", "one-too-many"), (
        refused
    )
    assert await sync_to_async(Message.objects.count)() == RATE_MESSAGES
    await first.disconnect()
    await second.disconnect()


@pytest.mark.parametrize(
    "frame",
    [
        "not json",
        "[1, 2, 3]",
        '"a string"',
        '{"no": "type"}',
        '{"type": "launch_missiles"}',
        '{"type": 7}',
        '{"type": "send"}',
        '{"type": "send", "key": "k", "body": 12}',
        '{"type": "send", "key": "' + "k" * 65 + '", "body": "x"}',
        '{"type": "send", "key": "k", "body": "   "}',
        '{"type": "resume", "after": "zero"}',
        '{"type": "resume", "after": -1}',
        '{"type": "read", "seq": true}',
        '{"type": "delete"}',
    ],
)
async def test_malformed_frames_get_an_error_frame_and_the_socket_stays_up(frame):
    cast = await _async_cast()
    alice = await _socket(cast["thread"].pk, cast["member_client"])
    await alice.send_to(text_data=frame)
    assert (await alice.receive_json_from())["type"] == "error"
    await alice.send_to(bytes_data=b"\x00\x01")
    assert (await alice.receive_json_from())["type"] == "error"
    await alice.send_json_to({"type": "send", "key": "after", "body": "still here"})
    assert _by_type(await _frames(alice, 2))["ack"]["seq"] == 1
    await alice.disconnect()


# --- closing -------------------------------------------------------------------------------------------------


async def test_signing_out_closes_the_socket():
    cast = await _async_cast()
    client = cast["member_client"]
    alice = await _socket(cast["thread"].pk, client)
    await sync_to_async(client.post)("/accounts/logout/")
    assert await alice.receive_json_from(timeout=3) == {"type": "signed_out"}
    assert (await alice.receive_output(timeout=3))["type"] == "websocket.close"
    # The same person's other session is not signed out.
    other = await _socket(cast["thread"].pk, _signed_in(cast["member"]))
    await other.send_json_to({"type": "ping"})
    assert await other.receive_json_from() == {"type": "pong"}
    await other.disconnect()


async def test_an_expired_session_is_noticed_at_the_next_heartbeat():
    cast = await _async_cast()
    client = cast["member_client"]
    alice = await _socket(cast["thread"].pk, client)
    await sync_to_async(Session.objects.filter(session_key=_cookie(client)).update)(expire_date=now())
    await alice.send_json_to({"type": "ping"})
    assert await alice.receive_json_from() == {"type": "signed_out"}
    output = await alice.receive_output(timeout=3)
    assert output["code"] == 4401


async def test_a_deactivated_account_is_closed_out():
    cast = await _async_cast()
    alice = await _socket(cast["thread"].pk, cast["member_client"])

    @sync_to_async
    def deactivate() -> None:
        member = cast["member"]
        member.is_active = False
        member.save()

    await deactivate()
    assert await alice.receive_json_from(timeout=3) == {"type": "forbidden"}
    assert (await alice.receive_output(timeout=3))["code"] == 4403


async def test_closing_the_connection_closes_the_socket_and_refuses_later_messages():
    cast = await _async_cast()
    thread, connection = cast["thread"], cast["connection"]
    alice = await _socket(thread.pk, cast["member_client"])

    @sync_to_async
    def close() -> None:
        connection.status, connection.ended_at = ConnectionStatus.CLOSED, now()
        connection.save()

    await close()
    assert await alice.receive_json_from(timeout=3) == {"type": "closed"}
    assert (await alice.receive_output(timeout=3))["code"] == 4410
    again = await _socket(thread.pk, cast["member_client"])  # still readable
    await again.send_json_to({"type": "send", "key": "late", "body": "anyone there?"})
    refused = await again.receive_json_from()
    assert (refused["error"], refused["key"]) == ("closed", "late")
    await again.send_json_to({"type": "resume", "after": 0})
    assert await again.receive_json_from() == {"type": "resumed", "last_seq": 0}
    assert await sync_to_async(Message.objects.count)() == 0
    await again.disconnect()


# --- offline notice --------------------------------------------------------------------------------------------


async def test_someone_without_a_socket_is_emailed_once_without_the_text_or_a_name():
    cast = await _async_cast()
    alice = await _socket(cast["thread"].pk, cast["member_client"])
    await alice.send_json_to({"type": "send", "key": "1", "body": "Are you free tonight?"})
    await _frames(alice, 2)
    await alice.send_json_to({"type": "send", "key": "2", "body": "Second thought"})
    await _frames(alice, 2)
    await asyncio.sleep(0.1)
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [cast["supporter"].email]
    assert email.subject == "You have a new message in Alongside"
    html = str(email.alternatives[0][0])
    for part in (email.subject, email.body, html):
        for secret in ("Are you free", "Second thought", "Alice", "Bob", cast["member"].email):
            assert secret not in part
    assert f"/threads/{cast['thread'].pk}/" in email.body and f"/threads/{cast['thread'].pk}/" in html
    await alice.disconnect()


async def test_someone_with_the_thread_open_is_not_emailed():
    cast = await _async_cast()
    alice = await _socket(cast["thread"].pk, cast["member_client"])
    bob = await _socket(cast["thread"].pk, cast["supporter_client"])
    await alice.send_json_to({"type": "send", "key": "1", "body": "hi"})
    await _frames(alice, 2)
    await bob.receive_json_from()
    assert mail.outbox == []
    await alice.disconnect()
    await bob.disconnect()


async def test_chatting_keeps_a_supporters_idle_limited_session_and_an_idle_heartbeat_does_not(monkeypatch):
    from alongside.lib import consumers as lib_consumers

    monkeypatch.setattr(lib_consumers, "SESSION_RECHECK_SECONDS", -1)  # re-check on every send
    monkeypatch.setattr(lib_consumers, "SESSION_TOUCH_SECONDS", -1)  # and count every send as activity
    cast = await _async_cast()
    client = cast["supporter_client"]
    bob = await _socket(cast["thread"].pk, client)
    sessions = Session.objects.filter(session_key=_cookie(client))
    soon = now() + dt.timedelta(seconds=90)
    await sync_to_async(sessions.update)(expire_date=soon)
    await bob.send_json_to({"type": "ping"})
    assert await bob.receive_json_from() == {"type": "pong"}
    assert (await sync_to_async(sessions.get)()).expire_date == soon
    await bob.send_json_to({"type": "send", "key": "k", "body": "still here"})
    assert _by_type(await _frames(bob, 2))["ack"]["seq"] == 1
    extended = (await sync_to_async(sessions.get)()).expire_date
    assert extended > soon + dt.timedelta(minutes=25)
    await bob.send_json_to({"type": "ping"})
    assert await bob.receive_json_from() == {"type": "pong"}  # the session's data survived the save
    await bob.disconnect()


async def test_a_slow_heartbeat_recheck_does_not_hold_up_the_sockets_deliveries(monkeypatch):
    """The re-check a ping starts runs beside the socket's events: while it waits on the database, messages for the
    socket still arrive; the pong follows once the check is done."""
    from alongside.conversations.consumers import ThreadConsumer  # the class whose re-check this test holds up

    cast = await _async_cast()
    alice = await _socket(cast["thread"].pk, cast["member_client"])
    bob = await _socket(cast["thread"].pk, cast["supporter_client"])
    held, release = asyncio.Event(), asyncio.Event()
    original = ThreadConsumer.recheck

    async def slow_recheck(self: Any, *, touch: bool = False) -> bool:
        if self.user_id == cast["member"].pk:
            held.set()
            await release.wait()
        return await original(self, touch=touch)

    monkeypatch.setattr(ThreadConsumer, "recheck", slow_recheck)
    await alice.send_json_to({"type": "ping"})
    await asyncio.wait_for(held.wait(), 3)
    await bob.send_json_to({"type": "send", "key": "k1", "body": "while you were checked"})
    frame = await alice.receive_json_from(timeout=3)
    assert (frame["type"], frame["body"]) == ("message", "while you were checked")
    release.set()
    assert await alice.receive_json_from(timeout=3) == {"type": "pong"}
    await alice.disconnect()
    await bob.disconnect()
