"""Reads of the safety app: the console's lists, a concern's timeline, the coordinator home's summary and the live
banners a coordinator's pages show on load."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, IntegerField, QuerySet, Value, When

from alongside.safety.models import Concern, ConcernEvent, EventKind, Level


def open_concerns() -> QuerySet[Concern]:
    """Open concerns: imminent first, then unacknowledged, then the oldest."""
    return (
        Concern.objects.filter(closed_at__isnull=True)
        .select_related("handler__profile")
        .annotate(
            imminent_first=Case(
                When(level=Level.IMMINENT, then=Value(0)), default=Value(1), output_field=IntegerField()
            ),
            unacknowledged_first=Case(
                When(acknowledged_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()
            ),
        )
        .order_by("imminent_first", "unacknowledged_first", "raised_at", "pk")
    )


def closed_concerns() -> QuerySet[Concern]:
    return (
        Concern.objects.filter(closed_at__isnull=False).select_related("handler__profile").order_by("-closed_at", "-pk")
    )


def timeline(concern: Concern) -> QuerySet[ConcernEvent]:
    return concern.events.select_related("actor__profile", "recipient__profile").order_by("at", "id")


@dataclass(frozen=True)
class OpenSummary:
    count: int
    unacknowledged: int
    oldest_raised_at: dt.datetime | None


def open_summary() -> OpenSummary:
    rows = list(Concern.objects.filter(closed_at__isnull=True).values_list("raised_at", "acknowledged_at"))
    return OpenSummary(
        count=len(rows),
        unacknowledged=sum(1 for _raised, acked in rows if acked is None),
        oldest_raised_at=min((raised for raised, _acked in rows), default=None),
    )


def open_count() -> int:
    return Concern.objects.filter(closed_at__isnull=True).count()


def alerts_for(user_id: int) -> list[int]:
    """The open, unacknowledged concerns this coordinator has been alerted to: their pages' banners on load."""
    return sorted(
        set(
            ConcernEvent.objects.filter(
                kind=EventKind.ALERTED,
                recipient_id=user_id,
                concern__closed_at__isnull=True,
                concern__acknowledged_at__isnull=True,
            ).values_list("concern_id", flat=True)
        )
    )
