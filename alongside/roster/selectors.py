"""Reads of the roster. Who is on shift and who can take a contact right now (the one place talk now and the phone
line ask); a supporter's own shifts, the cover board and the on-shift panel; coverage and gaps; recent changes."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from alongside.accounts.models import Profile
from alongside.audit.models import AuditEvent
from alongside.lib.time import clock, in_zone, local_time, now, place
from alongside.roster.models import ContactRecord, Presence, Role, Rota, Shift, ShiftPlace
from alongside.service.selectors import current_settings, snapshot
from alongside.supporters.models import SupporterStatus


def places_at(at: dt.datetime | None = None) -> QuerySet[ShiftPlace]:
    """Places on the supporters' shifts (not cancelled) that cover ``at``, held by active supporters."""
    at = at or now()
    return ShiftPlace.objects.filter(
        shift__rota=Rota.SUPPORT,
        shift__starts_at__lte=at,
        shift__ends_at__gt=at,
        shift__cancelled_at__isnull=True,
        supporter__is_active=True,
        supporter__is_supporter=True,
        supporter__supporter__status=SupporterStatus.ACTIVE,
    )


def on_shift_ids(at: dt.datetime | None = None, *, role: str | None = None) -> list[int]:
    """Supporters on shift at ``at`` (free or busy), optionally only primary or only backup places."""
    places = places_at(at)
    if role is not None:
        places = places.filter(role=role)
    return sorted(set(places.values_list("supporter_id", flat=True)))


def available_ids(at: dt.datetime | None = None, *, role: str | None = Role.PRIMARY) -> list[int]:
    """On-shift supporters free to take a contact now: not busy by choice and in no open contact.

    ``role=None`` takes both primary and backup places; a supporter holding both counts once.
    """
    places = places_at(at).filter(
        ~Exists(Presence.objects.filter(supporter_id=OuterRef("supporter_id"), busy_by_choice=True)),
        ~Exists(ContactRecord.objects.filter(supporter_id=OuterRef("supporter_id"), ended_at__isnull=True)),
    )
    if role is not None:
        places = places.filter(role=role)
    return sorted(set(places.values_list("supporter_id", flat=True)))


def on_call_ids(at: dt.datetime | None = None, *, role: str | None = Role.PRIMARY) -> list[int]:
    """Coordinators on call at ``at`` (the on-call rota's places covering it, held by active coordinators).

    ``role=Role.BACKUP`` gives the backups; ``None`` both. The one place the safety alerts ask who is on call.
    """
    at = at or now()
    places = ShiftPlace.objects.filter(
        shift__rota=Rota.ON_CALL,
        shift__starts_at__lte=at,
        shift__ends_at__gt=at,
        shift__cancelled_at__isnull=True,
        supporter__is_active=True,
        supporter__is_coordinator=True,
    )
    if role is not None:
        places = places.filter(role=role)
    return sorted(set(places.values_list("supporter_id", flat=True)))


def is_on_shift(user_id: int, at: dt.datetime | None = None) -> bool:
    return places_at(at).filter(supporter_id=user_id).exists()


def is_available(user_id: int, at: dt.datetime | None = None) -> bool:
    return user_id in available_ids(at, role=None) if is_on_shift(user_id, at) else False


def open_contact_of(user_id: int) -> ContactRecord | None:
    return ContactRecord.objects.filter(supporter_id=user_id, ended_at__isnull=True).first()


def unfiled_contacts(user_id: int) -> QuerySet[ContactRecord]:
    """Contacts that have ended and still wait for the supporter's 30-second record."""
    return ContactRecord.objects.filter(supporter_id=user_id, ended_at__isnull=False, filed_at__isnull=True)


def busy_reason(user_id: int) -> str:
    """'' when free; otherwise why, in the supporter's own words on their pages."""
    if ContactRecord.objects.filter(supporter_id=user_id, ended_at__isnull=True).exists():
        return "in a conversation"
    if Presence.objects.filter(Q(supporter_id=user_id) & Q(busy_by_choice=True)).exists():
        return "busy by choice"
    return ""


# --- the supporter's own shifts -------------------------------------------------------------------------------------


def service_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(current_settings().time_zone)


def upcoming_places(
    user_id: int, *, at: dt.datetime | None = None, days: int = 28, rota: str = Rota.SUPPORT
) -> QuerySet[ShiftPlace]:
    """The person's places on ``rota``'s shifts that have not ended, for the next ``days`` days (cancelled shifts
    included, so they can see one was called off)."""
    at = at or now()
    return (
        ShiftPlace.objects.select_related("shift")
        .filter(
            supporter_id=user_id,
            shift__rota=rota,
            shift__ends_at__gt=at,
            shift__starts_at__lt=at + dt.timedelta(days=days),
        )
        .order_by("shift__starts_at", "id")
    )


