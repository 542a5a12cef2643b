"""A hot debrief from a phone (390 x 844): a clinician lead goes from their home to the invitation QR code in a few
actions, a colleague without an account opens the link in another browser, joins under a first name, and the two
see each other's messages in the debrief chat; axe finds nothing serious."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from alongside.accounts.models import User
from tests import factories
from tests.browser.conftest import MOBILE, LiveServer, screenshot, serious_violations, wait_for_db

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """Every context is a phone."""
    return {**browser_context_args, "viewport": MOBILE, "is_mobile": True, "has_touch": True}


MAX_ACTIONS = 4
"""Clicks and fills from the lead's home to the QR code showing: the issue's "under a minute from a phone"."""


def _send(page: Page, text: str) -> None:
    page.get_by_label("Your message").fill(text)
    page.get_by_role("button", name="Send").click()


def test_a_lead_starts_a_hot_debrief_from_a_phone_and_a_guest_joins_by_the_link(
    asgi_live_server: LiveServer, new_context: Callable[..., BrowserContext], sign_in_as: Any
) -> None:
    lead = factories.member(display_name="Dr Rivera", is_debrief_lead=True)
    lead_context = new_context()
    sign_in_as(lead_context, lead)
    page = lead_context.new_page()
    problems: list[str] = []
    actions = 0

    page.goto("/")
    page.get_by_role("link", name="Start a team debrief").click()
    actions += 1
    expect(page.get_by_role("heading", name="Start a team debrief")).to_be_visible()
    expect(page.get_by_label("Hot: now, about five minutes")).to_be_checked()  # hot is the default
    expect(page.locator("body")).to_contain_text("No names and no patient details")
    screenshot(page, "debrief-start")
    problems += serious_violations(page)
    page.get_by_label("Which team or area?").fill("ED resus team")
    actions += 1
    page.get_by_role("button", name="Start the debrief").click()
    actions += 1
    qr = page.locator("[data-debrief-qr] svg")
    expect(qr).to_be_visible()
    assert actions <= MAX_ACTIONS
    expect(page.get_by_role("heading", name="Team debrief: ED resus team")).to_be_visible()
    expect(page.locator("body")).to_contain_text("Participation is always optional")
    expect(page.locator("[data-debrief-count]")).to_have_text("1")

    # The timer works with JavaScript (start, pause, reset); the prompts are on the page either way.
    expect(page.locator("[data-debrief-clock]")).to_have_text("5:00")
    page.get_by_role("button", name="Start", exact=True).click()
    expect(page.locator("[data-debrief-status]")).to_have_text("Timer started.")
    page.get_by_role("button", name="Pause").click()
    expect(page.locator("[data-debrief-status]")).to_have_text("Timer paused.")
    page.get_by_role("button", name="Reset").click()
    expect(page.locator("[data-debrief-clock]")).to_have_text("5:00")
    screenshot(page, "debrief-detail")
    problems += serious_violations(page)
    link = page.locator("[data-debrief-link]").input_value()
    assert "/debriefs/join/" in link

    # A colleague with no account opens the link on their own phone.
    guest_context = new_context()
    guest = guest_context.new_page()
    guest.goto(link)
    expect(guest.get_by_role("heading", name="Join the team debrief: ED resus team")).to_be_visible()
    screenshot(guest, "debrief-join")
    problems += serious_violations(guest)
    guest.get_by_label("Your first name").fill("Sam")
    guest.get_by_label("I understand").check()
    guest.get_by_role("button", name="Join").click()
    expect(guest.get_by_role("heading", name="Team debrief: ED resus team")).to_be_visible()
    expect(guest.locator("[data-debrief-qr]")).to_have_count(0)  # the link and the record are the lead's
    wait_for_db(lambda: User.objects.filter(is_guest=True).exists(), "the guest's account")
    guest.get_by_role("link", name="Open the debrief chat").click()
    expect(guest.locator("#chat-status")).to_have_text("Connected")
    screenshot(guest, "debrief-guest-chat")

    page.reload()
    expect(page.locator("[data-debrief-count]")).to_have_text("2")
    page.get_by_role("link", name="Open the debrief chat").click()
    expect(page.locator("#chat-status")).to_have_text("Connected")
    _send(page, "Thanks everyone. Two minutes each, only if you want to.")
    expect(guest.locator("#chat-messages")).to_contain_text("Two minutes each, only if you want to.")
    _send(guest, "The suction was missing again.")
    expect(page.locator("#chat-messages")).to_contain_text("The suction was missing again.")
    expect(page.locator("li.chat-message").last.locator(".chat-sender")).to_have_text("Sam")

    # The guest can open nothing else.
    response = guest.goto("/notifications/")
    assert response is not None and response.status == 404
    assert not problems, problems
