"""A referral card in two Chromium contexts: the supporter sends it in one click under the compose box, and both
sides see the card live (drawn by chat.js), the same as the server draws it after a reload."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, expect

from alongside.connections.tests import factories as connection_factories
from alongside.conversations.models import Message, MessageKind
from alongside.conversations.services import get_or_create_thread_for_connection
from tests import factories
from tests.browser.conftest import BOTH_SIZES, LiveServer, screenshot, serious_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def pair(asgi_live_server: LiveServer, new_context: Callable[..., BrowserContext], sign_in_as: Any) -> dict[str, Any]:
    alice, bob = factories.member(display_name="Alice"), factories.supporter(display_name="Bob")
    thread = get_or_create_thread_for_connection(connection=connection_factories.connection(alice, bob))
    resource = factories.ResourceFactory(
        title="DRS4DRS",
        description="The national support line for doctors and medical students: 24 hours, free and confidential.",
        url="https://www.drs4drs.com.au",
        phone="1300 374 377",
        is_referral=True,
    )
    pages = {}
    for name, user in (("alice", alice), ("bob", bob)):
        context = new_context()
        sign_in_as(context, user)
        page = context.new_page()
        page.goto(f"/threads/{thread.pk}/")
        expect(page.locator("#chat-status")).to_have_text("Connected")
        pages[name] = page
    return {"thread": thread, "resource": resource, **pages}


def test_the_supporter_sends_a_referral_card_and_both_see_it_live(pair: dict[str, Any]) -> None:
    alice, bob, resource = pair["alice"], pair["bob"], pair["resource"]
    expect(alice.get_by_text("Send a referral")).to_have_count(0)  # members cannot send cards
    bob.get_by_text("Send a referral").click()
    bob.get_by_role("button", name="Send DRS4DRS").click()
    expect(bob.locator("#referral-status")).to_have_text("Card sent.")
    for page in (alice, bob):
        card = page.locator(f'#chat-messages .chat-card[data-card="{resource.pk}"]')
        expect(card).to_have_count(1)
        expect(card.get_by_role("link", name="DRS4DRS")).to_have_attribute("href", "https://www.drs4drs.com.au")
        expect(card.get_by_role("link", name="1300 374 377")).to_have_attribute("href", "tel:1300374377")
    expect(alice.locator("li.chat-message").last.locator(".chat-sender")).to_have_text("Bob")
    screenshot(alice, "chat-referral-card")
    problems = serious_violations(alice, sizes=BOTH_SIZES) + serious_violations(bob, sizes=BOTH_SIZES)
    # After a reload the server draws the same card; the page has moved, so the database can be read now.
    alice.reload()
    expect(alice.locator(f'#chat-messages .chat-card[data-card="{resource.pk}"]')).to_have_count(1)
    assert list(Message.objects.values_list("kind", flat=True)) == [MessageKind.REFERRAL]
    assert problems == []
