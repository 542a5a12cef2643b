import datetime as dt

import pytest
from django.core import mail
from icalendar import Calendar

from alongside.connections.tests import factories as cf
from alongside.lib.time import local_time
from alongside.meetings import services as sessions
from alongside.meetings import tasks
from alongside.meetings.models import Session
from alongside.notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreed(member, supporter, clock, exams):
    """A video session agreed now for three days ahead, in a connection about exams."""
    cf.set_person(member, time_zone="Australia/Melbourne")
    cf.set_person(supporter, time_zone="Europe/London")
    connection = cf.connection(member, supporter)
    connection.request.topics.set([exams])
    made = sessions.propose(
        connection=connection, actor=member, starts_at=clock.at + dt.timedelta(days=3), minutes=60, medium="video"
    )
    sessions.agree(session=made, actor=supporter)
    return made


def run(capture) -> int:
    """One run of the periodic task, with the emails it queues sent."""
    with capture(execute=True):
        return tasks.remind_sessions.call_local()


def reminders(kind: str) -> list[int]:
    return sorted(Notification.objects.filter(kind=kind).values_list("user_id", flat=True))


def test_the_reminder_task_runs_every_five_minutes():
    start = dt.datetime(2026, 3, 2, 9, 0)
    minutes = [m for m in range(60) if tasks.remind_sessions.s().validate_datetime(start.replace(minute=m))]
    assert minutes == list(range(0, 60, 5))


def test_reminders_fire_once_at_24_hours_and_once_at_1_hour(
    agreed, member, supporter, clock, django_capture_on_commit_callbacks
):
    both = sorted([member.pk, supporter.pk])
    assert run(django_capture_on_commit_callbacks) == 0
    clock.advance(days=1, hours=23, minutes=59)  # 24 h and a minute before
    assert run(django_capture_on_commit_callbacks) == 0

    clock.advance(minutes=1)  # 24 h before
    assert run(django_capture_on_commit_callbacks) == 1
    assert reminders(Kind.SESSION_REMINDER_24H) == both
    assert sorted(m.to[0] for m in mail.outbox) == sorted([member.email, supporter.email])
    assert all(m.subject == "You have a peer support session in 24 hours" for m in mail.outbox)
    assert run(django_capture_on_commit_callbacks) == 0
    clock.advance(hours=12)
    assert run(django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 2

    clock.advance(hours=11)  # 1 h before
    assert run(django_capture_on_commit_callbacks) == 1
    assert reminders(Kind.SESSION_REMINDER_1H) == both
    assert len(mail.outbox) == 4
    assert all(m.subject == "You have a peer support session in 1 hour" for m in mail.outbox[2:])
    assert run(django_capture_on_commit_callbacks) == 0
    clock.advance(hours=2)
    assert run(django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 4
    assert reminders(Kind.SESSION_REMINDER_24H) == both


def test_a_reminder_another_worker_claimed_first_is_not_sent_again(
    agreed, clock, monkeypatch, django_capture_on_commit_callbacks
):
    real_due = sessions._due

    def read_then_lose_the_race(reminder, at):
        ids = list(real_due(reminder, at).values_list("pk", flat=True))
        # Between this worker's read and its claim, another worker claims the same reminders.
        Session.objects.filter(pk__in=ids).update(**{reminder.column: at})
        return Session.objects.filter(pk__in=ids)

    monkeypatch.setattr(sessions, "_due", read_then_lose_the_race)
    clock.advance(days=2)
    assert run(django_capture_on_commit_callbacks) == 0
    assert not mail.outbox and not Notification.objects.filter(kind=Kind.SESSION_REMINDER_24H).exists()


def test_a_session_agreed_within_a_day_gets_only_the_1_hour_reminder(
    member, supporter, clock, django_capture_on_commit_callbacks
):
    connection = cf.connection(member, supporter)
    made = sessions.propose(
        connection=connection, actor=supporter, starts_at=clock.at + dt.timedelta(hours=5), minutes=30, medium="chat"
    )
    sessions.agree(session=made, actor=member)
    assert run(django_capture_on_commit_callbacks) == 0
    clock.advance(hours=4)
    assert run(django_capture_on_commit_callbacks) == 1
    assert not Notification.objects.filter(kind=Kind.SESSION_REMINDER_24H).exists()
    assert Notification.objects.filter(kind=Kind.SESSION_REMINDER_1H).count() == 2


def test_a_late_run_skips_the_24_hour_reminder_once_within_the_hour(agreed, clock, django_capture_on_commit_callbacks):
    clock.advance(days=2, hours=23, minutes=30)  # the task was down all day
    assert run(django_capture_on_commit_callbacks) == 1
    assert not Notification.objects.filter(kind=Kind.SESSION_REMINDER_24H).exists()
    assert Notification.objects.filter(kind=Kind.SESSION_REMINDER_1H).count() == 2


def test_cancelled_and_unanswered_sessions_get_no_reminders(
    agreed, member, supporter, clock, django_capture_on_commit_callbacks
):
    sessions.cancel(session=agreed, actor=supporter)
    other = cf.connection(member, cf.clean_supporter().user)
    sessions.propose(
        connection=other, actor=member, starts_at=clock.at + dt.timedelta(days=3), minutes=60, medium="chat"
    )
    for hours in (48, 23):
        clock.advance(hours=hours)
        assert run(django_capture_on_commit_callbacks) == 0
    assert not mail.outbox


def test_a_session_cancelled_after_the_claim_sends_no_email(
    agreed, supporter, clock, django_capture_on_commit_callbacks
):
    clock.advance(days=2)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert tasks.remind_sessions.call_local() == 1
    sessions.cancel(session=agreed, actor=supporter)
    for callback in queued:
        callback()
    assert not mail.outbox


def test_the_reminder_email_carries_no_names_topics_or_medium(
    agreed, member, supporter, exams, clock, django_capture_on_commit_callbacks
):
    clock.advance(days=2)
    run(django_capture_on_commit_callbacks)
    message = next(m for m in mail.outbox if m.to == [member.email])
    text = message.body
    html = message.alternatives[0][0]
    assert message.alternatives[0][1] == "text/html"
    (name, ics, mimetype) = message.attachments[0]
    assert (name, mimetype) == ("session.ics", "text/calendar")
    ics_text = ics.decode() if isinstance(ics, bytes) else ics
    link = f"/sessions/{agreed.pk}/"
    assert "You have a peer support session in 24 hours." in text and link in text
    assert "You have a peer support session in 24 hours." in html and link in html
    for part in (message.subject, text, html, ics_text):
        for secret in ("Alice", "Bob", member.email, supporter.email, exams.name, "Video", "video", "London"):
            assert secret not in part, (secret, part)
    # The member reads the time in their own zone.
    assert local_time(agreed.starts_at, "Australia/Melbourne") in text

    event = Calendar.from_ical(ics).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Peer support session"
    assert event.decoded("DTSTART") == agreed.starts_at
    assert event.decoded("DTEND") == agreed.starts_at + dt.timedelta(minutes=60)
    assert str(event["URL"]).endswith(link)
    assert set(event.keys()) <= {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION", "URL", "CLASS"}


def test_the_in_app_reminder_names_no_one(agreed, member, clock, django_capture_on_commit_callbacks):
    clock.advance(days=2)
    run(django_capture_on_commit_callbacks)
    note = Notification.objects.get(user=member, kind=Kind.SESSION_REMINDER_24H)
    assert str(note) == "You have a peer support session in 24 hours."
    assert note.link == f"/sessions/{agreed.pk}/"
