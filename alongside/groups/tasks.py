"""Background work for groups. Here: a drop-in ends at its set time (its thread closes, read-only; the retention policy
later erases its words like any closed thread's). Huey and ``serve`` find an app's ``tasks`` module, so the debriefs'
outreach and guest expiry (``debrief_tasks``) and the meeting reminders (``meeting_tasks``) are imported here too."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from alongside.groups.debrief_tasks import expire_debrief_guests, send_debrief_outreach
from alongside.groups.meeting_tasks import remind_group_meetings
from alongside.groups.models import Group, GroupKind
from alongside.groups.services import end_group
from alongside.lib.time import now

BATCH = 200


def end_due_drop_ins() -> int:
    """End every drop-in past its set end. ``end_group`` claims each with a conditional UPDATE, so two workers (or a
    facilitator ending it by hand at the same moment) end it once. Returns how many this run ended."""
    due = Group.objects.filter(kind=GroupKind.DROP_IN, ended_at__isnull=True, ends_at__lte=now()).order_by("ends_at")
    return sum(1 for group in due[:BATCH] if end_group(group=group))


@db_periodic_task(crontab(minute="*"))
def end_drop_ins() -> None:
    end_due_drop_ins()


__all__ = ["end_drop_ins", "expire_debrief_guests", "remind_group_meetings", "send_debrief_outreach"]
