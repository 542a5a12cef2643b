import asyncio
import os

import pytest
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator

from alongside.asgi import application
from alongside.lib.channel_layer import InProcessChannelLayer

pytestmark = pytest.mark.asyncio


async def test_it_delivers_group_messages_like_the_stock_layer():
    layer = InProcessChannelLayer()
    a = await layer.new_channel()
    b = await layer.new_channel()
    await layer.group_add("thread.1", a)
    await layer.group_add("thread.1", b)
    await layer.group_send("thread.1", {"type": "chat.message", "seq": 1})
    assert await layer.receive(a) == {"type": "chat.message", "seq": 1}
    assert await layer.receive(b) == {"type": "chat.message", "seq": 1}


async def test_it_still_expires_unread_messages_and_their_group_membership(monkeypatch):
    layer = InProcessChannelLayer(expiry=1)
    stale = await layer.new_channel()
    await layer.group_add("thread.1", stale)
    await layer.send(stale, {"type": "x"})
    import time

    later = time.time() + 5
    monkeypatch.setattr(time, "time", lambda: later)
    layer._next_clean = 0.0
    layer._clean_expired()
    assert stale not in layer.groups.get("thread.1", {})
    assert stale not in layer.channels


async def test_it_scans_at_most_once_a_second(monkeypatch):
    layer = InProcessChannelLayer()
    scans = []
    monkeypatch.setattr("channels.layers.InMemoryChannelLayer._clean_expired", lambda self: scans.append(1))
    for _ in range(50):
        await layer.group_send("thread.1", {"type": "x"})
    assert len(scans) == 1


REDIS_URL = os.environ.get("REDIS_URL", "")
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL")


@needs_redis
@pytest.mark.django_db(transaction=True)
async def test_a_refused_sockets_consumer_ends_when_the_socket_goes_away_on_redis():
    """The consumer of a socket that is gone must end, not poll Redis for ever: with any socket timeout,
    redis-py sends through asyncio.wait_for, which on Python 3.11 swallowed the cancellation that ends it (and
    a test suite's teardown, which cancels once, hung)."""
    headers = [(b"origin", b"http://127.0.0.1:8000"), (b"host", b"127.0.0.1:8000")]
    socket = WebsocketCommunicator(application, "/ws/notifications/", headers=headers)
    connected, code = await socket.connect()
    assert not connected and code == 4401
    await socket.send_input({"type": "websocket.disconnect", "code": 1000})
    await asyncio.wait_for(asyncio.shield(socket.future), 3)


@needs_redis
@pytest.mark.slow
async def test_a_socket_idle_on_the_redis_layer_for_longer_than_a_pop_still_receives():
    """redis-py 8 times reads out after 5 s, as long as channels-redis's BZPOPMIN blocks: an idle consumer's
    receive used to raise TimeoutError and drop the websocket (a ringing call dropped 'connection lost')."""
    layer = channel_layers.make_backend("default")
    channel = await layer.new_channel()

    async def _send_later() -> None:
        await asyncio.sleep(layer.brpop_timeout + 1.5)
        await layer.send(channel, {"type": "call.ping"})

    sender = asyncio.create_task(_send_later())
    try:
        assert await asyncio.wait_for(layer.receive(channel), layer.brpop_timeout + 10) == {"type": "call.ping"}
    finally:
        await sender
        await layer.flush()
