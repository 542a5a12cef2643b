"""Periodic work for ongoing connections. Each task is idempotent and claims rows with a conditional UPDATE."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from alongside.connections.services import announce_due_reviews, announce_overdue_reviews, lapse_due_offers


@db_periodic_task(crontab(minute="*/5"))
def lapse_offers() -> int:
    """Offers unanswered for 48 hours lapse; each request moves on to its next suggestion."""
    return lapse_due_offers()


@db_periodic_task(crontab(minute="7"))
def announce_reviews() -> int:
    """Once an hour, tell both sides of each connection whose review point has come, and (once) of each one that is
    overdue."""
    return announce_due_reviews() + announce_overdue_reviews()
