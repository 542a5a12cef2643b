"""A doctor joins: signs up, verifies their email, sets up a profile, and finds help in the library."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from alongside.accounts.models import Profile, User
from alongside.directory.models import Region
from alongside.library.models import Category, Resource
from tests import factories
from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser

EMAIL = "new.doctor@example.org"
PASSWORD = "a long enough passphrase 42"


def _crisis_lines_and_library() -> None:
    Resource.objects.create(
        title="Lifeline", phone="13 11 14", is_crisis=True, category=Category.CRISIS, region=Region.NATIONAL, position=1
    )
    Resource.objects.create(
        title="DRS4DRS",
        phone="1300 374 377",
        url="https://www.drs4drs.com.au/",
        is_crisis=True,
        category=Category.DOCTORS_HEALTH,
        region=Region.NATIONAL,
        position=2,
    )
    Resource.objects.create(
        title="Hand-n-Hand Peer Support",
        description="Peer support for healthcare workers, run by healthcare workers.",
        url="https://handnhand.org.au/",
        category=Category.PEER_SUPPORT,
    )
    Resource.objects.create(
        title="Medical Indemnity Guide to Complaints",
        description="What to expect after a patient complaint or a regulator notification.",
        url="https://example.org/complaints",
        category=Category.LEGAL,
    )


def _sign_up(page: Page) -> None:
    page.goto("/")
    page.get_by_role("link", name="Join the service").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create your account")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label(re.compile(r"^Password")).fill(PASSWORD)
    page.get_by_label("Type the password again").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")


def _verification_link(live_server: LiveServer) -> str:
    assert len(mail.outbox) == 1, "exactly one email: the verification"
    message = mail.outbox[0]
    assert message.to == [EMAIL]
    parts = [message.body] + [
        content for content, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"
    ]
    links = [re.search(rf"{re.escape(live_server.url)}/accounts/confirm-email/[^\s\"'<]+", part) for part in parts]
    assert all(links), "the text part and the HTML part (if any) both carry the confirmation link"
    assert len({m.group(0) for m in links if m}) == 1
    return links[0].group(0)  # type: ignore[union-attr]


def test_a_member_signs_up_verifies_sets_up_a_profile_and_searches_the_library(
    page: Page, asgi_live_server: LiveServer
) -> None:
    _crisis_lines_and_library()
    factories.LanguageFactory(code="en", name="English")
    factories.LanguageFactory(code="vi", name="Vietnamese")
    factories.WorkplaceFactory(name="Monash Health")
    factories.WorkplaceFactory(name="Alfred Health")

    _sign_up(page)
    link = _verification_link(asgi_live_server)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your email address")
    page.get_by_role("button", name="Confirm").click()

    # Signed in by the confirmation; the first member page they open is the profile form.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Resources").click()
    expect(page).to_have_url(re.compile(r"/profile/setup/\?next=/library/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your profile")

    # A display name with an email in it is refused, and the rest of what was typed is kept.
    page.get_by_label("Display name").fill("reach me at me@example.org")
    page.get_by_label("Career stage").select_option(label="Registrar / trainee")
    page.get_by_label("English").check()
    page.get_by_role("button", name="Save and continue").click()
    error = page.locator("#id_display_name_error")
    expect(error).to_have_text("A display name can't contain an email address or a phone number.")
    expect(page.get_by_label("Display name")).to_have_attribute(
        "aria-describedby", re.compile(r"\bid_display_name_error\b")
    )
    expect(page.get_by_label("Career stage")).to_have_value("registrar")
    expect(page.get_by_label("English")).to_be_checked()

    # 10 kB of display name (the browser's maxlength removed, as a hostile client would) gets a clear message.
    page.get_by_label("Display name").evaluate("el => el.removeAttribute('maxlength')")
    page.get_by_label("Display name").fill("A" * 10_000)
    page.get_by_role("button", name="Save and continue").click()
    expect(error).to_contain_text("at most 40 characters")
    user = User.objects.get(email=EMAIL)
    assert not Profile.objects.filter(user=user).exists(), "nothing is saved from a refused form"

    page.get_by_label("Display name").fill("Night Shift Registrar")
    page.get_by_label("Career stage").select_option(label="Registrar / trainee")
    page.get_by_label("Vietnamese").check()
    page.get_by_role("combobox", name="Where you work or study").fill("Monash")
    page.keyboard.press("Enter")
    page.get_by_label("Time zone").select_option("Australia/Perth")
    page.get_by_role("button", name="Save and continue").click()

    # Back to where they were going, then home: greeted by name, crisis lines and the welcome notification.
    expect(page).to_have_url(re.compile(r"/library/$"))
    expect(page.get_by_role("status")).to_contain_text("Welcome. Your profile is saved.")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Night Shift Registrar")
    strip = page.get_by_role("complementary", name="Urgent help")
    expect(strip).to_contain_text("Lifeline 13 11 14")
    expect(strip).to_contain_text("DRS4DRS 1300 374 377")
    expect(strip.get_by_role("link", name="13 11 14")).to_have_attribute("href", "tel:131114")
    badge = page.locator("[data-live-badge]")
    expect(badge).to_have_attribute("data-connected", "true")  # the live badge's websocket is open
    expect(badge).to_have_attribute("data-count", "1")
    expect(page.get_by_role("link", name=re.compile(r"^Notifications 1 unread$"))).to_be_visible()

    profile = Profile.objects.get(user=user)
    assert profile.display_name == "Night Shift Registrar"
    assert profile.career_stage == "registrar"
    assert profile.time_zone == "Australia/Perth"
    assert {lang.code for lang in profile.languages.all()} == {"en", "vi"}
    assert [w.name for w in profile.workplaces.all()] == ["Monash Health"]

    # The library filters as they type, without reloading the page.
    page.get_by_role("link", name="Browse the resources").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Further reading and resources")
    results = page.locator("#results")
    expect(results.locator(".resource-list > li")).to_have_count(4)
    page.evaluate("window.__samePage = true")
    page.get_by_role("textbox", name="Search").fill("peer support")
    expect(results.locator(".resource-list > li")).to_have_count(1)
    expect(results.get_by_role("heading", level=3)).to_have_text("Hand-n-Hand Peer Support (opens in a new tab)")
    expect(results).to_contain_text("1 resource for “peer support”")
    expect(page).to_have_url(re.compile(r"/library/\?q=peer(\+|%20)support"))
    assert page.evaluate("window.__samePage") is True, "htmx swapped the results in place"

    page.get_by_role("textbox", name="Search").fill("complaint")
    expect(results.get_by_role("heading", level=3)).to_have_text(re.compile("^Medical Indemnity Guide to Complaints"))
    page.get_by_role("textbox", name="Search").fill("nothing matches this")
    expect(results).to_contain_text("No resources match.")
    assert page.evaluate("window.__samePage") is True


def test_a_newly_verified_member_is_taken_straight_to_profile_setup(page: Page, asgi_live_server: LiveServer) -> None:
    _sign_up(page)
    page.goto(_verification_link(asgi_live_server))
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your profile", timeout=1000)


def test_the_verification_email_names_the_service_and_no_account_number(
    page: Page, asgi_live_server: LiveServer
) -> None:
    _sign_up(page)
    _verification_link(asgi_live_server)
    body = mail.outbox[0].body
    assert "Alongside peer support" in body
    assert not re.search(r"\buser \d+\b", body)
    assert " !" not in body and "on ." not in body
    html = str(mail.outbox[0].alternatives[0][0])
    assert "Confirm your email address" in html and "Alongside peer support" in html
