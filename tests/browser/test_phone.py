"""Phone first (390 × 844): each journey's main action is in the first screen without scrolling, the crisis strip is
one line that opens on tap, the menu folds behind a button (with and without JavaScript), axe is clean at that size,
and chat times read the same as the server's, in the person's own zone, from the moment a message is sent."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from alongside.connections.tests import factories as connection_factories
from alongside.conversations.models import Message
from alongside.conversations.services import get_or_create_thread_for_connection, mark_read, post_message
from alongside.lib.time import full_text, when_text
from alongside.library.models import Category, Resource
from alongside.service.selectors import forget_snapshot
from tests import factories
from tests.browser.conftest import (
    MOBILE,
    BrowserProblems,
    LiveServer,
    screenshot,
    serious_violations,
    wait_for_db,
)

pytestmark = pytest.mark.browser

WHEN = re.compile(r"^[A-Z][a-z]+day \d{1,2} [A-Z][a-z]+( \d{4})?, \d{1,2}:\d{2} (am|pm)$")


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": MOBILE, "is_mobile": True, "has_touch": True}


def _crisis_lines() -> None:
    for position, (title, phone) in enumerate(
        [("Emergency", "000"), ("Lifeline", "13 11 14"), ("DRS4DRS", "1300 374 377"), ("Beyond Blue", "1300 22 4636")]
    ):
        Resource.objects.create(title=title, phone=phone, category=Category.CRISIS, is_crisis=True, position=position)
    forget_snapshot()


def assert_in_first_screen(page: Page, locator: Locator, what: str) -> None:
    """The element is on screen as the page opens: its whole box inside the viewport, nothing scrolled."""
    expect(locator).to_be_visible()
    assert page.evaluate("window.scrollY") == 0, f"{what}: the page opened scrolled"
    box = locator.bounding_box()
    assert box is not None, what
    width, height = MOBILE["width"], MOBILE["height"]
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"{what} is off the side of the screen: {box}"
    assert box["y"] >= 0 and box["y"] + box["height"] <= height, f"{what} is below the first screen: {box}"


@dataclass(frozen=True)
class Journey:
    name: str
    who: str  # "anonymous", "member" or "coordinator"
    path: str
    action: Callable[[Page], Locator]


JOURNEYS = [
    Journey("home-visitor", "anonymous", "/", lambda p: p.get_by_role("main").get_by_role("link", name="Join").first),
    Journey("sign-up", "anonymous", "/accounts/signup/", lambda p: p.get_by_role("button", name="Create account")),
    Journey(
        "home-member",
        "member",
        "/",
        lambda p: p.get_by_role("main").get_by_role("link", name=re.compile("ongoing peer|find a peer", re.I)).first,
    ),
    # A long form's main action is to start filling it in: its first field.
    Journey("profile", "member", "/profile/", lambda p: p.get_by_label("Display name")),
    Journey(
        "request",
        "member",
        "/support/ongoing/new/",
        lambda p: p.locator("main form").locator("input:visible, select:visible, textarea:visible").first,
    ),
    Journey(
        "console",
        "coordinator",
        "/console/",
        # The dashboard comes first: what needs a coordinator now, beginning with talk now.
        lambda p: p.get_by_role("main").get_by_role("heading", name="Talk now"),
    ),
]


@pytest.mark.parametrize("journey", JOURNEYS, ids=[j.name for j in JOURNEYS])
def test_the_main_action_is_in_the_first_screen_and_axe_is_clean_on_a_phone(
    journey: Journey,
    page: Page,
    asgi_live_server: LiveServer,
    sign_in_as: Callable[[BrowserContext, Any], None],
    browser_problems: BrowserProblems,
) -> None:
    _crisis_lines()
    factories.WorkplaceFactory(name="Monash Health")
    if journey.who == "member":
        sign_in_as(page.context, factories.member(display_name="Alice"))
    elif journey.who == "coordinator":
        sign_in_as(page.context, factories.coordinator(display_name="Carol"))
    response = page.goto(journey.path)
    assert response is not None and response.status == 200
    assert_in_first_screen(page, journey.action(page), f"{journey.name}: the main action")
    assert_in_first_screen(page, page.locator(".crisis-short a[href='tel:131114']"), "Lifeline's number")
    assert serious_violations(page) == [], journey.name
    screenshot(page, f"phone-{journey.name}")
    browser_problems.assert_none()


def test_the_crisis_strip_is_one_line_that_opens_on_tap_and_stays_on_screen(
    page: Page, asgi_live_server: LiveServer
) -> None:
    _crisis_lines()
    page.goto("/about/")
    strip = page.get_by_role("complementary", name="Urgent help")
    compact = strip.locator(".crisis-compact")
    expect(compact).to_be_visible()
    expect(strip.locator(".crisis-full")).to_be_hidden()
    box = compact.bounding_box()
    assert box is not None and box["height"] <= 48, f"the strip is more than one line: {box}"
    expect(compact).to_contain_text("Urgent help: 000 · Lifeline 13 11 14")
    more = strip.get_by_text("more", exact=False).first
    box = strip.locator("summary").bounding_box()
    assert box is not None and box["width"] >= 24 and box["height"] >= 24, f"'more' is too small to tap: {box}"
    drs = strip.locator(".crisis-panel").get_by_role("link", name="1300 374 377")
    expect(drs).to_be_hidden()
    more.tap()
    expect(drs).to_be_visible()
    # Still reachable far down the page.
    page.locator("summary").first.tap()
    page.mouse.wheel(0, 2000)
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    assert page.evaluate("window.scrollY") > 0
    assert_strip_on_screen = strip.locator(".crisis-short a[href='tel:131114']").bounding_box()
    assert assert_strip_on_screen is not None and 0 <= assert_strip_on_screen["y"] < 48


def test_the_full_strip_stays_on_wider_screens(page: Page, asgi_live_server: LiveServer) -> None:
    _crisis_lines()
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/about/")
    strip = page.get_by_role("complementary", name="Urgent help")
    expect(strip.locator(".crisis-full")).to_be_visible()
    expect(strip.locator(".crisis-compact")).to_be_hidden()
    expect(strip.locator(".crisis-full").get_by_role("link", name="1300 22 4636")).to_be_visible()


def test_the_menu_folds_behind_a_button_that_works_by_keyboard(
    page: Page, asgi_live_server: LiveServer, sign_in_as: Callable[[BrowserContext, Any], None]
) -> None:
    sign_in_as(page.context, factories.member(display_name="Alice"))
    page.goto("/about/")
    header = page.locator(".site-header")
    box = header.bounding_box()
    assert box is not None and box["height"] <= 72, f"the header is more than one row: {box}"
    menu = page.get_by_role("button", name="Menu")
    profile = page.get_by_role("navigation", name="Main").get_by_role("link", name="Profile")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(profile).to_be_hidden()
    menu.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(profile).to_be_visible()
    page.keyboard.press("Escape")
    expect(profile).to_be_hidden()
    expect(menu).to_be_focused()
    page.keyboard.press(" ")
    expect(profile).to_be_visible()
    profile.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")


def test_the_menu_opens_without_javascript(
    browser: Any, asgi_live_server: LiveServer, sign_in_as: Callable[[BrowserContext, Any], None]
) -> None:
    context = browser.new_context(base_url=asgi_live_server.url, viewport=MOBILE, java_script_enabled=False)
    try:
        sign_in_as(context, factories.member(display_name="Alice"))
        page = context.new_page()
        page.goto("/about/")
        profile = page.get_by_role("navigation", name="Main").get_by_role("link", name="Profile")
        expect(profile).to_be_hidden()
        page.get_by_role("link", name="Menu").click()
        expect(profile).to_be_visible()
        page.get_by_role("link", name="Close menu").click()
        expect(profile).to_be_hidden()
    finally:
        context.close()


@pytest.fixture
def chat(asgi_live_server: LiveServer, page: Page, sign_in_as: Callable[[BrowserContext, Any], None]) -> dict[str, Any]:
    """Alice (in Perth, while her browser says Melbourne) on her connection's thread with a long history."""
    alice, bob = factories.member(display_name="Alice"), factories.supporter(display_name="Bob")
    alice.profile.time_zone = "Australia/Perth"
    alice.profile.save()
    thread = get_or_create_thread_for_connection(connection=connection_factories.connection(alice, bob))
    for n in range(30):
        sender = alice if n % 2 else bob
        post_message(thread_id=thread.pk, sender_id=sender.pk, client_key=f"history-{n}", body=f"Earlier message {n}")
    mark_read(thread_id=thread.pk, user_id=alice.pk, seq=30)  # read before: the page opens at the newest message
    sign_in_as(page.context, alice)
    page.goto(f"/threads/{thread.pk}/")
    expect(page.locator("#chat-status")).to_have_text("Connected")
    return {"thread": thread, "alice": alice}


