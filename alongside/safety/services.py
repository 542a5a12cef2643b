"""Writes of the safety app: raising a concern (every way in calls ``raise_concern``); conduct reports."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse

from alongside.audit.services import record
from alongside.lib.time import now
from alongside.notifications.models import Kind
from alongside.notifications.services import notify
from alongside.safety.models import (
    Action,
    Concern,
    ConcernEvent,
    EventKind,
    Level,
    Report,
    ReportCategory,
    ReportStatus,
    Source,
)

NOTE_MAX_LENGTH = 2000


@transaction.atomic
def raise_concern(
    *,
    raised_by: Any,
    level: str,
    source: str,
    note: str = "",
    actions: Sequence[str] = (),
    member: Any = None,
    thread_id: int | None = None,
    connection_id: int | None = None,
    contact_id: int | None = None,
    request: HttpRequest | None = None,
) -> Concern:
    """Record a concern and its first timeline line, then alert the coordinator on call once the row is committed.

    The caller has checked that ``raised_by`` may raise it from this place (their thread, connection or contact).
    The alert goes out from the task queue; if the worker is down, the periodic check sends it when it is back.
    """
    if level not in Level.values:
        raise ValidationError("Choose how worried you are.")
    if source not in Source.values:
        raise ValueError(f"unknown source {source!r}")
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(f"Keep the note under {NOTE_MAX_LENGTH} characters.")
    unknown = set(actions) - set(Action.values)
    if unknown:
        raise ValidationError("Choose what has been done from the list.")
    at = now()
    concern = Concern.objects.create(
        level=level,
        source=source,
        note=note.strip(),
        actions=sorted(set(actions)),
        raised_by=raised_by,
        member=member,
        thread_id=thread_id,
        connection_id=connection_id,
        contact_id=contact_id,
        raised_at=at,
    )
    ConcernEvent.objects.create(concern=concern, kind=EventKind.RAISED, at=at, actor=raised_by)
    for action in concern.actions:
        ConcernEvent.objects.create(concern=concern, kind=EventKind.ACTION, at=at, actor=raised_by, action=action)
    record(
        "safety.concern.raised",
        actor=raised_by,
        target=concern,
        request=request,
        details={"level": level, "source": source},
    )
    concern_id = concern.pk
    transaction.on_commit(lambda: _enqueue_alert(concern_id))
    return concern


def _enqueue_alert(concern_id: int) -> None:
    # Imported here: the tasks module imports this one (alert steps are services too).
    from alongside.safety.tasks import alert_concern

    alert_concern(concern_id)


# --- conduct reports ---------------------------------------------------------------------------------------------

REPORT_TEXT_MAX_LENGTH = 4000
OUTCOME_NOTE_MAX_LENGTH = 4000


@transaction.atomic
def make_report(
    *,
    reporter: Any,
    about: Any,
    category: str,
    text: str,
    connection_id: int | None = None,
    thread_id: int | None = None,
    request: HttpRequest | None = None,
) -> Report:
    """One side reports the other's conduct. The coordinators are told that a report is waiting (nothing about it);
    the person reported is not told. The caller has checked the two share the connection or thread."""
    if category not in ReportCategory.values:
        raise ValidationError({"category": "Choose what it was about."})
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Say briefly what happened."})
    if len(text) > REPORT_TEXT_MAX_LENGTH:
        raise ValidationError({"text": f"Keep it under {REPORT_TEXT_MAX_LENGTH} characters."})
    if about is None or about.pk == reporter.pk:
        raise ValueError("a report is about the other person")
    report = Report.objects.create(
        reporter=reporter,
        about=about,
        category=category,
        text=text,
        connection_id=connection_id,
        thread_id=thread_id,
    )
    record("safety.report.made", actor=reporter, target=report, request=request, details={"category": category})
    link = reverse("console:report", kwargs={"pk": report.pk})
    for user_id in coordinator_ids():
        notify(user_id=user_id, kind=Kind.REPORT_NEW, link=link)
    return report


def coordinator_ids() -> list[int]:
    return list(
        get_user_model().objects.filter(is_coordinator=True, is_active=True).order_by("pk").values_list("pk", flat=True)
    )


@transaction.atomic
def take_report(*, report: Report, coordinator: Any, request: HttpRequest | None = None) -> Report:
    """A coordinator takes an open report: it is in review, and theirs. The first to take it wins."""
    at = now()
    taken = Report.objects.filter(pk=report.pk, status=ReportStatus.OPEN).update(
        status=ReportStatus.IN_REVIEW, handled_by=coordinator, taken_at=at
    )
    report.refresh_from_db()
    if not taken:
        raise ValidationError("This report has already been taken.")
    record("safety.report.taken", actor=coordinator, target=report, request=request)
    return report


@transaction.atomic
def close_report(*, report: Report, coordinator: Any, outcome_note: str, request: HttpRequest | None = None) -> Report:
    """Close a report with the coordinators' outcome note (never shown to the reporter)."""
    outcome_note = outcome_note.strip()
    if not outcome_note:
        raise ValidationError({"outcome_note": "Say what was done, for the other coordinators."})
    if len(outcome_note) > OUTCOME_NOTE_MAX_LENGTH:
        raise ValidationError({"outcome_note": f"Keep the note under {OUTCOME_NOTE_MAX_LENGTH} characters."})
    locked = Report.objects.select_for_update().get(pk=report.pk)
    if locked.status == ReportStatus.CLOSED:
        raise ValidationError("This report is already closed.")
    at = now()
    locked.status = ReportStatus.CLOSED
    locked.outcome_note = outcome_note
    locked.closed_at = at
    locked.taken_at = locked.taken_at or at
    locked.handled_by = locked.handled_by or coordinator
    locked.save(update_fields=["status", "outcome_note", "closed_at", "taken_at", "handled_by"])
    record("safety.report.closed", actor=coordinator, target=locked, request=request)
    report.refresh_from_db()
    return locked
