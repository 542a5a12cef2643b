"""Call signalling over the real websocket stack (origin check, session auth, routing)."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from alongside.asgi import application
from alongside.audit.models import AuditEvent
from alongside.calls import models as call_models
from alongside.calls.models import Call, CallOutcome
from alongside.connections.services import close_connection
from alongside.conversations.models import ThreadMember
from alongside.groups import services as group_services
from alongside.groups.models import GroupKind, JoinPolicy

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio, pytest.mark.usefixtures("close_sockets")]

SDP = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
CANDIDATE = {"candidate": "candidate:1 1 udp 2113937151 192.0.2.1 54400 typ host", "sdpMid": "0", "sdpMLineIndex": 0}


def _cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


async def _open(thread_id: int, user=None, origin: str = "http://127.0.0.1:8000"):
    headers = [(b"origin", origin.encode()), (b"host", b"127.0.0.1:8000")]
    if user is not None:
        cookie = await sync_to_async(_cookie)(user)
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    communicator = WebsocketCommunicator(application, f"/ws/calls/{thread_id}/", headers=headers)
    connected, code = await communicator.connect()
    return communicator, connected, code


async def _socket(thread_id: int, user) -> WebsocketCommunicator:
    communicator, connected, code = await _open(thread_id, user)
    assert connected, code
    return communicator


async def _ring(caller_ws, callee_ws) -> int:
    await caller_ws.send_json_to({"type": "call.invite"})
    config = await caller_ws.receive_json_from(timeout=5)
    assert config["type"] == "call.config"
    invite = await callee_ws.receive_json_from(timeout=5)
    assert invite == {"type": "call.invite", "call": config["call"]}
    return config["call"]


async def _connected_call(caller_ws, callee_ws) -> int:
    call = await _ring(caller_ws, callee_ws)
    await callee_ws.send_json_to({"type": "call.accept", "call": call})
    assert (await callee_ws.receive_json_from(timeout=5))["type"] == "call.config"
    assert await caller_ws.receive_json_from(timeout=5) == {"type": "call.accept", "call": call}
    return call


async def _call(pk: int) -> Call:
    return await Call.objects.aget(pk=pk)


async def test_it_relays_a_whole_call_between_the_two_people(thread, member, supporter):
    alice, bob = await _socket(thread.pk, member), await _socket(thread.pk, supporter)
    call = await _ring(alice, bob)
    await bob.send_json_to({"type": "call.ringing", "call": call})
    assert await alice.receive_json_from(timeout=5) == {"type": "call.ringing", "call": call}
    await bob.send_json_to({"type": "call.accept", "call": call})
    assert (await bob.receive_json_from(timeout=5))["type"] == "call.config"
    assert await alice.receive_json_from(timeout=5) == {"type": "call.accept", "call": call}
    await alice.send_json_to({"type": "call.offer", "call": call, "sdp": SDP})
    assert await bob.receive_json_from(timeout=5) == {"type": "call.offer", "call": call, "sdp": SDP}
    await bob.send_json_to({"type": "call.answer", "call": call, "sdp": SDP})
    assert await alice.receive_json_from(timeout=5) == {"type": "call.answer", "call": call, "sdp": SDP}
    await bob.send_json_to({"type": "call.ice", "call": call, "candidate": CANDIDATE})
    assert await alice.receive_json_from(timeout=5) == {"type": "call.ice", "call": call, "candidate": CANDIDATE}
    await alice.send_json_to({"type": "call.ice", "call": call, "candidate": None})
    assert await bob.receive_json_from(timeout=5) == {"type": "call.ice", "call": call, "candidate": None}
    await alice.send_json_to({"type": "call.hangup", "call": call})
    assert await alice.receive_json_from(timeout=5) == {"type": "call.hangup", "call": call, "reason": "hangup"}
    assert await bob.receive_json_from(timeout=5) == {"type": "call.hangup", "call": call, "reason": "hangup"}
    record = await _call(call)
    assert record.outcome == CallOutcome.ANSWERED and record.answered_at is not None
    await alice.disconnect()
    await bob.disconnect()


async def test_each_side_gets_its_own_time_limited_turn_credential(thread, member, supporter, settings):
    settings.ALONGSIDE_TURN_URLS, settings.ALONGSIDE_TURN_SECRET = ["turn:turn.example.org:3478"], "shh"
    settings.ALONGSIDE_RELAY_ONLY = True
    alice, bob = await _socket(thread.pk, member), await _socket(thread.pk, supporter)
    await alice.send_json_to({"type": "call.invite"})
    mine = await alice.receive_json_from(timeout=5)
    call = (await bob.receive_json_from(timeout=5))["call"]
    await bob.send_json_to({"type": "call.accept", "call": call})
    theirs = await bob.receive_json_from(timeout=5)
    assert mine["iceTransportPolicy"] == theirs["iceTransportPolicy"] == "relay"
    assert mine["iceServers"][0]["username"] != theirs["iceServers"][0]["username"]
    for config, person in ((mine, member), (theirs, supporter)):
        assert person.email not in config["iceServers"][0]["username"]
        assert "shh" not in str(config)
    await alice.disconnect()
    await bob.disconnect()


async def test_a_declined_call_tells_the_caller_and_is_recorded(thread, member, supporter):
    alice, bob = await _socket(thread.pk, member), await _socket(thread.pk, supporter)
    call = await _ring(alice, bob)
    await bob.send_json_to({"type": "call.decline", "call": call})
    assert await alice.receive_json_from(timeout=5) == {"type": "call.decline", "call": call}
    assert (await _call(call)).outcome == CallOutcome.DECLINED
    await alice.disconnect()
    await bob.disconnect()


async def test_an_unanswered_call_stops_ringing_on_both_sides_and_is_missed(thread, member, supporter, monkeypatch):
    monkeypatch.setattr(call_models, "RING_SECONDS", 0.3)
    alice, bob = await _socket(thread.pk, member), await _socket(thread.pk, supporter)
    call = await _ring(alice, bob)
    assert await alice.receive_json_from(timeout=3) == {"type": "call.hangup", "call": call, "reason": "missed"}
    assert await bob.receive_json_from(timeout=3) == {"type": "call.hangup", "call": call, "reason": "missed"}
    assert (await _call(call)).outcome == CallOutcome.MISSED
    await alice.disconnect()
    await bob.disconnect()


async def test_a_second_call_while_one_rings_gets_busy(thread, member, supporter):
    alice, bob = await _socket(thread.pk, member), await _socket(thread.pk, supporter)
    await _ring(alice, bob)
    await bob.send_json_to({"type": "call.invite"})
    assert await bob.receive_json_from(timeout=5) == {"type": "call.busy"}
    assert await Call.objects.acount() == 1
    await alice.disconnect()
    await bob.disconnect()


async def test_leaving_the_page_ends_the_call_for_the_other_side(thread, member, supporter):
    alice, bob = await _socket(thread.pk, member), await _socket(thread.pk, supporter)
    call = await _connected_call(alice, bob)
    await alice.disconnect()
    assert await bob.receive_json_from(timeout=5) == {"type": "call.hangup", "call": call, "reason": "hangup"}
    assert (await _call(call)).ended_at is not None
    await bob.disconnect()


async def test_the_other_tabs_stop_ringing_when_one_answers_and_hear_nothing_of_the_call(thread, member, supporter):
    alice = await _socket(thread.pk, member)
    bob, bobs_other_tab = await _socket(thread.pk, supporter), await _socket(thread.pk, supporter)
    call = await _ring(alice, bob)
    assert await bobs_other_tab.receive_json_from(timeout=5) == {"type": "call.invite", "call": call}
    await bob.send_json_to({"type": "call.accept", "call": call})
    assert await bobs_other_tab.receive_json_from(timeout=5) == {
        "type": "call.hangup",
        "call": call,
        "reason": "answered_elsewhere",
    }
    await bob.receive_json_from(timeout=5)  # config
    await alice.receive_json_from(timeout=5)  # accept
    await alice.send_json_to({"type": "call.offer", "call": call, "sdp": SDP})
    assert (await bob.receive_json_from(timeout=5))["type"] == "call.offer"
    assert await bobs_other_tab.receive_nothing(timeout=0.3)
    for ws in (alice, bob, bobs_other_tab):
        await ws.disconnect()


async def test_an_outsider_is_refused_and_audited(thread, outsider):
    _ws, connected, code = await _open(thread.pk, outsider)
    assert not connected and code == 4404
    event = await AuditEvent.objects.aget(action="conversations.thread.view")
    assert (event.outcome, event.actor_id, event.target_id) == ("denied", outsider.pk, str(thread.pk))


async def test_a_third_member_of_the_thread_is_refused_and_audited(thread, coordinator):
    await ThreadMember.objects.acreate(thread=thread, user=coordinator)
    _ws, connected, code = await _open(thread.pk, coordinator)
    assert not connected and code == 4403
    event = await AuditEvent.objects.aget(action="calls.thread.refused")
    assert (event.outcome, event.actor_id, event.target_id) == ("denied", coordinator.pk, str(thread.pk))
    assert event.details == {"path": f"/ws/calls/{thread.pk}/"}


async def test_a_closed_connection_is_refused(thread, connection, member):
    await sync_to_async(close_connection)(connection=connection, actor=member)
    _ws, connected, code = await _open(thread.pk, member)
    assert not connected and code == 4403
    assert await AuditEvent.objects.filter(action="calls.thread.refused", outcome="denied").aexists()


async def test_a_connection_closed_while_the_page_is_open_closes_the_socket(thread, connection, member):
    alice = await _socket(thread.pk, member)
    await sync_to_async(close_connection)(connection=connection, actor=member)
    assert await _until_closed(alice) == ([], 4403)
    assert not await Call.objects.aexists()


async def test_a_group_thread_has_no_calls(member, other_member, supporter):
    group = await sync_to_async(_open_circle)(supporter, [member, other_member])
    _ws, connected, code = await _open(group.thread_id, member)
    assert not connected and code == 4403


def _open_circle(facilitator, people):  # type: ignore[no-untyped-def]
    group = group_services.create_group(
        kind=GroupKind.CIRCLE, name="Circle", created_by=None, facilitators=[facilitator], join_policy=JoinPolicy.OPEN
    )
    for person in people:
        group_services.join(group=group, user=person, accepted_agreement=True)
    return group


async def test_it_refuses_anonymous_visitors_and_foreign_origins(thread, member):
    _ws, connected, code = await _open(thread.pk)
    assert not connected and code == 4401
    _ws, connected, _code = await _open(thread.pk, member, origin="https://evil.example")
    assert not connected


@pytest.mark.parametrize(
    ("frame", "error"),
    [
        ("not json", "frames must be JSON"),
        ("[1, 2]", "frames must be JSON objects"),
        ('{"type": "call.dance"}', "unknown frame type"),
        ('{"no": "type"}', "unknown frame type"),
        ('{"type": "call.offer", "call": "1", "sdp": "x"}', "'call' must be the call's id"),
        ('{"type": "call.offer", "call": 1}', "'sdp' must be a session description"),
        ('{"type": "call.offer", "call": 1, "sdp": "' + "a" * (20 * 1024 + 1) + '"}', "'sdp' is too large"),
        ('{"type": "call.offer", "call": 1, "sdp": "' + "a" * (40 * 1024) + '"}', "frame too large"),
        ('{"type": "call.ice", "call": 1, "candidate": "x"}', "'candidate' must be an ICE candidate or null"),
        (
            '{"type": "call.ice", "call": 1, "candidate": {"candidate": 5}}',
            "'candidate.candidate' must be a short string",
        ),
        ('{"type": "call.offer", "call": 1, "sdp": "v=0"}', "not in that call"),
        ('{"type": "call.accept", "call": 99}', "no such call is ringing here"),
        ('{"type": "call.hangup", "call": 99}', "not in that call"),
    ],
)
async def test_malformed_frames_get_an_error_and_the_socket_stays_up(thread, member, supporter, frame, error):
    alice, bob = await _socket(thread.pk, member), await _socket(thread.pk, supporter)
    await alice.send_to(text_data=frame)
    reply = await alice.receive_json_from(timeout=5)
    assert reply["type"] == "error" and reply["error"] == error
    assert await bob.receive_nothing(timeout=0.1)
    await _ring(alice, bob)  # still works
    await alice.disconnect()
    await bob.disconnect()


async def test_a_binary_frame_gets_an_error(thread, member):
    alice = await _socket(thread.pk, member)
    await alice.send_to(bytes_data=b"\x00\x01")
    assert (await alice.receive_json_from(timeout=5))["error"] == "binary frames are not accepted"
    await alice.disconnect()


async def test_frames_for_someone_elses_call_go_nowhere(thread, member, supporter, other_member):
    """A second connection's call id cannot be used to reach into it."""
    from alongside.connections.tests import factories as connection_factories
    from alongside.conversations.services import get_or_create_thread_for_connection

    other_thread = await sync_to_async(get_or_create_thread_for_connection)(
        connection=await sync_to_async(connection_factories.connection)(other_member, supporter)
    )
    olive, bob_there = await _socket(other_thread.pk, other_member), await _socket(other_thread.pk, supporter)
    their_call = await _ring(olive, bob_there)
    alice = await _socket(thread.pk, member)
    for kind in ("call.accept", "call.decline", "call.ringing"):
        await alice.send_json_to({"type": kind, "call": their_call})
        assert (await alice.receive_json_from(timeout=5))["type"] == "error"
    await alice.send_json_to({"type": "call.offer", "call": their_call, "sdp": SDP})
    assert (await alice.receive_json_from(timeout=5))["error"] == "not in that call"
    assert await olive.receive_nothing(timeout=0.2)
    assert (await _call(their_call)).is_open
    for ws in (olive, bob_there, alice):
        await ws.disconnect()


