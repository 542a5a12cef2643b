"""Fixtures for conversations tests: the cast's connection and its thread."""

from __future__ import annotations

import time
import types

import pytest
from django.conf import settings
from django.test import Client

from alongside.connections.models import Connection
from alongside.connections.tests import factories as connection_factories
from alongside.conversations.models import Thread
from alongside.conversations.services import get_or_create_thread_for_connection


@pytest.fixture
def one_rate_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hold the send-rate limiter's wall clock still: its windows are fixed and aligned to the clock (every process
    must agree where one starts), so a test counting sends up to the limit would see the count start again if its
    sends straddled a window's edge, as a slow machine makes them do now and then."""
    from alongside.lib import ratelimit

    frozen = time.time()
    monkeypatch.setattr(ratelimit, "time", types.SimpleNamespace(time=lambda: frozen, monotonic=time.monotonic))


@pytest.fixture
def connection(member, supporter) -> Connection:  # type: ignore[no-untyped-def]
    return connection_factories.connection(member, supporter)


@pytest.fixture
def thread(connection: Connection) -> Thread:
    return get_or_create_thread_for_connection(connection=connection)


def session_cookie(user) -> str:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value
