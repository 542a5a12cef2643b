"""A debrief guest holds their debrief's thread socket and no other: the notifications socket, another thread's and
a call socket close 4404, each refusal audited."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from alongside.asgi import application
from alongside.audit.models import AuditEvent, Outcome
from alongside.groups import debriefs
from tests import factories


def _setup() -> tuple[str, int, int]:
    made = debriefs.start_debrief(
        by=factories.member(is_debrief_lead=True), mode="hot", team="ED resus team", start_key="k"
    )
    other = debriefs.start_debrief(by=factories.coordinator(), mode="hot", team="ICU", start_key="k")
    client = Client()
    response = client.post(f"/debriefs/join/{debriefs.invite_token(made)}/", {"first_name": "Sam", "agreement": "on"})
    assert response.status_code == 302
    return client.cookies[settings.SESSION_COOKIE_NAME].value, made.group.thread_id, other.group.thread_id


@sync_to_async
def _denials() -> int:
    return AuditEvent.objects.filter(outcome=Outcome.DENIED).count()


async def _knock(path: str, cookie: str) -> str:
    headers = [
        (b"host", b"127.0.0.1:8000"),
        (b"origin", b"http://127.0.0.1:8000"),
        (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()),
    ]
    socket = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await socket.connect(timeout=10)
    if not connected:
        return str(code)
    await socket.disconnect()
    return "open"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("close_sockets")
async def test_a_guest_holds_only_their_debriefs_thread_socket() -> None:
    cookie, own_thread, other_thread = await sync_to_async(_setup)()
    assert await _knock(f"/ws/threads/{own_thread}/", cookie) == "open"
    for path in ("/ws/notifications/", f"/ws/threads/{other_thread}/", f"/ws/calls/{own_thread}/"):
        before = await _denials()
        assert await _knock(path, cookie) == "4404", path
        assert await _denials() > before, path