async def _until_closed(ws) -> tuple[list[dict], int]:
    frames: list[dict] = []
    while True:
        output = await ws.receive_output(timeout=5)
        if output["type"] == "websocket.close":
            return frames, output["code"]
        frames.append(json.loads(output["text"]))


async def test_closing_the_connection_ends_the_call_and_closes_both_sockets(thread, connection, member, supporter):
    alice, bob = await _socket(thread.pk, member), await _socket(thread.pk, supporter)
    call = await _connected_call(alice, bob)
    await sync_to_async(close_connection)(connection=connection, actor=supporter)
    for ws in (alice, bob):
        frames, code = await _until_closed(ws)
        assert code == 4403
        assert {"type": "call.hangup", "call": call, "reason": "hangup"} in frames
    record = await _call(call)
    assert record.outcome == CallOutcome.ANSWERED and record.ended_at is not None


async def test_signing_out_closes_that_sessions_call_socket_only(thread, member, supporter):
    alice = await _socket(thread.pk, member)
    cookie = await sync_to_async(_cookie)(supporter)
    headers = [(b"origin", b"http://127.0.0.1:8000"), (b"host", b"127.0.0.1:8000")]
    bob = WebsocketCommunicator(
        application,
        f"/ws/calls/{thread.pk}/",
        headers=[*headers, (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode())],
    )
    assert (await bob.connect())[0]
    bobs_other_device = await _socket(thread.pk, supporter)
    call = await _connected_call(alice, bob)
    assert (await bobs_other_device.receive_json_from(timeout=5))["type"] == "call.invite"
    assert (await bobs_other_device.receive_json_from(timeout=5))["reason"] == "answered_elsewhere"

    def sign_out() -> None:
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = cookie
        client.post("/accounts/logout/")

    await sync_to_async(sign_out)()
    assert (await bob.receive_json_from(timeout=5))["type"] == "call.hangup"
    assert (await bob.receive_output(timeout=5)) == {"type": "websocket.close", "code": 4401}
    assert await alice.receive_json_from(timeout=5) == {"type": "call.hangup", "call": call, "reason": "hangup"}
    assert await bobs_other_device.receive_nothing(timeout=0.3)  # another session stays signed in
    for ws in (alice, bob, bobs_other_device):
        await ws.disconnect()  # bob's too: the server closed it, and the browser's goes away with it


