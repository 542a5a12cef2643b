"""Django-side glue: turn supporter profiles and support requests into the engine's dataclasses.

The engine knows nothing of models, time zones or the database. Here we compute what it
needs: UTC hour-of-week availability slots from weekly windows kept in each person's own
time zone, each supporter's load and capacity left (active connections and pending offers),
the pairs that must never be matched (blocks either way, connections that ended), and the
coordinators' weights.
"""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from alongside.accounts.models import Profile
from alongside.connections.models import (
    Block,
    Connection,
    ConnectionStatus,
    MatchingSettings,
    Offer,
    OfferStatus,
    SupportRequest,
)
from alongside.directory.models import Topic
from alongside.lib.time import now
from alongside.matching import engine
from alongside.supporters.models import SupporterProfile, SupporterStatus

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


# --- weights and phrases ------------------------------------------------------------


def current_weights() -> engine.Weights:
    return engine.Weights.from_dict(MatchingSettings.current().as_dict())


def topic_phrases() -> dict[str, str]:
    """Topic slug -> phrase completing 'has supported colleagues through ...'."""
    return {t.slug: (t.experience_phrase or t.name.lower()) for t in Topic.objects.all()}


def normalise_gender(value: str | None) -> str | None:
    text = " ".join((value or "").split()).casefold()
    return text or None


# --- supporters ---------------------------------------------------------------------


def is_available(profile: SupporterProfile, today: dt.date) -> bool:
    """Active, or paused until a date that has passed; and still a supporter with an account."""
    user = profile.user
    return _available(user.is_active and user.is_supporter, profile.status, profile.paused_until, today)


def _available(has_role: bool, status: str, paused_until: dt.date | None, today: dt.date) -> bool:
    if not has_role:
        return False
    if status == SupporterStatus.ACTIVE:
        return True
    return status == SupporterStatus.PAUSED and paused_until is not None and paused_until < today


def _pairs(rows: Iterable[tuple[int, Any]]) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = defaultdict(list)
    for key, value in rows:
        out[key].append(value)
    return out


def engine_supporters(*, at: dt.datetime | None = None, ids: Iterable[int] | None = None) -> list[engine.Supporter]:
    """Every current supporter (or those with the given profile ids) as the engine sees them.

    Read with flat queries rather than model instances: ranking one request reads every
    supporter, and building thousands of model objects would cost more than the ranking.
    """
    at = at or now()
    today = timezone.localdate(at)
    profiles = SupporterProfile.objects.filter(user__is_supporter=True, user__is_active=True)
    if ids is not None:
        profiles = profiles.filter(pk__in=list(ids))
    rows = list(
        profiles.order_by("pk").values_list(
            "pk",
            "user_id",
            "capacity",
            "status",
            "paused_until",
            "formats",
            "availability",
            "gender",
            "user__profile__id",
            "user__profile__career_stage",
            "user__profile__specialty_id",
            "user__profile__time_zone",
        )
    )
    if not rows:
        return []
    # Subqueries rather than lists of thousands of ids: the database does the filtering.
    profile_ids = profiles.values("pk")
    person_ids = profiles.values("user__profile__id")
    topics = _pairs(
        SupporterProfile.topics.through.objects.filter(supporterprofile_id__in=profile_ids).values_list(
            "supporterprofile_id", "topic__slug"
        )
    )
    specialties = _pairs(
        SupporterProfile.specialties.through.objects.filter(supporterprofile_id__in=profile_ids).values_list(
            "supporterprofile_id", "specialty_id"
        )
    )
    languages = _pairs(
        Profile.languages.through.objects.filter(profile_id__in=person_ids).values_list("profile_id", "language__code")
    )
    workplaces = _pairs(
        Profile.workplaces.through.objects.filter(profile_id__in=person_ids).values_list("profile_id", "workplace_id")
    )
    load = dict(
        Connection.objects.filter(supporter_id__in=profile_ids, status=ConnectionStatus.ACTIVE)
        .values("supporter_id")
        .annotate(n=Count("id"))
        .values_list("supporter_id", "n")
    )
    pending = dict(
        Offer.objects.filter(supporter_id__in=profile_ids, status=OfferStatus.PENDING)
        .values("supporter_id")
        .annotate(n=Count("id"))
        .values_list("supporter_id", "n")
    )
    slot_cache: dict[tuple[str, str], frozenset[int]] = {}
    out = []
    for pk, user_id, capacity, status, paused_until, formats, availability, gender, person, stage, spec, tz in rows:
        time_zone = tz or "UTC"
        key = (repr(availability), time_zone)
        if key not in slot_cache:
            slot_cache[key] = weekly_slots(parse_windows(availability), time_zone, at=at)
        active, waiting = load.get(pk, 0), pending.get(pk, 0)
        # Every specialty the supporter lists, plus the one on their personal profile.
        listed = {str(x) for x in specialties.get(pk, ())} | ({str(spec)} if spec is not None else set())
        out.append(
            engine.Supporter(
                id=pk,
                user_id=user_id,
                career_stage=stage if stage in engine.CAREER_STAGES else "other",
                specialties=frozenset(listed),
                topics=frozenset(topics.get(pk, ())),
                languages=frozenset(languages.get(person, ())) if person is not None else frozenset(),
                gender=normalise_gender(gender),
                workplaces=frozenset(workplaces.get(person, ())) if person is not None else frozenset(),
                formats=frozenset(f for f in (formats or []) if f in engine.FORMATS),
                capacity_left=max(capacity - active - waiting, 0),
                capacity=capacity,
                active_load=active,
                available=_available(True, status, paused_until, today),
                availability=slot_cache[key],
            )
        )
    return out