def upcoming_on_call(user_id: int, *, at: dt.datetime | None = None, days: int = 14) -> list[ShiftPlace]:
    """A coordinator's own coming on-call places (not cancelled): the small panel on their home."""
    return list(upcoming_places(user_id, at=at, days=days, rota=Rota.ON_CALL).filter(shift__cancelled_at__isnull=True))


def cover_board(user_id: int, *, at: dt.datetime | None = None) -> list[ShiftPlace]:
    """Places other supporters have offered for swap or cover, on shifts not ended or cancelled, that ``user_id`` could
    take (they hold no place on that shift)."""
    at = at or now()
    return list(
        ShiftPlace.objects.select_related("shift")
        .filter(
            cover_wanted_at__isnull=False,
            shift__rota=Rota.SUPPORT,
            shift__ends_at__gt=at,
            shift__cancelled_at__isnull=True,
        )
        .exclude(supporter_id=user_id)
        .exclude(shift__places__supporter_id=user_id)
        .order_by("shift__starts_at", "id")
    )


def feed_places(
    user_id: int, *, at: dt.datetime | None = None, days_back: int = 30, rotas: Sequence[str] = (Rota.SUPPORT,)
) -> QuerySet[ShiftPlace]:
    """The person's places on ``rotas``' shifts not cancelled, from ``days_back`` days ago on: their calendar feed's
    shifts (a supporter's shifts; a coordinator's on-call shifts too)."""
    at = at or now()
    return (
        ShiftPlace.objects.select_related("shift")
        .filter(
            supporter_id=user_id,
            shift__rota__in=list(rotas),
            shift__cancelled_at__isnull=True,
            shift__ends_at__gt=at - dt.timedelta(days=days_back),
        )
        .order_by("shift__starts_at", "id")
    )


@dataclass(frozen=True)
class ShiftStatus:
    """What the on-shift panel (``roster/_on_shift.html``) shows a supporter."""

    on_shift: bool
    until: dt.datetime | None = None  # the end of the shift they are on now
    role: str = ""
    busy_reason: str = ""  # '' free; "in a conversation"; "busy by choice"
    next_start: dt.datetime | None = None  # off shift: when their next shift starts

    @property
    def available(self) -> bool:
        return self.on_shift and not self.busy_reason

    @property
    def in_conversation(self) -> bool:
        return self.busy_reason == "in a conversation"


def shift_status(user_id: int, *, at: dt.datetime | None = None) -> ShiftStatus:
    """On shift now (until when, free or busy and why), or when the next shift starts: for ``roster/_on_shift.html``."""
    at = at or now()
    current = places_at(at).filter(supporter_id=user_id).select_related("shift").order_by("-shift__ends_at").first()
    if current is not None:
        return ShiftStatus(
            on_shift=True, until=current.shift.ends_at, role=current.role, busy_reason=busy_reason(user_id)
        )
    upcoming = (
        ShiftPlace.objects.filter(
            supporter_id=user_id, shift__rota=Rota.SUPPORT, shift__starts_at__gt=at, shift__cancelled_at__isnull=True
        )
        .order_by("shift__starts_at")
        .values_list("shift__starts_at", flat=True)
        .first()
    )
    return ShiftStatus(on_shift=False, next_start=upcoming)


def contacts_to_file_count(user_id: int) -> int:
    """How many ended contacts wait for their record: for ``roster/_contacts_to_file.html``."""
    return unfiled_contacts(user_id).count()


# --- coverage -------------------------------------------------------------------------------------------------------

COVERAGE_DAYS = 14
GAP_ALERT_HOURS = 72


