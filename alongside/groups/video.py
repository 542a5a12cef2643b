"""A group's video room on Jitsi Meet: when it is open, and the address a member is sent to.

The room's name is the group's unguessable ``room`` (``services.new_room_name``). The room opens to the group's
active members only, and only around a time it is meant for:

- a meeting (any group): from ``ROOM_OPENS_MINUTES`` before it starts until it ends;
- a drop-in: from ``ROOM_OPENS_MINUTES`` before its ``starts_at`` until its ``ends_at``;
- a debrief: while it has not ended when it is hot (it is happening now); a cold debrief around its meeting.

When the server has an app id and secret (``ALONGSIDE_JITSI_APP_ID``/``ALONGSIDE_JITSI_SECRET``, the Prosody token
plugin's shared secret), the address carries ``?jwt=`` signed HS256: ``aud`` "jitsi", ``iss`` the app id, ``sub`` the
Jitsi server's host, ``room`` the room's name, ``nbf``/``exp`` around the window (the end plus 15 minutes, at most
``MAX_TOKEN_HOURS`` from now), and ``context.user`` with the member's display name (a guest's first name), an opaque
per-membership id (a keyed hash: no user id, no email) and ``moderator`` for the group's facilitators only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import jwt
from django.conf import settings

from alongside.conversations.models import ThreadMember
from alongside.groups.meetings import ROOM_OPENS
from alongside.groups.models import DebriefMode, Group, GroupKind, Meeting, Membership
from alongside.lib.time import now

ROOM_OPENS_MINUTES = int(ROOM_OPENS.total_seconds() // 60)
"""The room opens this long before a meeting (or a drop-in) starts: 10 minutes."""
TOKEN_GRACE = dt.timedelta(minutes=15)
"""A token outlives the window's end by this much, so a meeting that runs over is not cut off at once."""
MAX_TOKEN_HOURS = 4
"""A token never lives longer than this from the moment it is made (a hot debrief has no set end)."""
NOT_BEFORE_SKEW = dt.timedelta(minutes=1)
"""``nbf`` a minute back: the Jitsi server's clock may run a little behind ours."""


@dataclass(frozen=True)
class Window:
    """When the room is open; ``closes`` None: until the debrief ends (a hot debrief)."""

    opens: dt.datetime
    closes: dt.datetime | None

    def holds(self, at: dt.datetime) -> bool:
        return self.opens <= at and (self.closes is None or at < self.closes)


def windows(group: Group, *, at: dt.datetime | None = None) -> list[Window]:
    """Every window of the group that has not closed yet, soonest first."""
    at = at or now()
    if group.is_ended:
        return []
    found: list[Window] = []
    if group.kind == GroupKind.DEBRIEF:
        debrief = getattr(group, "debrief", None)
        if debrief is not None and debrief.mode == DebriefMode.HOT:
            found.append(Window(opens=group.created_at, closes=group.ends_at))
    if group.kind == GroupKind.DROP_IN and group.starts_at is not None and group.ends_at is not None:
        found.append(Window(opens=group.starts_at - ROOM_OPENS, closes=group.ends_at))
    since = at - dt.timedelta(minutes=240)
    for meeting in Meeting.objects.filter(group=group, cancelled_at__isnull=True, starts_at__gt=since):
        found.append(Window(opens=meeting.starts_at - ROOM_OPENS, closes=meeting.ends_at))
    live = [w for w in found if w.closes is None or w.closes > at]
    return sorted(live, key=lambda w: w.opens)


def open_window(group: Group, *, at: dt.datetime | None = None) -> Window | None:
    """The window the room is open in now, or None."""
    at = at or now()
    for window in windows(group, at=at):
        if window.holds(at):
            return window
    return None


def next_window(group: Group, *, at: dt.datetime | None = None) -> Window | None:
    """The next window to open, for the "the room opens at" page (None: nothing planned)."""
    at = at or now()
    return next((w for w in windows(group, at=at) if w.opens > at), None)


# --- the address -------------------------------------------------------------------------------------------------


def signing_on() -> bool:
    return bool(settings.ALONGSIDE_JITSI_APP_ID and settings.ALONGSIDE_JITSI_SECRET)


def opaque_id(membership: Membership) -> str:
    """The same for one membership every time, and telling nothing: a keyed hash of the membership's row."""
    key = str(settings.SECRET_KEY).encode()
    return hmac.new(key, f"group-membership:{membership.pk}".encode(), hashlib.sha256).hexdigest()[:24]


def shown_name(membership: Membership, user: Any) -> str:
    """The name the room shows: the thread's shown name (a guest's first name), else the display name."""
    name = (
        ThreadMember.objects.filter(thread_id=membership.group.thread_id, user_id=user.pk)
        .values_list("shown_name", flat=True)
        .first()
    )
    return name or user.display_name


def is_moderator(membership: Membership, user: Any) -> bool:
    """Facilitators only, and only while they hold a supporter's or coordinator's role."""
    return membership.is_facilitator and bool(user.is_supporter or user.is_coordinator)


def token(*, group: Group, membership: Membership, user: Any, window: Window, at: dt.datetime | None = None) -> str:
    """The signed token for one member and one window (only when signing is on)."""
    at = at or now()
    latest = at + dt.timedelta(hours=MAX_TOKEN_HOURS)
    expires = min(window.closes + TOKEN_GRACE, latest) if window.closes is not None else latest
    claims = {
        "aud": "jitsi",
        "iss": settings.ALONGSIDE_JITSI_APP_ID,
        "sub": urlsplit(settings.ALONGSIDE_JITSI_URL).hostname or "*",
        "room": group.room,
        "nbf": int((at - NOT_BEFORE_SKEW).timestamp()),
        "exp": int(expires.timestamp()),
        "context": {
            "user": {
                "id": opaque_id(membership),
                "name": shown_name(membership, user),
                "moderator": is_moderator(membership, user),
            }
        },
    }
    return jwt.encode(claims, settings.ALONGSIDE_JITSI_SECRET, algorithm="HS256")


def room_url(*, group: Group, membership: Membership, user: Any, window: Window, at: dt.datetime | None = None) -> str:
    """``{ALONGSIDE_JITSI_URL}/{room}``, with ``?jwt=`` when signing is on."""
    url = f"{settings.ALONGSIDE_JITSI_URL}/{quote(group.room)}"
    if not signing_on():
        return url
    signed = token(group=group, membership=membership, user=user, window=window, at=at)
    return f"{url}?{urlencode({'jwt': signed})}"
