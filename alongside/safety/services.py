"""Writes of the safety app: raising a concern (every way in calls ``raise_concern``), acknowledging it, its
timeline and closing it; debrief requests; conduct reports. Break-glass is in ``breakglass``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse

from alongside.audit.services import record
from alongside.lib.sockets import tell_console
from alongside.lib.time import now
from alongside.notifications.models import Kind
from alongside.notifications.services import notify
from alongside.roster.models import Role
from alongside.roster.selectors import on_call_ids
from alongside.safety.alerts import withdraw_banners
from alongside.safety.models import (
    Action,
    ClosingOutcome,
    Concern,
    ConcernEvent,
    DebriefRequest,
    EventKind,
    Level,
    Report,
    ReportCategory,
    ReportStatus,
    Source,
)
from alongside.safety.tasks import alert_concern

NOTE_MAX_LENGTH = 2000
# A second "Raise" from the same person about the same place within this long is the same concern (a double tap,
# a retried post): the first one is answered again instead of alerting the coordinator twice.
DUPLICATE_WINDOW = dt.timedelta(minutes=1)


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
    transaction.on_commit(lambda: alert_concern(concern_id))
    tell_console("concerns")
    return concern


@transaction.atomic
def raise_concern_once(
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
) -> tuple[Concern, bool]:
    """``raise_concern``, unless the same person raised one about the same place within the last minute: then that
    one, and False. The raiser's row is locked first, so two taps racing each other make one concern."""
    get_user_model().objects.select_for_update().filter(pk=raised_by.pk).first()
    # The same place: ``None`` matches an empty reference (Django filters ``=None`` as ``IS NULL``).
    # The member too: in a group, concerns about two different members a moment apart are two concerns.
    place: dict[str, int | None] = {
        "thread_id": thread_id,
        "connection_id": connection_id,
        "contact_id": contact_id,
        "member_id": member.pk if member is not None else None,
    }
    existing = (
        Concern.objects.filter(
            raised_by=raised_by,
            source=source,
            **place,
            raised_at__gte=now() - DUPLICATE_WINDOW,
            closed_at__isnull=True,
        )
        .order_by("-raised_at", "-id")
        .first()
    )
    if existing is not None:
        record("safety.concern.repeated", actor=raised_by, target=existing, request=request)
        return existing, False
    made = raise_concern(
        raised_by=raised_by,
        level=level,
        source=source,
        note=note,
        actions=actions,
        member=member,
        thread_id=thread_id,
        connection_id=connection_id,
        contact_id=contact_id,
        request=request,
    )
    return made, True


def debrief_recipients() -> list[int]:
    """Who hears of a debrief request: the coordinator on call, or every active coordinator when nobody is."""
    people = on_call_ids(role=Role.PRIMARY)
    if people:
        return people
    return list(
        get_user_model().objects.filter(is_coordinator=True, is_active=True).order_by("pk").values_list("pk", flat=True)
    )


@transaction.atomic
def request_debrief(
    *,
    supporter: Any,
    contact_id: int | None = None,
    concern_id: int | None = None,
    request: HttpRequest | None = None,
) -> tuple[DebriefRequest, bool]:
    """Ask for a debrief: one open request per supporter. A second ask answers the open one, and False."""
    if not getattr(supporter, "is_supporter", False):
        raise ValidationError("Debriefs are for supporters.")
    open_one = DebriefRequest.objects.filter(requested_by=supporter, done_at__isnull=True).first()
    if open_one is not None:
        return open_one, False
    try:
        with transaction.atomic():
            made = DebriefRequest.objects.create(requested_by=supporter, contact_id=contact_id, concern_id=concern_id)
    except IntegrityError:
        # Another tap won the race (the one-open constraint): answer with its request.
        return DebriefRequest.objects.get(requested_by=supporter, done_at__isnull=True), False
    link = reverse("console:debriefs")
    for user_id in debrief_recipients():
        notify(user_id=user_id, kind=Kind.DEBRIEF_REQUESTED, link=link)
    record(
        "safety.debrief.requested",
        actor=supporter,
        target=made,
        request=request,
        details={"contact": contact_id is not None, "concern": concern_id is not None},
    )
    return made, True


@transaction.atomic
def take_debrief(*, coordinator: Any, debrief_id: int, request: HttpRequest | None = None) -> DebriefRequest:
    """A coordinator takes a debrief ("I'll call them"): the first to take it has it."""
    at = now()
    taken = DebriefRequest.objects.filter(pk=debrief_id, taken_by__isnull=True, done_at__isnull=True).update(
        taken_by=coordinator, taken_at=at
    )
    found = DebriefRequest.objects.select_related("taken_by__profile").get(pk=debrief_id)
    if not taken:
        if found.done_at is not None:
            raise ValidationError("This debrief is already done.")
        if found.taken_by_id != coordinator.pk:
            raise ValidationError(f"{found.taken_by.display_name if found.taken_by else 'Someone'} has taken it.")
        return found
    record("safety.debrief.taken", actor=coordinator, target=found, request=request)
    return found


