"""Chat in two Chromium contexts: both ways, offline and back with nothing lost, and markup that never runs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from alongside.connections.tests import factories as connection_factories
from alongside.conversations.models import Message, ThreadMember
from alongside.conversations.services import get_or_create_thread_for_connection
from tests import factories
from tests.browser.conftest import BOTH_SIZES, LiveServer, screenshot, serious_violations, wait_for_db

pytestmark = pytest.mark.browser

XSS = [
    "<script>window.__pwned = 1</script>",
    '<img src=x onerror="window.__pwned = 1">',
    '"><svg onload="window.__pwned = 1">',
    "javascript:window.__pwned = 1",
    "<a href='javascript:window.__pwned = 1'>click me</a>",
    'https://example.org/"><img src=x onerror=window.__pwned=1>',
    '<iframe srcdoc="<script>parent.__pwned = 1</script>"></iframe>',
]


@pytest.fixture
def pair(asgi_live_server: LiveServer, new_context: Callable[..., BrowserContext], sign_in_as: Any) -> dict[str, Any]:
    """Alice (a member) and Bob (her supporter), each in their own browser, on their connection's thread."""
    alice, bob = factories.member(display_name="Alice"), factories.supporter(display_name="Bob")
    thread = get_or_create_thread_for_connection(connection=connection_factories.connection(alice, bob))
    pages = {}
    for name, user in (("alice", alice), ("bob", bob)):
        context = new_context()
        sign_in_as(context, user)
        page = context.new_page()
        page.on("dialog", lambda dialog: pytest.fail(f"a dialog opened: {dialog.message}"))
        page.goto(f"/threads/{thread.pk}/")
        expect(page.locator("#chat-status")).to_have_text("Connected")
        pages[name] = page
    return {"thread": thread, **pages, "alice_context": pages["alice"].context}


def _send(page: Page, text: str) -> None:
    page.get_by_label("Your message").fill(text)
    page.get_by_role("button", name="Send").click()


def _bodies(page: Page) -> list[str]:
    return page.locator("#chat-messages li.chat-message .chat-body").all_inner_texts()


def test_two_peers_chat_both_ways_live(pair: dict[str, Any]) -> None:
    alice, bob = pair["alice"], pair["bob"]
    _send(alice, "Hi Bob, thanks for taking this on.")
    expect(bob.locator("#chat-messages")).to_contain_text("Hi Bob, thanks for taking this on.")
    expect(bob.locator("li.chat-message").last.locator(".chat-sender")).to_have_text("Alice")
    bob.get_by_label("Your message").fill("Glad to. How are you going?")
    bob.get_by_label("Your message").press("Enter")
    expect(alice.locator("#chat-messages")).to_contain_text("Glad to. How are you going?")
    expect(alice.locator("#chat-read")).to_have_text("Seen")  # Bob read Alice's message
    assert _bodies(alice) == _bodies(bob) == ["Hi Bob, thanks for taking this on.", "Glad to. How are you going?"]
    screenshot(alice, "chat-thread")
    # A reload shows the same history from the server. Let both read marks reach the database first: the
    # in-memory SQLite test database locks whole tables, so a page read meeting that write fails.
    wait_for_db(
        lambda: not ThreadMember.objects.filter(thread=pair["thread"], last_read_seq__lt=2).exists(),
        "both read marks to be stored",
    )
    alice.reload()
    expect(alice.locator("#chat-status")).to_have_text("Connected")
    assert _bodies(alice) == ["Hi Bob, thanks for taking this on.", "Glad to. How are you going?"]


