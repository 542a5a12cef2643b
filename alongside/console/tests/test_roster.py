"""The coordinators' roster screens: patterns, one-off changes to dated shifts, coverage and the list of changes."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse

from alongside.lib.time import now
from alongside.roster.models import Role, Shift, ShiftPattern, ShiftPlace
from alongside.roster.services import offer_cover, take_cover
from alongside.roster.tests.conftest import open_hours  # noqa: F401 (a fixture)
from tests import factories

pytestmark = pytest.mark.django_db
MELB = zoneinfo.ZoneInfo("Australia/Melbourne")


def _pattern_data(**kwargs: object) -> dict[str, object]:
    return {
        "weekday": "2",
        "starts": "18:00",
        "ends": "21:30",
        "primary_places": "2",
        "backup_places": "1",
        "valid_from": dt.date.today().isoformat(),
        "valid_until": "",
    } | kwargs


def test_a_coordinator_adds_a_pattern_and_its_shifts_appear(open_hours, coordinator_client):  # noqa: F811
    anna, ben = factories.supporter(display_name="Anna"), factories.supporter(display_name="Ben")
    response = coordinator_client.post(
        reverse("console:roster_pattern_add"), _pattern_data(primary=[anna.pk], backup=[ben.pk])
    )
    assert response.status_code == 302
    pattern = ShiftPattern.objects.get()
    assert Shift.objects.filter(pattern=pattern).count() >= 4
    body = coordinator_client.get(reverse("console:roster")).content.decode()
    assert "Wednesdays 18:00–21:30" in body and "Anna (primary)" in body and "Ben (backup)" in body
    assert "1 of 2" in body  # one of two primary places filled on each coming shift


def test_a_pattern_form_refuses_field_by_field_and_saves_nothing(open_hours, coordinator_client):  # noqa: F811
    anna = factories.supporter()
    response = coordinator_client.post(
        reverse("console:roster_pattern_add"),
        _pattern_data(ends="23:00", primary_places="1", primary=[anna.pk], backup=[anna.pk], valid_until="2000-01-01"),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "opening hours" in errors["ends"][0]
    assert "not both" in errors["backup"][0]
    assert "before the first" in errors["valid_until"][0]
    assert not ShiftPattern.objects.exists() and not Shift.objects.exists()


def test_editing_and_ending_a_pattern(open_hours, coordinator_client, coordinator):  # noqa: F811
    coordinator_client.post(reverse("console:roster_pattern_add"), _pattern_data())
    pattern = ShiftPattern.objects.get()
    url = reverse("console:roster_pattern", args=[pattern.pk])
    assert coordinator_client.get(url).status_code == 200
    assert coordinator_client.post(url, _pattern_data(starts="17:00")).status_code == 302
    assert {s.starts_at.astimezone(MELB).hour for s in Shift.objects.filter(pattern=pattern, starts_at__gt=now())} == {
        17
    }
    today = now().astimezone(MELB).date()
    coordinator_client.post(reverse("console:roster_pattern_end", args=[pattern.pk]), {"last_day": today.isoformat()})
    pattern.refresh_from_db()
    assert pattern.valid_until == today
    assert not Shift.objects.filter(pattern=pattern, starts_at__date__gt=today + dt.timedelta(days=1)).exists()


def test_one_off_changes_to_a_dated_shift(open_hours, coordinator_client):  # noqa: F811
    anna, ben = factories.supporter(display_name="Anna"), factories.supporter(display_name="Ben")
    day = (now().astimezone(MELB) + dt.timedelta(days=3)).date()
    response = coordinator_client.post(
        reverse("console:roster_shift_add"),
        {"day": day.isoformat(), "starts": "09:00", "ends": "13:00", "primary_places": "1", "backup_places": "1"},
    )
    shift = Shift.objects.get()
    assert response["Location"] == reverse("console:roster_shift", args=[shift.pk])
    assert shift.starts_at.astimezone(MELB) == dt.datetime.combine(day, dt.time(9), tzinfo=MELB)

    coordinator_client.post(
        reverse("console:roster_place_add", args=[shift.pk]), {"supporter": anna.pk, "role": "primary"}
    )
    coordinator_client.post(
        reverse("console:roster_place_add", args=[shift.pk]), {"supporter": ben.pk, "role": "backup"}
    )
    place = ShiftPlace.objects.get(supporter=ben)
    coordinator_client.post(reverse("console:roster_place_role", args=[place.pk]), {"role": "primary"})
    assert ShiftPlace.objects.get(pk=place.pk).role == Role.PRIMARY
    coordinator_client.post(reverse("console:roster_place_remove", args=[place.pk]))
    assert list(shift.places.values_list("supporter_id", flat=True)) == [anna.pk]
    body = coordinator_client.get(reverse("console:roster_shift", args=[shift.pk])).content.decode()
    assert "Anna" in body and "Add the place" in body
    coordinator_client.post(reverse("console:roster_shift_cancel", args=[shift.pk]))
    assert Shift.objects.get().cancelled_at is not None

    changes = coordinator_client.get(reverse("console:roster_changes")).content.decode()
    for words in (
        "added a one-off shift",
        "added a place on a shift",
        "changed a place on a shift",
        "cancelled a shift",
    ):
        assert words in changes


def test_a_one_off_shift_outside_the_hours_is_refused(open_hours, coordinator_client):  # noqa: F811
    day = (now().astimezone(MELB) + dt.timedelta(days=3)).date()
    response = coordinator_client.post(
        reverse("console:roster_shift_add"),
        {"day": day.isoformat(), "starts": "21:00", "ends": "01:00", "primary_places": "1", "backup_places": "0"},
    )
    assert response.status_code == 200 and "opening hours" in response.context["form"].errors["ends"][0]
    assert not Shift.objects.exists()


def test_coverage_shows_the_uncovered_hours(open_hours, coordinator_client):  # noqa: F811
    body = coordinator_client.get(reverse("console:roster_coverage")).content.decode()
    assert "uncovered hour" in body and "Uncovered: no shift" in body
    assert "Every open hour is covered" not in body


def test_changes_show_swaps_by_supporters_and_nothing_about_members(open_hours, coordinator_client, member):  # noqa: F811
    holder, taker = factories.supporter(display_name="Holly"), factories.supporter(display_name="Theo")
    place = factories.shift(starts_at=now() + dt.timedelta(days=1), primary=[holder]).places.get()
    offer_cover(supporter=holder, place=place)
    take_cover(taker=taker, place_id=place.pk)
    body = coordinator_client.get(reverse("console:roster_changes")).content.decode()
    assert "Holly" in body and "offered their place for cover" in body
    assert "Theo" in body and "took a place offered for cover" in body
    assert member.profile.display_name not in body  # type: ignore[attr-defined]
