"""Periodic work for ongoing connections. Each task is idempotent and claims rows with a conditional UPDATE."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_periodic_task(crontab(minute="*/5"))
def lapse_offers() -> int:
    """Offers unanswered for 48 hours lapse; each request moves on to its next suggestion."""
    from alongside.connections.services import lapse_due_offers

    return lapse_due_offers()


@db_periodic_task(crontab(minute="7"))
def announce_reviews() -> int:
    """Once an hour, tell both sides of each connection whose review point has come."""
    from alongside.connections.services import announce_due_reviews

    return announce_due_reviews()


@db_periodic_task(crontab(minute="*/5"))
def remind_sessions() -> int:
    """Every five minutes, claim and send the 24-hour and 1-hour reminders that have come due."""
    from alongside.connections.sessions import send_due_reminders

    return send_due_reminders()


@db_task(retries=3, retry_delay=30)
def send_session_reminder(session_id: int, user_id: int, key: str) -> bool:
    """Email one participant one reminder (text, HTML and an .ics), unless the session was cancelled since."""
    from alongside.accounts.models import User
    from alongside.connections.models import Session, SessionStatus
    from alongside.connections.sessions import reminder_email

    session = Session.objects.filter(pk=session_id, status=SessionStatus.AGREED).first()
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if session is None or user is None:
        return False
    reminder_email(session=session, user=user, key=key).send(fail_silently=False)
    return True
