"""The sign-in library's pages in the house style: our layout, our words, none of allauth's defaults."""

from __future__ import annotations

import re
from pathlib import Path

import allauth
import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.core import mail
from django.test import Client
from django.urls import reverse

from alongside.accounts.models import User
from alongside.demo.loader import current_code
from alongside.lib.text import end_sentence
from alongside.service.models import ServiceSettings
from tests import factories

pytestmark = pytest.mark.django_db

ALLAUTH_TEMPLATES = Path(allauth.__file__).parent / "templates"

# What the library says out of the box (title case, "Password (again)", the "Someone" placeholder, …):
# none of it may reach a page.
ALLAUTH_DEFAULTS = [
    "Sign In",
    "Sign Up",
    "Signup",
    "Sign Out",
    "Remember Me",
    "Password (again)",
    "Forgot your password?",
    "If you have not created an account yet",
    "Already have an account? Then please",
    "Someone",
    "Successfully signed in as",
    "Password Reset",
    "Reset My Password",
    "Change Password",
    "Current Password",
    "New Password",
    "Email Addresses",
    "Make Primary",
    "Re-send Verification",
    "Add Email",
    "Verify Your Email Address",
    "Confirm Email Address",
    "is an email address for user",
    "Bad Token",
    "Are you sure you want to sign out?",
    "Confirm Access",
    "Please reauthenticate",
    "Enter your password:",
    "Two-Factor Authentication",
    "Authenticator App",
    "Authenticator secret",
    "Authenticator code",
    "Recovery Codes",
    "Your account is protected by two-factor authentication",
    "Enter an authenticator code",
    "recovery codes available",
    "Unused codes",
    "Generate new codes",
    "Menu:",
    "Messages:",
    "Email:",
    "Password:",
    "placeholder=",
]


def _main(body: str) -> str:
    found = re.search(r'<main id="main".*?</main>', body, re.S)
    assert found, "the page is in the house layout"
    return found.group(0)


def assert_house_page(response, heading: str) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    names = [t.name for t in response.templates]
    assert "base.html" in names and "account/_layout.html" in names
    origins = [str(t.origin.name) for t in response.templates if t.origin is not None]
    library = [o for o in origins if o.startswith(str(ALLAUTH_TEMPLATES))]
    assert not library, f"allauth's own templates rendered: {library}"
    main = _main(response.content.decode())
    leftovers = [s for s in ALLAUTH_DEFAULTS if s in main]
    assert not leftovers, f"allauth's default text on the page: {leftovers}"
    assert f"<h1>{heading}</h1>" in main
    return main


def sign_in(client: Client, user: User) -> None:
    response = client.post(reverse("account_login"), {"login": user.email, "password": factories.PASSWORD})
    assert response.status_code == 302


def sign_in_with_code(client: Client, user: User) -> None:
    sign_in(client, user)
    code = current_code(user.totp_secret)  # type: ignore[attr-defined]
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302


def reauthenticate(client: Client) -> None:
    """allauth asks for the password again before two-factor settings change."""
    assert client.post(reverse("account_reauthenticate"), {"password": factories.PASSWORD}).status_code == 302


@pytest.fixture
def anonymous() -> Client:
    return Client()


@pytest.mark.parametrize(
    ("url", "heading"),
    [
        (reverse("account_login"), "Sign in"),
        (reverse("account_signup"), "Create your account"),
        (reverse("account_reset_password"), "Reset your password"),
        (reverse("account_reset_password_done"), "Check your email"),
        (reverse("account_email_verification_sent"), "Check your email"),
        (reverse("account_reset_password_from_key_done"), "Your password is changed"),
        (reverse("account_inactive"), "This account is not active"),
        (reverse("account_confirm_email", args=["not-a-key"]), "Confirm your email address"),
        (reverse("account_reset_password_from_key", kwargs={"uidb36": "zz", "key": "nope"}), "This link has expired"),
    ],
)
def test_the_signed_out_pages_are_in_the_house_style(anonymous, url, heading):
    assert_house_page(anonymous.get(url, follow=True), heading)


def test_the_sign_in_form_says_remember_me_in_sentence_case_with_no_placeholders(anonymous):
    main = assert_house_page(anonymous.get(reverse("account_login")), "Sign in")
    assert (
        '<label for="id_remember"><input type="checkbox" name="remember" id="id_remember"> Remember me</label>' in main
    )
    assert "Forgotten your password?" in main


def test_the_sign_up_form_asks_for_the_password_twice_in_words(anonymous):
    main = assert_house_page(anonymous.get(reverse("account_signup")), "Create your account")
    assert "Type the password again" in main and "Email address" in main


def test_sign_up_when_joining_is_paused(anonymous):
    ServiceSettings.objects.update_or_create(pk=1, defaults={"signups_open": False})
    response = anonymous.get(reverse("account_signup"))
    assert_house_page(response, "Joining is paused")


def test_the_confirmation_page_names_the_address_and_never_someone(anonymous):
    user = factories.member(profile=False)
    address = EmailAddress.objects.get(user=user)
    address.verified = False
    address.save()
    key = EmailConfirmationHMAC(address).key
    main = assert_house_page(anonymous.get(reverse("account_confirm_email", args=[key])), "Confirm your email address")
    assert user.email in main and "Confirm" in main


def test_choosing_a_new_password_from_the_emailed_link(anonymous, member):
    key = default_token_generator.make_token(member)
    url = reverse("account_reset_password_from_key", kwargs={"uidb36": user_pk_to_url_str(member), "key": key})
    main = assert_house_page(anonymous.get(url, follow=True), "Choose a new password")
    assert "New password" in main and "Type the new password again" in main


