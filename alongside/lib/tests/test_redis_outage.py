"""A Redis outage: sockets are closed or refused with 1013 (try again) and one log line, never a server error,
and new sockets work again by themselves once Redis is back. Redis is reached through a TCP proxy the test
stops and starts (Redis itself keeps running for everyone else on the machine)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import threading
from typing import Any
from urllib.parse import urlsplit

import pytest
from asgiref.sync import sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.test import Client

from alongside.asgi import application
from alongside.connections.tests import factories as connection_factories
from alongside.conversations.services import get_or_create_thread_for_connection
from alongside.lib import sockets
from tests import factories

REDIS_URL = os.environ.get("REDIS_URL", "")

pytestmark = [
    pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.asyncio,
    pytest.mark.usefixtures("close_sockets"),
]


class Proxy:
    """Forwards 127.0.0.1:<port> to Redis, in threads of its own (the cache is called synchronously from the
    event loop, so a proxy on that loop would wait for itself). ``stop`` drops every connection and refuses new
    ones, as a Redis restart or a network cut does; ``start`` listens again on the same port."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self.listener: socket.socket | None = None
        self.open: list[socket.socket] = []
        self.lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        listener, self.listener = self.listener, None
        if listener is not None:
            with contextlib.suppress(OSError):  # shutdown wakes the accepting thread (close alone would not, on Linux)
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        with self.lock:
            conns, self.open = self.open, []
        for conn in conns:
            for action in (lambda c: c.shutdown(socket.SHUT_RDWR), lambda c: c.close()):
                with contextlib.suppress(OSError):
                    action(conn)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for conn in (source, sink):
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def proxy(settings: Any) -> Any:
    parsed = urlsplit(REDIS_URL)
    made = Proxy((parsed.hostname or "127.0.0.1", parsed.port or 6379))
    made.start()
    url = f"redis://127.0.0.1:{made.port}{parsed.path or '/0'}"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": url, "socket_timeout": None}], "prefix": f"outage{made.port}"},
        }
    }
    channel_layers.backends.clear()
    sockets.outage.since, sockets.outage.refused = None, 0
    yield made
    made.stop()
    channel_layers.backends.clear()


@sync_to_async
def _cast() -> tuple[int, str]:
    member = factories.member(display_name="Alice")
    supporter = factories.supporter(display_name="Bob")
    thread = get_or_create_thread_for_connection(connection=connection_factories.connection(member, supporter))
    client = Client()
    client.force_login(member)
    return thread.pk, client.cookies[django_settings.SESSION_COOKIE_NAME].value


def _socket(thread_id: int, cookie: str) -> WebsocketCommunicator:
    return WebsocketCommunicator(
        application,
        f"/ws/threads/{thread_id}/",
        headers=[
            (b"origin", b"http://127.0.0.1:8000"),
            (b"host", b"127.0.0.1:8000"),
            (b"cookie", f"{django_settings.SESSION_COOKIE_NAME}={cookie}".encode()),
        ],
    )


async def _closed_with(ws: WebsocketCommunicator) -> int:
    while True:
        output = await ws.receive_output(timeout=10)
        if output["type"] == "websocket.close":
            return int(output["code"])


async def _reconnect(thread_id: int, cookie: str, attempts: int = 20) -> WebsocketCommunicator:
    """Connect until hello, as static/js/chat.js does. The first tries after Redis is back may still meet a
    pooled connection from before the outage (refused with 1013 again); a fresh one follows."""
    for _attempt in range(attempts):
        ws = _socket(thread_id, cookie)
        connected, _ = await ws.connect(timeout=10)
        first = await ws.receive_output(timeout=10) if connected else {"type": "websocket.close"}
        if first["type"] == "websocket.send" and json.loads(first["text"])["type"] == "hello":
            return ws
        await ws.disconnect()
        await asyncio.sleep(0.2)
    raise AssertionError(f"no socket after {attempts} tries with Redis back")


async def test_an_outage_closes_and_refuses_sockets_with_try_again_and_they_recover_by_themselves(proxy, caplog):
    caplog.set_level(logging.INFO)
    thread_id, cookie = await _cast()
    before = _socket(thread_id, cookie)
    assert (await before.connect())[0]
    assert (await before.receive_json_from(timeout=5))["type"] == "hello"

    proxy.stop()
    assert await _closed_with(before) == 1013  # an open socket: closed, not dropped with a traceback
    during = _socket(thread_id, cookie)
    connected, _ = await during.connect(timeout=10)  # a new one: told to try again, not an HTTP 500
    assert connected and await _closed_with(during) == 1013
    warnings = [r for r in caplog.records if r.name == "alongside.sockets" and r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "unreachable" in warnings[0].getMessage()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]

    proxy.start()
    after = await _reconnect(thread_id, cookie)  # as the browser does: again after each 1013, with backoff
    await after.send_json_to({"type": "send", "key": "k", "body": "back again"})
    replies = {(await after.receive_json_from(timeout=10))["type"] for _ in range(2)}
    assert replies == {"ack", "message"}
    assert any("reachable again" in r.getMessage() for r in caplog.records if r.name == "alongside.sockets")
    for ws in (before, during, after):
        await ws.disconnect()
