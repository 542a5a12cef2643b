"""Signing in, out and away, as an attacker would try it: throttled guessing, the same answer whether an address has
an account or not (sign-in, sign-up, password reset), a new session key at sign-in, staff sessions ending after their
idle time, and every socket of a session closing on sign-out, every socket of a person on deletion."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from unittest import mock

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone

from alongside.asgi import application
from alongside.connections.tests import factories as connection_factories
from alongside.conversations.services import get_or_create_thread_for_connection
from alongside.safety.privacy import delete_account
from tests import factories

PASSWORD = factories.PASSWORD
WRONG = "not the password at all 7"


def _same_page(body: str, *, typed: str) -> str:
    """A page as it would read for any address: the CSRF token and the address typed taken out."""
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value=""', body)
    return body.replace(typed, "ADDRESS")


def _attempt(path: str, data: dict[str, str], typed: str) -> tuple[int, str, str]:
    client = Client()
    response = client.post(path, data)
    return response.status_code, response.get("Location", ""), _same_page(response.content.decode(), typed=typed)


# --- enumeration: known and unknown addresses get the same answer --------------------------------------------------


@pytest.mark.django_db
def test_a_wrong_password_and_an_unknown_address_read_the_same_at_sign_in(member) -> None:  # type: ignore[no-untyped-def]
    unknown = "nobody.here@example.org"
    known = _attempt("/accounts/login/", {"login": member.email, "password": WRONG}, member.email)
    absent = _attempt("/accounts/login/", {"login": unknown, "password": WRONG}, unknown)
    assert known[0] == 200
    assert known == absent


@pytest.mark.django_db
def test_signing_up_with_a_taken_address_reads_as_a_new_sign_up(member, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    fresh = "fresh.doctor@example.org"
    with django_capture_on_commit_callbacks(execute=True):
        taken = _attempt(
            "/accounts/signup/", {"email": member.email, "password1": PASSWORD, "password2": PASSWORD}, member.email
        )
        new = _attempt("/accounts/signup/", {"email": fresh, "password1": PASSWORD, "password2": PASSWORD}, fresh)
    assert taken[0] == 302
    assert taken == new
    # Each address is told by email instead: the owner of the taken one learns someone tried.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([member.email, fresh])


@pytest.mark.django_db
def test_a_password_reset_reads_the_same_for_any_address(member, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    unknown = "nobody.here@example.org"
    with django_capture_on_commit_callbacks(execute=True):
        known = _attempt("/accounts/password/reset/", {"email": member.email}, member.email)
        absent = _attempt("/accounts/password/reset/", {"email": unknown}, unknown)
    assert known[0] == 302
    assert known == absent
    followed = Client().get(known[1])
    assert followed.status_code == 200


# --- throttling and the session ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_failed_sign_ins_are_throttled_with_a_clear_message(member) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    for _ in range(5):
        response = client.post("/accounts/login/", {"login": member.email, "password": WRONG})
        assert "Too many" not in response.content.decode()
    refused = client.post("/accounts/login/", {"login": member.email, "password": PASSWORD})
    body = refused.content.decode()
    assert "Too many attempts to sign in. Please wait a few minutes and try again." in body
    assert "_auth_user_id" not in client.session, "even the right password is refused while throttled"


@pytest.mark.django_db
def test_signing_in_gives_a_new_session_key(member) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.post("/accounts/login/", {"login": member.email, "password": WRONG})  # an anonymous session exists now
    session = client.session
    session["planted"] = "by someone else"
    session.save()
    before = client.cookies[settings.SESSION_COOKIE_NAME].value
    response = client.post("/accounts/login/", {"login": member.email, "password": PASSWORD})
    assert response.status_code == 302
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after and after != before
    assert str(client.session["_auth_user_id"]) == str(member.pk)
    # The old key opens nothing.
    fixated = Client()
    fixated.cookies[settings.SESSION_COOKIE_NAME] = before
    assert fixated.get("/profile/").status_code == 302


@pytest.mark.django_db
def test_a_staff_session_ends_after_its_idle_time_and_a_members_does_not(supporter, member) -> None:  # type: ignore[no-untyped-def]
    idle = settings.ALONGSIDE_STAFF_IDLE_SECONDS
    staff, peer = Client(), Client()
    staff.force_login(supporter)
    peer.force_login(member)
    assert staff.get("/profile/").status_code == 200 and peer.get("/profile/").status_code == 200
    start = timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=start + dt.timedelta(seconds=idle - 30)):
        assert staff.get("/profile/").status_code == 200, "activity within the idle time keeps the session"
    later = start + dt.timedelta(seconds=2 * idle)
    with mock.patch("django.utils.timezone.now", return_value=later):
        gone = staff.get("/profile/")
        assert gone.status_code == 302 and gone["Location"].startswith("/accounts/login/")
        assert peer.get("/profile/").status_code == 200, "a member's session lasts its own length"


# --- sockets close when the session or the person goes -------------------------------------------------------------


ORIGIN = "http://127.0.0.1:8000"


def _signed_in(user: Any) -> tuple[Client, str]:
    client = Client()
    client.force_login(user)
    return client, client.cookies[settings.SESSION_COOKIE_NAME].value


def _socket(path: str, cookie: str) -> WebsocketCommunicator:
    headers = [
        (b"host", b"127.0.0.1:8000"),
        (b"origin", ORIGIN.encode()),
        (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()),
    ]
    return WebsocketCommunicator(application, path, headers=headers)


async def _closed(socket: WebsocketCommunicator, timeout: float = 3) -> int:
    while True:
        output = await socket.receive_output(timeout=timeout)
        if output["type"] == "websocket.close":
            return int(output["code"])


@sync_to_async
def _pair() -> tuple[Any, Any, int]:
    member, supporter = factories.member(), factories.supporter()
    thread = get_or_create_thread_for_connection(connection=connection_factories.connection(member, supporter))
    return member, supporter, thread.pk


async def _open(paths: list[str], cookie: str) -> list[WebsocketCommunicator]:
    sockets = []
    for path in paths:
        socket = _socket(path, cookie)
        assert (await socket.connect())[0], path
        sockets.append(socket)
    return sockets


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("close_sockets")
async def test_signing_out_closes_every_socket_of_that_session_at_once() -> None:
    member, _supporter, thread_id = await _pair()
    client, cookie = await sync_to_async(_signed_in)(member)
    _other_device, other_cookie = await sync_to_async(_signed_in)(member)
    paths = [f"/ws/threads/{thread_id}/", "/ws/notifications/"]
    mine = await _open(paths, cookie)
    elsewhere = await _open(paths[:1], other_cookie)
    response = await sync_to_async(client.post)("/accounts/logout/")
    assert response.status_code == 302
    for socket in mine:
        assert await _closed(socket) == 4401
    elsewhere_output = []  # frames may come (its hello); a close must not
    while not await elsewhere[0].receive_nothing(timeout=0.3):
        elsewhere_output.append(await elsewhere[0].receive_output())
    assert all(o["type"] != "websocket.close" for o in elsewhere_output), "another device stays signed in"
    for socket in [*mine, *elsewhere]:
        await socket.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("close_sockets")
async def test_deleting_an_account_closes_every_socket_of_the_person_at_once() -> None:
    member, _supporter, thread_id = await _pair()
    _client, cookie = await sync_to_async(_signed_in)(member)
    _second, second_cookie = await sync_to_async(_signed_in)(member)
    sockets = [
        *await _open([f"/ws/threads/{thread_id}/", "/ws/notifications/"], cookie),
        *await _open(["/ws/notifications/"], second_cookie),
    ]
    await sync_to_async(delete_account)(user=member)
    for socket in sockets:
        # At once, not at the next periodic re-check; the chat socket may close first for its connection closing.
        assert await _closed(socket) in (4401, 4403, 4410)
    for socket in sockets:
        await socket.disconnect()
