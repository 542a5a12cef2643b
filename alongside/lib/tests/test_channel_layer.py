import pytest

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
