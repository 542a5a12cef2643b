"""The safety app's background work: alerting a concern as soon as it is raised; the hourly retention run."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from alongside.safety.alerts import send_first_alert
from alongside.safety.retention import apply_retention


@db_task()
def alert_concern(concern_id: int) -> int:
    return send_first_alert(concern_id)


@db_periodic_task(crontab(minute="23"))
def erase_expired_content() -> int:
    """Hourly: erase what has outlived the retention policy (``safety.retention``)."""
    return apply_retention().messages
