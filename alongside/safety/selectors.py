"""Reads of the safety app: where a concern stands for the person who raised it, debrief requests; the console's
lists, a concern's timeline, the coordinator home's summary and the live banners a coordinator's pages show on load;
the coordinators' report queue."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, IntegerField, QuerySet, Value, When

from alongside.lib.time import now
from alongside.safety.models import Concern, ConcernEvent, DebriefRequest, EventKind, Level, Report, ReportStatus

RECENT_DEBRIEFS = dt.timedelta(days=7)


@dataclass(frozen=True)
class ConcernStatus:
    """What the raiser is told: alerted yet, acknowledged yet (and by whom), closed."""

    state: str  # "waiting", "alerted", "acknowledged", "closed"
    headline: str
    handler: str


def concern_status(concern: Concern) -> ConcernStatus:
    handler = concern.handler.display_name if concern.handler is not None else ""
    if concern.closed_at is not None:
        return ConcernStatus("closed", "The coordinators have closed this concern.", handler)
    if concern.acknowledged_at is not None:
        who = handler or "A coordinator"
        return ConcernStatus("acknowledged", f"{who} has acknowledged it and is dealing with it.", handler)
    if concern.alerted_at is not None:
        return ConcernStatus("alerted", "The coordinator on call has been alerted.", handler)
    return ConcernStatus("waiting", "The alert is on its way to the coordinator on call.", handler)


def open_debrief_of(user_id: int) -> DebriefRequest | None:
    """A supporter's open debrief request (at most one), with who has taken it."""
    return (
        DebriefRequest.objects.select_related("taken_by__profile")
        .filter(requested_by_id=user_id, done_at__isnull=True)
        .first()
    )


def open_debriefs() -> QuerySet[DebriefRequest]:
    """Debriefs waiting or taken and not yet done, oldest first: the console's list."""
    return DebriefRequest.objects.select_related("requested_by__profile", "taken_by__profile", "contact").filter(
        done_at__isnull=True
    )


def recent_debriefs(at: dt.datetime | None = None) -> QuerySet[DebriefRequest]:
    """Debriefs done in the last week, newest first."""
    since = (at or now()) - RECENT_DEBRIEFS
    return (
        DebriefRequest.objects.select_related("requested_by__profile", "taken_by__profile")
        .filter(done_at__gte=since)
        .order_by("-done_at")
    )


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


def report_queue(*, status: str = "") -> QuerySet[Report]:
    """Reports for the coordinators: open first (oldest first: the longest waiting), then in review, then closed
    (newest first)."""
    qs = Report.objects.select_related("reporter__profile", "about__profile", "handled_by__profile")
    if status:
        qs = qs.filter(status=status)
    rank = Case(
        When(status=ReportStatus.OPEN, then=Value(0)),
        When(status=ReportStatus.IN_REVIEW, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return qs.annotate(rank=rank).order_by("rank", "created_at", "pk")


def open_report_count() -> int:
    return Report.objects.filter(status=ReportStatus.OPEN).count()
