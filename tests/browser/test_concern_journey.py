"""A concern from alert to close, in two Chromium contexts: the on-call coordinator has a page open when a concern is
raised; the banner appears live; they open it, acknowledge, break the glass (reason, password, authenticator code),
see the member's details once, close it with an outcome; the member's access log shows the access with the reason.
axe finds nothing serious at phone and desktop sizes."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import OperationalError, connections
from playwright.sync_api import BrowserContext, Page, expect

from alongside.phoneline.models import OwnNumber
from alongside.safety.models import Concern, Level, Source
from alongside.safety.services import raise_concern
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
    pages: dict[str, Page] = {}
    for name, user in (("alice", alice), ("carol", carol)):
        context = new_context()
        sign_in_as(context, user)
        pages[name] = context.new_page()
    member, coordinator = pages["alice"], pages["carol"]
    problems: list[str] = []

    # Carol is on call, reading the resources: her page holds the notifications socket.
    coordinator.goto("/library/")
    expect(coordinator.locator("[data-live-badge]")).to_have_attribute("data-connected", "true")

    raised: list[int] = []

    def raise_it() -> None:  # as Bob's "Raise a concern" would, in a thread of its own (this one runs Playwright's)
        for _ in range(50):
            try:
                made = raise_concern(
                    raised_by=bob, level=Level.IMMINENT, source=Source.THREAD, note="Said goodbye", member=alice
                )
                raised.append(made.pk)
                break
            except OperationalError:  # the in-memory SQLite database locks whole tables while the server reads
                time.sleep(0.1)
        connections.close_all()

    worker = threading.Thread(target=raise_it)
    worker.start()
    worker.join(timeout=30)
    [concern_id] = raised

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
