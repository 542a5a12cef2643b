"""allauth adapters: emails go through the task queue; MFA secrets are encrypted at rest."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from alongside.lib import crypto
from alongside.notifications.services import queue_email
from alongside.service.selectors import current_settings

FIRST_SIGN_IN = "alongside_first_sign_in"
"""Session key, True in a newcomer's first session (no finished profile yet), when "Welcome back" would be untrue.

Templates read it as ``request.session.alongside_first_sign_in``; absent means a returning person.
"""


class AccountAdapter(DefaultAccountAdapter):
    # The library's wording, in sentence case and Australian English, never naming or confirming an account.
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "account_inactive": "This account is not active. Please contact the coordinators.",
        "cannot_remove_primary_email": "You can't remove your main email address.",
        "duplicate_email": "That email address is already on your account.",
        "email_password_mismatch": "That email address and password don't match. Please try again.",
        "email_taken": "That email address can't be used. If it is yours, sign in or reset your password.",
        "enter_current_password": "Type your current password.",
        "incorrect_code": "That code isn't right. Please try again.",
        "incorrect_password": "That password isn't right.",
        "invalid_or_expired_key": "That link has expired or was already used.",
        "invalid_login": "Those details don't match an account. Please try again.",
        "invalid_password_reset": "That password reset link has expired or was already used.",
        "max_email_addresses": "You can't add more than %d email addresses.",
        "too_many_login_attempts": "Too many attempts to sign in. Please wait a few minutes and try again.",
        "unknown_email": "That email address doesn't match an account.",
        "unverified_primary_email": "Please confirm your main email address first.",
        "same_as_current": "That is the same as the current one.",
        "rate_limited": "Too many attempts in a short time. Please wait a few minutes and try again.",
    }

    def login(self, request: HttpRequest, user: Any) -> None:
        profile = getattr(user, "profile", None)
        first = profile is None or profile.completed_at is None  # read before the session starts
        super().login(request, user)
        if first:
            request.session[FIRST_SIGN_IN] = True

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        context = {**context, "service_name": current_settings().name, "site_url": settings.SITE_URL}
        msg = self.render_mail(template_prefix, email, context)
        queue_email(msg)

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        # A person who has not finished their profile goes straight to it, not to a home page that can't greet them.
        profile = getattr(request.user, "profile", None)
        if profile is None or profile.completed_at is None:
            return reverse("accounts:setup")
        return str(super().get_login_redirect_url(request))

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        return self.get_login_redirect_url(request)

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return current_settings().signups_open


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "add_email_blocked": "Two-factor authentication is on, so another email address can't be added here.",
        "cannot_delete_authenticator": "Your role needs two-factor authentication, so it can't be turned off.",
        "cannot_generate_recovery_codes": "Set up two-factor authentication before making recovery codes.",
        "incorrect_code": "That code isn't right. Please try again.",
        "unverified_email": "Please confirm your email address before setting up two-factor authentication.",
    }

    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text, context=crypto.MFA_CONTEXT)

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt(encrypted_text, context=crypto.MFA_CONTEXT)

    def get_totp_label(self, user: Any) -> str:
        # The authenticator app shows this; the email would identify the person on a lost phone.
        return f"{settings.MFA_TOTP_ISSUER} ({user.display_name})"


def user_display(user: Any) -> str:
    """What allauth calls a person: their display name, never their email (and never "Someone")."""
    profile = getattr(user, "profile", None)
    return str(profile.display_name) if profile is not None and profile.display_name else "you"
