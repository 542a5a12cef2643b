"""Writes to the roster: coordinators' weekly patterns and the dated shifts made from them, one-off changes, swap and
cover between supporters, a supporter's own busy switch, contacts opening and ending, and the 30-second record.

Talk now and the phone line call ``open_contact`` when a supporter takes a contact (which makes them busy for every
other dispatcher at once) and ``end_contact`` when it ends (which prompts the 30-second record).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse

from alongside.accounts.models import User
from alongside.audit.services import record
from alongside.directory.models import CareerStage, Region, Topic
from alongside.lib.time import clock, now, place, when_text
from alongside.notifications.models import Kind
from alongside.notifications.services import notify, queue_email
from alongside.roster.models import (
    ContactRecord,
    GapAlert,
    PatternPlace,
    Presence,
    Role,
    Rota,
    Shift,
    ShiftPattern,
    ShiftPlace,
)
from alongside.roster.selectors import GAP_ALERT_HOURS, Gap, gaps
from alongside.roster.wellbeing import nudge_after_hard_week
from alongside.service.selectors import current_settings, snapshot

STALE_CONTACT_HOURS = 4
MAX_MINUTES = 600
"""The longest a contact record says a contact lasted (ten hours)."""
"""An open contact older than this lost its end (a process died); the sweeper ends it so its supporter is free."""


def set_busy_by_choice(*, supporter: User, busy: bool) -> Presence:
    presence, _ = Presence.objects.update_or_create(
        supporter=supporter, defaults={"busy_by_choice": busy, "changed_at": now()}
    )
    return presence


@transaction.atomic
def open_contact(*, supporter_id: int, format: str, region: str = "") -> ContactRecord:
    """A contact starts (the supporter is busy until it ends). ``region``: the colleague's, when the service knows it
    (their workplace); the supporter may add it when filing."""
    return ContactRecord.objects.create(supporter_id=supporter_id, format=format, started_at=now(), region=region)


def end_contact(*, record_id: int) -> bool:
    """End an open contact (idempotent): True when this call ended it. Minutes are filled from the times."""
    record = ContactRecord.objects.filter(pk=record_id, ended_at__isnull=True).first()
    if record is None:
        return False
    ended = now()
    # Capped: a contact whose end was lost (ended later by the sweeper) would otherwise claim days.
    minutes = min(MAX_MINUTES, max(1, round((ended - record.started_at).total_seconds() / 60)))
    return bool(
        ContactRecord.objects.filter(pk=record_id, ended_at__isnull=True).update(ended_at=ended, minutes=minutes)
    )


def end_stale_contacts() -> int:
    cutoff = now() - dt.timedelta(hours=STALE_CONTACT_HOURS)
    stale = ContactRecord.objects.filter(ended_at__isnull=True, started_at__lt=cutoff)
    return sum(end_contact(record_id=pk) for pk in stale.values_list("pk", flat=True))


# --- planning: weekly patterns and their dated shifts ---------------------------------------------------------------

MATERIALISE_DAYS = 28
"""Patterns are turned into dated shifts this far ahead, on every save and every day."""


def _zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(current_settings().time_zone)


def local_span(
    day: dt.date, starts: dt.time, ends: dt.time, zone: zoneinfo.ZoneInfo
) -> tuple[dt.datetime, dt.datetime]:
    """A shift's aware start and end for wall-clock ``starts``-``ends`` on ``day`` in ``zone``; an end at or before the
    start is on the next day. Wall-clock hours are kept across a daylight-saving change (a 6-10 pm shift stays 6-10 pm
    local; a night shift across the change is an hour longer or shorter)."""
    start = dt.datetime.combine(day, starts, tzinfo=zone)
    end_day = day + dt.timedelta(days=1) if ends <= starts else day
    end = dt.datetime.combine(end_day, ends, tzinfo=zone)
    # A wall-clock time skipped by the change (2:30 am on the spring-forward night) is read as the time after it.
    return start.astimezone(dt.UTC).astimezone(zone), end.astimezone(dt.UTC).astimezone(zone)


def closed_between(start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """The moments (every quarter hour) from ``start`` to ``end`` when the service is closed: empty when the whole span
    is within its opening hours."""
    hours = snapshot()
    out = []
    moment = start
    while moment < end:
        if not hours.is_open_at(moment):
            out.append(moment)
        moment += dt.timedelta(minutes=15)
    return out


def closed_moments(*, weekday: int, starts: dt.time, ends: dt.time, on: dt.date | None = None) -> list[dt.datetime]:
    """``closed_between`` for a weekly shift, on the next ``weekday`` from ``on`` (today by default)."""
    zone = _zone()
    today = on or now().astimezone(zone).date()
    day = today + dt.timedelta(days=(weekday - today.weekday()) % 7)
    return closed_between(*local_span(day, starts, ends, zone))


def _audit_shift(action: str, *, actor: User | None, shift: Shift, request: HttpRequest | None, **details: Any) -> None:
    record(
        action,
        actor=actor,
        target=shift,
        request=request,
        details={"starts_at": shift.starts_at.isoformat(), "rota": shift.rota, **details},
    )


NOT_A_SUPPORTER = "Only an active supporter can hold a place on a supporters' shift."
NOT_A_COORDINATOR = "Only an active coordinator can hold a place on the on-call rota."


def check_holders(rota: str, people: Sequence[User]) -> None:
    """Places on the supporters' shifts are for active supporters; places on call for active coordinators."""
    if rota == Rota.ON_CALL:
        if any(not (u.is_coordinator and u.is_active) for u in people):
            raise ValidationError(NOT_A_COORDINATOR)
    elif any(not (u.is_supporter and u.is_active) for u in people):
        raise ValidationError(NOT_A_SUPPORTER)


