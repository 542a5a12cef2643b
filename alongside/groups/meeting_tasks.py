"""Periodic work for group meetings: claiming and sending the 24-hour and 1-hour reminders that have come due.

Huey discovers only ``tasks`` modules, so GroupsConfig.ready imports this one."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from alongside.groups.meetings import send_due_reminders


@db_periodic_task(crontab(minute="*/5"))
def remind_group_meetings() -> int:
    """Every five minutes, claim and send the group meeting reminders that have come due."""
    return send_due_reminders()
