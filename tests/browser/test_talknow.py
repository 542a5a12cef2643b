"""Talk now in two Chromium contexts: a member presses Talk now, a supporter on shift sees the offer live on the page
they have open, accepts, they chat, the supporter ends and is sent to the contact record; axe finds nothing serious."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import OperationalError, connections
from playwright.sync_api import BrowserContext, Page, expect

from alongside.lib.time import now
from alongside.roster.models import ContactRecord
from alongside.service.selectors import ServiceSnapshot
from alongside.talknow import services
from alongside.talknow.models import State, TalkNowRequest
from tests import factories
from tests.browser.conftest import BOTH_SIZES, LiveServer, screenshot, serious_violations, wait_for_db

pytestmark = pytest.mark.browser


@pytest.fixture
def open_hours(monkeypatch: pytest.MonkeyPatch) -> None:
    # The server runs in this process: the service is open whatever the wall clock says.
    monkeypatch.setattr(ServiceSnapshot, "is_open_at", lambda self, moment: True)


@pytest.mark.usefixtures("open_hours")
def test_a_member_talks_now_with_the_supporter_on_shift(
    asgi_live_server: LiveServer, new_context: Callable[..., BrowserContext], sign_in_as: Any
) -> None:
    alice, bob = factories.member(display_name="Alice"), factories.supporter(display_name="Bob")
    factories.TopicFactory(name="Burnout")
    factories.shift(primary=[bob])
    pages: dict[str, Page] = {}
    for name, user in (("alice", alice), ("bob", bob)):
        context = new_context()
        sign_in_as(context, user)
        pages[name] = context.new_page()
    member, supporter = pages["alice"], pages["bob"]
    problems: list[str] = []

    # Bob is on shift, reading the resources: his page holds the notifications socket.
    supporter.goto("/library/")
    expect(supporter.locator("[data-live-badge]")).to_have_attribute("data-connected", "true")

    member.goto("/talk-now/")
    expect(member.get_by_role("heading", name="Talk now", exact=True)).to_be_visible()
    screenshot(member, "talknow-start")
    problems += serious_violations(member, sizes=BOTH_SIZES)
    member.get_by_label("Burnout").check()
    member.get_by_role("button", name="Talk now").click()
    expect(member.get_by_role("heading", name="Finding a supporter")).to_be_visible()
    expect(member.locator("[data-talknow-shift]")).to_have_text("1 supporter is on shift.")
    screenshot(member, "talknow-waiting")
    problems += serious_violations(member, sizes=BOTH_SIZES)

    # The offer appears live on Bob's page, with no name and no topic.
    banner = supporter.locator(".talknow-offer")
    expect(banner).to_contain_text("Someone would like to talk now")
    assert "Alice" not in banner.inner_text() and "Burnout" not in banner.inner_text()
    screenshot(supporter, "talknow-banner")
    problems += serious_violations(supporter, sizes=BOTH_SIZES)
    # Read before accepting: a read from this thread while the server thread writes the accept would fail its write.
    req = TalkNowRequest.objects.get(member=alice)
    banner.get_by_role("button", name="Accept").click()
    expect(supporter).to_have_url(re.compile(rf"/talk-now/{req.pk}/conversation/$"))
    expect(supporter.locator("#chat-status")).to_have_text("Connected")
    expect(supporter.locator("body")).to_contain_text("Burnout")  # the supporter who joined sees the topics

    # Alice's waiting page moves into the conversation by itself.
    expect(member).to_have_url(re.compile(rf"/talk-now/{req.pk}/conversation/$"))
    expect(member.locator("#chat-status")).to_have_text("Connected")
    expect(member.locator("[data-boundaries]")).to_contain_text("supervision, mentoring, counselling or therapy")
    member.get_by_label("Your message").fill("Thanks for picking up. Rough night on call.")
    member.get_by_role("button", name="Send").click()
    expect(supporter.locator("#chat-messages")).to_contain_text("Rough night on call.")
    supporter.get_by_label("Your message").fill("I'm glad you reached out. What happened?")
    supporter.get_by_role("button", name="Send").click()
    expect(member.locator("#chat-messages")).to_contain_text("What happened?")
    screenshot(member, "talknow-conversation")
    problems += serious_violations(member, sizes=BOTH_SIZES)

    # Bob ends; he is sent to the contact record, and Alice's page moves to the close. The database is read only once
    # both pages have moved: a read from this thread while the server thread writes the end would make the server's
    # write fail ('database table is locked', the in-memory test database's shared cache).
    supporter.once("dialog", lambda dialog: dialog.accept())
    supporter.get_by_role("button", name="End the conversation").click()
    expect(supporter).to_have_url(re.compile(r"/shifts/contacts/\d+/$"))
    expect(member).to_have_url(re.compile(rf"/talk-now/{req.pk}/closed/$"))
    req = wait_for_db(lambda: TalkNowRequest.objects.filter(pk=req.pk, state=State.ENDED).first(), "the end stored")
    assert supporter.url.endswith(f"/shifts/contacts/{req.contact_id}/")
    assert ContactRecord.objects.get(pk=req.contact_id).ended_at is not None
    # Read again now that both pages have settled: the first load raced the supporter's page for the in-memory test
    # database's session table and could meet 'database table is locked' (a harness hazard, not the service's).
    member.reload()
    expect(member.get_by_role("link", name="Ask for an ongoing peer")).to_be_visible()
    screenshot(member, "talknow-closed")
    problems += serious_violations(member, sizes=BOTH_SIZES)

    supporter.goto("/talk-now/offers/")
    screenshot(supporter, "talknow-offers")
    problems += serious_violations(supporter, sizes=BOTH_SIZES)
    assert not problems, "\n".join(problems)


def test_outside_hours_the_member_is_shown_who_to_call(
    asgi_live_server: LiveServer, new_context: Callable[..., BrowserContext], sign_in_as: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(ServiceSnapshot, "is_open_at", lambda self, moment: False)
    context = new_context()
    sign_in_as(context, factories.member(display_name="Alice"))
    page = context.new_page()
    page.goto("/talk-now/")
    expect(page.get_by_role("heading", name="We are closed right now")).to_be_visible()
    expect(page.get_by_role("link", name="Book a call-back")).to_have_attribute("href", "/call-back/")
    screenshot(page, "talknow-after-hours")
    assert not serious_violations(page, sizes=BOTH_SIZES)


@pytest.mark.usefixtures("open_hours")
def test_when_nobody_takes_it_the_member_is_told_and_offered_a_call_back(
    asgi_live_server: LiveServer, new_context: Callable[..., BrowserContext], sign_in_as: Any
) -> None:
    alice = factories.member(display_name="Alice")
    factories.shift(primary=[factories.supporter()])
    context = new_context()
    sign_in_as(context, alice)
    page = context.new_page()
    page.goto("/talk-now/")
    page.get_by_role("button", name="Talk now").click()
    expect(page.get_by_role("heading", name="Finding a supporter")).to_be_visible()
    expect(page.locator("[data-talknow-honest]")).to_be_hidden()
    req = TalkNowRequest.objects.get(member=alice)
    later = now() + dt.timedelta(minutes=10)
    steps: list[str] = []

    def advance(at: dt.datetime) -> str:
        # The in-memory SQLite test database locks whole tables: a read by the page's socket can meet this write.
        for _ in range(50):
            try:
                return services.advance(request_id=req.pk, at=at)
            except OperationalError:
                time.sleep(0.1)
        return "locked"

    def timers() -> None:  # as the worker would, in a thread of its own (this one runs Playwright's event loop)
        steps.append(advance(later))
        steps.append(advance(later + dt.timedelta(minutes=5)))
        connections.close_all()

    worker = threading.Thread(target=timers)
    worker.start()
    worker.join(timeout=30)
    assert steps == ["backups", "coordinators"]
    page.reload()
    honest = page.locator("[data-talknow-honest]")
    expect(honest).to_be_visible()
    expect(honest.get_by_role("link", name="book a call-back")).to_have_attribute("href", "/call-back/")
    expect(page.locator("[data-talknow-stage-text]")).to_contain_text("We have told the coordinators")
    screenshot(page, "talknow-coordinators")
    assert not serious_violations(page, sizes=BOTH_SIZES)
