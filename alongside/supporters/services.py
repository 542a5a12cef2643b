"""Writes for supporter profiles: their own edits, and a coordinator pausing or resuming them."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from alongside.accounts.models import User
from alongside.audit.services import record
from alongside.directory.models import Specialty, Topic
from alongside.lib.time import now
from alongside.matching.weekly import Window, merge_windows
from alongside.notifications.models import Kind
from alongside.notifications.services import notify
from alongside.supporters.models import Format, SupporterProfile, SupporterStatus

MAX_CAPACITY = 20


def profile_for(user: User) -> SupporterProfile:
    """The supporter's profile, created empty the first time they look at it."""
    profile, _ = SupporterProfile.objects.get_or_create(user=user)
    return profile


def check_windows(windows: list[Window]) -> list[Window]:
    for w in windows:
        if not (0 <= w.day <= 6 and 0 <= w.start < w.end <= 24 * 60):
            raise ValidationError({"availability": "Each window needs a day and a start earlier than its end."})
    ordered = sorted(windows, key=lambda w: (w.day, w.start))
    for a, b in itertools.pairwise(ordered):
        if a.day == b.day and b.start < a.end:
            raise ValidationError({"availability": "Two windows on the same day overlap."})
    return merge_windows(ordered)


@transaction.atomic
def save_supporter_profile(
    *,
    user: User,
    bio: str,
    formats: Iterable[str],
    capacity: int,
    status: str,
    availability: list[Window],
    specialties: Iterable[Specialty] = (),
    topics: Iterable[Topic] = (),
    gender: str = "",
    paused_until: dt.date | None = None,
    request: HttpRequest | None = None,
) -> SupporterProfile:
    """Save what a supporter says about themselves. Everything is checked before anything is written."""
    if not user.is_supporter:
        raise ValidationError("Only supporters have a supporter profile.")
    chosen_formats = sorted(set(formats))
    if not chosen_formats or any(f not in Format.values for f in chosen_formats):
        raise ValidationError({"formats": "Choose at least one format you offer."})
    if not 1 <= capacity <= MAX_CAPACITY:
        raise ValidationError({"capacity": f"Choose a number from 1 to {MAX_CAPACITY}."})
    if status not in SupporterStatus.values:
        raise ValidationError({"status": "Choose a status from the list."})
    if status == SupporterStatus.PAUSED and paused_until is None:
        raise ValidationError({"paused_until": "Give the date your pause ends."})
    windows = check_windows(availability)
    profile = SupporterProfile.objects.select_for_update().get(pk=profile_for(user).pk)
    profile.bio = bio.strip()
    profile.gender = " ".join(gender.split())
    profile.formats = chosen_formats
    profile.capacity = capacity
    profile.status = status
    profile.paused_until = paused_until if status == SupporterStatus.PAUSED else None
    profile.availability = [w.to_json() for w in windows]
    profile.last_active_at = now()
    profile.full_clean(exclude=["user"])
    profile.save()
    profile.specialties.set(specialties)
    profile.topics.set(topics)
    record("supporters.profile.updated", actor=user, subject=user, target=profile, request=request)
    return profile


@transaction.atomic
def set_paused(
    *,
    actor: User,
    profile: SupporterProfile,
    paused: bool,
    until: dt.date | None = None,
    request: HttpRequest | None = None,
) -> SupporterProfile:
    """A coordinator pauses new offers to a supporter (until a date, or until resumed), or resumes them."""
    if not actor.is_coordinator:
        raise ValidationError("Only coordinators can pause a supporter.")
    if until is not None and until < timezone.localdate():
        raise ValidationError({"until": "Choose a date from today on."})
    locked = SupporterProfile.objects.select_for_update().get(pk=profile.pk)
    locked.status = SupporterStatus.PAUSED if paused else SupporterStatus.ACTIVE
    locked.paused_until = until if paused else None
    locked.save(update_fields=["status", "paused_until", "updated_at"])
    record(
        "supporters.profile.paused" if paused else "supporters.profile.resumed",
        actor=actor,
        subject=locked.user,
        target=locked,
        request=request,
        details={"until": until.isoformat() if paused and until else ""},
    )
    notify(
        user_id=locked.user_id,
        kind=Kind.SUPPORTER_PAUSED if paused else Kind.SUPPORTER_RESUMED,
        link="/supporter/profile/",
    )
    profile.status, profile.paused_until = locked.status, locked.paused_until
    return locked
