"""Two reminder workers at once on PostgreSQL: each group meeting reminder goes out once."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from alongside.groups import meetings, services
from alongside.groups.models import GroupKind, JoinPolicy, Meeting
from alongside.notifications.models import Kind, Notification
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("two workers at once need PostgreSQL; SQLite serialises writers anyway")


def run_together(*calls) -> list[str]:
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []

    def go(call):
        try:
            barrier.wait(timeout=10)
            outcomes.append(str(call()))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=go, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return sorted(outcomes)


def test_two_reminder_workers_at_once_send_each_reminder_once(monkeypatch):
    facilitator, member = factories.supporter(), factories.member()
    group = services.create_group(
        kind=GroupKind.CIRCLE,
        name="Interns",
        created_by=facilitator,
        facilitators=[facilitator],
        join_policy=JoinPolicy.OPEN,
    )
    services.join(group=group, user=member, accepted_agreement=True)
    start = timezone.now()
    meetings.schedule(group=group, by=facilitator, starts_at=start + dt.timedelta(days=2), minutes=60)

    real_due = meetings._due
    both_read = threading.Barrier(2)

    def due_then_wait(reminder, at):
        ids = list(real_due(reminder, at).values_list("pk", flat=True))
        if ids:
            both_read.wait(timeout=10)  # both workers have read the same due reminder before either claims it
        return Meeting.objects.filter(pk__in=ids)

    monkeypatch.setattr(meetings, "_due", due_then_wait)
    at = start + dt.timedelta(days=1, minutes=1)
    outcomes = run_together(lambda: meetings.send_due_reminders(at=at), lambda: meetings.send_due_reminders(at=at))
    assert outcomes == ["0", "1"]
    assert sorted(Notification.objects.filter(kind=Kind.GROUP_MEETING_24H).values_list("user_id", flat=True)) == sorted(
        [facilitator.pk, member.pk]
    )
