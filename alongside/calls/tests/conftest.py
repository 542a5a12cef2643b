"""Fixtures for calls tests: the cast's connection, its thread, and a clock the test moves."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from alongside.connections.models import Connection
from alongside.connections.tests import factories as connection_factories
from alongside.conversations.models import Thread
from alongside.conversations.services import get_or_create_thread_for_connection


@pytest.fixture
def connection(member, supporter) -> Connection:  # type: ignore[no-untyped-def]
    return connection_factories.connection(member, supporter)


@pytest.fixture
def thread(connection: Connection) -> Thread:
    return get_or_create_thread_for_connection(connection=connection)


class Clock:
    """A clock the test moves by hand: every call to ``timezone.now()`` reads it."""

    def __init__(self, start: dt.datetime) -> None:
        self.at = start

    def now(self) -> dt.datetime:
        return self.at

    def advance(self, **delta: float) -> dt.datetime:
        self.at += dt.timedelta(**delta)
        return self.at


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock(timezone.now().replace(microsecond=0))
    monkeypatch.setattr(timezone, "now", c.now)
    return c
