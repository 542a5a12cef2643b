"""A client that speaks ASGI to the app as uvicorn does, and can vanish after any number of frames."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from channels.layers import get_channel_layer
from django.conf import settings
from uvicorn.protocols.utils import ClientDisconnected

from alongside.asgi import application


class Browser:
    """A client speaking ASGI straight to the app, as uvicorn does: after ``cut_at`` frames have reached it, the
    connection is gone, and the server's next send raises uvicorn's ``ClientDisconnected``."""

    def __init__(self, path: str, cookie: str, cut_at: int) -> None:
        self.scope = {
            "type": "websocket",
            "path": path,
            "query_string": b"",
            "headers": [
                (b"origin", b"http://127.0.0.1:8000"),
                (b"host", b"127.0.0.1:8000"),
                (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()),
            ],
            "subprotocols": [],
        }
        self.cut_at = cut_at
        self.received: list[dict[str, Any]] = []
        self.inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def receive(self) -> dict[str, Any]:
        return await self.inbox.get()

    async def send(self, message: dict[str, Any]) -> None:
        if len(self.received) >= self.cut_at:
            raise ClientDisconnected()
        self.received.append(message)

    async def run(self, frames: list[str]) -> None:
        task = asyncio.ensure_future(application(self.scope, self.receive, self.send))
        self.inbox.put_nowait({"type": "websocket.connect"})
        for text in frames:
            self.inbox.put_nowait({"type": "websocket.receive", "text": text})
        deadline = time.monotonic() + 10
        # Let it work through the frames (or be cut) before the client's own goodbye arrives, as over a network.
        while not task.done() and time.monotonic() < deadline and len(self.received) < self.cut_at:
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.2)
        self.inbox.put_nowait({"type": "websocket.disconnect", "code": 1006})
        with contextlib.suppress(ClientDisconnected):  # uvicorn swallows it the same way
            await asyncio.wait_for(task, 5)


async def group_members(group: str) -> list[str]:
    """The channels in a group, on the in-process layer or on Redis."""
    layer = get_channel_layer()
    if hasattr(layer, "groups"):
        return list(layer.groups.get(group, {}))
    connection = layer.connection(layer.consistent_hash(group))
    return [member.decode() for member in await connection.zrange(layer._group_key(group), 0, -1)]
