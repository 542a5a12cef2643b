"""Writes of the safety app: raising a concern (every way in calls ``raise_concern``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from alongside.audit.services import record
from alongside.lib.time import now
from alongside.safety.models import Action, Concern, ConcernEvent, EventKind, Level, Source

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
