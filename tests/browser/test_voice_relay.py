"""Relay-only calls through a real coturn with Alongside's time-limited credentials (``use-auth-secret``).

Skipped where coturn's ``turnserver`` is not installed (``apt-get install coturn``).
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, WebSocket, expect

from alongside.calls.models import Call, CallOutcome
from alongside.connections.tests import factories as connection_factories
from alongside.conversations.services import get_or_create_thread_for_connection
from tests import factories
from tests.browser.conftest import LiveServer, wait_for_db

pytestmark = pytest.mark.browser

TURNSERVER = shutil.which("turnserver")
SECRET = "coturn-and-alongside-share-this"


def _free_port(kind: int) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def coturn(tmp_path: Path) -> Iterator[str]:
    """A coturn on 127.0.0.1 that accepts only credentials made from SECRET; yields its turn: URL."""
    if TURNSERVER is None:
        pytest.skip("coturn's turnserver is not installed (apt-get install coturn)")
    port = _free_port(socket.SOCK_DGRAM)
    log = tmp_path / "turn.log"
    process = subprocess.Popen(
        [
            TURNSERVER,
            "-n",
            "--listening-ip=127.0.0.1",
            "--relay-ip=127.0.0.1",
            f"--listening-port={port}",
            "--min-port=50000",
            "--max-port=50200",
            "--realm=alongside.test",
            "--use-auth-secret",
            f"--static-auth-secret={SECRET}",
            "--fingerprint",
            "--no-tls",
            "--no-dtls",
            "--no-cli",
            "--no-tcp-relay",
            "--no-multicast-peers",
            # The browsers here are on loopback; a real deployment denies it (docs/voice.md).
            "--allow-loopback-peers",
            "--allowed-peer-ip=127.0.0.1",
            f"--log-file={log}",
            "--simple-log",
            "--no-stdout-log",
            f"--pidfile={tmp_path / 'turn.pid'}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while not (log.exists() and "Total General servers" in log.read_text(errors="replace")):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail("coturn did not start:\n" + (log.read_text(errors="replace") if log.exists() else ""))
        time.sleep(0.05)
    yield f"turn:127.0.0.1:{port}?transport=udp"
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def pair(asgi_live_server: LiveServer):
    member = factories.member(display_name="Alice")
    supporter = factories.supporter(display_name="Bob")
    thread = get_or_create_thread_for_connection(connection=connection_factories.connection(member, supporter))
    return member, supporter, thread


def _ended_call(thread) -> Call:
    """The thread's call once the server has recorded its end (the page may show the end first: a side that
    fails hangs up locally at once)."""
    return wait_for_db(lambda: Call.objects.filter(thread=thread, ended_at__isnull=False).first(), "the call's end")


def _listening(page: Page, candidates: list[str]) -> Page:
    """Collect the ICE candidates the page receives from the other side."""

    def _on_websocket(ws: WebSocket) -> None:
        def _frame(payload: str | bytes) -> None:
            frame = json.loads(payload)
            if frame.get("type") == "call.ice" and frame.get("candidate"):
                candidates.append(frame["candidate"]["candidate"])

        ws.on("framereceived", _frame)

    page.on("websocket", _on_websocket)
    return page


def _open_both(media_context, sign_in_as, thread, people) -> list[Page]:
    """Sign everyone in, then load one page after the other (the in-memory SQLite test database locks whole
    tables, so a session written while the server thread reads another can fail)."""
    pages = []
    for user, candidates in people:
        context = media_context()
        sign_in_as(context, user)
        pages.append(_listening(context.new_page(), candidates))
    for page in pages:
        page.goto(f"/calls/{thread.pk}/")
        # One page at a time, sockets and all: its session reads must not meet the next page's session write.
        expect(page.locator("[data-call]")).to_have_attribute("data-state", "idle")
        expect(page.locator("[data-live-badge]")).to_have_attribute("data-connected", "true")
    return pages


def test_a_relay_only_call_connects_through_coturn_and_no_address_but_the_relays_reaches_the_other_side(
    media_context: Callable[..., BrowserContext],
    sign_in_as: Callable[[BrowserContext, object], None],
    pair,
    coturn: str,
    settings,
) -> None:
    settings.ALONGSIDE_TURN_URLS, settings.ALONGSIDE_TURN_SECRET = [coturn], SECRET
    settings.ALONGSIDE_RELAY_ONLY = True
    member, supporter, thread = pair
    heard_by_alice: list[str] = []
    heard_by_bob: list[str] = []
    alice, bob = _open_both(media_context, sign_in_as, thread, [(member, heard_by_alice), (supporter, heard_by_bob)])
    expect(bob.locator("[data-call-status]")).to_have_text("You can call Alice.")
    alice.get_by_role("button", name="Start a voice call").click()
    bob.get_by_role("button", name="Answer").click()
    for page in (alice, bob):
        expect(page.locator("[data-call]")).to_have_attribute("data-state", "connected", timeout=20_000)
    pair_types = alice.evaluate(
        """async () => {
            const stats = await document.querySelector('[data-call]').callScreen.pc.getStats();
            const byId = {};
            stats.forEach((s) => { byId[s.id] = s; });
            let selected = null;
            stats.forEach((s) => { if (s.type === 'transport' && s.selectedCandidatePairId) selected = byId[s.selectedCandidatePairId]; });
            return [byId[selected.localCandidateId].candidateType, byId[selected.remoteCandidateId].candidateType];
        }"""
    )
    assert pair_types == ["relay", "relay"]
    # What each side learnt of the other: relay candidates only, no host or server-reflexive address.
    assert heard_by_alice and heard_by_bob
    for candidate in heard_by_alice + heard_by_bob:
        assert " typ relay" in candidate, candidate
    alice.get_by_role("button", name="Hang up").click()
    expect(bob.locator("[data-call-status]")).to_have_text("Call ended.")
    assert _ended_call(thread).outcome == CallOutcome.ANSWERED


def test_coturn_refuses_credentials_made_from_another_secret(
    media_context: Callable[..., BrowserContext],
    sign_in_as: Callable[[BrowserContext, object], None],
    pair,
    coturn: str,
    settings,
) -> None:
    settings.ALONGSIDE_TURN_URLS, settings.ALONGSIDE_TURN_SECRET = [coturn], "not-the-shared-secret"
    settings.ALONGSIDE_RELAY_ONLY = True
    member, supporter, thread = pair
    alice, bob = _open_both(media_context, sign_in_as, thread, [(member, []), (supporter, [])])
    expect(bob.locator("[data-call-status]")).to_have_text("You can call Alice.")
    alice.get_by_role("button", name="Start a voice call").click()
    bob.get_by_role("button", name="Answer").click()
    expect(alice.get_by_role("alert")).to_contain_text("We couldn't connect the call's sound", timeout=40_000)
    assert _ended_call(thread).outcome == CallOutcome.FAILED
