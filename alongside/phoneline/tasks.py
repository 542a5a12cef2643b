"""Periodic work for the phone line: call-backs whose window passed lapse, and their numbers are deleted."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from alongside.phoneline.services import lapse_callbacks


@db_periodic_task(crontab(minute="*/5"))
def lapse_due_callbacks() -> int:
    """Every five minutes: lapse waiting call-backs past their window, close forgotten ones, end lost calls."""
    return lapse_callbacks()