def _set_pattern_places(pattern: ShiftPattern, primary: Sequence[User], backup: Sequence[User]) -> None:
    PatternPlace.objects.filter(pattern=pattern).delete()
    PatternPlace.objects.bulk_create(
        [PatternPlace(pattern=pattern, supporter=u, role=Role.PRIMARY) for u in primary]
        + [PatternPlace(pattern=pattern, supporter=u, role=Role.BACKUP) for u in backup]
    )


def _check_pattern(pattern: ShiftPattern, primary: Sequence[User], backup: Sequence[User]) -> None:
    pattern.full_clean()
    if {u.pk for u in primary} & {u.pk for u in backup}:
        raise ValidationError("A supporter can hold a primary or a backup place on a shift, not both.")
    check_holders(pattern.rota, [*primary, *backup])
    if len(primary) > pattern.primary_places:
        raise ValidationError("More primary supporters than primary places.")
    if len(backup) > pattern.backup_places:
        raise ValidationError("More backup supporters than backup places.")
    if pattern.valid_until is not None and pattern.valid_until < pattern.valid_from:
        raise ValidationError("The last day comes before the first.")
    if closed_moments(weekday=pattern.weekday, starts=pattern.starts, ends=pattern.ends):
        raise ValidationError("Part of this shift falls outside the service's opening hours.")


@transaction.atomic
def create_pattern(
    *,
    actor: User,
    weekday: int,
    starts: dt.time,
    ends: dt.time,
    primary_places: int,
    backup_places: int,
    valid_from: dt.date,
    valid_until: dt.date | None = None,
    primary: Sequence[User] = (),
    backup: Sequence[User] = (),
    rota: str = Rota.SUPPORT,
    request: HttpRequest | None = None,
) -> ShiftPattern:
    """A weekly pattern on ``rota`` (the supporters' shifts or the coordinators' on-call rota)."""
    pattern = ShiftPattern(
        rota=rota,
        weekday=weekday,
        starts=starts,
        ends=ends,
        primary_places=primary_places,
        backup_places=backup_places,
        valid_from=valid_from,
        valid_until=valid_until,
        created_at=now(),
    )
    _check_pattern(pattern, primary, backup)
    pattern.save()
    _set_pattern_places(pattern, primary, backup)
    record("roster.pattern.created", actor=actor, target=pattern, request=request, details=_pattern_details(pattern))
    materialise(pattern_ids=[pattern.pk])
    return pattern


