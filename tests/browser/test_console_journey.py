"""A coordinator signs in with their second factor, opens the console and adds a crisis line."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from alongside.library.models import Resource
from tests import factories
from tests.browser.conftest import LiveServer, totp_code

pytestmark = pytest.mark.browser


def test_a_coordinator_opens_the_console_and_adds_a_crisis_line_that_every_page_then_shows(
    page: Page, asgi_live_server: LiveServer
) -> None:
    coordinator = factories.coordinator(display_name="Carol")
    factories.member()
    factories.supporter()

    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(coordinator.email)
    page.get_by_label(re.compile(r"^Password")).fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Six-digit code from your authenticator app").fill(totp_code(coordinator.totp_secret))  # type: ignore[attr-defined]
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome back, Carol")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Console").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Coordinator console")
    expect(page.get_by_role("navigation", name="Console").get_by_role("link", name="Overview")).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.get_by_role("main")).to_contain_text("1 member, 1 supporter, 1 coordinator.")
    expect(page.get_by_role("main")).to_contain_text("0 in the library")
    strip = page.get_by_role("complementary", name="Urgent help")
    expect(strip).not_to_contain_text("Suicide Call Back Service")

    page.get_by_role("link", name="Manage the library").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Resources")
    page.get_by_role("link", name="Add a resource").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a resource")

    # A crisis line without a phone number is refused at the field, and nothing is saved.
    page.get_by_label("Title").fill("Suicide Call Back Service")
    page.get_by_label("Crisis line").check()
    page.get_by_role("button", name="Add the resource").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing was saved.")
    expect(page.locator("#id_phone_error")).to_be_visible()
    assert not Resource.objects.exists()

    page.get_by_label("Phone").fill("1300 659 467")
    page.get_by_label("Link").fill("https://www.suicidecallbackservice.org.au/")
    page.get_by_label("Category").select_option(label="Crisis and urgent help")
    page.get_by_label("Region").select_option(label="Australia-wide")
    page.get_by_role("button", name="Add the resource").click()

    expect(page).to_have_url(re.compile(r"/console/resources/$"))
    expect(page.get_by_role("status")).to_contain_text("Added “Suicide Call Back Service” to the library.")
    expect(page.get_by_role("row", name=re.compile("Suicide Call Back Service"))).to_contain_text("1300 659 467")
    expect(strip).to_contain_text("Suicide Call Back Service 1300 659 467")
    expect(strip.get_by_role("link", name="1300 659 467")).to_have_attribute("href", "tel:1300659467")

    page.get_by_role("navigation", name="Console").get_by_role("link", name="Overview").click()
    expect(page.get_by_role("main")).to_contain_text("1 in the library, 1 of them crisis line.")


def test_a_role_granted_in_the_console_reaches_the_persons_open_page_at_once(
    page: Page,
    new_context: Callable[..., BrowserContext],
    sign_in_as: Callable[[BrowserContext, object], None],
) -> None:
    member = factories.member(display_name="Olive")
    sign_in_as(page.context, factories.coordinator(display_name="Carol"))
    members_page = new_context().new_page()
    sign_in_as(members_page.context, member)
    members_page.goto("/")
    badge = members_page.locator("[data-live-badge]")
    expect(badge).to_have_attribute("data-connected", "true")
    expect(badge).to_have_attribute("data-count", "0")

    page.goto(f"/console/people/{member.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Olive")
    page.get_by_role("button", name="Make a supporter").click()
    # Granting a role asks for confirmation and a reason, which goes into the audit log.
    expect(page.get_by_role("heading", level=1)).to_have_text("Make Olive a supporter?")
    page.get_by_label("Why?").fill("Finished the supporter training")
    page.get_by_role("button", name="Yes, make them a supporter").click()
    expect(page.get_by_role("button", name="Remove the supporter role")).to_be_visible()

    # The member's open page hears about it over the websocket, without a reload.
    expect(badge).to_have_attribute("data-count", "1")
    expect(members_page.get_by_role("link", name="Notifications 1 unread")).to_be_visible()
