"""A member in a chat on a phone taps "I need help now": the crisis lines at once, then the coordinator on call."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, expect

from alongside.connections.tests import factories as connection_factories
from alongside.conversations.services import get_or_create_thread_for_connection
from alongside.notifications.models import Kind, Notification
from alongside.safety.models import Concern, Source
from tests import factories
from tests.browser.conftest import MOBILE, LiveServer, screenshot, serious_violations, wait_for_db

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": MOBILE, "is_mobile": True, "has_touch": True}


def test_a_member_in_a_chat_taps_help_now_sees_the_crisis_lines_and_alerts_the_coordinator_on_call(
    asgi_live_server: LiveServer, new_context: Callable[..., BrowserContext], sign_in_as: Any
) -> None:
    alice, bob = factories.member(display_name="Alice"), factories.supporter(display_name="Bob")
    dana = factories.coordinator(display_name="Dana")
    factories.on_call(primary=[dana])
    thread = get_or_create_thread_for_connection(connection=connection_factories.connection(alice, bob))
    context = new_context()
    sign_in_as(context, alice)
    page = context.new_page()
    page.goto(f"/threads/{thread.pk}/")
    expect(page.locator("#chat-status")).to_have_text("Connected")

    screenshot(page, "chat-help-now-button")
    help_now = page.get_by_role("link", name="I need help now")
    expect(help_now).to_be_in_viewport()  # one tap on a phone: not behind the menu, not below the fold
    help_now.click()
    expect(page.get_by_role("heading", name="Help now", exact=True)).to_be_visible()
    lines = page.locator(".help-lines")
    expect(lines).to_be_in_viewport()
    expect(lines).to_contain_text("000")
    expect(lines).to_contain_text("Lifeline")
    assert not serious_violations(page)
    screenshot(page, "help-now")

    page.get_by_role("button", name="Alert the coordinator on call").click()
    expect(page.get_by_role("heading", name="We have alerted the coordinator on call")).to_be_visible()
    expect(page.get_by_role("heading", name="What happens next")).to_be_visible()
    expect(page.locator("#concern-status")).to_contain_text("The coordinator on call has been alerted.")
    assert not serious_violations(page)
    screenshot(page, "help-now-alerted")

    concern = wait_for_db(lambda: Concern.objects.filter(raised_by=alice).first(), "the concern to be stored")
    assert (concern.source, concern.member_id, concern.thread_id) == (Source.MEMBER, alice.pk, thread.pk)
    assert Notification.objects.filter(user=dana, kind=Kind.CONCERN_RAISED).count() == 1


def test_a_supporter_in_a_chat_raises_a_concern_on_a_phone_and_sees_the_coordinator_was_alerted(
    asgi_live_server: LiveServer, new_context: Callable[..., BrowserContext], sign_in_as: Any
) -> None:
    alice, bob = factories.member(display_name="Alice"), factories.supporter(display_name="Bob")
    factories.on_call(primary=[factories.coordinator(display_name="Dana")])
    thread = get_or_create_thread_for_connection(connection=connection_factories.connection(alice, bob))
    context = new_context()
    sign_in_as(context, bob)
    page = context.new_page()
    page.goto(f"/threads/{thread.pk}/")
    raise_link = page.get_by_role("link", name="Raise a concern")
    expect(raise_link).to_be_in_viewport()
    raise_link.click()
    page.get_by_label("Imminent risk").check()
    page.get_by_label("Crisis line details given").check()
    page.get_by_label("What did you see or hear? (optional)").fill("Said they had made a plan.")
    assert not serious_violations(page)
    screenshot(page, "raise-concern")
    page.get_by_role("button", name="Raise the concern").click()
    expect(page.get_by_role("heading", name="The coordinator on call has been alerted")).to_be_visible()
    expect(page.get_by_role("button", name="I need a debrief")).to_be_visible()
    assert not serious_violations(page)
    screenshot(page, "concern-raised")
    concern = wait_for_db(lambda: Concern.objects.filter(raised_by=bob).first(), "the concern to be stored")
    assert (concern.level, concern.source, concern.member_id, concern.actions) == (
        "imminent",
        Source.THREAD,
        alice.pk,
        ["crisis_line"],
    )
