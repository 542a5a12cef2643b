"""The safety app's places a concern is raised from, made from the shared cast (member Alice, supporter Bob); and
the phone line's fixtures (the line on, Twilio's REST API stood in for) for the SMS alerts' tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from alongside.connections.tests import factories as connection_factories
from alongside.conversations.models import Thread
from alongside.conversations.services import get_or_create_thread_for_connection
from alongside.lib.time import now
from alongside.phoneline.tests.conftest import line_on, standin
from alongside.roster.models import ContactFormat, ContactRecord
from alongside.service.selectors import ServiceSnapshot
from alongside.talknow import services as talknow_services
from alongside.talknow.models import TalkNowOffer, TalkNowRequest
from tests import factories

__all__ = ["line_on", "standin"]


@pytest.fixture
def connection(member, supporter):  # type: ignore[no-untyped-def]
    return connection_factories.connection(member, supporter)


@pytest.fixture
def thread(connection) -> Thread:  # type: ignore[no-untyped-def]
    return get_or_create_thread_for_connection(connection=connection)


@pytest.fixture
def talknow(member, supporter) -> TalkNowRequest:  # type: ignore[no-untyped-def]
    """A talk-now conversation the supporter accepted: its thread and its (open) contact record."""
    made = TalkNowRequest.objects.create(member=member, medium="chat", next_step_at=now() + dt.timedelta(minutes=3))
    TalkNowOffer.objects.create(request=made, supporter=supporter)
    talknow_services.accept(offer=TalkNowOffer.objects.get(request=made), supporter=supporter)
    made.refresh_from_db()
    return made


@pytest.fixture
def phone_contact(supporter) -> ContactRecord:  # type: ignore[no-untyped-def]
    return ContactRecord.objects.create(
        supporter=supporter, format=ContactFormat.PHONE, started_at=now(), ended_at=now(), minutes=12
    )


@pytest.fixture
def on_call(db) -> Any:  # type: ignore[no-untyped-def]
    """The coordinator on call now (primary)."""
    person = factories.coordinator(display_name="Dana")
    factories.on_call(primary=[person])
    return person


@pytest.fixture
def open_service(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opening hours cover every moment (the hours themselves are tested in the service app)."""
    monkeypatch.setattr(ServiceSnapshot, "is_open_at", lambda self, moment: True)