def _pattern_details(pattern: ShiftPattern) -> dict[str, Any]:
    return {
        "rota": pattern.rota,
        "weekday": pattern.weekday,
        "starts": pattern.starts.isoformat("minutes"),
        "ends": pattern.ends.isoformat("minutes"),
        "valid_from": pattern.valid_from.isoformat(),
        "valid_until": pattern.valid_until.isoformat() if pattern.valid_until else "",
    }


def _drop_unedited_future(pattern: ShiftPattern) -> int:
    """Forget the pattern's shifts that have not started and were never changed by hand, so they are made again from
    the pattern as it is now. Edited and cancelled shifts stay as they are."""
    deleted, _ = Shift.objects.filter(
        pattern=pattern, starts_at__gt=now(), edited_at__isnull=True, cancelled_at__isnull=True
    ).delete()
    return deleted


@transaction.atomic
def update_pattern(
    *,
    actor: User,
    pattern: ShiftPattern,
    weekday: int,
    starts: dt.time,
    ends: dt.time,
    primary_places: int,
    backup_places: int,
    valid_from: dt.date,
    valid_until: dt.date | None = None,
    primary: Sequence[User] = (),
    backup: Sequence[User] = (),
    request: HttpRequest | None = None,
) -> ShiftPattern:
    """Change a pattern. Its coming shifts are made again from it, except those changed by hand (kept as they are)."""
    pattern = ShiftPattern.objects.select_for_update().get(pk=pattern.pk)
    pattern.weekday, pattern.starts, pattern.ends = weekday, starts, ends
    pattern.primary_places, pattern.backup_places = primary_places, backup_places
    pattern.valid_from, pattern.valid_until = valid_from, valid_until
    _check_pattern(pattern, primary, backup)
    pattern.save()
    _set_pattern_places(pattern, primary, backup)
    _drop_unedited_future(pattern)
    record("roster.pattern.changed", actor=actor, target=pattern, request=request, details=_pattern_details(pattern))
    materialise(pattern_ids=[pattern.pk])
    return pattern


@transaction.atomic
def end_pattern(
    *, actor: User, pattern: ShiftPattern, last_day: dt.date, request: HttpRequest | None = None
) -> ShiftPattern:
    """Stop a pattern after ``last_day``: its unchanged shifts after that day go; shifts changed by hand stay."""
    pattern = ShiftPattern.objects.select_for_update().get(pk=pattern.pk)
    if last_day < pattern.valid_from:
        last_day = pattern.valid_from
    pattern.valid_until = last_day
    pattern.save(update_fields=["valid_until"])
    zone = _zone()
    cutoff = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    Shift.objects.filter(
        pattern=pattern, starts_at__gte=max(cutoff, now()), edited_at__isnull=True, cancelled_at__isnull=True
    ).delete()
    record("roster.pattern.ended", actor=actor, target=pattern, request=request, details=_pattern_details(pattern))
    return pattern


def _pattern_days(pattern: ShiftPattern, first: dt.date, last: dt.date) -> list[dt.date]:
    start = max(first, pattern.valid_from)
    end = min(last, pattern.valid_until) if pattern.valid_until else last
    day = start + dt.timedelta(days=(pattern.weekday - start.weekday()) % 7)
    days = []
    while day <= end:
        days.append(day)
        day += dt.timedelta(days=7)
    return days


