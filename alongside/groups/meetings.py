"""A group's meetings: scheduling and cancelling (facilitators), the upcoming list in each member's own time zone, the
two reminders, and the neutral calendar events (an ``.ics`` per meeting, and every person's private feed).

Times are stored in UTC. A facilitator types the time in their own zone (a time the clocks skip or repeat is
refused); every member reads it in theirs, and a guest, who has no profile, in the service's zone.

Calendar events say "Peer group meeting", the time and a link, and never the group's name: a name such as "Going
through a regulator notification" would tell anyone who sees the calendar (a shared work calendar, a phone's lock
screen) something sensitive. No member names either. The UID is the meeting's, so an edit or a cancellation lands
on the same event; a cancelled meeting leaves the feed and its own ``.ics`` says STATUS:CANCELLED.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.http import HttpRequest
from icalendar import Calendar, Event

from alongside.audit.services import record
from alongside.groups.models import Group, Meeting, Membership, MembershipState
from alongside.lib.time import now, time_zone_of, valid_timezone, when_text
from alongside.notifications.models import Kind
from alongside.notifications.services import notify
from alongside.service.selectors import current_settings

MINUTES_MIN, MINUTES_MAX = 10, 240
ROOM_OPENS = dt.timedelta(minutes=10)
"""The video room opens this long before a meeting (``video.ROOM_OPENS_MINUTES`` is the same figure)."""
MAX_DAYS_AHEAD = 366
SUMMARY = "Peer group meeting"
LONGEST = dt.timedelta(minutes=MINUTES_MAX)


# --- time zones ----------------------------------------------------------------------------------------------------


def zone_of(user: Any) -> str:
    """The zone a person reads times in: their profile's; a guest (no profile) reads the service's."""
    profile = getattr(user, "profile", None) if not getattr(user, "is_guest", False) else None
    if profile is not None and profile.time_zone and valid_timezone(profile.time_zone):
        return str(profile.time_zone)
    zone = current_settings().time_zone
    return zone if valid_timezone(zone) else time_zone_of(None)


def local_words(at: dt.datetime, zone: str) -> str:
    """'Friday 4 December, 7:00 pm' in ``zone``."""
    return when_text(at, zoneinfo.ZoneInfo(zone))


# --- reading -------------------------------------------------------------------------------------------------------


def upcoming(group: Group, *, at: dt.datetime | None = None) -> list[Meeting]:
    """The group's meetings not cancelled and not yet over (one under way included), soonest first."""
    at = at or now()
    rows = Meeting.objects.filter(group=group, cancelled_at__isnull=True, starts_at__gt=at - LONGEST)
    return [m for m in rows.order_by("starts_at", "id") if m.ends_at > at]


@dataclass(frozen=True)
class MeetingView:
    """One meeting as a member reads it."""

    meeting: Meeting
    when: str
    minutes: int
    under_way: bool
    room_open: bool


def meetings_for(group: Group, user: Any, *, at: dt.datetime | None = None) -> list[MeetingView]:
    at = at or now()
    zone = zone_of(user)
    return [
        MeetingView(
            meeting=m,
            when=local_words(m.starts_at, zone),
            minutes=m.minutes,
            under_way=m.starts_at <= at,
            room_open=m.starts_at - ROOM_OPENS <= at,
        )
        for m in upcoming(group, at=at)
    ]


def _members(group_id: int, *, exclude: int | None = None) -> list[int]:
    rows = Membership.objects.filter(group_id=group_id, state=MembershipState.ACTIVE, user__is_active=True)
    if exclude is not None:
        rows = rows.exclude(user_id=exclude)
    return list(rows.values_list("user_id", flat=True))


# --- writes --------------------------------------------------------------------------------------------------------


def check_terms(*, starts_at: dt.datetime, minutes: int, at: dt.datetime | None = None) -> None:
    at = at or now()
    errors: dict[str, str] = {}
    if starts_at <= at:
        errors["date"] = "Choose a time in the future."
    elif starts_at > at + dt.timedelta(days=MAX_DAYS_AHEAD):
        errors["date"] = "Choose a time within the next year."
    if not MINUTES_MIN <= minutes <= MINUTES_MAX:
        errors["minutes"] = f"A meeting lasts between {MINUTES_MIN} and {MINUTES_MAX} minutes."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def schedule(
    *, group: Group, by: Any, starts_at: dt.datetime, minutes: int, request: HttpRequest | None = None
) -> Meeting:
    """A facilitator schedules a meeting; every other active member is told (a link, no more)."""
    group = Group.objects.select_for_update().get(pk=group.pk)
    if group.is_ended:
        raise ValidationError("This group has ended, so it has no more meetings.")
    check_terms(starts_at=starts_at, minutes=minutes)
    meeting = Meeting.objects.create(group=group, starts_at=starts_at, minutes=minutes, created_by=by)
    record("groups.meeting.scheduled", actor=by, target=group, request=request, details={"meeting": meeting.pk})
    for user_id in _members(group.pk, exclude=by.pk):
        notify(user_id=user_id, kind=Kind.GROUP_MEETING_NEW, link=group.get_absolute_url())
    return meeting


