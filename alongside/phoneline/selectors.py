"""Reads for the phone line: people's own numbers, who a call-back is offered to, and the coordinators' summary."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from alongside.accounts.models import User
from alongside.lib.time import now
from alongside.phoneline.models import Callback, CallbackStatus, CallKind, CallState, OwnNumber, PhoneCall
from alongside.roster.models import Role, ShiftPlace
from alongside.roster.selectors import available_ids
from alongside.supporters.models import SupporterStatus


def own_number(user_id: int) -> str:
    """The person's own number (E.164), or "" when they have given none. For the person themself and for dialling."""
    row = OwnNumber.objects.filter(user_id=user_id).first()
    return row.number if row is not None else ""


def numbers_of(user_ids: Iterable[int]) -> dict[int, str]:
    """Own numbers by person, for dialling only: never rendered."""
    ids = list(user_ids)
    return {row.user_id: row.number for row in OwnNumber.objects.filter(user_id__in=ids) if row.number}


def has_number_ids(user_ids: Iterable[int]) -> set[int]:
    """Who among these has a number set: what a coordinator may know ("set" or "not set")."""
    return set(
        OwnNumber.objects.filter(user_id__in=list(user_ids)).exclude(number="").values_list("user_id", flat=True)
    )


def reachable_now(*, role: str, at: dt.datetime | None = None) -> list[int]:
    """Available on-shift supporters in ``role`` who have a mobile number the phone line can ring."""
    ids = available_ids(at, role=role)
    with_number = has_number_ids(ids)
    return [pk for pk in ids if pk in with_number]


def supporter_ids_for_window(starts_at: dt.datetime, ends_at: dt.datetime) -> list[int]:
    """Active supporters holding a place on a shift (not cancelled) that overlaps the window."""
    return sorted(
        set(
            ShiftPlace.objects.filter(
                shift__starts_at__lt=ends_at,
                shift__ends_at__gt=starts_at,
                shift__cancelled_at__isnull=True,
                supporter__is_active=True,
                supporter__is_supporter=True,
                supporter__supporter__status=SupporterStatus.ACTIVE,
            ).values_list("supporter_id", flat=True)
        )
    )


def is_offered_to(callback: Callback, user_id: int) -> bool:
    return user_id in supporter_ids_for_window(callback.window_starts_at, callback.window_ends_at)


def callbacks_offered_to(user: User, *, at: dt.datetime | None = None) -> list[Callback]:
    """Waiting call-backs whose window has not passed and overlaps one of this supporter's shifts."""
    at = at or now()
    places = ShiftPlace.objects.filter(
        supporter=user, shift__cancelled_at__isnull=True, shift__ends_at__gt=at
    ).values_list("shift__starts_at", "shift__ends_at")
    shifts = list(places)
    if not shifts:
        return []
    waiting = Callback.objects.filter(status=CallbackStatus.WAITING, window_ends_at__gt=at).prefetch_related("topics")
    return [cb for cb in waiting if any(s < cb.window_ends_at and e > cb.window_starts_at for s, e in shifts)]


def callbacks_taken_by(user: User) -> QuerySet[Callback]:
    return Callback.objects.filter(taken_by=user, status=CallbackStatus.TAKEN).prefetch_related("topics")


def latest_call(*, callback: Callback | None = None, session_id: int | None = None) -> PhoneCall | None:
    calls = PhoneCall.objects.all()
    if callback is not None:
        calls = calls.filter(callback=callback)
    if session_id is not None:
        calls = calls.filter(session_id=session_id)
    return calls.order_by("-started_at", "-id").first()


@dataclass(frozen=True)
class LineSummary:
    """What coordinators see: counts and states, never a number or a name."""

    calls_by_outcome: list[tuple[str, int]]
    open_calls: int
    waiting_callbacks: int
    taken_callbacks: int
    primary_reachable: int
    backup_reachable: int


def line_summary(*, days: int = 30, at: dt.datetime | None = None) -> LineSummary:
    at = at or now()
    since = at - dt.timedelta(days=days)
    outcomes = Counter(
        PhoneCall.objects.filter(kind=CallKind.INBOUND, started_at__gte=since).values_list("outcome", flat=True)
    )
    labels = dict(PhoneCall._meta.get_field("outcome").choices or [])  # type: ignore[arg-type]
    return LineSummary(
        calls_by_outcome=[(str(labels.get(k, "Still open")), n) for k, n in sorted(outcomes.items())],
        open_calls=PhoneCall.objects.exclude(state=CallState.ENDED).count(),
        waiting_callbacks=Callback.objects.filter(status=CallbackStatus.WAITING).count(),
        taken_callbacks=Callback.objects.filter(status=CallbackStatus.TAKEN).count(),
        primary_reachable=len(reachable_now(role=Role.PRIMARY, at=at)),
        backup_reachable=len(reachable_now(role=Role.BACKUP, at=at)),
    )
