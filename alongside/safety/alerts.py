"""Alerting the coordinator on call about a concern: each step is claimed once, each alert is a timeline line.

The alert says only that a concern was raised, with a link: never a name, the level's story or the note.
"""

from __future__ import annotations

from django.db import transaction

from alongside.lib.time import now
from alongside.notifications.models import Kind
from alongside.notifications.services import notify
from alongside.roster.models import Role
from alongside.roster.selectors import on_call_ids
from alongside.safety.models import Concern, ConcernEvent, EventKind


def concern_path(concern_id: int) -> str:
    return f"/concerns/{concern_id}/"


def recipients(step: int) -> list[int]:
    """Who is alerted at a step: the coordinator on call, the backup on call."""
    return on_call_ids(role=Role.PRIMARY if step == 0 else Role.BACKUP)


@transaction.atomic
def send_first_alert(concern_id: int) -> int:
    """Alert the current step's coordinators, once: the step is claimed by setting ``alerted_at``."""
    claimed = Concern.objects.filter(pk=concern_id, alerted_at__isnull=True, closed_at__isnull=True).update(
        alerted_at=now()
    )
    if not claimed:
        return 0
    concern = Concern.objects.get(pk=concern_id)
    people = recipients(concern.step)
    for user_id in people:
        notify(user_id=user_id, kind=Kind.CONCERN_RAISED, link=concern_path(concern_id))
        ConcernEvent.objects.create(
            concern=concern, kind=EventKind.ALERTED, channel="app", recipient_id=user_id, step=concern.step
        )
    return len(people)
