"""A referral card sent from the page reaches both sides' open chat sockets as a card frame, once."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from django.urls import reverse

from alongside.asgi import application
from alongside.connections.tests import factories as connection_factories
from alongside.conversations.services import get_or_create_thread_for_connection
from tests import factories

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio, pytest.mark.usefixtures("close_sockets")]

ORIGIN = "http://127.0.0.1:8000"


def _signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@sync_to_async
def _cast() -> dict[str, Any]:
    member = factories.member(display_name="Alice")
    supporter = factories.supporter(display_name="Bob")
    thread = get_or_create_thread_for_connection(connection=connection_factories.connection(member, supporter))
    resource = factories.ResourceFactory(
        title="DRS4DRS",
        description="Confidential support for doctors.",
        url="https://www.drs4drs.com.au/",
        is_referral=True,
    )
    return {
        "thread": thread,
        "resource": resource,
        "member_client": _signed_in(member),
        "supporter_client": _signed_in(supporter),
    }


async def _socket(thread_id: int, client: Client) -> WebsocketCommunicator:
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    headers = [
        (b"origin", ORIGIN.encode()),
        (b"host", b"127.0.0.1:8000"),
        (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()),
    ]
    socket = WebsocketCommunicator(application, f"/ws/threads/{thread_id}/", headers=headers)
    connected, code = await socket.connect()
    assert connected, code
    assert (await socket.receive_json_from())["type"] == "hello"
    return socket


async def test_a_card_sent_from_the_page_arrives_live_on_both_sides_once():
    cast = await _cast()
    thread, resource = cast["thread"], cast["resource"]
    alice = await _socket(thread.pk, cast["member_client"])
    bob = await _socket(thread.pk, cast["supporter_client"])
    url = reverse("conversations:send_referral", kwargs={"pk": thread.pk})
    post = sync_to_async(cast["supporter_client"].post)
    response = await post(url, {"resource": resource.pk, "key": "ref-live"})
    assert response.status_code == 302
    theirs = await alice.receive_json_from(timeout=3)
    assert {k: theirs[k] for k in ("type", "seq", "sender", "body", "mine", "card")} == {
        "type": "message",
        "seq": 1,
        "sender": "Bob",
        "body": "",
        "mine": False,
        "card": {
            "id": resource.pk,
            "title": "DRS4DRS",
            "summary": "Confidential support for doctors.",
            "url": "https://www.drs4drs.com.au/",
        },
    }
    mine = await bob.receive_json_from(timeout=3)
    assert mine["mine"] is True and mine["key"] == "ref-live" and mine["card"]["id"] == resource.pk
    await post(url, {"resource": resource.pk, "key": "ref-live"})  # the same button again: nothing new
    assert await alice.receive_nothing(timeout=0.3)
    await alice.disconnect()
    await bob.disconnect()


async def test_a_resuming_client_gets_the_card_in_its_replay():
    cast = await _cast()
    thread, resource = cast["thread"], cast["resource"]
    post = sync_to_async(cast["supporter_client"].post)
    await post(reverse("conversations:send_referral", kwargs={"pk": thread.pk}), {"resource": resource.pk, "key": "k"})
    alice = await _socket(thread.pk, cast["member_client"])
    await alice.send_json_to({"type": "resume", "after": 0})
    frame = await alice.receive_json_from(timeout=3)
    assert frame["type"] == "message" and frame["card"]["title"] == "DRS4DRS"
    assert (await alice.receive_json_from(timeout=3)) == {"type": "resumed", "last_seq": 1}
    await alice.disconnect()
