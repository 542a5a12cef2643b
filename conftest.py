"""Shared fixtures: the cast (a member, a supporter, a coordinator, an outsider) and clients signed in as them."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.core.cache import cache
from django.test import Client

from tests import factories

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's event loop runs beside sync ORM calls


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_channel_layer(request: pytest.FixtureRequest) -> Iterator[None]:
    """A channel layer per test: each async test runs its own event loop, and the Redis layer's locks, receive
    state and connections belong to the loop that made them (a layer shared across tests' loops could leave the
    next test waiting on a lock of a loop that is gone). Browser tests share one server, and its loop, instead."""
    if request.node.get_closest_marker("browser") is not None:
        yield
        return
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
async def close_sockets(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[None]:
    """At the end of the test, disconnect every test socket still open, as a browser going away does.

    A socket the server refused or closed leaves its consumer waiting on the channel layer until a disconnect
    arrives; left to the event loop's final cancel-everything instead, a consumer that does not end (the Redis
    layer with a socket timeout did that: see settings.CHANNEL_LAYERS) hangs the whole suite at that test.
    """
    opened: list[WebsocketCommunicator] = []
    original = WebsocketCommunicator.__init__

    def _tracked(socket: WebsocketCommunicator, *args: Any, **kwargs: Any) -> None:
        original(socket, *args, **kwargs)
        opened.append(socket)

    monkeypatch.setattr(WebsocketCommunicator, "__init__", _tracked)
    yield
    for socket in opened:
        running = socket._future  # the app's task, made on first use (reading ``future`` would start one)
        if running is not None and not running.done():
            await socket.disconnect(timeout=5)


@pytest.fixture
def member(db):  # type: ignore[no-untyped-def]
    return factories.member(display_name="Alice")


@pytest.fixture
def other_member(db):  # type: ignore[no-untyped-def]
    return factories.member(display_name="Olive")


@pytest.fixture
def supporter(db):  # type: ignore[no-untyped-def]
    return factories.supporter(display_name="Bob")


@pytest.fixture
def coordinator(db):  # type: ignore[no-untyped-def]
    return factories.coordinator(display_name="Carol")


@pytest.fixture
def outsider(db):  # type: ignore[no-untyped-def]
    """A signed-in member with no part in anyone else's business."""
    return factories.member(display_name="Oscar")


def _client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def member_client(member) -> Client:  # type: ignore[no-untyped-def]
    return _client_for(member)


@pytest.fixture
def supporter_client(supporter) -> Client:  # type: ignore[no-untyped-def]
    return _client_for(supporter)


@pytest.fixture
def coordinator_client(coordinator) -> Client:  # type: ignore[no-untyped-def]
    return _client_for(coordinator)


@pytest.fixture
def outsider_client(outsider) -> Client:  # type: ignore[no-untyped-def]
    return _client_for(outsider)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run browser tests last: Playwright's sync API leaves an event loop in the main thread, after which
    `async_to_sync` (used by notifications and the channel layer) refuses to run there."""
    items.sort(key=lambda item: "/tests/browser/" in str(item.path))
