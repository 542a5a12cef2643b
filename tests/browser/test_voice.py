"""Voice calls between two browsers with Chromium's fake microphone: ring, answer, talk, mute, hang up."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from django.db import OperationalError
from playwright.sync_api import BrowserContext, Page, expect

from alongside.calls import models as call_models
from alongside.calls.models import Call, CallOutcome
from alongside.connections.tests import factories as connection_factories
from alongside.conversations.services import get_or_create_thread_for_connection
from tests import factories
from tests.browser.conftest import BOTH_SIZES, LiveServer, screenshot, serious_violations

pytestmark = pytest.mark.browser

CONNECT_TIMEOUT = 20_000  # ms: ICE over loopback is quick, but a loaded CI machine is not


def _status(page: Page):
    return page.locator("[data-call-status]")


def _screen(page: Page):
    return page.locator("[data-call]")


@pytest.fixture
def pair(asgi_live_server: LiveServer):
    member = factories.member(display_name="Alice")
    supporter = factories.supporter(display_name="Bob")
    thread = get_or_create_thread_for_connection(connection=connection_factories.connection(member, supporter))
    return member, supporter, thread


def _ended_call(thread, timeout: float = 5.0) -> Call:
    """The thread's call once the server has recorded its end. The page may show the end first (a side that
    fails hangs up locally at once), and the in-memory SQLite test database refuses reads while it writes."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            call = Call.objects.filter(thread=thread).first()
        except OperationalError:
            call = None
        if (call is not None and call.ended_at is not None) or time.monotonic() > deadline:
            assert call is not None
            return call
        time.sleep(0.05)


def _signed_in(
    media_context: Callable[..., BrowserContext], sign_in_as: Callable[[BrowserContext, object], None], user
) -> Page:
    context = media_context()
    sign_in_as(context, user)
    return context.new_page()


def _open_both(media_context, sign_in_as, thread, first, second) -> tuple[Page, Page]:
    """Sign both people in, then load one page after the other: the in-memory SQLite test database locks whole
    tables, so a session written while the server thread reads another can fail."""
    pages = (_signed_in(media_context, sign_in_as, first), _signed_in(media_context, sign_in_as, second))
    for page in pages:
        page.goto(f"/calls/{thread.pk}/")
        # One page at a time, sockets and all: its session reads must not meet the next page's session write.
        expect(page.locator("[data-call]")).to_have_attribute("data-state", "idle")
        expect(page.locator("[data-live-badge]")).to_have_attribute("data-connected", "true")
    return pages


def test_a_member_calls_their_supporter_who_answers_both_hear_each_other_and_hang_up(
    media_context: Callable[..., BrowserContext], sign_in_as: Callable[[BrowserContext, object], None], pair
) -> None:
    member, supporter, thread = pair
    alice, bob = _open_both(media_context, sign_in_as, thread, member, supporter)
    expect(_status(alice)).to_have_text("You can call Bob.")
    expect(_status(bob)).to_have_text("You can call Alice.")

    alice.get_by_role("button", name="Start a voice call").click()
    expect(_status(bob)).to_have_text("Alice is calling you.")
    expect(_status(alice)).to_have_text("Ringing Bob…")
    bob.get_by_role("button", name="Answer").click()

    expect(_screen(alice)).to_have_attribute("data-state", "connected", timeout=CONNECT_TIMEOUT)
    expect(_screen(bob)).to_have_attribute("data-state", "connected", timeout=CONNECT_TIMEOUT)
    expect(_status(alice)).to_have_text("Connected to Bob.")
    expect(_status(bob)).to_have_text("Connected to Alice.")
    expect(alice.locator("[data-call-clock]")).not_to_have_text("0:00", timeout=5000)  # the duration runs
    # Sound really flows both ways (Chromium's fake microphone plays a beep).
    for page in (alice, bob):
        page.wait_for_function(
            """async () => {
                const stats = await document.querySelector('[data-call]').callScreen.pc.getStats();
                let bytes = 0;
                stats.forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'audio') bytes += s.bytesReceived; });
                return bytes > 0;
            }""",
            timeout=10_000,
        )

    bob.get_by_role("button", name="Mute").click()
    expect(bob.get_by_role("button", name="Mute")).to_have_attribute("aria-pressed", "true")
    assert bob.evaluate(
        "() => document.querySelector('[data-call]').callScreen.stream.getAudioTracks().every((t) => !t.enabled)"
    )

    alice.get_by_role("button", name="Hang up").click()
    expect(_status(alice)).to_have_text("Call ended.")
    expect(_status(bob)).to_have_text("Call ended.")
    expect(_screen(bob)).to_have_attribute("data-state", "ended")
    expect(bob.get_by_role("button", name="Start a voice call")).to_be_visible()
    call = _ended_call(thread)
    assert (call.caller, call.callee, call.outcome) == (member, supporter, CallOutcome.ANSWERED)
    assert call.duration is not None and call.duration.total_seconds() >= 1


