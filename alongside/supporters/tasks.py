"""The daily training check: reminders 30 days before a completion expires, and pausing supporters whose required
training is out of date (each claimed once, so a second worker or a second run sends and pauses nothing twice)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from alongside.lib.time import now
from alongside.supporters import training


@db_periodic_task(crontab(hour="6", minute="10"))
def check_training() -> dict[str, int]:
    today = now().date()
    return {"reminded": training.remind_expiring(today=today), "paused": training.pause_out_of_date(today=today)}
