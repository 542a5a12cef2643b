"""The live notifications badge over a real websocket stack (origin check + session auth)."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from alongside.asgi import application
from alongside.notifications.models import Kind
from alongside.notifications.services import notify
from tests import factories

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio, pytest.mark.usefixtures("close_sockets")]


def _session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


async def _connect(cookie: str | None, origin: str = "http://127.0.0.1:8000"):
    headers = [(b"origin", origin.encode()), (b"host", b"127.0.0.1:8000")]
    if cookie:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    communicator = WebsocketCommunicator(application, "/ws/notifications/", headers=headers)
    connected, code = await communicator.connect()
    return communicator, connected, code


async def test_it_pushes_the_unread_count_live():
    user = await sync_to_async(factories.member)()
    cookie = await sync_to_async(_session_cookie)(user)
    communicator, connected, _ = await _connect(cookie)
    assert connected
    assert await communicator.receive_json_from() == {"type": "count", "unread": 0}
    await sync_to_async(notify)(user_id=user.pk, kind=Kind.ROLE_GRANTED)
    assert await communicator.receive_json_from(timeout=2) == {"type": "count", "unread": 1}
    await communicator.disconnect()


async def test_it_refuses_anonymous_visitors():
    _communicator, connected, code = await _connect(None)
    assert not connected and code == 4401


async def test_it_refuses_a_foreign_origin():
    user = await sync_to_async(factories.member)()
    cookie = await sync_to_async(_session_cookie)(user)
    _communicator, connected, _ = await _connect(cookie, origin="https://evil.example")
    assert not connected


async def test_it_answers_frames_with_an_error_and_stays_up():
    user = await sync_to_async(factories.member)()
    cookie = await sync_to_async(_session_cookie)(user)
    communicator, _connected, _ = await _connect(cookie)
    await communicator.receive_json_from()
    await communicator.send_to(text_data="not json at all")
    await communicator.send_json_to({"type": "anything"})
    for _ in range(2):
        assert (await communicator.receive_json_from())["type"] == "error"
    await communicator.disconnect()


async def test_one_persons_count_never_reaches_another():
    alice = await sync_to_async(factories.member)()
    bob = await sync_to_async(factories.member)()
    communicator, _, _ = await _connect(await sync_to_async(_session_cookie)(bob))
    await communicator.receive_json_from()
    await sync_to_async(notify)(user_id=alice.pk, kind=Kind.ROLE_GRANTED)
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()