def materialise(
    *, days: int = MATERIALISE_DAYS, pattern_ids: Sequence[int] | None = None, at: dt.datetime | None = None
) -> int:
    """Make the dated shifts of every pattern (or of ``pattern_ids``) for the next ``days`` days that do not exist
    yet, each with the pattern's standing places; returns how many were made.

    Idempotent: a shift already made for a pattern and start (even cancelled or changed by hand) is never made again
    or touched, and two runs at once cannot both make one (the unique pattern + start).
    """
    zone = _zone()
    at = at or now()
    today = at.astimezone(zone).date()
    last = today + dt.timedelta(days=days)
    patterns = ShiftPattern.objects.prefetch_related("places").filter(valid_from__lte=last)
    patterns = patterns.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
    if pattern_ids is not None:
        patterns = patterns.filter(pk__in=pattern_ids)
    made = 0
    for pattern in patterns:
        existing = set(
            Shift.objects.filter(pattern=pattern, starts_at__gte=at - dt.timedelta(days=1)).values_list(
                "starts_at", flat=True
            )
        )
        for day in _pattern_days(pattern, today, last):
            start, end = local_span(day, pattern.starts, pattern.ends, zone)
            if end <= at or start in existing:
                continue
            try:
                with transaction.atomic():
                    shift = Shift.objects.create(
                        pattern=pattern,
                        rota=pattern.rota,
                        starts_at=start,
                        ends_at=end,
                        primary_places=pattern.primary_places,
                        backup_places=pattern.backup_places,
                        created_at=now(),
                    )
                    ShiftPlace.objects.bulk_create(
                        [
                            ShiftPlace(shift=shift, supporter_id=p.supporter_id, role=p.role)
                            for p in pattern.places.all()
                        ]
                    )
            except IntegrityError:
                continue  # another run made it first
            made += 1
    return made


# --- one-off changes to dated shifts --------------------------------------------------------------------------------


def _edited(shift: Shift) -> None:
    Shift.objects.filter(pk=shift.pk).update(edited_at=now())


@transaction.atomic
def add_one_off_shift(
    *,
    actor: User,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    primary_places: int,
    backup_places: int,
    primary: Sequence[User] = (),
    backup: Sequence[User] = (),
    rota: str = Rota.SUPPORT,
    request: HttpRequest | None = None,
) -> Shift:
    if rota not in Rota.values:
        raise ValidationError("Choose the supporters' shifts or the on-call rota.")
    if ends_at <= starts_at:
        raise ValidationError("The shift must end after it starts.")
    if closed_between(starts_at, ends_at):
        raise ValidationError("Part of this shift falls outside the service's opening hours.")
    if {u.pk for u in primary} & {u.pk for u in backup}:
        raise ValidationError("A supporter can hold a primary or a backup place on a shift, not both.")
    if len(primary) > primary_places or len(backup) > backup_places:
        raise ValidationError("More supporters than places.")
    check_holders(rota, [*primary, *backup])
    shift = Shift(
        rota=rota,
        starts_at=starts_at,
        ends_at=ends_at,
        primary_places=primary_places,
        backup_places=backup_places,
        edited_at=now(),
        created_at=now(),
    )
    shift.full_clean()
    shift.save()
    ShiftPlace.objects.bulk_create(
        [ShiftPlace(shift=shift, supporter=u, role=Role.PRIMARY) for u in primary]
        + [ShiftPlace(shift=shift, supporter=u, role=Role.BACKUP) for u in backup]
    )
    _audit_shift("roster.shift.added", actor=actor, shift=shift, request=request, ends_at=ends_at.isoformat())
    return shift


@transaction.atomic
def cancel_shift(*, actor: User, shift: Shift, request: HttpRequest | None = None) -> bool:
    """Cancel a dated shift (its row and places stay for the record). False when it was cancelled already."""
    if not Shift.objects.filter(pk=shift.pk, cancelled_at__isnull=True).update(cancelled_at=now(), edited_at=now()):
        return False
    _audit_shift("roster.shift.cancelled", actor=actor, shift=shift, request=request)
    return True


@transaction.atomic
def add_place(
    *, actor: User, shift: Shift, supporter: User, role: str, request: HttpRequest | None = None
) -> ShiftPlace:
    check_holders(shift.rota, [supporter])
    if ShiftPlace.objects.filter(shift=shift, supporter=supporter).exists():
        raise ValidationError("That supporter already holds a place on this shift.")
    place = ShiftPlace.objects.create(shift=shift, supporter=supporter, role=role, created_at=now())
    _edited(shift)
    _audit_shift("roster.place.added", actor=actor, shift=shift, request=request, role=role, supporter=supporter.pk)
    return place


