"""Session reminders: the two reminders (24 hours and 1 hour ahead) and the email each participant gets.

``services.send_due_reminders`` claims the due ones and queues ``send_session_reminder`` for each
participant; the email says the time and a link, and carries the .ics: no names, no topics, no content.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from huey.contrib.djhuey import db_task

from alongside.accounts.models import User
from alongside.lib.time import local_time, place, time_zone_of
from alongside.meetings.calendar import session_calendar
from alongside.meetings.models import Session, SessionStatus
from alongside.notifications.models import Kind
from alongside.service.selectors import current_settings


@dataclass(frozen=True)
class Reminder:
    key: str
    before: dt.timedelta
    column: str
    kind: str
    phrase: str


REMINDERS = (
    Reminder("24h", dt.timedelta(hours=24), "reminded_24h_at", Kind.SESSION_REMINDER_24H, "in 24 hours"),
    Reminder("1h", dt.timedelta(hours=1), "reminded_1h_at", Kind.SESSION_REMINDER_1H, "in 1 hour"),
)
REMINDER_BY_KEY = {r.key: r for r in REMINDERS}


def reminder_email(*, session: Session, user: User, key: str) -> EmailMultiAlternatives:
    """'You have a peer support session in 24 hours': the time and a link. No names, no topics, no content."""
    reminder = REMINDER_BY_KEY[key]
    zone = time_zone_of(user)
    context = {
        "service_name": current_settings().name,
        "phrase": reminder.phrase,
        "when": local_time(session.starts_at, zone),
        "place": place(zone),
        "link": f"{settings.SITE_URL}{session.get_absolute_url()}",
    }
    message = EmailMultiAlternatives(
        subject=f"You have a peer support session {reminder.phrase}",
        body=render_to_string("meetings/email/reminder.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )
    message.attach_alternative(render_to_string("meetings/email/reminder.html", context), "text/html")
    message.attach("session.ics", session_calendar([session]), "text/calendar")
    return message


@db_task(retries=3, retry_delay=30)
def send_session_reminder(session_id: int, user_id: int, key: str) -> bool:
    """Email one participant one reminder (text, HTML and an .ics), unless the session was cancelled since."""
    session = Session.objects.filter(pk=session_id, status=SessionStatus.AGREED).first()
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if session is None or user is None:
        return False
    reminder_email(session=session, user=user, key=key).send(fail_silently=False)
    return True
