"""Writes of the safety app: raising a concern (every way in calls ``raise_concern``) and debrief requests."""

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
from alongside.lib.time import now
from alongside.notifications.models import Kind
from alongside.notifications.services import notify
from alongside.roster.models import Role
from alongside.roster.selectors import on_call_ids
from alongside.safety.models import Action, Concern, ConcernEvent, DebriefRequest, EventKind, Level, Source

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
    transaction.on_commit(lambda: _enqueue_alert(concern_id))
    return concern


def _enqueue_alert(concern_id: int) -> None:
    # Imported here: the tasks module imports this one (alert steps are services too).
    from alongside.safety.tasks import alert_concern

    alert_concern(concern_id)


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
    place: dict[str, int | None] = {"thread_id": thread_id, "connection_id": connection_id, "contact_id": contact_id}
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
