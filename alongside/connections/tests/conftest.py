from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from alongside.directory.models import Topic
from tests.factories import LanguageFactory


class Clock:
    """A clock the test moves by hand: every call to ``timezone.now()`` reads it."""

    def __init__(self, start: dt.datetime) -> None:
        self.at = start

    def now(self) -> dt.datetime:
        return self.at

    def advance(self, **delta: float) -> dt.datetime:
        self.at += dt.timedelta(**delta)
        return self.at


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    real = timezone.now()
    c = Clock(real.replace(microsecond=0))
    monkeypatch.setattr(timezone, "now", c.now)
    return c


@pytest.fixture
def english(db):  # type: ignore[no-untyped-def]
    return LanguageFactory(code="en", name="English")


@pytest.fixture
def exams(db) -> Topic:  # type: ignore[no-untyped-def]
    return Topic.objects.create(slug="exams", name="Exams", experience_phrase="training, assessment and exams")


@pytest.fixture
def burnout(db) -> Topic:  # type: ignore[no-untyped-def]
    return Topic.objects.create(slug="burnout", name="Burnout", experience_phrase="burnout")
