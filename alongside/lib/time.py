"""Time helpers; everything is stored in UTC and shown in the viewer's time zone, in Australian style."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import lru_cache

from django.conf import settings
from django.utils import timezone


def now() -> dt.datetime:
    return timezone.now()


def valid_timezone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


@lru_cache(maxsize=1)
def timezone_choices() -> list[tuple[str, str]]:
    """Australian zones first, then the rest of the IANA list (read from disk once per process)."""
    names = sorted(zoneinfo.available_timezones())
    au = [n for n in names if n.startswith("Australia/")]
    rest = [n for n in names if not n.startswith("Australia/") and "/" in n and not n.startswith("Etc/")]
    return [(n, n.replace("_", " ")) for n in au + rest]


def place(time_zone: str) -> str:
    """'Australia/Melbourne' → 'Melbourne': the city a time zone is named after."""
    return time_zone.rsplit("/", 1)[-1].replace("_", " ")


def clock(at: dt.datetime) -> str:
    """'7:00 pm' (Australian style: lower-case am and pm, no leading zero)."""
    return f"{at.hour % 12 or 12}:{at.minute:02d} {'am' if at.hour < 12 else 'pm'}"


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
