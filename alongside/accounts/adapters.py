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


class AccountAdapter(DefaultAccountAdapter):
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
    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text, context=crypto.MFA_CONTEXT)

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt(encrypted_text, context=crypto.MFA_CONTEXT)

    def get_totp_label(self, user: Any) -> str:
        # The authenticator app shows this; the email would identify the person on a lost phone.
        return f"{settings.MFA_TOTP_ISSUER} ({user.display_name})"


def user_display(user: Any) -> str:
    """What allauth's messages call a person: their display name, never their email."""
    return str(user.display_name)