async def test_a_deactivated_account_loses_its_call_sockets(thread, member, supporter):
    alice, bob = await _socket(thread.pk, member), await _socket(thread.pk, supporter)

    def deactivate() -> None:
        supporter.is_active = False
        supporter.save()

    await sync_to_async(deactivate)()
    assert (await bob.receive_output(timeout=5)) == {"type": "websocket.close", "code": 4403}
    assert await alice.receive_nothing(timeout=0.3)
    await alice.disconnect()
    await bob.disconnect()


async def test_a_flood_of_frames_is_refused_and_the_socket_stays_up(thread, member, supporter, monkeypatch):
    from alongside.calls import consumers

    monkeypatch.setattr(consumers, "MAX_FRAMES", 5)
    alice, bob = await _socket(thread.pk, member), await _socket(thread.pk, supporter)
    call = await _connected_call(alice, bob)  # one frame (the invite)
    for _ in range(6):
        await alice.send_json_to({"type": "call.ice", "call": call, "candidate": CANDIDATE})
    for _ in range(4):
        assert (await bob.receive_json_from(timeout=5))["type"] == "call.ice"
    assert (await alice.receive_json_from(timeout=5))["error"] == "too many frames; slow down"
    assert (await alice.receive_json_from(timeout=5))["error"] == "too many frames; slow down"
    assert await bob.receive_nothing(timeout=0.2)
    await alice.disconnect()
    await bob.disconnect()