def test_a_declined_call_says_so_to_the_caller(
    media_context: Callable[..., BrowserContext], sign_in_as: Callable[[BrowserContext, object], None], pair
) -> None:
    member, supporter, thread = pair
    alice, bob = _open_both(media_context, sign_in_as, thread, member, supporter)
    expect(_status(bob)).to_have_text("You can call Alice.")
    bob.get_by_role("button", name="Start a voice call").click()
    alice.get_by_role("button", name="Decline").click()
    expect(_status(bob)).to_have_text("Alice can't take the call right now.")
    expect(_screen(bob)).to_have_attribute("data-state", "ended")
    assert _ended_call(thread).outcome == CallOutcome.DECLINED


# Fake devices but no fake permission prompt: headless Chromium refuses the microphone, as a person clicking
# "Block" would (with --use-fake-ui-for-media-stream even an explicit "denied" is overridden).
@pytest.mark.parametrize("browser_type_launch_args", [["--use-fake-device-for-media-stream"]], indirect=True)
def test_a_blocked_microphone_is_explained_and_nobody_is_rung(
    new_context: Callable[..., BrowserContext],
    sign_in_as: Callable[[BrowserContext, object], None],
    pair,
    asgi_live_server: LiveServer,
) -> None:
    member, _supporter, thread = pair
    context = new_context()  # never allowed the microphone
    sign_in_as(context, member)
    alice = context.new_page()
    alice.goto(f"/calls/{thread.pk}/")
    expect(_status(alice)).to_have_text("You can call Bob.")
    alice.get_by_role("button", name="Start a voice call").click()
    expect(alice.get_by_role("alert")).to_contain_text("Your browser has blocked the microphone")
    expect(_screen(alice)).to_have_attribute("data-state", "idle")
    assert not Call.objects.exists()


def test_a_computer_without_a_microphone_is_told_so(
    new_context: Callable[..., BrowserContext], sign_in_as: Callable[[BrowserContext, object], None], pair
) -> None:
    member, _supporter, thread = pair
    context = new_context()  # the ordinary headless Chromium has no audio devices at all
    sign_in_as(context, member)
    alice = context.new_page()
    alice.goto(f"/calls/{thread.pk}/")
    expect(_status(alice)).to_have_text("You can call Bob.")
    alice.get_by_role("button", name="Start a voice call").click()
    expect(alice.get_by_role("alert")).to_contain_text("No microphone was found.")
    assert not Call.objects.exists()