def test_messages_written_offline_are_sent_on_return_and_nothing_is_lost(pair: dict[str, Any]) -> None:
    alice, bob, context = pair["alice"], pair["bob"], pair["alice_context"]
    _send(alice, "one, online")
    expect(bob.locator("#chat-messages")).to_contain_text("one, online")
    context.set_offline(True)
    alice.evaluate("window.alongsideChat.ws.close()")  # the network is gone: the socket with it
    expect(alice.locator("#chat-status")).to_have_text("Offline — reconnecting…")
    _send(alice, "two, offline")
    _send(alice, "three, offline")
    expect(alice.locator("#chat-outbox")).to_have_text("2 messages waiting to send")
    _send(bob, "while Alice was away")
    alice.wait_for_timeout(1500)  # a reconnect attempt or two fail meanwhile
    expect(alice.locator("#chat-status")).to_have_text("Offline — reconnecting…")
    assert Message.objects.filter(thread=pair["thread"]).count() == 2
    context.set_offline(False)
    expect(alice.locator("#chat-status")).to_have_text("Connected", timeout=15000)
    expect(bob.locator("#chat-messages")).to_contain_text("three, offline")
    expect(alice.locator("#chat-messages")).to_contain_text("while Alice was away")
    expect(alice.locator("li.chat-message.pending")).to_have_count(0)
    expected = ["one, online", "while Alice was away", "two, offline", "three, offline"]
    stored = list(Message.objects.filter(thread=pair["thread"]).order_by("seq").values_list("body", flat=True))
    assert stored == expected
    assert _bodies(alice) == _bodies(bob) == expected
    key = f"alongside.chat.outbox.{pair['thread'].pk}"
    assert alice.evaluate("key => window.sessionStorage.getItem(key)", key) == "[]"


def test_markup_sent_through_chat_is_shown_as_text_and_never_runs(pair: dict[str, Any]) -> None:
    alice, bob = pair["alice"], pair["bob"]
    for payload in XSS:
        _send(bob, payload)
        expect(alice.locator("li.chat-message").last.locator(".chat-body")).to_have_text(payload)
    for page in (alice, bob):
        assert page.evaluate("window.__pwned") is None
        assert (
            page.locator("#chat-messages img, #chat-messages svg, #chat-messages iframe, #chat-messages script").count()
            == 0
        )
        assert page.locator('#chat-messages a[href^="javascript"]').count() == 0
    # The one real address is a safe link.
    link = alice.locator('#chat-messages a[href^="https://example.org/"]')
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    # And the server's rendering of the same history is text too.
    alice.reload()
    expect(alice.locator("#chat-status")).to_have_text("Connected")
    assert _bodies(alice) == XSS
    assert alice.evaluate("window.__pwned") is None
    assert (
        alice.locator("#chat-messages img, #chat-messages svg, #chat-messages iframe, #chat-messages script").count()
        == 0
    )


def test_the_thread_page_passes_axe_online_and_offline(pair: dict[str, Any]) -> None:
    alice, bob, context = pair["alice"], pair["bob"], pair["alice_context"]
    _send(alice, "Hello, see https://example.org/help for the details.")
    expect(bob.locator("#chat-messages")).to_contain_text("Hello")
    _send(bob, "Thanks!")
    expect(alice.locator("#chat-messages")).to_contain_text("Thanks!")
    assert serious_violations(alice, sizes=BOTH_SIZES) == []
    assert serious_violations(bob, sizes=BOTH_SIZES) == []
    context.set_offline(True)
    alice.evaluate("window.alongsideChat.ws.close()")
    _send(alice, "waiting to go")
    expect(alice.locator("#chat-outbox")).to_have_text("1 message waiting to send")
    assert serious_violations(alice, sizes=BOTH_SIZES) == []
    screenshot(alice, "chat-offline")
    context.set_offline(False)
    expect(alice.locator("#chat-status")).to_have_text("Connected", timeout=15000)


def test_signing_out_in_another_tab_closes_the_chat(pair: dict[str, Any]) -> None:
    alice, bob = pair["alice"], pair["bob"]
    other_tab = alice.context.new_page()
    other_tab.goto("/accounts/logout/")
    other_tab.get_by_role("main").get_by_role("button", name="Sign Out").click()
    expect(alice.locator("#chat-status")).to_have_text("Signed out. Sign in again to keep talking.")
    expect(alice.get_by_role("button", name="Send")).to_be_disabled()
    expect(bob.locator("#chat-status")).to_have_text("Connected")  # the other side is unaffected
