"""Shared fixtures: the cast (a member, a supporter, a coordinator, an outsider) and clients signed in as them."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import Client

from tests import factories

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's event loop runs beside sync ORM calls


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


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