def test_a_call_nobody_answers_says_so_on_both_sides_and_is_missed(
    media_context: Callable[..., BrowserContext],
    sign_in_as: Callable[[BrowserContext, object], None],
    pair,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(call_models, "RING_SECONDS", 1.5)  # the live server runs in this process
    member, supporter, thread = pair
    alice, bob = _open_both(media_context, sign_in_as, thread, member, supporter)
    expect(_status(bob)).to_have_text("You can call Alice.")
    alice.get_by_role("button", name="Start a voice call").click()
    expect(_status(bob)).to_have_text("Alice is calling you.")
    expect(alice.get_by_role("alert")).to_contain_text("Bob didn't answer.")
    expect(_status(bob)).to_have_text("You missed a call from Alice.")
    assert _ended_call(thread).outcome == CallOutcome.MISSED


def test_an_unreachable_peer_is_explained_when_the_audio_cannot_connect(
    media_context: Callable[..., BrowserContext],
    sign_in_as: Callable[[BrowserContext, object], None],
    pair,
    settings,
) -> None:
    # Relay-only through a TURN server that isn't there: no path for the sound can ever be found.
    settings.ALONGSIDE_TURN_URLS, settings.ALONGSIDE_TURN_SECRET = ["turn:127.0.0.1:9?transport=tcp"], "s"
    settings.ALONGSIDE_RELAY_ONLY = True
    member, supporter, thread = pair
    alice, bob = _open_both(media_context, sign_in_as, thread, member, supporter)
    expect(_status(bob)).to_have_text("You can call Alice.")
    alice.get_by_role("button", name="Start a voice call").click()
    bob.get_by_role("button", name="Answer").click()
    expect(alice.get_by_role("alert")).to_contain_text("We couldn't connect the call's sound", timeout=40_000)
    expect(bob.get_by_role("alert")).to_contain_text("We couldn't connect the call's sound", timeout=10_000)
    assert _ended_call(thread).outcome == CallOutcome.FAILED


def test_the_call_screen_passes_axe_when_ready_ringing_and_connected(
    media_context: Callable[..., BrowserContext], sign_in_as: Callable[[BrowserContext, object], None], pair
) -> None:
    member, supporter, thread = pair
    alice, bob = _signed_in(media_context, sign_in_as, member), _signed_in(media_context, sign_in_as, supporter)
    alice.goto(f"/calls/{thread.pk}/")
    expect(_screen(alice)).to_have_attribute("data-state", "idle")
    expect(alice.locator("[data-live-badge]")).to_have_attribute("data-connected", "true")
    bob.goto(f"/threads/{thread.pk}/")  # the call screen on the thread page, beside the chat
    expect(_status(bob)).to_have_text("You can call Alice.")
    assert serious_violations(alice, sizes=BOTH_SIZES) == []
    assert serious_violations(bob, sizes=BOTH_SIZES) == []
    alice.get_by_role("button", name="Start a voice call").click()
    expect(bob.get_by_role("button", name="Answer")).to_be_focused()  # keyboard users land on Answer
    assert serious_violations(bob, sizes=BOTH_SIZES) == []
    screenshot(bob, "call-incoming")
    bob.get_by_role("button", name="Answer").click()
    expect(_screen(alice)).to_have_attribute("data-state", "connected", timeout=CONNECT_TIMEOUT)
    expect(_screen(bob)).to_have_attribute("data-state", "connected", timeout=CONNECT_TIMEOUT)
    assert serious_violations(alice, sizes=BOTH_SIZES) == []
    screenshot(alice, "call-connected")
    alice.get_by_role("button", name="Hang up").click()
    expect(_status(bob)).to_have_text("Call ended.")


def test_closing_the_connection_ends_a_call_on_the_open_page(
    media_context: Callable[..., BrowserContext], sign_in_as: Callable[[BrowserContext, object], None], pair
) -> None:
    member, supporter, thread = pair
    alice, bob = _open_both(media_context, sign_in_as, thread, member, supporter)
    alice.get_by_role("button", name="Start a voice call").click()
    bob.get_by_role("button", name="Answer").click()
    expect(_screen(alice)).to_have_attribute("data-state", "connected", timeout=CONNECT_TIMEOUT)
    # Bob closes the connection from another tab, mid-call.
    elsewhere = bob.context.new_page()
    elsewhere.goto(f"/connections/{thread.connection_id}/close/")
    elsewhere.get_by_role("button", name="Close the connection").click()
    for page in (alice, bob):
        expect(_status(page)).to_have_text("Voice calls aren't available in this conversation any more.")
        expect(page.get_by_role("button", name="Start a voice call")).to_be_hidden()
    assert _ended_call(thread).ended_at is not None
