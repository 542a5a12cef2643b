"""The roster's periodic tasks: shifts made ahead every day (more than once, harmlessly), the gap email hourly but
sent once a day, and lost contacts ended."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from alongside.roster import tasks
from alongside.roster.models import ContactFormat, ContactRecord, Shift, ShiftPattern
from tests import factories

pytestmark = pytest.mark.django_db


def _runs_at(task, hour: int) -> list[int]:  # type: ignore[no-untyped-def]
    day = dt.datetime(2026, 3, 2, hour)
    return [m for m in range(60) if task.s().validate_datetime(day.replace(minute=m))]


def test_the_tasks_run_daily_or_more_often():
    assert sum(len(_runs_at(tasks.materialise_shifts, h)) for h in range(24)) == 4
    assert all(len(_runs_at(tasks.email_roster_gaps, h)) == 1 for h in range(24))
    assert len(_runs_at(tasks.end_lost_contacts, 3)) == 4


def test_materialising_by_the_task_is_idempotent(open_hours):
    ShiftPattern.objects.create(weekday=2, starts=dt.time(9), ends=dt.time(12), valid_from=dt.date(2020, 1, 1))
    first = tasks.materialise_shifts.call_local()
    assert first >= 4 and Shift.objects.count() == first
    assert tasks.materialise_shifts.call_local() == 0
    assert Shift.objects.count() == first


def test_the_gap_task_emails_once(open_hours, coordinator, django_capture_on_commit_callbacks, monkeypatch):
    morning = dt.datetime(2026, 12, 9, 9, tzinfo=dt.timezone(dt.timedelta(hours=11)))
    monkeypatch.setattr("alongside.roster.services.now", lambda: morning)
    monkeypatch.setattr("alongside.roster.selectors.now", lambda: morning)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.email_roster_gaps.call_local() > 0
        assert tasks.email_roster_gaps.call_local() == 0
    assert len(mail.outbox) == 1


def test_a_contact_left_open_for_hours_is_ended(supporter):
    old = ContactRecord.objects.create(
        supporter=supporter, format=ContactFormat.PHONE, started_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    )
    current = ContactRecord.objects.create(supporter=factories.supporter(), format=ContactFormat.PHONE)
    assert tasks.end_lost_contacts.call_local() == 1
    old.refresh_from_db()
    current.refresh_from_db()
    assert old.ended_at is not None and current.ended_at is None
    assert old.minutes == 600  # capped: its real end was lost
