"""Writes to the service's own settings and opening hours."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from alongside.audit.services import record
from alongside.lib.time import valid_timezone
from alongside.service.models import (
    MESSAGE_RETENTION_RANGE,
    TALK_NOW_WAIT_RANGE,
    OpeningHours,
    ServiceSettings,
    Weekday,
)
from alongside.service.selectors import forget_snapshot

if TYPE_CHECKING:
    from alongside.accounts.models import User

SETTINGS_FIELDS = (
    "name",
    "region",
    "time_zone",
    "about",
    "offers_talk_now",
    "offers_ongoing",
    "offers_groups",
    "signups_open",
    "talk_now_wait_minutes",
    "message_retention_days",
)


@dataclass(frozen=True)
class DayHours:
    """One weekday's hours. ``closes`` earlier than ``opens`` means open past midnight."""

    weekday: int
    is_open: bool
    opens: dt.time | None = None
    closes: dt.time | None = None


@transaction.atomic
def update_service_settings(
    *,
    actor: User,
    name: str,
    region: str,
    time_zone: str,
    about: str,
    offers_talk_now: bool,
    offers_ongoing: bool,
    offers_groups: bool,
    signups_open: bool,
    hours: Sequence[DayHours],
    talk_now_wait_minutes: int | None = None,
    message_retention_days: int | None = None,
    request: HttpRequest | None = None,
) -> ServiceSettings:
    """Save the settings and all seven days' hours together, or nothing.

    When every day is closed no hours are kept: the crisis strip then shows only the crisis
    lines rather than "Monday – Sunday closed". ``talk_now_wait_minutes`` or ``message_retention_days`` left out
    keeps the current value.
    """
    low, high = TALK_NOW_WAIT_RANGE
    if talk_now_wait_minutes is not None and not low <= talk_now_wait_minutes <= high:
        raise ValidationError({"talk_now_wait_minutes": f"Give a number of minutes from {low} to {high}."})
    low, high = MESSAGE_RETENTION_RANGE
    if message_retention_days is not None and not low <= message_retention_days <= high:
        raise ValidationError({"message_retention_days": f"Give a number of days from {low} to {high}."})
    if not valid_timezone(time_zone):
        raise ValidationError({"time_zone": "Choose a time zone from the list."})
    if sorted(d.weekday for d in hours) != list(Weekday.values):
        raise ValidationError("Give hours for each day of the week, once.")

    row, _ = ServiceSettings.objects.select_for_update().get_or_create(pk=1)
    values = {
        "name": name,
        "region": region,
        "time_zone": time_zone,
        "about": about,
        "offers_talk_now": offers_talk_now,
        "offers_ongoing": offers_ongoing,
        "offers_groups": offers_groups,
        "signups_open": signups_open,
        "talk_now_wait_minutes": row.talk_now_wait_minutes if talk_now_wait_minutes is None else talk_now_wait_minutes,
        "message_retention_days": (
            row.message_retention_days if message_retention_days is None else message_retention_days
        ),
    }
    changed = [f for f in SETTINGS_FIELDS if getattr(row, f) != values[f]]
    for f, value in values.items():
        setattr(row, f, value)
    row.full_clean()

    wanted = [
        OpeningHours(
            weekday=d.weekday,
            is_open=d.is_open,
            opens=d.opens if d.is_open else None,
            closes=d.closes if d.is_open else None,
        )
        for d in sorted(hours, key=lambda d: d.weekday)
    ]
    if not any(h.is_open for h in wanted):
        wanted = []
    for h in wanted:
        try:
            h.full_clean(validate_unique=False)
        except ValidationError as exc:
            raise ValidationError(f"{Weekday(h.weekday).label}: {' '.join(exc.messages)}") from None

    current = [(h.weekday, h.is_open, h.opens, h.closes) for h in OpeningHours.objects.order_by("weekday")]
    hours_changed = current != [(h.weekday, h.is_open, h.opens, h.closes) for h in wanted]

    if changed:
        row.save()
    if hours_changed:
        OpeningHours.objects.all().delete()
        OpeningHours.objects.bulk_create(wanted)
    if changed or hours_changed:
        record(
            "service.settings.updated",
            actor=actor,
            target=row,
            request=request,
            details={"fields": changed, "hours_changed": hours_changed},
        )
        transaction.on_commit(forget_snapshot)
    return row