@dataclass(frozen=True)
class Hour:
    """One clock hour within opening hours, and how well the roster covers it (the worst moment of the hour)."""

    starts_at: dt.datetime
    primary_needed: int
    primary_filled: int
    backup_needed: int
    backup_filled: int
    rota: str = Rota.SUPPORT

    @property
    def no_shift(self) -> bool:
        return self.primary_needed == 0

    @property
    def primary_short(self) -> int:
        return max(0, self.primary_needed - self.primary_filled) if self.primary_needed else 1

    @property
    def backup_short(self) -> int:
        return max(0, self.backup_needed - self.backup_filled)

    @property
    def uncovered(self) -> bool:
        return self.primary_short > 0

    @property
    def local(self) -> dt.datetime:
        return self.starts_at.astimezone(service_zone())

    def describe(self) -> str:
        if self.rota == Rota.ON_CALL:
            return self._describe_on_call()
        if self.no_shift:
            return "No shift"
        if self.uncovered:
            return f"{self.primary_filled} of {self.primary_needed} primary places filled"
        if self.backup_short:
            return f"{self.backup_filled} of {self.backup_needed} backup places filled"
        return "Covered"

    def _describe_on_call(self) -> str:
        if self.no_shift or not self.primary_filled:
            return "No coordinator on call"
        if self.uncovered:
            return f"{self.primary_filled} of {self.primary_needed} on-call places filled"
        if self.backup_short:
            return f"{self.backup_filled} of {self.backup_needed} backup on-call places filled"
        return "Covered"


@dataclass(frozen=True)
class Run:
    """Consecutive hours of one day that read the same: 'from 08:00 to 18:00, no shift'."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    what: str
    uncovered: bool
    backup_short: bool

    @property
    def local_start(self) -> dt.datetime:
        return self.starts_at.astimezone(service_zone())

    @property
    def local_end(self) -> dt.datetime:
        return self.ends_at.astimezone(service_zone())


@dataclass
class CoverageDay:
    day: dt.date
    hours: list[Hour] = field(default_factory=list)

    @property
    def runs(self) -> list[Run]:
        """The day's hours joined where they read the same, so a phone shows a few lines rather than fourteen."""
        out: list[Run] = []
        for hour in self.hours:
            end = hour.starts_at + dt.timedelta(hours=1)
            what = hour.describe()
            last = out[-1] if out else None
            if last is not None and last.ends_at == hour.starts_at and last.what == what:
                out[-1] = Run(last.starts_at, end, what, last.uncovered, last.backup_short)
            else:
                out.append(Run(hour.starts_at, end, what, hour.uncovered, bool(hour.backup_short)))
        return out

    @property
    def gaps(self) -> list[Hour]:
        return [h for h in self.hours if h.uncovered]

    @property
    def backup_gaps(self) -> list[Hour]:
        return [h for h in self.hours if not h.uncovered and h.backup_short]


def _counts(shifts: list[Shift], moment: dt.datetime) -> tuple[int, int, int, int]:
    pn = pf = bn = bf = 0
    for shift in shifts:
        if shift.starts_at <= moment < shift.ends_at:
            pn += shift.primary_places
            bn += shift.backup_places
            filled = [p for p in shift.places.all() if _active(p, shift.rota)]
            pf += min(shift.primary_places, sum(1 for p in filled if p.role == Role.PRIMARY))
            bf += min(shift.backup_places, sum(1 for p in filled if p.role == Role.BACKUP))
    return pn, pf, bn, bf


def _active(place: ShiftPlace, rota: str = Rota.SUPPORT) -> bool:
    """Whether the place counts: held by an active supporter on the supporters' rota, an active coordinator on call."""
    user = place.supporter
    if rota == Rota.ON_CALL:
        return bool(user.is_active and user.is_coordinator)
    profile = getattr(user, "supporter", None)
    return bool(
        user.is_active and user.is_supporter and profile is not None and profile.status == SupporterStatus.ACTIVE
    )


def coverage(
    *, at: dt.datetime | None = None, hours: int = COVERAGE_DAYS * 24, rota: str = Rota.SUPPORT
) -> list[CoverageDay]:
    """Every clock hour from now for ``hours`` hours that the service is open, day by day in the service's zone, on
    ``rota`` (the supporters' shifts, or the coordinators on call).

    An hour counts at its worst moment (its start and every shift change inside it): uncovered when fewer primary
    places are held by active supporters (active coordinators, on call) than the shifts then need, or when no shift
    covers it at all.
    """
    zone = service_zone()
    at = at or now()
    first = at.astimezone(zone).replace(minute=0, second=0, microsecond=0).astimezone(dt.UTC)
    last = first + dt.timedelta(hours=hours)
    shifts = list(
        Shift.objects.filter(
            rota=rota, cancelled_at__isnull=True, starts_at__lt=last, ends_at__gt=first
        ).prefetch_related(Prefetch("places", queryset=ShiftPlace.objects.select_related("supporter__supporter")))
    )
    hours_open = snapshot()
    days: dict[dt.date, CoverageDay] = {}
    slot = first
    while slot < last:
        end = slot + dt.timedelta(hours=1)
        changes = {s.starts_at for s in shifts if slot < s.starts_at < end}
        changes |= {s.ends_at for s in shifts if slot < s.ends_at < end}
        moments = [slot, *sorted(changes)]
        moments = [m for m in moments if hours_open.is_open_at(m)]
        if moments:
            worst = min(
                (_counts(shifts, m) for m in moments), key=lambda c: (c[1] - c[0] if c[0] else -99, c[3] - c[2])
            )
            local_day = slot.astimezone(zone).date()
            days.setdefault(local_day, CoverageDay(local_day)).hours.append(Hour(slot, *worst, rota=rota))
        slot = end
    return list(days.values())