@pytest.mark.parametrize(
    ("url", "heading"),
    [
        (reverse("account_logout"), "Sign out"),
        (reverse("account_email"), "Your email address"),
        (reverse("account_change_password"), "Change your password"),
        (reverse("account_reauthenticate"), "Confirm it's you"),
        (reverse("mfa_index"), "Two-factor authentication"),
        (reverse("mfa_activate_totp"), "Set up two-factor authentication"),
    ],
)
def test_a_members_account_pages_are_in_the_house_style(member, url, heading):
    client = Client()
    sign_in(client, member)
    if url == reverse("mfa_activate_totp"):
        reauthenticate(client)
    assert_house_page(client.get(url), heading)


def test_the_code_page_at_sign_in_is_in_the_house_style(supporter):
    client = Client()
    sign_in(client, supporter)
    main = assert_house_page(client.get(reverse("mfa_authenticate")), "Type your code")
    assert "Six-digit code from your authenticator app" in main


@pytest.mark.parametrize(
    ("url", "heading"),
    [
        (reverse("mfa_index"), "Two-factor authentication"),
        (reverse("mfa_deactivate_totp"), "Turn off two-factor authentication"),
        (reverse("mfa_view_recovery_codes"), "Recovery codes"),
        (reverse("mfa_generate_recovery_codes"), "Make new recovery codes"),
        (reverse("mfa_reauthenticate"), "Confirm it's you"),
    ],
)
def test_the_two_factor_pages_are_in_the_house_style(supporter, url, heading):
    RecoveryCodes.activate(supporter)
    client = Client()
    sign_in_with_code(client, supporter)
    if url != reverse("mfa_reauthenticate"):
        reauthenticate(client)
    assert_house_page(client.get(url), heading)


def test_the_downloaded_recovery_codes_say_what_they_are(supporter):
    RecoveryCodes.activate(supporter)
    client = Client()
    sign_in_with_code(client, supporter)
    reauthenticate(client)
    text = client.get(reverse("mfa_download_recovery_codes")).content.decode()
    assert text.startswith("Recovery codes for ") and "works once" in text


def test_a_returning_person_is_welcomed_back_by_name(anonymous, member):
    response = anonymous.post(
        reverse("account_login"), {"login": member.email, "password": factories.PASSWORD}, follow=True
    )
    body = response.content.decode()
    assert "Welcome back, Alice." in body and "Successfully" not in body
    assert "<h1>Welcome back, Alice</h1>" in body


def test_a_name_that_ends_in_a_full_stop_gets_no_second_one(anonymous):
    sam = factories.member(display_name="Sam R.")
    body = anonymous.post(
        reverse("account_login"), {"login": sam.email, "password": factories.PASSWORD}, follow=True
    ).content.decode()
    assert "Welcome back, Sam R." in body and "Sam R.." not in body


def test_end_sentence_adds_one_full_stop_only():
    assert end_sentence("Sam R.") == "Sam R."
    assert end_sentence("Sam") == "Sam."
    assert end_sentence("Really?") == "Really?"
    assert end_sentence("") == ""


def test_the_first_sign_in_after_sign_up_is_a_welcome_not_a_welcome_back(anonymous):
    factories.LanguageFactory()
    email = "new.registrar@example.org"
    anonymous.post(
        reverse("account_signup"), {"email": email, "password1": factories.PASSWORD, "password2": factories.PASSWORD}
    )
    address = EmailAddress.objects.get(email=email)
    response = anonymous.post(reverse("account_confirm_email", args=[EmailConfirmationHMAC(address).key]), follow=True)
    body = response.content.decode()
    assert "Welcome to " in body and "Welcome back" not in body and "Someone" not in body

    from alongside.directory.models import CareerStage, Language

    anonymous.post(
        reverse("accounts:setup"),
        {
            "display_name": "New Registrar",
            "career_stage": CareerStage.REGISTRAR,
            "languages": [Language.objects.first().pk],  # type: ignore[union-attr]
            "time_zone": "Australia/Melbourne",
        },
    )
    home = anonymous.get(reverse("home")).content.decode()
    assert "<h1>Welcome, New Registrar</h1>" in home and "Welcome back" not in home

    # Signed out and in again, they are back.
    anonymous.post(reverse("account_logout"))
    body = anonymous.post(
        reverse("account_login"), {"login": email, "password": factories.PASSWORD}, follow=True
    ).content.decode()
    assert "Welcome back, New Registrar." in body and "<h1>Welcome back, New Registrar</h1>" in body


def test_the_password_reset_email_is_in_our_words_in_both_parts(anonymous, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        anonymous.post(reverse("account_reset_password"), {"email": member.email})
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    html = next(content for content, mimetype in message.alternatives if mimetype == "text/html")  # type: ignore[attr-defined]
    for part in (message.body, str(html)):
        assert "You asked to reset your password" in part
        assert "Hello from" not in part and "You're receiving this" not in part and "Someone" not in part
    assert message.subject.startswith("Reset your password for ")


def test_the_error_messages_are_in_our_words(anonymous, member):
    body = anonymous.post(reverse("account_login"), {"login": member.email, "password": "not it"}).content.decode()
    assert "That email address and password don&#x27;t match." in body
    assert "and/or" not in body


def test_the_one_line_password_rules_match_the_validators(settings):
    from alongside.accounts.auth_forms import PASSWORD_HELP

    validators = {v["NAME"].rsplit(".", 1)[-1]: v.get("OPTIONS", {}) for v in settings.AUTH_PASSWORD_VALIDATORS}
    assert set(validators) == {
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    }
    assert f"At least {validators['MinimumLengthValidator']['min_length']} characters" in PASSWORD_HELP
