"""Daily roster work: making the coming weeks' shifts from the patterns, and emailing coordinators about gaps."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from alongside.roster.services import email_gaps, end_stale_contacts, materialise


@db_periodic_task(crontab(hour="*/6", minute="7"))
def materialise_shifts() -> int:
    """Make the next 28 days' shifts from the weekly patterns. Daily would do; every six hours catches a worker that
    was down at the daily hour. Idempotent: shifts already made are never made again."""
    return materialise()


@db_periodic_task(crontab(hour="*", minute="17"))
def email_roster_gaps() -> int:
    """Email coordinators about gaps in the next 72 hours, once per day: hourly runs after the first that day (or
    after a day without gaps) send nothing, so a worker restart never skips a day or sends twice."""
    return email_gaps()


@db_periodic_task(crontab(minute="*/15"))
def end_lost_contacts() -> int:
    """End contacts whose end was lost (a process died) so their supporters are free again."""
    return end_stale_contacts()
