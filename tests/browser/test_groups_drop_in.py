"""A drop-in end to end in separate browsers: a coordinator makes it, its facilitator and two members come in from
the directory (the members accept the group agreement), all three talk live on the group's thread page, and the
facilitator removes one member, whose open page then says they are no longer in the group."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from alongside.conversations.models import Message
from alongside.groups.models import Group, MembershipState
from alongside.lib.time import now
from tests import factories
from tests.browser.conftest import BOTH_SIZES, LiveServer, serious_violations, wait_for_db

pytestmark = pytest.mark.browser


def _page(new_context: Callable[..., BrowserContext], sign_in_as: Any, user: Any) -> Page:
    context = new_context()
    sign_in_as(context, user)
    page = context.new_page()
    page.on("dialog", lambda dialog: pytest.fail(f"a dialog opened: {dialog.message}"))
    return page


def _send(page: Page, text: str) -> None:
    page.get_by_label("Your message").fill(text)
    page.get_by_role("button", name="Send").click()


def _join_from_the_directory(page: Page, name: str) -> None:
    page.goto("/groups/")
    page.locator("#group-directory").get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", name="The group agreement")).to_be_visible()
    assert serious_violations(page, sizes=BOTH_SIZES) == []
    page.get_by_role("button", name="Join the group").click()  # without the agreement first: refused
    expect(page.locator(".messages")).to_contain_text("Please read and accept the group agreement to join.")
    page.get_by_label("I accept the group agreement").check()
    page.get_by_role("button", name="Join the group").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.locator("#chat-status")).to_have_text("Connected")


def test_a_drop_in_from_the_coordinator_to_a_removed_member(
    asgi_live_server: LiveServer, new_context: Callable[..., BrowserContext], sign_in_as: Any
) -> None:
    coordinator = factories.coordinator(display_name="Carol")
    fran = factories.supporter(display_name="Fran")
    ana, ben = factories.member(display_name="Ana"), factories.member(display_name="Ben")

    # The coordinator makes tomorrow's drop-in, in their own time zone, with Fran facilitating.
    carol = _page(new_context, sign_in_as, coordinator)
    carol.goto("/groups/manage/")
    carol.get_by_role("link", name="New drop-in").click()
    tomorrow = (now() + dt.timedelta(days=1)).astimezone(zoneinfo.ZoneInfo(coordinator.profile.time_zone)).date()
    carol.locator("#id_name").fill("Night shift drop-in")
    carol.locator("#id_description").fill("Come as you are, after a night shift.")
    carol.locator("#id_capacity").fill("8")
    carol.locator("#id_date").fill(tomorrow.isoformat())
    carol.locator("#id_start").fill("09:00")
    carol.locator("#id_end").fill("10:00")
    carol.get_by_label("Fran").check()
    carol.get_by_role("button", name="Create the drop-in").click()
    expect(carol.locator(".messages")).to_contain_text("Night shift drop-in is ready")
    group = Group.objects.get(name="Night shift drop-in")

    # Fran finds it under "My groups" and opens its conversation; Ana and Ben join from the directory.
    fran_page = _page(new_context, sign_in_as, fran)
    fran_page.goto("/groups/")
    fran_page.get_by_role("link", name="Group conversation of Night shift drop-in").click()
    expect(fran_page.locator("#chat-status")).to_have_text("Connected")
    ana_page = _page(new_context, sign_in_as, ana)
    _join_from_the_directory(ana_page, "Night shift drop-in")
    ben_page = _page(new_context, sign_in_as, ben)
    _join_from_the_directory(ben_page, "Night shift drop-in")
    expect(ben_page.get_by_role("link", name="Group agreement")).to_have_attribute(
        "href", f"/groups/{group.pk}/#agreement"
    )

    # All three talk, live, and each sees the others by display name.
    _send(fran_page, "Welcome, both. No need to say anything unless you want to.")
    for page in (ana_page, ben_page):
        expect(page.locator("#chat-messages")).to_contain_text("Welcome, both.")
    _send(ana_page, "Thanks. Rough week on nights.")
    for page in (fran_page, ben_page):
        expect(page.locator("#chat-messages")).to_contain_text("Rough week on nights.")
        expect(page.locator("li.chat-message").last.locator(".chat-sender")).to_have_text("Ana")
    _send(ben_page, "Same here.")
    for page in (fran_page, ana_page):
        expect(page.locator("#chat-messages")).to_contain_text("Same here.")
        expect(page.locator("li.chat-message").last.locator(".chat-sender")).to_have_text("Ben")

    # Fran removes Ben (after a confirmation); Ben's open page says so at once, and Ana's keeps working.
    fran_page.goto(f"/groups/{group.pk}/facilitate/")
    fran_page.get_by_role("link", name="Remove Ben").click()
    fran_page.get_by_role("button", name="Remove them").click()
    expect(fran_page.locator(".messages")).to_contain_text("Ben is no longer in the group.")
    expect(ben_page.locator("#chat-status")).to_have_text(
        "You are no longer in this group, so its conversation is closed to you."
    )
    expect(ben_page.get_by_role("button", name="Send")).to_be_disabled()
    wait_for_db(lambda: group.memberships.filter(user=ben, state=MembershipState.REMOVED).exists(), "Ben's removal")
    # A fresh look once Ben's socket has gone: the page Fran was sent on to loaded while Ben's socket re-checked,
    # and the in-memory SQLite test database refuses one thread's write while another reads the same table.
    fran_page.goto(f"/groups/{group.pk}/facilitate/")
    expect(fran_page.locator("#group-members")).to_contain_text("Ana")
    expect(fran_page.locator("#group-members")).not_to_contain_text("Ben")
    _send(ana_page, "Still here.")
    wait_for_db(lambda: Message.objects.filter(thread_id=group.thread_id).count() == 4, "Ana's last message")
    expect(ben_page.locator("#chat-messages")).not_to_contain_text("Still here.")
    ben_page.goto("/groups/")
    expect(ben_page.locator("#group-directory")).to_contain_text("You were removed")