@dataclass(frozen=True)
class Gap:
    """A run of consecutive uncovered hours with the same shortfall."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    what: str


def gaps(*, at: dt.datetime | None = None, hours: int = GAP_ALERT_HOURS, rota: str = Rota.SUPPORT) -> list[Gap]:
    """Uncovered hours of ``rota`` in the next ``hours`` hours, joined into runs: times and shortfalls only, never
    names."""
    out: list[Gap] = []
    for day in coverage(at=at, hours=hours, rota=rota):
        for hour in day.gaps:
            end = hour.starts_at + dt.timedelta(hours=1)
            what = hour.describe()
            if out and out[-1].ends_at == hour.starts_at and out[-1].what == what:
                out[-1] = Gap(out[-1].starts_at, end, what)
            else:
                out.append(Gap(hour.starts_at, end, what))
    return out


# --- the coordinators' list of changes ------------------------------------------------------------------------------


CHANGE_WORDS = {
    "roster.pattern.created": "added a weekly pattern",
    "roster.pattern.changed": "changed a weekly pattern",
    "roster.pattern.ended": "ended a weekly pattern",
    "roster.shift.added": "added a one-off shift",
    "roster.shift.cancelled": "cancelled a shift",
    "roster.place.added": "added a place on a shift",
    "roster.place.removed": "removed a place on a shift",
    "roster.place.role_changed": "changed a place on a shift",
    "roster.cover.offered": "offered their place for cover",
    "roster.cover.withdrawn": "withdrew a cover offer",
    "roster.cover.taken": "took a place offered for cover",
}
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Change:
    """One line of the coordinators' list of roster changes: when, who (a supporter's or coordinator's display
    name), what, and which shift or pattern."""

    at: dt.datetime
    who: str
    what: str
    shift_starts_at: dt.datetime | None
    pattern: str
    role: str


def recent_changes(*, limit: int = 100, rota: str = Rota.SUPPORT) -> list[Change]:
    """The latest roster events of ``rota``, newest first. Nothing about members: roster events never hold any.

    Events name their rota in ``details``; those from before the on-call rota have none and are the supporters'."""
    of_rota = Q(details__rota=rota)
    if rota == Rota.SUPPORT:
        of_rota |= ~Q(details__has_key="rota")
    events = list(AuditEvent.objects.filter(of_rota, action__in=list(CHANGE_WORDS)).order_by("-at", "-id")[:limit])
    names = dict(
        Profile.objects.filter(user_id__in={e.actor_id for e in events if e.actor_id}).values_list(
            "user_id", "display_name"
        )
    )
    out = []
    for event in events:
        details = event.details or {}
        starts = details.get("starts_at")
        pattern = ""
        if "weekday" in details:
            pattern = f"{WEEKDAY_NAMES[int(details['weekday'])]}s {details.get('starts', '')}–{details.get('ends', '')}"
        out.append(
            Change(
                at=event.at,
                who=names.get(event.actor_id, "Someone") if event.actor_id else "The service",
                what=CHANGE_WORDS[event.action],
                shift_starts_at=dt.datetime.fromisoformat(starts) if starts else None,
                pattern=pattern,
                role=str(details.get("role", "")),
            )
        )
    return out


def span_text(starts_at: dt.datetime, ends_at: dt.datetime, zone_name: str) -> str:
    """'Tue 8 Dec, 6:00 pm – 10:00 pm' in ``zone_name``."""
    return f"{local_time(starts_at, zone_name)} – {clock(in_zone(ends_at, zone_name))}"


@dataclass(frozen=True)
class ShiftTimes:
    """A shift's times in the service's zone, and in the viewer's own when it reads differently."""

    service: str
    service_place: str
    own: str
    own_place: str


def shift_times(shift: Shift, viewer_zone: str) -> ShiftTimes:
    service = current_settings().time_zone
    theirs = span_text(shift.starts_at, shift.ends_at, service)
    mine = span_text(shift.starts_at, shift.ends_at, viewer_zone) if viewer_zone else theirs
    return ShiftTimes(theirs, place(service), "" if mine == theirs else mine, place(viewer_zone))
