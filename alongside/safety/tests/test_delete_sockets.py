"""Deleting an account closes every socket of the person: on every device, whichever page it belongs to."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

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


async def _open(path: str, client: Client) -> WebsocketCommunicator:
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    headers = [
        (b"origin", ORIGIN.encode()),
        (b"host", b"127.0.0.1:8000"),
        (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()),
    ]
    socket = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await socket.connect()
    assert connected, code
    await socket.receive_json_from()  # the hello or the first count
    return socket


@sync_to_async
def _story() -> dict[str, Any]:
    alice = factories.member(display_name="Alice")
    bob = factories.supporter(display_name="Bob")
    thread = get_or_create_thread_for_connection(connection=connection_factories.connection(alice, bob))
    return {"alice": alice, "bob": bob, "thread": thread, "laptop": _signed_in(alice), "phone": _signed_in(alice)}


async def _closed(socket: WebsocketCommunicator) -> int:
    """The close code the socket ends with, after any frames telling why."""
    while True:
        output = await socket.receive_output(timeout=3)
        if output["type"] == "websocket.close":
            return int(output["code"])


async def test_deleting_on_one_device_closes_the_sockets_open_on_another():
    story = await _story()
    badge = await _open("/ws/notifications/", story["phone"])
    chat = await _open(f"/ws/threads/{story['thread'].pk}/", story["phone"])
    response = await sync_to_async(story["laptop"].post)(
        "/profile/delete/", {"confirm": "delete", "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    assert await _closed(badge) == 4403
    assert await _closed(chat) in (4403, 4410)  # the account went, and the connection closed with it


async def test_the_peers_socket_stays_open_and_hears_that_the_connection_closed():
    story = await _story()
    bobs = await _open("/ws/notifications/", _signed_in(story["bob"]))
    await sync_to_async(story["laptop"].post)("/profile/delete/", {"confirm": "delete", "password": factories.PASSWORD})
    frame = await bobs.receive_json_from(timeout=3)
    assert frame == {"type": "count", "unread": 1}  # the notice that the connection has closed
    await bobs.disconnect()
