"""The console's roster screens on the coordinators' on-call rota (``?rota=on_call``), the coordinator's home (gaps on
call, their own turns) and their calendar feed."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse

from alongside.lib.time import now
from alongside.meetings.calendar import reset_feed
from alongside.roster.models import Rota, Shift, ShiftPattern
from alongside.roster.tests.conftest import open_hours  # noqa: F401 (a fixture)
from tests import factories

pytestmark = pytest.mark.django_db
MELB = zoneinfo.ZoneInfo("Australia/Melbourne")
ON_CALL = "?rota=on_call"


def _pattern_data(**kwargs: object) -> dict[str, object]:
    return {
        "weekday": "2",
        "starts": "18:00",
        "ends": "21:30",
        "primary_places": "1",
        "backup_places": "1",
        "valid_from": dt.date.today().isoformat(),
        "valid_until": "",
    } | kwargs


def test_a_coordinator_adds_an_on_call_pattern_from_the_on_call_rota(open_hours, coordinator_client, coordinator):  # noqa: F811
    backup = factories.coordinator(display_name="Dana")
    page = coordinator_client.get(reverse("console:roster_pattern_add") + ON_CALL)
    choices = [u.pk for u in page.context["form"].fields["primary"].queryset]
    assert sorted(choices) == sorted([coordinator.pk, backup.pk]), "only coordinators are offered"
    response = coordinator_client.post(
        reverse("console:roster_pattern_add") + ON_CALL, _pattern_data(primary=[coordinator.pk], backup=[backup.pk])
    )
    assert response.status_code == 302 and response["Location"] == reverse("console:roster") + ON_CALL
    pattern = ShiftPattern.objects.get()
    assert pattern.rota == Rota.ON_CALL
    on_call = coordinator_client.get(reverse("console:roster") + ON_CALL).content.decode()
    assert "Wednesdays 18:00–21:30" in on_call and "Dana (backup)" in on_call
    support = coordinator_client.get(reverse("console:roster")).content.decode()
    assert "Wednesdays 18:00–21:30" not in support, "the supporters' list shows only their patterns"


def test_a_supporter_posted_onto_the_on_call_rota_is_refused(open_hours, coordinator_client, supporter):  # noqa: F811
    response = coordinator_client.post(
        reverse("console:roster_pattern_add") + ON_CALL, _pattern_data(primary=[supporter.pk])
    )
    assert response.status_code == 200
    assert response.context["form"].errors["primary"]
    assert not ShiftPattern.objects.exists()


def test_a_place_on_an_on_call_shift_is_for_a_coordinator(open_hours, coordinator_client, coordinator, supporter):  # noqa: F811
    turn = factories.on_call(starts_at=now() + dt.timedelta(days=1))
    page = coordinator_client.get(reverse("console:roster_shift", args=[turn.pk]))
    assert [u.pk for u in page.context["place_form"].fields["supporter"].queryset] == [coordinator.pk]
    refused = coordinator_client.post(
        reverse("console:roster_place_add", args=[turn.pk]), {"supporter": supporter.pk, "role": "primary"}, follow=True
    )
    assert "Choose a coordinator who has no place on this shift" in refused.content.decode()
    assert not turn.places.exists()
    coordinator_client.post(
        reverse("console:roster_place_add", args=[turn.pk]), {"supporter": coordinator.pk, "role": "primary"}
    )
    assert list(turn.places.values_list("supporter_id", flat=True)) == [coordinator.pk]


def test_a_one_off_on_call_shift(open_hours, coordinator_client, coordinator):  # noqa: F811
    day = (now().astimezone(MELB) + dt.timedelta(days=2)).date()
    response = coordinator_client.post(
        reverse("console:roster_shift_add") + ON_CALL,
        {
            "day": day.isoformat(),
            "starts": "09:00",
            "ends": "12:00",
            "primary_places": "1",
            "backup_places": "0",
            "primary": [coordinator.pk],
        },
    )
    assert response.status_code == 302
    shift = Shift.objects.get()
    assert shift.rota == Rota.ON_CALL and shift.places.get().supporter_id == coordinator.pk
    body = coordinator_client.get(reverse("console:roster_shift", args=[shift.pk])).content.decode()
    assert "On call" in body and f'href="{reverse("console:roster")}{ON_CALL}"' in body


def test_on_call_coverage_and_changes_are_their_own_screens(open_hours, coordinator_client, coordinator):  # noqa: F811
    factories.shift(starts_at=now() + dt.timedelta(hours=1), primary=[factories.supporter()])
    coverage = coordinator_client.get(reverse("console:roster_coverage") + ON_CALL).content.decode()
    assert "Uncovered: no coordinator on call" in coverage
    assert "no shift" not in coverage
    assert 'aria-current="page">Coordinators on call' in coverage
    support = coordinator_client.get(reverse("console:roster_coverage")).content.decode()
    assert "no coordinator on call" not in support
    turn = factories.on_call(starts_at=now() + dt.timedelta(days=1))
    coordinator_client.post(reverse("console:roster_shift_cancel", args=[turn.pk]))
    changes = coordinator_client.get(reverse("console:roster_changes") + ON_CALL).content.decode()
    assert "cancelled a shift" in changes
    assert "cancelled a shift" not in coordinator_client.get(reverse("console:roster_changes")).content.decode()


def test_the_coordinators_home_shows_gaps_on_call_and_their_own_turns(open_hours, coordinator_client, coordinator):  # noqa: F811
    mine = factories.on_call(starts_at=now() + dt.timedelta(days=3), primary=[coordinator])
    body = coordinator_client.get("/").content.decode()
    assert "gap" in body and "No coordinator on call: " in body
    assert "Your turns on call" in body
    assert "You are not on call in the next two weeks." not in body
    Shift.objects.filter(pk=mine.pk).update(cancelled_at=now())
    assert "You are not on call in the next two weeks." in coordinator_client.get("/").content.decode()


def test_a_coordinators_calendar_feed_holds_their_turns_on_call(coordinator, client):  # type: ignore[no-untyped-def]
    factories.on_call(starts_at=now() + dt.timedelta(days=1), primary=[coordinator])
    token = reset_feed(user=coordinator)
    body = client.get(reverse("meetings:calendar_feed", kwargs={"token": token})).content.decode()
    assert "SUMMARY:Peer support on call (primary)" in body
    assert "Peer support shift" not in body