def to_engine_supporter(profile: SupporterProfile, *, at: dt.datetime | None = None) -> engine.Supporter | None:
    """One supporter as the engine sees them, read fresh; None when they are no longer a supporter."""
    found = engine_supporters(at=at, ids=[profile.pk])
    return found[0] if found else None


# --- requests -----------------------------------------------------------------------


def never_match(member_ids: Sequence[int]) -> dict[int, frozenset[int]]:
    """Supporter profile ids each member must never be matched with.

    Blocks count in both directions; so does every connection that has ended, whichever
    side ended it (a member who asked for a change is not offered the same peer again).
    """
    if not member_ids:
        return {}
    out: dict[int, set[int]] = {m: set() for m in member_ids}
    supporter_of_user = dict(SupporterProfile.objects.values_list("user_id", "pk"))
    blocks = Block.objects.filter(Q(blocker_id__in=member_ids) | Q(blocked_id__in=member_ids)).values_list(
        "blocker_id", "blocked_id"
    )
    for blocker, blocked in blocks:
        for member, other in ((blocker, blocked), (blocked, blocker)):
            if member in out and other in supporter_of_user:
                out[member].add(supporter_of_user[other])
    ended = Connection.objects.filter(member_id__in=member_ids, status=ConnectionStatus.CLOSED).values_list(
        "member_id", "supporter_id"
    )
    for member, supporter in ended:
        out[member].add(supporter)
    return {m: frozenset(s) for m, s in out.items()}


def request_queryset() -> QuerySet[SupportRequest]:
    return SupportRequest.objects.select_related("member", "member__profile").prefetch_related(
        "topics", "languages", "excluded_workplaces", "member__profile__workplaces"
    )


def to_engine_request(
    support_request: SupportRequest,
    *,
    at: dt.datetime | None = None,
    blocked: frozenset[int] | None = None,
) -> engine.Request:
    at = at or now()
    person: Profile | None = getattr(support_request.member, "profile", None)
    if blocked is None:
        blocked = never_match([support_request.member_id]).get(support_request.member_id, frozenset())
    formats = frozenset(f for f in (support_request.formats or []) if f in engine.FORMATS)
    stage = person.career_stage if person is not None and person.career_stage in engine.CAREER_STAGES else "other"
    return engine.Request(
        id=support_request.pk,
        member_user_id=support_request.member_id,
        topics=frozenset(t.slug for t in support_request.topics.all()),
        peer_kind=support_request.peer_kind,
        same_specialty=support_request.same_specialty,
        specialty=str(person.specialty_id) if person is not None and person.specialty_id else None,
        career_stage=stage,
        gender_wanted=normalise_gender(support_request.gender_wanted),
        languages=frozenset(lang.code for lang in support_request.languages.all()),
        formats=formats,
        availability=weekly_slots(parse_windows(support_request.availability), support_request.time_zone, at=at),
        member_workplaces=frozenset(w.pk for w in person.workplaces.all()) if person is not None else frozenset(),
        allow_own_workplace=support_request.allow_own_workplace,
        excluded_workplaces=frozenset(w.pk for w in support_request.excluded_workplaces.all()),
        blocked_supporter_ids=blocked,
        waited_hours=max((at - support_request.created_at).total_seconds() / 3600, 0.0),
        utc_offset_minutes=utc_offset_minutes(support_request.time_zone, at),
    )


def engine_requests(queryset: QuerySet[SupportRequest], *, at: dt.datetime | None = None) -> list[engine.Request]:
    """Many requests at once (the waitlist), with the never-match pairs fetched in one go."""
    at = at or now()
    rows = list(request_queryset().filter(pk__in=queryset.values("pk")).order_by("created_at", "pk"))
    blocked = never_match(sorted({r.member_id for r in rows}))
    return [to_engine_request(r, at=at, blocked=blocked.get(r.member_id, frozenset())) for r in rows]


def already_offered(support_request: SupportRequest) -> frozenset[int]:
    """Supporter ids this request was offered to, in any state: never offered twice."""
    return frozenset(Offer.objects.filter(request=support_request).values_list("supporter_id", flat=True))
