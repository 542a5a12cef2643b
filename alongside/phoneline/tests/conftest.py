"""Fixtures for the phone line: the line switched on with test credentials, opening hours, crisis lines, and a
client that posts webhooks signed the way Twilio signs them (with the real ``RequestValidator``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client, override_settings
from twilio.request_validator import RequestValidator

from alongside.library.models import Category, Resource
from alongside.phoneline.tests.standin import serve
from alongside.service.models import OpeningHours
from alongside.service.selectors import forget_snapshot

SID = "AC" + "0123456789abcdef" * 2
TOKEN = "test-auth-token-0123456789abcdef"
SERVICE_NUMBER = "+61390001234"
BASE = "https://line.example.org"


@pytest.fixture
def line_on() -> Iterator[None]:
    with override_settings(
        TWILIO_ACCOUNT_SID=SID, TWILIO_AUTH_TOKEN=TOKEN, TWILIO_NUMBER=SERVICE_NUMBER, TWILIO_WEBHOOK_BASE_URL=BASE
    ):
        yield


@pytest.fixture
def open_all_day(db: Any) -> None:
    for weekday in range(7):
        OpeningHours.objects.create(weekday=weekday, is_open=True, opens=dt.time(0, 0), closes=dt.time(23, 59))
    forget_snapshot()


@pytest.fixture
def crisis_lines(db: Any) -> None:
    Resource.objects.create(title="Lifeline", phone="13 11 14", category=Category.CRISIS, is_crisis=True, position=1)
    Resource.objects.create(title="Emergency", phone="000", category=Category.CRISIS, is_crisis=True, position=0)
    forget_snapshot()


class Twilio:
    """Posts webhooks as Twilio does: form-encoded, signed over the public URL and the parameters."""

    def __init__(self, client: Client, token: str = TOKEN) -> None:
        self.client = client
        self.token = token

    def sign(self, path: str, params: dict[str, str]) -> str:
        return str(RequestValidator(self.token).compute_signature(BASE + path, params))

    def post(self, path: str, params: dict[str, str] | None = None, *, signature: str | None = None) -> Any:
        params = dict(params or {})
        if path.startswith(BASE):
            path = path[len(BASE) :]
        headers = {"X-Twilio-Signature": self.sign(path, params) if signature is None else signature}
        if signature == "":
            headers = {}
        return self.client.post(path, params, headers=headers)


@pytest.fixture
def twilio(client: Client) -> Twilio:
    return Twilio(client)


@pytest.fixture
def standin(line_on: None) -> Iterator[Any]:
    """Twilio's REST API stood in for by a local HTTP server; the real twilio Client is pointed at it."""
    for server in serve():
        with override_settings(TWILIO_API_URL=server.url):
            yield server