@transaction.atomic
def remove_place(*, actor: User, place: ShiftPlace, request: HttpRequest | None = None) -> None:
    shift, supporter_id, role = place.shift, place.supporter_id, place.role
    place.delete()
    _edited(shift)
    _audit_shift("roster.place.removed", actor=actor, shift=shift, request=request, role=role, supporter=supporter_id)


@transaction.atomic
def change_place_role(*, actor: User, place: ShiftPlace, role: str, request: HttpRequest | None = None) -> ShiftPlace:
    if role not in Role.values:
        raise ValidationError("Choose primary or backup.")
    if place.role != role:
        ShiftPlace.objects.filter(pk=place.pk).update(role=role)
        place.role = role
        _edited(place.shift)
        _audit_shift(
            "roster.place.role_changed",
            actor=actor,
            shift=place.shift,
            request=request,
            role=role,
            supporter=place.supporter_id,
        )
    return place


# --- swap and cover between supporters ------------------------------------------------------------------------------


@transaction.atomic
def offer_cover(*, supporter: User, place: ShiftPlace, request: HttpRequest | None = None) -> bool:
    """Offer one's own place on a coming shift to the others. False when it was offered already or has ended."""
    if place.shift.ends_at <= now() or place.shift.rota != Rota.SUPPORT:
        return False
    changed = ShiftPlace.objects.filter(pk=place.pk, supporter=supporter, cover_wanted_at__isnull=True).update(
        cover_wanted_at=now()
    )
    if changed:
        _edited(place.shift)
        _audit_shift("roster.cover.offered", actor=supporter, shift=place.shift, request=request, role=place.role)
    return bool(changed)


@transaction.atomic
def withdraw_cover(*, supporter: User, place: ShiftPlace, request: HttpRequest | None = None) -> bool:
    changed = ShiftPlace.objects.filter(pk=place.pk, supporter=supporter, cover_wanted_at__isnull=False).update(
        cover_wanted_at=None
    )
    if changed:
        _audit_shift("roster.cover.withdrawn", actor=supporter, shift=place.shift, request=request, role=place.role)
    return bool(changed)


class CoverGone(Exception):
    """Someone else took the place first, or its holder withdrew the offer."""


@transaction.atomic
def take_cover(*, taker: User, place_id: int, request: HttpRequest | None = None) -> ShiftPlace:
    """Take a place another supporter offered: it moves to ``taker``. The first taker wins (a conditional update on
    the offered place); anyone after gets ``CoverGone``. Refused (``ValidationError``) for one's own place or a shift
    one already holds a place on."""
    place = ShiftPlace.objects.select_related("shift").filter(pk=place_id, shift__rota=Rota.SUPPORT).first()
    if place is None or place.cover_wanted_at is None or place.shift.ends_at <= now():
        raise CoverGone
    if place.supporter_id == taker.pk:
        raise ValidationError("This is your own place: withdraw the offer instead.")
    if ShiftPlace.objects.filter(shift_id=place.shift_id, supporter=taker).exists():
        raise ValidationError("You already hold a place on this shift.")
    if not taker.is_supporter or not taker.is_active:
        raise ValidationError("Only an active supporter can take a place on a shift.")
    holder_id = place.supporter_id
    try:
        with transaction.atomic():
            # No join in this filter: PostgreSQL re-checks a plain WHERE on the row it waited for, but a join would
            # turn it into "id IN (subquery)", read before the wait, and every taker would win.
            moved = ShiftPlace.objects.filter(
                pk=place.pk, supporter_id=holder_id, cover_wanted_at__isnull=False
            ).update(supporter=taker, cover_wanted_at=None)
    except IntegrityError as exc:  # the taker got a place on the shift a moment ago
        raise ValidationError("You already hold a place on this shift.") from exc
    if not moved:
        raise CoverGone
    _edited(place.shift)
    _audit_shift(
        "roster.cover.taken", actor=taker, shift=place.shift, request=request, role=place.role, previous=holder_id
    )
    notify(user_id=holder_id, kind=Kind.COVER_TAKEN, link=reverse("roster:my_shifts"))
    place.supporter_id, place.cover_wanted_at = taker.pk, None
    return place


# --- the 30-second contact record ----------------------------------------------------------------------------------