async def test_a_caller_giving_up_shows_as_a_missed_call_to_the_person_called(thread, member, supporter):
    alice, bob = await _socket(thread.pk, member), await _socket(thread.pk, supporter)
    call = await _ring(alice, bob)
    await alice.send_json_to({"type": "call.hangup", "call": call})
    assert await bob.receive_json_from(timeout=5) == {"type": "call.hangup", "call": call, "reason": "missed"}
    assert (await _call(call)).outcome == CallOutcome.MISSED
    await alice.disconnect()
    await bob.disconnect()


async def test_a_busy_database_at_hang_up_is_retried_and_the_other_side_still_told(
    thread, member, supporter, monkeypatch
):
    from django.db import OperationalError

    from alongside.calls import services

    real_end_call, failures = services.end_call, [OperationalError("database table is locked")] * 2

    def busy_then_fine(**kwargs):
        if failures:
            raise failures.pop()
        return real_end_call(**kwargs)

    monkeypatch.setattr(services, "end_call", busy_then_fine)
    alice, bob = await _socket(thread.pk, member), await _socket(thread.pk, supporter)
    call = await _connected_call(alice, bob)
    await alice.send_json_to({"type": "call.hangup", "call": call})
    assert await bob.receive_json_from(timeout=5) == {"type": "call.hangup", "call": call, "reason": "hangup"}
    assert (await _call(call)).outcome == CallOutcome.ANSWERED
    await alice.disconnect()
    await bob.disconnect()
