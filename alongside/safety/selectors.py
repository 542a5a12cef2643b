"""Reads of the safety app: the coordinators' report queue."""

from __future__ import annotations

from django.db.models import Case, IntegerField, QuerySet, Value, When

from alongside.safety.models import Report, ReportStatus


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
