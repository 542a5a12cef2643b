"""Time helpers; everything is stored in UTC and shown in the viewer's time zone, in Australian style."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable

from django import template
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.html import format_html


def now() -> dt.datetime:
    return timezone.now()


def valid_timezone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


# --- one way to show time -------------------------------------------------------------------------------------
# Every time on every page reads the same: "Friday 4 December, 1:21 am" in the viewer's own zone (the year only when
# it is not this year), with the full date on hover: "Friday 4 December 2026, 1:21 am (Melbourne time)". Templates use
# the `when` filter (a builtin: no {% load %} needed); the browser uses Alongside.time in static/js/app.js, which
# formats the same way with Intl in en-AU and the zone the server puts on <html data-time-zone>.

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

register = template.Library()


def place(name: str) -> str:
    """'Australia/Melbourne' → 'Melbourne': the place a zone is named after."""
    return name.rsplit("/", 1)[-1].replace("_", " ")


def _local(value: dt.datetime, zone: dt.tzinfo | None) -> dt.datetime:
    return value.astimezone(zone or timezone.get_current_timezone())


def _this_year(zone: dt.tzinfo | None) -> int:
    return now().astimezone(zone or timezone.get_current_timezone()).year


def clock(local: dt.datetime | dt.time) -> str:
    """'1:21 am': no leading zero, lower-case am and pm without full stops."""
    return f"{local.hour % 12 or 12}:{local.minute:02d} {'am' if local.hour < 12 else 'pm'}"


def day_text(day: dt.date, *, this_year: int) -> str:
    """'Friday 4 December', or 'Monday 3 March 2025' when it is not this year."""
    text = f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"
    return text if day.year == this_year else f"{text} {day.year}"


def when_text(value: dt.datetime | dt.date | None, zone: dt.tzinfo | None = None) -> str:
    """'Friday 4 December, 1:21 am' in ``zone`` (default: the active zone, the viewer's); a date alone: 'Friday 4 December'."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        local = _local(value, zone)
        return f"{day_text(local.date(), this_year=_this_year(zone))}, {clock(local)}"
    return day_text(value, this_year=_this_year(zone))


def full_text(value: dt.datetime | dt.date | None, zone: dt.tzinfo | None = None) -> str:
    """'Friday 4 December 2026, 1:21 am (Melbourne time)': what shows on hover."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        local = _local(value, zone)
        date = local.date()
        city = place(str(local.tzinfo))
        return (
            f"{WEEKDAYS[date.weekday()]} {date.day} {MONTHS[date.month - 1]} {date.year}, {clock(local)} ({city} time)"
        )
    return f"{WEEKDAYS[value.weekday()]} {value.day} {MONTHS[value.month - 1]} {value.year}"


@register.filter(is_safe=True)
def when(value: dt.datetime | dt.date | None) -> str:
    """``{{ message.created_at|when }}`` → <time datetime="…" title="Friday 4 December 2026, 1:21 am (…)">Friday
    4 December, 1:21 am</time>, in the viewer's zone."""
    if value is None or value == "":
        return ""
    iso = _local(value, None).isoformat(timespec="seconds") if isinstance(value, dt.datetime) else value.isoformat()
    return format_html('<time datetime="{}" title="{}">{}</time>', iso, full_text(value), when_text(value))


@register.filter(name="when_full")
def when_full_filter(value: dt.datetime | dt.date | None) -> str:
    """The full words for a title: ``<time datetime="…" title="{{ at|when_full }}">{{ at|timesince }}</time>``."""
    return full_text(value)


@register.filter(name="when_text")
def when_text_filter(value: dt.datetime | dt.date | None) -> str:
    """The same words without the <time> element: for attributes, hidden labels and plain-text emails."""
    return when_text(value)


class TimeZoneMiddleware:
    """Every page is shown in the viewer's own time zone: the signed-in person's profile zone, else the default."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    # Files the browser fetches beside every page (the service worker, the manifest) have no times, and reading the
    # user would read the session.
    SKIP = frozenset({"/manifest.webmanifest", "/service-worker.js"})

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = ""
        user = getattr(request, "user", None)
        if request.path in self.SKIP:
            user = None
        if user is not None and user.is_authenticated:
            profile = getattr(user, "profile", None)
            name = getattr(profile, "time_zone", "") or ""
        if name and valid_timezone(name):
            timezone.activate(zoneinfo.ZoneInfo(name))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def day(at: dt.datetime) -> str:
    """'Tue 3 Dec'."""
    return f"{at:%a} {at.day} {at:%b}"


def in_zone(at: dt.datetime, time_zone: str) -> dt.datetime:
    return at.astimezone(zoneinfo.ZoneInfo(time_zone))


def local_time(at: dt.datetime, time_zone: str) -> str:
    """'Tue 3 Dec, 7:00 pm' in the given zone."""
    local = in_zone(at, time_zone)
    return f"{day(local)}, {clock(local)}"


def describe_time(at: dt.datetime, *, viewer_zone: str, peer_zone: str) -> str:
    """The time as the viewer reads it, with the peer's beside it.

    'Tue 3 Dec, 7:00 pm your time (Melbourne) — 8:00 am London for your peer'; the
    peer's day is named too when it differs from the viewer's.
    """
    mine, theirs = in_zone(at, viewer_zone), in_zone(at, peer_zone)
    own = f"{day(mine)}, {clock(mine)} your time ({place(viewer_zone)})"
    if mine.replace(tzinfo=None) == theirs.replace(tzinfo=None):
        return f"{own}, the same time for your peer"
    peer_day = "" if theirs.date() == mine.date() else f"{day(theirs)}, "
    return f"{own} — {peer_day}{clock(theirs)} {place(peer_zone)} for your peer"


def time_zone_of(user: object) -> str:
    """A person's own time zone (from their profile), else the server's."""
    profile = getattr(user, "profile", None)
    return profile.time_zone if profile is not None and profile.time_zone else settings.TIME_ZONE