@transaction.atomic
def file_contact(
    *,
    supporter: User,
    record_id: int,
    topics: Sequence[Topic],
    career_stage: str,
    minutes: int,
    referral_given: bool,
    risk_raised: bool,
    hard_for_me: bool = False,
    region: str | None = None,
    request: HttpRequest | None = None,
) -> ContactRecord:
    """Fill in the record of an ended contact (again, to correct it). Categories and numbers only: no free text."""
    contact = ContactRecord.objects.select_for_update().filter(pk=record_id, supporter=supporter).first()
    if contact is None:
        raise ValidationError("This contact record is not yours.")
    if contact.ended_at is None:
        raise ValidationError("This contact has not ended yet.")
    if career_stage and career_stage not in CareerStage.values:
        raise ValidationError("Choose a career stage from the list.")
    if not 1 <= minutes <= MAX_MINUTES:
        raise ValidationError(f"Give the length in minutes, from 1 to {MAX_MINUTES}.")
    first = contact.filed_at is None
    contact.career_stage = career_stage
    contact.minutes = minutes
    contact.referral_given = referral_given
    contact.risk_raised = risk_raised
    contact.hard_for_me = hard_for_me
    if region is not None:
        if region and region not in Region.values:
            raise ValidationError("Choose a region from the list.")
        contact.region = region
    contact.filed_at = contact.filed_at or now()
    contact.save(update_fields=["career_stage", "minutes", "referral_given", "risk_raised", "hard_for_me", "filed_at"])
    contact.topics.set(topics)
    record(
        "roster.contact.filed" if first else "roster.contact.corrected",
        actor=supporter,
        target=contact,
        request=request,
        details={"format": contact.format},
    )
    nudge_after_hard_week(supporter=supporter)
    return contact


# --- the daily email about gaps -------------------------------------------------------------------------------------


GAP_EMAIL_FROM_HOUR = 7
"""The day's gap email goes out at the first hourly run from 7 am in the service's zone, not in the night."""


def gap_email(recipient: str, found: Sequence[Gap]) -> EmailMultiAlternatives:
    """'The roster has gaps in the next 72 hours': times and shortfalls only, never anyone's name. Gaps on the
    on-call rota read "no coordinator on call"."""
    zone = _zone()
    lines = [f"{when_text(g.starts_at, zone)} – {clock(g.ends_at.astimezone(zone))}: {g.what.lower()}" for g in found]
    context = {
        "service_name": current_settings().name,
        "lines": lines,
        "hours": GAP_ALERT_HOURS,
        "link": f"{settings.SITE_URL}{reverse('console:roster_coverage')}",
        "zone": place(str(zone)),
    }
    message = EmailMultiAlternatives(
        subject=f"Roster gaps in the next {GAP_ALERT_HOURS} hours",
        body=render_to_string("roster/email/gaps.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient],
    )
    message.attach_alternative(render_to_string("roster/email/gaps.html", context), "text/html")
    return message


def email_gaps(*, at: dt.datetime | None = None) -> int:
    """Email the coordinators about uncovered hours in the next 72 hours (supporters' shifts and the on-call rota),
    once per service-local day: the run claims
    the day by creating its ``GapAlert`` row, so a second run that day (or one racing it) sends nothing. Returns the
    number of gaps emailed (0 when none, or already sent today)."""
    at = at or now()
    if at.astimezone(_zone()).hour < GAP_EMAIL_FROM_HOUR:
        return 0
    found = [*gaps(at=at), *gaps(at=at, rota=Rota.ON_CALL)]
    if not found:
        return 0
    recipients = list(
        User.objects.filter(is_coordinator=True, is_active=True).exclude(email="").values_list("email", flat=True)
    )
    if not recipients:
        return 0
    today = at.astimezone(_zone()).date()
    try:
        with transaction.atomic():
            GapAlert.objects.create(day=today, sent_at=now(), gaps=len(found))
            for recipient in recipients:
                queue_email(gap_email(recipient, found))
            record("roster.gaps.emailed", details={"day": today.isoformat(), "gaps": len(found)})
    except IntegrityError:
        return 0
    return len(found)
