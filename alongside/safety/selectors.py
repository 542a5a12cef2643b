"""Reads of the safety app: where a concern stands for the person who raised it, and debrief requests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from alongside.lib.time import now
from alongside.safety.models import Concern, DebriefRequest

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
