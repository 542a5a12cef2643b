"""Call-backs in the browser at phone size: a caller without an account asks for one (errors shown field by field,
nothing saved), keeps the private link, sees the status and cancels; a supporter on shift takes one, calls through
the service (the REST call goes to a local stand-in for Twilio) and records the outcome."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from alongside.directory.models import Topic
from alongside.lib.time import now
from alongside.library.models import Category, Resource
from alongside.phoneline.models import Callback, CallbackStatus, OwnNumber, PhoneCall
from alongside.phoneline.services import token_hash
from alongside.phoneline.tests.standin import StandIn, serve
from alongside.service.models import OpeningHours
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

ZONE = zoneinfo.ZoneInfo("Australia/Melbourne")


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # No service worker, so the page's own routes see every navigation (the roster's page is stood in for below).
    return {
        **browser_context_args,
        "viewport": MOBILE,
        "is_mobile": True,
        "has_touch": True,
        "service_workers": "block",
    }


@pytest.fixture
def line(asgi_live_server: LiveServer, settings: Any) -> Iterator[StandIn]:
    """The phone line on, Twilio's REST API stood in for locally; open all day, with the crisis lines."""
    for server in serve():
        settings.TWILIO_ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
        settings.TWILIO_AUTH_TOKEN = "browser-test-token"
        settings.TWILIO_NUMBER = "+61390001234"
        settings.TWILIO_WEBHOOK_BASE_URL = "https://line.example.org"
        settings.TWILIO_API_URL = server.url
        for weekday in range(7):
            OpeningHours.objects.create(weekday=weekday, opens=dt.time(0, 0), closes=dt.time(23, 59))
        Resource.objects.create(title="Lifeline", phone="13 11 14", category=Category.CRISIS, is_crisis=True)
        forget_snapshot()
        yield server
    forget_snapshot()


def _accessible(page: Page) -> None:
    assert serious_violations(page) == []


def _window() -> tuple[str, str, str]:
    start = (now() + dt.timedelta(hours=1)).astimezone(ZONE).replace(minute=0, second=0, microsecond=0)
    if start.hour >= 22:
        start = (start + dt.timedelta(days=1)).replace(hour=9)
    return start.date().isoformat(), start.strftime("%H:%M"), (start + dt.timedelta(hours=1)).strftime("%H:%M")


def test_a_caller_asks_for_a_call_back_keeps_the_private_link_and_cancels(
    page: Page, line: StandIn, browser_problems: BrowserProblems
) -> None:
    Topic.objects.create(slug="burnout", name="Burnout")
    page.goto("/call-back/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask for a call-back")
    day, starts, ends = _window()
    page.get_by_label("Phone number").fill("12345")
    page.locator("#id_day").fill(day)
    page.locator("#id_starts").fill(ends)
    page.locator("#id_ends").fill(starts)
    page.get_by_role("button", name="Ask for a call-back").click()
    expect(page.get_by_role("alert").first).to_contain_text("Nothing was sent")
    expect(page.locator("#id_name_error")).to_contain_text("required")
    expect(page.locator("#id_phone_error")).to_contain_text("not a complete phone number")
    expect(page.locator("#id_ends_error")).to_contain_text("must end after it starts")
    assert page.get_by_label("Phone number").input_value() == "12345"  # what was typed stays
    assert not Callback.objects.exists()
    screenshot(page, "callback-errors")
    _accessible(page)

    page.get_by_label("First name or pseudonym").fill("Sam")
    page.get_by_label("Phone number").fill("0412 345 678")
    page.locator("#id_starts").fill(starts)
    page.locator("#id_ends").fill(ends)
    page.get_by_label("Burnout").check()
    page.get_by_role("button", name="Ask for a call-back").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your call-back")
    expect(page.get_by_role("status")).to_contain_text("Your call-back is booked")
    link = page.get_by_label("Your private link").input_value()
    assert link.startswith(line.url.replace(line.url, "http://127.0.0.1")) and "/call-back/" in link
    expect(page.locator("#callback-status")).to_have_text("Waiting for a supporter")
    expect(page.get_by_role("main")).to_contain_text("(03) 9000 1234")
    callback = Callback.objects.get()
    assert callback.phone == "+61412345678" and list(callback.topics.values_list("slug", flat=True)) == ["burnout"]
    screenshot(page, "callback-booked")
    _accessible(page)

    # The private link, opened again later, shows the status and cancels.
    page.goto(link)
    expect(page.locator("#callback-status")).to_have_text("Waiting for a supporter")
    page.get_by_role("button", name="Cancel this call-back").click()
    expect(page.locator("#callback-status")).to_have_text("Cancelled")
    expect(page.get_by_role("main")).to_contain_text("Your number has been deleted")
    wait_for_db(lambda: Callback.objects.filter(status=CallbackStatus.CANCELLED, phone="").first(), "cancelled")
    expect(page.get_by_role("button", name="Cancel this call-back")).to_have_count(0)
    screenshot(page, "callback-cancelled")


