"""Concurrency on PostgreSQL: two reminder workers at once, and both sides proposing at once."""

import datetime as dt
import threading
import time

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from alongside.connections.tests import factories as cf
from alongside.meetings import services as sessions
from alongside.meetings.models import Session, SessionStatus
from alongside.notifications.models import Kind, Notification
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; SQLite serialises writers anyway")


def run_together(*calls) -> list[str]:
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []

    def go(call):
        try:
            barrier.wait(timeout=10)
            outcomes.append(str(call()))
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=go, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return sorted(outcomes)


def test_two_reminder_workers_at_once_send_each_reminder_once(monkeypatch):
    member, supporter = factories.member(), factories.supporter()
    link = cf.connection(member, supporter)
    start = timezone.now()
    made = sessions.propose(
        connection=link, actor=member, starts_at=start + dt.timedelta(days=2), minutes=60, medium="chat"
    )
    sessions.agree(session=made, actor=supporter)

    real_due = sessions._due
    both_read = threading.Barrier(2)

    def due_then_wait(reminder, at):
        ids = list(real_due(reminder, at).values_list("pk", flat=True))
        if ids:
            both_read.wait(timeout=10)  # both workers have read the same due reminder before either claims it
        return Session.objects.filter(pk__in=ids)

    monkeypatch.setattr(sessions, "_due", due_then_wait)
    at = start + dt.timedelta(days=1, minutes=1)
    outcomes = run_together(lambda: sessions.send_due_reminders(at=at), lambda: sessions.send_due_reminders(at=at))
    assert outcomes == ["0", "1"]
    assert Notification.objects.filter(kind=Kind.SESSION_REMINDER_24H).count() == 2
    assert len(mail.outbox) == 2


def test_both_sides_proposing_at_once_leave_one_time_waiting(monkeypatch):
    member, supporter = factories.member(), factories.supporter()
    link = cf.connection(member, supporter)

    # Widen the window between checking for a waiting proposal and creating one.
    def slow_now():
        time.sleep(0.2)
        return timezone.now()

    monkeypatch.setattr(sessions, "now", slow_now)
    at = timezone.now() + dt.timedelta(days=2)

    def proposer(who):
        return lambda: sessions.propose(connection=link, actor=who, starts_at=at, minutes=60, medium="chat").status

    assert run_together(proposer(member), proposer(supporter)) == ["proposed", "refused"]
    assert Session.objects.filter(status=SessionStatus.PROPOSED).count() == 1
