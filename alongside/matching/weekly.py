"""Weekly availability windows, model-free: what forms read and write and what the glue turns into engine slots.

A window is a stretch of a weekday in someone's own time zone. The engine sees UTC
hour-of-week slots; ``weekly_slots`` converts with the offsets of the current week, so a
window keeps its local meaning across daylight saving, and ``describe_slots`` turns slots
back into words in the viewer's zone.
"""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from alongside.lib.time import now
from alongside.matching import engine

MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
HALF_HOUR = 30

# Day parts a member can tick instead of typing windows, in their own time (matches engine.DAY_PARTS).
DAY_PARTS: dict[str, tuple[int, int]] = {
    "morning": (6 * 60, 12 * 60),
    "afternoon": (12 * 60, 17 * 60),
    "evening": (17 * 60, 22 * 60),
    "night": (22 * 60, 30 * 60),  # runs on to 6 am the next day
}


@dataclass(frozen=True)
class Window:
    """A weekly window in someone's own time: ``day`` 0 (Monday) to 6, minutes from midnight."""

    day: int
    start: int
    end: int  # may be 1440 (midnight at the end of the day)

    def to_json(self) -> dict[str, Any]:
        return {"day": self.day, "start": minutes_to_hhmm(self.start), "end": minutes_to_hhmm(self.end)}


def hhmm_to_minutes(value: str) -> int:
    """'18:30' -> 1110; '24:00' is allowed as the end of the day."""
    hours, _, minutes = value.partition(":")
    total = int(hours) * 60 + int(minutes or 0)
    if not 0 <= total <= MINUTES_PER_DAY or not 0 <= int(minutes or 0) < 60:
        raise ValueError(f"not a time of day: {value!r}")
    return total


def minutes_to_hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_windows(raw: Iterable[Mapping[str, Any]] | None) -> list[Window]:
    """Read stored windows, skipping anything malformed (stored data is validated on the way in)."""
    out: list[Window] = []
    for item in raw or ():
        try:
            window = Window(int(item["day"]), hhmm_to_minutes(str(item["start"])), hhmm_to_minutes(str(item["end"])))
        except (KeyError, TypeError, ValueError):
            continue
        if 0 <= window.day <= 6 and window.start < window.end:
            out.append(window)
    return out


def windows_from_day_parts(cells: Iterable[tuple[int, str]]) -> list[Window]:
    """Ticked (day, part) cells of the simple grid as windows; a night runs past midnight into the next day."""
    out: list[Window] = []
    for day, part in sorted(set(cells)):
        start, end = DAY_PARTS[part]
        if end <= MINUTES_PER_DAY:
            out.append(Window(day, start, end))
        else:
            out.append(Window(day, start, MINUTES_PER_DAY))
            out.append(Window((day + 1) % 7, 0, end - MINUTES_PER_DAY))
    return merge_windows(out)


def merge_windows(windows: Iterable[Window]) -> list[Window]:
    """Join windows on the same day that touch or overlap."""
    by_day: dict[int, list[Window]] = defaultdict(list)
    for w in windows:
        by_day[w.day].append(w)
    merged: list[Window] = []
    for day in sorted(by_day):
        current: Window | None = None
        for w in sorted(by_day[day], key=lambda w: (w.start, w.end)):
            if current is not None and w.start <= current.end:
                current = Window(day, current.start, max(current.end, w.end))
            else:
                if current is not None:
                    merged.append(current)
                current = w
        if current is not None:
            merged.append(current)
    return merged


# --- time zones ---------------------------------------------------------------------


def _monday(at: dt.datetime, tz: zoneinfo.ZoneInfo) -> dt.date:
    local = at.astimezone(tz).date()
    return local - dt.timedelta(days=local.weekday())


@lru_cache(maxsize=512)
def _day_offsets(time_zone: str, monday: dt.date) -> tuple[int, ...]:
    """UTC offset in minutes at noon on each day of the week starting ``monday`` (DST-aware)."""
    tz = zoneinfo.ZoneInfo(time_zone)
    offsets = []
    for day in range(7):
        noon = dt.datetime.combine(monday + dt.timedelta(days=day), dt.time(12), tzinfo=tz)
        delta = noon.utcoffset() or dt.timedelta(0)
        offsets.append(int(delta.total_seconds() // 60))
    return tuple(offsets)


def _zone(time_zone: str) -> str:
    try:
        zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return time_zone


def utc_offset_minutes(time_zone: str, at: dt.datetime | None = None) -> int:
    tz = zoneinfo.ZoneInfo(_zone(time_zone))
    delta = (at or now()).astimezone(tz).utcoffset() or dt.timedelta(0)
    return int(delta.total_seconds() // 60)


def weekly_slots(windows: Iterable[Window], time_zone: str, *, at: dt.datetime | None = None) -> frozenset[int]:
    """UTC hour-of-week slots (0 = Monday 00:00 UTC) covered by local weekly windows.

    A local hour counts when a window covers at least half of it. Offsets are those of the
    week containing ``at``, so a window keeps its local meaning across daylight saving.
    Rounding a UTC time up to the hour makes the slot convert back to the same local hour
    for half-hour zones such as Adelaide's, which is how the engine phrases times.
    """
    zone = _zone(time_zone)
    offsets = _day_offsets(zone, _monday(at or now(), zoneinfo.ZoneInfo(zone)))
    slots: set[int] = set()
    for w in windows:
        for hour in range(w.start // 60, math.ceil(w.end / 60)):
            covered = min(w.end, (hour + 1) * 60) - max(w.start, hour * 60)
            if covered < HALF_HOUR:
                continue
            local_minutes = w.day * MINUTES_PER_DAY + hour * 60
            utc_minutes = local_minutes - offsets[w.day]
            slots.add(math.ceil(utc_minutes / 60) % engine.HOURS_PER_WEEK)
    return frozenset(slots)


def local_hours(slots: Iterable[int], time_zone: str, *, at: dt.datetime | None = None) -> list[tuple[int, int]]:
    """UTC slots as sorted (local day, local hour) pairs in ``time_zone``."""
    offset = utc_offset_minutes(time_zone, at)
    out = set()
    for slot in slots:
        local = (slot * 60 + offset) // 60 % engine.HOURS_PER_WEEK
        out.add(divmod(local, 24))
    return sorted(out)


def _clock(hour: int) -> str:
    hour %= 24
    return f"{hour % 12 or 12} {'am' if hour < 12 else 'pm'}"


def describe_slots(slots: Iterable[int], time_zone: str, *, at: dt.datetime | None = None) -> list[str]:
    """Shared times in the viewer's own zone, e.g. ['Tuesday 6 pm – 9 pm', 'Thursday 7 pm – 8 pm']."""
    out: list[str] = []
    run: list[tuple[int, int]] = []
    for day, hour in [*local_hours(slots, time_zone, at=at), (-1, -1)]:
        if run and day == run[-1][0] and hour == run[-1][1] + 1:
            run.append((day, hour))
            continue
        if run:
            out.append(f"{engine.DAY_NAMES[run[0][0]]} {_clock(run[0][1])} – {_clock(run[-1][1] + 1)}")
        run = [(day, hour)]
    return out