@transaction.atomic
def finish_debrief(*, coordinator: Any, debrief_id: int, request: HttpRequest | None = None) -> DebriefRequest:
    """Mark a debrief done (taking it too, if nobody had). Done twice is done once."""
    at = now()
    DebriefRequest.objects.filter(pk=debrief_id, taken_by__isnull=True, done_at__isnull=True).update(
        taken_by=coordinator, taken_at=at
    )
    finished = DebriefRequest.objects.filter(pk=debrief_id, done_at__isnull=True).update(done_at=at)
    found = DebriefRequest.objects.get(pk=debrief_id)
    if finished:
        record("safety.debrief.done", actor=coordinator, target=found, request=request)
    return found


# --- after the alert: acknowledging, the timeline, closing ---------------------------------------------------------


def _open(concern: Concern) -> None:
    if concern.closed_at is not None:
        raise ValidationError("This concern is closed: its timeline can't change.")


@transaction.atomic
def acknowledge(*, concern: Concern, by: Any, request: HttpRequest | None = None) -> Concern:
    """``by`` takes the concern: they handle it from now on, the escalation stops and the other coordinators'
    live banners go."""
    _open(concern)
    at = now()
    taken = Concern.objects.filter(pk=concern.pk, closed_at__isnull=True, acknowledged_at__isnull=True).update(
        acknowledged_at=at, handler=by, next_step_at=None
    )
    if not taken:
        concern.refresh_from_db()
        handler = concern.handler.display_name if concern.handler else "another coordinator"
        raise ValidationError(f"{handler} has already acknowledged this concern.")
    ConcernEvent.objects.create(concern=concern, kind=EventKind.ACKNOWLEDGED, at=at, actor=by)
    record("safety.concern.acknowledged", actor=by, target=concern, request=request)
    withdraw_banners(concern.pk)
    concern.refresh_from_db()
    tell_console("concerns")
    return concern


@transaction.atomic
def add_to_timeline(
    *, concern: Concern, by: Any, action: str = "", note: str = "", request: HttpRequest | None = None
) -> ConcernEvent:
    """An action taken (from ``Action``, with an optional note) or a note alone, added to the timeline."""
    _open(concern)
    note = note.strip()
    if action and action not in Action.values:
        raise ValidationError("Choose the action from the list.")
    if not action and not note:
        raise ValidationError("Choose an action or write a note.")
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(f"Keep the note under {NOTE_MAX_LENGTH} characters.")
    kind = EventKind.ACTION if action else EventKind.NOTE
    event = ConcernEvent.objects.create(concern=concern, kind=kind, actor=by, action=action, note=note)
    record(
        "safety.concern.action_added" if action else "safety.concern.note_added",
        actor=by,
        target=concern,
        request=request,
        details={"action": action} if action else {},
    )
    return event


IMMINENT_OUTCOMES = (ClosingOutcome.EMERGENCY_CONTACTED, ClosingOutcome.NOT_NEEDED)
NEEDS_REASON = (ClosingOutcome.NOT_NEEDED, ClosingOutcome.NO_CONTACT)
REASON_MIN_LENGTH = 10


@transaction.atomic
def close_concern(
    *, concern: Concern, by: Any, outcome: str, reason: str = "", request: HttpRequest | None = None
) -> Concern:
    """Close with an outcome. An imminent-risk concern closes only with emergency services contacted, or with why
    they were not needed; "not needed" and "could not make contact" need the reason written (a timeline note).
    Closing an unacknowledged concern acknowledges it too: whoever closes it has handled it."""
    _open(concern)
    reason = reason.strip()
    if outcome not in ClosingOutcome.values:
        raise ValidationError("Choose the outcome.")
    if concern.level == Level.IMMINENT and outcome not in IMMINENT_OUTCOMES:
        raise ValidationError(
            "An imminent-risk concern closes only with emergency services contacted, or with why they were not needed."
        )
    if outcome in NEEDS_REASON and len(reason) < REASON_MIN_LENGTH:
        raise ValidationError("Write why (a sentence at least).")
    if len(reason) > NOTE_MAX_LENGTH:
        raise ValidationError(f"Keep the reason under {NOTE_MAX_LENGTH} characters.")
    at = now()
    handler_id = concern.handler_id or getattr(by, "pk", None)
    closed = Concern.objects.filter(pk=concern.pk, closed_at__isnull=True).update(
        closed_at=at,
        outcome=outcome,
        next_step_at=None,
        handler_id=handler_id,
        acknowledged_at=concern.acknowledged_at or at,
    )
    if not closed:
        raise ValidationError("This concern is closed already.")
    if reason:
        ConcernEvent.objects.create(concern=concern, kind=EventKind.NOTE, at=at, actor=by, note=reason)
    ConcernEvent.objects.create(concern=concern, kind=EventKind.CLOSED, at=at, actor=by)
    record("safety.concern.closed", actor=by, target=concern, request=request, details={"outcome": outcome})
    withdraw_banners(concern.pk)
    concern.refresh_from_db()
    tell_console("concerns")
    return concern


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