def test_the_chat_is_the_page_on_a_phone(chat: dict[str, Any], page: Page) -> None:
    assert_in_first_screen(page, page.get_by_label("Your message"), "the message box")
    assert_in_first_screen(page, page.get_by_role("button", name="Send"), "Send")
    assert_in_first_screen(page, page.get_by_role("button", name="Start a voice call"), "the call button")
    assert_in_first_screen(page, page.locator("li.chat-message").last, "the newest message")
    messages = page.locator("#chat-messages").bounding_box()
    assert messages is not None and messages["height"] >= MOBILE["height"] * 0.4, (
        f"messages get too little room: {messages}"
    )
    assert serious_violations(page) == []
    screenshot(page, "phone-chat")


def test_a_message_shows_its_time_at_once_in_the_persons_own_zone(chat: dict[str, Any], page: Page) -> None:
    perth = zoneinfo.ZoneInfo("Australia/Perth")
    first = Message.objects.filter(thread=chat["thread"]).order_by("seq").first()
    assert first is not None
    history = page.locator("li.chat-message").first.locator("time")
    expect(history).to_have_text(when_text(first.created_at, perth))  # the server's words, Perth time
    expect(history).to_have_attribute("title", full_text(first.created_at, perth))

    page.get_by_label("Your message").fill("How was the weekend?")
    page.get_by_role("button", name="Send").click()
    sent = page.locator("li.chat-message").filter(has_text="How was the weekend?").locator("time")
    expect(sent).to_have_text(WHEN)  # at once, before any reload
    stored = wait_for_db(
        lambda: Message.objects.filter(thread=chat["thread"], sender=chat["alice"]).order_by("-seq").first(),
        "the message to be stored",
    )
    expect(sent).to_have_text(when_text(stored.created_at, perth))
    expect(sent).to_have_attribute("title", re.compile(r"\(Perth time\)$"))
    assert stored.created_at > dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
