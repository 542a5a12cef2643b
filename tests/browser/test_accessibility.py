"""The main pages pass axe-core with no serious or critical violations and break no Content-Security-Policy rule."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from alongside.library.models import Category, Resource
from alongside.notifications.models import Kind, Notification
from tests import factories
from tests.browser.conftest import (
    BOTH_SIZES,
    BrowserProblems,
    LiveServer,
    screenshot,
    serious_violations,
)

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class MainPage:
    name: str
    path: str
    heading: str
    who: str  # "anonymous", "member", "newcomer" (no profile yet) or "coordinator"


PAGES = [
    MainPage("home-anonymous", "/", "Talk with a colleague who understands", "anonymous"),
    MainPage("sign-in", "/accounts/login/", "Sign in", "anonymous"),
    MainPage("sign-up", "/accounts/signup/", "Create your account", "anonymous"),
    MainPage("password-reset", "/accounts/password/reset/", "Reset your password", "anonymous"),
    MainPage("profile-setup", "/profile/setup/", "Set up your profile", "newcomer"),
    MainPage("home-member", "/", "Welcome back, Alice", "member"),
    MainPage("library", "/library/", "Further reading and resources", "member"),
    MainPage("profile", "/profile/", "Your profile", "member"),
    MainPage("my-data", "/profile/export/page/", "Everything we hold about you", "member"),
    MainPage("delete-account", "/profile/delete/", "Delete your account", "member"),
    MainPage("email", "/accounts/email/", "Your email address", "member"),
    MainPage("two-factor", "/accounts/2fa/", "Two-factor authentication", "member"),
    MainPage("notifications", "/notifications/", "Notifications", "member"),
    MainPage("push-devices", "/notifications/devices/", "Alerts on your devices", "member"),
    MainPage("console-overview", "/console/", "Coordinator console", "coordinator"),
    MainPage("console-resources", "/console/resources/", "Resources", "coordinator"),
]


def _some_content() -> None:
    Resource.objects.create(title="Lifeline", phone="13 11 14", is_crisis=True, category=Category.CRISIS, position=1)
    Resource.objects.create(
        title="Hand-n-Hand Peer Support",
        description="Peer support for healthcare workers.",
        url="https://handnhand.org.au/",
        category=Category.PEER_SUPPORT,
    )
    factories.WorkplaceFactory(name="Monash Health")
    factories.LanguageFactory()


def _user_for(who: str) -> Any:
    if who == "member":
        user = factories.member(display_name="Alice")
        Notification.objects.create(user=user, kind=Kind.WELCOME, link="/")
        return user
    if who == "newcomer":
        return factories.member(profile=False)
    if who == "coordinator":
        return factories.coordinator(display_name="Carol")
    return None


WHO = ["anonymous", "newcomer", "member", "coordinator"]


@pytest.mark.parametrize("who", WHO)
def test_the_main_pages_have_no_serious_accessibility_violations_or_csp_reports(
    who: str,
    page: Page,
    sign_in_as: Callable[[BrowserContext, Any], None],
    browser_problems: BrowserProblems,
) -> None:
    _some_content()
    user = _user_for(who)
    if user is not None:
        sign_in_as(page.context, user)

    problems: dict[str, list[str]] = {}
    for main_page in (p for p in PAGES if p.who == who):
        response = page.goto(main_page.path)
        assert response is not None and response.status == 200, main_page.name
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        expect(page.get_by_role("heading", level=1)).to_have_text(main_page.heading)
        expect(page.get_by_role("complementary", name="Urgent help")).to_contain_text("13 11 14")
        if user is not None:
            expect(page.locator("[data-live-badge]")).to_have_attribute("data-connected", "true")
        found = serious_violations(page, sizes=BOTH_SIZES)
        found += [f"CSP: {line}" for line in browser_problems.csp] + [
            f"script error: {e}" for e in browser_problems.errors
        ]
        browser_problems.csp.clear()
        browser_problems.errors.clear()
        if found:
            problems[main_page.name] = found
        screenshot(page, main_page.name)

        if main_page.name == "profile-setup":  # the same form showing its errors
            page.get_by_role("button", name="Save and continue").click()
            expect(page.locator(".errors").first).to_be_visible()
            if found := serious_violations(page, sizes=BOTH_SIZES):
                problems["profile-setup-errors"] = found
            screenshot(page, "profile-setup-errors")

    assert problems == {}


def test_a_csp_violation_would_be_caught(
    page: Page, asgi_live_server: LiveServer, browser_problems: BrowserProblems
) -> None:
    """The detector itself works: an inline script is blocked by the policy and reported."""
    page.goto("/")
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.__ran = true'; "
        "document.body.appendChild(s); }"
    )
    for _ in range(40):  # console events arrive asynchronously; waiting lets Playwright deliver them
        if browser_problems.csp:
            break
        page.wait_for_timeout(25)
    assert page.evaluate("window.__ran === undefined"), "the CSP blocked the inline script"
    assert any(re.search("Content Security Policy", line) for line in browser_problems.csp)
    browser_problems.csp.clear()
