"""The console's dashboard: the figures a coordinator runs the service by, and the live frame that makes an open
dashboard fetch them again."""

import datetime as dt

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from alongside.asgi import application
from alongside.lib.time import now
from alongside.safety.models import Concern, Level, Source
from alongside.safety.services import raise_concern
from alongside.supporters.models import SupporterProfile, SupporterStatus, TrainingModule, TrainingRecord
from alongside.talknow.models import TalkNowRequest
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)  # the socket test reads what another thread committed


def test_the_dashboard_shows_the_state_of_the_service(coordinator_client):
    at = now()
    member = factories.member()
    TalkNowRequest.objects.create(
        member=member,
        created_at=at - dt.timedelta(minutes=4),
        state="ended",
        connected_at=at - dt.timedelta(minutes=2),
        ended_at=at,
    )
    Concern.objects.create(level=Level.WORRIED, source=Source.MEMBER, raised_at=at - dt.timedelta(hours=2))
    supporter = factories.supporter()
    SupporterProfile.objects.create(user=supporter, status=SupporterStatus.PAUSED, paused_for="training")
    module = TrainingModule.objects.create(title="Crisis support", required=True, renewal_months=12)
    TrainingRecord.objects.create(
        user=factories.supporter(),
        module=module,
        completed_on=at.date(),
        confirmed_at=at,
        expires_on=at.date() + dt.timedelta(days=10),
    )
    page = coordinator_client.get("/console/").content.decode()
    assert "1 open" in page and "not yet acknowledged" in page
    assert "1 paused for training" in page and "1 module expiring" in page
    assert "100%" in page  # one asked today, one answered
    fragment = coordinator_client.get("/console/dashboard/").content.decode()
    assert "<h1" not in fragment and "Talk now" in fragment


def _cookie(user):
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


async def _next(communicator, kind):
    for _ in range(10):
        frame = await communicator.receive_json_from(timeout=5)
        if frame["type"] == kind:
            return frame
    raise AssertionError(f"no {kind} frame")


def _people():
    return factories.coordinator(), factories.supporter(), factories.member()


@pytest.mark.asyncio
@pytest.mark.usefixtures("close_sockets")
async def test_an_open_dashboard_hears_when_a_concern_is_raised_and_members_hear_nothing():
    coordinator, supporter, member = await sync_to_async(_people)()
    sockets = []
    for person in (coordinator, member):
        cookie = await sync_to_async(_cookie)(person)
        headers = [
            (b"origin", b"http://127.0.0.1:8000"),
            (b"host", b"127.0.0.1:8000"),
            (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()),
        ]
        socket = WebsocketCommunicator(application, "/ws/notifications/", headers=headers)
        connected, code = await socket.connect()
        assert connected, code
        await _next(socket, "count")
        sockets.append(socket)
    await sync_to_async(raise_concern)(raised_by=supporter, level=Level.WORRIED, source=Source.MEMBER, member=member)
    assert await _next(sockets[0], "console_changed") == {"type": "console_changed", "what": "concerns"}
    assert await sockets[1].receive_nothing(timeout=0.5)
    for socket in sockets:
        await socket.disconnect()
