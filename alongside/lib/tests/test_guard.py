"""The guarded socket base, on every route through the real ASGI stack: the origin, MFA, bad frames, and a quiet
socket closing by itself when its session ends for any reason."""

from __future__ import annotations

import json
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.models import Session
from django.test import Client

from alongside.accounts.models import User
from alongside.asgi import application
from alongside.connections.tests import factories as connection_factories
from alongside.conversations.services import get_or_create_thread_for_connection
from alongside.lib import consumers as lib_consumers
from alongside.lib.time import now
from tests import factories

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio, pytest.mark.usefixtures("close_sockets")]

ORIGIN = "http://127.0.0.1:8000"
ROUTES = ["chat", "call", "badge"]


def _path(route: str, thread_id: int) -> str:
    return {"chat": f"/ws/threads/{thread_id}/", "call": f"/ws/calls/{thread_id}/", "badge": "/ws/notifications/"}[
        route
    ]


def _cookie(user: Any) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@sync_to_async
def _pair(*, supporter_mfa: bool = True) -> dict[str, Any]:
    member = factories.member(display_name="Alice")
    supporter = factories.supporter(display_name="Bob", mfa=supporter_mfa)
    thread = get_or_create_thread_for_connection(connection=connection_factories.connection(member, supporter))
    return {"member": member, "supporter": supporter, "thread": thread}


def _communicator(
    path: str, cookie: str | None, origin: str | None = ORIGIN, scheme: str = ""
) -> WebsocketCommunicator:
    headers = [(b"host", b"127.0.0.1:8000")]
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    if cookie:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    socket = WebsocketCommunicator(application, path, headers=headers)
    if scheme:
        socket.scope["scheme"] = scheme
    return socket


async def _until_closed(socket: WebsocketCommunicator, timeout: float = 5) -> tuple[list[dict[str, Any]], int]:
    frames: list[dict[str, Any]] = []
    while True:
        output = await socket.receive_output(timeout=timeout)
        if output["type"] == "websocket.close":
            return frames, output["code"]
        frames.append(json.loads(output["text"]))


# --- the origin: exact, like Django's CSRF check -----------------------------------------------------------------


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize(
    "origin",
    [
        "http://localhost:9999",  # an allowed host name, another port
        "https://127.0.0.1",  # another scheme, no port
        "https://127.0.0.1:8000",  # another scheme
        "http://127.0.0.1:8001",  # another port
        "http://127.0.0.1",  # no port
        "http://127.0.0.1:8000.evil.example",
        "https://evil.example",
        "null",
        None,  # no Origin header at all
    ],
)
async def test_an_origin_that_is_not_exactly_this_site_is_refused(route, origin):
    cast = await _pair()
    socket = _communicator(_path(route, cast["thread"].pk), await sync_to_async(_cookie)(cast["member"]), origin)
    connected, code = await socket.connect()
    assert not connected and code == 4403


