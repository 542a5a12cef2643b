"""Reads of the service's settings, cached because every page shows the hours and crisis lines.

The cached snapshot holds the library's crisis lines for the service's region; ``forget_snapshot``
runs after any change to the settings or hours, and (``service.signals``) to a library resource.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field

from django.core.cache import cache

from alongside.library.selectors import CrisisLine, crisis_lines_for_region
from alongside.service.models import OpeningHours, ServiceSettings

_CACHE_KEY = "service:snapshot:v1"


@dataclass(frozen=True)
class ServiceSnapshot:
    settings: ServiceSettings
    hours: list[OpeningHours]
    crisis_lines: list[CrisisLine] = field(default_factory=list)

    def hours_summary(self) -> list[tuple[str, str]]:
        """Weekdays grouped when their hours are the same: [("Monday – Friday", "8 am – 10 pm"), ...]."""
        groups: list[tuple[list[OpeningHours], str]] = []
        for h in self.hours:
            text = h.describe()
            if groups and groups[-1][1] == text and groups[-1][0][-1].weekday == h.weekday - 1:
                groups[-1][0].append(h)
            else:
                groups.append(([h], text))
        out = []
        for days, text in groups:
            label = days[0].get_weekday_display()
            if len(days) > 1:
                label = f"{label} – {days[-1].get_weekday_display()}"
            out.append((label, text))
        return out

    def is_open_at(self, moment: dt.datetime) -> bool:
        local = moment.astimezone(zoneinfo.ZoneInfo(self.settings.time_zone))
        today = next((h for h in self.hours if h.weekday == local.weekday()), None)
        if (
            today is not None
            and today.covers(local.time())
            and (
                today.opens is None or today.closes is None or today.opens < today.closes or local.time() >= today.opens
            )
        ):
            return True
        # Hours that run past midnight belong to the day before.
        yesterday = next((h for h in self.hours if h.weekday == (local.weekday() - 1) % 7), None)
        return bool(
            yesterday is not None
            and yesterday.is_open
            and yesterday.opens is not None
            and yesterday.closes is not None
            and yesterday.closes < yesterday.opens
            and local.time() < yesterday.closes
        )


@dataclass(frozen=True)
class ServiceFormat:
    """One of the service's three formats: its switch in the settings, its words, and whether it exists yet."""

    field: str
    title: str
    summary: str
    available: bool


SERVICE_FORMATS = (
    ServiceFormat(
        "offers_talk_now",
        "Talk now",
        "A one-off conversation, during opening hours, with whichever peer supporter on shift is free first: by "
        "chat or by voice in your browser, without giving a phone number.",
        available=True,
    ),
    ServiceFormat(
        "offers_ongoing",
        "An ongoing peer",
        "We suggest peers who fit what you are going through; you choose one and meet regularly for a while, by "
        "chat or in-app voice.",
        available=True,
    ),
    ServiceFormat(
        "offers_groups",
        "Groups",
        "Facilitated peer groups, drop-in circles and debriefs after a hard event such as a code.",
        available=False,  # groups are not built yet
    ),
)
"""Every format, in the order pages show them. ``available`` turns on as each one is built."""


def formats_offered(settings_row: ServiceSettings | None = None) -> list[ServiceFormat]:
    """The formats people can use: those that exist and that the service has switched on."""
    row = settings_row or current_settings()
    return [f for f in SERVICE_FORMATS if f.available and getattr(row, f.field)]


def formats_not_yet_available(settings_row: ServiceSettings | None = None) -> list[ServiceFormat]:
    """Formats the service has switched on that do not exist yet: named as not offered, never promised."""
    row = settings_row or current_settings()
    return [f for f in SERVICE_FORMATS if not f.available and getattr(row, f.field)]


def current_settings() -> ServiceSettings:
    return snapshot().settings


def snapshot() -> ServiceSnapshot:
    cached = cache.get(_CACHE_KEY)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    settings_row, _ = ServiceSettings.objects.get_or_create(pk=1)
    hours = list(OpeningHours.objects.order_by("weekday"))
    snap = ServiceSnapshot(
        settings=settings_row, hours=hours, crisis_lines=crisis_lines_for_region(settings_row.region)
    )
    cache.set(_CACHE_KEY, snap, 300)
    return snap


def forget_snapshot() -> None:
    """Call after any change to settings, hours or crisis resources."""
    cache.delete(_CACHE_KEY)