@transaction.atomic
def cancel(*, meeting: Meeting, by: Any, request: HttpRequest | None = None) -> bool:
    """A facilitator cancels a meeting that has not ended; the other members are told. True when this call did it
    (a double tap cancels once and tells once)."""
    at = now()
    if meeting.ends_at <= at:
        raise ValidationError("This meeting is over, so there is nothing to cancel.")
    done = Meeting.objects.filter(pk=meeting.pk, cancelled_at__isnull=True).update(cancelled_at=at)
    if not done:
        return False
    group = meeting.group
    record("groups.meeting.cancelled", actor=by, target=group, request=request, details={"meeting": meeting.pk})
    for user_id in _members(group.pk, exclude=by.pk):
        notify(user_id=user_id, kind=Kind.GROUP_MEETING_CANCELLED, link=group.get_absolute_url())
    meeting.cancelled_at = at
    return True


# --- reminders -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reminder:
    before: dt.timedelta
    column: str
    kind: str


REMINDERS = (
    Reminder(dt.timedelta(hours=24), "reminded_24h_at", Kind.GROUP_MEETING_24H),
    Reminder(dt.timedelta(hours=1), "reminded_1h_at", Kind.GROUP_MEETING_1H),
)


def _due(reminder: Reminder, at: dt.datetime) -> QuerySet[Meeting]:
    """Meetings of groups still running whose reminder time has come, scheduled before it. The 24-hour reminder is
    skipped once the meeting is within the hour (the 1-hour one says it then)."""
    later = [r.before for r in REMINDERS if r.before < reminder.before]
    not_after = at + max(later) if later else at
    return Meeting.objects.filter(
        Q(**{f"{reminder.column}__isnull": True}),
        cancelled_at__isnull=True,
        group__ended_at__isnull=True,
        starts_at__lte=at + reminder.before,
        starts_at__gt=not_after,
        created_at__lte=F("starts_at") - reminder.before,
    )


def send_due_reminders(*, at: dt.datetime | None = None) -> int:
    """Claim each due reminder with a conditional UPDATE and tell the group's active members at that moment (those
    who joined after it was scheduled too). Safe to run in two workers at once: only the one whose UPDATE changed
    the row (the column was still empty, the meeting still on) notifies; test_meetings_race.py shows it."""
    at = at or now()
    sent = 0
    for reminder in REMINDERS:
        for pk in list(_due(reminder, at).values_list("pk", flat=True)):
            with transaction.atomic():
                # Only the row's own columns here: a condition on the group would make the UPDATE a subquery,
                # which PostgreSQL does not look at again after waiting for the other worker's claim (both would win).
                claimed = Meeting.objects.filter(
                    Q(**{f"{reminder.column}__isnull": True}), pk=pk, cancelled_at__isnull=True
                ).update(**{reminder.column: at})
                if not claimed:
                    continue  # another worker won, or it was cancelled in the meantime
                meeting = Meeting.objects.select_related("group").get(pk=pk)
                if meeting.group.is_ended:
                    continue  # it ended since it was read as due: claimed, and nobody is told
                for user_id in _members(meeting.group_id):
                    notify(user_id=user_id, kind=reminder.kind, link=meeting.group.get_absolute_url())
                sent += 1
    return sent


# --- calendars -----------------------------------------------------------------------------------------------------


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "alongside"


def meeting_event(meeting: Meeting, *, stamp: dt.datetime | None = None) -> Event:
    """One neutral event: "Peer group meeting", the time and a link to the group. No group name, no names."""
    event = Event()
    link = f"{settings.SITE_URL}{meeting.group.get_absolute_url()}"
    event.add("uid", f"group-meeting-{meeting.pk}@{_host()}")
    event.add("dtstamp", (stamp or now()).astimezone(dt.UTC))
    event.add("dtstart", meeting.starts_at.astimezone(dt.UTC))
    event.add("dtend", meeting.ends_at.astimezone(dt.UTC))
    event.add("summary", SUMMARY)
    event.add("description", f"Details and the video room: {link}")
    event.add("url", link)
    event.add("class", "PRIVATE")
    if meeting.cancelled_at is not None:
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED")
    return event


def meeting_calendar(meetings: Iterable[Meeting]) -> bytes:
    """The ``.ics`` of one or more meetings (a cancelled one says so, and a METHOD:CANCEL removes it)."""
    rows = list(meetings)
    cal = Calendar()
    cal.add("prodid", "-//Alongside//Peer group meetings//EN")
    cal.add("version", "2.0")
    cancelled = bool(rows) and all(m.cancelled_at is not None for m in rows)
    cal.add("method", "CANCEL" if cancelled else "PUBLISH")
    stamp = now()
    for meeting in rows:
        cal.add_component(meeting_event(meeting, stamp=stamp))
    return bytes(cal.to_ical())


def feed_meetings(user: Any, *, at: dt.datetime | None = None) -> QuerySet[Meeting]:
    """Every meeting still to come (or under way) of each group the person is an active member of, the group not
    ended. A group the person left or was removed from leaves their feed at once."""
    at = at or now()
    return (
        Meeting.objects.filter(
            group__memberships__user_id=user.pk,
            group__memberships__state=MembershipState.ACTIVE,
            group__ended_at__isnull=True,
            cancelled_at__isnull=True,
            starts_at__gt=at - LONGEST,
        )
        .select_related("group")
        .order_by("starts_at", "id")
    )


def feed_events(user: Any) -> list[Event]:
    """The feed source registered with ``meetings.calendar`` (GroupsConfig.ready)."""
    at = now()
    return [meeting_event(m, stamp=at) for m in feed_meetings(user, at=at) if m.ends_at > at]
