"""Coverage: every open hour of the next 14 days, each uncovered one shown; the daily gap email names no one."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core import mail

from alongside.audit.models import AuditEvent
from alongside.lib.time import when_text
from alongside.roster import services
from alongside.roster.models import GapAlert, Role, Shift, ShiftPlace
from alongside.roster.selectors import coverage, gaps
from alongside.supporters.models import SupporterProfile, SupporterStatus
from tests import factories

pytestmark = pytest.mark.django_db
MELB = zoneinfo.ZoneInfo("Australia/Melbourne")
# A Wednesday morning in Melbourne, outside any daylight-saving change.
AT = dt.datetime(2026, 12, 9, 6, 30, tzinfo=MELB)


def _shift(day: int, start: int, end: int, *, primary=(), backup=(), places=1, backups=0):  # type: ignore[no-untyped-def]
    starts = dt.datetime(2026, 12, day, start, tzinfo=MELB)
    row = factories.shift(starts_at=starts, hours=end - start, primary=primary, backup=backup)
    Shift.objects.filter(pk=row.pk).update(primary_places=places, backup_places=backups)
    return row


def _on_call(day: int, start: int, end: int, *, primary=()):  # type: ignore[no-untyped-def]
    return factories.on_call(
        starts_at=dt.datetime(2026, 12, day, start, tzinfo=MELB), hours=end - start, primary=primary
    )


def _hours(found):  # type: ignore[no-untyped-def]
    return [(h.local.day, h.local.hour, h.describe()) for h in found]


def test_every_open_hour_without_a_full_shift_is_uncovered(open_hours):
    anna, ben = factories.supporter(), factories.supporter()
    _shift(9, 8, 14, primary=[anna], backup=[ben], backups=1)
    _shift(9, 14, 18, primary=[anna], places=2)  # one of two primary places filled
    paused = factories.supporter()
    _shift(9, 18, 20, primary=[paused])
    SupporterProfile.objects.filter(user=paused).update(status=SupporterStatus.PAUSED)
    _shift(9, 20, 22, primary=[ben], backups=1)  # covered, short of a backup

    days = coverage(at=AT, hours=24)
    assert [d.day for d in days] == [dt.date(2026, 12, 9)]
    today = days[0]
    assert [h.local.hour for h in today.hours] == list(range(8, 22))  # only open hours, 8 am to 10 pm
    assert _hours(today.gaps) == [(9, h, "1 of 2 primary places filled") for h in range(14, 18)] + [
        (9, h, "0 of 1 primary places filled") for h in (18, 19)
    ]
    assert _hours(today.backup_gaps) == [(9, 20, "0 of 1 backup places filled"), (9, 21, "0 of 1 backup places filled")]


def test_an_hour_half_covered_counts_at_its_worst_moment_and_a_missing_shift_is_a_gap(open_hours):
    anna = factories.supporter()
    starts = dt.datetime(2026, 12, 9, 8, 30, tzinfo=MELB)
    factories.shift(starts_at=starts, hours=2, primary=[anna])  # 8:30-10:30
    today = coverage(at=AT, hours=24)[0]
    assert _hours(today.gaps)[:3] == [(9, 8, "No shift"), (9, 10, "No shift"), (9, 11, "No shift")]
    assert 9 not in [h.local.hour for h in today.gaps]


def test_cancelled_shifts_and_closed_hours_do_not_count(open_hours):
    anna = factories.supporter()
    row = _shift(9, 8, 22, primary=[anna])
    assert coverage(at=AT, hours=24)[0].gaps == []
    Shift.objects.filter(pk=row.pk).update(cancelled_at=AT)
    assert len(coverage(at=AT, hours=24)[0].gaps) == 14


def test_gaps_are_joined_into_runs(open_hours):
    _shift(9, 8, 18, primary=[factories.supporter()])
    found = gaps(at=AT, hours=24)
    assert [(g.starts_at.astimezone(MELB).hour, g.ends_at.astimezone(MELB).hour, g.what) for g in found] == [
        (18, 22, "No shift")
    ]


def test_the_gap_email_goes_to_coordinators_once_a_day_with_times_and_no_names(
    open_hours, coordinator, django_capture_on_commit_callbacks
):
    anna = factories.supporter(display_name="Annabel")
    second = factories.coordinator()
    _shift(9, 8, 18, primary=[anna], places=2)
    morning = AT.replace(hour=8)

    assert services.email_gaps(at=AT) == 0  # before 7 am nothing goes out
    with django_capture_on_commit_callbacks(execute=True):
        count = services.email_gaps(at=morning)
    assert count > 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted([coordinator.email, second.email])
    message = mail.outbox[0]
    assert message.subject == "Roster gaps in the next 72 hours"
    html = str(message.alternatives[0][0])  # type: ignore[attr-defined]
    for body in (message.body, html):
        # 'Wednesday 9 December, 8:00 am' (the year too, when the test runs in another year)
        assert f"{when_text(AT.replace(hour=8, minute=0), MELB)} – 6:00 pm: 1 of 2 primary places filled" in body
        assert "6:00 pm – 10:00 pm: no shift" in body
        assert "/console/roster/coverage/" in body
        assert "Annabel" not in body and anna.email not in body
    assert "Annabel" not in message.subject

    with django_capture_on_commit_callbacks(execute=True):
        assert services.email_gaps(at=morning + dt.timedelta(hours=3)) == 0  # the same day: not again
    assert len(mail.outbox) == 2
    assert GapAlert.objects.get().day == dt.date(2026, 12, 9)
    assert AuditEvent.objects.filter(action="roster.gaps.emailed").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert services.email_gaps(at=morning + dt.timedelta(days=1)) > 0  # the next day: again
    assert len(mail.outbox) == 4


def test_no_gaps_no_email(open_hours, coordinator):
    anna = factories.supporter()
    for day in (9, 10, 11, 12):
        _shift(day, 8, 22, primary=[anna])
        _on_call(day, 8, 22, primary=[coordinator])
    assert services.email_gaps(at=AT.replace(hour=8)) == 0
    assert mail.outbox == []
    assert not GapAlert.objects.exists()


def test_backup_shortfalls_alone_send_no_email(open_hours, coordinator):
    anna = factories.supporter()
    for day in (9, 10, 11, 12):
        _shift(day, 8, 22, primary=[anna], backups=1)
        _on_call(day, 8, 22, primary=[coordinator])
    assert ShiftPlace.objects.filter(role=Role.BACKUP).count() == 0
    assert services.email_gaps(at=AT.replace(hour=8)) == 0
