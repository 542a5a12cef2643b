"""The safety app's background work: alerting a concern as soon as it is raised."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from alongside.safety.alerts import send_first_alert


@db_task()
def alert_concern(concern_id: int) -> int:
    return send_first_alert(concern_id)