def test_a_supporter_on_shift_takes_a_call_back_calls_through_the_service_and_records_the_outcome(
    page: Page,
    line: StandIn,
    sign_in_as: Callable[[BrowserContext, Any], None],
    browser_problems: BrowserProblems,
) -> None:
    supporter = factories.supporter(display_name="Bob")
    factories.shift(primary=[supporter])
    OwnNumber.objects.create(user=supporter, number="+61400000001")
    # Made directly: the service would also notify, and the page's live badge needs no event loop of the test's.
    Callback.objects.create(
        token_hash=token_hash("a-caller-token"),
        name="Sam",
        phone="+61412345678",
        window_starts_at=now(),
        window_ends_at=now() + dt.timedelta(hours=1),
    )
    sign_in_as(page.context, supporter)
    page.goto("/phone/call-backs/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Call-backs")
    screenshot(page, "callback-list")
    _accessible(page)
    page.get_by_role("button", name="Take this call-back for Sam").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Call-back for Sam")
    page.get_by_role("button", name="Call now through the service").click()
    expect(page.get_by_role("main")).to_contain_text("Your phone will ring from the service's number")
    [sent] = wait_for_db(lambda: line.received or None, "the call placed")
    assert sent.one("To") == "+61400000001" and sent.one("From") == "+61390001234"
    assert "0412" not in page.content() and "+61412345678" not in page.content()
    screenshot(page, "callback-detail")
    _accessible(page)
    page.get_by_label("We talked").check()
    page.get_by_role("button", name="Finish this call-back").click()
    # The supporter lands on the call-back's 30-second contact record, prefilled with its format. The database is read
    # only after that: a read from this thread while the server thread writes would fail the server's write.
    expect(page.get_by_role("heading", level=1)).to_have_text("Contact record")
    expect(page).to_have_url(re.compile(r"/shifts/contacts/\d+/$"))
    expect(page.get_by_role("main")).to_contain_text("Call-back")
    callback = wait_for_db(lambda: Callback.objects.filter(status=CallbackStatus.DONE).first(), "the call-back done")
    assert callback.phone == "" and callback.contact is not None
    assert page.url.endswith(f"/shifts/contacts/{callback.contact.pk}/")
    assert PhoneCall.objects.get().supporter == supporter


def test_the_screens_around_the_phone_line(
    page: Page, line: StandIn, sign_in_as: Callable[[BrowserContext, Any], None], browser_problems: BrowserProblems
) -> None:
    """One's own number and the console's Phone line page read well on a phone and pass axe."""
    supporter = factories.supporter(display_name="Bob")
    sign_in_as(page.context, supporter)
    page.goto("/phone/number/")
    page.get_by_label("Your phone number").fill("0412")
    page.get_by_role("button", name="Save your number").click()
    expect(page.locator("#id_number_error")).to_contain_text("not a complete phone number")
    page.get_by_label("Your phone number").fill("0412 345 678")
    page.get_by_role("button", name="Save your number").click()
    expect(page.get_by_role("main")).to_contain_text("Your number now: 0412 345 678")
    screenshot(page, "own-number")
    _accessible(page)
    page.context.clear_cookies()
    sign_in_as(page.context, factories.coordinator(display_name="Carol"))
    page.goto("/console/phone-line/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Phone line")
    expect(page.get_by_role("main")).to_contain_text("The phone line is on")
    expect(page.get_by_role("row", name="Bob set")).to_be_visible()
    assert "0412" not in page.content()
    screenshot(page, "console-phoneline")
    _accessible(page)
