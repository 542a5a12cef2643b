import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import ValidationError

from alongside.audit.models import AuditEvent
from alongside.service.models import OpeningHours, ServiceSettings
from alongside.service.selectors import snapshot
from alongside.service.services import DayHours, update_service_settings

pytestmark = pytest.mark.django_db

WEEKDAYS_8_TO_10 = [DayHours(weekday=d, is_open=d < 5, opens=dt.time(8), closes=dt.time(22)) for d in range(7)]


def _save(actor, **overrides):
    values = {
        "name": "Peer Support Victoria",
        "region": "VIC",
        "time_zone": "Australia/Melbourne",
        "about": "Run by doctors, for doctors.",
        "offers_talk_now": True,
        "offers_ongoing": True,
        "offers_groups": False,
        "signups_open": True,
        "hours": WEEKDAYS_8_TO_10,
    }
    values.update(overrides)
    return update_service_settings(actor=actor, **values)


def test_it_saves_the_settings_and_a_week_of_hours_and_audits_which_changed(coordinator):
    _save(coordinator)
    row = ServiceSettings.objects.get()
    assert row.name == "Peer Support Victoria" and row.offers_groups is False
    hours = list(OpeningHours.objects.order_by("weekday"))
    assert [(h.weekday, h.is_open) for h in hours] == [(d, d < 5) for d in range(7)]
    assert hours[5].opens is None and hours[5].closes is None  # a closed day keeps no times
    event = AuditEvent.objects.get(action="service.settings.updated")
    assert event.actor_id == coordinator.pk
    assert set(event.details["fields"]) == {"name", "about", "offers_groups"}
    assert event.details["hours_changed"] is True
    assert "Victoria" not in str(event.details)


def test_saving_the_same_settings_again_records_nothing(coordinator):
    _save(coordinator)
    _save(coordinator)
    assert AuditEvent.objects.filter(action="service.settings.updated").count() == 1


def test_hours_may_run_past_midnight(coordinator):
    late = [DayHours(weekday=d, is_open=True, opens=dt.time(18), closes=dt.time(2)) for d in range(7)]
    _save(coordinator, hours=late)
    assert OpeningHours.objects.get(weekday=0).closes == dt.time(2)
    melbourne = zoneinfo.ZoneInfo("Australia/Melbourne")
    snap = snapshot()
    assert snap.is_open_at(dt.datetime(2025, 6, 3, 1, 0, tzinfo=melbourne))  # a Tuesday, 1 am
    assert not snap.is_open_at(dt.datetime(2025, 6, 3, 3, 0, tzinfo=melbourne))


def test_a_week_with_every_day_closed_keeps_no_hours(coordinator):
    OpeningHours.objects.create(weekday=0, opens=dt.time(9), closes=dt.time(17))
    _save(coordinator, hours=[DayHours(weekday=d, is_open=False) for d in range(7)])
    assert not OpeningHours.objects.exists()


def test_it_refuses_an_unknown_time_zone_and_saves_nothing(coordinator):
    with pytest.raises(ValidationError) as exc:
        _save(coordinator, time_zone="Mars/Olympus_Mons")
    assert "time_zone" in exc.value.message_dict
    assert not OpeningHours.objects.exists()
    assert not ServiceSettings.objects.filter(name="Peer Support Victoria").exists()


def test_invalid_hours_save_nothing_at_all(coordinator):
    bad = [*WEEKDAYS_8_TO_10[:6], DayHours(weekday=6, is_open=True, opens=dt.time(9), closes=None)]
    with pytest.raises(ValidationError) as exc:
        _save(coordinator, hours=bad)
    assert "Sunday" in exc.value.messages[0]
    assert not OpeningHours.objects.exists()
    assert not ServiceSettings.objects.filter(name="Peer Support Victoria").exists()
    assert not AuditEvent.objects.filter(action="service.settings.updated").exists()


def test_it_refuses_a_week_with_a_missing_or_repeated_day(coordinator):
    with pytest.raises(ValidationError):
        _save(coordinator, hours=WEEKDAYS_8_TO_10[:6])
    with pytest.raises(ValidationError):
        _save(coordinator, hours=[*WEEKDAYS_8_TO_10[:6], WEEKDAYS_8_TO_10[0]])
    assert not OpeningHours.objects.exists()


def test_it_refuses_a_10_kb_name_and_saves_nothing(coordinator):
    with pytest.raises(ValidationError) as exc:
        _save(coordinator, name="x" * 10_240)
    assert "name" in exc.value.message_dict
    assert not OpeningHours.objects.exists()


def test_the_cached_snapshot_is_forgotten_once_the_change_commits(coordinator, django_capture_on_commit_callbacks):
    assert snapshot().settings.name != "Peer Support Victoria"
    assert snapshot().hours == []
    with django_capture_on_commit_callbacks() as callbacks:
        _save(coordinator)
    assert snapshot().settings.name != "Peer Support Victoria"  # still cached until the commit
    for callback in callbacks:
        callback()
    assert snapshot().settings.name == "Peer Support Victoria"
    assert len(snapshot().hours) == 7
