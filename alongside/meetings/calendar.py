"""Calendars: the ``.ics`` of a session, and each person's private, revocable feed of their sessions and (for
supporters) their roster shifts.

Events are neutral: "Peer support session" or "Peer support shift", the time and a link. No names, no topics,
no medium, nothing about who else is on a shift. The feed's URL is its only credential, so only a hash of its secret part is
stored, it is compared in constant time, and it never reaches the audit trail or a log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from icalendar import Calendar, Event

from alongside.accounts.models import User
from alongside.audit.services import record
from alongside.connections.models import ConnectionStatus
from alongside.lib.time import now
from alongside.meetings.models import CalendarFeed, Session, SessionStatus
from alongside.roster.models import Rota, ShiftPlace
from alongside.roster.selectors import feed_places

SUMMARY = "Peer support session"
SHIFT_SUMMARY = "Peer support shift"
ON_CALL_SUMMARY = "Peer support on call"
SELECTOR_LENGTH = 16
FEED_DAYS_BACK = 90
"""Past sessions stay in the feed this long, so a calendar keeps recent history."""


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "alongside"


def session_event(session: Session, *, stamp: dt.datetime | None = None) -> Event:
    event = Event()
    link = f"{settings.SITE_URL}/sessions/{session.pk}/"
    event.add("uid", f"session-{session.pk}@{_host()}")
    event.add("dtstamp", (stamp or now()).astimezone(dt.UTC))
    event.add("dtstart", session.starts_at.astimezone(dt.UTC))
    event.add("dtend", session.ends_at.astimezone(dt.UTC))
    event.add("summary", SUMMARY)
    event.add("description", f"Details: {link}")
    event.add("url", link)
    event.add("class", "PRIVATE")
    return event


def shift_event(place: ShiftPlace, *, stamp: dt.datetime | None = None) -> Event:
    """One of a supporter's shifts: the time, primary or backup, and a link to their shifts. The UID is the place's, so
    a place taken by someone else leaves the old holder's calendar and appears in the taker's as a new event. A
    coordinator's turn on call reads "on call" and links to their home."""
    event = Event()
    on_call = place.shift.rota == Rota.ON_CALL
    link = f"{settings.SITE_URL}/" if on_call else f"{settings.SITE_URL}/shifts/"
    event.add("uid", f"shift-place-{place.pk}-{place.supporter_id}@{_host()}")
    event.add("dtstamp", (stamp or now()).astimezone(dt.UTC))
    event.add("dtstart", place.shift.starts_at.astimezone(dt.UTC))
    event.add("dtend", place.shift.ends_at.astimezone(dt.UTC))
    event.add("summary", f"{ON_CALL_SUMMARY if on_call else SHIFT_SUMMARY} ({place.get_role_display().lower()})")
    event.add("description", f"Details: {link}")
    event.add("url", link)
    event.add("class", "PRIVATE")
    return event


FeedSource = Callable[[User], Iterable[Event]]
_feed_sources: list[FeedSource] = []


def register_feed_source(source: FeedSource) -> None:
    """A higher app adds its own neutral events to each person's feed (groups: their groups' meetings). Meetings is
    a lower layer and cannot import it, so the app registers here from its ``AppConfig.ready``; once per source."""
    if source not in _feed_sources:
        _feed_sources.append(source)


def session_calendar(
    sessions: Iterable[Session], *, name: str = "", shifts: Iterable[ShiftPlace] = (), extra: Iterable[Event] = ()
) -> bytes:
    """An iCalendar document with one neutral event per session (and per shift place, for a supporter's feed, and
    the events of the registered feed sources, ``extra``)."""
    cal = Calendar()
    cal.add("prodid", "-//Alongside//Peer support sessions//EN")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    if name:
        cal.add("x-wr-calname", name)
    stamp = now()
    for session in sessions:
        cal.add_component(session_event(session, stamp=stamp))
    for place in shifts:
        cal.add_component(shift_event(place, stamp=stamp))
    for event in extra:
        cal.add_component(event)
    return bytes(cal.to_ical())


# --- the private feed ---------------------------------------------------------------


def _hash(verifier: str) -> str:
    return hashlib.sha256(verifier.encode()).hexdigest()


def _new_token() -> tuple[str, str, str]:
    """(token, selector, verifier hash). The selector finds the row; the verifier proves the holder."""
    selector = secrets.token_hex(SELECTOR_LENGTH // 2)
    verifier = secrets.token_urlsafe(32)
    return selector + verifier, selector, _hash(verifier)


@transaction.atomic
def reset_feed(*, user: User, request: HttpRequest | None = None) -> str:
    """Make (or replace) the person's feed and return its token, once. Any old URL stops working."""
    token, selector, verifier_hash = _new_token()
    _, created = CalendarFeed.objects.update_or_create(
        user=user, defaults={"selector": selector, "verifier_hash": verifier_hash, "created_at": now()}
    )
    record("connections.calendar.created" if created else "connections.calendar.reset", actor=user, request=request)
    return token


@transaction.atomic
def revoke_feed(*, user: User, request: HttpRequest | None = None) -> bool:
    deleted, _ = CalendarFeed.objects.filter(user=user).delete()
    if deleted:
        record("connections.calendar.revoked", actor=user, request=request)
    return bool(deleted)


def feed_for_token(token: str) -> CalendarFeed | None:
    """The feed a token opens, or None. The verifier is compared in constant time."""
    selector, verifier = token[:SELECTOR_LENGTH], token[SELECTOR_LENGTH:]
    if len(selector) != SELECTOR_LENGTH or not verifier:
        return None
    feed = CalendarFeed.objects.select_related("user").filter(selector=selector).first()
    if feed is None:
        _hash(verifier)  # the same work either way
        return None
    if not hmac.compare_digest(feed.verifier_hash, _hash(verifier)) or not feed.user.is_active:
        return None
    return feed


def feed_sessions(user: User, *, at: dt.datetime | None = None) -> QuerySet[Session]:
    """The person's agreed (and recently held) sessions in active connections, on either side."""
    since = (at or now()) - dt.timedelta(days=FEED_DAYS_BACK)
    return (
        Session.objects.filter(Q(connection__member=user) | Q(connection__supporter__user=user))
        .filter(
            status__in=[SessionStatus.AGREED, SessionStatus.HELD],
            connection__status=ConnectionStatus.ACTIVE,
            starts_at__gte=since,
        )
        .order_by("starts_at", "id")
    )


def read_feed(feed: CalendarFeed) -> bytes:
    """The feed's document. Notes when it was last read, so its owner can see it is in use."""
    CalendarFeed.objects.filter(pk=feed.pk).update(last_read_at=now())
    rotas = [
        rota
        for rota, holds in ((Rota.SUPPORT, feed.user.is_supporter), (Rota.ON_CALL, feed.user.is_coordinator))
        if holds
    ]
    shifts = feed_places(feed.user.pk, rotas=rotas) if rotas else ShiftPlace.objects.none()
    extra = [event for source in _feed_sources for event in source(feed.user)]
    return session_calendar(feed_sessions(feed.user), name=SUMMARY + "s", shifts=shifts, extra=extra)