@pytest.mark.parametrize("route", ROUTES)
async def test_this_sites_own_origin_and_the_trusted_origins_are_accepted(route, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://alongside.example.org", "https://*.example.net"]
    cast = await _pair()
    cookie = await sync_to_async(_cookie)(cast["member"])
    path = _path(route, cast["thread"].pk)
    for origin, scheme in (
        (ORIGIN, ""),
        ("https://127.0.0.1:8000", "wss"),  # behind TLS the page is https
        ("https://alongside.example.org", ""),
        ("https://chat.example.net", ""),
    ):
        socket = _communicator(path, cookie, origin, scheme)
        connected, code = await socket.connect()
        assert connected, (origin, code)
        await socket.disconnect()


# --- MFA enrolment, as for pages ------------------------------------------------------------------------------------


@pytest.mark.parametrize("route", ROUTES)
async def test_a_supporter_without_mfa_is_refused_on_every_socket(route):
    cast = await _pair(supporter_mfa=False)
    socket = _communicator(_path(route, cast["thread"].pk), await sync_to_async(_cookie)(cast["supporter"]))
    connected, code = await socket.connect()
    assert not connected and code == 4403


@pytest.mark.parametrize("route", ROUTES)
async def test_a_supporter_with_mfa_and_a_member_without_it_get_in(route):
    cast = await _pair()
    for person in (cast["member"], cast["supporter"]):
        socket = _communicator(_path(route, cast["thread"].pk), await sync_to_async(_cookie)(person))
        connected, code = await socket.connect()
        assert connected, code
        await socket.disconnect()


# --- bad frames ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("route", ROUTES)
async def test_deeply_nested_json_gets_an_error_frame_and_the_socket_stays_up(route):
    cast = await _pair()
    socket = _communicator(_path(route, cast["thread"].pk), await sync_to_async(_cookie)(cast["member"]))
    assert (await socket.connect())[0]
    if route != "call":
        await socket.receive_json_from(timeout=3)  # hello / count
    await socket.send_to(text_data="[" * 5000 + "]" * 5000)  # 10 kB, under every frame limit
    reply = await socket.receive_json_from(timeout=3)
    assert reply == {"type": "error", "error": "frames must be JSON"}
    await socket.send_to(text_data='{"type": "' + "[" * 3000 + '"}')  # nested brackets inside a string are fine
    assert (await socket.receive_json_from(timeout=3))["type"] == "error"
    await socket.disconnect()


# --- a quiet socket closes when its session ends, for any reason ----------------------------------------------------


def _expire(user: User, cookie: str) -> None:
    Session.objects.filter(session_key=cookie).update(expire_date=now())


def _delete_session(user: User, cookie: str) -> None:
    # Signed out in another process whose event never arrived: only the session row tells.
    Session.objects.filter(session_key=cookie).delete()


def _change_password(user: User, cookie: str) -> None:
    # From another device, and without any signal: the session's auth hash no longer matches.
    User.objects.filter(pk=user.pk).update(password=make_password("another correct horse"))


def _deactivate(user: User, cookie: str) -> None:
    User.objects.filter(pk=user.pk).update(is_active=False)


def _remove_mfa(user: User, cookie: str) -> None:
    Authenticator.objects.filter(user=user).delete()


def _gain_role_without_mfa(user: User, cookie: str) -> None:
    User.objects.filter(pk=user.pk).update(is_coordinator=True)


ENDINGS = {
    # reason: (whose socket, what ends it, the close code)
    "expired": ("member", _expire, 4401),
    "staff idle timeout": ("supporter", _expire, 4401),
    "signed out elsewhere": ("member", _delete_session, 4401),
    "password changed": ("member", _change_password, 4401),
    "deactivated": ("member", _deactivate, 4403),
    "mfa removed": ("supporter", _remove_mfa, 4403),
    "a role that needs mfa, without it": ("member", _gain_role_without_mfa, 4403),
}


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("ending", list(ENDINGS))
async def test_a_quiet_socket_closes_by_itself_when_its_session_ends(route, ending, monkeypatch):
    monkeypatch.setattr(lib_consumers, "SESSION_RECHECK_SECONDS", 0.3)
    who, end, code = ENDINGS[ending]
    cast = await _pair()
    person = cast[who]
    cookie = await sync_to_async(_cookie)(person)
    socket = _communicator(_path(route, cast["thread"].pk), cookie)
    assert (await socket.connect())[0]
    await sync_to_async(end)(person, cookie)
    frames, closed_with = await _until_closed(socket, timeout=5)  # the client sends nothing at all
    assert closed_with == code
    if route == "chat":
        assert frames[-1] == {"type": "signed_out" if code == 4401 else "forbidden"}
    await socket.disconnect()


async def test_a_socket_whose_session_is_fine_stays_open_across_re_checks(monkeypatch):
    monkeypatch.setattr(lib_consumers, "SESSION_RECHECK_SECONDS", 0.1)
    cast = await _pair()
    socket = _communicator(_path("chat", cast["thread"].pk), await sync_to_async(_cookie)(cast["supporter"]))
    assert (await socket.connect())[0]
    assert (await socket.receive_json_from(timeout=3))["type"] == "hello"
    assert await socket.receive_nothing(timeout=1.0)  # ten re-checks, nothing said, still open
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from(timeout=3) == {"type": "pong"}
    await socket.disconnect()


@pytest.mark.parametrize("route", ROUTES)
async def test_a_password_change_through_the_site_closes_the_other_sessions_at_once(route):
    """allauth's password change ends every other session; their sockets close at once, not 25 s later.

    (The changing browser's own session is kept under a new key, so its old sockets close too, as they did at
    their next heartbeat before; the page's next socket uses the new key.)"""
    cast = await _pair()
    member = cast["member"]
    here, elsewhere = Client(), Client()
    for client in (here, elsewhere):
        await sync_to_async(client.force_login)(member)
    path = _path(route, cast["thread"].pk)
    mine = _communicator(path, here.cookies[settings.SESSION_COOKIE_NAME].value)
    theirs = _communicator(path, elsewhere.cookies[settings.SESSION_COOKIE_NAME].value)
    assert (await mine.connect())[0] and (await theirs.connect())[0]
    if route != "call":
        await mine.receive_json_from(timeout=3)
        await theirs.receive_json_from(timeout=3)
    response = await sync_to_async(here.post)(
        "/accounts/password/change/",
        {"oldpassword": factories.PASSWORD, "password1": "a new horse battery", "password2": "a new horse battery"},
    )
    assert response.status_code == 302, response.content[:300]
    _frames, code = await _until_closed(theirs, timeout=3)  # well before any periodic re-check
    assert code == 4401
    await mine.disconnect()
    await theirs.disconnect()


# --- who gets which close code where (docs/conversations.md lists the same) --------------------------------------


@sync_to_async
def _everyone() -> dict[str, Any]:
    from alongside.connections.models import ConnectionStatus
    from alongside.conversations.models import ThreadMember

    member = factories.member(display_name="Alice")
    supporter = factories.supporter(display_name="Bob")
    coordinator = factories.coordinator(display_name="Carol")
    third = factories.coordinator(display_name="Cora")
    connection = connection_factories.connection(member, supporter)
    thread = get_or_create_thread_for_connection(connection=connection)
    ThreadMember.objects.create(thread=thread, user=third)
    closed_member = factories.member(display_name="Cleo")
    closed = connection_factories.connection(closed_member, supporter)
    closed_thread = get_or_create_thread_for_connection(connection=closed)
    closed.status, closed.ended_at = ConnectionStatus.CLOSED, now()
    closed.save()
    deactivated = factories.member(display_name="Dee")
    deactivated_cookie = _cookie(deactivated)
    User.objects.filter(pk=deactivated.pk).update(is_active=False)
    return {
        "thread": thread.pk,
        "closed_thread": closed_thread.pk,
        "cookies": {
            "anonymous": None,
            "member": _cookie(member),
            "supporter": _cookie(supporter),
            "coordinator": _cookie(coordinator),
            "other member": _cookie(factories.member(display_name="Olive")),
            "other supporter": _cookie(factories.supporter(display_name="Sam")),
            "third member of the thread": _cookie(third),
            "member of a closed connection": _cookie(closed_member),
            "supporter without mfa": _cookie(factories.supporter(display_name="Nat", mfa=False)),
            "coordinator without mfa": _cookie(factories.coordinator(display_name="Nia", mfa=False)),
            "deactivated": deactivated_cookie,
        },
    }


WHO_GETS_WHAT = {
    # who: (badge, chat, call) — True: accepted, else the close code
    "anonymous": (4401, 4401, 4401),
    "member": (True, True, True),
    "supporter": (True, True, True),
    "coordinator": (True, 4404, 4404),
    "other member": (True, 4404, 4404),
    "other supporter": (True, 4404, 4404),
    "third member of the thread": (True, True, 4403),
    "member of a closed connection": (True, True, 4403),
    "supporter without mfa": (4403, 4403, 4403),
    "coordinator without mfa": (4403, 4403, 4403),
    "deactivated": (4401, 4401, 4401),
}


async def test_each_person_gets_the_documented_answer_on_each_route():
    world = await _everyone()
    found = {}
    for who, cookie in world["cookies"].items():
        thread = world["closed_thread"] if who == "member of a closed connection" else world["thread"]
        answers = []
        for route in ("badge", "chat", "call"):
            socket = _communicator(_path(route, thread), cookie)
            connected, code = await socket.connect(timeout=5)
            answers.append(True if connected else code)
            if connected:
                await socket.disconnect()
        found[who] = tuple(answers)
    assert found == WHO_GETS_WHAT


# --- a socket that needs a role (talk-now, concern alerts) ---------------------------------------------------------


class SupportersOnly(lib_consumers.GuardedConsumer):
    required_role = "supporter"

    async def opened(self) -> None:
        await self.send_json({"type": "hello"})


def _role_app() -> Any:
    from channels.auth import AuthMiddlewareStack
    from channels.routing import URLRouter
    from django.urls import path

    from alongside.lib.sockets import SocketGuard

    return SocketGuard(AuthMiddlewareStack(URLRouter([path("ws/supporters/", SupportersOnly.as_asgi())])))


async def test_a_socket_that_needs_a_role_refuses_others_and_closes_at_once_when_the_role_goes():
    from alongside.accounts.services import set_role

    cast = await _pair()
    coordinator = await sync_to_async(factories.coordinator)(display_name="Carol")
    app = _role_app()
    headers = [(b"origin", ORIGIN.encode()), (b"host", b"127.0.0.1:8000")]

    def socket_for(cookie: str) -> WebsocketCommunicator:
        return WebsocketCommunicator(
            app, "/ws/supporters/", headers=[*headers, (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode())]
        )

    refused = socket_for(await sync_to_async(_cookie)(cast["member"]))
    assert await refused.connect() == (False, 4403)
    bob = socket_for(await sync_to_async(_cookie)(cast["supporter"]))
    assert (await bob.connect())[0]
    assert await bob.receive_json_from(timeout=3) == {"type": "hello"}
    await sync_to_async(set_role)(actor=coordinator, user=cast["supporter"], role="supporter", granted=False)
    _frames, code = await _until_closed(bob, timeout=3)  # at once, not at the next periodic re-check
    assert code == 4403
    await bob.disconnect()


async def test_close_user_sockets_reaches_every_socket_of_the_person_and_nobody_elses():
    from alongside.lib.sockets import Reason, close_user_sockets

    cast = await _pair()
    mine = []
    for route in ROUTES:
        socket = _communicator(_path(route, cast["thread"].pk), await sync_to_async(_cookie)(cast["member"]))
        assert (await socket.connect())[0]
        mine.append(socket)
    bob = _communicator(_path("chat", cast["thread"].pk), await sync_to_async(_cookie)(cast["supporter"]))
    assert (await bob.connect())[0]
    assert (await bob.receive_json_from(timeout=3))["type"] == "hello"
    await sync_to_async(close_user_sockets)(cast["member"], Reason.DEACTIVATED)
    for socket in mine:
        assert (await _until_closed(socket, timeout=3))[1] == 4403
    assert await bob.receive_nothing(timeout=0.3)
    for socket in [*mine, bob]:
        await socket.disconnect()
