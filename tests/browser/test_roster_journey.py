"""The roster from the browser: a coordinator adds a weekly pattern and sees the coverage; on phones, a supporter
offers a shift place for cover and another takes it, while a third, a moment late, is told someone else took it."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from alongside.lib.time import now
from alongside.notifications.models import Kind, Notification
from alongside.roster.models import ContactFormat, ContactRecord, ShiftPattern, ShiftPlace
from alongside.roster.services import end_contact
from alongside.service.models import OpeningHours, ServiceSettings
from alongside.service.selectors import forget_snapshot
from alongside.supporters.models import SupporterProfile
from tests import factories
from tests.browser.conftest import BOTH_SIZES, MOBILE, LiveServer, screenshot, serious_violations

pytestmark = pytest.mark.browser
MELB = zoneinfo.ZoneInfo("Australia/Melbourne")


def _open_every_day() -> None:
    ServiceSettings.objects.update_or_create(pk=1, defaults={"time_zone": "Australia/Melbourne"})
    for day in range(7):
        OpeningHours.objects.update_or_create(
            weekday=day, defaults={"is_open": True, "opens": dt.time(8), "closes": dt.time(22)}
        )
    forget_snapshot()


def test_a_coordinator_adds_a_weekly_pattern_and_sees_the_coverage(
    page: Page, asgi_live_server: LiveServer, sign_in_as: Callable[[BrowserContext, object], None]
) -> None:
    _open_every_day()
    for name in ("Anna", "Ben"):
        SupporterProfile.objects.create(user=factories.supporter(display_name=name))
    sign_in_as(page.context, factories.coordinator(display_name="Carol"))
    tomorrow = (now().astimezone(MELB) + dt.timedelta(days=1)).date()

    page.goto("/console/")
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Roster").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Roster")
    assert not serious_violations(page, sizes=BOTH_SIZES)
    page.get_by_role("link", name="Add a weekly pattern").click()

    # Past closing time: refused at the field, nothing saved.
    page.get_by_label("Weekday").select_option(str(tomorrow.weekday()))
    page.get_by_label("Starts", exact=False).fill("18:00")
    page.get_by_label(re.compile(r"^Ends")).fill("23:00")
    page.get_by_role("group", name="Primary supporters").get_by_label("Anna").check()
    page.get_by_role("group", name="Backup supporters").get_by_label("Ben").check()
    page.get_by_role("button", name="Add the pattern").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing was saved.")
    expect(page.locator("#id_ends_error")).to_contain_text("opening hours")
    assert not ShiftPattern.objects.exists()
    screenshot(page, "roster-pattern-refused")

    page.get_by_label(re.compile(r"^Ends")).fill("22:00")
    page.get_by_role("button", name="Add the pattern").click()
    expect(page.get_by_role("status")).to_contain_text("The pattern is saved")
    expect(page.get_by_role("main")).to_contain_text("Anna (primary), Ben (backup)")
    day_name = tomorrow.strftime("%A")
    expect(page.get_by_role("row", name=re.compile(f"{day_name}s 18:00–22:00"))).to_be_visible()
    screenshot(page, "roster-index")

    page.get_by_role("navigation", name="Roster").get_by_role("link", name="Coverage").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Coverage")
    summary = page.get_by_role("status").filter(has_text="uncovered hour")
    expect(summary).to_be_visible()
    # Tomorrow: 8 am to 6 pm uncovered (no shift), 6 pm to 10 pm covered by Anna's place.
    tomorrow_card = page.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name=re.compile(tomorrow.strftime("%A %-d %B")))
    )
    expect(tomorrow_card).to_contain_text("08:00–18:00Uncovered: no shift")
    expect(tomorrow_card).not_to_contain_text("22:00")
    assert not serious_violations(page, sizes=BOTH_SIZES)
    page.set_viewport_size(MOBILE)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= MOBILE["width"], f"the coverage page scrolls sideways on a phone ({width}px)"
    screenshot(page, "roster-coverage")


def test_on_phones_a_supporter_offers_a_place_for_cover_and_the_first_taker_gets_it(
    asgi_live_server: LiveServer,
    new_context: Callable[..., BrowserContext],
    sign_in_as: Callable[[BrowserContext, object], None],
) -> None:
    _open_every_day()
    holly, theo, late = (factories.supporter(display_name=n) for n in ("Holly", "Theo", "Lena"))
    start = (now().astimezone(MELB) + dt.timedelta(days=2)).replace(hour=18, minute=0, second=0, microsecond=0)
    place = factories.shift(starts_at=start, hours=4, primary=[holly]).places.get()
    factories.shift(primary=[holly])  # on shift now as well

    pages = {}
    for person in (holly, theo, late):
        context = new_context(has_touch=True)
        sign_in_as(context, person)
        pages[person.pk] = context.new_page()
        pages[person.pk].set_viewport_size(MOBILE)
    mine, taker, too_late = pages[holly.pk], pages[theo.pk], pages[late.pk]

    mine.goto("/shifts/")
    expect(mine.get_by_role("heading", level=1)).to_have_text("My shifts")
    expect(mine.get_by_role("heading", name=re.compile("You are on shift until"))).to_be_visible()
    expect(mine.get_by_role("main")).to_contain_text("Available")
    mine.get_by_role("button", name="I am busy for now").click()
    expect(mine.get_by_role("button", name="I am available")).to_be_visible()
    assert not serious_violations(mine, sizes=BOTH_SIZES)
    mine.get_by_role("button", name=re.compile("Offer for swap or cover.*6:00 pm")).click()
    expect(mine.get_by_role("status")).to_contain_text("Your place is on the cover board")
    expect(mine.get_by_role("main")).to_contain_text("Offered for cover")
    screenshot(mine, "roster-my-shifts")

    too_late.goto("/shifts/cover/")
    taker.goto("/shifts/cover/")
    expect(taker.get_by_role("heading", level=1)).to_have_text("Cover wanted")
    assert not serious_violations(taker, sizes=BOTH_SIZES)
    screenshot(taker, "roster-cover")
    taker.get_by_role("button", name=re.compile("Take this place")).click()
    expect(taker.get_by_role("status")).to_contain_text("The place is yours")
    expect(taker.get_by_role("main")).to_contain_text("6:00 pm – 10:00 pm")

    too_late.get_by_role("button", name=re.compile("Take this place")).click()
    expect(too_late.get_by_role("main")).to_contain_text("Someone else took that place")
    expect(too_late.get_by_role("main")).to_contain_text("No places are offered for cover just now.")

    assert ShiftPlace.objects.get(pk=place.pk).supporter_id == theo.pk
    assert Notification.objects.filter(user=holly, kind=Kind.COVER_TAKEN).count() == 1
    mine.reload()
    expect(mine.get_by_role("main")).not_to_contain_text("Offered for cover")

    # After a contact, the banner leads to the 30-second record.
    record = ContactRecord.objects.create(
        supporter=holly, format=ContactFormat.TALKNOW_VOICE, started_at=now() - dt.timedelta(minutes=9)
    )
    end_contact(record_id=record.pk)
    factories.TopicFactory(name="Burnout")
    mine.reload()
    mine.get_by_role("link", name="1 contact record to file").click()
    mine.get_by_role("link", name=re.compile("Talk now: in-app voice")).click()
    expect(mine.get_by_role("heading", level=1)).to_have_text("Contact record")
    expect(mine.get_by_label(re.compile("How long"))).to_have_value("9")
    assert not serious_violations(mine, sizes=BOTH_SIZES)
    screenshot(mine, "roster-contact-record")
    mine.get_by_label(re.compile("How long")).fill("0")
    mine.get_by_label("Burnout").check()
    mine.get_by_role("button", name="File the record").click()
    expect(mine.get_by_role("alert")).to_contain_text("Nothing was saved.")
    mine.get_by_label(re.compile("How long")).fill("10")
    mine.get_by_label("I suggested another service (a referral)").check()
    mine.get_by_role("button", name="File the record").click()
    expect(mine.get_by_role("status")).to_contain_text("the contact record is filed")
    record.refresh_from_db()
    assert record.filed_at is not None and record.minutes == 10 and record.referral_given
    assert [t.name for t in record.topics.all()] == ["Burnout"]
