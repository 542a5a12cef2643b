"""Weekly patterns become dated shifts four weeks ahead, idempotently, keeping wall-clock hours across daylight
saving; one-off changes survive every later run and every change to the pattern."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import ValidationError

from alongside.audit.models import AuditEvent
from alongside.roster import services
from alongside.roster.models import Role, Shift, ShiftPlace
from alongside.roster.tests.conftest import set_hours
from tests import factories

pytestmark = pytest.mark.django_db
MELB = zoneinfo.ZoneInfo("Australia/Melbourne")


def _pattern(coordinator, **kwargs):  # type: ignore[no-untyped-def]
    fields = {
        "weekday": 1,
        "starts": dt.time(18),
        "ends": dt.time(22),
        "primary_places": 1,
        "backup_places": 1,
        "valid_from": dt.date(2020, 1, 1),
    } | kwargs
    return services.create_pattern(actor=coordinator, **fields)


def test_a_pattern_makes_its_shifts_for_the_next_28_days_with_its_standing_places(open_hours, coordinator):
    first, second = factories.supporter(), factories.supporter()
    pattern = _pattern(coordinator, primary=[first], backup=[second])

    shifts = list(Shift.objects.filter(pattern=pattern))
    assert len(shifts) in (4, 5)  # every Tuesday in the next 28 days (five when today is a Tuesday before 10 pm)
    for shift in shifts:
        local = shift.starts_at.astimezone(MELB)
        assert (local.weekday(), local.time()) == (1, dt.time(18))
        assert shift.ends_at - shift.starts_at == dt.timedelta(hours=4)
        assert {(p.supporter_id, p.role) for p in shift.places.all()} == {
            (first.pk, Role.PRIMARY),
            (second.pk, Role.BACKUP),
        }
    assert AuditEvent.objects.filter(action="roster.pattern.created", target_id=str(pattern.pk)).exists()


def test_materialising_again_makes_nothing_new(open_hours, coordinator):
    pattern = _pattern(coordinator, primary=[factories.supporter()])
    count = Shift.objects.filter(pattern=pattern).count()
    assert services.materialise() == 0
    assert services.materialise() == 0
    assert Shift.objects.filter(pattern=pattern).count() == count
    assert ShiftPlace.objects.filter(shift__pattern=pattern).count() == count


def test_wall_clock_hours_are_kept_across_the_melbourne_daylight_saving_changes(open_hours, coordinator):
    # Open overnight on Saturdays so a night shift can cross the change (2 am → 3 am on Sunday 4 October 2026).
    set_hours(dt.time(18), dt.time(4), days=range(5, 6))
    evening = _pattern(coordinator, weekday=6, starts=dt.time(18), ends=dt.time(22))  # Sundays
    night = _pattern(coordinator, weekday=5, starts=dt.time(20), ends=dt.time(3))  # Saturday into Sunday
    Shift.objects.all().delete()
    at = dt.datetime(2026, 9, 25, 12, tzinfo=MELB)  # the Friday before the change

    services.materialise(days=14, at=at)

    sundays = list(Shift.objects.filter(pattern=evening).order_by("starts_at"))
    assert [s.starts_at.astimezone(MELB).date() for s in sundays] == [dt.date(2026, 9, 27), dt.date(2026, 10, 4)]
    for shift in sundays:  # 6-10 pm local on both sides of the change: 08:00 UTC before it, 07:00 UTC after
        assert shift.starts_at.astimezone(MELB).time() == dt.time(18)
        assert shift.ends_at.astimezone(MELB).time() == dt.time(22)
    assert [s.starts_at.astimezone(dt.UTC).hour for s in sundays] == [8, 7]

    nights = {s.starts_at.astimezone(MELB).date(): s for s in Shift.objects.filter(pattern=night)}
    assert nights[dt.date(2026, 9, 26)].duration == dt.timedelta(hours=7)
    assert nights[dt.date(2026, 10, 3)].duration == dt.timedelta(hours=6)  # the hour from 2 to 3 am never happens
    assert nights[dt.date(2026, 10, 3)].ends_at.astimezone(MELB).time() == dt.time(3)


def test_a_shift_across_the_autumn_change_is_an_hour_longer(open_hours, coordinator):
    set_hours(dt.time(18), dt.time(4), days=range(5, 6))
    night = _pattern(coordinator, weekday=5, starts=dt.time(20), ends=dt.time(3))
    Shift.objects.all().delete()
    services.materialise(days=7, at=dt.datetime(2026, 4, 1, 12, tzinfo=MELB))  # 3 am → 2 am on Sunday 5 April
    shift = Shift.objects.get(pattern=night)
    assert shift.starts_at.astimezone(MELB) == dt.datetime(2026, 4, 4, 20, tzinfo=MELB)
    assert shift.duration == dt.timedelta(hours=8)


def test_a_pattern_outside_the_opening_hours_is_refused(open_hours, coordinator):
    with pytest.raises(ValidationError, match="opening hours"):
        _pattern(coordinator, starts=dt.time(20), ends=dt.time(23))
    with pytest.raises(ValidationError, match="opening hours"):
        _pattern(coordinator, starts=dt.time(7, 30), ends=dt.time(10))
    assert not Shift.objects.exists()


def test_valid_dates_bound_the_shifts(open_hours, coordinator):
    today = dt.datetime.now(MELB).date()
    pattern = _pattern(
        coordinator,
        weekday=today.weekday(),
        valid_from=today + dt.timedelta(days=7),
        valid_until=today + dt.timedelta(days=14),
    )
    days = sorted(s.starts_at.astimezone(MELB).date() for s in Shift.objects.filter(pattern=pattern))
    assert days == [today + dt.timedelta(days=7), today + dt.timedelta(days=14)]


def test_one_off_changes_survive_regeneration_and_a_changed_pattern(open_hours, coordinator):
    holder, stand_in, new_standing = factories.supporter(), factories.supporter(), factories.supporter()
    pattern = _pattern(coordinator, primary=[holder])
    shifts = list(Shift.objects.filter(pattern=pattern).order_by("starts_at"))
    cancelled, swapped, untouched = shifts[0], shifts[1], shifts[2]
    services.cancel_shift(actor=coordinator, shift=cancelled)
    services.remove_place(actor=coordinator, place=swapped.places.get())
    services.add_place(actor=coordinator, shift=swapped, supporter=stand_in, role=Role.PRIMARY)

    assert services.materialise() == 0  # nothing is made again: not the cancelled shift, not the changed one
    services.update_pattern(
        actor=coordinator,
        pattern=pattern,
        weekday=1,
        starts=dt.time(18),
        ends=dt.time(22),
        primary_places=1,
        backup_places=1,
        valid_from=dt.date(2020, 1, 1),
        primary=[new_standing],
    )

    assert Shift.objects.get(pk=cancelled.pk).cancelled_at is not None
    assert list(Shift.objects.get(pk=swapped.pk).places.values_list("supporter_id", flat=True)) == [stand_in.pk]
    assert not Shift.objects.filter(pk=untouched.pk).exists()  # unchanged: made again from the pattern as it is now
    remade = Shift.objects.get(pattern=pattern, starts_at=untouched.starts_at)
    assert list(remade.places.values_list("supporter_id", flat=True)) == [new_standing.pk]
    assert Shift.objects.filter(pattern=pattern, starts_at=cancelled.starts_at).count() == 1
    actions = set(AuditEvent.objects.filter(action__startswith="roster.").values_list("action", flat=True))
    assert {"roster.shift.cancelled", "roster.place.removed", "roster.place.added", "roster.pattern.changed"} <= actions


def test_ending_a_pattern_drops_its_later_unchanged_shifts(open_hours, coordinator):
    pattern = _pattern(coordinator)
    shifts = list(Shift.objects.filter(pattern=pattern).order_by("starts_at"))
    services.cancel_shift(actor=coordinator, shift=shifts[-1])
    last_day = shifts[0].starts_at.astimezone(MELB).date()
    services.end_pattern(actor=coordinator, pattern=pattern, last_day=last_day)
    assert set(Shift.objects.filter(pattern=pattern).values_list("pk", flat=True)) == {shifts[0].pk, shifts[-1].pk}
    assert services.materialise() == 0


def test_a_one_off_shift_is_checked_against_the_hours_and_its_places(open_hours, coordinator):
    person = factories.supporter()
    start = dt.datetime.now(MELB).replace(hour=9, minute=0, second=0, microsecond=0) + dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="opening hours"):
        services.add_one_off_shift(
            actor=coordinator, starts_at=start, ends_at=start.replace(hour=23), primary_places=1, backup_places=0
        )
    with pytest.raises(ValidationError, match="primary or a backup"):
        services.add_one_off_shift(
            actor=coordinator,
            starts_at=start,
            ends_at=start.replace(hour=12),
            primary_places=1,
            backup_places=1,
            primary=[person],
            backup=[person],
        )
    shift = services.add_one_off_shift(
        actor=coordinator,
        starts_at=start,
        ends_at=start.replace(hour=12),
        primary_places=1,
        backup_places=0,
        primary=[person],
    )
    assert shift.pattern_id is None and shift.edited_at is not None
    assert AuditEvent.objects.filter(action="roster.shift.added", target_id=str(shift.pk)).exists()
