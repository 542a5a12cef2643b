"""Periodic work for sessions: claiming and sending the reminders that have come due."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from alongside.meetings.services import send_due_reminders


@db_periodic_task(crontab(minute="*/5"))
def remind_sessions() -> int:
    """Every five minutes, claim and send the 24-hour and 1-hour reminders that have come due."""
    return send_due_reminders()
