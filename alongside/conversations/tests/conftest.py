"""Fixtures for conversations tests: the cast's connection and its thread."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

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


def session_cookie(user) -> str:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value
