"""Phone numbers as people type them, checked with ``phonenumbers`` in the service's own country."""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError

from alongside.directory.models import Region
from alongside.service.selectors import current_settings

COUNTRY_OF_REGION = {region.value: "AU" for region in Region}
"""Every region the service can be set to is Australian; a national number is read as an Australian one."""


def service_country() -> str:
    return COUNTRY_OF_REGION.get(current_settings().region, "AU")


def to_e164(raw: str) -> str:
    """The number in E.164 form (+61412345678), or ``ValidationError`` saying what is wrong."""
    text = (raw or "").strip()
    if not text:
        raise ValidationError("Enter a phone number.", code="required")
    if len(text) > 30:
        raise ValidationError("That is too long for a phone number.", code="invalid")
    try:
        parsed = phonenumbers.parse(text, service_country())
    except phonenumbers.NumberParseException:
        raise ValidationError(
            "Enter a phone number we can call, such as 0412 345 678 or +61 412 345 678.", code="invalid"
        ) from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError(
            "That is not a complete phone number. Check the digits, with the area code for a landline.", code="invalid"
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def for_display(e164: str) -> str:
    """The number as its owner would write it in their own country (shown to its owner only)."""
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(parsed) == service_country():
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
