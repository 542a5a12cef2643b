"""Live: a supporter's notifications socket gets the offer and its withdrawal; the member's request socket follows
the request from waiting to connected to ended."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from alongside.asgi import application
from alongside.service.selectors import ServiceSnapshot
from alongside.talknow import services
from alongside.talknow.models import Medium, TalkNowOffer
from tests import factories

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio, pytest.mark.usefixtures("close_sockets")]


@pytest.fixture(autouse=True)
def _open(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ServiceSnapshot, "is_open_at", lambda self, moment: True)


def _cookie(user) -> str:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


async def _connect(user, path: str) -> WebsocketCommunicator:  # type: ignore[no-untyped-def]
    cookie = await sync_to_async(_cookie)(user)
    headers = [
        (b"origin", b"http://127.0.0.1:8000"),
        (b"host", b"127.0.0.1:8000"),
        (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()),
    ]
    communicator = WebsocketCommunicator(application, path, headers=headers)
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
    member = factories.member()
    first, second, off_shift = factories.supporter(), factories.supporter(), factories.supporter()
    factories.shift(primary=[first, second])
    return member, first, second, off_shift


async def test_the_offer_reaches_every_open_page_of_those_offered_and_vanishes_when_taken():
    member, first, second, off_shift = await sync_to_async(_setup)()
    sockets = {user.pk: await _connect(user, "/ws/notifications/") for user in (first, second, off_shift)}
    for socket in sockets.values():
        await _next(socket, "count")
    req = await sync_to_async(services.ask)(member=member, medium=Medium.CHAT)
    offers = {o.supporter_id: o async for o in TalkNowOffer.objects.filter(request=req)}
    for supporter in (first, second):
        frame = await _next(sockets[supporter.pk], "talknow_offer")
        assert frame == {
            "type": "talknow_offer",
            "offer": offers[supporter.pk].pk,
            "request": req.pk,
            "accept": f"/talk-now/offers/{offers[supporter.pk].pk}/accept/",
        }
    assert await sockets[off_shift.pk].receive_nothing(timeout=0.3)  # off shift: nothing at all

    assert await sync_to_async(services.accept)(offer=offers[first.pk], supporter=first) == services.Accepted.WON
    assert await _next(sockets[second.pk], "talknow_withdrawn") == {"type": "talknow_withdrawn", "request": req.pk}
    assert await sockets[first.pk].receive_nothing(timeout=0.3)
    for socket in sockets.values():
        await socket.disconnect()


async def test_the_member_sees_waiting_then_connected_then_ended():
    member, first, _second, _off = await sync_to_async(_setup)()
    req = await sync_to_async(services.ask)(member=member, medium=Medium.VOICE)
    socket = await _connect(member, f"/ws/talk-now/{req.pk}/")
    frame = await _next(socket, "status")
    assert frame["state"] == "waiting" and frame["on_shift"] == 2 and "2 supporters are on shift" in frame["shift"]
    await socket.send_json_to({"type": "ping"})
    assert (await socket.receive_json_from())["type"] == "pong"
    assert (await _next(socket, "status"))["state"] == "waiting"

    offer = await TalkNowOffer.objects.aget(request=req, supporter=first)
    await sync_to_async(services.accept)(offer=offer, supporter=first)
    frame = await _next(socket, "status")
    assert frame == {
        "type": "status",
        "state": "connected",
        "stage": "primary",
        "url": f"/talk-now/{req.pk}/conversation/",
    }

    supporter_socket = await _connect(first, f"/ws/talk-now/{req.pk}/")
    assert (await _next(supporter_socket, "status"))["state"] == "connected"
    await req.arefresh_from_db()
    await sync_to_async(services.end)(req=req, user=member)
    assert (await _next(socket, "status"))["url"] == f"/talk-now/{req.pk}/closed/"
    await req.arefresh_from_db()
    assert (await _next(supporter_socket, "status"))["url"] == f"/shifts/contacts/{req.contact_id}/"
    await socket.disconnect()
    await supporter_socket.disconnect()


async def test_the_request_socket_is_closed_to_everyone_else():
    member, first, second, _off = await sync_to_async(_setup)()
    req = await sync_to_async(services.ask)(member=member, medium=Medium.CHAT)
    outsider = await sync_to_async(factories.member)()
    for user in (outsider, first, second):  # offered is not accepted: the supporters see nothing of it yet
        cookie = await sync_to_async(_cookie)(user)
        communicator = WebsocketCommunicator(
            application,
            f"/ws/talk-now/{req.pk}/",
            headers=[
                (b"origin", b"http://127.0.0.1:8000"),
                (b"host", b"127.0.0.1:8000"),
                (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()),
            ],
        )
        connected, code = await communicator.connect()
        assert not connected and code == 4404
