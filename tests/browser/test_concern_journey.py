"""A concern from alert to close, in three Chromium contexts: the on-call coordinator has a page open when the
supporter raises an imminent-risk concern from the chat with the member; the banner appears live; they open it, acknowledge, break the glass (reason, password, authenticator code),
see the member's details once, close it with an outcome; the member's access log shows the access with the reason.
axe finds nothing serious at phone and desktop sizes."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from alongside.connections.tests import factories as connection_factories
from alongside.conversations.services import get_or_create_thread_for_connection
from alongside.phoneline.models import OwnNumber
from alongside.safety.models import Concern
from tests import factories
from tests.browser.conftest import BOTH_SIZES, LiveServer, screenshot, serious_violations, totp_code, wait_for_db

pytestmark = pytest.mark.browser

REASON = "Ambulance needs her details to find her"


def test_the_on_call_coordinator_is_alerted_live_and_handles_the_concern_to_its_close(
    asgi_live_server: LiveServer, new_context: Callable[..., BrowserContext], sign_in_as: Any
) -> None:
    alice = factories.member(display_name="Alice")
    alice.profile.real_name = "Alice Realname"
    alice.profile.save()
    OwnNumber.objects.create(user=alice, number="+61412345678")
    bob, carol = factories.supporter(display_name="Bob"), factories.coordinator(display_name="Carol")
    factories.on_call(primary=[carol])
    thread = get_or_create_thread_for_connection(connection=connection_factories.connection(alice, bob))
    pages: dict[str, Page] = {}
    for name, user in (("alice", alice), ("bob", bob), ("carol", carol)):
        context = new_context()
        sign_in_as(context, user)
        pages[name] = context.new_page()
    member, supporter, coordinator = pages["alice"], pages["bob"], pages["carol"]
    problems: list[str] = []

    # Carol is on call, reading the resources: her page holds the notifications socket.
    coordinator.goto("/library/")
    expect(coordinator.locator("[data-live-badge]")).to_have_attribute("data-connected", "true")

    # Bob, in the chat with Alice, raises an imminent-risk concern from the thread.
    supporter.goto(f"/threads/{thread.pk}/")
    expect(supporter.locator("#chat-status")).to_have_text("Connected")
    supporter.get_by_role("link", name="Raise a concern").click()
    supporter.get_by_label("Imminent risk").check()
    supporter.get_by_label("Crisis line details given").check()
    supporter.get_by_label("What did you see or hear? (optional)").fill("Said goodbye")
    supporter.get_by_role("button", name="Raise the concern").click()
    expect(supporter.get_by_role("heading", name="The coordinator on call has been alerted")).to_be_visible()
    concern_id = int(re.search(r"/concerns/(\d+)/raised/", supporter.url).group(1))  # type: ignore[union-attr]

    # The banner appears live, with nothing but a link.
    banner = coordinator.locator(".safety-alert")
    expect(banner).to_contain_text("A safety concern needs a coordinator now")
    assert "Alice" not in banner.inner_text() and "goodbye" not in banner.inner_text()
    screenshot(coordinator, "concern-banner")
    problems += serious_violations(coordinator, sizes=BOTH_SIZES)
    banner.get_by_role("link", name="Open it").click()
    expect(coordinator).to_have_url(re.compile(rf"/console/concerns/{concern_id}/$"))
    expect(coordinator.locator(".timeline")).to_contain_text("alert sent by the app to Carol")
    screenshot(coordinator, "concern-detail")
    problems += serious_violations(coordinator, sizes=BOTH_SIZES)

    coordinator.get_by_role("button", name="Acknowledge: I'm handling it").click()
    expect(coordinator.locator(".timeline")).to_contain_text("acknowledged by Carol")
    expect(coordinator.locator(".safety-alert")).to_have_count(0)

    # Break-glass: a reason and a fresh sign-in; the details are shown on that page only.
    coordinator.get_by_role("link", name="See who they are…").click()
    coordinator.get_by_label("Why do you need to know who they are?").fill(REASON)
    coordinator.get_by_label("Your password").fill(factories.PASSWORD)
    coordinator.get_by_label("Six-digit code from your authenticator app").fill(totp_code(carol.totp_secret))  # type: ignore[attr-defined]
    screenshot(coordinator, "concern-reveal-form")
    problems += serious_violations(coordinator, sizes=BOTH_SIZES)
    coordinator.get_by_role("button", name="Show who they are").click()
    details = coordinator.locator("[data-identity]")
    expect(details).to_contain_text("Alice Realname")
    expect(details).to_contain_text(alice.email)
    expect(details).to_contain_text("0412 345 678")
    screenshot(coordinator, "concern-revealed")
    problems += serious_violations(coordinator, sizes=BOTH_SIZES)

    # Closing an imminent-risk concern: emergency services contacted.
    coordinator.get_by_role("link", name="Back to the concern").first.click()
    expect(coordinator.locator(".timeline")).to_contain_text("saw who the member is (break-glass)")
    expect(coordinator.locator("body")).not_to_contain_text("Alice Realname")
    coordinator.get_by_role("link", name="Close with an outcome…").click()
    problems += serious_violations(coordinator, sizes=BOTH_SIZES)
    coordinator.get_by_label("Emergency services were contacted").check()
    coordinator.get_by_role("button", name="Close the concern").click()
    expect(coordinator.locator("body")).to_contain_text("can no longer change")
    screenshot(coordinator, "concern-closed")
    problems += serious_violations(coordinator, sizes=BOTH_SIZES)
    wait_for_db(lambda: Concern.objects.filter(pk=concern_id, closed_at__isnull=False).first(), "the close stored")

    # Alice's access log shows the access, by whom and why.
    member.goto("/profile/access-log/")
    log = member.locator(".access-log")
    expect(log).to_contain_text("Carol revealed your contact details and real name during a safety concern")
    expect(log).to_contain_text(REASON)
    screenshot(member, "access-log")
    problems += serious_violations(member, sizes=BOTH_SIZES)

    coordinator.goto("/console/concerns/")
    screenshot(coordinator, "concern-list")
    problems += serious_violations(coordinator, sizes=BOTH_SIZES)
    assert not problems, "\n".join(problems)
