"""The phone line's configuration: on when all four provider settings are set, with the configured provider."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from alongside.phoneline.provider import Provider
from alongside.phoneline.twilio import TwilioProvider


@dataclass(frozen=True)
class LineSettings:
    number: str
    base_url: str


REQUIRED = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_NUMBER", "TWILIO_WEBHOOK_BASE_URL")


def missing_settings() -> list[str]:
    """The environment variables still to set before the phone line can be on."""
    return [name for name in REQUIRED if not getattr(settings, name, "")]


def line_settings() -> LineSettings | None:
    """The service's number and the webhooks' public address; None when the phone line is off."""
    if missing_settings():
        return None
    return LineSettings(number=settings.TWILIO_NUMBER, base_url=settings.TWILIO_WEBHOOK_BASE_URL)


def is_on() -> bool:
    return not missing_settings()


def public_url(path: str) -> str:
    """The absolute address the provider reaches ``path`` at."""
    return settings.TWILIO_WEBHOOK_BASE_URL.rstrip("/") + path


def current() -> Provider | None:
    """The configured provider, or None when the phone line is off."""
    if missing_settings():
        return None
    return TwilioProvider(
        account_sid=settings.TWILIO_ACCOUNT_SID, auth_token=settings.TWILIO_AUTH_TOKEN, api_url=settings.TWILIO_API_URL
    )
