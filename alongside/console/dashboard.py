"""The console's dashboard: the state of the service now, for the coordinators who run it.

Open requests for a peer and how long they have waited; talk now today and this week (requests, answered, the
answer rate, waits); the roster's uncovered hours in the next 14 days; supporters at capacity; training expiring or
out of date; open concerns and their ages; feedback. Operational figures for the coordinators (the reports page is
where small numbers are suppressed); feedback, which is anonymous, only from 5 answers.
"""

from __future__ import annotations

import datetime as dt
import statistics
import zoneinfo
from dataclasses import dataclass

from django.db.models import Avg, Count, F

from alongside.connections.models import LIVE_REQUEST_STATUSES, Feedback, SupportRequest
from alongside.connections.selectors import supporters_with_load
from alongside.lib.time import now
from alongside.roster.selectors import COVERAGE_DAYS, gaps
from alongside.safety.models import Concern
from alongside.service.selectors import current_settings
from alongside.supporters.models import (
    CLOSED_STATUSES,
    Application,
    ApplicationStatus,
    SupporterProfile,
    SupporterStatus,
    TrainingRecord,
)
from alongside.supporters.training import PAUSED_FOR_TRAINING, REMIND_DAYS
from alongside.talknow.models import State, TalkNowRequest

FEEDBACK_DAYS = 90
FEEDBACK_MIN = 5


@dataclass(frozen=True)
class TalkNowFigures:
    label: str
    requests: int
    answered: int
    median_wait_minutes: float | None

    @property
    def rate(self) -> str:
        return f"{round(100 * self.answered / self.requests)}%" if self.requests else "—"


@dataclass(frozen=True)
class Dashboard:
    at: dt.datetime
    requests_waiting: int
    oldest_request: dt.datetime | None
    waitlisted: int
    talknow_waiting: int
    talknow: list[TalkNowFigures]
    gap_hours: int
    gap_runs: int
    first_gap: dt.datetime | None
    at_capacity: int
    supporters_active: int
    training_expiring: int
    paused_for_training: int
    concerns_open: int
    concerns_unacknowledged: int
    oldest_concern: dt.datetime | None
    feedback_answers: int
    feedback: dict[str, float] | None
    applications_open: int


def _talknow(label: str, since: dt.datetime) -> TalkNowFigures:
    rows = TalkNowRequest.objects.filter(created_at__gte=since)
    answered = rows.filter(connected_at__isnull=False)
    waits = [
        w.total_seconds() / 60
        for w in answered.annotate(w=F("connected_at") - F("created_at")).values_list("w", flat=True)
    ]
    return TalkNowFigures(label, rows.count(), len(waits), statistics.median(waits) if waits else None)


def dashboard(at: dt.datetime | None = None) -> Dashboard:
    at = at or now()
    zone = zoneinfo.ZoneInfo(current_settings().time_zone)
    local = at.astimezone(zone)
    today = local.replace(hour=0, minute=0, second=0, microsecond=0)
    week = today - dt.timedelta(days=today.weekday())
    waiting = SupportRequest.objects.filter(status__in=LIVE_REQUEST_STATUSES)
    uncovered = gaps(at=at, hours=COVERAGE_DAYS * 24)
    loads = supporters_with_load().filter(status=SupporterStatus.ACTIVE, user__is_active=True)
    concerns = Concern.objects.filter(closed_at__isnull=True)
    feedback = Feedback.objects.filter(month__gte=(at - dt.timedelta(days=FEEDBACK_DAYS)).date().replace(day=1))
    scores = feedback.aggregate(
        n=Count("id"), heard=Avg("felt_heard"), respected=Avg("felt_respected"), recommend=Avg("would_recommend")
    )
    answers = int(scores.pop("n") or 0)
    return Dashboard(
        at=at,
        requests_waiting=waiting.count(),
        oldest_request=waiting.order_by("created_at").values_list("created_at", flat=True).first(),
        waitlisted=waiting.filter(status="waitlist").count(),
        talknow_waiting=TalkNowRequest.objects.filter(state=State.WAITING).count(),
        talknow=[_talknow("Today", today), _talknow("This week", week)],
        gap_hours=sum(round((g.ends_at - g.starts_at).total_seconds() / 3600) for g in uncovered),
        gap_runs=len(uncovered),
        first_gap=uncovered[0].starts_at if uncovered else None,
        at_capacity=loads.filter(active_load__gte=F("capacity")).count(),  # type: ignore[misc]  # annotated
        supporters_active=loads.count(),
        training_expiring=TrainingRecord.objects.filter(
            confirmed_at__isnull=False,
            expires_on__gte=local.date(),
            expires_on__lte=local.date() + dt.timedelta(days=REMIND_DAYS),
        ).count(),
        paused_for_training=SupporterProfile.objects.filter(
            status=SupporterStatus.PAUSED, paused_for=PAUSED_FOR_TRAINING
        ).count(),
        concerns_open=concerns.count(),
        concerns_unacknowledged=concerns.filter(acknowledged_at__isnull=True).count(),
        oldest_concern=concerns.order_by("raised_at").values_list("raised_at", flat=True).first(),
        feedback_answers=answers,
        feedback={k: float(v) for k, v in scores.items()} if answers >= FEEDBACK_MIN else None,
        applications_open=Application.objects.exclude(
            status__in=[*CLOSED_STATUSES, ApplicationStatus.ACTIVE, ApplicationStatus.PAUSED]
        ).count(),
    )
