"""Time helpers; everything is stored in UTC and shown in the viewer's time zone."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import lru_cache

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
