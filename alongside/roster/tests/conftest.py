"""The roster's tests run against a service open 8 am to 10 pm every day in Melbourne, unless a test says otherwise."""

from __future__ import annotations

import datetime as dt

import pytest

from alongside.service.models import OpeningHours, ServiceSettings
from alongside.service.selectors import forget_snapshot


def set_hours(opens: dt.time, closes: dt.time, *, days: range = range(7)) -> None:
    for day in days:
        OpeningHours.objects.update_or_create(weekday=day, defaults={"is_open": True, "opens": opens, "closes": closes})
    forget_snapshot()


@pytest.fixture
def open_hours(db: None) -> None:
    ServiceSettings.objects.update_or_create(pk=1, defaults={"time_zone": "Australia/Melbourne"})
    set_hours(dt.time(8), dt.time(22))
