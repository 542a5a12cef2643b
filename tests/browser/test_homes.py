"""Each role's home at phone size: its main action is in the first screen, without scrolling.

The screenshots (``ALONGSIDE_SCREENSHOTS=<dir>``) show each home at phone and desktop sizes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from alongside.connections.tests import factories as cf
from alongside.lib.time import now
from alongside.meetings.models import Session, SessionStatus
from tests import factories
from tests.browser.conftest import BOTH_SIZES, MOBILE, BrowserProblems, screenshot, serious_violations

pytestmark = pytest.mark.browser


def _in_first_screen(page: Page, target: Locator) -> None:
    """The target is visible and wholly inside the viewport with the page scrolled to the top."""
    expect(target).to_be_visible()
    page.evaluate("window.scrollTo(0, 0)")
    box = target.bounding_box()
    assert box is not None
    height = (page.viewport_size or MOBILE)["height"]
    assert box["y"] >= 0 and box["y"] + box["height"] <= height, f"{box} is below the first {height} px"


def _accessible(page: Page) -> None:
    """axe at desktop and phone widths: no serious or critical violation (then back to the phone size)."""
    assert serious_violations(page, sizes=BOTH_SIZES) == []


def _at_phone_size(page: Page, sign_in_as: Callable[[BrowserContext, Any], None], user: Any) -> None:
    page.set_viewport_size(MOBILE)
    sign_in_as(page.context, user)
    page.goto("/")


def test_a_new_members_home_asks_whether_they_want_a_peer_in_the_first_screen(
    page: Page, sign_in_as: Callable[[BrowserContext, Any], None], browser_problems: BrowserProblems
) -> None:
    _at_phone_size(page, sign_in_as, factories.member(display_name="Alice"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome back, Alice")
    _in_first_screen(page, page.get_by_role("link", name="Ask for an ongoing peer"))
    screenshot(page, "home-member-new")
    _accessible(page)


def test_a_members_session_on_now_can_be_joined_from_the_first_screen(
    page: Page, sign_in_as: Callable[[BrowserContext, Any], None], browser_problems: BrowserProblems
) -> None:
    member = factories.member(display_name="Alice")
    connection = cf.connection(member, factories.supporter(display_name="Bob"))
    Session.objects.create(
        connection=connection,
        proposed_by=member,
        starts_at=now() + dt.timedelta(minutes=3),
        minutes=60,
        medium="chat",
        proposed_in="Australia/Melbourne",
        status=SessionStatus.AGREED,
        agreed_at=now(),
    )
    _at_phone_size(page, sign_in_as, member)
    join = page.get_by_role("link", name="Join the session", exact=True)
    _in_first_screen(page, join)
    screenshot(page, "home-member")
    _accessible(page)
    join.click()
    expect(page).to_have_url(re.compile(r"/threads/\d+/$"))  # the connection's thread, where they chat


def test_a_supporters_home_puts_the_offers_waiting_in_the_first_screen(
    page: Page, sign_in_as: Callable[[BrowserContext, Any], None], browser_problems: BrowserProblems
) -> None:
    supporter = factories.supporter(display_name="Bob")
    profile = cf.supporter_profile(supporter)
    cf.connection(factories.member(display_name="Alice"), supporter)
    cf.offer(cf.support_request(factories.member(display_name="Olive")), profile)
    _at_phone_size(page, sign_in_as, supporter)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome back, Bob")
    _in_first_screen(
        page, page.get_by_role("link", name="You have 1 offer to support a colleague waiting for your reply.")
    )
    screenshot(page, "home-supporter")
    _accessible(page)


def test_a_coordinators_home_puts_the_waitlist_in_the_first_screen(
    page: Page, sign_in_as: Callable[[BrowserContext, Any], None], browser_problems: BrowserProblems
) -> None:
    coordinator = factories.coordinator(display_name="Carol", is_supporter=True)
    cf.support_request(factories.member(display_name="Alice"), status="waitlist", waitlisted_at=now())
    _at_phone_size(page, sign_in_as, coordinator)
    expect(page.get_by_role("heading", level=2, name="What needs attention")).to_be_visible()
    _in_first_screen(page, page.get_by_role("link", name="Open the waitlist"))
    screenshot(page, "home-coordinator")
    _accessible(page)
    page.get_by_role("navigation", name="Your homes").get_by_role("link", name="Supporter").click()
    expect(page.get_by_role("heading", level=2, name="Offers to support a colleague")).to_be_visible()
