"""Debrief background work: the private outreach (every 5 minutes) and deleting guests whose link expired.

Each outreach row is claimed with a conditional UPDATE (``outreach_sent_at IS NULL``), so two workers never send one
twice; see ``debriefs.send_one_outreach``.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from alongside.groups import debriefs


@db_periodic_task(crontab(minute="*/5"))
def send_debrief_outreach() -> int:
    result = debriefs.send_due_outreach()
    return result.notified + result.emailed


@db_periodic_task(crontab(minute="*/5"))
def expire_debrief_guests() -> int:
    return debriefs.expire_guests()
