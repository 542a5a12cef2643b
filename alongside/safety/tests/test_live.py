"""Live: the alerted coordinators' open pages get the banner over the notifications socket, and lose it when one of
them acknowledges; a page loaded meanwhile shows the open alerts too."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from django.urls import reverse

from alongside.asgi import application
from alongside.safety.models import Level, Source
from alongside.safety.services import acknowledge, raise_concern
from tests import factories


def _cookie(user) -> str:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


async def _connect(user) -> WebsocketCommunicator:  # type: ignore[no-untyped-def]
    cookie = await sync_to_async(_cookie)(user)
    headers = [
        (b"origin", b"http://127.0.0.1:8000"),
        (b"host", b"127.0.0.1:8000"),
        (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()),
    ]
    communicator = WebsocketCommunicator(application, "/ws/notifications/", headers=headers)
    connected, code = await communicator.connect()
    assert connected, code
    return communicator


async def _next(communicator: WebsocketCommunicator, kind: str) -> dict:  # type: ignore[type-arg]
    for _ in range(5):
        frame = await communicator.receive_json_from(timeout=3)
        if frame["type"] == kind:
            return frame  # type: ignore[no-any-return]
    raise AssertionError(f"no {kind} frame")


def _setup():  # type: ignore[no-untyped-def]
    on_call, backup, supporter = factories.coordinator(), factories.coordinator(), factories.supporter()
    factories.on_call(primary=[on_call], backup=[backup])
    return on_call, backup, supporter


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
@pytest.mark.usefixtures("close_sockets")
async def test_the_banner_appears_on_the_on_call_coordinators_page_and_goes_when_acknowledged():
    on_call, backup, supporter = await sync_to_async(_setup)()
    page, backups_page = await _connect(on_call), await _connect(backup)
    concern = await sync_to_async(raise_concern)(
        raised_by=supporter, level=Level.IMMINENT, source=Source.THREAD, note="canary-note"
    )
    frame = await _next(page, "safety_alert")
    assert frame == {"type": "safety_alert", "concern": concern.pk, "url": f"/console/concerns/{concern.pk}/"}
    assert await backups_page.receive_json_from() == {"type": "count", "unread": 0}  # on opening
    others = []  # the backup's dashboard may hear that something changed, but the backup is not alerted yet
    while not await backups_page.receive_nothing(timeout=0.3):
        others.append(await backups_page.receive_json_from())
    assert all(frame["type"] == "console_changed" for frame in others)
    await sync_to_async(acknowledge)(concern=concern, by=on_call)
    assert await _next(page, "safety_handled") == {"type": "safety_handled", "concern": concern.pk}
    await page.disconnect()
    await backups_page.disconnect()


@pytest.mark.django_db
def test_a_page_loaded_while_the_alert_is_open_shows_the_banner_until_someone_acknowledges(
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
):
    on_call, backup, supporter = _setup()
    with django_capture_on_commit_callbacks(execute=True):
        concern = raise_concern(raised_by=supporter, level=Level.WORRIED, source=Source.THREAD)
    client = Client()
    client.force_login(on_call)
    link = f'href="{reverse("console:concern", args=[concern.pk])}"'
    page = client.get(reverse("library:index")).content.decode()
    assert "A safety concern needs a coordinator now" in page and link in page.split("<template")[0]
    acknowledge(concern=concern, by=backup)
    page = client.get(reverse("library:index")).content.decode()
    assert link not in page.split("<template")[0]
