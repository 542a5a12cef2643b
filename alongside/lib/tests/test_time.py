"""One way to show time: 'Friday 4 December, 1:21 am' in the viewer's own zone, the full date on hover."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.template import Context, Template
from django.utils import timezone

from alongside.lib import time as lib_time
from alongside.lib.time import full_text, when, when_text

UTC = dt.UTC
MELBOURNE = zoneinfo.ZoneInfo("Australia/Melbourne")
LONDON = zoneinfo.ZoneInfo("Europe/London")
# 14:21 UTC on 3 December 2026 is 1:21 am on Friday 4 December in Melbourne (summer time, +11).
AT = dt.datetime(2026, 12, 3, 14, 21, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _in_2026(monkeypatch: pytest.MonkeyPatch) -> None:
    # Only the year the format compares with is held still. Replacing ``lib_time.now`` itself leaked: a module first
    # imported during these tests (the URLconf loads the homes' selectors) kept the fake clock for the whole run.
    monkeypatch.setattr(lib_time, "_this_year", lambda zone: 2026)


def test_it_reads_day_month_and_clock_in_australian_english() -> None:
    assert when_text(AT, MELBOURNE) == "Friday 4 December, 1:21 am"
    assert when_text(AT, LONDON) == "Thursday 3 December, 2:21 pm"


def test_noon_and_midnight_are_12() -> None:
    assert when_text(dt.datetime(2026, 6, 1, 2, 0, tzinfo=UTC), MELBOURNE) == "Monday 1 June, 12:00 pm"
    assert when_text(dt.datetime(2026, 5, 31, 14, 0, tzinfo=UTC), MELBOURNE) == "Monday 1 June, 12:00 am"


def test_it_names_the_year_only_when_it_is_not_this_year() -> None:
    assert when_text(dt.datetime(2025, 3, 2, 23, 5, tzinfo=UTC), MELBOURNE) == "Monday 3 March 2025, 10:05 am"


def test_the_full_date_names_the_weekday_year_and_place() -> None:
    assert full_text(AT, MELBOURNE) == "Friday 4 December 2026, 1:21 am (Melbourne time)"
    assert full_text(dt.date(2026, 12, 4)) == "Friday 4 December 2026"


def test_the_filter_uses_the_viewers_zone_and_puts_the_full_date_on_hover() -> None:
    with timezone.override(MELBOURNE):
        html = str(when(AT))
    assert html == (
        '<time datetime="2026-12-04T01:21:00+11:00" title="Friday 4 December 2026, 1:21 am (Melbourne time)">'
        "Friday 4 December, 1:21 am</time>"
    )
    with timezone.override(LONDON):
        assert ">Thursday 3 December, 2:21 pm</time>" in str(when(AT))


def test_the_filter_is_a_builtin_and_renders_nothing_for_no_time() -> None:
    template = Template("[{{ at|when }}][{{ missing|when }}][{{ at|when_text }}][{{ at|when_full }}]")
    with timezone.override(MELBOURNE):
        out = template.render(Context({"at": AT, "missing": None}))
    assert out.startswith('[<time datetime="2026-12-04T01:21:00+11:00"')
    assert out.endswith("[][Friday 4 December, 1:21 am][Friday 4 December 2026, 1:21 am (Melbourne time)]")


@pytest.mark.django_db
def test_pages_are_shown_in_the_signed_in_persons_own_zone(client) -> None:
    """The console's audit list, once '1:27 a.m.' in the server's zone, now reads in the coordinator's zone."""
    from alongside.audit.services import record
    from tests import factories

    coordinator = factories.coordinator()
    coordinator.profile.time_zone = "Europe/London"
    coordinator.profile.save()
    person = factories.member()
    record("accounts.user.deactivated", actor=coordinator, subject=person, target=person)
    client.force_login(coordinator)
    body = client.get(f"/console/people/{person.pk}/").content.decode()
    assert "(London time)" in body
    assert "a.m." not in body and "p.m." not in body
