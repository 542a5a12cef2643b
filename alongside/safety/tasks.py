"""The safety app's background work: the first alert as soon as a concern is raised, and a sweep every minute that
sends any alert the worker missed and takes every step that is due. The eta task of each next step and the SMS
alerts live in ``alerts`` (the steps queue them) and are re-exported here. All claim their work with a conditional
update, so a restarted or second worker alerts nobody twice. And the hourly retention run."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from alongside.safety import alerts
from alongside.safety.alerts import escalate_concern, send_sms_alert
from alongside.safety.retention import apply_retention

__all__ = ["alert_concern", "erase_expired_content", "escalate_concern", "send_sms_alert", "sweep"]


@db_task()
def alert_concern(concern_id: int) -> int:
    return alerts.send_first_alert(concern_id)


@db_periodic_task(crontab(minute="*"))
def sweep() -> dict[str, int]:
    """Every minute: alerts never sent (the worker was down) and every step that is due."""
    return alerts.sweep()


@db_periodic_task(crontab(minute="23"))
def erase_expired_content() -> int:
    """Hourly: erase what has outlived the retention policy (``safety.retention``)."""
    return apply_retention().messages
