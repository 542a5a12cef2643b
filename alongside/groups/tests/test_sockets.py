"""The group thread over the real socket stack: a removed member's open socket closes at once (not at the next
heartbeat), and muted members and members of a paused thread have their messages refused while others' go through."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import OperationalError
from django.test import Client

from alongside.asgi import application
from alongside.audit.models import AuditEvent, Outcome
from alongside.conversations.consumers import ThreadConsumer
from alongside.groups import services
from alongside.groups.models import GroupKind, JoinPolicy
from tests import factories

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio, pytest.mark.usefixtures("close_sockets")]

ORIGIN = "http://127.0.0.1:8000"


async def _until(socket: WebsocketCommunicator, wanted: Any) -> list[dict[str, Any]]:
    """Frames up to and including the first one ``wanted`` accepts (a timeout fails the test)."""
    seen: list[dict[str, Any]] = []
    while not seen or not wanted(seen[-1]):
        seen.append(await socket.receive_json_from(timeout=3))
    return seen


def _cookie(user: Any) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


async def _socket(thread_id: int, user: Any) -> WebsocketCommunicator:
    cookie = await sync_to_async(_cookie)(user)
    headers = [
        (b"origin", ORIGIN.encode()),
        (b"host", b"127.0.0.1:8000"),
        (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()),
    ]
    socket = WebsocketCommunicator(application, f"/ws/threads/{thread_id}/", headers=headers)
    connected, code = await socket.connect()
    assert connected, code
    hello = await socket.receive_json_from()
    assert hello["type"] == "hello"
    return socket


@sync_to_async
def _circle() -> dict[str, Any]:
    facilitator = factories.supporter(display_name="Fran")
    group = services.create_group(
        kind=GroupKind.CIRCLE,
        name="Interns' circle",
        created_by=factories.coordinator(),
        facilitators=[facilitator],
        join_policy=JoinPolicy.OPEN,
    )
    first, second = factories.member(display_name="Ana"), factories.member(display_name="Ben")
    for person in (first, second):
        services.join(group=group, user=person, accepted_agreement=True)
    return {"group": group, "facilitator": facilitator, "first": first, "second": second}


async def test_a_removed_member_s_open_socket_closes_at_once():
    cast = await _circle()
    group = cast["group"]
    ana = await _socket(group.thread_id, cast["first"])
    ben = await _socket(group.thread_id, cast["second"])

    @sync_to_async
    def remove() -> None:
        services.remove(membership=group.memberships.get(user=cast["first"]), by=cast["facilitator"])

    await remove()
    # The re-check runs on the removal's commit: no heartbeat, no message needed to find out.
    assert await ana.receive_json_from(timeout=3) == {"type": "forbidden"}
    assert (await ana.receive_output(timeout=3))["code"] == 4403
    # The others stay connected and keep talking.
    await ben.send_json_to({"type": "send", "key": "b1", "body": "still here"})
    frames = await _until(ben, lambda f: f["type"] == "message" and f["body"] == "still here")
    assert not [f for f in frames if f["type"] == "error"]

    # Coming back is refused (closed 4403) and audited.
    @sync_to_async
    def denials() -> int:
        return AuditEvent.objects.filter(outcome=Outcome.DENIED, actor_id=cast["first"].pk).count()

    before = await denials()
    cookie = await sync_to_async(_cookie)(cast["first"])
    headers = [
        (b"origin", ORIGIN.encode()),
        (b"host", b"127.0.0.1:8000"),
        (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()),
    ]
    again = WebsocketCommunicator(application, f"/ws/threads/{group.thread_id}/", headers=headers)
    connected, code = await again.connect()
    assert not connected and code in (4403, 4404)
    assert await denials() > before


async def test_muted_and_paused_members_are_refused_over_the_socket_and_facilitators_are_not():
    cast = await _circle()
    group = cast["group"]
    ana = await _socket(group.thread_id, cast["first"])
    ben = await _socket(group.thread_id, cast["second"])
    fran = await _socket(group.thread_id, cast["facilitator"])

    @sync_to_async
    def mute() -> None:
        services.set_muted(membership=group.memberships.get(user=cast["first"]), muted=True, by=cast["facilitator"])

    await mute()
    await ana.send_json_to({"type": "send", "key": "a1", "body": "hello"})
    refused = await ana.receive_json_from(timeout=3)
    assert (refused["type"], refused["error"], refused["key"]) == ("error", "muted", "a1")
    await ben.send_json_to({"type": "send", "key": "b1", "body": "hi all"})
    frames = await _until(ben, lambda f: f["type"] == "message" and f["body"] == "hi all")
    assert not [f for f in frames if f["type"] == "error"]

    @sync_to_async
    def pause() -> None:
        services.set_paused(group=group, paused=True, by=cast["facilitator"])

    await pause()
    await ben.send_json_to({"type": "send", "key": "b2", "body": "more"})
    frames = await _until(ben, lambda f: f["type"] == "error")
    assert (frames[-1]["error"], frames[-1]["key"]) == ("paused", "b2")
    await fran.send_json_to({"type": "send", "key": "f1", "body": "Let's take a breath."})
    frames = await _until(fran, lambda f: f["type"] == "message" and f["body"] == "Let's take a breath.")
    assert not [f for f in frames if f["type"] == "error"]
    # The muted member's refused message and the paused one were never stored: the others never saw them.
    seen = await _until(ana, lambda f: f["type"] == "message" and f["body"] == "Let's take a breath.")
    assert [f["body"] for f in seen if f["type"] == "message"] == ["hi all", "Let's take a breath."]


async def test_a_removal_still_closes_the_socket_when_the_first_re_check_meets_a_database_error(monkeypatch):
    """A passing database error (a lock, a failover) during the prompted re-check must not kill the socket with an
    error code, which would leave the removed member's page reconnecting: it is tried again and closes 4403."""
    cast = await _circle()
    group = cast["group"]
    ana = await _socket(group.thread_id, cast["first"])
    real = ThreadConsumer.check_access
    failures: list[int] = []

    def flaky(consumer: Any, user: Any) -> Any:
        if not failures:
            failures.append(user.pk)
            raise OperationalError("database table is locked")
        return real(consumer, user)

    monkeypatch.setattr(ThreadConsumer, "check_access", flaky)

    @sync_to_async
    def remove() -> None:
        services.remove(membership=group.memberships.get(user=cast["first"]), by=cast["facilitator"])

    await remove()
    assert await ana.receive_json_from(timeout=3) == {"type": "forbidden"}
    assert (await ana.receive_output(timeout=3))["code"] == 4403
    assert failures == [cast["first"].pk]
