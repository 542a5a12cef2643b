"""Supporters and coordinators use a second factor: enrolment is forced, and sign-in asks for the code."""

from __future__ import annotations

import re

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.conftest import LiveServer, totp_code

pytestmark = pytest.mark.browser


def _sign_in(page: Page, email: str) -> None:
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.get_by_label("Email").fill(email)
    page.get_by_label(re.compile(r"^Password")).fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_supporter_without_mfa_is_made_to_enrol_totp_before_any_other_page(
    page: Page, asgi_live_server: LiveServer
) -> None:
    supporter = factories.supporter(display_name="Bob", mfa=False)
    _sign_in(page, supporter.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome back, Bob")

    for path in ("/library/", "/notifications/", "/profile/"):
        page.goto(path)
        expect(page).not_to_have_url(re.compile(re.escape(path) + "$"))
        expect(page.get_by_role("status")).to_contain_text("Your role needs two-factor authentication.")
    # allauth asks for the password again before a second factor can be added.
    if "/accounts/reauthenticate/" in page.url:
        page.get_by_label("Password").fill(factories.PASSWORD)
        page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor authentication")

    # A wrong code is refused; the code from the secret on the page is accepted.
    secret = page.get_by_label("Key to type if you can't scan").input_value()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    wrong = f"{(int(totp_code(secret)) + 1) % 1_000_000:06d}"
    page.get_by_label("Six-digit code the app shows").fill(wrong)
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page.get_by_text("That code isn't right. Please try again.")).to_be_visible()
    assert not Authenticator.objects.filter(user=supporter).exists()

    page.get_by_label("Six-digit code the app shows").fill(
        totp_code(page.get_by_label("Key to type if you can't scan").input_value())
    )
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page.get_by_role("status")).to_contain_text("Two-factor authentication is on.")
    assert Authenticator.objects.filter(user=supporter, type=Authenticator.Type.TOTP).exists()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Resources").click()
    expect(page).to_have_url(re.compile(r"/library/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Further reading and resources")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome back, Bob")


def test_a_supporter_with_totp_is_asked_for_the_code_when_signing_in(page: Page, asgi_live_server: LiveServer) -> None:
    supporter = factories.supporter(display_name="Tess")
    _sign_in(page, supporter.email)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Type your code")
    # Not signed in yet: member pages still send them to sign in.
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in")).to_be_visible()

    page.get_by_label("Six-digit code from your authenticator app").fill(
        "000000" if totp_code(supporter.totp_secret) != "000000" else "111111"
    )  # type: ignore[attr-defined]
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("That code isn't right. Please try again.")).to_be_visible()

    page.get_by_label("Six-digit code from your authenticator app").fill(totp_code(supporter.totp_secret))  # type: ignore[attr-defined]
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome back, Tess")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Resources").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Further reading and resources")
