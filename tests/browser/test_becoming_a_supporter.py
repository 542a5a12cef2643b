"""From application to first offer, in four browsers: a doctor applies on a phone; a coordinator checks the number,
writes to the referees and takes each step in the console; two referees answer through their private links; the
applicant records their training, which the coordinator confirms; made a supporter, they set up their second factor
and their supporter profile, the matching suggests them to a member, and the offer appears in their app."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from django.core import mail
from playwright.sync_api import BrowserContext, Page, expect

from alongside.connections import services as matching
from alongside.connections.models import Offer, Suggestion
from alongside.connections.tests import factories as connection_factories
from alongside.directory.models import Language
from alongside.supporters.models import Application, TrainingModule
from tests import factories
from tests.browser.conftest import MOBILE, LiveServer, off_the_browser_thread, totp_code, wait_for_db

pytestmark = pytest.mark.browser

T = TypeVar("T")


def _move(page: Page, label: str) -> None:
    page.get_by_role("button", name=f"Move to “{label}”").click()
    expect(page.get_by_role("status").or_(page.locator(".messages"))).to_contain_text("The applicant has been told")


def test_a_doctor_goes_from_application_to_their_first_offer(
    new_context: Callable[..., BrowserContext],
    asgi_live_server: LiveServer,
    sign_in_as: Callable[[BrowserContext, Any], None],
) -> None:
    applicant = factories.member(display_name="Kai")
    coordinator = factories.coordinator(display_name="Coord")
    TrainingModule.objects.create(title="Telephone peer support", required=True, renewal_months=24)

    # The applicant, on a phone.
    phone = new_context()
    sign_in_as(phone, applicant)
    mine = phone.new_page()
    mine.set_viewport_size(MOBILE)
    mine.goto("/supporter/apply/")
    expect(mine.get_by_role("heading", level=1)).to_have_text("Become a peer supporter")
    mine.get_by_label("Your full name").fill("Dr Kai Moreno")
    mine.get_by_label("Medical registration number").fill("12345")  # wrong: the format is said
    mine.get_by_label("Career stage").select_option("registrar")
    mine.get_by_label("Why would you like to support colleagues?").fill("A colleague listened to me once.")
    mine.get_by_label("First referee's name").fill("Dr Ada Lane")
    mine.get_by_label("First referee's email").fill("ada@example.org")
    mine.get_by_label("How they know you").first.fill("supervising consultant")
    mine.get_by_label("Second referee's name").fill("Dr Ben Ito")
    mine.get_by_label("Second referee's email").fill("ben@example.org")
    mine.get_by_label("How they know you").nth(1).fill("director of training")
    mine.get_by_role("button", name="Send my application").click()
    expect(mine.get_by_text("three letters and ten digits").first).to_be_visible()
    mine.get_by_label("Medical registration number").fill("MED0001234567")
    mine.get_by_role("button", name="Send my application").click()
    expect(mine.get_by_role("heading", level=2, name="Applied")).to_be_visible()
    expect(mine.get_by_text("What happens next:")).to_be_visible()
    application = wait_for_db(lambda: Application.objects.filter(user=applicant).first(), "the application")

    # The coordinator, at a desk.
    desk = new_context()
    sign_in_as(desk, coordinator)
    console = desk.new_page()
    console.goto("/console/applications/")
    console.get_by_role("link", name="Kai").click()
    expect(console.get_by_role("heading", level=1)).to_have_text("Dr Kai Moreno")
    console.get_by_role("button", name="I found this number on the public register").click()
    _move(console, "Waiting for references")
    console.get_by_role("button", name=re.compile("Send each referee")).click()
    links = wait_for_db(
        lambda: (
            [re.search(r"http\S+/referee/\S+/", m.body).group(0) for m in mail.outbox]
            if len(mail.outbox) >= 2
            else None
        ),  # type: ignore[union-attr]
        "the referees' emails",
    )

    # Each referee, through their private link.
    for link in links:
        referee = new_context().new_page()
        referee.set_viewport_size(MOBILE)
        referee.goto(link)
        expect(referee.get_by_role("heading", level=1)).to_have_text("A reference for Dr Kai Moreno")
        referee.get_by_label("Yes").check()
        referee.get_by_label("What makes them suited (or not) to this?").fill("Calm, kind and careful.")
        referee.get_by_role("button", name="Send my reference").click()
        expect(referee.get_by_role("heading", level=1)).to_have_text("Thank you")
        referee.goto(link)  # opened again: says it is done, asks nothing
        expect(referee.get_by_text("already sent your reference")).to_be_visible()

    console.reload()
    expect(console.get_by_text("Recommends them.")).to_have_count(2)
    _move(console, "Interview")
    _move(console, "Training")

    # The applicant records their training; the coordinator confirms it and makes them a supporter.
    mine.reload()
    expect(mine.get_by_role("heading", level=2, name="Training")).to_be_visible()
    mine.get_by_role("link", name="Your training").click()
    mine.get_by_label("The day you completed it").fill("2026-11-30")
    mine.get_by_role("button", name="Record it").click()
    expect(mine.get_by_text("Waiting for a coordinator to confirm")).to_be_visible()
    console.goto("/console/training/")
    console.get_by_role("button", name="Confirm").click()
    console.goto(f"/console/applications/{application.pk}/")
    _move(console, "Active supporter")

    # Now a supporter: their second factor first, then their supporter profile.
    mine.goto("/supporter/profile/")
    if "/accounts/reauthenticate/" in mine.url:
        mine.get_by_label("Password").fill(factories.PASSWORD)
        mine.get_by_role("button", name="Confirm").click()
    expect(mine).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    secret = mine.get_by_label("Key to type if you can't scan").input_value()
    mine.get_by_label("Six-digit code the app shows").fill(totp_code(secret))
    mine.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(mine.get_by_role("status")).to_contain_text("Two-factor authentication is on.")
    mine.goto("/supporter/profile/")
    mine.get_by_label("A short bio peers see").fill("Registrar; I know how exam years feel.")
    mine.get_by_label("Chat").check()
    mine.get_by_label("Most connections at once").fill("2")
    mine.get_by_role("radio", name="Active", exact=True).check()
    mine.locator("#id_windows-0-day").select_option("1")
    mine.locator("#id_windows-0-start").select_option("18:00")
    mine.locator("#id_windows-0-end").select_option("21:00")
    mine.get_by_role("button", name="Save your profile").click()
    expect(mine.get_by_text("Your supporter profile is saved.")).to_be_visible()

    # A member asks for a peer; the matching suggests the new supporter, and the member chooses them.
    assert off_the_browser_thread(lambda: _member_chooses(applicant)), "the new supporter is not suggested"

    mine.goto("/supporter/offers/")
    expect(mine.get_by_role("heading", level=1)).to_be_visible()
    expect(mine.get_by_role("button", name=re.compile("Accept"))).to_be_visible()


def _member_chooses(supporter: Any) -> bool:
    member = factories.member()
    request = connection_factories.support_request(member, formats=["chat"])
    request.languages.set(Language.objects.all())
    suggestions = matching.suggest(support_request=request)
    theirs = next((s for s in suggestions if s.supporter.user_id == supporter.pk), None)
    if theirs is None:
        return False
    matching.pick(support_request=request, suggestion=Suggestion.objects.get(pk=theirs.pk), actor=member)
    return Offer.objects.filter(supporter__user=supporter).exists()
